//! A layered (Sugiyama-style) layout for flow and screen graphs, top to bottom
//! ([`layout`]), one function per phase:
//!
//! 1. [`Units::group_lists`]: leaf children of one parent, when there are many (a menu's
//!    options), become one *list* unit stacked under the parent, so a fan-out of thirty
//!    stays narrow;
//! 2. [`break_cycles`]: cycles are broken by reversing the back edges a depth-first walk
//!    from the entry finds (loops and GO TO back to the menu are drawn dashed, pointing
//!    up);
//! 3. [`assign_layers`]: layers by longest path; [`split_long_edges`]: long edges split
//!    by dummy points;
//! 4. [`order_layers`]: order within layers: depth-first discovery, then barycenter
//!    sweeps, keeping the order with the fewest crossings;
//! 5. [`place_x`]: x by least squares towards the neighbours' centres under the order
//!    and spacing constraints (pool-adjacent-violators), sweeping down and up.
//!
//! [`outline`] is the indented-tree layout for flows (rows, columns, arcs in lanes). Both
//! route their edges through [`route_edges`]: no route for an edge naming a missing node,
//! the same loop for an edge from a box to itself, and [`Route::spine`] for an edge down
//! a spine into a box (a list's, or an outline child's).
//!
//! Why our own rather than a crate: docs/decisions/0003-diagram-layout.md.

use std::collections::HashMap;

/// Horizontal gap between units of a layer.
const GAP: f64 = 24.0;
/// Horizontal gap next to a dummy point.
const DUMMY_GAP: f64 = 8.0;
/// Vertical gap between layers.
const LAYER_GAP: f64 = 46.0;
/// Margin around the drawing.
pub(crate) const MARGIN: f64 = 16.0;
/// A parent with at least this many leaf children shows them as a list.
const LIST_MIN: usize = 5;
/// Vertical gap between the boxes of a list.
const LIST_GAP: f64 = 8.0;
/// Barycenter sweeps.
const SWEEPS: usize = 8;
/// Positioning sweeps.
const PLACE_SWEEPS: usize = 8;

/// A box to place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Size {
    pub(crate) w: f64,
    pub(crate) h: f64,
}

/// A placed box: left, top, width, height.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
}

impl Rect {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A smooth curve through the points, downwards.
    Curve,
    /// A curve through the points against the layering (a loop back).
    Back,
    /// Straight segments (a list's spine and stub).
    Elbow,
    /// A loop from a box back to itself: one curve through four points.
    Loop,
}

/// An edge's route.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) shape: Shape,
    /// Where the label goes, and whether it is anchored at its start (else its middle).
    pub(crate) label_at: (f64, f64),
    pub(crate) label_start: bool,
}

/// The placed graph.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) nodes: Vec<Rect>,
    /// One per input edge; `None` for an edge naming a node that does not exist.
    pub(crate) edges: Vec<Option<Route>>,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

impl Layout {
    /// The layout of a graph without nodes: a margin, and no route for any edge.
    fn empty(edges: usize) -> Self {
        Layout {
            nodes: Vec::new(),
            edges: vec![None; edges],
            width: 2.0 * MARGIN,
            height: 2.0 * MARGIN,
        }
    }
}

impl Route {
    /// A loop from box `r` back to itself, on its right side.
    fn self_loop(r: Rect) -> Self {
        let (x, cy) = (r.x + r.w, r.y + r.h / 2.0);
        Route {
            points: vec![
                (x, cy - 6.0),
                (x + 18.0, cy - 10.0),
                (x + 18.0, cy + 10.0),
                (x, cy + 6.0),
            ],
            shape: Shape::Loop,
            label_at: (x + 22.0, cy),
            label_start: true,
        }
    }

    /// Straight segments down a spine at `spine` and right into a box whose middle is at
    /// `cy`; labelled beside the corner.
    fn spine(points: Vec<(f64, f64)>, spine: f64, cy: f64) -> Self {
        Route {
            points,
            shape: Shape::Elbow,
            label_at: (spine + 5.0, cy - 4.0),
            label_start: true,
        }
    }
}

/// The edge router both layouts share, in edge order: an edge naming a node that does
/// not exist gets no route, an edge from a box to itself a [`Route::self_loop`], and
/// every other edge the route `between(index, from, to)` gives it.
fn route_edges(
    edges: &[(usize, usize)],
    nodes: &[Rect],
    mut between: impl FnMut(usize, usize, usize) -> Option<Route>,
) -> Vec<Option<Route>> {
    let n = nodes.len();
    edges
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            if a >= n || b >= n {
                None
            } else if a == b {
                Some(Route::self_loop(nodes[a]))
            } else {
                between(i, a, b)
            }
        })
        .collect()
}

/// A unit of the layered graph: a node, a list of leaf nodes, or a dummy point.
#[derive(Debug, Clone)]
enum Unit {
    Node(usize),
    List(Vec<usize>),
    Dummy,
}

