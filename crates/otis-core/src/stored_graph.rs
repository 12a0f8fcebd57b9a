//! A flow or screen graph kept in a stored turn's metadata, so a reloaded conversation can
//! draw its diagram again: the graph is small next to its drawing (an SVG is several
//! times larger), and drawing it again gives the same picture.
//!
//! The metadata value under [`KEY`] is compact JSON: each file once, nodes as
//! `[id, label, kind, file, line]` and edges as `[from, to, kind, label, file, line]`,
//! where `file` is an index into `files`, `from` and `to` index `nodes`, and absent values
//! are `null`:
//!
//! ```json
//! {"files": ["LP/LONPF2.CBL"],
//!  "nodes": [["entry:LONPF2", "LONPF2", "program", 0, 1], ["u:0:40:52", "MAIN-LINE", "section", 0, 40]],
//!  "edges": [[0, 1, "next", null, null, null]]}
//! ```
//!
//! A graph whose compact form is over [`MAX_BYTES`] is not kept (every store holds the
//! turn whole; the Table store's limit is 500 KiB for texts and metadata together), nor is
//! an edge whose ends are not nodes of the graph (no drawing shows one). A value that does
//! not read as this form reads as no graph, so older turns load as before.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ports::{EdgeKind, Graph, GraphEdge, GraphNode, NodeKind};
use crate::turn::Metadata;

/// The metadata key the graph is kept under.
pub const KEY: &str = "graph";

/// The largest compact form kept, in bytes of JSON.
pub const MAX_BYTES: usize = 64 * 1024;

#[derive(Serialize, Deserialize)]
struct Compact {
    files: Vec<String>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

/// id, label, kind, file, line.
#[derive(Serialize, Deserialize)]
struct Node(String, String, NodeKind, Option<usize>, Option<u32>);

/// from, to, kind, label, file, line.
#[derive(Serialize, Deserialize)]
struct Edge(
    usize,
    usize,
    EdgeKind,
    Option<String>,
    Option<usize>,
    Option<u32>,
);

/// `graph` as the metadata value to keep, or `None` when its compact form is over
/// [`MAX_BYTES`].
pub fn to_value(graph: &Graph) -> Option<Value> {
    let mut files: Vec<String> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut file_index = |file: &Option<String>| {
        file.as_ref().map(|f| {
            *seen.entry(f.clone()).or_insert_with(|| {
                files.push(f.clone());
                files.len() - 1
            })
        })
    };
    let nodes: Vec<Node> = graph
        .nodes
        .iter()
        .map(|n| {
            Node(
                n.id.clone(),
                n.label.clone(),
                n.kind,
                file_index(&n.file),
                n.line,
            )
        })
        .collect();
    // The first node of an id, as the drawings read it.
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, n) in graph.nodes.iter().enumerate() {
        by_id.entry(n.id.as_str()).or_insert(i);
    }
    let node_index = |id: &str| by_id.get(id).copied();
    let edges: Vec<Edge> = graph
        .edges
        .iter()
        .filter_map(|e| {
            Some(Edge(
                node_index(&e.from)?,
                node_index(&e.to)?,
                e.kind,
                e.label.clone(),
                file_index(&e.file),
                e.line,
            ))
        })
        .collect();
    let value = serde_json::to_value(Compact {
        files,
        nodes,
        edges,
    })
    .ok()?;
    let bytes = serde_json::to_string(&value).map_or(usize::MAX, |s| s.len());
    (bytes <= MAX_BYTES).then_some(value)
}

