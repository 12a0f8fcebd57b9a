//! Reading COBOL: the facts of a program or copybook (PROGRAM-ID, header description,
//! COPY members, CALL targets, SELECT/ASSIGN files, paragraphs) and its chunks.

use otis_core::ports::{FileAssignment, MemberFacts, MemberKind};

/// A piece of a member, as indexed and retrieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// `file#n`, stable while the file does not change.
    pub(crate) id: String,
    /// First and last line, 1-based.
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// What is searched and shown.
    pub(crate) text: String,
}

/// The kind a file's name gives it, or `None` when it is not indexed.
pub(crate) fn kind_of(path: &str) -> Option<MemberKind> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "cbl" | "cob" => Some(MemberKind::Program),
        "cpy" => Some(MemberKind::Copybook),
        "md" | "txt" => Some(MemberKind::Document),
        _ => None,
    }
}

/// Whether a path is a screen form file: no extension, under a folder named `FM`
/// (`FM/XX/FX/FXMENU`).
pub(crate) fn is_form(path: &str) -> bool {
    let mut parts = path.split('/');
    let Some(name) = path.rsplit('/').next() else {
        return false;
    };
    path.contains('/')
        && !name.contains('.')
        && !name.is_empty()
        && parts.any(|p| p.eq_ignore_ascii_case("FM"))
}

/// A source line split into its comment or code part.
struct Line<'a> {
    comment: Option<&'a str>,
    code: &'a str,
    /// Leading spaces of the code (area A starts at 0 in fixed format).
    indent: usize,
}

fn split_line(raw: &str) -> Line<'_> {
    let raw = raw.trim_end_matches(['\r', '\n']);
    let fixed = raw.len() > 6
        && raw.is_char_boundary(6)
        && raw[..6].bytes().all(|b| b.is_ascii_digit() || b == b' ');
    if fixed {
        let indicator = raw.as_bytes()[6];
        let rest = raw.get(7..).unwrap_or_default();
        if matches!(indicator, b'*' | b'/') {
            return Line {
                comment: Some(rest),
                code: "",
                indent: 0,
            };
        }
        let code = match rest.char_indices().nth(65) {
            Some((i, _)) => &rest[..i],
            None => rest,
        };
        let trimmed = code.trim_start();
        return Line {
            comment: None,
            indent: code.len() - trimmed.len(),
            code: trimmed.trim_end(),
        };
    }
    let trimmed = raw.trim_start();
    if let Some(comment) = trimmed.strip_prefix("*>") {
        return Line {
            comment: Some(comment),
            code: "",
            indent: 0,
        };
    }
    Line {
        comment: None,
        indent: raw.len() - trimmed.len(),
        code: trimmed.trim_end(),
    }
}

/// Words of code, with quoted literals kept whole (quotes included), and the line each
/// starts on.
fn tokens(lines: &[Line<'_>]) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let line_no = n as u32 + 1;
        let mut chars = line.code.char_indices().peekable();
        while let Some(&(start, c)) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let mut end = start + c.len_utf8();
            chars.next();
            if c == '"' || c == '\'' {
                for (i, d) in chars.by_ref() {
                    end = i + d.len_utf8();
                    if d == c {
                        break;
                    }
                }
                // A literal may be followed directly by the period that ends a sentence.
                if let Some(&(i, '.')) = chars.peek() {
                    end = i + 1;
                    chars.next();
                }
            } else {
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_whitespace() {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
            }
            out.push((line.code[start..end].to_owned(), line_no));
        }
    }
    out
}

/// `"LIBLP/LNREC.CPY".` -> `LNREC`; `PAYREC.` -> `PAYREC`.
fn member_name(token: &str) -> String {
    let t = token.trim_end_matches('.').trim_matches(['"', '\'']);
    let t = t.rsplit(['/', '\\']).next().unwrap_or(t);
    let t = match t.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 4 && !stem.is_empty() => stem,
        _ => t,
    };
    t.to_ascii_uppercase()
}

