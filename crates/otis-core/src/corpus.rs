//! Questions about the codebase as a whole, as a typed query: what to list or count,
//! which filters hold, in which order, how many. [`crate::question::classify`] parses a
//! question into a [`CorpusQuery`] compositionally (entity + filters + order + limit),
//! the code model compiles it to its store's queries, and a follow-up ("which of those are
//! in FX?") refines the query kept in the conversation's memory. Pure.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::labels::labelled;

labelled! {
    /// What a corpus question lists or counts.
    Entity {
        /// Program files (`.CBL`).
        Programs => "programs",
        /// Copybook files (`.CPY`), counted per file (a member in two libraries is two).
        Copybooks => "copybooks",
        /// SECTIONs, in programs and copybooks.
        Sections => "sections",
        /// Paragraphs.
        Paragraphs => "paragraphs",
        /// Data description entries.
        DataItems => "data items",
        /// Files a program declares (`SELECT name ASSIGN TO ...`), by name.
        Files => "files",
        /// Screen form files (`FM/XX/<DIR>/<NAME>`).
        Screens => "screens",
        /// Menu programs (the `GO TO ... DEPENDING ON` menu idiom).
        Menus => "menus",
        /// The options of menus.
        MenuOptions => "menu options",
        /// Programs called whose source is not in the corpus.
        CallTargets => "call targets",
    }
}

labelled! {
    /// A statement kind a filter can name; the labels are the COBOL words the code
    /// model's store keeps (`statements.kind`).
    Statement {
        /// `SORT`.
        Sort => "SORT",
        /// `MERGE`.
        Merge => "MERGE",
        /// `EXEC SQL ... END-EXEC`.
        ExecSql => "EXEC SQL",
        /// `EXEC CICS ... END-EXEC`.
        ExecCics => "EXEC CICS",
        /// `GO TO`.
        GoTo => "GO TO",
        /// `GO TO ... DEPENDING ON`.
        GoToDepending => "GO TO DEPENDING",
        /// `ALTER`.
        Alter => "ALTER",
        /// `STRING`.
        String => "STRING",
        /// `UNSTRING`.
        Unstring => "UNSTRING",
        /// `INSPECT`.
        Inspect => "INSPECT",
        /// `EVALUATE`.
        Evaluate => "EVALUATE",
        /// `COMPUTE`.
        Compute => "COMPUTE",
        /// `SEARCH`.
        Search => "SEARCH",
        /// `MOVE CORRESPONDING`.
        MoveCorresponding => "MOVE CORRESPONDING",
        /// `EXIT PROGRAM`.
        ExitProgram => "EXIT PROGRAM",
        /// `STOP RUN`.
        StopRun => "STOP RUN",
        /// `GOBACK`.
        Goback => "GOBACK",
        /// `CALL identifier`: a call through a variable.
        CallVariable => "CALL identifier",
        /// `CALL`.
        Call => "CALL",
        /// `PERFORM ... THRU`.
        PerformThru => "PERFORM THRU",
        /// `PERFORM ... UNTIL` / `VARYING`: a loop.
        PerformUntil => "PERFORM UNTIL",
        /// `INITIALIZE`.
        Initialize => "INITIALIZE",
        /// `ACCEPT`.
        Accept => "ACCEPT",
        /// `DISPLAY`.
        Display => "DISPLAY",
        /// `READ`.
        Read => "READ",
        /// `WRITE`.
        Write => "WRITE",
        /// `REWRITE`.
        Rewrite => "REWRITE",
        /// `DELETE`.
        Delete => "DELETE",
        /// `START`.
        Start => "START",
        /// `OPEN`.
        Open => "OPEN",
        /// `CLOSE`.
        Close => "CLOSE",
        /// `SET`.
        Set => "SET",
        /// `CANCEL`.
        Cancel => "CANCEL",
        /// `NEXT SENTENCE`.
        NextSentence => "NEXT SENTENCE",
        /// `CONTINUE`.
        Continue => "CONTINUE",
        /// `ADD`.
        Add => "ADD",
        /// `SUBTRACT`.
        Subtract => "SUBTRACT",
        /// `MULTIPLY`.
        Multiply => "MULTIPLY",
        /// `DIVIDE`.
        Divide => "DIVIDE",
        /// `MOVE`.
        Move => "MOVE",
        /// `IF`.
        If => "IF",
        /// `PERFORM`.
        Perform => "PERFORM",
    }
}

