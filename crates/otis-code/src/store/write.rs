//! Writing the store: one build at a time, incremental and atomic.
//!
//! A build whose store already exists (same format, same corpus) updates it in one
//! transaction: unchanged files keep their rows, changed files have theirs replaced,
//! vanished files lose theirs, then the cross-file links are recomputed. Readers go on
//! reading the previous state until the commit (the file is in WAL mode), and a build
//! that fails or is killed commits nothing.
//!
//! A first build, or one over a store of another format or corpus, writes a new
//! generation file (`code-<n>.db`) with no journal and switches the pointer file
//! (`code.current`) to it by an atomic rename once it is complete; until then the
//! previous generation stays current.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use otis_cobol::{Access, CallKind, EdgeKind, Form, ProcKind, SourceFacts, SourceKind};
use rusqlite::{Connection, OptionalExtension, params};

use super::error::StoreError;
use super::paths::{POINTER, current_path, generation_path};
use super::schema;
use crate::names::{directory, folder, stem};

/// What the previous build recorded of a file.
#[derive(Debug, Clone, Copy)]
struct Known {
    id: i64,
    size: u64,
    modified_ns: u64,
}

/// A file's bookkeeping: where it is, its size and time (to notice changes), and what
/// the search side keeps of it.
#[derive(Debug, Clone, Copy)]
pub struct FileMeta<'a> {
    /// Path relative to the corpus, with `/`.
    pub path: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified_ns: u64,
    /// Search chunks written for it.
    pub chunks: u32,
    /// The retriever's facts of the file, serialised (opaque to the store).
    pub search: Option<&'a str>,
}

/// What a finished build changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteReport {
    /// Files whose rows were written.
    pub written: usize,
    /// Files whose rows were removed.
    pub removed: usize,
    /// Whether the store was written from scratch.
    pub fresh: bool,
}

/// A build of the store in progress. Dropping it without [`StoreWriter::finish`] leaves
/// the previous store as it was.
#[derive(Debug)]
pub struct StoreWriter {
    conn: Connection,
    dir: PathBuf,
    /// The new generation, for a fresh build to a folder: made current by `finish`.
    generation: Option<u64>,
    /// Whether the store is written from scratch.
    fresh: bool,
    known: HashMap<String, Known>,
    touched: HashSet<i64>,
    names: HashMap<String, i64>,
    report: WriteReport,
}

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::Sql(e)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Deletes a file's rows from every table that holds them.
fn delete_rows(conn: &Connection, id: i64) -> Result<(), StoreError> {
    for table in schema::PER_FILE {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE file_id = ?1"))
            .and_then(|mut s| s.execute([id]))
            .map_err(sql)?;
    }
    Ok(())
}

/// Inserts one row per item with the (cached) prepared `statement`.
fn insert<T>(
    conn: &Connection,
    statement: &str,
    items: impl IntoIterator<Item = T>,
    bind: impl Fn(&mut rusqlite::CachedStatement<'_>, T) -> rusqlite::Result<usize>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(statement).map_err(sql)?;
    for item in items {
        bind(&mut stmt, item).map_err(sql)?;
    }
    Ok(())
}

fn num(n: u32) -> i64 {
    i64::from(n)
}

fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn kind_name(kind: Option<SourceKind>) -> &'static str {
    match kind {
        Some(SourceKind::Program) => "program",
        Some(SourceKind::Copybook) => "copybook",
        None => "empty",
    }
}

pub(crate) fn call_kind_name(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Static => "static",
        CallKind::Dynamic => "dynamic",
        CallKind::Runtime => "runtime",
    }
}

pub(crate) fn proc_kind_name(kind: ProcKind) -> &'static str {
    match kind {
        ProcKind::Section => "section",
        ProcKind::Paragraph => "paragraph",
    }
}

pub(crate) fn edge_kind_name(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Perform => "perform",
        EdgeKind::GoTo => "goto",
    }
}

