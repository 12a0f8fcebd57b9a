//! Program flows: the steps a program (or a section, paragraph or procedure copybook)
//! performs, as a graph with evidence.
//!
//! - The *main line* starts at the entry (the first section or paragraph of the procedure
//!   division after any DECLARATIVES, or the named procedure) and takes every unit that
//!   control reaches from there without a PERFORM: falling through to the next paragraph
//!   (unless the unit's last sentence is an unconditional `GO TO`, `STOP RUN`, `GOBACK` or
//!   `EXIT PROGRAM`) and `GO TO`. A unit is a section with its paragraphs, or a paragraph
//!   outside sections.
//! - Each unit's steps, in source order: PERFORMs (expanded to the depth asked, default
//!   [`DEFAULT_DEPTH`]; a unit past the limit shows one node counting the steps it hides),
//!   GO TOs, the programs it calls (static and dynamic) or hands on to, and the sections of
//!   the copybooks it copies that it runs. A `GO TO ... DEPENDING ON` whose paragraphs name
//!   programs is a menu: each option becomes an edge to its program, labelled from the form.
//! - Loops and recursion are cut: each unit is expanded once; a second way in is an edge.

use std::collections::{HashMap, HashSet, VecDeque};

use otis_cobol::{EdgeKind as Jump, ProcKind};
use otis_core::ports::{
    CodeFacts, CodeQuestion, EdgeKind, FixedGroup, NodeKind, Note, QuestionKind, SymbolKind,
};

use crate::graph::Builder;
use crate::link::Linked;
use crate::menu::{self, Menu, Target, Via};
use crate::source::LineSource;

/// PERFORM levels expanded when the question does not say.
pub(crate) const DEFAULT_DEPTH: usize = 2;
/// Copybooks nested inside a unit's text followed at most this deep.
const MAX_INLINE: usize = 4;

/// The flow of `subject` (a program, copybook, section or paragraph).
pub(crate) fn program(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    question: &CodeQuestion,
    subject: &str,
    kind: SymbolKind,
) -> Option<CodeFacts> {
    let depth = question.options.depth.unwrap_or(DEFAULT_DEPTH);
    let (home, entry) = match kind {
        SymbolKind::Program | SymbolKind::Copybook => (*link.member_files(subject).first()?, None),
        SymbolKind::Section | SymbolKind::Paragraph => {
            let defs = link.proc_defs(subject);
            // A definition in a program before one in a copybook.
            let &(f, j) = defs
                .iter()
                .find(|(f, _)| link.is_program(*f))
                .or_else(|| defs.first())?;
            (f, Some(j))
        }
        _ => return None,
    };
    Some(Flow::new(link, lines, home, depth).build(subject, kind, entry))
}

/// The menu and screen tree from the question's start program.
pub(crate) fn screens(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    question: &CodeQuestion,
) -> Option<CodeFacts> {
    crate::screens::tree(link, lines, question)
}

/// A section with its paragraphs, a paragraph, or a `THRU` range: procedures
/// `first..=last` of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Unit {
    file: u32,
    first: u32,
    last: u32,
}

/// One statement of a unit that moves control or names a program.
#[derive(Debug, Clone)]
enum Step {
    Perform {
        target: String,
        thru: Option<String>,
        file: u32,
        line: u32,
    },
    GoTo {
        targets: Vec<String>,
        file: u32,
        line: u32,
    },
    Program {
        target: Target,
        file: u32,
    },
}

impl Step {
    fn line(&self) -> u32 {
        match self {
            Step::Perform { line, .. } | Step::GoTo { line, .. } => *line,
            Step::Program { target, .. } => target.line,
        }
    }
}

struct Flow<'a> {
    link: &'a Linked<'a>,
    lines: &'a dyn LineSource,
    home: u32,
    depth: usize,
    /// Procedure names the home file can reach: its own first, then its copybooks'.
    scope: HashMap<&'a str, (u32, u32)>,
    steps: HashMap<Unit, Vec<Step>>,
    expanded: HashSet<Unit>,
}

