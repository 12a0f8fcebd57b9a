//! The grammar of questions about the codebase as a whole: a question becomes a
//! [`CorpusQuery`] by composition, not by matching whole sentences. Pure.
//!
//! # How a question is read
//!
//! The question is split into words ([`super::words`]: `>=` is "at least", `don't` is
//! "do not", "2k" is 2000, "once" is 1); the code model says what each name-like word is
//! (`identify`), and what a word in lower case is where a name is expected ("in fx",
//! "call sqlinf"). Rules then run in a fixed order over the words that no earlier rule
//! consumed, each consuming the words it reads and adding one piece:
//!
//! 1. **Back references**: "those", "them", "these", "the ones", "only" mark a follow-up
//!    over the previous list; a leading "and" / "what about" / "how about" marks a
//!    variation ("and in FX?" replaces the directory of the previous query).
//! 2. **Features**: "SCREEN SECTION", "LINKAGE SECTION", "FD" / "file descriptions",
//!    "88 levels" / "level 88" / "condition names".
//! 3. **Graph properties**: "never copied" / "unused" / "nothing copies" / "dead" /
//!    "orphan(ed)" / "unreachable" (nothing uses it, settled by what is listed: copybooks
//!    never copied, programs and menus orphans, screens nothing loads, files nobody writes,
//!    sections and paragraphs no PERFORM or GO TO names, data items no statement names),
//!    "never called" / "not reached from any menu" / "does nothing call" (orphan),
//!    "unresolved" / "missing" / "not in the tree" (call targets without source: "missing
//!    programs" and "unresolved calls" list them), "call programs whose source is not in
//!    the tree" / "call something that is missing" / "call a program that is not in the
//!    corpus" / "have unresolved calls" (programs that call one: `CallsUnresolved`), "call
//!    themselves" / "recursive (calls)" (self-calling), "in a cycle" / "call each other
//!    (recursively)" / "circular" (in a cycle), "leaf menus" / "no option opening another
//!    menu" / "don't lead to other menus" (leaf), "never written" / "nobody writes" (files
//!    nobody writes).
//! 4. **Thresholds**: a comparison ("more than", "over", "above", "at least", "N or more",
//!    "at most", "fewer than", "under", "exactly", a bare number; numbers in digits or
//!    words; "another" and "any" are at least one, "no" is zero) with its measure, found
//!    after the number ("500 lines", "5 levels deep", "6 options", "N fields", "N callers",
//!    "N GO TO statements", "N paragraphs / sections / data items") or before it
//!    ("complexity above 50", "IF nesting deeper than 5", "IF statements nested more than 5
//!    levels"), or from the verb before it: "used by / copied by more than 10 programs"
//!    (copybooks: programs using it; programs: callers), "called by at least 3", "called
//!    once", "call more than five others". "No GO TO statements" is not using GO TO; "at
//!    least one CALL statement" is using CALL. A year after "written", "revised", "in",
//!    "before" ... is a date (rule 12), not a number.
//! 5. **Order and limit**: superlatives ("largest" / "biggest" / "longest" by lines —
//!    screens by fields, menus by options —, "smallest", "most used" / "most commonly
//!    copied", "most callers" / "most called", "most calls" / "calls the most programs",
//!    "most complex", "deepest IF nesting", "most recently revised / changed / updated",
//!    "most fields", "most options", "most paragraphs / sections / data items", "the most
//!    GO TO statements", "the largest number of callers", "called by the most programs"),
//!    "sorted / ordered / ranked by X", "alphabetically"; "top 5", "the 5 largest", "first
//!    10", a number just before the listed noun ("Which 3 programs ..."). A superlative
//!    with a singular noun ("the largest program") and no number is the top 1; with a
//!    plural noun ("the most used copybooks") the top 5, unless the list was asked sorted
//!    ("sorted by size", "alphabetically"), which lists all of it. (The engine lists a tie
//!    at the cut whole.) "Last revised in 2023" is a date (rule 12), not an order.
//! 6. **File access** (programs): "open X for output / in EXTEND mode", "read X", "write
//!    (to) X", "write or rewrite records of X", "update / rewrite X", "delete from X",
//!    "create X" (open output), "append to X" (open extend), "use / access X [for input]",
//!    where X is a declared file (or a name ending in FILE). Without a file ("programs that
//!    write files", "delete records") the verb is a statement kind, except OPEN with modes
//!    ("open a file for output or extend"), which is that mode on any file.
//! 7. **Names**: "with DATE in the name", "whose name contains / starts with / ends with
//!    X", "named like X", "starting with UP1", "prefixed with X", "ending in X", "X*",
//!    and, late, "containing X" / "with X" for a name the corpus does not know.
//! 8. **Statements**: EXEC SQL (also "SQL", "embedded SQL"), EXEC CICS, GO TO [DEPENDING],
//!    MOVE CORRESPONDING, EXIT PROGRAM, STOP RUN, GOBACK, CALL through a variable
//!    ("dynamic calls", "CALL identifier"), PERFORM THRU / UNTIL / VARYING, NEXT SENTENCE
//!    and the single verbs (SORT, MERGE, STRING, INSPECT, ...). A verb that is also an
//!    English word counts when written in capitals, followed by "statement(s)" / "verb",
//!    or after "use", "contain", "with", "have", "without", "no" (or another statement in
//!    the same list): "Which programs use sort?" but not "sorted by", "Display all".
//! 9. **Within one member**, when the question lists what a file defines (sections,
//!    paragraphs, data items / variables) or asks a measure (rule 14) or counts a statement:
//!    "does X have / contain / define", "in / of / inside / within / for X", "X has", "X's
//!    paragraphs", X a program or copybook. It settles as `DefinedIn(X)` for what a file
//!    defines (X's own file, not its copybooks) and as the member itself (`NameMatch::
//!    Exactly`) for programs and copybooks. "How many copybooks / COPY statements / calls
//!    does X have" stays a single-member question (its copybooks, its calls).
//! 10. **Relations** to a named member: "call X" / "invoke X" (calls), "run X" / "launch
//!     X" (runs: a menu option or menu that runs X; for programs, calls), "called by X"
//!     (called by), "copy X" / "include X" / "use X" for a copybook (copies), "use X" for
//!     a program (calls), "reach X" / "lead to X" (reaches), coordinated with "and" /
//!     "or". "does X use / call" makes X the subject of a single-member question instead.
//! 11. **Directories**: "in / from / under / within / for X", "the X folder", "library X",
//!     "FX programs" and any other word the code model calls a directory (also a library
//!     path, `LIBUP/A30SRC`); "outside X" is the negation.
//! 12. **Dates**: revisions, "revised / changed / updated in 2024 or later", "since 2022",
//!     "after 2021" (the next year on), "before 2010", "in 2023" (that year only); the
//!     header's DATE-WRITTEN, "written / created / dated before 2000", "after 2015", "in
//!     1998", "in the 1990s", "in 2016 or later", "with a date written before 2000"
//!     (`Written`, a span of days).
//! 13. **Count**: "how many", "number of", "count", "what percentage of".
//! 14. **Measure asked** (with a count or within a member): "how many lines (of code)",
//!     "LOC", "the (cyclomatic) complexity", "the IF nesting depth", "how many GO TO
//!     statements does X have": `CorpusQuery::total`, each thing's value and their total
//!     ("UP1534 has 26470 lines", "the 50 programs in FX have 28931 lines in all").
//! 15. **Entity**: the first listed noun left (programs / modules, copybooks / copy members
//!     / includes, sections, paragraphs, data items / variables / fields, files, screens /
//!     forms, menus, menu options / options, call targets / called programs); a noun
//!     standing next to a name is that name's type ("the OLM-FILE file", "screen SPAVAL"),
//!     not the entity, but a directory's is the entity ("FP program"). "Who" / "what" /
//!     "anything" / a leading "any" with no noun list programs (the engine lists the
//!     copybooks of a folder that holds no program); a measure asked within a member with
//!     no noun lists the member.
//! 16. **Negation**: "not", "no", "without", "never", "neither / nor", "except", "instead
//!     of" apply to the next piece and to those joined to it by "or" / "nor".
//! 17. **Choices**: pieces of one kind joined by "or" ("SORT or MERGE", "in FX or UP")
//!     become one `AnyOf`; every other piece must hold too.
//!
//! Words left over decide whether the reading holds: a name no rule consumed means the
//! question is about that member (a single-subject kind: "Which programs call LONPF2?");
//! more than one unknown word (or any, when nothing but the noun was read) means the
//! question is not about the corpus as a whole ("Which programs handle late fees?"). A
//! measure or unused-ness whose meaning depends on the noun is settled last ("used by" is
//! callers for programs, users for copybooks; "largest" is lines, fields or options; "in
//! X" is what X's own file defines, or X itself).

use super::words::{Tok, Words};
use crate::corpus::Cmp;
use crate::corpus::{Entity, Feature, FileAccess, Filter, Measure, NameMatch, Order, Statement};
use crate::ports::SymbolKind;

/// A measure whose meaning depends on what is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Metric {
    /// This measure whatever is listed.
    Is(Measure),
    /// "used by": programs using a copybook, callers of a program.
    UsedBy,
    /// "largest": lines, a screen's fields, a menu's options.
    Size,
}

/// A filter before the entity is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Draft {
    /// Settled.
    Is(Filter),
    /// A comparison of a metric.
    Count(Metric, Cmp, u64),
    /// Nothing uses it: never copied, orphan, never loaded, never written, never
    /// performed, never referenced.
    Unused,
    /// In this member ("paragraphs in UP1534", "how many lines does UP1534 have?"): what
    /// its own file defines, or the member itself.
    Within(String),
    /// The draft does not hold.
    Not(Box<Draft>),
}

/// An order before the entity is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DraftOrder {
    /// Largest first.
    Most(Metric),
    /// Smallest first.
    Least(Metric),
    /// Latest revision first.
    Recent,
    /// By name.
    Name,
}

/// A piece of the question and the words it came from.
#[derive(Debug, Clone)]
struct Piece {
    from: usize,
    to: usize,
    draft: Draft,
}

/// What the grammar read.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    /// The listed noun, and whether it was plural.
    pub(super) entity: Option<(Entity, bool)>,
    /// "Who" / "what" with no noun: programs.
    pub(super) implicit: bool,
    pieces: Vec<Piece>,
    /// The order asked for.
    pub(super) order: Option<DraftOrder>,
    /// The limit asked for.
    pub(super) limit: Option<usize>,
    /// The order was asked as a sort ("sorted by size", "alphabetically"), not as a
    /// superlative ("the most used"): the whole list, in that order.
    pub(super) sorted: bool,
    /// A number just before the noun ("Which 3 programs ...").
    number_before_noun: Option<usize>,
    /// "How many".
    pub(super) count: bool,
    /// The measure asked of the things ("how many lines", "the complexity of X").
    pub(super) total: Option<Measure>,
    /// The member a question is asked within ("in UP1534", "does UP1534 have") and
    /// what it is.
    pub(super) within: Option<(String, Option<SymbolKind>)>,
    /// "Does X use ...": the question is about X.
    pub(super) actor: bool,
    /// "Programs that are missing", "unresolved programs": the programs listed are the
    /// call targets that are not in the corpus.
    pub(super) missing: bool,
    /// "Directly or through other copybooks", "indirectly", "transitively": a relation
    /// asked of the whole closure, a list rather than a single member's users.
    pub(super) transitive: bool,
    /// Names no rule consumed.
    pub(super) leftover_names: Vec<String>,
    /// Names the code model knows.
    known: Vec<String>,
    /// Words no rule consumed that are not grammar words.
    pub(super) unknown: Vec<String>,
    /// "Those", "them", "the ones", "only".
    pub(super) refers_back: bool,
    /// "And in FX?", "what about SORT?".
    pub(super) variation: bool,
    /// "List", "show", "all", "are there": a bare noun is a list.
    pub(super) listing: bool,
    /// "Show", "flow", "tree", "from", "down": screens or menus asked this way are the
    /// screen tree.
    pub(super) flowish: bool,
}

