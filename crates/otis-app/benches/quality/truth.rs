//! The question set and its ground truth: `truth.py` run on the corpus, each question
//! read with the question types that recognise it, in asking order (a follow-up after the
//! question it follows), and the truth's values read as names, sites and chains.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::root;

pub(crate) fn upper(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_ascii_uppercase()
}

/// `expected[key]` as upper-case names.
pub(crate) fn names_in(expected: &Value, key: &str) -> Vec<String> {
    expected[key]
        .as_array()
        .map(|a| a.iter().map(upper).filter(|n| !n.is_empty()).collect())
        .unwrap_or_default()
}

/// `[file, line]` or `"file:line"`.
pub(crate) fn site(v: &Value) -> Option<(String, u32)> {
    match v {
        Value::Array(parts) => Some((
            parts.first()?.as_str()?.to_owned(),
            u32::try_from(parts.get(1)?.as_u64()?).ok()?,
        )),
        Value::String(s) => {
            let (file, line) = s.rsplit_once(':')?;
            Some((file.to_owned(), line.parse().ok()?))
        }
        _ => None,
    }
}

/// One question of the set.
pub(crate) struct Question {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) text: String,
    pub(crate) follows: Option<String>,
    /// The questions before it in its chain of follow-ups, oldest first (their names
    /// are the list's filters, which the answer may restate).
    pub(crate) asked_before: Vec<String>,
    pub(crate) expected: Value,
    /// The `question_type`s that recognise it (`None`: any, for absence).
    pub(crate) types: Option<Vec<&'static str>>,
}

impl Question {
    pub(crate) fn from_json(q: &Value) -> Self {
        let kind = q["kind"].as_str().unwrap_or_default().to_owned();
        let text = q["question"].as_str().unwrap_or_default().to_owned();
        let expected = q["expected"].clone();
        let types = question_types(&kind, &text, &expected);
        Self {
            id: q["id"].as_str().unwrap_or_default().to_owned(),
            kind,
            text,
            follows: q["follows"].as_str().map(str::to_owned),
            asked_before: Vec::new(),
            expected,
            types,
        }
    }

    /// Whether it asks for a number ("How many ...", "Count ...").
    pub(crate) fn asks_how_many(&self) -> bool {
        how_many(&self.text)
    }

    pub(crate) fn is_ranking(&self) -> bool {
        self.kind == "ranking" || !self.expected["top_k"].is_null()
    }
}

fn how_many(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("how many") || lower.starts_with("count ") || lower.contains("number of")
}

/// The `question_type`s that recognise a question of truth `kind`: the earlier kinds
/// are their own type; the corpus kinds map to count, list or ranking as their wording
/// and shape say, and to the menu, screen, CRUD, impact, chain and cycle types.
pub(crate) fn question_types(
    kind: &str,
    text: &str,
    expected: &Value,
) -> Option<Vec<&'static str>> {
    let shape = || -> Vec<&'static str> {
        if !expected["top_k"].is_null() {
            vec!["ranking"]
        } else if how_many(text) {
            vec!["count"]
        } else {
            vec!["list"]
        }
    };
    Some(match kind {
        "absence" => return None,
        "count" => vec!["count"],
        "ranking" => vec!["ranking"],
        "impact" => vec!["impact"],
        "call_chain" => vec!["call_chain"],
        "cycles" => vec!["cycles"],
        "menu" if expected["options"].is_array() => vec!["menu_options"],
        "menu" if expected["path"].is_array() => vec!["menu_path"],
        "menu" if expected["main_menu"].is_string() => vec!["entry_point"],
        "screens" if expected["file"].is_string() => vec!["screen_fields"],
        "file_access" if expected["files"].is_object() => vec!["crud"],
        "list" | "compositional" | "unused" | "orphans" | "unresolved" | "fan" | "refine"
        | "menu" | "screens" | "file_access" => shape(),
        // Complete answers (issue 18): what a program or section is for, and where a
        // member kept in several folders is defined, are purpose answers; what a data
        // item is for is its definition, record and use.
        "used_for" | "section_does" | "also_in" => vec!["purpose"],
        "data_item_for" => vec!["data_definition"],
        other => vec![known_type(other)?],
    })
}

/// The `question_type` spelled `name`, for the kinds that are their own type.
fn known_type(name: &str) -> Option<&'static str> {
    [
        "purpose",
        "dependencies",
        "copybooks",
        "calls",
        "callers",
        "copybook_users",
        "procedure_users",
        "data_definition",
        "data_usage",
        "files",
        "overview",
        "business_process",
        "flow",
        "screen_flow",
    ]
    .into_iter()
    .find(|t| *t == name)
}

pub(crate) fn chains_in(expected: &Value) -> Vec<Vec<String>> {
    expected["chains"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    c.as_array()
                        .map(|c| c.iter().map(upper).collect())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The questions in the order to ask them: every first question, then each follow-up
/// after the question it follows (a chain of refinements in its order).
pub(crate) fn in_asking_order(questions: Vec<Question>) -> Vec<Question> {
    let (mut ordered, mut waiting): (Vec<Question>, Vec<Question>) =
        questions.into_iter().partition(|q| q.follows.is_none());
    let mut asked: HashSet<String> = ordered.iter().map(|q| q.id.clone()).collect();
    while !waiting.is_empty() {
        let (ready, rest): (Vec<Question>, Vec<Question>) = waiting
            .into_iter()
            .partition(|q| q.follows.as_ref().is_some_and(|f| asked.contains(f)));
        if ready.is_empty() {
            // Follows a question the set does not have: asked on its own.
            ordered.extend(rest);
            break;
        }
        asked.extend(ready.iter().map(|q| q.id.clone()));
        for mut q in ready {
            if let Some(before) = ordered.iter().find(|p| q.follows.as_ref() == Some(&p.id)) {
                q.asked_before = before.asked_before.clone();
                q.asked_before.push(before.text.clone());
            }
            ordered.push(q);
        }
        waiting = rest;
    }
    ordered
}

/// Runs `truth.py` on `corpus` and reads its questions: how many, and in asking order.
pub(crate) fn load_questions(corpus: &Path, work: &Path) -> (usize, Vec<Question>) {
    let questions_file = work.join("questions.json");
    let mut truth = Command::new("python3");
    truth
        .arg(root().join("xtask/quality/truth.py"))
        .arg(corpus)
        .arg("--out")
        .arg(&questions_file);
    // OTIS_QUALITY_ALL=1: every question the rules derive, not the default sample.
    if std::env::var_os("OTIS_QUALITY_ALL").is_some() {
        truth.arg("--all");
    }
    let status = truth.status().expect("python3 runs");
    assert!(status.success(), "truth.py failed: {status}");
    let questions: Value =
        serde_json::from_str(&std::fs::read_to_string(&questions_file).unwrap()).unwrap();
    let questions: Vec<Value> = match questions {
        Value::Array(list) => list,
        Value::Object(mut map) => match map.remove("questions") {
            Some(Value::Array(list)) => list,
            _ => panic!("questions.json holds no question list"),
        },
        _ => panic!("questions.json holds no question list"),
    };
    let total = questions.len();
    (
        total,
        in_asking_order(questions.iter().map(Question::from_json).collect()),
    )
}
