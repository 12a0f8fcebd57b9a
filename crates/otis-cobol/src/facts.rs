//! The facts the reader extracts from one source file. Every fact carries the 1-based
//! line it was read from, so an answer built on it can cite that line.

use serde::{Deserialize, Serialize};

use crate::statements::{Complexity, FileOp, StatementUse};

/// Whether a file is a program (has a PROGRAM-ID) or a copybook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A program: it has a PROGRAM-ID.
    Program,
    /// A copybook: no PROGRAM-ID (working storage, screen parts, sections, ...).
    Copybook,
}

/// Everything read from one file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceFacts {
    /// Program or copybook (`None` only for an empty file).
    pub kind: Option<SourceKind>,
    /// The PROGRAM-ID, upper case, without the period; `None` for a copybook.
    pub program_id: Option<String>,
    /// The header comment block's facts.
    pub header: Header,
    /// COPY statements, in source order.
    pub copies: Vec<Copy>,
    /// CALL sites (static, dynamic through a variable, runtime routines), in source order.
    pub calls: Vec<Call>,
    /// A program named by a literal moved into a form-name / call variable that is not
    /// then called in this file (control returns to a menu or another driver).
    pub transfers: Vec<Transfer>,
    /// `SELECT name ASSIGN TO target` entries.
    pub files: Vec<FileDecl>,
    /// SECTIONs and paragraphs of the procedure division (or of a procedure copybook),
    /// in source order.
    pub procedures: Vec<Procedure>,
    /// PERFORM and GO TO edges, in source order.
    pub edges: Vec<Edge>,
    /// Data items (levels 01-49, 66, 77, 78, 88), in source order.
    pub data_items: Vec<DataItem>,
    /// `FD name` / `SD name` entries of the FILE SECTION (in a program, or in a copybook
    /// that holds them), in source order, each with its level-01 records.
    #[serde(default)]
    pub file_descriptions: Vec<FileDescription>,
    /// The DATA DIVISION's section headers present in the file, in source order.
    #[serde(default)]
    pub data_sections: Vec<DataSection>,
    /// References to identifiers in procedure statements, in source order.
    pub refs: Vec<DataRef>,
    /// The identifiers `refs` name, each once (`DataRef::name` indexes it).
    pub ref_names: Vec<String>,
    /// Procedure statements by kind: one entry per kind present, in kind order (counted
    /// after PROCEDURE DIVISION, or over the whole of a procedure copybook; never in
    /// comments or literals).
    #[serde(default)]
    pub statements: Vec<StatementUse>,
    /// Decision points and IF nesting of the procedure code.
    #[serde(default)]
    pub complexity: Complexity,
    /// OPEN, CLOSE, READ, WRITE, REWRITE, DELETE, START, SORT, MERGE, RELEASE and RETURN
    /// operations, in source order.
    #[serde(default)]
    pub file_ops: Vec<FileOp>,
    /// Lines in the file.
    pub lines: u32,
}

/// Facts from the comment block at the top of a file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Header {
    /// What the program is for: the `DESCRIPTION:` / `DESC:` text (continuation lines
    /// joined with one space), else the first free title line of the header block
    /// (`*   FIXIT MENU`). Trimmed, single-spaced.
    pub description: Option<String>,
    /// The line the description starts on.
    pub description_line: Option<u32>,
    /// `DIR:` / `DIRECTORY:` / the `(FX)` marker, when the header names one.
    pub directory: Option<String>,
    /// `IDENTIFICATION:` value, e.g. `FX/FIXSPR.C`.
    pub identification: Option<String>,
    /// `DATE-WRITTEN.` value without the trailing period.
    pub date_written: Option<String>,
    /// `date_written` as an ISO date (`YYYY-MM-DD`), when it writes a possible date:
    /// `10-14-2020`, `10/09/2019`, `1/27/84`, `20160923`, `2007-1004`, or six digits read
    /// as `MMDDYY` (the way these paragraphs write them; `YYMMDD` only when `MMDDYY` is
    /// no date). Two-digit years 50-99 are 19xx, 00-49 20xx.
    #[serde(default)]
    pub date_written_iso: Option<String>,
    /// Revision lines under `REV:` (each line's text, trimmed), in order.
    pub revisions: Vec<Revision>,
}

/// One revision-history line of a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// Line number.
    pub line: u32,
    /// Its text, without the comment marker, trimmed.
    pub text: String,
    /// The date the line carries, as ISO `YYYY-MM-DD`: its first word, or its second
    /// after initials or `???` (`BAH 151120 ...`, `180305 BLM ...`, `KEC 2018.0423 ...`,
    /// `JKC 2020-0817 ...`, `BAH 20200827 ...`, `02/12/2020 BAH ...`). Six digits read
    /// as `YYMMDD`, else `MMDDYY` (`101794`): headers wrote `MMDDYY` until about 1999
    /// and `YYMMDD` after, so a six-digit date valid both ways is read as the later
    /// style. Two-digit years 50-99 are 19xx, 00-49 20xx. `None` for a continuation
    /// line or an impossible date (month 13).
    #[serde(default)]
    pub date: Option<String>,
}

