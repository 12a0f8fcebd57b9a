//! `otis ask`: one question, its answer printed as text or JSON, and its diagram written
//! with --diagram.

use std::path::PathBuf;

use anyhow::Context;
use otis_app::wire::QueryResponse;
use otis_app::{App, Settings};
use otis_core::{AskRequest, AskResponse, TEMPERATURE_RANGE, TOP_K_RANGE};

use crate::app::{build_app, new_turn_id, session_id};
use crate::failure::{Failure, ask_failure};
use crate::{diagram, report};

/// The `otis ask` arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
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
    // The help names otis-core's ranges, the ones every ask is checked against; an
    // out-of-range value is refused by that check (exit 2), not by clap.
    #[arg(long, help = format!(
        "How many sources to retrieve ({}-{})",
        TOP_K_RANGE.start(),
        TOP_K_RANGE.end()
    ))]
    top_k: Option<u32>,
    #[arg(long, default_value_t = 0.0, help = format!(
        "Sampling temperature for text models ({}-{})",
        TEMPERATURE_RANGE.start(),
        TEMPERATURE_RANGE.end()
    ))]
    temperature: f32,
    /// Write the answer's diagram (flows and screen trees) to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    diagram: Option<PathBuf>,
}

pub(crate) async fn run(settings: Settings, options: Options) -> Result<(), Failure> {
    let Options {
        question,
        session,
        verbose,
        json,
        top_k,
        temperature,
        diagram,
    } = options;
    let session = session.as_deref().map(session_id).transpose()?;
    let mut request = AskRequest::new(question, new_turn_id());
    request.persist = session.is_some();
    request.session = session;
    request.top_k = top_k.unwrap_or(settings.top_k);
    request.temperature = temperature;
    request.validate().map_err(ask_failure)?;
    let app = build_app(settings).await?;
    let mut response = app.assistant.ask(request).await.map_err(ask_failure)?;
    // What the store said about a failed write is detail for `RUST_LOG=debug` only.
    let unsaved = otis_app::plain_persist_error(&mut response)
        .zip(response.session_id.as_ref().map(|s| s.as_str().to_owned()));
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
    if let Some((detail, session)) = unsaved {
        report::turn_not_saved(&session, &detail);
    }
    drawn.transpose()?;
    Ok(())
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
                .as_ref()
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
}
