//! The things a corpus query lists, read from the store: programs, copybooks, sections,
//! paragraphs, data items, declared files, screens, menus, menu options and call targets
//! without source, each with what the filters and orders need.

use std::collections::BTreeMap;

use otis_core::corpus::Entity;

use crate::link::Linked;
use crate::menu;
use crate::names::directory;

/// One thing a corpus answer may list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Thing {
    /// What the answer calls it: a member, a procedure, a data item, a file name.
    pub(crate) name: String,
    /// The store id of the file it is (programs, copybooks, screens) or is in.
    pub(crate) file_id: u32,
    /// That file's path.
    pub(crate) path: String,
    /// The line that shows it.
    pub(crate) line: u32,
    /// Where it is: a directory, a library, the member it is in, a menu.
    pub(crate) place: String,
    /// A short description (a menu option's label, a data item's PIC, ...).
    pub(crate) detail: Option<String>,
}

fn u(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// Every thing of `entity`, in a stable order (path, then line).
pub(crate) fn all(link: &Linked<'_>, entity: Entity) -> Vec<Thing> {
    match entity {
        Entity::Programs | Entity::Copybooks => {
            let kinds = if entity == Entity::Programs {
                "('program')"
            } else {
                "('copybook', 'empty')"
            };
            let query = format!(
                "SELECT id, member, path, coalesce(description_line, 1), folder, description \
                 FROM files WHERE kind IN {kinds} ORDER BY path"
            );
            link.list(&query, [], |r| {
                let path: String = r.get(2)?;
                let folder: String = r.get(4)?;
                let place = if entity == Entity::Programs {
                    directory(&path).to_owned()
                } else if folder.is_empty() {
                    "(top)".to_owned()
                } else {
                    folder
                };
                Ok(Thing {
                    name: r.get(1)?,
                    file_id: u(r.get(0)?),
                    path,
                    line: u(r.get(3)?),
                    place,
                    detail: r.get(5)?,
                })
            })
        }
        Entity::Sections | Entity::Paragraphs => {
            let kind = if entity == Entity::Sections {
                "section"
            } else {
                "paragraph"
            };
            link.list(
                "SELECT p.name, p.file_id, f.path, p.line, f.member FROM procedures p \
                 JOIN files f ON f.id = p.file_id WHERE p.kind = ?1 ORDER BY f.path, p.ord",
                [kind],
                |r| {
                    Ok(Thing {
                        name: r.get(0)?,
                        file_id: u(r.get(1)?),
                        path: r.get(2)?,
                        line: u(r.get(3)?),
                        place: r.get(4)?,
                        detail: None,
                    })
                },
            )
        }
        Entity::DataItems => link.list(
            "SELECT d.name, d.file_id, f.path, d.line, f.member, d.level, d.pic FROM data_items d \
             JOIN files f ON f.id = d.file_id ORDER BY f.path, d.ord",
            [],
            |r| {
                let level: i64 = r.get(5)?;
                let pic: Option<String> = r.get(6)?;
                Ok(Thing {
                    name: r.get(0)?,
                    file_id: u(r.get(1)?),
                    path: r.get(2)?,
                    line: u(r.get(3)?),
                    place: r.get(4)?,
                    detail: Some(match pic {
                        Some(p) => format!("level {level:02}, PIC {p}"),
                        None => format!("level {level:02}"),
                    }),
                })
            },
        ),
        Entity::Files => link.list(
            "SELECT s.name, s.file_id, f.path, s.line, f.member, s.assign FROM selects s \
             JOIN files f ON f.id = s.file_id ORDER BY f.path, s.ord",
            [],
            |r| {
                let assign: String = r.get(5)?;
                Ok(Thing {
                    name: r.get(0)?,
                    file_id: u(r.get(1)?),
                    path: r.get(2)?,
                    line: u(r.get(3)?),
                    place: r.get(4)?,
                    detail: Some(format!("assigned to {assign}")),
                })
            },
        ),
        Entity::Screens => link.list(
            "SELECT fo.name, fo.file_id, f.path, coalesce(fo.title_line, 1), fo.title \
             FROM forms fo JOIN files f ON f.id = fo.file_id ORDER BY f.path",
            [],
            |r| {
                let path: String = r.get(2)?;
                Ok(Thing {
                    name: r.get(0)?,
                    file_id: u(r.get(1)?),
                    place: screen_place(&path),
                    path,
                    line: u(r.get(3)?),
                    detail: r.get(4)?,
                })
            },
        ),
        Entity::Menus => menus(link)
            .into_iter()
            .map(|m| Thing {
                name: m.name,
                file_id: m.file_id,
                place: directory(&m.path).to_owned(),
                path: m.path,
                line: m.line,
                detail: Some(format!("{} options", m.options.len())),
            })
            .collect(),
        Entity::MenuOptions => menus(link)
            .into_iter()
            .flat_map(|m| {
                let menu = m.name.clone();
                let path = m.path.clone();
                m.options.into_iter().map(move |o| Thing {
                    name: o
                        .program
                        .clone()
                        .unwrap_or_else(|| format!("option {}", o.number)),
                    file_id: m.file_id,
                    path: path.clone(),
                    line: o.line,
                    place: menu.clone(),
                    detail: Some(match &o.label {
                        Some(label) => format!("option {}: {label}", o.number),
                        None => format!("option {}", o.number),
                    }),
                })
            })
            .collect(),
        Entity::CallTargets => unresolved_targets(link),
        _ => Vec::new(),
    }
}

/// The folder a screen form is filed under (`FM/XX/UP/UP1534` -> `UP`).
pub(crate) fn screen_place(path: &str) -> String {
    path.rsplit('/')
        .nth(1)
        .map_or_else(|| "(top)".to_owned(), str::to_owned)
}

/// One option of a menu, as corpus answers give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OptionRow {
    pub(crate) number: u32,
    pub(crate) label: Option<String>,
    pub(crate) program: Option<String>,
    /// The line of the MOVE (or CALL) that names the program, else the DEPENDING ON.
    pub(crate) line: u32,
    /// The label's form file and line, when the form has one.
    pub(crate) form_line: Option<(String, u32)>,
}