impl<'a> Flow<'a> {
    fn new(link: &'a Linked<'a>, lines: &'a dyn LineSource, home: u32, depth: usize) -> Self {
        let mut scope = HashMap::new();
        let mut files: Vec<u32> = vec![home];
        files.extend(link.included(home).into_iter().map(|(f, _)| f));
        // Later files first, so the home file's own definitions win.
        for &f in files.iter().rev() {
            for (j, p) in link.file(f).facts.procedures.iter().enumerate() {
                scope.insert(p.name.as_str(), (f, idx(j)));
            }
        }
        Self {
            link,
            lines,
            home,
            depth,
            scope,
            steps: HashMap::new(),
            expanded: HashSet::new(),
        }
    }

    fn procs(&self, f: u32) -> &'a [otis_cobol::Procedure] {
        &self.link.file(f).facts.procedures
    }

    /// The unit procedure `j` of file `f` starts: a section with its paragraphs, or a
    /// paragraph.
    fn unit(&self, f: u32, j: u32) -> Unit {
        let procs = self.procs(f);
        let mut last = j;
        if let Some(p) = procs.get(j as usize)
            && p.kind == ProcKind::Section
        {
            while procs
                .get(last as usize + 1)
                .is_some_and(|q| q.section.as_deref() == Some(p.name.as_str()))
            {
                last += 1;
            }
        }
        Unit {
            file: f,
            first: j,
            last,
        }
    }

    /// The top-level unit holding procedure `j` (a paragraph's section, when it has one).
    fn top_unit(&self, f: u32, j: u32) -> Unit {
        let procs = self.procs(f);
        if let Some(section) = procs.get(j as usize).and_then(|p| p.section.as_deref())
            && let Some(s) = procs[..j as usize]
                .iter()
                .rposition(|q| q.kind == ProcKind::Section && q.name == section)
        {
            return self.unit(f, idx(s));
        }
        self.unit(f, j)
    }

    fn span(&self, u: Unit) -> (u32, u32) {
        let procs = self.procs(u.file);
        match (procs.get(u.first as usize), procs.get(u.last as usize)) {
            (Some(a), Some(b)) => (a.line, b.end_line.max(a.line)),
            _ => (0, 0),
        }
    }

    fn name(&self, u: Unit) -> String {
        let procs = self.procs(u.file);
        let first = procs.get(u.first as usize).map_or("?", |p| p.name.as_str());
        let whole = self.unit(u.file, u.first);
        if u.last != whole.last
            && let Some(last) = procs.get(u.last as usize)
        {
            return format!("{first} THRU {}", last.name);
        }
        first.to_owned()
    }

    fn kind(&self, u: Unit) -> NodeKind {
        match self.procs(u.file).get(u.first as usize).map(|p| p.kind) {
            Some(ProcKind::Section) => NodeKind::Section,
            _ => NodeKind::Paragraph,
        }
    }

    fn id(u: Unit) -> String {
        format!("u:{}:{}:{}", u.file, u.first, u.last)
    }

    /// `PERFORM target [THRU thru]` resolved in the home file's scope.
    fn resolve(&self, target: &str, thru: Option<&str>) -> Option<Unit> {
        let &(f, j) = self.scope.get(target)?;
        let mut u = self.unit(f, j);
        if let Some(thru) = thru
            && let Some(&(tf, tj)) = self.scope.get(thru)
            && tf == f
            && tj >= j
        {
            u.last = self.unit(f, tj).last;
        }
        Some(u)
    }

    /// The steps of lines `start..=end` of file `f`, each with the line it sorts by in
    /// that file, with the steps of copybooks copied there that hold no procedures of
    /// their own (statements copied in place, sorted at their COPY).
    fn steps_in(&self, f: u32, start: u32, end: u32, nest: usize, out: &mut Vec<(u32, Step)>) {
        let facts = &self.link.file(f).facts;
        let edges = &facts.edges;
        let from = edges.partition_point(|e| e.line < start);
        let mut i = from;
        while i < edges.len() && edges[i].line <= end {
            let e = &edges[i];
            match e.kind {
                Jump::Perform => out.push((
                    e.line,
                    Step::Perform {
                        target: e.target.clone(),
                        thru: e.thru.clone(),
                        file: f,
                        line: e.line,
                    },
                )),
                Jump::GoTo => {
                    let mut targets = vec![e.target.clone()];
                    while let Some(next) = edges
                        .get(i + 1)
                        .filter(|n| n.kind == Jump::GoTo && n.line == e.line && n.from == e.from)
                    {
                        targets.push(next.target.clone());
                        i += 1;
                    }
                    out.push((
                        e.line,
                        Step::GoTo {
                            targets,
                            file: f,
                            line: e.line,
                        },
                    ));
                }
            }
            i += 1;
        }
        for target in menu::targets_in(self.link, f, start, end) {
            out.push((target.line, Step::Program { target, file: f }));
        }
        if nest < MAX_INLINE {
            for (k, copy) in facts.copies.iter().enumerate() {
                if !copy.in_procedure || copy.line < start || copy.line > end {
                    continue;
                }
                let Some(c) = self.link.copy_file(f, k) else {
                    continue;
                };
                let inner = &self.link.file(c).facts;
                let first_proc = inner.procedures.first().map_or(u32::MAX, |p| p.line);
                let mut copied = Vec::new();
                self.steps_in(
                    c,
                    1,
                    first_proc.saturating_sub(1).min(inner.lines),
                    nest + 1,
                    &mut copied,
                );
                out.extend(copied.into_iter().map(|(_, s)| (copy.line, s)));
            }
        }
    }

    fn steps(&mut self, u: Unit) -> Vec<Step> {
        if let Some(s) = self.steps.get(&u) {
            return s.clone();
        }
        let (start, end) = self.span(u);
        let mut keyed = Vec::new();
        self.steps_in(u.file, start, end, 0, &mut keyed);
        keyed.sort_by_key(|(line, _)| *line);
        let out: Vec<Step> = keyed.into_iter().map(|(_, s)| s).collect();
        self.steps.insert(u, out.clone());
        out
    }

    /// The steps before the first procedure header of the home file.
    fn preamble(&self, before: u32) -> Vec<Step> {
        let mut keyed = Vec::new();
        self.steps_in(self.home, 1, before.saturating_sub(1), 0, &mut keyed);
        keyed.sort_by_key(|(line, _)| *line);
        keyed.into_iter().map(|(_, s)| s).collect()
    }

    /// Whether the unit's last sentence leaves it for good (so it does not fall through).
    fn ends_in_jump(&self, u: Unit) -> bool {
        let (start, end) = self.span(u);
        let path = &self.link.row(u.file).path;
        self.lines
            .lines(path, start, end)
            .is_some_and(|text| last_sentence_jumps(&text))
    }

    /// The unit control falls into after `u`: the next top-level unit, unless `u` ends
    /// in a jump, or `u` is a paragraph and the next a section (in a program written in
    /// paragraphs, the sections after them are its subroutines).
    fn falls_into(&self, u: Unit, tops: &[Unit]) -> Option<Unit> {
        let pos = tops.iter().position(|&t| t == u)?;
        let &after = tops.get(pos + 1)?;
        let procs = self.procs(u.file);
        let kind = |unit: Unit| procs.get(unit.first as usize).map(|p| p.kind);
        if kind(u) == Some(ProcKind::Paragraph) && kind(after) == Some(ProcKind::Section) {
            return None;
        }
        (!self.ends_in_jump(u)).then_some(after)
    }

    /// Top-level units of the home file in source order, declaratives left out.
    fn top_units(&self) -> Vec<Unit> {
        let procs = self.procs(self.home);
        let uses = self.link.verb_lines(self.home, "USE");
        let mut out = Vec::new();
        let mut j = 0u32;
        let mut leading = true;
        while (j as usize) < procs.len() {
            let u = self.top_unit(self.home, j);
            let (start, end) = self.span(u);
            let declarative = procs[j as usize].kind == ProcKind::Section
                && uses.iter().any(|line| (start..=end).contains(line));
            if !(leading && declarative) {
                leading = false;
                out.push(u);
            }
            j = u.last + 1;
        }
        out
    }

    fn build(mut self, subject: &str, kind: SymbolKind, entry: Option<u32>) -> CodeFacts {
        let link = self.link;
        let home_file = link.file(self.home);
        let home_path = home_file.path.clone();
        let facts = CodeFacts {
            kind: QuestionKind::Flow,
            subject: Some(subject.to_owned()),
            subject_kind: Some(kind),
            file: Some(home_path.clone()),
            description: home_file.facts.header.description.clone(),
            items: Vec::new(),
            notes: Vec::new(),
            evidence: Vec::new(),
            graph: None,
            diagram: None,
        };
        let mut b = Builder::new(link, self.lines, facts);
        let tops = self.top_units();
        let entry_unit = match entry {
            Some(j) => Some(self.unit(self.home, j)),
            None => tops.first().copied(),
        };
        let menu = if entry.is_none() && link.is_program(self.home) {
            menu::menu_of(link, self.home)
        } else {
            None
        };

        // The entry node.
        let root = format!("entry:{subject}");
        let first_line = entry_unit.map_or(1, |u| self.span(u).0);
        let title = match (&home_file.facts.header.description, entry) {
            (Some(d), None) => format!(
                "{subject}\n{}",
                d.trim_end_matches([':', ';', ',', '.', ' '])
            ),
            _ => subject.to_owned(),
        };
        let root_kind = if menu.is_some() {
            NodeKind::Menu
        } else if entry.is_some() {
            self.kind(entry_unit.unwrap_or(Unit {
                file: self.home,
                first: 0,
                last: 0,
            }))
        } else {
            NodeKind::Program
        };
        b.node(
            &root,
            title,
            root_kind,
            Some((home_path.clone(), first_line)),
        );
        b.item(
            subject,
            FixedGroup::Entry,
            None,
            home_path.clone(),
            first_line,
        );
        b.note(Note::Depth, self.depth.to_string());

        // Main line: closure over fall-through and GO TO from the entry.
        let mut main: Vec<Unit> = Vec::new();
        let mut via: HashMap<Unit, String> = HashMap::new();
        if let Some(e) = entry_unit {
            let mut queue = VecDeque::from([e]);
            let mut seen = HashSet::from([e]);
            via.insert(e, "entry".into());
            while let Some(u) = queue.pop_front() {
                main.push(u);
                let mut next: Vec<(Unit, String)> = Vec::new();
                for step in self.steps(u) {
                    if let Step::GoTo { targets, file, .. } = &step
                        && *file == u.file
                    {
                        let option_paragraphs: Vec<&str> = match &menu {
                            Some(m) if targets.len() >= 2 => {
                                m.options.iter().map(|o| o.paragraph.as_str()).collect()
                            }
                            _ => Vec::new(),
                        };
                        for t in targets {
                            let Some(&(tf, tj)) = self.scope.get(t.as_str()) else {
                                continue;
                            };
                            if tf != self.home {
                                continue;
                            }
                            if option_paragraphs.contains(&t.as_str()) {
                                // The option's paragraph is shown as its program; the
                                // paragraphs it goes on to are on the main line.
                                if let Some(o) = menu
                                    .as_ref()
                                    .and_then(|m| m.options.iter().find(|o| o.paragraph == *t))
                                    && o.target.is_some()
                                {
                                    for then in &o.then {
                                        if let Some(&(hf, hj)) = self.scope.get(then.as_str())
                                            && hf == self.home
                                        {
                                            let tu = self.top_unit(hf, hj);
                                            next.push((
                                                tu,
                                                format!("after a menu option ({})", o.paragraph),
                                            ));
                                        }
                                    }
                                }
                                continue;
                            }
                            let tu = self.top_unit(tf, tj);
                            if tu != u {
                                next.push((tu, format!("GO TO from {}", self.name(u))));
                            }
                        }
                    }
                }
                if entry.is_none()
                    && let Some(after) = self.falls_into(u, &tops)
                {
                    next.push((after, format!("falls through from {}", self.name(u))));
                }
                for (t, how) in next {
                    if seen.insert(t) {
                        via.insert(t, how);
                        queue.push_back(t);
                    }
                }
            }
        }
        main.sort_by_key(|u| (u.file, u.first));
        for &u in &main {
            let (line, _) = self.span(u);
            b.node(
                &Self::id(u),
                self.name(u),
                self.kind(u),
                Some((home_path.clone(), line)),
            );
            let detail = via.get(&u).cloned();
            b.item(
                &self.name(u),
                FixedGroup::MainLine,
                detail,
                home_path.clone(),
                line,
            );
        }
        for &u in &main {
            let (line, _) = self.span(u);
            b.cite_in(u.file, line, line);
        }
        self.expanded.extend(main.iter().copied());

        // Statements before the first procedure belong to the entry itself.
        if entry.is_none()
            && let Some(e) = entry_unit
        {
            let (start, _) = self.span(e);
            // Before the first header of all: declaratives are not part of the entry.
            let first_header = self.procs(self.home).first().map_or(start, |p| p.line);
            let pre = self.preamble(first_header.min(start));
            self.emit_steps(&mut b, &root, None, pre, 0, menu.as_ref());
            let how = if main.first() == Some(&e) {
                EdgeKind::Next
            } else {
                EdgeKind::Goto
            };
            b.edge(
                &root,
                &Self::id(e),
                how,
                None,
                Some((home_path.clone(), start)),
            );
        } else if let Some(e) = entry_unit {
            let (start, _) = self.span(e);
            b.edge(
                &root,
                &Self::id(e),
                EdgeKind::Next,
                None,
                Some((home_path.clone(), start)),
            );
        }

        // Each main-line unit's steps, then how it goes on.
        for &u in &main.clone() {
            let steps = self.steps(u);
            self.emit_steps(&mut b, &Self::id(u), Some(u), steps, 0, menu.as_ref());
            if entry.is_none()
                && let Some(after) = self.falls_into(u, &tops)
                && main.contains(&after)
            {
                let (line, _) = self.span(after);
                b.edge(
                    &Self::id(u),
                    &Self::id(after),
                    EdgeKind::Next,
                    None,
                    Some((home_path.clone(), line)),
                );
            }
        }
        // Menu options' shared continuation (RUN-PROG) hangs off the dispatching unit.
        if let Some(m) = &menu
            && let Some(from) = m.from.as_deref()
            && let Some(&(ff, fj)) = self.scope.get(from)
        {
            let du = self.top_unit(ff, fj);
            let mut thens: Vec<String> = m.used().flat_map(|(o, _)| o.then.clone()).collect();
            thens.dedup();
            for then in thens {
                if let Some(&(hf, hj)) = self.scope.get(then.as_str()) {
                    let tu = self.top_unit(hf, hj);
                    if main.contains(&tu) {
                        b.edge(
                            &Self::id(du),
                            &Self::id(tu),
                            EdgeKind::Goto,
                            Some("after an option".into()),
                            Some((home_path.clone(), m.line)),
                        );
                    }
                }
            }
            if let Some(form) = m.form {
                b.note(Note::Form, form.path.clone());
            }
            b.note(Note::MenuOptions, m.used().count().to_string());
        }
        // More evidence: the first PERFORMs of the main line.
        let mut extra = Vec::new();
        for &u in &main {
            for s in self.steps(u) {
                if let Step::Perform { file, line, .. } = s {
                    extra.push((file, line));
                }
            }
        }
        for (f, line) in extra {
            if b.full() {
                break;
            }
            b.cite_in(f, line, line);
        }
        b.note(Note::MainLine, main.len().to_string());
        b.note(Note::Steps, b.nodes().saturating_sub(1).to_string());
        b.finish()
    }

    /// Draws `steps` of the node `from` (unit `at`, at PERFORM level `level`).
    fn emit_steps(
        &mut self,
        b: &mut Builder<'_>,
        from: &str,
        at: Option<Unit>,
        steps: Vec<Step>,
        level: usize,
        menu: Option<&Menu<'_>>,
    ) {
        let from_name = at.map_or_else(String::new, |u| self.name(u));
        for step in steps {
            match step {
                Step::Perform {
                    target,
                    thru,
                    file,
                    line,
                } => self.perform(
                    b,
                    from,
                    &from_name,
                    &target,
                    thru.as_deref(),
                    file,
                    line,
                    level + 1,
                    menu,
                ),
                Step::GoTo {
                    targets,
                    file,
                    line,
                    ..
                } => {
                    if let Some(m) = menu
                        && targets.len() >= 2
                        && file == self.home
                        && line == m.line
                    {
                        self.options(b, from, m);
                        continue;
                    }
                    for t in &targets {
                        let Some(&(tf, tj)) = self.scope.get(t.as_str()) else {
                            let id = format!("x:{t}");
                            b.node(
                                &id,
                                format!("{t}\n(not in the corpus)"),
                                NodeKind::External,
                                Some((b.path(file), line)),
                            );
                            b.edge(from, &id, EdgeKind::Goto, None, Some((b.path(file), line)));
                            continue;
                        };
                        let tu = self.top_unit(tf, tj);
                        if Some(tu) == at {
                            continue;
                        }
                        let id = Self::id(tu);
                        if !b.has(&id) {
                            let (tl, _) = self.span(tu);
                            b.node(&id, self.name(tu), self.kind(tu), Some((b.path(tf), tl)));
                            b.item(
                                &self.name(tu),
                                FixedGroup::GoTo,
                                Some(format!("GO TO from {from_name}")),
                                b.path(file),
                                line,
                            );
                        }
                        let label = (targets.len() > 1).then(|| "DEPENDING ON".to_owned());
                        b.edge(from, &id, EdgeKind::Goto, label, Some((b.path(file), line)));
                    }
                }
                Step::Program { target, file } => {
                    if menu.is_some_and(|m| {
                        m.used()
                            .any(|(_, t)| t.line == target.line && t.name == target.name)
                    }) {
                        // Shown as a menu option.
                        continue;
                    }
                    self.program_node(b, from, &from_name, &target, file, None);
                }
            }
        }
    }

    /// A node for a program the flow runs or hands on to, and the edge to it.
    fn program_node(
        &self,
        b: &mut Builder<'_>,
        from: &str,
        from_name: &str,
        target: &Target,
        file: u32,
        option: Option<(u32, Option<&str>)>,
    ) {
        let link = self.link;
        let (kind, id) = match target.via {
            Via::Transfer => (NodeKind::Transfer, format!("t:{}", target.name)),
            _ => (NodeKind::Call, format!("c:{}", target.name)),
        };
        let home = link.member_files(&target.name).first().copied();
        let description = match option {
            Some((_, Some(label))) => Some(label.to_owned()),
            _ => home.and_then(|f| link.file(f).facts.header.description.clone()),
        };
        let label = match &description {
            Some(d) => format!("{}\n{d}", target.name),
            None => target.name.clone(),
        };
        let site = (b.path(file), target.line);
        let at = match home {
            Some(f) => (b.path(f), 1),
            None => site.clone(),
        };
        let node_kind = if target.via == Via::Transfer || home.is_none() {
            if target.via == Via::Transfer {
                NodeKind::Transfer
            } else {
                NodeKind::External
            }
        } else {
            NodeKind::Call
        };
        if b.node(&id, label, node_kind, Some(at)) || option.is_some() {
            let how = match target.via {
                Via::Dynamic => "dynamic CALL",
                Via::Static => "CALL",
                Via::Transfer => "handed on (MOVE to the form name, no CALL here)",
            };
            let (group, detail) = match option {
                Some((n, label)) => (
                    FixedGroup::MenuOptions,
                    format!(
                        "option {n}{}",
                        label.map(|l| format!(": {l}")).unwrap_or_default()
                    ),
                ),
                None => (
                    if target.via == Via::Transfer {
                        FixedGroup::Transfers
                    } else {
                        FixedGroup::Calls
                    },
                    if from_name.is_empty() {
                        how.to_owned()
                    } else {
                        format!("{how} in {from_name}")
                    },
                ),
            };
            b.item(&target.name, group, Some(detail), site.0.clone(), site.1);
        }
        let edge_kind = if kind == NodeKind::Transfer {
            EdgeKind::Transfer
        } else {
            EdgeKind::Call
        };
        let label = option.map(|(n, _)| n.to_string());
        b.edge(from, &id, edge_kind, label, Some(site));
    }

    /// A menu's options: an edge per option to the program it runs.
    fn options(&self, b: &mut Builder<'_>, from: &str, m: &Menu<'_>) {
        for (o, t) in m.used() {
            let label = o.label.as_ref().map(|(l, _)| l.as_str());
            self.program_node(b, from, "", t, self.home, Some((o.number, label)));
        }
        if let Some(form) = m.form {
            // Cite the form's first option line too.
            if let Some(first) = form.form.options.first() {
                b.cite(&form.path, None, first.line, first.line);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn perform(
        &mut self,
        b: &mut Builder<'_>,
        from: &str,
        from_name: &str,
        target: &str,
        thru: Option<&str>,
        file: u32,
        line: u32,
        level: usize,
        menu: Option<&Menu<'_>>,
    ) {
        let site = (b.path(file), line);
        let label = thru.map(|t| format!("THRU {t}"));
        let Some(u) = self.resolve(target, thru) else {
            let id = format!("x:{target}");
            if b.node(
                &id,
                format!("{target}\n(not in the corpus)"),
                NodeKind::External,
                Some(site.clone()),
            ) {
                b.item(
                    target,
                    FixedGroup::OutsideTheCorpus,
                    Some(format!(
                        "PERFORM from {from_name}: defined in a copybook that is not indexed"
                    )),
                    site.0.clone(),
                    site.1,
                );
            }
            b.edge(from, &id, EdgeKind::Perform, label, Some(site));
            return;
        };
        let id = Self::id(u);
        let (def_line, _) = self.span(u);
        let in_copybook = u.file != self.home;
        let name = self.name(u);
        let node_label = if in_copybook {
            format!("{name}\n{}", self.link.row(u.file).path)
        } else {
            name.clone()
        };
        let new = b.node(
            &id,
            node_label,
            self.kind(u),
            Some((b.path(u.file), def_line)),
        );
        if new {
            let (group, detail) = if in_copybook {
                (
                    FixedGroup::CopybookSection,
                    format!(
                        "in {}, PERFORM from {from_name} (level {level})",
                        self.link.row(u.file).path
                    ),
                )
            } else {
                (
                    FixedGroup::Performed,
                    format!("PERFORM from {from_name} (level {level})"),
                )
            };
            // The item is named as the PERFORM names it; a THRU range says so in its detail.
            let detail = match thru {
                Some(t) => format!("THRU {t}, {detail}"),
                None => detail,
            };
            b.item(target, group, Some(detail), site.0.clone(), site.1);
        }
        b.edge(from, &id, EdgeKind::Perform, label, Some(site));
        if !self.expanded.insert(u) {
            return;
        }
        let steps = self.steps(u);
        if level < self.depth {
            self.emit_steps(b, &id, Some(u), steps, level, menu);
        } else {
            let hidden = self.hidden(u);
            if hidden > 0 {
                let more = format!("more:{id}");
                let first = steps.first().map_or(def_line, Step::line);
                let first_file = steps.first().map_or(u.file, Step::file);
                b.node(
                    &more,
                    format!(
                        "+{hidden} more step{} below",
                        if hidden == 1 { "" } else { "s" }
                    ),
                    NodeKind::Collapsed,
                    Some((b.path(first_file), first)),
                );
                b.edge(
                    &id,
                    &more,
                    EdgeKind::More,
                    None,
                    Some((b.path(first_file), first)),
                );
            }
        }
    }

    /// Distinct units, external procedures and programs reachable from `u` by PERFORM
    /// and CALL (not counting `u`).
    fn hidden(&mut self, u: Unit) -> usize {
        let mut seen: HashSet<Unit> = HashSet::from([u]);
        let mut others: HashSet<String> = HashSet::new();
        let mut queue = VecDeque::from([u]);
        while let Some(at) = queue.pop_front() {
            for step in self.steps(at) {
                match step {
                    Step::Perform { target, thru, .. } => {
                        match self.resolve(&target, thru.as_deref()) {
                            Some(t) => {
                                if seen.insert(t) {
                                    queue.push_back(t);
                                }
                            }
                            None => {
                                others.insert(format!("x:{target}"));
                            }
                        }
                    }
                    Step::Program { target, .. } => {
                        others.insert(format!("p:{}", target.name));
                    }
                    Step::GoTo { .. } => {}
                }
            }
            if seen.len() > 5000 {
                break;
            }
        }
        seen.len() - 1 + others.len()
    }
}

impl Step {
    fn file(&self) -> u32 {
        match self {
            Step::Perform { file, .. } | Step::GoTo { file, .. } | Step::Program { file, .. } => {
                *file
            }
        }
    }
}

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Whether the last sentence of a unit's text is an unconditional jump: `GO TO X`,
/// `STOP RUN`, `GOBACK` or `EXIT PROGRAM`, not inside an open IF / EVALUATE / AT END /
/// inline PERFORM. Reads fixed-format lines (comment and debug lines skipped).
pub(crate) fn last_sentence_jumps(text: &str) -> bool {
    let mut code = String::new();
    for raw in text.lines() {
        let chars: Vec<char> = raw.chars().collect();
        if chars.len() <= 7 {
            continue;
        }
        if matches!(chars[6], '*' | '/' | 'D' | 'd') {
            continue;
        }
        let line: String = chars[7..].iter().collect();
        let line = match line.find("*>") {
            Some(k) => &line[..k],
            None => &line,
        };
        code.push(' ');
        code.push_str(line);
    }
    // Blank out literals so their periods and words do not count.
    let mut plain = String::with_capacity(code.len());
    let mut quote: Option<char> = None;
    for c in code.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                plain.push('X');
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => plain.push(c),
        }
    }
    let upper = plain.to_ascii_uppercase();
    // Sentences end at a period followed by a space or the end.
    let mut sentences: Vec<&str> = Vec::new();
    let mut start = 0;
    let bytes = upper.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'.' && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) {
            sentences.push(&upper[start..i]);
            start = i + 1;
        }
    }
    sentences.push(&upper[start..]);
    // COPY statements after the code are inclusions, not the unit's last statement.
    let Some(last) = sentences
        .iter()
        .rev()
        .find(|s| !s.trim().is_empty() && !s.trim_start().starts_with("COPY "))
    else {
        return false;
    };
    let words: Vec<&str> = last.split_whitespace().collect();
    // Where the final statement starts.
    let mut jump_at = None;
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied();
        let starts_jump = match *w {
            "GO" => true,
            "GOBACK" => true,
            "STOP" => next == Some("RUN"),
            "EXIT" => next == Some("PROGRAM"),
            _ => false,
        };
        if starts_jump {
            jump_at = Some(i);
        }
    }
    let Some(at) = jump_at else {
        return false;
    };
    let tail = &words[at..];
    let ends_here = match tail[0] {
        "GO" => {
            let rest: Vec<&str> = tail[1..].iter().copied().filter(|w| *w != "TO").collect();
            rest.len() == 1
        }
        "GOBACK" => tail.len() == 1,
        _ => tail.len() == 2,
    };
    if !ends_here {
        return false;
    }
    // Open conditions before it.
    let mut open = 0i32;
    for (i, w) in words[..at].iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        match *w {
            "IF" | "EVALUATE" | "INVALID" | "EXCEPTION" | "OVERFLOW" => open += 1,
            "AT" if next == "END" => open += 1,
            "SIZE" if next == "ERROR" => open += 1,
            "PERFORM"
                if matches!(next, "UNTIL" | "VARYING" | "WITH" | "TEST")
                    || next.bytes().all(|b| b.is_ascii_digit()) =>
            {
                open += 1
            }
            w if w.starts_with("END-") => open = (open - 1).max(0),
            _ => {}
        }
    }
    open == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fixed-format lines: a leading `*` or `D` goes in the indicator column.
    fn fixed(lines: &[&str]) -> String {
        lines
            .iter()
            .map(|l| {
                if l.starts_with(['*', 'D']) {
                    format!("      {l}")
                } else {
                    format!("       {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn last_sentences_that_jump_or_fall_through() {
        let cases: &[(&[&str], bool)] = &[
            (
                &["M01. MOVE \"LP/A\" TO FORM-NAM.", "     GO TO RUN-PROG."],
                true,
            ),
            (&["M01. MOVE \"LP/A\" TO FORM-NAM; GO TO RUN-PROG."], true),
            (
                &["EXIT-PROG.", "    MOVE 1 TO X.", "    EXIT PROGRAM."],
                true,
            ),
            (&["MAIN.", "    PERFORM A.", "    STOP RUN."], true),
            (&["MAIN.", "    PERFORM A.", "    GOBACK."], true),
            (&["A.", "    IF X = 1", "       GO TO B."], false),
            (
                &[
                    "A.",
                    "    IF X = 1",
                    "       MOVE 2 TO Y",
                    "    END-IF",
                    "    GO TO B.",
                ],
                true,
            ),
            (&["A.", "    PERFORM B."], false),
            (&["A-EXIT.", "    EXIT."], false),
            (&["A.", "    GO TO B C D DEPENDING ON X."], false),
            (&["A.", "    READ F AT END GO TO Z."], false),
            (&["A.", "    DISPLAY \"GO TO X.\"", "    PERFORM B."], false),
            (
                &["A.", "    GO TO B.", "*   A COMMENT", "D    STOP RUN."],
                true,
            ),
            (&["A.", "    MOVE 1 TO X. *> GO TO B."], false),
            (
                &[
                    "EXIT-PROG.",
                    "    EXIT PROGRAM.",
                    "",
                    "COPY \"LIBGB/SCREEN.CPY\".",
                ],
                true,
            ),
        ];
        for (lines, want) in cases {
            assert_eq!(last_sentence_jumps(&fixed(lines)), *want, "{lines:?}");
        }
    }
}
