//! `otis`: ask questions about the OTIS COBOL codebase, chat with memory that survives
//! between invocations, and manage sessions and the index.

mod diagram;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use otis_app::wire::QueryResponse;
use otis_app::{App, AppError, IndexMode, Settings};
use otis_core::ports::{DeltaSink, PageRequest, SessionStore};
use otis_core::{AskError, AskRequest, AskResponse, SessionId, Timestamp, Turn, TurnId};
use otis_index::{BuildReport, Progress};
use serde::{Deserialize, Serialize};

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
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_settings(cli: &Cli) -> Result<Settings, Failure> {
    Settings::load(cli.settings.as_deref()).map_err(input)
}

/// A progress bar for index builds, on standard error when it is a terminal.
fn progress_bar() -> (indicatif::ProgressBar, impl FnMut(Progress<'_>)) {
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

fn report_build(report: &BuildReport, corpus: &Path) {
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

async fn build_app(settings: Settings) -> Result<App, Failure> {
    let (bar, mut update) = progress_bar();
    let app = otis_app::build(settings, IndexMode::OpenOrBuild, &mut update)
        .await
        .map_err(app_failure)?;
    bar.finish_and_clear();
    if let (Some(report), Some(index)) = (&app.index_build, &app.index) {
        eprint!("No index yet: built one. ");
        report_build(report, index.corpus());
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
            let session = session.as_deref().map(session_id).transpose()?;
            let mut request = AskRequest::new(question, new_turn_id());
            request.persist = session.is_some();
            request.session = session;
            request.top_k = top_k.unwrap_or(settings.top_k);
            request.temperature = temperature;
            request.validate().map_err(ask_failure)?;
            let app = build_app(settings).await?;
            let response = app.assistant.ask(request).await.map_err(ask_failure)?;
            let drawn = diagram.map(|path| diagram::write(&path, &response));
            if json {
                let record = QueryResponse::from(response);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&record).context("printing JSON")?
                );
            } else {
                print_answer(&response, verbose, &app);
            }
            drawn.transpose()?;
            Ok(())
        }
        Command::Chat { session } => {
            let session = match session {
                Some(raw) => session_id(&raw)?,
                None => session_id(&format!("chat-{}", new_turn_id().as_str()))?,
            };
            let app = build_app(settings).await?;
            chat(app, session).await
        }
        Command::Sessions(command) => sessions(settings, command).await,
        Command::Index(command) => index(settings, command),
        Command::Serve { port } => {
            let port = port
                .or(settings.http.port)
                .unwrap_or(otis_func::DEFAULT_PORT);
            let app = build_app(settings).await?;
            let listener = tokio::net::TcpListener::bind(otis_func::loopback(port))
                .await
                .with_context(|| format!("binding 127.0.0.1:{port}"))?;
            eprintln!(
                "Serving on http://{} (store {}, model {}); Ctrl-C stops.",
                listener.local_addr().context("local address")?,
                app.store_name,
                app.assistant.model_name()
            );
            otis_func::serve(
                listener,
                otis_func::AppState::new(app),
                otis_func::shutdown_signal(),
            )
            .await
            .context("serving")?;
            Ok(())
        }
    }
}

fn print_answer(response: &AskResponse, verbose: bool, app: &App) {
    if verbose {
        println!("question:          {}", response.question);
        println!("resolved question: {}", response.resolved_question);
        println!("question type:     {}", response.question_type.as_str());
        if let Some(subject) = &response.subject {
            println!("subject:           {subject}");
        }
        println!(
            "store: {}   model: {}   retriever: {}",
            app.store_name,
            response.model,
            app.assistant.retriever_name()
        );
        println!();
    }
    println!("{}", response.answer);
    if !response.sources.is_empty() {
        println!("\nSources:");
        for source in &response.sources {
            let lines = source
                .lines
                .map(|(a, b)| format!(":{a}-{b}"))
                .unwrap_or_default();
            let program = source
                .program
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            if verbose {
                println!(
                    "  [{}] {}{lines}{program}  score {:.3}  chunk {}",
                    source.index, source.file, source.score, source.chunk_id
                );
            } else {
                println!("  [{}] {}{lines}{program}", source.index, source.file);
            }
        }
    }
    if verbose && let Some(facts) = &response.facts {
        println!("\nFacts ({} items):", facts.items.len());
        for item in &facts.items {
            let group = item
                .group
                .as_deref()
                .map(|g| format!("[{g}] "))
                .unwrap_or_default();
            let detail = item
                .detail
                .as_deref()
                .map(|d| format!(" {d}"))
                .unwrap_or_default();
            println!(
                "  {group}{}{detail}  {}:{}",
                item.name, item.file, item.line
            );
        }
        for (label, value) in &facts.notes {
            println!("  {label}: {value}");
        }
    }
    if verbose {
        let t = &response.timing;
        println!(
            "\ntiming ms: resolve {:.2}, memory load {:.2}, facts {:.2}, retrieve {:.2}, generate {:.2}, persist {:.2}, total {:.2}",
            t.resolve_ms,
            t.memory_load_ms,
            t.facts_ms,
            t.retrieve_ms,
            t.generate_ms,
            t.persist_ms,
            t.total_ms
        );
        match (&response.session_id, response.persisted) {
            (Some(s), true) => println!("turn saved in session {s}"),
            (Some(s), false) => println!(
                "turn NOT saved in session {s}: {}",
                response
                    .persist_error
                    .as_deref()
                    .unwrap_or("unknown reason")
            ),
            (None, _) => println!("stateless: no session"),
        }
    }
    if let (Some(s), false, Some(e)) = (
        &response.session_id,
        response.persisted,
        &response.persist_error,
    ) {
        eprintln!("warning: the turn was not saved in session {s}: {e}");
    }
}