/// Lays out `sizes.len()` boxes joined by `edges` (indices into `sizes`); node 0 is the
/// entry and goes on top. The phases are the module's five, then the boxes and routes.
pub(crate) fn layout(sizes: &[Size], edges: &[(usize, usize)], label_w: &[f64]) -> Layout {
    if sizes.is_empty() {
        return Layout::empty(edges.len());
    }
    let mut units = Units::group_lists(sizes, edges, label_w);
    let uedges = units.edges(edges);
    let acyclic = break_cycles(units.all.len(), &uedges);
    let mut layer = assign_layers(&units, &acyclic.edges);
    let layered = split_long_edges(&mut units, &mut layer, &acyclic.edges);
    let layers = order_layers(&layered, &acyclic.preorder);
    let cx = place_x(&layers, &layered, &units);
    let placed = Placed::new(&units, &layered, &acyclic, &layers, cx);
    let nodes = placed.node_boxes(sizes, label_w);
    let chain_of: HashMap<(usize, usize), usize> =
        uedges.iter().enumerate().map(|(i, &e)| (e, i)).collect();
    let routes = route_edges(edges, &nodes, |_, a, b| {
        placed.route(&nodes, &chain_of, a, b)
    });
    Layout {
        nodes,
        edges: routes,
        width: placed.width(),
        height: placed.height,
    }
}

/// The units to lay out (phase 1): every node, except that the leaf children of a
/// parent with many of them (a menu's options) are one *list* unit stacked under it.
/// Phase 3 adds the dummy points.
#[derive(Debug)]
struct Units {
    /// The units; node 0's is unit 0.
    all: Vec<Unit>,
    /// Each unit's size.
    size: Vec<Size>,
    /// Each node's unit.
    of: Vec<usize>,
    /// Each list unit's parent node.
    list_parent: HashMap<usize, usize>,
}

impl Units {
    /// Phase 1: lists of leaf children.
    fn group_lists(sizes: &[Size], edges: &[(usize, usize)], label_w: &[f64]) -> Self {
        let n = sizes.len();
        let mut outs: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut ins: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(a, b) in edges.iter().filter(|&&(a, b)| a < n && b < n) {
            if a != b {
                if !outs[a].contains(&b) {
                    outs[a].push(b);
                }
                if !ins[b].contains(&a) {
                    ins[b].push(a);
                }
            }
        }
        let mut unit_of: Vec<usize> = vec![usize::MAX; n];
        let mut units: Vec<Unit> = Vec::new();
        let mut list_parent: HashMap<usize, usize> = HashMap::new();
        // Node 0 first, so it is unit 0.
        for v in 0..n {
            if unit_of[v] == usize::MAX {
                unit_of[v] = units.len();
                units.push(Unit::Node(v));
            }
            let leaves: Vec<usize> = outs[v]
                .iter()
                .copied()
                .filter(|&c| {
                    c != 0 && outs[c].is_empty() && ins[c].len() == 1 && unit_of[c] == usize::MAX
                })
                .collect();
            if leaves.len() >= LIST_MIN {
                let u = units.len();
                for &c in &leaves {
                    unit_of[c] = u;
                }
                list_parent.insert(u, v);
                units.push(Unit::List(leaves));
            }
        }
        let size: Vec<Size> = units
            .iter()
            .map(|u| match u {
                Unit::Node(v) => sizes[*v],
                Unit::List(leaves) => Size {
                    w: stub(leaves, label_w)
                        + leaves.iter().map(|&c| sizes[c].w).fold(0.0, f64::max),
                    h: leaves.iter().map(|&c| sizes[c].h + LIST_GAP).sum::<f64>() - LIST_GAP,
                },
                Unit::Dummy => Size { w: 0.0, h: 0.0 },
            })
            .collect();
        Self {
            all: units,
            size,
            of: unit_of,
            list_parent,
        }
    }

    /// The edges between units (deduplicated, no self loops), in input order.
    fn edges(&self, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let n = self.of.len();
        let mut uedges: Vec<(usize, usize)> = Vec::new();
        for &(a, b) in edges.iter().filter(|&&(a, b)| a < n && b < n) {
            let (ua, ub) = (self.of[a], self.of[b]);
            if ua != ub && !uedges.contains(&(ua, ub)) {
                uedges.push((ua, ub));
            }
        }
        uedges
    }
}

/// The room a list's edge labels need left of its boxes.
fn stub(leaves: &[usize], label_w: &[f64]) -> f64 {
    let widest = leaves
        .iter()
        .map(|&c| label_w.get(c).copied().unwrap_or(0.0))
        .fold(0.0, f64::max);
    widest.max(6.0) + 16.0
}

/// The unit edges made acyclic (phase 2).
#[derive(Debug)]
struct Acyclic {
    /// The unit edges, back edges reversed, in the same order.
    edges: Vec<(usize, usize)>,
    /// Which edges were reversed.
    reversed: Vec<bool>,
    /// The units in depth-first discovery order.
    preorder: Vec<usize>,
}

