#!/usr/bin/env python3
"""Derive a question set with ground truth from a COBOL corpus.

This is the *independent* check on the project's Rust reader: it reads the
sources with its own regex / line / token level rules (standard library only)
and never uses the project's code.  Questions are selected by rules, never by
member names, so the script runs unchanged on any folder of the same codebase.

Usage:
    python3 xtask/quality/truth.py [CORPUS] [--out FILE] [--seed N] [--all]

CORPUS defaults to ../shared/otis-train relative to the repository root.
See xtask/quality/README.md for the rules of every question kind.
"""

import argparse
import json
import os
import random
import re
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flows  # noqa: E402  (flow and screen-flow questions)
import corpus as whole  # noqa: E402  (questions about the codebase as a whole)
import complete  # noqa: E402  (complete answers: what for, sections, data items, copies)

# --------------------------------------------------------------------------
# Constants of the dialect (idioms, not member names)
# --------------------------------------------------------------------------

PROGRAM_EXT = ".CBL"
COPYBOOK_EXT = ".CPY"

# Dynamic calls: MOVE "DIR/NAME" TO FORM-NAM ... CALL FORM-PROGX
DYN_NAME_FIELD = "FORM-NAM"
DYN_CALL_FIELD = "FORM-PROGX"

LEVELS = set(range(1, 50)) | {66, 77, 78, 88}
# ACUCOBOL graphical screen controls: a level entry that starts with one has no name.
SCREEN_CONTROLS = {"LABEL", "ENTRY-FIELD", "PUSH-BUTTON", "CHECK-BOX", "RADIO-BUTTON",
                   "LIST-BOX", "COMBO-BOX", "FRAME", "BAR", "BITMAP", "GRID", "TREE-VIEW",
                   "SCROLL-BAR", "TAB-CONTROL", "WEB-BROWSER"}

# Identification-division paragraphs that may precede the header comments.
ID_PARAS = {
    "IDENTIFICATION", "ID", "PROGRAM-ID", "AUTHOR", "DATE-WRITTEN",
    "DATE-COMPILED", "INSTALLATION", "SECURITY", "REMARKS",
}

# Words that end a GO TO target list / are never procedure names.
RESERVED = {
    "ACCEPT", "ADD", "ALSO", "AND", "CALL", "CANCEL", "CLOSE", "COMPUTE",
    "CONTINUE", "DELETE", "DEPENDING", "DISPLAY", "DIVIDE", "ELSE", "END",
    "END-IF", "END-EVALUATE", "END-PERFORM", "END-READ", "END-CALL",
    "EVALUATE", "EXIT", "GO", "GOBACK", "IF", "INITIALIZE", "INSPECT",
    "MOVE", "MULTIPLY", "NEXT", "NOT", "ON", "OPEN", "OR", "PERFORM", "READ",
    "RETURN", "REWRITE", "SEARCH", "SET", "START", "STOP", "STRING",
    "SUBTRACT", "THEN", "THRU", "THROUGH", "TIMES", "TO", "UNSTRING", "UNTIL",
    "VARYING", "WHEN", "WITH", "WRITE", "TEST", "BEFORE", "AFTER", "DESTROY",
    "MODIFY", "EXEC", "END-EXEC", "RELEASE", "SORT", "MERGE", "UNLOCK",
    "COMMIT", "ROLLBACK", "CHAIN", "COPY", "SECTION", "DIVISION",
}

PROC_VERBS = {
    "ACCEPT", "ADD", "CALL", "CANCEL", "CLOSE", "COMPUTE", "CONTINUE",
    "DELETE", "DISPLAY", "DIVIDE", "EVALUATE", "EXIT", "GO", "GOBACK", "IF",
    "INITIALIZE", "INSPECT", "MOVE", "MULTIPLY", "OPEN", "PERFORM", "READ",
    "REWRITE", "SEARCH", "SET", "START", "STOP", "STRING", "SUBTRACT",
    "UNSTRING", "WRITE", "EXEC", "DESTROY", "MODIFY",
}

DATA_SECTIONS = {
    "WORKING-STORAGE", "FILE", "LINKAGE", "SCREEN", "LOCAL-STORAGE",
    "CONFIGURATION", "INPUT-OUTPUT", "REPORT", "COMMUNICATION",
}

STOPWORDS = {
    "THE", "AND", "FOR", "WITH", "FROM", "THAT", "THIS", "INTO", "ALL",
    "ARE", "WAS", "NOT", "USE", "USED", "USES", "ANY", "OUT", "NEW", "OLD",
    "FILE", "FILES", "PROGRAM", "FIX", "SET", "RECORD", "RECORDS", "HAVE",
    "HAS", "ONLY", "ITS", "THEY", "WHEN", "THEN",
}

# Default number of questions per kind (use --all to keep every candidate).
CAPS = {
    "purpose": 24,
    "copybooks": 16,
    "calls": 12,
    "callers": 12,
    "copybook_users": 14,
    "procedure_users": 12,
    "data_definition": 14,
    "data_usage": 12,
    "files": 10,
    "dependencies": 8,
    "business_process": 8,
}

TOKEN_RE = re.compile(
    r'"(?:[^"]|"")*"?'          # "literal"
    r"|'(?:[^']|'')*'?"          # 'literal'
    r"|[A-Z0-9_][A-Z0-9_-]*"     # word (identifier, number, keyword)
    r"|\.(?=\s|$)"               # sentence period
    r"|\S"                       # anything else
)
WORD_RE = re.compile(r"[A-Z0-9_][A-Z0-9_-]*$")


def is_runtime(name):
    """Runtime / system routines are not program calls."""
    return (
        re.match(r"^[A-Z0-9_]*\$", name) is not None
        or name.startswith("CBL_")
        or name.startswith("SYSTEM")
    )


def word_re(name):
    return re.compile(r"(?<![A-Z0-9_-])" + re.escape(name) + r"(?![A-Z0-9_-])")


# --------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------


class Tok:
    __slots__ = ("text", "kind", "src", "line", "col", "first")

    def __init__(self, text, kind, src, line, col, first):
        self.text = text    # upper-case text; literals keep their quotes
        self.kind = kind    # "W" word, "L" literal, "." period, "O" other
        self.src = src      # relative path of the file
        self.line = line    # 1-based line number
        self.col = col      # 0-based column in the raw line
        self.first = first  # first token on its line

    def lit_value(self):
        return self.text[1:-1] if len(self.text) >= 2 else self.text[1:]


