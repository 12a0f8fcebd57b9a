//! The `otis` binary, driven as a user would: ask with memory across processes, session
//! administration, migrate-legacy on Azurite fixtures, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod purge;
mod secrets;

use std::path::PathBuf;

use assert_cmd::Command;
use otis_testkit::azurite;

/// A fresh data folder, so each test has its own index and embedded store.
fn data_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("otis-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn otis(data: &PathBuf) -> Command {
    let mut cmd = Command::cargo_bin("otis").unwrap();
    cmd.env_clear()
        .env("OTIS_DATA_DIR", data)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir());
    cmd
}

/// The copybooks of the sample's LONPF2, in the order of its COPY statements.
const LONPF2_COPYBOOKS: [&str; 7] = [
    "LP01LN",
    "FORMW",
    "DATE360W",
    "LONPF2_WKS",
    "LONPF2_SCN",
    "SCREEN",
    "DATE360",
];

/// The value printed after `label:` on a line of `otis ask -v`.
fn field<'a>(out: &'a str, label: &str) -> Option<&'a str> {
    out.lines()
        .find_map(|l| l.strip_prefix(label)?.strip_prefix(':'))
        .map(str::trim)
}

fn stdout(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_follow_up_in_a_new_process_knows_what_it_is() {
    let data = data_dir("follow-up");
    let first = stdout(otis(&data).args(["ask", "--session", "demo", "What does LONPF2 do?"]));
    assert!(
        first.to_ascii_lowercase().contains("loan payment posting"),
        "{first}"
    );
    // Cited at the header's DESCRIPTION.
    assert!(first.contains("[1] LP/LONPF2.CBL:6-8 (LONPF2)"), "{first}");
    let second = stdout(otis(&data).args([
        "ask",
        "--session",
        "demo",
        "What copybooks does it use?",
        "-v",
    ]));
    assert_eq!(
        field(&second, "resolved question"),
        Some("What copybooks does LONPF2 use?"),
        "{second}"
    );
    assert_eq!(
        field(&second, "question type"),
        Some("copybooks"),
        "{second}"
    );
    for copybook in LONPF2_COPYBOOKS {
        assert!(second.contains(copybook), "{copybook}: {second}");
    }
    assert!(
        second.contains("[1] LP/LONPF2.CBL:31-31 (LONPF2)"),
        "{second}"
    );
    assert!(second.contains("timing ms: resolve"), "{second}");
    assert!(second.contains("turn saved in session demo"), "{second}");
}

#[test]
fn json_output_is_the_api_record() {
    let data = data_dir("json");
    let out = stdout(otis(&data).args(["ask", "--json", "Who calls DATEUTIL?"]));
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["question_type"], "callers", "{out}");
    assert_eq!(record["subject"], "DATEUTIL", "{out}");
    assert!(
        record["answer"].as_str().unwrap().contains("LONPF2"),
        "{out}"
    );
    // The one caller, cited at its static CALL.
    let items = record["facts"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{out}");
    assert_eq!(items[0]["name"], "LONPF2");
    assert_eq!(record["sources"][0]["file"], "LP/LONPF2.CBL");
    assert_eq!(record["sources"][0]["lines"], serde_json::json!([97, 97]));
    assert_eq!(record["persisted"], false);
    assert_eq!(record["session_id"], serde_json::Value::Null);
    for key in [
        "question",
        "resolved_question",
        "sources",
        "duration_ms",
        "timing",
        "model",
    ] {
        assert!(record.get(key).is_some(), "missing {key}: {out}");
    }
}

#[test]
fn sessions_list_show_export_import_delete() {
    let data = data_dir("sessions");
    stdout(otis(&data).args(["ask", "--session", "o'brien/1", "What does LONPF3 do?"]));
    let list = stdout(otis(&data).args(["sessions", "list"]));
    assert!(list.contains("o'brien/1"), "{list}");
    let show = stdout(otis(&data).args(["sessions", "show", "o'brien/1"]));
    assert!(show.contains("Q: What does LONPF3 do?"), "{show}");
    let export = stdout(otis(&data).args(["sessions", "export", "o'brien/1"]));
    let file = data.join("export.json");
    std::fs::write(&file, &export).unwrap();
    let imported = stdout(
        otis(&data)
            .args(["sessions", "import"])
            .arg(&file)
            .args(["--as", "copy"]),
    );
    assert!(
        imported.contains("Imported 1 turns into session copy"),
        "{imported}"
    );
    let again = otis(&data)
        .args(["sessions", "import"])
        .arg(&file)
        .args(["--as", "copy"])
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "importing over a session must be refused"
    );
    let copy = stdout(otis(&data).args(["sessions", "show", "copy", "--json"]));
    let copy: serde_json::Value = serde_json::from_str(&copy).unwrap();
    let original: serde_json::Value = serde_json::from_str(&export).unwrap();
    assert_eq!(copy["turns"], original["turns"]);
    let deleted = stdout(otis(&data).args(["sessions", "delete", "o'brien/1"]));
    assert!(deleted.contains("1 turns"), "{deleted}");
    let list = stdout(otis(&data).args(["sessions", "list"]));
    assert!(
        !list.contains("o'brien/1") && list.contains("copy"),
        "{list}"
    );
}

