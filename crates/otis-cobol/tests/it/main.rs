//! Integration tests of the COBOL reader: invented fixtures written in the OTIS idioms,
//! table-driven cases per fact kind, and properties (never panics, lines in range).

mod data_facts;
mod procedure_facts;
mod props;

use otis_cobol::{
    Access, Call, CallKind, DataRef, EdgeKind, ProcKind, SourceFacts, SourceKind, read,
};

const ACMENU: &str = include_str!("../fixtures/ACMENU.CBL");
const PAYPST: &str = include_str!("../fixtures/PAYPST.CBL");
const ACCLRCL: &str = include_str!("../fixtures/ACCLRCL.CPY");
const ACMENU_EVA: &str = include_str!("../fixtures/ACMENU_EVA.CPY");
const ACREC: &str = include_str!("../fixtures/ACREC.CPY");

fn calls_of(f: &SourceFacts, kind: CallKind) -> Vec<&Call> {
    f.calls.iter().filter(|c| c.kind == kind).collect()
}

/// A dynamic call as (target, path, line, set_line, via, from).
type DynRow<'a> = (
    &'a str,
    Option<&'a str>,
    u32,
    Option<u32>,
    Option<&'a str>,
    Option<&'a str>,
);

fn dynamic_rows(f: &SourceFacts) -> Vec<DynRow<'_>> {
    calls_of(f, CallKind::Dynamic)
        .into_iter()
        .map(|c| {
            (
                c.target.as_str(),
                c.path.as_deref(),
                c.line,
                c.set_line,
                c.via.as_deref(),
                c.from.as_deref(),
            )
        })
        .collect()
}

fn has_ref(f: &SourceFacts, name: &str, verb: &str, access: Access, line: u32) -> bool {
    f.refs.iter().any(|r: &DataRef| {
        f.ref_name(r) == name && r.verb == verb && r.access == access && r.line == line
    })
}

#[test]
fn menu_program_header_and_copies() {
    let f = read("AC/ACMENU.CBL", ACMENU);
    assert_eq!(f.kind, Some(SourceKind::Program));
    assert_eq!(f.program_id.as_deref(), Some("ACMENU"));
    assert_eq!(f.header.description.as_deref(), Some("ACCOUNTS MENU"));
    assert_eq!(f.header.description_line, Some(4));
    let revs: Vec<u32> = f.header.revisions.iter().map(|r| r.line).collect();
    assert_eq!(revs, vec![7, 8]);
    let copies: Vec<(&str, Option<&str>, u32, bool)> = f
        .copies
        .iter()
        .map(|c| {
            (
                c.member.as_str(),
                c.library.as_deref(),
                c.line,
                c.in_procedure,
            )
        })
        .collect();
    assert_eq!(
        copies,
        vec![
            ("MENU1A", Some("LIBGB"), 10, false),
            ("ACMENU_WKS", Some("LIBAC"), 11, false),
            ("SCREEN", Some("LIBGB"), 60, true),
            ("ACMENU_EVA", Some("LIBAC"), 64, true),
        ]
    );
    assert_eq!(f.copies[0].path, "LIBGB/MENU1A.CPY");
}

#[test]
fn menu_program_calls_and_transfers() {
    let f = read("AC/ACMENU.CBL", ACMENU);
    let statics: Vec<(&str, u32, Option<&str>)> = calls_of(&f, CallKind::Static)
        .iter()
        .map(|c| (c.target.as_str(), c.line, c.from.as_deref()))
        .collect();
    assert_eq!(statics, vec![("ACSEC", 23, Some("DISPLAY-MENU"))]);
    let runtime: Vec<&str> = calls_of(&f, CallKind::Runtime)
        .iter()
        .map(|c| c.target.as_str())
        .collect();
    assert_eq!(runtime, vec!["C$TOLOWER"]);
    let dynamic = dynamic_rows(&f);
    assert_eq!(
        dynamic,
        vec![
            (
                "ACPOST",
                Some("AC/ACPOST"),
                51,
                Some(44),
                Some("FORM-PROGX"),
                Some("M01")
            ),
            (
                "ACLEDG",
                Some("AC/ACLEDG"),
                51,
                Some(46),
                Some("FORM-PROGX"),
                Some("M02")
            ),
        ]
    );
    // The IF-guarded move followed along its GO TO to EXIT PROGRAM; the program's own
    // name moved for tracing is neither a call nor a transfer.
    let transfers: Vec<(&str, u32, Option<&str>)> = f
        .transfers
        .iter()
        .map(|t| (t.target.as_str(), t.line, t.from.as_deref()))
        .collect();
    assert_eq!(transfers, vec![("GLMENU", 35, Some("MENU-EXIT"))]);
}