/// `COPY "LIBGB/SCREEN.CPY".`, `COPY SCREEN.`, `COPY SCREEN OF LIB`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Copy {
    /// The member, upper case, without library and extension: `SCREEN`.
    pub member: String,
    /// The library, upper case: `LIBGB` (from `LIBGB/...` or `OF LIBGB`), if given.
    pub library: Option<String>,
    /// The text as written between the quotes (or the bare name): `LIBGB/SCREEN.CPY`.
    pub path: String,
    /// Line of the COPY statement.
    pub line: u32,
    /// Whether the COPY stands in the procedure division (a procedure copybook).
    pub in_procedure: bool,
}

/// How a CALL names what it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallKind {
    /// `CALL "NAME"`: a literal program name.
    Static,
    /// `CALL VAR` where a literal moved into VAR (or into the form name it is built from,
    /// `MOVE "LP/LONPF2" TO FORM-NAM` then `CALL FORM-PROGX`) reaches the call.
    Dynamic,
    /// A runtime library routine: `C$*`, `CBL_*`, `SQL$*`, `SYSTEM`, ...
    Runtime,
}

/// One program a file calls, at one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The program, upper case, without directory: `LONPF2`.
    pub target: String,
    /// The literal as written when it carries a directory: `LP/LONPF2`.
    pub path: Option<String>,
    /// Static, dynamic or runtime.
    pub kind: CallKind,
    /// Line of the `CALL` statement.
    pub line: u32,
    /// For a dynamic call, the line of the `MOVE` that set the target.
    pub set_line: Option<u32>,
    /// For a dynamic call, the variable called (`FORM-PROGX`).
    pub via: Option<String>,
    /// The procedure (paragraph, else section) the CALL stands in, when known. For a
    /// dynamic call, the procedure of the MOVE that names the program (for a menu, the
    /// option's paragraph `M01`, not the shared `RUN-PROG` that calls).
    pub from: Option<String>,
}

/// A program named by a form-name move that is not called here (menu return, chaining).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// The program, upper case, without directory.
    pub target: String,
    /// The literal as written: `LP/LPMENU`.
    pub path: Option<String>,
    /// Line of the MOVE.
    pub line: u32,
    /// The procedure the MOVE stands in, when known.
    pub from: Option<String>,
}

/// `SELECT name ASSIGN TO target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDecl {
    /// The file's name in the program, upper case.
    pub name: String,
    /// What it is assigned to, without quotes.
    pub assign: String,
    /// Line of the SELECT.
    pub line: u32,
}

/// Whether a file description is an `FD` or a sort-merge `SD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FdKind {
    /// `FD name`: a file.
    Fd,
    /// `SD name`: a sort or merge work file.
    Sd,
}

impl FdKind {
    /// The COBOL word: `FD` or `SD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fd => "FD",
            Self::Sd => "SD",
        }
    }
}

impl std::fmt::Display for FdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `FD name` or `SD name` and the records described under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDescription {
    /// The file's name, upper case (the name its SELECT gives).
    pub name: String,
    /// FD or SD.
    pub kind: FdKind,
    /// Line of the `FD` / `SD`.
    pub line: u32,
    /// The level-01 items that follow it in this file, up to the next FD / SD or
    /// section header, upper case, in order (empty when the record layout is copied in
    /// from another copybook).
    #[serde(default)]
    pub records: Vec<String>,
}

/// A section of the DATA DIVISION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSectionKind {
    /// `FILE SECTION`
    File,
    /// `WORKING-STORAGE SECTION`
    WorkingStorage,
    /// `LOCAL-STORAGE SECTION`
    LocalStorage,
    /// `LINKAGE SECTION`
    Linkage,
    /// `SCREEN SECTION`
    Screen,
    /// `REPORT SECTION`
    Report,
    /// `COMMUNICATION SECTION`
    Communication,
}

