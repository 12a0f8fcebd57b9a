//! Reading an answer's text as a person would: its upper-case words, the numbers it
//! states (citations left out), the names its list lines give, and the file sites it
//! names.

use std::collections::HashSet;

use otis_core::ports::Note;

use crate::known::Known;

/// A character of a name: COBOL words (letters, digits, hyphens), members with
/// underscores, runtime names with `$`.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$' | '#' | '@')
}

/// The upper-case words of `text`: runs of name characters, hyphens trimmed at both
/// ends, with a letter and no lower-case letter. Paths split at `/` and `.`, so
/// `LIBUP/A30SRC/LPFSLT.CPY` gives LIBUP, A30SRC, LPFSLT, CPY.
pub(crate) fn upper_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !name_char(c))
        .map(|w| w.trim_matches('-'))
        .filter(|w| {
            w.chars().any(|c| c.is_ascii_alphabetic()) && !w.chars().any(|c| c.is_ascii_lowercase())
        })
}

/// `text` without `[n]` citations (`[1]`, `[2, 3]`), so their numbers are not counts.
fn strip_citations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close)
                if close > 0
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
                    && after[..close].chars().any(|c| c.is_ascii_digit()) =>
            {
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The whole numbers `text` states: digit runs (with `,` thousands groups: `31,208`)
/// that are not part of a name, a path, a date or a decimal (`A30SRC`, `2019-0812`,
/// `5.1` give none), citations left out.
pub(crate) fn numbers(text: &str) -> HashSet<u64> {
    let text = strip_citations(text);
    let chars: Vec<char> = text.chars().collect();
    let glue = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '/' | '#' | '@');
    let mut out = HashSet::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let glued_before = i > 0 && (glue(chars[i - 1]) || matches!(chars[i - 1], '-' | '.'));
        let mut digits = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            digits.push(chars[i]);
            i += 1;
        }
        while chars.get(i) == Some(&',')
            && (1..=3).all(|k| chars.get(i + k).is_some_and(char::is_ascii_digit))
            && !chars.get(i + 4).is_some_and(char::is_ascii_digit)
        {
            digits.extend(&chars[i + 1..i + 4]);
            i += 4;
        }
        let glued_after = chars.get(i).is_some_and(|&c| {
            glue(c)
                || (matches!(c, '-' | '.')
                    && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric))
        });
        if !glued_before
            && !glued_after
            && let Ok(n) = digits.parse()
        {
            out.insert(n);
        }
    }
    out
}

/// Whether `text` states the number `n` in digits; zero may also be said in words
/// ("No program uses SORT").
pub(crate) fn states_number(text: &str, n: u64) -> bool {
    numbers(text).contains(&n)
        || (n == 0
            && text.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
                matches!(
                    w.to_ascii_lowercase().as_str(),
                    "no" | "none" | "nothing" | "zero" | "neither"
                )
            }))
}

/// Notes whose names are context beside a list, not items of it: "Hands control back
/// to: FXMENU" after the programs a program calls.
const CONTEXT_NOTES: &[Note] = &[
    Note::HandsControlBackTo,
    Note::ProgramsThatHandControlToIt,
    Note::RuntimeRoutines,
    Note::CopiedThroughOtherCopybooks,
    Note::AlsoCopiedByTheCopybooks,
    Note::ProgramsThatGetItThroughThoseCopybooks,
    Note::CopybooksThatPerformIt,
    Note::DefinedIn,
    Note::OtherTopMenus,
    Note::ReturnsToAMenuAbove,
    Note::Source,
    Note::MainMenu,
    Note::DeclaredOnly,
    Note::AlsoProgramId,
    Note::Query,
    Note::NotApplied,
];

