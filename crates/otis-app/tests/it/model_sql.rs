//! Model-backed answers over the code model (issue 17 item 5), against the scripted
//! loopback server speaking the OpenAI chat-completions wire format and the sample
//! corpus's real store: a good query, a query that fails, a query that tries to write, a
//! model that writes prose; every model round trip counted.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use otis_core::code_query::{FailureKind, QueryOutcome};
use otis_core::ports::{
    ChatModel, CodeModel, DeltaSink, DynSessionStore, QuestionKind, SessionStore, SqlValue,
};
use otis_core::{AskRequest, AskResponse, Assistant, SessionId, TurnId};
use otis_llm::{ChatPolicy, Endpoint, OpenAiChat, RetryPolicy};
use otis_store_mem::MemoryStore;
use otis_testkit::scripted::{Reply, Scripted};
use serde_json::{Value, json};

use super::sample_index;

/// A question no kind answers on the sample corpus (the catch-all kind, no facts).
const QUESTION: &str = "What is the average number of lines per program?";

const GOOD_SQL: &str =
    "SELECT count(*) AS programs, avg(lines) AS average FROM files WHERE kind = 'program'";

fn completion(content: &str) -> Reply {
    Reply::json(
        "200 OK",
        json!({
            "id": "c1",
            "object": "chat.completion",
            "model": "scripted-sql",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
        })
        .to_string(),
    )
}

fn streamed(pieces: &[&str]) -> Reply {
    let mut events: Vec<String> = pieces
        .iter()
        .map(|p| {
            json!({"model": "scripted-sql", "choices": [{"index": 0, "delta": {"content": p}}]})
                .to_string()
        })
        .collect();
    events.push("[DONE]".into());
    let events: Vec<&str> = events.iter().map(String::as_str).collect();
    Reply::sse(&events, Duration::from_millis(5))
}

fn fenced(sql: &str) -> String {
    format!("```sql\n{sql}\n```")
}

fn text_model(server: &Scripted) -> Arc<dyn ChatModel> {
    Arc::new(
        OpenAiChat::new(
            Endpoint::OpenAi {
                base_url: server.url.clone(),
                model: "m".into(),
            },
            "scripted-key".into(),
            ChatPolicy {
                retry: RetryPolicy {
                    max_attempts: 1,
                    base_delay: Duration::from_millis(10),
                    max_delay: Duration::from_millis(10),
                    max_elapsed: Duration::from_secs(5),
                },
                timeout: Duration::from_secs(20),
            },
        )
        .unwrap(),
    )
}

fn assistant(model: Arc<dyn ChatModel>, store: DynSessionStore) -> Assistant {
    let index = Arc::new(sample_index());
    Assistant::new(index.clone(), model, Some(store)).with_code_model(index.code_model())
}

fn request(session: &str) -> AskRequest {
    AskRequest {
        session: Some(SessionId::parse(session).unwrap()),
        persist: true,
        ..AskRequest::new(QUESTION, TurnId::parse("t1").unwrap())
    }
}

