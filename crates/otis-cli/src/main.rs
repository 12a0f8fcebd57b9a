//! `otis`: ask questions about the OTIS COBOL codebase, chat with memory that survives
//! between invocations, and manage sessions and the index. This file holds the command
//! line, the dispatch to each command's module, and how failures map to exit codes.

mod ask;
mod chat;
mod diagram;
mod index;
mod query;
mod report;
mod serve;
mod sessions;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::{Parser, Subcommand};
use otis_app::{App, AppError, IndexMode, Settings};
use otis_core::{AskError, SessionId, TurnId};

#[derive(Debug, Parser)]
#[command(
    name = "otis",
    version,
    about = "Ask questions about the OTIS COBOL codebase; conversations are remembered per session.",
    after_help = "Examples:\n  otis ask \"What does LONPF2 do?\"\n  otis ask --session demo \"What does LONPF2 do?\"\n  otis ask --session demo \"What copybooks does it use?\" -v\n  otis chat\n  otis sessions list\n\nSettings come from the environment and local.settings.json (see config/README.md)."
)]
struct Cli {
    /// A settings file in local.settings.json form (default: ./local.settings.json if present).
    #[arg(long, global = true, value_name = "FILE")]
    settings: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ask one question.
    #[command(
        after_help = "Examples:\n  otis ask \"What does LONPF2 do?\"\n  otis ask --session demo \"What copybooks does it use?\" -v\n  otis ask --json \"Who calls DATEUTIL?\"\n  otis ask --diagram flow.svg \"Show me a flow of LPMENU\""
    )]
    Ask {
        /// The question.
        question: String,
        /// Remember the turn in this session (and resolve follow-ups from it).
        #[arg(long)]
        session: Option<String>,
        /// Show the resolved question, the retrieved sources with scores, and timings.
        #[arg(short, long)]
        verbose: bool,
        /// Print the answer record as JSON (the HTTP API's shape).
        #[arg(long)]
        json: bool,
        /// How many sources to retrieve (1-50).
        #[arg(long)]
        top_k: Option<u32>,
        /// Sampling temperature for text models (0-2).
        #[arg(long, default_value_t = 0.0)]
        temperature: f32,
        /// Write the answer's diagram (flows and screen trees) to this SVG file.
        #[arg(long, value_name = "FILE.svg")]
        diagram: Option<PathBuf>,
    },
    /// Talk with memory: line editing, history, streamed answers.
    #[command(
        after_help = "Example:\n  otis chat --session demo\n\nCommands inside: /clear, /stats, /history, /help, /quit (or quit, exit).\nCtrl-C cancels the current answer (the part so far is kept, marked interrupted);
Ctrl-D exits."
    )]
    Chat {
        /// The session to continue (default: a new one).
        #[arg(long)]
        session: Option<String>,
    },
    /// List, show, delete, export, import, purge and migrate sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Build the local index or show what it holds.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Read-only SQL over the code model (tables and examples: docs/code-model.md).
    #[command(
        after_help = "Examples:\n  otis query \"SELECT member, lines FROM files WHERE kind = 'program' ORDER BY lines DESC LIMIT 5\"\n  otis query --csv \"SELECT f.member, c.target FROM calls c JOIN files f ON f.id = c.file_id\" > calls.csv\n  otis query \"PRAGMA table_info(copies)\"\n  echo \"SELECT count(*) FROM data_items\" | otis query -\n\nThe index is opened read-only: a statement that would change it is refused (exit 2)."
    )]
    Query {
        /// One SQL statement (SELECT, WITH ... SELECT, or a schema PRAGMA); `-` reads it
        /// from standard input.
        sql: String,
        /// Print the rows as a JSON array of objects.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print the rows as CSV (RFC 4180).
        #[arg(long)]
        csv: bool,
        /// Rows shown at most.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
        /// Seconds after which the query is stopped.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
    /// Run the HTTP endpoint locally (the same code as the function app).
    #[command(
        after_help = "Example:\n  otis serve --port 7071\n  curl -X POST localhost:7071/api/query -d '{\"question\":\"What does LONPF2 do?\"}'"
    )]
    Serve {
        /// Port on 127.0.0.1 (default: OTIS_PORT, else 7071).
        #[arg(long)]
        port: Option<u16>,
    },
}

