//! Questions about the whole corpus: its overview and business-process search.

use std::collections::BTreeMap;

use otis_cobol::SourceKind;
use otis_core::ports::{CodeFacts, QuestionKind};

use super::{MAX_PROCESS_HITS, Out, clip, item, note};
use crate::names::directory;
use crate::words::{ProcessIndex, stems};

impl Out<'_> {
    pub(super) fn overview(&mut self) -> CodeFacts {
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

    pub(super) fn business(&mut self, text: &str) -> Option<CodeFacts> {
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
