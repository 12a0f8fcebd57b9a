//! The typed contract every answer travels through: what the code model says (notes,
//! item groups, graph node and edge kinds) as enums, written as the labels the JSON
//! record has always carried, so a typo fails to compile instead of dropping a sentence.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::labels::labelled;

labelled! {
    /// What a note of [`super::CodeFacts`] states.
    Note {
        /// The subject the question names is not in the corpus.
        NotFound => "not found",
        /// How many programs (the corpus's, or those found).
        Programs => "programs",
        /// How many copybooks.
        Copybooks => "copybooks",
        /// The header's `DIR:`.
        Directory => "directory",
        /// The header's `DATE-WRITTEN`.
        DateWritten => "date written",
        /// The header's last revision line.
        LatestRevision => "latest revision",
        /// How many revision lines.
        Revisions => "revisions",
        /// How many programs it calls.
        ProgramsCalled => "programs called",
        /// How many programs call it.
        CalledBy => "called by",
        /// How many programs copy it.
        ProgramsThatCopyIt => "programs that copy it",
        /// How many sections it has.
        Sections => "sections",
        /// The first procedure it runs.
        StartsAt => "starts at",
        /// Copybooks it gets through other copybooks.
        CopiedThroughOtherCopybooks => "copied through other copybooks",
        /// Copybooks it copies that are not in the indexed code (their declarations
        /// are unknown): `N (A, B, ...)`.
        CopybooksNotIndexed => "copybooks not indexed",
        /// Runtime routines it calls.
        RuntimeRoutines => "runtime routines",
        /// Programs it hands control back to.
        HandsControlBackTo => "hands control back to",
        /// Programs that hand control to it.
        ProgramsThatHandControlToIt => "programs that hand control to it",
        /// Copybooks that also copy it.
        AlsoCopiedByTheCopybooks => "also copied by the copybooks",
        /// Programs that get it through those copybooks.
        ProgramsThatGetItThroughThoseCopybooks => "programs that get it through those copybooks",
        /// Where its source is, when not in the corpus.
        Source => "source",
        /// How many programs use it.
        ProgramsThatUseIt => "programs that use it",
        /// Where it is defined.
        DefinedIn => "defined in",
        /// How many statements perform it.
        StatementsThatPerformIt => "statements that perform it",
        /// Copybooks whose statements perform it.
        CopybooksThatPerformIt => "copybooks that perform it",
        /// How many programs include its definition.
        ProgramsThatIncludeTheDefinition => "programs that include the definition",
        /// How many references name it.
        References => "references",
        /// Which statements the answer keeps (changes only, reads only).
        Only => "only",
        /// How many statements change it.
        StatementsThatChangeIt => "statements that change it",
        /// How many statements read or test it.
        StatementsThatReadOrTestIt => "statements that read or test it",
        /// How many files.
        Files => "files",
        /// The corpus's copybook libraries with their sizes.
        CopybookLibraries => "copybook libraries",
        /// How deep a flow or tree was expanded.
        Depth => "depth",
        /// The screen form behind a menu or screen.
        Form => "form",
        /// Where a flow or tree starts.
        Start => "start",
        /// How many screens a tree shows.
        Screens => "screens",
        /// Hand-offs back to a menu above.
        ReturnsToAMenuAbove => "returns to a menu above",
        /// Other menus no program calls, with the programs each reaches.
        OtherTopMenus => "other top menus (programs reached)",
        /// How many menu options a flow's menu runs.
        MenuOptions => "menu options",
        /// How many units a flow's main line has.
        MainLine => "main line",
        /// How many steps a flow shows.
        Steps => "steps",
        /// How many things a corpus answer found (the exact count).
        Count => "count",
        /// How many things match the filters before the limit ("the 5 largest of 12").
        Matching => "matching",
        /// What was asked, in plain words ("programs in FX that use GO TO").
        Query => "query",
        /// The count as a sentence ("4 programs use EXEC SQL").
        Summary => "summary",
        /// What a ranking is ordered by.
        OrderedBy => "ordered by",
        /// The main menu (entry point) a corpus answer refers to.
        MainMenu => "main menu",
        /// How deep an impact analysis went.
        Levels => "levels",
        /// Filters of the question that do not apply to what it lists.
        NotApplied => "filters that do not apply",
        /// How many chains have the longest length.
        Ties => "chains of that length",
        /// Whether a search was complete ("yes", or why not).
        Complete => "complete",
        /// Files a program declares that it has no operation on.
        DeclaredOnly => "declared, no operation found",
        /// A member that also carries this PROGRAM-ID (a copy).
        AlsoProgramId => "also carries the PROGRAM-ID",
        /// Other files of the same copybook member (copies kept in other folders).
        AlsoIn => "also in",
        /// The record (level-01 group) a data item sits in.
        Record => "record",
        /// What that record describes: a file (its FD) or the copybook's header.
        Describes => "describes",
        /// The statements that name a data item, by verb, with counts.
        Verbs => "statements by verb",
        /// The same with their lines, one verb a line (`MOVE (reads) 2: FX/A.CBL lines
        /// 12, 40`), when they are few.
        VerbSites => "statements by verb, with lines",
        /// What a section or paragraph does: its own comment, or its callees'.
        Comment => "comment",
        /// A procedure's lines.
        Lines => "lines",
    }
}

