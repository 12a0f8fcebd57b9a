//! What the corpus has, read once from the code model's store: its names by class, its
//! file paths and each member's only file; and which classes of names a question's
//! answer may list.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use otis_index::{LocalIndex, QueryLimits, QueryValue};
use serde_json::Value;

/// A sort of name the corpus has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Class {
    /// Program files (member and PROGRAM-ID) and call targets (runtime routines left out).
    Program,
    /// Copybook files and copied members (in the corpus or not).
    Copybook,
    /// Declared files: SELECT and FD names.
    File,
    /// Screen forms.
    Screen,
    /// Fields of screen forms.
    Field,
    /// Sections and paragraphs.
    Procedure,
    /// Data items and every name a statement refers to.
    Data,
    /// Directories, folders and libraries, and each part of their paths.
    Place,
}

/// Words an answer may print that are COBOL, not names of the corpus.
const COBOL_WORDS: &[&str] = &[
    "ACCEPT",
    "ALTER",
    "ASSIGN",
    "CALL",
    "CANCEL",
    "CICS",
    "CLOSE",
    "COBOL",
    "COMPUTE",
    "CONTINUE",
    "COPY",
    "CORR",
    "CORRESPONDING",
    "DATA",
    "DECLARATIVES",
    "DELETE",
    "DEPENDING",
    "DISPLAY",
    "DIVISION",
    "ELSE",
    "END-EVALUATE",
    "END-EXEC",
    "END-IF",
    "END-PERFORM",
    "ENVIRONMENT",
    "EVALUATE",
    "EXEC",
    "EXIT",
    "EXTEND",
    "FILE",
    "FILE-CONTROL",
    "FILLER",
    "GOBACK",
    "IDENTIFICATION",
    "INPUT",
    "INSPECT",
    "LINKAGE",
    "MCCABE",
    "MERGE",
    "MOVE",
    "OPEN",
    "OUTPUT",
    "PERFORM",
    "PROCEDURE",
    "PROGRAM",
    "PROGRAM-ID",
    "READ",
    "REDEFINES",
    "RETURN",
    "REWRITE",
    "SCREEN",
    "SEARCH",
    "SECTION",
    "SELECT",
    "SORT",
    "START",
    "STOP",
    "STRING",
    "THRU",
    "UNSTRING",
    "UNTIL",
    "VALUE",
    "VARYING",
    "WHEN",
    "WORKING-STORAGE",
    "WRITE",
];

/// The names of the corpus by [`Class`], its file paths, and the file of each member
/// that has exactly one.
#[derive(Default)]
pub(crate) struct Known {
    pub(crate) classes: HashMap<Class, HashSet<String>>,
    /// Upper-case path to the path.
    pub(crate) paths: HashMap<String, String>,
    /// Upper-case member to its only file.
    pub(crate) member_file: HashMap<String, String>,
}

