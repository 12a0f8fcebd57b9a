//! A real `otis` process against scripted loopback upstreams that echo the request they
//! got, key included (and one that quotes the key in its JSON error object): the model
//! (`OTIS_MODEL=azure-openai` and `openai`), Azure AI Search, Azure Tables and Redis.
//! stdout and stderr name the service, the status and what to check, and carry neither
//! the key nor anything the upstream said, with or without `-v`; with `RUST_LOG=debug`
//! what it said is there, without the key.

use std::path::{Path, PathBuf};

use otis_testkit::resp_echo::RespEcho;
use otis_testkit::scripted::{ECHO_MARKER, EchoForm, Reply, Scripted};
use otis_testkit::secrets::{CANARY_ACCOUNT_KEY, CANARY_KEY, CANARY_PASSWORD};

use crate::{data_dir, otis};

const QUESTION: &str = "Explain the interest calculation";

/// What a run printed.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `otis` with `env` and `args` (off the runtime, which serves the upstreams).
async fn run(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = otis(&data.to_path_buf());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args);
    let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Fails if what `run` printed carries a secret or anything an upstream said.
fn assert_clean(what: &str, run: &Run) {
    let printed = format!("{}\n{}", run.stdout, run.stderr);
    for needle in [
        CANARY_KEY,
        CANARY_ACCOUNT_KEY,
        CANARY_PASSWORD,
        "CANARY",
        ECHO_MARKER,
        "AuthenticationFailed",
        "Incorrect API key",
        "Bearer",
        "SharedKey",
        "authorization",
        "api-key",
    ] {
        assert!(
            !printed.contains(needle),
            "{what} prints {needle:?}:\n{printed}"
        );
    }
}

/// Fails unless stderr says `failed` and `check`, and the run ended with exit code 1.
fn assert_reported(what: &str, run: &Run, failed: &str, check: &str) {
    assert_eq!(run.code, Some(1), "{what}: {run:?}");
    assert!(run.stderr.contains(failed), "{what}: {}", run.stderr);
    assert!(
        run.stderr.contains(&format!("check: {check}")),
        "{what}: {}",
        run.stderr
    );
    assert_clean(what, run);
}

/// With `RUST_LOG=debug` the upstream's account is on stderr, without the secrets.
fn assert_detail_without_secrets(what: &str, run: &Run) {
    assert!(
        run.stderr.contains("debug:") && run.stderr.contains(ECHO_MARKER),
        "{what}: the detail is shown: {}",
        run.stderr
    );
    for secret in [CANARY_KEY, CANARY_ACCOUNT_KEY, CANARY_PASSWORD] {
        assert!(
            !run.stderr.contains(secret),
            "{what}: {secret} leaked: {}",
            run.stderr
        );
    }
}

