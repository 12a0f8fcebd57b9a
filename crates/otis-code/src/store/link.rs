//! Links across files, recomputed at the end of a build that changed anything: which
//! file each COPY statement names, and the counts `otis index stats` shows.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::error::StoreError;

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::Sql(e)
}

/// The file a COPY names: the same path from the corpus root, else a file whose path
/// ends with it; a bare member name (no library) is a copybook of that name. A library
/// path that is not in the corpus stays unresolved: `LIBGB/DECLARE.CPY` is not
/// `LIBUP/DECLARE.CPY`.
pub(crate) struct Resolver {
    by_path: HashMap<String, i64>,
    /// Copybook files by member, in path order.
    copybooks: HashMap<String, Vec<i64>>,
}

impl Resolver {
    pub(crate) fn load(conn: &Connection) -> Result<Self, StoreError> {
        let mut by_path = HashMap::new();
        let mut copybooks: HashMap<String, Vec<i64>> = HashMap::new();
        let mut stmt = conn
            .prepare("SELECT id, path, member, kind FROM files ORDER BY path")
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let id: i64 = r.get(0).map_err(sql)?;
            let path: String = r.get(1).map_err(sql)?;
            let member: String = r.get(2).map_err(sql)?;
            let kind: String = r.get(3).map_err(sql)?;
            if kind == "form" || kind == "document" {
                continue;
            }
            by_path.insert(path.to_ascii_uppercase(), id);
            if kind != "program" {
                copybooks.entry(member).or_default().push(id);
            }
        }
        Ok(Self { by_path, copybooks })
    }

    pub(crate) fn resolve(&self, path: &str, member: &str) -> Option<i64> {
        let wanted = path.replace('\\', "/").to_ascii_uppercase();
        if let Some(&f) = self.by_path.get(&wanted) {
            return Some(f);
        }
        let mut rest = wanted.as_str();
        while let Some((_, tail)) = rest.split_once('/') {
            if let Some(&f) = self.by_path.get(tail) {
                return Some(f);
            }
            rest = tail;
        }
        if wanted.contains('/') {
            return None;
        }
        self.copybooks.get(member)?.first().copied()
    }
}

/// Sets `copies.target_id` of every COPY statement (only rows whose target changed are
/// written).
pub(crate) fn resolve_copies(conn: &Connection) -> Result<(), StoreError> {
    let resolver = Resolver::load(conn)?;
    let mut changes = Vec::new();
    {
        let mut stmt = conn
            .prepare("SELECT file_id, ord, member, path, target_id FROM copies")
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let file: i64 = r.get(0).map_err(sql)?;
            let ord: i64 = r.get(1).map_err(sql)?;
            let member: String = r.get(2).map_err(sql)?;
            let path: String = r.get(3).map_err(sql)?;
            let before: Option<i64> = r.get(4).map_err(sql)?;
            let after = resolver.resolve(&path, &member);
            if after != before {
                changes.push((file, ord, after));
            }
        }
    }
    let mut stmt = conn
        .prepare("UPDATE copies SET target_id = ?3 WHERE file_id = ?1 AND ord = ?2")
        .map_err(sql)?;
    for (file, ord, target) in changes {
        stmt.execute(params![file, ord, target]).map_err(sql)?;
    }
    Ok(())
}

/// Most levels of COPY nesting followed.
const MAX_NESTING: usize = 16;

/// Rewrites `copy_closure`: for every program, every copybook file it copies directly or
/// nested, with the copybook it copies directly on the way and whether any COPY on the way
/// stands among procedure statements (a procedure copybook).
pub(crate) fn copy_closure(conn: &Connection) -> Result<(), StoreError> {
    use std::collections::{HashSet, VecDeque};
    let mut edges: HashMap<i64, Vec<(i64, bool)>> = HashMap::new();
    let mut programs = Vec::new();
    {
        let mut stmt = conn
            .prepare(
                "SELECT file_id, target_id, in_procedure FROM copies \
                 WHERE target_id IS NOT NULL ORDER BY file_id, ord",
            )
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            edges
                .entry(r.get(0).map_err(sql)?)
                .or_default()
                .push((r.get(1).map_err(sql)?, r.get(2).map_err(sql)?));
        }
        let mut stmt = conn
            .prepare("SELECT id FROM files WHERE kind = 'program'")
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            programs.push(r.get::<_, i64>(0).map_err(sql)?);
        }
    }
    conn.execute("DELETE FROM copy_closure", []).map_err(sql)?;
    let mut put = conn
        .prepare(
            "INSERT OR REPLACE INTO copy_closure (program_id, copybook_id, via_id, in_procedure) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(sql)?;
    for program in programs {
        // Breadth first: the first way to a copybook is the one kept, but a copybook
        // reached both in and out of the procedure division counts as procedure code.
        let mut found: HashMap<i64, (i64, bool)> = HashMap::new();
        let mut order = Vec::new();
        let mut queue: VecDeque<(i64, i64, bool, usize)> = VecDeque::new();
        for &(target, procedure) in edges.get(&program).map_or(&[][..], Vec::as_slice) {
            queue.push_back((target, target, procedure, 0));
        }
        let mut expanded: HashSet<(i64, bool)> = HashSet::new();
        while let Some((at, via, procedure, depth)) = queue.pop_front() {
            if at == program {
                continue;
            }
            match found.get_mut(&at) {
                Some(entry) => entry.1 |= procedure,
                None => {
                    found.insert(at, (via, procedure));
                    order.push(at);
                }
            }
            if depth < MAX_NESTING && expanded.insert((at, procedure)) {
                for &(next, p) in edges.get(&at).map_or(&[][..], Vec::as_slice) {
                    queue.push_back((next, via, procedure || p, depth + 1));
                }
            }
        }
        for copybook in order {
            if let Some(&(via, procedure)) = found.get(&copybook) {
                put.execute(params![program, copybook, via, procedure])
                    .map_err(sql)?;
            }
        }
    }
    Ok(())
}

/// What `otis index stats` shows, counted once per build.
pub(crate) const COUNTS: &[(&str, &str)] = &[
    ("files", "SELECT count(*) FROM files"),
    (
        "programs",
        "SELECT count(*) FROM files WHERE kind = 'program'",
    ),
    (
        "copybooks",
        "SELECT count(*) FROM files WHERE kind IN ('copybook', 'empty')",
    ),
    (
        "documents",
        "SELECT count(*) FROM files WHERE kind = 'document'",
    ),
    ("forms", "SELECT count(*) FROM files WHERE kind = 'form'"),
    ("chunks", "SELECT coalesce(sum(chunks), 0) FROM files"),
    (
        "sections",
        "SELECT count(*) FROM procedures WHERE kind = 'section'",
    ),
    (
        "paragraphs",
        "SELECT count(*) FROM procedures WHERE kind = 'paragraph'",
    ),
    ("data_items", "SELECT count(*) FROM data_items"),
    (
        "call_edges",
        "SELECT count(*) FROM calls WHERE kind <> 'runtime'",
    ),
    ("copy_edges", "SELECT count(*) FROM copies"),
    ("perform_edges", "SELECT count(*) FROM performs"),
    ("references", "SELECT count(*) FROM refs"),
];

pub(crate) fn store_counts(conn: &Connection) -> Result<(), StoreError> {
    let mut put = conn
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
        .map_err(sql)?;
    for (name, query) in COUNTS {
        let n: i64 = conn.query_row(query, [], |r| r.get(0)).map_err(sql)?;
        put.execute(params![format!("count.{name}"), n.to_string()])
            .map_err(sql)?;
    }
    Ok(())
}
