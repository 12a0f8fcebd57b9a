//! The linked corpus as one question sees it: lookups by name answered by the store, and
//! the facts of the files the answer touches, read once each.
//!
//! A [`Linked`] lives for one question on one store connection. Files are numbered by
//! their store id; a file's facts are read on first use and kept until the question is
//! answered, so answers borrow them freely. A store failure is kept and reported once the
//! answer is done (the lookup that met it answers as if nothing were there).

use std::cell::{OnceCell, RefCell};
use std::collections::{HashSet, VecDeque};

use otis_cobol::{Access, SourceFacts, Verb};
use otis_core::ports::SymbolKind;
use rusqlite::{Connection, OptionalExtension, params};

use crate::forms::{FormFile, dir_of_form};
use crate::source::SourceFile;
use crate::store::StoreError;
use crate::store::read::{self, FileRow};

/// A fact's place: the file's id and the fact's index in that file's list.
pub(crate) type Site = (u32, u32);

/// What the model holds, for `otis index stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Program files.
    pub programs: usize,
    /// Copybook files.
    pub copybooks: usize,
    /// SECTIONs, in programs and copybooks.
    pub sections: usize,
    /// Paragraphs.
    pub paragraphs: usize,
    /// Data items defined.
    pub data_items: usize,
    /// Call sites (static and dynamic; runtime routines left out).
    pub call_edges: usize,
    /// COPY statements.
    pub copy_edges: usize,
    /// PERFORM and GO TO statements.
    pub perform_edges: usize,
    /// References to identifiers in procedure code.
    pub references: usize,
}

/// Most levels of COPY nesting followed.
const MAX_DEPTH: usize = 16;

/// One reference to an identifier, as a usage answer lists it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefSite {
    pub(crate) file: u32,
    pub(crate) verb: Verb,
    pub(crate) access: Access,
    pub(crate) line: u32,
}

struct Loaded {
    file: SourceFile,
    copy_targets: Vec<Option<u32>>,
}

pub(crate) struct Linked<'c> {
    conn: &'c Connection,
    row_cells: Vec<OnceCell<FileRow>>,
    loaded: Vec<OnceCell<Loaded>>,
    forms: Vec<OnceCell<FormFile>>,
    error: RefCell<Option<StoreError>>,
    empty: SourceFile,
    empty_row: FileRow,
}

