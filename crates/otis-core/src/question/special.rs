//! Question kinds with a shape of their own, recognised before the corpus grammar:
//! impact analysis, the longest call chain, a program's CRUD row, a menu's options, the
//! menu path to a program, the entry point and a screen's fields. Each is a few phrases
//! over the question's words (never inside a name: `OPTION-CODE` is not "option"). Pure.
//!
//! - **Impact** (a subject): "impact", "affected" / "affect", "break" / "breaks", "ripple",
//!   "downstream", "depends on X" (not "X depends on": its dependencies), "what else ...
//!   if I change / modify X".
//! - **Call chain** (the subject is where it starts, if any): "call chain", "chain of
//!   calls", "longest chain / path", "call path", "call depth", "call stack".
//! - **Paths between two programs** ([`path_between`], read before the rest): "how does
//!   A (end up) calling / reach / get to B", "how is B reached / called from A", "the
//!   path / chain / route from A to B": a call chain from A whose corpus query keeps the
//!   programs that reach B (`Filter::Reaches`), answered with every path from A to B.
//! - **CRUD** (a program): "CRUD", "do with its files", "file operations", "file access",
//!   "which files does X read / write / open / update / delete".
//! - **Menu path** (a subject): "menu path", "path to X", "how do I get / navigate to X",
//!   "how do I reach / open / run X", "which menu leads to X" (the engine searches from
//!   every top menu). "The menu navigation from X (down)" is the screen flow instead.
//! - **Not here**: "which menu / menu option runs X" lists the options or menus that run
//!   X (the corpus grammar's `Filter::Runs`), not a menu's options.
//! - **Menu options** (a menu, or "option N" alone): "options", "choices", "choose",
//!   "pick", "menu items", "on the X menu"; "option 4", "option number 4", "the fourth
//!   option" set the option.
//! - **Screen fields** (a screen, or a member with "screen" / "form"): "fields", "inputs".
//! - **Entry point** (no subject): "entry point", "starting point", "what starts the
//!   application", "where does the system start", "what is the main menu / program".

use super::words::Words;
use crate::ports::{QuestionKind, SymbolKind};

/// Ordinal words up to the twentieth.
const ORDINALS: &[&str] = &[
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
];

/// A kind with a shape of its own, and the menu option it names.
pub(super) fn kind(
    w: &Words,
    subject: Option<(&str, Option<SymbolKind>)>,
) -> Option<(QuestionKind, Option<u32>)> {
    let kind = subject.and_then(|(_, k)| k);
    let named = subject.is_some() && kind != Some(SymbolKind::Directory);
    let member = named
        && matches!(
            kind,
            Some(SymbolKind::Program | SymbolKind::Screen | SymbolKind::Copybook) | None
        );
    if named && impact(w, subject.map(|(name, _)| name)) {
        return Some((QuestionKind::Impact, None));
    }
    if call_chain(w) && matches!(kind, Some(SymbolKind::Program) | None) {
        return Some((QuestionKind::CallChain, None));
    }
    if member && crud(w) && kind != Some(SymbolKind::Copybook) {
        return Some((QuestionKind::Crud, None));
    }
    if member && menu_path(w) {
        return Some((QuestionKind::MenuPath, None));
    }
    // "Which menu option runs X?": the corpus grammar's menu options that run X.
    if runs_asked(w) {
        return None;
    }
    let option = option_number(w);
    // "the options of the main menu": the engine starts from the main menu.
    let main_menu =
        subject.is_none() && w.has("main|master|top|first|root menu") && menu_options(w);
    if (member && kind != Some(SymbolKind::Copybook) && menu_options(w))
        || (!named && option.is_some())
        || main_menu
    {
        return Some((QuestionKind::MenuOptions, option));
    }
    if member && screen_fields(w, kind) {
        return Some((QuestionKind::ScreenFields, None));
    }
    if subject.is_none() && entry_point(w) {
        return Some((QuestionKind::EntryPoint, None));
    }
    None
}