/// The chat messages of each request the model server received.
fn conversations(server: &Scripted) -> Vec<Vec<(String, String)>> {
    server
        .received()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).unwrap();
            body["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["role"].as_str().unwrap().to_owned(),
                        m["content"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

/// Rows of every table and view of the store, by name.
fn row_counts() -> BTreeMap<String, i64> {
    let code = sample_index().code_model();
    let tables = code
        .query(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
             AND name NOT LIKE 'sqlite_%'",
        )
        .unwrap();
    tables
        .rows
        .iter()
        .map(|row| {
            let SqlValue::Text(name) = &row[0] else {
                panic!("{row:?}")
            };
            let count = code
                .query(&format!("SELECT count(*) FROM \"{name}\""))
                .unwrap();
            let SqlValue::Integer(n) = count.rows[0][0] else {
                panic!("{count:?}")
            };
            (name.clone(), n)
        })
        .collect()
}

async fn stored_metadata(store: &MemoryStore, session: &str) -> serde_json::Map<String, Value> {
    let turns = store
        .load_latest(&SessionId::parse(session).unwrap(), 10)
        .await
        .unwrap();
    turns[0].metadata.clone()
}

/// The schema a text model is given names every table and view of the store with
/// exactly its columns, in order, and nothing else.
#[test]
fn the_prompt_schema_is_the_stores_tables_and_columns() {
    let code = sample_index().code_model();
    let schema = code.schema().unwrap();
    let declared: BTreeMap<String, Vec<String>> = schema
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let (name, rest) = l.split_once('(')?;
            let columns = rest.strip_suffix(')')?;
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
                .then(|| {
                    (
                        name.to_owned(),
                        columns.split(", ").map(str::to_owned).collect(),
                    )
                })
        })
        .collect();
    let mut actual: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for table in row_counts().keys() {
        let info = code.query(&format!("PRAGMA table_info({table})")).unwrap();
        let columns = info
            .rows
            .iter()
            .map(|c| match &c[1] {
                SqlValue::Text(name) => name.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        actual.insert(table.clone(), columns);
    }
    assert_eq!(
        declared, actual,
        "docs/code-model-schema.txt and the store differ"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_good_query_answers_from_its_rows_and_shows_the_query() {
    let server = Scripted::start(vec![
        completion(&format!("Here is the query:\n{}", fenced(GOOD_SQL))),
        completion("The 5 programs average 85.6 lines."),
    ])
    .await;
    let store = Arc::new(MemoryStore::new());
    let response = assistant(text_model(&server), store.clone())
        .ask(request("sql-good"))
        .await
        .unwrap();

    // Two round trips: the query, then the answer from its rows.
    let sent = conversations(&server);
    assert_eq!(sent.len(), 2);
    let (role, system) = &sent[0][0];
    assert_eq!(role, "system");
    assert!(system.contains("ONE SQLite SELECT statement"), "{system}");
    assert!(
        system.contains("copy_closure(program_id, copybook_id, via_id, in_procedure)"),
        "the schema is in the prompt"
    );
    assert_eq!(sent[0][1], ("user".into(), format!("Question: {QUESTION}")));
    let rows_prompt = &sent[1].last().unwrap().1;
    assert!(rows_prompt.contains(&fenced(GOOD_SQL)), "{rows_prompt}");
    assert!(
        rows_prompt.contains("Rows: 1\nprograms | average\n5 | 85.6\n"),
        "{rows_prompt}"
    );

    assert!(matches!(
        response.question_type,
        QuestionKind::Search | QuestionKind::BusinessProcess
    ));
    assert_eq!(
        response.answer,
        format!(
            "The 5 programs average 85.6 lines.\n\nAnswered from the code model with this \
             query (1 row):\n\n{}\n",
            fenced(GOOD_SQL)
        )
    );
    assert!(response.sources.is_empty(), "{:?}", response.sources);
    let query = response.code_query.as_ref().unwrap();
    assert_eq!(query.outcome, QueryOutcome::Answered);
    assert_eq!(query.sql.as_deref(), Some(GOOD_SQL));
    assert_eq!(query.model_calls, 1);
    let rows = query.result.as_ref().unwrap();
    assert_eq!(rows.columns, ["programs", "average"]);
    assert_eq!(
        rows.rows,
        vec![vec![SqlValue::Integer(5), SqlValue::Real(85.6)]]
    );

    // The record (HTTP body, `otis ask --json`) carries the query and its rows.
    let record =
        serde_json::to_value(otis_app::wire::QueryResponse::from(response.clone())).unwrap();
    assert_eq!(record["code_query"]["outcome"], "answered");
    assert_eq!(record["code_query"]["sql"], GOOD_SQL);
    assert_eq!(
        record["code_query"]["columns"],
        json!(["programs", "average"])
    );
    assert_eq!(record["code_query"]["rows"], json!([[5, 85.6]]));
    assert_eq!(record["code_query"]["truncated"], false);
    assert_eq!(
        record["code_query"]["attempts"],
        json!([{"sql": GOOD_SQL, "row_count": 1}])
    );
    // The stored turn keeps the query, not its rows.
    let metadata = stored_metadata(&store, "sql-good").await;
    assert_eq!(
        metadata["code_query"],
        json!({"outcome": "answered", "sql": GOOD_SQL, "row_count": 1, "truncated": false,
               "attempts": [{"sql": GOOD_SQL, "row_count": 1}]})
    );
}

/// A question that asks for nothing wrong streams the model's answer, then the query.
#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_answer_ends_with_its_query() {
    #[derive(Default)]
    struct Pieces(Vec<String>);
    impl DeltaSink for Pieces {
        fn delta(&mut self, text: &str) {
            self.0.push(text.to_owned());
        }
    }
    let server = Scripted::start(vec![
        completion(&fenced(GOOD_SQL)),
        streamed(&["The 5 programs ", "average 85.6 lines."]),
    ])
    .await;
    let mut pieces = Pieces::default();
    let response = assistant(text_model(&server), Arc::new(MemoryStore::new()))
        .ask_streaming(request("sql-stream"), &mut pieces)
        .await
        .unwrap();
    assert_eq!(server.received().len(), 2);
    assert_eq!(pieces.0[..2], ["The 5 programs ", "average 85.6 lines."]);
    assert!(pieces.0[2].starts_with("\n\nAnswered from the code model with this query"));
    assert_eq!(pieces.0.concat(), response.answer);
    assert!(!response.interrupted);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_that_fails_is_retried_once_then_reported_and_search_answers() {
    let server = Scripted::start(vec![
        completion(&fenced("SELEC count(*) FROM files")),
        completion(&fenced("SELECT avg(size) FROM programs")),
        completion("LONPF2 posts loan payments [1]."),
    ])
    .await;
    let store = Arc::new(MemoryStore::new());
    let response = assistant(text_model(&server), store.clone())
        .ask(request("sql-invalid"))
        .await
        .unwrap();

    // Three round trips: the query, one retry, then the search-based answer.
    let sent = conversations(&server);
    assert_eq!(sent.len(), 3);
    let retry = &sent[1];
    assert_eq!(retry.len(), 4);
    assert_eq!(
        retry[2],
        ("assistant".into(), fenced("SELEC count(*) FROM files"))
    );
    assert!(
        retry[3]
            .1
            .starts_with("That query failed: the query is not valid: near \"SELEC\": syntax error"),
        "{}",
        retry[3].1
    );
    // The last request is the ordinary grounded question, with search hits.
    assert!(sent[2][0].1.starts_with("You are OTIS"), "{}", sent[2][0].1);
    assert!(sent[2].last().unwrap().1.contains("Sources:\n[1] "));

    assert!(
        response.answer.starts_with(
            "I could not answer this from the code model: after 2 attempts, the query is not \
             valid: no such table: programs"
        ),
        "{}",
        response.answer
    );
    assert!(
        response.answer.ends_with(&format!(
            "The last query was:\n\n{}\n\nThis answer comes from a search of the code \
             instead.\n\nLONPF2 posts loan payments [1].",
            fenced("SELECT avg(size) FROM programs")
        )),
        "{}",
        response.answer
    );
    assert!(!response.sources.is_empty());
    let query = response.code_query.as_ref().unwrap();
    assert_eq!(query.outcome, QueryOutcome::Failed);
    assert_eq!(query.model_calls, 2);
    assert!(query.result.is_none());
    let kinds: Vec<FailureKind> = query
        .attempts
        .iter()
        .map(|a| a.error.as_ref().unwrap().kind)
        .collect();
    assert_eq!(kinds, [FailureKind::Invalid, FailureKind::Invalid]);
    let metadata = stored_metadata(&store, "sql-invalid").await;
    assert_eq!(metadata["code_query"]["outcome"], "failed");
    assert_eq!(metadata["code_query"]["error"]["kind"], "invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_query_corrected_on_the_retry_answers() {
    let server = Scripted::start(vec![
        completion(&fenced("SELEC count(*) FROM files")),
        completion(&fenced(GOOD_SQL)),
        completion("The 5 programs average 85.6 lines."),
    ])
    .await;
    let response = assistant(text_model(&server), Arc::new(MemoryStore::new()))
        .ask(request("sql-retry"))
        .await
        .unwrap();
    assert_eq!(server.received().len(), 3);
    let query = response.code_query.as_ref().unwrap();
    assert_eq!(query.outcome, QueryOutcome::Answered);
    assert_eq!(query.attempts.len(), 2);
    assert!(
        response
            .answer
            .ends_with(&format!("{}\n", fenced(GOOD_SQL)))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_that_writes_is_refused_and_nothing_changes() {
    let before = row_counts();
    assert!(before["files"] > 0 && before["calls"] > 0);
    let server = Scripted::start(vec![
        completion(&fenced("DELETE FROM files")),
        completion(&fenced("SELECT 1; DROP TABLE calls")),
        completion("LONPF2 posts loan payments [1]."),
    ])
    .await;
    let response = assistant(text_model(&server), Arc::new(MemoryStore::new()))
        .ask(request("sql-write"))
        .await
        .unwrap();
    assert_eq!(server.received().len(), 3);
    assert_eq!(row_counts(), before, "a refused query changed the store");
    let query = response.code_query.as_ref().unwrap();
    assert_eq!(query.outcome, QueryOutcome::Failed);
    let errors: Vec<(FailureKind, &str)> = query
        .attempts
        .iter()
        .map(|a| {
            let e = a.error.as_ref().unwrap();
            (e.kind, e.message.as_str())
        })
        .collect();
    assert_eq!(
        errors,
        [
            (FailureKind::Refused, "DELETE from files"),
            (
                FailureKind::Refused,
                "changing the schema (CREATE, DROP, ALTER)"
            ),
        ]
    );
    assert!(
        response.answer.starts_with(
            "I could not answer this from the code model: after 2 attempts, the query tried \
             to change the code model (changing the schema (CREATE, DROP, ALTER)), which is \
             refused; nothing was changed."
        ),
        "{}",
        response.answer
    );
    assert!(response.answer.ends_with("LONPF2 posts loan payments [1]."));
}

#[tokio::test(flavor = "multi_thread")]
async fn prose_instead_of_sql_is_never_the_answer() {
    let server = Scripted::start(vec![
        completion("There are about 7 programs of 120 lines each."),
        completion("Roughly 120 lines."),
        completion("LONPF2 posts loan payments [1]."),
    ])
    .await;
    let response = assistant(text_model(&server), Arc::new(MemoryStore::new()))
        .ask(request("sql-prose"))
        .await
        .unwrap();
    let sent = conversations(&server);
    assert_eq!(sent.len(), 3);
    assert!(
        sent[1][3]
            .1
            .starts_with("Your reply held no SQL statement.")
    );
    assert!(!response.answer.contains("120"), "{}", response.answer);
    assert!(
        response.answer.starts_with(
            "I could not answer this from the code model: after 2 attempts, the model wrote \
             no SQL query.\nThis answer comes from a search of the code instead.\n\n"
        ),
        "{}",
        response.answer
    );
    let query = response.code_query.as_ref().unwrap();
    assert_eq!(query.sql, None);
    assert_eq!(query.error.as_ref().unwrap().kind, FailureKind::NotSql);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_that_declines_answers_from_search_in_two_trips() {
    let server = Scripted::start(vec![
        completion("NONE"),
        completion("LONPF2 posts loan payments [1]."),
    ])
    .await;
    let response = assistant(text_model(&server), Arc::new(MemoryStore::new()))
        .ask(request("sql-none"))
        .await
        .unwrap();
    assert_eq!(server.received().len(), 2);
    assert_eq!(response.answer, "LONPF2 posts loan payments [1].");
    assert_eq!(
        response.code_query.as_ref().unwrap().outcome,
        QueryOutcome::Declined
    );
}

/// `OTIS_MODEL_SQL=off`, a question a kind answers, and the extractive model: no query.
#[tokio::test(flavor = "multi_thread")]
async fn no_query_is_asked_for_when_switched_off_or_a_kind_answers() {
    let server = Scripted::start(vec![completion("LONPF2 posts loan payments [1].")]).await;
    let response = assistant(text_model(&server), Arc::new(MemoryStore::new()))
        .with_sql_answers(false)
        .ask(request("sql-off"))
        .await
        .unwrap();
    assert_eq!(server.received().len(), 1);
    assert!(response.code_query.is_none());

    let server = Scripted::start(vec![completion("LONPF2 copies seven copybooks [1].")]).await;
    let response = assistant(text_model(&server), Arc::new(MemoryStore::new()))
        .ask(AskRequest::new(
            "What copybooks does LONPF2 use?",
            TurnId::parse("t").unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(server.received().len(), 1);
    assert_eq!(response.question_type, QuestionKind::Copybooks);
    assert!(response.code_query.is_none());

    let response: AskResponse = assistant(
        Arc::new(otis_answer::Extractive),
        Arc::new(MemoryStore::new()),
    )
    .ask(AskRequest::new(QUESTION, TurnId::parse("t").unwrap()))
    .await
    .unwrap();
    assert!(response.code_query.is_none());

    let settings = |value: &str| {
        let mut values = BTreeMap::new();
        values.insert("OTIS_MODEL_SQL".to_owned(), value.to_owned());
        otis_app::Settings::from_values(&values, vec![])
    };
    assert!(settings("on").unwrap().model_sql);
    assert!(!settings("OFF").unwrap().model_sql);
    assert!(
        otis_app::Settings::from_values(&BTreeMap::new(), vec![])
            .unwrap()
            .model_sql
    );
    let err = settings("sometimes").unwrap_err().to_string();
    assert!(err.contains("OTIS_MODEL_SQL"), "{err}");
}