labelled! {
    /// Something a file defines.
    Feature {
        /// An `FD` / `SD` file description (in the file or a copybook it copies).
        FileDescription => "an FD",
        /// A `SCREEN SECTION`.
        ScreenSection => "a SCREEN SECTION",
        /// A `LINKAGE SECTION`.
        LinkageSection => "a LINKAGE SECTION",
        /// Level-88 condition names.
        Level88 => "88 levels",
    }
}

labelled! {
    /// A number measured of each listed thing.
    Measure {
        /// Programs that call it.
        Callers => "callers",
        /// Distinct programs it calls (in the corpus or not).
        Callees => "calls",
        /// Programs that copy it, directly or through other copybooks.
        Users => "programs using it",
        /// Lines in its file.
        Lines => "lines",
        /// Cyclomatic complexity: McCabe decisions + 1, of its own file.
        Complexity => "cyclomatic complexity",
        /// The deepest IF nesting in its own file.
        IfDepth => "IF nesting depth",
        /// Options of a menu.
        Options => "options",
        /// Fields of a screen.
        Fields => "fields",
        /// Statements of the kind a `Uses` filter names.
        Statements => "statements",
        /// Paragraphs in its own file.
        Paragraphs => "paragraphs",
        /// Sections in its own file.
        Sections => "sections",
        /// Data description entries in its own file (level-78 constants and level-88
        /// condition names included).
        DataItems => "data items",
    }
}

/// A comparison with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// Exactly.
    Eq,
    /// At least.
    Ge,
    /// At most.
    Le,
    /// More than.
    Gt,
    /// Fewer than.
    Lt,
}

impl Cmp {
    /// Whether `value` compares to `n` this way.
    pub fn holds(self, value: u64, n: u64) -> bool {
        match self {
            Self::Eq => value == n,
            Self::Ge => value >= n,
            Self::Le => value <= n,
            Self::Gt => value > n,
            Self::Lt => value < n,
        }
    }

    /// `more than 5`, `at least 5`, ...
    pub fn words(self) -> &'static str {
        match self {
            Self::Eq => "exactly",
            Self::Ge => "at least",
            Self::Le => "at most",
            Self::Gt => "more than",
            Self::Lt => "fewer than",
        }
    }
}

/// How a name filter matches (upper case, against the member's name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMatch {
    /// `DATE` anywhere in the name.
    Contains(String),
    /// The name starts with it.
    StartsWith(String),
    /// The name ends with it.
    EndsWith(String),
    /// The name is exactly it ("how many lines does UP1534 have?").
    Exactly(String),
}