/// Words that carry no filter of their own.
const FILLERS: &[&str] = &[
    "which",
    "what",
    "who",
    "whom",
    "how",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "there",
    "here",
    "the",
    "a",
    "an",
    "any",
    "all",
    "every",
    "each",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "from",
    "by",
    "with",
    "and",
    "or",
    "but",
    "that",
    "this",
    "it",
    "they",
    "do",
    "does",
    "did",
    "done",
    "have",
    "has",
    "had",
    "having",
    "use",
    "uses",
    "using",
    "used",
    "make",
    "makes",
    "made",
    "contain",
    "contains",
    "containing",
    "define",
    "defines",
    "defining",
    "defined",
    "declare",
    "declares",
    "declared",
    "include",
    "includes",
    "show",
    "list",
    "give",
    "me",
    "tell",
    "find",
    "display",
    "print",
    "please",
    "can",
    "could",
    "would",
    "will",
    "should",
    "you",
    "i",
    "we",
    "us",
    "our",
    "my",
    "let",
    "see",
    "return",
    "enumerate",
    "identify",
    "also",
    "just",
    "both",
    "either",
    "ever",
    "currently",
    "exist",
    "exists",
    "existing",
    "total",
    "overall",
    "altogether",
    "code",
    "source",
    "cobol",
    "codebase",
    "system",
    "application",
    "corpus",
    "repository",
    "project",
    "entire",
    "whole",
    "directly",
    "indirectly",
    "through",
    "via",
    "other",
    "others",
    "some",
    "one",
    "statement",
    "statements",
    "verb",
    "verbs",
    "clause",
    "clauses",
    "instruction",
    "instructions",
    "kind",
    "kinds",
    "type",
    "types",
    "get",
    "shown",
    "listed",
    "given",
    "found",
    "appear",
    "appears",
    "anywhere",
    "somewhere",
    "still",
    "same",
    "so",
    "far",
    "now",
    "then",
    "really",
    "actually",
    "named",
    "name",
    "names",
    "their",
    "its",
    "own",
    "whose",
    "where",
    "when",
    "as",
    "into",
    "them",
    "ones",
    "what's",
    "everything",
    "known",
    "available",
    "present",
    "nested",
    "along",
    "together",
    "respectively",
    "else",
    "program",
    "programs",
    "copybook",
    "copybooks",
    "file",
    "files",
    "screen",
    "screens",
    "menu",
    "menus",
    "section",
    "sections",
    "paragraph",
    "paragraphs",
    "form",
    "forms",
    "module",
    "modules",
    "member",
    "members",
    "folder",
    "directory",
    "library",
    "lib",
    "dir",
    "tree",
    "level",
    "levels",
    "option",
    "options",
    "field",
    "fields",
    "item",
    "items",
    "data",
    "variable",
    "variables",
    "copy",
    "cpy",
    "cbl",
    "otis",
    "ok",
    "up",
    "mode",
    "records",
    "record",
    "deep",
    "long",
    "other",
    "than",
    "order",
    "first",
    "result",
    "results",
    "answer",
    "them?",
    "plus",
    "including",
    "sorted",
    "each",
    "respective",
    "together",
    "anything",
    "anyone",
    "go",
    "goes",
    "distinct",
    "different",
    "unique",
    "individual",
    "only",
    "between",
    "among",
];

/// The nouns a question lists, longest first.
const NOUNS: &[(&str, Entity, bool)] = &[
    ("menu options", Entity::MenuOptions, true),
    ("menu option", Entity::MenuOptions, false),
    ("menu items", Entity::MenuOptions, true),
    ("menu choices", Entity::MenuOptions, true),
    ("menu entries", Entity::MenuOptions, true),
    ("call targets", Entity::CallTargets, true),
    ("call target", Entity::CallTargets, false),
    ("called programs", Entity::CallTargets, true),
    ("called program", Entity::CallTargets, false),
    ("missing programs", Entity::CallTargets, true),
    ("external programs", Entity::CallTargets, true),
    ("unresolved calls", Entity::CallTargets, true),
    ("unresolved programs", Entity::CallTargets, true),
    ("unresolved call targets", Entity::CallTargets, true),
    ("unresolved targets", Entity::CallTargets, true),
    ("data items", Entity::DataItems, true),
    ("data item", Entity::DataItems, false),
    ("data names", Entity::DataItems, true),
    ("data fields", Entity::DataItems, true),
    ("data elements", Entity::DataItems, true),
    ("data definitions", Entity::DataItems, true),
    ("variables", Entity::DataItems, true),
    ("variable", Entity::DataItems, false),
    ("fields", Entity::DataItems, true),
    ("field", Entity::DataItems, false),
    ("copy books", Entity::Copybooks, true),
    ("copy book", Entity::Copybooks, false),
    ("copy members", Entity::Copybooks, true),
    ("copy member", Entity::Copybooks, false),
    ("copy files", Entity::Copybooks, true),
    ("include files", Entity::Copybooks, true),
    ("cpy files", Entity::Copybooks, true),
    ("copybooks", Entity::Copybooks, true),
    ("copybook", Entity::Copybooks, false),
    ("copylibs", Entity::Copybooks, true),
    ("includes", Entity::Copybooks, true),
    ("screen forms", Entity::Screens, true),
    ("screens", Entity::Screens, true),
    ("screen", Entity::Screens, false),
    ("forms", Entity::Screens, true),
    ("form", Entity::Screens, false),
    ("menu programs", Entity::Menus, true),
    ("menus", Entity::Menus, true),
    ("menu", Entity::Menus, false),
    ("cobol programs", Entity::Programs, true),
    ("source programs", Entity::Programs, true),
    ("cbl files", Entity::Programs, true),
    ("programs", Entity::Programs, true),
    ("program", Entity::Programs, false),
    ("modules", Entity::Programs, true),
    ("module", Entity::Programs, false),
    ("subprograms", Entity::Programs, true),
    ("sections", Entity::Sections, true),
    ("section", Entity::Sections, false),
    ("paragraphs", Entity::Paragraphs, true),
    ("paragraph", Entity::Paragraphs, false),
    ("declared files", Entity::Files, true),
    ("data files", Entity::Files, true),
    ("files", Entity::Files, true),
    ("file", Entity::Files, false),
    ("datasets", Entity::Files, true),
    ("options", Entity::MenuOptions, true),
    ("option", Entity::MenuOptions, false),
    ("calls", Entity::CallTargets, true),
];

/// Singular nouns that name the type of a name beside them.
const TYPE_WORDS: &[&str] = &[
    "program",
    "copybook",
    "member",
    "module",
    "file",
    "screen",
    "form",
    "menu",
    "section",
    "paragraph",
    "variable",
    "field",
    "item",
    "folder",
    "directory",
    "library",
    "dir",
    "lib",
    "copy",
    "book",
    "subprogram",
    "routine",
];

/// Negation words.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "without",
    "never",
    "neither",
    "nor",
    "except",
    "excluding",
    "lacking",
    "lack",
    "lacks",
    "non",
    "none",
    "instead",
    "rather",
];

/// Statements written as several words or not as a COBOL verb, longest first: the
/// pattern and whether it needs no context (it cannot be an English phrase).
const STATEMENT_PHRASES: &[(&str, Statement, bool)] = &[
    ("exec sql", Statement::ExecSql, true),
    ("embedded sql", Statement::ExecSql, true),
    ("exec cics", Statement::ExecCics, true),
    ("go to depending on?", Statement::GoToDepending, true),
    ("goto depending on?", Statement::GoToDepending, true),
    ("computed go to|goto", Statement::GoToDepending, true),
    (
        "move corresponding|corr",
        Statement::MoveCorresponding,
        true,
    ),
    ("move-corresponding", Statement::MoveCorresponding, true),
    ("exit program", Statement::ExitProgram, true),
    ("stop run", Statement::StopRun, true),
    ("next sentence", Statement::NextSentence, true),
    ("perform thru|through", Statement::PerformThru, true),
    ("perform until|varying", Statement::PerformUntil, true),
    (
        "a? call|calls through|via|using|with|by a? variable|variables|identifier|identifiers|data-name",
        Statement::CallVariable,
        true,
    ),
    ("dynamic call|calls", Statement::CallVariable, true),
    ("call identifier", Statement::CallVariable, true),
    ("go back", Statement::Goback, false),
    ("go to|goto|go-to|gotos", Statement::GoTo, false),
    ("sql", Statement::ExecSql, false),
    ("cics", Statement::ExecCics, false),
    ("goback", Statement::Goback, true),
    ("unstring", Statement::Unstring, true),
];

/// Words that may be a COBOL verb in a question.
fn verb(word: &str) -> Option<Statement> {
    Some(match word {
        "sort" => Statement::Sort,
        "merge" => Statement::Merge,
        "alter" => Statement::Alter,
        "string" => Statement::String,
        "inspect" => Statement::Inspect,
        "evaluate" => Statement::Evaluate,
        "compute" => Statement::Compute,
        "search" => Statement::Search,
        "initialize" => Statement::Initialize,
        "accept" => Statement::Accept,
        "display" => Statement::Display,
        "read" => Statement::Read,
        "write" => Statement::Write,
        "rewrite" => Statement::Rewrite,
        "delete" => Statement::Delete,
        "start" => Statement::Start,
        "open" => Statement::Open,
        "close" => Statement::Close,
        "set" => Statement::Set,
        "cancel" => Statement::Cancel,
        "continue" => Statement::Continue,
        "add" => Statement::Add,
        "subtract" => Statement::Subtract,
        "multiply" => Statement::Multiply,
        "divide" => Statement::Divide,
        "move" => Statement::Move,
        "if" => Statement::If,
        "perform" => Statement::Perform,
        "call" => Statement::Call,
        _ => return None,
    })
}

/// Words after which a verb is a statement kind ("use SORT", "with STRING").
const STATEMENT_CONTEXT: &[&str] = &[
    "use",
    "uses",
    "using",
    "used",
    "contain",
    "contains",
    "containing",
    "with",
    "without",
    "have",
    "has",
    "having",
    "no",
];

/// Words a statement list skips between its context and its statements.
const STATEMENT_GLUE: &[&str] = &[
    "a", "an", "the", "any", "both", "either", "and", "or", "nor",
];

/// Words after a statement that say it is one.
const STATEMENT_NOUNS: &str =
    "statement|statements|verb|verbs|clause|clauses|instruction|instructions|logic";

/// Reads `words` into a [`Parsed`].
pub(super) fn parse(words: Words) -> Parsed {
    let mut p = Parser {
        w: words,
        out: Parsed::default(),
    };
    p.back_references();
    p.features();
    p.graph();
    p.thresholds();
    p.orders();
    p.file_access();
    p.names();
    p.statements();
    p.within();
    p.relations();
    p.late_names();
    p.directories();
    p.revisions();
    p.written();
    p.counts();
    p.totals();
    p.types_of_names();
    p.entity();
    p.negations();
    p.alternatives();
    p.leftovers();
    p.out
}

struct Parser {
    w: Words,
    out: Parsed,
}

impl Parser {
    fn add(&mut self, from: usize, to: usize, draft: Draft) {
        self.w.take(from, to);
        self.out.pieces.push(Piece { from, to, draft });
    }

    fn filter(&mut self, from: usize, to: usize, filter: Filter) {
        self.add(from, to, Draft::Is(filter));
    }

    /// Runs `rule` at every free word, left to right.
    fn each(&mut self, mut rule: impl FnMut(&mut Self, usize)) {
        let mut i = 0;
        while i < self.w.len() {
            if self.w.free(i) {
                rule(self, i);
            }
            i += 1;
        }
    }

    /// The first of `patterns` that matches at `i`, with its end.
    fn first<T: Copy>(&self, i: usize, patterns: &[(&str, T)]) -> Option<(usize, T)> {
        patterns
            .iter()
            .find_map(|(pattern, value)| self.w.at(i, pattern).map(|end| (end, *value)))
    }

