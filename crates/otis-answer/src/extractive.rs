//! The grounded extractive answerer: deterministic, instant, offline. It answers from the
//! facts of the member a question is about (description, copybooks, calls, callers,
//! files, paragraphs) and from the retrieved chunks, and cites them as `[n]`.

use async_trait::async_trait;
use otis_core::ports::{
    ChatError, ChatModel, ChatRequest, ChatResponse, Hit, MemberFacts, MemberKind,
};
use otis_core::resolve::member_names;

use crate::text::{list, plural, sentence_case};

/// The extractive answerer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extractive;

const NAME: &str = "extractive";

/// What a question asks about its member.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Intent {
    copybooks: bool,
    calls: bool,
    callers: bool,
    files: bool,
    paragraphs: bool,
}

impl Intent {
    fn of(question: &str) -> Self {
        let q = question.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| q.contains(w));
        let callers = has(&[
            "who calls",
            "what calls",
            "which programs call",
            "called by",
            "callers",
            "calls it",
            "who uses",
            "which programs use",
            "used by",
            "who copies",
        ]);
        Self {
            copybooks: has(&["copybook", "copy ", "copies", "include"]) && !has(&["who copies"]),
            calls: !callers && has(&["call", "invoke", "subprogram"]),
            callers,
            files: has(&["file", "select", "assign", "dataset", "reads", "writes"]),
            paragraphs: has(&[
                "paragraph",
                "section",
                "steps",
                "logic",
                "flow",
                "structure",
            ]),
        }
    }

    fn any(self) -> bool {
        self.copybooks || self.calls || self.callers || self.files || self.paragraphs
    }
}

/// The member the question is about, and the number of the source that backs it: a
/// member the question names, else the best source's member.
fn target<'a>(question: &str, sources: &'a [Hit]) -> Option<(&'a MemberFacts, usize)> {
    let with_facts = || {
        sources
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.facts.as_ref().map(|f| (f, i + 1)))
    };
    for name in member_names(question) {
        if let Some(found) = with_facts().find(|(f, _)| f.name.eq_ignore_ascii_case(&name)) {
            return Some(found);
        }
    }
    // Lower-case names ("what does lonpf2 do") match too.
    let lower = question.to_ascii_lowercase();
    with_facts()
        .find(|(f, _)| {
            lower
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .any(|w| w.eq_ignore_ascii_case(&f.name))
        })
        .or_else(|| with_facts().next())
}

fn keep_words(facts: &MemberFacts) -> Vec<String> {
    let mut keep = vec![facts.name.clone()];
    keep.extend(facts.copybooks.iter().cloned());
    keep.extend(facts.calls.iter().cloned());
    keep.extend(facts.called_by.iter().cloned());
    keep.extend(
        facts
            .files
            .iter()
            .flat_map(|f| [f.name.clone(), f.assign.clone()]),
    );
    keep.extend(["OTIS".to_owned(), "YYYYMMDD".to_owned()]);
    keep
}

fn describe_kind(facts: &MemberFacts) -> &'static str {
    match facts.kind {
        Some(MemberKind::Program) => "a COBOL program",
        Some(MemberKind::Copybook) => "a copybook",
        Some(MemberKind::Document) => "a document",
        None => "a member",
    }
}

