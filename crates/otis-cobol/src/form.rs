//! Screen form files (`FM/XX/<DIR>/<NAME>`, no extension): the prompts a screen shows and
//! its fields. A menu's prompts hold its options (`1. DAILY PROCESSING`) and function keys
//! (`F7 - MASTER MENU`); a field named `TITLE...` holds the screen's title.
//!
//! The layout, one value a line: a prompt is `p`, its text, row, column, a flag; a field is
//! `f`, its name, initial value, picture, row, column and eleven flags. The reader takes
//! what it recognises and skips the rest, so a damaged file yields fewer facts, never an
//! error.

use serde::{Deserialize, Serialize};

/// What a form file shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Form {
    /// The screen's title (the value of its `TITLE` field), trimmed.
    pub title: Option<String>,
    /// The line of the title's value.
    pub title_line: Option<u32>,
    /// Numbered options (`1. DAILY PROCESSING`), by number; the first prompt of a number
    /// wins.
    pub options: Vec<FormOption>,
    /// Function keys the screen names (`F7 - MASTER MENU`, `F4-PAGE 2 | F8-HELP`), by key.
    pub keys: Vec<FormKey>,
}

/// One numbered option of a menu screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOption {
    /// Its number: what the user types to choose it.
    pub number: u32,
    /// Its text without the number, trimmed and single-spaced: `DAILY PROCESSING`.
    pub label: String,
    /// The line of the prompt's text in the form file, 1-based.
    pub line: u32,
}

/// A function key a screen names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormKey {
    /// The key's number: 7 for `F7`.
    pub key: u32,
    /// What the screen says it does: `MASTER MENU`.
    pub label: String,
    /// The line of the prompt's text, 1-based.
    pub line: u32,
}

/// Most options and keys read from one form (a menu screen holds a few dozen).
const MAX_ENTRIES: usize = 200;

/// Reads a screen form file. Never panics, whatever the input.
pub fn read_form(text: &str) -> Form {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut form = Form::default();
    let mut i = 0;
    while i < lines.len() {
        let n = u32::try_from(i + 2).unwrap_or(u32::MAX);
        match lines[i].trim() {
            // p, text, row, column, flag
            "p" if is_position(&lines, i + 2) => {
                prompt(&mut form, lines[i + 1], n);
                i += 5;
            }
            // f, name, value, picture, row, column, flags
            "f" if is_position(&lines, i + 4) => {
                let name = lines[i + 1].trim().to_ascii_uppercase();
                let value = clean(lines[i + 2]);
                if name.starts_with("TITLE") && form.title.is_none() && !value.is_empty() {
                    form.title = Some(value);
                    form.title_line = Some(n + 1);
                }
                i += 6;
            }
            _ => i += 1,
        }
    }
    form.options.sort_by_key(|o| o.number);
    form.keys.sort_by_key(|k| k.key);
    form
}

/// Whether lines `at` and `at + 1` are a row and a column.
fn is_position(lines: &[&str], at: usize) -> bool {
    let number = |k: usize| {
        lines
            .get(k)
            .is_some_and(|l| l.trim().parse::<u32>().is_ok())
    };
    number(at) && number(at + 1)
}

/// Trimmed, single-spaced, without the placeholder characters forms use for empty values.
fn clean(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| !w.chars().all(|c| c == '`' || c == '_'))
        .collect::<Vec<_>>()
        .join(" ")
}

fn prompt(form: &mut Form, text: &str, line: u32) {
    let text = clean(text);
    if let Some((number, label)) = option(&text) {
        if form.options.len() < MAX_ENTRIES && !form.options.iter().any(|o| o.number == number) {
            form.options.push(FormOption {
                number,
                label,
                line,
            });
        }
        return;
    }
    for part in text.split('|') {
        if let Some((key, label)) = function_key(part.trim())
            && form.keys.len() < MAX_ENTRIES
            && !form.keys.iter().any(|k| k.key == key)
        {
            form.keys.push(FormKey { key, label, line });
        }
    }
}

/// `12. LATE CHARGE FIX` -> (12, `LATE CHARGE FIX`); also `12) ...` and `12 - ...`.
fn option(text: &str) -> Option<(u32, String)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let number: u32 = text[..digits].parse().ok()?;
    let rest = text[digits..].trim_start();
    let rest = rest
        .strip_prefix('.')
        .or_else(|| rest.strip_prefix(')'))
        .or_else(|| rest.strip_prefix('-'))?;
    let label = rest.trim();
    // A label says something: at least one letter.
    (label.chars().any(|c| c.is_ascii_alphabetic()) && number > 0)
        .then(|| (number, label.to_owned()))
}

