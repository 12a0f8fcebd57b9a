//! The chat-completions adapter against a loopback server speaking the documented wire
//! format: success, streaming, 429 with Retry-After, 5xx, 4xx, malformed bodies, silence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(feature = "local")]
mod local;

use std::time::{Duration, Instant};

use otis_core::ports::{ChatError, ChatModel, ChatRequest, DeltaSink};
use otis_llm::{ChatPolicy, Endpoint, OpenAiChat, RetryPolicy};
use otis_testkit::scripted::{ECHO_MARKER, EchoForm, Reply, Scripted};
use otis_testkit::secrets::shown;
use serde_json::Value;

const OK: &str = r#"{"id":"c1","object":"chat.completion","model":"gpt-4o-2024","choices":[{"index":0,"message":{"role":"assistant","content":"LONPF2 posts payments [1]."},"finish_reason":"stop"}]}"#;

fn request() -> ChatRequest {
    ChatRequest {
        question: "What does LONPF2 do?".into(),
        history: vec![],
        sources: vec![],
        temperature: 0.2,
        max_tokens: 64,
        facts: None,
    }
}

fn quick() -> ChatPolicy {
    ChatPolicy {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            max_elapsed: Duration::from_secs(10),
        },
        timeout: Duration::from_secs(5),
    }
}

fn azure(server: &Scripted, policy: ChatPolicy) -> OpenAiChat {
    OpenAiChat::new(
        Endpoint::Azure {
            endpoint: format!("{}/", server.url),
            deployment: "gpt4o".into(),
            api_version: "2024-06-01".into(),
        },
        "azure-secret-key".into(),
        policy,
    )
    .unwrap()
}

#[derive(Default)]
struct Collect(Vec<String>);

impl DeltaSink for Collect {
    fn delta(&mut self, text: &str) {
        self.0.push(text.to_owned());
    }
}

#[tokio::test]
async fn azure_success_sends_the_documented_request() {
    let server = Scripted::start(vec![Reply::json("200 OK", OK)]).await;
    let model = azure(&server, quick());
    let answer = model.complete(&request()).await.unwrap();
    assert_eq!(answer.text, "LONPF2 posts payments [1].");
    assert_eq!(answer.model, "gpt-4o-2024");
    assert_eq!(model.name(), "azure-openai:gpt4o");
    let sent = &server.received()[0];
    assert_eq!(
        sent.request_line,
        "POST /openai/deployments/gpt4o/chat/completions?api-version=2024-06-01 HTTP/1.1"
    );
    assert_eq!(sent.header("api-key"), Some("azure-secret-key"));
    assert_eq!(sent.header("authorization"), None);
    let body: Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(body["stream"], false);
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(body["messages"][0]["role"], "system");
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.ends_with("Question: What does LONPF2 do?"), "{user}");
    assert!(!format!("{model:?}").contains("azure-secret-key"));
}

#[tokio::test]
async fn openai_compatible_servers_get_a_bearer_key_and_a_model() {
    let server = Scripted::start(vec![Reply::json("200 OK", OK)]).await;
    let model = OpenAiChat::new(
        Endpoint::OpenAi {
            base_url: format!("{}/v1", server.url),
            model: "local-model".into(),
        },
        "sk-test".into(),
        quick(),
    )
    .unwrap();
    model.complete(&request()).await.unwrap();
    let sent = &server.received()[0];
    assert_eq!(sent.request_line, "POST /v1/chat/completions HTTP/1.1");
    assert_eq!(sent.header("authorization"), Some("Bearer sk-test"));
    let body: Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(body["model"], "local-model");
}

#[tokio::test]
async fn streaming_delivers_deltas_in_order() {
    let events = [
        r#"{"choices":[],"model":""}"#,
        r#"{"model":"gpt-4o-2024","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        r#"{"model":"gpt-4o-2024","choices":[{"index":0,"delta":{"content":"LONPF2 "}}]}"#,
        r#"{"model":"gpt-4o-2024","choices":[{"index":0,"delta":{"content":"posts payments."}}]}"#,
        r#"{"model":"gpt-4o-2024","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        "[DONE]",
    ];
    let server = Scripted::start(vec![Reply::sse(&events, Duration::from_millis(5))]).await;
    let mut sink = Collect::default();
    let answer = azure(&server, quick())
        .stream(&request(), &mut sink)
        .await
        .unwrap();
    assert_eq!(sink.0, ["LONPF2 ", "posts payments."]);
    assert_eq!(answer.text, "LONPF2 posts payments.");
    assert_eq!(answer.model, "gpt-4o-2024");
    let body: Value = serde_json::from_str(&server.received()[0].body).unwrap();
    assert_eq!(body["stream"], true);
}

