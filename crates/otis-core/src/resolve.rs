//! Follow-up resolution: "What copybooks does it use?" after a question about LONPF2
//! becomes "What copybooks does LONPF2 use?". Deterministic and pure.

use crate::window::Window;

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
/// reference means and the question is left as it is. Without a reference, or without
/// a subject, the question is left as it is.
pub fn resolve(question: &str, window: &Window) -> Resolution {
    let question = question.trim();
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
    };
    let Some(((start, end), phrase)) = found else {
        return unchanged(named);
    };
    if let Some(name) = &named
        && question.find(name.as_str()).is_some_and(|at| at < start)
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