/// One condition on the things listed. Filters of a query all hold (AND).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    /// The name matches.
    Name(NameMatch),
    /// In this directory (programs: the top folder, `FX`) or library (copybooks: the
    /// folder path, `LIBUP` or `LIBUP/A15SRC`; a library holds its sub-folders).
    In(String),
    /// Uses this statement kind (a program: in its own code or the procedure copybooks it
    /// copies; a copybook: in its own text).
    Uses(Statement),
    /// Defines this (a program: itself or a copybook it copies).
    Has(Feature),
    /// Copies this copybook (directly or nested).
    Copies(String),
    /// Written in this program's or copybook's own file, not in the copybooks it copies
    /// (sections, paragraphs, data items, declared files).
    DefinedIn(String),
    /// Calls this program (in its own code or a copybook it copies).
    Calls(String),
    /// Is called by this program.
    CalledBy(String),
    /// Runs this program: a menu option that runs it, a menu with such an option, a
    /// program that calls it.
    Runs(String),
    /// A measure compares to a number (`callers > 5`).
    Count(Measure, Cmp, u64),
    /// Nothing in the corpus copies it (copybooks).
    NeverCopied,
    /// No program calls it, no menu option runs it, no program hands control to it.
    Orphan,
    /// Sections and paragraphs: no PERFORM or GO TO names it.
    NeverPerformed,
    /// Data items: no procedure statement names it.
    NeverReferenced,
    /// Call targets: its source is not in the corpus. (A query kept before
    /// `CallsUnresolved` existed may ask it of programs: it means that filter there.)
    Unresolved,
    /// Programs: it calls a program whose source is not in the corpus.
    CallsUnresolved,
    /// It calls itself.
    SelfCalling,
    /// It is in a call cycle (programs that call each other).
    InCycle,
    /// It reaches this program through calls, transitively.
    Reaches(String),
    /// A menu none of whose options runs another menu.
    Leaf,
    /// Files: nobody writes it (no WRITE / REWRITE of its records, no OPEN OUTPUT /
    /// EXTEND).
    NeverWritten,
    /// Programs: they do this to the file named (`WRITE` a record of `LN-FILE`).
    Accesses(String, FileAccess),
    /// Programs: they do this to at least one file ("open a file for output").
    AccessesAny(FileAccess),
    /// The latest revision date in its header is on or after this day (ISO,
    /// `2024-01-01`): "revised in 2024 or later".
    RevisedSince(String),
    /// The `DATE-WRITTEN` of its header falls from `from` (inclusive) until `until`
    /// (exclusive), ISO days; an open end is `None`: "written before 2000" has only
    /// `until`, "written in 1998" both.
    Written {
        /// The first day.
        from: Option<String>,
        /// The day after the last.
        until: Option<String>,
    },
    /// At least one of these holds ("that use SORT or MERGE", "in FX or UP").
    AnyOf(Vec<Filter>),
    /// The filter does not hold.
    Not(Box<Filter>),
}

labelled! {
    /// What a program does to a file.
    FileAccess {
        /// `OPEN INPUT`.
        OpenInput => "OPEN INPUT",
        /// `OPEN OUTPUT`.
        OpenOutput => "OPEN OUTPUT",
        /// `OPEN I-O`.
        OpenInputOutput => "OPEN I-O",
        /// `OPEN EXTEND`.
        OpenExtend => "OPEN EXTEND",
        /// `READ` (or `START`).
        Read => "READ",
        /// `WRITE` or `REWRITE` of one of its records.
        Write => "WRITE",
        /// `REWRITE` of one of its records.
        Rewrite => "REWRITE",
        /// `DELETE`.
        Delete => "DELETE",
        /// Any of them.
        Any => "any access",
    }
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Largest value of the measure first ("most used", "largest").
    Most(Measure),
    /// Smallest value first ("smallest", "fewest callers").
    Least(Measure),
    /// The latest revision date in the header first.
    RecentlyRevised,
    /// By name.
    Name,
}

/// A question about the codebase as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CorpusQuery {
    /// What is listed.
    pub entity: Entity,
    /// Conditions that all hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// The order asked for ("the most used", "the largest").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// At most this many ("the 5 largest"; "the largest" is 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// "How many": the answer leads with the count.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub count: bool,
    /// "How many lines does UP1534 have?", "How many lines of code are in FX?": the
    /// measure asked of the things, each one's value and their total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Measure>,
}

impl CorpusQuery {
    /// Every `entity`.
    pub fn all(entity: Entity) -> Self {
        Self {
            entity,
            filters: Vec::new(),
            order: None,
            limit: None,
            count: false,
            total: None,
        }
    }

    /// The query with `filter` added.
    pub fn with(mut self, filter: Filter) -> Self {
        if !self.filters.contains(&filter) {
            self.filters.push(filter);
        }
        self
    }
}

