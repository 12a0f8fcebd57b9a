//! What the procedure scanner finds ([`ProcFacts`]): sections and paragraphs, edges,
//! literal calls, raw references, statement tallies, file operations, and the flow list
//! ([`FlowOp`]) that `calls` walks for dynamic calls. Kept apart from the scanner so the
//! walk reads the scanner's output without importing the scanner.

use crate::facts::{Access, Call, Edge, Procedure};
use crate::statements::FileOp;
use crate::tally::Tally;

/// What a flow step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Flow {
    /// `MOVE "literal" TO a b ...`
    MoveLit { lit: String, to: Vec<String> },
    /// `CALL identifier`
    CallVar { var: String },
    /// `PERFORM target [THRU thru]`
    Perform {
        target: String,
        thru: Option<String>,
    },
    /// `GO TO a b c [DEPENDING ON v]`
    GoTo {
        targets: Vec<String>,
        depending: bool,
    },
    /// `EXIT PROGRAM`, `GOBACK`, `STOP RUN`.
    Stop,
}

/// One flow step with where it stands.
#[derive(Debug, Clone)]
pub(crate) struct FlowOp {
    pub(crate) flow: Flow,
    pub(crate) line: u32,
    /// Inside an IF / WHEN / AT END / ... branch.
    pub(crate) cond: bool,
    /// The innermost branch it stands in (0 outside any).
    pub(crate) block: u32,
    /// Sentence counter (periods and procedure headers).
    pub(crate) sentence: u32,
    /// Index of the procedure it stands in.
    pub(crate) proc_idx: Option<usize>,
}

/// What the scanner found.
#[derive(Debug, Default)]
pub(crate) struct ProcFacts {
    pub(crate) procedures: Vec<Procedure>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) refs: Vec<RawRef>,
    /// Static and runtime calls (literal targets).
    pub(crate) calls: Vec<Call>,
    pub(crate) ops: Vec<FlowOp>,
    /// For each procedure, the index of its first flow step.
    pub(crate) proc_op_start: Vec<usize>,
    /// Statements seen (used to tell a procedure copybook from a data one).
    pub(crate) statements: usize,
    /// Statements by kind, decision points and IF nesting.
    pub(crate) tally: Tally,
    /// File operations, in source order.
    pub(crate) file_ops: Vec<FileOp>,
}

/// A reference as the scanner finds it; `read` interns the names.
#[derive(Debug, Clone)]
pub(crate) struct RawRef {
    pub(crate) name: String,
    pub(crate) verb: &'static str,
    pub(crate) access: Access,
    pub(crate) line: u32,
}
