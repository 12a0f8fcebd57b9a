//! The code model's tables: one SQLite file beside the search index. `docs/code-model.md`
//! documents every table and column for `otis query`; keep the two in step.

/// Bumped whenever a table or column changes: an index of another version is rebuilt
/// from scratch.
pub(crate) const VERSION: i64 = 6;

/// What the store's `meta` row `version` holds: the tables' version and the COBOL
/// reader's ([`otis_cobol::READER_VERSION`]). A store written by another reader is
/// rebuilt from scratch, as one of another layout is.
pub(crate) fn version() -> String {
    format!("{VERSION}.{}", otis_cobol::READER_VERSION)
}

/// Tables first (written while the build walks), indexes after (a fresh build creates
/// them once, after the bulk insert).
pub(crate) const TABLES: &str = r"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE files (
    id               INTEGER PRIMARY KEY,
    path             TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    member           TEXT NOT NULL,
    directory        TEXT NOT NULL,
    folder           TEXT NOT NULL,
    program_id       TEXT,
    lines            INTEGER NOT NULL,
    description      TEXT,
    description_line INTEGER,
    header_directory TEXT,
    identification   TEXT,
    date_written     TEXT,
    date_written_iso TEXT,
    decisions        INTEGER NOT NULL DEFAULT 0,
    if_depth         INTEGER NOT NULL DEFAULT 0,
    size             INTEGER NOT NULL,
    modified_ns      INTEGER NOT NULL,
    chunks           INTEGER NOT NULL,
    search           TEXT
);