fn is_literal(token: &str) -> bool {
    token.starts_with('"') || token.starts_with('\'')
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// The description in a header comment block: the text after a `DESCRIPTION:` label up
/// to the next label, or else every comment line that is not a label or a border.
fn description(header: &[&str]) -> Option<String> {
    let cleaned: Vec<String> = header
        .iter()
        .map(|l| l.trim().trim_matches('*').trim().to_owned())
        .filter(|l| !l.is_empty() && !l.chars().all(|c| "*-=_".contains(c)))
        .collect();
    let is_label = |l: &str| {
        l.split_once(':').is_some_and(|(head, _)| {
            !head.is_empty()
                && head.len() <= 20
                && head
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == ' ' || c == '-')
        })
    };
    let mut picked: Vec<&str> = Vec::new();
    let mut inside = false;
    for line in &cleaned {
        if let Some((head, rest)) = line.split_once(':')
            && is_label(line)
        {
            inside = head.trim().eq_ignore_ascii_case("DESCRIPTION")
                || head.trim().eq_ignore_ascii_case("PURPOSE")
                || head.trim().eq_ignore_ascii_case("FUNCTION");
            if inside && !rest.trim().is_empty() {
                picked.push(rest.trim());
            }
        } else if inside {
            picked.push(line);
        }
    }
    if picked.is_empty() && !cleaned.iter().any(|l| is_label(l)) {
        picked = cleaned.iter().map(String::as_str).collect();
    }
    let text = picked.join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// Is this code line a paragraph or section header (`2000-POST-PAYMENT.`,
/// `MAIN-LOGIC SECTION.`)?
fn paragraph_name(line: &Line<'_>) -> Option<String> {
    if line.indent > 3 || line.code.is_empty() {
        return None;
    }
    let head = line.code.strip_suffix('.')?;
    let name = head.strip_suffix(" SECTION").unwrap_or(head).trim();
    let valid = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_alphabetic() || b == b'-')
        && !matches!(
            name.to_ascii_uppercase().as_str(),
            "EXIT" | "GOBACK" | "CONTINUE" | "END-IF" | "END-READ" | "END-PERFORM"
        );
    valid.then(|| name.to_ascii_uppercase())
}

/// The facts and chunks of one file. `path` is relative to the indexed folder.
pub(crate) fn analyse(path: &str, text: &str, kind: MemberKind) -> (MemberFacts, Vec<Chunk>) {
    let raw_lines: Vec<&str> = text.lines().collect();
    let stem = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .rsplit_once('.')
        .map_or(path, |(stem, _)| stem)
        .to_ascii_uppercase();
    let mut facts = MemberFacts {
        name: stem,
        kind: Some(kind),
        file: path.to_owned(),
        lines: raw_lines.len() as u32,
        ..MemberFacts::default()
    };
    if kind == MemberKind::Document {
        let chunks = window_chunks(path, &raw_lines, 40, 0);
        facts.description = raw_lines
            .iter()
            .map(|l| l.trim().trim_start_matches('#').trim())
            .find(|l| !l.is_empty())
            .map(str::to_owned);
        return (facts, chunks);
    }

    let lines: Vec<Line<'_>> = raw_lines.iter().map(|l| split_line(l)).collect();
    let header: Vec<&str> = lines
        .iter()
        .take_while(|l| l.code.is_empty())
        .filter_map(|l| l.comment)
        .collect();
    facts.description = description(&header);

    let toks = tokens(&lines);
    let upper: Vec<String> = toks.iter().map(|(t, _)| t.to_ascii_uppercase()).collect();
    let mut procedure_line = None;
    for (i, word) in upper.iter().enumerate() {
        let next = upper.get(i + 1).map(String::as_str);
        match word.as_str() {
            "PROGRAM-ID." | "PROGRAM-ID" => {
                if let Some(name) = toks.get(i + 1) {
                    facts.name = member_name(&name.0);
                    facts.kind = Some(MemberKind::Program);
                }
            }
            "COPY" => {
                if let Some(name) = toks.get(i + 1) {
                    push_unique(&mut facts.copybooks, member_name(&name.0));
                }
            }
            "CALL" => {
                // Only static calls name their target; `CALL WS-PGM` is dynamic.
                if let Some(target) = toks.get(i + 1).filter(|t| is_literal(&t.0)) {
                    push_unique(&mut facts.calls, member_name(&target.0));
                }
            }
            "SELECT" => {
                let mut j = i + 1;
                if next == Some("OPTIONAL") {
                    j += 1;
                }
                let Some(name) = toks.get(j) else { continue };
                let assign = (j + 1..(j + 8).min(upper.len()))
                    .find(|&k| upper[k] == "ASSIGN")
                    .and_then(|k| {
                        let k = if upper.get(k + 1).map(String::as_str) == Some("TO") {
                            k + 2
                        } else {
                            k + 1
                        };
                        toks.get(k)
                    });
                if let Some(assign) = assign {
                    facts.files.push(FileAssignment {
                        name: name.0.trim_end_matches('.').to_ascii_uppercase(),
                        assign: assign
                            .0
                            .trim_end_matches('.')
                            .trim_matches(['"', '\''])
                            .to_owned(),
                    });
                }
            }
            "PROCEDURE" if next.is_some_and(|n| n.starts_with("DIVISION")) => {
                procedure_line.get_or_insert(toks[i].1);
            }
            _ => {}
        }
    }

    let mut chunks = Vec::new();
    if facts.kind == Some(MemberKind::Program) {
        // Paragraph chunks: from each header to the line before the next.
        let start_at = procedure_line.unwrap_or(1) as usize;
        let mut starts: Vec<(usize, String)> = Vec::new();
        for (n, line) in lines.iter().enumerate().skip(start_at) {
            if let Some(name) = paragraph_name(line) {
                starts.push((n, name));
            }
        }
        facts.paragraphs = starts.iter().map(|(_, name)| name.clone()).collect();
        chunks.push(summary_chunk(path, &facts, &raw_lines, start_at));
        for (k, (start, name)) in starts.iter().enumerate() {
            let end = starts.get(k + 1).map_or(raw_lines.len(), |(next, _)| *next);
            let body = raw_lines[*start..end].join("\n");
            chunks.push(Chunk {
                id: format!("{path}#{}", chunks.len()),
                start: *start as u32 + 1,
                end: end as u32,
                text: format!("{} paragraph {name}\n{body}", facts.name),
            });
        }
    } else {
        chunks = window_chunks(path, &raw_lines, 80, 0);
        for chunk in &mut chunks {
            chunk.text = format!("copybook {}\n{}", facts.name, chunk.text);
        }
    }
    (facts, chunks)
}

