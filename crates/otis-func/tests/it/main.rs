//! The HTTP endpoint, through the router (`oneshot`) and through real sockets: bad input,
//! statelessness, concurrency, principal scoping, CORS, API keys, SSE framing, client
//! disconnects, graceful shutdown, health, OpenAPI, memory across server processes, and
//! the chat page's server side (`page.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;
mod fuzz;
mod kill;

mod page;
mod purge;
mod redis;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use otis_answer::Extractive;
use otis_app::{HttpSettings, Settings};
use otis_core::ports::{
    ChatError, ChatModel, ChatRequest, ChatResponse, DeltaSink, DynSessionStore, PageRequest,
};
use otis_core::{Assistant, SessionId};
use otis_func::{AppState, app, openapi, serve};
use otis_store_mem::{MemoryBackend, MemoryStore};
use otis_testkit::secrets::{CANARY_ACCOUNT_KEY, CANARY_KEY};
use serde_json::{Value, json};
use tower::ServiceExt;

use common::{memory_app, sample_index, test_settings};

struct Fixture {
    state: Arc<AppState>,
    backend: MemoryBackend,
    store: DynSessionStore,
}

fn fixture_with(http: HttpSettings, model: Arc<dyn ChatModel>) -> Fixture {
    let backend = MemoryBackend::new();
    let memory = Arc::new(MemoryStore::open(backend.clone()));
    let store: DynSessionStore = memory.clone();
    let mut settings = test_settings(&[]);
    settings.http = http.clone();
    let app = memory_app(sample_index(), model, memory, settings);
    Fixture {
        state: AppState::new(app),
        backend,
        store,
    }
}

fn fixture() -> Fixture {
    fixture_with(HttpSettings::default(), Arc::new(Extractive))
}

async fn call(
    state: &Arc<AppState>,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, body)
}

