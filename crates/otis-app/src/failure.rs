//! What a user is shown when a service OTIS depends on fails, the same for both entry
//! points: which service, a stable code and a plain message of ours, the upstream's
//! HTTP status when it answered with one, and what to check, naming settings, never
//! their values. What the service itself said (its error body, an echo of our request)
//! is detail for a log only, with every configured secret removed by [`redactor`].
//!
//! otis-func answers with the code and message (and logs the detail); the CLI prints
//! the message, the status and what to check (and the detail with `RUST_LOG=debug`).

use std::error::Error;
use std::fmt;

use otis_core::ports::{ChatError, RetrieveError, StoreError};
use otis_core::{AskError, AskResponse};
use otis_store_table::{OpenError, TableError};
use otis_upstream::{Redactor, UpstreamError};

use crate::error::AppError;
use crate::settings::{ModelChoice, RetrieverChoice, Settings, StoreChoice};

/// A service OTIS depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The chat model (Azure OpenAI, an OpenAI-compatible server, a local model).
    Model,
    /// Where sources come from (the local index or Azure AI Search).
    Search,
    /// The conversation store.
    Store,
}

impl Service {
    /// The service in words (`the model service`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Model => "the model service",
            Self::Search => "the code search",
            Self::Store => "the conversation store",
        }
    }
}

/// A failure of a service, as a user may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFailure {
    /// Which service.
    pub service: Service,
    /// A stable, machine-readable code (`model_error`, `store_unavailable`, ...): the
    /// HTTP API's `error.code`.
    pub code: &'static str,
    /// What went wrong, in our words: never the service's own text.
    pub message: String,
    /// The upstream's HTTP status, when it answered with one.
    pub status: Option<u16>,
}

/// The plain message for a store that failed with `code`.
pub fn store_message(code: &str) -> &'static str {
    match code {
        "store_unavailable" => "the conversation store is unavailable; try again later",
        _ => "the conversation store failed",
    }
}

/// What a failed write of a turn is reported as (`persist_error`), in plain words.
pub const TURN_NOT_STORED: &str = "the turn was not stored: the conversation store failed";

/// Puts [`TURN_NOT_STORED`] in place of what the store said about a failed write
/// (`response.persist_error`), and returns what it said, for a log.
pub fn plain_persist_error(response: &mut AskResponse) -> Option<String> {
    let detail = response.persist_error.take()?;
    response.persist_error = Some(TURN_NOT_STORED.to_owned());
    Some(detail)
}

