//! The `CodeModel` port: exact facts about the codebase (what a program is for, what it
//! copies and calls, who calls it, where a section or data item is defined and used),
//! each with the file and line that proves it. The extractive answerer, model prompts,
//! the HTTP API and the web page all ask it the same way.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::facts::{EdgeKind, ItemGroup, NodeKind, Note};
use crate::corpus::CorpusQuery;

/// What a question asks, recognised deterministically by [`crate::question::classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// "What does X do?", "Explain X": the member's purpose, from its header.
    Purpose,
    /// "What are X's dependencies?": copybooks and calls together.
    Dependencies,
    /// "What copybooks does X use?"
    Copybooks,
    /// "What programs does X call?"
    Calls,
    /// "Who calls X?", "Where is program X used?"
    Callers,
    /// "What programs use SCREEN.CPY?"
    CopybookUsers,
    /// "Where is TIM360 used?" for a section or paragraph: who PERFORMs / GOes TO it.
    ProcedureUsers,
    /// "Where is BT-BRANCH defined?"
    DataDefinition,
    /// "How is BT-BRANCH used?"
    DataUsage,
    /// "What files does X use?"
    Files,
    /// "What does the full set of code do?": directories and what they hold.
    Overview,
    /// "How is a loan payment received?": programs whose descriptions and code match.
    BusinessProcess,
    /// "Show me a flow of DAILY.CBL": the steps a program performs, as a graph.
    Flow,
    /// "Show me the screens from the main menu down": the menu / screen tree.
    ScreenFlow,
    /// "How many copybooks are there?": a corpus query's count.
    Count,
    /// "Which programs use SORT?": a corpus query's list.
    List,
    /// "What are the 5 largest programs?": a corpus query in an order.
    Ranking,
    /// "What would be affected if I changed TIM360?": who copies, calls, performs or
    /// references it, transitively, by level.
    Impact,
    /// "What is the longest call chain?" (from the subject, when one is named).
    CallChain,
    /// "Are there call cycles?": programs that call each other, and self-calls.
    Cycles,
    /// "What does PST823 do with its files?": a program's row of the CRUD matrix.
    Crud,
    /// "What options does LPMENU offer?", "What does option 4 of FXMENU run?"
    MenuOptions,
    /// "Which menu path leads to X?": from the main menu down.
    MenuPath,
    /// "What is the application's entry point?": the main menu.
    EntryPoint,
    /// "What fields does screen X have?"
    ScreenFields,
    /// Anything else: answered from search hits.
    Search,
}

impl QuestionKind {
    /// The snake_case name used in records (`question_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Purpose => "purpose",
            Self::Dependencies => "dependencies",
            Self::Copybooks => "copybooks",
            Self::Calls => "calls",
            Self::Callers => "callers",
            Self::CopybookUsers => "copybook_users",
            Self::ProcedureUsers => "procedure_users",
            Self::DataDefinition => "data_definition",
            Self::DataUsage => "data_usage",
            Self::Files => "files",
            Self::Overview => "overview",
            Self::BusinessProcess => "business_process",
            Self::Flow => "flow",
            Self::ScreenFlow => "screen_flow",
            Self::Count => "count",
            Self::List => "list",
            Self::Ranking => "ranking",
            Self::Impact => "impact",
            Self::CallChain => "call_chain",
            Self::Cycles => "cycles",
            Self::Crud => "crud",
            Self::MenuOptions => "menu_options",
            Self::MenuPath => "menu_path",
            Self::EntryPoint => "entry_point",
            Self::ScreenFields => "screen_fields",
            Self::Search => "search",
        }
    }
}

/// What a name is in the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    /// A program (PROGRAM-ID).
    Program,
    /// A copybook member.
    Copybook,
    /// A SECTION (in a program or a copybook).
    Section,
    /// A paragraph.
    Paragraph,
    /// A data item.
    DataItem,
    /// A directory of programs (`FX`) or a library of copybooks (`LIBUP`,
    /// `LIBUP/A15SRC`).
    Directory,
    /// A screen form with no program of its name.
    Screen,
    /// A file a program declares (`SELECT name`).
    File,
}

