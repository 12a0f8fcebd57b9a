//! Fuzzing request parsing through the router (proptest, fixed seed unless
//! `PROPTEST_RNG_SEED` is set; more cases with `PROPTEST_CASES`): generated bodies and
//! query strings never get a 5xx, and a 4xx never reads or writes memory or feedback.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::{Map, Value};

const SEED: u64 = 0x0715_2026;

fn config(default_cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(default_cases);
    if let Some(cases) = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    config
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        Just(String::new()),
        Just("   ".to_owned()),
        Just("What does LONPF2 do?".to_owned()),
        Just("\u{FFFD}\u{FFFD}".to_owned()),
        "[/#?%~'\\\\ ]{1,300}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        Just(Value::Array(vec![Value::from(1)])),
        Just(Value::Object(Map::new())),
    ]
}

/// JSON objects with the fields the API reads (and others), or raw bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let fields = prop::collection::btree_map(
        prop::sample::select(vec![
            "question",
            "session_id",
            "enable_persistence",
            "top_k",
            "temperature",
            "stream",
            "answer",
            "comment",
            "rating",
            "extra",
        ]),
        value(),
        0..8,
    )
    .prop_map(|map| {
        let object: Map<String, Value> = map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Value::Object(object).to_string().into_bytes()
    });
    prop_oneof![
        6 => fields,
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => Just(b"{\"question\":\"q\",\"session_id\":\"\xff\xfe\"}".to_vec()),
    ]
}

/// Query strings: names the API reads, values with escapes valid and not.
fn query() -> impl Strategy<Value = String> {
    let part = (
        prop::sample::select(vec!["session_id", "limit", "cursor", "x", "%FF", ""]),
        prop_oneof![
            "[a-zA-Z0-9/#?~'+ ]{0,30}",
            "(%[0-9A-Fa-f]{2}){1,8}",
            "%[G-Z]?",
            Just("%C0%AF".to_owned()),
            (0u32..2000).prop_map(|n| n.to_string()),
        ],
    )
        .prop_map(|(k, v)| format!("{k}={v}"));
    prop::collection::vec(part, 0..4).prop_map(|parts| parts.join("&"))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

async fn feedback_count(f: &crate::Fixture) -> usize {
    f.backend.feedback().len()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn generated_bodies_never_get_a_5xx_and_4xx_change_nothing(
        path in prop::sample::select(vec!["/api/query", "/api/feedback"]),
        bytes in body(),
    ) {
        runtime().block_on(async {
            let f = crate::fixture();
            let before = (crate::stored_sessions(&f.store).await, feedback_count(&f).await);
            let (status, text) = crate::call_text(&f.state, crate::post(path, bytes.clone())).await;
            let shown = String::from_utf8_lossy(&bytes).chars().take(120).collect::<String>();
            prop_assert!(status.as_u16() < 500, "{path} {shown}: {status} {text}");
            if status.is_client_error() {
                let after = (crate::stored_sessions(&f.store).await, feedback_count(&f).await);
                prop_assert_eq!(before, after, "{} {}: a 4xx stored something", path, shown);
            }
            Ok(())
        })?;
    }

    #[test]
    fn generated_query_strings_never_get_a_5xx_and_4xx_change_nothing(
        method in prop::sample::select(vec!["GET", "DELETE"]),
        path in prop::sample::select(vec!["/api/history", "/api/sessions"]),
        query in query(),
    ) {
        runtime().block_on(async {
            let f = crate::fixture();
            // One stored session, so that deletes and listings have something to touch.
            let seed = serde_json::json!({"question": "What does LONPF2 do?", "session_id": "s", "enable_persistence": true});
            crate::call_text(&f.state, crate::post("/api/query", seed.to_string())).await;
            let uri = format!("{path}?{query}");
            let Ok(request) = Request::builder().method(method).uri(&uri).body(Body::empty()) else {
                return Ok(()); // not a URI an HTTP client could send
            };
            let (status, text) = crate::call_text(&f.state, request).await;
            prop_assert!(status.as_u16() < 500, "{method} {uri}: {status} {text}");
            if status.is_client_error() {
                prop_assert_eq!(crate::stored_sessions(&f.store).await, 1, "{} {}: a 4xx deleted", method, uri);
            }
            Ok(())
        })?;
    }
}