#[test]
fn menu_program_procedures_and_edges() {
    let f = read("AC/ACMENU.CBL", ACMENU);
    let procs: Vec<(&str, ProcKind, u32)> = f
        .procedures
        .iter()
        .map(|p| (p.name.as_str(), p.kind, p.line))
        .collect();
    assert_eq!(
        procs,
        vec![
            ("DISPLAY-MENU", ProcKind::Paragraph, 19),
            ("GET-SELECTION", ProcKind::Paragraph, 29),
            ("MENU-EXIT", ProcKind::Paragraph, 33),
            ("M01", ProcKind::Paragraph, 44),
            ("M02", ProcKind::Paragraph, 46),
            ("M03", ProcKind::Paragraph, 47),
            ("RUN-PROG", ProcKind::Paragraph, 49),
            ("EXIT-PROG", ProcKind::Paragraph, 55),
            ("VDU-CONVERT-FIELD", ProcKind::Section, 62),
        ]
    );
    assert_eq!(f.procedures[0].end_line, 28);
    assert_eq!(f.procedures.last().map(|p| p.end_line), Some(f.lines));
    let menu: Vec<&str> = f
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::GoTo && e.line == 40)
        .map(|e| e.target.as_str())
        .collect();
    assert_eq!(menu, vec!["M01", "M02", "M03"]);
    assert!(f.edges.iter().all(|e| e.line >= 1 && e.line <= f.lines));
    let first = &f.edges[0];
    assert_eq!(
        (first.from.as_deref(), first.target.as_str()),
        (None, "TRACE-START")
    );
    assert!(has_ref(&f, "FORM-BUF", "GO", Access::Read, 41));
    assert!(has_ref(&f, "STAT", "MOVE", Access::Write, 65));
}