    fn back_references(&mut self) {
        self.each(|p, i| {
            // "by how many programs call them": the listed things, not the last answer's.
            let object_of_order = p.w.low(i) == "them"
                && i > 0
                && matches!(
                    p.w.low(i - 1),
                    "use"
                        | "using"
                        | "call"
                        | "calling"
                        | "copy"
                        | "copying"
                        | "include"
                        | "including"
                )
                && (i.saturating_sub(6)..i).any(|k| matches!(p.w.low(k), "by" | "on"));
            if object_of_order {
            } else if let Some(end) = p.w.at(i, "those|these|them|ones") {
                p.out.refers_back = true;
                p.w.take(i, end);
            } else if i == 0 && p.w.at(i, "only|just").is_some() {
                p.out.refers_back = true;
                p.w.take(i, i + 1);
            } else if i == 0 {
                if let Some(end) = p.w.at(i, "what|how about") {
                    p.out.variation = true;
                    p.w.take(i, end);
                } else if p.w.at(i, "and|also").is_some() {
                    p.out.variation = true;
                    p.w.take(i, i + 1);
                }
            }
        });
    }

    fn features(&mut self) {
        const FEATURES: &[(&str, Feature)] = &[
            ("a|an? screen section|sections", Feature::ScreenSection),
            ("a|an? screen-section", Feature::ScreenSection),
            ("a|an? linkage section|sections?", Feature::LinkageSection),
            (
                "a|an? fd|fds|sd|sds entry|entries?",
                Feature::FileDescription,
            ),
            (
                "a|an? file descriptions|description|definition|definitions",
                Feature::FileDescription,
            ),
            ("88 level|levels|entries|items", Feature::Level88),
            ("88-level|88-levels|88s", Feature::Level88),
            ("level|level-88 88|88s?", Feature::Level88),
            ("level-88s|level-88", Feature::Level88),
            ("condition names|name", Feature::Level88),
            ("condition-names", Feature::Level88),
        ];
        self.each(|p, i| {
            if let Some((end, feature)) = p.first(i, FEATURES) {
                // "level 88" needs the 88: "level" alone is a word.
                let text: Vec<&str> = (i..end).map(|k| p.w.low(k)).collect();
                if text.contains(&"level") && !text.iter().any(|t| t.contains("88")) {
                    return;
                }
                // `FD` in capitals or lower case; `SD` only in capitals.
                if matches!(p.w.low(end - 1), "sd" | "sds")
                    && !p.w.tok(end - 1).is_some_and(|t| t.capitals)
                {
                    return;
                }
                p.filter(i, end, Filter::Has(feature));
            }
        });
    }

    /// Graph properties, one rule each, the first that matches at a word.
    fn graph(&mut self) {
        self.each(|p, i| {
            let _ = p.calls_missing(i)
                || p.missing(i)
                || p.in_cycle(i)
                || p.self_calling(i)
                || p.leaf(i)
                || p.never_written(i)
                || p.orphan(i)
                || p.unused(i);
        });
    }

    /// The end of a phrase saying a program is not in the tree, at `i`: "not in the
    /// tree", "missing from the corpus", "whose source is not in the tree", "that do not
    /// exist", "without source".
    fn not_in_tree(&self, i: usize) -> Option<usize> {
        const PLACE: &str = "the source? tree|corpus|codebase|repository|sources|code";
        let at = self.w.at(i, "that|which are|is|were?").unwrap_or(i);
        [
            "not in|outside",
            "not present|found|available in|among",
            "missing|absent from",
            "whose|their source code? is|are not? in|missing|absent",
            "whose|their source code? is|are missing|absent from",
        ]
        .iter()
        .find_map(|phrase| {
            self.w.at(at, phrase).and_then(|e| {
                self.w
                    .at(e, PLACE)
                    .or_else(|| self.w.at(e, "from? the? source"))
            })
        })
        .or_else(|| self.w.at(at, "do|does|did not exist"))
        .or_else(|| self.w.at(at, "do|does|did not have|has source|sources"))
        .or_else(|| self.w.at(at, "have|has no source|sources"))
        .or_else(|| self.w.at(at, "without source code?"))
        .or_else(|| self.w.at(at, "with no source code?"))
        .filter(|&e| e > i)
    }

    /// "call programs that are not in the tree", "call missing programs", "have
    /// unresolved calls": programs that call outside the corpus.
    fn calls_missing(&mut self, i: usize) -> bool {
        let end = self
            .w
            .at(i, "call|calls|calling|make|makes calls? to? missing|unresolved|unknown|external|nonexistent programs|calls|targets|subprograms|modules")
            .or_else(|| self.w.at(i, "make|makes|have|has unresolved|missing calls|targets"))
            .or_else(|| {
                self.w.at(
                    i,
                    "call|calls|calling something|anything|one|ones missing|unresolved|unknown|external|nonexistent",
                )
            })
            .or_else(|| {
                self.w
                    .at(i, "call|calls|calling|make|makes calls? to? a|an|any|some? programs|program|subprograms|subprogram|modules|module|something|anything|one|ones")
                    .and_then(|e| self.not_in_tree(e))
            });
        let Some(end) = end else {
            return false;
        };
        let end = self.not_in_tree(end).unwrap_or(end);
        self.filter(i, end, Filter::CallsUnresolved);
        true
    }

    /// "missing", "unresolved", "not in the tree": the listed programs are call targets
    /// outside the corpus ("unresolved calls" names them as the entity).
    fn missing(&mut self, i: usize) -> bool {
        let Some(end) = self
            .not_in_tree(i)
            .or_else(|| self.w.at(i, "unresolved|missing|nonexistent|external"))
        else {
            return false;
        };
        self.out.missing = true;
        if let Some(noun) = self.w.at(end, "call? targets|target|calls|call")
            && self.out.entity.is_none()
        {
            let plural = self.w.low(noun - 1).ends_with('s');
            self.out.entity = Some((Entity::CallTargets, plural));
            self.filter(i, noun, Filter::Unresolved);
        } else {
            self.filter(i, end, Filter::Unresolved);
        }
        true
    }

    fn in_cycle(&mut self, i: usize) -> bool {
        const CYCLE: &str = "call? cycle|cycles|loop|loops";
        let end = self
            .w
            .at(i, "call|calls|calling|invoke|invokes each other")
            .or_else(|| {
                self.w
                    .at(i, "call|calls|calling|invoke|invokes one another")
            })
            .or_else(|| {
                self.w
                    .at(i, "in|within|form|forms a|an?")
                    .and_then(|e| self.w.at(e, CYCLE))
            })
            .or_else(|| {
                self.w
                    .at(i, "part of a|an?")
                    .and_then(|e| self.w.at(e, CYCLE))
            })
            .or_else(|| self.w.at(i, "mutually recursive"))
            .or_else(|| {
                self.w.at(
                    i,
                    "circular|cyclic|cyclical calls|call|dependencies|dependency|references|reference?",
                )
            })
            .or_else(|| self.w.at(i, "call cycle|cycles|loops|loop"))
            .or_else(|| self.w.at(i, "cycle|cycles"));
        let Some(end) = end else {
            return false;
        };
        let end = self.w.at(end, "in a|an? loop|cycle").unwrap_or(end);
        // "call each other recursively": one cycle, not a cycle and a self-call.
        let end = self
            .w
            .at(end, "recursively|circularly|cyclically|mutually")
            .unwrap_or(end);
        self.filter(i, end, Filter::InCycle);
        true
    }

    fn self_calling(&mut self, i: usize) -> bool {
        let end = self
            .w
            .at(i, "call|calls|calling|invoke|invokes themselves|itself directly?")
            .or_else(|| self.w.at(i, "self calling|calls|call|recursive"))
            .or_else(|| {
                self.w.at(
                    i,
                    "self-calling|self-calls|self-call|self-recursive|recursive|recursively|recursion",
                )
            });
        let Some(end) = end else {
            return false;
        };
        // "recursive calls": the calls are the property's, not the listed call targets.
        let end = self.w.at(end, "calls|call|invocations").unwrap_or(end);
        self.filter(i, end, Filter::SelfCalling);
        true
    }

    /// "leaf menus", "with no option opening another menu", "without submenus".
    fn leaf(&mut self, i: usize) -> bool {
        const OPENS: &str = "that|which? open|opening|opens|run|runs|running|lead|leads|leading to? another|other|a|any|further sub? menu|menus|submenu|submenus";
        let options = |e: usize| {
            self.w
                .at(e, "option|options|choice|choices")
                .and_then(|e| self.w.at(e, OPENS))
        };
        let end = self
            .w
            .at(i, "leaf|leaves|bottom-level|terminal menus|menu?")
            .or_else(|| self.w.at(i, "with|have|having no").and_then(options))
            .or_else(|| self.w.at(i, "without any?").and_then(options))
            .or_else(|| {
                self.w
                    .at(i, "with|have|having no submenus|submenu|sub-menus")
            })
            .or_else(|| self.w.at(i, "without submenus|submenu|sub-menus"))
            .or_else(|| self.w.at(i, "whose options open no other? menu|menus"))
            .or_else(|| {
                self.w.at(
                    i,
                    "do|does not lead|open|run|go to? any|other|another|further sub? menu|menus|submenus",
                )
            });
        let Some(end) = end else {
            return false;
        };
        // "leaf menus": the noun stays for the entity.
        let end = if self.w.low(i) == "leaf" && self.w.at(i + 1, "menus|menu").is_some() {
            i + 1
        } else {
            end
        };
        self.filter(i, end, Filter::Leaf);
        true
    }

    /// Files: "never written", "nobody writes", "no program writes to".
    fn never_written(&mut self, i: usize) -> bool {
        let end = self
            .w
            .at(
                i,
                "never|not written|updated to|by? any|a? program|programs|one|anything?",
            )
            .or_else(|| {
                self.w.at(
                    i,
                    "does|do? nobody|nothing|noone write|writes|update|updates to?",
                )
            })
            .or_else(|| {
                self.w.at(
                    i,
                    "does|do? no program|programs|one write|writes|update|updates to?",
                )
            })
            .or_else(|| self.w.at(i, "no-one writes|write to?"))
            .or_else(|| self.w.at(i, "no one writes|write to?"))
            .or_else(|| self.w.at(i, "unwritten|read-only"));
        let Some(end) = end else {
            return false;
        };
        self.filter(i, end, Filter::NeverWritten);
        true
    }

    /// Programs nothing calls and no menu runs: "never called", "orphan", "dead", "does
    /// nothing call", "not reached from any menu".
    fn orphan(&mut self, i: usize) -> bool {
        const MENU: &str = "from|by|through|via any|a|the|an? menu|menus|option|options";
        let end = self
            .w
            .at(i, "never|not be|get|gets|got|been|being? called|invoked|run|executed|reached|used|referenced or|nor called|reached|run|invoked|used")
            .or_else(|| self.w.at(i, "never|not be|get|gets|got|been|being? called|invoked|run|executed|reached|referenced by|from anything|anyone|any|another|other|a|anybody program|programs|one?"))
            .or_else(|| self.w.at(i, "never|not be|get|gets|got|been|being? called|invoked|executed"))
            .or_else(|| self.w.at(i, "never|not be|get|gets|got|been|being? reached|reachable|run"))
            .or_else(|| self.w.at(i, "does|do? nothing|nobody|noone|no-one call|calls|invoke|invokes|run|runs"))
            .or_else(|| self.w.at(i, "does|do? no program|programs|one|other call|calls|invoke|invokes|run|runs"))
            .or_else(|| self.w.at(i, "uncalled"));
        // "dead", "orphaned": whatever nothing uses, by what is listed (copybooks never
        // copied, programs nothing calls or runs).
        if end.is_none()
            && let Some(end) = self
                .w
                .at(i, "orphan|orphans|orphaned|dead|unreachable|unreached")
        {
            let end = self.w.at(end, MENU).unwrap_or(end);
            let end = self.w.at(end, "code").unwrap_or(end);
            self.add(i, end, Draft::Unused);
            return true;
        }
        if let Some(end) = end {
            let end = self.w.at(end, MENU).unwrap_or(end);
            let end = self
                .w
                .at(end, "or|nor from|by? a|any|the? menu|menus")
                .unwrap_or(end);
            let end = self.w.at(end, "or menu|menus").unwrap_or(end);
            self.filter(i, end, Filter::Orphan);
            return true;
        }
        if let Some(end) = self
            .w
            .at(i, "not reached|reachable|run|opened from|by|through any|a|the|an? menu|menus|option|options")
        {
            self.filter(i, end, Filter::Orphan);
            return true;
        }
        false
    }

