//! The header comment block at the top of a file: description (keyed or a free title
//! line), directory, identification, revision lines; and `DATE-WRITTEN.`.

use crate::dates::{self, SixDigits};
use crate::facts::{Header, Revision};
use crate::lines::{LineKind, Source};

/// Header lines read at most (a header block is never this long; this bounds the work).
const MAX_HEADER_LINES: usize = 600;

/// What one header line is.
enum HLine<'a> {
    Blank,
    Separator,
    /// `WORDS: value`; `raw` is the whole line.
    Key {
        key: String,
        value: &'a str,
        raw: &'a str,
    },
    Marker(&'a str),
    Text(&'a str),
}

/// Identification-division paragraphs that may stand between header comments.
const ID_PARAGRAPHS: &[&str] = &[
    "AUTHOR",
    "DATE-COMPILED",
    "DATE-WRITTEN",
    "ID",
    "IDENTIFICATION",
    "INSTALLATION",
    "PROGRAM-ID",
    "REMARKS",
    "SECURITY",
];

fn first_word_upper(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '.')
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// Reads the header block and `DATE-WRITTEN.`.
pub(crate) fn read(src: &Source<'_>) -> Header {
    let date_written = date_written(src);
    let date_written_iso = date_written.as_deref().and_then(|d| {
        let first = d.split_whitespace().next()?;
        dates::iso(first, SixDigits::MonthFirst)
    });
    let mut header = Header {
        date_written,
        date_written_iso,
        ..Header::default()
    };
    let mut block: Vec<(u32, HLine<'_>)> = Vec::new();
    for line in src.lines.iter().take(MAX_HEADER_LINES) {
        match line.kind {
            LineKind::Comment => block.push((line.num, classify(&line.text))),
            LineKind::Blank => block.push((line.num, HLine::Blank)),
            LineKind::Directive | LineKind::Continuation => {}
            LineKind::Code => {
                let w = first_word_upper(&line.text);
                if !ID_PARAGRAPHS.contains(&w.as_str()) {
                    break;
                }
            }
        }
    }
    fill(&mut header, &block);
    header
}

fn date_written(src: &Source<'_>) -> Option<String> {
    src.lines
        .iter()
        .filter(|l| l.kind == LineKind::Code)
        .take(MAX_HEADER_LINES)
        .find_map(|l| {
            let t = l.text.trim_start();
            let head = t.get(..12)?;
            if !head.eq_ignore_ascii_case("DATE-WRITTEN") {
                return None;
            }
            let rest = t.get(12..)?.trim_start_matches(['.', ' ']).trim();
            let rest = rest.strip_suffix('.').unwrap_or(rest).trim();
            (!rest.is_empty()).then(|| rest.to_string())
        })
}

fn classify(text: &str) -> HLine<'_> {
    let raw = text.trim();
    if raw.is_empty() {
        return HLine::Blank;
    }
    if raw.len() >= 3 && raw.chars().all(|c| "*=-_~#+. ".contains(c)) {
        return HLine::Separator;
    }
    let clean = raw.trim_matches(|c: char| c == '*' || c.is_whitespace());
    if clean.is_empty() {
        return HLine::Blank;
    }
    if let Some(inner) = clean.strip_prefix('(').and_then(|r| r.strip_suffix(')'))
        && (1..=4).contains(&inner.len())
        && inner.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return HLine::Marker(inner);
    }
    if clean.starts_with('(') && clean.ends_with(')') && !clean.contains(' ') {
        // `(MEMBER)`: a name tag, not a title.
        return HLine::Separator;
    }
    if let Some((k, v)) = clean.split_once(':') {
        let k = k.trim();
        let words = k.split_whitespace().count();
        let ok = (1..=24).contains(&k.len())
            && words <= 3
            && k.starts_with(|c: char| c.is_ascii_alphabetic())
            && k.bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b' ' || b == b'-');
        if ok {
            let key = k
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_uppercase();
            return HLine::Key {
                key,
                value: v.trim(),
                raw: clean,
            };
        }
    }
    HLine::Text(raw)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    None,
    /// After a `DESCRIPTION:` with no text (or only a directory like `FX`): blank lines
    /// wait for the text.
    DescPending,
    Desc,
    Title,
    Rev,
    OtherKey,
}

fn is_desc_key(k: &str) -> bool {
    matches!(k, "DESCRIPTION" | "DESC" | "DESCRIPTIONS" | "PURPOSE")
}

