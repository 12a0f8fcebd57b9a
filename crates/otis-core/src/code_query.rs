//! Model-backed answers over the code model's store: when a text model answers and no
//! question kind answered ([`no_kind_answers`]), the model is given the documented schema and writes one
//! read-only query; the code model runs it with the limits of `otis query`; the model
//! answers from the rows, and the answer shows the query as its evidence. A reply that is
//! not a query, or a query that fails (invalid, refused, stopped), gets one retry with
//! what went wrong; then the answer says what failed and comes from search instead.
//! Nothing is ever answered from a query that did not run.

use serde::Serialize;

use crate::ports::{
    ChatError, ChatMessage, CodeError, CodeFacts, CodeModel, QuestionKind, SqlRows, TextModel,
    TextPrompt,
};
use crate::prompt;

/// Whether a question goes to a model-written query: no kind answered it, that is the
/// classifier's catch-all kinds (search, and business process, which every question
/// without a subject or another kind becomes) with no facts from the code model.
pub fn no_kind_answers(kind: QuestionKind, facts: Option<&CodeFacts>) -> bool {
    facts.is_none() && matches!(kind, QuestionKind::Search | QuestionKind::BusinessProcess)
}

/// Attempts at a query: the first, and one retry with what went wrong.
pub const MAX_ATTEMPTS: usize = 2;

/// Tokens a text model may spend writing a query.
pub const SQL_MAX_TOKENS: u32 = 1024;

/// How a model-backed query ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryOutcome {
    /// A query ran and the answer was made from its rows.
    Answered,
    /// No attempt gave rows; the answer says so and comes from search.
    Failed,
    /// The model said the tables cannot answer the question; the answer comes from
    /// search.
    Declined,
}

impl QueryOutcome {
    /// The snake_case name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Failed => "failed",
            Self::Declined => "declined",
        }
    }
}

/// Why an attempt gave no rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The model's reply held no SQL statement.
    NotSql,
    /// The statement is not valid SQL, or names a table or column the model lacks.
    Invalid,
    /// The statement would change something; it was refused before it ran.
    Refused,
    /// The statement ran past its time limit and was stopped.
    Timeout,
    /// The code model's store failed.
    Backend,
}

/// What went wrong with one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryFailure {
    /// The kind of failure.
    pub kind: FailureKind,
    /// What the engine said (SQLite's message, what was refused, the time limit).
    pub message: String,
}

impl QueryFailure {
    fn of(error: &CodeError) -> Self {
        let (kind, message) = match error {
            CodeError::InvalidQuery(m) => (FailureKind::Invalid, m.clone()),
            CodeError::QueryRefused(what) => (FailureKind::Refused, what.clone()),
            CodeError::QueryTimeout(limit) => (
                FailureKind::Timeout,
                format!("stopped after {} s", limit.as_secs_f64()),
            ),
            other => (FailureKind::Backend, other.to_string()),
        };
        Self { kind, message }
    }

    fn not_sql() -> Self {
        Self {
            kind: FailureKind::NotSql,
            message: "the reply held no SQL statement".to_owned(),
        }
    }

    /// What failed, as a clause for the answer and for the retry prompt.
    fn sentence(&self) -> String {
        match self.kind {
            FailureKind::NotSql => "the model wrote no SQL query".to_owned(),
            FailureKind::Invalid => format!("the query is not valid: {}", self.message),
            FailureKind::Refused => format!(
                "the query tried to change the code model ({}), which is refused; nothing \
                 was changed",
                self.message
            ),
            FailureKind::Timeout => {
                format!("the query ran past its time limit and was {}", self.message)
            }
            FailureKind::Backend => format!("the code model failed: {}", self.message),
        }
    }
}

/// One reply of the model and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryAttempt {
    /// The statement it wrote (absent when the reply held none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Rows it returned, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_count: Option<usize>,
    /// What went wrong, when it gave no rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<QueryFailure>,
}

/// The record of a model-backed query: the evidence of an answer made from it, or the
/// honest account of why there is none (`code_query` in the answer record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeQuery {
    /// How it ended.
    pub outcome: QueryOutcome,
    /// The statement the answer rests on: the last one the model wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// What it returned, when it ran (columns, rows up to the row limit, truncated).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub result: Option<SqlRows>,
    /// Why the last attempt gave no rows, when none did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<QueryFailure>,
    /// Every reply of the model, in order.
    pub attempts: Vec<QueryAttempt>,
    /// Model round trips spent writing the query.
    pub model_calls: usize,
}

