//! Flow and screen-tree facts as text: the steps in order (the main line numbered, each
//! step's PERFORMs, calls and GO TOs nested under it; a menu's options with their labels),
//! `[n]` citations of the evidence, and the Mermaid block of the diagram.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use otis_core::ports::{
    CodeFacts, EdgeKind, Evidence, FactItem, FixedGroup, Graph, GraphEdge, GraphNode, Note,
    QuestionKind,
};

/// Whether `item` is in the fixed group `g`.
fn in_group(item: &FactItem, g: FixedGroup) -> bool {
    item.group.as_ref().is_some_and(|x| x.is(g))
}

/// Most bullets under one step before the rest are counted.
const PER_STEP: usize = 12;
/// Most lines of the outline.
const MAX_LINES: usize = 150;

/// The answer for flow and screen-flow facts.
pub(crate) fn render(facts: &CodeFacts) -> String {
    let Some(graph) = &facts.graph else {
        return String::new();
    };
    if graph.nodes.is_empty() {
        return String::new();
    }
    let mut out = match facts.kind {
        QuestionKind::ScreenFlow => screens(facts, graph),
        _ => flow(facts, graph),
    };
    if let Some(diagram) = &facts.diagram {
        let _ = write!(
            out,
            "\nDiagram (Mermaid; `otis ask --diagram FILE.svg` writes it as SVG):\n\n```mermaid\n{}```\n",
            diagram.mermaid
        );
    }
    out
}

/// ` [n]` for the evidence covering `file:line`.
fn cite(evidence: &[Evidence], file: Option<&str>, line: Option<u32>) -> String {
    let (Some(file), Some(line)) = (file, line) else {
        return String::new();
    };
    evidence
        .iter()
        .position(|e| e.file == file && e.line <= line && line <= e.end_line)
        .map(|i| format!(" [{}]", i + 1))
        .unwrap_or_default()
}

/// A node's label on one line: `NAME (second line)`.
fn one_line(node: &GraphNode) -> String {
    let mut lines = node.label.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    let rest: Vec<&str> = lines.collect();
    let rest = rest.join(" ");
    if rest.is_empty() {
        first
    } else if rest.starts_with('(') {
        format!("{first} {rest}")
    } else {
        format!("{first} ({rest})")
    }
}

struct View<'a> {
    facts: &'a CodeFacts,
    nodes: HashMap<&'a str, &'a GraphNode>,
    out_edges: HashMap<&'a str, Vec<&'a GraphEdge>>,
    lines: usize,
}

impl<'a> View<'a> {
    fn new(facts: &'a CodeFacts, graph: &'a Graph) -> Self {
        let nodes = graph.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
        let mut out_edges: HashMap<&str, Vec<&GraphEdge>> = HashMap::new();
        for e in &graph.edges {
            out_edges.entry(e.from.as_str()).or_default().push(e);
        }
        Self {
            facts,
            nodes,
            out_edges,
            lines: 0,
        }
    }

    fn edges(&self, id: &str) -> &[&'a GraphEdge] {
        self.out_edges.get(id).map_or(&[], Vec::as_slice)
    }

    fn cite_node(&self, node: &GraphNode) -> String {
        cite(&self.facts.evidence, node.file.as_deref(), node.line)
    }

    fn cite_edge(&self, edge: &GraphEdge) -> String {
        cite(&self.facts.evidence, edge.file.as_deref(), edge.line)
    }

    fn push(&mut self, out: &mut String, text: String) -> bool {
        if self.lines >= MAX_LINES {
            return false;
        }
        self.lines += 1;
        out.push_str(&text);
        out.push('\n');
        true
    }