fn u(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

impl<'c> Linked<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Result<Self, StoreError> {
        let max: Option<i64> = conn
            .prepare_cached("SELECT max(id) FROM files")?
            .query_row([], |r| r.get(0))?;
        let n = usize::try_from(max.unwrap_or(0)).unwrap_or(0) + 1;
        Ok(Self {
            conn,
            row_cells: (0..n).map(|_| OnceCell::new()).collect(),
            loaded: (0..n).map(|_| OnceCell::new()).collect(),
            forms: (0..n).map(|_| OnceCell::new()).collect(),
            error: RefCell::new(None),
            empty: SourceFile {
                path: String::new(),
                facts: SourceFacts::default(),
            },
            empty_row: FileRow::default(),
        })
    }

    /// The first store failure met, if any.
    pub(crate) fn take_error(&self) -> Option<StoreError> {
        self.error.borrow_mut().take()
    }

    fn fail<T: Default>(&self, e: impl Into<StoreError>) -> T {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(e.into());
        }
        T::default()
    }

    /// Rows of a query, or nothing on failure (kept for the caller).
    pub(crate) fn list<T, P: rusqlite::Params>(
        &self,
        query: &str,
        params: P,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        let run = || -> rusqlite::Result<Vec<T>> {
            let mut stmt = self.conn.prepare_cached(query)?;
            stmt.query_map(params, f)?.collect()
        };
        run().unwrap_or_else(|e| self.fail(e))
    }

    /// The file's row (path, member, kind, lines, description).
    pub(crate) fn row(&self, f: u32) -> &FileRow {
        let Some(cell) = self.row_cells.get(f as usize) else {
            return &self.empty_row;
        };
        cell.get_or_init(|| match read::file_row(self.conn, f) {
            Ok(row) => row.unwrap_or_default(),
            Err(e) => self.fail(e),
        })
    }

    fn loaded(&self, f: u32) -> Option<&Loaded> {
        let cell = self.loaded.get(f as usize)?;
        Some(cell.get_or_init(|| {
            let path = self.row(f).path.clone();
            match read::source_facts(self.conn, f) {
                Ok(Some((facts, copy_targets))) => Loaded {
                    file: SourceFile { path, facts },
                    copy_targets,
                },
                Ok(None) => Loaded {
                    file: SourceFile {
                        path,
                        facts: SourceFacts::default(),
                    },
                    copy_targets: Vec::new(),
                },
                Err(e) => {
                    self.fail::<()>(e);
                    Loaded {
                        file: SourceFile {
                            path,
                            facts: SourceFacts::default(),
                        },
                        copy_targets: Vec::new(),
                    }
                }
            }
        }))
    }

    /// A program's or copybook's facts (references are read by name: [`Self::data_refs`]).
    pub(crate) fn file(&self, f: u32) -> &SourceFile {
        self.loaded(f).map_or(&self.empty, |l| &l.file)
    }

    /// The file COPY statement `j` of file `f` names, when it is in the corpus.
    pub(crate) fn copy_file(&self, f: u32, j: usize) -> Option<u32> {
        self.loaded(f)?.copy_targets.get(j).copied().flatten()
    }

    /// The member name of a file: PROGRAM-ID, else the file's stem.
    pub(crate) fn name(&self, f: u32) -> &str {
        &self.row(f).member
    }

    pub(crate) fn is_program(&self, f: u32) -> bool {
        self.row(f).is_program()
    }

    /// The id of the file at `path` (as stored, `/`-separated).
    pub(crate) fn file_id(&self, path: &str) -> Option<u32> {
        let run = || -> rusqlite::Result<Option<i64>> {
            self.conn
                .prepare_cached("SELECT id FROM files WHERE path = ?1")?
                .query_row([path], |r| r.get(0))
                .optional()
        };
        run().unwrap_or_else(|e| self.fail(e)).map(u)
    }

    /// The program and copybook files of a member: programs first, then the copybook in
    /// its own library (`LIBLP` for `LP01LN`), then the shallowest folder, then by path; the
    /// others are old copies kept elsewhere (`LIBUP/A15SRC`).
    pub(crate) fn member_files(&self, name: &str) -> Vec<u32> {
        self.list(
            "SELECT id FROM files WHERE member = ?1 AND kind IN ('program', 'copybook', 'empty') \
             ORDER BY kind <> 'program', upper(folder) <> 'LIB' || substr(member, 1, 2), \
             length(folder) - length(replace(folder, '/', '')), path",
            [name],
            |r| Ok(u(r.get(0)?)),
        )
    }

    /// Sites of `query` (file id, ordinal), in path and statement order.
    fn sites(&self, query: &str, name: &str) -> Vec<Site> {
        self.list(query, [name], |r| Ok((u(r.get(0)?), u(r.get(1)?))))
    }

    /// COPY statements naming member `name`: (file id, line), in path and statement
    /// order.
    pub(crate) fn copy_sites(&self, name: &str) -> Vec<(u32, u32)> {
        self.sites(
            "SELECT c.file_id, c.line FROM copies c JOIN files f ON f.id = c.file_id \
             WHERE c.member = ?1 ORDER BY f.path, c.ord",
            name,
        )
    }

    /// CALL sites of program `name` (runtime routines left out): (file id, line).
    pub(crate) fn call_sites(&self, name: &str) -> Vec<(u32, u32)> {
        self.sites(
            "SELECT c.file_id, c.line FROM calls c JOIN files f ON f.id = c.file_id \
             WHERE c.target = ?1 AND c.kind <> 'runtime' ORDER BY f.path, c.ord",
            name,
        )
    }

    /// Definitions of a section or paragraph `name`.
    pub(crate) fn proc_defs(&self, name: &str) -> Vec<Site> {
        self.sites(
            "SELECT p.file_id, p.ord FROM procedures p JOIN files f ON f.id = p.file_id \
             WHERE p.name = ?1 ORDER BY f.path, p.ord",
            name,
        )
    }

    /// PERFORM / GO TO statements that name `name` (as the target or the THRU end):
    /// (file id, line).
    pub(crate) fn edge_sites(&self, name: &str) -> Vec<(u32, u32)> {
        let mut out = self.sites(
            "SELECT p.file_id, p.line FROM performs p JOIN files f ON f.id = p.file_id \
             WHERE p.target = ?1 ORDER BY f.path, p.ord",
            name,
        );
        let thru = self.sites(
            "SELECT p.file_id, p.line FROM performs p JOIN files f ON f.id = p.file_id \
             WHERE p.thru = ?1 AND p.target <> ?1 ORDER BY f.path, p.ord",
            name,
        );
        if !thru.is_empty() {
            // Keep the order the files' statements come in.
            let order = |&(f, j): &Site| (self.row(f).path.clone(), j);
            out.extend(thru);
            out.sort_by_key(order);
        }
        out
    }

    /// Data description entries named `name`.
    pub(crate) fn data_defs(&self, name: &str) -> Vec<Site> {
        self.sites(
            "SELECT d.file_id, d.ord FROM data_items d JOIN files f ON f.id = d.file_id \
             WHERE d.name = ?1 ORDER BY f.path, d.ord",
            name,
        )
    }

    /// References to identifier `name`, in path and statement order.
    pub(crate) fn data_refs(&self, name: &str) -> Vec<RefSite> {
        // The files' rows come with them: an item used in thousands of files is answered
        // without a query per file.
        self.list(
            "SELECT r.file_id, r.verb, r.writes, r.line, f.path, f.member, f.kind, f.lines, \
             f.description, f.description_line FROM refs r \
             JOIN files f ON f.id = r.file_id \
             WHERE r.name_id = (SELECT id FROM names WHERE name = ?1) ORDER BY f.path, r.ord",
            [name],
            |r| {
                let file = u(r.get(0)?);
                if let Some(cell) = self.row_cells.get(file as usize)
                    && cell.get().is_none()
                {
                    let _ = cell.set(FileRow {
                        path: r.get(4)?,
                        member: r.get(5)?,
                        kind: r.get(6)?,
                        lines: u(r.get(7)?),
                        description: r.get(8)?,
                        description_line: r.get::<_, Option<i64>>(9)?.map(u),
                    });
                }
                Ok(RefSite {
                    file,
                    verb: Verb::new(&r.get::<_, String>(1)?),
                    access: if r.get::<_, bool>(2)? {
                        Access::Write
                    } else {
                        Access::Read
                    },
                    line: u(r.get(3)?),
                })
            },
        )
    }

    /// The statements that name `name`, by verb and whether they change it, with counts
    /// (most first).
    pub(crate) fn verb_counts(&self, name: &str) -> Vec<(String, bool, usize)> {
        self.list(
            "SELECT verb, writes, count(*) FROM refs \
             WHERE name_id = (SELECT id FROM names WHERE name = ?1) \
             GROUP BY verb, writes ORDER BY count(*) DESC, verb",
            [name],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                ))
            },
        )
    }

    /// Every statement naming `name`: (verb, whether it changes it, path, line), by verb,
    /// path and line; none past `limit` statements (the caller then shows counts only).
    pub(crate) fn verb_sites(&self, name: &str, limit: usize) -> Vec<(String, bool, String, u32)> {
        let sites = self.list(
            "SELECT r.verb, r.writes, f.path, r.line FROM refs r JOIN files f ON f.id = r.file_id \
             WHERE r.name_id = (SELECT id FROM names WHERE name = ?1) \
             ORDER BY r.verb, r.writes, f.path, r.line LIMIT ?2",
            rusqlite::params![name, i64::try_from(limit + 1).unwrap_or(i64::MAX)],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, String>(2)?,
                    u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                ))
            },
        );
        if sites.len() > limit {
            Vec::new()
        } else {
            sites
        }
    }

    /// The file description that lists `record` as a record: (FD name, path, line).
    pub(crate) fn fd_of_record(&self, record: &str) -> Option<(String, String, u32)> {
        self.list(
            "SELECT d.name, f.path, d.line FROM fd_records r \
             JOIN file_descriptions d ON d.file_id = r.file_id AND d.ord = r.fd_ord \
             JOIN files f ON f.id = r.file_id WHERE r.record = ?1 \
             UNION ALL \
             SELECT d.name, f.path, d.line FROM file_descriptions d \
             JOIN files f ON f.id = d.file_id \
             JOIN copies c ON c.file_id = d.file_id AND c.line > d.line \
               AND c.line < coalesce((SELECT min(n.line) FROM file_descriptions n \
                                      WHERE n.file_id = d.file_id AND n.line > d.line), 1 << 30) \
             JOIN data_items di ON di.file_id = c.target_id AND di.level = 1 AND di.name = ?1 \
             LIMIT 1",
            [record],
            |r| Ok((r.get(0)?, r.get(1)?, u(r.get(2)?))),
        )
        .into_iter()
        .next()
    }

    /// The identifiers lines `start..=end` of file `f` name: (name, whether the statement
    /// changes it, line), in statement order.
    pub(crate) fn refs_in(&self, f: u32, start: u32, end: u32) -> Vec<(String, bool, u32)> {
        self.list(
            "SELECT n.name, r.writes, r.line FROM refs r JOIN names n ON n.id = r.name_id \
             WHERE r.file_id = ?1 AND r.line BETWEEN ?2 AND ?3 ORDER BY r.ord",
            params![f, start, end],
            |r| Ok((r.get(0)?, r.get(1)?, u(r.get(2)?))),
        )
    }

    /// Paths of the program files that carry PROGRAM-ID `name` but are named otherwise
    /// (a copy of program `name` kept under another file name).
    pub(crate) fn program_id_copies(&self, name: &str) -> Vec<String> {
        self.list(
            "SELECT path FROM files WHERE kind = 'program' AND program_id = ?1 \
             AND member <> ?1 ORDER BY path",
            [name],
            |r| r.get::<_, String>(0),
        )
    }

    /// How many references name `name`.
    pub(crate) fn data_ref_count(&self, name: &str) -> usize {
        let run = || -> rusqlite::Result<i64> {
            self.conn
                .prepare_cached(
                    "SELECT count(*) FROM refs WHERE name_id = (SELECT id FROM names WHERE name = ?1)",
                )?
                .query_row([name], |r| r.get(0))
        };
        usize::try_from(run().unwrap_or_else(|e| self.fail(e))).unwrap_or(0)
    }

    /// Lines of file `f` where a statement with verb `verb` names an identifier.
    pub(crate) fn verb_lines(&self, f: u32, verb: &str) -> Vec<u32> {
        self.list(
            "SELECT line FROM refs WHERE file_id = ?1 AND verb = ?2 ORDER BY ord",
            params![f, verb],
            |r| Ok(u(r.get(0)?)),
        )
    }

    /// Files (in path order) whose statements hand control to program `name` without
    /// calling it.
    pub(crate) fn transfer_files(&self, name: &str) -> Vec<u32> {
        self.list(
            "SELECT DISTINCT t.file_id, f.path FROM transfers t JOIN files f ON f.id = t.file_id \
             WHERE t.target = ?1 ORDER BY f.path",
            [name],
            |r| Ok(u(r.get(0)?)),
        )
    }

    /// Files that copy file `f` directly.
    fn includers(&self, f: u32) -> Vec<u32> {
        self.list(
            "SELECT DISTINCT c.file_id, fl.path FROM copies c JOIN files fl ON fl.id = c.file_id \
             WHERE c.target_id = ?1 ORDER BY fl.path",
            [f],
            |r| Ok(u(r.get(0)?)),
        )
    }

    /// The programs `file` ends up in: itself when it is a program, else every program
    /// that copies it directly or through other copybooks, with the copybook the program
    /// copies directly on the way.
    pub(crate) fn programs_using(&self, file: u32) -> Vec<(u32, u32)> {
        if self.is_program(file) {
            return vec![(file, file)];
        }
        let mut out = Vec::new();
        let mut seen = HashSet::from([file]);
        let mut queue = VecDeque::from([(file, 0usize)]);
        while let Some((at, depth)) = queue.pop_front() {
            if depth >= MAX_DEPTH {
                continue;
            }
            for up in self.includers(at) {
                if !seen.insert(up) {
                    continue;
                }
                if self.is_program(up) {
                    out.push((up, at));
                } else {
                    queue.push_back((up, depth + 1));
                }
            }
        }
        // In path order, as the files are numbered when a corpus is first built.
        out.sort_by(|a, b| {
            self.row(a.0)
                .path
                .cmp(&self.row(b.0).path)
                .then(a.1.cmp(&b.1))
        });
        out
    }

    /// The copybook files `file` copies, directly or nested, each with the copybook it
    /// copies directly on the way (itself for a direct copy), in COPY order.
    pub(crate) fn included(&self, file: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([file]);
        let mut queue: VecDeque<(u32, u32, usize)> = self
            .copied_files(file)
            .into_iter()
            .map(|d| (d, d, 0))
            .collect();
        while let Some((at, via, depth)) = queue.pop_front() {
            if !seen.insert(at) {
                continue;
            }
            out.push((at, via));
            if depth < MAX_DEPTH {
                for next in self.copied_files(at) {
                    queue.push_back((next, via, depth + 1));
                }
            }
        }
        out
    }

    /// The corpus files the COPY statements of `f` name, in order: from its facts when
    /// they are loaded, else from the `copies` table (a closure need not load every
    /// copybook's facts).
    fn copied_files(&self, f: u32) -> Vec<u32> {
        if let Some(l) = self.loaded.get(f as usize).and_then(OnceCell::get) {
            return l.copy_targets.iter().flatten().copied().collect();
        }
        self.list(
            "SELECT target_id FROM copies WHERE file_id = ?1 AND target_id IS NOT NULL \
             ORDER BY ord",
            [f],
            |r| r.get::<_, i64>(0),
        )
        .into_iter()
        .map(u)
        .collect()
    }

    fn exists(&self, query: &str, name: &str) -> bool {
        let run = || -> rusqlite::Result<bool> {
            Ok(self
                .conn
                .prepare_cached(query)?
                .query_row([name], |_| Ok(()))
                .optional()?
                .is_some())
        };
        run().unwrap_or_else(|e| self.fail(e))
    }

    fn has_copybook_file(&self, name: &str) -> bool {
        self.exists(
            "SELECT 1 FROM files WHERE member = ?1 AND kind IN ('copybook', 'empty') LIMIT 1",
            name,
        )
    }

    fn has_program_file(&self, name: &str) -> bool {
        self.exists(
            "SELECT 1 FROM files WHERE member = ?1 AND kind = 'program' LIMIT 1",
            name,
        )
    }

    fn is_copied(&self, name: &str) -> bool {
        self.exists("SELECT 1 FROM copies WHERE member = ?1 LIMIT 1", name)
    }

    fn is_called(&self, name: &str) -> bool {
        self.exists(
            "SELECT 1 FROM calls WHERE target = ?1 AND kind <> 'runtime' LIMIT 1",
            name,
        )
    }

    /// Whether a copybook of this name is indexed or copied.
    pub(crate) fn is_copybook_name(&self, name: &str) -> bool {
        self.has_copybook_file(name) || self.is_copied(name)
    }

    /// Whether a program of this name is indexed or called.
    pub(crate) fn is_program_name(&self, name: &str) -> bool {
        self.has_program_file(name) || self.is_called(name)
    }

    pub(crate) fn identify(&self, name: &str) -> Option<SymbolKind> {
        if let Some(&f) = self.member_files(name).first() {
            return Some(if self.is_program(f) {
                SymbolKind::Program
            } else {
                SymbolKind::Copybook
            });
        }
        if self.is_called(name) {
            return Some(SymbolKind::Program);
        }
        if self.is_copied(name) {
            return Some(SymbolKind::Copybook);
        }
        let proc_kind: Option<String> = {
            let run = || -> rusqlite::Result<Option<String>> {
                self.conn
                    .prepare_cached(
                        "SELECT p.kind FROM procedures p JOIN files f ON f.id = p.file_id \
                         WHERE p.name = ?1 ORDER BY f.path, p.ord LIMIT 1",
                    )?
                    .query_row([name], |r| r.get(0))
                    .optional()
            };
            run().unwrap_or_else(|e| self.fail(e))
        };
        if let Some(kind) = proc_kind {
            return Some(if kind == "section" {
                SymbolKind::Section
            } else {
                SymbolKind::Paragraph
            });
        }
        if self.exists("SELECT 1 FROM performs WHERE target = ?1 LIMIT 1", name)
            || self.exists("SELECT 1 FROM performs WHERE thru = ?1 LIMIT 1", name)
        {
            // Performed, defined in a copybook outside the corpus.
            return Some(SymbolKind::Section);
        }
        if self.exists("SELECT 1 FROM data_items WHERE name = ?1 LIMIT 1", name) {
            return Some(SymbolKind::DataItem);
        }
        if self.exists("SELECT 1 FROM selects WHERE name = ?1 LIMIT 1", name) {
            return Some(SymbolKind::File);
        }
        // Referenced, defined in a copybook outside the corpus: only names that cannot
        // be plain words.
        if name.contains(['-', '_'])
            && self.exists(
                "SELECT 1 FROM refs WHERE name_id = (SELECT id FROM names WHERE name = ?1) LIMIT 1",
                name,
            )
        {
            return Some(SymbolKind::DataItem);
        }
        if self.exists("SELECT 1 FROM forms WHERE name = ?1 LIMIT 1", name) {
            return Some(SymbolKind::Screen);
        }
        if self.is_directory(name) {
            return Some(SymbolKind::Directory);
        }
        None
    }

    /// Whether file `f` is a copy of its member kept outside the member's home (another
    /// file of the member comes first in [`Self::member_files`]).
    pub(crate) fn is_old_copy(&self, f: u32) -> bool {
        let row = self.row(f);
        if row.is_program() {
            return false;
        }
        self.member_files(&row.member)
            .into_iter()
            .find(|&g| !self.is_program(g))
            .is_some_and(|home| home != f)
    }

    /// Whether `name` is a folder of the corpus (`FX`, `LIBUP`, `LIBUP/A15SRC`), any case.
    pub(crate) fn is_directory(&self, name: &str) -> bool {
        let upper = name.trim_matches('/').to_ascii_uppercase();
        if upper.is_empty() {
            return false;
        }
        self.exists(
            "SELECT 1 FROM files WHERE upper(folder) = ?1 \
             OR substr(upper(folder), 1, length(?1) + 1) = ?1 || '/' LIMIT 1",
            &upper,
        )
    }

    pub(crate) fn counts(&self) -> Counts {
        let get = |key: &str| -> usize {
            let run = || -> rusqlite::Result<Option<String>> {
                self.conn
                    .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                    .query_row([format!("count.{key}")], |r| r.get(0))
                    .optional()
            };
            run()
                .unwrap_or_else(|e| self.fail(e))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Counts {
            programs: get("programs"),
            copybooks: get("copybooks"),
            sections: get("sections"),
            paragraphs: get("paragraphs"),
            data_items: get("data_items"),
            call_edges: get("call_edges"),
            copy_edges: get("copy_edges"),
            perform_edges: get("perform_edges"),
            references: get("references"),
        }
    }

    /// Every program and copybook file, in path order.
    pub(crate) fn source_files(&self) -> Vec<u32> {
        self.list(
            "SELECT id FROM files WHERE kind IN ('program', 'copybook', 'empty') ORDER BY path",
            [],
            |r| Ok(u(r.get(0)?)),
        )
    }

    /// How many program files the corpus has.
    pub(crate) fn program_count(&self) -> usize {
        self.list(
            "SELECT count(*) FROM files WHERE kind = 'program'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .first()
        .map_or(0, |&n| usize::try_from(n).unwrap_or(0))
    }

    /// Program files with a `GO TO ... DEPENDING ON` (two or more GO TO targets of one
    /// statement), in path order: the candidates for menus.
    pub(crate) fn depending_files(&self) -> Vec<u32> {
        self.list(
            "SELECT DISTINCT p.file_id, f.path FROM performs p JOIN files f ON f.id = p.file_id \
             WHERE p.kind = 'goto' AND f.kind = 'program' \
             GROUP BY p.file_id, p.line, p.from_proc HAVING count(*) >= 2 ORDER BY f.path",
            [],
            |r| Ok(u(r.get(0)?)),
        )
    }

    /// The form of program `name` whose path is `.../dir/name`, else the first form of
    /// that name in path order.
    pub(crate) fn form(&self, dir: Option<&str>, name: &str) -> Option<&FormFile> {
        let found = self.list(
            "SELECT fo.file_id, f.path FROM forms fo JOIN files f ON f.id = fo.file_id \
             WHERE fo.name = ?1 ORDER BY f.path",
            [name.to_ascii_uppercase()],
            |r| Ok((u(r.get(0)?), r.get::<_, String>(1)?)),
        );
        let pick = dir
            .filter(|d| !d.is_empty())
            .and_then(|dir| {
                found
                    .iter()
                    .find(|(_, path)| dir_of_form(path, dir, name))
                    .map(|(f, _)| *f)
            })
            .or_else(|| found.first().map(|(f, _)| *f))?;
        let cell = self.forms.get(pick as usize)?;
        Some(cell.get_or_init(|| FormFile {
            path: self.row(pick).path.clone(),
            form: read::form(self.conn, pick).unwrap_or_else(|e| self.fail(e)),
        }))
    }
}