/// "What depends on X?" asks who uses X; "What does X depend on?" asks what X uses (its
/// dependencies), so the verb counts only when the subject comes after it.
fn depends_on_subject(w: &Words, subject: Option<&str>) -> bool {
    let Some((at, _)) = w.find("depends|depend|rely|relies|relying|depending on") else {
        return false;
    };
    subject
        .and_then(|s| w.position(s))
        .is_none_or(|named| named > at)
}

fn impact(w: &Words, subject: Option<&str>) -> bool {
    w.any(&[
        "impact",
        "impacts",
        "impacted",
        "affected",
        "affect",
        "affects",
        "break",
        "breaks",
        "broken",
        "ripple",
        "downstream",
        "recompile",
        "recompiled",
        "recompiling",
        "rebuild",
        "rebuilt",
        "retest",
        "retested",
    ]) || w.has("blast radius")
        || depends_on_subject(w, subject)
        || (w.has("what|who else")
            && w.any(&[
                "change",
                "changes",
                "changed",
                "changing",
                "modify",
                "modified",
                "modifying",
                "alter",
                "altered",
                "edit",
                "edited",
                "touch",
                "remove",
                "removed",
                "delete",
                "rename",
                "renamed",
                "update",
                "updated",
            ]))
}

fn call_chain(w: &Words) -> bool {
    w.has("call|calling chain|chains")
        || w.has("chain|chains of program? calls|call")
        || w.has("longest|deepest chain|chains|path|paths")
        || w.has("call path|paths|depth|stack")
        || w.has("deepest call")
        || w.has("longest|deepest sequence|path|chain of program? calls|call")
}

fn crud(w: &Words) -> bool {
    w.any(&["crud"])
        || w.has("do|does with its|the|their|his|her? files|file")
        || w.has("file operations|operation|access|accesses|usage|i/o")
        || w.has("files|file does|do @ read|write|open|update|delete|rewrite|create")
        || w.has("how does @ use|access its|the? files")
}

fn menu_path(w: &Words) -> bool {
    w.has("menu path|paths|route")
        // "the menu navigation starting from X" is the screen flow from X.
        || (w.has("menu navigation") && !w.any(&["from", "starting", "down", "below"]))
        || w.has("path|route to")
        || w.has("how do|can|would|should i|we|you|one get|go|navigate to")
        || w.has("how to get|go|navigate to")
        || w.has("how do|can|would|should i|we|you|one reach|open|run|find|access|start|launch")
        || w.has("navigate to")
        || w.has("which|what menu|menus|option|options lead|leads|reach|reaches|open|opens to?")
        || w.has("where in|on the menus|menu")
        || (w.has("in|on|from the menus|menu") && w.any(&["where", "find", "locate"]))
}

/// "Which menu option runs X?", "what menu launches X?": options or menus listed by the
/// program they run, not a menu's options.
fn runs_asked(w: &Words) -> bool {
    const RUN: &str = "run|runs|launch|launches|start|starts|call|calls|invoke|invokes";
    w.has(&format!("which|what menu|menus {RUN}"))
        || w.has(&format!(
            "which|what menu? option|options|choice|choices|item|items|entry|entries {RUN}"
        ))
}

