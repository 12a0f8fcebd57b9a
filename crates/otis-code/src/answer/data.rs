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
        let mut defs = self.link.data_defs(name);
        // The definition in a member's own library first; old copies kept elsewhere after.
        defs.sort_by_key(|&(f, _)| self.link.is_old_copy(f));
        let home = defs
            .iter()
            .find(|&&(f, _)| !self.link.is_old_copy(f))
            .map(|&(f, _)| self.link.row(f).path.clone());
        for &(f, j) in &defs {
            let file = self.link.file(f);
            let it = &file.facts.data_items[j as usize];
            let mut detail = data_detail(it);
            if self.link.is_old_copy(f)
                && let Some(home) = &home
            {
                detail.push_str(&format!(
                    "; also in this copy (the definition is in {home})"
                ));
            }
            facts.items.push(item(
                name,
                Some(ItemGroup::named(self.link.name(f))),
                Some(detail),
                &file.path,
                it.line,
            ));
        }
        let verbs = self.link.verb_counts(name);
        if !verbs.is_empty() {
            let parts: Vec<String> = verbs
                .iter()
                .map(|(verb, writes, n)| format!("{verb} {n} ({})", access_word(*writes)))
                .collect();
            note(&mut facts, Note::Verbs, parts.join(", "));
            // With few statements, each verb's lines too (one line per verb).
            let sites = self.link.verb_sites(name, SITES_SHOWN);
            if !sites.is_empty() {
                let lines: Vec<String> = verbs
                    .iter()
                    .map(|(verb, writes, n)| {
                        let at = where_named(
                            sites
                                .iter()
                                .filter(|(v, w, _, _)| v == verb && w == writes)
                                .map(|(_, _, path, line)| (path.as_str(), *line)),
                        );
                        format!("{verb} ({}) {n}{at}", access_word(*writes))
                    })
                    .collect();
                note(&mut facts, Note::VerbSites, lines.join("\n"));
            }
        }
        let cites: Vec<(u32, u32)> = defs
            .iter()
            .map(|&(f, j)| (f, self.link.file(f).facts.data_items[j as usize].line))
            .collect();
        for (f, line) in cites {
            self.cite(&mut facts, f, line, line);
        }
        if let Some(&(f, j)) = defs.first() {
            self.describe_record(&mut facts, f, j as usize);
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

    /// The record (level-01 group) the item at `f`, `j` sits in, and what that record
    /// describes: the file whose FD lists it, else the copybook's header description.
    fn describe_record(&mut self, facts: &mut CodeFacts, f: u32, j: usize) {
        let items = &self.link.file(f).facts.data_items;
        let Some(start) = items.get(j) else {
            return;
        };
        let mut record = start;
        let mut k = j;
        while let Some(parent) = record.parent.clone() {
            match items[..k].iter().rposition(|i| i.name == parent) {
                Some(p) => {
                    record = &items[p];
                    k = p;
                }
                None => break,
            }
        }
        if record.name != start.name {
            let line = record.line;
            note(
                facts,
                Note::Record,
                format!("{} (line {line})", record.name),
            );
            self.cite(facts, f, line, line);
        }
        let record_name = record.name.clone();
        if let Some((fd, path, line)) = self.link.fd_of_record(&record_name) {
            note(
                facts,
                Note::Describes,
                format!("the file {fd} (FD in {path} line {line})"),
            );
            if let Some(g) = self.link.file_id(&path) {
                self.cite(facts, g, line, line);
            }
        } else if !self.link.is_program(f)
            && let Some(d) = self.link.row(f).description.clone()
        {
            note(
                facts,
                Note::Describes,
                format!("{} (the header of {})", d, self.link.row(f).path),
            );
        }
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

/// How a statement uses an item: `changes` or `reads`.
fn access_word(writes: bool) -> &'static str {
    if writes { "changes" } else { "reads" }
}

/// Statements shown with their lines in a definition answer; past this, counts only (the
/// usage answer lists them all).
const SITES_SHOWN: usize = 25;

/// `: FX/A.CBL lines 12, 40; FX/B.CBL line 7` for sites in path order; empty for none.
fn where_named<'a>(sites: impl Iterator<Item = (&'a str, u32)>) -> String {
    let mut by_file: Vec<(&str, Vec<u32>)> = Vec::new();
    for (path, line) in sites {
        match by_file.last_mut() {
            Some((p, lines)) if *p == path => lines.push(line),
            _ => by_file.push((path, vec![line])),
        }
    }
    if by_file.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = by_file
        .iter()
        .map(|(path, lines)| {
            let numbers: Vec<String> = lines.iter().map(u32::to_string).collect();
            let word = if lines.len() == 1 { "line" } else { "lines" };
            format!("{path} {word} {}", numbers.join(", "))
        })
        .collect();
    format!(": {}", parts.join("; "))
}