/// Whether `line` states one of the [`CONTEXT_NOTES`] (`Label: value`).
pub(crate) fn is_context_line(line: &str) -> bool {
    let l = line
        .trim_start()
        .trim_start_matches(['-', '*', '>'])
        .trim_start()
        .to_ascii_lowercase();
    CONTEXT_NOTES.iter().any(|n| {
        l.strip_prefix(n.label())
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Whether `line` is an item of a markdown list (`- `, `* `, `+ `, `1. `).
pub(crate) fn is_bullet(line: &str) -> bool {
    let t = line.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("+ ")
        || (digits > 0 && t[digits..].starts_with(". "))
}

/// The lines of `text` that hold its list: every line but the context-note lines and,
/// when the text has bullets, the lines after the last bullet (what follows a list is
/// context: "Declared, with no operation found: ...").
fn list_lines(text: &str) -> impl Iterator<Item = &str> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .iter()
        .rposition(|l| is_bullet(l))
        .map_or(lines.len(), |i| i + 1);
    lines.into_iter().take(end).filter(|l| !is_context_line(l))
}

/// The names a text lists: the upper-case words of its [`list_lines`] that are names of
/// the universe (or expected), leaving out the question's own words and the
/// conversation's subject unless they are expected.
pub(crate) fn listed_names(
    text: &str,
    in_universe: &dyn Fn(&str) -> bool,
    want: &HashSet<String>,
    ignore: &HashSet<String>,
) -> HashSet<String> {
    let mut out = HashSet::new();
    for line in list_lines(text) {
        for w in upper_words(line) {
            if (want.contains(w) || in_universe(w)) && (want.contains(w) || !ignore.contains(w)) {
                out.insert(w.to_owned());
            }
        }
    }
    out
}

/// Whether `text` has `name` as a whole word.
pub(crate) fn has_word(text: &str, name: &str) -> bool {
    text.split(|c: char| !name_char(c))
        .any(|w| w.trim_matches('-').eq_ignore_ascii_case(name))
}

/// Whether `text` says something is absent: a negation word.
pub(crate) fn says_no(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphabetic() && c != '\'')
        .any(|w| {
            matches!(
                w,
                "no" | "not"
                    | "none"
                    | "nothing"
                    | "absent"
                    | "never"
                    | "isn't"
                    | "doesn't"
                    | "don't"
            )
        })
}

/// The `(file, line)` sites a text names: a line that names a file (its path, or a
/// member that has one file) gives the numbers after that mention to it; a line that
/// only names a file and ends with `:` heads the bullet lines under it. The numbers of a
/// definition ("level 09, PIC 9(7)") are not lines.
pub(crate) fn text_sites(text: &str, known: &Known) -> HashSet<(String, u32)> {
    let mut out = HashSet::new();
    let mut heading: Option<String> = None;
    for line in strip_citations(text).lines() {
        let trimmed = line.trim_start();
        let bullet = trimmed.starts_with("- ") || trimmed.starts_with("* ");
        if !bullet {
            heading = None;
        }
        let mut current = if bullet { heading.clone() } else { None };
        let mut named = None;
        let mut numbers_after = 0;
        for token in line.split(|c: char| c.is_whitespace() || ",;:()[]\"'`".contains(c)) {
            let token = token.trim_end_matches('.');
            if token.is_empty() {
                continue;
            }
            // "(level 09, PIC 9(7))": numbers of a definition, not lines.
            if matches!(
                token.to_ascii_uppercase().as_str(),
                "LEVEL" | "PIC" | "PICTURE" | "VALUE" | "OCCURS"
            ) {
                current = None;
                continue;
            }
            if token.chars().all(|c| c.is_ascii_digit()) {
                if let (Some(file), Ok(n)) = (&current, token.parse()) {
                    out.insert((file.clone(), n));
                    numbers_after += 1;
                }
            } else if let Some(file) = known.file_named(token) {
                named = Some(file.clone());
                current = Some(file);
                numbers_after = 0;
            }
        }
        if let Some(file) = named
            && numbers_after == 0
            && line.trim_end().ends_with(':')
        {
            heading = Some(file);
        }
    }
    out
}
