//! The lexer: normalised code lines into tokens (words, literals, numbers, periods and
//! punctuation), joining continued literals and dropping `*>` inline comments.

use std::borrow::Cow;

use crate::lines::{Line, LineKind, Source};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A COBOL word (upper case): names, reserved words, level numbers are [`Tok::Number`].
    Word,
    /// A quoted literal; the text is its content without the quotes.
    Literal,
    /// An unsigned integer or decimal.
    Number,
    /// A separator period (`.` followed by a space or the end of the line).
    Period,
    /// A PICTURE character string.
    Pic,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `:` (reference modification, SQL host variables).
    Colon,
    /// Any other punctuation: `=`, `<`, `>`, `+`, `*`, `/`, `==`, `&`.
    Op,
}

/// One token.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    pub(crate) kind: Tok,
    /// Words upper case; literal content without quotes.
    pub(crate) text: Cow<'a, str>,
    /// 1-based line number.
    pub(crate) line: u32,
    /// Index of the line in [`Source::lines`].
    pub(crate) li: u32,
    /// Byte offset in the line's text.
    pub(crate) start: u32,
    /// Byte offset just past the token in the line's text (closing quote included).
    pub(crate) end: u32,
    /// Starts in area A (columns 8-11; in free format: first on its line).
    pub(crate) area_a: bool,
    /// First token on its line.
    pub(crate) first: bool,
}

impl Token<'_> {
    /// Whether this is the word `w` (upper case).
    pub(crate) fn is(&self, w: &str) -> bool {
        self.kind == Tok::Word && self.text == w
    }
}

/// Word bytes: ASCII letters, digits, `-`, `_`, and any byte of a non-ASCII character.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || !b.is_ascii()
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()
}

fn cow_slice<'a>(text: &Cow<'a, str>, from: usize, to: usize) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(from..to).unwrap_or("")),
        Cow::Owned(s) => Cow::Owned(s.get(from..to).unwrap_or("").to_string()),
    }
}

/// An unterminated literal waiting for its continuation line.
struct Open {
    index: usize,
    quote: char,
}

/// Tokenises every code line of `src`.
pub(crate) fn lex<'a>(src: &Source<'a>) -> Vec<Token<'a>> {
    let mut toks: Vec<Token<'a>> = Vec::with_capacity(src.lines.len() * 4);
    let mut open: Option<Open> = None;
    for (li, line) in src.lines.iter().enumerate() {
        match line.kind {
            LineKind::Code => {
                open = None;
                lex_line(line, li, 0, src.free, &mut toks, &mut open);
            }
            LineKind::Continuation => {
                let from = match open.take() {
                    Some(o) => continue_literal(line, &mut toks, o, &mut open),
                    None => 0,
                };
                if from < line.text.len() {
                    lex_line(line, li, from, src.free, &mut toks, &mut open);
                }
            }
            LineKind::Blank | LineKind::Comment | LineKind::Directive => {}
        }
    }
    toks
}

