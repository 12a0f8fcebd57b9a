//! Source-format normalisation: splits a file into lines and tells, for each, whether it
//! is blank, a comment, a directive, code or a continuation, in fixed or free format.

use std::borrow::Cow;

/// What one source line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// Nothing but spaces (or only a sequence area).
    Blank,
    /// `*` or `/` in the indicator column, a `D` debug line, or `*>` in free format.
    Comment,
    /// `$` / `>>` compiler directives: ignored.
    Directive,
    /// A code line.
    Code,
    /// `-` in the indicator column: continues the previous code line.
    Continuation,
}

/// One normalised line.
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub(crate) num: u32,
    /// What it is.
    pub(crate) kind: LineKind,
    /// For code and continuation lines: the text from area A (column 8 in fixed
    /// format, column 1 in free format) to the end of the code area. For comments: the
    /// text after the comment marker. Empty otherwise.
    pub(crate) text: Cow<'a, str>,
}

/// The normalised file.
#[derive(Debug)]
pub(crate) struct Source<'a> {
    pub(crate) lines: Vec<Line<'a>>,
    /// Free format (no sequence area, area A is wherever a line starts).
    pub(crate) free: bool,
}

const TAB_STOP: usize = 8;

/// Splits `text` into lines (LF or CRLF) and classifies each one.
pub(crate) fn split(text: &str) -> Source<'_> {
    let raw: Vec<Cow<'_, str>> = raw_lines(text).map(expand_tabs).collect();
    let free = is_free_format(&raw);
    let lines = raw
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let num = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if free {
                free_line(num, l)
            } else {
                fixed_line(num, l)
            }
        })
        .collect();
    Source { lines, free }
}

/// The raw lines of `text`, without their terminators.
pub(crate) fn raw_lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let empty = text.is_empty();
    body.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(move |_| !empty)
}

fn expand_tabs(line: &str) -> Cow<'_, str> {
    if !line.contains('\t') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut col = 0usize;
    for c in line.chars() {
        if c == '\t' {
            let next = (col / TAB_STOP + 1) * TAB_STOP;
            out.extend(std::iter::repeat_n(' ', next - col));
            col = next;
        } else {
            out.push(c);
            col += 1;
        }
    }
    Cow::Owned(out)
}