impl SymbolKind {
    /// A lower-case word for display.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Program => "program",
            Self::Copybook => "copybook",
            Self::Section => "section",
            Self::Paragraph => "paragraph",
            Self::DataItem => "data item",
            Self::Directory => "directory",
            Self::Screen => "screen",
            Self::File => "file",
        }
    }
}

/// Which statements a usage question asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessFilter {
    /// "Where is X modified?": statements that change it.
    Changes,
    /// "Where is X tested?": statements that only read or test it.
    Reads,
}

/// What a question says beyond its kind and subject, parsed once by
/// [`crate::question::classify`]; nothing downstream reads the question's text for them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuestionOptions {
    /// "depth 3", "3 levels deep": how far a flow, tree or impact analysis goes (1-8).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub depth: Option<usize>,
    /// Only the statements that change, or only those that read, a data item.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub access: Option<AccessFilter>,
    /// The question about the codebase as a whole (count, list and ranking kinds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub corpus: Option<CorpusQuery>,
    /// "option 4 of FXMENU": the menu option asked about.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub option: Option<u32>,
}

/// A classified question: its kind, what it is about, and its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeQuestion {
    /// What is asked.
    pub kind: QuestionKind,
    /// The name it is about (upper case), when it names one.
    pub subject: Option<String>,
    /// What the subject is, when the code model knows it.
    pub subject_kind: Option<SymbolKind>,
    /// The options the question states.
    #[serde(default)]
    pub options: QuestionOptions,
    /// The question's own words: only business-process questions rank by them (and
    /// search, which answers from text).
    pub text: String,
}

/// A line of code that proves a fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The file, relative to the corpus.
    pub file: String,
    /// First line, 1-based.
    pub line: u32,
    /// Last line (the same as `line` for a single line).
    pub end_line: u32,
    /// The member (program or copybook) the file holds.
    pub member: Option<String>,
    /// The cited source text.
    pub text: String,
}

/// One element of the answer's list (a copybook, a caller, a reference site, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactItem {
    /// What the item names: a member, a data item, a directory.
    pub name: String,
    /// The group it is shown under (a library, a directory, a role, a verb).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group: Option<ItemGroup>,
    /// A short detail (a PIC clause, a description, a statement).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    /// The file that proves it.
    pub file: String,
    /// The line that proves it.
    pub line: u32,
}

/// The exact facts that answer a [`CodeQuestion`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFacts {
    /// What was asked.
    pub kind: QuestionKind,
    /// The name it is about.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject: Option<String>,
    /// What the subject is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject_kind: Option<SymbolKind>,
    /// The subject's file, when it is a member.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    /// The subject's description (its header), when it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The complete list that answers the question, grouped by `FactItem::group`.
    pub items: Vec<FactItem>,
    /// Further facts as (what, value) pairs: the date written, the directory, counts.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<(Note, String)>,
    /// The lines an answer cites, best first (a few, not one per item).
    pub evidence: Vec<Evidence>,
    /// For flow and screen questions, the graph behind the answer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub graph: Option<Graph>,
    /// The graph drawn (Mermaid and SVG).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagram: Option<Diagram>,
}

/// A node of a flow or screen graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Unique within the graph.
    pub id: String,
    /// What a picture shows.
    pub label: String,
    /// What the node is.
    pub kind: NodeKind,
    /// The file behind the node, when it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    /// The line behind the node.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

/// An edge of a flow or screen graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// Source node id.
    pub from: String,
    /// Target node id.
    pub to: String,
    /// How control moves along it.
    pub kind: EdgeKind,
    /// Text on the edge (a menu option's number and label, `THRU X`, ...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
    /// The file of the statement behind the edge.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    /// Its line.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

/// A flow or screen tree, nodes in order (the entry first).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Graph {
    /// The nodes.
    pub nodes: Vec<GraphNode>,
    /// The edges.
    pub edges: Vec<GraphEdge>,
}

/// A graph drawn two ways by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagram {
    /// A Mermaid `flowchart TD` block's body.
    pub mermaid: String,
    /// A standalone SVG document.
    pub svg: String,
}