impl StoreWriter {
    /// Starts a build of the store in `dir` for `corpus`: an update of the current store
    /// when it is of this format and corpus, else a fresh one.
    pub fn open(dir: &Path, corpus: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let corpus_text = corpus.to_string_lossy().into_owned();
        if let Some(path) = current_path(dir)
            && let Ok(conn) = Connection::open(&path)
            && let Ok(Some(writer)) = Self::update(conn, dir, &corpus_text)
        {
            return Ok(writer);
        }
        Self::fresh(dir, &corpus_text)
    }

    /// Starts a build of the store in `dir` for `corpus` from scratch, whatever is there.
    pub fn create(dir: &Path, corpus: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        Self::fresh(dir, &corpus.to_string_lossy())
    }

    /// The current store, opened for an update, when it is of this format and corpus.
    fn update(conn: Connection, dir: &Path, corpus: &str) -> Result<Option<Self>, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql)?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        let stored_corpus: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'corpus'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        if version != Some(schema::version()) || stored_corpus.as_deref() != Some(corpus) {
            return Ok(None);
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
        let mut known = HashMap::new();
        {
            let mut stmt = conn
                .prepare("SELECT id, path, size, modified_ns FROM files")
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(1)?,
                        Known {
                            id: r.get(0)?,
                            size: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                            modified_ns: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                        },
                    ))
                })
                .map_err(sql)?;
            for row in rows {
                let (path, k) = row.map_err(sql)?;
                known.insert(path, k);
            }
        }
        Ok(Some(Self {
            conn,
            dir: dir.to_owned(),
            generation: None,
            fresh: false,
            known,
            touched: HashSet::new(),
            names: HashMap::new(),
            report: WriteReport::default(),
        }))
    }

    fn fresh(dir: &Path, corpus: &str) -> Result<Self, StoreError> {
        let generation = next_generation(dir);
        let path = generation_path(dir, generation);
        remove_store_files(&path);
        let conn = Connection::open(&path).map_err(sql)?;
        // A new file nobody reads yet: no journal; `finish` makes it current.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -131072; \
             PRAGMA temp_store = MEMORY; PRAGMA threads = 2;",
        )
        .map_err(sql)?;
        conn.execute_batch(schema::TABLES).map_err(sql)?;
        conn.execute_batch("BEGIN").map_err(sql)?;
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('version', ?1), ('corpus', ?2)",
            params![schema::version(), corpus],
        )
        .map_err(sql)?;
        Ok(Self {
            conn,
            dir: dir.to_owned(),
            generation: Some(generation),
            fresh: true,
            known: HashMap::new(),
            touched: HashSet::new(),
            names: HashMap::new(),
            report: WriteReport {
                fresh: true,
                ..WriteReport::default()
            },
        })
    }

    /// A store written from scratch into `conn` (an in-memory database).
    pub(crate) fn in_memory(conn: Connection) -> Result<Self, StoreError> {
        conn.execute_batch(schema::TABLES).map_err(sql)?;
        conn.execute_batch("BEGIN").map_err(sql)?;
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('version', ?1)",
            [schema::version()],
        )
        .map_err(sql)?;
        Ok(Self {
            conn,
            dir: PathBuf::new(),
            generation: None,
            fresh: true,
            known: HashMap::new(),
            touched: HashSet::new(),
            names: HashMap::new(),
            report: WriteReport {
                fresh: true,
                ..WriteReport::default()
            },
        })
    }

    /// Whether this build writes the store from scratch.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Whether `path` is recorded with this size and time; if so it is kept as it is.
    pub fn unchanged(&mut self, path: &str, size: u64, modified_ns: u64) -> bool {
        match self.known.get(path) {
            Some(k) if k.size == size && k.modified_ns == modified_ns => {
                self.touched.insert(k.id);
                true
            }
            _ => false,
        }
    }

    /// Chunks the previous build recorded for an unchanged file.
    pub fn chunks_of(&self, path: &str) -> Result<u32, StoreError> {
        let Some(k) = self.known.get(path) else {
            return Ok(0);
        };
        let n: i64 = self
            .conn
            .query_row("SELECT chunks FROM files WHERE id = ?1", [k.id], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        Ok(u32::try_from(n).unwrap_or(0))
    }

    /// The file's row, replacing what an earlier build wrote for it; returns its id.
    #[allow(clippy::too_many_arguments)]
    fn file_row(
        &mut self,
        meta: &FileMeta<'_>,
        kind: &str,
        member: &str,
        program_id: Option<&str>,
        lines: u32,
        header: Option<&otis_cobol::Header>,
        complexity: Option<&otis_cobol::Complexity>,
    ) -> Result<i64, StoreError> {
        self.report.written += 1;
        let existing = self.known.get(meta.path).map(|k| k.id);
        if let Some(id) = existing {
            delete_rows(&self.conn, id)?;
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT OR REPLACE INTO files (id, path, kind, member, directory, folder, \
                 program_id, lines, description, description_line, header_directory, \
                 identification, date_written, date_written_iso, size, modified_ns, chunks, \
                 search, decisions, if_depth) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
                 ?18, ?19, ?20)",
            )
            .map_err(sql)?;
        stmt.execute(params![
            existing,
            meta.path,
            kind,
            member,
            directory(meta.path),
            folder(meta.path),
            program_id,
            num(lines),
            header.and_then(|h| h.description.as_deref()),
            header.and_then(|h| h.description_line).map(num),
            header.and_then(|h| h.directory.as_deref()),
            header.and_then(|h| h.identification.as_deref()),
            header.and_then(|h| h.date_written.as_deref()),
            header.and_then(|h| h.date_written_iso.as_deref()),
            big(meta.size),
            big(meta.modified_ns),
            num(meta.chunks),
            meta.search,
            complexity.map_or(0, |c| num(c.decisions)),
            complexity.map_or(0, |c| num(c.max_if_depth)),
        ])
        .map_err(sql)?;
        let id = existing.unwrap_or_else(|| self.conn.last_insert_rowid());
        self.touched.insert(id);
        Ok(id)
    }

    /// A document (prose): only its bookkeeping.
    pub fn put_document(&mut self, meta: &FileMeta<'_>, lines: u32) -> Result<(), StoreError> {
        self.file_row(meta, "document", &stem(meta.path), None, lines, None, None)?;
        Ok(())
    }

    /// A screen form file and what the reader found in it.
    pub fn put_form(
        &mut self,
        meta: &FileMeta<'_>,
        lines: u32,
        form: &Form,
    ) -> Result<(), StoreError> {
        let name = meta
            .path
            .rsplit('/')
            .next()
            .unwrap_or(meta.path)
            .to_ascii_uppercase();
        let id = self.file_row(meta, "form", &name, None, lines, None, None)?;
        let c = &self.conn;
        insert(
            c,
            "INSERT INTO forms (file_id, name, title, title_line) VALUES (?1, ?2, ?3, ?4)",
            [form],
            |s, f| s.execute(params![id, name, f.title, f.title_line.map(num)]),
        )?;
        insert(
            c,
            "INSERT OR IGNORE INTO form_options (file_id, number, label, line) \
             VALUES (?1, ?2, ?3, ?4)",
            &form.options,
            |s, o| s.execute(params![id, num(o.number), o.label, num(o.line)]),
        )?;
        insert(
            c,
            "INSERT OR IGNORE INTO form_keys (file_id, key, label, line) VALUES (?1, ?2, ?3, ?4)",
            &form.keys,
            |s, k| s.execute(params![id, num(k.key), k.label, num(k.line)]),
        )?;
        insert(
            c,
            "INSERT INTO form_fields (file_id, ord, name, value, picture, row, col, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            form.fields.iter().enumerate(),
            |s, (j, f)| {
                s.execute(params![
                    id,
                    j,
                    f.name,
                    f.value,
                    f.picture,
                    num(f.row),
                    num(f.column),
                    num(f.line)
                ])
            },
        )?;
        insert(
            c,
            "INSERT INTO form_prompts (file_id, ord, text, row, col, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            form.prompts.iter().enumerate(),
            |s, (j, p)| {
                s.execute(params![
                    id,
                    j,
                    p.text,
                    num(p.row),
                    num(p.column),
                    num(p.line)
                ])
            },
        )
    }

    /// A program or copybook and the reader's facts of it.
    pub fn put_source(
        &mut self,
        meta: &FileMeta<'_>,
        facts: &SourceFacts,
    ) -> Result<(), StoreError> {
        // A program is its file: it is named by the file, whatever its PROGRAM-ID says
        // (two files may carry the same PROGRAM-ID; `program_id` keeps it).
        let member = stem(meta.path);
        let id = self.file_row(
            meta,
            kind_name(facts.kind),
            &member,
            facts.program_id.as_deref(),
            facts.lines,
            Some(&facts.header),
            Some(&facts.complexity),
        )?;
        let c = &self.conn;
        insert(
            c,
            "INSERT INTO revisions (file_id, ord, line, text, date) VALUES (?1, ?2, ?3, ?4, ?5)",
            facts.header.revisions.iter().enumerate(),
            |s, (j, r)| s.execute(params![id, j, num(r.line), r.text, r.date]),
        )?;
        insert(
            c,
            "INSERT INTO copies (file_id, ord, member, library, path, line, in_procedure) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            facts.copies.iter().enumerate(),
            |s, (j, x)| {
                s.execute(params![
                    id,
                    j,
                    x.member,
                    x.library,
                    x.path,
                    num(x.line),
                    x.in_procedure
                ])
            },
        )?;
        insert(
            c,
            "INSERT INTO calls (file_id, ord, target, path, kind, line, set_line, via, from_proc) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            facts.calls.iter().enumerate(),
            |s, (j, x)| {
                s.execute(params![
                    id,
                    j,
                    x.target,
                    x.path,
                    call_kind_name(x.kind),
                    num(x.line),
                    x.set_line.map(num),
                    x.via,
                    x.from
                ])
            },
        )?;
        insert(
            c,
            "INSERT INTO transfers (file_id, ord, target, path, line, from_proc) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            facts.transfers.iter().enumerate(),
            |s, (j, x)| s.execute(params![id, j, x.target, x.path, num(x.line), x.from]),
        )?;
        insert(
            c,
            "INSERT INTO selects (file_id, ord, name, assign, line) VALUES (?1, ?2, ?3, ?4, ?5)",
            facts.files.iter().enumerate(),
            |s, (j, x)| s.execute(params![id, j, x.name, x.assign, num(x.line)]),
        )?;
        insert(
            c,
            "INSERT INTO procedures (file_id, ord, name, kind, line, end_line, section) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            facts.procedures.iter().enumerate(),
            |s, (j, x)| {
                s.execute(params![
                    id,
                    j,
                    x.name,
                    proc_kind_name(x.kind),
                    num(x.line),
                    num(x.end_line),
                    x.section
                ])
            },
        )?;
        if facts.kind == Some(SourceKind::Program) {
            // The words business-process questions are matched with: the description
            // and name (field 0), the section and paragraph names (field 1).
            let description = format!(
                "{} {member}",
                facts.header.description.as_deref().unwrap_or_default()
            );
            let names: Vec<&str> = facts.procedures.iter().map(|p| p.name.as_str()).collect();
            let words = crate::words::stems(&description)
                .into_iter()
                .map(|w| (0, w))
                .chain(
                    crate::words::stems(&names.join(" "))
                        .into_iter()
                        .filter(|w| !w.bytes().all(|b| b.is_ascii_digit()))
                        .map(|w| (1, w)),
                );
            insert(
                c,
                "INSERT OR IGNORE INTO program_words (file_id, field, stem) VALUES (?1, ?2, ?3)",
                words,
                |s, (field, w)| s.execute(params![id, field, w]),
            )?;
        }
        insert(
            c,
            "INSERT INTO performs (file_id, ord, from_proc, target, thru, kind, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            facts.edges.iter().enumerate(),
            |s, (j, x)| {
                s.execute(params![
                    id,
                    j,
                    x.from,
                    x.target,
                    x.thru,
                    edge_kind_name(x.kind),
                    num(x.line)
                ])
            },
        )?;
        insert(
            c,
            "INSERT INTO data_items (file_id, ord, level, name, line, parent, pic, occurs, \
             redefines, usage, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            facts.data_items.iter().enumerate(),
            |s, (j, x)| {
                s.execute(params![
                    id,
                    j,
                    x.level,
                    x.name,
                    num(x.line),
                    x.parent,
                    x.pic,
                    x.occurs,
                    x.redefines,
                    x.usage,
                    x.value
                ])
            },
        )?;
        self.put_procedure_facts(id, facts)?;
        // The identifiers this file references, as ids of the corpus-wide name table.
        let mut ids = Vec::with_capacity(facts.ref_names.len());
        for name in &facts.ref_names {
            ids.push(self.name_id(name)?);
        }
        insert(
            &self.conn,
            "INSERT INTO refs (file_id, ord, name_id, verb, writes, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            facts.refs.iter().enumerate(),
            |s, (j, r)| {
                let name = ids.get(r.name as usize).copied().unwrap_or(0);
                s.execute(params![
                    id,
                    j,
                    name,
                    r.verb.as_str(),
                    r.access == Access::Write,
                    num(r.line)
                ])
            },
        )
    }

    /// Statements by kind, file operations, file descriptions and data sections.
    fn put_procedure_facts(&mut self, id: i64, facts: &SourceFacts) -> Result<(), StoreError> {
        let c = &self.conn;
        insert(
            c,
            "INSERT OR REPLACE INTO statements (file_id, kind, count, first_line) \
             VALUES (?1, ?2, ?3, ?4)",
            &facts.statements,
            |s, u| {
                s.execute(params![
                    id,
                    u.kind.as_str(),
                    num(u.count),
                    num(u.first_line)
                ])
            },
        )?;
        insert(
            c,
            "INSERT INTO file_ops (file_id, ord, op, target, line, from_proc) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            facts.file_ops.iter().enumerate(),
            |s, (j, op)| {
                s.execute(params![
                    id,
                    j,
                    op.op.as_str(),
                    op.target,
                    num(op.line),
                    op.from
                ])
            },
        )?;
        insert(
            c,
            "INSERT INTO file_descriptions (file_id, ord, name, kind, line) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            facts.file_descriptions.iter().enumerate(),
            |s, (j, d)| s.execute(params![id, j, d.name, d.kind.as_str(), num(d.line)]),
        )?;
        insert(
            c,
            "INSERT INTO fd_records (file_id, fd_ord, ord, record) VALUES (?1, ?2, ?3, ?4)",
            facts
                .file_descriptions
                .iter()
                .enumerate()
                .flat_map(|(j, d)| d.records.iter().enumerate().map(move |(k, r)| (j, k, r))),
            |s, (j, k, r)| s.execute(params![id, j, k, r]),
        )?;
        insert(
            c,
            "INSERT INTO data_sections (file_id, ord, kind, line) VALUES (?1, ?2, ?3, ?4)",
            facts.data_sections.iter().enumerate(),
            |s, (j, d)| s.execute(params![id, j, d.kind.as_str(), num(d.line)]),
        )
    }

    fn name_id(&mut self, name: &str) -> Result<i64, StoreError> {
        if let Some(&id) = self.names.get(name) {
            return Ok(id);
        }
        let existing: Option<i64> = if self.is_fresh() {
            None
        } else {
            self.conn
                .prepare_cached("SELECT id FROM names WHERE name = ?1")
                .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
                .map_err(sql)?
        };
        let id = match existing {
            Some(id) => id,
            None => {
                self.conn
                    .prepare_cached("INSERT INTO names (name) VALUES (?1)")
                    .and_then(|mut s| s.execute([name]))
                    .map_err(sql)?;
                self.conn.last_insert_rowid()
            }
        };
        self.names.insert(name.to_owned(), id);
        Ok(id)
    }

    /// Files the previous build recorded that this one has not seen (so far): removed by
    /// [`Self::finish`].
    pub fn gone(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .known
            .iter()
            .filter(|(_, k)| !self.touched.contains(&k.id))
            .map(|(p, _)| p.clone())
            .collect();
        out.sort();
        out
    }

    /// Removes the rows of files this build did not see, recomputes the links across
    /// files when anything changed, and makes the result the store readers see.
    pub fn finish(mut self) -> Result<WriteReport, StoreError> {
        self.prepare()?;
        self.commit()
    }

    /// Everything [`Self::finish`] does before the commit (removing vanished files'
    /// rows, the indexes of a fresh store, the links and counts), so that a caller can
    /// commit the store after what must be committed before it (the search index).
    pub fn prepare(&mut self) -> Result<(), StoreError> {
        let gone: Vec<i64> = self
            .known
            .values()
            .map(|k| k.id)
            .filter(|id| !self.touched.contains(id))
            .collect();
        for &id in &gone {
            delete_rows(&self.conn, id)?;
            self.conn
                .execute("DELETE FROM files WHERE id = ?1", [id])
                .map_err(sql)?;
        }
        self.report.removed = gone.len();
        let changed = self.report.written > 0 || self.report.removed > 0 || self.is_fresh();
        if changed {
            if self.is_fresh() {
                // The sorter spreads an index build over `threads` only when it sorts
                // through temporary files: the largest (refs by name, millions of rows)
                // then takes both cores instead of one (3.8 s -> 1.9 s on the generated
                // tree). The build's own page cache comes back after.
                self.conn
                    .execute_batch(
                        "PRAGMA temp_store = FILE; PRAGMA cache_size = -8192; \
                         PRAGMA threads = 2;",
                    )
                    .map_err(sql)?;
                self.conn.execute_batch(schema::INDEXES).map_err(sql)?;
                self.conn
                    .execute_batch("PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072;")
                    .map_err(sql)?;
            }
            super::link::resolve_copies(&self.conn)?;
            super::link::copy_closure(&self.conn)?;
            super::link::store_counts(&self.conn)?;
            if self.generation.is_some() {
                self.conn
                    .execute_batch("PRAGMA analysis_limit = 400; ANALYZE;")
                    .map_err(sql)?;
            }
        }
        Ok(())
    }

    /// Commits what [`Self::prepare`] left, and makes a fresh store the current one.
    pub fn commit(self) -> Result<WriteReport, StoreError> {
        self.conn.execute_batch("COMMIT").map_err(sql)?;
        let Some(generation) = self.generation else {
            return Ok(self.report);
        };
        self.conn
            .execute_batch("PRAGMA journal_mode = WAL;")
            .map_err(sql)?;
        let Self { conn, dir, .. } = self;
        conn.close().map_err(|(_, e)| sql(e))?;
        let report = self.report;
        make_current(&dir, generation)?;
        Ok(report)
    }

    /// The files the previous build recorded, with their size and time.
    pub fn known_files(&self) -> HashMap<String, (u64, u64)> {
        self.known
            .iter()
            .map(|(p, k)| (p.clone(), (k.size, k.modified_ns)))
            .collect()
    }

    /// Keeps the rows of `path`, unchanged since the previous build.
    pub fn keep(&mut self, path: &str) {
        if let Some(k) = self.known.get(path) {
            self.touched.insert(k.id);
        }
    }
}