/// How a filter reads in a sentence about the things it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phrase {
    /// Where they are: "in FX".
    Place(String),
    /// What they have: "with DATE in the name", "with more than 500 lines".
    With(String),
    /// What they do, as a plural verb phrase: "use GO TO", "are called by LPMENU".
    Verb(String),
}

fn measure_phrase(m: Measure, cmp: Cmp, n: u64) -> Phrase {
    let c = cmp.words();
    let programs = if n == 1 { "program" } else { "programs" };
    match m {
        Measure::Callers => Phrase::Verb(format!("are called by {c} {n} {programs}")),
        Measure::Callees => Phrase::Verb(format!("call {c} {n} other {programs}")),
        Measure::Users => Phrase::Verb(format!("are used by {c} {n} {programs}")),
        Measure::Lines => Phrase::With(format!("with {c} {n} lines")),
        Measure::Complexity => Phrase::With(format!("with a cyclomatic complexity of {c} {n}")),
        Measure::IfDepth => Phrase::With(format!("with IF statements nested {c} {n} deep")),
        Measure::Options => Phrase::With(format!("with {c} {n} options")),
        Measure::Fields => Phrase::With(format!("with {c} {n} fields")),
        Measure::Statements => Phrase::With(format!("with {c} {n} such statements")),
        Measure::Paragraphs => Phrase::With(format!("with {c} {n} paragraphs")),
        Measure::Sections => Phrase::With(format!("with {c} {n} sections")),
        Measure::DataItems => Phrase::With(format!("with {c} {n} data items")),
    }
}

