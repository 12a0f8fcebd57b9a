//! Data items: where one is defined and which statements read or change it.

use std::collections::HashSet;

use otis_cobol::{Access, DataItem};
use otis_core::ports::{AccessFilter, CodeFacts, ItemGroup, Note, QuestionKind, SymbolKind};

use super::{MAX_EVIDENCE, Out, facts_of, item, note};
use crate::link::RefSite;

pub(super) fn data_detail(item: &DataItem) -> String {
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
    pub(super) fn data_definition(&mut self, name: &str) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::DataDefinition, name, SymbolKind::DataItem);
        let defs = self.link.data_defs(name);
        for &(f, j) in &defs {
            let file = self.link.file(f);
            let it = &file.facts.data_items[j as usize];
            facts.items.push(item(
                name,
                Some(ItemGroup::named(self.link.name(f))),
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
                Note::Source,
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
                Note::ProgramsThatIncludeTheDefinition,
                programs.len().to_string(),
            );
        }
        let refs = self.link.data_ref_count(name);
        note(&mut facts, Note::References, refs.to_string());
        facts.file = facts.items.first().map(|i| i.file.clone());
        Some(facts)
    }

    pub(super) fn data_usage(
        &mut self,
        name: &str,
        only: Option<AccessFilter>,
    ) -> Option<CodeFacts> {
        let only = only.map(|o| match o {
            AccessFilter::Changes => Access::Write,
            AccessFilter::Reads => Access::Read,
        });
        let mut facts = facts_of(QuestionKind::DataUsage, name, SymbolKind::DataItem);
        if let Some(only) = only {
            let which = match only {
                Access::Write => Note::StatementsThatChangeIt.label(),
                Access::Read => Note::StatementsThatReadOrTestIt.label(),
            };
            note(&mut facts, Note::Only, which);
        }
        if let Some(&(f, j)) = self.link.data_defs(name).first() {
            let file = self.link.file(f);
            let it = &file.facts.data_items[j as usize];
            facts.file = Some(file.path.clone());
            note(
                &mut facts,
                Note::DefinedIn,
                format!("{} line {} ({})", file.path, it.line, data_detail(it)),
            );
            self.cite(&mut facts, f, it.line, it.line);
        }
        let sites = self.link.data_refs(name);
        // One item per statement line; a line that both reads and changes the item
        // (`COMPUTE X = X + 1`) counts as changing it.
        let mut lines: Vec<RefSite> = Vec::new();
        let mut at: std::collections::HashMap<(u32, u32), usize> = Default::default();
        for r in &sites {
            match at.get(&(r.file, r.line)) {
                Some(&i) => {
                    if r.access == Access::Write {
                        lines[i] = *r;
                    }
                }
                None => {
                    at.insert((r.file, r.line), lines.len());
                    lines.push(*r);
                }
            }
        }
        let (mut writes, mut reads) = (0usize, 0usize);
        let mut files = HashSet::new();
        let mut first_write = None;
        let mut first_read = None;
        for r in lines {
            let f = r.file;
            let path = self.link.row(f).path.clone();
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
                Some(ItemGroup::named(r.verb.as_str())),
                Some(access.to_owned()),
                &path,
                r.line,
            ));
        }
        note(&mut facts, Note::StatementsThatChangeIt, writes.to_string());
        note(
            &mut facts,
            Note::StatementsThatReadOrTestIt,
            reads.to_string(),
        );
        note(&mut facts, Note::Files, files.len().to_string());
        for (f, line) in [first_write, first_read].into_iter().flatten() {
            self.cite(&mut facts, f, line, line);
        }
        let more: Vec<(u32, u32)> = facts
            .items
            .iter()
            .take(MAX_EVIDENCE)
            .filter_map(|i| self.link.file_id(&i.file).map(|f| (f, i.line)))
            .collect();
        for (f, line) in more {
            self.cite(&mut facts, f, line, line);
        }
        Some(facts)
    }
}