    /// One bullet per edge from `id` (not to `skip` nodes), nested `depth` deep, each node
    /// expanded once.
    fn bullets(
        &mut self,
        out: &mut String,
        id: &str,
        indent: usize,
        skip: &HashSet<&str>,
        done: &mut HashSet<String>,
        steps_word: &str,
    ) {
        let edges: Vec<&GraphEdge> = self
            .edges(id)
            .iter()
            .copied()
            .filter(|e| e.kind != EdgeKind::Next)
            .collect();
        // Menu options are always listed; other steps are cut after PER_STEP.
        let is_option = |e: &GraphEdge| {
            matches!(e.kind, EdgeKind::Call | EdgeKind::Option | EdgeKind::Back)
                && e.label.is_some()
        };
        let others = edges.iter().filter(|e| !is_option(e)).count();
        let mut shown = 0usize;
        for e in edges {
            if !is_option(e) {
                if shown == PER_STEP && others > PER_STEP + 1 {
                    let pad = "  ".repeat(indent);
                    self.push(
                        out,
                        format!(
                            "{pad}- … and {} more {steps_word} (all in the answer record)",
                            others - shown
                        ),
                    );
                    shown += 1;
                }
                shown += 1;
                if shown > PER_STEP + 1 && others > PER_STEP + 1 {
                    continue;
                }
            }
            let Some(&node) = self.nodes.get(e.to.as_str()) else {
                continue;
            };
            let pad = "  ".repeat(indent);
            let name = one_line(node);
            let text = match (e.kind, e.label.as_deref()) {
                (EdgeKind::Perform, Some(l)) => format!("PERFORM {name} {l}"),
                (EdgeKind::Perform, None) => format!("PERFORM {name}"),
                (EdgeKind::Goto, Some(l)) => format!("GO TO {name} ({l})"),
                (EdgeKind::Goto, None) => format!("GO TO {name}"),
                (EdgeKind::Call | EdgeKind::Option, Some(n)) => format!("option {n}: {name}"),
                (EdgeKind::Call, None) => format!("CALL {name}"),
                (EdgeKind::Transfer, _) => format!("hands on to {name} (runs when this returns)"),
                (EdgeKind::Back, Some(n)) if n.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("option {n}: back to {}", first_line(node))
                }
                (EdgeKind::Back, None) => format!("back to {}", first_line(node)),
                (_, _) => name,
            };
            let citation = self.cite_edge(e);
            if !self.push(out, format!("{pad}- {text}{citation}")) {
                return;
            }
            let expand = !skip.contains(e.to.as_str())
                && !matches!(e.kind, EdgeKind::Goto | EdgeKind::Back)
                && done.insert(e.to.clone());
            if expand {
                self.bullets(out, &e.to, indent + 1, skip, done, steps_word);
            }
        }
    }
}

fn first_line(node: &GraphNode) -> &str {
    node.label.lines().next().unwrap_or_default()
}