/// Phase 2: breaks cycles by reversing the back edges of a depth-first walk from unit 0
/// (then from the others).
fn break_cycles(m: usize, uedges: &[(usize, usize)]) -> Acyclic {
    let mut uouts: Vec<Vec<usize>> = vec![Vec::new(); m];
    for (i, &(a, _)) in uedges.iter().enumerate() {
        uouts[a].push(i);
    }
    let mut reversed = vec![false; uedges.len()];
    let mut state = vec![0u8; m]; // 0 new, 1 on stack, 2 done
    let mut preorder: Vec<usize> = Vec::with_capacity(m);
    for root in 0..m {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        preorder.push(root);
        while let Some(&mut (at, ref mut next)) = stack.last_mut() {
            if let Some(&ei) = uouts[at].get(*next) {
                *next += 1;
                let to = uedges[ei].1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        preorder.push(to);
                        stack.push((to, 0));
                    }
                    1 => reversed[ei] = true,
                    _ => {}
                }
            } else {
                state[at] = 2;
                stack.pop();
            }
        }
    }
    let edges = uedges
        .iter()
        .zip(&reversed)
        .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
        .collect();
    Acyclic {
        edges,
        reversed,
        preorder,
    }
}

/// Phase 3, layers: each unit's layer by longest path (Kahn order over the acyclic
/// edges); a list sits right under its parent.
fn assign_layers(units: &Units, dag: &[(usize, usize)]) -> Vec<usize> {
    let m = units.all.len();
    let mut indeg = vec![0usize; m];
    let mut douts: Vec<Vec<usize>> = vec![Vec::new(); m];
    for &(a, b) in dag {
        indeg[b] += 1;
        douts[a].push(b);
    }
    let mut layer = vec![0usize; m];
    let mut ready: Vec<usize> = (0..m).rev().filter(|&u| indeg[u] == 0).collect();
    while let Some(u) = ready.pop() {
        for &v in &douts[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                ready.push(v);
            }
        }
    }
    for (&u, &p) in &units.list_parent {
        layer[u] = layer[units.of[p]] + 1;
    }
    layer
}

/// The layered graph: every unit's layer and its neighbours one layer up and down.
#[derive(Debug)]
struct Layered {
    /// Each unit's layer.
    layer: Vec<usize>,
    /// How many layers.
    count: usize,
    /// Per acyclic edge, the units it passes, upper end first.
    chains: Vec<Vec<usize>>,
    /// Each unit's neighbours in the layer above.
    preds: Vec<Vec<usize>>,
    /// Each unit's neighbours in the layer below.
    succs: Vec<Vec<usize>>,
}

/// Phase 3, long edges: each acyclic edge becomes a chain of units one layer apart,
/// with a dummy point on every layer it crosses.
fn split_long_edges(units: &mut Units, layer: &mut Vec<usize>, dag: &[(usize, usize)]) -> Layered {
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    for &(a, b) in dag {
        let mut chain = vec![a];
        for l in layer[a] + 1..layer[b] {
            chain.push(units.all.len());
            units.all.push(Unit::Dummy);
            units.size.push(Size { w: 0.0, h: 0.0 });
            layer.push(l);
        }
        chain.push(b);
        chains.push(chain);
    }
    let total = units.all.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); total];
    for chain in &chains {
        for pair in chain.windows(2) {
            succs[pair[0]].push(pair[1]);
            preds[pair[1]].push(pair[0]);
        }
    }
    Layered {
        count: layer.iter().copied().max().unwrap_or(0) + 1,
        layer: std::mem::take(layer),
        chains,
        preds,
        succs,
    }
}

/// Phase 4: the units of each layer in order: depth-first discovery order, then
/// barycenter sweeps, keeping the order with the fewest crossings.
fn order_layers(layered: &Layered, preorder: &[usize]) -> Vec<Vec<usize>> {
    let mut layers = discovery_order(layered, preorder);
    let (preds, succs) = (&layered.preds, &layered.succs);
    let (total, layers_n) = (layered.layer.len(), layered.count);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, succs, total);
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let mut pos = positions(&layers, total);
        let range: Vec<usize> = if down {
            (1..layers_n).collect()
        } else {
            (0..layers_n.saturating_sub(1)).rev().collect()
        };
        for l in range {
            let near = if down { preds } else { succs };
            let mut keyed: Vec<(f64, usize)> = layers[l]
                .iter()
                .map(|&u| {
                    let ns = &near[u];
                    let key = if ns.is_empty() {
                        pos[u] as f64
                    } else {
                        ns.iter().map(|&v| pos[v] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (key, u)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[l] = keyed.into_iter().map(|(_, u)| u).collect();
            for (i, &u) in layers[l].iter().enumerate() {
                pos[u] = i;
            }
        }
        let c = crossings(&layers, succs, total);
        if c < best_crossings {
            best_crossings = c;
            best = layers.clone();
        }
    }
    best
}

/// Each layer's units in the order a depth-first walk from the discovery order of phase
/// 2 (then every other unit) first reaches them.
fn discovery_order(layered: &Layered, preorder: &[usize]) -> Vec<Vec<usize>> {
    let total = layered.layer.len();
    let mut rank = vec![usize::MAX; total];
    let mut counter = 0usize;
    let mut visit: Vec<usize> = Vec::new();
    for root in preorder.iter().copied().chain(0..total) {
        if rank[root] != usize::MAX {
            continue;
        }
        visit.push(root);
        while let Some(u) = visit.pop() {
            if rank[u] != usize::MAX {
                continue;
            }
            rank[u] = counter;
            counter += 1;
            for &v in layered.succs[u].iter().rev() {
                if rank[v] == usize::MAX {
                    visit.push(v);
                }
            }
        }
    }
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layered.count];
    for u in 0..total {
        layers[layered.layer[u]].push(u);
    }
    for l in &mut layers {
        l.sort_by_key(|&u| rank[u]);
    }
    layers
}

/// Phase 5: each unit's x centre, by least squares towards its neighbours' centres
/// under the order and spacing constraints, sweeping down and up.
fn place_x(layers: &[Vec<usize>], layered: &Layered, units: &Units) -> Vec<f64> {
    let mut cx = vec![0.0f64; layered.layer.len()];
    for l in layers {
        let mut x = 0.0;
        for (i, &u) in l.iter().enumerate() {
            if i > 0 {
                x += sep(&units.size, &units.all, l[i - 1], u);
            }
            cx[u] = x;
        }
    }
    for sweep in 0..PLACE_SWEEPS {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..layered.count).collect()
        } else {
            (0..layered.count.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let near = if down { &layered.preds } else { &layered.succs };
            place(&layers[l], near, &mut cx, &units.size, &units.all);
        }
    }
    cx
}