/// `F7 - MASTER MENU` -> (7, `MASTER MENU`); `F4-PAGE 2` -> (4, `PAGE 2`).
fn function_key(text: &str) -> Option<(u32, String)> {
    let rest = text.strip_prefix('F').or_else(|| text.strip_prefix('f'))?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let key: u32 = rest[..digits].parse().ok()?;
    let label = rest[digits..]
        .trim_start()
        .strip_prefix(['-', '=', ':'])?
        .trim();
    (!label.is_empty()).then(|| (key, label.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A menu form in the layout of the real files (values invented).
    const MENU: &str = "p\n1. DAILY PROCESSING\n5\n2\ny\np\n2. LOAN INQUIRY (LNQUOT)\n6\n2\ny\np\n\
        12. MONTH END\n6\n40\ny\np\nF7 - MASTER MENU\n22\n61\ny\np\nENTER SELECTION:\n23\n27\ny\n\
        p\nF4-PAGE 2 | F8-HELP\n23\n62\ny\n\
        f\nCONAME\n\nN(40)\n1\n21\nn\nn\ny\nn\nn\nn\nn\nn\nn\nn\ny\n\
        f\nTITLE\nLOAN MENU\nN(10)\n2\n34\nn\nn\ny\ny\nn\nn\nn\nn\nn\nn\ny\n";

    #[test]
    fn a_menu_form_gives_its_options_keys_and_title() {
        let form = read_form(MENU);
        let options: Vec<(u32, &str, u32)> = form
            .options
            .iter()
            .map(|o| (o.number, o.label.as_str(), o.line))
            .collect();
        assert_eq!(
            options,
            vec![
                (1, "DAILY PROCESSING", 2),
                (2, "LOAN INQUIRY (LNQUOT)", 7),
                (12, "MONTH END", 12)
            ]
        );
        let keys: Vec<(u32, &str)> = form
            .keys
            .iter()
            .map(|k| (k.key, k.label.as_str()))
            .collect();
        assert_eq!(keys, vec![(4, "PAGE 2"), (7, "MASTER MENU"), (8, "HELP")]);
        assert_eq!(form.title.as_deref(), Some("LOAN MENU"));
        let title_line = form.title_line.unwrap_or_default() as usize;
        assert_eq!(MENU.lines().nth(title_line - 1), Some("LOAN MENU"));
    }

    #[test]
    fn prompts_that_are_not_options() {
        for text in [
            "For #1 use loading all files.",
            "ENTER SELECTION:",
            "1.",
            "2024.0101 NOTE",
            "+ REBUILD",
            "0. NOTHING",
        ] {
            let form = read_form(&format!("p\n{text}\n3\n1\ny\n"));
            assert!(form.options.is_empty(), "{text}");
        }
    }

    #[test]
    fn a_screen_without_options_has_only_its_title() {
        let form = read_form(
            "p\nBEGINNING BRANCH :\n14\n23\ny\nf\nTITLE\nBALANCE CHECK\nN(40)\n2\n21\nn\nn\ny\nn\nn\nn\nn\nn\nn\nn\ny\n",
        );
        assert!(form.options.is_empty());
        assert_eq!(form.title.as_deref(), Some("BALANCE CHECK"));
    }

    #[test]
    fn damaged_files_yield_what_they_can() {
        for text in [
            "",
            "p",
            "p\n1. A\n",
            "f\nTITLE",
            "p\n1. A\nx\ny\n",
            "\u{0}\u{ffff}",
        ] {
            let form = read_form(text);
            assert!(form.options.is_empty(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(p|f|1\\. [A-Z ]{0,8}|F[0-9]{1,3} ?- ?[A-Z]{0,4}|[0-9]{1,3}|y|n|.{0,6})(\n(p|f|1\\. [A-Z ]{0,8}|F[0-9]-X|[0-9]{1,3}|y|n|.{0,6})){0,40}") {
            let form = read_form(&text);
            let lines = text.lines().count() as u32;
            for o in &form.options {
                proptest::prop_assert!(o.line >= 1 && o.line <= lines);
            }
        }
    }
}