fn flow(facts: &CodeFacts, graph: &Graph) -> String {
    let mut view = View::new(facts, graph);
    let root = &graph.nodes[0];
    let name = facts
        .subject
        .clone()
        .unwrap_or_else(|| first_line(root).to_owned());
    // Main-line units, in order: the items of that group, matched to nodes by place.
    let main: Vec<&GraphNode> = facts
        .items
        .iter()
        .filter(|i| in_group(i, FixedGroup::MainLine))
        .filter_map(|i| {
            graph.nodes[1..]
                .iter()
                .find(|n| n.file.as_deref() == Some(i.file.as_str()) && n.line == Some(i.line))
        })
        .collect();
    let skip: HashSet<&str> = main.iter().map(|n| n.id.as_str()).collect();
    let depth = facts.note(Note::Depth).unwrap_or("2");
    let mut out = String::new();
    let file = facts
        .file
        .as_deref()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    let about = facts
        .description
        .as_deref()
        .map(|d| format!(", {},", d.trim_end_matches([':', ';', ',', '.', ' '])))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "The flow of {name}{file}{about} runs {} in order, each with the steps it PERFORMs (expanded {depth} level{}), the programs it calls and where it goes next:\n",
        match main.len() {
            1 => "1 main step".to_owned(),
            n => format!("{n} main steps"),
        },
        if depth == "1" { "" } else { "s" }
    );
    let mut done: HashSet<String> = HashSet::new();
    done.insert(root.id.clone());
    // What runs before the first paragraph.
    if view
        .edges(&root.id)
        .iter()
        .any(|e| !skip.contains(e.to.as_str()) && e.kind != EdgeKind::Next)
    {
        view.push(
            &mut out,
            format!("0. {name} itself{}", view.cite_node(root)),
        );
        view.bullets(&mut out, &root.id, 1, &skip, &mut done, "steps");
    }
    for (k, node) in main.iter().enumerate() {
        done.insert(node.id.clone());
        let next = view
            .edges(&node.id)
            .iter()
            .find(|e| e.kind == EdgeKind::Next)
            .and_then(|e| view.nodes.get(e.to.as_str()))
            .map(|n| format!(" — then falls through to {}", first_line(n)))
            .unwrap_or_default();
        let line = format!(
            "{}. {}{}{next}",
            k + 1,
            one_line(node),
            view.cite_node(node)
        );
        if !view.push(&mut out, line) {
            break;
        }
        view.bullets(&mut out, &node.id, 1, &skip, &mut done, "steps");
    }
    if view.lines >= MAX_LINES {
        out.push_str(
            "… (the outline is cut here; every step is in the answer record's `facts` and graph)\n",
        );
    }
    let calls: Vec<String> = {
        let mut seen = HashSet::new();
        facts
            .items
            .iter()
            .filter(|i| in_group(i, FixedGroup::Calls) || in_group(i, FixedGroup::MenuOptions))
            .filter(|i| seen.insert(i.name.clone()))
            .map(|i| i.name.clone())
            .collect()
    };
    if !calls.is_empty() {
        let _ = writeln!(
            out,
            "\nPrograms it runs ({}): {}.",
            calls.len(),
            calls.join(", ")
        );
    }
    let sections: Vec<String> = {
        let mut seen = HashSet::new();
        facts
            .items
            .iter()
            .filter(|i| in_group(i, FixedGroup::CopybookSection))
            .filter(|i| seen.insert(i.name.clone()))
            .map(|i| i.name.clone())
            .collect()
    };
    if !sections.is_empty() {
        let _ = writeln!(
            out,
            "Copybook sections it runs ({}): {}.",
            sections.len(),
            sections.join(", ")
        );
    }
    if let Some(form) = facts.note(Note::Form) {
        let _ = writeln!(out, "Option labels come from the screen form {form}.");
    }
    out
}

