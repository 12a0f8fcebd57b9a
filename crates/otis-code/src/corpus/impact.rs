//! Impact analysis: what is affected if X changes, level by level. Level 1 is what uses X
//! directly: the files that COPY a copybook, the programs that call a program, the files
//! whose statements PERFORM or GO TO a section or paragraph, the files whose procedure code
//! names a data item. From a copybook of one level, the next level is the files that copy
//! it; from a program, the programs that call it. A file appears at its first level only.

use std::collections::{BTreeMap, HashSet};

use otis_core::ports::{CodeFacts, Note, QuestionKind, SymbolKind};

use super::writer::{Writer, absent};
use crate::link::Linked;
use crate::source::LineSource;

/// Levels expanded when the question does not say.
pub(crate) const DEFAULT_LEVELS: usize = 3;

/// One affected file: its id, how it is affected, and the line that shows it.
#[derive(Debug, Clone)]
struct Hit {
    file: u32,
    how: String,
    at: u32,
    line: u32,
}

fn u(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// The files that copy one of `files` (the copybook's own files), with the COPY line.
fn copiers(link: &Linked<'_>, file: u32) -> Vec<(u32, u32)> {
    link.list(
        "SELECT file_id, min(line) FROM copies WHERE target_id = ?1 GROUP BY file_id",
        [file],
        |r| Ok((u(r.get(0)?), u(r.get(1)?))),
    )
}

/// The program files that call program `name` (own code or a copybook), with the call's
/// file and line.
fn callers(link: &Linked<'_>, name: &str) -> Vec<(u32, u32, u32)> {
    link.list(
        "SELECT program_id, file_id, min(coalesce(set_line, line)) FROM program_calls \
         WHERE target = ?1 GROUP BY program_id",
        [name],
        |r| Ok((u(r.get(0)?), u(r.get(1)?), u(r.get(2)?))),
    )
}

/// The next level from a file: who copies it (a copybook) or calls it (a program).
fn users_of(link: &Linked<'_>, file: u32) -> Vec<Hit> {
    let name = link.name(file).to_owned();
    if link.is_program(file) {
        callers(link, &name)
            .into_iter()
            .filter(|&(p, _, _)| p != file)
            .map(|(p, at, line)| Hit {
                file: p,
                how: format!("calls {name}"),
                at,
                line,
            })
            .collect()
    } else {
        copiers(link, file)
            .into_iter()
            .map(|(f, line)| Hit {
                file: f,
                how: format!("copies {name}"),
                at: f,
                line,
            })
            .collect()
    }
}

/// Level 1 for subject `name` of kind `kind`.
fn first_level(link: &Linked<'_>, name: &str, kind: SymbolKind) -> Vec<Hit> {
    match kind {
        SymbolKind::Copybook => {
            let files: Vec<u32> = link
                .member_files(name)
                .into_iter()
                .filter(|&f| !link.is_program(f))
                .collect();
            if files.is_empty() {
                // Copied, but not in the corpus: the files that name it.
                return link
                    .list(
                        "SELECT file_id, min(line) FROM copies WHERE member = ?1 GROUP BY file_id",
                        [name],
                        |r| Ok((u(r.get(0)?), u(r.get(1)?))),
                    )
                    .into_iter()
                    .map(|(f, line)| Hit {
                        file: f,
                        how: format!("copies {name}"),
                        at: f,
                        line,
                    })
                    .collect();
            }
            files.into_iter().flat_map(|f| users_of(link, f)).collect()
        }
        SymbolKind::Program => callers(link, name)
            .into_iter()
            .filter(|&(p, _, _)| link.name(p) != name)
            .map(|(p, at, line)| Hit {
                file: p,
                how: format!("calls {name}"),
                at,
                line,
            })
            .collect(),
        SymbolKind::Section | SymbolKind::Paragraph => link
            .list(
                "SELECT file_id, min(line), kind FROM performs WHERE target = ?1 OR thru = ?1 \
                 GROUP BY file_id",
                [name],
                |r| Ok((u(r.get(0)?), u(r.get(1)?), r.get::<_, String>(2)?)),
            )
            .into_iter()
            .map(|(f, line, how)| Hit {
                file: f,
                how: if how == "goto" {
                    format!("goes to {name}")
                } else {
                    format!("performs {name}")
                },
                at: f,
                line,
            })
            .collect(),
        SymbolKind::DataItem => link
            .list(
                "SELECT file_id, min(line), max(writes) FROM refs \
                 WHERE name_id = (SELECT id FROM names WHERE name = ?1) GROUP BY file_id",
                [name],
                |r| Ok((u(r.get(0)?), u(r.get(1)?), r.get::<_, i64>(2)?)),
            )
            .into_iter()
            .map(|(f, line, writes)| Hit {
                file: f,
                how: if writes > 0 {
                    format!("changes {name}")
                } else {
                    format!("reads {name}")
                },
                at: f,
                line,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What is affected if `name` changes, `depth` levels deep.
pub(crate) fn impact(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    name: &str,
    depth: Option<usize>,
) -> CodeFacts {
    let Some(kind) = link.identify(name) else {
        return absent(link, lines, QuestionKind::Impact, name);
    };
    let depth = depth.unwrap_or(DEFAULT_LEVELS).max(1);
    let mut w = Writer::new(link, lines, QuestionKind::Impact);
    w.facts.subject = Some(name.to_owned());
    w.facts.subject_kind = Some(kind);
    w.facts.file = link
        .member_files(name)
        .first()
        .map(|&f| link.row(f).path.clone());
    // The subject's own files are not "affected".
    let mut seen: HashSet<u32> = link.member_files(name).into_iter().collect();
    let mut levels: BTreeMap<usize, Vec<Hit>> = BTreeMap::new();
    let mut frontier: Vec<Hit> = first_level(link, name, kind);
    for level in 1..=depth {
        let mut kept = Vec::new();
        for hit in frontier {
            if seen.insert(hit.file) {
                kept.push(hit);
            }
        }
        if kept.is_empty() {
            break;
        }
        kept.sort_by(|a, b| link.name(a.file).cmp(link.name(b.file)));
        let next: Vec<Hit> = kept.iter().flat_map(|h| users_of(link, h.file)).collect();
        levels.insert(level, kept);
        frontier = next;
    }
    let total: usize = levels.values().map(Vec::len).sum();
    w.note(Note::Count, total.to_string());
    w.note(Note::Levels, depth.to_string());
    for (level, hits) in &levels {
        for hit in hits {
            let member = link.name(hit.file).to_owned();
            w.item(
                &member,
                Some(format!("level {level}")),
                Some(hit.how.clone()),
                hit.at,
                hit.line,
            );
            if *level == 1 {
                w.cite(hit.at, hit.line);
            }
        }
    }
    w.finish()
}
