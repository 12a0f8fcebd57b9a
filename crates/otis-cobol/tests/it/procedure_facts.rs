//! Statements by kind, complexity (decision points, IF nesting) and file operations:
//! table-driven cases of invented procedure code in the OTIS idioms.

use otis_cobol::{FileOpKind, OpenMode, SourceFacts, StatementKind, read};

/// A program whose procedure division holds `body`; the body's first line is line 5.
fn program(body: &str) -> SourceFacts {
    let text = format!(
        "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. ACTEST.\n       PROCEDURE DIVISION.\n       MAIN-LOGIC.\n{body}"
    );
    read("AC/ACTEST.CBL", &text)
}

fn uses(f: &SourceFacts) -> Vec<(StatementKind, u32, u32)> {
    f.statements
        .iter()
        .map(|u| (u.kind, u.count, u.first_line))
        .collect()
}

#[test]
fn table_of_statement_kinds() {
    use StatementKind::*;
    struct Case {
        name: &'static str,
        body: &'static str,
        want: &'static [(StatementKind, u32, u32)],
    }
    let cases = [
        Case {
            name: "a menu jump counts as GO TO and GO TO DEPENDING",
            body: "           GO TO M01 M02 M03 DEPENDING ON WS-SEL.\n           GO TO MAIN-LOGIC.\n",
            want: &[(GoTo, 2, 5), (GoToDepending, 1, 5)],
        },
        Case {
            name: "EXEC by language",
            body: "           EXEC SQL SELECT A INTO :WS-A FROM T END-EXEC.\n           EXEC CICS RETURN END-EXEC.\n           EXEC HTML X END-EXEC.\n           EXEC SQL COMMIT END-EXEC.\n",
            want: &[(ExecOther, 1, 7), (ExecCics, 1, 6), (ExecSql, 2, 5)],
        },
        Case {
            name: "MOVE and MOVE CORRESPONDING",
            body: "           MOVE LN-REC TO WS-REC.\n           MOVE CORR LN-REC TO WS-REC.\n           MOVE CORRESPONDING A-REC TO B-REC.\n",
            want: &[(Move, 3, 5), (MoveCorresponding, 2, 6)],
        },
        Case {
            name: "CALL of a literal and of an identifier",
            body: "           CALL \"ACSEC\" USING WS-A.\n           CALL FORM-PROGX USING FORM-PATH.\n           CANCEL FORM-PROGX.\n",
            want: &[(Call, 2, 5), (CallVariable, 1, 6), (Cancel, 1, 7)],
        },
        Case {
            name: "PERFORM forms",
            body: "           PERFORM P1.\n           PERFORM P1 THRU P1-EXIT.\n           PERFORM P1 UNTIL WS-EOF = \"Y\".\n           PERFORM P1 3 TIMES.\n           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 5\n              MOVE 0 TO WS-T (WS-I)\n           END-PERFORM.\n           PERFORM\n              CONTINUE\n           END-PERFORM.\n",
            want: &[
                (Continue, 1, 13),
                (Move, 1, 10),
                (Perform, 6, 5),
                (PerformThru, 1, 6),
                (PerformUntil, 3, 7),
            ],
        },
        Case {
            name: "ends of programs",
            body: "           IF WS-A = 1\n              NEXT SENTENCE\n           ELSE\n              EXIT PROGRAM.\n           STOP RUN.\n           GOBACK.\n       P9.\n           EXIT.\n",
            want: &[
                (Exit, 2, 8),
                (ExitProgram, 1, 8),
                (Goback, 1, 10),
                (If, 1, 5),
                (NextSentence, 1, 6),
                (Stop, 1, 9),
                (StopRun, 1, 9),
            ],
        },
        Case {
            name: "comments and literals hold no statements",
            body: "      *    MOVE A TO B.\n           DISPLAY \"MOVE A TO B IF C\" LINE 3.\n      *>   IF X\n",
            want: &[(Display, 1, 6)],
        },
    ];
    for c in cases {
        assert_eq!(uses(&program(c.body)), c.want, "{}", c.name);
    }
}

#[test]
fn statements_of_copybooks() {
    let proc = read(
        "LIBAC/ACCLR.CPY",
        "       CLEAR-AC SECTION.\n           INITIALIZE AC-REC.\n           IF AC-BAL = 0\n              WRITE AC-REC.\n",
    );
    assert_eq!(
        uses(&proc),
        vec![
            (StatementKind::If, 1, 3),
            (StatementKind::Initialize, 1, 2),
            (StatementKind::Write, 1, 4)
        ]
    );
    assert_eq!(
        (proc.complexity.decisions, proc.complexity.max_if_depth),
        (1, 1)
    );
    let data = read(
        "LIBAC/ACREC.CPY",
        "       01  AC-REC.\n           03  AC-BAL PIC 9(5).\n           03  AC-FLAG PIC X.\n",
    );
    assert!(data.statements.is_empty() && data.file_ops.is_empty());
    assert_eq!(data.complexity, Default::default());
}

