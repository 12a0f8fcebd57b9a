//! File operations read from a statement's tokens: OPEN (with its modes), CLOSE, READ,
//! WRITE, REWRITE, DELETE, START, SORT and MERGE (with their USING and GIVING files),
//! RELEASE and RETURN.

use crate::lex::{Tok, Token};
use crate::statements::{FileOp, FileOpKind, OpenMode};
use crate::words::{is_reserved, is_user_word, verb};

/// Words an OPEN or CLOSE may carry that are not reserved but name no file (ACUCOBOL
/// sharing options).
const OPTIONS: &[&str] = &[
    "ALLOWING",
    "BULK-ADDITION",
    "MASS-UPDATE",
    "OTHERS",
    "READERS",
    "REVERSED",
    "SHARING",
    "UPDATERS",
    "WRITERS",
];

/// The tokens of the statement whose verb is at `at`: up to the period, the next verb or
/// a scope terminator.
fn operands<'t, 'a>(toks: &'t [Token<'a>], at: usize) -> &'t [Token<'a>] {
    let rest = toks.get(at + 1..).unwrap_or(&[]);
    let end = rest
        .iter()
        .position(|t| {
            t.kind == Tok::Period
                || (t.kind == Tok::Word
                    && (verb(&t.text).is_some()
                        || (t.text.starts_with("END-") && is_reserved(&t.text))))
        })
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or(&[])
}

fn name(t: &Token<'_>) -> bool {
    t.kind == Tok::Word && is_user_word(&t.text) && !OPTIONS.contains(&t.text.as_ref())
}

fn push(out: &mut Vec<FileOp>, op: FileOpKind, t: &Token<'_>, from: Option<&str>) {
    out.push(FileOp {
        op,
        target: t.text.to_string(),
        line: t.line,
        from: from.map(str::to_string),
    });
}

/// Appends the file operations of the statement whose verb `v` is at `at`.
pub(crate) fn scan(
    toks: &[Token<'_>],
    at: usize,
    v: &str,
    from: Option<&str>,
    out: &mut Vec<FileOp>,
) {
    let ops = operands(toks, at);
    let first = ops.first().filter(|t| name(t));
    let single = |kind: FileOpKind, out: &mut Vec<FileOp>| {
        if let Some(t) = first {
            push(out, kind, t, from);
        }
    };
    match v {
        "OPEN" => open(ops, from, out),
        "CLOSE" => {
            for t in ops.iter().filter(|t| name(t)) {
                push(out, FileOpKind::Close, t, from);
            }
        }
        "READ" => single(FileOpKind::Read, out),
        "WRITE" => single(FileOpKind::Write, out),
        "REWRITE" => single(FileOpKind::Rewrite, out),
        "RELEASE" => single(FileOpKind::Release, out),
        "START" => single(FileOpKind::Start, out),
        "RETURN" => single(FileOpKind::Return, out),
        "DELETE" => {
            // `DELETE FILE a b` (ACUCOBOL) names files; `DELETE a [RECORD]` one.
            if ops.first().is_some_and(|t| t.is("FILE")) {
                for t in ops.iter().skip(1).take_while(|t| name(t)) {
                    push(out, FileOpKind::Delete, t, from);
                }
            } else {
                single(FileOpKind::Delete, out);
            }
        }
        "SORT" | "MERGE" => {
            let kind = if v == "SORT" {
                FileOpKind::Sort
            } else {
                FileOpKind::Merge
            };
            single(kind, out);
            sort_files(ops, from, out);
        }
        _ => {}
    }
}

/// `OPEN INPUT a b OUTPUT c I-O d EXTEND e [WITH LOCK] ...`: one op per file.
fn open(ops: &[Token<'_>], from: Option<&str>, out: &mut Vec<FileOp>) {
    let mut mode = None;
    for t in ops.iter().filter(|t| t.kind == Tok::Word) {
        match t.text.as_ref() {
            "INPUT" => mode = Some(OpenMode::Input),
            "OUTPUT" => mode = Some(OpenMode::Output),
            "I-O" => mode = Some(OpenMode::InputOutput),
            "EXTEND" => mode = Some(OpenMode::Extend),
            _ => {
                if let Some(m) = mode
                    && name(t)
                {
                    push(out, FileOpKind::Open(m), t, from);
                }
            }
        }
    }
}

/// A SORT / MERGE's `USING` files (read) and `GIVING` files (written).
fn sort_files(ops: &[Token<'_>], from: Option<&str>, out: &mut Vec<FileOp>) {
    let mut kind = None;
    for t in ops.iter().skip(1) {
        match t.text.as_ref() {
            "USING" if t.kind == Tok::Word => kind = Some(FileOpKind::Read),
            "GIVING" if t.kind == Tok::Word => kind = Some(FileOpKind::Write),
            _ if name(t) => {
                if let Some(k) = kind {
                    push(out, k, t, from);
                }
            }
            _ => kind = None,
        }
    }
}
