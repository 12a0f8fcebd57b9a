//! A small Azure Table REST client: signed requests over one pooled `reqwest` client,
//! retried by the shared policy (`otis_upstream::RetryPolicy`), queries with
//! continuation, and `$batch`. What the service says in an error keeps neither the
//! account key nor the SAS token.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use otis_upstream::{Redactor, RetryPolicy, Verdict, retry_after};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth::{http_date, shared_key_lite};
use crate::connection::{Connection, Credential};
use crate::keys::{encode, entity_path};

const API_VERSION: &str = "2019-02-02";
const ACCEPT: &str = "application/json;odata=nometadata";

/// A table entity as JSON properties (PartitionKey, RowKey, and the rest).
pub type Entity = Map<String, Value>;

/// The table client's retries: 5 attempts, backoff from 100 ms doubling to 2 s, no
/// retry started after 15 s.
pub const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 5,
    base_delay: Duration::from_millis(100),
    max_delay: Duration::from_secs(2),
    max_elapsed: Duration::from_secs(15),
};

/// How hard the client tries: the shared retry policy and a time limit per attempt.
///
/// Every request is retried on a transient failure (408, 429, 5xx, no answer),
/// writes included: an insert is insert-if-absent (a replay that landed answers 409,
/// which the store reads back), and `otis_core::append_turn` resolves a write whose
/// outcome stayed unknown by reading the turn id back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientPolicy {
    /// Attempts, backoff and deadline.
    pub retry: RetryPolicy,
    /// Time limit of one attempt.
    pub attempt_timeout: Duration,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        Self {
            retry: RETRY,
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

/// A failed table request.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The service answered with an error status that is not worth retrying, or a
    /// retryable one after the retries were spent (`transient`).
    #[error("table service answered {status} {code}: {message}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The service's error code (`EntityAlreadyExists`, `ResourceNotFound`, ...).
        code: String,
        /// The service's message.
        message: String,
        /// Whether the status was a retryable one (408, 429, 5xx).
        transient: bool,
    },
    /// No answer: connection refused or reset, or timed out, after the retries.
    /// (Its URL is left out: with a SAS credential it holds the token.)
    #[error("table service unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// An answer that is not what the protocol documents.
    #[error("table service sent an unexpected answer: {0}")]
    Protocol(String),
    /// A `$batch` failed at the operation with this index; nothing of it was applied.
    #[error("batch operation {index:?} failed with {status} {code}: {message}")]
    Batch {
        /// Which operation, from 0, when the service said.
        index: Option<usize>,
        /// Its HTTP status.
        status: u16,
        /// The service's error code.
        code: String,
        /// The service's message.
        message: String,
    },
}

impl TableError {
    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Batch { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the failure may pass by itself.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Status { transient, .. } => *transient,
            Self::Transport(_) => true,
            Self::Batch { status, .. } => retryable(*status),
            Self::Protocol(_) => false,
        }
    }
}