labelled! {
    /// A fixed group of [`super::FactItem`]s (a value-named group, such as a library or a
    /// directory, is [`ItemGroup::Named`]).
    FixedGroup {
        /// Purpose answers: a program it calls.
        Calls => "calls",
        /// Purpose answers: a program that calls it.
        CalledBy => "called by",
        /// Dependency answers: a copybook.
        Copybooks => "copybooks",
        /// Dependency answers: a program called.
        ProgramsCalled => "programs called",
        /// Dependency answers: a file it declares, with what it does to it.
        Files => "files",
        /// Overview answers: a directory of programs.
        Programs => "programs",
        /// Flows: where the flow starts.
        Entry => "entry",
        /// Flows: a unit of the main line.
        MainLine => "main line",
        /// Flows: a unit reached by GO TO.
        GoTo => "go to",
        /// Flows and trees: a menu option's program.
        MenuOptions => "menu options",
        /// Flows: a program handed on to without a CALL.
        Transfers => "transfers",
        /// Flows: a procedure defined outside the corpus.
        OutsideTheCorpus => "outside the corpus",
        /// Flows: a section of a copybook the program copies.
        CopybookSection => "copybook section",
        /// Flows: a procedure performed.
        Performed => "performed",
        /// Screen trees: where the tree starts.
        Start => "start",
        /// Screen trees: programs run after a screen returns, or handed on to.
        ReturnsAndHandOffs => "returns and hand-offs",
        /// Screen trees: other screens a screen runs.
        OtherScreens => "other screens",
        /// What a procedure does: the SECTION itself.
        ProcedureSection => "section",
        /// What a procedure does: the paragraph itself.
        ProcedureParagraph => "paragraph",
        /// What a procedure does: a procedure it PERFORMs.
        Performs => "performs",
        /// What a procedure does: a procedure it goes to (GO TO).
        GoesTo => "goes to",
        /// What a procedure does: a data item it changes.
        Changes => "changes",
        /// What a procedure does: a data item it reads or tests.
        Reads => "reads",
        /// An answer that finds nothing of a name: a real name close to it.
        Near => "near",
    }
}

/// The group a [`super::FactItem`] is shown under: a fixed one, or one named by a value of
/// the corpus (a library, a directory, a verb, how a call is made).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemGroup {
    /// A group every answer of its kind has.
    Fixed(FixedGroup),
    /// A group named by the corpus.
    Named(String),
}

impl ItemGroup {
    /// A group named by a value of the corpus.
    pub fn named(name: impl Into<String>) -> Self {
        Self::Named(name.into())
    }

    /// A group from its text: the fixed group of that label, else a named one (as a
    /// stored record reads).
    pub fn of(text: impl Into<String>) -> Self {
        let text = text.into();
        FixedGroup::from_label(&text).map_or(Self::Named(text), Self::Fixed)
    }

    /// Its text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Fixed(g) => g.label(),
            Self::Named(name) => name,
        }
    }

    /// Whether it is the fixed group `g`.
    pub fn is(&self, g: FixedGroup) -> bool {
        *self == Self::Fixed(g)
    }
}

impl From<FixedGroup> for ItemGroup {
    fn from(g: FixedGroup) -> Self {
        Self::Fixed(g)
    }
}

impl fmt::Display for ItemGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ItemGroup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ItemGroup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::of(String::deserialize(d)?))
    }
}

labelled! {
    /// What a node of a flow or screen graph is.
    NodeKind {
        /// A program (the flow's home, or a program a step runs).
        Program => "program",
        /// A SECTION.
        Section => "section",
        /// A paragraph.
        Paragraph => "paragraph",
        /// A program called with CALL.
        Call => "call",
        /// A menu program.
        Menu => "menu",
        /// A screen (a program with a screen form).
        Screen => "screen",
        /// The end of a run: STOP RUN, GOBACK, EXIT PROGRAM.
        Exit => "exit",
        /// Steps folded into one node.
        Collapsed => "collapsed",
        /// A procedure or program outside the corpus.
        External => "external",
        /// A program control is handed to without a CALL.
        Transfer => "transfer",
    }
}

labelled! {
    /// How control moves along an edge of a flow or screen graph.
    EdgeKind {
        /// PERFORM.
        Perform => "perform",
        /// GO TO.
        Goto => "goto",
        /// CALL.
        Call => "call",
        /// A menu option.
        Option => "option",
        /// Falling through to the next unit.
        Next => "next",
        /// Handing control on without a CALL.
        Transfer => "transfer",
        /// Handing control back to a menu above.
        Back => "back",
        /// Into folded steps.
        More => "more",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_json() {
        for n in Note::ALL {
            let json = serde_json::to_string(n).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", n.label()));
            assert_eq!(serde_json::from_str::<Note>(&json).ok(), Some(*n));
        }
        for k in NodeKind::ALL {
            assert_eq!(NodeKind::from_label(k.label()), Some(*k));
        }
        for k in EdgeKind::ALL {
            assert_eq!(EdgeKind::from_label(k.label()), Some(*k));
        }
        let g: ItemGroup = serde_json::from_str("\"called by\"").unwrap_or(ItemGroup::named(""));
        assert_eq!(g, ItemGroup::Fixed(FixedGroup::CalledBy));
        let g: ItemGroup = serde_json::from_str("\"LIBGB\"").unwrap_or(ItemGroup::named(""));
        assert_eq!(g, ItemGroup::named("LIBGB"));
        assert!(serde_json::from_str::<Note>("\"no such label\"").is_err());
    }
}
