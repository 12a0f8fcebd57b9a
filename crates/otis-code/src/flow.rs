//! Flows and screen trees: the steps a program performs, and the menus and screens
//! reached from a start program, as graphs with evidence.

use otis_core::ports::{CodeFacts, CodeQuestion, SymbolKind};

use crate::LineSource;
use crate::link::Linked;

/// The flow of `subject` (a program, or a section / paragraph): not built yet.
pub(crate) fn program(
    _link: &Linked,
    _lines: &dyn LineSource,
    _question: &CodeQuestion,
    _subject: &str,
    _kind: SymbolKind,
) -> Option<CodeFacts> {
    None
}

/// The menu and screen tree from the question's start program: not built yet.
pub(crate) fn screens(
    _link: &Linked,
    _lines: &dyn LineSource,
    _question: &CodeQuestion,
) -> Option<CodeFacts> {
    None
}