impl ServiceFailure {
    fn new(
        service: Service,
        code: &'static str,
        message: &str,
        source: &(dyn Error + 'static),
    ) -> Self {
        Self {
            service,
            code,
            message: message.to_owned(),
            status: status_of(source),
        }
    }

    /// A store failure; `None` for a business error (conflict, too large, a cursor or
    /// id the store refuses), whose text is ours and may be shown as it is.
    pub fn of_store(e: &StoreError) -> Option<Self> {
        let code = match e {
            StoreError::Unavailable(_) => "store_unavailable",
            StoreError::Backend(_) | StoreError::Corrupt(_) => "store_error",
            _ => return None,
        };
        Some(Self::new(Service::Store, code, store_message(code), e))
    }

    /// A retrieval failure.
    pub fn of_retrieve(e: &RetrieveError) -> Self {
        match e {
            RetrieveError::NoIndex(_) => Self::new(
                Service::Search,
                "index_missing",
                "the code index is not built",
                e,
            ),
            _ => Self::new(
                Service::Search,
                "retrieval_error",
                "the code search failed",
                e,
            ),
        }
    }

    /// A model failure.
    pub fn of_model(e: &ChatError) -> Self {
        let (code, message) = match e {
            ChatError::Timeout(_) => ("model_timeout", "the model did not answer in time"),
            ChatError::RateLimited { .. } => {
                ("model_throttled", "the model is busy; try again later")
            }
            _ => ("model_error", "the model failed to answer"),
        };
        Self::new(Service::Model, code, message, e)
    }

    /// A failed ask; `None` for an invalid request.
    pub fn of_ask(e: &AskError) -> Option<Self> {
        match e {
            AskError::Invalid { .. } => None,
            AskError::Memory(store) => Self::of_store(store).map(|mut failure| {
                failure.message = format!("could not read the conversation: {}", failure.message);
                failure
            }),
            AskError::Retrieve(e) => Some(Self::of_retrieve(e)),
            AskError::Model(e) => Some(Self::of_model(e)),
        }
    }

    /// A failed start-up; `None` for bad settings or a local index that failed.
    pub fn of_app(e: &AppError) -> Option<Self> {
        match e {
            AppError::Store(OpenError::Service { source, .. }) => {
                let code = if source.is_transient() {
                    "store_unavailable"
                } else {
                    "store_error"
                };
                Some(Self::new(Service::Store, code, store_message(code), source))
            }
            AppError::Sqlite(store) => Self::of_store(store),
            AppError::Retriever(e) => Some(Self::of_retrieve(e)),
            AppError::Model(e) => Some(Self::of_model(e)),
            _ => None,
        }
    }

    /// The service failure `error` itself is (an ask, a start-up, a store, a model or a
    /// search error), not looking at its sources.
    pub fn of_error(error: &(dyn Error + 'static)) -> Option<Self> {
        if let Some(e) = error.downcast_ref::<AskError>() {
            Self::of_ask(e)
        } else if let Some(e) = error.downcast_ref::<AppError>() {
            Self::of_app(e)
        } else if let Some(e) = error.downcast_ref::<StoreError>() {
            Self::of_store(e)
        } else if let Some(e) = error.downcast_ref::<ChatError>() {
            Some(Self::of_model(e))
        } else {
            error.downcast_ref::<RetrieveError>().map(Self::of_retrieve)
        }
    }

    /// The first service failure in `error` or its sources, however wrapped.
    pub fn find(error: &(dyn Error + 'static)) -> Option<Self> {
        let mut link = Some(error);
        while let Some(e) = link {
            if let Some(found) = Self::of_error(e) {
                return Some(found);
            }
            link = e.source();
        }
        None
    }

    /// What to check, for a user: the settings that decide whether this works (by
    /// name, never by value), or what to do.
    pub fn check(&self, settings: &Settings) -> String {
        let status = self.status;
        let auth = matches!(status, Some(401 | 403));
        let missing = matches!(status, Some(404)) || self.code == "index_missing";
        match self.service {
            Service::Model => match &settings.model {
                ModelChoice::AzureOpenAi { .. } if auth => {
                    "AZURE_OPENAI_KEY (or OPENAI_API_KEY): is it a key of the resource at \
                     AZURE_OPENAI_ENDPOINT?"
                        .into()
                }
                ModelChoice::AzureOpenAi { .. } if missing => {
                    "AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT and AZURE_OPENAI_API_VERSION"
                        .into()
                }
                ModelChoice::OpenAi { .. } if auth => "OPENAI_API_KEY".into(),
                ModelChoice::OpenAi { .. } if missing => "OPENAI_BASE_URL and OPENAI_MODEL".into(),
                _ if self.code == "model_throttled" => {
                    "the service's rate limits or quota; try again later".into()
                }
                ModelChoice::AzureOpenAi { .. } => {
                    "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT, and that the service \
                     is reachable from here"
                        .into()
                }
                ModelChoice::OpenAi { .. } => {
                    "OPENAI_BASE_URL and OPENAI_MODEL, and that the server is reachable from here"
                        .into()
                }
                ModelChoice::Local { .. } => "OTIS_LOCAL_MODEL_PATH".into(),
                ModelChoice::Extractive => "OTIS_MODEL".into(),
            },
            Service::Search => match &settings.retriever {
                RetrieverChoice::AzureSearch { .. } if auth => {
                    "SEARCH_KEY (or AZURE_SEARCH_KEY): is it a key of the service at \
                     SEARCH_ENDPOINT?"
                        .into()
                }
                RetrieverChoice::AzureSearch { .. } if missing => {
                    "SEARCH_INDEXES: each must be an index of the service at SEARCH_ENDPOINT".into()
                }
                RetrieverChoice::AzureSearch { .. } => {
                    "SEARCH_ENDPOINT, and that the service is reachable from here".into()
                }
                RetrieverChoice::Local if missing => {
                    "build the index: otis index build [DIR]".into()
                }
                RetrieverChoice::Local => "OTIS_INDEX_DIR (rebuild with: otis index build)".into(),
            },
            Service::Store => match store_in_use(settings) {
                StoreChoice::Table if auth => {
                    "the account key or SAS in AZURE_STORAGE_CONNECTION_STRING (or \
                     AzureWebJobsStorage), and this machine's clock"
                        .into()
                }
                StoreChoice::Table if missing => {
                    "OTIS_TABLE_NAME and the TableEndpoint of AZURE_STORAGE_CONNECTION_STRING"
                        .into()
                }
                StoreChoice::Table => {
                    "AZURE_STORAGE_CONNECTION_STRING (or AzureWebJobsStorage), and that the \
                     table service is reachable from here"
                        .into()
                }
                StoreChoice::Redis => {
                    "REDIS_URL (host, port, password, TLS), and that the server is reachable \
                     from here"
                        .into()
                }
                StoreChoice::Sqlite | StoreChoice::Auto => {
                    "OTIS_SQLITE_PATH (its folder must be writable)".into()
                }
                StoreChoice::Memory => "OTIS_STORE".into(),
            },
        }
    }
}

impl fmt::Display for ServiceFailure {
    /// `the model failed to answer (the model service answered 401 Unauthorized)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(status) = self.status {
            write!(f, " ({} answered {status}", self.service.as_str())?;
            if let Some(reason) = reason(status) {
                write!(f, " {reason}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// The store the settings choose (`Auto` resolved as `open_store` resolves it).
pub fn store_in_use(settings: &Settings) -> StoreChoice {
    match settings.store {
        StoreChoice::Auto if settings.storage_connection.is_some() => StoreChoice::Table,
        StoreChoice::Auto => StoreChoice::Sqlite,
        other => other,
    }
}

/// The HTTP status an upstream answered with, found in `error` or its sources.
fn status_of(error: &(dyn Error + 'static)) -> Option<u16> {
    let mut link = Some(error);
    while let Some(e) = link {
        let status = if let Some(e) = e.downcast_ref::<ChatError>() {
            match e {
                ChatError::Rejected { status, .. } => Some(*status).filter(|s| *s >= 100),
                ChatError::RateLimited { .. } => Some(429),
                _ => None,
            }
        } else if let Some(e) = e.downcast_ref::<UpstreamError>() {
            e.status
        } else if let Some(e) = e.downcast_ref::<TableError>() {
            e.status()
        } else {
            None
        };
        if status.is_some() {
            return status;
        }
        link = e.source();
    }
    None
}

/// The reason phrase of the statuses an upstream commonly answers with.
fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// A redactor for every secret `settings` hold: the storage connection string and each
/// of its values (the account key and the SAS show up alone), the Redis password, the
/// model and search keys, and `OTIS_API_KEY`.
pub fn redactor(settings: &Settings) -> Redactor {
    let mut secrets: Vec<String> = Vec::new();
    if let Some(connection) = &settings.storage_connection {
        let text = connection.expose();
        secrets.push(text.to_owned());
        for part in text.split(';') {
            if let Some((name, value)) = part.split_once('=') {
                let name = name.trim().to_ascii_lowercase();
                if matches!(name.as_str(), "accountkey" | "sharedaccesssignature") {
                    secrets.push(value.trim().trim_start_matches('?').to_owned());
                    // Each `&`-separated part of a SAS too, and its value (the signature
                    // shows up alone).
                    for pair in value.split('&') {
                        secrets.push(pair.to_owned());
                        if let Some((_, v)) = pair.split_once('=') {
                            secrets.push(v.to_owned());
                        }
                    }
                }
            }
        }
    }
    if let Some(password) = settings
        .redis_connection
        .as_ref()
        .and_then(|c| c.password())
    {
        secrets.push(password.to_owned());
    }
    if let Some(key) = &settings.http.api_key {
        secrets.push(key.expose().to_owned());
    }
    match &settings.model {
        ModelChoice::AzureOpenAi { key, .. } | ModelChoice::OpenAi { key, .. } => {
            secrets.push(key.expose().to_owned());
        }
        _ => {}
    }
    if let RetrieverChoice::AzureSearch { key, .. } = &settings.retriever {
        secrets.push(key.expose().to_owned());
    }
    Redactor::new(secrets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let values: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_values(&values, vec![]).unwrap()
    }

    const CANARY: &str = "<Error>key=SECRET-CANARY-0123</Error>";

    #[test]
    fn every_backend_failure_has_a_code_and_a_message_of_ours() {
        let upstream = |status| {
            Box::new(UpstreamError {
                service: "model service".into(),
                status,
                detail: CANARY.into(),
            })
        };
        let cases: Vec<(AskError, &str, Option<u16>)> = vec![
            (
                AskError::Memory(StoreError::Unavailable(CANARY.into())),
                "store_unavailable",
                None,
            ),
            (
                AskError::Memory(StoreError::Corrupt(CANARY.into())),
                "store_error",
                None,
            ),
            (
                AskError::Retrieve(RetrieveError::NoIndex(CANARY.into())),
                "index_missing",
                None,
            ),
            (
                AskError::Retrieve(RetrieveError::Backend(upstream(Some(403)))),
                "retrieval_error",
                Some(403),
            ),
            (
                AskError::Model(ChatError::Rejected {
                    status: 401,
                    message: CANARY.into(),
                }),
                "model_error",
                Some(401),
            ),
            (
                AskError::Model(ChatError::RateLimited { retry_after: None }),
                "model_throttled",
                Some(429),
            ),
            (
                AskError::Model(ChatError::Timeout(std::time::Duration::from_secs(1))),
                "model_timeout",
                None,
            ),
            (
                AskError::Model(ChatError::Backend(upstream(Some(503)))),
                "model_error",
                Some(503),
            ),
            (
                AskError::Model(ChatError::Malformed(CANARY.into())),
                "model_error",
                None,
            ),
        ];
        let settings = settings(&[]);
        for (error, code, status) in cases {
            let failure = ServiceFailure::of_ask(&error).unwrap();
            assert_eq!(failure.code, code, "{error:?}");
            assert_eq!(failure.status, status, "{error:?}");
            let shown = format!("{failure} {}", failure.check(&settings));
            assert!(!shown.contains("CANARY"), "{shown}");
            // Found however it is wrapped.
            let wrapped = std::io::Error::other(error);
            assert_eq!(ServiceFailure::find(&wrapped).unwrap().code, code);
        }
        let invalid = AskError::Invalid {
            field: "question",
            message: "must not be empty".into(),
        };
        assert!(ServiceFailure::of_ask(&invalid).is_none());
    }

    #[test]
    fn the_status_and_what_to_check_follow_the_settings() {
        let azure = settings(&[
            ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com"),
            ("AZURE_OPENAI_DEPLOYMENT", "gpt"),
            ("AZURE_OPENAI_KEY", "sk-azure-0123456789"),
        ]);
        let refused = ServiceFailure::of_model(&ChatError::Rejected {
            status: 401,
            message: "no".into(),
        });
        assert_eq!(
            refused.to_string(),
            "the model failed to answer (the model service answered 401 Unauthorized)"
        );
        assert!(refused.check(&azure).starts_with("AZURE_OPENAI_KEY"));
        let openai = settings(&[
            ("OPENAI_BASE_URL", "http://127.0.0.1:9"),
            ("OPENAI_MODEL", "m"),
        ]);
        assert_eq!(refused.check(&openai), "OPENAI_API_KEY");
        let search = settings(&[
            ("SEARCH_ENDPOINT", "https://s.search.windows.net"),
            ("SEARCH_KEY", "search-key-0123456789"),
            ("SEARCH_INDEXES", "cobol"),
        ]);
        let forbidden =
            ServiceFailure::of_retrieve(&RetrieveError::Backend(Box::new(UpstreamError {
                service: "search index cobol".into(),
                status: Some(403),
                detail: String::new(),
            })));
        assert!(forbidden.check(&search).starts_with("SEARCH_KEY"));
        let table = settings(&[(
            "AZURE_STORAGE_CONNECTION_STRING",
            "UseDevelopmentStorage=true",
        )]);
        let store = ServiceFailure::of_store(&StoreError::Backend("x".into())).unwrap();
        assert!(
            store
                .check(&table)
                .contains("AZURE_STORAGE_CONNECTION_STRING")
        );
        assert!(store.check(&settings(&[])).contains("OTIS_SQLITE_PATH"));
        assert!(ServiceFailure::of_store(&StoreError::InvalidCursor("c".into())).is_none());
    }

    #[test]
    fn the_redactor_knows_every_configured_secret() {
        let settings = settings(&[
            (
                "AZURE_STORAGE_CONNECTION_STRING",
                "DefaultEndpointsProtocol=https;AccountName=acct;SharedAccessSignature=sv=2020&sig=CANARYSIG%2F0123",
            ),
            ("REDIS_URL", "redis://:redis-pass-0123456789@127.0.0.1:6379"),
            ("OTIS_STORE", "redis"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9"),
            ("OPENAI_MODEL", "m"),
            ("OPENAI_API_KEY", "sk-openai-0123456789"),
            ("SEARCH_ENDPOINT", "https://s.search.windows.net"),
            ("SEARCH_KEY", "search-key-0123456789"),
            ("SEARCH_INDEXES", "cobol"),
            ("OTIS_API_KEY", "api-key-of-ours-0123"),
        ]);
        let redactor = redactor(&settings);
        let text = "sig=CANARYSIG%2F0123 CANARYSIG/0123 redis-pass-0123456789 \
                    Bearer sk-openai-0123456789 search-key-0123456789 api-key-of-ours-0123";
        let shown = redactor.redact(text);
        for secret in [
            "CANARYSIG",
            "redis-pass",
            "sk-openai",
            "search-key-0",
            "api-key-of-ours",
        ] {
            assert!(!shown.contains(secret), "{secret}: {shown}");
        }
    }
}
