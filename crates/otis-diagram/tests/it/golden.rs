//! Golden drawings: the SVG and Mermaid of every fixture graph, byte for byte, so a
//! change to the layout's code that should not change a drawing can be proven not to.
//!
//! - `golden/*.graph.json`: the sample corpus's flows and screen tree as otis-code draws
//!   them (`otis ask --json "Show me the flow of LPMENU"`, `facts.graph`); their
//!   drawings are `golden/<name>.svg` and `.mmd`.
//! - the graphs of this binary's other tests (`menu`, the large summarised graph, the
//!   empty graph), drawn the same way.
//! - `golden/generated.txt`: a hash of the drawings of 400 generated graphs (flows and
//!   screen trees, lists, loops, self loops, dangling edges, graphs past the node budget
//!   and too wide for layers), one line each.
//!
//! `OTIS_DIAGRAM_BLESS=1 cargo test -p otis-diagram --test it golden` rewrites the files
//! from the current code; only do that for a change meant to change drawings.

use std::fmt::Write as _;
use std::path::PathBuf;

use otis_core::ports::{EdgeKind, Graph, GraphEdge, GraphNode, NodeKind};
use otis_diagram::{Diagram, draw};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/golden")
}

fn blessing() -> bool {
    std::env::var_os("OTIS_DIAGRAM_BLESS").is_some()
}

/// Compares `got` with the golden file `name` (or writes it when blessing).
fn check(name: &str, got: &str) -> Result<(), String> {
    let path = golden_dir().join(name);
    if blessing() {
        return std::fs::write(&path, got).map_err(|e| format!("{}: {e}", path.display()));
    }
    let want = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (OTIS_DIAGRAM_BLESS=1 records it)", path.display()))?;
    if want == got {
        return Ok(());
    }
    let at = want
        .bytes()
        .zip(got.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    let around = |s: &str| {
        let start = s.floor_char_boundary(at.saturating_sub(60));
        let end = s.ceil_char_boundary((at + 60).min(s.len()));
        s[start..end].to_owned()
    };
    Err(format!(
        "{name} differs at byte {at}:\n  want ...{}...\n  got  ...{}...",
        around(&want),
        around(got)
    ))
}

fn check_drawing(name: &str, drawn: &Diagram) -> Vec<String> {
    [
        check(&format!("{name}.svg"), &drawn.svg),
        check(&format!("{name}.mmd"), &drawn.mermaid),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

#[test]
fn golden_fixture_drawings_are_unchanged() {
    let mut failures = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(golden_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".graph.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "{names:?}");
    for name in &names {
        let text =
            std::fs::read_to_string(golden_dir().join(format!("{name}.graph.json"))).unwrap();
        let graph: Graph = serde_json::from_str(&text).unwrap();
        failures.extend(check_drawing(name, &draw(&graph)));
    }
    for (name, graph) in [
        ("test-menu", crate::menu()),
        ("test-large", crate::large()),
        ("test-empty", Graph::default()),
    ] {
        failures.extend(check_drawing(name, &draw(&graph)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_generated_drawings_are_unchanged() {
    let mut lines = String::new();
    for seed in 0..400u64 {
        let graph = generated(seed);
        let drawn = draw(&graph);
        let _ = writeln!(
            lines,
            "{seed} {} {} {:016x} {:016x}",
            graph.nodes.len(),
            graph.edges.len(),
            fnv(&drawn.svg),
            fnv(&drawn.mermaid)
        );
    }
    if let Err(e) = check("generated.txt", &lines) {
        panic!("{e}");
    }
}

/// FNV-1a, 64 bits.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// Graph number `seed`: a tree (each node under an earlier one, some parents with many
/// leaves) plus extra edges (back, forward, self, dangling, repeated). Even seeds use
/// screen-tree edge kinds (drawn in layers), odd seeds flow kinds (drawn as an outline);
/// every 25th graph is past the node budget, so it is summarised first.
fn generated(seed: u64) -> Graph {
    let mut rng = Rng(seed);
    let n = if seed % 25 == 24 {
        95 + rng.below(40)
    } else {
        1 + rng.below(if seed.is_multiple_of(3) { 60 } else { 24 })
    };
    let node_kinds = [
        "program",
        "menu",
        "section",
        "paragraph",
        "call",
        "external",
        "transfer",
        "collapsed",
        "screen",
    ];
    let (tree_kinds, extra_kinds): (&[&str], &[&str]) = if seed.is_multiple_of(2) {
        (&["option", "call", "transfer"], &["option", "call", "back"])
    } else {
        (
            &["perform", "call", "next", "more"],
            &["goto", "next", "perform", "transfer"],
        )
    };
    let words = [
        "DAILY",
        "LOAN",
        "PAYMENTS",
        "<FEES>",
        "\"Q\"",
        "A&B",
        "X|Y",
        "MONTH-END",
        "REPORTS",
        "BRANCH",
        "INDEX",
    ];
    let nodes: Vec<GraphNode> = (0..n)
        .map(|i| {
            let mut label = format!("N{i}");
            for _ in 0..rng.below(4) {
                label.push(if rng.below(4) == 0 { '\n' } else { ' ' });
                label.push_str(rng.pick(&words));
            }
            GraphNode {
                id: format!("n{i}"),
                label,
                kind: NodeKind::from_label(rng.pick(&node_kinds)).unwrap(),
                file: (rng.below(5) != 0).then(|| format!("LP/P{}.CBL", i % 7)),
                line: (rng.below(5) != 0).then(|| 1 + rng.below(900) as u32),
            }
        })
        .collect();
    let mut edges = Vec::new();
    let mut edge = |rng: &mut Rng, from: String, to: String, kind: &str| {
        let label = match rng.below(4) {
            0 => Some(format!("{}", 1 + rng.below(12))),
            1 => Some(rng.pick(&words).to_owned()),
            _ => None,
        };
        edges.push(GraphEdge {
            from,
            to,
            kind: EdgeKind::from_label(kind).unwrap(),
            label,
            file: Some("LP/P.CBL".into()),
            line: Some(1 + rng.below(500) as u32),
        });
    };
    // A few busy parents, so some fan out wide enough to become lists.
    let busy: Vec<usize> = (0..3).map(|_| rng.below(n.min(6))).collect();
    for v in 1..n {
        let parent = if rng.below(3) == 0 {
            busy[rng.below(busy.len())]
        } else {
            rng.below(v)
        };
        let kind = rng.pick(tree_kinds);
        edge(&mut rng, format!("n{parent}"), format!("n{v}"), kind);
    }
    for _ in 0..rng.below(n / 2 + 2) {
        let (a, b) = (rng.below(n), rng.below(n));
        let to = match rng.below(12) {
            0 => String::from("nowhere"),
            _ => format!("n{b}"),
        };
        let kind = rng.pick(extra_kinds);
        edge(&mut rng, format!("n{a}"), to, kind);
    }
    Graph { nodes, edges }
}
