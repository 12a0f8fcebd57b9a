//! The COBOL reader: source text in, [`SourceFacts`] out. Pure: no I/O, no global state.
//!
//! It reads fixed-format sources (sequence area, indicator column, areas A and B) and
//! free-format ones, as the OTIS codebase writes them: header comment blocks, library
//! copybooks (`COPY "LIBGB/SCREEN.CPY".`), dynamic calls through a form name
//! (`MOVE "LP/LONPF2" TO FORM-NAM` then `CALL FORM-PROGX`), sections and paragraphs in
//! programs and in procedure copybooks, and data descriptions.
//!
//! The pipeline: `lines` normalises the source format, `lex` makes tokens, COPY
//! statements are taken out of the token stream, sentences are sorted by division
//! (`data` for entries and SELECTs, `procedure` for statements), `header` reads the
//! top comment block and `calls` walks the flow for dynamic calls. [`read_form`] reads
//! a screen form file (`FM/XX/<DIR>/<NAME>`): a menu's numbered options and its title.

mod calls;
mod copy;
mod data;
mod dates;
mod facts;
mod fileops;
mod form;
mod header;
mod lex;
mod lines;
mod proc_facts;
mod procedure;
mod statements;
mod tally;
mod words;

pub use facts::*;
pub use form::{Form, FormField, FormKey, FormOption, FormPrompt, read_form};
pub use statements::{Complexity, FileOp, FileOpKind, OpenMode, StatementKind, StatementUse};

use lex::{Tok, Token};
use words::is_user_word;

/// The reader's version: bumped whenever a change to the reader changes the facts it
/// gives for the same text, so stores of facts read by an earlier reader are read again.
pub const READER_VERSION: u32 = 5;

/// Where a sentence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    Ident,
    Env,
    Data,
    Proc,
    /// A copybook with no division header: each sentence tells what it is.
    Unknown,
}

