//! Linking the files' facts: lookup tables by name, COPY statements resolved to files,
//! and which programs a copybook ends up in.

use std::collections::{HashMap, HashSet, VecDeque};

use otis_cobol::{CallKind, ProcKind, SourceKind};
use otis_core::ports::SymbolKind;

use crate::SourceFile;
use crate::names::stem;

/// A fact's place: the file's index and the fact's index in that file's list.
pub(crate) type Site = (u32, u32);

/// What the model holds, for `otis index stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Program files.
    pub programs: usize,
    /// Copybook files.
    pub copybooks: usize,
    /// SECTIONs, in programs and copybooks.
    pub sections: usize,
    /// Paragraphs.
    pub paragraphs: usize,
    /// Data items defined.
    pub data_items: usize,
    /// Call sites (static and dynamic; runtime routines left out).
    pub call_edges: usize,
    /// COPY statements.
    pub copy_edges: usize,
    /// PERFORM and GO TO statements.
    pub perform_edges: usize,
    /// References to identifiers in procedure code.
    pub references: usize,
}

/// Most levels of COPY nesting followed.
const MAX_DEPTH: usize = 16;

pub(crate) struct Linked {
    pub(crate) files: Vec<SourceFile>,
    /// The member name of each file: PROGRAM-ID, else the file's stem.
    pub(crate) member: Vec<String>,
    by_member: HashMap<String, Vec<u32>>,
    by_path: HashMap<String, u32>,
    pub(crate) copy_sites: HashMap<String, Vec<Site>>,
    pub(crate) call_sites: HashMap<String, Vec<Site>>,
    pub(crate) proc_defs: HashMap<String, Vec<Site>>,
    pub(crate) edge_sites: HashMap<String, Vec<Site>>,
    pub(crate) data_defs: HashMap<String, Vec<Site>>,
    pub(crate) data_refs: HashMap<String, Vec<Site>>,
    /// For each file, the file each of its COPY statements names, when in the corpus.
    pub(crate) copy_file: Vec<Vec<Option<u32>>>,
    /// For each file, the files that copy it.
    includers: Vec<Vec<u32>>,
    /// Word scorers over the programs, built on the first business-process question.
    pub(crate) process: std::sync::OnceLock<crate::words::ProcessIndex>,
    /// Screen form files, by name (flows and screen trees).
    pub(crate) forms: crate::forms::Forms,
}