/// The units where the phases put them: x centres shifted so the leftmost box starts at
/// the margin, and each layer's top and height.
#[derive(Debug)]
struct Placed<'a> {
    units: &'a Units,
    layered: &'a Layered,
    acyclic: &'a Acyclic,
    cx: Vec<f64>,
    tops: Vec<f64>,
    layer_h: Vec<f64>,
    height: f64,
}

impl<'a> Placed<'a> {
    fn new(
        units: &'a Units,
        layered: &'a Layered,
        acyclic: &'a Acyclic,
        layers: &[Vec<usize>],
        mut cx: Vec<f64>,
    ) -> Self {
        let size = &units.size;
        let mut tops = vec![0.0f64; layered.count];
        let mut layer_h = Vec::with_capacity(layered.count);
        let mut y = MARGIN;
        for (l, members) in layers.iter().enumerate() {
            tops[l] = y;
            let h = members.iter().map(|&u| size[u].h).fold(0.0, f64::max);
            layer_h.push(h);
            y += h + LAYER_GAP;
        }
        let min_x = (0..cx.len())
            .map(|u| cx[u] - size[u].w / 2.0)
            .fold(f64::INFINITY, f64::min);
        let shift = MARGIN - if min_x.is_finite() { min_x } else { 0.0 };
        for x in &mut cx {
            *x += shift;
        }
        Placed {
            units,
            layered,
            acyclic,
            cx,
            tops,
            layer_h,
            height: y - LAYER_GAP + MARGIN,
        }
    }

    /// Unit `u`'s box.
    fn rect(&self, u: usize) -> Rect {
        let size = self.units.size[u];
        Rect {
            x: self.cx[u] - size.w / 2.0,
            y: self.tops[self.layered.layer[u]],
            w: size.w,
            h: size.h,
        }
    }

    /// The drawing's width: right of the rightmost unit, with room for labels.
    fn width(&self) -> f64 {
        (0..self.cx.len())
            .map(|u| self.cx[u] + self.units.size[u].w / 2.0)
            .fold(0.0, f64::max)
            + MARGIN
            + 40.0
    }

    /// Every node's box: a node's unit's, or its place in its list.
    fn node_boxes(&self, sizes: &[Size], label_w: &[f64]) -> Vec<Rect> {
        let mut nodes = vec![Rect::default(); sizes.len()];
        for (u, unit) in self.units.all.iter().enumerate() {
            match unit {
                Unit::Node(v) => nodes[*v] = self.rect(u),
                Unit::List(leaves) => {
                    let r = self.rect(u);
                    let s = stub(leaves, label_w);
                    let mut y = r.y;
                    for &c in leaves {
                        nodes[c] = Rect {
                            x: r.x + s,
                            y,
                            w: sizes[c].w,
                            h: sizes[c].h,
                        };
                        y += sizes[c].h + LIST_GAP;
                    }
                }
                Unit::Dummy => {}
            }
        }
        nodes
    }