#[test]
fn migrate_legacy_rewrites_python_rows_on_azure_tables() {
    let data = data_dir("migrate");
    let endpoint = azurite::shared_endpoint();
    let connection = azurite::connection_string(&endpoint);
    let table = azurite::fresh_table();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let conn = otis_store_table::Connection::parse(&connection).unwrap();
        let store = otis_store_table::TableStore::open(conn, &table, Default::default())
            .await
            .unwrap();
        for i in 0..2 {
            let mut entity = otis_store_table::Entity::new();
            entity.insert("PartitionKey".into(), "user_1700000000_ab12".into());
            entity.insert("RowKey".into(), format!("{i:04}").into());
            entity.insert("timestamp".into(), "2024-05-01T12:00:00.000001".into());
            entity.insert(
                "user".into(),
                format!("What does LONPF{} do?", i + 2).into(),
            );
            entity.insert("assistant".into(), "old answer".into());
            entity.insert(
                "metadata_json".into(),
                "{'program': 'LONPF2', 'ok': True}".into(),
            );
            store.client().insert(&table, &entity).await.unwrap();
        }
    });
    let run = |args: &[&str]| {
        let mut cmd = otis(&data);
        cmd.env("AZURE_STORAGE_CONNECTION_STRING", &connection)
            .env("OTIS_TABLE_NAME", &table)
            .args(args);
        stdout(&mut cmd)
    };
    let first = run(&["sessions", "migrate-legacy"]);
    assert!(first.contains("Migrated 1 sessions (2 turns)"), "{first}");
    let second = run(&["sessions", "migrate-legacy"]);
    assert!(second.contains("Migrated 0 sessions (0 turns)"), "{second}");
    let list = run(&["sessions", "list"]);
    assert!(
        list.contains("user_1700000000_ab12") && list.contains(" 2 "),
        "{list}"
    );
    let follow = run(&[
        "ask",
        "--session",
        "user_1700000000_ab12",
        "Which copybooks does it use?",
        "-v",
    ]);
    assert!(
        follow.contains("resolved question: Which copybooks does LONPF3 use?"),
        "{follow}"
    );
}

/// Arguments, extra environment, and what the error must say.
type BadCase<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);

#[test]
fn bad_input_is_a_clear_error_with_exit_code_2() {
    let data = data_dir("bad");
    let cases: Vec<BadCase> = vec![
        (
            vec!["ask", ""],
            vec![],
            "invalid question: must not be empty",
        ),
        (vec!["ask", "   "], vec![], "invalid question"),
        (
            vec!["ask", "--session", "", "x"],
            vec![],
            "invalid session id",
        ),
        (vec!["ask", "--top-k", "0", "x"], vec![], "invalid top_k"),
        (
            vec!["ask", "x"],
            vec![("OTIS_MAX_TURNS", "zero")],
            "OTIS_MAX_TURNS",
        ),
        (
            vec!["ask", "x"],
            vec![("AZURE_STORAGE_CONNECTION_STRING", "AccountName=a")],
            "AccountKey",
        ),
        (
            vec!["--settings", "/nonexistent/local.settings.json", "ask", "x"],
            vec![],
            "settings file",
        ),
        (
            vec!["sessions", "migrate-legacy"],
            vec![],
            "AZURE_STORAGE_CONNECTION_STRING",
        ),
        (
            vec!["index", "build", "/nonexistent/folder"],
            vec![],
            "is not a folder",
        ),
    ];
    for (args, env, message) in cases {
        let mut cmd = otis(&data);
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let output = cmd.args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let help = stdout(otis(&data).args(["ask", "--help"]));
    assert!(help.contains("Examples:"), "{help}");
}

/// A data folder whose index holds one program, HELLO, that calls WORLD: the folder, its
/// corpus and what `otis index build` printed on standard error.
fn hello_index(tag: &str) -> (PathBuf, PathBuf, String) {
    let data = data_dir(tag);
    let corpus = data.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("HELLO.cbl"),
        "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n       PROCEDURE DIVISION.\n       MAIN-PARA.\n           CALL \"WORLD\".\n",
    )
    .unwrap();
    let built = otis(&data)
        .args(["index", "build"])
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(built.status.success());
    let stderr = String::from_utf8_lossy(&built.stderr).into_owned();
    (data, corpus, stderr)
}

