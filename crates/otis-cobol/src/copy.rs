//! COPY statements: taken out of the token stream (with their REPLACING phrases) so the
//! sentence around them reads on, and recorded with where they stood.

use crate::facts::Copy;
use crate::lex::{Tok, Token};

/// A COPY and the index in the remaining token stream where it stood.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) copy: Copy,
    pub(crate) pos: usize,
}

/// Tokens a COPY statement may span before its period (REPLACING lists included).
const MAX_COPY_TOKENS: usize = 400;

/// Splits COPY statements from the other tokens.
pub(crate) fn extract(toks: Vec<Token<'_>>) -> (Vec<Found>, Vec<Token<'_>>) {
    let mut copies = Vec::new();
    let mut body = Vec::with_capacity(toks.len());
    let mut it = toks.into_iter().peekable();
    while let Some(t) = it.next() {
        let named = it
            .peek()
            .is_some_and(|n| matches!(n.kind, Tok::Literal | Tok::Word));
        if !(t.is("COPY") && named) {
            body.push(t);
            continue;
        }
        let Some(name) = it.next() else { break };
        let path = if name.kind == Tok::Literal {
            name.text.trim().to_string()
        } else {
            name.text.to_string()
        };
        let mut library: Option<String> = None;
        if it.peek().is_some_and(|n| n.is("OF") || n.is("IN")) {
            it.next();
            if let Some(l) = it.next_if(|l| matches!(l.kind, Tok::Word | Tok::Literal)) {
                library = Some(l.text.trim().to_ascii_uppercase());
            }
        }
        // Skip to the period ending the COPY (REPLACING ... BY ...).
        let mut n = 0;
        while let Some(x) = it.peek() {
            if x.kind == Tok::Period {
                it.next();
                break;
            }
            if x.is("COPY") || n >= MAX_COPY_TOKENS || (x.area_a && x.first && n > 0) {
                break;
            }
            it.next();
            n += 1;
        }
        let (dir, file) = match path.rsplit_once(['/', '\\']) {
            Some((d, f)) => (Some(d), f),
            None => (None, path.as_str()),
        };
        let member = file.split('.').next().unwrap_or(file).to_ascii_uppercase();
        if library.is_none() {
            library = dir
                .and_then(|d| {
                    d.rsplit(['/', '\\'])
                        .find(|s| !s.is_empty() && *s != "." && *s != "..")
                })
                .map(str::to_ascii_uppercase);
        }
        copies.push(Found {
            copy: Copy {
                member,
                library,
                path,
                line: t.line,
                in_procedure: false,
            },
            pos: body.len(),
        });
    }
    (copies, body)
}
