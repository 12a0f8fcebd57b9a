//! Facts about procedure statements: how many of each kind a file has
//! ([`StatementUse`]), its decision points and IF nesting ([`Complexity`]), and its file
//! operations ([`FileOp`]). The kinds are one table, so the enum, its words and its list
//! cannot drift apart.

use serde::{Deserialize, Serialize};

/// Defines [`StatementKind`] from one table: variant, COBOL words, whether it is compound.
macro_rules! statement_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $words:literal, $compound:literal; )*) => {
        /// A kind of procedure statement.
        ///
        /// Plain kinds are one per verb: every statement counts under exactly one of them
        /// (an `EXEC` under [`ExecSql`](Self::ExecSql), [`ExecCics`](Self::ExecCics) or
        /// [`ExecOther`](Self::ExecOther); `NEXT SENTENCE` under
        /// [`NextSentence`](Self::NextSentence)). Compound kinds
        /// ([`is_compound`](Self::is_compound)) count a statement a second time, for a
        /// form of its verb: `GO TO A B DEPENDING ON X` counts as [`GoTo`](Self::GoTo) and
        /// [`GoToDepending`](Self::GoToDepending).
        #[non_exhaustive]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum StatementKind {
            $( $(#[$doc])* $variant, )*
        }

        impl StatementKind {
            /// Every kind, in order.
            pub const ALL: &'static [StatementKind] = &[ $( Self::$variant, )* ];

            /// The COBOL words: `MOVE`, `GO TO`, `EXEC SQL`, `MOVE CORRESPONDING`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $words, )*
                }
            }

            /// Whether this kind counts statements already counted under their verb
            /// (`GO TO DEPENDING`, `PERFORM THRU`, `STOP RUN`, ...).
            pub fn is_compound(self) -> bool {
                match self {
                    $( Self::$variant => $compound, )*
                }
            }
        }
    };
}

statement_kinds! {
    /// `ACCEPT`
    Accept = "ACCEPT", false;
    /// `ADD`
    Add = "ADD", false;
    /// `ALTER`
    Alter = "ALTER", false;
    /// `CALL`
    Call = "CALL", false;
    /// `CALL identifier`: the program is named by a data item, not a literal.
    CallVariable = "CALL identifier", true;
    /// `CANCEL`
    Cancel = "CANCEL", false;
    /// `CHAIN`
    Chain = "CHAIN", false;
    /// `CLOSE`
    Close = "CLOSE", false;
    /// `COMMIT`
    Commit = "COMMIT", false;
    /// `COMPUTE`
    Compute = "COMPUTE", false;
    /// `CONTINUE`
    Continue = "CONTINUE", false;
    /// `DELETE`
    Delete = "DELETE", false;
    /// `DESTROY`
    Destroy = "DESTROY", false;
    /// `DISPLAY`
    Display = "DISPLAY", false;
    /// `DIVIDE`
    Divide = "DIVIDE", false;
    /// `ENTRY`
    Entry = "ENTRY", false;
    /// `EVALUATE`
    Evaluate = "EVALUATE", false;
    /// `EXEC` of anything but SQL or CICS.
    ExecOther = "EXEC", false;
    /// `EXEC CICS ... END-EXEC`
    ExecCics = "EXEC CICS", false;
    /// `EXEC SQL ... END-EXEC`
    ExecSql = "EXEC SQL", false;
    /// `EXIT` (`EXIT.`, `EXIT PARAGRAPH`, `EXIT PERFORM`, `EXIT PROGRAM`, ...).
    Exit = "EXIT", false;
    /// `EXIT PROGRAM`
    ExitProgram = "EXIT PROGRAM", true;
    /// `GENERATE`
    Generate = "GENERATE", false;
    /// `GO TO` (also written `GO`).
    GoTo = "GO TO", false;
    /// `GO TO A B C DEPENDING ON X`
    GoToDepending = "GO TO DEPENDING", true;
    /// `GOBACK`
    Goback = "GOBACK", false;
    /// `IF`
    If = "IF", false;
    /// `INITIALIZE`
    Initialize = "INITIALIZE", false;
    /// `INITIATE`
    Initiate = "INITIATE", false;
    /// `INQUIRE`
    Inquire = "INQUIRE", false;
    /// `INSPECT`
    Inspect = "INSPECT", false;
    /// `MERGE`
    Merge = "MERGE", false;
    /// `MODIFY`
    Modify = "MODIFY", false;
    /// `MOVE`
    Move = "MOVE", false;
    /// `MOVE CORRESPONDING` / `MOVE CORR`
    MoveCorresponding = "MOVE CORRESPONDING", true;
    /// `MULTIPLY`
    Multiply = "MULTIPLY", false;
    /// `NEXT SENTENCE`
    NextSentence = "NEXT SENTENCE", false;
    /// `OPEN`
    Open = "OPEN", false;
    /// `PERFORM`
    Perform = "PERFORM", false;
    /// `PERFORM A THRU B`
    PerformThru = "PERFORM THRU", true;
    /// A PERFORM that loops, inline or out of line: `UNTIL`, `VARYING` or `TIMES`.
    PerformUntil = "PERFORM UNTIL", true;
    /// `READ`
    Read = "READ", false;
    /// `RELEASE`
    Release = "RELEASE", false;
    /// `RETURN`
    Return = "RETURN", false;
    /// `REWRITE`
    Rewrite = "REWRITE", false;
    /// `ROLLBACK`
    Rollback = "ROLLBACK", false;
    /// `SEARCH`
    Search = "SEARCH", false;
    /// `SET`
    Set = "SET", false;
    /// `SORT`
    Sort = "SORT", false;
    /// `START`
    Start = "START", false;
    /// `STOP` (`STOP RUN`, `STOP literal`).
    Stop = "STOP", false;
    /// `STOP RUN`
    StopRun = "STOP RUN", true;
    /// `STRING`
    String = "STRING", false;
    /// `SUBTRACT`
    Subtract = "SUBTRACT", false;
    /// `SUPPRESS`
    Suppress = "SUPPRESS", false;
    /// `TERMINATE`
    Terminate = "TERMINATE", false;
    /// `UNLOCK`
    Unlock = "UNLOCK", false;
    /// `UNSTRING`
    Unstring = "UNSTRING", false;
    /// `USE` (declaratives).
    Use = "USE", false;
    /// `WAIT`
    Wait = "WAIT", false;
    /// `WRITE`
    Write = "WRITE", false;
}

