//! `Retriever` on Azure AI Search, for deployments like the previous system's: one or
//! more indexes queried with full-text search (`POST /indexes/{name}/docs/search`,
//! `api-key` header), `top` results per index, merged by score.
//!
//! Index schemas vary, so fields are read by the first name present: the text from
//! `content`, `text`, `chunk` or `code`; the file from `file_path`, `file`, `path`,
//! `source`, `filename` or `metadata_storage_name`; the program from `program_id`,
//! `program`, `program_name` or `name`; the id from `id`, `chunk_id` or `key`.
//!
//! Requests are retried by the shared policy (`otis_upstream::RetryPolicy`); what the
//! service says in an error never keeps the key.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use otis_core::ports::{Hit, RetrieveError, Retriever};
pub use otis_upstream::RetryPolicy;
use otis_upstream::{Redactor, UpstreamError, Verdict, retry_after};
use serde_json::{Value, json};

const TEXT_FIELDS: &[&str] = &["content", "text", "chunk", "code"];
const FILE_FIELDS: &[&str] = &[
    "file_path",
    "file",
    "path",
    "source",
    "filename",
    "metadata_storage_name",
];
const PROGRAM_FIELDS: &[&str] = &["program_id", "program", "program_name", "name"];
const ID_FIELDS: &[&str] = &["id", "chunk_id", "key"];

/// Where the search service is and what to ask it.
#[derive(Clone)]
pub struct SearchConfig {
    /// `https://NAME.search.windows.net`.
    pub endpoint: String,
    /// The query key or admin key.
    pub key: String,
    /// Index names to query.
    pub indexes: Vec<String>,
    /// Results asked of each index (the request's `top_k` caps the merged list).
    pub top_per_index: u32,
    /// The REST `api-version`.
    pub api_version: String,
    /// Time limit per request.
    pub timeout: Duration,
    /// Retries per index: 429 (as `Retry-After` says), 5xx and failed connections;
    /// a search changes nothing, so sending it again is safe. Default [`RETRY`].
    pub retry: RetryPolicy,
}

/// The search adapter's retries: 3 attempts per index, backoff from 200 ms doubling,
/// no retry started after 30 s.
pub const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(200),
    max_delay: Duration::from_secs(2),
    max_elapsed: Duration::from_secs(30),
};

impl fmt::Debug for SearchConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchConfig")
            .field("endpoint", &self.endpoint)
            .field("key", &"<redacted>")
            .field("indexes", &self.indexes)
            .field("top_per_index", &self.top_per_index)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

/// The Azure AI Search retriever.
#[derive(Debug, Clone)]
pub struct AzureSearch {
    http: reqwest::Client,
    config: SearchConfig,
    /// Removes the key from what the service says.
    redactor: Redactor,
}

/// One attempt's failure, and whether another may succeed.
struct Failed {
    error: RetrieveError,
    verdict: Verdict,
}

fn first_str<'a>(doc: &'a Value, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| {
        doc.get(*n)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    })
}

impl AzureSearch {
    /// A retriever for `config`.
    pub fn new(config: SearchConfig) -> Result<Self, RetrieveError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| RetrieveError::Backend(Box::new(e)))?;
        Ok(Self {
            http,
            redactor: Redactor::new([&config.key]),
            config,
        })
    }

    async fn search_index(
        &self,
        index: &str,
        query: &str,
        top: u32,
    ) -> Result<Vec<Hit>, RetrieveError> {
        let url = format!(
            "{}/indexes/{index}/docs/search?api-version={}",
            self.config.endpoint.trim_end_matches('/'),
            self.config.api_version
        );
        let body = json!({ "search": query, "top": top, "queryType": "simple" }).to_string();
        let service = || format!("search index {index}");
        let fail = |status: Option<u16>, detail: &str| {
            RetrieveError::Backend(Box::new(UpstreamError::new(
                service(),
                status,
                detail,
                &self.redactor,
            )))
        };
        let attempt = || async {
            let response = self
                .http
                .post(&url)
                .header("api-key", &self.config.key)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await
                .map_err(|e| Failed {
                    error: fail(None, &e.to_string()),
                    verdict: Verdict::Retry,
                })?;
            let status = response.status();
            if status.is_success() {
                return response.text().await.map_err(|e| Failed {
                    error: fail(None, &e.to_string()),
                    verdict: Verdict::Fail,
                });
            }
            let wait =
                retry_after(|name| response.headers().get(name).and_then(|v| v.to_str().ok()));
            let text = self
                .redactor
                .redact(&response.text().await.unwrap_or_default());
            let detail = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| text.chars().take(200).collect());
            if status.as_u16() == 404 {
                return Err(Failed {
                    error: RetrieveError::NoIndex(format!("{index}: {detail}")),
                    verdict: Verdict::Fail,
                });
            }
            let verdict = match wait {
                _ if !(status.as_u16() == 429 || status.is_server_error()) => Verdict::Fail,
                Some(wait) => Verdict::RetryAfter(wait),
                None => Verdict::Retry,
            };
            Err(Failed {
                error: fail(Some(status.as_u16()), &detail),
                verdict,
            })
        };
        let text = self
            .config
            .retry
            .run(attempt, |failed: &Failed| failed.verdict)
            .await
            .map_err(|failed| failed.error)?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| fail(Some(200), &format!("a body that is not JSON: {e}")))?;
        let docs = value["value"]
            .as_array()
            .ok_or_else(|| fail(Some(200), "no value array"))?;
        Ok(docs
            .iter()
            .enumerate()
            .map(|(i, doc)| Hit {
                id: first_str(doc, ID_FIELDS)
                    .map_or_else(|| format!("{index}#{i}"), |id| format!("{index}/{id}")),
                file: first_str(doc, FILE_FIELDS).unwrap_or(index).to_owned(),
                program: first_str(doc, PROGRAM_FIELDS).map(str::to_ascii_uppercase),
                lines: None,
                score: doc["@search.score"].as_f64().unwrap_or(0.0) as f32,
                text: first_str(doc, TEXT_FIELDS).unwrap_or_default().to_owned(),
                facts: None,
            })
            .collect())
    }
}

#[async_trait]
impl Retriever for AzureSearch {
    fn name(&self) -> String {
        format!("azure-search:{}", self.config.indexes.join(","))
    }

    async fn retrieve(&self, query: &str, top_k: u32) -> Result<Vec<Hit>, RetrieveError> {
        let mut hits = Vec::new();
        for index in &self.config.indexes {
            hits.extend(
                self.search_index(index, query, self.config.top_per_index.max(top_k))
                    .await?,
            );
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits.truncate(top_k as usize);
        Ok(hits)
    }
}
