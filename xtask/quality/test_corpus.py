"""Self-test of corpus.py (questions about the codebase as a whole) on a tiny invented
corpus written in the real idioms.

Run: python3 -m unittest xtask/quality/test_corpus.py
"""

import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus as whole  # noqa: E402
import truth  # noqa: E402
from fixture import A, B, C, FixtureCorpus, write  # noqa: E402

whole.TR = truth


MENU = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      AAMENU."),
    C(" DESCRIPTION: WIDGET MENU"),
    C(" REV:"),
    C("  ABC 180203 NEW"),
    A("PROCEDURE DIVISION."),
    A("DISPLAY-MENU."),
    B('IF SEL-STATUS = "1>"'),
    B('   MOVE "ZZ/ZZMAIN" TO FORM-NAM'),
    B("   GO TO EXIT-PROG."),
    B("GO TO M01 M02 M03"),
    B("   DEPENDING ON FORM-BUF."),
    B("GO TO DISPLAY-MENU."),
    A('M01. MOVE "AA/AAFIX1" TO FORM-NAM; GO TO RUN-PROG.'),
    A('M02. MOVE "BB/BBRPT1" TO FORM-NAM; GO TO RUN-PROG.'),
    A("M03. GO TO DISPLAY-MENU."),
    A("RUN-PROG."),
    B("CALL FORM-PROGX USING FORM-PATHNAME EXIT-PATHNAME."),
    B("CANCEL FORM-PROGX."),
    B("GO TO DISPLAY-MENU."),
    A("EXIT-PROG."),
    B("EXIT PROGRAM."),
]

FIX1 = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      AAFIX1."),
    C("    DESCRIPTION:  FIX THE WIDGETS"),
    C(" REV:"),
    C("  ABC 101794 OLD ENTRY"),
    C("  DEF 2019.0312 SOMETHING"),
    C("  20210405 GHI NEW THING"),
    C("  1999-01-01 (A NOTE, NOT AN ENTRY)"),
    A("ENVIRONMENT DIVISION."),
    A("INPUT-OUTPUT SECTION."),
    A("FILE-CONTROL."),
    B("SELECT IN-FILE ASSIGN TO IN-PATH."),
    B("SELECT OUT-FILE ASSIGN TO OUT-PATH."),
    A("DATA DIVISION."),
    A("FILE SECTION."),
    A("FD  IN-FILE."),
    A("01  IN-REC                  PIC X(80)."),
    A("FD  OUT-FILE."),
    A('COPY "LIBAA/AAREC.CPY" REPLACING LEADING "XX" BY "OUT".'),
    A("WORKING-STORAGE SECTION."),
    A('COPY "LIBAA/AADATA.CPY".'),
    A("01  WS-A                    PIC 9."),
    A("PROCEDURE DIVISION."),
    A("MAIN-PARA."),
    B("OPEN INPUT IN-FILE OUTPUT OUT-FILE."),
    B("READ IN-FILE NEXT AT END MOVE 1 TO WS-EOF."),
    B("IF WS-A = 1 AND WS-B = 2 OR WS-C = 3"),
    B("   IF WS-D = 4"),
    B("      MOVE 1 TO WS-E"),
    B("   ELSE"),
    B("      IF WS-F = 5"),
    B("         MOVE 2 TO WS-E"),
    B("      END-IF"),
    B("   END-IF"),
    B("END-IF."),
    B("EVALUATE TRUE"),
    B("   WHEN WS-A = 1"),
    B("      IF WS-B = 1 MOVE 1 TO WS-C"),
    B("   WHEN WS-A = 2"),
    B("      MOVE 2 TO WS-C"),
    B("   WHEN OTHER"),
    B("      MOVE 3 TO WS-C"),
    B("END-EVALUATE."),
    B("PERFORM AAPROC-SECTION UNTIL WS-EOF = 1."),
    B("PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 3"),
    B("   MOVE CORRESPONDING WS-GRP1 TO WS-GRP2"),
    B("END-PERFORM."),
    B("PERFORM AAPROC-SECTION."),
    B("ADD 1 TO WS-A ON SIZE ERROR MOVE 0 TO WS-A."),
    B("GO TO P1 P2 P3 DEPENDING ON WS-A."),
    B('STRING "A" DELIMITED BY SIZE INTO WS-S.'),
    B("EXEC SQL DELETE FROM T WHERE A = 1 AND B = 2 END-EXEC."),
    B("MOVE OUT-KEY TO WS-A."),
    B("WRITE OUT-REC."),
    B('CALL "AAUTIL".'),
    B('DISPLAY "IF SORT MERGE".'),
    C("    SORT SORT-FILE ON KEY SORT-KEY."),
    B("GO TO P1."),
    A("P1. EXIT PROGRAM."),
    A("P2. EXIT PROGRAM."),
    A("P3. EXIT PROGRAM."),
    A('COPY "LIBAA/AAPROC.CPY".'),
]

