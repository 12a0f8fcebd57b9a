//! The server log: one line on stderr per failure, with what the backend said and every
//! secret redacted, by otis-app's redactor for the settings (the one the CLI uses too):
//! the configured secrets by value, and anything that looks like a key, signature,
//! password or `Authorization` value by its name.

use otis_app::Settings;

/// Removes the settings' secrets from text bound for the log.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor(otis_app::Redactor);

impl Redactor {
    /// A redactor for every secret `settings` hold.
    pub(crate) fn from_settings(settings: &Settings) -> Self {
        Self(otis_app::redactor(settings))
    }

    /// `text` without secrets.
    pub(crate) fn redact(&self, text: &str) -> String {
        self.0.redact(text)
    }
}

/// Logs a failed request: its route, the code the caller got, and the detail.
pub(crate) fn failure(redactor: &Redactor, what: &str, code: &str, detail: &str) {
    let detail = redactor.redact(detail).replace(['\r', '\n'], " ");
    eprintln!("otis-func: {what}: {code}: {detail}");
}
