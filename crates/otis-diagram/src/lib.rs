//! Flow and screen graphs drawn by the server, without a browser, network or external
//! binary: [`mermaid`] writes a Mermaid `flowchart TD` block, [`svg`] lays the same graph
//! out in layers (our own Sugiyama-style layout, see docs/decisions/0003-diagram-layout.md)
//! and writes a standalone SVG document. [`summarise`] folds what lies past a node budget
//! into one node per kept parent saying how many steps it hides, so a picture stays
//! readable. Label text is escaped for each output (XML entities, Mermaid entity codes).
//!
//! Pure: graph in, text out.

mod layout;
mod mermaid;
mod summary;
mod svg;
mod text;

pub use otis_core::ports::{Diagram, Graph, GraphEdge, GraphNode};

pub use mermaid::mermaid;
pub use summary::summarise;
pub use svg::svg;

/// Most nodes a drawing shows; larger graphs are summarised first.
pub const MAX_NODES: usize = 90;

/// The graph drawn both ways, summarised to at most [`MAX_NODES`] nodes.
pub fn draw(graph: &Graph) -> Diagram {
    let small;
    let graph = if graph.nodes.len() > MAX_NODES {
        small = summarise(graph, MAX_NODES);
        &small
    } else {
        graph
    };
    Diagram {
        mermaid: mermaid(graph),
        svg: svg(graph),
    }
}