def strip_inline_comment(code):
    """Remove a `*>` inline comment that is not inside a literal."""
    q = None
    i = 0
    while i < len(code):
        c = code[i]
        if q:
            if c == q:
                q = None
        elif c in "\"'":
            q = c
        elif c == "*" and code[i + 1:i + 2] == ">":
            return code[:i]
        i += 1
    return code


def mask_literals(code):
    """Replace the inside of literals by spaces (same length)."""
    out = []
    q = None
    for c in code:
        if q:
            if c == q:
                q = None
                out.append(c)
            else:
                out.append(" ")
        else:
            if c in "\"'":
                q = c
            out.append(c)
    return "".join(out)


class Src:
    """One source file: lines split into comment / code, tokens, facts."""

    def __init__(self, root, rel):
        self.rel = rel
        self.path = os.path.join(root, rel)
        base = os.path.basename(rel)
        self.member = os.path.splitext(base)[0].upper()
        self.is_program = base.upper().endswith(PROGRAM_EXT)
        self.top = rel.split("/")[0]
        with open(self.path, "rb") as fh:
            text = fh.read().decode("latin-1")
        self.raw = [ln.expandtabs(8) for ln in text.splitlines()]
        # per line: (kind, text) kind in "code", "comment", "skip"
        self.comments = {}   # line -> comment text (cols 8..)
        self.code = {}       # line -> upper code (inline comment removed)
        for n, raw in enumerate(self.raw, 1):
            if len(raw) < 7:
                continue
            ind = raw[6]
            body = raw[7:]
            if ind in "*/":
                self.comments[n] = body
            elif ind in "Dd$":
                continue  # debug lines and compiler directives
            else:
                c = strip_inline_comment(body).rstrip().upper()
                if c.strip():
                    self.code[n] = c
        self.tokens = []
        for n in sorted(self.code):
            code = self.code[n]
            first = True
            for m in TOKEN_RE.finditer(code):
                t = m.group(0)
                if t[0] in "\"'":
                    kind = "L"
                elif t == ".":
                    kind = "."
                elif WORD_RE.match(t):
                    kind = "W"
                else:
                    kind = "O"
                self.tokens.append(Tok(t, kind, rel, n, m.start() + 7, first))
                first = False
        self._find_structure()

    # ---------------------------------------------------------------
    def _find_structure(self):
        toks = self.tokens
        self.proc_tok = None      # index of first token after PROCEDURE DIVISION header
        self.proc_line = None
        for i, t in enumerate(toks):
            if (t.text == "PROCEDURE" and i + 1 < len(toks)
                    and toks[i + 1].text == "DIVISION"):
                j = i + 2
                while j < len(toks) and toks[j].kind != ".":
                    j += 1
                self.proc_tok = j + 1
                self.proc_line = t.line
                break
        # COPY statements: (token index, line, path, member, replacing)
        self.copies = []
        for i, t in enumerate(toks):
            if t.kind == "W" and t.text == "COPY" and i + 1 < len(toks):
                nxt = toks[i + 1]
                if nxt.kind == "L":
                    path = nxt.lit_value().strip()
                elif nxt.kind == "W":
                    path = nxt.text
                else:
                    continue
                j = i + 2
                replacing = False
                while j < len(toks) and toks[j].kind != "." and j < i + 40:
                    if toks[j].text == "REPLACING":
                        replacing = True
                    j += 1
                path = path.replace("\\", "/").upper()
                member = os.path.splitext(path.split("/")[-1])[0]
                self.copies.append({
                    "idx": i, "end": j, "line": t.line, "path": path,
                    "member": member, "replacing": replacing,
                })

    def in_proc(self, idx, proc_copybook):
        if proc_copybook:
            return True
        return self.proc_tok is not None and idx >= self.proc_tok

    def program_id(self):
        toks = self.tokens
        for i, t in enumerate(toks[:60]):
            if t.text == "PROGRAM-ID":
                j = i + 1
                while j < len(toks) and toks[j].kind in ".O":
                    j += 1
                if j < len(toks) and toks[j].kind in "WL":
                    v = toks[j].text.strip("\"'")
                    return v.upper()
        return self.member


# --------------------------------------------------------------------------
# Header description
# --------------------------------------------------------------------------

DESC_RE = re.compile(r"^\s*\**\s*(DESCRIPTION|DESC)\s*:\s*(.*)$", re.I)
LABEL_RE = re.compile(r"^[A-Z][A-Z0-9 /&.-]{0,20}:")
# a revision-history entry: "20190829 BAH ...", "BAH 181203 ...", "KEC 2017.0313"
REV_RE = re.compile(r"^([A-Z]{2,4} +)?(\d{6,8}|\d{4}[.-]\d{2,4})\b")


def clean_comment(text):
    t = text.strip()
    t = re.sub(r"^[*=\-~_ ]+", "", t)
    t = re.sub(r"[*=\-~_ ]+$", "", t)
    return " ".join(t.split())


def header_comment_lines(src):
    """Comment lines of the header: everything before the first code line
    that is not an identification-division paragraph."""
    out = []
    for n, raw in enumerate(src.raw, 1):
        if n in src.code:
            first = src.code[n].split()[0].rstrip(".")
            if first in ID_PARAS or not re.match(r"[A-Z]", first):
                continue
            # a continuation of PROGRAM-ID/AUTHOR etc. value lines
            if n - 1 in src.code and not src.code[n - 1].rstrip().endswith("."):
                continue
            break
        if n in src.comments:
            out.append((n, src.comments[n]))
    return out


def is_noise(text, src):
    """Blank, decoration, or only the program's own folder / path tag such
    as "(FX)" or "(FX/NAME.C)"."""
    if not text:
        return True
    up = text.upper()
    if not re.search(r"[A-Z]{2}", up):
        return True
    core = up.strip("() ")
    if re.fullmatch(r"([A-Z0-9_]+/)*[A-Z0-9_]+(\.[A-Z]{1,3})?", core) and (
            src.member in core.split("/")[-1] or core == src.top.upper()):
        return True
    return False


def _following(lines, k, src, max_lines=5):
    """Text lines after header comment k, blank lines skipped, up to a label
    line (REV:, STATE :, ...) ; also whether line k+1 continues the text."""
    rest = []
    continues = None
    for _, t in lines[k + 1:]:
        c = clean_comment(t)
        if c and (LABEL_RE.match(c) or REV_RE.match(c)):
            break
        if continues is None:
            continues = bool(c)
        if not c:
            continue
        rest.append(c)
        if len(rest) >= max_lines:
            break
    return rest, bool(continues)


