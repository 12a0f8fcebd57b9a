//! Follow-up resolution: "What copybooks does it use?" after a question about LONPF2
//! becomes "What copybooks does LONPF2 use?"; "What does option 1 run?" after a question
//! about a menu names that menu; and a follow-up over a list ("which of those are in
//! FX?") refines the query the previous turn kept ([`previous_query`], [`refine`]).
//! Deterministic and pure.

use crate::corpus::{CorpusQuery, Filter, Order};
use crate::ports::{CodeQuestion, QuestionKind};
use crate::window::Window;

/// The turn metadata key that keeps the corpus query a turn answered (a
/// [`CorpusQuery`] as JSON), so the next question can refine it. Turns stored before it
/// existed have none.
pub const QUERY_KEY: &str = "corpus_query";

/// Words that look like member names but are not.
const NOT_NAMES: &[&str] = &[
    "COBOL", "CICS", "JCL", "SQL", "DB2", "VSAM", "IMS", "API", "OTIS", "PIC", "COPY", "CALL",
    "FD", "IO", "OK", "WHAT", "WHO", "HOW", "WHY", "THE", "AND", "USE",
];

/// Phrases that refer back to the conversation's subject, longest first.
const REFERENCES: &[&str] = &[
    "this program",
    "that program",
    "the program",
    "this copybook",
    "that copybook",
    "the copybook",
    "this member",
    "that member",
    "this module",
    "that module",
    "the module",
    "this file",
    "that file",
    "the file",
    "its",
    "it",
];

/// The outcome of resolving one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The question to retrieve and answer with.
    pub question: String,
    /// The phrase that was replaced, if any.
    pub reference: Option<String>,
    /// The member the question is about, when known before retrieval: a name it states,
    /// or the subject a reference was resolved to.
    pub subject: Option<String>,
    /// The corpus query the newest turn answered, which this question may refine.
    pub previous: Option<CorpusQuery>,
}

/// What a follow-up adds to a previous query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Refinement {
    /// Filters stated in the follow-up.
    pub filters: Vec<Filter>,
    /// An order stated in it ("sorted by size").
    pub order: Option<Order>,
    /// A limit stated in it.
    pub limit: Option<usize>,
    /// "How many of them".
    pub count: bool,
    /// A variation ("and in FX?", "what about SORT?"): each filter replaces the previous
    /// query's filters of its kind instead of narrowing the list further, and a count
    /// stays a count.
    pub replace: bool,
}

/// The previous query refined: its filters and the follow-up's (a variation replaces the
/// filters of the same kind), the follow-up's order and limit when it states them, and a
/// count when it asks "how many" (of the whole list: a ranking's order and limit go).
pub fn refine(previous: &CorpusQuery, refinement: Refinement) -> CorpusQuery {
    let mut query = previous.clone();
    if refinement.replace {
        query
            .filters
            .retain(|old| !refinement.filters.iter().any(|new| same_kind(old, new)));
    }
    for filter in refinement.filters {
        query = query.with(filter);
    }
    if refinement.order.is_some() {
        query.order = refinement.order;
    }
    if refinement.limit.is_some() {
        query.limit = refinement.limit;
    } else if refinement.count && !previous.count {
        // "How many of them ...?" counts the whole list, not the ranked top.
        query.order = None;
        query.limit = None;
    }
    query.count = refinement.count || (refinement.replace && previous.count);
    query
}