    /// The route of an edge between two different nodes: down a list's spine into one of
    /// its boxes, else along its chain of units (`chain_of`: unit edge to chain).
    fn route(
        &self,
        nodes: &[Rect],
        chain_of: &HashMap<(usize, usize), usize>,
        a: usize,
        b: usize,
    ) -> Option<Route> {
        let (ra, rb) = (nodes[a], nodes[b]);
        let (ua, ub) = (self.units.of[a], self.units.of[b]);
        if ua == ub {
            // Two leaves of one list: cannot happen (leaves have no out edges).
            return None;
        }
        if let (Unit::List(_), Some(&p)) = (&self.units.all[ub], self.units.list_parent.get(&ub))
            && p == a
        {
            let list = self.rect(ub);
            let spine = list.x + 6.0;
            let mid = ra.bottom() + LAYER_GAP / 2.0;
            let cy = rb.y + rb.h / 2.0;
            return Some(Route::spine(
                vec![
                    (ra.cx(), ra.bottom()),
                    (ra.cx(), mid),
                    (spine, mid),
                    (spine, cy),
                    (rb.x, cy),
                ],
                spine,
                cy,
            ));
        }
        let &i = chain_of.get(&(ua, ub))?;
        let chain = &self.layered.chains[i];
        let back = self.acyclic.reversed[i];
        // In layering direction: from the upper box's bottom to the lower box's top.
        let (upper, lower) = if back { (rb, ra) } else { (ra, rb) };
        let nudge = if back {
            upper.w.min(lower.w) / 4.0
        } else {
            0.0
        };
        let mut points = vec![(upper.cx() + nudge, upper.bottom())];
        for &d in &chain[1..chain.len() - 1] {
            let l = self.layered.layer[d];
            points.push((self.cx[d], self.tops[l]));
            points.push((self.cx[d], self.tops[l] + self.layer_h[l]));
        }
        points.push((lower.cx() + nudge, lower.y));
        if back {
            points.reverse();
        }
        let last = points[points.len() - 1];
        let label_at = if back {
            let (x0, y0) = points[0];
            (x0 + 4.0, y0 - 6.0)
        } else {
            (last.0, last.1 - 6.0)
        };
        Some(Route {
            points,
            shape: if back { Shape::Back } else { Shape::Curve },
            label_at,
            label_start: back,
        })
    }
}

/// Indentation of a child row under its parent's spine.
const SPINE: f64 = 12.0;
/// Vertical gap between outline rows.
const ROW_GAP: f64 = 8.0;
/// Spacing between the lanes of arcs on the right.
const LANE: f64 = 9.0;

/// An outline (indented tree) layout for flows: one row per node; a node's hierarchical
/// children (`tree[e]` edges: PERFORM, CALL, option) below it, indented, joined to its
/// spine; nodes no tree edge reaches (a flow's main line) are rows under the entry in node
/// order, and a sequence edge between two of them runs down the entry's spine. Every other
/// edge (GO TO, loops back, a second way in) is an arc in a lane right of the rows it spans.
pub(crate) fn outline(
    sizes: &[Size],
    edges: &[(usize, usize)],
    tree: &[bool],
    label_w: &[f64],
) -> Layout {
    let n = sizes.len();
    if n == 0 {
        return Layout::empty(edges.len());
    }
    let tree_edges = TreeEdges::new(n, edges, tree);
    let rows = Rows::new(&tree_edges);
    let col = columns(&rows.depth, label_w);
    let mut nodes = vec![Rect::default(); n];
    let mut y = MARGIN;
    for &v in &rows.order {
        nodes[v] = Rect {
            x: col[rows.depth[v]],
            y,
            w: sizes[v].w,
            h: sizes[v].h,
        };
        y += sizes[v].h + ROW_GAP;
    }
    let height = y - ROW_GAP + MARGIN;
    let mut arcs = Arcs::new(
        rows.order
            .iter()
            .map(|&v| nodes[v].x + nodes[v].w)
            .collect(),
    );
    let routes = route_edges(edges, &nodes, |i, a, b| {
        outline_route(&nodes, &tree_edges, &rows, &mut arcs, i, a, b)
    });
    Layout {
        nodes,
        edges: routes,
        width: arcs.widest + MARGIN + 40.0,
        height,
    }
}

/// Which tree edge places each node: the first tree edge into it (none into the entry).
#[derive(Debug)]
struct TreeEdges {
    /// Each node's tree parent and the tree edge from it.
    parent: Vec<Option<(usize, usize)>>,
    /// Each node's tree children, in edge order.
    children: Vec<Vec<usize>>,
}

impl TreeEdges {
    fn new(n: usize, edges: &[(usize, usize)], tree: &[bool]) -> Self {
        let valid = |&(a, b): &(usize, usize)| a < n && b < n && a != b;
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; n];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, e) in edges.iter().enumerate() {
            if !valid(e) || !tree.get(i).copied().unwrap_or(false) || e.1 == 0 {
                continue;
            }
            if parent[e.1].is_none() {
                parent[e.1] = Some((e.0, i));
                children[e.0].push(e.1);
            }
        }
        Self { parent, children }
    }
}

/// The outline's rows: each node's depth and the node it hangs under, in row order.
#[derive(Debug)]
struct Rows {
    depth: Vec<usize>,
    /// The nodes, top row first.
    order: Vec<usize>,
    /// Each node's row.
    row_of: Vec<usize>,
    tree_parent: Vec<Option<usize>>,
}

