//! What a section or paragraph does: where it is (file and lines), its comment (or, when
//! it has none, the comment of what it performs), what it performs and calls, the data it
//! changes and reads, and its statements in order.

use otis_cobol::ProcKind;
use otis_core::ports::{CodeFacts, FixedGroup, ItemGroup, Note, QuestionKind, SymbolKind};

use super::{Out, facts_of, item, note};

/// Most statement lines an answer quotes.
const MAX_LINES: usize = 60;

/// Fixed-format comment text of a line (`*` or `/` in column 7), trimmed; `None` for
/// code or blank lines.
fn comment_text(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() > 6 && matches!(chars[6], '*' | '/') {
        let text: String = chars[7..].iter().collect();
        let text = text
            .trim()
            .trim_matches(|c: char| c == '*' || c == '-' || c == '=')
            .trim()
            .to_owned();
        return (!text.is_empty()).then_some(text);
    }
    None
}

/// Whether a fixed-format line is a comment line (`*` or `/` in column 7).
fn is_comment(line: &str) -> bool {
    matches!(line.chars().nth(6), Some('*' | '/'))
}

/// Comment lines read above a procedure's header for its comment.
const COMMENT_ABOVE: u32 = 24;

/// A header block's description: from its `DESC:` (or `DESCRIPTION:`, `PURPOSE:`,
/// `FUNCTION:`) line up to the next labelled line, when it has one; else the block
/// without letter-spaced banners (`P S T - F R - F O N T`).
fn described(block: Vec<String>) -> Vec<String> {
    let label = |t: &str| -> Option<(String, String)> {
        let (head, rest) = t.split_once(':')?;
        let head = head.trim();
        (!head.is_empty()
            && head.len() <= 16
            && head
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '-'))
        .then(|| (head.to_ascii_uppercase(), rest.trim().to_owned()))
    };
    let start = block.iter().position(|t| {
        label(t).is_some_and(|(h, _)| {
            matches!(h.as_str(), "DESC" | "DESCRIPTION" | "PURPOSE" | "FUNCTION")
        })
    });
    if let Some(start) = start {
        let mut out = Vec::new();
        for (k, t) in block.iter().enumerate().skip(start) {
            match label(t) {
                Some((_, rest)) if k == start => out.push(rest),
                Some(_) => break,
                None => out.push(t.clone()),
            }
        }
        out.retain(|t| !t.is_empty());
        if !out.is_empty() {
            return out;
        }
    }
    let banner = |t: &str| {
        let chars: Vec<char> = t.chars().collect();
        chars.len() >= 5 && chars.iter().skip(1).step_by(2).all(|c| *c == ' ')
    };
    block.into_iter().filter(|t| !banner(t)).collect()
}

/// Code of a fixed-format line (columns 8-72), `None` for comments and blank lines.
fn code_text(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= 7 || matches!(chars[6], '*' | '/' | 'D' | 'd') {
        return None;
    }
    let code: String = chars[7..chars.len().min(72)].iter().collect();
    let code = code.trim_end();
    (!code.trim().is_empty()).then(|| code.to_owned())
}