#[test]
fn program_with_files_data_and_sections() {
    let f = read("AC/PAYPST.CBL", PAYPST);
    assert_eq!(
        f.header.description.as_deref(),
        Some("POST PAYMENTS TO THE LEDGER")
    );
    assert_eq!(f.header.description_line, Some(9));
    assert_eq!(f.header.identification.as_deref(), Some("AC/PAYPST.C"));
    assert_eq!(f.header.date_written.as_deref(), Some("06-16-2014"));
    let files: Vec<(&str, &str, u32)> = f
        .files
        .iter()
        .map(|d| (d.name.as_str(), d.assign.as_str(), d.line))
        .collect();
    assert_eq!(
        files,
        vec![("PAY-FILE", "PAY-PATH", 19), ("RPT-FILE", "RPTOUT", 21)]
    );

    let sections: Vec<(&str, Option<&str>)> = f
        .procedures
        .iter()
        .map(|p| (p.name.as_str(), p.section.as_deref()))
        .collect();
    assert_eq!(sections[0], ("MAIN-LINE", None));
    assert_eq!(sections[1], ("MAIN-START", Some("MAIN-LINE")));
    assert_eq!(sections.last(), Some(&("END-IT", Some("MAIN-LINE"))));

    let edges: Vec<(&str, Option<&str>, EdgeKind, Option<&str>)> = f
        .edges
        .iter()
        .map(|e| {
            (
                e.target.as_str(),
                e.thru.as_deref(),
                e.kind,
                e.from.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            (
                "READ-PAY",
                Some("READ-PAY-EXIT"),
                EdgeKind::Perform,
                Some("MAIN-START")
            ),
            ("CLEAR-IT", None, EdgeKind::Perform, Some("MAIN-START")),
            ("SET-NAME", None, EdgeKind::Perform, Some("MAIN-START")),
            ("RUN-IT", None, EdgeKind::Perform, Some("MAIN-START")),
            ("END-IT", None, EdgeKind::GoTo, Some("MAIN-START")),
        ]
    );
}

#[test]
fn dynamic_calls_through_performs() {
    let f = read("AC/PAYPST.CBL", PAYPST);
    let dynamic = dynamic_rows(&f);
    assert_eq!(
        dynamic,
        vec![
            // A move in a performed paragraph reaches the call after the PERFORM.
            (
                "ACEDIT",
                Some("AC/ACEDIT"),
                54,
                Some(77),
                Some("WS-PROG-NAME"),
                Some("SET-NAME")
            ),
            // A move followed by a PERFORM of the paragraph that calls.
            (
                "ACPRNT",
                Some("AC/ACPRNT"),
                79,
                Some(55),
                Some("FORM-PROGX"),
                Some("MAIN-START")
            ),
        ]
    );
    assert!(f.transfers.is_empty());
}

#[test]
fn data_items_of_a_program() {
    let f = read("AC/PAYPST.CBL", PAYPST);
    let item = |n: &str| f.data_items.iter().find(|d| d.name == n).cloned();
    let amt = item("PAY-AMT").unwrap();
    assert_eq!(
        (
            amt.pic.as_deref(),
            amt.usage.as_deref(),
            amt.parent.as_deref()
        ),
        (Some("S9(7)V99"), Some("COMP-3"), Some("PAY-REC"))
    );
    let eof = item("AT-EOF").unwrap();
    assert_eq!(
        (eof.level, eof.parent.as_deref(), eof.value.as_deref()),
        (88, Some("WS-EOF"), Some("\"Y\""))
    );
    assert_eq!(item("WS-EOF").unwrap().value.as_deref(), Some("\"N\""));
    // A named item under a FILLER group belongs to the nearest named group.
    assert_eq!(
        item("WS-INNER").unwrap().parent.as_deref(),
        Some("WS-FLAGS")
    );
    let total = item("WS-TOTAL").unwrap();
    assert_eq!(
        (total.usage.as_deref(), total.value.as_deref()),
        (Some("COMP-3"), Some("ZEROES"))
    );
    assert_eq!(item("WS-TABLE").unwrap().occurs.as_deref(), Some("10"));
    assert_eq!(
        item("WS-ENTRY").unwrap().parent.as_deref(),
        Some("WS-TABLE")
    );
    let alt = item("WS-ALT").unwrap();
    assert_eq!(
        (
            alt.redefines.as_deref(),
            alt.pic.as_deref(),
            alt.parent.as_deref()
        ),
        (Some("WS-TABLE"), Some("X(400)"), Some("WS-FLAGS"))
    );
    assert_eq!(item("WS-COUNT").unwrap().usage.as_deref(), Some("COMP"));
    let sub = item("WS-SUB").unwrap();
    assert_eq!((sub.level, sub.parent.as_deref()), (77, None));
    assert_eq!(item("WS-MAX").unwrap().value.as_deref(), Some("10"));
    assert!(f.data_items.iter().all(|d| d.name != "FILLER"));
}

#[test]
fn references_with_access() {
    let f = read("AC/PAYPST.CBL", PAYPST);
    let cases = [
        ("PAY-FILE", "OPEN", Access::Read, 46),
        ("AT-EOF", "PERFORM", Access::Read, 48),
        ("WS-SUB", "PERFORM", Access::Write, 49),
        ("WS-MAX", "PERFORM", Access::Read, 49),
        ("WS-ENTRY", "MOVE", Access::Write, 50),
        ("WS-SUB", "MOVE", Access::Read, 50),
        ("WS-PROG-NAME", "CALL", Access::Read, 54),
        ("PAY-REC", "CALL", Access::Read, 54),
        ("PAY-FILE", "READ", Access::Read, 59),
        ("WS-INNER", "READ", Access::Write, 59),
        ("WS-EOF", "MOVE", Access::Write, 60),
        ("PAY-AMT", "ADD", Access::Read, 61),
        ("WS-TOTAL", "ADD", Access::Write, 61),
        ("WS-COUNT", "ADD", Access::Read, 62),
        ("WS-SUB", "ADD", Access::Write, 62),
        ("WS-TOTAL", "COMPUTE", Access::Write, 63),
        ("WS-TOTAL", "COMPUTE", Access::Read, 63),
        ("PAY-ACCT", "STRING", Access::Read, 64),
        ("WS-INNER", "STRING", Access::Write, 64),
        ("WS-INNER", "INSPECT", Access::Write, 65),
        ("WS-ENTRY", "INSPECT", Access::Read, 66),
        ("WS-COUNT", "INSPECT", Access::Write, 66),
        ("AT-EOF", "SET", Access::Write, 67),
        ("WS-TABLE", "INITIALIZE", Access::Write, 68),
        ("WS-COUNT", "SUBTRACT", Access::Write, 69),
        ("PAY-ACCT", "IF", Access::Read, 70),
        ("PAY-REC", "IF", Access::Read, 70),
        ("WS-INNER", "ACCEPT", Access::Write, 75),
        ("WS-PROG-NAME", "MOVE", Access::Write, 77),
    ];
    for (name, verb, access, line) in cases {
        assert!(
            has_ref(&f, name, verb, access, line),
            "{name} {verb} {access:?} {line}: {:?}",
            f.refs.iter().filter(|r| r.line == line).collect::<Vec<_>>()
        );
    }
    // Procedure names, literals, reserved words and figurative constants are not refs.
    for not in [
        "READ-PAY", "END-IT", "SPACES", "ZERO", "TRUE", "DATE", "ALL", "SIZE",
    ] {
        assert!(f.refs.iter().all(|r| f.ref_name(r) != not), "{not}");
    }
}

#[test]
fn procedure_copybook_starting_with_a_section() {
    let f = read("LIBAC/ACCLRCL.CPY", ACCLRCL);
    assert_eq!(f.kind, Some(SourceKind::Copybook));
    assert_eq!(f.program_id, None);
    assert_eq!(
        f.header.description.as_deref(),
        Some("ACCOUNT FILE CLEAR ROUTINE")
    );
    let procs: Vec<(&str, ProcKind, u32, u32, Option<&str>)> = f
        .procedures
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.kind,
                p.line,
                p.end_line,
                p.section.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        procs,
        vec![
            ("CLEAR-AC-FILE", ProcKind::Section, 5, 11, None),
            (
                "CLEAR-AC-EXIT",
                ProcKind::Paragraph,
                12,
                13,
                Some("CLEAR-AC-FILE")
            ),
        ]
    );
    assert_eq!(f.copies.len(), 1);
    assert!(f.copies[0].in_procedure);
    for (name, line) in [
        ("AC-REC", 7),
        ("AC-BRANCH", 8),
        ("AC-ACCT", 8),
        ("AC-BAL", 9),
    ] {
        assert!(has_ref(&f, name, "MOVE", Access::Write, line), "{name}");
    }
    assert!(f.data_items.is_empty());
}