/// Byte offset of the `n`th character (or the length when the line is shorter).
fn char_offset(s: &str, n: usize) -> usize {
    if s.is_ascii() {
        return n.min(s.len());
    }
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// The character at column `n` (0-based).
fn char_at(s: &str, n: usize) -> Option<char> {
    if s.is_ascii() {
        return s.as_bytes().get(n).map(|&b| char::from(b));
    }
    s.chars().nth(n)
}

/// Free format when more than a tenth of the non-blank lines have something in column 7
/// that no indicator would be, or when a directive says so.
fn is_free_format(lines: &[Cow<'_, str>]) -> bool {
    let mut fixed = 0usize;
    let mut free = 0usize;
    for l in lines.iter().take(4000) {
        let t = l.trim_start();
        if t.is_empty() {
            continue;
        }
        let upper_directive = t.starts_with(">>") || t.starts_with("$SET");
        if upper_directive {
            let u = t.to_ascii_uppercase();
            if u.contains("FREE") {
                return true;
            }
            if u.contains("FIXED") {
                return false;
            }
        }
        if t.starts_with("*>") && l.len() - t.len() < 6 {
            free += 1;
            continue;
        }
        match char_at(l, 6) {
            None => fixed += 1,
            Some(' ' | '*' | '/' | '-' | 'D' | 'd' | '$') => fixed += 1,
            Some(_) => free += 1,
        }
    }
    free * 10 > fixed + free
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_whitespace())
}

fn fixed_line(num: u32, line: Cow<'_, str>) -> Line<'_> {
    let blank = Line {
        num,
        kind: LineKind::Blank,
        text: Cow::Borrowed(""),
    };
    if is_blank(&line) {
        return blank;
    }
    let ascii = line.is_ascii();
    let indicator = if ascii {
        line.as_bytes().get(6).map(|&b| char::from(b))
    } else {
        char_at(&line, 6)
    };
    let Some(indicator) = indicator else {
        return blank;
    };
    let ind_end = if ascii { 7 } else { char_offset(&line, 7) };
    let (kind, start) = match indicator {
        '*' | '/' | 'D' | 'd' => (LineKind::Comment, ind_end),
        '$' => (LineKind::Directive, ind_end),
        '-' => (LineKind::Continuation, ind_end),
        ' ' => (LineKind::Code, ind_end),
        // Something odd in the indicator column: read it as code, from column 7.
        _ => (
            LineKind::Code,
            if ascii { 6 } else { char_offset(&line, 6) },
        ),
    };
    let text = match kind {
        LineKind::Comment | LineKind::Directive => slice(line, start, usize::MAX),
        _ => {
            let end = code_area_end(&line, ascii);
            slice(line, start, end)
        }
    };
    if kind == LineKind::Code {
        if is_blank(&text) {
            return blank;
        }
        let lead = text.bytes().take_while(|b| *b == b' ').count();
        if text.as_bytes().get(lead..lead + 2) == Some(b">>") {
            return Line {
                num,
                kind: LineKind::Directive,
                text,
            };
        }
    }
    Line { num, kind, text }
}

/// Where the code area ends: column 72 when the line is an 80-column card whose tail
/// (columns 73-80) is an identification field, else the end of the line (some real lines
/// are long code with an inline comment).
fn code_area_end(line: &str, ascii: bool) -> usize {
    let cut = if ascii {
        72.min(line.len())
    } else {
        char_offset(line, 72)
    };
    if cut >= line.len() {
        return line.len();
    }
    let tail = line.get(cut..).unwrap_or("");
    let tail_trim = tail.trim();
    if tail_trim.is_empty() {
        return cut;
    }
    let short = tail.chars().count() <= 8;
    let one_word =
        !tail_trim.contains(char::is_whitespace) && !tail_trim.contains(['"', '\'', '.', '(', ')']);
    let before_blank = line.get(..cut).is_some_and(|h| h.ends_with(' '));
    if short && one_word && (before_blank || tail_trim.bytes().all(|b| b.is_ascii_digit())) {
        cut
    } else {
        line.len()
    }
}

fn slice(line: Cow<'_, str>, start: usize, end: usize) -> Cow<'_, str> {
    let end = end.min(line.len());
    let start = start.min(end);
    match line {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(start..end).unwrap_or("")),
        Cow::Owned(s) => Cow::Owned(s.get(start..end).unwrap_or("").to_string()),
    }
}

fn free_line(num: u32, line: Cow<'_, str>) -> Line<'_> {
    let t = line.trim_start();
    if t.is_empty() {
        return Line {
            num,
            kind: LineKind::Blank,
            text: Cow::Borrowed(""),
        };
    }
    let lead = line.len() - t.len();
    if t.starts_with("*>") {
        return Line {
            num,
            kind: LineKind::Comment,
            text: slice(line, lead + 2, usize::MAX),
        };
    }
    if lead == 0 && (t.starts_with('*') || t.starts_with('/')) {
        return Line {
            num,
            kind: LineKind::Comment,
            text: slice(line, 1, usize::MAX),
        };
    }
    if t.starts_with(">>") || t.starts_with('$') {
        return Line {
            num,
            kind: LineKind::Directive,
            text: Cow::Borrowed(""),
        };
    }
    Line {
        num,
        kind: LineKind::Code,
        text: line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_lines_are_classified() {
        let src = split(
            "       IDENTIFICATION DIVISION.\r\n      * A COMMENT\n      D    DEBUG.\n      -    \"CONT\".\n\n       MOVE A TO B.",
        );
        assert!(!src.free);
        let kinds: Vec<LineKind> = src.lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![
                LineKind::Code,
                LineKind::Comment,
                LineKind::Comment,
                LineKind::Continuation,
                LineKind::Blank,
                LineKind::Code
            ]
        );
        assert_eq!(src.lines[0].text, "IDENTIFICATION DIVISION.");
        assert_eq!(src.lines[1].text, " A COMMENT");
    }

    #[test]
    fn identification_area_is_cut_only_when_it_looks_like_one() {
        let card = format!("{:<72}{}", "       MOVE A TO B.", "ACMN0010");
        assert_eq!(split(&card).lines[0].text.trim_end(), "MOVE A TO B.");
        let long = format!(
            "{:<70}{}",
            "       MOVE A TO B.", "*> A LONG TRAILING REMARK"
        );
        assert!(split(&long).lines[0].text.contains("REMARK"));
    }

    #[test]
    fn free_format_is_detected() {
        let src =
            split("IDENTIFICATION DIVISION.\nPROGRAM-ID. ACFREE.\n*> NOTE\nPROCEDURE DIVISION.\n");
        assert!(src.free);
        assert_eq!(src.lines.len(), 4);
        assert_eq!(src.lines[2].kind, LineKind::Comment);
    }

    #[test]
    fn tabs_are_expanded() {
        let src = split("\t   03  WS-A PIC X.");
        assert_eq!(src.lines[0].kind, LineKind::Code);
        assert!(src.lines[0].text.contains("03  WS-A"));
    }
}
