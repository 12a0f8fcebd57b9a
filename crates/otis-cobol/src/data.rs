//! Data description entries (levels 01-49, 66, 77, 78, 88) with their clauses and
//! parents, and `SELECT name ASSIGN TO target` entries.

use crate::facts::{DataItem, FdKind, FileDecl, FileDescription};
use crate::lex::{Tok, Token};
use crate::lines::Source;
use crate::words::{is_reserved, is_usage, is_user_word};

/// The level of a level-number token, when it is one.
pub(crate) fn level_of(t: &Token<'_>) -> Option<u8> {
    if t.kind != Tok::Number || t.text.len() > 2 {
        return None;
    }
    let n: u8 = t.text.parse().ok()?;
    matches!(n, 1..=49 | 66 | 77 | 78 | 88).then_some(n)
}

/// The X of a `REDEFINES X` clause in an entry.
fn redefined(toks: &[Token<'_>]) -> Option<String> {
    toks.windows(2)
        .find(|w| w[0].kind == Tok::Word && w[0].text == "REDEFINES" && w[1].kind == Tok::Word)
        .map(|w| w[1].text.to_string())
}

/// Builds data items from entries, keeping the level stack for parents.
#[derive(Debug, Default)]
pub(crate) struct DataBuilder {
    pub(crate) items: Vec<DataItem>,
    /// Open groups: (level, name); FILLER groups have no name.
    stack: Vec<(u8, Option<String>)>,
    /// The last non-88 entry an 88 can belong to (None after a 78 or a FILLER-less gap).
    last: Option<(u8, Option<String>)>,
}

impl DataBuilder {
    /// Reads one entry: `toks` runs from the level number to the period (excluded or not).
    pub(crate) fn entry(&mut self, toks: &[Token<'_>], src: &Source<'_>) {
        let Some(first) = toks.first() else { return };
        let Some(level) = level_of(first) else { return };
        let mut i = 1;
        let mut name: Option<String> = None;
        if let Some(t) = toks.get(1)
            && t.kind == Tok::Word
        {
            if t.text == "FILLER" {
                i = 2;
            } else if is_user_word(&t.text) {
                name = Some(t.text.to_string());
                i = 2;
            }
        }
        // A FILLER group that REDEFINES X is X's storage seen another way: its items
        // belong to X.
        let group = name.clone().or_else(|| redefined(toks));
        let parent = self.parent_for(level, group);
        let Some(name) = name else { return };
        let mut item = DataItem {
            level,
            name,
            line: first.line,
            parent,
            pic: None,
            occurs: None,
            redefines: None,
            usage: None,
            value: None,
        };
        clauses(&mut item, toks, i, src);
        self.items.push(item);
    }

    fn nearest_named(&self) -> Option<String> {
        self.stack.iter().rev().find_map(|(_, n)| n.clone())
    }

    fn parent_for(&mut self, level: u8, name: Option<String>) -> Option<String> {
        match level {
            88 => match &self.last {
                Some((_, Some(n))) => Some(n.clone()),
                Some((_, None)) => self.nearest_named(),
                None => None,
            },
            1 | 77 => {
                self.stack.clear();
                self.stack.push((level, name.clone()));
                self.last = Some((level, name));
                None
            }
            78 => {
                self.stack.clear();
                self.last = None;
                None
            }
            66 => {
                let p = self.stack.first().and_then(|(_, n)| n.clone());
                self.last = None;
                p
            }
            _ => {
                while self.stack.last().is_some_and(|(l, _)| *l >= level) {
                    self.stack.pop();
                }
                let p = self.nearest_named();
                self.stack.push((level, name.clone()));
                self.last = Some((level, name));
                p
            }
        }
    }
}

/// Collects `FD` / `SD` entries and the level-01 records that follow each.
#[derive(Debug, Default)]
pub(crate) struct FdBuilder {
    done: Vec<FileDescription>,
    /// Whether the last entry still takes records.
    open: bool,
    /// Whether the open entry has its record layout already (an 01 or a COPY).
    fed: bool,
}

impl FdBuilder {
    /// An `FD name ...` / `SD name ...` sentence (without any records it runs into).
    pub(crate) fn open(&mut self, kind: FdKind, toks: &[Token<'_>]) {
        self.open = false;
        self.fed = false;
        let (Some(first), Some(name)) = (toks.first(), toks.get(1)) else {
            return;
        };
        self.done.push(FileDescription {
            name: name.text.to_string(),
            kind,
            line: first.line,
            records: Vec::new(),
        });
        self.open = true;
    }

    /// A level-01 item: a record of the open FD / SD, if any.
    pub(crate) fn record(&mut self, name: &str) {
        if self.open
            && let Some(fd) = self.done.last_mut()
        {
            fd.records.push(name.to_string());
            self.fed = true;
        }
    }

    /// A COPY between sentences: the record layout of an FD that has none yet
    /// (`FD X ... . COPY "LIB/X01.CPY".`); after one, another copybook (another FD,
    /// most often) ends the entry, so the 01s after it are not taken as its records.
    pub(crate) fn copy(&mut self) {
        if self.fed {
            self.open = false;
        }
        self.fed = true;
    }

    /// A section or division header ends the open FD / SD.
    pub(crate) fn close(&mut self) {
        self.open = false;
    }

    pub(crate) fn done(self) -> Vec<FileDescription> {
        self.done
    }
}

/// Splits an FD / SD sentence where a record's `01` starts on a new line before the FD's
/// period: (the FD's own tokens, the data entries it ran into).
pub(crate) fn split_fd<'s, 'a>(toks: &'s [Token<'a>]) -> (&'s [Token<'a>], &'s [Token<'a>]) {
    let at = toks.iter().enumerate().skip(2).position(|(k, t)| {
        t.first
            && level_of(t) == Some(1)
            && toks.get(k + 1).is_some_and(|n| {
                n.kind == Tok::Word && (n.text == "FILLER" || is_user_word(&n.text))
            })
    });
    match at {
        Some(n) => toks.split_at(n + 2),
        None => (toks, &[]),
    }
}

