//! The HTTP endpoint: one axum router ([`app`]) served standalone or as an Azure
//! Functions custom handler (the host forwards requests to `FUNCTIONS_CUSTOMHANDLER_PORT`).
//!
//! Routes: the chat page (`GET /`, `GET /assets/{name}`, [`page`]), `POST /api/query`
//! (JSON, or server-sent events when `Accept` asks for them), `GET|DELETE /api/history`,
//! `GET /api/sessions`, `GET /api/source`, `GET /api/health`, `GET /api/stats`,
//! `POST /api/feedback`, `GET /api/openapi.json`, and `POST /purge` (the timer's expiry
//! sweep, invoked by the Functions host). Errors are
//! `{"error": {"code": "...", "message": "..."}}`.

mod api;
mod error;
mod input;
mod log;
mod markdown;
pub mod openapi;
pub mod page;
mod purge;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

pub use api::{API_KEY_HEADER, MAX_BODY_BYTES, PRINCIPAL_HEADER, app};
pub use error::ApiError;
pub use state::AppState;

/// The default port when neither the Functions host nor the settings name one.
pub const DEFAULT_PORT: u16 = 7071;

/// Threads for blocking work: the SQLite store's calls (which all queue on its one
/// connection) and the local model. tokio's default, 512, let a burst of 128
/// connections start a thread per waiting call (224 threads in `cargo xtask soak`), each
/// with its own allocator arena, and the server's memory grew with every burst.
pub const MAX_BLOCKING_THREADS: usize = 16;

/// Serves `state` on `listener` until `shutdown` completes; then stops accepting, lets
/// requests in flight finish, and waits for streaming answers to be stored.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await?;
    state.drain().await;
    Ok(())
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what the Functions host sends).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The loopback address for `port`.
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}