def description(src):
    """Header description of a program: dict with
    text      first DESCRIPTION:/DESC: line's text (if that text is empty or
              only a folder tag: the next text line), else the first text
              line of the header comments;
    full      text plus the following header lines up to a label line;
    how       "label" or "free";
    complete  the text line is not continued on the next comment line."""
    lines = header_comment_lines(src)
    for k, (n, text) in enumerate(lines):
        m = DESC_RE.match(text)
        if not m:
            continue
        first = clean_comment(m.group(2))
        rest, cont = _following(lines, k, src)
        if is_noise(first, src):
            if not rest:
                continue
            # the description starts on a following line
            j = k + 1
            while j < len(lines) and not clean_comment(lines[j][1]):
                j += 1
            first = rest[0]
            rest, cont = _following(lines, j, src)
        return {"text": first, "full": " ".join([first] + rest), "how": "label",
                "complete": not cont and not first.endswith((":", ",", ";"))}
    for k, (n, text) in enumerate(lines):
        c = clean_comment(text)
        if is_noise(c, src) or LABEL_RE.match(c):
            continue
        rest, cont = _following(lines, k, src)
        return {"text": c, "full": " ".join([c] + rest), "how": "free",
                "complete": not cont and not c.endswith((":", ",", ";"))}
    return None


# --------------------------------------------------------------------------
# Corpus model
# --------------------------------------------------------------------------


class Corpus:
    def __init__(self, root):
        self.root = root
        self.files = {}
        for dp, dns, fns in os.walk(root):
            dns.sort()
            for fn in sorted(fns):
                up = fn.upper()
                if up.endswith(PROGRAM_EXT) or up.endswith(COPYBOOK_EXT):
                    rel = os.path.relpath(os.path.join(dp, fn), root).replace(os.sep, "/")
                    self.files[rel] = Src(root, rel)
        self.by_upper = {rel.upper(): s for rel, s in self.files.items()}
        self.programs = sorted(
            (s for s in self.files.values() if s.is_program), key=lambda s: s.rel)
        self.copybooks = sorted(
            (s for s in self.files.values() if not s.is_program), key=lambda s: s.rel)
        members = defaultdict(list)
        for s in self.copybooks:
            members[s.member].append(s)
        self.cpy_by_member = members
        self.prog_name = {s.rel: s.program_id() for s in self.programs}
        self._classify_copybooks()
        self._closures()

    def resolve(self, path):
        """Copybook file for a COPY path: the exact library path (a copybook
        of a library that is not in the corpus is simply missing); a bare
        member name without library resolves to a unique member."""
        p = path.upper()
        cands = [p] if p.endswith(COPYBOOK_EXT) else [p, p + COPYBOOK_EXT]
        for c in cands:
            if c in self.by_upper and not self.by_upper[c].is_program:
                return self.by_upper[c]
        if "/" not in p:
            member = os.path.splitext(p)[0]
            lst = self.cpy_by_member.get(member, [])
            if len(lst) == 1:
                return lst[0]
        return None

    def _classify_copybooks(self):
        """A copybook is a procedure copybook when it is copied from the
        procedure part of a program (or of another procedure copybook); an
        uncopied copybook is one when its first statement is a verb or a
        SECTION/paragraph header and it holds no level-numbered entries."""
        proc = set()
        work = []
        for s in self.programs:
            for c in s.copies:
                if s.in_proc(c["idx"], False):
                    t = self.resolve(c["path"])
                    if t and t.rel not in proc:
                        proc.add(t.rel)
                        work.append(t)
        while work:
            s = work.pop()
            for c in s.copies:
                t = self.resolve(c["path"])
                if t and t.rel not in proc:
                    proc.add(t.rel)
                    work.append(t)
        copied = set()
        for s in self.files.values():
            for c in s.copies:
                t = self.resolve(c["path"])
                if t:
                    copied.add(t.rel)
        for s in self.copybooks:
            if s.rel in proc or s.rel in copied:
                continue
            if looks_procedural(s):
                proc.add(s.rel)
        self.proc_cpy = proc

    def is_proc_file(self, s):
        return (not s.is_program) and s.rel in self.proc_cpy

    def proc_tokens(self, s):
        """Indices of s.tokens that are procedure code."""
        if s.is_program:
            return range(s.proc_tok, len(s.tokens)) if s.proc_tok is not None else range(0)
        return range(len(s.tokens)) if self.is_proc_file(s) else range(0)

    def _closures(self):
        """closure[program] = set of files it reaches by COPY (recursive)."""
        self.closure = {}
        self.users_of = defaultdict(set)   # file rel -> programs (rel) reaching it
        for p in self.programs:
            seen = {p.rel}
            work = [p]
            while work:
                s = work.pop()
                for c in s.copies:
                    t = self.resolve(c["path"])
                    if t and t.rel not in seen:
                        seen.add(t.rel)
                        work.append(t)
            self.closure[p.rel] = seen
            for f in seen:
                self.users_of[f].add(p.rel)

    # ---------------------------------------------------------------
    def expanded_proc(self, p):
        """Procedure-division token stream of program p with the procedure
        copybooks in the corpus expanded in place of their COPY statements."""
        out = []

        def emit(s, rng, stack):
            copy_at = {c["idx"]: c for c in s.copies}
            i = rng.start
            while i < rng.stop:
                c = copy_at.get(i)
                if c is not None:
                    t = self.resolve(c["path"])
                    if t is not None and t.rel not in stack:
                        emit(t, range(0, len(t.tokens)), stack | {t.rel})
                    i = c["end"] + 1
                    continue
                out.append(s.tokens[i])
                i += 1

        emit(p, self.proc_tokens(p), {p.rel})
        return out


def looks_procedural(s):
    toks = s.tokens
    if not toks:
        return False
    has_level = False
    prev_period = True
    for i, t in enumerate(toks):
        if t.kind == "W" and t.first and prev_period and t.text.isdigit() \
                and int(t.text) in LEVELS:
            has_level = True
            break
        prev_period = t.kind == "."
    if has_level:
        return False
    first = toks[0]
    if first.text in PROC_VERBS:
        return True
    if first.kind == "W" and len(toks) > 1 and toks[1].text in (".", "SECTION"):
        return first.text not in DATA_SECTIONS and first.text not in ("FD", "SD")
    return False


# --------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------


def paragraphs(stream):
    """Paragraph / section headers in a procedure token stream:
    name -> list of (index, is_section)."""
    heads = []
    for i, t in enumerate(stream):
        if t.kind != "W" or not t.first or t.col > 10:
            continue
        if i + 1 >= len(stream):
            continue
        n1 = stream[i + 1]
        if n1.kind == "." and n1.line == t.line:
            heads.append((i, t.text, False))
        elif (n1.text == "SECTION" and n1.line == t.line and i + 2 < len(stream)
              and stream[i + 2].kind == "."):
            heads.append((i, t.text, True))
    return [h for h in heads if h[1] not in ("DECLARATIVES", "END")]