fn data(tag: &str) -> PathBuf {
    data_dir(&format!("secrets-{tag}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_model_is_named_with_its_status_never_its_words() {
    let data = data("model");
    // Azure OpenAI: api-key header. 401 is not retried: one request per ask.
    let azure = Scripted::start(vec![Reply::echo("401 Unauthorized", EchoForm::Json); 3]).await;
    let env = [
        ("OTIS_MODEL", "azure-openai"),
        ("AZURE_OPENAI_ENDPOINT", azure.url.as_str()),
        ("AZURE_OPENAI_DEPLOYMENT", "gpt"),
        ("AZURE_OPENAI_KEY", CANARY_KEY),
    ];
    for args in [vec!["ask", QUESTION], vec!["ask", "-v", QUESTION]] {
        let out = run(&data, &env, &args).await;
        assert_reported(
            &format!("azure-openai {args:?}"),
            &out,
            "the model failed to answer (the model service answered 401 Unauthorized)",
            "AZURE_OPENAI_KEY",
        );
    }
    let mut debug = env.to_vec();
    debug.push(("RUST_LOG", "debug"));
    let out = run(&data, &debug, &["ask", QUESTION]).await;
    assert_eq!(out.code, Some(1));
    assert_detail_without_secrets("azure-openai with RUST_LOG=debug", &out);
    let sent = azure.received();
    assert_eq!(sent.len(), 3, "one request per ask");
    assert_eq!(
        sent[0].header("api-key"),
        Some(CANARY_KEY),
        "the echo had the key"
    );

    // An OpenAI-compatible server: bearer key; first a JSON error object that quotes
    // the key, as OpenAI's own does, then echoes.
    let quoting = Reply::json(
        "401 Unauthorized",
        format!(
            r#"{{"error":{{"message":"Incorrect API key provided: {CANARY_KEY}.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}}}"#
        ),
    );
    let openai = Scripted::start(vec![
        quoting,
        Reply::echo("401 Unauthorized", EchoForm::Json),
        Reply::echo("401 Unauthorized", EchoForm::Json),
    ])
    .await;
    let env = [
        ("OTIS_MODEL", "openai"),
        ("OPENAI_BASE_URL", openai.url.as_str()),
        ("OPENAI_MODEL", "m"),
        ("OPENAI_API_KEY", CANARY_KEY),
    ];
    for args in [vec!["ask", QUESTION], vec!["ask", "-v", QUESTION]] {
        let out = run(&data, &env, &args).await;
        assert_reported(
            &format!("openai {args:?}"),
            &out,
            "the model failed to answer (the model service answered 401 Unauthorized)",
            "OPENAI_API_KEY",
        );
    }
    let mut debug = env.to_vec();
    debug.push(("RUST_LOG", "otis=debug"));
    let out = run(&data, &debug, &["ask", QUESTION]).await;
    assert_detail_without_secrets("openai with RUST_LOG=otis=debug", &out);
    assert_eq!(
        openai.received()[0].header("authorization"),
        Some(format!("Bearer {CANARY_KEY}").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_search_service_is_named_with_its_status_never_its_words() {
    let data = data("search");
    let search = Scripted::start(vec![Reply::echo("403 Forbidden", EchoForm::Json); 3]).await;
    let env = [
        ("SEARCH_ENDPOINT", search.url.as_str()),
        ("SEARCH_KEY", CANARY_KEY),
        ("SEARCH_INDEXES", "cobol"),
    ];
    for args in [vec!["ask", QUESTION], vec!["ask", "-v", QUESTION]] {
        let out = run(&data, &env, &args).await;
        assert_reported(
            &format!("search {args:?}"),
            &out,
            "the code search failed (the code search answered 403 Forbidden)",
            "SEARCH_KEY",
        );
    }
    let mut debug = env.to_vec();
    debug.push(("RUST_LOG", "debug"));
    let out = run(&data, &debug, &["ask", QUESTION]).await;
    assert_detail_without_secrets("search with RUST_LOG=debug", &out);
    assert_eq!(search.received()[0].header("api-key"), Some(CANARY_KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_table_service_is_named_with_its_status_never_its_words() {
    let data = data("table");
    let echo = || Reply::echo("403 Forbidden", EchoForm::StorageXml);
    let table = Scripted::start(vec![
        // Opening the store (create the table) fails, for ask, ask -v and sessions list.
        echo(),
        echo(),
        echo(),
        echo(),
        // Then the table exists and the conversation loads, but the write fails.
        Reply::json("204 No Content", ""),
        Reply::json("200 OK", r#"{"value":[]}"#),
        echo(),
    ])
    .await;
    let connection = format!(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={CANARY_ACCOUNT_KEY};TableEndpoint={}/devstoreaccount1",
        table.url
    );
    let env = [("AZURE_STORAGE_CONNECTION_STRING", connection.as_str())];
    let failed = "the conversation store failed (the conversation store answered 403 Forbidden)";
    let check = "the account key or SAS in AZURE_STORAGE_CONNECTION_STRING";
    for args in [
        vec!["ask", "--session", "s", QUESTION],
        vec!["ask", "-v", "--session", "s", QUESTION],
        vec!["sessions", "list"],
    ] {
        let out = run(&data, &env, &args).await;
        assert_reported(&format!("table {args:?}"), &out, failed, check);
    }
    let mut debug = env.to_vec();
    debug.push(("RUST_LOG", "debug"));
    let out = run(&data, &debug, &["sessions", "list"]).await;
    assert_detail_without_secrets("table with RUST_LOG=debug", &out);

    // A failed write: the answer is printed, with plain words about the turn.
    let out = run(&data, &env, &["ask", "--json", "--session", "s", QUESTION]).await;
    assert_eq!(out.code, Some(0), "{out:?}");
    let record: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(record["persisted"], false);
    assert_eq!(record["persist_error"], otis_app::TURN_NOT_STORED);
    assert!(
        out.stderr
            .contains("warning: session s: the turn was not stored"),
        "{}",
        out.stderr
    );
    assert_clean("a failed write", &out);
    assert_eq!(table.received().len(), 7, "every scripted reply was used");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_redis_is_named_never_its_words() {
    let data = data("redis");
    let redis = RespEcho::start().await;
    let url = redis.url_with_password(CANARY_PASSWORD);
    let env = [("OTIS_STORE", "redis"), ("REDIS_URL", url.as_str())];
    for (args, failed) in [
        (
            vec!["ask", "--session", "s", QUESTION],
            "could not read the conversation: the conversation store failed",
        ),
        (
            vec!["ask", "-v", "--session", "s", QUESTION],
            "could not read the conversation: the conversation store failed",
        ),
        (
            vec!["sessions", "list"],
            "listing sessions: the conversation store failed",
        ),
    ] {
        let out = run(&data, &env, &args).await;
        assert_reported(&format!("redis {args:?}"), &out, failed, "REDIS_URL");
    }
    let mut debug = env.to_vec();
    debug.push(("RUST_LOG", "debug"));
    let out = run(&data, &debug, &["sessions", "list"]).await;
    assert_detail_without_secrets("redis with RUST_LOG=debug", &out);
    assert!(out.stderr.contains("AUTH <redacted>"), "{}", out.stderr);
}
