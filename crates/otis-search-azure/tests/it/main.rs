//! The Azure AI Search retriever against a loopback server speaking its REST shapes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use otis_core::ports::{RetrieveError, Retriever};
use otis_search_azure::{AzureSearch, RetryPolicy, SearchConfig};
use otis_testkit::scripted::{ECHO_MARKER, EchoForm, Reply, Scripted};
use otis_testkit::secrets::shown;
use serde_json::Value;

fn config(server: &Scripted, indexes: &[&str]) -> SearchConfig {
    SearchConfig {
        endpoint: server.url.clone(),
        key: "search-secret".into(),
        indexes: indexes.iter().map(|s| (*s).to_owned()).collect(),
        top_per_index: 3,
        api_version: "2023-11-01".into(),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            max_elapsed: Duration::from_secs(5),
        },
    }
}

#[tokio::test]
async fn merges_indexes_by_score_and_reads_common_field_names() {
    let programs = r#"{"value":[
        {"@search.score": 2.5, "id": "p1", "program_id": "lonpf2", "file_path": "src/LONPF2.cbl", "content": "PROGRAM-ID. LONPF2."},
        {"@search.score": 0.5, "id": "p2", "program_id": "LONPF3", "file_path": "src/LONPF3.cbl", "content": "late fees"}]}"#;
    let copybooks = r#"{"value":[
        {"@search.score": 1.5, "chunk_id": "c1", "name": "LNREC", "text": "01 LN-MASTER-REC."}]}"#;
    let server = Scripted::start(vec![
        Reply::json("200 OK", programs),
        Reply::json("200 OK", copybooks),
    ])
    .await;
    let search = AzureSearch::new(config(&server, &["cobol-programs", "cobol-copybooks"])).unwrap();
    let hits = search.retrieve("What does LONPF2 do?", 2).await.unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["cobol-programs/p1", "cobol-copybooks/c1"]);
    assert_eq!(hits[0].program.as_deref(), Some("LONPF2"));
    assert_eq!(hits[0].file, "src/LONPF2.cbl");
    assert_eq!(
        hits[1].file, "cobol-copybooks",
        "no file field: the index name"
    );
    let sent = server.received();
    assert_eq!(
        sent[0].request_line,
        "POST /indexes/cobol-programs/docs/search?api-version=2023-11-01 HTTP/1.1"
    );
    assert_eq!(sent[0].header("api-key"), Some("search-secret"));
    let body: Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(body["search"], "What does LONPF2 do?");
    assert_eq!(body["top"], 3);
    assert!(!format!("{search:?}").contains("search-secret"));
}

#[tokio::test]
async fn throttling_is_retried_and_a_missing_index_is_named() {
    let server = Scripted::start(vec![
        Reply::json("503 Service Unavailable", r#"{"error":{"message":"busy"}}"#),
        Reply::json("200 OK", r#"{"value":[]}"#),
        Reply::json(
            "404 Not Found",
            r#"{"error":{"message":"The index 'gone' was not found."}}"#,
        ),
    ])
    .await;
    let ok = AzureSearch::new(config(&server, &["a"])).unwrap();
    assert!(ok.retrieve("x", 5).await.unwrap().is_empty());
    let gone = AzureSearch::new(config(&server, &["gone"])).unwrap();
    let err = gone.retrieve("x", 5).await.unwrap_err();
    assert!(
        matches!(err, RetrieveError::NoIndex(ref m) if m.contains("gone")),
        "{err:?}"
    );
}

#[tokio::test]
async fn refusals_and_malformed_bodies_are_errors() {
    let server = Scripted::start(vec![
        Reply::json("403 Forbidden", r#"{"error":{"message":"bad key"}}"#),
        Reply::json("200 OK", "{oops"),
    ])
    .await;
    let search = AzureSearch::new(config(&server, &["a"])).unwrap();
    let refused = search.retrieve("x", 5).await.unwrap_err();
    assert!(refused.to_string().contains("403"), "{refused}");
    let malformed = search.retrieve("x", 5).await.unwrap_err();
    assert!(malformed.to_string().contains("not JSON"), "{malformed}");
    assert_eq!(server.received().len(), 2, "403 is not retried");
}

/// Throttling waits what `Retry-After` says.
#[tokio::test]
async fn throttling_waits_as_told() {
    let server = Scripted::start(vec![
        Reply::with_headers("429 Too Many Requests", &[("Retry-After", "0.3")], ""),
        Reply::json("200 OK", r#"{"value":[]}"#),
    ])
    .await;
    let started = std::time::Instant::now();
    let search = AzureSearch::new(config(&server, &["a"])).unwrap();
    assert!(search.retrieve("x", 5).await.unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(server.received().len(), 2);
}

/// A service that echoes the request (its `api-key` header included) or quotes the key
/// in its JSON error: the error keeps the status and what it said, never the key.
#[tokio::test]
async fn no_error_keeps_the_key_whatever_the_service_says() {
    let quoting = Reply::json(
        "403 Forbidden",
        r#"{"error":{"code":"Forbidden","message":"The api-key search-secret is not valid for index a."}}"#,
    );
    let server = Scripted::start(vec![
        Reply::echo("403 Forbidden", EchoForm::Json),
        Reply::echo("404 Not Found", EchoForm::Json),
        Reply::echo("503 Service Unavailable", EchoForm::StorageXml),
        Reply::echo("503 Service Unavailable", EchoForm::StorageXml),
        Reply::echo("503 Service Unavailable", EchoForm::StorageXml),
        quoting,
    ])
    .await;
    let search = AzureSearch::new(config(&server, &["a"])).unwrap();
    for status in ["403", "404", "503"] {
        let err = search.retrieve("x", 5).await.unwrap_err();
        let text = shown(&err);
        assert!(text.contains(ECHO_MARKER), "{status}: {text}");
        assert!(
            !text.contains("search-secret"),
            "{status}: the key leaked: {text}"
        );
        if status != "404" {
            assert!(text.contains(status), "{text}");
        }
    }
    let err = search.retrieve("x", 5).await.unwrap_err();
    let text = shown(&err);
    assert!(text.contains("is not valid for index a"), "{text}");
    assert!(!text.contains("search-secret"), "the key leaked: {text}");
    let sent = server.received();
    assert_eq!(sent.len(), 6, "403 and 404 once, 503 three times, 403 once");
    assert_eq!(sent[0].header("api-key"), Some("search-secret"));
}