impl CodeFacts {
    /// Facts of `kind` with nothing found yet.
    pub fn new(kind: QuestionKind) -> Self {
        Self {
            kind,
            subject: None,
            subject_kind: None,
            file: None,
            description: None,
            items: Vec::new(),
            notes: Vec::new(),
            evidence: Vec::new(),
            graph: None,
            diagram: None,
        }
    }

    /// The value of note `what`.
    pub fn note(&self, what: Note) -> Option<&str> {
        self.notes
            .iter()
            .find(|(n, _)| *n == what)
            .map(|(_, v)| v.as_str())
    }

    /// Adds note `what`.
    pub fn add_note(&mut self, what: Note, value: impl Into<String>) {
        self.notes.push((what, value.into()));
    }
}

/// One value of a query's row.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// A blob, known by its size only.
    Blob(usize),
}

impl fmt::Display for SqlValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("NULL"),
            Self::Integer(n) => write!(f, "{n}"),
            Self::Real(x) => write!(f, "{x}"),
            Self::Text(t) => f.write_str(t),
            Self::Blob(n) => write!(f, "<{n} bytes>"),
        }
    }
}

/// JSON as a reader expects it: null, a number, a string (a blob as `"<n bytes>"`).
impl Serialize for SqlValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_none(),
            Self::Integer(n) => serializer.serialize_i64(*n),
            Self::Real(x) => serializer.serialize_f64(*x),
            Self::Text(t) => serializer.serialize_str(t),
            Self::Blob(_) => serializer.collect_str(self),
        }
    }
}

/// What a read-only query over the code model returned.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SqlRows {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// The rows, at most the row limit.
    pub rows: Vec<Vec<SqlValue>>,
    /// Whether rows past the limit were left out.
    pub truncated: bool,
}

/// What can go wrong asking the code model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// A query is not valid SQL, or names a table or column the model lacks (SQLite's
    /// message).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A query would change something or reach outside the code model: what it tried.
    #[error("query refused: {0} (only reads of the code model are allowed)")]
    QueryRefused(String),
    /// A query ran past its time limit and was stopped.
    #[error("query stopped after {0:?}, its time limit")]
    QueryTimeout(std::time::Duration),
    /// This code model runs no queries ([`CodeModel::schema`] is `None`).
    #[error("this code model runs no queries")]
    NoQueries,
    /// The model's backing store failed.
    #[error("code model failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Exact knowledge of the codebase's structure.
///
/// # Contract
/// - Pure queries: the same model and question give the same facts in the same order.
/// - `facts` answers `Ok(None)` when it has nothing for the question (unknown subject, or
///   a kind it does not answer); then the caller falls back to search hits.
/// - Every [`FactItem`] and [`Evidence`] names a file and line that exist in the corpus.
/// - Names are matched without regard to case; a copybook may be named with its library
///   and extension (`LIBGB/SCREEN.CPY`).
pub trait CodeModel: Send + Sync + fmt::Debug {
    /// What `name` is, when the corpus defines it (a member before a procedure before a
    /// data item when several apply).
    fn identify(&self, name: &str) -> Option<SymbolKind>;

    /// The facts that answer `question`.
    fn facts(&self, question: &CodeQuestion) -> Result<Option<CodeFacts>, CodeError>;

    /// The documented schema of the tables [`query`](Self::query) reads, compact enough
    /// for a prompt (tables, columns, what their values are); `None` when the model runs
    /// no queries.
    fn schema(&self) -> Option<String> {
        None
    }

    /// Runs one read-only SQL statement, with the row and time limits of `otis query`.
    ///
    /// MUST NOT change anything: a statement that would write, change the schema,
    /// attach a database or set a pragma is [`CodeError::QueryRefused`] before it runs.
    /// Invalid SQL is [`CodeError::InvalidQuery`], a run past the time limit
    /// [`CodeError::QueryTimeout`]; rows past the row limit are left out and `truncated`
    /// says so. A model whose [`schema`](Self::schema) is `None` answers
    /// [`CodeError::NoQueries`].
    fn query(&self, sql: &str) -> Result<SqlRows, CodeError> {
        let _ = sql;
        Err(CodeError::NoQueries)
    }
}