/// Reads PIC, OCCURS, REDEFINES, USAGE and VALUE from an entry's tokens from `i`.
fn clauses(item: &mut DataItem, toks: &[Token<'_>], mut i: usize, src: &Source<'_>) {
    let word = |k: usize| {
        toks.get(k)
            .filter(|t| t.kind == Tok::Word)
            .map(|t| t.text.as_ref())
    };
    while let Some(t) = toks.get(i) {
        i += 1;
        if t.kind == Tok::Period {
            break;
        }
        if t.kind != Tok::Word {
            continue;
        }
        match t.text.as_ref() {
            "REDEFINES" => {
                if let Some(w) = word(i) {
                    item.redefines = Some(w.to_string());
                    i += 1;
                }
            }
            "PIC" | "PICTURE" => {
                if word(i) == Some("IS") {
                    i += 1;
                }
                if let Some(p) = toks.get(i).filter(|p| p.kind == Tok::Pic) {
                    item.pic = Some(p.text.to_string());
                    i += 1;
                }
            }
            "USAGE" => {
                if word(i) == Some("IS") {
                    i += 1;
                }
                if let Some(w) = word(i) {
                    item.usage = Some(w.to_string());
                    i += 1;
                }
            }
            "OCCURS" => {
                let operand = |k: usize| {
                    toks.get(k).filter(|o| {
                        o.kind == Tok::Number || (o.kind == Tok::Word && !is_reserved(&o.text))
                    })
                };
                if let Some(a) = operand(i) {
                    let mut s = a.text.to_string();
                    i += 1;
                    if toks.get(i).is_some_and(|t| t.is("TO"))
                        && let Some(b) = operand(i + 1)
                    {
                        s.push_str(" TO ");
                        s.push_str(&b.text);
                        i += 2;
                    }
                    item.occurs = Some(s);
                }
            }
            "VALUE" | "VALUES" => {
                if matches!(word(i), Some("IS" | "ARE")) {
                    i += 1;
                }
                if item.value.is_none() {
                    item.value = value_text(toks, i, src);
                }
            }
            w if is_usage(w) && item.usage.is_none() => item.usage = Some(w.to_string()),
            _ => {}
        }
    }
}

/// The VALUE operand as written on its first line, up to the last token of the entry on
/// that line (so neither the period nor an inline comment is included).
fn value_text(toks: &[Token<'_>], i: usize, src: &Source<'_>) -> Option<String> {
    let op = toks.get(i).filter(|t| t.kind != Tok::Period)?;
    let last = toks
        .get(i..)?
        .iter()
        .take_while(|t| t.li == op.li && t.kind != Tok::Period)
        .last()?;
    let line = src.lines.get(op.li as usize)?;
    let text = line.text.get(op.start as usize..last.end as usize)?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Device words that `ASSIGN TO` may name before the real target.
const DEVICES: &[&str] = &[
    "DISK",
    "DISPLAY",
    "DYNAMIC",
    "EXTERNAL",
    "INPUT",
    "INPUT-OUTPUT",
    "KEYBOARD",
    "OUTPUT",
    "PRINTER",
    "RANDOM",
    "TO",
    "USING",
];

/// Reads a `SELECT` sentence.
pub(crate) fn select(toks: &[Token<'_>]) -> Option<FileDecl> {
    let first = toks.first().filter(|t| t.is("SELECT"))?;
    let mut i = 1;
    if toks.get(i).is_some_and(|t| t.is("OPTIONAL")) {
        i += 1;
    }
    let name = toks
        .get(i)
        .filter(|t| t.kind == Tok::Word)?
        .text
        .to_string();
    let at = toks.iter().position(|t| t.is("ASSIGN"))?;
    let mut operands: Vec<&Token<'_>> = Vec::new();
    for t in toks.get(at + 1..)? {
        let operand = t.kind == Tok::Literal
            || (t.kind == Tok::Word
                && (DEVICES.contains(&t.text.as_ref()) || !is_reserved(&t.text)));
        if !operand {
            break;
        }
        operands.push(t);
    }
    let pick = operands
        .iter()
        .rev()
        .find(|t| t.kind == Tok::Literal || !DEVICES.contains(&t.text.as_ref()))
        .or_else(|| {
            operands
                .iter()
                .rev()
                .find(|t| t.text != "TO" && t.text != "USING")
        })?;
    Some(FileDecl {
        name,
        assign: pick.text.to_string(),
        line: first.line,
    })
}