impl Known {
    /// Reads every name once from the store (read-only SQL). A query that fails (a
    /// table the model does not have yet) leaves its class empty.
    pub(crate) fn load(index: &LocalIndex) -> Self {
        let model = index.code_model();
        let store = model.store();
        let limits = QueryLimits {
            max_rows: 10_000_000,
            timeout: Duration::from_secs(300),
        };
        let rows = |sql: &str| -> Vec<Vec<String>> {
            match store.query(sql, limits) {
                Ok(out) => out
                    .rows
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|v| match v {
                                QueryValue::Text(t) => t.clone(),
                                QueryValue::Integer(n) => n.to_string(),
                                _ => String::new(),
                            })
                            .collect()
                    })
                    .collect(),
                Err(e) => {
                    eprintln!("quality: names for scoring: {sql}: {e}");
                    Vec::new()
                }
            }
        };
        let column = |sqls: &[&str]| -> HashSet<String> {
            sqls.iter()
                .flat_map(|sql| rows(sql))
                .filter_map(|r| r.into_iter().next())
                .map(|n| n.trim().to_ascii_uppercase())
                .filter(|n| !n.is_empty())
                .collect()
        };
        let mut known = Self::default();
        let sources: &[(Class, &[&str])] = &[
            (
                Class::Program,
                &[
                    "SELECT member FROM files WHERE kind = 'program'",
                    "SELECT program_id FROM files WHERE kind = 'program' AND program_id IS NOT NULL",
                    "SELECT DISTINCT target FROM calls WHERE kind <> 'runtime'",
                    "SELECT DISTINCT target FROM transfers",
                ],
            ),
            (
                Class::Copybook,
                &[
                    "SELECT member FROM files WHERE kind = 'copybook'",
                    "SELECT DISTINCT member FROM copies",
                ],
            ),
            (
                Class::File,
                &[
                    "SELECT DISTINCT name FROM selects",
                    "SELECT DISTINCT name FROM file_descriptions",
                ],
            ),
            (Class::Screen, &["SELECT DISTINCT name FROM forms"]),
            (Class::Field, &["SELECT DISTINCT name FROM form_fields"]),
            (Class::Procedure, &["SELECT DISTINCT name FROM procedures"]),
            (
                Class::Data,
                &[
                    "SELECT DISTINCT name FROM data_items",
                    "SELECT name FROM names",
                ],
            ),
            (
                Class::Place,
                &[
                    "SELECT DISTINCT directory FROM files",
                    "SELECT DISTINCT folder FROM files",
                    "SELECT DISTINCT library FROM copies WHERE library IS NOT NULL",
                ],
            ),
        ];
        for (class, sqls) in sources {
            let mut names = column(sqls);
            if *class == Class::Place {
                let parts: Vec<String> = names
                    .iter()
                    .flat_map(|p| p.split('/').map(str::to_owned).collect::<Vec<_>>())
                    .collect();
                names.extend(parts);
            }
            known.classes.insert(*class, names);
        }
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        for row in rows("SELECT member, path FROM files") {
            if let [member, path] = row.as_slice() {
                known.paths.insert(path.to_ascii_uppercase(), path.clone());
                members
                    .entry(member.to_ascii_uppercase())
                    .or_default()
                    .push(path.clone());
            }
        }
        known.member_file = members
            .into_iter()
            .filter(|(_, paths)| paths.len() == 1)
            .filter_map(|(m, mut paths)| Some((m, paths.pop()?)))
            .collect();
        known
    }

    pub(crate) fn has(&self, class: Class, name: &str) -> bool {
        self.classes.get(&class).is_some_and(|s| s.contains(name))
    }

    /// Whether `name` is any name of the corpus, or a COBOL word.
    pub(crate) fn exists(&self, name: &str) -> bool {
        self.classes.values().any(|s| s.contains(name))
            || COBOL_WORDS.contains(&name)
            || self.member_file.contains_key(name)
    }

    /// The file `token` names: a path of the corpus, or a member with one file.
    pub(crate) fn file_named(&self, token: &str) -> Option<String> {
        let key = token.to_ascii_uppercase();
        self.paths
            .get(&key)
            .or_else(|| self.member_file.get(&key))
            .cloned()
    }

    /// How many names the corpus has, by class (for the report).
    pub(crate) fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .classes
            .iter()
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .map(|(c, s)| format!("{} {c:?}", s.len()))
            .collect();
        parts.push(format!("{} paths", self.paths.len()));
        parts.join(", ").to_ascii_lowercase()
    }
}

/// The classes whose names a text list of `kind` is read for: fixed for the kinds that
/// list one sort of thing, else those holding at least half of the expected names, else
/// the member-like classes.
pub(crate) fn universe(
    kind: &str,
    expected: &Value,
    want: &HashSet<String>,
    known: &Known,
) -> Vec<Class> {
    use Class::*;
    let fixed: &[Class] = match kind {
        "copybooks" => &[Copybook],
        "dependencies" => &[Program, Copybook, File],
        "impact" => &[Program, Copybook],
        "calls" | "callers" | "copybook_users" | "procedure_users" | "fan" | "orphans"
        | "cycles" | "call_chain" => &[Program],
        "files" => &[File],
        "section_does" => &[Procedure],
        _ if expected["options"].is_array() || expected["path"].is_array() => &[Program],
        _ if expected["files"].is_object() => &[File],
        _ => &[],
    };
    if !fixed.is_empty() {
        return fixed.to_vec();
    }
    let candidates = [Program, Copybook, File, Screen, Field];
    let majority: Vec<Class> = candidates
        .iter()
        .copied()
        .filter(|c| {
            !want.is_empty() && 2 * want.iter().filter(|n| known.has(*c, n)).count() >= want.len()
        })
        .collect();
    if !majority.is_empty() {
        return majority;
    }
    let any: Vec<Class> = candidates
        .iter()
        .copied()
        .filter(|c| want.iter().any(|n| known.has(*c, n)))
        .collect();
    if !any.is_empty() {
        return any;
    }
    vec![Program, Copybook, File, Screen]
}