fn post(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

async fn stored_sessions(store: &DynSessionStore) -> usize {
    store
        .list_sessions(&PageRequest::first(100))
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn every_bad_input_is_a_4xx_naming_the_field_and_stores_nothing() {
    let f = fixture();
    let long_question = "q".repeat(16 * 1024 + 1);
    let huge_body = format!("{{\"question\":\"{}\"}}", "x".repeat(1024 * 1024));
    let cases: Vec<(String, u16, &str, &str)> = vec![
        ("{bad".into(), 400, "invalid_json", "not valid JSON"),
        ("[1,2]".into(), 400, "invalid_request", "body"),
        ("{}".into(), 400, "invalid_request", "question: is required"),
        (
            r#"{"question": 5}"#.into(),
            400,
            "invalid_request",
            "question: must be a string",
        ),
        (
            r#"{"question": "   "}"#.into(),
            400,
            "invalid_request",
            "question: must not be empty",
        ),
        (
            json!({"question": long_question}).to_string(),
            400,
            "invalid_request",
            "question: is 16385 bytes",
        ),
        (huge_body, 413, "payload_too_large", "over"),
        (
            json!({"question": "q", "session_id": "a\nb", "enable_persistence": true}).to_string(),
            400,
            "invalid_request",
            "session_id",
        ),
        (
            json!({"question": "q", "session_id": "", "enable_persistence": true}).to_string(),
            400,
            "invalid_request",
            "session_id",
        ),
        (
            json!({"question": "q", "session_id": 7}).to_string(),
            400,
            "invalid_request",
            "session_id: must be a string",
        ),
        (
            json!({"question": "q", "top_k": 0, "session_id": "s", "enable_persistence": true})
                .to_string(),
            400,
            "invalid_request",
            "top_k",
        ),
        (
            json!({"question": "q", "top_k": 51}).to_string(),
            400,
            "invalid_request",
            "top_k",
        ),
        (
            json!({"question": "q", "top_k": "5"}).to_string(),
            400,
            "invalid_request",
            "top_k: must be a number",
        ),
        (
            json!({"question": "q", "top_k": -1}).to_string(),
            400,
            "invalid_request",
            "top_k",
        ),
        (
            json!({"question": "q", "temperature": 2.5}).to_string(),
            400,
            "invalid_request",
            "temperature",
        ),
        (
            json!({"question": "q", "temperature": -0.1}).to_string(),
            400,
            "invalid_request",
            "temperature",
        ),
        (
            json!({"question": "q", "enable_persistence": "yes"}).to_string(),
            400,
            "invalid_request",
            "enable_persistence",
        ),
        (
            json!({"question": "q", "stream": 1}).to_string(),
            400,
            "invalid_request",
            "stream",
        ),
    ];
    for (body, status, code, message) in cases {
        let (got, _, json) = call(&f.state, post("/api/query", body.clone())).await;
        let shown: String = body.chars().take(60).collect();
        assert_eq!(got.as_u16(), status, "{shown}: {json}");
        assert_eq!(json["error"]["code"], code, "{shown}: {json}");
        let text = json["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{shown}: {text}");
    }
    let (status, _, json) = call(&f.state, get("/api/history")).await;
    assert_eq!(status, 400);
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("session_id")
    );
    let (status, _, _) = call(&f.state, get("/api/history?session_id=s&limit=0")).await;
    assert_eq!(status, 400);
    let (status, _, json) = call(&f.state, get("/api/history?session_id=s&cursor=garbage")).await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(
        stored_sessions(&f.store).await,
        0,
        "a bad request stored something"
    );
}

/// The exact message for each bad field of a query, and which one is named when several
/// are bad: the body is read field by field (question, session_id, enable_persistence,
/// top_k, temperature, stream), then the principal, then the session id's value.
#[tokio::test]
async fn a_bad_query_names_the_first_bad_field_in_reading_order_with_its_exact_message() {
    let open = fixture();
    let scoped = fixture_with(
        HttpSettings {
            scope_by_principal: true,
            ..HttpSettings::default()
        },
        Arc::new(otis_answer::Extractive),
    );
    let huge_top_k = u64::from(u32::MAX) + 6;
    let cases: Vec<(&Fixture, Value, u16, &str, String)> = vec![
        (
            &open,
            json!({"question": " \t "}),
            400,
            "invalid_request",
            "question: must not be empty".into(),
        ),
        (
            &open,
            json!({"question": "q".repeat(16 * 1024 + 1)}),
            400,
            "invalid_request",
            "question: is 16385 bytes; at most 16384 are allowed".into(),
        ),
        (
            &open,
            json!({"question": "q", "top_k": 0}),
            400,
            "invalid_request",
            "top_k: must be 1 to 50, got 0".into(),
        ),
        (
            &open,
            json!({"question": "q", "top_k": 51}),
            400,
            "invalid_request",
            "top_k: must be 1 to 50, got 51".into(),
        ),
        (
            &open,
            json!({"question": "q", "top_k": huge_top_k}),
            400,
            "invalid_request",
            format!("top_k: must be 1 to 50, got {huge_top_k}"),
        ),
        (
            &open,
            json!({"question": "q", "top_k": -1}),
            400,
            "invalid_request",
            "top_k: must be a whole number >= 0, not -1".into(),
        ),
        (
            &open,
            json!({"question": "q", "top_k": 2.5}),
            400,
            "invalid_request",
            "top_k: must be a whole number >= 0, not 2.5".into(),
        ),
        (
            &open,
            json!({"question": "q", "temperature": 2.5}),
            400,
            "invalid_request",
            "temperature: must be 0 to 2, got 2.5".into(),
        ),
        (
            &open,
            json!({"question": "q", "temperature": -0.1}),
            400,
            "invalid_request",
            "temperature: must be 0 to 2, got -0.1".into(),
        ),
        (
            &open,
            json!({"question": "q", "temperature": 2.000_000_01}),
            400,
            "invalid_request",
            "temperature: must be 0 to 2, got 2.00000001".into(),
        ),
        (
            &open,
            json!({"question": "q", "temperature": 1e300}),
            400,
            "invalid_request",
            format!("temperature: must be 0 to 2, got {}", 1e300_f64),
        ),
        (
            &open,
            json!({"question": "", "top_k": "5", "temperature": 9}),
            400,
            "invalid_request",
            "question: must not be empty".into(),
        ),
        (
            &open,
            json!({"question": "q", "session_id": 7, "top_k": 0}),
            400,
            "invalid_request",
            "session_id: must be a string, not a number".into(),
        ),
        (
            &open,
            json!({"question": "q", "top_k": 0, "temperature": 9, "stream": 1}),
            400,
            "invalid_request",
            "top_k: must be 1 to 50, got 0".into(),
        ),
        (
            &open,
            json!({"question": "q", "temperature": 9, "stream": 1}),
            400,
            "invalid_request",
            "temperature: must be 0 to 2, got 9".into(),
        ),
        (
            &open,
            json!({"question": "q", "stream": 1, "session_id": ""}),
            400,
            "invalid_request",
            "stream: must be true or false, not a number".into(),
        ),
        (
            &scoped,
            json!({"question": "", "session_id": "s"}),
            400,
            "invalid_request",
            "question: must not be empty".into(),
        ),
        (
            &scoped,
            json!({"question": "q", "temperature": 3, "session_id": "s"}),
            400,
            "invalid_request",
            "temperature: must be 0 to 2, got 3".into(),
        ),
        (
            &scoped,
            json!({"question": "q", "session_id": "a\nb"}),
            401,
            "unauthenticated",
            "sessions are scoped by principal: the request has no authenticated principal".into(),
        ),
    ];
    for (f, body, status, code, message) in cases {
        let shown: String = body.to_string().chars().take(60).collect();
        let (got, _, json) = call(&f.state, post("/api/query", body.to_string())).await;
        assert_eq!(got.as_u16(), status, "{shown}: {json}");
        assert_eq!(json["error"]["code"], code, "{shown}: {json}");
        assert_eq!(json["error"]["message"], message.as_str(), "{shown}");
    }
    assert_eq!(stored_sessions(&open.store).await, 0);
    assert_eq!(stored_sessions(&scoped.store).await, 0);
}

/// Session ids that are not UTF-8, in a query string or a body, are refused with 400,
/// never decoded to U+FFFD (which would make `%FF%FE` and `%FE%FF` one session).
#[tokio::test]
async fn invalid_utf8_session_ids_are_refused_and_nothing_is_read_or_stored() {
    let f = fixture();
    // What a lossy decoder would have made of `%FF%FE`: a session that must stay unseen.
    let lossy = SessionId::parse("\u{FFFD}\u{FFFD}").unwrap();
    let (status, _, _) = call(
        &f.state,
        post(
            "/api/query",
            json!({"question": "What does LONPF2 do?", "session_id": lossy.as_str(), "enable_persistence": true}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let request = |method: &str, uri: &str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap()
    };
    for (method, uri) in [
        ("GET", "/api/history?session_id=%FF%FE"),
        ("GET", "/api/history?session_id=%C0%AF"),
        ("GET", "/api/history?session_id=%ED%A0%80"),
        ("GET", "/api/history?session_id=ok&cursor=%FF"),
        (
            "GET",
            "/api/history?session_id=%EF%BF%BD%EF%BF%BD&session_id=x",
        ),
        ("DELETE", "/api/history?session_id=%FF%FE"),
        ("DELETE", "/api/history?session_id=%C0%AF"),
        ("GET", "/api/sessions?cursor=%C0%AF"),
    ] {
        let (status, _, json) = call(&f.state, request(method, uri)).await;
        assert_eq!(status, 400, "{method} {uri}: {json}");
        assert_eq!(json["error"]["code"], "invalid_request", "{uri}");
    }
    let bodies: [&[u8]; 5] = [
        b"{\"question\":\"q\",\"session_id\":\"\xFF\xFE\",\"enable_persistence\":true}",
        b"{\"question\":\"q\",\"session_id\":\"\xC0\xAF\",\"enable_persistence\":true}",
        b"{\"question\":\"q\",\"session_id\":\"\\ud800\",\"enable_persistence\":true}",
        b"{\"question\":\"q\",\"session_id\":\"\\udfff\\ud800\",\"enable_persistence\":true}",
        b"{\"question\":\"\xED\xA0\x80\",\"session_id\":\"s\",\"enable_persistence\":true}",
    ];
    for body in bodies {
        let (status, _, json) = call(&f.state, post("/api/query", body.to_vec())).await;
        assert_eq!(status, 400, "{}: {json}", String::from_utf8_lossy(body));
        let (status, _, json) = call(&f.state, post("/api/feedback", body.to_vec())).await;
        assert_eq!(status, 400, "{}: {json}", String::from_utf8_lossy(body));
    }
    let listed = f
        .store
        .list_sessions(&PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1, "only the session written above");
    assert_eq!(f.store.load_latest(&lossy, 10).await.unwrap().len(), 1);
    assert!(f.backend.feedback().is_empty());
    // Valid percent-encoded UTF-8 still names its session.
    let (status, _, json) = call(&f.state, get("/api/history?session_id=%EF%BF%BD%EF%BF%BD")).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["turns"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn memory_is_read_and_written_only_with_a_session_and_persistence() {
    let f = fixture();
    for body in [
        json!({"question": "What does LONPF2 do?"}),
        json!({"question": "What does LONPF2 do?", "session_id": "s1"}),
        json!({"question": "What does LONPF2 do?", "session_id": "s1", "enable_persistence": false}),
    ] {
        let (status, _, json) = call(&f.state, post("/api/query", body.to_string())).await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["persisted"], false);
    }
    assert_eq!(stored_sessions(&f.store).await, 0);
    let (status, _, json) = call(
        &f.state,
        post("/api/query", json!({"question": "What does LONPF2 do?", "session_id": "s1", "enable_persistence": true}).to_string()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(json["persisted"], true);
    assert_eq!(json["session_id"], "s1");
    for key in [
        "question",
        "resolved_question",
        "answer",
        "sources",
        "duration_ms",
        "timing",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let (_, _, history) = call(&f.state, get("/api/history?session_id=s1")).await;
    assert_eq!(history["turns"].as_array().unwrap().len(), 1);
    let (_, _, deleted) = call(
        &f.state,
        Request::delete("/api/history?session_id=s1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        deleted,
        json!({"session_id": "s1", "deleted": true, "count": 1})
    );
}

/// A server on a free loopback port; stops when the returned sender fires or drops.
async fn start(
    state: Arc<AppState>,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (url, stop, handle)
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_queries_on_one_session_lose_no_turn() {
    let f = fixture();
    let (url, _stop, _) = start(f.state.clone()).await;
    let client = client();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(format!("{url}/api/query"))
                .body(json!({"question": format!("What does LONPF{} do? ({i})", 2 + i % 2), "session_id": "busy", "enable_persistence": true}).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
            assert_eq!(body["persisted"], true, "{body}");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let session = SessionId::parse("busy").unwrap();
    let turns = f
        .store
        .history(&session, &PageRequest::first(100))
        .await
        .unwrap()
        .items;
    let seqs: Vec<u64> = turns.iter().map(|t| t.seq.0).collect();
    assert_eq!(seqs, (0..50).collect::<Vec<_>>());
}

#[tokio::test]
async fn sessions_are_confined_to_their_principal() {
    let http = HttpSettings {
        scope_by_principal: true,
        ..HttpSettings::default()
    };
    let f = fixture_with(http, Arc::new(Extractive));
    let as_principal = |p: &str, request: Request<Body>| {
        let (mut parts, body) = request.into_parts();
        parts
            .headers
            .insert("x-ms-client-principal-id", p.parse().unwrap());
        Request::from_parts(parts, body)
    };
    let ask = json!({"question": "What does LONPF2 do?", "session_id": "user_123", "enable_persistence": true}).to_string();
    let (status, _, json) = call(
        &f.state,
        as_principal("alice-0001", post("/api/query", ask.clone())),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["session_id"], "user_123");

    let (_, _, listed) = call(&f.state, as_principal("bob-0002", get("/api/sessions"))).await;
    assert_eq!(listed["sessions"], json!([]), "bob lists alice's session");
    let (_, _, history) = call(
        &f.state,
        as_principal("bob-0002", get("/api/history?session_id=user_123")),
    )
    .await;
    assert_eq!(history["turns"], json!([]), "bob reads alice's turns");
    let delete = Request::delete("/api/history?session_id=user_123")
        .body(Body::empty())
        .unwrap();
    let (_, _, deleted) = call(&f.state, as_principal("bob-0002", delete)).await;
    assert_eq!(deleted["count"], 0, "bob deleted alice's turns");

    let (_, _, listed) = call(&f.state, as_principal("alice-0001", get("/api/sessions"))).await;
    assert_eq!(listed["sessions"][0]["session_id"], "user_123");
    assert_eq!(listed["sessions"][0]["turns"], 1);
    let (status, _, json) = call(&f.state, post("/api/query", ask)).await;
    assert_eq!(status, 401, "{json}");
    let (status, _, _) = call(
        &f.state,
        as_principal("bad id with spaces", get("/api/sessions")),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let http = HttpSettings {
        cors_origins: vec!["https://teams.example.com".into()],
        ..HttpSettings::default()
    };
    let f = fixture_with(http, Arc::new(Extractive));
    let preflight = |origin: &str| {
        Request::options("/api/query")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, _) = call(&f.state, preflight("https://teams.example.com")).await;
    assert_eq!(status, 204);
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://teams.example.com"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let (status, headers, _) = call(&f.state, preflight("https://evil.example.com")).await;
    assert_eq!(status, 403);
    assert!(headers.get("access-control-allow-origin").is_none());
    let simple = Request::get("/api/stats")
        .header("origin", "https://teams.example.com")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = call(&f.state, simple).await;
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://teams.example.com"
    );
    let other = Request::get("/api/stats")
        .header("origin", "https://evil.example.com")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = call(&f.state, other).await;
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_api_key_is_required_when_configured() {
    let http = HttpSettings {
        api_key: Some(otis_app::Secret::new("k-123")),
        ..HttpSettings::default()
    };
    let f = fixture_with(http, Arc::new(Extractive));
    let (status, _, json) = call(&f.state, get("/api/sessions")).await;
    assert_eq!(status, 401);
    assert_eq!(json["error"]["code"], "unauthorized");
    let keyed = Request::get("/api/sessions")
        .header("x-api-key", "k-123")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&f.state, keyed).await.0, 200);
    let wrong = Request::get("/api/sessions")
        .header("x-api-key", "nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&f.state, wrong).await.0, 401);
    assert_eq!(
        call(&f.state, get("/api/health")).await.0,
        200,
        "health stays open"
    );
    let (_, _, stats) = call(
        &f.state,
        Request::get("/api/stats")
            .header("x-api-key", "k-123")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(!stats.to_string().contains("k-123"), "key in stats");
}

/// Parses an SSE body into (event, data) pairs.
fn events(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            (event, data)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn streaming_answers_are_well_framed_server_sent_events() {
    let f = fixture();
    let (url, _stop, _) = start(f.state.clone()).await;
    let response = client()
        .post(format!("{url}/api/query"))
        .header("accept", "text/event-stream")
        .body(json!({"question": "Who calls DATEUTIL?", "session_id": "sse", "enable_persistence": true, "stream": true}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = response.text().await.unwrap();
    let events = events(&text);
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names, ["delta", "done"], "{text}");
    let delta: Value = serde_json::from_str(&events[0].1).unwrap();
    // The sample's one caller of DATEUTIL.
    assert!(delta["text"].as_str().unwrap().contains("LONPF2"), "{text}");
    let done: Value = serde_json::from_str(&events[1].1).unwrap();
    assert_eq!(done["answer"], delta["text"]);
    assert_eq!(done["question_type"], "callers", "{text}");
    assert_eq!(done["persisted"], true);
}

/// Streams one piece, then waits: a long answer the client walks away from.
#[derive(Debug)]
struct SlowModel {
    pieces: usize,
}

#[async_trait::async_trait]
impl ChatModel for SlowModel {
    fn name(&self) -> String {
        "slow".into()
    }
    async fn complete(&self, _: &ChatRequest) -> Result<ChatResponse, ChatError> {
        Err(ChatError::Malformed("stream only".into()))
    }
    async fn stream(
        &self,
        _: &ChatRequest,
        sink: &mut dyn DeltaSink,
    ) -> Result<ChatResponse, ChatError> {
        let mut text = String::new();
        for i in 0..self.pieces {
            let piece = format!("piece{i} ");
            sink.delta(&piece);
            text.push_str(&piece);
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        Ok(ChatResponse {
            text,
            model: "slow".into(),
        })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_disconnects_mid_stream_still_gets_its_turn_stored_as_interrupted() {
    let f = fixture_with(
        HttpSettings::default(),
        Arc::new(SlowModel { pieces: 1000 }),
    );
    let (url, _stop, _) = start(f.state.clone()).await;
    let mut response = client()
        .post(format!("{url}/api/query"))
        .header("accept", "text/event-stream")
        .body(json!({"question": "What does LONPF2 do?", "session_id": "walked-away", "enable_persistence": true, "stream": true}).to_string())
        .send()
        .await
        .unwrap();
    let first = response.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("piece0"));
    drop(response);
    let session = SessionId::parse("walked-away").unwrap();
    let mut stored = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stored = f.store.load_latest(&session, 10).await.unwrap();
        if !stored.is_empty() {
            break;
        }
    }
    assert_eq!(stored.len(), 1, "the interrupted turn was dropped");
    assert_eq!(stored[0].user, "What does LONPF2 do?");
    assert!(
        stored[0].assistant.starts_with("piece0 "),
        "{}",
        stored[0].assistant
    );
    assert_eq!(stored[0].metadata["interrupted"], json!(true));
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_lets_answers_in_flight_finish_and_be_stored() {
    let f = fixture_with(HttpSettings::default(), Arc::new(SlowModel { pieces: 4 }));
    let (url, stop, server) = start(f.state.clone()).await;
    let request = client()
        .post(format!("{url}/api/query"))
        .header("accept", "text/event-stream")
        .body(json!({"question": "What does LONPF2 do?", "session_id": "in-flight", "enable_persistence": true, "stream": true}).to_string())
        .send();
    let reader = tokio::spawn(async move { request.await.unwrap().text().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    server.await.unwrap();
    let text = reader.await.unwrap();
    assert!(text.contains("event: done"), "{text}");
    let stored = f
        .store
        .load_latest(&SessionId::parse("in-flight").unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].assistant, "piece0 piece1 piece2 piece3 ");
    assert!(stored[0].metadata.get("interrupted").is_none());
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let f = fixture();
    let document = openapi::document();
    for route in openapi::ROUTES {
        assert!(
            document["paths"][route.path][route.method].is_object(),
            "{} {}",
            route.method,
            route.path
        );
        let mut path = route.path.to_owned();
        if route.query.iter().any(|(name, ..)| *name == "session_id") {
            path.push_str("?session_id=s");
        }
        let request = Request::builder()
            .method(route.method.to_uppercase().as_str())
            .uri(&path)
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"question":"What does LONPF2 do?","answer":"a"}"#,
            ))
            .unwrap();
        let (status, _, json) = call(&f.state, request).await;
        assert!(
            status != 404 && status != 405,
            "{} {} -> {status} {json}",
            route.method,
            route.path
        );
    }
    let (status, _, served) = call(&f.state, get("/api/openapi.json")).await;
    assert_eq!(status, 200);
    assert_eq!(served, document);
    assert_eq!(call(&f.state, get("/api/unknown")).await.0, 404);
}

#[tokio::test]
async fn feedback_is_stored_and_size_checked() {
    let f = fixture();
    let (status, _, json) = call(
        &f.state,
        post("/api/feedback", json!({"session_id": "s", "question": "q", "answer": "a", "comment": "wrong copybook", "rating": -1}).to_string()),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let stored = f.backend.feedback();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].comment.as_deref(), Some("wrong copybook"));
    assert_eq!(stored[0].rating, Some(-1));
    for body in [
        json!({"question": "q"}),
        json!({"question": "q", "answer": "a", "comment": "c".repeat(8 * 1024 + 1)}),
        json!({"question": "q", "answer": "a", "rating": 5}),
    ] {
        let (status, _, json) = call(&f.state, post("/api/feedback", body.to_string())).await;
        assert_eq!(status, 400, "{json}");
    }
    assert_eq!(f.backend.feedback().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn health_turns_503_when_the_table_service_stops() {
    let mut azurite = otis_testkit::azurite::Azurite::start();
    let mut values = BTreeMap::new();
    values.insert(
        "OTIS_DATA_DIR".to_string(),
        std::env::temp_dir()
            .join(format!("otis-func-health-{}", std::process::id()))
            .display()
            .to_string(),
    );
    values.insert(
        "AZURE_STORAGE_CONNECTION_STRING".to_string(),
        otis_testkit::azurite::connection_string(&azurite.endpoint),
    );
    let settings = Settings::from_values(&values, vec![]).unwrap();
    let app = otis_app::build(settings, otis_app::IndexMode::OpenOrBuild, &mut |_| {})
        .await
        .unwrap();
    let state = AppState::new(app);
    let (status, _, json) = call(&state, get("/api/health")).await;
    assert_eq!(status, 200, "{json}");
    azurite.stop();
    let (status, _, json) = call(&state, get("/api/health")).await;
    assert_eq!(status, 503, "{json}");
    assert_eq!(json["error"]["code"], "store_unavailable");
}

/// Runs the otis-func binary with `env`, asks one question, and stops it.
async fn ask_a_fresh_server(env: &[(String, String)], question: &str) -> Value {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_otis-func"))
        .args(["--port", &port.to_string()])
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let client = client();
    for _ in 0..200 {
        if client.get(format!("{url}/api/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let body = json!({"question": question, "session_id": "restart", "enable_persistence": true});
    let text = client
        .post(format!("{url}/api/query"))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&text).unwrap();
    child.kill().await.unwrap();
    answer
}

async fn remembers_across_server_processes(env: Vec<(String, String)>) {
    let first = ask_a_fresh_server(&env, "What does LONPF2 do?").await;
    assert_eq!(first["persisted"], true, "{first}");
    let second = ask_a_fresh_server(&env, "What copybooks does it use?").await;
    assert_eq!(
        second["resolved_question"], "What copybooks does LONPF2 use?",
        "{second}"
    );
    assert_eq!(second["question_type"], "copybooks", "{second}");
    let answer = second["answer"].as_str().unwrap();
    for copybook in ["LP01LN", "LONPF2_WKS", "LONPF2_SCN", "SCREEN", "DATE360"] {
        assert!(answer.contains(copybook), "{copybook}: {answer}");
    }
    assert_eq!(second["sources"][0]["file"], "LP/LONPF2.CBL", "{second}");
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("otis-func-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_store_remembers_across_server_processes() {
    let data = scratch("embedded");
    remembers_across_server_processes(vec![("OTIS_DATA_DIR".into(), data.display().to_string())])
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_tables_remember_across_server_processes() {
    let data = scratch("table");
    let endpoint = otis_testkit::azurite::shared_endpoint();
    remembers_across_server_processes(vec![
        ("OTIS_DATA_DIR".into(), data.display().to_string()),
        (
            "AZURE_STORAGE_CONNECTION_STRING".into(),
            otis_testkit::azurite::connection_string(&endpoint),
        ),
        (
            "OTIS_TABLE_NAME".into(),
            otis_testkit::azurite::fresh_table(),
        ),
    ])
    .await;
}

#[test]
fn the_function_app_folder_declares_exactly_the_served_routes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../function-app");
    let host: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("host.json")).unwrap()).unwrap();
    assert_eq!(
        host["customHandler"]["description"]["defaultExecutablePath"],
        "otis-func"
    );
    assert_eq!(host["customHandler"]["enableForwardingHttpRequest"], true);
    let prefix = host["extensions"]["http"]["routePrefix"].as_str().unwrap();
    assert_eq!(prefix, "", "the page is served at the site root");
    let mut declared = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path().join("function.json");
        if !path.exists() {
            continue;
        }
        let function: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let trigger = &function["bindings"][0];
        if trigger["type"] == "timerTrigger" {
            // The host invokes a non-HTTP function with a POST to its name.
            let name = path
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap();
            assert_eq!(trigger["schedule"], "%OTIS_PURGE_SCHEDULE%", "{name}");
            declared.insert(("post".to_owned(), format!("/{name}")));
            continue;
        }
        assert_eq!(trigger["type"], "httpTrigger", "{}", path.display());
        let route = match trigger["route"].as_str().unwrap() {
            // The host's way to route the site root to a function.
            "{ignored:maxlength(0)?}" => "/".to_owned(),
            route => format!("/{route}"),
        };
        for method in trigger["methods"].as_array().unwrap() {
            let method = method.as_str().unwrap();
            if method != "options" {
                declared.insert((method.to_owned(), route.clone()));
            }
        }
    }
    let served: std::collections::BTreeSet<(String, String)> = openapi::ROUTES
        .iter()
        .map(|r| (r.method, r.path))
        .chain(otis_func::page::PAGE_ROUTES.iter().copied())
        .map(|(method, path)| (method.to_owned(), path.to_owned()))
        .collect();
    assert_eq!(declared, served);
}

/// Loads fine, refuses every write: a store that fails after the answer.
#[derive(Debug)]
struct WritesFail(DynSessionStore);

#[async_trait::async_trait]
impl otis_core::ports::SessionStore for WritesFail {
    fn max_turn_bytes(&self) -> usize {
        self.0.max_turn_bytes()
    }
    async fn insert_turn(
        &self,
        _: &SessionId,
        _: &otis_core::Turn,
    ) -> Result<(), otis_core::ports::StoreError> {
        Err(otis_core::ports::StoreError::Unavailable(
            "table service unreachable".into(),
        ))
    }
    async fn load_latest(
        &self,
        session: &SessionId,
        n: u32,
    ) -> Result<Vec<otis_core::Turn>, otis_core::ports::StoreError> {
        self.0.load_latest(session, n).await
    }
    async fn history(
        &self,
        session: &SessionId,
        page: &PageRequest,
    ) -> Result<otis_core::ports::Page<otis_core::Turn>, otis_core::ports::StoreError> {
        self.0.history(session, page).await
    }
    async fn list_sessions(
        &self,
        page: &PageRequest,
    ) -> Result<
        otis_core::ports::Page<otis_core::ports::SessionSummary>,
        otis_core::ports::StoreError,
    > {
        self.0.list_sessions(page).await
    }
    async fn delete_session(
        &self,
        session: &SessionId,
    ) -> Result<u64, otis_core::ports::StoreError> {
        self.0.delete_session(session).await
    }
    async fn purge_inactive(
        &self,
        cutoff: otis_core::Timestamp,
    ) -> Result<u64, otis_core::ports::StoreError> {
        self.0.purge_inactive(cutoff).await
    }
}

#[tokio::test]
async fn a_failed_write_still_answers_and_says_so() {
    let f = fixture();
    let failing: DynSessionStore = Arc::new(WritesFail(f.store.clone()));
    let mut app = f.state.app.clone();
    app.assistant = Assistant::new(app.retriever.clone(), Arc::new(Extractive), Some(failing));
    let state = AppState::new(app);
    let (status, _, json) = call(
        &state,
        post("/api/query", json!({"question": "What does LONPF2 do?", "session_id": "s", "enable_persistence": true}).to_string()),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert!(
        json["answer"].as_str().unwrap().contains("LONPF2"),
        "{json}"
    );
    assert_eq!(json["persisted"], false);
    // In plain words: what the store said goes to the server log.
    let reported = json["persist_error"].as_str().unwrap();
    assert!(reported.contains("not stored"), "{json}");
    assert!(!reported.contains("unreachable"), "{json}");
}

/// Fails if `text` (what a caller got) carries a secret or anything an upstream said.
fn assert_no_leak(what: &str, text: &str) {
    for needle in [
        CANARY_KEY,
        CANARY_ACCOUNT_KEY,
        otis_testkit::scripted::ECHO_MARKER,
        "AuthenticationFailed",
        "Bearer",
        "SharedKey",
        "authorization",
        "api-key",
    ] {
        assert!(!text.contains(needle), "{what} leaks {needle:?}: {text}");
    }
}

async fn call_text(state: &Arc<AppState>, request: Request<Body>) -> (StatusCode, String) {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Model, search and storage upstreams that fail with a body echoing our request (key
/// included): callers get a stable code and a plain message, in JSON answers, SSE error
/// events, failed-write reports and the unauthenticated health check.
#[tokio::test(flavor = "multi_thread")]
async fn backend_error_text_never_reaches_callers() {
    use otis_testkit::scripted::{EchoForm, Reply, Scripted};
    let question = json!({"question": "Explain the interest calculation"}).to_string();

    // The model.
    let model_up = Scripted::start(vec![Reply::echo("401 Unauthorized", EchoForm::Json); 2]).await;
    let model = otis_llm::OpenAiChat::new(
        otis_llm::Endpoint::OpenAi {
            base_url: model_up.url.clone(),
            model: "m".into(),
        },
        CANARY_KEY.into(),
        otis_llm::ChatPolicy {
            retry: otis_llm::RetryPolicy::once(),
            ..Default::default()
        },
    )
    .unwrap();
    let f = fixture_with(HttpSettings::default(), Arc::new(model));
    let (status, text) = call_text(&f.state, post("/api/query", question.clone())).await;
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("\"model_error\""), "{text}");
    assert_no_leak("a model failure", &text);
    let streamed = json!({"question": "Explain the interest calculation", "stream": true});
    let streamed = Request::post("/api/query")
        .header("accept", "text/event-stream")
        .body(Body::from(streamed.to_string()))
        .unwrap();
    let (status, text) = call_text(&f.state, streamed).await;
    assert_eq!(status, 200);
    assert!(
        text.contains("event: error") && text.contains("model_error"),
        "{text}"
    );
    assert_no_leak("an SSE error event", &text);
    let sent = model_up.received();
    assert_eq!(sent.len(), 2, "the model was asked twice");
    assert!(
        sent[0]
            .header("authorization")
            .unwrap()
            .contains(CANARY_KEY)
    );

    // The search service.
    let search_up = Scripted::start(vec![Reply::echo("403 Forbidden", EchoForm::Json); 2]).await;
    let search = otis_search_azure::AzureSearch::new(otis_search_azure::SearchConfig {
        endpoint: search_up.url.clone(),
        key: CANARY_KEY.into(),
        indexes: vec!["cobol".into()],
        top_per_index: 5,
        api_version: "2024-07-01".into(),
        timeout: Duration::from_secs(5),
        retry: otis_search_azure::RetryPolicy::once(),
    })
    .unwrap();
    let f = fixture();
    let mut app_ = f.state.app.clone();
    app_.retriever = Arc::new(search.clone());
    app_.assistant = Assistant::new(
        Arc::new(search),
        Arc::new(Extractive),
        Some(f.store.clone()),
    );
    let state = AppState::new(app_);
    let (status, text) = call_text(&state, get("/api/health")).await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("index_unavailable"), "{text}");
    assert_no_leak("health with a failing search", &text);
    let (status, text) = call_text(&state, post("/api/query", question.clone())).await;
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("retrieval_error"), "{text}");
    assert_no_leak("a search failure", &text);
    assert_eq!(search_up.received()[0].header("api-key"), Some(CANARY_KEY));

    // The Table store: reads fail, then a read works and the write fails.
    let store_up = Scripted::start(vec![
        Reply::echo("403 Forbidden", EchoForm::StorageXml),
        Reply::echo("403 Forbidden", EchoForm::StorageXml),
        Reply::echo("403 Forbidden", EchoForm::StorageXml),
        Reply::json("200 OK", r#"{"value":[]}"#),
        Reply::echo("403 Forbidden", EchoForm::StorageXml),
    ])
    .await;
    let connection = otis_store_table::Connection::parse(&format!(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={CANARY_ACCOUNT_KEY};TableEndpoint={}/devstoreaccount1",
        store_up.url
    ))
    .unwrap();
    let policy = otis_store_table::ClientPolicy {
        retry: otis_store_table::RetryPolicy::once(),
        ..Default::default()
    };
    let table: DynSessionStore = Arc::new(
        otis_store_table::TableStore::open_existing(connection, "OTISChatHistory", policy).unwrap(),
    );
    let f = fixture();
    let mut app_ = f.state.app.clone();
    app_.store = table.clone();
    app_.assistant = Assistant::new(app_.retriever.clone(), Arc::new(Extractive), Some(table));
    let state = AppState::new(app_);
    let (status, text) = call_text(&state, get("/api/health")).await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("store_unavailable"), "{text}");
    assert_no_leak("health with a failing store", &text);
    let (status, text) = call_text(&state, get("/api/history?session_id=s")).await;
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("store_error"), "{text}");
    assert_no_leak("a failed history read", &text);
    let persisted =
        json!({"question": "What does LONPF2 do?", "session_id": "s", "enable_persistence": true})
            .to_string();
    let (status, text) = call_text(&state, post("/api/query", persisted.clone())).await;
    assert_eq!(status, 502, "{text}");
    assert_no_leak("a failed memory read", &text);
    let (status, text) = call_text(&state, post("/api/query", persisted)).await;
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["persisted"], false, "{text}");
    assert!(
        answer["persist_error"]
            .as_str()
            .unwrap()
            .contains("not stored")
    );
    assert_no_leak("a failed write report", &text);
    assert_eq!(
        store_up.received().len(),
        5,
        "every scripted reply was used"
    );
}

/// The detail of a failure goes to the server's log, with the key redacted.
#[tokio::test(flavor = "multi_thread")]
async fn the_server_log_has_the_detail_without_the_key() {
    use otis_testkit::scripted::{ECHO_MARKER, EchoForm, Reply, Scripted};
    let model_up = Scripted::start(vec![Reply::echo("401 Unauthorized", EchoForm::Json)]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = scratch("log");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_otis-func"))
        .args(["--port", &port.to_string()])
        .env("OTIS_DATA_DIR", data.display().to_string())
        .env("OPENAI_BASE_URL", &model_up.url)
        .env("OPENAI_API_KEY", CANARY_KEY)
        .env("OPENAI_MODEL", "m")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let client = client();
    for _ in 0..400 {
        if client.get(format!("{url}/api/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let response = client
        .post(format!("{url}/api/query"))
        .body(json!({"question": "Explain the interest calculation"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_no_leak("a model failure", &response.text().await.unwrap());
    child.start_kill().unwrap();
    let output = child.wait_with_output().await.unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains(ECHO_MARKER), "the detail is logged: {log}");
    assert!(log.contains("model_error"), "{log}");
    assert!(!log.contains(CANARY_KEY), "the key is redacted: {log}");
}