impl Out<'_> {
    /// The comment block just above line `line` of `path`, else the comment lines that
    /// open the procedure (up to its first statement).
    fn comment_of(&self, path: &str, line: u32, end: u32) -> Option<String> {
        let above = self
            .lines
            .lines(
                path,
                line.saturating_sub(COMMENT_ABOVE).max(1),
                line.saturating_sub(1),
            )
            .unwrap_or_default();
        let mut block: Vec<String> = Vec::new();
        let mut in_comment = false;
        for raw in above.lines().rev() {
            match comment_text(raw) {
                Some(t) => block.push(t),
                // A rule (`*****`, `*===`) inside the header block.
                None if is_comment(raw) => {}
                // Blank lines between the header and its block; after the block, the
                // end of it (what is above belongs to something else).
                None if code_text(raw).is_none() && !in_comment => continue,
                None => break,
            }
            in_comment = true;
        }
        block.reverse();
        let mut block = described(block);
        if block.is_empty() {
            let inside = self
                .lines
                .lines(path, line + 1, end.min(line + 8))
                .unwrap_or_default();
            for raw in inside.lines() {
                match comment_text(raw) {
                    Some(t) => block.push(t),
                    None if code_text(raw).is_none() => continue,
                    None => break,
                }
            }
        }
        (!block.is_empty()).then(|| block.join(" "))
    }

    pub(super) fn procedure_purpose(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let defs = self.link.proc_defs(name);
        let Some(&(f, j)) = defs
            .iter()
            .find(|&&(f, _)| !self.link.is_old_copy(f))
            .or_else(|| defs.first())
        else {
            return self.procedure_definition(name, kind);
        };
        let file = self.link.file(f);
        let path = file.path.clone();
        let procs = &file.facts.procedures;
        let p = &procs[j as usize];
        let start = p.line;
        // A section runs on through its paragraphs.
        let end = if p.kind == ProcKind::Section {
            procs
                .iter()
                .filter(|q| q.section.as_deref() == Some(name))
                .map(|q| q.end_line)
                .max()
                .unwrap_or(p.end_line)
                .max(p.end_line)
        } else {
            p.end_line
        };
        let mut facts = facts_of(QuestionKind::Purpose, name, kind);
        facts.file = Some(path.clone());
        let what = match p.kind {
            ProcKind::Section => FixedGroup::ProcedureSection,
            ProcKind::Paragraph => FixedGroup::ProcedureParagraph,
        };
        note(
            &mut facts,
            Note::DefinedIn,
            format!("{} ({path})", self.link.name(f)),
        );
        note(&mut facts, Note::Lines, format!("{start}-{end}"));
        facts.items.push(item(
            name,
            Some(ItemGroup::Fixed(what)),
            Some(format!("in {}, lines {start}-{end}", self.link.name(f))),
            &path,
            start,
        ));
        // What it performs and calls, in order.
        let mut performed: Vec<String> = Vec::new();
        for e in file
            .facts
            .edges
            .iter()
            .filter(|e| (start..=end).contains(&e.line))
        {
            if !performed.contains(&e.target) && e.target != name {
                performed.push(e.target.clone());
                let (how, group) = match e.kind {
                    otis_cobol::EdgeKind::Perform => ("PERFORM", FixedGroup::Performs),
                    otis_cobol::EdgeKind::GoTo => ("GO TO", FixedGroup::GoesTo),
                };
                facts.items.push(item(
                    &e.target,
                    Some(ItemGroup::Fixed(group)),
                    Some(format!("{how} at line {}", e.line)),
                    &path,
                    e.line,
                ));
            }
        }
        for c in
            file.facts.calls.iter().filter(|c| {
                (start..=end).contains(&c.line) && c.kind != otis_cobol::CallKind::Runtime
            })
        {
            facts.items.push(item(
                &c.target,
                Some(ItemGroup::Fixed(FixedGroup::Calls)),
                Some(format!("CALL at line {}", c.line)),
                &path,
                c.line,
            ));
        }
        // The data it changes and reads.
        for (item_name, writes, line) in self.link.refs_in(f, start, end) {
            let group = ItemGroup::Fixed(if writes {
                FixedGroup::Changes
            } else {
                FixedGroup::Reads
            });
            if facts
                .items
                .iter()
                .any(|i| i.name == item_name && i.group.as_ref() == Some(&group))
            {
                continue;
            }
            facts.items.push(item(
                &item_name,
                Some(group),
                Some(format!("line {line}")),
                &path,
                line,
            ));
        }
        // Its comment, else that of the first procedure it performs that has one.
        let comment = self.comment_of(&path, start, end).or_else(|| {
            performed.iter().find_map(|t| {
                let (g, k) = *self.link.proc_defs(t).first()?;
                let q = self.link.file(g).facts.procedures.get(k as usize)?.clone();
                let text = self.comment_of(&self.link.row(g).path.clone(), q.line, q.end_line)?;
                Some(format!("{text} (the comment of {t}, which it performs)"))
            })
        });
        if let Some(c) = comment {
            note(&mut facts, Note::Comment, c);
        }
        let quoted = end.min(start + u32::try_from(MAX_LINES).unwrap_or(60));
        self.cite(&mut facts, f, start, quoted);
        let users = self.procedure_user_programs(name);
        note(&mut facts, Note::ProgramsThatUseIt, users.len().to_string());
        Some(facts)
    }
}