    /// Nothing uses it: "never copied", "unused", "nothing copies", "never performed",
    /// "has no program" (a screen); settled by what is listed.
    fn unused(&mut self, i: usize) -> bool {
        let end = self
            .w
            .at(i, "never|not be|get|gets|got|been|being? copied|used|included|referenced|loaded|shown|displayed|performed")
            .or_else(|| self.w.at(i, "does|do? nothing|nobody|noone|no-one copy|copies|use|uses|include|includes|load|loads|show|shows|reference|references"))
            .or_else(|| self.w.at(i, "does|do? no program|programs|one|file|files|copybook|copybooks copy|copies|use|uses|include|includes|load|loads"))
            .or_else(|| self.w.at(i, "unused|uncopied|unreferenced|unloaded"))
            .or_else(|| self.w.at(i, "with|have|having|has no program|programs"))
            .or_else(|| self.w.at(i, "without a|any? program|programs"));
        let Some(end) = end else {
            return false;
        };
        let end = self
            .w
            .at(
                end,
                "by|in|from any|anything|anyone|a|another program|programs|file|files|anywhere?",
            )
            .unwrap_or(end);
        let end = self.w.at(end, "anywhere|at all").unwrap_or(end);
        self.add(i, end, Draft::Unused);
        true
    }

    fn thresholds(&mut self) {
        self.each(|p, i| {
            let Some((cmp, value, after)) = p.comparison(i) else {
                return;
            };
            let (right, end, statement) = p.measure_after(after);
            let (left, start) = p.measure_before(i);
            // A comparison word that is itself a measure ("longer than", "deeper than").
            let implied = match p.w.low(i) {
                "longer" | "larger" | "bigger" | "shorter" | "smaller" => {
                    Some(Metric::Is(Measure::Lines))
                }
                "deeper" | "shallower" => Some(Metric::Is(Measure::IfDepth)),
                _ => None,
            };
            let metric = match right {
                Some(Right::Measure(m)) => Some(m),
                Some(Right::Generic) => left.or(implied),
                None => left.or(implied),
            };
            let Some(metric) = metric else {
                return;
            };
            // "any" and "another" need a verb ("called by another program").
            if matches!(
                p.w.low(after.saturating_sub(1)),
                "any" | "another" | "anything" | "anyone" | "nothing" | "nobody"
            ) && left.is_none()
            {
                return;
            }
            let end = p.w.at(end, "deep|long").unwrap_or(end);
            // "no GO TO statements", "0 GO TOs": it does not use them.
            if let (Some(s), Cmp::Eq | Cmp::Lt, 0 | 1) = (statement, cmp, value)
                && (cmp == Cmp::Eq) == (value == 0)
            {
                p.add(start, end, Draft::Not(Box::new(Draft::Is(Filter::Uses(s)))));
                return;
            }
            // "at least one CALL statement": it uses CALL.
            if let (Some(s), Cmp::Ge, 1) | (Some(s), Cmp::Gt, 0) = (statement, cmp, value) {
                p.filter(start, end, Filter::Uses(s));
                return;
            }
            p.add(start, end, Draft::Count(metric, cmp, value));
            if let Some(s) = statement {
                p.out.pieces.push(Piece {
                    from: start,
                    to: end,
                    draft: Draft::Is(Filter::Uses(s)),
                });
            }
        });
    }

    /// A comparison at `i`: its kind, the number, and the word after the number.
    fn comparison(&self, i: usize) -> Option<(Cmp, u64, usize)> {
        const WORDS: &[(&str, Cmp)] = &[
            (
                "more|greater|higher|larger|bigger|longer|deeper than",
                Cmp::Gt,
            ),
            ("more complex than", Cmp::Gt),
            ("over|above|exceeding|exceeds|beyond", Cmp::Gt),
            ("in excess of", Cmp::Gt),
            ("at least", Cmp::Ge),
            ("no fewer|less than", Cmp::Ge),
            ("a? minimum of", Cmp::Ge),
            ("at most", Cmp::Le),
            ("no more than", Cmp::Le),
            ("up to", Cmp::Le),
            ("a? maximum of", Cmp::Le),
            ("fewer|less|smaller|shorter|lower than", Cmp::Lt),
            ("under|below", Cmp::Lt),
            ("exactly|precisely|just|only", Cmp::Eq),
        ];
        let (cmp, at) = match self.first(i, WORDS) {
            Some((end, cmp)) => (cmp, end),
            None => (Cmp::Eq, i),
        };
        let (value, after) = if let Some(n) = self.w.number(at).filter(|_| self.w.free(at)) {
            // "a dozen", "a single"
            (n, at + 1)
        } else if self.w.at(at, "a single|one").is_some() && self.w.low(at) == "a" {
            (1, at + 2)
        } else if cmp == Cmp::Eq && at == i && self.w.at(i, "no|zero|none").is_some() {
            return Some((Cmp::Eq, 0, i + 1)).filter(|_| self.measure_after(i + 1).0.is_some());
        } else if cmp == Cmp::Eq && at == i && self.w.at(i, "another|any|anything|anyone").is_some()
        {
            return Some((Cmp::Ge, 1, i + 1));
        } else if cmp == Cmp::Eq && at == i && self.w.at(i, "nothing|nobody").is_some() {
            // "call nothing": zero, with the verb before it.
            return Some((Cmp::Eq, 0, i + 1)).filter(|_| self.measure_before(i).0.is_some());
        } else {
            return None;
        };
        // A year is a date, not a count ("revised in 2024 or later").
        if (1950..=2100).contains(&value)
            && self
                .w
                .at_any(
                    i.saturating_sub(2),
                    "revised|changed|updated|modified|edited|written|created|dated|since|after|before|in",
                )
                .is_some()
        {
            return None;
        }
        let or_more = [
            ("or more|greater|higher|above|over", Cmp::Ge),
            ("and more|above|over|up", Cmp::Ge),
            ("or fewer|less|below|under", Cmp::Le),
        ];
        if cmp == Cmp::Eq
            && at == i
            && let Some((end, c)) = self.first(after, &or_more)
        {
            return Some((c, value, end));
        }
        Some((cmp, value, after))
    }

    /// The measure a number is followed by.
    fn measure_after(&self, at: usize) -> (Option<Right>, usize, Option<Statement>) {
        let at = self
            .w
            .at(at, "other|different|distinct|separate|more|further")
            .unwrap_or(at);
        const NOUNS: &[(&str, Right)] = &[
            (
                "lines|line of? code?",
                Right::Measure(Metric::Is(Measure::Lines)),
            ),
            ("loc|sloc", Right::Measure(Metric::Is(Measure::Lines))),
            (
                "levels|level of? nesting|if? deep?",
                Right::Measure(Metric::Is(Measure::IfDepth)),
            ),
            (
                "nested levels|ifs",
                Right::Measure(Metric::Is(Measure::IfDepth)),
            ),
            (
                "options|option|choices|entries",
                Right::Measure(Metric::Is(Measure::Options)),
            ),
            ("fields|field", Right::Measure(Metric::Is(Measure::Fields))),
            (
                "paragraphs|paragraph",
                Right::Measure(Metric::Is(Measure::Paragraphs)),
            ),
            (
                "sections|section",
                Right::Measure(Metric::Is(Measure::Sections)),
            ),
            (
                "data items|item|names|definitions",
                Right::Measure(Metric::Is(Measure::DataItems)),
            ),
            (
                "variables|variable",
                Right::Measure(Metric::Is(Measure::DataItems)),
            ),
            (
                "callers|caller|invokers",
                Right::Measure(Metric::Is(Measure::Callers)),
            ),
            (
                "calling programs",
                Right::Measure(Metric::Is(Measure::Callers)),
            ),
            (
                "callees|callee|calls|call",
                Right::Measure(Metric::Is(Measure::Callees)),
            ),
            (
                "outgoing calls|call",
                Right::Measure(Metric::Is(Measure::Callees)),
            ),
            (
                "programs|program|others|modules|module|subprograms|times|places|files|copybooks|copybook|members",
                Right::Generic,
            ),
        ];
        // "10 GO TO statements"
        if let Some((end, s)) = self.statement_at(at, true)
            && let Some(end) = self.w.at(end, STATEMENT_NOUNS).or_else(|| {
                // "more than 5 GO TOs"
                (self.w.low(end.saturating_sub(1)) == "gotos").then_some(end)
            })
        {
            return (
                Some(Right::Measure(Metric::Is(Measure::Statements))),
                end,
                Some(s),
            );
        }
        if let Some((end, right)) = self.first(at, NOUNS) {
            return (Some(right), end, None);
        }
        (None, at, None)
    }

    /// The measure or verb before a comparison at `i`, and where it starts.
    fn measure_before(&self, i: usize) -> (Option<Metric>, usize) {
        const BEFORE: &[(&str, Metric)] = &[
            ("used|copied|included|referenced by|in", Metric::UsedBy),
            (
                "called|invoked|run|used by|from",
                Metric::Is(Measure::Callers),
            ),
            ("called|invoked", Metric::Is(Measure::Callers)),
            (
                "call|calls|calling|invoke|invokes|invoking",
                Metric::Is(Measure::Callees),
            ),
            ("make|makes|making calls to", Metric::Is(Measure::Callees)),
            (
                "cyclomatic|mccabe complexity of|is?",
                Metric::Is(Measure::Complexity),
            ),
            ("complexity of|is?", Metric::Is(Measure::Complexity)),
            ("if statements|ifs? nested", Metric::Is(Measure::IfDepth)),
            ("ifs nested", Metric::Is(Measure::IfDepth)),
            (
                "nest|nests ifs|if statements?",
                Metric::Is(Measure::IfDepth),
            ),
            ("if nesting|nest depth|level?", Metric::Is(Measure::IfDepth)),
            ("if-nesting|if-depth of|is?", Metric::Is(Measure::IfDepth)),
            ("nesting depth|level of|is?", Metric::Is(Measure::IfDepth)),
            ("nesting|nested depth? of|is?", Metric::Is(Measure::IfDepth)),
            ("if depth of|is?", Metric::Is(Measure::IfDepth)),
            ("depth of|is?", Metric::Is(Measure::IfDepth)),
            ("size|length of|is?", Metric::Is(Measure::Lines)),
            ("line count of|is?", Metric::Is(Measure::Lines)),
            ("lines|loc of|is?", Metric::Is(Measure::Lines)),
            ("callers|fan-in of|is?", Metric::Is(Measure::Callers)),
            ("callees|fan-out of|is?", Metric::Is(Measure::Callees)),
            ("options of|is?", Metric::Is(Measure::Options)),
            ("fields of|is?", Metric::Is(Measure::Fields)),
        ];
        // The longest phrase that ends at the comparison.
        for back in (1..=4).rev() {
            let Some(start) = i.checked_sub(back) else {
                continue;
            };
            // Skip "a" / "an" / "the" / "have" before the measure.
            if let Some((end, m)) = self.first(start, BEFORE)
                && end == i
            {
                let start = if start > 0 && self.w.at(start - 1, "a|an|the|its|their").is_some() {
                    start - 1
                } else {
                    start
                };
                return (Some(m), start);
            }
        }
        (None, i)
    }

