//! A graph as a standalone SVG document: boxes coloured by kind, edges styled by kind
//! (perform solid, go to and loops dashed, calls bold), labels wrapped and escaped, and
//! each box carrying its evidence (`data-file`, `data-line` and a tooltip) so a client can
//! open the code behind it.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use otis_core::ports::{EdgeKind, Graph, NodeKind};

use crate::layout::{self, Route, Shape, Size};
use crate::mermaid::class;
use crate::text::{self, LINE_H, width, wrap, xml};

/// Padding inside a box.
const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 7.0;
/// Least box width.
const MIN_W: f64 = 64.0;
/// Most characters of an edge label drawn.
const EDGE_LABEL: usize = 24;
/// Height of the legend row.
const LEGEND_H: f64 = 28.0;

const STYLE: &str = "\
.n rect{stroke-width:1.2}\
.prog rect{fill:#dbe8fb;stroke:#2f5f9e;stroke-width:2}\
.proc rect{fill:#ffffff;stroke:#555555}\
.call rect{fill:#e1f3e1;stroke:#2e7d32}\
.ext rect{fill:#f2f2f2;stroke:#888888;stroke-dasharray:4 3}\
.menu rect{fill:#fff1d6;stroke:#b26a00;stroke-width:2}\
.more rect{fill:#fafafa;stroke:#999999;stroke-dasharray:2 2}\
.n text{fill:#1a1a1a}\
.e{fill:none;stroke:#555555;stroke-width:1.2}\
.e.goto,.e.back,.e.transfer{stroke-dasharray:5 4}\
.e.back{stroke:#9a6a00}\
.e.call{stroke:#2e7d32;stroke-width:2}\
.e.next{stroke:#2f5f9e}\
.el{fill:#333333;font-size:11px}\
.legend{fill:#555555;font-size:11px}";

/// The graph as an SVG document (UTF-8, no external references).
pub fn svg(graph: &Graph) -> String {
    let n = graph.nodes.len();
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    let lines: Vec<Vec<String>> = graph.nodes.iter().map(|node| wrap(&node.label)).collect();
    let sizes: Vec<Size> = lines
        .iter()
        .map(|ls| {
            let chars = ls.iter().map(|l| l.chars().count()).max().unwrap_or(0);
            Size {
                w: (width(chars) + 2.0 * PAD_X).max(MIN_W),
                h: ls.len() as f64 * LINE_H + 2.0 * PAD_Y,
            }
        })
        .collect();
    let edge_labels: Vec<Option<String>> = graph
        .edges
        .iter()
        .map(|e| {
            e.label
                .as_deref()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
                    if l.chars().count() > EDGE_LABEL {
                        format!("{}…", l.chars().take(EDGE_LABEL - 1).collect::<String>())
                    } else {
                        l
                    }
                })
        })
        .collect();
    let pairs: Vec<(usize, usize)> = graph
        .edges
        .iter()
        .map(|e| {
            (
                index.get(e.from.as_str()).copied().unwrap_or(usize::MAX),
                index.get(e.to.as_str()).copied().unwrap_or(usize::MAX),
            )
        })
        .collect();
    let mut label_w = vec![0.0f64; n];
    for (&(_, to), label) in pairs.iter().zip(&edge_labels) {
        if let (Some(label), Some(w)) = (label, label_w.get_mut(to)) {
            *w = w.max(width(label.chars().count()) * 11.0 / 12.0);
        }
    }
    let placed = pick_layout(graph, &sizes, &pairs, &label_w);
    let legend_kinds: BTreeSet<&'static str> = graph.nodes.iter().map(|n| class(n.kind)).collect();
    let w = placed.width.max(360.0).ceil();
    let h = (placed.height + LEGEND_H).ceil();

    let mut out = String::with_capacity(512 + n * 400);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"12\">"
    );
    if let Some(first) = graph.nodes.first() {
        let _ = write!(
            out,
            "<title>{}</title>",
            xml(&first.label.replace('\n', " "))
        );
    }
    let _ = write!(
        out,
        "<defs><style>{STYLE}</style>\
         <marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#555555\"/></marker>\
         </defs><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );

    out.push_str("<g class=\"edges\">");
    for (i, edge) in graph.edges.iter().enumerate() {
        let Some(route) = placed.edges.get(i).and_then(Option::as_ref) else {
            continue;
        };
        let kind =
            if matches!(route.shape, Shape::Back | Shape::Loop) && edge.kind != EdgeKind::Call {
                "back".to_owned()
            } else {
                css_word(edge.kind.label())
            };
        let _ = write!(
            out,
            "<path class=\"e {kind}\" d=\"{}\" marker-end=\"url(#arrow)\">",
            path(route)
        );
        let mut tip = edge.kind.label().to_owned();
        if let Some(label) = &edge.label {
            let _ = write!(tip, ": {label}");
        }
        if let (Some(file), Some(line)) = (&edge.file, edge.line) {
            let _ = write!(tip, " ({file}:{line})");
        }
        let _ = write!(out, "<title>{}</title></path>", xml(&tip));
    }
    for (i, label) in edge_labels.iter().enumerate() {
        let (Some(label), Some(Some(route))) = (label, placed.edges.get(i)) else {
            continue;
        };
        let (x, y) = route.label_at;
        let anchor = if route.label_start { "start" } else { "middle" };
        let lw = width(label.chars().count()) * 11.0 / 12.0;
        let bx = if route.label_start {
            x - 1.0
        } else {
            x - lw / 2.0 - 1.0
        };
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"13\" fill=\"#ffffff\" opacity=\"0.85\"/>\
             <text class=\"el\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
            bx,
            y - 10.0,
            lw + 2.0,
            xml(label)
        );
    }
    out.push_str("</g><g class=\"nodes\">");
    for (i, node) in graph.nodes.iter().enumerate() {
        let r = placed.nodes[i];
        let class = class(node.kind);
        let _ = write!(
            out,
            "<g class=\"n {class}\" data-id=\"{}\" data-kind=\"{}\"",
            xml(&node.id),
            xml(node.kind.label())
        );
        if let Some(file) = &node.file {
            let _ = write!(out, " data-file=\"{}\"", xml(file));
        }
        if let Some(line) = node.line {
            let _ = write!(out, " data-line=\"{line}\"");
        }
        let mut tip = node.label.replace('\n', " — ");
        if let Some(file) = &node.file {
            let _ = write!(tip, " ({file}");
            if let Some(line) = node.line {
                let _ = write!(tip, ":{line}");
            }
            tip.push(')');
        }
        let radius = if matches!(
            node.kind,
            NodeKind::Call | NodeKind::Screen | NodeKind::Exit
        ) {
            10
        } else {
            3
        };
        let _ = write!(
            out,
            "><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{radius}\"/>",
            xml(&tip),
            r.x,
            r.y,
            r.w,
            r.h
        );
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">",
            r.x + PAD_X,
            r.y + PAD_Y + LINE_H - 3.5
        );
        for (k, line) in lines[i].iter().enumerate() {
            let dy = if k == 0 { 0.0 } else { LINE_H };
            let weight = if k == 0 { " font-weight=\"bold\"" } else { "" };
            let _ = write!(
                out,
                "<tspan x=\"{:.1}\" dy=\"{dy}\"{weight}>{}</tspan>",
                r.x + PAD_X,
                xml(line)
            );
        }
        out.push_str("</text></g>");
    }
    out.push_str("</g>");
    // Legend: the kinds of box present, and the edge styles.
    let y = placed.height + LEGEND_H / 2.0;
    let mut x = layout::MARGIN;
    let _ = write!(out, "<g class=\"legend\">");
    for kind in &legend_kinds {
        let name = match *kind {
            "prog" => "program",
            "menu" => "menu",
            "call" => "called program",
            "ext" => "outside the corpus / exit",
            "more" => "hidden steps",
            _ => "section / paragraph",
        };
        let _ = write!(
            out,
            "<g class=\"n {kind}\"><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"10\"/></g><text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\">{name}</text>",
            y - 8.0,
            x + 18.0,
            y + 1.0
        );
        x += 18.0 + text::width(name.len()) * 11.0 / 12.0 + 16.0;
    }
    let _ = write!(
        out,
        "<text class=\"legend\" x=\"{x:.1}\" y=\"{:.1}\">solid: PERFORM / option · bold: CALL · dashed: GO TO, loop back</text></g>",
        y + 1.0
    );
    out.push_str("</svg>\n");
    out
}

