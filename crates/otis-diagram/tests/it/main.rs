//! Drawing a fixture graph shaped like a menu program's flow: the SVG is well-formed XML
//! that holds every node's label and evidence, and the Mermaid block names every node;
//! and the golden drawings (`golden.rs`), byte for byte.
#![allow(clippy::unwrap_used)]

mod golden;

use otis_core::ports::{EdgeKind, Graph, GraphEdge, GraphNode, NodeKind};
use otis_diagram::{MAX_NODES, draw, mermaid, summarise, svg};

fn node(id: &str, label: &str, kind: &str, line: u32) -> GraphNode {
    GraphNode {
        id: id.into(),
        label: label.into(),
        kind: NodeKind::from_label(kind).unwrap(),
        file: Some("LN/LNMENU.CBL".into()),
        line: Some(line),
    }
}

fn edge(from: &str, to: &str, kind: &str, label: Option<&str>) -> GraphEdge {
    GraphEdge {
        from: from.into(),
        to: to.into(),
        kind: EdgeKind::from_label(kind).unwrap(),
        label: label.map(Into::into),
        file: Some("LN/LNMENU.CBL".into()),
        line: Some(40),
    }
}

/// A menu: entry, a main line with performs, a GO TO DEPENDING on twelve options whose
/// labels need escaping, a loop back, and a collapsed subtree.
fn menu() -> Graph {
    let mut nodes = vec![
        node("prog", "LNMENU\nLOAN MENU", "menu", 1),
        node("p:START", "DISPLAY-MENU", "paragraph", 20),
        node("p:RESET", "FORM-RESET", "section", 90),
        node("p:GET", "GET-MENU-SELECTION", "paragraph", 30),
        node(
            "x:TRACE",
            "TRACE-START (outside the corpus)",
            "external",
            21,
        ),
        node("more", "+14 more steps (from CALL-WRFORM)", "collapsed", 95),
        node("p:EXIT", "EXIT-PROG", "paragraph", 70),
    ];
    let mut edges = vec![
        edge("prog", "x:TRACE", "perform", None),
        edge("prog", "p:START", "next", None),
        edge("p:START", "p:RESET", "perform", None),
        edge("p:RESET", "more", "more", None),
        edge("p:START", "p:GET", "next", None),
        edge("p:GET", "p:EXIT", "goto", Some("F1")),
        edge("p:GET", "p:GET", "goto", Some("not ENTER")),
        edge("p:EXIT", "p:START", "goto", None),
    ];
    let labels = [
        "DAILY <PROCESSING>",
        "LOAN \"INQUIRY\"",
        "PAYMENTS & FEES",
        "SET SKIP TRW 'Y'",
        "MONTH END [EOM]",
        "REPORTS {ALL}",
        "BRANCH #1 FIX",
        "X | Y",
        "A`B",
        "CREATE BW GLOBAL INDEX (BRANCH) FOR EVERY BRANCH IN THE FILE",
        "NINE",
        "TEN",
    ];
    for (i, label) in labels.iter().enumerate() {
        let id = format!("c:{i}");
        nodes.push(GraphNode {
            id: id.clone(),
            label: format!("PROG{i:02}\n{label}"),
            kind: NodeKind::from_label("call").unwrap(),
            file: Some(format!("LN/PROG{i:02}.CBL")),
            line: Some(1),
        });
        let option = format!("{}", i + 1);
        edges.push(edge("p:GET", &id, "call", Some(&option)));
    }
    Graph { nodes, edges }
}

/// With `OTIS_DIAGRAM_DUMP=DIR`, the drawings are also written there to look at.
fn dump(name: &str, svg: &str) {
    if let Some(dir) = std::env::var_os("OTIS_DIAGRAM_DUMP") {
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), svg);
    }
}

fn texts(doc: &roxmltree::Document<'_>) -> String {
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_svg_is_well_formed_and_holds_every_label() {
    let graph = menu();
    let svg = svg(&graph);
    dump("menu.svg", &svg);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let all = texts(&doc);
    // Every node's label, line by line (a long one is wrapped at spaces, not lost).
    for node in &graph.nodes {
        for line in node.label.lines() {
            for word in line.split_whitespace() {
                assert!(all.contains(word), "{word} of {:?} missing", node.label);
            }
        }
    }
    // Every box carries its evidence.
    let boxes: Vec<roxmltree::Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("data-id").is_some())
        .collect();
    assert_eq!(boxes.len(), graph.nodes.len());
    for b in &boxes {
        assert!(b.attribute("data-file").is_some() && b.attribute("data-line").is_some());
    }
    // Every edge is drawn.
    let paths = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("path") && n.attribute("class").is_some_and(|c| c.starts_with("e "))
        })
        .count();
    assert_eq!(paths, graph.edges.len());
}

#[test]
fn the_mermaid_block_names_every_node_and_escapes_labels() {
    let text = mermaid(&menu());
    assert!(text.starts_with("flowchart TD\n"));
    for (i, _) in menu().nodes.iter().enumerate() {
        assert!(text.contains(&format!("    n{i}")), "n{i}");
    }
    assert!(text.contains("DAILY #lt;PROCESSING#gt;"));
    assert!(text.contains("LOAN #quot;INQUIRY#quot;"));
    assert!(text.contains("X #124; Y"));
    // No raw quote inside a label: every label line has exactly its two delimiting quotes
    // per quoted part.
    for line in text.lines().filter(|l| l.contains("[\"")) {
        assert_eq!(line.matches('"').count(), 2, "{line}");
    }
}

/// A program performing 40 sections of 6 paragraphs each: past the node budget.
fn large() -> Graph {
    let mut graph = Graph {
        nodes: vec![node("root", "BIGPROG", "program", 1)],
        edges: Vec::new(),
    };
    for i in 0..40 {
        let step = format!("s{i}");
        graph
            .nodes
            .push(node(&step, &format!("STEP-{i}"), "section", 10 + i));
        graph.edges.push(edge("root", &step, "perform", None));
        for j in 0..6 {
            let sub = format!("s{i}-{j}");
            graph
                .nodes
                .push(node(&sub, &format!("SUB-{i}-{j}"), "paragraph", 500 + j));
            graph.edges.push(edge(&step, &sub, "perform", None));
        }
    }
    graph
}

#[test]
fn large_graphs_are_summarised_before_drawing() {
    let graph = large();
    let drawn = draw(&graph);
    dump("large.svg", &drawn.svg);
    let doc = roxmltree::Document::parse(&drawn.svg).expect("well-formed XML");
    let boxes = doc
        .descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("data-id").is_some())
        .count();
    assert!(boxes <= MAX_NODES, "{boxes}");
    assert!(texts(&doc).contains("more step"));
    let small = summarise(&graph, MAX_NODES);
    assert_eq!(boxes, small.nodes.len());
    assert!(drawn.mermaid.contains("more step"));
}

#[test]
fn an_empty_graph_is_still_a_document() {
    let svg = svg(&Graph::default());
    roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(
        mermaid(&Graph::default()).lines().next(),
        Some("flowchart TD")
    );
}
