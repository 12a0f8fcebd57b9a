//! Menus and screens: a menu's options (number, label from its screen form, program run),
//! the menu path from the main menu to a program, the application's entry point, and a
//! screen's fields.

use std::collections::{HashMap, VecDeque};

use otis_core::ports::{CodeFacts, Note, QuestionKind, SymbolKind};

use super::things::{self, MenuRow};
use super::writer::{Writer, absent};
use crate::link::Linked;
use crate::source::LineSource;

fn menu_named<'m>(menus: &'m [MenuRow], name: &str) -> Option<&'m MenuRow> {
    menus.iter().find(|m| m.name == name)
}

/// The options of menu `name` (or the main menu), or option `number` alone.
pub(crate) fn options(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    name: Option<&str>,
    number: Option<u32>,
) -> CodeFacts {
    let menus = things::menus(link);
    let name = match name {
        Some(n) => n.to_owned(),
        None => match crate::screens::main_menu(link) {
            Some(m) => m,
            None => return absent(link, lines, QuestionKind::MenuOptions, "MENU"),
        },
    };
    let Some(menu) = menu_named(&menus, &name) else {
        if link.identify(&name).is_none() {
            return absent(link, lines, QuestionKind::MenuOptions, &name);
        }
        // A program that is not a menu: say so, with the options that run it, else the
        // menus there are.
        let mut w = Writer::new(link, lines, QuestionKind::MenuOptions);
        w.facts.subject = Some(name.clone());
        w.note(Note::Count, "0");
        let run_by: Vec<String> = menus
            .iter()
            .flat_map(|m| {
                m.options
                    .iter()
                    .filter(|o| o.program.as_deref() == Some(name.as_str()))
                    .map(|o| {
                        w.cite(m.file_id, o.line);
                        match &o.label {
                            Some(l) => format!("option {} of {} ({l})", o.number, m.name),
                            None => format!("option {} of {}", o.number, m.name),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let others = if run_by.is_empty() {
            format!(
                "the menus are {}",
                menus
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            format!("it is run by {}", run_by.join(", "))
        };
        w.note(
            Note::Query,
            format!("{name} is not a menu program; {others}"),
        );
        return w.finish();
    };
    let mut w = Writer::new(link, lines, QuestionKind::MenuOptions);
    w.facts.subject = Some(menu.name.clone());
    w.facts.subject_kind = Some(SymbolKind::Program);
    w.facts.file = Some(menu.path.clone());
    let chosen: Vec<_> = menu
        .options
        .iter()
        .filter(|o| o.program.is_some())
        .filter(|o| number.is_none_or(|n| o.number == n))
        .collect();
    w.note(Note::Count, chosen.len().to_string());
    if let Some(n) = number
        && chosen.is_empty()
    {
        w.note(
            Note::Query,
            format!(
                "{} has no option {n} that runs a program (its options: {})",
                menu.name,
                menu.options
                    .iter()
                    .filter(|o| o.program.is_some())
                    .map(|o| o.number.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    w.cite(menu.file_id, menu.line);
    for o in chosen {
        let program = o.program.clone().unwrap_or_default();
        w.item(
            &program,
            Some(format!("option {}", o.number)),
            o.label.clone(),
            menu.file_id,
            o.line,
        );
        w.cite(menu.file_id, o.line);
        if let Some((form, line)) = &o.form_line
            && let Some(f) = link.file_id(form)
        {
            w.cite(f, *line);
        }
    }
    if let Some(form) = menu.options.iter().find_map(|o| o.form_line.as_ref()) {
        w.note(Note::Form, form.0.clone());
    }
    w.finish()
}

/// How a menu runs the next program on a path.
#[derive(Debug, Clone)]
enum Choice {
    /// A numbered option, with its label.
    Option(u32, Option<String>),
    /// Outside the numbered options (a function key), at this line of the menu.
    Other,
}

/// One step of a menu path: the program run, and the menu, the choice, file and line
/// that run it.
type Step = (String, (String, Choice, u32, u32));

/// The shortest path of menu choices from menu `top` to `target`, breadth first: numbered
/// options, and the programs a menu runs outside them (function keys).
fn route(menus: &[MenuRow], top: &str, target: &str) -> Option<Vec<Step>> {
    if top == target {
        return Some(Vec::new());
    }
    let mut back: HashMap<String, (String, Choice, u32, u32)> = HashMap::new();
    let mut queue = VecDeque::from([top.to_owned()]);
    let mut found = false;
    while let Some(at) = queue.pop_front() {
        let Some(menu) = menu_named(menus, &at) else {
            continue;
        };
        let choices = menu
            .options
            .iter()
            .filter_map(|o| {
                let program = o.program.as_ref()?;
                Some((program, Choice::Option(o.number, o.label.clone()), o.line))
            })
            .chain(
                menu.others
                    .iter()
                    .map(|(program, line)| (program, Choice::Other, *line)),
            );
        for (program, choice, line) in choices {
            if program == top || back.contains_key(program) {
                continue;
            }
            back.insert(program.clone(), (at.clone(), choice, menu.file_id, line));
            if program == target {
                found = true;
                break;
            }
            queue.push_back(program.clone());
        }
        if found {
            break;
        }
    }
    if !found {
        return None;
    }
    let mut steps = Vec::new();
    let mut at = target.to_owned();
    while let Some(step) = back.get(&at) {
        steps.push((at.clone(), step.clone()));
        at = step.0.clone();
    }
    steps.reverse();
    Some(steps)
}

/// The function key that runs a program at `line` of a menu: the `F4-KEY` test just
/// before it, with the key's label on the menu's form ("F4 (PAGE 2)").
fn key_of(
    lines: &dyn LineSource,
    link: &Linked<'_>,
    menus: &[MenuRow],
    menu: &str,
    file: u32,
    line: u32,
) -> Option<String> {
    let path = &link.row(file).path;
    let text = lines.lines(path, line.saturating_sub(3).max(1), line)?;
    let key: u32 = text.lines().rev().find_map(|l| {
        let upper = l.to_ascii_uppercase();
        let at = upper.find("-KEY")?;
        let digits: String = upper[..at]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let f = upper[..at - digits.len()].ends_with('F');
        (f && !digits.is_empty())
            .then(|| digits.parse().ok())
            .flatten()
    })?;
    let label = menu_named(menus, menu)
        .and_then(|m| m.keys.iter().find(|(k, _)| *k == key))
        .map(|(_, l)| format!(" ({l})"))
        .unwrap_or_default();
    Some(format!("F{key}{label}"))
}

/// The shortest path of menu options to `target` from the main menu; when the main
/// menu does not reach it, from each other top menu (the menus no program calls) that
/// does.
pub(crate) fn path(link: &Linked<'_>, lines: &dyn LineSource, target: &str) -> CodeFacts {
    if link.identify(target).is_none() {
        return absent(link, lines, QuestionKind::MenuPath, target);
    }
    let menus = things::menus(link);
    let mut w = Writer::new(link, lines, QuestionKind::MenuPath);
    w.facts.subject = Some(target.to_owned());
    w.facts.subject_kind = link.identify(target);
    let tops = crate::screens::top_menus(link);
    let Some(main) = tops.first() else {
        w.note(Note::Count, "0");
        w.note(Note::Query, "the corpus has no menu program");
        return w.finish();
    };
    w.note(Note::MainMenu, main.clone());
    // From the main menu when it reaches the target; else from each other top menu,
    // unless a route already found passes through it or it passes through a top menu
    // that has a route (that route is the shorter way).
    let mut routes: Vec<(&String, Vec<Step>)> = Vec::new();
    for top in &tops {
        if routes.first().is_some_and(|(first, _)| *first == main) {
            break;
        }
        let passed = routes
            .iter()
            .any(|(_, steps)| steps.iter().any(|(program, _)| program == top));
        if passed {
            continue;
        }
        if let Some(steps) = route(&menus, top, target) {
            let through_routed = steps
                .iter()
                .any(|(program, _)| routes.iter().any(|(t, _)| *t == program));
            if !through_routed {
                routes.push((top, steps));
            }
        }
    }
    w.note(Note::Count, routes.len().to_string());
    if routes.is_empty() {
        w.note(
            Note::Query,
            format!(
                "no path of menu options from the top {} ({}) reaches {target}",
                if tops.len() == 1 { "menu" } else { "menus" },
                tops.join(", ")
            ),
        );
        return w.finish();
    }
    for (top, steps) in routes {
        let group = format!("from {top}");
        if let Some(&f) = link.member_files(top).first() {
            let what = if top == main {
                "the main menu"
            } else {
                "a top menu"
            };
            w.item(top, Some(group.clone()), Some(what.into()), f, 1);
        }
        for (program, (menu, choice, file, line)) in steps {
            let detail = match choice {
                Choice::Option(number, Some(l)) => format!("option {number} of {menu}: {l}"),
                Choice::Option(number, None) => format!("option {number} of {menu}"),
                Choice::Other => match key_of(lines, link, &menus, &menu, file, line) {
                    Some(key) => format!("{key} of {menu}"),
                    None => format!("a choice of {menu} outside its numbered options"),
                },
            };
            w.item(&program, Some(group.clone()), Some(detail), file, line);
            w.cite(file, line);
        }
    }
    w.finish()
}

/// The application's entry point: the main menu.
pub(crate) fn entry_point(link: &Linked<'_>, lines: &dyn LineSource) -> CodeFacts {
    let mut w = Writer::new(link, lines, QuestionKind::EntryPoint);
    let Some(main) = crate::screens::main_menu(link) else {
        w.note(Note::Count, "0");
        w.note(
            Note::Query,
            "the corpus has no menu program that no program calls",
        );
        return w.finish();
    };
    let menus = things::menus(link);
    w.note(Note::Count, "1");
    w.note(Note::MainMenu, main.clone());
    w.note(
        Note::Start,
        "the main program: of the menu programs no program calls, the one that reaches the most programs",
    );
    if let Some(menu) = menu_named(&menus, &main) {
        let row = link.row(menu.file_id).clone();
        w.facts.file = Some(row.path.clone());
        w.item(
            &main,
            Some("entry point".into()),
            row.description.clone(),
            menu.file_id,
            row.description_line.unwrap_or(menu.line),
        );
        w.cite(menu.file_id, row.description_line.unwrap_or(1));
        w.cite(menu.file_id, menu.line);
        w.note(
            Note::MenuOptions,
            menu.options
                .iter()
                .filter(|o| o.program.is_some())
                .count()
                .to_string(),
        );
    }
    w.finish()
}

/// The fields of screen form `name`.
pub(crate) fn fields(link: &Linked<'_>, lines: &dyn LineSource, name: &str) -> CodeFacts {
    let forms: Vec<(u32, String)> = link.list(
        "SELECT fo.file_id, f.path FROM forms fo JOIN files f ON f.id = fo.file_id \
         WHERE fo.name = ?1 ORDER BY f.path",
        [name],
        |r| {
            Ok((
                u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                r.get::<_, String>(1)?,
            ))
        },
    );
    let Some((form, path)) = forms.first().cloned() else {
        return absent(link, lines, QuestionKind::ScreenFields, name);
    };
    let mut w = Writer::new(link, lines, QuestionKind::ScreenFields);
    w.facts.subject = Some(name.to_owned());
    w.facts.subject_kind = Some(SymbolKind::Screen);
    w.facts.file = Some(path);
    let fields: Vec<(String, String, String, u32, u32, u32)> = link.list(
        "SELECT name, value, picture, row, col, line FROM form_fields WHERE file_id = ?1 \
         ORDER BY ord",
        [form],
        |r| {
            let n = |i| -> rusqlite::Result<u32> {
                Ok(u32::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
            };
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, n(3)?, n(4)?, n(5)?))
        },
    );
    w.note(Note::Count, fields.len().to_string());
    if forms.len() > 1 {
        w.note(
            Note::Form,
            forms
                .iter()
                .map(|(_, p)| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    for (field, value, picture, row, col, line) in fields {
        let mut detail = format!("row {row}, column {col}");
        if !picture.trim().is_empty() {
            detail.push_str(&format!(", picture {}", picture.trim()));
        }
        if !value.trim().is_empty() {
            detail.push_str(&format!(", initially {}", value.trim()));
        }
        w.item(&field, Some(name.to_owned()), Some(detail), form, line);
    }
    w.finish()
}