/// Prints answer text as it arrives.
struct Printer;

impl DeltaSink for Printer {
    fn delta(&mut self, text: &str) {
        let mut out = std::io::stdout();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

async fn chat(app: App, session: SessionId) -> Result<(), Failure> {
    let history_file = otis_app::data_dir(&std::env::vars().collect()).join("chat_history.txt");
    let mut editor = rustyline::DefaultEditor::new().context("starting the line editor")?;
    let _ = editor.load_history(&history_file);
    println!(
        "OTIS chat, session {session} (store {}, model {}).\nType a question; /help lists commands; Ctrl-D exits.",
        app.store_name,
        app.assistant.model_name()
    );
    loop {
        let line = match editor.readline("otis> ") {
            Ok(line) => line,
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(rustyline::error::ReadlineError::Eof) => break,
            Err(e) => return Err(anyhow!(e).context("reading input").into()),
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line);
        match line {
            "/quit" | "quit" | "exit" => break,
            "/help" => println!(
                "/clear    forget this session's turns\n/stats    settings, store, model, index\n/history  this session's turns\n/quit     leave (also quit, exit, Ctrl-D)"
            ),
            "/clear" => {
                let deleted = app
                    .store
                    .delete_session(&session)
                    .await
                    .context("clearing the session")?;
                println!("Cleared {deleted} turns.");
            }
            "/stats" => {
                let turns = app
                    .store
                    .load_latest(&session, app.assistant.max_turns().get())
                    .await
                    .map(|t| t.len())
                    .unwrap_or(0);
                println!(
                    "{}\nturns in the current window: {turns}",
                    serde_json::to_string_pretty(&app.describe()).unwrap_or_default()
                );
            }
            "/history" => print_history(app.store.as_ref(), &session).await?,
            question => {
                let mut request = AskRequest::new(question, new_turn_id());
                request.session = Some(session.clone());
                request.persist = true;
                request.top_k = app.settings.top_k;
                let mut printer = Printer;
                let cancel = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                match app
                    .assistant
                    .ask_streaming_until(request, &mut printer, cancel)
                    .await
                {
                    Ok(response) => {
                        println!();
                        if response.interrupted {
                            println!("(cancelled; the partial answer is kept, marked interrupted)");
                        }
                        for s in &response.sources {
                            let lines = s
                                .lines
                                .map(|(a, b)| format!(":{a}-{b}"))
                                .unwrap_or_default();
                            println!("  [{}] {}{lines}", s.index, s.file);
                        }
                        if !response.persisted {
                            eprintln!(
                                "warning: not saved: {}",
                                response.persist_error.unwrap_or_default()
                            );
                        }
                    }
                    Err(e) => eprintln!("error: {:#}", anyhow::Error::from(e)),
                }
            }
        }
    }
    let _ = editor.save_history(&history_file);
    Ok(())
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

async fn print_history(store: &dyn SessionStore, session: &SessionId) -> Result<(), Failure> {
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

async fn sessions(settings: Settings, command: SessionsCommand) -> Result<(), Failure> {
    if let SessionsCommand::MigrateLegacy = command {
        return migrate_legacy(&settings).await;
    }
    let stores = otis_app::open_store(&settings).await.map_err(app_failure)?;
    let (store, store_name) = (stores.sessions, stores.name);
    match command {
        SessionsCommand::List { limit, json } => {
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
        SessionsCommand::Show { id, json } => {
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
        SessionsCommand::Delete { id } => {
            let session = session_id(&id)?;
            let deleted = store
                .delete_session(&session)
                .await
                .context("deleting the session")?;
            println!("Deleted session {session} ({deleted} turns).");
        }
        SessionsCommand::Export { id } => {
            let session = session_id(&id)?;
            let turns = all_turns(store.as_ref(), &session).await?;
            let export = Export {
                session_id: session,
                turns,
            };
            println!("{}", serde_json::to_string_pretty(&export).context("JSON")?);
        }
        SessionsCommand::Import { file, as_id } => {
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
        SessionsCommand::Purge {
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
        SessionsCommand::MigrateLegacy => {}
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

fn index(mut settings: Settings, command: IndexCommand) -> Result<(), Failure> {
    match command {
        IndexCommand::Build { dir } => {
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
        IndexCommand::Stats { json } => {
            let index =
                otis_index::LocalIndex::open(&settings.index_dir).context("opening the index")?;
            let stats = index.stats();
            if json {
                println!("{}", serde_json::to_string_pretty(&stats).context("JSON")?);
            } else {
                println!(
                    "corpus:     {}\nindex:      {}\nfiles:      {} ({} programs, {} copybooks, {} documents)\nchunks:     {}\nsections:   {} (and {} paragraphs)\ndata items: {}\ncall edges: {} (COPY {}, PERFORM/GO TO {})\nreferences: {}",
                    stats.corpus.display(),
                    stats.index.display(),
                    stats.files,
                    stats.programs,
                    stats.copybooks,
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