impl Rows {
    /// The entry, then the entry's own tree children, then the nodes no tree edge
    /// reaches, in node order, each followed by its subtree. Cycles among tree edges
    /// would hide nodes: a node is placed when first reached from the entry; whatever
    /// stays unplaced hangs under the entry in node order.
    fn new(tree: &TreeEdges) -> Self {
        let n = tree.parent.len();
        let mut rows = Rows {
            depth: vec![usize::MAX; n],
            order: Vec::with_capacity(n),
            row_of: vec![0; n],
            tree_parent: vec![None; n],
        };
        let mut top: Vec<usize> = tree.children[0].clone();
        rows.depth[0] = 0;
        rows.order.push(0);
        for (v, p) in tree.parent.iter().enumerate().skip(1) {
            if p.is_none() && !top.contains(&v) {
                top.push(v);
            }
        }
        for &v in &top {
            rows.place(tree, v);
        }
        for v in 1..n {
            if rows.depth[v] == usize::MAX {
                rows.place(tree, v);
            }
        }
        for (r, &v) in rows.order.iter().enumerate() {
            rows.row_of[v] = r;
        }
        rows
    }

    /// Places `start` under the entry and its unplaced subtree under it, depth first.
    fn place(&mut self, tree: &TreeEdges, start: usize) {
        let mut stack = vec![(start, 1, 0)];
        while let Some((v, d, p)) = stack.pop() {
            if self.depth[v] != usize::MAX {
                continue;
            }
            self.depth[v] = d;
            self.tree_parent[v] = Some(p);
            self.order.push(v);
            for &c in tree.children[v].iter().rev() {
                if self.depth[c] == usize::MAX && tree.parent[c].map(|(q, _)| q) == Some(v) {
                    stack.push((c, d + 1, v));
                }
            }
        }
    }
}

/// Each depth's left edge: each depth indents past the widest edge label of its rows.
fn columns(depth: &[usize], label_w: &[f64]) -> Vec<f64> {
    let max_depth = depth.iter().copied().max().unwrap_or(0);
    let mut stub = vec![20.0f64; max_depth + 1];
    for (v, &d) in depth.iter().enumerate() {
        let w = label_w.get(v).copied().unwrap_or(0.0);
        if w > 0.0 {
            stub[d] = stub[d].max(w + 14.0);
        }
    }
    let mut col = vec![MARGIN; max_depth + 1];
    for d in 1..=max_depth {
        col[d] = col[d - 1] + SPINE + stub[d];
    }
    col
}

/// The route of outline edge `i` between two different nodes: down a spine into a
/// child (or the next sibling), else an arc.
fn outline_route(
    nodes: &[Rect],
    tree_edges: &TreeEdges,
    rows: &Rows,
    arcs: &mut Arcs,
    i: usize,
    a: usize,
    b: usize,
) -> Option<Route> {
    let (ra, rb) = (nodes[a], nodes[b]);
    let cy = |v: usize| nodes[v].y + nodes[v].h / 2.0;
    let spine_of = |v: usize| nodes[v].x + SPINE;
    let (depth, tree_parent, row_of) = (&rows.depth, &rows.tree_parent, &rows.row_of);
    // Whether this is the tree edge that placed `b` (only tree edges place a node).
    let is_tree = tree_edges.parent[b].map(|(_, e)| e) == Some(i);
    let placed_under = tree_parent[b] == Some(a) || (a == 0 && tree_parent[b] == Some(0));
    if is_tree || (placed_under && row_of[b] > row_of[a] && depth[b] == depth[a] + 1) {
        // Down the parent's spine, then right into the child.
        let s = spine_of(a);
        return Some(Route::spine(
            vec![(s, ra.y + ra.h), (s, cy(b)), (rb.x, cy(b))],
            s,
            cy(b),
        ));
    }
    if tree_parent[a].is_some()
        && tree_parent[a] == tree_parent[b]
        && row_of[b] > row_of[a]
        && depth[a] == depth[b]
    {
        // A sequence between siblings: down the shared parent's spine.
        let p = tree_parent[a]?;
        let s = spine_of(p);
        return Some(Route::spine(
            vec![(s, cy(a)), (s, cy(b)), (rb.x, cy(b))],
            s,
            cy(b),
        ));
    }
    Some(arcs.arc(ra, rb, row_of[a], row_of[b]))
}

/// Arcs right of the rows, in lanes assigned greedily by the rows they span.
#[derive(Debug)]
struct Arcs {
    /// Each row's right edge, in row order.
    rows_right: Vec<f64>,
    /// The row spans each lane holds.
    lanes: Vec<Vec<(usize, usize)>>,
    /// The rightmost x so far.
    widest: f64,
}

impl Arcs {
    fn new(rows_right: Vec<f64>) -> Self {
        let widest = rows_right.iter().copied().fold(0.0, f64::max);
        Self {
            rows_right,
            lanes: Vec::new(),
            widest,
        }
    }