#[test]
fn evaluate_copybook_holds_when_clauses() {
    let f = read("LIBAC/ACMENU_EVA.CPY", ACMENU_EVA);
    assert!(f.procedures.is_empty());
    assert!(has_ref(&f, "VDU-FORM-NAME", "EVALUATE", Access::Read, 4));
    assert!(has_ref(&f, "ACMENU-SEL-88", "EVALUATE", Access::Read, 4));
    assert!(has_ref(&f, "ACMENU-SEL-POS", "MOVE", Access::Read, 5));
    assert!(has_ref(&f, "VDU-POSX", "MOVE", Access::Write, 5));
    assert!(has_ref(&f, "STAT", "MOVE", Access::Write, 6));
    // The generator's banner ("DO NOT MODIFY THIS COPY MEMBER DIRECTLY.") is no
    // description.
    assert_eq!(f.header.description, None);
}

#[test]
fn record_copybook() {
    let f = read("LIBAC/ACREC.CPY", ACREC);
    assert_eq!(
        f.header.description.as_deref(),
        Some("ACCOUNT MASTER RECORD")
    );
    let items: Vec<(u8, &str, Option<&str>)> = f
        .data_items
        .iter()
        .map(|d| (d.level, d.name.as_str(), d.parent.as_deref()))
        .collect();
    assert_eq!(
        items,
        vec![
            (78, "AC-SIZE", None),
            (1, "AC-REC", None),
            (3, "AC1-KEY", Some("AC-REC")),
            (5, "AC-BRANCH", Some("AC1-KEY")),
            (5, "AC-ACCT", Some("AC1-KEY")),
            (3, "AC-BAL", Some("AC-REC")),
            (3, "AC-STATUS", Some("AC-REC")),
            (88, "AC-OPEN", Some("AC-STATUS")),
        ]
    );
    let acct = &f.data_items[4];
    assert_eq!(acct.occurs.as_deref(), Some("1 TO 5"));
    let bal = &f.data_items[5];
    assert_eq!(
        (bal.pic.as_deref(), bal.usage.as_deref()),
        (Some("S9(9)V99"), Some("COMP-3"))
    );
    assert_eq!(f.data_items[7].value.as_deref(), Some("\"O\" \"A\""));
    assert_eq!(f.copies.len(), 1);
    assert!(!f.copies[0].in_procedure);
    assert!(f.refs.is_empty() && f.procedures.is_empty());
}

