//! Questions about the whole corpus: its overview and business-process search.

use std::collections::BTreeMap;

use otis_core::ports::{CodeFacts, FixedGroup, ItemGroup, Note, QuestionKind};

use super::{MAX_PROCESS_HITS, Out, clip, item, note};
use crate::names::directory;
use crate::words::stems;

impl Out<'_> {
    pub(super) fn overview(&mut self) -> CodeFacts {
        let mut facts = CodeFacts::new(QuestionKind::Overview);
        let mut dirs: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut libraries: BTreeMap<&str, usize> = BTreeMap::new();
        for f in self.link.source_files() {
            let row = self.link.row(f);
            if row.is_program() {
                dirs.entry(directory(&row.path)).or_default().push(f);
            } else {
                *libraries.entry(directory(&row.path)).or_default() += 1;
            }
        }
        let mut cites = Vec::new();
        for (dir, programs) in &dirs {
            let described: Vec<(u32, &str)> = programs
                .iter()
                .filter_map(|&p| self.link.row(p).description.as_deref().map(|d| (p, d)))
                .collect();
            let examples: Vec<String> = described
                .iter()
                .take(3)
                .map(|(p, d)| format!("{} ({})", self.link.name(*p), clip(d, 70)))
                .collect();
            let (file, line) = described
                .first()
                .map(|(p, _)| {
                    let row = self.link.row(*p);
                    (row.path.clone(), row.description_line.unwrap_or(1))
                })
                .unwrap_or_else(|| (self.link.row(programs[0]).path.clone(), 1));
            facts.items.push(item(
                dir,
                Some(FixedGroup::Programs.into()),
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
            note(&mut facts, Note::CopybookLibraries, libs.join(", "));
        }
        let counts = self.link.counts();
        note(&mut facts, Note::Programs, counts.programs.to_string());
        note(&mut facts, Note::Copybooks, counts.copybooks.to_string());
        facts
    }

    pub(super) fn business(&mut self, text: &str) -> Option<CodeFacts> {
        let question = stems(text);
        if question.is_empty() {
            return None;
        }
        let programs = self.link.program_count();
        let mut ranked = crate::words::rank(&question, programs, |stem| {
            self.link.list(
                "SELECT field, file_id FROM program_words WHERE stem = ?1",
                [stem],
                |r| {
                    Ok((
                        r.get::<_, u8>(0)?,
                        u32::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    ))
                },
            )
        });
        ranked.truncate(MAX_PROCESS_HITS);
        if ranked.is_empty() {
            return None;
        }
        let mut facts = CodeFacts::new(QuestionKind::BusinessProcess);
        for &(_, p) in &ranked {
            let row = self.link.row(p);
            facts.items.push(item(
                &row.member,
                Some(ItemGroup::named(directory(&row.path))),
                row.description.clone(),
                &row.path,
                row.description_line.unwrap_or(1),
            ));
        }
        for &(_, p) in ranked.iter().take(5) {
            self.cite_header(&mut facts, p);
        }
        Some(facts)
    }
}
