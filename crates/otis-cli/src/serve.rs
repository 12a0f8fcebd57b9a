//! `otis serve`: the HTTP endpoint run locally (the same code as the function app).

use anyhow::Context;
use otis_app::Settings;

use crate::app::build_app;
use crate::failure::Failure;

pub(crate) async fn run(settings: Settings, port: Option<u16>) -> Result<(), Failure> {
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