fn answer(request: &ChatRequest) -> String {
    if let Some(facts) = &request.facts {
        let text = crate::render::render(facts);
        if !text.is_empty() {
            return text;
        }
    }
    let sources = &request.sources;
    let Some((facts, cite)) = target(&request.question, sources) else {
        return match sources.first() {
            Some(hit) => format!(
                "The closest match is {} [1]:\n\n{}",
                hit.file,
                hit.text.lines().take(12).collect::<Vec<_>>().join("\n")
            ),
            None => "I found nothing in the indexed codebase about that question. Try naming \
                     a program or copybook (for example LONPF2), or rebuild the index if \
                     the code is new."
                .to_owned(),
        };
    };
    let name = &facts.name;
    let intent = Intent::of(&request.question);
    let mut parts: Vec<String> = Vec::new();

    if intent.copybooks {
        parts.push(if facts.copybooks.is_empty() {
            format!("{name} copies no copybooks [{cite}].")
        } else {
            format!(
                "{name} uses {}: {} [{cite}].",
                plural(facts.copybooks.len(), "copybook", "copybooks"),
                list(&facts.copybooks)
            )
        });
    }
    if intent.calls {
        parts.push(if facts.calls.is_empty() {
            format!("{name} makes no static calls [{cite}].")
        } else {
            format!("{name} calls {} [{cite}].", list(&facts.calls))
        });
    }
    if intent.callers {
        let copybook = facts.kind == Some(MemberKind::Copybook);
        let (who, verb, active) = if copybook {
            (&facts.copied_by, "copied by", "copies")
        } else {
            (&facts.called_by, "called by", "calls")
        };
        parts.push(if who.is_empty() {
            format!("No indexed program {active} {name} [{cite}].")
        } else {
            format!("{name} is {verb} {} [{cite}].", list(who))
        });
    }
    if intent.files {
        parts.push(if facts.files.is_empty() {
            format!("{name} declares no files (no SELECT ... ASSIGN) [{cite}].")
        } else {
            let files: Vec<String> = facts
                .files
                .iter()
                .map(|f| format!("{} (assigned to {})", f.name, f.assign))
                .collect();
            format!(
                "{name} uses {}: {} [{cite}].",
                plural(files.len(), "file", "files"),
                list(&files)
            )
        });
    }
    if intent.paragraphs {
        parts.push(if facts.paragraphs.is_empty() {
            format!("{name} has no paragraphs [{cite}].")
        } else {
            format!(
                "{name} has {}: {} [{cite}].",
                plural(facts.paragraphs.len(), "paragraph", "paragraphs"),
                list(&facts.paragraphs)
            )
        });
    }
    if !intent.any() {
        parts.push(overview(facts, cite));
        // Point at where the program starts: its first paragraph among the sources.
        let entry = sources
            .iter()
            .enumerate()
            .filter(|(i, h)| *i + 1 != cite && h.program.as_deref() == Some(name.as_str()))
            .filter_map(|(i, h)| h.lines.map(|lines| (i, h, lines)))
            .min_by_key(|(_, _, (start, _))| *start);
        if let Some((i, hit, (start, end))) = entry
            && let Some(first) = hit.text.lines().next()
        {
            let what = first
                .strip_prefix(&format!("{name} paragraph "))
                .unwrap_or(first);
            parts.push(format!(
                "It starts at {what} in {} lines {start}-{end} [{}].",
                hit.file,
                i + 1
            ));
        }
    }
    parts.join(" ")
}

fn overview(facts: &MemberFacts, cite: usize) -> String {
    let name = &facts.name;
    let mut text = format!("{name} is {} ({}).", describe_kind(facts), facts.file);
    if let Some(description) = &facts.description {
        text.push(' ');
        text.push_str(&sentence_case(description, &keep_words(facts)));
    }
    text.push_str(&format!(" [{cite}]"));
    let mut more = Vec::new();
    if !facts.copybooks.is_empty() {
        more.push(format!("copies {}", list(&facts.copybooks)));
    }
    if !facts.calls.is_empty() {
        more.push(format!("calls {}", list(&facts.calls)));
    }
    if !facts.files.is_empty() {
        let files: Vec<String> = facts
            .files
            .iter()
            .map(|f| format!("{} ({})", f.name, f.assign))
            .collect();
        more.push(format!("uses the files {}", list(&files)));
    }
    match more.as_slice() {
        [] => {}
        [one] => text.push_str(&format!(" It {one}.")),
        [rest @ .., last] => text.push_str(&format!(" It {}; and {last}.", rest.join("; "))),
    }
    let by = if facts.kind == Some(MemberKind::Copybook) {
        (&facts.copied_by, "copied by")
    } else {
        (&facts.called_by, "called by")
    };
    if !by.0.is_empty() {
        text.push_str(&format!(" It is {} {}.", by.1, list(by.0)));
    }
    text
}