#[test]
fn copy_forms() {
    let cases: [(&str, &str, Option<&str>, &str); 6] = [
        (
            "       COPY \"LIBGB/SCREEN.CPY\".",
            "SCREEN",
            Some("LIBGB"),
            "LIBGB/SCREEN.CPY",
        ),
        ("       COPY 'ACWORK.CPY'.", "ACWORK", None, "ACWORK.CPY"),
        ("       COPY ACWORK.", "ACWORK", None, "ACWORK"),
        (
            "       COPY ACWORK OF LIBAC.",
            "ACWORK",
            Some("LIBAC"),
            "ACWORK",
        ),
        (
            "       COPY ACWORK IN LIBAC",
            "ACWORK",
            Some("LIBAC"),
            "ACWORK",
        ),
        (
            "       COPY \"LIBAC/ACTMPL.CPY\" REPLACING ==:X:== BY ==AC==.",
            "ACTMPL",
            Some("LIBAC"),
            "LIBAC/ACTMPL.CPY",
        ),
    ];
    for (text, member, library, path) in cases {
        let f = read("X.CPY", text);
        assert_eq!(f.copies.len(), 1, "{text}");
        let c = &f.copies[0];
        assert_eq!(
            (
                c.member.as_str(),
                c.library.as_deref(),
                c.path.as_str(),
                c.line
            ),
            (member, library, path, 1),
            "{text}"
        );
    }
}

#[test]
fn transfers_and_calls_table() {
    struct Case {
        name: &'static str,
        body: &'static str,
        dynamic: &'static [(&'static str, u32)],
        transfers: &'static [&'static str],
    }
    let cases = [
        Case {
            name: "move then exit program is a transfer",
            body: "       P1.\n           MOVE \"AC/ACMENU\" TO FORM-NAM.\n           MOVE FORM-PATH TO FORM-PATHNAME.\n           EXIT PROGRAM.\n",
            dynamic: &[],
            transfers: &["ACMENU"],
        },
        Case {
            name: "a later move of another literal stops the walk",
            body: "       P1.\n           MOVE \"AC/ACONE\" TO FORM-NAM.\n           MOVE \"AC/ACTWO\" TO FORM-NAM.\n           CALL FORM-PROGX USING FORM-PATH.\n",
            dynamic: &[("ACTWO", 3)],
            transfers: &["ACONE"],
        },
        Case {
            name: "a conditional goto is one branch of two",
            body: "       P1.\n           MOVE \"AC/ACONE\" TO FORM-NAM.\n           IF WS-X = 1\n              GO TO P9.\n           CALL FORM-PROGX.\n       P9.\n           GOBACK.\n",
            dynamic: &[("ACONE", 2)],
            transfers: &[],
        },
        Case {
            name: "a bare literal counts only for a called variable",
            body: "       P1.\n           MOVE \"ACSUB\" TO WS-PGM.\n           MOVE \"LONPM\" TO VDU-FORM-NAME.\n           CALL WS-PGM.\n",
            dynamic: &[("ACSUB", 2)],
            transfers: &[],
        },
        Case {
            name: "data literals are not programs",
            body: "       P1.\n           MOVE \"GL/GLFILE\" TO UP-FILE-INPUT.\n           MOVE \"00\" TO FORM-NAM.\n           EXIT PROGRAM.\n",
            dynamic: &[],
            transfers: &[],
        },
        Case {
            name: "a call variable no literal reaches records nothing",
            body: "       P1.\n           CALL WS-PGM.\n",
            dynamic: &[],
            transfers: &[],
        },
    ];
    for c in cases {
        let text = format!(
            "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. ACTEST.\n       PROCEDURE DIVISION.\n{}",
            c.body
        );
        let f = read("AC/ACTEST.CBL", &text);
        let dynamic: Vec<(&str, u32)> = calls_of(&f, CallKind::Dynamic)
            .iter()
            .map(|k| (k.target.as_str(), k.set_line.unwrap_or(0) - 3))
            .collect();
        assert_eq!(dynamic, c.dynamic, "{}", c.name);
        let transfers: Vec<&str> = f.transfers.iter().map(|t| t.target.as_str()).collect();
        assert_eq!(transfers, c.transfers, "{}", c.name);
    }
}