impl DataSectionKind {
    /// Every kind, in order.
    pub const ALL: &'static [DataSectionKind] = &[
        Self::File,
        Self::WorkingStorage,
        Self::LocalStorage,
        Self::Linkage,
        Self::Screen,
        Self::Report,
        Self::Communication,
    ];

    /// The section header's words: `WORKING-STORAGE SECTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "FILE SECTION",
            Self::WorkingStorage => "WORKING-STORAGE SECTION",
            Self::LocalStorage => "LOCAL-STORAGE SECTION",
            Self::Linkage => "LINKAGE SECTION",
            Self::Screen => "SCREEN SECTION",
            Self::Report => "REPORT SECTION",
            Self::Communication => "COMMUNICATION SECTION",
        }
    }

    /// The kind a section name (upper case, without `SECTION`) is.
    pub(crate) fn from_word(w: &str) -> Option<Self> {
        Some(match w {
            "FILE" => Self::File,
            "WORKING-STORAGE" => Self::WorkingStorage,
            "LOCAL-STORAGE" => Self::LocalStorage,
            "LINKAGE" => Self::Linkage,
            "SCREEN" => Self::Screen,
            "REPORT" => Self::Report,
            "COMMUNICATION" => Self::Communication,
            _ => return None,
        })
    }
}

impl std::fmt::Display for DataSectionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A DATA DIVISION section header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSection {
    /// Which section.
    pub kind: DataSectionKind,
    /// Line of the header.
    pub line: u32,
}

/// Section or paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProcKind {
    /// `NAME SECTION.`
    Section,
    /// `NAME.` in area A of the procedure division.
    Paragraph,
}

/// A SECTION or paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    /// Its name, upper case.
    pub name: String,
    /// Section or paragraph.
    pub kind: ProcKind,
    /// The line of its header.
    pub line: u32,
    /// The last line before the next procedure header (or the end of the file).
    pub end_line: u32,
    /// For a paragraph, the section it stands in, if any.
    pub section: Option<String>,
}

/// How control moves to a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// `PERFORM X` or `PERFORM X THRU Y` (then `thru` is set).
    Perform,
    /// `GO TO X` (each target of `GO TO A B C DEPENDING ON V` is one edge).
    GoTo,
}

/// A PERFORM or GO TO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    /// The procedure the statement stands in (`None` before the first procedure header).
    pub from: Option<String>,
    /// The target procedure, upper case.
    pub target: String,
    /// `PERFORM X THRU Y`: Y.
    pub thru: Option<String>,
    /// PERFORM or GO TO.
    pub kind: EdgeKind,
    /// Line of the statement.
    pub line: u32,
}

/// One data description entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataItem {
    /// Level number: 1-49, 66, 77, 78 or 88.
    pub level: u8,
    /// Its name, upper case (`FILLER` items are left out).
    pub name: String,
    /// Line of the entry.
    pub line: u32,
    /// The group it belongs to (the nearest enclosing item with a lower level; for an 88,
    /// the item it is a condition of), within this file.
    pub parent: Option<String>,
    /// `PIC` / `PICTURE` clause, as written (`X(40)`, `S9(7)V99`).
    pub pic: Option<String>,
    /// `OCCURS` clause's count (`10`, `1 TO 50`), as written.
    pub occurs: Option<String>,
    /// `REDEFINES` target, upper case.
    pub redefines: Option<String>,
    /// `USAGE` (`COMP-3`, `COMP`, `BINARY`, ...), when given.
    pub usage: Option<String>,
    /// `VALUE` clause, as written (first line only), when given.
    pub value: Option<String>,
}

/// How a statement uses an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// The statement changes it (`MOVE ... TO X`, `ADD ... TO X`, `COMPUTE X =`, `SET X`,
    /// `READ ... INTO X`, `ACCEPT X`, `INITIALIZE X`, `STRING ... INTO X`, ...).
    Write,
    /// The statement only reads or tests it.
    Read,
}

impl SourceFacts {
    /// The identifier a reference names.
    pub fn ref_name(&self, r: &DataRef) -> &str {
        self.ref_names
            .get(r.name as usize)
            .map_or("", String::as_str)
    }
}

/// A statement's verb, in one byte: `MOVE`, `IF`, `COMPUTE`, `ADD`, `SET`, `EVALUATE`,
/// `READ`, `WRITE`, `DISPLAY`, `CALL`, `PERFORM`, `EXEC`, ... (a corpus holds millions of
/// references, so each is kept small).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Verb(u8);

impl Verb {
    /// The verb `word` names (upper case); an unknown word is `OTHER`.
    pub fn new(word: &str) -> Self {
        Self(crate::words::verb_code(word))
    }

    /// Its name, upper case.
    pub fn as_str(self) -> &'static str {
        crate::words::verb_name(self.0)
    }
}

impl std::fmt::Debug for Verb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Verb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Verb {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One reference to an identifier in a procedure statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRef {
    /// The identifier (upper case, qualifiers and subscripts dropped), as an index into
    /// [`SourceFacts::ref_names`]; [`SourceFacts::ref_name`] gives it.
    pub name: u32,
    /// The statement's verb (an `UNTIL`/`VARYING` operand's verb is `PERFORM`).
    pub verb: Verb,
    /// Read or written.
    pub access: Access,
    /// Line of the reference.
    pub line: u32,
}
