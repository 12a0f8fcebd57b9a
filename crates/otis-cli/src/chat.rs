//! `otis chat`: the REPL, with line editing and history, answers streamed as they arrive.

use std::io::Write;

use anyhow::{Context, anyhow};
use otis_app::{App, Settings};
use otis_core::ports::DeltaSink;
use otis_core::{AskRequest, SessionId};

use crate::app::{build_app, new_turn_id, session_id};
use crate::failure::Failure;
use crate::report;
use crate::sessions::print_history;

pub(crate) async fn run(settings: Settings, session: Option<String>) -> Result<(), Failure> {
    let session = match session {
        Some(raw) => session_id(&raw)?,
        None => session_id(&format!("chat-{}", new_turn_id().as_str()))?,
    };
    let app = build_app(settings).await?;
    chat(app, session).await
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
                        let mut response = response;
                        if let Some(detail) = otis_app::plain_persist_error(&mut response) {
                            report::turn_not_saved(session.as_str(), &detail);
                        }
                    }
                    Err(e) => report::error(&anyhow::Error::from(e)),
                }
            }
        }
    }
    let _ = editor.save_history(&history_file);
    Ok(())
}