#[derive(Debug, Subcommand)]
enum SessionsCommand {
    /// List sessions with their turn counts and last activity.
    #[command(after_help = "Example:\n  otis sessions list --limit 20")]
    List {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a session's turns, oldest first.
    #[command(after_help = "Example:\n  otis sessions show demo")]
    Show {
        /// The session id.
        id: String,
        /// As JSON (the export format).
        #[arg(long)]
        json: bool,
    },
    /// Delete a session and all its turns.
    #[command(after_help = "Example:\n  otis sessions delete demo")]
    Delete {
        /// The session id.
        id: String,
    },
    /// Write a session as JSON to standard output.
    #[command(after_help = "Example:\n  otis sessions export demo > demo.json")]
    Export {
        /// The session id.
        id: String,
    },
    /// Read a session from an export file into an empty session.
    #[command(after_help = "Example:\n  otis sessions import demo.json --as demo-copy")]
    Import {
        /// The export file.
        file: PathBuf,
        /// Import under this id instead of the file's.
        #[arg(long = "as", value_name = "ID")]
        as_id: Option<String>,
    },
    /// Remove sessions idle for longer than N days (every store; Redis also expires them
    /// by itself when OTIS_SESSION_TTL_DAYS is set).
    #[command(
        after_help = "Examples:\n  otis sessions purge --idle-days 30 --dry-run\n  otis sessions purge --idle-days 30\n  otis sessions purge            (uses OTIS_SESSION_TTL_DAYS)"
    )]
    Purge {
        /// Idle time in days (fractions allowed; 0 = everything older than now).
        /// Default: OTIS_SESSION_TTL_DAYS.
        #[arg(long, value_name = "N")]
        idle_days: Option<f64>,
        /// List what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite sessions stored by the previous (Python) system into the current layout
    /// (Azure Table Storage only).
    #[command(
        after_help = "Example:\n  AZURE_STORAGE_CONNECTION_STRING=... otis sessions migrate-legacy"
    )]
    MigrateLegacy,
}

#[derive(Debug, Subcommand)]
enum IndexCommand {
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

/// How a command failed: bad input or configuration (exit 2) or anything else (exit 1).
enum Failure {
    Input(anyhow::Error),
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Runtime(e)
    }
}

fn input(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Input(e.into())
}

fn app_failure(e: AppError) -> Failure {
    match e {
        AppError::Settings(_) => Failure::Input(e.into()),
        other => Failure::Runtime(other.into()),
    }
}

fn ask_failure(e: AskError) -> Failure {
    match e {
        AskError::Invalid { .. } => Failure::Input(e.into()),
        other => Failure::Runtime(other.into()),
    }
}

fn session_id(raw: &str) -> Result<SessionId, Failure> {
    SessionId::parse(raw).map_err(|e| input(anyhow!("invalid session id {raw:?}: {e}")))
}

fn new_turn_id() -> TurnId {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    TurnId::parse(format!("cli-{millis}-{:08x}", fastrand::u32(..)))
        .unwrap_or_else(|_| unreachable_turn_id())
}

/// A fixed id, for the impossible case where the generated one is refused.
fn unreachable_turn_id() -> TurnId {
    match TurnId::parse("cli-turn") {
        Ok(id) => id,
        Err(_) => unreachable!("a constant, valid turn id"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        // `otis serve` is the same server as otis-func: the same cap on blocking threads.
        .max_blocking_threads(otis_func::MAX_BLOCKING_THREADS)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Failures are reported by `report`: a service's name, status and what to check,
    // never what it said, nor a secret.
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            report::error(&e);
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            report::error(&e);
            ExitCode::FAILURE
        }
    }
}

fn load_settings(cli: &Cli) -> Result<Settings, Failure> {
    let settings = Settings::load(cli.settings.as_deref()).map_err(input)?;
    report::init(&settings);
    Ok(settings)
}

async fn build_app(settings: Settings) -> Result<App, Failure> {
    let (bar, mut update) = index::progress_bar();
    let app = otis_app::build(settings, IndexMode::OpenOrBuild, &mut update)
        .await
        .map_err(app_failure)?;
    bar.finish_and_clear();
    if let (Some(report), Some(index)) = (&app.index_build, &app.index) {
        eprint!("No index yet: built one. ");
        index::report_build(report, index.corpus());
    }
    Ok(app)
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let settings = load_settings(&cli)?;
    match cli.command {
        Command::Ask {
            question,
            session,
            verbose,
            json,
            top_k,
            temperature,
            diagram,
        } => {
            let options = ask::Options {
                question,
                session,
                verbose,
                json,
                top_k,
                temperature,
                diagram,
            };
            ask::run(settings, options).await
        }
        Command::Chat { session } => chat::run(settings, session).await,
        Command::Sessions(command) => sessions::run(settings, command).await,
        Command::Index(command) => index::run(settings, command),
        Command::Query {
            sql,
            json,
            csv,
            limit,
            timeout,
        } => {
            let format = match (json, csv) {
                (true, _) => query::Format::Json,
                (_, true) => query::Format::Csv,
                _ => query::Format::Table,
            };
            query::run(
                &settings,
                query::Options {
                    sql,
                    format,
                    limit: limit as usize,
                    timeout,
                },
            )
        }
        Command::Serve { port } => serve::run(settings, port).await,
    }
}
