//! `otis sessions`: list, show, delete, export, import, purge and migrate-legacy; and a
//! session's history printed (also by chat's /history).

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::Subcommand;
use otis_app::Settings;
use otis_core::ports::{PageRequest, SessionStore};
use otis_core::{SessionId, Timestamp, Turn};
use serde::{Deserialize, Serialize};

use crate::app::session_id;
use crate::failure::{Failure, app_failure, input};

/// The `otis sessions` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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

async fn all_turns(store: &dyn SessionStore, session: &SessionId) -> Result<Vec<Turn>, Failure> {
    let mut request = PageRequest::first(500);
    let mut turns = Vec::new();
    loop {
        let page = store
            .history(session, &request)
            .await
            .context("reading the session")?;
        turns.extend(page.items.iter().cloned());
        match request.after(&page) {
            Some(next) => request = next,
            None => return Ok(turns),
        }
    }
}

pub(crate) async fn print_history(
    store: &dyn SessionStore,
    session: &SessionId,
) -> Result<(), Failure> {
    let turns = all_turns(store, session).await?;
    if turns.is_empty() {
        println!("Session {session} has no turns.");
    }
    for turn in turns {
        println!(
            "#{} {}\n  Q: {}\n  A: {}",
            turn.seq, turn.at, turn.user, turn.assistant
        );
    }
    Ok(())
}

/// The export file format.
#[derive(Debug, Serialize, Deserialize)]
struct Export {
    session_id: SessionId,
    turns: Vec<Turn>,
}

pub(crate) async fn run(settings: Settings, command: Command) -> Result<(), Failure> {
    if let Command::MigrateLegacy = command {
        return migrate_legacy(&settings).await;
    }
    let stores = otis_app::open_store(&settings).await.map_err(app_failure)?;
    let (store, store_name) = (stores.sessions, stores.name);
    match command {
        Command::List { limit, json } => {
            let mut request = PageRequest::first(limit.clamp(1, 1000));
            let mut all = Vec::new();
            while all.len() < limit as usize {
                let page = store
                    .list_sessions(&request)
                    .await
                    .context("listing sessions")?;
                all.extend(page.items.iter().cloned());
                match request.after(&page) {
                    Some(next) => request = next,
                    None => break,
                }
            }
            all.truncate(limit as usize);
            if json {
                let rows: Vec<_> = all
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "session_id": s.session,
                            "turns": s.turns,
                            "last_activity": s.last_activity,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows).context("JSON")?);
            } else if all.is_empty() {
                println!("No sessions in {store_name}.");
            } else {
                println!("{:<40} {:>6}  last activity", "session", "turns");
                for s in all {
                    println!(
                        "{:<40} {:>6}  {}",
                        s.session.as_str(),
                        s.turns,
                        s.last_activity
                    );
                }
            }
        }
        Command::Show { id, json } => {
            let session = session_id(&id)?;
            if json {
                let turns = all_turns(store.as_ref(), &session).await?;
                let export = Export {
                    session_id: session,
                    turns,
                };
                println!("{}", serde_json::to_string_pretty(&export).context("JSON")?);
            } else {
                print_history(store.as_ref(), &session).await?;
            }
        }
        Command::Delete { id } => {
            let session = session_id(&id)?;
            let deleted = store
                .delete_session(&session)
                .await
                .context("deleting the session")?;
            println!("Deleted session {session} ({deleted} turns).");
        }
        Command::Export { id } => {
            let session = session_id(&id)?;
            let turns = all_turns(store.as_ref(), &session).await?;
            let export = Export {
                session_id: session,
                turns,
            };
            println!("{}", serde_json::to_string_pretty(&export).context("JSON")?);
        }
        Command::Import { file, as_id } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))
                .map_err(input)?;
            let export: Export = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a session export", file.display()))
                .map_err(input)?;
            let session = match as_id {
                Some(raw) => session_id(&raw)?,
                None => export.session_id,
            };
            if !store
                .load_latest(&session, 1)
                .await
                .context("checking the session")?
                .is_empty()
            {
                return Err(input(anyhow!(
                    "session {session} already has turns: delete it first or import with --as NEW_ID"
                )));
            }
            let count = export.turns.len();
            for (i, mut turn) in export.turns.into_iter().enumerate() {
                turn.seq = otis_core::Seq(i as u64);
                store
                    .insert_turn(&session, &turn)
                    .await
                    .with_context(|| format!("importing turn {i}"))?;
            }
            println!("Imported {count} turns into session {session}.");
        }
        Command::Purge {
            idle_days,
            dry_run,
            json,
        } => {
            let idle = match idle_days {
                Some(days) => otis_app::idle_days(days).ok_or_else(|| {
                    input(anyhow!(
                        "--idle-days must be a number of days >= 0, got {days}"
                    ))
                })?,
                None => settings.session_ttl.ok_or_else(|| {
                    input(anyhow!(
                        "give --idle-days N, or set OTIS_SESSION_TTL_DAYS for the default"
                    ))
                })?,
            };
            let report = otis_app::purge_idle(store.as_ref(), idle, Timestamp::now(), dry_run)
                .await
                .context("purging idle sessions")?;
            if json {
                let sessions: Vec<_> = report
                    .idle
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "session_id": s.session,
                            "turns": s.turns,
                            "last_activity": s.last_activity,
                        })
                    })
                    .collect();
                let out = serde_json::json!({
                    "store": store_name,
                    "cutoff": report.cutoff,
                    "dry_run": report.dry_run,
                    "removed": report.removed,
                    "sessions": if report.dry_run { Some(sessions) } else { None },
                });
                println!("{}", serde_json::to_string_pretty(&out).context("JSON")?);
            } else if report.dry_run {
                println!(
                    "Would remove {} sessions idle since before {} from {store_name}{}",
                    report.removed,
                    report.cutoff,
                    if report.idle.is_empty() { "." } else { ":" }
                );
                for s in &report.idle {
                    println!(
                        "{:<40} {:>6}  {}",
                        s.session.as_str(),
                        s.turns,
                        s.last_activity
                    );
                }
            } else {
                println!(
                    "Removed {} sessions idle since before {} from {store_name}.",
                    report.removed, report.cutoff
                );
            }
        }
        Command::MigrateLegacy => {}
    }
    Ok(())
}

async fn migrate_legacy(settings: &Settings) -> Result<(), Failure> {
    let report = otis_app::migrate_legacy(settings)
        .await
        .map_err(app_failure)?;
    println!(
        "Migrated {} sessions ({} turns) in table {}.",
        report.sessions, report.turns, settings.table_name
    );
    for (partition, reason) in &report.skipped {
        println!("Skipped {partition:?}: {reason}");
    }
    Ok(())
}