/// A menu program and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MenuRow {
    pub(crate) name: String,
    pub(crate) file_id: u32,
    pub(crate) path: String,
    /// The `GO TO ... DEPENDING ON` line.
    pub(crate) line: u32,
    pub(crate) options: Vec<OptionRow>,
    /// Programs it runs or hands control to outside its numbered options (a function
    /// key's `PAGE 2`), with the line that names each.
    pub(crate) others: Vec<(String, u32)>,
    /// Its screen form's function keys: number and label (`4`, `PAGE 2`).
    pub(crate) keys: Vec<(u32, String)>,
}

/// Every menu program of the corpus (the `GO TO ... DEPENDING ON` idiom with options
/// that name programs), in path order.
pub(crate) fn menus(link: &Linked<'_>) -> Vec<MenuRow> {
    let mut out = Vec::new();
    for f in link.depending_files() {
        let Some(m) = menu::menu_of(link, f) else {
            continue;
        };
        let form_path = m.form.map(|form| form.path.clone());
        let options = m
            .options
            .iter()
            .map(|o| OptionRow {
                number: o.number,
                label: o.label.as_ref().map(|(l, _)| l.clone()),
                program: o.target.as_ref().map(|t| t.name.clone()),
                line: o.target.as_ref().map_or(m.line, |t| t.line),
                form_line: match (&form_path, &o.label) {
                    (Some(p), Some((_, line))) => Some((p.clone(), *line)),
                    _ => None,
                },
            })
            .collect();
        let others = m.others.iter().map(|t| (t.name.clone(), t.line)).collect();
        let keys = m.form.map_or_else(Vec::new, |form| {
            form.form
                .keys
                .iter()
                .map(|k| (k.key, k.label.clone()))
                .collect()
        });
        out.push(MenuRow {
            name: link.name(f).to_owned(),
            file_id: f,
            path: link.row(f).path.clone(),
            line: m.line,
            options,
            others,
            keys,
        });
    }
    out
}

/// Where a call target without source is filed: the folder its call names
/// (`CALL "CL/CRNOR2"` -> `CL (not in the corpus)`), never the folder of a caller, which
/// would read as if it lived there.
fn missing_place(folder: Option<&str>) -> String {
    match folder {
        Some(f) => format!("{f} (not in the corpus)"),
        None => "(not in the corpus)".to_owned(),
    }
}

/// Programs called whose source is not in the corpus, each once, with the programs that
/// call them (in the detail) and the first call site; grouped by the folder their call
/// names, if any.
pub(crate) fn unresolved_targets(link: &Linked<'_>) -> Vec<Thing> {
    let mut folders: BTreeMap<String, String> = BTreeMap::new();
    for (target, path) in link.list(
        "SELECT target, path FROM calls WHERE kind <> 'runtime' AND path LIKE '%/%' \
         ORDER BY file_id, line",
        [],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    ) {
        if let Some((folder, _)) = path.rsplit_once('/') {
            folders
                .entry(target)
                .or_insert_with(|| folder.to_ascii_uppercase());
        }
    }
    let rows = link.list(
        "SELECT pc.target, p.member, f.path, pc.line, pc.file_id FROM program_calls pc \
         JOIN files p ON p.id = pc.program_id JOIN files f ON f.id = pc.file_id \
         WHERE NOT EXISTS (SELECT 1 FROM files t WHERE t.member = pc.target AND t.kind = 'program') \
         ORDER BY pc.target, f.path, pc.line",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                u(r.get(3)?),
                u(r.get(4)?),
            ))
        },
    );
    let mut by: BTreeMap<String, (Vec<String>, String, u32, u32)> = BTreeMap::new();
    for (target, caller, path, line, file) in rows {
        let entry = by
            .entry(target)
            .or_insert_with(|| (Vec::new(), path, line, file));
        if !entry.0.contains(&caller) {
            entry.0.push(caller);
        }
    }
    by.into_iter()
        .map(|(target, (mut callers, path, line, file))| {
            callers.sort();
            Thing {
                place: missing_place(folders.get(&target).map(String::as_str)),
                name: target,
                file_id: file,
                path,
                line,
                detail: Some(format!("called by {}", callers.join(", "))),
            }
        })
        .collect()
}
