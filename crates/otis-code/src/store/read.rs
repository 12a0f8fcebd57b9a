//! Reading rows back: a file's row, and a file's facts as the reader gave them (its
//! references are read by name, not with the file).

use otis_cobol::{
    Call, CallKind, Copy, DataItem, Edge, EdgeKind, FileDecl, Form, FormKey, FormOption, Header,
    ProcKind, Procedure, Revision, SourceFacts, SourceKind, Transfer,
};
use rusqlite::{Connection, OptionalExtension, Row};

use super::error::StoreError;

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::Sql(e)
}

fn line(r: &Row<'_>, i: usize) -> rusqlite::Result<u32> {
    Ok(u32::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
}

fn opt_line(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<u32>> {
    Ok(r.get::<_, Option<i64>>(i)?
        .map(|n| u32::try_from(n).unwrap_or(0)))
}

/// A file's row: what it is, where, and its header's summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FileRow {
    pub(crate) path: String,
    pub(crate) member: String,
    /// `program`, `copybook`, `empty`, `form` or `document`.
    pub(crate) kind: String,
    pub(crate) lines: u32,
    pub(crate) description: Option<String>,
    pub(crate) description_line: Option<u32>,
}

impl FileRow {
    pub(crate) fn is_program(&self) -> bool {
        self.kind == "program"
    }
}

pub(crate) fn file_row(conn: &Connection, id: u32) -> Result<Option<FileRow>, StoreError> {
    conn.prepare_cached(
        "SELECT path, member, kind, lines, description, description_line FROM files WHERE id = ?1",
    )
    .and_then(|mut s| {
        s.query_row([id], |r| {
            Ok(FileRow {
                path: r.get(0)?,
                member: r.get(1)?,
                kind: r.get(2)?,
                lines: line(r, 3)?,
                description: r.get(4)?,
                description_line: opt_line(r, 5)?,
            })
        })
        .optional()
    })
    .map_err(sql)
}

fn source_kind(kind: &str) -> Option<SourceKind> {
    match kind {
        "program" => Some(SourceKind::Program),
        "copybook" => Some(SourceKind::Copybook),
        _ => None,
    }
}

fn rows<T>(
    conn: &Connection,
    query: &str,
    id: u32,
    f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(query).map_err(sql)?;
    let out = stmt
        .query_map([id], f)
        .map_err(sql)?
        .collect::<Result<Vec<T>, _>>()
        .map_err(sql)?;
    Ok(out)
}

/// A file's facts and the file each of its COPY statements resolves to (by position).
pub(crate) type Resolved = (SourceFacts, Vec<Option<u32>>);

/// A program's or copybook's facts (without references), and the file each of its COPY
/// statements resolves to.
pub(crate) fn source_facts(conn: &Connection, id: u32) -> Result<Option<Resolved>, StoreError> {
    let head = conn
        .prepare_cached(
            "SELECT kind, program_id, lines, description, description_line, header_directory, \
             identification, date_written, date_written_iso FROM files WHERE id = ?1",
        )
        .and_then(|mut s| {
            s.query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    line(r, 2)?,
                    Header {
                        description: r.get(3)?,
                        description_line: opt_line(r, 4)?,
                        directory: r.get(5)?,
                        identification: r.get(6)?,
                        date_written: r.get(7)?,
                        date_written_iso: r.get(8)?,
                        revisions: Vec::new(),
                    },
                ))
            })
            .optional()
        })
        .map_err(sql)?;
    let Some((kind, program_id, lines, mut header)) = head else {
        return Ok(None);
    };
    header.revisions = rows(
        conn,
        "SELECT line, text, date FROM revisions WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            Ok(Revision {
                line: line(r, 0)?,
                text: r.get(1)?,
                date: r.get(2)?,
            })
        },
    )?;
    let mut targets = Vec::new();
    let copies = rows(
        conn,
        "SELECT member, library, path, line, in_procedure, target_id FROM copies \
         WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            targets.push(opt_line(r, 5)?);
            Ok(Copy {
                member: r.get(0)?,
                library: r.get(1)?,
                path: r.get(2)?,
                line: line(r, 3)?,
                in_procedure: r.get(4)?,
            })
        },
    )?;
    let calls = rows(
        conn,
        "SELECT target, path, kind, line, set_line, via, from_proc FROM calls \
         WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            Ok(Call {
                target: r.get(0)?,
                path: r.get(1)?,
                kind: match r.get::<_, String>(2)?.as_str() {
                    "static" => CallKind::Static,
                    "dynamic" => CallKind::Dynamic,
                    _ => CallKind::Runtime,
                },
                line: line(r, 3)?,
                set_line: opt_line(r, 4)?,
                via: r.get(5)?,
                from: r.get(6)?,
            })
        },
    )?;
    let transfers = rows(
        conn,
        "SELECT target, path, line, from_proc FROM transfers WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            Ok(Transfer {
                target: r.get(0)?,
                path: r.get(1)?,
                line: line(r, 2)?,
                from: r.get(3)?,
            })
        },
    )?;
    let files = rows(
        conn,
        "SELECT name, assign, line FROM selects WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            Ok(FileDecl {
                name: r.get(0)?,
                assign: r.get(1)?,
                line: line(r, 2)?,
            })
        },
    )?;
    let procedures = rows(
        conn,
        "SELECT name, kind, line, end_line, section FROM procedures WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            Ok(Procedure {
                name: r.get(0)?,
                kind: if r.get::<_, String>(1)? == "section" {
                    ProcKind::Section
                } else {
                    ProcKind::Paragraph
                },
                line: line(r, 2)?,
                end_line: line(r, 3)?,
                section: r.get(4)?,
            })
        },
    )?;
    let edges = rows(
        conn,
        "SELECT from_proc, target, thru, kind, line FROM performs WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            Ok(Edge {
                from: r.get(0)?,
                target: r.get(1)?,
                thru: r.get(2)?,
                kind: if r.get::<_, String>(3)? == "goto" {
                    EdgeKind::GoTo
                } else {
                    EdgeKind::Perform
                },
                line: line(r, 4)?,
            })
        },
    )?;
    let data_items = rows(
        conn,
        "SELECT level, name, line, parent, pic, occurs, redefines, usage, value FROM data_items \
         WHERE file_id = ?1 ORDER BY ord",
        id,
        |r| {
            Ok(DataItem {
                level: r.get(0)?,
                name: r.get(1)?,
                line: line(r, 2)?,
                parent: r.get(3)?,
                pic: r.get(4)?,
                occurs: r.get(5)?,
                redefines: r.get(6)?,
                usage: r.get(7)?,
                value: r.get(8)?,
            })
        },
    )?;
    let facts = SourceFacts {
        kind: source_kind(&kind),
        program_id,
        header,
        copies,
        calls,
        transfers,
        files,
        procedures,
        edges,
        data_items,
        lines,
        ..SourceFacts::default()
    };
    Ok(Some((facts, targets)))
}

/// A screen form file's facts.
pub(crate) fn form(conn: &Connection, id: u32) -> Result<Form, StoreError> {
    let head: Option<(Option<String>, Option<u32>)> = conn
        .prepare_cached("SELECT title, title_line FROM forms WHERE file_id = ?1")
        .and_then(|mut s| {
            s.query_row([id], |r| Ok((r.get(0)?, opt_line(r, 1)?)))
                .optional()
        })
        .map_err(sql)?;
    let (title, title_line) = head.unwrap_or_default();
    let options = rows(
        conn,
        "SELECT number, label, line FROM form_options WHERE file_id = ?1 ORDER BY number",
        id,
        |r| {
            Ok(FormOption {
                number: line(r, 0)?,
                label: r.get(1)?,
                line: line(r, 2)?,
            })
        },
    )?;
    let keys = rows(
        conn,
        "SELECT key, label, line FROM form_keys WHERE file_id = ?1 ORDER BY key",
        id,
        |r| {
            Ok(FormKey {
                key: line(r, 0)?,
                label: r.get(1)?,
                line: line(r, 2)?,
            })
        },
    )?;
    Ok(Form {
        title,
        title_line,
        options,
        keys,
        ..Form::default()
    })
}
