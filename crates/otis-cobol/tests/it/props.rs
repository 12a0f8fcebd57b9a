//! Properties: the reader never panics and every line it reports is within the file.

use otis_cobol::{CallKind, EdgeKind, FileOpKind, SourceFacts, StatementKind, read};
use proptest::prelude::*;

fn all_lines(f: &SourceFacts) -> Vec<u32> {
    let mut v = Vec::new();
    v.extend(f.header.description_line);
    v.extend(f.header.revisions.iter().map(|r| r.line));
    v.extend(f.copies.iter().map(|c| c.line));
    for c in &f.calls {
        v.push(c.line);
        v.extend(c.set_line);
    }
    v.extend(f.transfers.iter().map(|t| t.line));
    v.extend(f.files.iter().map(|d| d.line));
    for p in &f.procedures {
        v.push(p.line);
        v.push(p.end_line);
    }
    v.extend(f.edges.iter().map(|e| e.line));
    v.extend(f.data_items.iter().map(|d| d.line));
    v.extend(f.refs.iter().map(|r| r.line));
    v.extend(f.file_descriptions.iter().map(|d| d.line));
    v.extend(f.data_sections.iter().map(|s| s.line));
    v.extend(f.statements.iter().map(|u| u.first_line));
    v.extend(f.file_ops.iter().map(|o| o.line));
    v
}

/// The plain kind a compound kind's statements are also counted under.
fn plain_of(k: StatementKind) -> Option<StatementKind> {
    use StatementKind::*;
    match k {
        CallVariable => Some(Call),
        ExitProgram => Some(Exit),
        GoToDepending => Some(GoTo),
        MoveCorresponding => Some(Move),
        PerformThru | PerformUntil => Some(Perform),
        StopRun => Some(Stop),
        _ => None,
    }
}

/// Statement counts agree with each other and with the sites the reader reports.
fn check_counts(f: &SourceFacts) -> Result<(), TestCaseError> {
    let count = |k: StatementKind| {
        f.statements
            .iter()
            .find(|u| u.kind == k)
            .map_or(0, |u| u.count)
    };
    prop_assert!(f.statements.windows(2).all(|w| w[0].kind < w[1].kind));
    for u in &f.statements {
        prop_assert!(u.count >= 1);
        if u.kind.is_compound() {
            let plain = plain_of(u.kind);
            prop_assert!(plain.is_some(), "{:?}", u.kind);
            prop_assert!(plain.is_some_and(|p| count(p) >= u.count), "{:?}", u.kind);
        }
    }
    let ifs = count(StatementKind::If);
    prop_assert!(f.complexity.max_if_depth <= ifs);
    prop_assert!(f.complexity.decisions >= ifs);
    let performs = f
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Perform)
        .count();
    prop_assert!(performs <= count(StatementKind::Perform) as usize);
    let literal_calls = f
        .calls
        .iter()
        .filter(|c| c.kind != CallKind::Dynamic)
        .count();
    prop_assert!(literal_calls <= count(StatementKind::Call) as usize);
    prop_assert!(f.file_ops.windows(2).all(|w| w[0].line <= w[1].line));
    for (op, verb) in [
        (FileOpKind::Rewrite, StatementKind::Rewrite),
        (FileOpKind::Release, StatementKind::Release),
        (FileOpKind::Start, StatementKind::Start),
        (FileOpKind::Return, StatementKind::Return),
        (FileOpKind::Sort, StatementKind::Sort),
        (FileOpKind::Merge, StatementKind::Merge),
    ] {
        let ops = f.file_ops.iter().filter(|o| o.op == op).count();
        prop_assert!(ops <= count(verb) as usize, "{:?}", op);
    }
    for o in &f.file_ops {
        prop_assert!(!o.target.is_empty());
        if let FileOpKind::Open(_) = o.op {
            prop_assert!(count(StatementKind::Open) >= 1);
        }
    }
    Ok(())
}

/// An ISO date: `YYYY-MM-DD` with a month 01-12 and a day 01-31.
fn is_iso(d: &str) -> bool {
    let b = d.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let month = d.get(5..7).and_then(|m| m.parse::<u32>().ok());
    let day = d.get(8..10).and_then(|m| m.parse::<u32>().ok());
    b.len() == 10
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && month.is_some_and(|m| (1..=12).contains(&m))
        && day.is_some_and(|m| (1..=31).contains(&m))
}

