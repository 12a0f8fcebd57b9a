//! A graph as a Mermaid `flowchart TD` block: one statement per node (its shape says its
//! kind), one per edge (its stroke says perform, go to or call; its label the option or
//! `THRU`), and class definitions that colour the kinds.

use std::collections::HashMap;
use std::fmt::Write as _;

use otis_core::ports::{EdgeKind, Graph, NodeKind};

use crate::text;

/// The block's body, starting with `flowchart TD` (no fences).
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let id = format!("n{i}");
        let label = text::mermaid(&node.label);
        let shape = match node.kind {
            NodeKind::Program | NodeKind::Menu => format!("[[\"{label}\"]]"),
            NodeKind::Call | NodeKind::Screen => format!("([\"{label}\"])"),
            NodeKind::External | NodeKind::Transfer => format!("[/\"{label}\"/]"),
            NodeKind::Exit => format!("((\"{label}\"))"),
            NodeKind::Collapsed => format!("{{{{\"{label}\"}}}}"),
            _ => format!("[\"{label}\"]"),
        };
        let _ = writeln!(out, "    {id}{shape}");
        let class = class(node.kind);
        let _ = writeln!(out, "    class {id} {class}");
        ids.entry(node.id.as_str()).or_insert(id);
    }
    for edge in &graph.edges {
        let (Some(from), Some(to)) = (ids.get(edge.from.as_str()), ids.get(edge.to.as_str()))
        else {
            continue;
        };
        let arrow = match edge.kind {
            EdgeKind::Goto | EdgeKind::Transfer | EdgeKind::Back => "-.->",
            EdgeKind::Call => "==>",
            _ => "-->",
        };
        match edge.label.as_deref().filter(|l| !l.is_empty()) {
            Some(label) => {
                let _ = writeln!(out, "    {from} {arrow}|\"{}\"| {to}", text::mermaid(label));
            }
            None => {
                let _ = writeln!(out, "    {from} {arrow} {to}");
            }
        }
    }
    out.push_str(concat!(
        "    classDef prog fill:#dbe8fb,stroke:#2f5f9e,stroke-width:2px\n",
        "    classDef proc fill:#ffffff,stroke:#555555\n",
        "    classDef call fill:#e1f3e1,stroke:#2e7d32\n",
        "    classDef ext fill:#f2f2f2,stroke:#888888,stroke-dasharray:4 3\n",
        "    classDef menu fill:#fff1d6,stroke:#b26a00,stroke-width:2px\n",
        "    classDef more fill:#fafafa,stroke:#999999,stroke-dasharray:2 2\n",
    ));
    out
}

/// The Mermaid class of a node kind (also used by the SVG).
pub(crate) fn class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Program => "prog",
        NodeKind::Menu => "menu",
        NodeKind::Call | NodeKind::Screen => "call",
        NodeKind::External | NodeKind::Transfer | NodeKind::Exit => "ext",
        NodeKind::Collapsed => "more",
        _ => "proc",
    }
}

#[cfg(test)]
mod tests {
    use otis_core::ports::{GraphEdge, GraphNode};

    use super::*;

    fn node(id: &str, label: &str, kind: &str) -> GraphNode {
        GraphNode {
            id: id.into(),
            label: label.into(),
            kind: NodeKind::from_label(kind).unwrap(),
            file: None,
            line: None,
        }
    }

    #[test]
    fn nodes_edges_and_escaped_labels() {
        let graph = Graph {
            nodes: vec![
                node("p:MENU", "MENU", "menu"),
                node("c:X", "X \"SET Y\" [1]", "call"),
                node("s:A", "A", "paragraph"),
            ],
            edges: vec![
                GraphEdge {
                    from: "p:MENU".into(),
                    to: "c:X".into(),
                    kind: EdgeKind::from_label("call").unwrap(),
                    label: Some("1. RUN | X".into()),
                    file: None,
                    line: None,
                },
                GraphEdge {
                    from: "p:MENU".into(),
                    to: "s:A".into(),
                    kind: EdgeKind::from_label("goto").unwrap(),
                    label: None,
                    file: None,
                    line: None,
                },
                GraphEdge {
                    from: "p:MENU".into(),
                    to: "missing".into(),
                    kind: EdgeKind::from_label("perform").unwrap(),
                    label: None,
                    file: None,
                    line: None,
                },
            ],
        };
        let text = mermaid(&graph);
        assert!(text.starts_with("flowchart TD\n"));
        assert!(text.contains("n0[[\"MENU\"]]"));
        assert!(text.contains("n1([\"X #quot;SET Y#quot; #91;1#93;\"])"));
        assert!(text.contains("n0 ==>|\"1. RUN #124; X\"| n1"));
        assert!(text.contains("n0 -.-> n2"));
        assert!(!text.contains("missing"));
    }
}
