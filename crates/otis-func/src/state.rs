//! What every handler shares: the wired application, the HTTP settings, the answers
//! still streaming, and the log's redactor. Its own module so that the router
//! (`api.rs`) and the handlers in other files (`page.rs`, `purge.rs`) all depend on it
//! and not on each other.

use std::sync::{Arc, Mutex};

use otis_app::{App, HttpSettings};
use tokio::task::JoinHandle;

use crate::log::Redactor;

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The wired application.
    pub app: App,
    /// HTTP settings (CORS, API key, principal scoping).
    pub http: HttpSettings,
    /// Answers still streaming; shutdown waits for them so their turns are stored.
    pub streams: Mutex<Vec<JoinHandle<()>>>,
    /// Removes the settings' secrets from what goes to the log.
    pub(crate) redactor: Redactor,
}

impl AppState {
    /// State for `app`, with the HTTP settings from its settings.
    pub fn new(app: App) -> Arc<Self> {
        let http = app.settings.http.clone();
        let redactor = Redactor::from_settings(&app.settings);
        Arc::new(Self {
            app,
            http,
            streams: Mutex::new(Vec::new()),
            redactor,
        })
    }

    /// Waits until every answer still streaming has finished and been stored.
    pub async fn drain(&self) {
        loop {
            let pending: Vec<JoinHandle<()>> = self
                .streams
                .lock()
                .map(|mut list| std::mem::take(&mut *list))
                .unwrap_or_default();
            if pending.is_empty() {
                return;
            }
            for handle in pending {
                let _ = handle.await;
            }
        }
    }
}
