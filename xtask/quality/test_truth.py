"""Self-test of truth.py on a tiny invented corpus written in the real idioms.

Run: python3 -m unittest xtask/quality/test_truth.py
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth  # noqa: E402
from fixture import A, B, C, FixtureCorpus, write  # noqa: E402

MENU = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      QQMENU."),
    C("*************************************"),
    C("                 QUUX MENU"),
    C(" REV:"),
    C("  2020.0101 ABC NEW"),
    C("*************************************"),
    A('COPY "LIBQQ/QQMENU_DEF.CPY".'),
    A("PROCEDURE DIVISION."),
    A("DISPLAY-MENU."),
    B('CALL "CHKOK" USING CHK-FIELDS.'),
    B('CALL "C$JUSTIFY" USING SOME-NAME, "L".'),
    A("MENU-EXIT."),
    B('IF SEL-STATUS = "1>"'),
    B('   MOVE "ZZ/ZZMAIN" TO FORM-NAM'),
    B("   GO TO EXIT-PROG."),
    B('IF SEL-STATUS = "04"'),
    B('   MOVE "QQ/QQHELP" TO FORM-NAM'),
    B("   GO TO RUN-PROG."),
    B("GO TO M01 M02 M03"),
    B("   DEPENDING ON FORM-BUF."),
    B("GO TO DISPLAY-MENU."),
    A('M01. MOVE "QQ/QQFIX1" TO FORM-NAM.'),
    B("GO TO RUN-PROG."),
    A('M02. MOVE "QQ/QQFIX2" TO FORM-NAM; GO TO RUN-PROG.'),
    A("M03. GO TO DISPLAY-MENU."),
    A("RUN-PROG."),
    B("MOVE FORM-PATH TO FORM-PATHNAME."),
    B("CALL FORM-PROGX USING FORM-PATHNAME EXIT-PATHNAME."),
    B("CANCEL FORM-PROGX."),
    B("GO TO DISPLAY-MENU."),
    A("EXIT-PROG."),
    B("MOVE FORM-PATH TO FORM-PATHNAME."),
    B("EXIT PROGRAM."),
]

FIX1 = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      QQFIX1."),
    A("DATE-WRITTEN.    01/02/2003."),
    C("*****************************************************"),
    C("                      (QQ)"),
    C("    DESCRIPTION:  REBUILD THE WIDGET BALANCE"),
    C("                  FROM THE GADGET FILE"),
    C(""),
    C(" REV:"),
    C("  ABC 200101 NEW"),
    C("*****************************************************"),
    A("ENVIRONMENT DIVISION."),
    A("INPUT-OUTPUT SECTION."),
    A("FILE-CONTROL."),
    A('COPY "LIBZZ/ZZFSPR.CPY".'),
    B("SELECT GADGET-FILE ASSIGN TO GADGET-PATH"),
    B("       ORGANIZATION LINE SEQUENTIAL."),
    A("DATA DIVISION."),
    A("FILE SECTION."),
    A("FD  GADGET-FILE."),
    A("01  GADGET-REC              PIC X(80)."),
    A("WORKING-STORAGE SECTION."),
    A('COPY "LIBZZ/ZZWORK.CPY".'),
    A('COPY "LIBQQ/QQFIX1_DEF.CPY".'),
    A("01  WIDGET-TOTAL            PIC S9(7)V99 VALUE 0."),
    A("01  GADGET-PATH             PIC X(40)."),
    A("PROCEDURE DIVISION."),
    A("MAIN-PROGRAM SECTION."),
    A("BEGIN-IT."),
    B("MOVE 0 TO WIDGET-TOTAL."),
    C(" MOVE 1 TO WIDGET-TOTAL."),
    B('DISPLAY "WIDGET-TOTAL IS" WIDGET-TOTAL.'),
    B("PERFORM CLEAR-WORK-AREA."),
    B("EXEC SQL"),
    B("   SELECT 1 INTO :SQL-VERIFY FROM DUAL"),
    B("END-EXEC."),
    A("PICK-BRANCH."),
    B('IF SEL-STATUS = "1<"'),
    B('   MOVE "WI/PICKER" TO FORM-NAM'),
    B("   CALL FORM-PROGX USING FORM-PATH PICK-BUF EXIT-PATHNAME"),
    B("   CANCEL FORM-PROGX."),
    B("ADD 1 TO WIDGET-TOTAL."),
    A("EXIT-PROG."),
    B('MOVE "QQ/QQMENU" TO FORM-NAM.'),
    B("MOVE FORM-PATH TO FORM-PATHNAME."),
    A("STOP-RUN."),
    B("EXIT PROGRAM."),
    A('COPY "LIBQQ/QQCLR.CPY".'),
]

FIX2 = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      QQFIX2."),
    C("*****************************************************"),
    C("   READ IN A FIXED LENGTH FILE TO SET THE SPROCKET FLAG"),
    C(""),
    C(" 20200101 ABC NEW"),
    C("*****************************************************"),
    A("DATA DIVISION."),
    A("WORKING-STORAGE SECTION."),
    A('COPY "LIBZZ/ZZWORK.CPY".'),
    A("PROCEDURE DIVISION."),
    A("MAIN-PROGRAM SECTION."),
    A("BEGIN-IT."),
    B("PERFORM CLEAR-WORK-AREA THRU CLEAR-WORK-AREA-EXIT."),
    B("MOVE SPACES TO GADGET-PATH."),
    B("GO TO EXIT-PROG."),
    A("EXIT-PROG."),
    B("EXIT PROGRAM."),
    A('COPY "LIBQQ/QQCLR.CPY".'),
]

FIX1_DEF = [
    A("01  QQFIX1-FIELDS."),
    B("03  QQFIX1-BRANCH        PIC 9(4)."),
    B("    88  QQFIX1-BRANCH-ALL  VALUE 0."),
    B("03  FILLER               PIC X(2)."),
]

MENU_DEF = [
    A("01  QQMENU-FIELDS."),
    B("03  QQMENU-SEL           PIC 99."),
]

CLR = [
    C(" COPYMEMBER: LIBQQ/QQCLR"),
    A("CLEAR-WORK-AREA SECTION."),
    B("MOVE 0 TO QQFIX1-BRANCH."),
    B("PERFORM CLEAR-WORK-AREA-EXIT."),
    A("CLEAR-WORK-AREA-EXIT."),
    B("EXIT."),
]


class TruthTest(FixtureCorpus, unittest.TestCase):
    PREFIX = "truth-fixture-"
    FILES = {
        "QQ/QQMENU.CBL": MENU,
        "QQ/QQFIX1.CBL": FIX1,
        "QQ/QQFIX2.CBL": FIX2,
        "LIBQQ/QQFIX1_DEF.CPY": FIX1_DEF,
        "LIBQQ/QQMENU_DEF.CPY": MENU_DEF,
        "LIBQQ/QQCLR.CPY": CLR,
        "FM/XX/QQ/QQFIX1": ["p", "REBUILD WIDGETS"],
    }

    def src(self, rel):
        return self.corpus.files[rel]

    # -- header description -------------------------------------------
    def test_description_label(self):
        d = truth.description(self.src("QQ/QQFIX1.CBL"))
        self.assertEqual(d["text"], "REBUILD THE WIDGET BALANCE")
        self.assertEqual(d["how"], "label")
        self.assertFalse(d["complete"])
        self.assertEqual(d["full"], "REBUILD THE WIDGET BALANCE FROM THE GADGET FILE")

    def test_description_free_text(self):
        d = truth.description(self.src("QQ/QQFIX2.CBL"))
        self.assertEqual(d["text"], "READ IN A FIXED LENGTH FILE TO SET THE SPROCKET FLAG")
        self.assertEqual(d["how"], "free")
        d = truth.description(self.src("QQ/QQMENU.CBL"))
        self.assertEqual(d["text"], "QUUX MENU")

    def test_description_noise_falls_through(self):
        lines = list(FIX1)
        lines[5] = C("    DESCRIPTION:  QQ")
        write(self.root, "QQ/QQTMP.CBL", lines)
        try:
            d = truth.description(truth.Src(self.root, "QQ/QQTMP.CBL"))
            self.assertEqual(d["text"], "FROM THE GADGET FILE")
        finally:
            os.remove(os.path.join(self.root, "QQ/QQTMP.CBL"))

    # -- copybooks ------------------------------------------------------
    def test_copybooks_own_text(self):
        self.assertEqual(self.facts.copy_members["QQ/QQFIX1.CBL"],
                         ["QQCLR", "QQFIX1_DEF", "ZZFSPR", "ZZWORK"])

    def test_copybook_users(self):
        self.assertEqual(sorted(self.facts.copy_users["ZZWORK"]), ["QQFIX1", "QQFIX2"])
        self.assertEqual(sorted(self.facts.copy_users["QQCLR"]), ["QQFIX1", "QQFIX2"])

    def test_procedure_copybook_classified(self):
        self.assertIn("LIBQQ/QQCLR.CPY", self.corpus.proc_cpy)
        self.assertNotIn("LIBQQ/QQFIX1_DEF.CPY", self.corpus.proc_cpy)

    # -- calls ----------------------------------------------------------
    def test_menu_calls(self):
        cl = self.facts.calls["QQ/QQMENU.CBL"]
        self.assertTrue(cl["confident"], cl["reasons"])
        # menu return (GO TO EXIT-PROG) is not a call; runtime C$ excluded
        self.assertEqual(cl["names"], ["CHKOK", "QQFIX1", "QQFIX2", "QQHELP"])

    def test_call_in_same_paragraph(self):
        cl = self.facts.calls["QQ/QQFIX1.CBL"]
        self.assertTrue(cl["confident"], cl["reasons"])
        self.assertEqual(cl["names"], ["PICKER"])

    def test_callers(self):
        self.assertEqual(sorted(self.facts.callers["QQFIX1"]), ["QQMENU"])
        self.assertNotIn("QQMENU", self.facts.callers)
        self.assertNotIn("ZZMAIN", self.facts.callers)

    # -- procedures -----------------------------------------------------
    def test_section_sites(self):
        refs = sorted(set(self.facts.proc_refs["CLEAR-WORK-AREA"]))
        self.assertEqual(refs, [("QQ/QQFIX1.CBL", 33), ("QQ/QQFIX2.CBL", 14)])
        self.assertEqual(self.facts.proc_defs["CLEAR-WORK-AREA"],
                         [("LIBQQ/QQCLR.CPY", 2, True)])
        # THRU names the exit paragraph too
        self.assertIn(("QQ/QQFIX2.CBL", 14), self.facts.proc_refs["CLEAR-WORK-AREA-EXIT"])

    # -- data -----------------------------------------------------------
    def test_data_definitions(self):
        d = self.facts.data_defs["QQFIX1-BRANCH-ALL"]
        self.assertEqual(d, [{"file": "LIBQQ/QQFIX1_DEF.CPY", "line": 3,
                              "level": "88", "pic": None}])
        d = self.facts.data_defs["WIDGET-TOTAL"]
        self.assertEqual(d[0]["pic"], "S9(7)V99")
        self.assertNotIn("FILLER", self.facts.data_defs)

    def test_files(self):
        self.assertEqual(self.facts.selects["QQ/QQFIX1.CBL"], ["GADGET-FILE"])
        self.assertEqual(self.facts.selects["QQ/QQFIX2.CBL"], [])

    # -- whole build ----------------------------------------------------
    def test_build(self):
        data = truth.build(self.root, seed=1, keep_all=True)
        qs = {q["id"]: q for q in data["questions"]}
        self.assertEqual(qs["overview:all"]["expected"]["names"], ["QQ"])
        self.assertEqual(qs["purpose:QQFIX1"]["expected"]["description"],
                         "REBUILD THE WIDGET BALANCE")
        self.assertEqual(qs["calls:QQMENU"]["expected"]["names"],
                         ["CHKOK", "QQFIX1", "QQFIX2", "QQHELP"])
        self.assertEqual(qs["callers:QQFIX2"]["expected"]["names"], ["QQMENU"])
        pu = qs["procedure_users:CLEAR-WORK-AREA"]["expected"]
        self.assertEqual(pu["names"], ["QQFIX1", "QQFIX2"])
        self.assertEqual(pu["sites"], [["QQ/QQFIX1.CBL", 33], ["QQ/QQFIX2.CBL", 14]])
        # WIDGET-TOTAL appears in a literal: not chosen (ambiguous for a reader)
        self.assertNotIn("data_usage:WIDGET-TOTAL", qs)
        self.assertEqual(qs["files:QQFIX1"]["expected"]["names"], ["GADGET-FILE"])
        users = qs["copybook_users:ZZWORK"]["expected"]
        self.assertEqual(users["names"], ["QQFIX1", "QQFIX2"])
        self.assertFalse(users["in_corpus"])
        follow = [q for q in data["questions"] if "follows" in q]
        self.assertTrue(follow)
        for q in follow:
            self.assertIn(q["follows"], qs)
        for q in data["questions"]:
            self.assertEqual(set(q) - {"follows"},
                             {"id", "kind", "question", "subject", "expected", "rule"})
        self.assertEqual(len(qs), len(data["questions"]), "ids are unique")

    # -- flows and screen trees (flows.py) -----------------------------
    def test_menu_flow(self):
        e = truth.flows.flow_expected(self.corpus, self.src("QQ/QQMENU.CBL"))
        # DISPLAY-MENU falls into MENU-EXIT; the options lead to RUN-PROG; EXIT-PROG is
        # reached by GO TO; unused option M03 and the option paragraphs are not steps.
        self.assertEqual(e["main_line"], ["DISPLAY-MENU", "MENU-EXIT", "RUN-PROG", "EXIT-PROG"])
        self.assertEqual(e["options"], [[1, "QQFIX1"], [2, "QQFIX2"]])
        self.assertEqual(e["programs"], ["CHKOK", "QQFIX1", "QQFIX2", "QQHELP", "ZZMAIN"])
        self.assertNotIn("M03", e["names"])

    def test_section_flow(self):
        e = truth.flows.flow_expected(self.corpus, self.src("QQ/QQFIX1.CBL"))
        self.assertEqual(e["main_line"], ["MAIN-PROGRAM"])
        self.assertIn("CLEAR-WORK-AREA", e["performed"])
        self.assertIn("PICKER", e["programs"])

    def test_jumps(self):
        def stream(lines):
            write(self.root, "QQ/QQJMP.CBL", [A("IDENTIFICATION DIVISION."),
                                              A("PROGRAM-ID. QQJMP."),
                                              A("PROCEDURE DIVISION.")] + lines)
            s = truth.Src(self.root, "QQ/QQJMP.CBL")
            toks = [s.tokens[k] for k in range(s.proc_tok, len(s.tokens))]
            return toks, truth.flows.units(toks)
        try:
            for lines, jumps in [
                ([A("A."), B("GO TO B.")], True),
                ([A("A."), B("IF X = 1"), B("   GO TO B.")], False),
                ([A("A."), B("IF X = 1"), B("   MOVE 1 TO Y"), B("END-IF"), B("GO TO B.")], True),
                ([A('A. MOVE "QQ/X" TO FORM-NAM; GO TO B.')], True),
                ([A("A."), B("GO TO B C DEPENDING ON X.")], False),
                ([A("A."), B("EXIT PROGRAM."), A('COPY "LIBQQ/QQCLR.CPY".')], True),
                ([A("A."), B("EXIT.")], False),
            ]:
                toks, us = stream(lines)
                self.assertEqual(truth.flows.ends_in_jump(toks, us[0]), jumps, lines)
        finally:
            os.remove(os.path.join(self.root, "QQ/QQJMP.CBL"))

    def test_screen_tree(self):
        screens = truth.flows.Screens(self.corpus, self.root)
        self.assertEqual(screens.menus, {"QQMENU"})
        # QQFIX1 names QQMENU (hand-back) and WI/PICKER (called); the menu's F-key
        # programs and options are all reached.
        self.assertEqual(sorted(screens.reach("QQMENU")),
                         ["PICKER", "QQFIX1", "QQFIX2", "QQHELP", "ZZMAIN"])
        self.assertEqual(screens.main_program(self.facts.callers), "QQMENU")
        data = truth.build(self.root, seed=1, keep_all=True)
        kinds = [q["kind"] for q in data["questions"]]
        self.assertIn("flow", kinds)
        self.assertEqual(kinds.count("screen_flow"), 3)

    def test_data_usage_sites(self):
        data = truth.build(self.root, seed=1, keep_all=True)
        qs = {q["id"]: q for q in data["questions"]}
        # used in a procedure copybook copied by the program that sees the
        # definition (the definition line itself is not a use)
        q = qs.get("data_usage:QQFIX1-BRANCH") or qs.get("data_definition:QQFIX1-BRANCH")
        self.assertIsNotNone(q)
        usage = [x for x in data["questions"] if x["subject"] == "QQFIX1-BRANCH"]
        for x in usage:
            if x["kind"] == "data_usage":
                self.assertEqual(x["expected"]["sites"], [["LIBQQ/QQCLR.CPY", 3]])
            if x["kind"] == "data_definition":
                self.assertEqual(x["expected"]["sites"], [["LIBQQ/QQFIX1_DEF.CPY", 2]])
                self.assertEqual(x["expected"]["pic"], "9(4)")
        # GADGET-PATH is used by a program that cannot see its definition:
        # another definition must exist outside the corpus, so no question
        self.assertFalse([x for x in data["questions"] if x["subject"] == "GADGET-PATH"])

    def test_deterministic_and_cli(self):
        out1 = os.path.join(self.root, "out1.json")
        out2 = os.path.join(self.root, "out2.json")
        devnull = open(os.devnull, "w")
        old = sys.stderr
        sys.stderr = devnull
        try:
            truth.main([self.root, "--out", out1])
            truth.main([self.root, "--out", out2])
        finally:
            sys.stderr = old
            devnull.close()
        with open(out1) as f1, open(out2) as f2:
            a, b = f1.read(), f2.read()
        self.assertEqual(a, b)
        self.assertTrue(json.loads(a)["questions"])
        os.remove(out1)
        os.remove(out2)


if __name__ == "__main__":
    unittest.main()