/// "How does A end up calling B?", "the call path from A to B", "how is B reached from
/// A?", "how does A get to B?": the start and the end of the call chains asked, both
/// programs (or names the corpus does not know) written as names.
pub(super) fn path_between(w: &Words) -> Option<(String, String)> {
    let names: Vec<(usize, String)> = (0..w.len())
        .filter_map(|i| {
            let t = w.tok(i)?;
            let program = matches!(t.kind, Some(SymbolKind::Program) | None);
            (t.name_like && program && t.capitals && !t.folder_path)
                .then(|| (i, super::words::bare(&t.raw)))
        })
        .filter(|(_, n)| !super::not_names::not_a_name(n))
        .collect();
    let [(a, first), (b, second), ..] = names.as_slice() else {
        return None;
    };
    if first == second {
        return None;
    }
    let between = |pattern: &str| (*a + 1..*b).any(|k| w.at_any(k, pattern).is_some());
    let before = |pattern: &str| (0..*a).any(|k| w.at_any(k, pattern).is_some());
    let after = |pattern: &str| (*b + 1..w.len()).any(|k| w.at_any(k, pattern).is_some());
    // "from A to B", "between A and B", "A to B"
    if (before("from|between") || before("path|paths|chain|chains|route|routes"))
        && between("to|and|into")
        && (w.has("path|paths|chain|chains|route|routes|way|ways|get|go|reach|reached|call|calls|called|lead|leads")
            || before("from"))
    {
        return Some((first.clone(), second.clone()));
    }
    // "how is B reached / called from A", "how does B get called by A"
    if before("how|why")
        && between("reached|called|invoked|run|reachable")
        && (between("from|by") || after("from|by"))
    {
        return Some((second.clone(), first.clone()));
    }
    // "how does A (end up) calling / reach / get to / lead to B"
    if before("how|why")
        && between(
            "call|calls|calling|reach|reaches|reaching|get|gets|lead|leads|end|ends|invoke|invokes|invoking|run|runs|running",
        )
    {
        return Some((first.clone(), second.clone()));
    }
    None
}

fn menu_options(w: &Words) -> bool {
    w.any(&[
        "option",
        "options",
        "choices",
        "choice",
        "choose",
        "pick",
        "selections",
        "offer",
        "offers",
    ]) || w.has("menu items|entries")
        || w.has("on|in the? @ menu")
}

/// "option 4", "option number 4", "the fourth option", "4th option".
fn option_number(w: &Words) -> Option<u32> {
    for i in 0..w.len() {
        if matches!(w.low(i), "option" | "choice" | "selection") {
            let at = w.at_any(i + 1, "number|no").unwrap_or(i + 1);
            if let Some(n) = w.number(at).and_then(|n| u32::try_from(n).ok()) {
                return Some(n);
            }
        }
        if matches!(w.low(i + 1), "option" | "choice") {
            let word = w.low(i);
            if let Some(k) = ORDINALS.iter().position(|o| *o == word) {
                return u32::try_from(k + 1).ok();
            }
            let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            if !digits.is_empty()
                && matches!(&word[digits.len()..], "st" | "nd" | "rd" | "th")
                && let Ok(n) = digits.parse::<u32>()
            {
                return Some(n);
            }
        }
    }
    None
}

fn screen_fields(w: &Words, kind: Option<SymbolKind>) -> bool {
    let fields = w.any(&["field", "fields", "inputs"]) || w.has("input fields");
    fields && (kind == Some(SymbolKind::Screen) || w.any(&["screen", "form", "panel", "screens"]))
}

fn entry_point(w: &Words) -> bool {
    w.has("entry|entry-point point|points?")
        || w.any(&["entrypoint"])
        || w.has("starting|start point")
        || w.has("what|which program? starts|launches|begins|opens the? application|system|app|program")
        || w.has("where does|do the? application|system|app|program start|begin")
        || (w.has("what|which is|was the? main|master|top|root|top-level|first|starting|start menu|program|screen")
            || w.has("first|initial|opening screen|menu")
            || w.has("starts|launches|runs|begins everything|first"))
            && !w.any(&["flow", "tree", "screens", "menus", "down", "options", "option"])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<SymbolKind> {
        None
    }

    #[test]
    fn option_numbers() {
        for (text, want) in [
            ("What does option 4 of FXMENU run?", Some(4)),
            ("What does option number 12 run?", Some(12)),
            ("What does the fourth option run?", Some(4)),
            ("What is the 3rd option?", Some(3)),
            ("What options does FXMENU offer?", None),
            ("Which menus have more than 6 options?", None),
        ] {
            assert_eq!(option_number(&Words::new(text, &none)), want, "{text}");
        }
    }
}