/// Whether two filters constrain the same thing (the directory, the name, a statement,
/// a measure), so that a variation's filter replaces the other.
fn same_kind(a: &Filter, b: &Filter) -> bool {
    fn inner(f: &Filter) -> &Filter {
        match f {
            Filter::Not(inner) => inner,
            other => other,
        }
    }
    match (inner(a), inner(b)) {
        (Filter::Count(m, _, _), Filter::Count(n, _, _)) => m == n,
        (Filter::Accesses(_, x), Filter::Accesses(_, y)) => x == y,
        (Filter::AccessesAny(x), Filter::AccessesAny(y)) => x == y,
        (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// The query a classified question answers, as the turn keeps it: its corpus query, or
/// the list a single-member question gives ("Which programs call X?" is the programs that
/// call X), so "which of those are in FX?" can follow either.
pub fn query_of(question: &CodeQuestion) -> Option<CorpusQuery> {
    use crate::corpus::Entity;
    if let Some(query) = &question.options.corpus {
        return Some(query.clone());
    }
    let subject = question.subject.clone()?;
    let programs = CorpusQuery::all(Entity::Programs);
    match question.kind {
        QuestionKind::Callers => Some(programs.with(Filter::Calls(subject))),
        QuestionKind::CopybookUsers => Some(programs.with(Filter::Copies(subject))),
        QuestionKind::Calls => Some(programs.with(Filter::CalledBy(subject))),
        _ => None,
    }
}

/// The corpus query the newest turn answered, if it kept one.
pub fn previous_query(window: &Window) -> Option<CorpusQuery> {
    let turn = window.turns().next_back()?;
    let value = turn.metadata.get(QUERY_KEY)?;
    serde_json::from_value(value.clone()).ok()
}

/// Names in `text` that look like COBOL member names: 3 to 30 characters of upper-case
/// letters, digits, `-` and `_`, with at least one letter, written in upper case.
pub fn member_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
        let token = token.trim_matches(|c| c == '-' || c == '_');
        let plausible = (3..=30).contains(&token.len())
            && token.bytes().any(|b| b.is_ascii_uppercase())
            && token
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && !NOT_NAMES.contains(&token);
        if plausible && !names.iter().any(|n| n == token) {
            names.push(token.to_owned());
        }
    }
    names
}

/// The conversation's current subject: the newest turn's `subject` metadata, else the
/// first member name in its question, else in its answer.
pub fn current_subject(window: &Window) -> Option<String> {
    window.turns().rev().find_map(|turn| {
        turn.metadata
            .get("subject")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .or_else(|| member_names(&turn.user).into_iter().next())
            .or_else(|| member_names(&turn.assistant).into_iter().next())
    })
}

/// Finds `phrase` in `lower` as whole words; returns its byte range.
fn find_phrase(lower: &str, phrase: &str) -> Option<(usize, usize)> {
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(i) = lower[from..].find(phrase) {
        let start = from + i;
        let end = start + phrase.len();
        let before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        // "it's" is "it is"; the apostrophe ends the word either way.
        if before && after {
            return Some((start, end));
        }
        from = end;
    }
    None
}

/// Resolves references in `question` against the conversation in `window`.
///
/// The first reference phrase (see the list in this module) is replaced by the current
/// subject (`its` becomes `SUBJECT's`), unless a member name comes before it in the
/// question itself ("What does LONPF3 do and who calls it?"): then that name is what the
/// reference means and the question is left as it is. A phrase followed by a name is
/// that name's type ("the file PST-FILE"), not a reference. "Option N" in a question
/// that names no member is the current subject's option ("What does option 1 run?"
/// becomes "What does option 1 of LPMENU run?"). Without a reference, or without a
/// subject, the question is left as it is. The newest turn's corpus query comes along
/// for a follow-up over a list to refine.
pub fn resolve(question: &str, window: &Window) -> Resolution {
    let mut resolution = resolve_reference(question.trim(), window);
    resolution.previous = previous_query(window);
    if resolution.reference.is_none()
        && member_names(&resolution.question).is_empty()
        && let Some(at) = option_number_end(&resolution.question)
        && let Some(subject) = current_subject(window)
    {
        let q = &resolution.question;
        resolution.question = format!("{} of {subject}{}", &q[..at], &q[at..]);
        resolution.subject = Some(subject);
    }
    resolution
}

/// Where "option N" ends in `question`.
fn option_number_end(question: &str) -> Option<usize> {
    let lower = question.to_ascii_lowercase();
    let (_, end) = find_phrase(&lower, "option")?;
    let rest = &lower[end..];
    let digits = rest.trim_start();
    let skipped = rest.len() - digits.len();
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    (skipped > 0 && n > 0).then_some(end + skipped + n)
}

fn resolve_reference(question: &str, window: &Window) -> Resolution {
    let named = member_names(question).into_iter().next();
    let lower = question.to_ascii_lowercase();
    let found = REFERENCES
        .iter()
        .filter_map(|phrase| find_phrase(&lower, phrase).map(|range| (range, *phrase)))
        .min_by_key(|((start, end), _)| (*start, usize::MAX - end));
    let unchanged = |subject: Option<String>| Resolution {
        question: question.to_owned(),
        reference: None,
        subject,
        previous: None,
    };
    let Some(((start, end), phrase)) = found else {
        return unchanged(named);
    };
    if let Some(name) = &named
        && question.find(name.as_str()).is_some_and(|at| at < start)
    {
        return unchanged(named);
    }
    // "the file PST-FILE": the phrase names the type of the name after it.
    let after = question[end..].trim_start();
    if phrase != "its"
        && phrase != "it"
        && member_names(after)
            .first()
            .is_some_and(|name| after.starts_with(name.as_str()))
    {
        return unchanged(named);
    }
    let Some(subject) = current_subject(window) else {
        return unchanged(named);
    };
    let replacement = if phrase == "its" {
        format!("{subject}'s")
    } else {
        subject.clone()
    };
    Resolution {
        question: format!("{}{replacement}{}", &question[..start], &question[end..]),
        reference: Some(question[start..end].to_owned()),
        subject: Some(subject),
        previous: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turn::{Metadata, NewTurn, Seq, Timestamp, TurnId};
    use crate::window::MaxTurns;

    fn window(turns: &[(&str, &str, Option<&str>)]) -> Window {
        Window::from_turns(
            MaxTurns::DEFAULT,
            turns.iter().enumerate().map(|(i, (q, a, subject))| {
                let mut metadata = Metadata::new();
                if let Some(s) = subject {
                    metadata.insert("subject".into(), (*s).into());
                }
                NewTurn {
                    id: TurnId::parse(format!("t{i}")).unwrap(),
                    at: Timestamp::EPOCH,
                    user: (*q).into(),
                    assistant: (*a).into(),
                    metadata,
                }
                .at_seq(Seq(i as u64))
            }),
        )
    }

    #[test]
    fn finds_member_names() {
        let cases: [(&str, &[&str]); 5] = [
            ("What does LONPF2 do?", &["LONPF2"]),
            (
                "Does LONMAIN call LONPF3 or DATEUTIL?",
                &["LONMAIN", "LONPF3", "DATEUTIL"],
            ),
            ("What is in copybook LN-REC?", &["LN-REC"]),
            ("what does lonpf2 do", &[]),
            ("Is this COBOL or JCL? It is OK.", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(member_names(text), want, "{text}");
        }
    }

    #[test]
    fn resolves_references_to_the_subject() {
        let after_lonpf2 = window(&[(
            "What does LONPF2 do?",
            "LONPF2 posts payments.",
            Some("LONPF2"),
        )]);
        let cases = [
            (
                "What copybooks does it use?",
                "What copybooks does LONPF2 use?",
                Some("it"),
            ),
            (
                "Who calls this program?",
                "Who calls LONPF2?",
                Some("this program"),
            ),
            (
                "What are its files?",
                "What are LONPF2's files?",
                Some("its"),
            ),
            ("And that copybook?", "And LONPF2?", Some("that copybook")),
            (
                "What does the file contain?",
                "What does LONPF2 contain?",
                Some("the file"),
            ),
            (
                "Does it call DATEUTIL?",
                "Does LONPF2 call DATEUTIL?",
                Some("it"),
            ),
            (
                "What does LONPF3 do and who calls it?",
                "What does LONPF3 do and who calls it?",
                None,
            ),
            (
                "How are late fees assessed?",
                "How are late fees assessed?",
                None,
            ),
            ("Is item 3 split?", "Is item 3 split?", None),
        ];
        for (question, want, reference) in cases {
            let r = resolve(question, &after_lonpf2);
            assert_eq!(r.question, want, "{question}");
            assert_eq!(r.reference.as_deref(), reference, "{question}");
        }
    }

    #[test]
    fn the_newest_subject_wins_and_names_in_text_are_a_fallback() {
        let w = window(&[
            ("What does LONPF2 do?", "…", Some("LONPF2")),
            ("What does LONPF3 do?", "…", None),
        ]);
        assert_eq!(resolve("Who calls it?", &w).question, "Who calls LONPF3?");
        let empty = window(&[]);
        let r = resolve("Who calls it?", &empty);
        assert_eq!(r.question, "Who calls it?");
        assert_eq!(r.subject, None);
    }
}