UTIL = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      AAUTIL."),
    C(" A UTILITY WITHOUT DATES"),
    A("DATA DIVISION."),
    A("WORKING-STORAGE SECTION."),
    A('COPY "LIBAA/AADATA.CPY".'),
    A("PROCEDURE DIVISION."),
    A("BEGIN-IT."),
    B('CALL "BBLOOP".'),
    B('CALL "NOSUCH".'),
    B("CALL WS-PROG-NAME."),
    B("EXIT PROGRAM."),
]

LOOP = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      BBLOOP."),
    A("PROCEDURE DIVISION."),
    A("BEGIN-IT."),
    B('CALL "AAUTIL".'),
    B('CALL "BBLOOP".'),
    B("STOP RUN."),
]

RPT1 = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      BBRPT1."),
    A("DATA DIVISION."),
    A("SCREEN SECTION."),
    A("01  RPT-SCREEN."),
    A("PROCEDURE DIVISION."),
    A("BEGIN-IT."),
    B("INSPECT WS-A TALLYING WS-N FOR ALL SPACES."),
    A("EXIT-PROG."),
    B('MOVE "AA/AAMENU" TO FORM-NAM.'),
    B("EXIT PROGRAM."),
]

LONE = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      BBLONE."),
    C(" REV: KEC 2022-1108 ADDED A THING"),
    A("PROCEDURE DIVISION."),
    A("BEGIN-IT."),
    B("GOBACK."),
]

REC = [
    A("01  XX-REC."),
    B("03  XX-KEY               PIC 9(4)."),
    B("    88  XX-KEY-ZERO      VALUE 0."),
]

DATA = [
    A("01  AA-SHARED            PIC X."),
]

PROC = [
    A("AAPROC-SECTION SECTION."),
    B("INSPECT WS-A REPLACING ALL SPACES BY ZEROES."),
    B("MOVE AA-SHARED TO WS-A."),
    A('COPY "LIBAA/SUB/AANEST.CPY".'),
]

NEST = [
    A("AANEST-PARA."),
    B("UNSTRING WS-S DELIMITED BY SPACE OR \",\" INTO WS-T."),
    B("GO TO AANEST-PARA."),
]

UNUSED = [
    A("01  UNUSED-THING         PIC X."),
]


def form(prompts, fields):
    """A form file: 'p' records of 5 lines, 'f' records of 17 lines."""
    out = []
    for k, text in enumerate(prompts):
        out += ["p", text, str(k + 1), "1", "y"]
    for name in fields:
        out += ["f", name, "", "X(1)", "0", "0"] + ["n"] * 11
    return out


def tokens(root, lines):
    """Procedure tokens of a throw-away program holding `lines`."""
    write(root, "ZZ/ZZTMP.CBL", [A("IDENTIFICATION DIVISION."), A("PROGRAM-ID. ZZTMP."),
                                 A("PROCEDURE DIVISION."), A("P.")] + lines)
    try:
        s = truth.Src(root, "ZZ/ZZTMP.CBL")
        return s.tokens[s.proc_tok:]
    finally:
        shutil.rmtree(os.path.join(root, "ZZ"))