/// How `filter` reads.
pub fn phrase(filter: &Filter) -> Phrase {
    match filter {
        Filter::Name(NameMatch::Contains(s)) => Phrase::With(format!("with {s} in the name")),
        Filter::Name(NameMatch::StartsWith(s)) => {
            Phrase::With(format!("whose name starts with {s}"))
        }
        Filter::Name(NameMatch::EndsWith(s)) => Phrase::With(format!("whose name ends with {s}")),
        Filter::Name(NameMatch::Exactly(s)) => Phrase::With(format!("named {s}")),
        Filter::In(dir) => Phrase::Place(format!("in {dir}")),
        Filter::Uses(s) => Phrase::Verb(format!("use {s}")),
        Filter::Has(f) => Phrase::Verb(format!("have {f}")),
        Filter::Copies(c) => Phrase::Verb(format!("copy {c}")),
        Filter::DefinedIn(m) => Phrase::Place(format!("in {m}'s own file")),
        Filter::Calls(p) => Phrase::Verb(format!("call {p}")),
        Filter::CalledBy(p) => Phrase::Verb(format!("are called by {p}")),
        Filter::Runs(p) => Phrase::Verb(format!("run {p}")),
        Filter::Count(m, cmp, n) => measure_phrase(*m, *cmp, *n),
        Filter::NeverCopied => Phrase::Verb("are never copied".to_owned()),
        Filter::Orphan => Phrase::Verb(
            "are never called, run from a menu or handed control by another program".to_owned(),
        ),
        Filter::NeverPerformed => Phrase::Verb("are never named by a PERFORM or GO TO".to_owned()),
        Filter::NeverReferenced => {
            Phrase::Verb("are never named by a procedure statement".to_owned())
        }
        Filter::Unresolved => Phrase::Verb("have no source in the corpus".to_owned()),
        Filter::CallsUnresolved => {
            Phrase::Verb("call a program whose source is not in the corpus".to_owned())
        }
        Filter::SelfCalling => Phrase::Verb("call themselves".to_owned()),
        Filter::InCycle => Phrase::Verb("are in a call cycle".to_owned()),
        Filter::Reaches(p) => Phrase::Verb(format!("reach {p} through calls")),
        Filter::Leaf => Phrase::Verb("open no other menu".to_owned()),
        Filter::NeverWritten => Phrase::Verb("are written by no program".to_owned()),
        Filter::Accesses(file, a) => Phrase::Verb(match a {
            FileAccess::Any => format!("use the file {file}"),
            FileAccess::Read => format!("read {file}"),
            FileAccess::Write => format!("write {file}"),
            FileAccess::Rewrite => format!("rewrite {file}"),
            FileAccess::Delete => format!("delete from {file}"),
            FileAccess::OpenInput => format!("open {file} for input"),
            FileAccess::OpenOutput => format!("open {file} for output"),
            FileAccess::OpenInputOutput => format!("open {file} for I-O"),
            FileAccess::OpenExtend => format!("open {file} for extend"),
        }),
        Filter::AccessesAny(a) => Phrase::Verb(
            match a {
                FileAccess::Any => "use a file",
                FileAccess::Read => "read a file",
                FileAccess::Write => "write a file",
                FileAccess::Rewrite => "rewrite a record",
                FileAccess::Delete => "delete records",
                FileAccess::OpenInput => "open a file for input",
                FileAccess::OpenOutput => "open a file for output",
                FileAccess::OpenInputOutput => "open a file for I-O",
                FileAccess::OpenExtend => "open a file for extend",
            }
            .to_owned(),
        ),
        Filter::RevisedSince(day) => Phrase::Verb(format!("were revised on or after {day}")),
        Filter::Written { from, until } => Phrase::Verb(written(from.as_deref(), until.as_deref())),
        Filter::AnyOf(options) => {
            // "open a file for output or extend"
            let modes: Vec<&str> = options
                .iter()
                .filter_map(|o| match o {
                    Filter::AccessesAny(FileAccess::OpenInput) => Some("input"),
                    Filter::AccessesAny(FileAccess::OpenOutput) => Some("output"),
                    Filter::AccessesAny(FileAccess::OpenInputOutput) => Some("I-O"),
                    Filter::AccessesAny(FileAccess::OpenExtend) => Some("extend"),
                    _ => None,
                })
                .collect();
            if modes.len() == options.len() {
                return Phrase::Verb(format!("open a file for {}", modes.join(" or ")));
            }
            let parts: Vec<Phrase> = options.iter().map(phrase).collect();
            if parts.iter().all(|p| matches!(p, Phrase::Verb(_))) {
                Phrase::Verb(join_or(&parts))
            } else if parts.iter().all(|p| matches!(p, Phrase::Place(_))) {
                Phrase::Place(join_or(&parts))
            } else {
                Phrase::With(join_or(&parts))
            }
        }
        Filter::Not(inner) => match phrase(inner) {
            Phrase::Place(p) => Phrase::Place(format!("outside {}", p.trim_start_matches("in "))),
            Phrase::With(w) => Phrase::With(match w.strip_prefix("with ") {
                Some(rest) => format!("without {rest}"),
                None => format!("not {w}"),
            }),
            Phrase::Verb(v) => Phrase::Verb(negate(&v)),
        },
    }
}

/// "were written in 1998", "were written before 2000", "were written in 2016 or later",
/// "were written from 1998-03-01 until 1999-01-01".
fn written(from: Option<&str>, until: Option<&str>) -> String {
    // A day that starts a year: the year.
    let year = |day: &str| -> Option<u32> {
        day.strip_suffix("-01-01")
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok())
    };
    let text = match (from, until) {
        (Some(f), Some(u)) => match (year(f), year(u)) {
            (Some(a), Some(b)) if b == a + 1 => format!("in {a}"),
            (Some(a), Some(b)) => format!("from {a} to {}", b - 1),
            _ => format!("from {f} until {u}"),
        },
        (Some(f), None) => match year(f) {
            Some(a) => format!("in {a} or later"),
            None => format!("on or after {f}"),
        },
        (None, Some(u)) => match year(u) {
            Some(b) => format!("before {b}"),
            None => format!("before {u}"),
        },
        (None, None) => "at any date".to_owned(),
    };
    format!("were written {text}")
}