impl CodeQuery {
    /// What a stored turn keeps of it: everything but the rows (their count instead).
    pub fn summary(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "outcome": self.outcome.as_str(),
            "attempts": self.attempts,
        });
        if let Some(sql) = &self.sql {
            value["sql"] = sql.as_str().into();
        }
        if let Some(result) = &self.result {
            value["row_count"] = result.rows.len().into();
            value["truncated"] = result.truncated.into();
        }
        if let Some(error) = &self.error {
            value["error"] = serde_json::to_value(error).unwrap_or_default();
        }
        value
    }
}

/// What the ask use case does next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Next {
    /// Rows came back: ask the model `prompt`, then add `evidence` (the query) to its
    /// answer.
    Answer {
        /// The rows prompt.
        prompt: TextPrompt,
        /// Markdown naming the query, added after the model's answer.
        evidence: String,
    },
    /// No rows: answer from search, after `preface` (what failed) when there is one.
    Search {
        /// Markdown saying what failed, put before the search-based answer.
        preface: Option<String>,
    },
}

/// A model's reply read for a query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reply {
    /// A statement to run.
    Sql(String),
    /// [`prompt::NO_QUERY`]: the tables cannot answer.
    Declined,
    /// Anything else.
    Prose,
}

/// Words a statement may start with. Writes are included on purpose: a statement that
/// writes goes to the engine, which refuses it, so the refusal is what is reported.
const SQL_WORDS: &[&str] = &[
    "SELECT", "WITH", "VALUES", "PRAGMA", "EXPLAIN", "INSERT", "UPDATE", "DELETE", "REPLACE",
    "CREATE", "DROP", "ALTER", "ATTACH", "DETACH", "BEGIN", "VACUUM", "REINDEX",
];

fn starts_with_sql(text: &str) -> bool {
    let word: String = text
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    SQL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(&word))
}

/// Reads a reply: the first fenced block (```sql, or a bare fence holding a statement),
/// else the whole reply when it is a statement, else [`prompt::NO_QUERY`] or prose.
fn read_reply(reply: &str) -> Reply {
    let text = reply.trim();
    let bare = text.trim_matches(|c: char| c == '`' || c == '.' || c.is_whitespace());
    if bare.eq_ignore_ascii_case(prompt::NO_QUERY) {
        return Reply::Declined;
    }
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let (info, body) = after.split_once('\n').unwrap_or(("", after));
        let Some(end) = body.find("```") else { break };
        let block = body[..end].trim();
        let info = info.trim();
        if !block.is_empty()
            && (info.eq_ignore_ascii_case("sql")
                || info.eq_ignore_ascii_case("sqlite")
                || (info.is_empty() && starts_with_sql(block)))
        {
            return Reply::Sql(block.to_owned());
        }
        rest = &body[end + 3..];
    }
    if starts_with_sql(text) {
        return Reply::Sql(text.to_owned());
    }
    Reply::Prose
}

/// The query as Markdown: a fenced `sql` block.
fn fenced(sql: &str) -> String {
    format!("```sql\n{}\n```", sql.trim_end())
}

fn evidence(sql: &str, rows: &SqlRows) -> String {
    let count = rows.rows.len();
    let rows_said = if rows.truncated {
        format!("the first {count} rows; more matched")
    } else if count == 1 {
        "1 row".to_owned()
    } else {
        format!("{count} rows")
    };
    format!(
        "\n\nAnswered from the code model with this query ({rows_said}):\n\n{}\n",
        fenced(sql)
    )
}

fn preface(failure: &QueryFailure, sql: Option<&str>, attempts: usize) -> String {
    let tries = if attempts == 1 {
        "one attempt".to_owned()
    } else {
        format!("{attempts} attempts")
    };
    let mut text = format!(
        "I could not answer this from the code model: after {tries}, {}.",
        failure.sentence()
    );
    if let Some(sql) = sql {
        text.push_str(&format!(" The last query was:\n\n{}\n", fenced(sql)));
    }
    text.push_str("\nThis answer comes from a search of the code instead.\n\n");
    text
}