/// Widest layered drawing kept; wider graphs are drawn as an outline.
const MAX_LAYERED_W: f64 = 2000.0;

/// Edge kinds that nest a step under its parent in an outline.
fn nests(kind: EdgeKind) -> bool {
    matches!(
        kind,
        EdgeKind::Perform | EdgeKind::Call | EdgeKind::Option | EdgeKind::Transfer | EdgeKind::More
    )
}

/// A flow (it has sequence, PERFORM or GO TO edges) is drawn as an outline, whose main
/// line reads top to bottom; a tree of screens in layers, unless that is too wide.
fn pick_layout(
    graph: &Graph,
    sizes: &[Size],
    pairs: &[(usize, usize)],
    label_w: &[f64],
) -> layout::Layout {
    let tree: Vec<bool> = graph.edges.iter().map(|e| nests(e.kind)).collect();
    let flow = graph
        .edges
        .iter()
        .any(|e| matches!(e.kind, EdgeKind::Next | EdgeKind::Perform | EdgeKind::Goto));
    if !flow {
        let layered = layout::layout(sizes, pairs, label_w);
        if layered.width <= MAX_LAYERED_W {
            return layered;
        }
    }
    layout::outline(sizes, pairs, &tree, label_w)
}

/// A kind as a CSS class word.
fn css_word(kind: &str) -> String {
    let word: String = kind
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if word.is_empty() { "edge".into() } else { word }
}

/// The SVG path data of a route.
fn path(route: &Route) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = route.points.first() else {
        return d;
    };
    let _ = write!(d, "M{x0:.1},{y0:.1}");
    match route.shape {
        Shape::Elbow => {
            for &(x, y) in &route.points[1..] {
                let _ = write!(d, "L{x:.1},{y:.1}");
            }
        }
        Shape::Loop => {
            if let [_, a, b, c] = route.points[..] {
                let _ = write!(
                    d,
                    "C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                    a.0, a.1, b.0, b.1, c.0, c.1
                );
            }
        }
        Shape::Curve | Shape::Back => {
            let mut prev = (x0, y0);
            for &(x, y) in &route.points[1..] {
                if (x - prev.0).abs() < 0.5 {
                    let _ = write!(d, "L{x:.1},{y:.1}");
                } else {
                    let ym = (prev.1 + y) / 2.0;
                    let _ = write!(d, "C{:.1},{ym:.1} {x:.1},{ym:.1} {x:.1},{y:.1}", prev.0);
                }
                prev = (x, y);
            }
        }
    }
    d
}