/// The first chunk of a program: its facts in words, then its source up to the
/// procedure division (header, files, data).
fn summary_chunk(path: &str, facts: &MemberFacts, raw_lines: &[&str], until: usize) -> Chunk {
    let mut text = format!("program {}", facts.name);
    if let Some(description) = &facts.description {
        text.push_str(&format!("\ndescription: {description}"));
    }
    if !facts.copybooks.is_empty() {
        text.push_str(&format!("\ncopybooks: {}", facts.copybooks.join(", ")));
    }
    if !facts.calls.is_empty() {
        text.push_str(&format!("\ncalls: {}", facts.calls.join(", ")));
    }
    for file in &facts.files {
        text.push_str(&format!("\nfile {} assigned to {}", file.name, file.assign));
    }
    let end = until.clamp(1, raw_lines.len().max(1));
    text.push('\n');
    text.push_str(&raw_lines[..end.min(raw_lines.len())].join("\n"));
    Chunk {
        id: format!("{path}#0"),
        start: 1,
        end: end as u32,
        text,
    }
}

/// Fixed windows of `size` lines, for copybooks and documents.
fn window_chunks(path: &str, raw_lines: &[&str], size: usize, first: usize) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < raw_lines.len() || (start == 0 && chunks.is_empty()) {
        let end = (start + size).min(raw_lines.len());
        chunks.push(Chunk {
            id: format!("{path}#{}", first + chunks.len()),
            start: start as u32 + 1,
            end: end.max(1) as u32,
            text: raw_lines[start..end].join("\n"),
        });
        if end == raw_lines.len() {
            break;
        }
        start = end;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str = r#"      *****************************************
      * PROGRAM:     DEMO1
      * DESCRIPTION: ADDS UP THINGS. READS THE
      *              THINGS FILE.
      * CALLED BY:   MAIN
      *****************************************
       IDENTIFICATION DIVISION.
       PROGRAM-ID. DEMO1.
       ENVIRONMENT DIVISION.
       FILE-CONTROL.
           SELECT OPTIONAL THINGS ASSIGN TO "THINGS.DAT"
               ORGANIZATION IS LINE SEQUENTIAL.
           SELECT OUT-FILE
               ASSIGN TO OUTDD.
       DATA DIVISION.
           COPY "LIB/ONE.CPY".
           COPY TWO.
           COPY THREE OF LIBX.
           COPY two.
       PROCEDURE DIVISION.
       0000-MAIN.
           CALL "SUBPGM" USING X
           CALL WS-DYNAMIC
           CALL 'OTHER'.
           EXIT.
       MAIN-LOGIC SECTION.
           PERFORM 0000-MAIN.
"#;

    #[test]
    fn extracts_the_facts_of_a_fixed_format_program() {
        let (facts, chunks) = analyse("src/demo1.cbl", PROGRAM, MemberKind::Program);
        assert_eq!(facts.name, "DEMO1");
        assert_eq!(facts.kind, Some(MemberKind::Program));
        assert_eq!(
            facts.description.as_deref(),
            Some("ADDS UP THINGS. READS THE THINGS FILE.")
        );
        assert_eq!(facts.copybooks, ["ONE", "TWO", "THREE"]);
        assert_eq!(facts.calls, ["SUBPGM", "OTHER"]);
        assert_eq!(
            facts.files,
            [
                FileAssignment {
                    name: "THINGS".into(),
                    assign: "THINGS.DAT".into()
                },
                FileAssignment {
                    name: "OUT-FILE".into(),
                    assign: "OUTDD".into()
                },
            ]
        );
        assert_eq!(facts.paragraphs, ["0000-MAIN", "MAIN-LOGIC"]);
        assert_eq!(chunks.len(), 3);
        assert!(
            chunks[0]
                .text
                .starts_with("program DEMO1\ndescription: ADDS UP THINGS.")
        );
        assert_eq!((chunks[1].start, chunks[1].end), (21, 25));
        assert!(chunks[1].text.contains("CALL \"SUBPGM\""));
    }

    #[test]
    fn copybooks_and_documents_are_chunked_by_lines() {
        let copybook = "      * REC - A RECORD\n       01  REC.\n           05  A PIC X.\n";
        let (facts, chunks) = analyse("copy/rec.cpy", copybook, MemberKind::Copybook);
        assert_eq!(facts.name, "REC");
        assert_eq!(facts.description.as_deref(), Some("REC - A RECORD"));
        assert_eq!(chunks.len(), 1);
        assert!(chunks[0].text.starts_with("copybook REC\n"));
        let doc: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let (_, chunks) = analyse("docs/a.md", &doc, MemberKind::Document);
        assert_eq!(chunks.len(), 3);
        assert_eq!((chunks[2].start, chunks[2].end), (81, 100));
    }

    #[test]
    fn free_format_and_odd_input_do_not_break_it() {
        let free = "*> free format header\nIDENTIFICATION DIVISION.\nPROGRAM-ID. FREE1.\nPROCEDURE DIVISION.\nMAIN-PARA.\n    CALL \"X1\".\n";
        let (facts, _) = analyse("free.cob", free, MemberKind::Program);
        assert_eq!(facts.name, "FREE1");
        assert_eq!(facts.calls, ["X1"]);
        assert_eq!(facts.paragraphs, ["MAIN-PARA"]);
        for odd in ["", "\n\n", "COPY", "CALL \"unterminated", "é\u{0}ü      *x"] {
            let _ = analyse("odd.cbl", odd, MemberKind::Program);
        }
    }

    #[test]
    fn kinds_come_from_extensions_in_any_case() {
        let cases = [
            ("a.cbl", Some(MemberKind::Program)),
            ("A.COB", Some(MemberKind::Program)),
            ("x/B.CPY", Some(MemberKind::Copybook)),
            ("README.md", Some(MemberKind::Document)),
            ("notes.TXT", Some(MemberKind::Document)),
            ("build.jcl", None),
            ("noext", None),
        ];
        for (path, kind) in cases {
            assert_eq!(kind_of(path), kind, "{path}");
        }
    }

    #[test]
    fn screen_forms_are_files_without_extension_under_fm() {
        for (path, form) in [
            ("FM/XX/FX/FXMENU", true),
            ("sub/fm/XX/LP/LPMENU", true),
            ("FM/XX/FX/FXMENU.CBL", false),
            ("FX/FXMENU", false),
            ("FM", false),
            ("FM/XX/notes.txt", false),
        ] {
            assert_eq!(is_form(path), form, "{path}");
        }
    }
}