/// Reads one source file. `path` is the file's path relative to the corpus (used only
/// to tell programs from copybooks when the text does not say); `text` is its content.
/// Never panics, whatever the input.
pub fn read(path: &str, text: &str) -> SourceFacts {
    let src = lines::split(text);
    let line_count = u32::try_from(src.lines.len()).unwrap_or(u32::MAX);
    let toks = lex::lex(&src);
    let header = header::read(&src);
    let program_id = program_id(&toks);
    let (mut copies, body) = copy::extract(toks);
    let program_like = program_id.is_some() || (is_program_path(path) && has_division(&body));
    let kind = if text.trim().is_empty() {
        None
    } else if program_like {
        Some(SourceKind::Program)
    } else {
        Some(SourceKind::Copybook)
    };

    let mut region = if program_like {
        Region::Ident
    } else {
        Region::Unknown
    };
    let mut data = data::DataBuilder::default();
    let mut files = Vec::new();
    let mut fds = data::FdBuilder::default();
    let mut data_sections = Vec::new();
    let mut proc_toks: Vec<Token<'_>> = Vec::new();
    let (mut proc_sentences, mut data_sentences) = (0usize, 0usize);
    // For each COPY: Some(in procedure) or None (decided for the whole copybook).
    let mut copy_regions: Vec<Option<bool>> = Vec::with_capacity(copies.len());
    let mut next_copy = 0usize;
    let in_proc = |r: Region| match r {
        Region::Proc => Some(true),
        Region::Unknown => None,
        _ => Some(false),
    };

    let mut a = 0usize;
    while a < body.len() {
        let b = body
            .get(a..)
            .and_then(|rest| rest.iter().position(|t| t.kind == Tok::Period))
            .map_or(body.len(), |n| a + n + 1);
        let Some(sentence) = body.get(a..b) else {
            break;
        };
        while copies.get(next_copy).is_some_and(|c| c.pos <= a) {
            copy_regions.push(in_proc(region));
            fds.copy();
            next_copy += 1;
        }
        let class = classify(sentence, region);
        match class {
            Class::Division(r) => {
                fds.close();
                region = r;
            }
            Class::DataSection(r, kind) => {
                fds.close();
                region = r;
                if let (Some(kind), Some(t)) = (kind, sentence.first()) {
                    data_sections.push(DataSection { kind, line: t.line });
                }
            }
            Class::Select => files.extend(data::select(sentence)),
            Class::FileDesc(kind) => {
                let (fd, records) = data::split_fd(sentence);
                fds.open(kind, fd);
                if !records.is_empty() {
                    data_sentences += 1;
                    read_entries(records, &mut data, &mut fds, &src);
                }
            }
            Class::Data => {
                data_sentences += 1;
                read_entries(sentence, &mut data, &mut fds, &src);
            }
            Class::Procedure => {
                fds.close();
                proc_sentences += 1;
                proc_toks.extend_from_slice(sentence);
            }
            Class::Skip => {}
        }
        let here = match class {
            Class::Procedure => Some(true),
            Class::Data | Class::Select | Class::FileDesc(_) => Some(false),
            _ => in_proc(region),
        };
        while copies.get(next_copy).is_some_and(|c| c.pos < b) {
            copy_regions.push(here);
            next_copy += 1;
        }
        a = b;
    }
    while copy_regions.len() < copies.len() {
        copy_regions.push(in_proc(region));
    }

    let pf = procedure::scan(&proc_toks, line_count);
    let procedural =
        (pf.statements > 0 || !pf.procedures.is_empty()) && proc_sentences >= data_sentences;
    for (c, r) in copies.iter_mut().zip(copy_regions) {
        c.copy.in_procedure = r.unwrap_or(procedural);
    }

    let (dynamic, transfers) = calls::dynamic(&pf, program_id.as_deref());
    let mut all_calls = pf.calls;
    all_calls.extend(dynamic);
    all_calls.sort_by_key(|c| (c.line, c.set_line.unwrap_or(0)));

    let (statements, complexity) = (pf.tally.uses(), pf.tally.complexity());
    let (refs, ref_names) = intern(pf.refs);
    SourceFacts {
        kind,
        program_id,
        header,
        copies: copies.into_iter().map(|c| c.copy).collect(),
        calls: all_calls,
        transfers,
        files,
        procedures: pf.procedures,
        edges: pf.edges,
        data_items: data.items,
        file_descriptions: fds.done(),
        data_sections,
        refs,
        ref_names,
        statements,
        complexity,
        file_ops: pf.file_ops,
        lines: line_count,
    }
}

fn is_program_path(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    ext.eq_ignore_ascii_case("CBL") || ext.eq_ignore_ascii_case("COB")
}

