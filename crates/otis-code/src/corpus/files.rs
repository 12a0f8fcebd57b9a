//! What programs do to their files: OPEN (with its mode), READ, WRITE, REWRITE, DELETE,
//! START, over each program's own code and the copybooks it copies. A WRITE or REWRITE
//! names a record: it is charged to the file whose FD lists that record (its own level-01
//! entries, or those of the copybook copied under the FD), in any file the program sees;
//! failing that, to the file the OTIS naming convention pairs it with (`LN-REC` with
//! `LN-FILE`).

use std::collections::{BTreeMap, HashMap, HashSet};

use otis_core::corpus::FileAccess;

use crate::link::Linked;

/// One operation of a program on a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Op {
    /// The file's name (its SELECT name).
    pub(crate) file: String,
    /// `OPEN INPUT`, `READ`, `WRITE`, ...
    pub(crate) op: String,
    /// The file (store id) and line of the statement.
    pub(crate) at: u32,
    pub(crate) line: u32,
}

fn u(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// Whether operation `op` is `access`.
pub(crate) fn is_access(op: &str, access: FileAccess) -> bool {
    match access {
        FileAccess::OpenInput => op == "OPEN INPUT",
        FileAccess::OpenOutput => op == "OPEN OUTPUT",
        FileAccess::OpenInputOutput => op == "OPEN I-O",
        FileAccess::OpenExtend => op == "OPEN EXTEND",
        FileAccess::Read => op == "READ",
        FileAccess::Write => op == "WRITE" || op == "REWRITE",
        FileAccess::Rewrite => op == "REWRITE",
        FileAccess::Delete => op == "DELETE",
        _ => true,
    }
}

/// Operations that take a record, not a file.
fn on_record(op: &str) -> bool {
    matches!(op, "WRITE" | "REWRITE" | "RELEASE")
}

/// `LN-REC` / `LN-RECORD` -> `LN`.
fn record_stem(record: &str) -> Option<&str> {
    record
        .strip_suffix("-RECORD")
        .or_else(|| record.strip_suffix("-REC"))
        .or_else(|| record.strip_suffix("-RCD"))
}

/// For each file of the corpus, the records of each FD it holds: (record, file name).
fn fd_records(link: &Linked<'_>) -> HashMap<u32, Vec<(String, String)>> {
    let mut out: HashMap<u32, Vec<(String, String)>> = HashMap::new();
    for (file, record, name) in link.list(
        "SELECT r.file_id, r.record, d.name FROM fd_records r \
         JOIN file_descriptions d ON d.file_id = r.file_id AND d.ord = r.fd_ord",
        [],
        |r| Ok((u(r.get(0)?), r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
    ) {
        out.entry(file).or_default().push((record, name));
    }
    // An FD whose record is a copybook copied under it: that copybook's 01 entries.
    for (file, name, record) in link.list(
        "SELECT d.file_id, d.name, di.name FROM file_descriptions d \
         JOIN copies c ON c.file_id = d.file_id AND c.line > d.line \
           AND c.line < coalesce((SELECT min(n.line) FROM file_descriptions n \
                                  WHERE n.file_id = d.file_id AND n.line > d.line), 1 << 30) \
         JOIN data_items di ON di.file_id = c.target_id AND di.level = 1",
        [],
        |r| Ok((u(r.get(0)?), r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
    ) {
        out.entry(file).or_default().push((record, name));
    }
    out
}

/// Every program's operations on files, in its own code and the copybooks it copies.
pub(crate) fn program_ops(link: &Linked<'_>) -> BTreeMap<u32, Vec<Op>> {
    ops(link, None)
}

/// One program's operations on files.
pub(crate) fn ops_of(link: &Linked<'_>, program: u32) -> Vec<Op> {
    ops(link, Some(program))
        .remove(&program)
        .unwrap_or_default()
}

fn ops(link: &Linked<'_>, only: Option<u32>) -> BTreeMap<u32, Vec<Op>> {
    let records = fd_records(link);
    let declared: HashSet<String> = link
        .list("SELECT DISTINCT name FROM selects", [], |r| {
            r.get::<_, String>(0)
        })
        .into_iter()
        .collect();
    // Which files each program sees: itself and its copybooks.
    let mut sees: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for p in link.list("SELECT id FROM files WHERE kind = 'program'", [], |r| {
        Ok(u(r.get(0)?))
    }) {
        sees.entry(p).or_default().push(p);
    }
    for (p, c) in link.list(
        "SELECT program_id, copybook_id FROM copy_closure",
        [],
        |r| Ok((u(r.get(0)?), u(r.get(1)?))),
    ) {
        if only.is_none_or(|o| o == p) {
            sees.entry(p).or_default().push(c);
        }
    }
    let mut ops_of: HashMap<u32, Vec<(String, String, u32)>> = HashMap::new();
    for (file, op, target, line) in link.list(
        "SELECT file_id, op, target, line FROM file_ops ORDER BY file_id, ord",
        [],
        |r| {
            Ok((
                u(r.get(0)?),
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                u(r.get(3)?),
            ))
        },
    ) {
        ops_of.entry(file).or_default().push((op, target, line));
    }
    let mut out = BTreeMap::new();
    for (program, files) in sees {
        let record_file: HashMap<&str, &str> = files
            .iter()
            .filter_map(|f| records.get(f))
            .flatten()
            .map(|(r, f)| (r.as_str(), f.as_str()))
            .collect();
        let mut ops = Vec::new();
        for f in &files {
            for (op, target, line) in ops_of.get(f).into_iter().flatten() {
                if op == "CLOSE" {
                    continue;
                }
                let file = if on_record(op) {
                    match record_file.get(target.as_str()) {
                        Some(file) => (*file).to_owned(),
                        None => match record_stem(target)
                            .map(|s| format!("{s}-FILE"))
                            .filter(|f| declared.contains(f))
                        {
                            Some(file) => file,
                            None => continue,
                        },
                    }
                } else {
                    target.clone()
                };
                ops.push(Op {
                    file,
                    op: op.clone(),
                    at: *f,
                    line: *line,
                });
            }
        }
        if !ops.is_empty() {
            out.insert(program, ops);
        }
    }
    out
}

/// Names of the files some program writes (WRITE or REWRITE of one of its records).
pub(crate) fn written_files(link: &Linked<'_>) -> HashSet<String> {
    program_ops(link)
        .into_values()
        .flatten()
        .filter(|op| is_access(&op.op, FileAccess::Write))
        .map(|op| op.file)
        .collect()
}