fn push(map: &mut HashMap<String, Vec<Site>>, key: &str, site: Site) {
    // Most keys repeat: look up before allocating the key.
    match map.get_mut(key) {
        Some(sites) => sites.push(site),
        None => {
            map.insert(key.to_owned(), vec![site]);
        }
    }
}

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Linked {
    pub(crate) fn new(mut files: Vec<SourceFile>) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let member: Vec<String> = files
            .iter()
            .map(|f| f.facts.program_id.clone().unwrap_or_else(|| stem(&f.path)))
            .collect();
        let mut by_member: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_path = HashMap::new();
        let mut copy_sites = HashMap::new();
        let mut call_sites = HashMap::new();
        let mut proc_defs = HashMap::new();
        let mut edge_sites = HashMap::new();
        let mut data_defs = HashMap::new();
        let mut data_refs = HashMap::new();
        for (i, file) in files.iter().enumerate() {
            let f = idx(i);
            by_member.entry(member[i].clone()).or_default().push(f);
            by_path.insert(file.path.to_ascii_uppercase(), f);
            let facts = &file.facts;
            for (j, copy) in facts.copies.iter().enumerate() {
                push(&mut copy_sites, &copy.member, (f, idx(j)));
            }
            for (j, call) in facts.calls.iter().enumerate() {
                if call.kind != CallKind::Runtime {
                    push(&mut call_sites, &call.target, (f, idx(j)));
                }
            }
            for (j, procedure) in facts.procedures.iter().enumerate() {
                push(&mut proc_defs, &procedure.name, (f, idx(j)));
            }
            for (j, edge) in facts.edges.iter().enumerate() {
                push(&mut edge_sites, &edge.target, (f, idx(j)));
                if let Some(thru) = &edge.thru {
                    push(&mut edge_sites, thru, (f, idx(j)));
                }
            }
            for (j, item) in facts.data_items.iter().enumerate() {
                push(&mut data_defs, &item.name, (f, idx(j)));
            }
            for (j, r) in facts.refs.iter().enumerate() {
                push(&mut data_refs, facts.ref_name(r), (f, idx(j)));
            }
        }
        // Programs before copybooks under one name.
        for list in by_member.values_mut() {
            list.sort_by_key(|&f| (!is_program(&files, f), f));
        }
        let mut linked = Self {
            member,
            by_member,
            by_path,
            copy_sites,
            call_sites,
            proc_defs,
            edge_sites,
            data_defs,
            data_refs,
            copy_file: Vec::new(),
            includers: vec![Vec::new(); files.len()],
            process: std::sync::OnceLock::new(),
            forms: crate::forms::Forms::default(),
            files,
        };
        linked.copy_file = (0..linked.files.len())
            .map(|i| {
                linked.files[i]
                    .facts
                    .copies
                    .iter()
                    .map(|c| linked.resolve_copy(&c.path, &c.member))
                    .collect()
            })
            .collect();
        for (i, targets) in linked.copy_file.iter().enumerate() {
            for target in targets.iter().flatten() {
                let list = &mut linked.includers[*target as usize];
                if !list.contains(&idx(i)) {
                    list.push(idx(i));
                }
            }
        }
        linked
    }

    /// The file a COPY names: the same path from the corpus root, else a file whose path
    /// ends with it; a bare member name (no library) is a copybook of that name. A
    /// library path that is not in the corpus stays unresolved: `LIBGB/DECLARE.CPY` is
    /// not `LIBUP/DECLARE.CPY`.
    fn resolve_copy(&self, path: &str, member: &str) -> Option<u32> {
        let wanted = path.replace('\\', "/").to_ascii_uppercase();
        if let Some(&f) = self.by_path.get(&wanted) {
            return Some(f);
        }
        let mut rest = wanted.as_str();
        while let Some((_, tail)) = rest.split_once('/') {
            if let Some(&f) = self.by_path.get(tail) {
                return Some(f);
            }
            rest = tail;
        }
        if wanted.contains('/') {
            return None;
        }
        self.by_member
            .get(member)?
            .iter()
            .copied()
            .find(|&f| !self.is_program(f))
    }

    pub(crate) fn is_program(&self, f: u32) -> bool {
        is_program(&self.files, f)
    }

    pub(crate) fn file(&self, f: u32) -> &SourceFile {
        &self.files[f as usize]
    }

    pub(crate) fn name(&self, f: u32) -> &str {
        &self.member[f as usize]
    }

    /// The files of a member (programs first).
    pub(crate) fn member_files(&self, name: &str) -> &[u32] {
        self.by_member.get(name).map_or(&[], Vec::as_slice)
    }

    /// The programs `file` ends up in: itself when it is a program, else every program
    /// that copies it directly or through other copybooks, with the copybook the program
    /// copies directly on the way.
    pub(crate) fn programs_using(&self, file: u32) -> Vec<(u32, u32)> {
        if self.is_program(file) {
            return vec![(file, file)];
        }
        let mut out = Vec::new();
        let mut seen = HashSet::from([file]);
        let mut queue = VecDeque::from([(file, 0usize)]);
        while let Some((at, depth)) = queue.pop_front() {
            if depth >= MAX_DEPTH {
                continue;
            }
            for &up in &self.includers[at as usize] {
                if !seen.insert(up) {
                    continue;
                }
                if self.is_program(up) {
                    out.push((up, at));
                } else {
                    queue.push_back((up, depth + 1));
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The copybook files `file` copies, directly or nested, each with the copybook it
    /// copies directly on the way (itself for a direct copy), in COPY order.
    pub(crate) fn included(&self, file: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([file]);
        let direct = self.copy_file[file as usize].iter().flatten().copied();
        let mut queue: VecDeque<(u32, u32, usize)> = direct.map(|d| (d, d, 0)).collect();
        while let Some((at, via, depth)) = queue.pop_front() {
            if !seen.insert(at) {
                continue;
            }
            out.push((at, via));
            if depth < MAX_DEPTH {
                for &next in self.copy_file[at as usize].iter().flatten() {
                    queue.push_back((next, via, depth + 1));
                }
            }
        }
        out
    }

    /// Whether a copybook of this name is indexed or copied.
    pub(crate) fn is_copybook_name(&self, name: &str) -> bool {
        self.member_files(name).iter().any(|&f| !self.is_program(f))
            || self.copy_sites.contains_key(name)
    }

    /// Whether a program of this name is indexed or called.
    pub(crate) fn is_program_name(&self, name: &str) -> bool {
        self.member_files(name).iter().any(|&f| self.is_program(f))
            || self.call_sites.contains_key(name)
    }

    pub(crate) fn identify(&self, name: &str) -> Option<SymbolKind> {
        if let Some(&f) = self.member_files(name).first() {
            return Some(if self.is_program(f) {
                SymbolKind::Program
            } else {
                SymbolKind::Copybook
            });
        }
        if self.call_sites.contains_key(name) {
            return Some(SymbolKind::Program);
        }
        if self.copy_sites.contains_key(name) {
            return Some(SymbolKind::Copybook);
        }
        if let Some(&(f, j)) = self.proc_defs.get(name).and_then(|d| d.first()) {
            return Some(match self.file(f).facts.procedures[j as usize].kind {
                ProcKind::Section => SymbolKind::Section,
                ProcKind::Paragraph => SymbolKind::Paragraph,
            });
        }
        if self.edge_sites.contains_key(name) {
            // Performed, defined in a copybook outside the corpus.
            return Some(SymbolKind::Section);
        }
        if self.data_defs.contains_key(name) {
            return Some(SymbolKind::DataItem);
        }
        // Referenced, defined in a copybook outside the corpus: only names that cannot
        // be plain words.
        if self.data_refs.contains_key(name) && name.contains(['-', '_']) {
            return Some(SymbolKind::DataItem);
        }
        None
    }

    pub(crate) fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for file in &self.files {
            let facts = &file.facts;
            if facts.kind == Some(SourceKind::Program) {
                counts.programs += 1;
            } else {
                counts.copybooks += 1;
            }
            for p in &facts.procedures {
                match p.kind {
                    ProcKind::Section => counts.sections += 1,
                    ProcKind::Paragraph => counts.paragraphs += 1,
                }
            }
            counts.data_items += facts.data_items.len();
            counts.call_edges += facts
                .calls
                .iter()
                .filter(|c| c.kind != CallKind::Runtime)
                .count();
            counts.copy_edges += facts.copies.len();
            counts.perform_edges += facts.edges.len();
            counts.references += facts.refs.len();
        }
        counts
    }
}

fn is_program(files: &[SourceFile], f: u32) -> bool {
    files
        .get(f as usize)
        .is_some_and(|file| file.facts.kind == Some(SourceKind::Program))
}