#[test]
fn index_build_and_stats() {
    let (data, corpus, built) = hello_index("index");
    assert!(built.contains("1 files: 1 read"), "{built}");
    let mut cmd = otis(&data);
    cmd.env("OTIS_CORPUS", &corpus);
    let stats = stdout(cmd.args(["index", "stats"]));
    let stats: Vec<&str> = stats.split_whitespace().collect();
    assert!(
        stats.windows(3).any(|w| w == ["files:", "1", "(1"]),
        "{stats:?}"
    );
    let mut cmd = otis(&data);
    cmd.env("OTIS_CORPUS", &corpus);
    let answer = stdout(cmd.args(["ask", "What does HELLO call?"]));
    assert!(answer.contains("WORLD"), "{answer}");
    assert!(answer.contains("[1] HELLO.cbl:5-5 (HELLO)"), "{answer}");
}

#[test]
fn query_only_reads_and_its_errors_exit_with_code_2() {
    let (data, _, _) = hello_index("query");
    let outside = data.join("attached.db");
    let attach = format!("ATTACH DATABASE '{}' AS s", outside.display());
    for (sql, message) in [
        ("INSERT INTO files (path) VALUES ('x')", "refused: INSERT"),
        ("DELETE FROM calls", "refused: DELETE"),
        (attach.as_str(), "refused: ATTACH"),
        (
            "PRAGMA writable_schema = ON",
            "refused: PRAGMA writable_schema",
        ),
        ("SELEC member FROM files", "syntax error"),
        ("SELECT * FROM nothing_here", "no such table"),
    ] {
        let output = otis(&data).args(["query", sql]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{sql}: {stderr}");
        assert!(stderr.contains(message), "{sql}: {stderr}");
        assert!(output.stdout.is_empty(), "{sql}");
        if !message.starts_with("refused") {
            // SQLite's own message, then where the schema is.
            assert!(stderr.contains("docs/code-model.md"), "{sql}: {stderr}");
        }
    }
    assert!(!outside.exists(), "ATTACH created no file");
    let rows = stdout(otis(&data).args([
        "query",
        "--csv",
        "SELECT member, (SELECT count(*) FROM calls) AS calls FROM files",
    ]));
    assert_eq!(
        rows, "member,calls\r\nHELLO,1\r\n",
        "the index is unchanged"
    );
}

#[test]
fn serve_answers_over_http() {
    let data = data_dir("serve");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("otis"))
        .env_clear()
        .env("OTIS_DATA_DIR", &data)
        .args(["serve", "--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut answer = String::new();
    for _ in 0..200 {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let body = r#"{"question":"Who calls LONPF2?"}"#;
            write!(
                stream,
                "POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            stream.read_to_string(&mut answer).unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    let record: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(record["question_type"], "callers", "{body}");
    // The menu runs LONPF2 through `MOVE "LP/LONPF2" TO FORM-NAM` and `CALL FORM-PROGX`.
    assert_eq!(record["facts"]["items"][0]["name"], "LPMENU", "{body}");
    assert!(
        record["answer"].as_str().unwrap().contains("LPMENU"),
        "{body}"
    );
    assert_eq!(record["sources"][0]["file"], "LP/LPMENU.CBL", "{body}");
}

#[test]
fn chat_remembers_and_obeys_its_commands() {
    let data = data_dir("chat");
    let output = otis(&data)
        .args(["chat", "--session", "chat-1"])
        .write_stdin("What does LONPF2 do?\nWhat copybooks does it use?\n/history\n/clear\n/history\nexit\nnot reached\n")
        .output()
        .unwrap();
    assert!(output.status.success());
    let out = String::from_utf8(output.stdout).unwrap();
    for copybook in LONPF2_COPYBOOKS {
        assert!(out.contains(copybook), "{copybook}: {out}");
    }
    assert!(
        out.contains("#1 ") && out.contains("Q: What copybooks does it use?"),
        "{out}"
    );
    assert!(out.contains("Cleared 2 turns."), "{out}");
    assert!(out.contains("Session chat-1 has no turns."), "{out}");
    assert!(!out.contains("not reached"));
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::process::{Command as Process, Stdio};
    let data = data_dir("pipe");
    let corpus = data.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("HELLO.cbl"),
        "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n       PROCEDURE DIVISION.\n       MAIN-PARA.\n           STOP RUN.\n",
    )
    .unwrap();
    assert!(
        otis(&data)
            .args(["index", "build"])
            .arg(&corpus)
            .output()
            .unwrap()
            .status
            .success()
    );
    // Far more than a pipe holds: the writer meets the closed pipe (`otis query ... | head`).
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("otis"))
        .env_clear()
        .env("OTIS_DATA_DIR", &data)
        .env("OTIS_CORPUS", &corpus)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .args([
            "query",
            "--limit",
            "300000",
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 300000) SELECT x FROM n",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
