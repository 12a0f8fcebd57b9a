//! `Retriever` on Azure AI Search, for deployments like the previous system's: one or
//! more indexes queried with full-text search (`POST /indexes/{name}/docs/search`,
//! `api-key` header), `top` results per index, merged by score.
//!
//! Index schemas vary, so fields are read by the first name present: the text from
//! `content`, `text`, `chunk` or `code`; the file from `file_path`, `file`, `path`,
//! `source`, `filename` or `metadata_storage_name`; the program from `program_id`,
//! `program`, `program_name` or `name`; the id from `id`, `chunk_id` or `key`.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use otis_core::ports::{Hit, RetrieveError, Retriever};
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
    /// Attempts per index, the first included (429 and 5xx are retried).
    pub max_attempts: u32,
}

impl fmt::Debug for SearchConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchConfig")
            .field("endpoint", &self.endpoint)
            .field("key", &"<redacted>")
            .field("indexes", &self.indexes)
            .field("top_per_index", &self.top_per_index)
            .field("api_version", &self.api_version)
            .finish_non_exhaustive()
    }
}

/// The Azure AI Search retriever.
#[derive(Debug, Clone)]
pub struct AzureSearch {
    http: reqwest::Client,
    config: SearchConfig,
}

/// A failed search request.
#[derive(Debug)]
struct SearchFailure(String);

impl fmt::Display for SearchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SearchFailure {}

fn fail(message: String) -> RetrieveError {
    RetrieveError::Backend(Box::new(SearchFailure(message)))
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
        Ok(Self { http, config })
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
        let started = Instant::now();
        let mut attempt = 0;
        let text = loop {
            attempt += 1;
            let result = self
                .http
                .post(&url)
                .header("api-key", &self.config.key)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await;
            let (retryable, message) = match result {
                Ok(response) if response.status().is_success() => {
                    break response
                        .text()
                        .await
                        .map_err(|e| RetrieveError::Backend(Box::new(e)))?;
                }
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    let detail = serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
                        .unwrap_or_else(|| text.chars().take(200).collect());
                    if status.as_u16() == 404 {
                        return Err(RetrieveError::NoIndex(format!("{index}: {detail}")));
                    }
                    (
                        status.as_u16() == 429 || status.is_server_error(),
                        format!("index {index} answered {status}: {detail}"),
                    )
                }
                Err(e) => (true, format!("index {index}: {e}")),
            };
            let delay = Duration::from_millis(200 * u64::from(attempt));
            if !retryable
                || attempt >= self.config.max_attempts
                || started.elapsed() + delay > self.config.timeout
            {
                return Err(fail(message));
            }
            tokio::time::sleep(delay).await;
        };
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| fail(format!("index {index} sent a body that is not JSON: {e}")))?;
        let docs = value["value"]
            .as_array()
            .ok_or_else(|| fail(format!("index {index} sent no value array")))?;
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