#[tokio::test]
async fn throttling_waits_as_told_then_succeeds() {
    let server = Scripted::start(vec![
        Reply::with_headers("429 Too Many Requests", &[("retry-after-ms", "300")], ""),
        Reply::json("200 OK", OK),
    ])
    .await;
    let started = Instant::now();
    let answer = azure(&server, quick()).complete(&request()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "did not wait"
    );
    assert_eq!(answer.text, "LONPF2 posts payments [1].");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn endless_throttling_ends_as_rate_limited() {
    let throttled = || Reply::with_headers("429 Too Many Requests", &[("Retry-After", "0")], "");
    let server = Scripted::start(vec![throttled(), throttled(), throttled(), throttled()]).await;
    let err = azure(&server, quick())
        .complete(&request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChatError::RateLimited { retry_after: Some(d) } if d == Duration::ZERO),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = Scripted::start(vec![
        Reply::json("503 Service Unavailable", r#"{"error":{"message":"busy"}}"#),
        Reply::json("500 Internal Server Error", "oops"),
        Reply::json("200 OK", OK),
    ])
    .await;
    azure(&server, quick()).complete(&request()).await.unwrap();
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn client_errors_are_rejected_at_once_with_the_service_message() {
    let server = Scripted::start(vec![Reply::json(
        "400 Bad Request",
        r#"{"error":{"code":"context_length_exceeded","message":"This model's maximum context length is 8192 tokens."}}"#,
    )])
    .await;
    let err = azure(&server, quick())
        .complete(&request())
        .await
        .unwrap_err();
    match err {
        ChatError::Rejected { status, message } => {
            assert_eq!(status, 400);
            assert!(message.contains("maximum context length"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn malformed_answers_are_errors() {
    for body in [
        "{not json",
        r#"{"choices":[]}"#,
        r#"{"choices":[{"message":{}}]}"#,
    ] {
        let server = Scripted::start(vec![Reply::json("200 OK", body)]).await;
        let err = azure(&server, quick())
            .complete(&request())
            .await
            .unwrap_err();
        assert!(matches!(err, ChatError::Malformed(_)), "{body}: {err:?}");
    }
    let bad_event = Scripted::start(vec![Reply::sse(&["{oops"], Duration::ZERO)]).await;
    let err = azure(&bad_event, quick())
        .stream(&request(), &mut Collect::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ChatError::Malformed(_)), "{err:?}");
    let cut = Scripted::start(vec![Reply::sse(
        &[r#"{"choices":[{"delta":{"content":"half"}}]}"#],
        Duration::ZERO,
    )])
    .await;
    let err = azure(&cut, quick())
        .stream(&request(), &mut Collect::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChatError::Malformed(ref m) if m.contains("[DONE]")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let server = Scripted::start(vec![Reply::Silence]).await;
    let policy = ChatPolicy {
        timeout: Duration::from_millis(300),
        ..quick()
    };
    let err = azure(&server, policy)
        .complete(&request())
        .await
        .unwrap_err();
    assert!(matches!(err, ChatError::Timeout(_)), "{err:?}");
}

/// A model is given the same exact facts the extractive answerer uses: the question
/// kind, the subject, every item with its file and line, and the cited lines as
/// numbered sources.
#[tokio::test]
async fn the_prompt_carries_the_code_models_facts_and_cited_lines() {
    use otis_core::ports::{CodeFacts, Evidence, FactItem, Hit, QuestionKind, SymbolKind};
    let server = Scripted::start(vec![Reply::json("200 OK", OK)]).await;
    let model = azure(&server, quick());
    let facts = CodeFacts {
        kind: QuestionKind::Callers,
        subject: Some("PAYPST".into()),
        subject_kind: Some(SymbolKind::Program),
        file: Some("AC/PAYPST.CBL".into()),
        description: None,
        items: vec![FactItem {
            name: "ACMENU".into(),
            group: Some(otis_core::ports::ItemGroup::named("AC")),
            detail: None,
            file: "AC/ACMENU.CBL".into(),
            line: 80,
        }],
        notes: vec![(
            otis_core::ports::Note::ProgramsThatHandControlToIt,
            "GBMENU".into(),
        )],
        evidence: vec![Evidence {
            file: "AC/ACMENU.CBL".into(),
            line: 80,
            end_line: 80,
            member: Some("ACMENU".into()),
            text: "       M01. MOVE \"AC/PAYPST\" TO FORM-NAM.".into(),
        }],
        graph: None,
        diagram: None,
    };
    let mut grounded = request();
    grounded.question = "Who calls PAYPST?".into();
    grounded.sources = vec![Hit {
        id: "AC/ACMENU.CBL:80".into(),
        file: "AC/ACMENU.CBL".into(),
        program: Some("ACMENU".into()),
        lines: Some((80, 80)),
        score: 1.0,
        text: facts.evidence[0].text.clone(),
        facts: None,
    }];
    grounded.facts = Some(facts);
    model.complete(&grounded).await.unwrap();
    let body: Value = serde_json::from_str(&server.received()[0].body).unwrap();
    let user = body["messages"][1]["content"].as_str().unwrap();
    for needle in [
        "question kind: callers",
        "subject: PAYPST, a program",
        "- 1 items:",
        "ACMENU [AC] (AC/ACMENU.CBL:80)",
        "programs that hand control to it: GBMENU",
        "[1] AC/ACMENU.CBL lines 80-80 (ACMENU)",
        "M01. MOVE \"AC/PAYPST\" TO FORM-NAM.",
        "Question: Who calls PAYPST?",
    ] {
        assert!(
            user.contains(needle),
            "{needle:?} not in the prompt:\n{user}"
        );
    }
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("exact facts"), "{system}");
}

/// A service that quotes the key in its JSON error object, or echoes the request with
/// its `api-key` or `Authorization` header, on a 4xx and on a 5xx: the error keeps the
/// status and what the service said, never the key.
#[tokio::test]
async fn no_error_keeps_the_key_whatever_the_service_says() {
    const KEY: &str = "azure-secret-key";
    let quoting = Reply::json(
        "401 Unauthorized",
        r#"{"error":{"message":"Incorrect API key provided: azure-secret-key. Find your key in the portal.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
    );
    let once = ChatPolicy {
        retry: RetryPolicy::once(),
        ..quick()
    };
    let server = Scripted::start(vec![quoting]).await;
    let err = azure(&server, once).complete(&request()).await.unwrap_err();
    match &err {
        ChatError::Rejected { status, message } => {
            assert_eq!(*status, 401);
            assert!(message.contains("Incorrect API key provided"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!shown(&err).contains(KEY), "{}", shown(&err));

    for (status, form) in [
        ("401 Unauthorized", EchoForm::Json),
        ("500 Internal Server Error", EchoForm::Json),
        ("403 Forbidden", EchoForm::StorageXml),
    ] {
        // Azure OpenAI (api-key header) and an OpenAI-compatible server (bearer key).
        let server = Scripted::start(vec![Reply::echo(status, form); 2]).await;
        let openai = OpenAiChat::new(
            Endpoint::OpenAi {
                base_url: server.url.clone(),
                model: "m".into(),
            },
            KEY.into(),
            once,
        )
        .unwrap();
        for model in [azure(&server, once), openai] {
            let err = model.complete(&request()).await.unwrap_err();
            let text = shown(&err);
            assert!(text.contains(ECHO_MARKER), "{status}: {text}");
            assert!(text.contains(&status[..3]), "{status}: {text}");
            assert!(!text.contains(KEY), "{status}: the key leaked: {text}");
        }
        let sent = server.received();
        assert_eq!(sent[0].header("api-key"), Some(KEY));
        assert_eq!(
            sent[1].header("authorization"),
            Some("Bearer azure-secret-key")
        );
    }
}