fn has_division(toks: &[Token<'_>]) -> bool {
    toks.windows(2)
        .any(|w| matches!(w, [a, b] if a.is("PROCEDURE") && b.is("DIVISION")))
}

/// `PROGRAM-ID. NAME.`: the name, upper case.
fn program_id(toks: &[Token<'_>]) -> Option<String> {
    let k = toks.iter().position(|t| t.is("PROGRAM-ID"))?;
    let mut rest = toks
        .get(k + 1..)?
        .iter()
        .skip_while(|t| t.kind == Tok::Period);
    let t = rest
        .next()
        .filter(|t| matches!(t.kind, Tok::Word | Tok::Literal | Tok::Number))?;
    let id = t.text.trim().to_ascii_uppercase();
    (!id.is_empty()).then_some(id)
}

/// What a sentence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Division(Region),
    /// A section header: the region it opens and, for the DATA DIVISION's, its kind.
    DataSection(Region, Option<DataSectionKind>),
    /// `FD name ...` / `SD name ...`.
    FileDesc(FdKind),
    Select,
    Data,
    Procedure,
    Skip,
}

fn classify(sentence: &[Token<'_>], region: Region) -> Class {
    let Some(f) = sentence.first() else {
        return Class::Skip;
    };
    let second = sentence.get(1);
    if f.kind == Tok::Word && second.is_some_and(|s| s.is("DIVISION")) {
        let r = match f.text.as_ref() {
            "IDENTIFICATION" | "ID" => Some(Region::Ident),
            "ENVIRONMENT" => Some(Region::Env),
            "DATA" => Some(Region::Data),
            "PROCEDURE" => Some(Region::Proc),
            _ => None,
        };
        if let Some(r) = r {
            return Class::Division(r);
        }
    }
    if region == Region::Proc {
        return Class::Procedure;
    }
    if f.kind == Tok::Word && second.is_some_and(|s| s.is("SECTION")) {
        if let Some(kind) = DataSectionKind::from_word(&f.text) {
            return Class::DataSection(Region::Data, Some(kind));
        }
        if matches!(f.text.as_ref(), "CONFIGURATION" | "INPUT-OUTPUT") {
            return Class::DataSection(Region::Env, None);
        }
    }
    if f.kind == Tok::Word
        && matches!(f.text.as_ref(), "FD" | "SD")
        && matches!(region, Region::Data | Region::Unknown)
        && second.is_some_and(|s| s.kind == Tok::Word && is_user_word(&s.text))
    {
        let kind = if f.text == "FD" {
            FdKind::Fd
        } else {
            FdKind::Sd
        };
        return Class::FileDesc(kind);
    }
    if f.is("SELECT") {
        return Class::Select;
    }
    if data::level_of(f).is_some() && matches!(region, Region::Data | Region::Unknown) {
        return Class::Data;
    }
    match region {
        Region::Unknown => {
            let skip = matches!(
                f.text.as_ref(),
                "FD" | "SD" | "RD" | "FILE-CONTROL" | "I-O-CONTROL" | "EXEC"
            ) && f.kind == Tok::Word;
            if skip || f.kind != Tok::Word {
                Class::Skip
            } else {
                Class::Procedure
            }
        }
        _ => Class::Skip,
    }
}

/// Reads the data entries of a sentence, noting level-01 items as records of the open
/// FD / SD.
fn read_entries(
    sentence: &[Token<'_>],
    data: &mut data::DataBuilder,
    fds: &mut data::FdBuilder,
    src: &lines::Source<'_>,
) {
    for entry in split_entries(sentence) {
        let before = data.items.len();
        data.entry(entry, src);
        if let Some(item) = data.items.get(before).filter(|i| i.level == 1) {
            fds.record(&item.name);
        }
    }
}

/// Words after which a level-like number on a new line is an operand, not a new entry.
const OPERAND_WORDS: &[&str] = &[
    "ARE",
    "BY",
    "COL",
    "COLUMN",
    "DEPENDING",
    "FROM",
    "IS",
    "LINE",
    "LINES",
    "OCCURS",
    "ON",
    "POSITION",
    "SIZE",
    "THROUGH",
    "THRU",
    "TO",
    "VALUE",
    "VALUES",
];

/// Splits a data sentence into entries where a period is missing before a level number.
fn split_entries<'s, 'a>(sentence: &'s [Token<'a>]) -> Vec<&'s [Token<'a>]> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for k in 1..sentence.len() {
        let (Some(prev), Some(t)) = (sentence.get(k - 1), sentence.get(k)) else {
            continue;
        };
        let next_is_name = sentence.get(k + 1).is_some_and(|n| n.kind == Tok::Word);
        let operand = prev.kind == Tok::Word && OPERAND_WORDS.contains(&prev.text.as_ref());
        let punct = matches!(prev.kind, Tok::Op | Tok::LParen | Tok::Colon);
        if t.first && next_is_name && !operand && !punct && data::level_of(t).is_some() {
            if let Some(s) = sentence.get(start..k) {
                out.push(s);
            }
            start = k;
        }
    }
    if let Some(s) = sentence.get(start..) {
        out.push(s);
    }
    out
}

/// References with their names kept once per file.
fn intern(raw: Vec<proc_facts::RawRef>) -> (Vec<DataRef>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let refs = raw
        .into_iter()
        .map(|r| {
            let name = match index.get(&r.name) {
                Some(&i) => i,
                None => {
                    let i = u32::try_from(names.len()).unwrap_or(u32::MAX);
                    names.push(r.name.clone());
                    index.insert(r.name, i);
                    i
                }
            };
            DataRef {
                name,
                verb: Verb::new(r.verb),
                access: r.access,
                line: r.line,
            }
        })
        .collect();
    (refs, names)
}