def head_ranges(stream, heads):
    """name -> list of (start, stop) token ranges (a section spans its
    paragraphs)."""
    rng = defaultdict(list)
    for k, (i, name, is_sec) in enumerate(heads):
        stop = len(stream)
        for j in range(k + 1, len(heads)):
            if not is_sec or heads[j][2]:
                stop = heads[j][0]
                break
        rng[name].append((i, stop))
    return rng


def perform_targets(stream, i):
    """If stream[i] is PERFORM naming a procedure: list of names."""
    t = stream[i]
    if t.text != "PERFORM" or i + 1 >= len(stream):
        return []
    n = stream[i + 1]
    if n.kind != "W" or n.text in RESERVED or not re.search(r"[A-Z]", n.text):
        return []
    if i + 2 < len(stream) and stream[i + 2].text == "TIMES":
        return []
    names = [n.text]
    if i + 3 < len(stream) and stream[i + 2].text in ("THRU", "THROUGH") \
            and stream[i + 3].kind == "W":
        names.append(stream[i + 3].text)
    return names


def goto_targets(stream, i):
    """If stream[i] is GO [TO]: (names, depending)."""
    t = stream[i]
    if t.text != "GO":
        return [], False
    j = i + 1
    if j < len(stream) and stream[j].text == "TO":
        j += 1
    names = []
    while j < len(stream) and stream[j].kind == "W" and stream[j].text not in RESERVED:
        names.append(stream[j].text)
        j += 1
    if not names:
        return [], False
    depending = j < len(stream) and stream[j].text == "DEPENDING"
    if not depending:
        names = names[:1]
    return names, depending


def is_dyn_call(stream, i):
    return (stream[i].text == "CALL" and i + 1 < len(stream)
            and stream[i + 1].text == DYN_CALL_FIELD)


def dyn_moves(stream):
    """MOVE x TO [...] FORM-NAM / FORM-PROGX: list of (index of MOVE,
    literal or None, index after the statement)."""
    out = []
    for i, t in enumerate(stream):
        if t.text != "MOVE" or i + 3 >= len(stream):
            continue
        src = stream[i + 1]
        j = i + 2
        if stream[j].text != "TO":
            continue
        j += 1
        hit = False
        while j < len(stream) and stream[j].kind == "W" and stream[j].text not in RESERVED:
            if stream[j].text in (DYN_NAME_FIELD, DYN_CALL_FIELD):
                hit = True
            j += 1
        if hit:
            lit = src.lit_value().strip() if src.kind == "L" else None
            out.append((i, lit, j))
    return out


def classify_move(stream, start, heads_at, ranges, info):
    """Follow control from token `start` (just after a MOVE ... TO FORM-NAM):
    fall through sentences and paragraphs, take GO TOs of the move's own
    sentence and unconditional ones (first statement of a sentence), look
    into PERFORMed paragraphs.  Returns (verdict, call indices) with verdict
    "call" (a CALL FORM-PROGX is reached first), "return" (STOP RUN /
    GOBACK / EXIT PROGRAM / end of program / FORM-NAM set again first) or
    "ambiguous" (GO TO ... DEPENDING, unknown target, loop, too long)."""
    i = start
    in_move_sentence = True
    sentence_start = False
    steps = 0
    jumps = set()
    while i < len(stream):
        steps += 1
        if steps > 4000:
            return "ambiguous", set()
        t = stream[i]
        if t.kind == ".":
            in_move_sentence = False
            sentence_start = True
            i += 1
            continue
        if i in heads_at:
            sentence_start = True
            i += 2 if stream[i + 1].kind == "." else 3
            continue
        uncond = in_move_sentence or sentence_start
        sentence_start = False
        if t.text == "ELSE" and in_move_sentence:
            # the rest of the sentence is the other branch of the move's IF
            while i < len(stream) and stream[i].kind != ".":
                i += 1
            continue
        if is_dyn_call(stream, i):
            return "call", {i}
        if t.text == "GOBACK" or (t.text in ("STOP", "EXIT") and i + 1 < len(stream)
                                  and stream[i + 1].text in ("RUN", "PROGRAM")):
            if uncond:
                return "return", set()
        if t.text == "MOVE" and i in info["move_at"] and uncond:
            return "return", set()  # FORM-NAM set again before any call
        pt = perform_targets(stream, i)
        hits = set()
        for n in pt:
            hits |= info["calls_in"].get(n, set())
        if hits:
            return "call", hits
        names, depending = goto_targets(stream, i)
        if names and uncond:
            if depending:
                return "ambiguous", set()
            target = names[0]
            if target not in ranges or len(ranges[target]) != 1 or target in jumps:
                return "ambiguous", set()
            jumps.add(target)
            i = ranges[target][0][0]
            continue
        i += 1
    return "return", set()


