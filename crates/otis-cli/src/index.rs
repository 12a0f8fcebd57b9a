//! `otis index`: build and stats; and the build progress bar and report (also used when
//! a command builds the missing index first).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Subcommand;
use otis_app::{IndexMode, Settings};
use otis_index::{BuildReport, Progress};

use crate::failure::{Failure, app_failure, input};

/// The `otis index` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Index a folder of COBOL sources (default: OTIS_CORPUS, else the sample corpus).
    #[command(after_help = "Example:\n  otis index build ~/src/otis-cobol")]
    Build {
        /// The folder to index.
        dir: Option<PathBuf>,
    },
    /// Show what the index holds.
    #[command(after_help = "Example:\n  otis index stats --json")]
    Stats {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A progress bar for index builds, on standard error when it is a terminal.
pub(crate) fn progress_bar() -> (indicatif::ProgressBar, impl FnMut(Progress<'_>)) {
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("indexing {bar:30} {pos}/{len} {wide_msg}")
    {
        bar.set_style(style);
    }
    let handle = bar.clone();
    let update = move |p: Progress<'_>| {
        handle.set_length(p.total as u64);
        handle.set_position(p.done as u64);
        handle.set_message(p.file.to_owned());
    };
    (bar, update)
}

pub(crate) fn report_build(report: &BuildReport, corpus: &Path) {
    eprintln!(
        "Indexed {} ({} files: {} read, {} unchanged, {} removed; {} chunks) in {} ms.",
        corpus.display(),
        report.files,
        report.indexed,
        report.unchanged,
        report.removed,
        report.chunks,
        report.elapsed.as_millis()
    );
}

pub(crate) fn run(mut settings: Settings, command: Command) -> Result<(), Failure> {
    match command {
        Command::Build { dir } => {
            match dir {
                Some(dir) => {
                    settings.corpus = dir;
                    settings.corpus_explicit = true;
                }
                // Without a folder, refresh the index that exists, whatever it indexes.
                None if !settings.corpus_explicit => {
                    if let Some(existing) =
                        otis_index::LocalIndex::indexed_corpus(&settings.index_dir)
                            .filter(|c| c.is_dir())
                    {
                        settings.corpus = existing;
                    }
                }
                None => {}
            }
            if !settings.corpus.is_dir() {
                return Err(input(anyhow!(
                    "{} is not a folder",
                    settings.corpus.display()
                )));
            }
            let (bar, mut update) = progress_bar();
            let (index, report) = otis_app::open_index(&settings, IndexMode::Refresh, &mut update)
                .map_err(app_failure)?;
            bar.finish_and_clear();
            if let Some(report) = report {
                report_build(&report, index.corpus());
            }
            println!("Index: {}", settings.index_dir.display());
        }
        Command::Stats { json } => {
            let index =
                otis_index::LocalIndex::open(&settings.index_dir).context("opening the index")?;
            let stats = index.stats().context("reading the index's counts")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats).context("JSON")?);
            } else {
                println!(
                    "corpus:     {}\nindex:      {}\nfiles:      {} ({} programs, {} copybooks, {} screen forms, {} documents)\nchunks:     {}\nsections:   {} (and {} paragraphs)\ndata items: {}\ncall edges: {} (COPY {}, PERFORM/GO TO {})\nreferences: {}",
                    stats.corpus.display(),
                    stats.index.display(),
                    stats.files,
                    stats.programs,
                    stats.copybooks,
                    stats.forms,
                    stats.documents,
                    stats.chunks,
                    stats.sections,
                    stats.paragraphs,
                    stats.data_items,
                    stats.call_edges,
                    stats.copy_edges,
                    stats.perform_edges,
                    stats.references
                );
            }
        }
    }
    Ok(())
}