fn join_or(parts: &[Phrase]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Phrase::Place(t) | Phrase::With(t) | Phrase::Verb(t) => t.as_str(),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// "use X" -> "do not use X", "are never copied" -> "are copied", "are X" -> "are not X".
fn negate(verb: &str) -> String {
    if let Some(rest) = verb.strip_prefix("are never ") {
        return format!("are {rest}");
    }
    for be in ["are ", "were "] {
        if let Some(rest) = verb.strip_prefix(be) {
            return format!("{be}not {rest}");
        }
    }
    format!("do not {verb}")
}

/// The positive of a negative verb phrase: "are never copied" -> "are copied", "do not
/// use X" -> "use X", "are written by no program" -> "are written by some program";
/// `None` for a phrase that is not negative.
fn affirm(verb: &str) -> Option<String> {
    if let Some(rest) = verb.strip_prefix("are never ") {
        return Some(format!("are {rest}"));
    }
    if let Some(rest) = verb.strip_prefix("do not ") {
        return Some(rest.to_owned());
    }
    for be in ["are ", "were "] {
        if let Some(rest) = verb.strip_prefix(be).and_then(|r| r.strip_prefix("not ")) {
            return Some(format!("{be}{rest}"));
        }
    }
    match verb {
        "are written by no program" => Some("are written by some program".to_owned()),
        "have no source in the corpus" => Some("have source in the corpus".to_owned()),
        "open no other menu" => Some("open another menu".to_owned()),
        _ => None,
    }
}

/// A plural verb phrase made singular: "use X" -> "uses X", "are" -> "is".
fn singular(verb: &str) -> String {
    let (first, rest) = verb.split_once(' ').unwrap_or((verb, ""));
    let word = match first {
        "are" => "is".to_owned(),
        "were" => "was".to_owned(),
        "do" => "does".to_owned(),
        "have" => "has".to_owned(),
        w if w.ends_with("ch") || w.ends_with("sh") || w.ends_with('s') || w.ends_with('x') => {
            format!("{w}es")
        }
        w if w.ends_with('y') && !w.ends_with("ay") && !w.ends_with("ey") => {
            format!("{}ies", &w[..w.len() - 1])
        }
        w => format!("{w}s"),
    };
    // "call themselves" -> "calls itself"
    let rest = rest.replace("themselves", "itself");
    if rest.is_empty() {
        word
    } else {
        format!("{word} {rest}")
    }
}

fn singulars(verbs: &[String]) -> String {
    verbs
        .iter()
        .map(|v| singular(v))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The parts of a query's wording: places, "with" phrases, verb phrases.
fn parts(query: &CorpusQuery) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut places, mut withs, mut verbs) = (Vec::new(), Vec::new(), Vec::new());
    for f in &query.filters {
        match phrase(f) {
            Phrase::Place(p) => places.push(p),
            Phrase::With(w) => withs.push(w),
            Phrase::Verb(v) => verbs.push(v),
        }
    }
    (places, withs, verbs)
}

/// The entity's word for one of it.
pub fn one(entity: Entity) -> &'static str {
    match entity {
        Entity::Programs => "program",
        Entity::Copybooks => "copybook",
        Entity::Sections => "section",
        Entity::Paragraphs => "paragraph",
        Entity::DataItems => "data item",
        Entity::Files => "file",
        Entity::Screens => "screen",
        Entity::Menus => "menu",
        Entity::MenuOptions => "menu option",
        Entity::CallTargets => "call target",
    }
}

/// Plain English for a filter: "in FX", "that use GO TO", "with DATE in the name".
pub fn describe_filter(filter: &Filter) -> String {
    match phrase(filter) {
        Phrase::Place(p) | Phrase::With(p) => p,
        Phrase::Verb(v) => format!("that {v}"),
    }
}

/// Plain English for the whole query, as a noun phrase: "programs in UP that use GO TO
/// and call at least 1 other program, most lines first".
pub fn describe(query: &CorpusQuery) -> String {
    let (places, withs, verbs) = parts(query);
    let mut text = noun_phrase(query, false, &places, &withs);
    if !verbs.is_empty() {
        text.push_str(" that ");
        text.push_str(&verbs.join(" and "));
    }
    if let Some(m) = query.total {
        text.push_str(&format!(", with their {m}"));
    }
    match query.order {
        Some(Order::Most(m)) => text.push_str(&format!(", most {m} first")),
        Some(Order::Least(m)) => text.push_str(&format!(", fewest {m} first")),
        Some(Order::RecentlyRevised) => text.push_str(", most recently revised first"),
        Some(Order::Name) | None => {}
    }
    text
}