class Facts:
    def __init__(self, corpus):
        self.c = corpus
        self.copy_members = {}     # program rel -> sorted members (own text)
        self.copy_paths = defaultdict(set)   # member -> set of COPY paths
        self.copy_users = defaultdict(set)   # member -> program names (direct)
        self.replaced = set()      # copybook rel copied with REPLACING
        for s in corpus.files.values():
            for cp in s.copies:
                self.copy_paths[cp["member"]].add(cp["path"])
                if cp["replacing"]:
                    t = corpus.resolve(cp["path"])
                    if t:
                        self.replaced.add(t.rel)
        for p in corpus.programs:
            ms = sorted({cp["member"] for cp in p.copies})
            self.copy_members[p.rel] = ms
            for m in ms:
                self.copy_users[m].add(corpus.prog_name[p.rel])
        self._calls()
        self._procedures()
        self._data()
        self._selects()

    # ---------------------------------------------------------------
    def _calls(self):
        c = self.c
        self.calls = {}          # program rel -> {"names", "direct", "confident"}
        self.callers = defaultdict(set)   # target -> program names
        self.ambiguous_targets = set()
        for p in c.programs:
            stream = c.expanded_proc(p)
            heads = paragraphs(stream)
            heads_at = {h[0] for h in heads}
            ranges = head_ranges(stream, heads)
            calls_in = {}
            for name, rl in ranges.items():
                calls_in[name] = {k for a, b in rl for k in range(a, b)
                                  if is_dyn_call(stream, k)}
            all_calls = {k for k in range(len(stream)) if is_dyn_call(stream, k)}
            moves = dyn_moves(stream)
            info = {"move_at": {m[0] for m in moves}, "calls_in": calls_in}
            names, direct = set(), set()
            confident = True
            reasons = []
            explained = set()
            for i, t in enumerate(stream):
                if t.text != "CALL" or i + 1 >= len(stream):
                    continue
                n = stream[i + 1]
                if n.kind == "L":
                    name = n.lit_value().strip().upper().split("/")[-1]
                    if name and not is_runtime(name):
                        names.add(name)
                        if t.src == p.rel:
                            direct.add(name)
                elif n.kind == "W" and n.text != DYN_CALL_FIELD:
                    confident = False
                    reasons.append("CALL %s" % n.text)
            for (i, lit, after) in moves:
                verdict, reached = classify_move(stream, after, heads_at, ranges, info)
                if lit is None:
                    if verdict != "return":
                        confident = False
                        reasons.append("non-literal move to %s at %s:%d" % (
                            DYN_NAME_FIELD, stream[i].src, stream[i].line))
                    continue
                name = lit.upper().split("/")[-1]
                if verdict == "call":
                    explained |= reached
                    if name and not is_runtime(name):
                        names.add(name)
                        if stream[i].src == p.rel:
                            direct.add(name)
                elif verdict == "ambiguous":
                    confident = False
                    self.ambiguous_targets.add(name)
                    reasons.append("ambiguous move of %s" % lit)
            for k in sorted(all_calls - explained):
                confident = False
                reasons.append("CALL %s at %s:%d reached by no literal" % (
                    DYN_CALL_FIELD, stream[k].src, stream[k].line))
            self.calls[p.rel] = {
                "names": sorted(names), "direct": sorted(direct),
                "confident": confident, "reasons": reasons,
            }
            for n in names:
                self.callers[n].add(c.prog_name[p.rel])

    # ---------------------------------------------------------------
    def _procedures(self):
        """Sections / paragraphs defined in each file's procedure code, and
        every PERFORM / GO TO naming a procedure."""
        c = self.c
        self.proc_defs = defaultdict(list)   # name -> [(rel, line, is_section)]
        self.proc_refs = defaultdict(list)   # name -> [(rel, line)]
        for s in c.files.values():
            rng = c.proc_tokens(s)
            if not len(rng):
                continue
            stream = [s.tokens[k] for k in rng]
            for (i, name, is_sec) in paragraphs(stream):
                self.proc_defs[name].append((s.rel, stream[i].line, is_sec))
            for i, t in enumerate(stream):
                for n in perform_targets(stream, i):
                    self.proc_refs[n].append((s.rel, t.line))
                names, _ = goto_targets(stream, i)
                for n in names:
                    self.proc_refs[n].append((s.rel, t.line))

    # ---------------------------------------------------------------
    def _data(self):
        """Level-numbered entries in data code (programs before PROCEDURE
        DIVISION, copybooks that are not procedure copybooks)."""
        c = self.c
        self.data_defs = defaultdict(list)  # name -> [dict]
        for s in c.files.values():
            if s.is_program:
                stop = s.proc_tok if s.proc_tok is not None else len(s.tokens)
            elif c.is_proc_file(s):
                continue
            else:
                stop = len(s.tokens)
            toks = s.tokens
            prev_period = True
            for i in range(stop):
                t = toks[i]
                if (t.kind == "W" and t.first and prev_period and t.text.isdigit()
                        and int(t.text) in LEVELS and i + 1 < stop
                        and toks[i + 1].kind == "W"
                        and re.search(r"[A-Z]", toks[i + 1].text)):
                    name = toks[i + 1].text
                    # An unnamed screen control ("03 LABEL LINE 5", "03 ENTRY-FIELD,") is
                    # not a data item.
                    if name != "FILLER" and name not in SCREEN_CONTROLS:
                        pic = None
                        j = i + 2
                        while j < stop and toks[j].kind != ".":
                            if toks[j].text in ("PIC", "PICTURE"):
                                k = j + 1
                                if k < stop and toks[k].text == "IS":
                                    k += 1
                                pic = pic_text(s, toks, k, stop)
                                break
                            j += 1
                        self.data_defs[name].append({
                            "file": s.rel, "line": t.line,
                            "level": "%02d" % int(t.text), "pic": pic,
                        })
                prev_period = t.kind == "."
        # words of every procedure line and of every literal / data line
        self.proc_lines = []     # (rel, line, masked upper code)
        self.literal_text = defaultdict(set)   # word found inside literals
        for s in c.files.values():
            rng = c.proc_tokens(s)
            lines = sorted({s.tokens[k].line for k in rng}) if len(rng) else []
            for n in lines:
                self.proc_lines.append((s.rel, n, mask_literals(s.code[n])))
            for t in s.tokens:
                if t.kind == "L":
                    for w in re.findall(r"[A-Z0-9_][A-Z0-9_-]*", t.text):
                        self.literal_text[w].add(s.rel)
        self.proc_lines.sort()
        self.proc_word_index = defaultdict(list)
        for (rel, n, code) in self.proc_lines:
            for w in set(re.findall(r"[A-Z0-9_][A-Z0-9_-]*", code)):
                self.proc_word_index[w].append((rel, n))

    # ---------------------------------------------------------------
    def _selects(self):
        """SELECT [OPTIONAL] name in a program's own environment division
        (before DATA DIVISION / PROCEDURE DIVISION; EXEC SQL excluded), plus
        the SELECTs of every copybook in the corpus it reaches by COPY: a
        program uses the files its copybooks declare."""
        self.selects = {}
        self.own_selects = {}
        for p in self.c.programs:
            own = self._select_names(p.tokens, stop_at_division=True)
            names = set(own)
            for rel in self.c.closure.get(p.rel, ()):
                if rel == p.rel:
                    continue
                s = self.c.files.get(rel)
                if s is not None:
                    names.update(self._select_names(s.tokens, stop_at_division=True))
            self.own_selects[p.rel] = sorted(set(own))
            self.selects[p.rel] = sorted(names)

    @staticmethod
    def _select_names(toks, stop_at_division):
        names = []
        in_sql = False
        for i, t in enumerate(toks):
            if t.text == "EXEC":
                in_sql = True
            elif t.text == "END-EXEC":
                in_sql = False
            if (stop_at_division and t.text == "DIVISION" and i > 0
                    and toks[i - 1].text in ("DATA", "PROCEDURE")):
                break
            if in_sql or t.text != "SELECT" or i + 1 >= len(toks):
                continue
            j = i + 1
            if toks[j].text == "OPTIONAL":
                j += 1
            if j < len(toks) and toks[j].kind == "W":
                names.append(toks[j].text)
        return names


