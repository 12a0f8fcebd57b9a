//! Building a flow or screen graph together with the answer's facts: every node and edge
//! carries its file and line, every step is also an item of the list, and a few lines are
//! cited as evidence. The finished graph is drawn by otis-diagram.

use std::collections::{HashMap, HashSet};

use otis_core::ports::{
    CodeFacts, EdgeKind, Evidence, FactItem, FixedGroup, Graph, GraphEdge, GraphNode, NodeKind,
    Note,
};

use crate::link::Linked;
use crate::source::LineSource;

/// Most lines one answer cites.
pub(crate) const MAX_EVIDENCE: usize = 8;

pub(crate) struct Builder<'a> {
    pub(crate) link: &'a Linked<'a>,
    lines: &'a dyn LineSource,
    pub(crate) facts: CodeFacts,
    graph: Graph,
    ids: HashMap<String, usize>,
    edges: HashSet<(String, String, EdgeKind)>,
    cited: HashSet<(String, u32)>,
    /// Screen trees: hand-offs back to a menu above, by menu (counted, not drawn).
    pub(crate) returns: std::collections::BTreeMap<String, usize>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(link: &'a Linked<'a>, lines: &'a dyn LineSource, facts: CodeFacts) -> Self {
        Self {
            link,
            lines,
            facts,
            graph: Graph::default(),
            ids: HashMap::new(),
            edges: HashSet::new(),
            cited: HashSet::new(),
            returns: std::collections::BTreeMap::new(),
        }
    }

    pub(crate) fn path(&self, f: u32) -> String {
        self.link.row(f).path.clone()
    }

    pub(crate) fn has(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    pub(crate) fn nodes(&self) -> usize {
        self.graph.nodes.len()
    }

    /// Adds a node unless one with `id` exists; true when added.
    pub(crate) fn node(
        &mut self,
        id: &str,
        label: String,
        kind: NodeKind,
        at: Option<(String, u32)>,
    ) -> bool {
        if self.ids.contains_key(id) {
            return false;
        }
        self.ids.insert(id.to_owned(), self.graph.nodes.len());
        let (file, line) = match at {
            Some((file, line)) => (Some(file), Some(line)),
            None => (None, None),
        };
        self.graph.nodes.push(GraphNode {
            id: id.to_owned(),
            label,
            kind,
            file,
            line,
        });
        true
    }

    /// Adds an edge, once per (from, to, kind).
    pub(crate) fn edge(
        &mut self,
        from: &str,
        to: &str,
        kind: EdgeKind,
        label: Option<String>,
        at: Option<(String, u32)>,
    ) {
        if !self.edges.insert((from.to_owned(), to.to_owned(), kind)) {
            return;
        }
        let (file, line) = match at {
            Some((file, line)) => (Some(file), Some(line)),
            None => (None, None),
        };
        self.graph.edges.push(GraphEdge {
            from: from.to_owned(),
            to: to.to_owned(),
            kind,
            label,
            file,
            line,
        });
    }

    pub(crate) fn item(
        &mut self,
        name: &str,
        group: FixedGroup,
        detail: Option<String>,
        file: String,
        line: u32,
    ) {
        self.facts.items.push(FactItem {
            name: name.to_owned(),
            group: Some(group.into()),
            detail,
            file,
            line,
        });
    }

    pub(crate) fn note(&mut self, what: Note, value: impl Into<String>) {
        self.facts.add_note(what, value);
    }

    /// Cites lines `line..=end` of `file` (a corpus path), once and at most
    /// [`MAX_EVIDENCE`] times per answer.
    pub(crate) fn cite(&mut self, file: &str, member: Option<String>, line: u32, end: u32) {
        if self.facts.evidence.len() >= MAX_EVIDENCE || !self.cited.insert((file.to_owned(), line))
        {
            return;
        }
        let end = end.max(line);
        self.facts.evidence.push(Evidence {
            file: file.to_owned(),
            line,
            end_line: end,
            member,
            text: self.lines.lines(file, line, end).unwrap_or_default(),
        });
    }

    /// Cites a line of corpus file `f`.
    pub(crate) fn cite_in(&mut self, f: u32, line: u32, end: u32) {
        let row = self.link.row(f);
        let end = end.max(line).min(row.lines.max(line));
        let (path, member) = (row.path.clone(), row.member.clone());
        self.cite(&path, Some(member), line, end);
    }

    pub(crate) fn full(&self) -> bool {
        self.facts.evidence.len() >= MAX_EVIDENCE
    }

    /// The facts with the graph and its drawing.
    pub(crate) fn finish(mut self) -> CodeFacts {
        self.facts.diagram = Some(otis_diagram::draw(&self.graph));
        self.facts.graph = Some(self.graph);
        self.facts
    }
}
