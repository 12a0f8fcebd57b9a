//! One query per question kind: the complete list that answers it, grouped, and the few
//! lines an answer cites.

use std::collections::{BTreeMap, HashSet};

use otis_cobol::{Access, CallKind, Copy, DataItem, ProcKind, SourceKind};
use otis_core::ports::{CodeFacts, CodeQuestion, Evidence, FactItem, QuestionKind, SymbolKind};

use crate::LineSource;
use crate::link::Linked;
use crate::names::{directory, normalise};
use crate::words::{ProcessIndex, stems};

/// Most lines one answer cites.
const MAX_EVIDENCE: usize = 8;
/// Most programs a business-process answer lists.
const MAX_PROCESS_HITS: usize = 10;

pub(crate) fn facts(link: &Linked, lines: &dyn LineSource, q: &CodeQuestion) -> Option<CodeFacts> {
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
        _ => {}
    }
    let subject = normalise(q.subject.as_deref()?);
    let Some(found) = link.identify(&subject) else {
        return Some(unknown(link, q.kind, &subject));
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
        (K::Purpose | K::DataDefinition, S::Section | S::Paragraph) => {
            out.procedure_definition(&subject, kind)
        }
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
            out.data_usage(&subject, access_asked(&q.text, &subject))
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
/// the index does hold.
fn unknown(link: &Linked, kind: QuestionKind, subject: &str) -> CodeFacts {
    let counts = link.counts();
    CodeFacts {
        subject: Some(subject.to_owned()),
        notes: vec![
            ("not found".to_owned(), subject.to_owned()),
            ("programs".to_owned(), counts.programs.to_string()),
            ("copybooks".to_owned(), counts.copybooks.to_string()),
        ],
        ..CodeFacts::new(kind)
    }
}

/// Whether a usage question asks only where an item is changed, or only where it is
/// read ("Where is X modified?", "Where is X tested?").
fn access_asked(text: &str, subject: &str) -> Option<Access> {
    // The item's own name (`CHANGE-CODE`, `SET-FLAG`) says nothing about the question.
    let q = text
        .to_ascii_lowercase()
        .replace(&subject.to_ascii_lowercase(), " ");
    let has = |words: &[&str]| words.iter().any(|w| q.contains(w));
    let write = has(&[
        "modif",
        "chang",
        "updat",
        "written",
        "write to",
        "writes to",
        "assign",
        "populat",
        "moved to",
        "moved into",
        " set",
        "stored",
        "incremented",
    ]);
    let read = has(&[
        " read",
        "tested",
        "checked",
        "compared",
        "evaluated",
        "displayed",
    ]);
    match (write, read) {
        (true, false) => Some(Access::Write),
        (false, true) => Some(Access::Read),
        _ => None,
    }
}

struct Out<'a> {
    link: &'a Linked,
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

fn note(facts: &mut CodeFacts, label: &str, value: impl Into<String>) {
    facts.notes.push((label.to_owned(), value.into()));
}

fn item(
    name: &str,
    group: Option<String>,
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

/// The library a COPY names: the folders before the member (`LIBGB`,
/// `LIBUP/A15SRC`), or a placeholder.
fn library(copy: &Copy) -> String {
    match copy.path.replace('\\', "/").rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => dir.to_ascii_uppercase(),
        _ => copy
            .library
            .clone()
            .unwrap_or_else(|| "(no library)".to_owned()),
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

fn data_detail(item: &DataItem) -> String {
    let mut parts = vec![format!("level {:02}", item.level)];
    if let Some(pic) = &item.pic {
        parts.push(format!("PIC {pic}"));
    }
    if let Some(usage) = &item.usage {
        parts.push(usage.clone());
    }
    if let Some(occurs) = &item.occurs {
        parts.push(format!("OCCURS {occurs}"));
    }
    if let Some(redefines) = &item.redefines {
        parts.push(format!("REDEFINES {redefines}"));
    }
    if let Some(value) = &item.value {
        parts.push(format!("VALUE {value}"));
    }
    if let Some(parent) = &item.parent {
        parts.push(format!("in {parent}"));
    }
    parts.join(", ")
}

impl Out<'_> {
    /// Cites lines `line..=end` of file `f`, once per answer and at most
    /// [`MAX_EVIDENCE`] times.
    fn cite(&mut self, facts: &mut CodeFacts, f: u32, line: u32, end: u32) {
        if facts.evidence.len() >= MAX_EVIDENCE || !self.seen.insert((f, line)) {
            return;
        }
        let file = self.link.file(f);
        let end = end.max(line).min(file.facts.lines.max(line));
        facts.evidence.push(Evidence {
            file: file.path.clone(),
            line,
            end_line: end,
            member: Some(self.link.name(f).to_owned()),
            text: self.lines.lines(&file.path, line, end).unwrap_or_default(),
        });
    }

    /// The file that holds `name` (a program before a copybook).
    fn home(&self, name: &str) -> Option<u32> {
        self.link.member_files(name).first().copied()
    }

    /// Cites the member's header description, or its first line.
    fn cite_header(&mut self, facts: &mut CodeFacts, f: u32) {
        let file = self.link.file(f);
        let line = file.facts.header.description_line.unwrap_or(1);
        // The description and up to three continuation lines.
        let extra = file
            .facts
            .header
            .description
            .as_ref()
            .map_or(0, |d| u32::from(d.len() > 60) + u32::from(d.len() > 120));
        self.cite(facts, f, line, line + extra);
    }

    fn purpose(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::Purpose, name, kind);
        let Some(f) = self.home(name) else {
            // Called or copied, but its source is not in the corpus.
            let users = match kind {
                SymbolKind::Program => self.callers(name),
                _ => self.copybook_users(name),
            }?;
            note(
                &mut facts,
                "source",
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
            note(&mut facts, "directory", dir.clone());
        }
        if let Some(date) = &header.date_written {
            note(&mut facts, "date written", date.clone());
        }
        if let Some(last) = header.revisions.last() {
            note(&mut facts, "latest revision", last.text.clone());
            note(&mut facts, "revisions", header.revisions.len().to_string());
        }
        self.cite_header(&mut facts, f);
        // What it is built from, in counts, and the first section it runs.
        let copies = file.facts.copies.len();
        let calls = self.effective_calls(f);
        note(&mut facts, "copybooks", copies.to_string());
        note(&mut facts, "programs called", calls.len().to_string());
        let mut callees = HashSet::new();
        for (target, cf, line, _) in &calls {
            if callees.len() < 25 && callees.insert(target.clone()) {
                let path = self.link.file(*cf).path.clone();
                facts
                    .items
                    .push(item(target, Some("calls".into()), None, &path, *line));
            }
        }
        let callers = self.caller_programs(name);
        if !callers.is_empty() {
            note(&mut facts, "called by", callers.len().to_string());
            for (caller, cf, line) in callers.iter().take(25) {
                let path = self.link.file(*cf).path.clone();
                facts
                    .items
                    .push(item(caller, Some("called by".into()), None, &path, *line));
            }
        }
        if kind == SymbolKind::Copybook {
            let users = self.link.programs_using(f);
            note(&mut facts, "programs that copy it", users.len().to_string());
        }
        let sections = file
            .facts
            .procedures
            .iter()
            .filter(|p| p.kind == ProcKind::Section)
            .count();
        if sections > 0 {
            note(&mut facts, "sections", sections.to_string());
        }
        if let Some(first) = file.facts.procedures.first() {
            note(&mut facts, "starts at", first.name.clone());
            self.cite(&mut facts, f, first.line, first.line);
        }
        Some(facts)
    }

    /// Calls a program makes itself and through the copybooks it copies: (target, file
    /// of the call, line, copybook it came through when not its own).
    fn effective_calls(&self, f: u32) -> Vec<(String, u32, u32, Option<u32>)> {
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

    /// The programs statements at `sites` end up in (directly, or through the copybooks
    /// holding them), one per program: (program, file of the statement, line, whether the
    /// statement is in the program itself). `skip` leaves one program out.
    fn programs_at(&self, sites: Vec<(u32, u32)>, skip: &str) -> Vec<(String, u32, u32, bool)> {
        let mut out: Vec<(String, u32, u32, bool)> = Vec::new();
        let mut seen = HashSet::new();
        for (f, line) in sites {
            for (program, _) in self.link.programs_using(f) {
                let name = self.link.name(program);
                if name != skip && seen.insert(name.to_owned()) {
                    out.push((name.to_owned(), f, line, program == f));
                }
            }
        }
        out.sort();
        out
    }

    /// Programs that call `name`: (program, file of the call, line), one per program.
    fn caller_programs(&self, name: &str) -> Vec<(String, u32, u32)> {
        let sites = self
            .link
            .call_sites
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&(f, j)| (f, self.link.file(f).facts.calls[j as usize].line))
            .collect();
        self.programs_at(sites, name)
            .into_iter()
            .map(|(program, f, line, _)| (program, f, line))
            .collect()
    }

    fn copybooks(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let f = self.home(name)?;
        let mut facts = facts_of(QuestionKind::Copybooks, name, kind);
        let file = self.link.file(f);
        facts.file = Some(file.path.clone());
        let mut seen = HashSet::new();
        for (j, copy) in file.facts.copies.iter().enumerate() {
            if !seen.insert(copy.member.clone()) {
                continue;
            }
            let target = self.link.copy_file[f as usize].get(j).copied().flatten();
            facts.items.push(item(
                &copy.member,
                Some(library(copy)),
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
                "copied through other copybooks",
                counted(&nested),
            );
        }
        // Cite the first COPY of each library.
        let mut libraries = HashSet::new();
        let lines: Vec<u32> = facts
            .items
            .iter()
            .filter(|i| libraries.insert(i.group.clone()))
            .map(|i| i.line)
            .collect();
        for line in lines {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }

    /// What a copybook is for, from its name's convention, where it is copied, or what
    /// it holds.
    fn role(&self, copy: &Copy, target: Option<u32>) -> &'static str {
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

    fn calls(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
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
                Some(v) => format!("{how}, through {}", self.link.file(v).path),
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
                Some(group),
                detail,
                &self.link.file(cf).path,
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
            note(&mut facts, "runtime routines", runtime.join(", "));
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
            note(&mut facts, "hands control back to", transfers.join(", "));
        }
        Some(facts)
    }

    fn callers(&mut self, name: &str) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::Callers, name, SymbolKind::Program);
        facts.file = self.home(name).map(|f| self.link.file(f).path.clone());
        let callers = self.caller_programs(name);
        for (caller, cf, line) in &callers {
            let program_file = self.home(caller).map_or_else(
                || self.link.file(*cf).path.clone(),
                |p| self.link.file(p).path.clone(),
            );
            let via = (!self.link.is_program(*cf)).then(|| self.link.file(*cf).path.clone());
            facts.items.push(item(
                caller,
                Some(directory(&program_file).to_owned()),
                via.map(|v| format!("through {v}")),
                &self.link.file(*cf).path,
                *line,
            ));
        }
        for (_, cf, line) in callers.iter() {
            self.cite(&mut facts, *cf, *line, *line);
        }
        // Menus that only name it (a transfer back) are worth a note.
        let mut transfers = Vec::new();
        for (f, file) in self.link.files.iter().enumerate() {
            if file.facts.transfers.iter().any(|t| t.target == name) {
                transfers.push(self.link.name(f as u32).to_owned());
            }
        }
        if !transfers.is_empty() {
            note(
                &mut facts,
                "programs that hand control to it",
                transfers.join(", "),
            );
        }
        Some(facts)
    }

    fn copybook_users(&mut self, name: &str) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::CopybookUsers, name, SymbolKind::Copybook);
        facts.file = self
            .link
            .member_files(name)
            .iter()
            .find(|&&f| !self.link.is_program(f))
            .map(|&f| self.link.file(f).path.clone());
        let sites = self.link.copy_sites.get(name)?;
        let mut programs = HashSet::new();
        let mut copybooks: Vec<String> = Vec::new();
        for &(f, j) in sites {
            let file = self.link.file(f);
            let line = file.facts.copies[j as usize].line;
            if self.link.is_program(f) {
                if programs.insert(f) {
                    facts.items.push(item(
                        self.link.name(f),
                        Some(directory(&file.path).to_owned()),
                        None,
                        &file.path,
                        line,
                    ));
                }
            } else if !copybooks.contains(&file.path) {
                copybooks.push(file.path.clone());
            }
        }
        facts
            .items
            .sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
        if !copybooks.is_empty() {
            let indirect: HashSet<String> = copybooks
                .iter()
                .filter_map(|p| self.link.files.iter().position(|f| &f.path == p))
                .flat_map(|f| self.link.programs_using(f as u32))
                .filter(|(p, _)| !programs.contains(p))
                .map(|(p, _)| self.link.name(p).to_owned())
                .collect();
            note(
                &mut facts,
                "also copied by the copybooks",
                copybooks.join(", "),
            );
            if !indirect.is_empty() {
                let mut indirect: Vec<String> = indirect.into_iter().collect();
                indirect.sort();
                note(
                    &mut facts,
                    "programs that get it through those copybooks",
                    counted(&indirect),
                );
            }
        }
        let cites: Vec<(u32, u32)> = sites
            .iter()
            .map(|&(f, j)| (f, self.link.file(f).facts.copies[j as usize].line))
            .collect();
        for (f, line) in cites {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }

    fn procedure_definition(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::DataDefinition, name, kind);
        let defs = self.link.proc_defs.get(name).cloned().unwrap_or_default();
        for &(f, j) in &defs {
            let file = self.link.file(f);
            let p = &file.facts.procedures[j as usize];
            let what = match p.kind {
                ProcKind::Section => "section",
                ProcKind::Paragraph => "paragraph",
            };
            let detail = match &p.section {
                Some(s) => format!("{what} in section {s}, lines {}-{}", p.line, p.end_line),
                None => format!("{what}, lines {}-{}", p.line, p.end_line),
            };
            facts.items.push(item(
                name,
                Some(self.link.name(f).to_owned()),
                Some(detail),
                &file.path,
                p.line,
            ));
            let (line, end) = (p.line, p.line.saturating_add(4).min(p.end_line));
            self.cite(&mut facts, f, line, end);
        }
        if defs.is_empty() {
            note(
                &mut facts,
                "source",
                "performed in the corpus, defined in a copybook that is not indexed",
            );
        }
        let users = self.procedure_user_programs(name);
        note(&mut facts, "programs that use it", users.len().to_string());
        facts.file = facts.items.first().map(|i| i.file.clone());
        Some(facts)
    }

    /// Programs that PERFORM or GO TO `name`, in their own code or through a copybook:
    /// (program, file of the statement, line, whether in the program itself).
    fn procedure_user_programs(&self, name: &str) -> Vec<(String, u32, u32, bool)> {
        let sites = self
            .link
            .edge_sites
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&(f, j)| (f, self.link.file(f).facts.edges[j as usize].line))
            .collect();
        self.programs_at(sites, "")
    }

    fn procedure_users(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::ProcedureUsers, name, kind);
        let defs = self.link.proc_defs.get(name).cloned().unwrap_or_default();
        if let Some(&(f, j)) = defs.first() {
            let file = self.link.file(f);
            facts.file = Some(file.path.clone());
            let line = file.facts.procedures[j as usize].line;
            note(
                &mut facts,
                "defined in",
                format!("{} line {line}", file.path),
            );
            self.cite(&mut facts, f, line, line);
        }
        for (user, f, line, own) in self.procedure_user_programs(name) {
            let path = self.link.file(f).path.clone();
            let home = self
                .home(&user)
                .map_or_else(|| path.clone(), |p| self.link.file(p).path.clone());
            let detail = (!own).then(|| format!("through {path}"));
            facts.items.push(item(
                &user,
                Some(directory(&home).to_owned()),
                detail,
                &path,
                line,
            ));
        }
        // Every statement that names it, for the record.
        let sites: Vec<(u32, u32)> = self
            .link
            .edge_sites
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&(f, j)| (f, self.link.file(f).facts.edges[j as usize].line))
            .collect();
        note(
            &mut facts,
            "statements that perform it",
            sites.len().to_string(),
        );
        let copybook_users: Vec<String> = {
            let mut names: Vec<String> = sites
                .iter()
                .filter(|(f, _)| !self.link.is_program(*f))
                .map(|(f, _)| self.link.file(*f).path.clone())
                .collect();
            names.dedup();
            names
        };
        if !copybook_users.is_empty() {
            note(
                &mut facts,
                "copybooks that perform it",
                copybook_users.join(", "),
            );
        }
        for (f, line) in sites {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }

    fn data_definition(&mut self, name: &str) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::DataDefinition, name, SymbolKind::DataItem);
        let defs = self.link.data_defs.get(name).cloned().unwrap_or_default();
        for &(f, j) in &defs {
            let file = self.link.file(f);
            let it = &file.facts.data_items[j as usize];
            facts.items.push(item(
                name,
                Some(self.link.name(f).to_owned()),
                Some(data_detail(it)),
                &file.path,
                it.line,
            ));
        }
        let cites: Vec<(u32, u32)> = defs
            .iter()
            .map(|&(f, j)| (f, self.link.file(f).facts.data_items[j as usize].line))
            .collect();
        for (f, line) in cites {
            self.cite(&mut facts, f, line, line);
        }
        if defs.is_empty() {
            note(
                &mut facts,
                "source",
                "referenced in the corpus, defined in a copybook that is not indexed",
            );
        } else {
            // Programs that get a copybook definition.
            let programs: HashSet<u32> = defs
                .iter()
                .flat_map(|&(f, _)| self.link.programs_using(f))
                .map(|(p, _)| p)
                .collect();
            note(
                &mut facts,
                "programs that include the definition",
                programs.len().to_string(),
            );
        }
        let refs = self.link.data_refs.get(name).map_or(0, Vec::len);
        note(&mut facts, "references", refs.to_string());
        facts.file = facts.items.first().map(|i| i.file.clone());
        Some(facts)
    }

    fn data_usage(&mut self, name: &str, only: Option<Access>) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::DataUsage, name, SymbolKind::DataItem);
        if let Some(only) = only {
            let which = match only {
                Access::Write => "statements that change it",
                Access::Read => "statements that read or test it",
            };
            note(&mut facts, "only", which);
        }
        if let Some(&(f, j)) = self.link.data_defs.get(name).and_then(|d| d.first()) {
            let file = self.link.file(f);
            let it = &file.facts.data_items[j as usize];
            facts.file = Some(file.path.clone());
            note(
                &mut facts,
                "defined in",
                format!("{} line {} ({})", file.path, it.line, data_detail(it)),
            );
            self.cite(&mut facts, f, it.line, it.line);
        }
        let sites = self.link.data_refs.get(name).cloned().unwrap_or_default();
        // One item per statement line; a line that both reads and changes the item
        // (`COMPUTE X = X + 1`) counts as changing it.
        let mut lines: Vec<(u32, u32, u32)> = Vec::new();
        let mut at: std::collections::HashMap<(u32, u32), usize> = Default::default();
        for &(f, j) in &sites {
            let r = &self.link.file(f).facts.refs[j as usize];
            match at.get(&(f, r.line)) {
                Some(&i) => {
                    if r.access == Access::Write {
                        lines[i].1 = j;
                    }
                }
                None => {
                    at.insert((f, r.line), lines.len());
                    lines.push((f, j, r.line));
                }
            }
        }
        let (mut writes, mut reads) = (0usize, 0usize);
        let mut files = HashSet::new();
        let mut first_write = None;
        let mut first_read = None;
        for (f, j, _) in lines {
            let file = self.link.file(f);
            let r = &file.facts.refs[j as usize];
            if only.is_some_and(|o| o != r.access) {
                match r.access {
                    Access::Write => writes += 1,
                    Access::Read => reads += 1,
                }
                continue;
            }
            files.insert(f);
            let access = match r.access {
                Access::Write => {
                    writes += 1;
                    first_write.get_or_insert((f, r.line));
                    "changes it"
                }
                Access::Read => {
                    reads += 1;
                    first_read.get_or_insert((f, r.line));
                    "reads it"
                }
            };
            facts.items.push(item(
                self.link.name(f),
                Some(r.verb.as_str().to_owned()),
                Some(access.to_owned()),
                &file.path,
                r.line,
            ));
        }
        note(&mut facts, "statements that change it", writes.to_string());
        note(
            &mut facts,
            "statements that read or test it",
            reads.to_string(),
        );
        note(&mut facts, "files", files.len().to_string());
        for (f, line) in [first_write, first_read].into_iter().flatten() {
            self.cite(&mut facts, f, line, line);
        }
        let more: Vec<(u32, u32)> = facts
            .items
            .iter()
            .take(MAX_EVIDENCE)
            .filter_map(|i| {
                self.link
                    .files
                    .iter()
                    .position(|f| f.path == i.file)
                    .map(|f| (f as u32, i.line))
            })
            .collect();
        for (f, line) in more {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }

    fn files(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let f = self.home(name)?;
        let mut facts = facts_of(QuestionKind::Files, name, kind);
        facts.file = Some(self.link.file(f).path.clone());
        let mut seen = HashSet::new();
        let mut sources = vec![(f, None)];
        sources.extend(self.link.included(f).into_iter().map(|(i, v)| (i, Some(v))));
        let mut cites = Vec::new();
        for (source, via) in sources {
            let file = self.link.file(source);
            for decl in &file.facts.files {
                if !seen.insert(decl.name.clone()) {
                    continue;
                }
                let group = match via {
                    Some(v) => format!("through {}", self.link.file(v).path),
                    None => "declared in the program".to_owned(),
                };
                facts.items.push(item(
                    &decl.name,
                    Some(group),
                    Some(format!("assigned to {}", decl.assign)),
                    &file.path,
                    decl.line,
                ));
                cites.push((source, decl.line));
            }
        }
        for (source, line) in cites {
            self.cite(&mut facts, source, line, line);
        }
        Some(facts)
    }

    fn dependencies(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let copybooks = self.copybooks(name, kind)?;
        let calls = self.calls(name, kind)?;
        let mut facts = facts_of(QuestionKind::Dependencies, name, kind);
        facts.file = copybooks.file.clone();
        for mut i in copybooks.items {
            i.detail = Some(format!(
                "copybook{}",
                i.group
                    .as_ref()
                    .map(|g| format!(" from {g}"))
                    .unwrap_or_default()
            ));
            i.group = Some("copybooks".into());
            facts.items.push(i);
        }
        for mut i in calls.items {
            i.detail = i.group.take();
            i.group = Some("programs called".into());
            facts.items.push(i);
        }
        facts.notes = calls.notes;
        facts.notes.extend(copybooks.notes);
        facts.evidence = calls.evidence;
        for e in copybooks.evidence {
            if facts.evidence.len() < MAX_EVIDENCE && !facts.evidence.contains(&e) {
                facts.evidence.push(e);
            }
        }
        Some(facts)
    }

    fn overview(&mut self) -> CodeFacts {
        let mut facts = CodeFacts::new(QuestionKind::Overview);
        let mut dirs: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut libraries: BTreeMap<&str, usize> = BTreeMap::new();
        for (f, file) in self.link.files.iter().enumerate() {
            if file.facts.kind == Some(SourceKind::Program) {
                dirs.entry(directory(&file.path))
                    .or_default()
                    .push(f as u32);
            } else {
                *libraries.entry(directory(&file.path)).or_default() += 1;
            }
        }
        let mut cites = Vec::new();
        for (dir, programs) in &dirs {
            let described: Vec<(u32, &str)> = programs
                .iter()
                .filter_map(|&p| {
                    self.link
                        .file(p)
                        .facts
                        .header
                        .description
                        .as_deref()
                        .map(|d| (p, d))
                })
                .collect();
            let examples: Vec<String> = described
                .iter()
                .take(3)
                .map(|(p, d)| format!("{} ({})", self.link.name(*p), clip(d, 70)))
                .collect();
            let (file, line) = described
                .first()
                .map(|(p, _)| {
                    let f = self.link.file(*p);
                    (f.path.clone(), f.facts.header.description_line.unwrap_or(1))
                })
                .unwrap_or_else(|| (self.link.file(programs[0]).path.clone(), 1));
            facts.items.push(item(
                dir,
                Some("programs".into()),
                Some(format!(
                    "{} {}; for example {}",
                    programs.len(),
                    if programs.len() == 1 {
                        "program"
                    } else {
                        "programs"
                    },
                    examples.join("; ")
                )),
                &file,
                line,
            ));
            if let Some((p, _)) = described.first() {
                cites.push(*p);
            }
        }
        for p in cites {
            self.cite_header(&mut facts, p);
        }
        if !libraries.is_empty() {
            let libs: Vec<String> = libraries
                .iter()
                .map(|(l, n)| format!("{l} ({n})"))
                .collect();
            note(&mut facts, "copybook libraries", libs.join(", "));
        }
        let counts = self.link.counts();
        note(&mut facts, "programs", counts.programs.to_string());
        note(&mut facts, "copybooks", counts.copybooks.to_string());
        facts
    }

    fn business(&mut self, text: &str) -> Option<CodeFacts> {
        let question = stems(text);
        if question.is_empty() {
            return None;
        }
        let index = self.link.process.get_or_init(|| {
            let programs: Vec<u32> = (0..self.link.files.len() as u32)
                .filter(|&f| self.link.is_program(f))
                .collect();
            let descriptions = programs
                .iter()
                .map(|&p| {
                    let file = self.link.file(p);
                    format!(
                        "{} {}",
                        file.facts.header.description.as_deref().unwrap_or_default(),
                        self.link.name(p)
                    )
                })
                .collect();
            let procedures = programs
                .iter()
                .map(|&p| {
                    let names: Vec<&str> = self
                        .link
                        .file(p)
                        .facts
                        .procedures
                        .iter()
                        .map(|x| x.name.as_str())
                        .collect();
                    names.join(" ")
                })
                .collect();
            ProcessIndex::new(programs, descriptions, procedures)
        });
        let mut ranked = index.rank(&question);
        ranked.truncate(MAX_PROCESS_HITS);
        if ranked.is_empty() {
            return None;
        }
        let mut facts = CodeFacts::new(QuestionKind::BusinessProcess);
        for &(_, p) in &ranked {
            let file = self.link.file(p);
            facts.items.push(item(
                self.link.name(p),
                Some(directory(&file.path).to_owned()),
                file.facts.header.description.clone(),
                &file.path,
                file.facts.header.description_line.unwrap_or(1),
            ));
        }
        for &(_, p) in ranked.iter().take(5) {
            self.cite_header(&mut facts, p);
        }
        Some(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_questions_may_ask_for_changes_or_reads_only() {
        for (question, subject, want) in [
            ("Where is LN-BAL modified?", "LN-BAL", Some(Access::Write)),
            ("Where is LN-BAL set?", "LN-BAL", Some(Access::Write)),
            ("Where is LN-BAL tested?", "LN-BAL", Some(Access::Read)),
            ("How is LN-BAL used?", "LN-BAL", None),
            ("How is CHANGE-CODE used?", "CHANGE-CODE", None),
            ("How is SET-DEBIT-CARD used?", "SET-DEBIT-CARD", None),
            (
                "How is PROCESSING-UPDATING used?",
                "PROCESSING-UPDATING",
                None,
            ),
        ] {
            assert_eq!(access_asked(question, subject), want, "{question}");
        }
    }
}