impl StatementKind {
    /// The plain kind a statement verb (upper case, as the reader's verb table spells it)
    /// starts: `GO` is [`GoTo`](Self::GoTo), `EXEC` [`ExecOther`](Self::ExecOther) until
    /// its next word says SQL or CICS.
    pub(crate) fn of_verb(verb: &str) -> Option<Self> {
        match verb {
            "GO" => Some(Self::GoTo),
            "EXEC" => Some(Self::ExecOther),
            _ => Self::ALL
                .iter()
                .copied()
                .find(|k| !k.is_compound() && k.as_str() == verb),
        }
    }
}

impl std::fmt::Display for StatementKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many statements of one kind a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementUse {
    /// The kind.
    pub kind: StatementKind,
    /// Statements of that kind in the file's procedure code (at least 1).
    pub count: u32,
    /// Line of the first of them.
    pub first_line: u32,
}

/// Decision points and IF nesting of a file's procedure code (after PROCEDURE
/// DIVISION, or the whole of a procedure copybook; never comments or literals).
///
/// `decisions` counts McCabe decision points: each `IF`; each `WHEN` of an `EVALUATE` or
/// `SEARCH` except `WHEN OTHER`; each `UNTIL` of a `PERFORM` (one per loop, inline or out
/// of line: `PERFORM ... UNTIL`, and `PERFORM ... VARYING ... UNTIL` with one more for
/// each `AFTER ... UNTIL`; a `PERFORM ... n TIMES` decides nothing); each conditional
/// phrase (`AT END`, `NOT AT END`, `INVALID KEY`, `NOT INVALID KEY`, `ON SIZE ERROR`,
/// `NOT ON SIZE ERROR`, `ON OVERFLOW`, `NOT ON OVERFLOW`, `ON EXCEPTION`, `NOT ON
/// EXCEPTION`, `AT END-OF-PAGE` / `AT EOP`, `NOT AT END-OF-PAGE`); each target of a
/// `GO TO ... DEPENDING ON` beyond the first (targets - 1); and each `AND` / `OR` in the
/// condition of an `IF`, a `WHEN` or a `PERFORM ... UNTIL`. A program's cyclomatic
/// complexity is `decisions + 1`.
///
/// `max_if_depth` is the deepest nesting of `IF`: 1 for an `IF` with no `IF` inside, 0
/// with no `IF`. An `IF` is nested in another when it stands in that `IF`'s scope or its
/// `ELSE`'s, which `END-IF` or the sentence's period closes (an `ELSE` also closes the
/// inner `IF`s of the part it ends; the end of the `EVALUATE` / `WHEN` / inline `PERFORM`
/// / conditional phrase an `IF` stands in closes it too). `IF`s inside an `EVALUATE`
/// inside an `IF` nest: the count is of `IF`s only. An `ELSE IF` ladder nests too: each
/// `IF` stands in the `ELSE` of the one before, so a ladder of 30 tests is 30 deep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Complexity {
    /// McCabe decision points (see the type's documentation).
    pub decisions: u32,
    /// The deepest IF nesting (see the type's documentation).
    pub max_if_depth: u32,
}

