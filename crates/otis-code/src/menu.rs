//! The menu idiom: `GO TO M01 M02 ... DEPENDING ON FORM-BUF` sends option N to the Nth
//! paragraph, and each option paragraph names the next program
//! (`M01. MOVE "LP/LONP" TO FORM-NAM. GO TO RUN-PROG.`), run by a dynamic call or handed
//! back to the caller (a transfer). The labels come from the program's screen form
//! (`1. DAILY PROCESSING`).

use crate::forms::{FormFile, dir_of};
use crate::link::Linked;

/// How an option or key reaches the next program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// Called here (`CALL FORM-PROGX` after the move).
    Dynamic,
    /// `CALL "NAME"`.
    Static,
    /// Handed back to the caller to run next.
    Transfer,
}

/// A program a menu runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The program, upper case.
    pub(crate) name: String,
    /// The literal with its directory, when it has one: `FX/FXBYDS`.
    pub(crate) path: Option<String>,
    pub(crate) via: Via,
    /// The line that names it (the MOVE, or the CALL).
    pub(crate) line: u32,
    /// The procedure it is named in.
    pub(crate) from: Option<String>,
}

/// One option of a menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MenuOption {
    /// What the user types.
    pub(crate) number: u32,
    /// The paragraph the option goes to.
    pub(crate) paragraph: String,
    /// The program it runs, when it runs one (unused options go back to the menu).
    pub(crate) target: Option<Target>,
    /// The option's label on the screen, and its line in the form file.
    pub(crate) label: Option<(String, u32)>,
    /// The paragraphs the option paragraph goes on to (`RUN-PROG`).
    pub(crate) then: Vec<String>,
}

/// A menu program's options and the other programs it names (function keys, returns).
#[derive(Debug, Clone)]
pub(crate) struct Menu<'a> {
    /// The procedure with the `GO TO ... DEPENDING ON`.
    pub(crate) from: Option<String>,
    /// Its line.
    pub(crate) line: u32,
    pub(crate) options: Vec<MenuOption>,
    /// Programs named outside the option paragraphs, in source order.
    pub(crate) others: Vec<Target>,
    /// The menu's screen form, when the corpus has it.
    pub(crate) form: Option<&'a FormFile>,
}

impl Menu<'_> {
    /// Options that run a program.
    pub(crate) fn used(&self) -> impl Iterator<Item = (&MenuOption, &Target)> {
        self.options
            .iter()
            .filter_map(|o| o.target.as_ref().map(|t| (o, t)))
    }
}

/// What reading a menu needs of a program file, from its `procedures` and `performs`
/// rows (a menu program may be large: its whole facts are not loaded).
struct Shape {
    /// (name, first line, last line) of each section and paragraph.
    procs: Vec<(String, u32, u32)>,
    /// (procedure it stands in, target, GO TO?, line) of each PERFORM / GO TO, in order.
    edges: Vec<(Option<String>, String, bool, u32)>,
}

impl Shape {
    fn read(link: &Linked<'_>, f: u32) -> Self {
        let line = |v: i64| u32::try_from(v).unwrap_or(0);
        Self {
            procs: link.list(
                "SELECT name, line, end_line FROM procedures WHERE file_id = ?1 ORDER BY ord",
                [f],
                |r| Ok((r.get(0)?, line(r.get(1)?), line(r.get(2)?))),
            ),
            edges: link.list(
                "SELECT from_proc, target, kind = 'goto', line FROM performs \
                 WHERE file_id = ?1 ORDER BY ord",
                [f],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, line(r.get(3)?))),
            ),
        }
    }

    /// A run of `GO TO` edges of one statement with two or more targets: a
    /// `GO TO ... DEPENDING ON`. Returns (procedure, line, targets) for each.
    fn depending_groups(&self) -> Vec<(Option<String>, u32, Vec<String>)> {
        let edges = &self.edges;
        let mut out = Vec::new();
        let mut i = 0;
        while i < edges.len() {
            let (from, _, goto, line) = &edges[i];
            let mut j = i + 1;
            if *goto {
                while j < edges.len() && edges[j].2 && edges[j].3 == *line && edges[j].0 == *from {
                    j += 1;
                }
                if j - i >= 2 {
                    let targets = edges[i..j].iter().map(|x| x.1.clone()).collect();
                    out.push((from.clone(), *line, targets));
                }
            }
            i = j;
        }
        out
    }

    /// The lines of procedure `name`.
    fn span(&self, name: &str) -> Option<(u32, u32)> {
        self.procs.iter().find(|p| p.0 == name).map(|p| (p.1, p.2))
    }

    /// The GO TO targets of the statements in procedure `name`.
    fn jumps_from(&self, name: &str) -> Vec<String> {
        self.edges
            .iter()
            .filter(|e| e.2 && e.0.as_deref() == Some(name))
            .map(|e| e.1.clone())
            .collect()
    }
}