#[test]
fn table_of_complexity() {
    // (name, body, decisions, max_if_depth)
    let cases: &[(&str, &str, u32, u32)] = &[
        ("no decisions", "           MOVE 1 TO WS-A.\n", 0, 0),
        (
            "one IF",
            "           IF WS-A = 1\n              MOVE 2 TO WS-A.\n",
            1,
            1,
        ),
        (
            "AND and OR in a condition",
            "           IF WS-A = 1 AND WS-B = 2 OR WS-C = 3\n              MOVE 2 TO WS-A\n           END-IF.\n",
            3,
            1,
        ),
        (
            "nested IFs with END-IF, one in the ELSE part",
            "           IF WS-A = 1\n              IF WS-B = 1\n                 MOVE 1 TO WS-C\n              END-IF\n           ELSE\n              IF WS-B = 2\n                 MOVE 2 TO WS-C\n              END-IF\n           END-IF.\n",
            3,
            2,
        ),
        (
            "an ELSE IF chain nests",
            "           IF WS-A = 1\n              MOVE 1 TO WS-C\n           ELSE\n              IF WS-A = 2\n                 MOVE 2 TO WS-C\n              ELSE\n                 IF WS-A = 3\n                    MOVE 3 TO WS-C.\n",
            3,
            3,
        ),
        (
            "IFs in sequence do not nest",
            "           IF WS-A = 1\n              MOVE 1 TO WS-C\n           END-IF\n           IF WS-A = 2\n              MOVE 2 TO WS-C\n           END-IF.\n",
            2,
            1,
        ),
        (
            "the period closes every IF",
            "           IF WS-A = 1\n              IF WS-B = 1\n                 MOVE 1 TO WS-C.\n           IF WS-A = 2\n              MOVE 2 TO WS-C.\n",
            3,
            2,
        ),
        (
            "an ELSE pairs with the inner IF, then the outer",
            "           IF WS-A = 1\n              IF WS-B = 1\n                 MOVE 1 TO WS-C\n              ELSE\n                 MOVE 2 TO WS-C\n           ELSE\n              IF WS-B = 2\n                 MOVE 3 TO WS-C.\n",
            3,
            2,
        ),
        (
            "WHENs decide, WHEN OTHER does not",
            "           EVALUATE WS-SEL\n              WHEN 1 MOVE 1 TO WS-C\n              WHEN 2\n              WHEN 3 MOVE 2 TO WS-C\n              WHEN OTHER MOVE 0 TO WS-C\n           END-EVALUATE.\n",
            3,
            0,
        ),
        (
            "a WHEN ends the IF of the WHEN before",
            "           EVALUATE TRUE\n              WHEN WS-A = 1\n                 IF WS-B = 1 MOVE 1 TO WS-C\n              WHEN WS-A = 2 AND WS-B = 2\n                 IF WS-B = 2 MOVE 2 TO WS-C\n           END-EVALUATE.\n",
            5,
            1,
        ),
        (
            "an IF in an EVALUATE in an IF is nested",
            "           IF WS-A = 1\n              EVALUATE WS-B\n                 WHEN 1\n                    IF WS-C = 1\n                       MOVE 1 TO WS-D\n                    END-IF\n              END-EVALUATE\n           END-IF.\n",
            3,
            2,
        ),
        (
            "PERFORM UNTIL, VARYING ... AFTER, TIMES",
            "           PERFORM P1 UNTIL WS-EOF = \"Y\" OR WS-ERR = \"Y\".\n           PERFORM P2 VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 9\n              AFTER WS-J FROM 1 BY 1 UNTIL WS-J > 9.\n           PERFORM P3 3 TIMES.\n",
            4,
            0,
        ),
        (
            "conditional phrases and their NOT forms",
            "           READ LN-FILE NEXT RECORD\n              AT END MOVE \"Y\" TO WS-EOF\n              NOT AT END ADD 1 TO WS-CNT\n           END-READ.\n           READ LN-FILE KEY IS LN-KEY\n              INVALID KEY MOVE 1 TO WS-ERR\n              NOT INVALID KEY MOVE 0 TO WS-ERR\n           END-READ.\n           ADD WS-A TO WS-B ON SIZE ERROR MOVE 0 TO WS-B\n              NOT ON SIZE ERROR CONTINUE\n           END-ADD.\n           CALL \"ACSUB\" ON EXCEPTION MOVE 1 TO WS-ERR\n              NOT ON EXCEPTION MOVE 0 TO WS-ERR\n           END-CALL.\n           STRING WS-A DELIMITED BY SIZE INTO WS-B\n              ON OVERFLOW MOVE 1 TO WS-ERR\n           END-STRING.\n           WRITE RPT-REC AFTER ADVANCING 1 LINE\n              AT END-OF-PAGE PERFORM NEW-PAGE\n           END-WRITE.\n",
            10,
            0,
        ),
        (
            "extra targets of a GO TO DEPENDING",
            "           GO TO M01 M02 M03 DEPENDING ON WS-SEL.\n",
            2,
            0,
        ),
        (
            "a SEARCH: AT END and each WHEN",
            "           SEARCH WS-TAB\n              AT END MOVE 0 TO WS-IDX\n              WHEN WS-KEY (WS-X) = WS-A\n                 MOVE 1 TO WS-IDX\n              WHEN WS-KEY (WS-X) = WS-B\n                 MOVE 2 TO WS-IDX\n           END-SEARCH.\n",
            3,
            0,
        ),
        (
            "OR outside a condition and AND in SQL are not decisions",
            "           UNSTRING WS-A DELIMITED BY \",\" OR SPACE INTO WS-B WS-C.\n           EXEC SQL SELECT A INTO :WS-A FROM T WHERE B = 1 AND C = 2 END-EXEC.\n",
            0,
            0,
        ),
        (
            "a NOT AT END ends the IF its AT END opened",
            "           READ LN-FILE NEXT RECORD\n              AT END IF WS-A = 1 MOVE 1 TO WS-B\n              NOT AT END IF WS-A = 2 MOVE 2 TO WS-B END-IF\n           END-READ.\n",
            4,
            1,
        ),
        (
            "an ELSE ends the phrase inside its IF",
            "           IF WS-A = 1\n              READ LN-FILE INVALID KEY\n                 IF WS-B = 1 MOVE 1 TO WS-C END-IF\n           ELSE\n              MOVE 2 TO WS-C\n           END-IF.\n",
            3,
            2,
        ),
        (
            "a paragraph header closes what a missing period left open",
            "           IF WS-A = 1\n              MOVE 1 TO WS-B\n       P2.\n           IF WS-A = 2\n              MOVE 2 TO WS-B.\n",
            2,
            1,
        ),
    ];
    for (name, body, decisions, depth) in cases {
        let c = program(body).complexity;
        assert_eq!(
            (c.decisions, c.max_if_depth),
            (*decisions, *depth),
            "{name}"
        );
    }
}