/// What a query lists, with where and what with: "copybooks in LIBFP with EXEC SQL", in
/// the singular when `one_thing`.
fn noun_phrase(
    query: &CorpusQuery,
    one_thing: bool,
    places: &[String],
    withs: &[String],
) -> String {
    let mut noun = if one_thing {
        one(query.entity).to_owned()
    } else {
        query.entity.label().to_owned()
    };
    for p in places.iter().chain(withs) {
        noun.push(' ');
        noun.push_str(p);
    }
    noun
}

/// A sentence stating how many things the query found: "4 programs use EXEC SQL",
/// "1 copybook in LIBFP is never copied", "There are 17 copybooks in LIBFP",
/// "No program uses SORT".
pub fn sentence(query: &CorpusQuery, n: usize) -> String {
    let (places, withs, verbs) = parts(query);
    let noun = noun_phrase(query, n <= 1, &places, &withs);
    let verb = verbs.join(" and ");
    match (n, verb.is_empty()) {
        (0, true) => format!("There is no {noun}"),
        // "Every file is written by some program", not "No file is written by no program".
        (0, false)
            if let [only] = verbs.as_slice()
                && let Some(yes) = affirm(only) =>
        {
            format!("Every {noun} {}", singular(&yes))
        }
        // "No program that is in a call cycle calls itself": with two conditions, "No
        // program is in a cycle and calls itself" would read as two negations.
        (0, false) => match verbs.split_last() {
            Some((last, first)) if !first.is_empty() => {
                format!("No {noun} that {} {}", singulars(first), singular(last))
            }
            _ => format!("No {noun} {}", singulars(&verbs)),
        },
        (1, true) => format!("There is 1 {noun}"),
        (1, false) => format!("1 {noun} {}", singulars(&verbs)),
        (n, true) => format!("There are {n} {noun}"),
        (n, false) => format!("{n} {noun} {verb}"),
    }
}

/// A measure's value in words: "22995 lines", "1 caller", "a cyclomatic complexity of
/// 3162", "IF statements nested 10 deep", "12 GO TO statements".
pub fn amount(measure: Measure, value: i64, statement: Option<Statement>) -> String {
    let count = |one: &str, many: &str| {
        let unit = if value == 1 { one } else { many };
        format!("{value} {unit}")
    };
    match measure {
        Measure::Callers => count("caller", "callers"),
        Measure::Callees => count("program called", "programs called"),
        Measure::Users => count("program using it", "programs using it"),
        Measure::Lines => count("line", "lines"),
        Measure::Complexity => format!("a cyclomatic complexity of {value}"),
        Measure::IfDepth => format!("IF statements nested {value} deep"),
        Measure::Options => count("option", "options"),
        Measure::Fields => count("field", "fields"),
        Measure::Statements => match statement {
            Some(s) => count(&format!("{s} statement"), &format!("{s} statements")),
            None => count("statement", "statements"),
        },
        Measure::Paragraphs => count("paragraph", "paragraphs"),
        Measure::Sections => count("section", "sections"),
        Measure::DataItems => count("data item", "data items"),
    }
}

/// Whether a measure adds up over several things (lines do; the deepest IF nesting does
/// not).
pub fn additive(measure: Measure) -> bool {
    !matches!(measure, Measure::Complexity | Measure::IfDepth)
}

