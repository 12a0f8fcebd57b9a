//! Summarising a large graph: the nodes nearest the entry are kept (breadth first, so the
//! deepest steps go first), and what lies below each kept node is folded into one node
//! saying how many steps it hides.

use std::collections::{HashMap, VecDeque};

use otis_core::ports::{EdgeKind, Graph, GraphEdge, GraphNode, NodeKind};

/// `graph` with at most `max_nodes` nodes (at least the entry): nodes in breadth-first
/// order from the first node are kept while the kept nodes plus one summary node per kept
/// parent of hidden ones fit. Edges between kept nodes stay.
pub fn summarise(graph: &Graph, max_nodes: usize) -> Graph {
    let n = graph.nodes.len();
    if n <= max_nodes {
        return graph.clone();
    }
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for edge in &graph.edges {
        if let (Some(&a), Some(&b)) = (index.get(edge.from.as_str()), index.get(edge.to.as_str())) {
            out_edges[a].push(b);
        }
    }
    // Breadth-first order and tree parents, every node reached (later roots in order).
    let mut order = Vec::with_capacity(n);
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut seen = vec![false; n];
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut queue = VecDeque::from([root]);
        while let Some(at) = queue.pop_front() {
            order.push(at);
            for &next in &out_edges[at] {
                if !seen[next] {
                    seen[next] = true;
                    parent[next] = Some(at);
                    queue.push_back(next);
                }
            }
        }
    }
    let mut rank = vec![0usize; n];
    for (r, &node) in order.iter().enumerate() {
        rank[node] = r;
    }
    // Hidden nodes per kept ancestor when the first `keep` nodes of the order are kept.
    let hidden_under = |keep: usize| -> Vec<(usize, Vec<usize>)> {
        let mut by: HashMap<usize, Vec<usize>> = HashMap::new();
        for &node in &order[keep..] {
            let mut up = parent[node];
            while let Some(p) = up {
                if rank[p] < keep {
                    break;
                }
                up = parent[p];
            }
            // A root that is not kept has no kept ancestor: it goes under the entry.
            by.entry(up.unwrap_or(order[0])).or_default().push(node);
        }
        let mut list: Vec<(usize, Vec<usize>)> = by.into_iter().collect();
        list.sort_by_key(|(p, _)| rank[*p]);
        list
    };
    let mut keep = max_nodes.max(2) - 1;
    let mut hidden = hidden_under(keep);
    while keep > 1 && keep + hidden.len() > max_nodes {
        keep -= 1;
        hidden = hidden_under(keep);
    }
    let kept = |i: usize| rank[i] < keep;
    let mut nodes: Vec<GraphNode> = (0..n)
        .filter(|&i| kept(i))
        .map(|i| graph.nodes[i].clone())
        .collect();
    let mut edges: Vec<GraphEdge> = graph
        .edges
        .iter()
        .filter(|e| {
            matches!(
                (index.get(e.from.as_str()), index.get(e.to.as_str())),
                (Some(&a), Some(&b)) if kept(a) && kept(b)
            )
        })
        .cloned()
        .collect();
    for (p, under) in hidden {
        let first = &graph.nodes[under[0]];
        let owner = &graph.nodes[p];
        let id = format!("more:{}", owner.id);
        let count = under.len();
        nodes.push(GraphNode {
            id: id.clone(),
            label: format!(
                "+{count} more step{} (from {})",
                if count == 1 { "" } else { "s" },
                first.label.lines().next().unwrap_or_default()
            ),
            kind: NodeKind::Collapsed,
            file: first.file.clone(),
            line: first.line,
        });
        edges.push(GraphEdge {
            from: owner.id.clone(),
            to: id,
            kind: EdgeKind::More,
            label: None,
            file: first.file.clone(),
            line: first.line,
        });
    }
    Graph { nodes, edges }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain_with_fans(fans: usize, per: usize) -> Graph {
        let mut nodes = vec![GraphNode {
            id: "root".into(),
            label: "ROOT".into(),
            kind: NodeKind::Program,
            file: Some("A.CBL".into()),
            line: Some(1),
        }];
        let mut edges = Vec::new();
        for f in 0..fans {
            let id = format!("f{f}");
            nodes.push(GraphNode {
                id: id.clone(),
                label: format!("F{f}"),
                kind: NodeKind::Paragraph,
                file: Some("A.CBL".into()),
                line: Some(10 + f as u32),
            });
            edges.push(GraphEdge {
                from: "root".into(),
                to: id.clone(),
                kind: EdgeKind::Perform,
                label: None,
                file: None,
                line: None,
            });
            for c in 0..per {
                let cid = format!("f{f}c{c}");
                nodes.push(GraphNode {
                    id: cid.clone(),
                    label: format!("F{f}C{c}"),
                    kind: NodeKind::Paragraph,
                    file: Some("A.CBL".into()),
                    line: Some(100 + c as u32),
                });
                edges.push(GraphEdge {
                    from: id.clone(),
                    to: cid,
                    kind: EdgeKind::Perform,
                    label: None,
                    file: None,
                    line: None,
                });
            }
        }
        Graph { nodes, edges }
    }

    #[test]
    fn small_graphs_are_unchanged() {
        let g = chain_with_fans(2, 2);
        assert_eq!(summarise(&g, 50), g);
    }

    #[test]
    fn deep_steps_fold_into_counted_nodes() {
        let g = chain_with_fans(5, 10); // 56 nodes
        let s = summarise(&g, 20);
        assert!(s.nodes.len() <= 20, "{}", s.nodes.len());
        assert_eq!(s.nodes[0].id, "root");
        // Every first-level step is kept.
        for f in 0..5 {
            assert!(s.nodes.iter().any(|n| n.id == format!("f{f}")));
        }
        // Kept plus hidden add up to the original.
        let hidden: usize = s
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Collapsed)
            .map(|n| {
                n.label
                    .trim_start_matches('+')
                    .split(' ')
                    .next()
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(0)
            })
            .sum();
        let kept = s
            .nodes
            .iter()
            .filter(|n| n.kind != NodeKind::Collapsed)
            .count();
        assert_eq!(kept + hidden, g.nodes.len());
        // Every edge joins nodes that exist.
        for e in &s.edges {
            assert!(s.nodes.iter().any(|n| n.id == e.from));
            assert!(s.nodes.iter().any(|n| n.id == e.to));
        }
    }
}