#[test]
fn use_declaratives_decide_nothing() {
    let f = program(
        "       DECLARATIVES.\n       ERR-SECT SECTION.\n           USE AFTER STANDARD EXCEPTION PROCEDURE ON LN-FILE.\n       END DECLARATIVES.\n",
    );
    assert_eq!(f.complexity.decisions, 0);
    assert!(f.statements.iter().any(|u| u.kind == StatementKind::Use));
}

#[test]
fn table_of_file_ops() {
    use FileOpKind::*;
    use OpenMode::*;
    // (name, body, [(op, target, line, from)])
    type Row = (FileOpKind, &'static str, u32, Option<&'static str>);
    let cases: &[(&str, &str, &[Row])] = &[
        (
            "one OPEN, several modes and files",
            "           OPEN INPUT LN-FILE BR-FILE\n                OUTPUT RPT-FILE.\n           OPEN I-O LP-FILE WITH LOCK EXTEND LOG-FILE.\n",
            &[
                (Open(Input), "LN-FILE", 5, Some("MAIN-LOGIC")),
                (Open(Input), "BR-FILE", 5, Some("MAIN-LOGIC")),
                (Open(Output), "RPT-FILE", 6, Some("MAIN-LOGIC")),
                (Open(InputOutput), "LP-FILE", 7, Some("MAIN-LOGIC")),
                (Open(Extend), "LOG-FILE", 7, Some("MAIN-LOGIC")),
            ],
        ),
        (
            "CLOSE, READ, START, DELETE name files",
            "           READ LN-FILE NEXT RECORD INTO WS-REC\n              AT END MOVE \"Y\" TO WS-EOF.\n           START BR-FILE KEY NOT < BR-KEY.\n           DELETE LP-FILE RECORD INVALID KEY CONTINUE.\n           CLOSE LN-FILE BR-FILE WITH LOCK.\n",
            &[
                (Read, "LN-FILE", 5, Some("MAIN-LOGIC")),
                (Start, "BR-FILE", 7, Some("MAIN-LOGIC")),
                (Delete, "LP-FILE", 8, Some("MAIN-LOGIC")),
                (Close, "LN-FILE", 9, Some("MAIN-LOGIC")),
                (Close, "BR-FILE", 9, Some("MAIN-LOGIC")),
            ],
        ),
        (
            "WRITE and REWRITE name records, qualifiers dropped",
            "           WRITE RPT-REC FROM WS-LINE AFTER ADVANCING 1.\n           REWRITE LP-REC OF LP-FILE.\n",
            &[
                (Write, "RPT-REC", 5, Some("MAIN-LOGIC")),
                (Rewrite, "LP-REC", 6, Some("MAIN-LOGIC")),
            ],
        ),
        (
            "SORT with USING and GIVING, in a section",
            "       SORT-IT SECTION.\n           SORT SORT-FILE ON ASCENDING KEY SORT-KEY\n              USING IN-FILE GIVING OUT-FILE.\n",
            &[
                (Sort, "SORT-FILE", 6, Some("SORT-IT")),
                (Read, "IN-FILE", 7, Some("SORT-IT")),
                (Write, "OUT-FILE", 7, Some("SORT-IT")),
            ],
        ),
        (
            "SORT with procedures, RELEASE and RETURN, MERGE",
            "           SORT SORT-FILE ON DESCENDING KEY SORT-KEY\n              INPUT PROCEDURE IS P1 OUTPUT PROCEDURE IS P2.\n           RELEASE SORT-REC FROM WS-REC.\n           RETURN SORT-FILE AT END MOVE \"Y\" TO WS-EOF.\n           MERGE MRG-FILE ON ASCENDING KEY MRG-KEY USING A-FILE B-FILE GIVING C-FILE.\n",
            &[
                (Sort, "SORT-FILE", 5, Some("MAIN-LOGIC")),
                (Release, "SORT-REC", 7, Some("MAIN-LOGIC")),
                (Return, "SORT-FILE", 8, Some("MAIN-LOGIC")),
                (Merge, "MRG-FILE", 9, Some("MAIN-LOGIC")),
                (Read, "A-FILE", 9, Some("MAIN-LOGIC")),
                (Read, "B-FILE", 9, Some("MAIN-LOGIC")),
                (Write, "C-FILE", 9, Some("MAIN-LOGIC")),
            ],
        ),
        (
            "words in literals, comments and SQL are not file operations",
            "      *    OPEN INPUT OLD-FILE.\n           DISPLAY \"OPEN INPUT X-FILE\".\n           EXEC SQL OPEN C1 END-EXEC.\n           EXEC SQL CLOSE C1 END-EXEC.\n",
            &[],
        ),
    ];
    for (name, body, want) in cases {
        let f = program(body);
        let got: Vec<(FileOpKind, &str, u32, Option<&str>)> = f
            .file_ops
            .iter()
            .map(|o| (o.op, o.target.as_str(), o.line, o.from.as_deref()))
            .collect();
        assert_eq!(&got, want, "{name}");
    }
    assert_eq!(Open(InputOutput).to_string(), "OPEN I-O");
}