    fn orders(&mut self) {
        use DraftOrder::{Least, Most, Recent};
        use Measure as M;
        let most = |m: Measure| Most(Metric::Is(m));
        let least = |m: Measure| Least(Metric::Is(m));
        let size = Most(Metric::Size);
        let orders: Vec<(&str, DraftOrder)> = vec![
            (
                "most|more recently revised|changed|updated|modified|edited|maintained|touched",
                Recent,
            ),
            (
                "revised|changed|updated|modified|edited|maintained|touched most recently",
                Recent,
            ),
            (
                "revised|changed|updated|modified|edited|maintained|touched recently|lately|last",
                Recent,
            ),
            (
                "recently revised|changed|updated|modified|edited|maintained|touched",
                Recent,
            ),
            ("last revised|changed|updated|modified|edited", Recent),
            (
                "latest|newest|freshest revised|changed|updated|modified|edited|revision|revisions?",
                Recent,
            ),
            ("largest|biggest|longest by line count", size),
            ("largest|biggest|longest by? lines|size|length?", size),
            ("most lines|code", size),
            (
                "smallest|shortest by? lines|size|length?",
                Least(Metric::Size),
            ),
            ("fewest|least lines", Least(Metric::Size)),
            (
                "most|more commonly|frequently|often|widely used|copied|included|referenced|shared",
                Most(Metric::UsedBy),
            ),
            (
                "most used|copied|included|referenced|shared|popular|reused",
                Most(Metric::UsedBy),
            ),
            ("used|copied|included the most|most", Most(Metric::UsedBy)),
            ("most users", Most(Metric::UsedBy)),
            (
                "least commonly|frequently|often|widely? used|copied|included",
                Least(Metric::UsedBy),
            ),
            ("fewest users", Least(Metric::UsedBy)),
            ("most callers|invokers", most(M::Callers)),
            (
                "called|invoked|run by|from the most programs|others|places|callers",
                most(M::Callers),
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of callers",
                most(M::Callers),
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of calls|callees",
                most(M::Callees),
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of lines",
                size,
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of options",
                most(M::Options),
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of input? fields",
                most(M::Fields),
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of users",
                Most(Metric::UsedBy),
            ),
            (
                "call|calls|invoke|invokes the? largest|highest|greatest|biggest|most number of other? programs|others|subprograms",
                most(M::Callees),
            ),
            (
                "used|copied|included by|in the? largest|highest|greatest|biggest|most number of programs|others",
                Most(Metric::UsedBy),
            ),
            (
                "used|copied|included by|in the most programs|others|places",
                Most(Metric::UsedBy),
            ),
            (
                "most commonly|frequently|often? called|invoked",
                most(M::Callers),
            ),
            (
                "called|invoked the most|most often|frequently?",
                most(M::Callers),
            ),
            ("highest|largest|biggest fan-in", most(M::Callers)),
            ("highest|largest|biggest fan in", most(M::Callers)),
            ("most incoming calls", most(M::Callers)),
            ("fewest callers", least(M::Callers)),
            ("least called|invoked", least(M::Callers)),
            (
                "most outgoing? calls|callees|dependencies",
                most(M::Callees),
            ),
            (
                "call|calls|invoke|invokes|make|makes the most other? programs|calls|others|subprograms?",
                most(M::Callees),
            ),
            ("highest|largest|biggest fan-out", most(M::Callees)),
            ("highest|largest|biggest fan out", most(M::Callees)),
            ("fewest calls|callees", least(M::Callees)),
            ("most complex|complicated", most(M::Complexity)),
            (
                "highest|greatest|largest|biggest|worst cyclomatic|mccabe? complexity",
                most(M::Complexity),
            ),
            ("least complex|complicated", least(M::Complexity)),
            ("lowest cyclomatic|mccabe? complexity", least(M::Complexity)),
            ("simplest", least(M::Complexity)),
            (
                "deepest if|if-nesting? nesting|nested|depth|ifs",
                most(M::IfDepth),
            ),
            ("most deeply nested ifs?", most(M::IfDepth)),
            ("most nested ifs?", most(M::IfDepth)),
            (
                "highest|greatest|largest if|nesting depth|nesting",
                most(M::IfDepth),
            ),
            ("most if nesting|levels", most(M::IfDepth)),
            ("most input? fields", most(M::Fields)),
            ("fewest fields", least(M::Fields)),
            ("most options|choices|entries", most(M::Options)),
            ("most paragraphs|procedures", most(M::Paragraphs)),
            ("fewest|least paragraphs", least(M::Paragraphs)),
            ("most sections", most(M::Sections)),
            ("fewest|least sections", least(M::Sections)),
            ("most data items|definitions|names", most(M::DataItems)),
            ("most variables", most(M::DataItems)),
            ("fewest|least data items", least(M::DataItems)),
            ("fewest|least variables", least(M::DataItems)),
            (
                "the? largest|highest|greatest|biggest|most number|count of paragraphs",
                most(M::Paragraphs),
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of sections",
                most(M::Sections),
            ),
            (
                "the? largest|highest|greatest|biggest|most number|count of data items|variables",
                most(M::DataItems),
            ),
            ("fewest options|choices", least(M::Options)),
        ];
        const BY: &[(&str, DraftOrder)] = &[
            ("line count", DraftOrder::Most(Metric::Size)),
            ("number of lines", DraftOrder::Most(Metric::Size)),
            ("size|length|lines", DraftOrder::Most(Metric::Size)),
            (
                "cyclomatic|mccabe? complexity",
                DraftOrder::Most(Metric::Is(Measure::Complexity)),
            ),
            (
                "number of? callers|fan-in",
                DraftOrder::Most(Metric::Is(Measure::Callers)),
            ),
            (
                "number of? calls|callees|fan-out",
                DraftOrder::Most(Metric::Is(Measure::Callees)),
            ),
            // "by number of programs calling them"
            (
                "number|count of? programs|callers that? call|calling them|it?",
                DraftOrder::Most(Metric::Is(Measure::Callers)),
            ),
            (
                "how many programs|others call them|it",
                DraftOrder::Most(Metric::Is(Measure::Callers)),
            ),
            // "by number of programs using them", "by how many programs copy it"
            (
                "number|count of? programs|users that? use|using|copy|copying|include|including them|it?",
                DraftOrder::Most(Metric::UsedBy),
            ),
            (
                "how many programs use|copy|include them|it",
                DraftOrder::Most(Metric::UsedBy),
            ),
            ("usage|use count", DraftOrder::Most(Metric::UsedBy)),
            ("number of users", DraftOrder::Most(Metric::UsedBy)),
            (
                "usage|use|popularity|users",
                DraftOrder::Most(Metric::UsedBy),
            ),
            (
                "if? nesting|depth",
                DraftOrder::Most(Metric::Is(Measure::IfDepth)),
            ),
            (
                "number of? options",
                DraftOrder::Most(Metric::Is(Measure::Options)),
            ),
            (
                "number of? paragraphs",
                DraftOrder::Most(Metric::Is(Measure::Paragraphs)),
            ),
            (
                "number of? sections",
                DraftOrder::Most(Metric::Is(Measure::Sections)),
            ),
            (
                "number of? data items|variables",
                DraftOrder::Most(Metric::Is(Measure::DataItems)),
            ),
            (
                "number of? fields",
                DraftOrder::Most(Metric::Is(Measure::Fields)),
            ),
            (
                "last? revision|modification|change date|dates?",
                DraftOrder::Recent,
            ),
            ("date", DraftOrder::Recent),
            ("name|names", DraftOrder::Name),
        ];
        let order_at = |p: &Self, i: usize| {
            orders
                .iter()
                .find_map(|(pattern, o)| p.w.at(i, pattern).map(|e| (e, *o)))
                // "last revised in 2023" is a date, not an order.
                .filter(|(e, o)| {
                    *o != Recent
                        || !p
                            .w
                            .at(*e, "in|since|after|before|during|until")
                            .and_then(|y| p.w.number(y))
                            .is_some_and(|y| (1950..=2100).contains(&y))
                })
        };
        self.each(|p, i| {
            // "top 5", "first 10"
            if let Some(end) = p.w.at(i, "top|first #") {
                p.out.limit = p.w.number(end - 1).and_then(|n| usize::try_from(n).ok());
                p.w.take(i, end);
                return;
            }
            // "the 5 largest"
            if let Some(n) = p.w.number(i)
                && let Some((end, order)) = order_at(p, i + 1)
            {
                p.out.limit = usize::try_from(n).ok();
                p.out.order = Some(order);
                p.w.take(i, end);
                return;
            }
            // "sorted by size", "ranked by complexity", "top 10 by complexity"
            let relation = i > 0
                && matches!(
                    p.w.low(i - 1),
                    "called"
                        | "used"
                        | "copied"
                        | "invoked"
                        | "included"
                        | "written"
                        | "read"
                        | "run"
                        | "referenced"
                );
            if let Some(end) =
                p.w.at(i, "sorted|ordered|ranked|sort|order|rank|arranged by|on")
                    .or_else(|| p.w.at(i, "by").filter(|_| !relation))
                && let Some((end, order)) = p.first(end, BY)
            {
                let end2 =
                    p.w.at(end, "in? descending|ascending|decreasing|increasing order?")
                        .unwrap_or(end);
                let ascending =
                    (end..end2).any(|k| matches!(p.w.low(k), "ascending" | "increasing"));
                let order = match (order, ascending) {
                    (DraftOrder::Most(m), true) => DraftOrder::Least(m),
                    (o, _) => o,
                };
                p.out.order = Some(order);
                p.out.sorted = true;
                p.w.take(i, end2);
                return;
            }
            if let Some(end) =
                p.w.at(i, "alphabetically|alphabetical")
                    .or_else(|| p.w.at(i, "in alphabetical order"))
            {
                p.out.order = Some(DraftOrder::Name);
                p.out.sorted = true;
                p.w.take(i, end);
                return;
            }
            // "the most GO TO statements"
            if let Some(end) = p.w.at(i, "most")
                && let Some((send, s)) = p.statement_at(end, true)
                && (p.w.at(send, STATEMENT_NOUNS).is_some()
                    || (end..send).all(|k| p.w.tok(k).is_some_and(|t| t.capitals)))
            {
                let send = p.w.at(send, STATEMENT_NOUNS).unwrap_or(send);
                p.out.order = Some(DraftOrder::Most(Metric::Is(Measure::Statements)));
                p.w.take(i, send);
                p.out.pieces.push(Piece {
                    from: i,
                    to: send,
                    draft: Draft::Is(Filter::Uses(s)),
                });
                return;
            }
            if let Some((end, order)) = order_at(p, i) {
                p.out.order = Some(order);
                let end = match order {
                    DraftOrder::Most(Metric::Is(Measure::IfDepth)) => {
                        p.w.at(end, "if|ifs? statements|statement|nesting|levels?")
                            .unwrap_or(end)
                    }
                    _ => end,
                };
                let end = p.w.at(end, "first|at the top").unwrap_or(end);
                p.w.take(i, end);
            } else if p.w.at(i, "top").is_some() {
                p.w.take(i, i + 1);
            }
        });
    }