    /// An arc from box `ra` (row `row_a`) to box `rb` (row `row_b`), right of every row
    /// it spans, in the first lane free over those rows.
    fn arc(&mut self, ra: Rect, rb: Rect, row_a: usize, row_b: usize) -> Route {
        let (lo, hi) = (row_a.min(row_b), row_a.max(row_b));
        let right = self.rows_right[lo..=hi].iter().copied().fold(0.0, f64::max);
        let lane = match self
            .lanes
            .iter()
            .position(|taken| taken.iter().all(|&(l, h)| hi < l || lo > h))
        {
            Some(k) => k,
            None => {
                self.lanes.push(Vec::new());
                self.lanes.len() - 1
            }
        };
        self.lanes[lane].push((lo, hi));
        let x = right + 14.0 + LANE * lane as f64;
        self.widest = self.widest.max(x);
        let (ya, yb) = (ra.y + ra.h / 2.0, rb.y + rb.h / 2.0);
        Route {
            points: vec![(ra.x + ra.w, ya), (x, ya), (x, yb), (rb.x + rb.w, yb)],
            shape: Shape::Elbow,
            label_at: (x + 3.0, (ya + yb) / 2.0),
            label_start: true,
        }
    }
}

/// Centre-to-centre distance two neighbours of a layer need.
fn sep(size: &[Size], units: &[Unit], a: usize, b: usize) -> f64 {
    let gap = if matches!(units[a], Unit::Dummy) || matches!(units[b], Unit::Dummy) {
        DUMMY_GAP
    } else {
        GAP
    };
    (size[a].w + size[b].w) / 2.0 + gap
}

fn positions(layers: &[Vec<usize>], total: usize) -> Vec<usize> {
    let mut pos = vec![0usize; total];
    for l in layers {
        for (i, &u) in l.iter().enumerate() {
            pos[u] = i;
        }
    }
    pos
}

/// Edge crossings between consecutive layers.
fn crossings(layers: &[Vec<usize>], succs: &[Vec<usize>], total: usize) -> usize {
    let pos = positions(layers, total);
    let mut count = 0;
    for l in layers {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for &u in l {
            for &v in &succs[u] {
                pairs.push((pos[u], pos[v]));
            }
        }
        for i in 0..pairs.len() {
            for j in i + 1..pairs.len() {
                let (a, b) = (pairs[i], pairs[j]);
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    count += 1;
                }
            }
        }
    }
    count
}

