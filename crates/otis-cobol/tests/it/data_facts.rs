//! File descriptions (FD / SD with their records) and DATA DIVISION section headers:
//! table-driven cases in the OTIS idioms (programs and FD copybooks).

use otis_cobol::{DataSectionKind, FdKind, read};

/// A file description as (name, kind, line, records).
type FdRow<'a> = (&'a str, FdKind, u32, &'a [&'a str]);

fn fds(path: &str, text: &str) -> Vec<(String, FdKind, u32, Vec<String>)> {
    read(path, text)
        .file_descriptions
        .into_iter()
        .map(|d| (d.name, d.kind, d.line, d.records))
        .collect()
}

fn owned(rows: &[FdRow<'_>]) -> Vec<(String, FdKind, u32, Vec<String>)> {
    rows.iter()
        .map(|(n, k, l, r)| {
            (
                n.to_string(),
                *k,
                *l,
                r.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn table_of_file_descriptions() {
    struct Case {
        name: &'static str,
        path: &'static str,
        text: &'static str,
        want: &'static [FdRow<'static>],
    }
    let cases = [
        Case {
            name: "an FD copybook: the FD and its record together",
            path: "LIBAC/ACFDPAY.CPY",
            text: "      * COPYMEMBER: LIBAC/ACFDPAY
       FD  PAY-FILE
           LABEL RECORDS ARE STANDARD.
       01  PAY-REC.
           03  PAY-ACCT          PIC 9(6).
           03  PAY-AMT           PIC S9(7)V99 COMP-3.
       01  PAY-TRAILER           PIC X(20).
",
            want: &[("PAY-FILE", FdKind::Fd, 2, &["PAY-REC", "PAY-TRAILER"])],
        },
        Case {
            name: "FDs whose records are copied in, and a done file",
            path: "LIBAC/ACFDALL.CPY",
            text: "       FD  ACX-FILE
           LABEL RECORDS ARE STANDARD.
       COPY \"LIBAC/AC01X.CPY\".

       FD  ACX-DONE-FILE
           LABEL RECORDS ARE STANDARD.
       01  ACX-DONE-REC   PIC X.
",
            want: &[
                ("ACX-FILE", FdKind::Fd, 1, &[]),
                ("ACX-DONE-FILE", FdKind::Fd, 5, &["ACX-DONE-REC"]),
            ],
        },
        Case {
            name: "a program: FD and SD in the FILE SECTION, records stop at WORKING-STORAGE",
            path: "AC/ACSORT.CBL",
            text: "       IDENTIFICATION DIVISION.
       PROGRAM-ID. ACSORT.
       DATA DIVISION.
       FILE SECTION.
       FD  IN-FILE.
       01  IN-REC            PIC X(80).
       SD  SORT-FILE.
       01  SORT-REC.
           03  SORT-KEY      PIC 9(6).
       WORKING-STORAGE SECTION.
       01  WS-EOF            PIC X.
       PROCEDURE DIVISION.
       P1.
           STOP RUN.
",
            want: &[
                ("IN-FILE", FdKind::Fd, 5, &["IN-REC"]),
                ("SORT-FILE", FdKind::Sd, 7, &["SORT-REC"]),
            ],
        },
        Case {
            name: "a COPY after an FD's record is another copybook: the 01s after it are not the FD's",
            path: "AC/ACWORK.CBL",
            text: "       IDENTIFICATION DIVISION.
       PROGRAM-ID. ACWORK.
       DATA DIVISION.
       FILE SECTION.
       FD  WK-FILE
           LABEL RECORDS ARE STANDARD.
       01  WK-REC            PIC X(30).
       COPY \"LIBAC/ACFDSRT.CPY\".
       01  SRT-REC           PIC X(30).
       FD  LN-FILE
           LABEL RECORDS ARE STANDARD.
       COPY \"LIBAC/AC01LN.CPY\".
       01  LN-ALT-REC        PIC X(30).
       WORKING-STORAGE SECTION.
",
            want: &[
                ("WK-FILE", FdKind::Fd, 5, &["WK-REC"]),
                ("LN-FILE", FdKind::Fd, 10, &["LN-ALT-REC"]),
            ],
        },
        Case {
            name: "an FD whose period is missing before its record",
            path: "LIBAC/ACFDODD.CPY",
            text: "       FD  ODD-FILE
           LABEL RECORDS ARE STANDARD
       01  ODD-REC.
           03  ODD-KEY       PIC X(4).
",
            want: &[("ODD-FILE", FdKind::Fd, 1, &["ODD-REC"])],
        },
        Case {
            name: "FD in a comment or in a literal is not an FD",
            path: "LIBAC/ACNOTE.CPY",
            text: "      * FD  OLD-FILE WAS HERE
       01  WS-NOTE PIC X(10) VALUE \"FD  X-FILE\".
",
            want: &[],
        },
    ];
    for c in cases {
        assert_eq!(fds(c.path, c.text), owned(c.want), "{}", c.name);
    }
}

#[test]
fn data_items_under_an_fd_are_still_data_items() {
    let f = read(
        "LIBAC/ACFDPAY.CPY",
        "       FD  PAY-FILE
           LABEL RECORDS ARE STANDARD.
       01  PAY-REC.
           03  PAY-ACCT          PIC 9(6).
               88  PAY-NONE      VALUE ZERO.
",
    );
    let items: Vec<(u8, &str, Option<&str>, u32)> = f
        .data_items
        .iter()
        .map(|d| (d.level, d.name.as_str(), d.parent.as_deref(), d.line))
        .collect();
    assert_eq!(
        items,
        vec![
            (1, "PAY-REC", None, 3),
            (3, "PAY-ACCT", Some("PAY-REC"), 4),
            (88, "PAY-NONE", Some("PAY-ACCT"), 5),
        ]
    );
    assert!(f.refs.is_empty());
}

#[test]
fn items_of_a_filler_that_redefines_belong_to_what_it_redefines() {
    let f = read(
        "LIBAC/ACWSPATH.CPY",
        "       01  AC-PATH                PIC X(22).
       01  FILLER                 REDEFINES AC-PATH.
           03  AC-PATH-DIR        PIC X(02).
               88  AC-PATH-HOME   VALUE \"HM\".
           03  FILLER             PIC X(01).
           03  AC-PATH-NAME       PIC X(19).
       01  AC-REST.
           05  AC-FLAG            PIC X.
           05  FILLER             REDEFINES AC-FLAG.
               10  AC-FLAG-N      PIC 9.
",
    );
    let items: Vec<(&str, Option<&str>)> = f
        .data_items
        .iter()
        .map(|d| (d.name.as_str(), d.parent.as_deref()))
        .collect();
    assert_eq!(
        items,
        vec![
            ("AC-PATH", None),
            ("AC-PATH-DIR", Some("AC-PATH")),
            ("AC-PATH-HOME", Some("AC-PATH-DIR")),
            ("AC-PATH-NAME", Some("AC-PATH")),
            ("AC-REST", None),
            ("AC-FLAG", Some("AC-REST")),
            ("AC-FLAG-N", Some("AC-FLAG")),
        ]
    );
}

/// (path, text, the sections expected with their lines).
type SectionCase<'a> = (&'a str, &'a str, &'a [(DataSectionKind, u32)]);

#[test]
fn table_of_data_sections() {
    use DataSectionKind::*;
    let cases: &[SectionCase<'_>] = &[
        (
            "AC/ACALL.CBL",
            "       IDENTIFICATION DIVISION.
       PROGRAM-ID. ACALL.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       DATA DIVISION.
       FILE SECTION.
       WORKING-STORAGE SECTION.
       LOCAL-STORAGE SECTION.
       LINKAGE SECTION.
       SCREEN SECTION.
       REPORT SECTION.
       COMMUNICATION SECTION.
       PROCEDURE DIVISION.
       MAIN-LOGIC SECTION.
           STOP RUN.
",
            &[
                (File, 6),
                (WorkingStorage, 7),
                (LocalStorage, 8),
                (Linkage, 9),
                (Screen, 10),
                (Report, 11),
                (Communication, 12),
            ],
        ),
        (
            "LIBAC/ACWKS.CPY",
            "      * WORKING STORAGE FOR AC
       WORKING-STORAGE SECTION.
       01  WS-A PIC X.
",
            &[(WorkingStorage, 2)],
        ),
        (
            "LIBAC/ACPROC.CPY",
            "       FILE-SECTION SECTION.
           MOVE 1 TO WS-A.
",
            &[],
        ),
    ];
    for (path, text, want) in cases {
        let got: Vec<(DataSectionKind, u32)> = read(path, text)
            .data_sections
            .iter()
            .map(|s| (s.kind, s.line))
            .collect();
        assert_eq!(&got, want, "{path}");
    }
    assert_eq!(WorkingStorage.as_str(), "WORKING-STORAGE SECTION");
    assert_eq!(DataSectionKind::ALL.len(), 7);
}

#[test]
fn fixture_program_fd_and_sections() {
    let f = read("AC/PAYPST.CBL", include_str!("../fixtures/PAYPST.CBL"));
    let rows: Vec<(&str, FdKind, u32, Vec<&str>)> = f
        .file_descriptions
        .iter()
        .map(|d| {
            (
                d.name.as_str(),
                d.kind,
                d.line,
                d.records.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(rows, vec![("PAY-FILE", FdKind::Fd, 24, vec!["PAY-REC"])]);
    let sections: Vec<(DataSectionKind, u32)> =
        f.data_sections.iter().map(|s| (s.kind, s.line)).collect();
    assert_eq!(
        sections,
        vec![
            (DataSectionKind::File, 23),
            (DataSectionKind::WorkingStorage, 28)
        ]
    );
}