/// How `OPEN` opens a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenMode {
    /// `OPEN INPUT`
    Input,
    /// `OPEN OUTPUT`
    Output,
    /// `OPEN I-O`
    InputOutput,
    /// `OPEN EXTEND`
    Extend,
}

impl OpenMode {
    /// The COBOL word: `INPUT`, `OUTPUT`, `I-O`, `EXTEND`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Input => "INPUT",
            Self::Output => "OUTPUT",
            Self::InputOutput => "I-O",
            Self::Extend => "EXTEND",
        }
    }
}

/// What a statement does to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOpKind {
    /// `OPEN INPUT` / `OUTPUT` / `I-O` / `EXTEND`.
    Open(OpenMode),
    /// `CLOSE`
    Close,
    /// `READ`, or a `USING` file of a SORT / MERGE.
    Read,
    /// `WRITE` (of a record), or a `GIVING` file of a SORT / MERGE.
    Write,
    /// `REWRITE` (of a record).
    Rewrite,
    /// `DELETE`
    Delete,
    /// `START`
    Start,
    /// `SORT` (of its SD file).
    Sort,
    /// `MERGE` (of its SD file).
    Merge,
    /// `RELEASE` (of a sort record).
    Release,
    /// `RETURN` (from a sort file).
    Return,
}

impl FileOpKind {
    /// Every kind, in order.
    pub const ALL: &'static [FileOpKind] = &[
        Self::Open(OpenMode::Input),
        Self::Open(OpenMode::Output),
        Self::Open(OpenMode::InputOutput),
        Self::Open(OpenMode::Extend),
        Self::Close,
        Self::Read,
        Self::Write,
        Self::Rewrite,
        Self::Delete,
        Self::Start,
        Self::Sort,
        Self::Merge,
        Self::Release,
        Self::Return,
    ];

    /// The COBOL words: `OPEN INPUT`, `OPEN I-O`, `READ`, `WRITE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open(OpenMode::Input) => "OPEN INPUT",
            Self::Open(OpenMode::Output) => "OPEN OUTPUT",
            Self::Open(OpenMode::InputOutput) => "OPEN I-O",
            Self::Open(OpenMode::Extend) => "OPEN EXTEND",
            Self::Close => "CLOSE",
            Self::Read => "READ",
            Self::Write => "WRITE",
            Self::Rewrite => "REWRITE",
            Self::Delete => "DELETE",
            Self::Start => "START",
            Self::Sort => "SORT",
            Self::Merge => "MERGE",
            Self::Release => "RELEASE",
            Self::Return => "RETURN",
        }
    }
}

impl std::fmt::Display for FileOpKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOp {
    /// What the statement does.
    pub op: FileOpKind,
    /// The name as written, upper case, qualifiers dropped: the file for OPEN, CLOSE,
    /// READ, DELETE, START, RETURN, SORT and MERGE (and a SORT / MERGE's USING and GIVING
    /// files); the record for WRITE, REWRITE and RELEASE.
    pub target: String,
    /// Line of the target's name (the statement's line when it is on one line).
    pub line: u32,
    /// The procedure (paragraph, else section) the statement stands in, when known.
    pub from: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_ordered_named_once_and_serialised_in_snake_case() {
        let all = StatementKind::ALL;
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        let mut words: Vec<&str> = all.iter().map(|k| k.as_str()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), all.len());
        for (kind, json) in [
            (StatementKind::GoTo, "\"go_to\""),
            (StatementKind::ExecSql, "\"exec_sql\""),
            (StatementKind::CallVariable, "\"call_variable\""),
            (StatementKind::Goback, "\"goback\""),
        ] {
            assert_eq!(serde_json::to_string(&kind).ok().as_deref(), Some(json));
        }
        let op = FileOpKind::Open(OpenMode::InputOutput);
        assert_eq!(
            serde_json::to_string(&op).ok().as_deref(),
            Some("{\"open\":\"input_output\"}")
        );
        assert_eq!(op.as_str(), "OPEN I-O");
        assert_eq!(
            serde_json::to_string(&FileOpKind::Rewrite).ok().as_deref(),
            Some("\"rewrite\"")
        );
    }
}
