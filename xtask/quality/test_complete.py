"""Self-test of complete.py (issue 18 items 2-5) on a tiny invented corpus.

Run: python3 -m unittest xtask/quality/test_complete.py
"""

import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import complete  # noqa: E402
import truth  # noqa: E402
from fixture import A, B, C, FixtureCorpus  # noqa: E402

PROC = [
    C("*********************************************"),
    C("    P S T - S E T U P"),
    C("*============================================"),
    C("    IN  :  SET-SIZE"),
    C("    DESC:  SETS UP THE WIDGET"),
    C("*********************************************"),
    A("WW-SETUP SECTION."),
    B("PERFORM WW-OPEN THRU WW-OPEN-EXIT."),
    B("IF SET-SIZE = 0 GO TO WW-SETUP-EXIT."),
    B("PERFORM WW-OPEN."),
    A("WW-SETUP-EXIT."),
    B("EXIT."),
    A("WW-OTHER SECTION."),
    B("PERFORM WW-CLOSE."),
    A("WW-OPEN."),
    B("MOVE 1 TO SET-SIZE."),
    A("WW-OPEN-EXIT."),
    B("EXIT."),
    A("WW-CLOSE."),
    B("EXIT."),
]

PROGRAM = [
    A("IDENTIFICATION DIVISION."),
    A("PROGRAM-ID.      WWMAIN."),
    C("    DESCRIPTION:  KEEP THE WIDGETS"),
    A("ENVIRONMENT DIVISION."),
    A("FILE-CONTROL."),
    B("SELECT WIDGET-FILE ASSIGN TO WIDGET-PATH."),
    A("DATA DIVISION."),
    A("FILE SECTION."),
    A("FD  WIDGET-FILE."),
    A("01  WIDGET-REC."),
    B("05  WIDGET-KEY          PIC X(8)."),
    B("05  WIDGET-COUNT        PIC 9(4)."),
    A("WORKING-STORAGE SECTION."),
    A("01  SET-SIZE            PIC 9(4)."),
    A("01  WORK-AREA."),
    B("05  WORK-TOTAL          PIC 9(6)."),
    A("01  WORK-TIME           PIC 9(6)."),
    A("01  WORK-TIMEX          REDEFINES WORK-TIME PIC X(6)."),
    A("01  FILLER              REDEFINES WORK-TIME."),
    B("03  WORK-TIME-HH        PIC 9(2)."),
    A("PROCEDURE DIVISION."),
    A("MAIN-PARA."),
    B("MOVE WIDGET-COUNT TO WORK-TOTAL."),
    B("ADD 1 TO WIDGET-COUNT."),
    B("PERFORM WW-SETUP."),
    B('COPY "LIBWW/WWPROC.CPY".'),
    B("STOP RUN."),
]


class CompleteTest(FixtureCorpus, unittest.TestCase):
    PREFIX = "complete-"
    FILES = {
        "WW/WWMAIN.CBL": PROGRAM,
        "LIBWW/WWPROC.CPY": PROC,
        "LIBWW/WWDATA.CPY": [A("01  WW-DATA."), B("05  WW-FIELD  PIC X.")],
        "LIBWW/OLD/WWDATA.CPY": [A("01  WW-DATA."), B("05  WW-FIELD  PIC X.")],
        "OTHER/WWDATA.CPY": [A("01  WW-DATA.")],
    }

    def test_a_section_performs_and_goes_to_up_to_the_next_section(self):
        src = self.corpus.files["LIBWW/WWPROC.CPY"]
        got = complete.section_targets(truth, self.corpus, src, "WW-SETUP")
        self.assertEqual(got, ["WW-OPEN", "WW-OPEN-EXIT", "WW-SETUP-EXIT"])
        qs = complete.section_does(truth, self.corpus, self.facts, random.Random(1), True)
        by = {q["subject"]: q for q in qs}
        self.assertEqual(by["WW-OTHER"]["expected"]["names"], ["WW-CLOSE"])
        self.assertEqual(by["WW-SETUP"]["expected"]["defined_in"], ["LIBWW/WWPROC.CPY", 7])

    def test_a_data_item_names_its_record_and_the_fd_above_it(self):
        layout = complete.data_layout(self.corpus, self.facts)
        d = self.facts.data_defs["WIDGET-COUNT"][0]
        self.assertEqual(complete.record_of(layout, d, "WIDGET-COUNT"), "WIDGET-REC")
        self.assertEqual(complete.record_of(layout, self.facts.data_defs["SET-SIZE"][0],
                                            "SET-SIZE"), None)
        src = self.corpus.files["WW/WWMAIN.CBL"]
        # Under a FILLER that redefines an item, that item.
        hh = self.facts.data_defs["WORK-TIME-HH"][0]
        self.assertEqual(complete.record_of(layout, hh, "WORK-TIME-HH", src), "WORK-TIME")
        self.assertEqual(complete.fd_above(src, 10), "WIDGET-FILE")
        # WORKING-STORAGE SECTION ends the FD.
        self.assertEqual(complete.fd_above(src, 15), None)

    def test_the_own_library_is_the_definition(self):
        got = complete.home_first(["OTHER/WWDATA.CPY", "LIBWW/OLD/WWDATA.CPY",
                                   "LIBWW/WWDATA.CPY"])
        self.assertEqual(got, ["LIBWW/WWDATA.CPY", "OTHER/WWDATA.CPY",
                               "LIBWW/OLD/WWDATA.CPY"])
        qs = complete.also_in(truth, self.corpus, random.Random(1), True)
        self.assertEqual([q["expected"] for q in qs], [{
            "definition": "LIBWW/WWDATA.CPY",
            "also_in": ["OTHER/WWDATA.CPY", "LIBWW/OLD/WWDATA.CPY"],
        }])

    def test_used_for_asks_the_purpose_of_programs_not_asked_already(self):
        progs = self.corpus.programs
        pname = self.corpus.prog_name
        descs = {p.rel: truth.description(p) for p in progs if truth.description(p)}
        qs = complete.used_for(truth, progs, pname, descs, set(), random.Random(1), True)
        self.assertEqual([q["question"] for q in qs], ["What is WWMAIN used for?"])
        self.assertEqual(qs[0]["expected"]["description"], "KEEP THE WIDGETS")
        self.assertEqual(complete.used_for(truth, progs, pname, descs, {"WW/WWMAIN.CBL"},
                                           random.Random(1), True), [])


if __name__ == "__main__":
    unittest.main()
