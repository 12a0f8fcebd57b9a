//! `otis-func`: the HTTP endpoint binary, for the Azure Functions host (custom handler)
//! or standalone. Port: `FUNCTIONS_CUSTOMHANDLER_PORT`, else `--port`, else `OTIS_PORT`,
//! else 7071; always on 127.0.0.1.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use otis_app::{IndexMode, Settings};
use otis_func::{AppState, DEFAULT_PORT, loopback, serve, shutdown_signal};

fn port_argument() -> anyhow::Result<Option<u16>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(None),
        [flag, port] if flag == "--port" => {
            Ok(Some(port.parse().with_context(|| {
                format!("--port {port:?} is not a port")
            })?))
        }
        _ => anyhow::bail!("usage: otis-func [--port PORT]"),
    }
}

async fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    let settings = Settings::from_env()?;
    let port = settings
        .http
        .port
        .filter(|_| std::env::var_os("FUNCTIONS_CUSTOMHANDLER_PORT").is_some())
        .or(port_argument()?)
        .or(settings.http.port)
        .unwrap_or(DEFAULT_PORT);
    let app = otis_app::build(settings, IndexMode::OpenOrBuild, &mut |_| {}).await?;
    let listener = tokio::net::TcpListener::bind(loopback(port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{port}"))?;
    eprintln!(
        "otis-func listening on http://{} (ready in {} ms; store {}, model {})",
        listener.local_addr()?,
        started.elapsed().as_millis(),
        app.store_name,
        app.assistant.model_name()
    );
    serve(listener, AppState::new(app), shutdown_signal()).await?;
    eprintln!("otis-func stopped");
    Ok(())
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(otis_func::MAX_BLOCKING_THREADS)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            // Bad settings or arguments are the caller's to fix (2); anything else is 1.
            let usage = e.chain().any(|c| {
                c.downcast_ref::<otis_app::SettingsError>().is_some()
                    || c.to_string().starts_with("usage:")
                    || c.to_string().starts_with("--port")
            });
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}
