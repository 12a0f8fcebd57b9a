//! One query per question kind: the complete list that answers it, grouped, and the few
//! lines an answer cites.

mod corpus;
mod data;
mod members;
mod procedure;
mod users;

use std::collections::HashSet;

use otis_core::ports::{
    CodeFacts, CodeQuestion, Evidence, FactItem, ItemGroup, Note, QuestionKind, SymbolKind,
};

use crate::link::Linked;
use crate::names::normalise;
use crate::source::LineSource;

/// Most lines one answer cites.
const MAX_EVIDENCE: usize = 8;
/// Most programs a business-process answer lists.
const MAX_PROCESS_HITS: usize = 10;

pub(crate) fn facts(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    q: &CodeQuestion,
) -> Option<CodeFacts> {
    let mut out = Out {
        link,
        lines,
        seen: HashSet::new(),
    };
    match q.kind {
        QuestionKind::Overview => return Some(out.overview()),
        QuestionKind::BusinessProcess => return out.business(&q.text),
        QuestionKind::ScreenFlow => return crate::flow::screens(link, lines, q),
        QuestionKind::Search => return None,
        QuestionKind::Count
        | QuestionKind::List
        | QuestionKind::Ranking
        | QuestionKind::Impact
        | QuestionKind::CallChain
        | QuestionKind::Cycles
        | QuestionKind::Crud
        | QuestionKind::MenuOptions
        | QuestionKind::MenuPath
        | QuestionKind::EntryPoint
        | QuestionKind::ScreenFields => return crate::corpus::facts(link, lines, q),
        _ => {}
    }
    let subject = normalise(q.subject.as_deref()?);
    let Some(found) = link.identify(&subject) else {
        return Some(unknown(link, lines, q.kind, &subject));
    };
    // The question may say which member it means (`CHKSEC.CPY`, `CHKSEC.CBL`) where a
    // program and a copybook share a name.
    let kind = match q.subject_kind {
        Some(SymbolKind::Copybook) if link.is_copybook_name(&subject) => SymbolKind::Copybook,
        Some(SymbolKind::Program) if link.is_program_name(&subject) => SymbolKind::Program,
        _ => found,
    };
    use QuestionKind as K;
    use SymbolKind as S;
    match (q.kind, kind) {
        (K::Purpose, S::Program | S::Copybook) => out.purpose(&subject, kind),
        (K::Purpose, S::Section | S::Paragraph) => out.procedure_purpose(&subject, kind),
        (K::DataDefinition, S::Section | S::Paragraph) => out.procedure_definition(&subject, kind),
        (K::Purpose | K::DataDefinition, S::DataItem) => out.data_definition(&subject),
        (K::DataDefinition, S::Program | S::Copybook) => out.purpose(&subject, kind),
        (K::Copybooks, S::Program | S::Copybook) => out.copybooks(&subject, kind),
        (K::Calls, S::Program | S::Copybook) => out.calls(&subject, kind),
        (K::Callers | K::CopybookUsers, S::Program) => out.callers(&subject),
        (K::Callers | K::CopybookUsers, S::Copybook) => out.copybook_users(&subject),
        (K::Callers | K::ProcedureUsers | K::DataUsage, S::Section | S::Paragraph) => {
            out.procedure_users(&subject, kind)
        }
        (K::Callers | K::ProcedureUsers | K::DataUsage, S::DataItem) => {
            out.data_usage(&subject, q.options.access)
        }
        (K::Files, S::Program | S::Copybook) => out.files(&subject, kind),
        (K::Dependencies, S::Program | S::Copybook) => out.dependencies(&subject, kind),
        (K::Flow, S::Program | S::Copybook | S::Section | S::Paragraph) => {
            crate::flow::program(link, lines, q, &subject, kind)
        }
        _ => None,
    }
}

/// A question about a name the corpus does not define or use: said plainly, with what
/// the index does hold and the names closest to it.
fn unknown(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    kind: QuestionKind,
    subject: &str,
) -> CodeFacts {
    crate::corpus::absent(link, lines, kind, subject)
}

struct Out<'a> {
    link: &'a Linked<'a>,
    lines: &'a dyn LineSource,
    seen: HashSet<(u32, u32)>,
}

fn facts_of(kind: QuestionKind, subject: &str, subject_kind: SymbolKind) -> CodeFacts {
    CodeFacts {
        subject: Some(subject.to_owned()),
        subject_kind: Some(subject_kind),
        ..CodeFacts::new(kind)
    }
}

fn note(facts: &mut CodeFacts, what: Note, value: impl Into<String>) {
    facts.add_note(what, value);
}

fn item(
    name: &str,
    group: Option<ItemGroup>,
    detail: Option<String>,
    file: &str,
    line: u32,
) -> FactItem {
    FactItem {
        name: name.to_owned(),
        group,
        detail,
        file: file.to_owned(),
        line,
    }
}

/// Names most of which a note lists: `N (A, B, ..., and M more)`, 25 shown.
fn counted(names: &[String]) -> String {
    const SHOWN: usize = 25;
    let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    let more = names.len() - shown.len();
    let tail = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    format!("{} ({}{tail})", names.len(), shown.join(", "))
}

/// At most `max` characters of `text`, cut at a word, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} ...")
}

impl Out<'_> {
    /// Cites lines `line..=end` of file `f`, once per answer and at most
    /// [`MAX_EVIDENCE`] times.
    fn cite(&mut self, facts: &mut CodeFacts, f: u32, line: u32, end: u32) {
        if facts.evidence.len() >= MAX_EVIDENCE || !self.seen.insert((f, line)) {
            return;
        }
        let row = self.link.row(f);
        let end = end.max(line).min(row.lines.max(line));
        facts.evidence.push(Evidence {
            file: row.path.clone(),
            line,
            end_line: end,
            member: Some(row.member.clone()),
            text: self.lines.lines(&row.path, line, end).unwrap_or_default(),
        });
    }

    /// The file that holds `name` (a program before a copybook).
    fn home(&self, name: &str) -> Option<u32> {
        self.link.member_files(name).first().copied()
    }

    /// Cites the member's header description, or its first line.
    fn cite_header(&mut self, facts: &mut CodeFacts, f: u32) {
        let row = self.link.row(f);
        let line = row.description_line.unwrap_or(1);
        // The description and up to three continuation lines.
        let extra = row
            .description
            .as_ref()
            .map_or(0, |d| u32::from(d.len() > 60) + u32::from(d.len() > 120));
        self.cite(facts, f, line, line + extra);
    }
}