    fn file_access(&mut self) {
        const VERBS: &[(&str, FileAccess)] = &[
            (
                "write|writes|writing or|and rewrite|rewrites|update|updates",
                FileAccess::Write,
            ),
            (
                "read|reads|reading or|and write|writes|update|updates",
                FileAccess::Any,
            ),
            ("read|reads|reading", FileAccess::Read),
            ("write|writes|writing", FileAccess::Write),
            (
                "rewrite|rewrites|rewriting|update|updates|updating",
                FileAccess::Rewrite,
            ),
            ("delete|deletes|deleting", FileAccess::Delete),
            ("create|creates|creating", FileAccess::OpenOutput),
            (
                "append|appends|appending|extend|extends|extending to?",
                FileAccess::OpenExtend,
            ),
            ("open|opens|opening", FileAccess::Any),
            (
                "use|uses|using|access|accesses|accessing|touch|touches",
                FileAccess::Any,
            ),
        ];
        self.each(|p, i| {
            let Some((end, access)) = p.first(i, VERBS) else {
                return;
            };
            let at =
                p.w.at(
                    end,
                    "from|to|into|in|on? records? of|from|in|to|into? the? file?",
                )
                .unwrap_or(end);
            let Some(file) = p.file_at(
                at,
                access != FileAccess::Any || p.w.low(i).starts_with("open"),
            ) else {
                p.statement_on_files(i, end);
                return;
            };
            let mut to = p.w.at(at + 1, "file").unwrap_or(at + 1);
            let mut access = access;
            if access == FileAccess::Any {
                const MODES: &[(&str, FileAccess)] = &[
                    ("for|in|as? input", FileAccess::OpenInput),
                    ("for|in|as? output", FileAccess::OpenOutput),
                    (
                        "for|in|as? i-o|io|input-output|update",
                        FileAccess::OpenInputOutput,
                    ),
                    ("for|in|as? i o", FileAccess::OpenInputOutput),
                    ("for|in|as? extend|append|appending", FileAccess::OpenExtend),
                ];
                if let Some((mend, mode)) = p.first(to, MODES) {
                    access = mode;
                    to = p.w.at(mend, "mode").unwrap_or(mend);
                }
            }
            p.filter(i, to, Filter::Accesses(file, access));
        });
    }

    /// "programs that write files", "delete records", "open files for output": the
    /// statement, whatever the file.
    fn statement_on_files(&mut self, i: usize, end: usize) {
        let word = self.w.low(i);
        let statement = if word.starts_with("read") {
            Statement::Read
        } else if word.starts_with("rewrit") || word.starts_with("updat") {
            Statement::Rewrite
        } else if word.starts_with("writ") {
            Statement::Write
        } else if word.starts_with("delet") {
            Statement::Delete
        } else if word.starts_with("open") {
            Statement::Open
        } else {
            return;
        };
        const OBJECTS: &str =
            "from|to|into|in? a|any|the|their|its? files|file|records|record|datasets";
        // "open a file for output or extend": the modes asked for, on any file.
        const MODES: &[(&str, FileAccess)] = &[
            ("input", FileAccess::OpenInput),
            ("output", FileAccess::OpenOutput),
            ("i-o|io|input-output|update", FileAccess::OpenInputOutput),
            ("i o", FileAccess::OpenInputOutput),
            ("extend|append|appending", FileAccess::OpenExtend),
        ];
        if let Some(e) = self.w.at(end, OBJECTS) {
            let mut modes = Vec::new();
            let mut to = e;
            if statement == Statement::Open
                && let Some(at) = self.w.at(e, "for|in|as")
            {
                let mut k = at;
                while let Some((mend, mode)) = self.first(k, MODES) {
                    modes.push(Filter::AccessesAny(mode));
                    to = self.w.at(mend, "mode").unwrap_or(mend);
                    match self.w.at(to, "or|and|,") {
                        Some(next) => k = next,
                        None => break,
                    }
                }
            }
            let filter = match modes.len() {
                0 => {
                    to = self
                        .w
                        .at(e, "for|in|as? input|output|i-o|io|extend|update mode?")
                        .unwrap_or(e);
                    Filter::Uses(statement)
                }
                1 => modes.remove(0),
                _ => Filter::AnyOf(modes),
            };
            self.filter(i, to, filter);
        }
    }

    /// A file named at `i`: a declared file, or (after a file verb) a name ending in FILE.
    fn file_at(&self, i: usize, file_verb: bool) -> Option<String> {
        let t = self.w.tok(i).filter(|_| self.w.free(i))?;
        let named = t.kind == Some(SymbolKind::File)
            || (t.name_like
                && t.kind.is_none()
                && file_verb
                && (t.up.ends_with("FILE") || self.w.at(i + 1, "file").is_some()));
        named.then(|| t.up.clone())
    }

    fn names(&mut self) {
        self.each(|p, i| {
            let w = &p.w;
            let rule = w
                .at(i, "with|having|containing|contain|contains|has|have|include|includes")
                .and_then(|e| w.at(e + 1, "in the|their|its|his name|names").map(|end| (e, end, 0)))
                .or_else(|| w.at(i + 1, "in the|their|its name|names").map(|end| (i, end, 0)))
                .or_else(|| {
                    w.at(i, "whose|with|where|the? name|names contain|contains|containing|include|includes|including|has|have")
                        .map(|e| (e, e + 1, 0))
                })
                .or_else(|| {
                    w.at(i, "whose|with|where|the? name|names start|starts|starting|begin|begins|beginning with")
                        .map(|e| (e, e + 1, 1))
                })
                .or_else(|| {
                    w.at(i, "whose|with|where|the? name|names end|ends|ending with|in")
                        .map(|e| (e, e + 1, 2))
                })
                .or_else(|| w.at(i, "named|called like").map(|e| (e, e + 1, 0)))
                .or_else(|| w.at(i, "named|called|matching|like").filter(|&e| wild(w.tok(e))).map(|e| (e, e + 1, 0)))
                .or_else(|| w.at(i, "starting|beginning|start|starts|begin|begins with").map(|e| (e, e + 1, 1)))
                .or_else(|| w.at(i, "prefixed|prefixes with|by").map(|e| (e, e + 1, 1)))
                .or_else(|| w.at(i, "with the? prefix").map(|e| (e, e + 1, 1)))
                .or_else(|| w.at(i, "ending|suffixed with|in|by").map(|e| (e, e + 1, 2)))
                .or_else(|| w.at(i, "end|ends with|in").map(|e| (e, e + 1, 2)))
                .or_else(|| w.at(i, "with the? suffix").map(|e| (e, e + 1, 2)));
            let Some((at, end, how)) = rule else {
                return;
            };
            let Some(t) = w.tok(at).filter(|_| w.free(at)) else {
                return;
            };
            if !fragment(t) {
                return;
            }
            let text = t.up.trim_matches(['*', '%']).to_owned();
            let how = match (t.up.starts_with(['*', '%']), t.up.ends_with(['*', '%'])) {
                (false, true) if how == 0 && t.up.len() > 1 => 1,
                (true, false) => 2,
                _ => how,
            };
            let name = match how {
                1 => NameMatch::StartsWith(text),
                2 => NameMatch::EndsWith(text),
                _ => NameMatch::Contains(text),
            };
            let end = end.max(at + 1);
            let end = p.w.at(end, "in the|their|its name|names").unwrap_or(end);
            p.filter(i, end, Filter::Name(name));
        });
    }

    /// A statement written at `i`: its end and kind. `loose` accepts a verb without
    /// context (after a number: "10 GO TO statements").
    fn statement_at(&self, i: usize, loose: bool) -> Option<(usize, Statement)> {
        if !self.w.free(i) {
            return None;
        }
        let capitals =
            |from: usize, to: usize| (from..to).all(|k| self.w.tok(k).is_some_and(|t| t.capitals));
        for (pattern, statement, always) in STATEMENT_PHRASES {
            if let Some(end) = self.w.at(i, pattern)
                && (*always || loose || capitals(i, end) || self.statement_context(i, end))
            {
                return Some((end, *statement));
            }
        }
        let t = self.w.tok(i)?;
        let s = verb(&t.low)?;
        // `IF` alone is a statement only in capitals or with "statements".
        if t.capitals || loose || self.statement_context(i, i + 1) {
            return Some((i + 1, s));
        }
        None
    }

    /// Whether the words around `from..to` say it is a statement.
    fn statement_context(&self, from: usize, to: usize) -> bool {
        if self.w.at_any(to, STATEMENT_NOUNS).is_some() {
            return true;
        }
        let mut k = from;
        while k > 0 {
            k -= 1;
            let low = self.w.low(k);
            if STATEMENT_CONTEXT.contains(&low) {
                return true;
            }
            if STATEMENT_GLUE.contains(&low) {
                continue;
            }
            // Coordinated with a statement before it: "use SORT and merge".
            return self
                .out
                .pieces
                .iter()
                .any(|p| p.to == k + 1 && matches!(p.draft, Draft::Is(Filter::Uses(_))));
        }
        false
    }

    fn statements(&mut self) {
        self.each(|p, i| {
            if let Some((end, s)) = p.statement_at(i, false) {
                let end = p.w.at(end, STATEMENT_NOUNS).unwrap_or(end);
                // "a CALL through a variable" may start at "a".
                p.filter(i, end, Filter::Uses(s));
            }
        });
    }

    /// A member named at `i` (after an optional type word): its name, its kind and the end.
    fn member_at(&self, i: usize) -> Option<(String, Option<SymbolKind>, usize)> {
        let (at, typed) = match self
            .w
            .at(i, "the? program|copybook|member|module|subprogram|routine")
        {
            Some(end) if end > i && self.w.free(end) => {
                let word = self.w.low(end - 1);
                let typed = match word {
                    "copybook" | "member" => Some(SymbolKind::Copybook),
                    "the" => None,
                    _ => Some(SymbolKind::Program),
                };
                (end, typed)
            }
            _ => (i, None),
        };
        let t = self.w.tok(at).filter(|_| self.w.free(at))?;
        if !t.name_like || t.kind == Some(SymbolKind::Directory) || t.folder_path {
            return None;
        }
        if super::not_names::not_a_name(&t.up) {
            return None;
        }
        let kind = t.hint.or(typed).or(t.kind);
        let end = self
            .w
            .at(at + 1, "program|copybook|member|module")
            .unwrap_or(at + 1);
        Some((super::words::bare(&t.raw), kind, end))
    }

    fn relations(&mut self) {
        self.each(|p, i| {
            // "does LONPF2 use / call": a question about LONPF2.
            const ACTS: &str =
                "use|call|copy|include|invoke|need|have|read|write|open|reference|perform|contain";
            if let Some(e) = p.w.at(i, "does|do")
                && let Some((_, _, end)) = p.member_at(e)
                && p.w.at(end, ACTS).is_some()
            {
                p.out.actor = true;
                return;
            }
            if let Some(e) = p.w.at(i, "called|invoked|run|executed|started|launched by|from")
                && let Some((name, kind, end)) = p.member_at(e)
                && matches!(kind, Some(SymbolKind::Program) | None)
            {
                p.filter(i, end, Filter::CalledBy(name));
                return;
            }
            if let Some(e) = p.w.at(i, "copied|included|used by")
                && p.member_at(e).is_some()
            {
                p.out.actor = true;
                return;
            }
            const VERBS: &[(&str, u8)] = &[
                ("eventually|indirectly|transitively|ultimately call|calls|invoke|invokes|reach|reaches", 3),
                ("run|runs|running|launch|launches|launching directly?", 4),
                ("call|calls|calling|invoke|invokes|invoking directly?", 0),
                ("copy|copies|copying|include|includes|including", 1),
                ("use|uses|using|reference|references|referencing|with|need|needs", 2),
                ("reach|reaches|reaching|lead|leads|leading to?", 3),
                ("can reach", 3),
            ];
            let Some((mut at, verb)) = p.first(i, VERBS) else {
                return;
            };
            // "can eventually call": the "can" is part of it.
            let i = if i > 0 && p.w.low(i - 1) == "can" && p.w.free(i - 1) { i - 1 } else { i };
            let mut first = true;
            while let Some((name, kind, end)) = p.member_at(at) {
                let filter = match (verb, kind) {
                    (0, Some(SymbolKind::Program) | None) => Filter::Calls(name),
                    (1, Some(SymbolKind::Copybook | SymbolKind::Program) | None) => {
                        Filter::Copies(name)
                    }
                    (2, Some(SymbolKind::Copybook)) => Filter::Copies(name),
                    (2, Some(SymbolKind::Program)) => Filter::Calls(name),
                    (3, Some(SymbolKind::Program) | None) => Filter::Reaches(name),
                    (4, Some(SymbolKind::Program) | None) => Filter::Runs(name),
                    _ => break,
                };
                let from = if first { i } else { at };
                first = false;
                let tail = p
                    .w
                    .at(end, "directly|either? or|and through|via|indirectly other? copybooks|copybook|programs?")
                    .or_else(|| p.w.at(end, "indirectly|transitively|recursively|nested"));
                p.out.transitive |= tail.is_some();
                let end = tail.unwrap_or(end);
                p.filter(from, end, filter);
                match p.w.at(end, "and|or|,") {
                    Some(next) if p.member_at(next).is_some() => at = next,
                    _ => break,
                }
            }
        });
    }