def pic_text(s, toks, k, stop):
    """PIC string: the raw characters from token k up to a blank or a
    period that ends the clause."""
    if k >= stop:
        return None
    t = toks[k]
    raw = s.code[t.line][t.col - 7:]
    m = re.match(r"(\S+?)\.?(\s|$)", raw)
    return m.group(1) if m else None


# --------------------------------------------------------------------------
# Question building
# --------------------------------------------------------------------------


def site(rel, line):
    return [rel, line]


def pick(cands, n, rng, keep_all):
    cands = list(cands)
    if keep_all or len(cands) <= n:
        return cands
    rng.shuffle(cands)
    return sorted(cands[:n], key=str)


def stratified(items, key, n, rng, keep_all):
    """Sample n items round-robin over groups given by key (deterministic)."""
    items = sorted(items, key=str)
    if keep_all or len(items) <= n:
        return items
    groups = defaultdict(list)
    for it in items:
        groups[key(it)].append(it)
    for g in groups.values():
        rng.shuffle(g)
    out = []
    order = sorted(groups)
    while len(out) < n:
        for g in order:
            if groups[g] and len(out) < n:
                out.append(groups[g].pop())
    return sorted(out, key=str)


def qid(kind, subject):
    return "%s:%s" % (kind, re.sub(r"[^A-Za-z0-9_./$-]+", "_", subject))


