//! Data items: where one is defined and which statements read or change it.

use std::collections::HashSet;

use otis_cobol::{Access, DataItem};
use otis_core::ports::{CodeFacts, QuestionKind, SymbolKind};

use super::{MAX_EVIDENCE, Out, facts_of, item, note};
use crate::link::RefSite;

/// Whether a usage question asks only where an item is changed, or only where it is
/// read ("Where is X modified?", "Where is X tested?").
pub(super) fn access_asked(text: &str, subject: &str) -> Option<Access> {
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
        let refs = self.link.data_ref_count(name);
        note(&mut facts, "references", refs.to_string());
        facts.file = facts.items.first().map(|i| i.file.clone());
        Some(facts)
    }

    pub(super) fn data_usage(&mut self, name: &str, only: Option<Access>) -> Option<CodeFacts> {
        let mut facts = facts_of(QuestionKind::DataUsage, name, SymbolKind::DataItem);
        if let Some(only) = only {
            let which = match only {
                Access::Write => "statements that change it",
                Access::Read => "statements that read or test it",
            };
            note(&mut facts, "only", which);
        }
        if let Some(&(f, j)) = self.link.data_defs(name).first() {
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
                Some(r.verb.as_str().to_owned()),
                Some(access.to_owned()),
                &path,
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
            .filter_map(|i| self.link.file_id(&i.file).map(|f| (f, i.line)))
            .collect();
        for (f, line) in more {
            self.cite(&mut facts, f, line, line);
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
