//! Screen form files (`FM/XX/<DIR>/<NAME>`, no extension): the prompts a screen shows and
//! its fields. A menu's prompts hold its options (`1. DAILY PROCESSING`) and function keys
//! (`F7 - MASTER MENU`); a field named `TITLE...` holds the screen's title.
//!
//! The layout, one value a line: a prompt is `p`, its text, row, column, a flag; a field is
//! `f`, its name, initial value, picture, row, column and eleven flags. Every prompt and
//! field is kept with its position ([`Form::prompts`], [`Form::fields`]). The reader takes
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
    /// Every field (`f` record), in file order.
    #[serde(default)]
    pub fields: Vec<FormField>,
    /// Every prompt (`p` record): the fixed text the screen shows, in file order.
    #[serde(default)]
    pub prompts: Vec<FormPrompt>,
}

/// One input or display field of a screen (an `f` record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// Its name, upper case, trimmed: `BR1`, `TITLE`.
    pub name: String,
    /// Its initial value as written, trailing blanks dropped (`____` placeholders kept;
    /// empty when the record gives none).
    pub value: String,
    /// Its picture, trimmed: `N(4)`, `X(40)`.
    pub picture: String,
    /// Screen row, 1-based as the form writes it.
    pub row: u32,
    /// Screen column, 1-based as the form writes it.
    pub column: u32,
    /// The line of the field's name in the form file, 1-based.
    pub line: u32,
}

/// One fixed text a screen shows (a `p` record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormPrompt {
    /// The text as written, trailing blanks dropped: `BEGINNING BRANCH   :`.
    pub text: String,
    /// Screen row, 1-based as the form writes it.
    pub row: u32,
    /// Screen column, 1-based as the form writes it.
    pub column: u32,
    /// The line of the text in the form file, 1-based.
    pub line: u32,
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
            "p" if let Some((row, column)) = position(&lines, i + 2) => {
                prompt(&mut form, lines[i + 1], n);
                form.prompts.push(FormPrompt {
                    text: lines[i + 1].trim_end().to_string(),
                    row,
                    column,
                    line: n,
                });
                i += 5;
            }
            // f, name, value, picture, row, column, flags
            "f" if let Some((row, column)) = position(&lines, i + 4) => {
                let name = lines[i + 1].trim().to_ascii_uppercase();
                let value = clean(lines[i + 2]);
                if name.starts_with("TITLE") && form.title.is_none() && !value.is_empty() {
                    form.title = Some(value);
                    form.title_line = Some(n + 1);
                }
                form.fields.push(FormField {
                    name,
                    value: lines[i + 2].trim_end().to_string(),
                    picture: lines[i + 3].trim().to_string(),
                    row,
                    column,
                    line: n,
                });
                i += 6;
            }
            _ => i += 1,
        }
    }
    form.options.sort_by_key(|o| o.number);
    form.keys.sort_by_key(|k| k.key);
    form
}

/// Lines `at` and `at + 1` as a row and a column, when they are numbers.
fn position(lines: &[&str], at: usize) -> Option<(u32, u32)> {
    let number = |k: usize| lines.get(k).and_then(|l| l.trim().parse::<u32>().ok());
    Some((number(at)?, number(at + 1)?))
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
    fn every_prompt_and_field_with_its_position() {
        let form = read_form(MENU);
        let prompts: Vec<(&str, u32, u32, u32)> = form
            .prompts
            .iter()
            .map(|p| (p.text.as_str(), p.row, p.column, p.line))
            .collect();
        assert_eq!(
            prompts,
            vec![
                ("1. DAILY PROCESSING", 5, 2, 2),
                ("2. LOAN INQUIRY (LNQUOT)", 6, 2, 7),
                ("12. MONTH END", 6, 40, 12),
                ("F7 - MASTER MENU", 22, 61, 17),
                ("ENTER SELECTION:", 23, 27, 22),
                ("F4-PAGE 2 | F8-HELP", 23, 62, 27),
            ]
        );
        let fields = field_rows(&form);
        assert_eq!(
            fields,
            vec![
                ("CONAME", "", "N(40)", 1, 21, 32),
                ("TITLE", "LOAN MENU", "N(10)", 2, 34, 49),
            ]
        );
        for f in &form.fields {
            assert_eq!(MENU.lines().nth(f.line as usize - 1), Some(f.name.as_str()));
        }
    }

    /// A form's fields as (name, value, picture, row, column, line).
    fn field_rows(form: &Form) -> Vec<(&str, &str, &str, u32, u32, u32)> {
        form.fields
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.value.as_str(),
                    f.picture.as_str(),
                    f.row,
                    f.column,
                    f.line,
                )
            })
            .collect()
    }

    #[test]
    fn table_of_fields_and_prompts() {
        struct Case {
            text: &'static str,
            fields: &'static [(&'static str, &'static str, &'static str, u32, u32, u32)],
            prompts: &'static [(&'static str, u32, u32, u32)],
        }
        let cases = [
            Case {
                text: "f\nbr1\n____\nN(4)\n14\n46\ny\nn\ny\nn\nn\nn\nn\nn\nn\nn\ny\n",
                fields: &[("BR1", "____", "N(4)", 14, 46, 2)],
                prompts: &[],
            },
            Case {
                text: "p\nACCEPT? (Y/N)      :   \r\n18\r\n23\r\ny\r\n",
                fields: &[],
                prompts: &[("ACCEPT? (Y/N)      :", 18, 23, 2)],
            },
            Case {
                text: "p\n  (F3-ALL)\n14\n52\nn\nf\nACCEPT\n\nN\n18\n46\ny\n",
                fields: &[("ACCEPT", "", "N", 18, 46, 7)],
                prompts: &[("  (F3-ALL)", 14, 52, 2)],
            },
            Case {
                // A record whose position is not numeric is skipped, not misread.
                text: "f\nBR2\n\nN(4)\nX\n46\np\nNEXT\n3\n4\ny\n",
                fields: &[],
                prompts: &[("NEXT", 3, 4, 8)],
            },
        ];
        for c in cases {
            let form = read_form(c.text);
            let fields = field_rows(&form);
            assert_eq!(fields, c.fields, "{:?}", c.text);
            let prompts: Vec<(&str, u32, u32, u32)> = form
                .prompts
                .iter()
                .map(|p| (p.text.as_str(), p.row, p.column, p.line))
                .collect();
            assert_eq!(prompts, c.prompts, "{:?}", c.text);
        }
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
            for f in &form.fields {
                proptest::prop_assert!(f.line >= 1 && f.line <= lines);
            }
            for p in &form.prompts {
                proptest::prop_assert!(p.line >= 1 && p.line <= lines);
            }
            // Options and keys come from prompts: each stands on a prompt's line.
            let lines_of: Vec<u32> = form.options.iter().map(|o| o.line).chain(form.keys.iter().map(|k| k.line)).collect();
            for l in lines_of {
                proptest::prop_assert!(form.prompts.iter().any(|p| p.line == l));
            }
        }
    }
}