#[async_trait]
impl ChatModel for Extractive {
    fn name(&self) -> String {
        NAME.to_owned()
    }

    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, ChatError> {
        Ok(ChatResponse {
            text: answer(request),
            model: NAME.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otis_core::ports::FileAssignment;

    fn lonpf2() -> MemberFacts {
        MemberFacts {
            name: "LONPF2".into(),
            kind: Some(MemberKind::Program),
            file: "src/LONPF2.cbl".into(),
            description: Some(
                "POSTS LOAN PAYMENTS. READS THE PAYTRAN FILE AND CALLS DATEUTIL.".into(),
            ),
            copybooks: vec!["PAYREC".into(), "LNREC".into(), "ERRMSG".into()],
            calls: vec!["DATEUTIL".into(), "LONAUDIT".into()],
            called_by: vec!["LONMAIN".into()],
            copied_by: vec![],
            files: vec![FileAssignment {
                name: "PAYMENT-FILE".into(),
                assign: "PAYTRAN".into(),
            }],
            paragraphs: vec!["0000-MAIN".into(), "2000-POST-PAYMENT".into()],
            lines: 90,
        }
    }

    fn hit(id: &str, facts: Option<MemberFacts>, lines: (u32, u32), text: &str) -> Hit {
        Hit {
            id: id.into(),
            file: facts
                .as_ref()
                .map_or("docs/x.md".into(), |f| f.file.clone()),
            program: facts.as_ref().map(|f| f.name.clone()),
            lines: Some(lines),
            score: 1.0,
            text: text.into(),
            facts,
        }
    }

    fn ask(question: &str, sources: Vec<Hit>) -> String {
        answer(&ChatRequest {
            question: question.into(),
            history: vec![],
            sources,
            temperature: 0.0,
            max_tokens: 100,
            facts: None,
        })
    }

    #[test]
    fn answers_each_kind_of_question_from_the_facts() {
        let sources = vec![
            hit("a#0", Some(lonpf2()), (1, 35), "program LONPF2"),
            hit(
                "a#3",
                Some(lonpf2()),
                (50, 60),
                "LONPF2 paragraph 2000-POST-PAYMENT\n...",
            ),
        ];
        let cases = [
            (
                "What copybooks does LONPF2 use?",
                "LONPF2 uses 3 copybooks: PAYREC, LNREC and ERRMSG [1].",
            ),
            (
                "Which programs does LONPF2 call?",
                "LONPF2 calls DATEUTIL and LONAUDIT [1].",
            ),
            ("Who calls LONPF2?", "LONPF2 is called by LONMAIN [1]."),
            (
                "What calls it, LONPF2 I mean?",
                "LONPF2 is called by LONMAIN [1].",
            ),
            (
                "What files does LONPF2 use?",
                "LONPF2 uses 1 file: PAYMENT-FILE (assigned to PAYTRAN) [1].",
            ),
            (
                "List the paragraphs of LONPF2",
                "LONPF2 has 2 paragraphs: 0000-MAIN and 2000-POST-PAYMENT [1].",
            ),
        ];
        for (question, want) in cases {
            assert_eq!(ask(question, sources.clone()), want, "{question}");
        }
        let overview = ask("What does LONPF2 do?", sources);
        assert!(
            overview.starts_with(
                "LONPF2 is a COBOL program (src/LONPF2.cbl). Posts loan payments. Reads the PAYTRAN file and calls DATEUTIL. [1]"
            ),
            "{overview}"
        );
        assert!(
            overview.contains(
                "It copies PAYREC, LNREC and ERRMSG; calls DATEUTIL and LONAUDIT; and uses the files PAYMENT-FILE (PAYTRAN)."
            ),
            "{overview}"
        );
        assert!(overview.contains("It is called by LONMAIN."));
        assert!(
            overview.ends_with("It starts at 2000-POST-PAYMENT in src/LONPF2.cbl lines 50-60 [2]."),
            "{overview}"
        );
    }

    #[test]
    fn the_named_member_wins_over_the_best_source() {
        let other = MemberFacts {
            name: "LONPF3".into(),
            kind: Some(MemberKind::Program),
            file: "src/LONPF3.cbl".into(),
            ..MemberFacts::default()
        };
        let sources = vec![
            hit("b#0", Some(other), (1, 10), "program LONPF3"),
            hit("a#0", Some(lonpf2()), (1, 35), "program LONPF2"),
        ];
        assert_eq!(
            ask("what copybooks does lonpf2 use", sources.clone()),
            "LONPF2 uses 3 copybooks: PAYREC, LNREC and ERRMSG [2]."
        );
        assert!(
            ask("How are late fees assessed?", sources).starts_with("LONPF3 is a COBOL program")
        );
    }

    #[test]
    fn says_plainly_when_nothing_was_found() {
        let none = ask("What does ZZZ do?", vec![]);
        assert!(
            none.starts_with("I found nothing in the indexed codebase"),
            "{none}"
        );
        let doc_only = ask(
            "overview?",
            vec![hit("d#0", None, (1, 3), "# Overview\nNightly batch.")],
        );
        assert!(
            doc_only.starts_with("The closest match is docs/x.md [1]:"),
            "{doc_only}"
        );
    }

    #[test]
    fn sentence_case_keeps_identifiers() {
        let keep = vec!["LONMAIN".to_string()];
        assert_eq!(
            sentence_case("CALLED BY LONMAIN. USES 2000-POST AND X9.", &keep),
            "Called by LONMAIN. Uses 2000-POST and X9."
        );
        assert_eq!(sentence_case("Already mixed.", &keep), "Already mixed.");
    }
}