class CorpusTest(FixtureCorpus, unittest.TestCase):
    PREFIX = "corpus-fixture-"
    FILES = {
        "AA/AAMENU.CBL": MENU,
        "AA/AAFIX1.CBL": FIX1,
        "AA/AAUTIL.CBL": UTIL,
        "BB/BBLOOP.CBL": LOOP,
        "BB/BBRPT1.CBL": RPT1,
        "BB/BBLONE.CBL": LONE,
        "LIBAA/AAREC.CPY": REC,
        "LIBAA/AADATA.CPY": DATA,
        "LIBAA/AAPROC.CPY": PROC,
        "LIBAA/SUB/AANEST.CPY": NEST,
        "LIBAA/AAUNUSED.CPY": UNUSED,
        "LIBAA/SUB/AAREC.CPY": REC,
        "FM/XX/AA/AAMENU": form(["WIDGET MENU", "1. FIX THE WIDGETS",
                                 "2. REPORT   GADGETS  (BBRPT1)", "F7 - BACK"],
                                ["SEL", "SYSDATE"]),
        "FM/XX/AA/AAFIX1": form(["FIX"], ["BRANCH", "FROM-DATE", "TO-DATE"]),
        "FM/XX/AA/AAGHOST": form([], ["ONE"]),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.m = whole.Model(cls.corpus, cls.facts, cls.root)

    def rel(self, name):
        return self.m.prog_rels[name][0]

    # -- statements and data -------------------------------------------
    def test_statement_kinds(self):
        m = self.m
        # own text + procedure copybooks (nested); literals, comments and SQL text are not
        # statements
        self.assertEqual(m.stmts[self.rel("AAFIX1")], {
            "EVALUATE", "EXEC SQL", "GO TO", "INSPECT", "MOVE CORRESPONDING", "STRING",
            "UNSTRING", "EXIT PROGRAM"})
        self.assertEqual(m.stmts[self.rel("AAUTIL")], {"CALL identifier", "EXIT PROGRAM"})
        self.assertEqual(m.stmts[self.rel("BBLOOP")], {"STOP RUN"})
        self.assertEqual(m.stmts[self.rel("BBLONE")], {"GOBACK"})
        # the menu's CALL FORM-PROGX is a CALL through a variable too
        self.assertIn("CALL identifier", m.stmts[self.rel("AAMENU")])
        # a copybook: its own text only
        self.assertEqual(m.stmts["LIBAA/AAPROC.CPY"], {"INSPECT"})
        self.assertEqual(m.stmts["LIBAA/SUB/AANEST.CPY"], {"UNSTRING", "GO TO"})

    def test_data_kinds(self):
        m = self.m
        self.assertEqual(m.data[self.rel("AAFIX1")], {"FD", "88 level"})  # 88 via AAREC
        self.assertEqual(m.data[self.rel("BBRPT1")], {"SCREEN SECTION"})
        self.assertEqual(m.data["LIBAA/AAREC.CPY"], {"88 level"})
        self.assertEqual(m.data[self.rel("BBLOOP")], set())

    def test_mccabe(self):
        # 1 + AT END + 3 IF + AND + OR + 2 WHEN (not OTHER) + IF in a WHEN
        # + PERFORM UNTIL + PERFORM VARYING + SIZE ERROR + (3 - 1) DEPENDING targets;
        # BY SIZE of STRING and the AND inside EXEC SQL are not decisions
        self.assertEqual(self.m.mccabe[self.rel("AAFIX1")], 15)
        self.assertEqual(self.m.mccabe[self.rel("BBLONE")], 1)
        toks = tokens(self.root, [
            B("READ F INVALID KEY MOVE 1 TO X NOT INVALID KEY MOVE 2 TO X END-READ."),
            B("CALL \"X\" ON EXCEPTION MOVE 1 TO Y NOT ON EXCEPTION MOVE 2 TO Y."),
            B("WRITE R AT END-OF-PAGE MOVE 1 TO Z."),
            B("UNSTRING S DELIMITED BY SPACE OR \",\" INTO T."),
            B("SEARCH TBL WHEN TBL-K(I) = 1 OR TBL-K(I) = 2 CONTINUE END-SEARCH."),
        ])
        # 1 + 2 INVALID + 2 EXCEPTION + END-OF-PAGE + WHEN + OR (the UNSTRING OR is not)
        self.assertEqual(whole.mccabe(toks), 8)

    def test_if_depth(self):
        self.assertEqual(self.m.ifdepth[self.rel("AAFIX1")], 3)
        self.assertEqual(self.m.ifdepth[self.rel("BBLONE")], 0)
        chain = tokens(self.root, [B("IF A = 1 MOVE 1 TO X"), B("ELSE IF A = 2 MOVE 2 TO X"),
                                   B("ELSE IF A = 3 MOVE 3 TO X"), B("ELSE MOVE 4 TO X.")])
        self.assertEqual(whole.if_depth(chain), 3)   # ELSE IF nests
        flat = tokens(self.root, [B("IF A = 1 MOVE 1 TO X END-IF"),
                                  B("IF B = 1 MOVE 1 TO X END-IF.")])
        self.assertEqual(whole.if_depth(flat), 1)
        when = tokens(self.root, [B("EVALUATE TRUE WHEN A = 1 IF B = 1 MOVE 1 TO X"),
                                  B("WHEN A = 2 IF B = 2 MOVE 2 TO X END-EVALUATE.")])
        self.assertEqual(whole.if_depth(when), 1)     # a WHEN closes the IF before it
        inline = tokens(self.root, [B("PERFORM UNTIL A = 1 IF B = 1 MOVE 1 TO X"),
                                    B("END-PERFORM IF C = 1 MOVE 1 TO X END-IF.")])
        self.assertEqual(whole.if_depth(inline), 1)

    # -- sizes and revisions -------------------------------------------
    def test_lines(self):
        self.assertEqual(self.m.lines[self.rel("AAFIX1")], len(FIX1))
        path = os.path.join(self.root, "LIBAA/ZZNOEOL.CPY")
        with open(path, "w") as fh:
            fh.write("a\nb\x0cc\nd")    # form feed is not a line break; last line counts
        try:
            self.assertEqual(whole.physical_lines(path), 3)
        finally:
            os.remove(path)

    def test_parse_date(self):
        self.assertEqual(whole.parse_date("2019.0312"), "2019-03-12")
        self.assertEqual(whole.parse_date("2015-1007"), "2015-10-07")
        self.assertEqual(whole.parse_date("2019.09.12"), "2019-09-12")
        self.assertEqual(whole.parse_date("20220907"), "2022-09-07")
        self.assertEqual(whole.parse_date("181203"), "2018-12-03")     # YYMMDD
        self.assertEqual(whole.parse_date("101794"), "1994-10-17")     # MMDDYY fallback
        self.assertEqual(whole.parse_date("013105"), "2005-01-31")
        self.assertEqual(whole.parse_date("02/12/2020"), "2020-02-12")
        self.assertEqual(whole.parse_date("4/18/00"), "2000-04-18")
        self.assertEqual(whole.parse_date("11/14/51"), "1951-11-14")
        self.assertIsNone(whole.parse_date("999999"))

    def test_revised(self):
        m = self.m
        self.assertEqual(m.revised[self.rel("AAFIX1")], "2021-04-05")
        self.assertEqual(m.revised[self.rel("BBLONE")], "2022-11-08")   # entry on REV: line
        self.assertEqual(m.revised[self.rel("AAMENU")], "2018-02-03")
        self.assertNotIn(self.rel("AAUTIL"), m.revised)

    # -- copies ---------------------------------------------------------
    def test_copies(self):
        m = self.m
        self.assertEqual(m.copied_by["LIBAA/SUB/AANEST.CPY"], {"LIBAA/AAPROC.CPY"})
        self.assertEqual(m.cpy_users["LIBAA/SUB/AANEST.CPY"], ["AAFIX1"])   # nested
        self.assertEqual(m.cpy_users["LIBAA/AADATA.CPY"], ["AAFIX1", "AAUTIL"])
        never = sorted(r for r in m.cpy_rels["AAREC"] + m.cpy_rels["AAUNUSED"]
                       if not m.copied_by.get(r))
        # exact library: LIBAA/SUB/AAREC.CPY is another file nobody copies
        self.assertEqual(never, ["LIBAA/AAUNUSED.CPY", "LIBAA/SUB/AAREC.CPY"])

    # -- calls ----------------------------------------------------------
    def test_calls_graph(self):
        m = self.m
        self.assertEqual(sorted(m.callers["AAUTIL"]), ["AAFIX1", "BBLOOP"])
        self.assertEqual(sorted(m.callers["BBLOOP"]), ["AAUTIL"])   # not itself
        self.assertEqual(m.self_calls, ["BBLOOP"])
        self.assertNotIn("ZZMAIN", m.callers)       # a hand-back is not a call
        g = m.graph()
        self.assertEqual(whole.longest_chains(g), {
            "length": 3, "chains": [["AAMENU", "AAFIX1", "AAUTIL", "BBLOOP"],
                                    ["AAMENU", "AAFIX1", "AAUTIL", "NOSUCH"]]})
        self.assertEqual(whole.longest_chains(g, "AAUTIL")["length"], 1)
        self.assertEqual(whole.strongly_connected(
            {k: [t for t in v if t != k] for k, v in g.items()}), [["AAUTIL", "BBLOOP"]])

    def test_orphans(self):
        reached = self.m.reached()
        # AAMENU is handed control by BBRPT1 (MOVE "AA/AAMENU" TO FORM-NAM, no call)
        orphans = sorted(n for n in self.m.prog_rels if n not in reached)
        self.assertEqual(orphans, ["BBLONE"])

    # -- files ----------------------------------------------------------
    def test_crud(self):
        m = self.m
        self.assertEqual(m.fd_records[self.rel("AAFIX1")],
                         {"IN-FILE": ["IN-REC"], "OUT-FILE": ["OUT-REC"]})
        self.assertEqual(m.crud[self.rel("AAFIX1")], {
            "IN-FILE": ["OPEN INPUT", "READ"], "OUT-FILE": ["OPEN OUTPUT", "WRITE"]})
        self.assertEqual(m.selects[self.rel("AAFIX1")], ["IN-FILE", "OUT-FILE"])

    # -- menus and screens -----------------------------------------------
    def test_menu(self):
        m = self.m
        self.assertEqual(m.menus, {"AA/AAMENU.CBL": [(1, "AAFIX1"), (2, "BBRPT1")]})
        self.assertEqual(whole.option_labels(m.form_prompts["FM/XX/AA/AAMENU"]),
                         {1: "FIX THE WIDGETS", 2: "REPORT GADGETS (BBRPT1)"})
        self.assertEqual([x["name"] for x in m.form_fields["FM/XX/AA/AAFIX1"]],
                         ["BRANCH", "FROM-DATE", "TO-DATE"])

    # -- impact ---------------------------------------------------------
    def test_impact(self):
        m = self.m
        e = whole.impact_levels(m, m.copied_by["LIBAA/SUB/AANEST.CPY"],
                                ["LIBAA/SUB/AANEST.CPY"], 3)
        self.assertEqual(e["levels"], {"1": ["AAPROC"], "2": ["AAFIX1"], "3": ["AAMENU"]})
        self.assertEqual(e["count"], 3)
        e = whole.impact_levels(m, m.copied_by["LIBAA/SUB/AANEST.CPY"],
                                ["LIBAA/SUB/AANEST.CPY"], 2)
        self.assertEqual(e["names"], ["AAFIX1", "AAPROC"])
        # a program: its callers, then theirs; a file appears at its first level only
        first = {r for c in m.callers["AAUTIL"] for r in m.prog_rels[c]}
        e = whole.impact_levels(m, first, m.prog_rels["AAUTIL"], 3)
        self.assertEqual(e["levels"], {"1": ["AAFIX1", "BBLOOP"], "2": ["AAMENU"]})

    # -- helpers --------------------------------------------------------
    def test_ranking_and_threshold(self):
        r = whole.ranking([("B", 3), ("A", 3), ("C", 5), ("D", 1), ("E", 3)], 2)
        self.assertEqual(r, {"names": ["C", "A"], "values": [5, 3], "ties": ["B", "E"],
                             "top_k": 2})
        self.assertEqual(whole.threshold([0, 0, 1, 1, 2, 5], 1, 2), 1)
        self.assertEqual(whole.fragments(["DATE35_DEF", "DATE35_WKS", "UPDATE"], 2, 3),
                         ["DAT", "DATE"])
        self.assertEqual(whole.more_than(0, "program"), "at least one program")
        self.assertEqual(whole.more_than(2, "program"), "more than 2 programs")

    # -- questions ------------------------------------------------------
    def test_questions(self):
        data = truth.build(self.root, seed=3)
        qs = {q["id"]: q for q in data["questions"]}
        new = [q for q in data["questions"] if q["kind"] in whole.KINDS]
        self.assertTrue(new)
        for q in new:
            self.assertEqual(set(q) - {"follows"},
                             {"id", "kind", "question", "subject", "expected", "rule"})
            if "follows" in q:
                self.assertIn(q["follows"], qs)
        self.assertEqual(len(qs), len(data["questions"]), "ids are unique")
        self.assertEqual(qs["count:programs"]["expected"]["count"], 6)
        cp = qs["count:copybooks"]["expected"]
        self.assertEqual(cp["count"], 6)          # files; AAREC lives in two libraries
        self.assertEqual(len(cp["names"]), 5)
        self.assertEqual(qs["orphans:all"]["expected"]["names"], ["BBLONE"])
        self.assertEqual(qs["orphans:all"]["expected"]["main_menu"], "AAMENU")
        self.assertEqual(qs["unresolved:targets"]["expected"]["callers"],
                         {"NOSUCH": ["AAUTIL"]})
        self.assertEqual(qs["call_chain:longest"]["expected"]["length"], 3)
        cyc = qs["cycles:any"]["expected"]
        self.assertEqual(cyc["cycles"], [["AAUTIL", "BBLOOP"]])
        self.assertEqual(cyc["self_calls"], ["BBLOOP"])
        self.assertEqual(qs["menu:entry"]["expected"]["names"], ["AAMENU"])
        opts = qs["menu:options-AAMENU"]["expected"]
        self.assertEqual(opts["options"], [
            {"number": 1, "label": "FIX THE WIDGETS", "program": "AAFIX1"},
            {"number": 2, "label": "REPORT GADGETS (BBRPT1)", "program": "BBRPT1"}])
        self.assertEqual(qs["screens:not-loaded"]["expected"]["names"], ["AAGHOST"])
        self.assertEqual(qs["unused:copybooks"]["expected"]["files"],
                         ["LIBAA/AAUNUSED.CPY", "LIBAA/SUB/AAREC.CPY"])
        self.assertEqual(qs["unused:copybooks"]["expected"]["names"], ["AAREC", "AAUNUSED"])
        never = qs["file_access:never-written"]["expected"]
        self.assertEqual(never["names"], ["IN-FILE"])
        # a statement kind nobody uses: empty truth
        empties = [q for q in new if q["kind"] in ("list", "absence")
                   and q["subject"] in ("SORT", "MERGE", "ALTER", "EXEC CICS", "SEARCH")]
        self.assertTrue(empties)
        for q in empties:
            self.assertEqual(q["expected"]["count"], 0)
        for q in new:
            if q["kind"] == "absence" and "absent" in q["expected"]:
                x = q["expected"]["absent"]
                self.assertNotIn(x, self.m.prog_rels)
                self.assertNotIn(x, self.m.cpy_rels)

    def test_existing_questions_unchanged(self):
        """The new kinds come after the old ones and leave them as they were."""
        data = truth.build(self.root, seed=3)
        old = [q for q in data["questions"] if q["kind"] not in whole.KINDS]
        saved = whole.questions
        try:
            whole.questions = lambda *a, **k: []
            alone = truth.build(self.root, seed=3)["questions"]
        finally:
            whole.questions = saved
        self.assertEqual(old, alone)

    def test_deterministic(self):
        a = truth.build(self.root, seed=5)
        b = truth.build(self.root, seed=5)
        self.assertEqual(a, b)


if __name__ == "__main__":
    unittest.main()
