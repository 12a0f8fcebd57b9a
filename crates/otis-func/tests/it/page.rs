//! The chat page's server side, over HTTP: the page and its assets under a strict CSP,
//! `GET /api/source` confined to the corpus, `answer_html` in every form of the record,
//! and SSE chosen by `Accept` (old clients sending `"stream": true` get JSON). The page
//! itself is tested in a real browser (`tests/browser`).

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use otis_answer::Extractive;
use otis_app::HttpSettings;
use otis_core::SessionId;
use otis_core::ports::SessionStore;
use otis_func::AppState;
use otis_func::page::CONTENT_SECURITY_POLICY;
use otis_index::LocalIndex;
use otis_store_mem::MemoryStore;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::common::{memory_app, sample_index, test_settings};
use super::{call, events, fixture, fixture_with, get, post, scratch};

async fn raw(
    state: &Arc<AppState>,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = otis_func::app(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_under_a_strict_csp() {
    let f = fixture();
    let (status, headers, html) = raw(&f.state, get("/")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert_eq!(csp, CONTENT_SECURITY_POLICY);
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    for loose in [
        "unsafe-inline",
        "unsafe-eval",
        "http:",
        "https:",
        "*",
        "data:",
    ] {
        assert!(!csp.contains(loose), "{loose} in {csp}");
    }
    assert_eq!(headers["x-content-type-options"], "nosniff");
    // No inline script, style or handler in the page.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<script src=\"/assets/app.js\" defer></script>"));
    for inline in ["style=", "<style", " onclick", " onload", "javascript:"] {
        assert!(!html.contains(inline), "{inline} in the page");
    }
    let mut texts = vec![html];
    for (name, content_type) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let (status, headers, body) = raw(&f.state, get(&format!("/assets/{name}"))).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(headers["content-type"], content_type, "{name}");
        assert!(!body.is_empty());
        if name != "favicon.svg" {
            texts.push(body);
        }
    }
    // Nothing from another origin: no URL to any host in the page, script or styles.
    for text in &texts {
        assert!(!text.contains("http://") && !text.contains("https://"));
    }
    // The script parses HTML in one place only, for the server's sanitised answer.
    let script = &texts[1];
    assert_eq!(script.matches("innerHTML").count(), 1);
    for sink in [
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "DOMParser",
    ] {
        assert!(!script.contains(sink), "{sink} in app.js");
    }
    assert_eq!(raw(&f.state, get("/assets/nope.js")).await.0, 404);
    assert_eq!(raw(&f.state, get("/assets/../Cargo.toml")).await.0, 404);
}

#[tokio::test]
async fn the_page_loads_without_the_api_key_and_the_api_still_needs_it() {
    let http = HttpSettings {
        api_key: Some(otis_app::Secret::new("k-page")),
        ..HttpSettings::default()
    };
    let f = fixture_with(http, Arc::new(Extractive));
    for open in ["/", "/assets/app.js", "/assets/app.css", "/api/health"] {
        assert_eq!(raw(&f.state, get(open)).await.0, 200, "{open}");
    }
    for closed in [
        "/api/source?file=LP/LONPF2.CBL",
        "/api/stats",
        "/api/sessions",
        "/api/history?session_id=s",
    ] {
        assert_eq!(raw(&f.state, get(closed)).await.0, 401, "{closed}");
    }
    let keyed = Request::get("/api/source?file=LP/LONPF2.CBL")
        .header("x-api-key", "k-page")
        .body(Body::empty())
        .unwrap();
    assert_eq!(raw(&f.state, keyed).await.0, 200);
}

#[tokio::test]
async fn source_reads_cited_lines_of_the_sample_corpus() {
    let f = fixture();
    let (status, _, body) = call(
        &f.state,
        get("/api/source?file=LP/LONPF2.CBL&start=31&end=31"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["file"], "LP/LONPF2.CBL");
    assert_eq!(
        (body["start"].as_u64(), body["end"].as_u64()),
        (Some(31), Some(31))
    );
    assert_eq!(body["lines"], json!(["       COPY \"LIBLP/LP01LN.CPY\"."]));
    let total = body["total_lines"].as_u64().unwrap();
    // The end is clipped to the file; a missing end means one line.
    let (_, _, tail) = call(
        &f.state,
        get(&format!(
            "/api/source?file=LP/LONPF2.CBL&start={total}&end={}",
            total + 500
        )),
    )
    .await;
    assert_eq!(tail["end"].as_u64(), Some(total));
    assert_eq!(tail["lines"].as_array().unwrap().len(), 1);
    let (_, _, one) = call(&f.state, get("/api/source?file=LP/LONPF2.CBL&start=2")).await;
    assert_eq!(one["lines"], json!(["       PROGRAM-ID.      LONPF2."]));
}

/// A corpus with one program, a symlink to a file outside it, a symlinked folder
/// leading out, a hidden file and the index folder inside it.
fn corpus_with_escapes(tag: &str) -> (std::path::PathBuf, LocalIndex) {
    let root = scratch(tag);
    let corpus = root.join("corpus");
    let outside = root.join("outside");
    std::fs::create_dir_all(corpus.join("LP")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        corpus.join("LP/PROG.CBL"),
        "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. PROG.\n",
    )
    .unwrap();
    std::fs::write(outside.join("SECRET.CBL"), "       SECRET.\n").unwrap();
    std::os::unix::fs::symlink(outside.join("SECRET.CBL"), corpus.join("LP/LEAK.CBL")).unwrap();
    std::os::unix::fs::symlink(&outside, corpus.join("OUT")).unwrap();
    std::fs::write(corpus.join(".env"), "KEY=1\n").unwrap();
    let index_dir = corpus.join(".otis-index");
    let (index, _) = LocalIndex::build(&corpus, &index_dir, &mut |_| {}).unwrap();
    (index_dir, index)
}

fn state_over(index: LocalIndex, index_dir: &Path) -> Arc<AppState> {
    let settings = test_settings(&[("OTIS_INDEX_DIR", index_dir.display().to_string())]);
    AppState::new(memory_app(
        index,
        Arc::new(Extractive),
        Arc::new(MemoryStore::new()),
        settings,
    ))
}

#[tokio::test]
async fn source_refuses_everything_outside_the_corpus_and_huge_ranges() {
    let (index_dir, index) = corpus_with_escapes("source-escapes");
    let state = state_over(index, &index_dir);
    let (status, _, body) = call(&state, get("/api/source?file=LP/PROG.CBL&start=1&end=2")).await;
    assert_eq!(status, 200, "{body}");
    let cases: &[(&str, u16, &str)] = &[
        ("", 400, "file: is required"),
        ("file=", 400, "file: must not be empty"),
        ("file=/etc/passwd", 400, "file: must be relative"),
        ("file=%2Fetc%2Fpasswd", 400, "file: must be relative"),
        ("file=../outside/SECRET.CBL", 400, "file: must not contain"),
        (
            "file=LP/../../outside/SECRET.CBL",
            400,
            "file: must not contain",
        ),
        ("file=LP/./PROG.CBL", 400, "file: must not contain"),
        ("file=LP//PROG.CBL", 400, "file: must not contain"),
        ("file=LP%5C..%5C..%5Cx", 400, "file: must be a corpus path"),
        ("file=C:%5Cx", 400, "file: must be a corpus path"),
        ("file=LP/PROG.CBL%00", 400, "file: must be a corpus path"),
        ("file=LP/LEAK.CBL", 403, "file: leads outside the corpus"),
        ("file=OUT/SECRET.CBL", 403, "file: leads outside the corpus"),
        ("file=.env", 404, "no such file"),
        ("file=.otis-index/manifest.json", 404, "no such file"),
        ("file=LP", 404, "no such file"),
        ("file=LP/NOPE.CBL", 404, "no such file"),
        (
            "file=LP/PROG.CBL&start=0",
            400,
            "start: must be a line number",
        ),
        (
            "file=LP/PROG.CBL&start=x",
            400,
            "start: must be a line number",
        ),
        (
            "file=LP/PROG.CBL&start=-1",
            400,
            "start: must be a line number",
        ),
        (
            "file=LP/PROG.CBL&start=2&end=1",
            400,
            "end: must not be before start",
        ),
        (
            "file=LP/PROG.CBL&start=1&end=1001",
            400,
            "end: a range of at most 1000",
        ),
        (
            "file=LP/PROG.CBL&start=1&end=4294967295",
            400,
            "end: a range of at most 1000",
        ),
        (
            "file=LP/PROG.CBL&start=3",
            400,
            "start: is past the end of the file (2 lines)",
        ),
        ("file=a&file=b", 400, "file: is given more than once"),
    ];
    for (query, want, message) in cases {
        let (status, _, body) = call(&state, get(&format!("/api/source?{query}"))).await;
        assert_eq!(status.as_u16(), *want, "{query}: {body}");
        let got = body["error"]["message"].as_str().unwrap_or_default();
        assert!(got.contains(message), "{query}: {got}");
        assert!(!body.to_string().contains("SECRET"), "{query}: {body}");
    }
}

#[tokio::test]
async fn answers_carry_sanitised_html_as_json_as_events_and_in_history() {
    let f = fixture();
    let hostile = "What does <img src=x onerror=alert(1)> LONPF2 <script>alert(2)</script> do?";
    let (status, headers, record) = call(
        &f.state,
        post(
            "/api/query",
            json!({"question": hostile, "session_id": "html", "enable_persistence": true})
                .to_string(),
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let html = record["answer_html"].as_str().unwrap();
    assert!(html.starts_with("<p>") && html.contains("LONPF2"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );

    let streamed = Request::post("/api/query")
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(Body::from(
            json!({"question": "What does LONPF2 do?", "session_id": "html", "enable_persistence": true})
                .to_string(),
        ))
        .unwrap();
    let (status, headers, text) = raw(&f.state, streamed).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/event-stream");
    let done = events(&text)
        .into_iter()
        .find(|(name, _)| name == "done")
        .unwrap();
    let done: Value = serde_json::from_str(&done.1).unwrap();
    assert!(
        done["answer_html"].as_str().unwrap().starts_with("<p>"),
        "{done}"
    );

    let (_, _, history) = call(&f.state, get("/api/history?session_id=html")).await;
    let turns = history["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0]["assistant_html"], record["answer_html"]);
    assert_eq!(turns[1]["assistant_html"], done["answer_html"]);
}

/// The server with the sample corpus's code model, so flow questions get a graph.
fn state_with_code_model() -> (Arc<AppState>, Arc<MemoryStore>) {
    let index = sample_index();
    let store = Arc::new(MemoryStore::new());
    let mut app = memory_app(
        index.clone(),
        Arc::new(Extractive),
        store.clone(),
        test_settings(&[]),
    );
    app.assistant = app.assistant.with_code_model(index.code_model());
    (AppState::new(app), store)
}

#[tokio::test]
async fn history_draws_a_stored_flow_answers_diagram_again() {
    let (state, store) = state_with_code_model();
    let ask = |question: &str| {
        post(
            "/api/query",
            json!({"question": question, "session_id": "flows", "enable_persistence": true})
                .to_string(),
        )
    };
    let (status, _, flow) = call(&state, ask("Show me a flow of LONPF2")).await;
    assert_eq!(status, 200, "{flow}");
    assert!(
        flow["diagram"]["svg"].as_str().unwrap().starts_with("<svg"),
        "{flow}"
    );
    let (_, _, list) = call(&state, ask("What copybooks does it use?")).await;
    assert_eq!(list["diagram"], Value::Null, "{list}");

    // What the store keeps: the graph, compactly, not the drawing.
    let session = SessionId::parse("flows").unwrap();
    let stored = store.load_latest(&session, 10).await.unwrap();
    let kept = &stored[0].metadata[otis_core::stored_graph::KEY];
    let kept_bytes = kept.to_string().len();
    assert!(
        kept_bytes < flow["diagram"]["svg"].as_str().unwrap().len(),
        "{kept_bytes} bytes kept"
    );
    assert_eq!(stored[1].metadata.get("graph"), None);

    // A turn stored before graphs were kept, and one whose graph does not read.
    let mut old = stored[0].clone();
    old.seq = stored[1].seq.next();
    old.id = otis_core::TurnId::parse("old").unwrap();
    old.metadata.remove("graph");
    store.insert_turn(&session, &old).await.unwrap();
    let mut broken = stored[0].clone();
    broken.seq = old.seq.next();
    broken.id = otis_core::TurnId::parse("broken").unwrap();
    broken
        .metadata
        .insert("graph".into(), json!({"nodes": "?"}));
    store.insert_turn(&session, &broken).await.unwrap();

    let (status, _, history) = call(&state, get("/api/history?session_id=flows")).await;
    assert_eq!(status, 200, "{history}");
    let turns = history["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 4);
    // Drawn again, the same drawing byte for byte.
    assert_eq!(turns[0]["diagram"], flow["diagram"]);
    assert_eq!(turns[0]["assistant_html"], flow["answer_html"]);
    for turn in &turns[1..] {
        assert_eq!(turn.get("diagram"), None, "{turn}");
        assert!(turn["assistant_html"].is_string(), "{turn}");
    }
}

#[tokio::test]
async fn server_sent_events_are_chosen_by_accept_not_by_stream() {
    let f = fixture();
    let body = json!({"question": "Who calls DATEUTIL?", "stream": true}).to_string();
    let cases: &[(Option<&str>, &str)] = &[
        // The previous system's page: "stream": true, reads JSON.
        (None, "application/json"),
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (
            Some("text/event-stream;q=0, application/json"),
            "application/json",
        ),
        (Some("text/event-stream"), "text/event-stream"),
        (
            Some("application/json, Text/Event-Stream;q=0.5"),
            "text/event-stream",
        ),
    ];
    for (accept, want) in cases {
        let mut request = Request::post("/api/query").header("content-type", "application/json");
        if let Some(accept) = accept {
            request = request.header("accept", *accept);
        }
        let (status, headers, text) =
            raw(&f.state, request.body(Body::from(body.clone())).unwrap()).await;
        assert_eq!(status, 200, "{accept:?}");
        assert_eq!(headers["content-type"], *want, "{accept:?}");
        if *want == "application/json" {
            let record: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(record["question_type"], "callers", "{accept:?}");
        }
    }
    // SSE without "stream" at all.
    let request = Request::post("/api/query")
        .header("accept", "text/event-stream")
        .body(Body::from(
            json!({"question": "Who calls DATEUTIL?"}).to_string(),
        ))
        .unwrap();
    assert_eq!(
        raw(&f.state, request).await.1["content-type"],
        "text/event-stream"
    );
}
