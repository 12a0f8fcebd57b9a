//! `otis ask --diagram FILE.svg`: writes the SVG the server drew for a flow or screen-tree
//! answer.

use std::path::Path;

use anyhow::{Context, anyhow};
use otis_core::AskResponse;

/// Writes the answer's SVG to `path`; an answer without a diagram is an error (the answer
/// itself has been printed already).
pub(crate) fn write(path: &Path, response: &AskResponse) -> anyhow::Result<()> {
    let diagram = response.diagram.as_ref().ok_or_else(|| {
        anyhow!(
            "this answer has no diagram: --diagram draws flows and screen trees \
             (\"Show me a flow of PROGRAM\", \"Show me the screens from the main menu down\")"
        )
    })?;
    std::fs::write(path, &diagram.svg)
        .with_context(|| format!("writing the diagram to {}", path.display()))?;
    eprintln!("Diagram written to {}", path.display());
    Ok(())
}