#[test]
fn free_format_and_odd_inputs() {
    let free = "IDENTIFICATION DIVISION.\nPROGRAM-ID. ACFREE.\n*> A NOTE\nPROCEDURE DIVISION.\nMAIN-PARA.\n    PERFORM SUB-PARA.\n    STOP RUN.\nSUB-PARA.\n    MOVE 1 TO WS-A.\n";
    let f = read("AC/ACFREE.CBL", free);
    assert_eq!(f.program_id.as_deref(), Some("ACFREE"));
    let procs: Vec<&str> = f.procedures.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(procs, vec!["MAIN-PARA", "SUB-PARA"]);
    assert!(has_ref(&f, "WS-A", "MOVE", Access::Write, 9));

    let crlf = "       IDENTIFICATION DIVISION.\r\n       PROGRAM-ID. ACCRLF.\r\n       PROCEDURE DIVISION.\r\n       P1.\r\n\t    MOVE 1 TO WS-A.\r\n";
    let f = read("AC/ACCRLF.CBL", crlf);
    assert_eq!(f.program_id.as_deref(), Some("ACCRLF"));
    assert_eq!(f.lines, 5);
    assert_eq!(f.procedures.len(), 1);

    assert_eq!(read("X.CPY", ""), SourceFacts::default());
    let f = read("X.CPY", "      * ÜBER ÇA\n       01  WS-Ñ PIC X.\n");
    assert_eq!(f.lines, 2);
}

/// Data names that begin like a scope terminator (`END-SUB`, `END-ACCT`) are data names:
/// only the reserved `END-xxx` words end a statement.
#[test]
fn names_starting_with_end_are_references() {
    let src = "       IDENTIFICATION DIVISION.
       PROGRAM-ID.    ENDNAM.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       01  END-SUB            PIC 99.
       01  OUT-SUB            PIC 99.
       PROCEDURE DIVISION.
       MAIN-LOGIC.
           SUBTRACT 1 FROM OUT-SUB END-SUB.
           IF END-SUB NOT < OUT-SUB
              MOVE 0 TO END-SUB
           END-IF.
           STOP RUN.
";
    let f = read("AC/ENDNAM.CBL", src);
    assert!(
        has_ref(&f, "OUT-SUB", "SUBTRACT", Access::Write, 9),
        "{:?}",
        f.refs
    );
    assert!(
        has_ref(&f, "END-SUB", "SUBTRACT", Access::Write, 9),
        "{:?}",
        f.refs
    );
    assert!(
        has_ref(&f, "END-SUB", "IF", Access::Read, 10),
        "{:?}",
        f.refs
    );
    assert!(
        has_ref(&f, "END-SUB", "MOVE", Access::Write, 11),
        "{:?}",
        f.refs
    );
    assert!(!f.refs.iter().any(|r| f.ref_name(r) == "END-IF"));
}
