//! Who uses a member or a procedure: callers of a program, users of a copybook, and the
//! programs that PERFORM or GO TO a section, directly or through a copybook.

use std::collections::HashSet;

use otis_cobol::ProcKind;
use otis_core::ports::{CodeFacts, ItemGroup, Note, QuestionKind, SymbolKind};

use super::{Out, counted, facts_of, item, note};
use crate::names::directory;

impl Out<'_> {
    /// The programs statements at `sites` end up in (directly, or through the copybooks
    /// holding them), one per program: (program, file of the statement, line, whether the
    /// statement is in the program itself). `skip` leaves one program out.
    pub(super) fn programs_at(
        &self,
        sites: Vec<(u32, u32)>,
        skip: &str,
    ) -> Vec<(String, u32, u32, bool)> {
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
    pub(super) fn caller_programs(&self, name: &str) -> Vec<(String, u32, u32)> {
        let sites = self.link.call_sites(name);
        self.programs_at(sites, name)
            .into_iter()
            .map(|(program, f, line, _)| (program, f, line))
            .collect()
    }

    pub(super) fn callers(&mut self, name: &str) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::Callers, name, SymbolKind::Program);
        facts.file = self.home(name).map(|f| self.link.row(f).path.clone());
        let callers = self.caller_programs(name);
        for (caller, cf, line) in &callers {
            let program_file = self.home(caller).map_or_else(
                || self.link.row(*cf).path.clone(),
                |p| self.link.row(p).path.clone(),
            );
            let via = (!self.link.is_program(*cf)).then(|| self.link.row(*cf).path.clone());
            facts.items.push(item(
                caller,
                Some(ItemGroup::named(directory(&program_file))),
                via.map(|v| format!("through {v}")),
                &self.link.row(*cf).path,
                *line,
            ));
        }
        for (_, cf, line) in callers.iter() {
            self.cite(&mut facts, *cf, *line, *line);
        }
        // Menus that only name it (a transfer back) are worth a note.
        let transfers: Vec<String> = self
            .link
            .transfer_files(name)
            .into_iter()
            .map(|f| self.link.name(f).to_owned())
            .collect();
        if !transfers.is_empty() {
            note(
                &mut facts,
                Note::ProgramsThatHandControlToIt,
                transfers.join(", "),
            );
        }
        Some(facts)
    }

    pub(super) fn copybook_users(&mut self, name: &str) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::CopybookUsers, name, SymbolKind::Copybook);
        facts.file = self
            .link
            .member_files(name)
            .iter()
            .find(|&&f| !self.link.is_program(f))
            .map(|&f| self.link.row(f).path.clone());
        let sites = self.link.copy_sites(name);
        if sites.is_empty() {
            return None;
        }
        let mut programs = HashSet::new();
        let mut copybooks: Vec<String> = Vec::new();
        for &(f, line) in &sites {
            let path = self.link.row(f).path.clone();
            if self.link.is_program(f) {
                if programs.insert(f) {
                    facts.items.push(item(
                        self.link.name(f),
                        Some(ItemGroup::named(directory(&path))),
                        None,
                        &path,
                        line,
                    ));
                }
            } else if !copybooks.contains(&path) {
                copybooks.push(path);
            }
        }
        facts
            .items
            .sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
        if !copybooks.is_empty() {
            let indirect: HashSet<String> = copybooks
                .iter()
                .filter_map(|p| self.link.file_id(p))
                .flat_map(|f| self.link.programs_using(f))
                .filter(|(p, _)| !programs.contains(p))
                .map(|(p, _)| self.link.name(p).to_owned())
                .collect();
            note(
                &mut facts,
                Note::AlsoCopiedByTheCopybooks,
                copybooks.join(", "),
            );
            if !indirect.is_empty() {
                let mut indirect: Vec<String> = indirect.into_iter().collect();
                indirect.sort();
                note(
                    &mut facts,
                    Note::ProgramsThatGetItThroughThoseCopybooks,
                    counted(&indirect),
                );
            }
        }
        for (f, line) in sites {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }

    pub(super) fn procedure_definition(
        &mut self,
        name: &str,
        kind: SymbolKind,
    ) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::DataDefinition, name, kind);
        let defs = self.link.proc_defs(name);
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
                Some(ItemGroup::named(self.link.name(f))),
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
                Note::Source,
                "performed in the corpus, defined in a copybook that is not indexed",
            );
        }
        let users = self.procedure_user_programs(name);
        note(&mut facts, Note::ProgramsThatUseIt, users.len().to_string());
        facts.file = facts.items.first().map(|i| i.file.clone());
        Some(facts)
    }

    /// Programs that PERFORM or GO TO `name`, in their own code or through a copybook:
    /// (program, file of the statement, line, whether in the program itself).
    pub(super) fn procedure_user_programs(&self, name: &str) -> Vec<(String, u32, u32, bool)> {
        let sites = self.link.edge_sites(name);
        self.programs_at(sites, "")
    }

    pub(super) fn procedure_users(&mut self, name: &str, kind: SymbolKind) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::ProcedureUsers, name, kind);
        let defs = self.link.proc_defs(name);
        if let Some(&(f, j)) = defs.first() {
            let file = self.link.file(f);
            facts.file = Some(file.path.clone());
            let line = file.facts.procedures[j as usize].line;
            note(
                &mut facts,
                Note::DefinedIn,
                format!("{} line {line}", file.path),
            );
            self.cite(&mut facts, f, line, line);
        }
        for (user, f, line, own) in self.procedure_user_programs(name) {
            let path = self.link.row(f).path.clone();
            let home = self
                .home(&user)
                .map_or_else(|| path.clone(), |p| self.link.row(p).path.clone());
            let detail = (!own).then(|| format!("through {path}"));
            facts.items.push(item(
                &user,
                Some(ItemGroup::named(directory(&home))),
                detail,
                &path,
                line,
            ));
        }
        // Every statement that names it, for the record.
        let sites: Vec<(u32, u32)> = self.link.edge_sites(name);
        note(
            &mut facts,
            Note::StatementsThatPerformIt,
            sites.len().to_string(),
        );
        let copybook_users: Vec<String> = {
            let mut names: Vec<String> = sites
                .iter()
                .filter(|(f, _)| !self.link.is_program(*f))
                .map(|(f, _)| self.link.row(*f).path.clone())
                .collect();
            names.dedup();
            names
        };
        if !copybook_users.is_empty() {
            note(
                &mut facts,
                Note::CopybooksThatPerformIt,
                copybook_users.join(", "),
            );
        }
        for (f, line) in sites {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }
}
