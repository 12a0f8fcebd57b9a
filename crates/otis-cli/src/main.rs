//! `otis`: ask questions about the OTIS COBOL codebase, chat with memory that survives
//! between invocations, and manage sessions and the index. This file holds the command
//! line, the dispatch to each command's module, and how failures map to exit codes.
//! Each command's arguments live beside it (`ask::Options`, `sessions::Command`, ...).

mod app;
mod ask;
mod chat;
mod diagram;
mod failure;
mod index;
mod query;
mod report;
mod serve;
mod sessions;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use otis_app::Settings;

use failure::{Failure, input};

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
    Ask(ask::Options),
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
    Sessions(sessions::Command),
    /// Build the local index or show what it holds.
    #[command(subcommand)]
    Index(index::Command),
    /// Read-only SQL over the code model (tables and examples: docs/code-model.md).
    #[command(
        after_help = "Examples:\n  otis query \"SELECT member, lines FROM files WHERE kind = 'program' ORDER BY lines DESC LIMIT 5\"\n  otis query --csv \"SELECT f.member, c.target FROM calls c JOIN files f ON f.id = c.file_id\" > calls.csv\n  otis query \"PRAGMA table_info(copies)\"\n  echo \"SELECT count(*) FROM data_items\" | otis query -\n\nThe index is opened read-only: a statement that would change it is refused (exit 2)."
    )]
    Query(query::Args),
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

fn main() -> ExitCode {
    quiet_on_closed_pipe();
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
        Err(Failure::Runtime(e)) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(Failure::Runtime(e)) => {
            report::error(&e);
            ExitCode::FAILURE
        }
    }
}

/// `otis ask ... | head`: when the reader of stdout has gone, stop quietly, as other
/// command-line tools do, instead of reporting a panic. Everything else keeps the
/// default report.
fn quiet_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        report(info);
    }));
}

/// The error is stdout's reader having gone (see [`quiet_on_closed_pipe`]).
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn load_settings(cli: &Cli) -> Result<Settings, Failure> {
    let settings = Settings::load(cli.settings.as_deref()).map_err(input)?;
    report::init(&settings);
    Ok(settings)
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let settings = load_settings(&cli)?;
    match cli.command {
        Command::Ask(options) => ask::run(settings, options).await,
        Command::Chat { session } => chat::run(settings, session).await,
        Command::Sessions(command) => sessions::run(settings, command).await,
        Command::Index(command) => index::run(settings, command),
        Command::Query(args) => query::run(&settings, args),
        Command::Serve { port } => serve::run(settings, port).await,
    }
}