#[test]
fn statement_counts_are_consistent_with_the_fixtures() {
    for (path, text) in [
        ("AC/ACMENU.CBL", include_str!("../fixtures/ACMENU.CBL")),
        ("AC/PAYPST.CBL", include_str!("../fixtures/PAYPST.CBL")),
        ("LIBAC/ACCLRCL.CPY", include_str!("../fixtures/ACCLRCL.CPY")),
    ] {
        let f = read(path, text);
        let count = |k: StatementKind| {
            f.statements
                .iter()
                .find(|u| u.kind == k)
                .map_or(0, |u| u.count as usize)
        };
        // Every PERFORM / GO TO edge comes from one statement (a GO TO DEPENDING has
        // one edge per target).
        let performs = f
            .edges
            .iter()
            .filter(|e| e.kind == otis_cobol::EdgeKind::Perform)
            .count();
        assert!(performs <= count(StatementKind::Perform), "{path}");
        let if_count = count(StatementKind::If) as u32;
        assert!(f.complexity.decisions >= if_count, "{path}");
        assert!(f.complexity.max_if_depth <= if_count, "{path}");
        let literal_calls = f
            .calls
            .iter()
            .filter(|c| c.kind != otis_cobol::CallKind::Dynamic)
            .count();
        assert!(literal_calls <= count(StatementKind::Call), "{path}");
    }
}

#[test]
fn a_paragraph_may_be_named_with_a_reserved_word() {
    // `REPORT.` heads a paragraph (a reserved word, but no verb); `GO TO REPORT` goes
    // there. A verb or a scope end alone on its line in area A heads nothing.
    let f = program(
        "           GO TO REPORT.\n       REPORT.\n           DISPLAY \"R\".\n       EXIT.\n       END-IF.\n       REPORT-EXIT.\n           EXIT.\n",
    );
    let names: Vec<&str> = f.procedures.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["MAIN-LOGIC", "REPORT", "REPORT-EXIT"]);
    let jumps: Vec<(&str, u32)> = f
        .edges
        .iter()
        .map(|e| (e.target.as_str(), e.line))
        .collect();
    assert_eq!(jumps, [("REPORT", 5)]);
}