/// The programs named in lines `start..=end` of file `f`: dynamic calls by the line of
/// their move, static calls, transfers; in source order.
pub(crate) fn targets_in(link: &Linked<'_>, f: u32, start: u32, end: u32) -> Vec<Target> {
    let mut all = targets_of_file(link, f);
    all.retain(|t| (start..=end).contains(&t.line));
    all
}

/// Every program file `f` names, in line order, read from the store's `calls` and
/// `transfers` rows without loading the file's facts.
pub(crate) fn targets_of_file(link: &Linked<'_>, f: u32) -> Vec<Target> {
    let line = |v: i64| u32::try_from(v).unwrap_or(0);
    let mut out: Vec<Target> = link.list(
        "SELECT target, path, kind, line, set_line, from_proc FROM calls \
         WHERE file_id = ?1 AND kind <> 'runtime' ORDER BY ord",
        [f],
        |r| {
            let dynamic = r.get::<_, String>(2)? == "dynamic";
            let at = line(r.get(3)?);
            let set = r.get::<_, Option<i64>>(4)?.map(line);
            Ok(Target {
                name: r.get(0)?,
                path: r.get(1)?,
                via: if dynamic { Via::Dynamic } else { Via::Static },
                line: if dynamic { set.unwrap_or(at) } else { at },
                from: r.get(5)?,
            })
        },
    );
    out.extend(link.list(
        "SELECT target, path, line, from_proc FROM transfers WHERE file_id = ?1 ORDER BY ord",
        [f],
        |r| {
            Ok(Target {
                name: r.get(0)?,
                path: r.get(1)?,
                via: Via::Transfer,
                line: line(r.get(2)?),
                from: r.get(3)?,
            })
        },
    ));
    out.sort_by_key(|t| t.line);
    out.dedup_by(|a, b| a.name == b.name && a.line == b.line);
    out
}

/// The menu in program file `f`, when it has one: the `GO TO ... DEPENDING ON` whose
/// target paragraphs name the most programs (at least two).
pub(crate) fn menu_of<'a>(link: &'a Linked<'a>, f: u32) -> Option<Menu<'a>> {
    let shape = Shape::read(link, f);
    let mut best: Option<(usize, Menu<'_>)> = None;
    for (from, line, targets) in shape.depending_groups() {
        let mut options = Vec::new();
        let mut used = 0;
        for (k, paragraph) in targets.iter().enumerate() {
            let number = u32::try_from(k + 1).unwrap_or(u32::MAX);
            let Some((start, end)) = shape.span(paragraph) else {
                options.push(MenuOption {
                    number,
                    paragraph: paragraph.clone(),
                    target: None,
                    label: None,
                    then: Vec::new(),
                });
                continue;
            };
            let target = targets_in(link, f, start, end).into_iter().next();
            used += usize::from(target.is_some());
            let then = shape.jumps_from(paragraph);
            options.push(MenuOption {
                number,
                paragraph: paragraph.clone(),
                target,
                label: None,
                then,
            });
        }
        if used >= 2 && best.as_ref().is_none_or(|(n, _)| used > *n) {
            best = Some((
                used,
                Menu {
                    from,
                    line,
                    options,
                    others: Vec::new(),
                    form: None,
                },
            ));
        }
    }
    let (_, mut menu) = best?;
    // Other programs it names: outside the option paragraphs.
    let option_spans: Vec<(u32, u32)> = menu
        .options
        .iter()
        .filter_map(|o| shape.span(&o.paragraph))
        .collect();
    menu.others = targets_in(link, f, 1, u32::MAX)
        .into_iter()
        .filter(|t| !option_spans.iter().any(|&(s, e)| (s..=e).contains(&t.line)))
        .collect();
    menu.form = link.form(dir_of(&link.row(f).path), link.name(f));
    if let Some(form) = menu.form {
        for option in &mut menu.options {
            if let Some(o) = form.form.options.iter().find(|o| o.number == option.number) {
                option.label = Some((o.label.clone(), o.line));
            }
        }
    }
    Some(menu)
}