def build(root, seed=35, keep_all=False):
    corpus = Corpus(root)
    facts = Facts(corpus)
    rng = random.Random(seed)
    qs = []
    pname = corpus.prog_name
    by_name = defaultdict(list)
    for p in corpus.programs:
        by_name[pname[p.rel]].append(p)
    # programs whose name is unique (questions name programs by PROGRAM-ID)
    progs = [p for p in corpus.programs if len(by_name[pname[p.rel]]) == 1]

    def cap(kind):
        return CAPS.get(kind, 10)

    # ---- purpose -------------------------------------------------------
    descs = {}
    for p in progs:
        d = description(p)
        if d:
            descs[p.rel] = d
    purpose_set = stratified(
        [p.rel for p in progs if p.rel in descs], lambda r: r.split("/")[0],
        cap("purpose"), rng, keep_all)
    for rel in purpose_set:
        qs.append(purpose_question(pname[rel], rel, descs[rel]))

    # ---- copybooks -------------------------------------------------------
    with_copies = [p.rel for p in progs if facts.copy_members[p.rel]]
    biggest = sorted(with_copies, key=lambda r: (-len(facts.copy_members[r]), r))[:3]
    rest = [r for r in with_copies if r not in biggest]
    chosen = biggest + stratified(rest, lambda r: r.split("/")[0],
                                  max(0, cap("copybooks") - len(biggest)), rng, keep_all)
    for rel in sorted(chosen):
        name = pname[rel]
        qs.append({
            "id": qid("copybooks", name), "kind": "copybooks",
            "question": "What copybooks does %s use?" % name, "subject": name,
            "expected": {"names": facts.copy_members[rel], "file": rel},
            "rule": "members of every COPY statement in the program file itself "
                    "(not recursive); the 3 programs with most COPYs + stratified sample",
        })

    # ---- calls -----------------------------------------------------------
    conf = [p.rel for p in progs
            if facts.calls[p.rel]["confident"] and facts.calls[p.rel]["names"]]
    most = sorted(conf, key=lambda r: (-len(facts.calls[r]["names"]), r))[:3]
    chosen = most + stratified([r for r in conf if r not in most],
                               lambda r: r.split("/")[0],
                               max(0, cap("calls") - len(most)), rng, keep_all)
    for rel in sorted(chosen):
        name = pname[rel]
        cl = facts.calls[rel]
        qs.append({
            "id": qid("calls", name), "kind": "calls",
            "question": "What programs does %s call?" % name, "subject": name,
            "expected": {"names": cl["names"], "direct_names": cl["direct"], "file": rel},
            "rule": "static CALL literals (runtime C$/CBL_/X$/SYSTEM excluded) + "
                    "literals moved to %s whose control flow reaches CALL %s; "
                    "program text with its procedure copybooks expanded; only "
                    "programs where every move is resolved" % (DYN_NAME_FIELD, DYN_CALL_FIELD),
        })

    # ---- callers ---------------------------------------------------------
    targets = sorted(t for t in facts.callers if t not in facts.ambiguous_targets)
    multi = [t for t in targets if len(facts.callers[t]) >= 2]
    single = [t for t in targets if len(facts.callers[t]) < 2]
    multi = pick(multi, (cap("callers") + 1) // 2, rng, keep_all)
    chosen = multi + pick(single, cap("callers") - len(multi), rng, keep_all)
    for t in sorted(chosen):
        qs.append({
            "id": qid("callers", t), "kind": "callers",
            "question": "Which programs call %s?" % t, "subject": t,
            "expected": {"names": sorted(facts.callers[t])},
            "rule": "programs whose calls (same rule as 'calls') include the target",
        })

    # ---- copybook_users ----------------------------------------------------
    members = sorted(m for m, u in facts.copy_users.items()
                     if len(u) >= 2
                     and len({os.path.dirname(p) for p in facts.copy_paths[m]}) == 1)
    present = [m for m in members if corpus.resolve(sorted(facts.copy_paths[m])[0])]
    absent = [m for m in members if m not in present]
    n_abs = cap("copybook_users") // 2
    chosen = pick(absent, n_abs, rng, keep_all) + pick(
        present, cap("copybook_users") - min(n_abs, len(absent)), rng, keep_all)
    for m in sorted(chosen):
        path = sorted(facts.copy_paths[m])[0]
        qs.append({
            "id": qid("copybook_users", m), "kind": "copybook_users",
            "question": "What programs use %s.CPY?" % m, "subject": m,
            "expected": {"names": sorted(facts.copy_users[m]), "copy_path": path,
                         "in_corpus": corpus.resolve(path) is not None},
            "rule": "programs whose own text has COPY of the member; members copied "
                    "by >= 2 programs from a single library; half of them not in the corpus",
        })

    # ---- procedure_users ---------------------------------------------------
    cands = []
    for name, rel, line in copybook_sections(corpus, facts):
        refs = facts.proc_refs.get(name, [])
        if not any(r[0] != rel for r in refs):
            continue
        users = set()
        ok = True
        for (r, _) in refs:
            f = corpus.files[r]
            progs_here = [f.rel] if f.is_program else sorted(corpus.users_of.get(r, ()))
            for pr in progs_here:
                if rel not in corpus.closure[pr]:
                    ok = False   # performed where the definition is not visible
                users.add(pname[pr])
        if ok and users:
            cands.append((name, rel, line, sorted(users), sorted(set(refs))))
    multi = [x for x in cands if len(x[3]) >= 2]
    single = [x for x in cands if len(x[3]) < 2]
    multi = pick(multi, (cap("procedure_users") + 1) // 2, rng, keep_all)
    chosen = multi + pick(single, cap("procedure_users") - len(multi), rng, keep_all)
    for (name, rel, line, users, refs) in sorted(chosen):
        qs.append({
            "id": qid("procedure_users", name), "kind": "procedure_users",
            "question": "Where is %s used?" % name, "subject": name,
            "expected": {"names": users, "sites": [site(r, n) for r, n in refs],
                         "defined_in": [rel, line]},
            "rule": "SECTION defined once, in a procedure copybook, and PERFORMed / "
                    "GO TO from another file; names = programs performing it in their "
                    "text or through a copybook they COPY",
        })

    # ---- data_definition / data_usage --------------------------------------
    proc_names = set(facts.proc_defs)
    dcands = []
    for name, defs in facts.data_defs.items():
        if len(defs) != 1 or name in proc_names or name in facts.literal_text:
            continue
        d = defs[0]
        if d["file"] in facts.replaced:
            continue
        src = corpus.files[d["file"]]
        if not src.is_program:
            paths = facts.copy_paths.get(src.member, set())
            if len({os.path.dirname(p) for p in paths}) > 1 or len(corpus.cpy_by_member[src.member]) > 1:
                continue
        rx = word_re(name)
        sites = []
        for (rel, n) in facts.proc_word_index.get(name, []):
            code = dict_line(facts, rel, n)
            if rx.search(code) and not (rel == d["file"] and n == d["line"]):
                sites.append((rel, n))
        sites = sorted(set(sites))
        # every use must be in a file that sees the definition
        visible = set()
        for pr in (corpus.users_of.get(d["file"], set())):
            visible |= corpus.closure[pr]
        if any(r not in visible for r, _ in sites):
            continue
        dcands.append((name, d, sites))
    dcands.sort(key=lambda x: x[0])
    used = [x for x in dcands if 1 <= len(x[2]) <= 25]
    defs_pool = [x for x in dcands if x[2]]
    dd = stratified(defs_pool, lambda x: x[1]["file"].split("/")[0],
                    cap("data_definition"), rng, keep_all)
    for (name, d, sites) in dd:
        exp = definition_expected(facts, name)
        qs.append({
            "id": qid("data_definition", name), "kind": "data_definition",
            "question": "Where is the variable %s defined?" % name, "subject": name,
            "expected": exp,
            "rule": "data item (level 01-49/66/77/78/88, not FILLER, not a screen control) defined exactly once "
                    "in the corpus, not in a copybook copied with REPLACING, referenced "
                    "in procedure code",
        })
    taken = set() if keep_all else {y[0] for y in dd}
    du = stratified([x for x in used if x[0] not in taken],
                    lambda x: x[1]["file"].split("/")[0], cap("data_usage"), rng, keep_all)
    for (name, d, sites) in du:
        qs.append({
            "id": qid("data_usage", name), "kind": "data_usage",
            "question": "How is %s used?" % name, "subject": name,
            "expected": {"sites": [site(r, n) for r, n in sites],
                         "defined_in": [d["file"], d["line"]]},
            "rule": "data item defined once; every procedure-code line (program after "
                    "PROCEDURE DIVISION, procedure copybooks) naming it as a whole word, "
                    "comments and literals excluded; 1..25 sites",
        })

    # ---- files -------------------------------------------------------------
    fcands = [p.rel for p in progs if facts.selects[p.rel]]
    for rel in pick(fcands, cap("files"), rng, keep_all):
        name = pname[rel]
        qs.append({
            "id": qid("files", name), "kind": "files",
            "question": "What files does %s use?" % name, "subject": name,
            "expected": {"names": facts.selects[rel], "direct_names": facts.own_selects[rel],
                         "file": rel},
            "rule": "SELECT names in the program file's own environment division and in "
                    "the corpus copybooks it reaches by COPY",
        })

    # ---- dependencies ------------------------------------------------------
    depc = [p.rel for p in progs
            if facts.calls[p.rel]["confident"] and facts.calls[p.rel]["names"]
            and facts.copy_members[p.rel]]
    for rel in pick(depc, cap("dependencies"), rng, keep_all):
        name = pname[rel]
        names = sorted(set(facts.copy_members[rel]) | set(facts.calls[rel]["names"])
                       | set(facts.selects[rel]))
        qs.append({
            "id": qid("dependencies", name), "kind": "dependencies",
            "question": "What are the dependencies of %s?" % name, "subject": name,
            "expected": {"names": names, "copybooks": facts.copy_members[rel],
                         "calls": facts.calls[rel]["names"], "files": facts.selects[rel],
                         "file": rel},
            "rule": "copybooks (own text) union called programs (calls rule) union "
                    "SELECT names (files rule)",
        })

    # ---- overview ----------------------------------------------------------
    tops = sorted({p.top for p in corpus.programs})
    qs.append({
        "id": "overview:all", "kind": "overview",
        "question": "What does the full set of code do?", "subject": "*",
        "expected": {"names": tops},
        "rule": "top-level folders that hold program files",
    })

    # ---- business_process --------------------------------------------------
    wordsets = {r: set(distinctive(v["text"])) for r, v in descs.items()}
    bp = []
    for r, v in sorted(descs.items()):
        words = wordsets[r]
        if (v["how"] == "label" and v["complete"] and len(words) >= 3
                and pname[r] not in v["text"].upper()
                and not any(words <= w2 for r2, w2 in wordsets.items() if r2 != r)):
            bp.append(r)
    for rel in stratified(bp, lambda r: r.split("/")[0], cap("business_process"), rng, keep_all):
        d = descs[rel]["text"]
        phrase = re.sub(r"[:;,.\s]+$", "", d.lower())
        name = pname[rel]
        qs.append({
            "id": qid("business_process", name), "kind": "business_process",
            "question": "Which program handles %s?" % phrase, "subject": name,
            "expected": {"names": [name], "file": rel, "top_k": 5},
            "rule": "program whose one-line DESCRIPTION has >= 3 distinctive words "
                    "that no other program's description contains all of; "
                    "recall = program among the top 5 of the answer",
        })

    # ---- flow, screen_flow (rules in flows.py) -------------------------------
    flows.TR = sys.modules[__name__]
    qs.extend(flows.questions(corpus, facts, root, qid))

    qs.extend(follow_ups(qs, facts, corpus, rng))

    # ---- complete answers (rules in complete.py; its own seeded generator) -----
    qs.extend(complete.questions(
        sys.modules[__name__], corpus, facts, random.Random("complete-%d" % seed), keep_all,
        progs, pname, descs, set() if keep_all else set(purpose_set), dcands,
        set() if keep_all else {y[0] for y in dd} | {y[0] for y in du}))

    # ---- the codebase as a whole (rules in corpus.py; its own seeded generator) ----
    whole.TR = sys.modules[__name__]
    qs.extend(whole.questions(corpus, facts, root, qid, seed))

    order = {k: i for i, k in enumerate([
        "overview", "purpose", "business_process", "copybooks", "calls",
        "callers", "dependencies", "files", "copybook_users", "procedure_users",
        "data_definition", "data_usage", "flow", "screen_flow"] + complete.KINDS
        + whole.KINDS)}
    qs.sort(key=lambda q: (order.get(q["kind"], 99), "follows" in q, q["id"]))
    return {
        "corpus": os.path.basename(os.path.normpath(root)),
        "seed": seed,
        "counts": count_kinds(qs),
        "questions": qs,
    }


def copybook_sections(corpus, facts):
    """(name, file, line) of each SECTION defined once in the corpus, in a copybook."""
    for name, defs in facts.proc_defs.items():
        if len(defs) != 1:
            continue
        rel, line, is_sec = defs[0]
        if is_sec and not corpus.files[rel].is_program:
            yield name, rel, line


def definition_expected(facts, name):
    d = facts.data_defs[name][0]
    exp = {"sites": [site(d["file"], d["line"])], "level": d["level"]}
    if d["pic"]:
        exp["pic"] = d["pic"]
    return exp


def purpose_question(name, rel, d):
    return {
        "id": qid("purpose", name), "kind": "purpose",
        "question": "What does %s do?" % name, "subject": name,
        "expected": {"description": d["text"], "description_full": d["full"],
                     "file": rel},
        "rule": "every program with a header description (%s); sample "
                "stratified by top folder" % (
                    "first DESCRIPTION:/DESC: line" if d["how"] == "label"
                    else "first free text line of the header comments"),
    }


def dict_line(facts, rel, n):
    if not hasattr(facts, "_line_map"):
        facts._line_map = {(r, k): code for (r, k, code) in facts.proc_lines}
    return facts._line_map[(rel, n)]


def distinctive(d):
    """Words of >= 3 letters that are not stop words (a data name such as
    LN-SKIP-TRW counts as one word)."""
    out = set()
    for w in d.upper().split():
        w = w.strip("()[]{}'\",.;:!?\"")
        if re.fullmatch(r"[A-Z][A-Z&/-]{2,}", w) and w not in STOPWORDS:
            out.add(w)
    return sorted(out)


def count_kinds(qs):
    out = defaultdict(int)
    for q in qs:
        out[q["kind"] + (" (follow-up)" if "follows" in q else "")] += 1
    return dict(sorted(out.items()))


def follow_ups(qs, facts, corpus, rng):
    """'it' questions that refer to the subject of an earlier question."""
    out = []
    pname = corpus.prog_name
    rel_of = {v: k for k, v in pname.items()}
    purposes = [q for q in qs if q["kind"] == "purpose"]
    usages = [q for q in qs if q["kind"] == "data_usage"]
    # copybooks after purpose
    for q in purposes:
        rel = q["expected"]["file"]
        if facts.copy_members[rel] and len([o for o in out if o["kind"] == "copybooks"]) < 3:
            out.append({
                "id": q["id"] + "/copybooks", "kind": "copybooks", "follows": q["id"],
                "question": "What copybooks does it use?", "subject": q["subject"],
                "expected": {"names": facts.copy_members[rel], "file": rel},
                "rule": "follow-up on a purpose question: copybooks of its program",
            })
    # callers after purpose (programs that are called by someone)
    n = 0
    for q in purposes:
        name = q["subject"]
        if facts.callers.get(name) and name not in facts.ambiguous_targets and n < 3:
            out.append({
                "id": q["id"] + "/callers", "kind": "callers", "follows": q["id"],
                "question": "Which programs call it?", "subject": name,
                "expected": {"names": sorted(facts.callers[name])},
                "rule": "follow-up on a purpose question: callers of its program",
            })
            n += 1
    if n == 0:
        # no sampled purpose subject is called: add a purpose question for a callee
        for t in sorted(facts.callers):
            if t in rel_of and t not in facts.ambiguous_targets:
                rel = rel_of[t]
                d = description(corpus.files[rel])
                if not d:
                    continue
                base = purpose_question(t, rel, d)
                base["id"] += "#callee"
                base["rule"] = "purpose of a called program (anchor for a follow-up)"
                out.append(base)
                out.append({
                    "id": base["id"] + "/callers", "kind": "callers", "follows": base["id"],
                    "question": "Which programs call it?", "subject": t,
                    "expected": {"names": sorted(facts.callers[t])},
                    "rule": "follow-up on a purpose question: callers of its program",
                })
                n += 1
                if n >= 2:
                    break
    # definition after usage
    for q in usages[:3]:
        out.append({
            "id": q["id"] + "/definition", "kind": "data_definition", "follows": q["id"],
            "question": "Where is it defined?", "subject": q["subject"],
            "expected": definition_expected(facts, q["subject"]),
            "rule": "follow-up on a data_usage question: definition of its variable",
        })
    return out


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?",
                    default=os.path.join(repo, "..", "shared", "otis-train"))
    ap.add_argument("--out", help="write JSON here instead of stdout")
    ap.add_argument("--seed", type=int, default=35)
    ap.add_argument("--all", action="store_true",
                    help="keep every candidate question (no sampling caps)")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.corpus):
        ap.error("corpus folder not found: %s" % a.corpus)
    data = build(a.corpus, a.seed, a.all)
    text = json.dumps(data, indent=1, sort_keys=False) + "\n"
    if a.out:
        d = os.path.dirname(a.out)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(a.out, "w") as fh:
            fh.write(text)
        print("%d questions -> %s" % (len(data["questions"]), a.out), file=sys.stderr)
        for k, v in data["counts"].items():
            print("  %-30s %d" % (k, v), file=sys.stderr)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