/// Moves the units of one layer as near the mean of their neighbours' centres as the
/// order and spacing allow (least squares, by pool-adjacent-violators).
fn place(members: &[usize], near: &[Vec<usize>], cx: &mut [f64], size: &[Size], units: &[Unit]) {
    if members.is_empty() {
        return;
    }
    // Offsets: the least distance of each unit from the first.
    let mut offset = vec![0.0f64; members.len()];
    for i in 1..members.len() {
        offset[i] = offset[i - 1] + sep(size, units, members[i - 1], members[i]);
    }
    // Targets in offset-free coordinates; weights favour units with neighbours.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new(); // (weighted sum, weight, count)
    for (i, &u) in members.iter().enumerate() {
        let ns = &near[u];
        let (target, weight) = if ns.is_empty() {
            (cx[u], 0.1)
        } else {
            (
                ns.iter().map(|&v| cx[v]).sum::<f64>() / ns.len() as f64,
                1.0,
            )
        };
        blocks.push(((target - offset[i]) * weight, weight, 1));
        while blocks.len() > 1 {
            let k = blocks.len();
            let (s1, w1, _) = blocks[k - 2];
            let (s2, w2, _) = blocks[k - 1];
            if s1 / w1 > s2 / w2 {
                let (_, _, c2) = blocks[k - 1];
                blocks.pop();
                let last = &mut blocks[k - 2];
                last.0 += s2;
                last.1 += w2;
                last.2 += c2;
            } else {
                break;
            }
        }
    }
    let mut i = 0;
    for (s, w, c) in blocks {
        let y = s / w;
        for _ in 0..c {
            cx[members[i]] = y + offset[i];
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(n: usize) -> Vec<Size> {
        vec![Size { w: 100.0, h: 30.0 }; n]
    }

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    fn no_overlap(l: &Layout) {
        for i in 0..l.nodes.len() {
            for j in i + 1..l.nodes.len() {
                assert!(
                    !overlaps(&l.nodes[i], &l.nodes[j]),
                    "{i} {j}: {:?} {:?}",
                    l.nodes[i],
                    l.nodes[j]
                );
            }
        }
    }

    #[test]
    fn a_chain_goes_down() {
        let l = layout(&boxes(3), &[(0, 1), (1, 2)], &[0.0; 3]);
        assert!(l.nodes[0].y < l.nodes[1].y && l.nodes[1].y < l.nodes[2].y);
        no_overlap(&l);
        assert!(l.edges.iter().all(Option::is_some));
    }

    #[test]
    fn a_wide_fan_out_becomes_a_list() {
        let edges: Vec<(usize, usize)> = (1..30).map(|c| (0, c)).collect();
        let l = layout(&boxes(30), &edges, &[14.0; 30]);
        no_overlap(&l);
        // Narrow: one column of boxes, not thirty side by side.
        assert!(l.width < 400.0, "{}", l.width);
        assert!(l.edges.iter().flatten().all(|r| r.shape == Shape::Elbow));
    }

    #[test]
    fn loops_are_cut_and_drawn_back() {
        // 0 -> 1 -> 2 -> 1 (loop), 2 -> 0 (back to the entry), self loop on 2, a dangling edge.
        let edges = [(0, 1), (1, 2), (2, 1), (2, 0), (2, 2), (0, 9)];
        let l = layout(&boxes(3), &edges, &[0.0; 3]);
        no_overlap(&l);
        let shapes: Vec<Option<Shape>> = l
            .edges
            .iter()
            .map(|r| r.as_ref().map(|r| r.shape))
            .collect();
        assert_eq!(
            shapes,
            vec![
                Some(Shape::Curve),
                Some(Shape::Curve),
                Some(Shape::Back),
                Some(Shape::Back),
                Some(Shape::Loop),
                None
            ]
        );
    }

    #[test]
    fn long_edges_pass_beside_boxes() {
        // 0 -> 1 -> 2 -> 3 and 0 -> 3: the long edge bends through dummies.
        let l = layout(&boxes(4), &[(0, 1), (1, 2), (2, 3), (0, 3)], &[0.0; 4]);
        no_overlap(&l);
        let long = l.edges[3].as_ref().map(|r| r.points.len()).unwrap_or(0);
        assert_eq!(long, 2 + 2 * 2);
    }

    #[test]
    fn an_outline_puts_every_node_on_its_own_row() {
        // 0 entry; 1, 2 main line (no tree edge in); 3 performed by 1; 4 by 3; GO TO 2 -> 1.
        let edges = [(0, 1), (1, 3), (3, 4), (1, 2), (2, 1), (9, 0)];
        let tree = [false, true, true, false, false, true];
        let l = outline(&boxes(5), &edges, &tree, &[0.0; 5]);
        no_overlap(&l);
        let rows: Vec<f64> = l.nodes.iter().map(|r| r.y).collect();
        // Order: entry, 1, its subtree (3, 4), then 2.
        assert!(rows[0] < rows[1] && rows[1] < rows[3] && rows[3] < rows[4] && rows[4] < rows[2]);
        // Indentation follows depth.
        assert!(l.nodes[3].x > l.nodes[1].x && l.nodes[4].x > l.nodes[3].x);
        assert_eq!(l.nodes[1].x, l.nodes[2].x);
        assert!(l.edges[5].is_none());
        // The loop back is an arc right of the rows.
        let back = l.edges[4].as_ref().map(|r| r.points[1].0).unwrap_or(0.0);
        assert!(back > l.nodes[4].x + l.nodes[4].w);
    }

    /// Every coordinate `layout` and `outline` produce for 600 generated inputs, exactly
    /// (`{:?}` of an f64 tells every bit that matters apart), against
    /// `tests/it/golden/layout.txt`; `OTIS_DIAGRAM_BLESS=1` rewrites it. The SVG rounds
    /// to tenths, so this is what proves a refactoring left the layout itself alone.
    #[test]
    fn golden_layouts_are_unchanged() {
        let mut state = 0u64;
        let mut next = |below: usize| -> usize {
            // SplitMix64.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % below.max(1) as u64) as usize
        };
        let mut lines = String::new();
        for case in 0..600 {
            let n = next(if case % 4 == 0 { 70 } else { 20 });
            let sizes: Vec<Size> = (0..n)
                .map(|_| Size {
                    w: 40.0 + next(200) as f64 * 0.75,
                    h: 20.0 + next(4) as f64 * 14.5,
                })
                .collect();
            let mut edges = Vec::new();
            for v in 1..n {
                let parent = if next(3) == 0 {
                    next(n.min(4))
                } else {
                    next(v)
                };
                edges.push((parent, v));
            }
            for _ in 0..next(n / 2 + 3) {
                // Sometimes past the last node: an edge naming a missing node.
                edges.push((next(n + 1), next(n + 1)));
            }
            let tree: Vec<bool> = edges.iter().map(|_| next(3) != 0).collect();
            let label_w: Vec<f64> = (0..n)
                .map(|_| {
                    if next(2) == 0 {
                        0.0
                    } else {
                        next(120) as f64 * 0.5
                    }
                })
                .collect();
            let layered = format!("{:?}", layout(&sizes, &edges, &label_w));
            let outlined = format!("{:?}", outline(&sizes, &edges, &tree, &label_w));
            let fnv = |text: &str| {
                text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                })
            };
            lines.push_str(&format!(
                "{case} {n} {} {:016x} {:016x}\n",
                edges.len(),
                fnv(&layered),
                fnv(&outlined)
            ));
        }
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/golden/layout.txt");
        if std::env::var_os("OTIS_DIAGRAM_BLESS").is_some() {
            std::fs::write(&path, &lines).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap();
        for (want, got) in want.lines().zip(lines.lines()) {
            assert_eq!(want, got, "case, nodes, edges, layout hash, outline hash");
        }
        assert_eq!(want.lines().count(), lines.lines().count());
    }

    #[test]
    fn disconnected_nodes_still_get_a_place() {
        let l = layout(&boxes(4), &[(0, 1)], &[0.0; 4]);
        no_overlap(&l);
        assert!(l.nodes.iter().all(|r| r.w > 0.0));
    }
}