CREATE TABLE revisions (
    file_id INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    line    INTEGER NOT NULL,
    text    TEXT NOT NULL,
    date    TEXT,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE copies (
    file_id      INTEGER NOT NULL,
    ord          INTEGER NOT NULL,
    member       TEXT NOT NULL,
    library      TEXT,
    path         TEXT NOT NULL,
    line         INTEGER NOT NULL,
    in_procedure INTEGER NOT NULL,
    target_id    INTEGER,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE calls (
    file_id   INTEGER NOT NULL,
    ord       INTEGER NOT NULL,
    target    TEXT NOT NULL,
    path      TEXT,
    kind      TEXT NOT NULL,
    line      INTEGER NOT NULL,
    set_line  INTEGER,
    via       TEXT,
    from_proc TEXT,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE transfers (
    file_id   INTEGER NOT NULL,
    ord       INTEGER NOT NULL,
    target    TEXT NOT NULL,
    path      TEXT,
    line      INTEGER NOT NULL,
    from_proc TEXT,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE selects (
    file_id INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    assign  TEXT NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE procedures (
    file_id  INTEGER NOT NULL,
    ord      INTEGER NOT NULL,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    line     INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    section  TEXT,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE program_words (
    file_id INTEGER NOT NULL,
    field   INTEGER NOT NULL,
    stem    TEXT NOT NULL,
    PRIMARY KEY (file_id, field, stem)
) WITHOUT ROWID;

CREATE TABLE performs (
    file_id   INTEGER NOT NULL,
    ord       INTEGER NOT NULL,
    from_proc TEXT,
    target    TEXT NOT NULL,
    thru      TEXT,
    kind      TEXT NOT NULL,
    line      INTEGER NOT NULL,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE data_items (
    file_id   INTEGER NOT NULL,
    ord       INTEGER NOT NULL,
    level     INTEGER NOT NULL,
    name      TEXT NOT NULL,
    line      INTEGER NOT NULL,
    parent    TEXT,
    pic       TEXT,
    occurs    TEXT,
    redefines TEXT,
    usage     TEXT,
    value     TEXT,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE refs (
    file_id INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    name_id INTEGER NOT NULL,
    verb    TEXT NOT NULL,
    writes  INTEGER NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE forms (
    file_id    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    title      TEXT,
    title_line INTEGER
);

CREATE TABLE form_options (
    file_id INTEGER NOT NULL,
    number  INTEGER NOT NULL,
    label   TEXT NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, number)
) WITHOUT ROWID;

CREATE TABLE form_keys (
    file_id INTEGER NOT NULL,
    key     INTEGER NOT NULL,
    label   TEXT NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, key)
) WITHOUT ROWID;

CREATE TABLE statements (
    file_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    count      INTEGER NOT NULL,
    first_line INTEGER NOT NULL,
    PRIMARY KEY (file_id, kind)
) WITHOUT ROWID;

CREATE TABLE file_ops (
    file_id   INTEGER NOT NULL,
    ord       INTEGER NOT NULL,
    op        TEXT NOT NULL,
    target    TEXT NOT NULL,
    line      INTEGER NOT NULL,
    from_proc TEXT,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE file_descriptions (
    file_id INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE fd_records (
    file_id INTEGER NOT NULL,
    fd_ord  INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    record  TEXT NOT NULL,
    PRIMARY KEY (file_id, fd_ord, ord)
) WITHOUT ROWID;

CREATE TABLE data_sections (
    file_id INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE form_fields (
    file_id INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    picture TEXT NOT NULL,
    row     INTEGER NOT NULL,
    col     INTEGER NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE form_prompts (
    file_id INTEGER NOT NULL,
    ord     INTEGER NOT NULL,
    text    TEXT NOT NULL,
    row     INTEGER NOT NULL,
    col     INTEGER NOT NULL,
    line    INTEGER NOT NULL,
    PRIMARY KEY (file_id, ord)
) WITHOUT ROWID;

CREATE TABLE copy_closure (
    program_id   INTEGER NOT NULL,
    copybook_id  INTEGER NOT NULL,
    via_id       INTEGER NOT NULL,
    in_procedure INTEGER NOT NULL,
    PRIMARY KEY (program_id, copybook_id)
) WITHOUT ROWID;

CREATE VIEW program_calls AS
    SELECT c.file_id AS program_id, c.target, c.kind, c.file_id, c.line, c.set_line
    FROM calls c JOIN files f ON f.id = c.file_id
    WHERE f.kind = 'program' AND c.kind <> 'runtime'
    UNION ALL
    SELECT cl.program_id, c.target, c.kind, c.file_id, c.line, c.set_line
    FROM copy_closure cl JOIN calls c ON c.file_id = cl.copybook_id
    WHERE c.kind <> 'runtime';

CREATE VIEW data_refs AS
    SELECT r.file_id, f.path, f.member, n.name AS item, r.verb, r.writes, r.line
    FROM refs r JOIN names n ON n.id = r.name_id JOIN files f ON f.id = r.file_id;
";

/// The lookups every question kind makes.
pub(crate) const INDEXES: &str = r"
CREATE INDEX IF NOT EXISTS files_member ON files (member);
CREATE INDEX IF NOT EXISTS program_words_stem ON program_words (stem);
CREATE INDEX IF NOT EXISTS files_program_id ON files (program_id) WHERE program_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS copies_member ON copies (member);
CREATE INDEX IF NOT EXISTS copies_target ON copies (target_id);
CREATE INDEX IF NOT EXISTS calls_target ON calls (target);
CREATE INDEX IF NOT EXISTS transfers_target ON transfers (target);
CREATE INDEX IF NOT EXISTS selects_name ON selects (name);
CREATE INDEX IF NOT EXISTS procedures_name ON procedures (name);
CREATE INDEX IF NOT EXISTS performs_target ON performs (target);
CREATE INDEX IF NOT EXISTS performs_thru ON performs (thru) WHERE thru IS NOT NULL;
CREATE INDEX IF NOT EXISTS performs_goto ON performs (file_id, line, from_proc) WHERE kind = 'goto';
CREATE INDEX IF NOT EXISTS data_items_name ON data_items (name);
CREATE INDEX IF NOT EXISTS refs_name ON refs (name_id, file_id, line, writes, verb);
CREATE INDEX IF NOT EXISTS forms_name ON forms (name);
CREATE INDEX IF NOT EXISTS statements_kind ON statements (kind);
CREATE INDEX IF NOT EXISTS file_ops_target ON file_ops (target);
CREATE INDEX IF NOT EXISTS fd_name ON file_descriptions (name);
CREATE INDEX IF NOT EXISTS fd_records_record ON fd_records (record);
CREATE INDEX IF NOT EXISTS copy_closure_copybook ON copy_closure (copybook_id);
";

/// Tables a file's rows live in (deleted together when the file changes or goes).
pub(crate) const PER_FILE: &[&str] = &[
    "revisions",
    "copies",
    "calls",
    "transfers",
    "selects",
    "procedures",
    "program_words",
    "performs",
    "data_items",
    "refs",
    "forms",
    "form_options",
    "form_keys",
    "statements",
    "file_ops",
    "file_descriptions",
    "fd_records",
    "data_sections",
    "form_fields",
    "form_prompts",
];
