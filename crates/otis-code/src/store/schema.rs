//! The code model's tables: one SQLite file beside the search index. `docs/code-model.md`
//! documents every table and column for `otis query`; keep the two in step.

/// Bumped whenever a table or column changes: an index of another version is rebuilt
/// from scratch.
pub(crate) const VERSION: i64 = 1;

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

CREATE VIEW data_refs AS
    SELECT r.file_id, f.path, f.member, n.name AS item, r.verb, r.writes, r.line
    FROM refs r JOIN names n ON n.id = r.name_id JOIN files f ON f.id = r.file_id;
";

/// The lookups every question kind makes.
pub(crate) const INDEXES: &str = r"
CREATE INDEX IF NOT EXISTS files_member ON files (member);
CREATE INDEX IF NOT EXISTS copies_member ON copies (member);
CREATE INDEX IF NOT EXISTS copies_target ON copies (target_id);
CREATE INDEX IF NOT EXISTS calls_target ON calls (target);
CREATE INDEX IF NOT EXISTS transfers_target ON transfers (target);
CREATE INDEX IF NOT EXISTS selects_name ON selects (name);
CREATE INDEX IF NOT EXISTS procedures_name ON procedures (name);
CREATE INDEX IF NOT EXISTS performs_target ON performs (target);
CREATE INDEX IF NOT EXISTS performs_thru ON performs (thru) WHERE thru IS NOT NULL;
CREATE INDEX IF NOT EXISTS data_items_name ON data_items (name);
CREATE INDEX IF NOT EXISTS refs_name ON refs (name_id);
CREATE INDEX IF NOT EXISTS forms_name ON forms (name);
";

/// Tables a file's rows live in (deleted together when the file changes or goes).
pub(crate) const PER_FILE: &[&str] = &[
    "revisions",
    "copies",
    "calls",
    "transfers",
    "selects",
    "procedures",
    "performs",
    "data_items",
    "refs",
    "forms",
    "form_options",
    "form_keys",
];