fn is_rev_key(k: &str) -> bool {
    matches!(
        k,
        "REV" | "REVS" | "REVISION" | "REVISIONS" | "REVISION HISTORY" | "MODIFICATIONS"
    )
}

fn first_token(v: &str) -> Option<String> {
    v.split_whitespace().next().map(str::to_string)
}

fn fill(h: &mut Header, block: &[(u32, HLine<'_>)]) {
    let mut state = State::None;
    let mut desc: Vec<&str> = Vec::new();
    let mut desc_line: Option<u32> = None;
    let mut have_desc = false;
    let mut title: Vec<&str> = Vec::new();
    let mut title_line: Option<u32> = None;
    for (num, l) in block {
        match l {
            HLine::Separator => state = State::None,
            HLine::Blank => {
                if !matches!(state, State::Rev | State::DescPending) {
                    state = State::None;
                }
            }
            HLine::Marker(m) => {
                if h.directory.is_none() {
                    h.directory = Some(m.to_ascii_uppercase());
                }
                state = State::None;
            }
            // "FOLLOWING RANGES: ..." inside an entry continues it.
            HLine::Key { key, raw, .. } if state == State::Rev && !is_known_key(key) => {
                h.revisions.push(revision(*num, raw));
            }
            HLine::Key { key, value, .. } => {
                state = State::OtherKey;
                if is_desc_key(key) && !have_desc {
                    have_desc = true;
                    let dir_only = (1..=4).contains(&value.len())
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
                    if value.is_empty() || dir_only {
                        state = State::DescPending;
                        if dir_only && h.directory.is_none() {
                            h.directory = Some(value.to_string());
                        }
                    } else {
                        state = State::Desc;
                        desc.push(clean(value));
                        desc_line = Some(*num);
                    }
                } else if is_rev_key(key) {
                    state = State::Rev;
                    if !value.is_empty() {
                        h.revisions.push(revision(*num, value));
                    }
                } else if matches!(key.as_str(), "DIR" | "DIRECTORY") {
                    if h.directory.is_none() {
                        h.directory = first_token(value);
                    }
                } else if key == "IDENTIFICATION" && h.identification.is_none() {
                    h.identification = first_token(value);
                }
            }
            // "JKC 2025-0218 ...", "20230727 BAH ...": an entry of the revision history,
            // wherever it stands in the header.
            HLine::Text(t) if is_revision_entry(clean(t)) => {
                h.revisions.push(revision(*num, clean(t)));
                state = State::Rev;
            }
            HLine::Text(t) => match state {
                State::Desc | State::DescPending => {
                    desc.push(clean(t));
                    desc_line.get_or_insert(*num);
                    state = State::Desc;
                }
                State::Title => title.push(t),
                State::Rev => h.revisions.push(revision(*num, t)),
                State::OtherKey => {}
                State::None => {
                    let clean = clean(t);
                    // "DO NOT MODIFY THIS COPY MEMBER DIRECTLY. CODE ... WAS GENERATED BY
                    // THE FORM CONVERSION PROGRAM.": a generator's banner, not a title.
                    if is_banner(clean) {
                        state = State::OtherKey;
                        continue;
                    }
                    if title_line.is_none() && clean.bytes().any(|b| b.is_ascii_alphabetic()) {
                        title.push(clean);
                        title_line = Some(*num);
                        state = State::Title;
                    }
                }
            },
        }
    }
    let (parts, line) = if desc_line.is_some() {
        (desc, desc_line)
    } else {
        (title, title_line)
    };
    let text = normalise(&parts);
    if !text.is_empty() {
        h.description = Some(text);
        h.description_line = line;
    }
}

/// The first line of a code generator's warning banner.
fn is_banner(text: &str) -> bool {
    let up = text.to_ascii_uppercase();
    up.starts_with("DO NOT MODIFY") || up.starts_with("DO NOT EDIT")
}

/// The keys a header labels its parts with; any other `WORDS:` is text.
fn is_known_key(k: &str) -> bool {
    is_desc_key(k)
        || is_rev_key(k)
        || matches!(
            k,
            "DIR" | "DIRECTORY" | "IDENTIFICATION" | "AUTHOR" | "PROGRAM" | "DATE" | "SYSTEM"
        )
}

/// A revision entry by its form: initials then a date (`JKC 2025-0218`, `??? 060608`), or
/// a date then initials (`20230727 BAH`).
fn is_revision_entry(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    let initials = |w: &str| {
        (2..=4).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_uppercase() || b == b'?')
    };
    let date = |w: &str| dates::iso(w, SixDigits::YearFirst).is_some();
    (initials(first) && date(second)) || (date(first) && initials(second))
}

/// A revision line with the date it carries: its first word (`151120 BAH ...`), or its
/// second after initials (`BAH 2022.1004 ...`, `??? 060608 ...`).
fn revision(line: u32, text: &str) -> Revision {
    let mut words = text.split_whitespace();
    let date = words.next().and_then(|first| {
        dates::iso(first, SixDigits::YearFirst).or_else(|| {
            // Initials, or `???` for unknown ones.
            let initials = (1..=4).contains(&first.len())
                && first.bytes().all(|b| b.is_ascii_alphabetic() || b == b'?');
            if initials {
                dates::iso(words.next()?, SixDigits::YearFirst)
            } else {
                None
            }
        })
    });
    Revision {
        line,
        text: text.to_string(),
        date,
    }
}

/// Text without the `*` borders some headers draw around it.
fn clean(t: &str) -> &str {
    t.trim_matches(|c: char| c == '*' || c.is_whitespace())
}

/// Joins parts with single spaces, trimmed, without a leading bullet.
fn normalise(parts: &[&str]) -> String {
    let joined = parts
        .iter()
        .flat_map(|p| p.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ");
    let t = joined.strip_prefix("- ").unwrap_or(&joined);
    t.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::split;

    fn header(text: &str) -> Header {
        read(&split(text))
    }

    #[test]
    fn table_of_headers() {
        struct Case {
            text: &'static str,
            desc: Option<&'static str>,
            line: Option<u32>,
        }
        let cases = [
            Case {
                text: "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. ACPOST.\n      *\n      * DESCRIPTION   :  POST   PAYMENTS\n      *                  FOR ALL BRANCHES\n      *\n      * REV:\n      *  AB 2001 NEW\n",
                desc: Some("POST PAYMENTS FOR ALL BRANCHES"),
                line: Some(4),
            },
            Case {
                text: "      * DESC: CLEAR THE LEDGER\n      * NOTE: NOT PART\n",
                desc: Some("CLEAR THE LEDGER"),
                line: Some(1),
            },
            Case {
                text: "       PROGRAM-ID. ACMENU.\n      ******************\n      *          ACCOUNTS MENU\n      *\n      * REV:\n      *  NEW\n      ******************\n",
                desc: Some("ACCOUNTS MENU"),
                line: Some(3),
            },
            Case {
                text: "      *****\n      *   READ A FILE TO SET AC-FLAG\n      *    AND LOG EACH CHANGE\n      *\n      * INPUT FILE;\n",
                desc: Some("READ A FILE TO SET AC-FLAG AND LOG EACH CHANGE"),
                line: Some(2),
            },
            Case {
                text: "      * DESCRIPTION:\n      *    FIRST LINE\n      *    SECOND LINE\n      *========\n      *    NOT THIS\n",
                desc: Some("FIRST LINE SECOND LINE"),
                line: Some(2),
            },
            Case {
                text: "      * COPYMEMBER: LIBAC/ACREC\n      ****\n      *    ACCOUNT RECORD LAYOUT    *\n      ****\n       01  AC-REC.\n",
                desc: Some("ACCOUNT RECORD LAYOUT"),
                line: Some(3),
            },
            Case {
                text: "       01  AC-REC.\n      * LATE COMMENT\n",
                desc: None,
                line: None,
            },
            Case {
                text: "",
                desc: None,
                line: None,
            },
        ];
        for c in cases {
            let h = header(c.text);
            assert_eq!(h.description.as_deref(), c.desc, "{}", c.text);
            assert_eq!(h.description_line, c.line, "{}", c.text);
        }
    }

    #[test]
    fn keys_markers_revisions_and_date() {
        let h = header(
            "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. ACFIX.\n       DATE-WRITTEN.  10/16/2018.\n      *\n      *              (AC)\n      * IDENTIFICATION:  AC/ACFIX.C\n      * DIR :  AC\n      * DESCRIPTION:  FIX THE THING\n      *-----------\n      * REV:\n      *  AB 150529 FIRST\n      *\n      *  CD 160101 SECOND\n      *  ************\n       ENVIRONMENT DIVISION.\n      * NOT HEADER\n",
        );
        assert_eq!(h.date_written.as_deref(), Some("10/16/2018"));
        assert_eq!(h.directory.as_deref(), Some("AC"));
        assert_eq!(h.identification.as_deref(), Some("AC/ACFIX.C"));
        assert_eq!(h.description.as_deref(), Some("FIX THE THING"));
        let revs: Vec<(u32, &str)> = h
            .revisions
            .iter()
            .map(|r| (r.line, r.text.as_str()))
            .collect();
        assert_eq!(
            revs,
            vec![(11, "AB 150529 FIRST"), (13, "CD 160101 SECOND")]
        );
        let dates: Vec<Option<&str>> = h.revisions.iter().map(|r| r.date.as_deref()).collect();
        assert_eq!(dates, vec![Some("2015-05-29"), Some("2016-01-01")]);
        assert_eq!(h.date_written_iso.as_deref(), Some("2018-10-16"));
    }

    #[test]
    fn a_generators_banner_is_no_description() {
        let h = header(
            "      *------------------------------------------------------------------\n      * DO NOT MODIFY THIS COPY MEMBER DIRECTLY.\n      * CODE CONTAINED HERE WAS GENERATED BY THE FORM\n      * CONVERSION PROGRAM.\n      * DO NOT CHANGE CASE\n      *------------------------------------------------------------------\n       01  ACMENU-SCREEN.\n",
        );
        assert_eq!(h.description, None);
    }

    #[test]
    fn revision_entries_are_known_by_their_form() {
        // An entry after the program's title, with no REV label; a `WORDS:` line inside
        // an entry continues it; the entries after it are still entries.
        let h = header(
            "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. ACSET.\n      *   READ A FILE TO SET A FLAG\n      *\n      * 20230727 BAH SET THE FLAG #1618\n      * JKC 2024-1106 ADDED RANGES\n      *     FOLLOWING RANGES: BEG-DATE, END-DATE\n      *\n      * JKC 2025-0423 LAST ONE\n       ENVIRONMENT DIVISION.\n",
        );
        assert_eq!(h.description.as_deref(), Some("READ A FILE TO SET A FLAG"));
        let revs: Vec<(u32, Option<&str>)> = h
            .revisions
            .iter()
            .map(|r| (r.line, r.date.as_deref()))
            .collect();
        assert_eq!(
            revs,
            vec![
                (5, Some("2023-07-27")),
                (6, Some("2024-11-06")),
                (7, None),
                (9, Some("2025-04-23")),
            ]
        );
    }

    #[test]
    fn table_of_revision_dates() {
        let cases: &[(&str, Option<&str>)] = &[
            ("AB 101794 FIRST CUT", Some("1994-10-17")),
            ("CD 151120 KEY CHANGE", Some("2015-11-20")),
            ("CD  040506 BOTH WAYS: THE LATER STYLE", Some("2004-05-06")),
            ("180305 EF ADD TABLE", Some("2018-03-05")),
            ("GH 2022.1004 HARD CODED", Some("2022-10-04")),
            ("GH 2019-0107 OPEN OUTPUT", Some("2019-01-07")),
            ("GH 20200827 RESET", Some("2020-08-27")),
            ("02/12/2020 GH CLEAR FIELDS", Some("2020-02-12")),
            ("GHI 2019.09.12 NEW", Some("2019-09-12")),
            ("GH 2020.1301 MONTH 13", None),
            ("             ADDED GROUP LOGIC.", None),
            ("3400 TO 3600", None),
            ("REGIONAL PR# 1708", None),
            ("ABCDE 151120 NOT INITIALS", None),
            ("??? 060608 UNKNOWN INITIALS", Some("2006-06-08")),
        ];
        for (text, want) in cases {
            let h = header(&format!("      * REV:\n      *  {text}\n"));
            let got = h.revisions.first().and_then(|r| r.date.as_deref());
            assert_eq!(got, *want, "{text}");
        }
        for (written, want) in [
            ("10-14-2020.", Some("2020-10-14")),
            ("021094.", Some("1994-02-10")),
            ("1/27/84", Some("1984-01-27")),
            ("20160923.", Some("2016-09-23")),
            ("2007-1004.", Some("2007-10-04")),
            ("JUNE 1994.", None),
            ("13-01-2020.", None),
        ] {
            let h = header(&format!(
                "       PROGRAM-ID. ACX.\n       DATE-WRITTEN.  {written}\n"
            ));
            assert_eq!(h.date_written_iso.as_deref(), want, "{written}");
        }
    }
}