    /// Whether a free word from `from` on names what a member's own file defines
    /// (sections, paragraphs, data items) or a measure of it (lines, complexity, IF
    /// nesting): what a question asked within one member lists or measures.
    fn asks_within(&self) -> bool {
        // "How many GO TO statements does X have?": a statement counted within X.
        // (The count rule runs later: its words are looked at here.)
        let counting = self.w.has("how many") || self.w.has("number|count of");
        let counted_statement = counting
            && self
                .out
                .pieces
                .iter()
                .any(|p| matches!(p.draft, Draft::Is(Filter::Uses(_))));
        counted_statement
            || (0..self.w.len()).any(|k| {
                self.w.free(k)
                    && (self
                        .w
                        .at(
                            k,
                            "sections|section|paragraphs|paragraph|variables|variable|procedures",
                        )
                        .is_some()
                        || self.w.at(k, "data items|item|names|definitions").is_some()
                        || self.total_at(k).is_some())
            })
    }

    /// A measure asked of things at `k`: "lines (of code)", "LOC", "complexity", "IF
    /// nesting depth", with its end.
    fn total_at(&self, k: usize) -> Option<(usize, Measure)> {
        const TOTALS: &[(&str, Measure)] = &[
            ("lines|line of? code?", Measure::Lines),
            ("loc|sloc|size|length", Measure::Lines),
            ("cyclomatic|mccabe complexity|number?", Measure::Complexity),
            ("complexity", Measure::Complexity),
            ("if nesting|nest|depth depth|level?", Measure::IfDepth),
            ("nesting depth|level?", Measure::IfDepth),
        ];
        self.first(k, TOTALS)
    }

    /// "How many paragraphs does UP1534 have?", "the sections in UP1534", "how many lines
    /// in UP1534", "UP1534's data items": what one program's or copybook's own file
    /// defines, or its measure. Read only when the question lists such things or asks a
    /// measure ("How many copybooks does X copy?" stays about X).
    fn within(&mut self) {
        if !self.asks_within() {
            return;
        }
        let member = |p: &Self, at: usize| {
            p.member_at(at).filter(|(_, kind, _)| {
                matches!(kind, Some(SymbolKind::Program | SymbolKind::Copybook))
            })
        };
        const HAVE: &str = "have|has|contain|contains|define|defines|declare|declares|hold|holds";
        self.each(|p, i| {
            if p.out.within.is_some() {
                return;
            }
            let found = if let Some(e) = p.w.at(i, "does|do")
                && let Some((name, kind, end)) = member(p, e)
                && let Some(end) = p.w.at(end, HAVE)
            {
                Some((i, end, name, kind))
            } else if let Some(e) = p.w.at(i, "in|inside|within|of|for")
                && let Some((name, kind, end)) = member(p, e)
            {
                Some((i, end, name, kind))
            } else if let Some((name, kind, end)) = member(p, i)
                && let Some(end) = p.w.at(end, HAVE).or_else(|| {
                    // "UP1534's paragraphs", "UP1534 lines"
                    (p.w.at(end, "sections|section|paragraphs|paragraph|data|variables")
                        .is_some()
                        || p.total_at(end).is_some())
                    .then_some(end)
                })
            {
                // "UP1534 has 363 paragraphs"
                Some((i, end, name, kind))
            } else {
                None
            };
            if let Some((from, to, name, kind)) = found {
                p.out.within = Some((name.clone(), kind));
                p.add(from, to, Draft::Within(name));
            }
        });
    }

    /// "How many lines (of code)", "the complexity of UP1534": the measure asked of the
    /// things, when the question counts or names a member.
    fn totals(&mut self) {
        if !self.out.count && self.out.within.is_none() {
            return;
        }
        // "How many GO TO statements does X have?": X's count of them.
        if self.out.within.is_some()
            && self
                .out
                .pieces
                .iter()
                .any(|p| matches!(p.draft, Draft::Is(Filter::Uses(_))))
        {
            self.out.total = Some(Measure::Statements);
            return;
        }
        self.each(|p, i| {
            if p.out.total.is_some() {
                return;
            }
            let start = p.w.at(i, "the|its|their|total|in? total").unwrap_or(i);
            if let Some((end, measure)) = p.total_at(start) {
                let end = p.w.at(end, "in total|all").unwrap_or(end);
                p.out.total = Some(measure);
                p.w.take(i, end);
            }
        });
    }

    /// "Written before 2000", "written in 1998", "created after 2015", "with a date
    /// written in the 1990s": the header's `DATE-WRITTEN`.
    fn written(&mut self) {
        self.each(|p, i| {
            let Some(verb_end) =
                p.w.at(i, "a|the? date|dates written|created")
                    .or_else(|| p.w.at(i, "a|the? date-written|written-date|creation"))
                    .or_else(|| p.w.at(i, "written|created|authored|dated"))
            else {
                return;
            };
            let verb_end = p.w.at(verb_end, "date|dates|on").unwrap_or(verb_end);
            let Some((prep, year_at)) = [
                "in the",
                "in",
                "since",
                "after",
                "from",
                "before",
                "during",
                "until",
                "prior to",
                "earlier than",
                "later than",
            ]
            .iter()
            .find_map(|w| p.w.at(verb_end, w).map(|e| (*w, e))) else {
                return;
            };
            // "1998", or a decade: "the 1990s".
            let word = p.w.low(year_at);
            let (year, span) = match p.w.number(year_at) {
                Some(y) => (y, 1),
                None => match word.strip_suffix('s').and_then(|d| d.parse::<u64>().ok()) {
                    Some(d) if d % 10 == 0 => (d, 10),
                    _ => return,
                },
            };
            if !(1900..=2100).contains(&year) {
                return;
            }
            let mut end = year_at + 1;
            let later = p.w.at(end, "or|and later|after|onwards|since|newer");
            let earlier = p.w.at(end, "or|and earlier|before|older");
            let day = |y: u64| Some(format!("{y:04}-01-01"));
            let (from, until) = match prep {
                "before" | "until" | "prior to" | "earlier than" => (None, day(year)),
                "after" | "later than" => (day(year + span), None),
                "since" | "from" => (day(year), None),
                _ if later.is_some() => (day(year), None),
                _ if earlier.is_some() => (None, day(year + span)),
                _ => (day(year), day(year + span)),
            };
            if let Some(e) = later.or(earlier) {
                end = e;
            }
            let end = p.w.at(end, "onwards|on").unwrap_or(end);
            p.filter(i, end, Filter::Written { from, until });
        });
    }

    /// "containing X", "with X" for a name the code model does not know: a part of names.
    fn late_names(&mut self) {
        self.each(|p, i| {
            let Some(at) = p.w.at(i, "containing|with|contain|contains|like") else {
                return;
            };
            let Some(t) = p.w.tok(at).filter(|_| p.w.free(at)) else {
                return;
            };
            if t.name_like
                && t.kind.is_none()
                && !t.folder_path
                && fragment(t)
                && !super::not_names::not_a_name(&t.up)
            {
                let text = t.up.trim_matches(['*', '%']).to_owned();
                p.filter(i, at + 1, Filter::Name(NameMatch::Contains(text)));
            }
        });
    }

    fn directories(&mut self) {
        const PREPOSITIONS: &str =
            "in|from|under|within|inside|for|at|of|across|outside|excluding|except|beyond";
        self.each(|p, i| {
            let (at, negated) = match p.w.at(i, PREPOSITIONS) {
                Some(e) => {
                    let e =
                        p.w.at(e, "the|a? folder|directory|library|dir|lib|subfolder|tree?")
                            .unwrap_or(e);
                    (
                        e,
                        matches!(p.w.low(i), "outside" | "excluding" | "except" | "beyond"),
                    )
                }
                None => match p.w.at(
                    i,
                    "the? folder|directory|library|dir|lib|libraries|folders|directories",
                ) {
                    Some(e) => (e, false),
                    None => (i, false),
                },
            };
            let Some(dir) = p.directory_at(at) else {
                return;
            };
            let end =
                p.w.at(
                    at + 1,
                    "folder|directory|library|dir|lib|tree|subfolder|libraries",
                )
                .unwrap_or(at + 1);
            let filter = Filter::In(dir);
            if negated {
                p.add(i, end, Draft::Not(Box::new(Draft::Is(filter))));
            } else {
                p.filter(i, end, filter);
            }
        });
    }

    /// A directory named at `i`.
    fn directory_at(&self, i: usize) -> Option<String> {
        let t = self.w.tok(i).filter(|_| self.w.free(i))?;
        if t.folder_path {
            return Some(t.up.trim_matches('/').to_owned());
        }
        (t.kind == Some(SymbolKind::Directory)).then(|| t.up.clone())
    }

    fn revisions(&mut self) {
        self.each(|p, i| {
            let Some(verb_end) =
                p.w.at(
                    i,
                    "revised|changed|updated|modified|edited|maintained|touched",
                )
                .or_else(|| {
                    p.w.at(
                        i,
                        "with|having? a? revision|revisions|change|changes dated?",
                    )
                })
            else {
                return;
            };
            let Some((prep, year_at)) =
                ["in", "since", "after", "from", "before", "during", "until"]
                    .iter()
                    .find_map(|w| p.w.at(verb_end, w).map(|e| (*w, e)))
            else {
                return;
            };
            let Some(year) = p.w.number(year_at).filter(|y| (1950..=2100).contains(y)) else {
                return;
            };
            let mut end = year_at + 1;
            let later = p.w.at(end, "or|and later|after|onwards|since|newer");
            let date = |y: u64| format!("{y:04}-01-01");
            let since = Filter::RevisedSince;
            match prep {
                "before" | "until" => {
                    p.add(i, end, Draft::Not(Box::new(Draft::Is(since(date(year))))));
                }
                "after" => p.filter(i, end, since(date(year + 1))),
                "in" | "during" if later.is_none() => {
                    p.filter(i, end, since(date(year)));
                    p.out.pieces.push(Piece {
                        from: i,
                        to: end,
                        draft: Draft::Not(Box::new(Draft::Is(since(date(year + 1))))),
                    });
                }
                _ => {
                    if let Some(e) = later {
                        end = e;
                    }
                    p.filter(i, end, since(date(year)));
                }
            }
            if let Some(e) = p.w.at(end, "onwards|on") {
                p.w.take(end, e);
            }
        });
    }

    fn counts(&mut self) {
        self.each(|p, i| {
            if let Some(end) =
                p.w.at(i, "how many")
                    .or_else(|| p.w.at(i, "the? total? number|count|amount|tally of"))
                    .or_else(|| {
                        p.w.at(
                            i,
                            "what|which percentage|proportion|share|fraction|percent of?",
                        )
                    })
                    .or_else(|| p.w.at(i, "the? percentage|proportion|share|fraction of"))
                    .or_else(|| p.w.at(i, "count|total").filter(|_| i == 0))
                    .or_else(|| p.w.at(i, "count"))
            {
                p.out.count = true;
                p.w.take(i, end);
            }
        });
    }

    /// "the OLM-FILE file", "screen SPAVAL": a singular noun beside a name is its type.
    fn types_of_names(&mut self) {
        for i in 0..self.w.len() {
            let Some(t) = self.w.tok(i) else { continue };
            // "FP programs" are programs in FP: the noun is what is listed, not the
            // directory's type (its "folder" / "library" word the directory rule read).
            if !t.name_like || t.folder_path || t.kind == Some(SymbolKind::Directory) {
                continue;
            }
            if self.w.free(i + 1) && TYPE_WORDS.contains(&self.w.low(i + 1)) {
                self.w.take(i + 1, i + 2);
            }
            if i > 0 && self.w.free(i - 1) && TYPE_WORDS.contains(&self.w.low(i - 1)) {
                self.w.take(i - 1, i);
                if i > 1 && self.w.low(i - 1) == "item" && self.w.low(i - 2) == "data" {
                    self.w.take(i - 2, i - 1);
                }
            }
        }
    }