fn screens(facts: &CodeFacts, graph: &Graph) -> String {
    let mut view = View::new(facts, graph);
    let root = &graph.nodes[0];
    let name = first_line(root).to_owned();
    let mut out = String::new();
    let why = match facts.note(Note::Start) {
        Some(s) if s.starts_with("the main program") => format!(" ({s})"),
        _ => String::new(),
    };
    let screens = facts.note(Note::Screens).unwrap_or("0");
    let depth = facts.note(Note::Depth).unwrap_or("6");
    let _ = writeln!(
        out,
        "The screens from {name}{why} down, {screens} reached within {depth} levels: each menu option with its label from the screen form, and the screens each program runs.\n"
    );
    view.push(
        &mut out,
        format!("{}{}", one_line(root), view.cite_node(root)),
    );
    let mut done: HashSet<String> = HashSet::from([root.id.clone()]);
    view.bullets(&mut out, &root.id, 1, &HashSet::new(), &mut done, "options");
    if view.lines >= MAX_LINES {
        out.push_str(
            "… (the tree is cut here; every screen is in the answer record's `facts` and graph)\n",
        );
    }
    if let Some(returns) = facts.note(Note::ReturnsToAMenuAbove) {
        let _ = writeln!(
            out,
            "\nPrograms that hand control back to a menu above them when they end: {returns}."
        );
    }
    if let Some(others) = facts.note(Note::OtherTopMenus) {
        let _ = writeln!(
            out,
            "\nOther top-level menus (programs they reach): {others}."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use otis_core::ports::{Diagram, ItemGroup, NodeKind, SymbolKind};

    use super::*;

    fn node(id: &str, label: &str, kind: &str, line: u32) -> GraphNode {
        GraphNode {
            id: id.into(),
            label: label.into(),
            kind: NodeKind::from_label(kind).unwrap(),
            file: Some("LP/LPMENU.CBL".into()),
            line: Some(line),
        }
    }

    fn edge(from: &str, to: &str, kind: &str, label: Option<&str>, line: u32) -> GraphEdge {
        GraphEdge {
            from: from.into(),
            to: to.into(),
            kind: EdgeKind::from_label(kind).unwrap(),
            label: label.map(Into::into),
            file: Some("LP/LPMENU.CBL".into()),
            line: Some(line),
        }
    }

    fn item(name: &str, group: &str, line: u32) -> FactItem {
        FactItem {
            name: name.into(),
            group: Some(
                FixedGroup::from_label(group)
                    .map_or_else(|| ItemGroup::named(group), ItemGroup::Fixed),
            ),
            detail: None,
            file: "LP/LPMENU.CBL".into(),
            line,
        }
    }

    fn evidence(line: u32) -> Evidence {
        Evidence {
            file: "LP/LPMENU.CBL".into(),
            line,
            end_line: line,
            member: Some("LPMENU".into()),
            text: String::new(),
        }
    }

    #[test]
    fn a_flow_names_its_steps_in_order_with_citations_and_the_mermaid_block() {
        let graph = Graph {
            nodes: vec![
                node("entry", "LPMENU\nLOAN MENU", "menu", 20),
                node("u:a", "DISPLAY-MENU", "paragraph", 20),
                node("u:b", "GET-SELECTION", "paragraph", 30),
                node("u:r", "FORM-RESET", "section", 90),
                node("c:x", "LONPF2\nPAYMENTS", "call", 1),
                node("u:e", "EXIT-PROG", "paragraph", 60),
            ],
            edges: vec![
                edge("entry", "u:a", "next", None, 20),
                edge("u:a", "u:r", "perform", None, 22),
                edge("u:a", "u:b", "next", None, 30),
                edge("u:b", "c:x", "call", Some("1"), 41),
                edge("u:b", "u:e", "goto", None, 45),
            ],
        };
        let facts = CodeFacts {
            kind: QuestionKind::Flow,
            subject: Some("LPMENU".into()),
            subject_kind: Some(SymbolKind::Program),
            file: Some("LP/LPMENU.CBL".into()),
            description: Some("LOAN MENU".into()),
            items: vec![
                item("LPMENU", "entry", 20),
                item("DISPLAY-MENU", "main line", 20),
                item("GET-SELECTION", "main line", 30),
                item("EXIT-PROG", "main line", 60),
                item("FORM-RESET", "performed", 22),
                item("LONPF2", "menu options", 41),
            ],
            notes: vec![(Note::Depth, "2".into())],
            evidence: vec![evidence(20), evidence(30), evidence(22)],
            graph: Some(graph),
            diagram: Some(Diagram {
                mermaid: "flowchart TD\n    n0[\"LPMENU\"]\n".into(),
                svg: String::new(),
            }),
        };
        let text = render(&facts);
        let display = text.find("1. DISPLAY-MENU [1] — then falls through to GET-SELECTION");
        let reset = text.find("  - PERFORM FORM-RESET [3]");
        let get = text.find("2. GET-SELECTION [2]");
        let option = text.find("  - option 1: LONPF2 (PAYMENTS)");
        let exit = text.find("3. EXIT-PROG");
        assert!(
            display < reset && reset < get && get < option && option < exit && display.is_some(),
            "{text}"
        );
        assert!(text.contains("  - GO TO EXIT-PROG"), "{text}");
        assert!(text.contains("```mermaid\nflowchart TD\n"), "{text}");
        assert!(text.contains("Programs it runs (1): LONPF2."), "{text}");
    }

    #[test]
    fn no_graph_no_text() {
        let facts = CodeFacts::new(QuestionKind::Flow);
        assert_eq!(render(&facts), "");
    }
}