/// A sentence stating the measure a query asks (`total`) of what it found: "UP1534 has
/// 22995 lines" for one thing named, "The 50 programs in FX have 35012 lines in all",
/// "Of the 3 programs in UP, the highest cyclomatic complexity is 3162".
pub fn total_sentence(query: &CorpusQuery, named: Option<&str>, n: usize, total: i64) -> String {
    let Some(measure) = query.total else {
        return sentence(query, n);
    };
    let statement = query.filters.iter().find_map(|f| match f {
        Filter::Uses(s) => Some(*s),
        _ => None,
    });
    if let (Some(name), 1) = (named, n) {
        return format!("{name} has {}", amount(measure, total, statement));
    }
    if n == 0 {
        return sentence(query, 0);
    }
    let (places, withs, verbs) = parts(query);
    let mut noun = noun_phrase(query, n == 1, &places, &withs);
    if !verbs.is_empty() {
        noun.push_str(" that ");
        noun.push_str(&if n == 1 {
            singulars(&verbs)
        } else {
            verbs.join(" and ")
        });
    }
    if additive(measure) {
        let have = if n == 1 { "has" } else { "have" };
        format!(
            "The {n} {noun} {have} {} in all",
            amount(measure, total, statement)
        )
    } else {
        format!("Of the {n} {noun}, the highest {measure} is {total}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_as_english_and_round_trips() {
        let q = CorpusQuery::all(Entity::Programs)
            .with(Filter::In("FX".into()))
            .with(Filter::Uses(Statement::GoTo))
            .with(Filter::Count(Measure::Callees, Cmp::Gt, 2));
        assert_eq!(
            describe(&q),
            "programs in FX that use GO TO and call more than 2 other programs"
        );
        let json = serde_json::to_string(&q).unwrap_or_default();
        let back: Option<CorpusQuery> = serde_json::from_str(&json).ok();
        assert_eq!(back.as_ref(), Some(&q));
        assert_eq!(
            sentence(&q, 1),
            "1 program in FX uses GO TO and calls more than 2 other programs"
        );
        let none = CorpusQuery::all(Entity::Programs).with(Filter::Uses(Statement::Sort));
        assert_eq!(sentence(&none, 0), "No program uses SORT");
        let cyclic = CorpusQuery::all(Entity::Programs)
            .with(Filter::InCycle)
            .with(Filter::SelfCalling);
        assert_eq!(
            sentence(&cyclic, 0),
            "No program that is in a call cycle calls itself"
        );
        assert_eq!(
            sentence(
                &CorpusQuery::all(Entity::Programs).with(Filter::SelfCalling),
                1
            ),
            "1 program calls itself"
        );
        let unwritten = CorpusQuery::all(Entity::Files).with(Filter::NeverWritten);
        assert_eq!(
            sentence(&unwritten, 0),
            "Every file is written by some program"
        );
        let uncopied = CorpusQuery::all(Entity::Copybooks)
            .with(Filter::In("LIBGB".into()))
            .with(Filter::NeverCopied);
        assert_eq!(sentence(&uncopied, 0), "Every copybook in LIBGB is copied");
        let without = CorpusQuery::all(Entity::Programs)
            .with(Filter::Not(Box::new(Filter::Uses(Statement::Sort))));
        assert_eq!(sentence(&without, 0), "Every program uses SORT");
        let unused = CorpusQuery::all(Entity::Copybooks)
            .with(Filter::In("LIBFX".into()))
            .with(Filter::NeverCopied);
        assert_eq!(
            sentence(&unused, 4),
            "4 copybooks in LIBFX are never copied"
        );
        assert_eq!(
            sentence(
                &CorpusQuery::all(Entity::Copybooks).with(Filter::In("LIBFP".into())),
                17
            ),
            "There are 17 copybooks in LIBFP"
        );
        let no_sql = CorpusQuery::all(Entity::Programs)
            .with(Filter::Not(Box::new(Filter::Uses(Statement::ExecSql))));
        assert_eq!(sentence(&no_sql, 1), "1 program does not use EXEC SQL");
        for s in Statement::ALL {
            assert_eq!(Statement::from_label(s.label()), Some(*s));
        }
        assert!(Cmp::Gt.holds(6, 5) && !Cmp::Lt.holds(5, 5) && Cmp::Le.holds(5, 5));
    }
}