    fn entity(&mut self) {
        if self.out.entity.is_some() {
            self.out.listing = true;
            return;
        }
        let mut found: Option<(Entity, bool, usize)> = None;
        self.each(|p, i| {
            if found.is_some() {
                return;
            }
            for (pattern, entity, plural) in NOUNS {
                if let Some(end) = p.w.at(i, pattern) {
                    found = Some((*entity, *plural, i));
                    p.w.take(i, end);
                    return;
                }
            }
        });
        if let Some((entity, plural, at)) = found {
            // "called programs" after "unresolved": call targets either way.
            let entity = if entity == Entity::Programs
                && self.out.pieces.iter().any(|p| {
                    p.draft == Draft::Is(Filter::Unresolved) && p.to == at
                        && matches!(self.w.low(p.from), "missing" | "unresolved" | "nonexistent" | "external")
                })
            {
                Entity::CallTargets
            } else {
                entity
            };
            self.out.entity = Some((entity, plural));
            // "Which 3 programs ...", "the 5 largest programs"
            let before = if at > 0 && self.w.at_any(at - 1, "the").is_some() { at.wrapping_sub(2) } else { at.wrapping_sub(1) };
            if let Some(n) = self.w.number(at.wrapping_sub(1)).filter(|_| self.w.free(at.wrapping_sub(1))) {
                self.out.number_before_noun = usize::try_from(n).ok();
                self.w.take(at - 1, at);
            } else if let Some(n) = self.w.number(before).filter(|_| self.w.free(before)) {
                self.out.number_before_noun = usize::try_from(n).ok();
                self.w.take(before, before + 1);
            }
        } else if self.w.at_any(0, "who|whom|anything|anyone|anybody|any").is_some()
            || self.w.at_any(0, "what|which uses|use|calls|call|reads|writes|copies|includes|opens|updates|deletes|references|contains|has|have").is_some()
            || self.w.has("are|is there")
            || self.w.has("do|does any|anything|anyone")
            || self.w.any(&["anything", "anyone", "anybody", "something"])
        {
            // "Who reads X?", "What uses SORT?", "Are there call cycles?": programs.
            self.out.implicit = true;
        }
        self.out.listing =
            self.w
                .any(&["list", "show", "all", "every", "there", "give", "enumerate"]);
        self.out.flowish = self.w.any(&[
            "show",
            "flow",
            "tree",
            "from",
            "down",
            "starting",
            "hierarchy",
        ]);
    }

    fn negations(&mut self) {
        /// Words between a negation and what it negates ("do not use a ...").
        const GLUE: &[&str] = &[
            "use", "uses", "using", "have", "has", "having", "contain", "contains", "define",
            "defines", "a", "an", "any", "the", "do", "does", "be", "are", "is", "either", "in",
            "with", "call", "calls", "copy", "copies", "include", "includes", "of", "than",
        ];
        let marks: Vec<usize> = (0..self.w.len())
            .filter(|&i| self.w.free(i) && NEGATIONS.contains(&self.w.low(i)))
            .collect();
        let mut order: Vec<usize> = (0..self.out.pieces.len()).collect();
        order.sort_by_key(|&k| self.out.pieces[k].from);
        for mark in marks {
            if !self.w.free(mark) {
                continue;
            }
            let Some(at) = order.iter().position(|&k| {
                let from = self.out.pieces[k].from;
                from > mark && from <= mark + 5
            }) else {
                continue;
            };
            let first = order[at];
            let glue = (mark + 1..self.out.pieces[first].from)
                .all(|k| self.w.free(k) && GLUE.contains(&self.w.low(k)));
            if !glue {
                continue;
            }
            self.w.take(mark, mark + 1);
            self.negate(first);
            // "not SORT or MERGE", "neither SORT nor MERGE": each of them.
            let mut last = first;
            for &k in &order[at + 1..] {
                let gap = self.out.pieces[last].to..self.out.pieces[k].from;
                let joined = !gap.is_empty()
                    && gap
                        .clone()
                        .all(|j| matches!(self.w.low(j), "or" | "nor" | "either"));
                if !joined {
                    break;
                }
                self.w.take(gap.start, gap.end);
                self.negate(k);
                last = k;
            }
        }
    }

    /// "SORT or MERGE", "in FX or UP": pieces of one kind joined by "or" hold when any of
    /// them does.
    fn alternatives(&mut self) {
        self.out.pieces.sort_by_key(|p| p.from);
        let mut merged: Vec<Piece> = Vec::new();
        for piece in std::mem::take(&mut self.out.pieces) {
            if let Some(last) = merged.last_mut()
                && last.to < piece.from
                && (last.to..piece.from).all(|j| matches!(self.w.low(j), "or" | "either"))
                && let (Draft::Is(a), Draft::Is(b)) = (&last.draft, &piece.draft)
                && alike(a, b)
            {
                let mut options = match a {
                    Filter::AnyOf(options) => options.clone(),
                    other => vec![other.clone()],
                };
                options.push(b.clone());
                self.w.take(last.to, piece.from);
                last.draft = Draft::Is(Filter::AnyOf(options));
                last.to = piece.to;
                continue;
            }
            merged.push(piece);
        }
        self.out.pieces = merged;
    }

    fn negate(&mut self, k: usize) {
        let draft = std::mem::replace(&mut self.out.pieces[k].draft, Draft::Unused);
        self.out.pieces[k].draft = match draft {
            Draft::Not(inner) => Draft::Not(inner),
            other => Draft::Not(Box::new(other)),
        };
    }

    fn leftovers(&mut self) {
        self.out.known = self
            .w
            .toks
            .iter()
            .filter(|t| t.kind.is_some())
            .map(|t| super::words::bare(&t.raw))
            .collect();
        for i in 0..self.w.len() {
            if !self.w.free(i) {
                continue;
            }
            let Some(t) = self.w.tok(i) else { continue };
            if t.name_like
                && !super::not_names::not_a_name(&t.up)
                && t.kind != Some(SymbolKind::Directory)
            {
                self.out.leftover_names.push(t.up.clone());
            } else if !(FILLERS.contains(&t.low.as_str())
                || NEGATIONS.contains(&t.low.as_str())
                || (t.name_like && t.kind == Some(SymbolKind::Directory)))
            {
                self.out.unknown.push(t.low.clone());
            }
        }
        self.out.pieces.sort_by_key(|p| p.from);
    }
}

/// What can follow a number as its measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Right {
    Measure(Metric),
    /// "programs", "others": the verb before says which measure.
    Generic,
}

/// Whether two filters constrain the same thing, so "A or B" is one choice.
fn alike(a: &Filter, b: &Filter) -> bool {
    let first = match a {
        Filter::AnyOf(options) => options.first().unwrap_or(a),
        other => other,
    };
    std::mem::discriminant(first) == std::mem::discriminant(b)
        && !matches!(b, Filter::Count(..) | Filter::Not(_))
}

/// A word a name filter can take: a name, a word of letters and digits, or a pattern.
fn fragment(t: &Tok) -> bool {
    let core = t.up.trim_matches(['*', '%']);
    !core.is_empty()
        && core.len() <= 30
        && core
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        && !matches!(
            t.low.as_str(),
            "the" | "a" | "an" | "any" | "more" | "less" | "most" | "no" | "their" | "its"
        )
}

/// A word written with a wildcard (`UP*`, `*DATE*`).
fn wild(t: Option<&Tok>) -> bool {
    t.is_some_and(|t| t.raw.contains(['*', '%']))
}

impl Parsed {
    /// The filters, settled for `entity`.
    pub(super) fn filters(&self, entity: Entity) -> Vec<Filter> {
        let mut out: Vec<Filter> = Vec::new();
        for piece in &self.pieces {
            let filter = settle(&piece.draft, entity);
            if !out.contains(&filter) {
                out.push(filter);
            }
        }
        out
    }

    /// Whether the code model knows `name` (as written in the question).
    pub(super) fn known(&self, name: &str) -> bool {
        self.known.iter().any(|k| k == name)
    }

    /// Whether the question states a filter.
    pub(super) fn has_filters(&self) -> bool {
        !self.pieces.is_empty()
    }

    /// The order, settled for `entity`.
    pub(super) fn order(&self, entity: Entity) -> Option<Order> {
        self.order.map(|o| match o {
            DraftOrder::Most(m) => Order::Most(measure(m, entity)),
            DraftOrder::Least(m) => Order::Least(measure(m, entity)),
            DraftOrder::Recent => Order::RecentlyRevised,
            DraftOrder::Name => Order::Name,
        })
    }

    /// The limit: stated, a number before the noun when there is an order, or one for a
    /// superlative of a singular noun.
    pub(super) fn limit(&self) -> Option<usize> {
        if self.limit.is_some() {
            return self.limit;
        }
        if let Some(n) = self.number_before_noun {
            return Some(n);
        }
        let singular = self.entity.is_some_and(|(_, plural)| !plural);
        let ranked = matches!(
            self.order,
            Some(DraftOrder::Most(_) | DraftOrder::Least(_) | DraftOrder::Recent)
        );
        match (ranked, singular, self.sorted) {
            // "the largest program"
            (true, true, _) => Some(1),
            // "the most used copybooks": the top of the list, not all of it.
            (true, false, false) => Some(DEFAULT_TOP),
            _ => None,
        }
    }

    /// The only filter, when it is a relation to a member that a single-subject kind
    /// answers (`Calls`, `Copies`).
    pub(super) fn single_relation(&self) -> Option<&Filter> {
        match self.pieces.as_slice() {
            [
                Piece {
                    draft:
                        Draft::Is(
                            f @ (Filter::Calls(_)
                            | Filter::Runs(_)
                            | Filter::Copies(_)
                            | Filter::CalledBy(_)),
                        ),
                    ..
                },
            ] => Some(f),
            _ => None,
        }
    }
}

/// How many a superlative with a plural noun and no number lists ("the most used
/// copybooks").
const DEFAULT_TOP: usize = 5;

/// A metric for what is listed.
fn measure(metric: Metric, entity: Entity) -> Measure {
    match (metric, entity) {
        (Metric::Is(m), _) => m,
        (Metric::UsedBy, Entity::Copybooks) => Measure::Users,
        (Metric::UsedBy, _) => Measure::Callers,
        (Metric::Size, Entity::Screens) => Measure::Fields,
        (Metric::Size, Entity::Menus) => Measure::Options,
        (Metric::Size, _) => Measure::Lines,
    }
}

/// A draft settled for `entity`.
fn settle(draft: &Draft, entity: Entity) -> Filter {
    match draft {
        // A program runs another by calling it.
        Draft::Is(Filter::Runs(name)) if entity == Entity::Programs => Filter::Calls(name.clone()),
        Draft::Is(f) => f.clone(),
        Draft::Count(m, cmp, n) => Filter::Count(measure(*m, entity), *cmp, *n),
        Draft::Unused => match entity {
            Entity::Copybooks => Filter::NeverCopied,
            Entity::Files => Filter::NeverWritten,
            Entity::Sections | Entity::Paragraphs => Filter::NeverPerformed,
            Entity::DataItems => Filter::NeverReferenced,
            Entity::Programs
            | Entity::Screens
            | Entity::Menus
            | Entity::MenuOptions
            | Entity::CallTargets => Filter::Orphan,
        },
        Draft::Within(name) => match entity {
            Entity::Programs | Entity::Copybooks | Entity::Menus => {
                Filter::Name(NameMatch::Exactly(name.clone()))
            }
            Entity::Sections
            | Entity::Paragraphs
            | Entity::DataItems
            | Entity::Files
            | Entity::Screens
            | Entity::MenuOptions
            | Entity::CallTargets => Filter::DefinedIn(name.clone()),
        },
        Draft::Not(inner) => Filter::Not(Box::new(settle(inner, entity))),
    }
}