/// The graph kept in `metadata`, when it has one that reads.
pub fn from_metadata(metadata: &Metadata) -> Option<Graph> {
    let compact = Compact::deserialize(metadata.get(KEY)?).ok()?;
    let file = |i: Option<usize>| match i {
        Some(i) => compact.files.get(i).cloned().map(Some),
        None => Some(None),
    };
    let nodes = compact
        .nodes
        .iter()
        .map(|Node(id, label, kind, f, line)| {
            Some(GraphNode {
                id: id.clone(),
                label: label.clone(),
                kind: *kind,
                file: file(*f)?,
                line: *line,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let edges = compact
        .edges
        .iter()
        .map(|Edge(from, to, kind, label, f, line)| {
            Some(GraphEdge {
                from: nodes.get(*from)?.id.clone(),
                to: nodes.get(*to)?.id.clone(),
                kind: *kind,
                label: label.clone(),
                file: file(*f)?,
                line: *line,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Graph { nodes, edges })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn node(id: &str, kind: NodeKind, file: Option<&str>, line: Option<u32>) -> GraphNode {
        GraphNode {
            id: id.into(),
            label: format!("{id}\nlabel \"quoted\" <b>"),
            kind,
            file: file.map(Into::into),
            line,
        }
    }

    fn edge(from: &str, to: &str, kind: EdgeKind, label: Option<&str>) -> GraphEdge {
        GraphEdge {
            from: from.into(),
            to: to.into(),
            kind,
            label: label.map(Into::into),
            file: Some("LP/B.CBL".into()),
            line: Some(9),
        }
    }

    fn sample() -> Graph {
        Graph {
            nodes: vec![
                node("entry:A", NodeKind::Program, Some("LP/A.CBL"), Some(1)),
                node("u:0:10:20", NodeKind::Section, Some("LP/A.CBL"), Some(10)),
                node("x:ZZ", NodeKind::External, None, None),
                node("c:B", NodeKind::Call, Some("LP/B.CBL"), Some(3)),
            ],
            edges: vec![
                edge("entry:A", "u:0:10:20", EdgeKind::Next, None),
                edge("u:0:10:20", "x:ZZ", EdgeKind::Perform, Some("THRU Z")),
                edge("u:0:10:20", "c:B", EdgeKind::Call, None),
            ],
        }
    }

    #[test]
    fn a_graph_round_trips_through_metadata() {
        let graph = sample();
        let value = to_value(&graph).unwrap();
        assert_eq!(value["files"], json!(["LP/A.CBL", "LP/B.CBL"]));
        assert_eq!(
            value["nodes"][0],
            json!(["entry:A", "entry:A\nlabel \"quoted\" <b>", "program", 0, 1])
        );
        assert_eq!(value["nodes"][2][3], Value::Null);
        assert_eq!(value["edges"][1], json!([1, 2, "perform", "THRU Z", 1, 9]));
        let metadata = Metadata::from_iter([(KEY.to_string(), value)]);
        // Through the JSON text a store keeps.
        let text = serde_json::to_string(&metadata).unwrap();
        let metadata: Metadata = serde_json::from_str(&text).unwrap();
        assert_eq!(from_metadata(&metadata), Some(graph));
    }

    #[test]
    fn edges_between_unknown_nodes_are_not_kept() {
        let mut graph = sample();
        graph
            .edges
            .push(edge("u:0:10:20", "nowhere", EdgeKind::Goto, None));
        let value = to_value(&graph).unwrap();
        let metadata = Metadata::from_iter([(KEY.to_string(), value)]);
        assert_eq!(from_metadata(&metadata), Some(sample()));
    }

    #[test]
    fn a_graph_over_the_budget_is_not_kept() {
        let big = |n: usize| Graph {
            nodes: (0..n)
                .map(|i| GraphNode {
                    id: format!("u:{i}"),
                    label: format!("PARAGRAPH-NUMBER-{i:05}"),
                    kind: NodeKind::Paragraph,
                    file: Some("LP/BIG.CBL".into()),
                    line: Some(i as u32 + 1),
                })
                .collect(),
            edges: (1..n)
                .map(|i| GraphEdge {
                    from: format!("u:{}", i - 1),
                    to: format!("u:{i}"),
                    kind: EdgeKind::Next,
                    label: None,
                    file: None,
                    line: None,
                })
                .collect(),
        };
        let kept = to_value(&big(500)).unwrap();
        assert!(serde_json::to_string(&kept).unwrap().len() <= MAX_BYTES);
        assert_eq!(to_value(&big(5000)), None);
    }

    #[test]
    fn what_does_not_read_as_a_graph_is_no_graph() {
        let cases = [
            json!(null),
            json!("graph"),
            json!({"nodes": []}),
            json!({"files": [], "nodes": [["a", "A", "no such kind", null, null]], "edges": []}),
            json!({"files": [], "nodes": [["a", "A", "program", 3, null]], "edges": []}),
            json!({"files": [], "nodes": [["a", "A", "program", null, null]], "edges": [[0, 1, "next", null, null, null]]}),
            json!({"files": [], "nodes": [["a", "A", "program"]], "edges": []}),
        ];
        for value in cases {
            let metadata = Metadata::from_iter([(KEY.to_string(), value.clone())]);
            assert_eq!(from_metadata(&metadata), None, "{value}");
        }
        assert_eq!(from_metadata(&Metadata::new()), None);
    }
}