fn retryable(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// One operation of an entity-group transaction.
#[derive(Debug, Clone)]
pub(crate) enum BatchOp {
    /// Insert; fails with 409 if the entity exists.
    Insert(Entity),
    /// Insert or replace, unconditionally.
    Upsert(Entity),
    /// Delete, whatever its ETag.
    Delete {
        /// PartitionKey.
        partition: String,
        /// RowKey.
        row: String,
    },
}

/// One page of query results.
#[derive(Debug)]
pub struct QueryPage {
    /// The entities of this page.
    pub entities: Vec<Entity>,
    /// `(NextPartitionKey, NextRowKey)` when the service has more.
    pub continuation: Option<(String, Option<String>)>,
}

/// The client. Cheap to clone: clones share the connection pool and request counter.
#[derive(Clone)]
pub struct TableClient {
    http: reqwest::Client,
    connection: Arc<Connection>,
    /// The endpoint's own URL path (`/devstoreaccount1` on Azurite, empty on Azure).
    base_path: String,
    policy: ClientPolicy,
    /// The account key (as configured, base64) and the SAS token.
    redactor: Redactor,
    requests: Arc<AtomicU64>,
}

impl fmt::Debug for TableClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableClient")
            .field("endpoint", &self.connection.endpoint)
            .field("credential", &self.connection.credential)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl TableClient {
    /// A client for `connection`, trying as `policy` says.
    pub fn new(connection: Connection, policy: ClientPolicy) -> Result<Self, TableError> {
        // reqwest is built without a bundled crypto provider; ring is ours. Installing
        // fails harmlessly when a provider is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(policy.attempt_timeout)
            .connect_timeout(policy.attempt_timeout.min(Duration::from_secs(5)))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| TableError::Transport(e.without_url()))?;
        let base_path = match connection.endpoint.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]).to_owned(),
            None => String::new(),
        };
        let redactor = match &connection.credential {
            Credential::SharedKey { key, .. } => Redactor::new([STANDARD.encode(key)]),
            Credential::Sas(token) => Redactor::new([token]),
        };
        Ok(Self {
            http,
            connection: Arc::new(connection),
            base_path,
            policy,
            redactor,
            requests: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many HTTP requests this client (and its clones) sent, retries included.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The table service endpoint.
    pub fn endpoint(&self) -> &str {
        &self.connection.endpoint
    }

    /// Creates `table` unless it exists.
    pub async fn create_table_if_missing(&self, table: &str) -> Result<(), TableError> {
        let body = serde_json::json!({ "TableName": table }).to_string();
        match self
            .send(Method::POST, "Tables", "", json_headers(), Some(body))
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::Status { status: 409, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Deletes `table` and everything in it.
    pub async fn delete_table(&self, table: &str) -> Result<(), TableError> {
        let path = format!("Tables('{}')", encode(&table.replace('\'', "''")));
        self.send(Method::DELETE, &path, "", HeaderMap::new(), None)
            .await
            .map(|_| ())
    }

    /// Inserts an entity; a 409 (`EntityAlreadyExists`) comes back as a `Status` error.
    pub async fn insert(&self, table: &str, entity: &Entity) -> Result<(), TableError> {
        let mut headers = json_headers();
        headers.insert("Prefer", HeaderValue::from_static("return-no-content"));
        let body = Value::Object(entity.clone()).to_string();
        self.send(Method::POST, table, "", headers, Some(body))
            .await
            .map(|_| ())
    }

    /// One page of `$filter` results, at most `top` entities.
    pub async fn query(
        &self,
        table: &str,
        filter: &str,
        select: Option<&str>,
        top: Option<u32>,
        continuation: Option<&(String, Option<String>)>,
    ) -> Result<QueryPage, TableError> {
        let mut query = format!("$filter={}", encode(filter));
        if let Some(top) = top {
            query.push_str(&format!("&$top={}", top.clamp(1, 1000)));
        }
        if let Some(select) = select {
            query.push_str(&format!("&$select={}", encode(select)));
        }
        if let Some((partition, row)) = continuation {
            query.push_str(&format!("&NextPartitionKey={}", encode(partition)));
            if let Some(row) = row {
                query.push_str(&format!("&NextRowKey={}", encode(row)));
            }
        }
        let path = format!("{table}()");
        let response = self
            .send(Method::GET, &path, &query, HeaderMap::new(), None)
            .await?;
        let header = |name: &str| {
            response
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let continuation = header("x-ms-continuation-NextPartitionKey")
            .map(|partition| (partition, header("x-ms-continuation-NextRowKey")));
        let mut body: Value = serde_json::from_str(&response.body)
            .map_err(|e| TableError::Protocol(format!("query body is not JSON: {e}")))?;
        let Some(Value::Array(values)) = body.get_mut("value").map(Value::take) else {
            return Err(TableError::Protocol("query body has no value array".into()));
        };
        let entities = values
            .into_iter()
            .map(|v| match v {
                Value::Object(map) => Ok(map),
                _ => Err(TableError::Protocol("query result is not an object".into())),
            })
            .collect::<Result<_, _>>()?;
        Ok(QueryPage {
            entities,
            continuation,
        })
    }

    /// Runs `ops` (all in one partition, at most 100) as one entity-group transaction.
    /// Every sub-response is checked: any failure fails the whole call, as the service
    /// applied none of the operations.
    pub(crate) async fn batch(&self, table: &str, ops: &[BatchOp]) -> Result<(), TableError> {
        if ops.is_empty() {
            return Ok(());
        }
        let batch_boundary = format!("batch_{:016x}", fastrand::u64(..));
        let changeset = format!("changeset_{:016x}", fastrand::u64(..));
        let mut body = format!(
            "--{batch_boundary}\r\nContent-Type: multipart/mixed; boundary={changeset}\r\n\r\n"
        );
        for (index, op) in ops.iter().enumerate() {
            body.push_str(&format!(
                "--{changeset}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            ));
            let (method, url, entity) = match op {
                BatchOp::Insert(entity) => (
                    "POST",
                    format!("{}/{table}", self.connection.endpoint),
                    Some(entity),
                ),
                BatchOp::Upsert(entity) => {
                    let path = entity_path(
                        table,
                        str_prop(entity, "PartitionKey"),
                        str_prop(entity, "RowKey"),
                    );
                    (
                        "PUT",
                        format!("{}/{path}", self.connection.endpoint),
                        Some(entity),
                    )
                }
                BatchOp::Delete { partition, row } => {
                    let path = entity_path(table, partition, row);
                    (
                        "DELETE",
                        format!("{}/{path}", self.connection.endpoint),
                        None,
                    )
                }
            };
            body.push_str(&format!(
                "{method} {url} HTTP/1.1\r\nContent-ID: {}\r\nAccept: {ACCEPT}\r\nDataServiceVersion: 3.0;\r\n",
                index + 1
            ));
            match entity {
                Some(entity) => {
                    let json = Value::Object(entity.clone()).to_string();
                    body.push_str(&format!(
                        "Content-Type: application/json\r\nPrefer: return-no-content\r\nContent-Length: {}\r\n\r\n{json}\r\n",
                        json.len()
                    ));
                }
                None => body.push_str("If-Match: *\r\n\r\n"),
            }
        }
        body.push_str(&format!("--{changeset}--\r\n--{batch_boundary}--\r\n"));
        let mut headers = HeaderMap::new();
        let content_type = format!("multipart/mixed; boundary={batch_boundary}");
        headers.insert(
            "Content-Type",
            HeaderValue::from_str(&content_type)
                .map_err(|e| TableError::Protocol(e.to_string()))?,
        );
        let response = self
            .send(Method::POST, "$batch", "", headers, Some(body))
            .await?;
        check_batch_response(&response.body, ops.len()).map_err(|error| match error {
            TableError::Batch {
                index,
                status,
                code,
                message,
            } => TableError::Batch {
                index,
                status,
                code,
                message: self.redactor.redact(&message),
            },
            other => other,
        })
    }

    /// Sends one request with retries. `path` is relative to the endpoint and already
    /// encoded; `query` is an encoded query string without `?` (may be empty).
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &str,
        headers: HeaderMap,
        body: Option<String>,
    ) -> Result<Response, TableError> {
        let attempt = || async {
            let response = self
                .send_once(method.clone(), path, query, headers.clone(), body.clone())
                .await
                .map_err(|error| (error, None))?;
            if response.status.is_success() {
                return Ok(response);
            }
            let wait = retry_after(|name| response.headers.get(name).and_then(|v| v.to_str().ok()));
            Err((self.service_error(&response), wait))
        };
        let verdict = |(error, wait): &(TableError, Option<Duration>)| match wait {
            _ if !error.is_transient() => Verdict::Fail,
            Some(wait) => Verdict::RetryAfter(*wait),
            None => Verdict::Retry,
        };
        self.policy
            .retry
            .run(attempt, verdict)
            .await
            .map_err(|(error, _)| error)
    }

    /// The service's error, without our secrets (removed before the message is cut
    /// short, so no piece of one survives).
    fn service_error(&self, response: &Response) -> TableError {
        let (code, message) = error_details(&self.redactor.redact(&response.body));
        let status = response.status.as_u16();
        TableError::Status {
            status,
            code,
            message,
            transient: retryable(status),
        }
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        query: &str,
        mut headers: HeaderMap,
        body: Option<String>,
    ) -> Result<Response, TableError> {
        let date = http_date(OffsetDateTime::now_utc());
        let mut url = format!("{}/{path}", self.connection.endpoint);
        let mut query = query.to_owned();
        match &self.connection.credential {
            Credential::SharedKey { account, key } => {
                let signed_path = format!("{}/{path}", self.base_path);
                let auth = shared_key_lite(account, key, &date, &signed_path);
                headers.insert(
                    "Authorization",
                    HeaderValue::from_str(&auth)
                        .map_err(|e| TableError::Protocol(e.to_string()))?,
                );
            }
            Credential::Sas(token) => {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(token);
            }
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let fixed = [
            ("x-ms-date", date.as_str()),
            ("x-ms-version", API_VERSION),
            ("Accept", ACCEPT),
            ("DataServiceVersion", "3.0;NetFx"),
            ("MaxDataServiceVersion", "3.0;NetFx"),
        ];
        for (name, value) in fixed {
            headers.insert(
                name,
                HeaderValue::from_str(value).map_err(|e| TableError::Protocol(e.to_string()))?,
            );
        }
        let mut request = self.http.request(method, &url).headers(headers);
        if let Some(body) = body {
            request = request.body(body);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let transport = |e: reqwest::Error| TableError::Transport(e.without_url());
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(transport)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("Content-Type", HeaderValue::from_static("application/json"));
    headers
}

fn str_prop<'a>(entity: &'a Entity, name: &str) -> &'a str {
    entity.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The service's error code and message from a JSON error body, as well as it can.
fn error_details(body: &str) -> (String, String) {
    let parsed: Option<Value> = serde_json::from_str(body.trim()).ok();
    let error = parsed.as_ref().and_then(|v| v.get("odata.error"));
    let code = error
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("Unknown")
        .to_owned();
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(|m| m.get("value").or(Some(m)))
        .and_then(Value::as_str)
        .map_or_else(|| body.trim().chars().take(300).collect(), str::to_owned);
    (code, message)
}

/// Reads a `$batch` response: every operation must have answered 2xx. A failed
/// changeset answers with one error sub-response whose message starts with the failing
/// operation's index (`"1:The specified entity already exists."`).
fn check_batch_response(body: &str, expected: usize) -> Result<(), TableError> {
    let mut statuses = Vec::new();
    let mut lines = body.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("HTTP/1.1 ") else {
            continue;
        };
        let status: u16 = rest
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| TableError::Protocol(format!("bad batch status line {line:?}")))?;
        // The sub-response body follows its headers' blank line, up to the next boundary.
        let mut sub_body = String::new();
        let mut in_body = false;
        while let Some(next) = lines.peek() {
            if next.starts_with("--") {
                break;
            }
            let next = lines.next().unwrap_or_default();
            if in_body {
                sub_body.push_str(next);
            } else if next.trim().is_empty() {
                in_body = true;
            }
        }
        statuses.push((status, sub_body));
    }
    if let Some((status, sub_body)) = statuses.iter().find(|(s, _)| !(200..300).contains(s)) {
        let (code, message) = error_details(sub_body);
        let index = message
            .split_once(':')
            .and_then(|(n, _)| n.trim().parse::<usize>().ok());
        return Err(TableError::Batch {
            index,
            status: *status,
            code,
            message,
        });
    }
    if statuses.len() != expected {
        return Err(TableError::Protocol(format!(
            "batch of {expected} operations answered {} sub-responses",
            statuses.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_with_every_operation_applied_passes() {
        let body = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n\
            --changesetresponse_2\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\nContent-ID: 1\r\n\r\n\r\n\
            --changesetresponse_2\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\nContent-ID: 2\r\n\r\n\r\n\
            --changesetresponse_2--\r\n--batchresponse_1--\r\n";
        check_batch_response(body, 2).unwrap();
        assert!(matches!(
            check_batch_response(body, 3),
            Err(TableError::Protocol(_))
        ));
    }

    #[test]
    fn a_failed_batch_names_the_operation() {
        let body = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n\
            --changesetresponse_2\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 409 Conflict\r\nContent-ID: 1\r\nContent-Type: application/json\r\n\r\n\
            {\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"1:The specified entity already exists.\"}}}\r\n\
            --changesetresponse_2--\r\n--batchresponse_1--\r\n";
        match check_batch_response(body, 2) {
            Err(TableError::Batch {
                index,
                status,
                code,
                ..
            }) => {
                assert_eq!(index, Some(1));
                assert_eq!(status, 409);
                assert_eq!(code, "EntityAlreadyExists");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_is_a_protocol_error_not_success() {
        assert!(check_batch_response("", 1).is_err());
        assert!(check_batch_response("HTTP/1.1 abc\r\n", 1).is_err());
    }

    #[test]
    fn error_bodies_are_read_whatever_their_shape() {
        let json = r#"{"odata.error":{"code":"TableNotFound","message":{"value":"gone"}}}"#;
        assert_eq!(error_details(json), ("TableNotFound".into(), "gone".into()));
        assert_eq!(error_details("<html>"), ("Unknown".into(), "<html>".into()));
    }
}