/// Appends the continuation of an open literal; returns where lexing resumes.
fn continue_literal(
    line: &Line<'_>,
    toks: &mut [Token<'_>],
    o: Open,
    open: &mut Option<Open>,
) -> usize {
    let text: &str = &line.text;
    let Some(q) = text.find(['"', '\'']) else {
        return 0;
    };
    let body_start = q + 1;
    let (end, closed) = scan_literal(text, body_start, o.quote);
    let piece = text.get(body_start..end).unwrap_or("");
    if let Some(t) = toks.get_mut(o.index) {
        let mut s = t.text.to_string();
        s.push_str(piece);
        t.text = Cow::Owned(s);
    }
    if closed {
        end + 1
    } else {
        *open = Some(o);
        text.len()
    }
}

/// Finds the closing quote from `from`; returns (end of content, closed?). A doubled
/// quote stays in the content.
fn scan_literal(text: &str, from: usize, quote: char) -> (usize, bool) {
    let bytes = text.as_bytes();
    let q = quote as u8;
    let mut i = from;
    while i < bytes.len() {
        if bytes.get(i) == Some(&q) {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return (i, true);
        }
        i += 1;
    }
    (bytes.len(), false)
}

fn lex_line<'a>(
    line: &Line<'a>,
    li: usize,
    from: usize,
    free: bool,
    toks: &mut Vec<Token<'a>>,
    open: &mut Option<Open>,
) {
    let text: &str = &line.text;
    let bytes = text.as_bytes();
    let li32 = u32::try_from(li).unwrap_or(u32::MAX);
    let mut first = true;
    let mut i = from;
    // After PIC / PICTURE (and an optional IS) the next blank-delimited string is the
    // picture itself.
    let mut want_pic = false;
    while let Some(&byte) = bytes.get(i) {
        let c = if byte.is_ascii() {
            char::from(byte)
        } else {
            match text.get(i..).and_then(|r| r.chars().next()) {
                Some(c) => c,
                None => {
                    i += 1;
                    continue;
                }
            }
        };
        if c.is_whitespace() || c == ',' || c == ';' {
            i += c.len_utf8();
            continue;
        }
        if c == '*' && bytes.get(i + 1) == Some(&b'>') {
            break;
        }
        let start = i;
        let area_a = if free { first } else { start < 4 };
        let push = |kind: Tok, t: Cow<'a, str>, end: usize, toks: &mut Vec<Token<'a>>| {
            toks.push(Token {
                kind,
                text: t,
                line: line.num,
                li: li32,
                start: u32::try_from(start).unwrap_or(u32::MAX),
                end: u32::try_from(end).unwrap_or(u32::MAX),
                area_a,
                first,
            });
        };
        if want_pic {
            let end = text
                .get(i..)
                .and_then(|r| r.find(char::is_whitespace))
                .map_or(text.len(), |n| i + n);
            let mut pic_end = end;
            let chunk = text.get(i..end).unwrap_or("");
            let upper_chunk = chunk.to_ascii_uppercase();
            if upper_chunk == "IS" {
                push(Tok::Word, Cow::Borrowed("IS"), end, toks);
                first = false;
                i = end;
                continue;
            }
            let period = chunk.len() > 1 && chunk.ends_with('.');
            if period {
                pic_end -= 1;
            }
            let pic = text.get(i..pic_end).unwrap_or("");
            let pic: Cow<'a, str> = if pic.bytes().any(|b| b.is_ascii_lowercase()) {
                Cow::Owned(pic.to_ascii_uppercase())
            } else {
                cow_slice(&line.text, i, pic_end)
            };
            push(Tok::Pic, pic, pic_end, toks);
            if period {
                let line_num = line.num;
                toks.push(Token {
                    kind: Tok::Period,
                    text: Cow::Borrowed("."),
                    line: line_num,
                    li: li32,
                    start: u32::try_from(pic_end).unwrap_or(u32::MAX),
                    end: u32::try_from(pic_end + 1).unwrap_or(u32::MAX),
                    area_a: false,
                    first: false,
                });
            }
            want_pic = false;
            first = false;
            i = end;
            continue;
        }
        if c == '"' || c == '\'' {
            let (end, closed) = scan_literal(text, i + 1, c);
            let tok_end = if closed { end + 1 } else { end };
            push(
                Tok::Literal,
                cow_slice(&line.text, i + 1, end),
                tok_end,
                toks,
            );
            if !closed {
                *open = Some(Open {
                    index: toks.len() - 1,
                    quote: c,
                });
            }
            first = false;
            i = if closed { end + 1 } else { text.len() };
            continue;
        }
        if is_word_char(c) {
            let mut end = i;
            while bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
                end += 1;
            }
            while end < bytes.len() && !text.is_char_boundary(end) {
                end += 1;
            }
            // A decimal number: digits '.' digits.
            let word = text.get(i..end).unwrap_or("");
            let numeric = word.bytes().all(|b| b.is_ascii_digit());
            if numeric
                && bytes.get(end) == Some(&b'.')
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                end += 1;
                while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
            }
            // X"0A", Z"..", N"..": a literal with a prefix.
            let next = bytes.get(end).copied();
            if word.len() == 1
                && matches!(next, Some(b'"' | b'\''))
                && matches!(
                    word,
                    "X" | "x" | "Z" | "z" | "N" | "n" | "H" | "h" | "B" | "b" | "G" | "g"
                )
            {
                let q = char::from(next.unwrap_or(b'"'));
                let (lend, closed) = scan_literal(text, end + 1, q);
                let tok_end = if closed { lend + 1 } else { lend };
                push(
                    Tok::Literal,
                    cow_slice(&line.text, end + 1, lend),
                    tok_end,
                    toks,
                );
                if !closed {
                    *open = Some(Open {
                        index: toks.len() - 1,
                        quote: q,
                    });
                }
                first = false;
                i = if closed { lend + 1 } else { text.len() };
                continue;
            }
            let kind = if numeric { Tok::Number } else { Tok::Word };
            let t: Cow<'a, str> = if word.bytes().any(|b| b.is_ascii_lowercase()) {
                Cow::Owned(word.to_ascii_uppercase())
            } else {
                cow_slice(&line.text, i, end)
            };
            if kind == Tok::Word && (t == "PIC" || t == "PICTURE") {
                want_pic = true;
            }
            push(kind, t, end, toks);
            first = false;
            i = end;
            continue;
        }
        let (kind, len) = match c {
            '.' => {
                let next = bytes.get(i + 1);
                if next.is_none() || next.is_some_and(u8::is_ascii_whitespace) {
                    (Tok::Period, 1)
                } else {
                    (Tok::Op, 1)
                }
            }
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ':' => (Tok::Colon, 1),
            '=' if bytes.get(i + 1) == Some(&b'=') => (Tok::Op, 2),
            _ => (Tok::Op, c.len_utf8()),
        };
        push(kind, cow_slice(&line.text, i, i + len), i + len, toks);
        first = false;
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::split;

    fn kinds_texts(src: &str) -> Vec<(Tok, String)> {
        let s = split(src);
        lex(&s)
            .into_iter()
            .map(|t| (t.kind, t.text.into_owned()))
            .collect()
    }

    #[test]
    fn words_literals_periods() {
        let got = kinds_texts("       MOVE \"LP/ACMENU\" TO form-nam. *> NOTE");
        let want = vec![
            (Tok::Word, "MOVE".to_string()),
            (Tok::Literal, "LP/ACMENU".to_string()),
            (Tok::Word, "TO".to_string()),
            (Tok::Word, "FORM-NAM".to_string()),
            (Tok::Period, ".".to_string()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn pictures_are_one_token() {
        let got = kinds_texts("           03  WS-AMT  PIC ZZ,ZZ9.99-.");
        assert!(got.contains(&(Tok::Pic, "ZZ,ZZ9.99-".to_string())));
        assert_eq!(got.last().map(|t| t.0), Some(Tok::Period));
    }

    #[test]
    fn continued_literal_is_joined() {
        let src = format!("{:<72}\n      -    \"DEF\".", "           MOVE \"ABC");
        let got = kinds_texts(&src);
        let lit = got
            .iter()
            .find(|t| t.0 == Tok::Literal)
            .map(|t| t.1.clone());
        assert!(lit.is_some_and(|l| l.starts_with("ABC") && l.ends_with("DEF")));
    }
}
