//! Writing a corpus answer's facts: items (each with its file and line), notes, cited
//! lines; and the answer for a name the corpus does not have, with the nearest real ones.

use otis_core::ports::{CodeFacts, Evidence, FactItem, FixedGroup, ItemGroup, Note, QuestionKind};

use crate::link::Linked;
use crate::source::LineSource;

/// Most lines one answer cites.
const MAX_EVIDENCE: usize = 8;
/// Most items an answer's facts carry (the count says how many there are).
const MAX_ITEMS: usize = 20_000;

/// Writes the facts of corpus answers: items, notes and cited lines.
pub(crate) struct Writer<'a> {
    pub(crate) link: &'a Linked<'a>,
    lines: &'a dyn LineSource,
    pub(crate) facts: CodeFacts,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(link: &'a Linked<'a>, lines: &'a dyn LineSource, kind: QuestionKind) -> Self {
        Self {
            link,
            lines,
            facts: CodeFacts::new(kind),
        }
    }

    pub(crate) fn note(&mut self, what: Note, value: impl Into<String>) {
        self.facts.add_note(what, value);
    }

    /// Adds an item (up to [`MAX_ITEMS`]).
    pub(crate) fn item(
        &mut self,
        name: &str,
        group: Option<String>,
        detail: Option<String>,
        file: u32,
        line: u32,
    ) {
        if self.facts.items.len() >= MAX_ITEMS {
            return;
        }
        self.facts.items.push(FactItem {
            name: name.to_owned(),
            group: group.map(ItemGroup::of),
            detail,
            file: self.link.row(file).path.clone(),
            line,
        });
    }

    /// Cites lines of a file (once each, at most [`MAX_EVIDENCE`]).
    pub(crate) fn cite(&mut self, file: u32, line: u32) {
        if self.facts.evidence.len() >= MAX_EVIDENCE || line == 0 {
            return;
        }
        let path = self.link.row(file).path.clone();
        if self
            .facts
            .evidence
            .iter()
            .any(|e| e.file == path && e.line == line)
        {
            return;
        }
        self.facts.evidence.push(Evidence {
            text: self.lines.lines(&path, line, line).unwrap_or_default(),
            member: Some(self.link.name(file).to_owned()),
            file: path,
            line,
            end_line: line,
        });
    }

    /// Cites the first items' lines.
    fn cite_items(&mut self) {
        let firsts: Vec<(String, u32)> = self
            .facts
            .items
            .iter()
            .take(MAX_EVIDENCE)
            .map(|i| (i.file.clone(), i.line))
            .collect();
        for (path, line) in firsts {
            if let Some(f) = self.link.file_id(&path) {
                self.cite(f, line);
            }
        }
    }

    pub(crate) fn finish(mut self) -> CodeFacts {
        if self.facts.evidence.is_empty() {
            self.cite_items();
        }
        self.facts
    }
}

/// Names the corpus has that share the longest prefix (3 characters or more) with
/// `name`: what a user may have meant.
pub(crate) fn near(link: &Linked<'_>, name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    for len in (3..chars.len()).rev() {
        let prefix: String = chars[..len].iter().collect();
        let found = link.list(
            "SELECT DISTINCT member FROM files WHERE kind IN ('program', 'copybook') \
             AND substr(member, 1, ?2) = ?1 ORDER BY member LIMIT 20",
            rusqlite::params![prefix, i64::try_from(len).unwrap_or(0)],
            |r| r.get::<_, String>(0),
        );
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// Facts saying `name` is not in the corpus, with the nearest names.
pub(crate) fn absent(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    kind: QuestionKind,
    name: &str,
) -> CodeFacts {
    let mut w = Writer::new(link, lines, kind);
    w.facts.subject = Some(name.to_owned());
    w.note(Note::NotFound, name);
    let counts = link.counts();
    w.note(Note::Programs, counts.programs.to_string());
    w.note(Note::Copybooks, counts.copybooks.to_string());
    for near in near(link, name) {
        if let Some(&f) = link.member_files(&near).first() {
            w.item(&near, Some(FixedGroup::Near.label().to_owned()), None, f, 1);
        }
    }
    w.facts
}
