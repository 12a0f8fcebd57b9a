//! Questions about one member: what it is for, what it copies and calls, its files and
//! dependencies.

use std::collections::HashSet;

use otis_cobol::{CallKind, Copy, ProcKind};
use otis_core::ports::{CodeFacts, FixedGroup, ItemGroup, Note, QuestionKind, SymbolKind};

use super::{MAX_EVIDENCE, Out, counted, facts_of, item, note};

/// The library a COPY names: the folders before the member (`LIBGB`,
/// `LIBUP/A15SRC`), or a placeholder.
pub(super) fn library(copy: &Copy) -> String {
    match copy.path.replace('\\', "/").rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => dir.to_ascii_uppercase(),
        _ => copy
            .library
            .clone()
            .unwrap_or_else(|| "(no library)".to_owned()),
    }
}

impl Out<'_> {
    pub(super) fn purpose(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::Purpose, name, kind);
        let Some(f) = self.home(name) else {
            // Called or copied, but its source is not in the corpus.
            let users = match kind {
                SymbolKind::Program => self.callers(name),
                _ => self.copybook_users(name),
            }?;
            note(
                &mut facts,
                Note::Source,
                "not in the indexed corpus; known from the programs that use it",
            );
            facts.items = users.items;
            facts.evidence = users.evidence;
            return Some(facts);
        };
        let file = self.link.file(f);
        let header = &file.facts.header;
        facts.file = Some(file.path.clone());
        facts.description.clone_from(&header.description);
        if let Some(dir) = &header.directory {
            note(&mut facts, Note::Directory, dir.clone());
        }
        if let Some(date) = &header.date_written {
            // "1996-12-26 (DATE-WRITTEN 122696)" when the date reads; else as written.
            let shown = match &header.date_written_iso {
                Some(iso) if iso != date => format!("{iso} (DATE-WRITTEN {date})"),
                _ => date.clone(),
            };
            note(&mut facts, Note::DateWritten, shown);
        }
        let entries = revision_entries(&header.revisions);
        if let Some(latest) = entries.iter().max_by_key(|e| e.0) {
            note(&mut facts, Note::LatestRevision, latest.1.clone());
            note(&mut facts, Note::Revisions, entries.len().to_string());
        }
        self.cite_header(&mut facts, f);
        // A program is its file: other files that carry the same PROGRAM-ID are copies.
        let copies = self.link.program_id_copies(name);
        if !copies.is_empty() {
            note(&mut facts, Note::AlsoProgramId, copies.join(", "));
        }
        // A copybook kept in more than one folder: this is the one in its own library (or
        // the shallowest); the others are copies.
        if !self.link.is_program(f) {
            let others: Vec<String> = self
                .link
                .member_files(name)
                .into_iter()
                .filter(|&g| g != f && !self.link.is_program(g))
                .map(|g| self.link.row(g).path.clone())
                .collect();
            if !others.is_empty() {
                note(&mut facts, Note::AlsoIn, others.join(", "));
            }
        }
        // What it is built from, in counts, and the first section it runs.
        // Distinct members: a member copied twice (in two divisions) is one copybook.
        let copies = file
            .facts
            .copies
            .iter()
            .map(|c| c.member.as_str())
            .collect::<HashSet<_>>()
            .len();
        let calls = self.effective_calls(f);
        note(&mut facts, Note::Copybooks, copies.to_string());
        note(&mut facts, Note::ProgramsCalled, calls.len().to_string());
        let mut callees = HashSet::new();
        for (target, cf, line, _) in &calls {
            if callees.len() < 25 && callees.insert(target.clone()) {
                let path = self.link.row(*cf).path.clone();
                facts.items.push(item(
                    target,
                    Some(FixedGroup::Calls.into()),
                    None,
                    &path,
                    *line,
                ));
            }
        }
        let callers = self.caller_programs(name);
        if !callers.is_empty() {
            note(&mut facts, Note::CalledBy, callers.len().to_string());
            for (caller, cf, line) in callers.iter().take(25) {
                let path = self.link.row(*cf).path.clone();
                facts.items.push(item(
                    caller,
                    Some(FixedGroup::CalledBy.into()),
                    None,
                    &path,
                    *line,
                ));
            }
        }
        if kind == SymbolKind::Copybook {
            let users = self.link.programs_using(f);
            note(
                &mut facts,
                Note::ProgramsThatCopyIt,
                users.len().to_string(),
            );
        }
        let sections = file
            .facts
            .procedures
            .iter()
            .filter(|p| p.kind == ProcKind::Section)
            .count();
        if sections > 0 {
            note(&mut facts, Note::Sections, sections.to_string());
        }
        if let Some(first) = file.facts.procedures.first() {
            note(&mut facts, Note::StartsAt, first.name.clone());
            self.cite(&mut facts, f, first.line, first.line);
        }
        Some(facts)
    }

    /// Calls a program makes itself and through the copybooks it copies: (target, file
    /// of the call, line, copybook it came through when not its own).
    pub(super) fn effective_calls(&self, f: u32) -> Vec<(String, u32, u32, Option<u32>)> {
        let mut out = Vec::new();
        let mut push = |file: u32, via: Option<u32>| {
            for call in &self.link.file(file).facts.calls {
                if call.kind != CallKind::Runtime {
                    out.push((call.target.clone(), file, call.line, via));
                }
            }
        };
        push(f, None);
        for (inc, via) in self.link.included(f) {
            push(inc, Some(via));
        }
        out
    }

    pub(super) fn copybooks(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let f = self.home(name)?;
        let mut facts = facts_of(QuestionKind::Copybooks, name, kind);
        let file = self.link.file(f);
        facts.file = Some(file.path.clone());
        let mut seen = HashSet::new();
        for (j, copy) in file.facts.copies.iter().enumerate() {
            if !seen.insert(copy.member.clone()) {
                continue;
            }
            let target = self.link.copy_file(f, j);
            facts.items.push(item(
                &copy.member,
                Some(ItemGroup::Named(library(copy))),
                Some(self.role(copy, target).to_owned()),
                &file.path,
                copy.line,
            ));
        }
        let nested: Vec<String> = self
            .link
            .included(f)
            .into_iter()
            .map(|(inc, _)| self.link.name(inc).to_owned())
            .filter(|m| !seen.contains(m))
            .collect();
        if !nested.is_empty() {
            note(
                &mut facts,
                Note::CopiedThroughOtherCopybooks,
                counted(&nested),
            );
        }
        // Cite the first COPY of each library and role (a group of the answer's list).
        let mut groups = HashSet::new();
        let lines: Vec<u32> = facts
            .items
            .iter()
            .filter(|i| groups.insert((i.group.clone(), i.detail.clone())))
            .map(|i| i.line)
            .collect();
        for line in lines {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }

    /// What a copybook is for, from its name's convention, where it is copied, or what
    /// it holds.
    pub(super) fn role(&self, copy: &Copy, target: Option<u32>) -> &'static str {
        let m = copy.member.as_str();
        if m.contains("SQL") {
            return "SQL";
        }
        if m.ends_with("_EVA") {
            return "screen field checks";
        }
        // Copied among procedure statements: code, whatever its name says.
        if copy.in_procedure {
            return "procedure code";
        }
        if m.ends_with("_SCN") || m.contains("SCREEN") {
            return "screen";
        }
        if m.ends_with("_WKS") || m.ends_with("WKS") || m.ends_with("WS") {
            return "working storage";
        }
        if m.ends_with("_DEF") {
            return "definitions";
        }
        if let Some(t) = target {
            let facts = &self.link.file(t).facts;
            if !facts.procedures.is_empty() {
                return "procedure code";
            }
            if !facts.files.is_empty() {
                return "file control";
            }
            if !facts.data_items.is_empty() {
                return "record or data layout";
            }
        }
        // The library naming convention: two letters of system, then FS (SELECT), FD
        // (file description), WS (working storage) or 01 (record layout).
        match m.get(2..4) {
            Some("FS") => "file control",
            Some("FD") => "file description",
            Some("WS") => "working storage",
            Some("01") => "record layout",
            _ => "other",
        }
    }

    pub(super) fn calls(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let f = self.home(name)?;
        let mut facts = facts_of(QuestionKind::Calls, name, kind);
        let file = self.link.file(f);
        facts.file = Some(file.path.clone());
        let mut seen = HashSet::new();
        let mut cites = Vec::new();
        for (target, cf, line, via) in self.effective_calls(f) {
            if !seen.insert(target.clone()) {
                continue;
            }
            let call = self
                .link
                .file(cf)
                .facts
                .calls
                .iter()
                .find(|c| c.line == line && c.target == target);
            let how = match call.map(|c| c.kind) {
                Some(CallKind::Dynamic) => "dynamic",
                _ => "static",
            };
            let group = match via {
                Some(v) => format!("{how}, through {}", self.link.row(v).path),
                None => how.to_owned(),
            };
            let detail = call.and_then(|c| {
                let path = c.path.clone()?;
                Some(match c.set_line {
                    Some(set) => format!("{path}, set at line {set}"),
                    None => path,
                })
            });
            let set_line = call.and_then(|c| c.set_line);
            facts.items.push(item(
                &target,
                Some(ItemGroup::Named(group)),
                detail,
                &self.link.row(cf).path,
                line,
            ));
            cites.push((cf, set_line.unwrap_or(line), line));
        }
        for (cf, from, to) in cites {
            // A dynamic call cites the MOVE that names the program.
            let end = if to >= from && to - from <= 3 {
                to
            } else {
                from
            };
            self.cite(&mut facts, cf, from, end);
        }
        let runtime: Vec<String> = {
            let mut names: Vec<String> = Vec::new();
            for call in &file.facts.calls {
                if call.kind == CallKind::Runtime && !names.contains(&call.target) {
                    names.push(call.target.clone());
                }
            }
            names
        };
        if !runtime.is_empty() {
            note(&mut facts, Note::RuntimeRoutines, runtime.join(", "));
        }
        let transfers: Vec<String> = {
            let mut names: Vec<String> = Vec::new();
            for t in &file.facts.transfers {
                let shown = t.path.clone().unwrap_or_else(|| t.target.clone());
                if !names.contains(&shown) {
                    names.push(shown);
                }
            }
            names
        };
        if !transfers.is_empty() {
            note(&mut facts, Note::HandsControlBackTo, transfers.join(", "));
        }
        Some(facts)
    }

    pub(super) fn files(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let f = self.home(name)?;
        let mut facts = facts_of(QuestionKind::Files, name, kind);
        facts.file = Some(self.link.row(f).path.clone());
        let mut seen = HashSet::new();
        let mut sources = vec![(f, None)];
        sources.extend(self.link.included(f).into_iter().map(|(i, v)| (i, Some(v))));
        let sources_of_files = sources.clone();
        let mut cites = Vec::new();
        // What the program does to each file: its OPEN modes and verbs, in order.
        let ops = if self.link.is_program(f) {
            crate::corpus::files::ops_of(self.link, f)
        } else {
            Vec::new()
        };
        for (source, via) in sources {
            let file = self.link.file(source);
            for decl in &file.facts.files {
                if !seen.insert(decl.name.clone()) {
                    continue;
                }
                let group = match via {
                    Some(v) => format!("through {}", self.link.row(v).path),
                    None => "declared in the program".to_owned(),
                };
                let mut done: Vec<&str> = Vec::new();
                for op in ops.iter().filter(|op| op.file == decl.name) {
                    if !done.contains(&op.op.as_str()) {
                        done.push(&op.op);
                    }
                }
                let assign = format!("assigned to {}", decl.assign);
                let detail = if done.is_empty() {
                    assign
                } else {
                    format!("{}; {assign}", done.join(", "))
                };
                facts.items.push(item(
                    &decl.name,
                    Some(ItemGroup::Named(group)),
                    Some(detail),
                    &file.path,
                    decl.line,
                ));
                cites.push((source, decl.line));
            }
        }
        for (source, line) in cites {
            self.cite(&mut facts, source, line, line);
        }
        // Copybooks outside the indexed code that are copied where SELECTs stand (before
        // the DATA DIVISION's first section, outside the procedure code) may declare
        // files of their own.
        let mut missing: Vec<String> = Vec::new();
        for (source, via) in sources_of_files {
            let facts = &self.link.file(source).facts;
            // In a copybook, only where it holds SELECTs itself (a FILE-CONTROL part).
            if via.is_some() && facts.files.is_empty() {
                continue;
            }
            // (Data sections are not among the facts a file's load reads.)
            let data_starts = self
                .link
                .list(
                    "SELECT min(line) FROM data_sections WHERE file_id = ?1",
                    [source],
                    |r| r.get::<_, Option<i64>>(0),
                )
                .first()
                .copied()
                .flatten()
                .and_then(|l| u32::try_from(l).ok());
            for (j, copy) in facts.copies.iter().enumerate() {
                let where_selects_stand =
                    !copy.in_procedure && data_starts.is_none_or(|d| copy.line < d);
                if where_selects_stand
                    && self.link.copy_file(source, j).is_none()
                    && !missing.contains(&copy.path)
                {
                    missing.push(copy.path.clone());
                }
            }
        }
        if !missing.is_empty() {
            note(&mut facts, Note::CopybooksNotIndexed, counted(&missing));
        }
        Some(facts)
    }

    pub(super) fn dependencies(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let copybooks = self.copybooks(name, kind)?;
        let calls = self.calls(name, kind)?;
        let mut facts = facts_of(QuestionKind::Dependencies, name, kind);
        facts.file = copybooks.file.clone();
        for mut i in copybooks.items {
            // The detail names the library it comes from.
            i.detail = i.group.take().map(|g| g.to_string());
            i.group = Some(FixedGroup::Copybooks.into());
            facts.items.push(i);
        }
        for mut i in calls.items {
            i.detail = i.group.take().map(|g| g.to_string());
            i.group = Some(FixedGroup::ProgramsCalled.into());
            facts.items.push(i);
        }
        // The files it declares (SELECT), with what it does to each.
        let files = self.files(name, kind);
        for mut i in files.iter().flat_map(|f| f.items.clone()) {
            i.group = Some(FixedGroup::Files.into());
            facts.items.push(i);
        }
        facts.notes = calls.notes;
        facts.notes.extend(copybooks.notes);
        facts.evidence = calls.evidence;
        let file_evidence = files.map(|f| f.evidence).unwrap_or_default();
        for e in copybooks.evidence.into_iter().chain(file_evidence) {
            if facts.evidence.len() < MAX_EVIDENCE && !facts.evidence.contains(&e) {
                facts.evidence.push(e);
            }
        }
        Some(facts)
    }
}

/// The entries of a revision history: a line with a date starts an entry, the undated
/// lines after it continue it (a line before any dated one is an entry of its own).
/// Each entry: its date (ISO) and its text, its lines joined.
fn revision_entries(revisions: &[otis_cobol::Revision]) -> Vec<(Option<&str>, String)> {
    let mut out: Vec<(Option<&str>, String)> = Vec::new();
    for r in revisions {
        match (r.date.as_deref(), out.last_mut()) {
            (None, Some((Some(_), text))) => {
                text.push(' ');
                text.push_str(r.text.trim());
            }
            (date, _) => out.push((date, r.text.trim().to_owned())),
        }
    }
    out
}