/// Asks `model` for a query answering `question` over `code` (described by `schema`),
/// runs it, and says what to do next. Errors are the model's: a failed query is not an
/// error but an outcome.
pub(crate) async fn write_and_run(
    model: &dyn TextModel,
    code: &dyn CodeModel,
    schema: &str,
    question: &str,
    history: &[ChatMessage],
    request: (f32, u32),
) -> Result<(CodeQuery, Next), ChatError> {
    let (temperature, max_tokens) = request;
    let mut attempts: Vec<QueryAttempt> = Vec::new();
    let mut retry: Option<(String, String)> = None;
    let mut calls = 0;
    while attempts.len() < MAX_ATTEMPTS {
        let messages = prompt::sql_messages(
            question,
            schema,
            retry.as_ref().map(|(r, p)| (r.as_str(), p.as_str())),
        );
        calls += 1;
        let reply = model
            .reply(&TextPrompt {
                messages,
                temperature: 0.0,
                max_tokens: SQL_MAX_TOKENS,
            })
            .await?
            .text;
        let (sql, failure) = match read_reply(&reply) {
            Reply::Declined => {
                let record = CodeQuery {
                    outcome: QueryOutcome::Declined,
                    sql: None,
                    result: None,
                    error: None,
                    attempts,
                    model_calls: calls,
                };
                return Ok((record, Next::Search { preface: None }));
            }
            Reply::Prose => (None, QueryFailure::not_sql()),
            Reply::Sql(sql) => match code.query(&sql) {
                Ok(rows) => {
                    attempts.push(QueryAttempt {
                        sql: Some(sql.clone()),
                        row_count: Some(rows.rows.len()),
                        error: None,
                    });
                    let next = Next::Answer {
                        prompt: TextPrompt {
                            messages: prompt::rows_messages(question, history, &sql, &rows),
                            temperature,
                            max_tokens,
                        },
                        evidence: evidence(&sql, &rows),
                    };
                    let record = CodeQuery {
                        outcome: QueryOutcome::Answered,
                        sql: Some(sql),
                        result: Some(rows),
                        error: None,
                        attempts,
                        model_calls: calls,
                    };
                    return Ok((record, next));
                }
                Err(e) => (Some(sql), QueryFailure::of(&e)),
            },
        };
        let problem = match failure.kind {
            FailureKind::NotSql => "Your reply held no SQL statement.".to_owned(),
            _ => format!("That query failed: {}.", failure.sentence()),
        };
        retry = Some((reply, problem));
        attempts.push(QueryAttempt {
            sql,
            row_count: None,
            error: Some(failure),
        });
    }
    let last = attempts.last().cloned();
    let sql = attempts.iter().rev().find_map(|a| a.sql.clone());
    let failure = last
        .and_then(|a| a.error)
        .unwrap_or_else(QueryFailure::not_sql);
    let next = Next::Search {
        preface: Some(preface(&failure, sql.as_deref(), attempts.len())),
    };
    let record = CodeQuery {
        outcome: QueryOutcome::Failed,
        sql,
        result: None,
        error: Some(failure),
        attempts,
        model_calls: calls,
    };
    Ok((record, next))
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::pin;
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use super::*;
    use crate::ports::{ChatResponse, CodeQuestion, Role, SqlValue, SymbolKind};

    fn roles(messages: &[ChatMessage]) -> Vec<Role> {
        messages.iter().map(|m| m.role).collect()
    }

    /// Drives a future that never waits on I/O (the scripted models below never do).
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn replies_are_read_as_a_statement_a_refusal_or_prose() {
        let sql = |s: &str| Reply::Sql(s.to_owned());
        let cases = [
            ("```sql\nSELECT 1\n```", sql("SELECT 1")),
            (
                "Here it is:\n```SQL\nSELECT count(*)\nFROM files;\n```\nDone.",
                sql("SELECT count(*)\nFROM files;"),
            ),
            (
                "```\nWITH x AS (SELECT 1) SELECT * FROM x\n```",
                sql("WITH x AS (SELECT 1) SELECT * FROM x"),
            ),
            (
                "```text\nnot this\n```\n```sql\nSELECT 2\n```",
                sql("SELECT 2"),
            ),
            (
                "  select member from files  ",
                sql("select member from files"),
            ),
            ("DELETE FROM files", sql("DELETE FROM files")),
            ("NONE", Reply::Declined),
            ("none.", Reply::Declined),
            ("`NONE`", Reply::Declined),
            ("There are 12 copybooks in the codebase.", Reply::Prose),
            ("```\nThere are 12.\n```", Reply::Prose),
            ("", Reply::Prose),
            ("Selection of programs: LONPF2", Reply::Prose),
        ];
        for (reply, want) in cases {
            assert_eq!(read_reply(reply), want, "{reply:?}");
        }
    }

    /// A text model that replies from a script and records each prompt.
    #[derive(Default)]
    struct Script {
        replies: Mutex<VecDeque<String>>,
        prompts: Mutex<Vec<TextPrompt>>,
    }

    impl Script {
        fn new(replies: &[&str]) -> Self {
            Self {
                replies: Mutex::new(replies.iter().map(|r| (*r).to_owned()).collect()),
                prompts: Mutex::default(),
            }
        }

        fn prompts(&self) -> Vec<TextPrompt> {
            self.prompts.lock().unwrap().clone()
        }
    }

    #[async_trait::async_trait]
    impl TextModel for Script {
        async fn reply(&self, prompt: &TextPrompt) -> Result<ChatResponse, ChatError> {
            self.prompts.lock().unwrap().push(prompt.clone());
            let text = self.replies.lock().unwrap().pop_front().unwrap_or_default();
            Ok(ChatResponse {
                text,
                model: "script".into(),
            })
        }
    }

    /// A code model whose queries answer from a few fixed statements.
    #[derive(Debug)]
    struct Engine;

    impl CodeModel for Engine {
        fn identify(&self, _: &str) -> Option<SymbolKind> {
            None
        }

        fn facts(&self, _: &CodeQuestion) -> Result<Option<CodeFacts>, CodeError> {
            Ok(None)
        }

        fn schema(&self) -> Option<String> {
            Some(SCHEMA.into())
        }

        fn query(&self, sql: &str) -> Result<SqlRows, CodeError> {
            match sql {
                "SELECT count(*) FROM files" => Ok(SqlRows {
                    columns: vec!["count(*)".into()],
                    rows: vec![vec![SqlValue::Integer(9)]],
                    truncated: false,
                }),
                s if s.starts_with("DELETE") => {
                    Err(CodeError::QueryRefused("DELETE from files".into()))
                }
                s if s.starts_with("SELECT slow") => {
                    Err(CodeError::QueryTimeout(Duration::from_secs(10)))
                }
                _ => Err(CodeError::InvalidQuery(
                    "near \"SELEC\": syntax error".into(),
                )),
            }
        }
    }

    const SCHEMA: &str = "files(id, member)";

    fn run(replies: &[&str]) -> (CodeQuery, Next, Vec<TextPrompt>) {
        let model = Script::new(replies);
        let history = [ChatMessage {
            role: Role::User,
            content: "earlier".into(),
        }];
        let (record, next) = block_on(write_and_run(
            &model,
            &Engine,
            SCHEMA,
            "How many files are there?",
            &history,
            (0.3, 200),
        ))
        .unwrap();
        (record, next, model.prompts())
    }

    #[test]
    fn a_good_query_is_answered_from_its_rows_in_one_call() {
        let (record, next, prompts) = run(&["```sql\nSELECT count(*) FROM files\n```"]);
        assert_eq!(prompts.len(), 1);
        assert_eq!(record.model_calls, 1);
        // The writer sees the schema and the question, at temperature 0.
        let writer = &prompts[0];
        assert_eq!(writer.temperature, 0.0);
        assert!(writer.messages[0].content.ends_with(SCHEMA));
        assert_eq!(
            writer.messages[1].content,
            "Question: How many files are there?"
        );
        assert_eq!(record.outcome, QueryOutcome::Answered);
        assert_eq!(record.sql.as_deref(), Some("SELECT count(*) FROM files"));
        assert_eq!(
            record.result.as_ref().unwrap().rows,
            vec![vec![SqlValue::Integer(9)]]
        );
        let Next::Answer { prompt, evidence } = next else {
            panic!("{next:?}")
        };
        // The answer prompt: instructions, history, then the query, rows and question, at
        // the request's sampling.
        assert_eq!((prompt.temperature, prompt.max_tokens), (0.3, 200));
        assert_eq!(prompt.messages[1].content, "earlier");
        let user = &prompt.messages[2].content;
        assert!(
            user.contains("```sql\nSELECT count(*) FROM files\n```"),
            "{user}"
        );
        assert!(user.contains("Rows: 1\ncount(*)\n9\n"), "{user}");
        assert!(user.ends_with("Question: How many files are there?"));
        assert_eq!(
            evidence,
            "\n\nAnswered from the code model with this query (1 row):\n\n```sql\nSELECT count(*) FROM files\n```\n"
        );
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["columns"], serde_json::json!(["count(*)"]));
        assert_eq!(json["rows"], serde_json::json!([[9]]));
        assert_eq!(json["truncated"], false);
        assert_eq!(json["attempts"][0]["row_count"], 1);
    }

    #[test]
    fn a_failed_query_is_retried_once_with_the_error() {
        let (record, next, prompts) = run(&[
            "```sql\nSELEC count(*) FROM files\n```",
            "SELECT count(*) FROM files",
        ]);
        assert_eq!(prompts.len(), 2);
        assert_eq!(record.outcome, QueryOutcome::Answered);
        assert_eq!(record.attempts.len(), 2);
        assert_eq!(
            record.attempts[0].error.as_ref().unwrap().kind,
            FailureKind::Invalid
        );
        let retry = &prompts[1].messages;
        assert_eq!(
            roles(retry),
            [Role::System, Role::User, Role::Assistant, Role::User]
        );
        assert_eq!(retry[2].content, "```sql\nSELEC count(*) FROM files\n```");
        assert!(
            retry[3].content.starts_with(
                "That query failed: the query is not valid: near \"SELEC\": syntax error."
            ),
            "{}",
            retry[3].content
        );
        assert!(matches!(next, Next::Answer { .. }));
    }

    /// Each way of failing twice: the answer goes to search with a preface that says
    /// what failed and shows the last query; two model calls, never a third.
    #[test]
    fn two_failures_fall_back_to_search_and_say_why() {
        let cases: [(&[&str], FailureKind, &str); 4] = [
            (
                &["```sql\nSELEC 1\n```", "```sql\nSELEC 2\n```"],
                FailureKind::Invalid,
                "after 2 attempts, the query is not valid: near \"SELEC\": syntax error. \
                 The last query was:\n\n```sql\nSELEC 2\n```\n",
            ),
            (
                &["DELETE FROM files", "DELETE FROM copies"],
                FailureKind::Refused,
                "after 2 attempts, the query tried to change the code model (DELETE from \
                 files), which is refused; nothing was changed. The last query was:\n\n\
                 ```sql\nDELETE FROM copies\n```\n",
            ),
            (
                &["SELECT slow", "SELECT slow 2"],
                FailureKind::Timeout,
                "after 2 attempts, the query ran past its time limit and was stopped after \
                 10 s.",
            ),
            (
                &["There are nine files.", "Nine."],
                FailureKind::NotSql,
                "after 2 attempts, the model wrote no SQL query.\n",
            ),
        ];
        for (replies, kind, said) in cases {
            let (record, next, prompts) = run(replies);
            assert_eq!(prompts.len(), 2, "{replies:?}");
            assert_eq!(record.model_calls, 2);
            assert_eq!(record.outcome, QueryOutcome::Failed);
            assert_eq!(record.error.as_ref().unwrap().kind, kind);
            assert!(record.result.is_none());
            let Next::Search {
                preface: Some(preface),
            } = next
            else {
                panic!("{next:?}")
            };
            assert!(
                preface.starts_with("I could not answer this from the code model: "),
                "{preface}"
            );
            assert!(preface.contains(said), "{preface}\n--- wants ---\n{said}");
            assert!(preface.ends_with("This answer comes from a search of the code instead.\n\n"));
        }
    }

    #[test]
    fn prose_is_retried_with_a_reminder() {
        let (record, _, prompts) = run(&["Nine files.", "SELECT count(*) FROM files"]);
        assert_eq!(record.outcome, QueryOutcome::Answered);
        assert_eq!(record.attempts[0].sql, None);
        assert_eq!(
            record.attempts[0].error.as_ref().unwrap().kind,
            FailureKind::NotSql
        );
        assert!(
            prompts[1].messages[3]
                .content
                .starts_with("Your reply held no SQL statement.")
        );
    }

    #[test]
    fn a_declined_question_goes_to_search_without_a_preface() {
        let (record, next, prompts) = run(&["NONE"]);
        assert_eq!(prompts.len(), 1);
        assert_eq!(record.outcome, QueryOutcome::Declined);
        assert_eq!(next, Next::Search { preface: None });
    }
}