/// The generation after every `code-<n>.db` in `dir`.
fn next_generation(dir: &Path) -> u64 {
    let mut max = 0;
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(n) = name
                .strip_prefix("code-")
                .and_then(|r| r.strip_suffix(".db"))
                .and_then(|n| n.parse::<u64>().ok())
            {
                max = max.max(n);
            }
        }
    }
    max + 1
}

/// A store file and its journal files.
fn remove_store_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(PathBuf::from(p));
    }
}

/// Points `code.current` at `generation` (write and rename: readers see the old or the
/// new name, never half of one), then removes every other generation.
fn make_current(dir: &Path, generation: u64) -> Result<(), StoreError> {
    let pointer = dir.join(POINTER);
    let tmp = dir.join(format!("{}.tmp", POINTER));
    let name = format!("code-{generation}.db");
    {
        use std::io::Write as _;
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(name.as_bytes()).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    if let Ok(db) = fs::File::open(generation_path(dir, generation)) {
        let _ = db.sync_all();
    }
    fs::rename(&tmp, &pointer).map_err(io(&pointer))?;
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let Some(n) = file
                .strip_prefix("code-")
                .and_then(|r| r.split_once(".db"))
                .and_then(|(n, _)| n.parse::<u64>().ok())
            else {
                continue;
            };
            if n != generation {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    Ok(())
}