fn check(f: &SourceFacts) -> Result<(), TestCaseError> {
    for l in all_lines(f) {
        prop_assert!(l >= 1 && l <= f.lines, "line {} of {}", l, f.lines);
    }
    for p in &f.procedures {
        prop_assert!(p.line <= p.end_line);
    }
    let dates = f.header.revisions.iter().filter_map(|r| r.date.as_deref());
    for d in dates.chain(f.header.date_written_iso.as_deref()) {
        prop_assert!(is_iso(d), "{}", d);
    }
    prop_assert!(f.header.date_written_iso.is_none() || f.header.date_written.is_some());
    check_counts(f)?;
    for d in &f.file_descriptions {
        prop_assert!(!d.name.is_empty());
        for r in &d.records {
            prop_assert!(f.data_items.iter().any(|i| i.level == 1 && &i.name == r));
        }
    }
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "       IDENTIFICATION DIVISION.",
    "       PROGRAM-ID. ACPROP.",
    "       DATA DIVISION.",
    "       WORKING-STORAGE SECTION.",
    "       PROCEDURE DIVISION.",
    "       01  WS-REC.",
    "           03  WS-A PIC X(10) VALUE \"AB",
    "      -    \"CD\".",
    "           88  WS-OK VALUE \"Y\".",
    "           03  FILLER OCCURS 5 TIMES.",
    "       P1.",
    "       P2 SECTION.",
    "           MOVE \"AC/ACONE\" TO FORM-NAM.",
    "           MOVE \"AC/ACTWO\" TO FORM-NAM",
    "           CALL FORM-PROGX USING FORM-PATH.",
    "           CALL \"C$TOLOWER\" USING WS-A.",
    "           GO TO P1 P2 DEPENDING ON WS-A.",
    "           GO TO P1.",
    "           PERFORM P2 THRU P1.",
    "           PERFORM P1.",
    "           PERFORM UNTIL WS-OK",
    "           END-PERFORM.",
    "           IF WS-A = \"1\"",
    "           ELSE",
    "           END-IF.",
    "           EVALUATE TRUE",
    "           WHEN WS-OK MOVE 1 TO WS-A",
    "           END-EVALUATE.",
    "           COPY \"LIBAC/ACX.CPY\".",
    "           COPY ACX OF LIBAC REPLACING ==A== BY ==B==",
    "           EXEC SQL SELECT X INTO :WS-A FROM T END-EXEC.",
    "           EXIT PROGRAM.",
    "           STOP RUN.",
    "      * DESCRIPTION: A PROP TEST",
    "      * REV:",
    "      *  AB 151120 A CHANGE",
    "      *  AB 2019.1301 A BAD DATE",
    "      *  02/30/2020 CD ANOTHER",
    "       DATE-WRITTEN. 10-14-2020.",
    "       FILE SECTION.",
    "       FD  F-FILE",
    "       SD  S-FILE.",
    "           LABEL RECORDS ARE STANDARD.",
    "       01  F-REC PIC X.",
    "       LINKAGE SECTION.",
    "           MOVE CORR A-REC TO B-REC.",
    "           EXEC CICS RETURN END-EXEC.",
    "           SORT S-FILE ON ASCENDING KEY S-KEY USING F GIVING G.",
    "           OPEN INPUT F G OUTPUT H.",
    "           CLOSE F G.",
    "           READ F AT END",
    "           NOT AT END IF A = 1 AND B = 2",
    "           END-READ.",
    "           NEXT SENTENCE",
    "           WHEN OTHER",
    "           ADD 1 TO WS-A ON SIZE ERROR MOVE 0 TO WS-A.",
    "           WRITE F-REC.",
    "           REWRITE F-REC.",
    "           PERFORM P1 THRU P2 UNTIL A OR B.",
    "      *",
    "",
    "\t\tMOVE A TO B.",
    "           READ F INTO WS-A AT END MOVE 1 TO WS-B.",
    "           SELECT F ASSIGN TO DISK \"X\".",
    "           COMPUTE WS-A = (WS-B + 1) * WS-C(2:3).",
    "       *> FREE COMMENT",
    "MOVE Ü TO Ñ.",
    ".",
    "\"",
    "(",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*") {
        let f = read("X.CBL", &text);
        check(&f)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let f = read("X.CPY", &text);
        check(&f)?;
    }

    #[test]
    fn line_soups_never_panic(
        picks in proptest::collection::vec((0..FRAGMENTS.len(), 0usize..3, any::<bool>()), 0..60)
    ) {
        let mut text = String::new();
        for (k, pad, crlf) in picks {
            text.push_str(&" ".repeat(pad));
            text.push_str(FRAGMENTS.get(k).copied().unwrap_or(""));
            text.push_str(if crlf { "\r\n" } else { "\n" });
        }
        let f = read("AC/ACPROP.CBL", &text);
        check(&f)?;
    }
}

#[test]
fn huge_line_and_deep_nesting() {
    let long = format!("       MOVE {} TO WS-A.\n", "X".repeat(200_000));
    check(&read("X.CBL", &long)).unwrap();
    let nested = format!("       P1.\n{}", "           IF A = 1\n".repeat(5_000));
    check(&read("X.CBL", &nested)).unwrap();
    let gotos = (0..2_000)
        .map(|i| {
            format!(
                "       P{i}. MOVE \"AC/ACX\" TO FORM-NAM. GO TO P{}.\n",
                (i * 7) % 2_000
            )
        })
        .collect::<String>();
    check(&read("X.CBL", &gotos)).unwrap();
}
