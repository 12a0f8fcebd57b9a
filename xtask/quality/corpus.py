"""Ground truth for questions about the codebase as a whole (counts, lists, rankings,
unused and orphan code, unresolved calls, call-graph metrics, impact analysis, files and
CRUD, menus and screens, honest absence, follow-ups over lists).

It reads the sources with truth.py's own reading (tokens, COPY resolution, procedure
streams, the calls rule) and flows.py's menus, never with the project's Rust code.
Questions are chosen by rules (thresholds from the data's distribution, directories and
name fragments taken from the data, a fixed seed), never by member names, so the script
runs unchanged on other folders of the same codebase.  Every rule is in README.md,
section "Questions about the codebase as a whole".
"""

import os
import random
import re
from collections import defaultdict, deque

# truth.py sets this to itself before asking for questions.
TR = None


def _truth():
    if TR is not None:
        return TR
    import truth  # noqa: used alone (tests)
    return truth


def _flows():
    tr = _truth()
    import flows
    flows.TR = tr
    return flows


# --------------------------------------------------------------------------
# Statement kinds
# --------------------------------------------------------------------------

# Kinds a program (procedure stream) or a copybook (own text) may use, in the order
# questions list them.  The value is how the question names the kind.
STATEMENTS = [
    "SORT", "MERGE", "EXEC SQL", "EXEC CICS", "GO TO", "ALTER", "STRING", "UNSTRING",
    "INSPECT", "EVALUATE", "COMPUTE", "SEARCH", "MOVE CORRESPONDING", "EXIT PROGRAM",
    "STOP RUN", "GOBACK", "CALL identifier",
]
# One-word statements: the verb alone is the kind.
SIMPLE_VERBS = {"SORT", "MERGE", "ALTER", "STRING", "UNSTRING", "INSPECT", "EVALUATE",
                "COMPUTE", "SEARCH", "GOBACK"}
# Data-side properties, same scope rules (program: own text + copybooks it copies).
DATA_KINDS = ["FD", "88 level", "SCREEN SECTION"]

# How questions phrase a kind ("Which programs use ...?").
STMT_PHRASE = {
    "SORT": "SORT", "MERGE": "MERGE", "EXEC SQL": "EXEC SQL", "EXEC CICS": "EXEC CICS",
    "GO TO": "GO TO", "ALTER": "ALTER", "STRING": "STRING", "UNSTRING": "UNSTRING",
    "INSPECT": "INSPECT", "EVALUATE": "EVALUATE", "COMPUTE": "COMPUTE",
    "SEARCH": "SEARCH", "MOVE CORRESPONDING": "MOVE CORRESPONDING",
    "EXIT PROGRAM": "EXIT PROGRAM", "STOP RUN": "STOP RUN", "GOBACK": "GOBACK",
    "CALL identifier": "a CALL through a variable",
}

OPEN_MODES = ("INPUT", "OUTPUT", "I-O", "EXTEND")
OPEN_SKIP = {"WITH", "NO", "REWIND", "LOCK", "SHARING", "ALL", "OTHER", "READERS",
             "REVERSED", "MASS-UPDATE", "EXCLUSIVE"}

# Verbs whose statements may end with an explicit END-verb: scopes for IF nesting.
SCOPED_VERBS = {"EVALUATE", "SEARCH", "READ", "WRITE", "REWRITE", "DELETE", "START",
                "RETURN", "STRING", "UNSTRING", "CALL", "COMPUTE", "ADD", "SUBTRACT",
                "MULTIPLY", "DIVIDE", "ACCEPT", "DISPLAY"}
NOT_PHRASE = {"AT", "INVALID", "ON", "SIZE", "EXCEPTION", "OVERFLOW", "END-OF-PAGE", "EOP"}

# Plausible business words for absence questions (idioms of a loan system's users,
# not member names); only those that no name of the corpus contains are asked.
BUSINESS_WORDS = ["BILLING", "PAYROLL", "INVOICE", "MORTGAGE", "ESCROW", "WARRANTY",
                  "SHIPPING", "INVENTORY", "COUPON", "REFUND", "DIVIDEND", "PENSION",
                  "VOUCHER", "TARIFF", "SUBSIDY"]

MONTHS_OK = range(1, 13)


def exec_mask(toks):
    """Per token: inside an EXEC ... END-EXEC block (the EXEC word itself excluded)."""
    out = []
    inside = False
    for t in toks:
        if inside:
            out.append(True)
            if t.text == "END-EXEC":
                inside = False
            continue
        out.append(False)
        if t.kind == "W" and t.text == "EXEC":
            inside = True
    return out


def statement_kinds(toks):
    """Statement kinds used in a token list (comments and literals are not tokens of
    this kind; words inside EXEC ... END-EXEC are SQL/CICS text, not statements)."""
    out = set()
    mask = exec_mask(toks)
    n = len(toks)
    for i, t in enumerate(toks):
        if t.kind != "W" or mask[i]:
            continue
        w = t.text
        nxt = toks[i + 1] if i + 1 < n else None
        nw = nxt.text if nxt is not None else ""
        if w == "EXEC":
            if nw in ("SQL", "CICS"):
                out.add("EXEC " + nw)
        elif w in SIMPLE_VERBS:
            out.add(w)
        elif w == "GO":
            out.add("GO TO")
        elif w == "MOVE" and nw in ("CORRESPONDING", "CORR"):
            out.add("MOVE CORRESPONDING")
        elif w == "EXIT" and nw == "PROGRAM":
            out.add("EXIT PROGRAM")
        elif w == "STOP" and nw == "RUN":
            out.add("STOP RUN")
        elif w == "CALL" and nxt is not None and nxt.kind == "W":
            out.add("CALL identifier")
    return out


def data_kinds(toks):
    """FD entries, 88 levels and a SCREEN SECTION in the data part of a file's own
    tokens (a program's tokens before PROCEDURE DIVISION, a copybook's all)."""
    out = set()
    prev_period = True
    for i, t in enumerate(toks):
        if t.kind == "W" and prev_period:
            if t.text == "FD":
                out.add("FD")
            elif t.text == "88" and t.first and i + 1 < len(toks) and toks[i + 1].kind == "W":
                out.add("88 level")
            elif (t.text == "SCREEN" and i + 2 < len(toks) and toks[i + 1].text == "SECTION"
                  and toks[i + 2].kind == "."):
                out.add("SCREEN SECTION")
        prev_period = t.kind == "."
    return out


def perform_loops(toks, i):
    """PERFORM at i has an UNTIL or VARYING phrase."""
    tr = _truth()
    n = len(toks)
    j = i + 1
    if j < n and toks[j].kind == "W" and toks[j].text not in tr.RESERVED \
            and not toks[j].text.isdigit():
        j += 1
        if j + 1 < n and toks[j].text in ("THRU", "THROUGH"):
            j += 2
    if j < n and toks[j].text == "WITH":
        j += 1
    if j < n and toks[j].text == "TEST":
        j += 2
    return j < n and toks[j].text in ("UNTIL", "VARYING")


def inline_perform(toks, i):
    n = len(toks)
    if i + 1 >= n:
        return False
    nxt = toks[i + 1].text
    if nxt in ("UNTIL", "VARYING", "WITH", "TEST"):
        return True
    return i + 2 < n and toks[i + 2].text == "TIMES"


def mccabe(toks):
    """1 + decision points of a procedure token list (README: complexity)."""
    tr = _truth()
    mask = exec_mask(toks)
    n = len(toks)
    score = 1
    in_unstring = False
    for i, t in enumerate(toks):
        if t.kind != "W" or mask[i]:
            if t.kind == ".":
                in_unstring = False
            continue
        w = t.text
        prev = toks[i - 1].text if i else ""
        nxt = toks[i + 1].text if i + 1 < n else ""
        if w == "UNSTRING":
            in_unstring = True
        elif w == "INTO":
            in_unstring = False
        if w == "IF":
            score += 1
        elif w == "WHEN" and nxt != "OTHER":
            score += 1
        elif w == "PERFORM" and perform_loops(toks, i):
            score += 1
        elif (w == "AFTER" and i + 2 < n and toks[i + 1].kind == "W"
              and toks[i + 2].text == "FROM"):
            # PERFORM ... VARYING ... AFTER X FROM ...: a nested loop, its own UNTIL.
            score += 1
        elif w == "END" and prev == "AT":
            score += 1
        elif w in ("END-OF-PAGE", "EOP"):
            score += 1
        elif w == "INVALID":
            score += 1
        elif w == "SIZE" and nxt == "ERROR":
            score += 1
        elif w == "OVERFLOW":
            score += 1
        elif w == "EXCEPTION" and prev not in ("STANDARD", "AFTER"):
            score += 1
        elif w == "GO":
            names, depending = tr.goto_targets(toks, i)
            if depending and names:
                score += len(names) - 1
        elif w in ("AND", "OR") and not in_unstring:
            score += 1
    return score


def if_depth(toks):
    """Deepest IF nesting: IFs open at once.  An IF closes at its END-IF, at the
    sentence's period, at an ELSE of an enclosing IF once it has had its own ELSE, at
    a WHEN or END-EVALUATE of an enclosing EVALUATE / SEARCH, at the END-verb of an
    enclosing scoped statement, and at the NOT phrase of an enclosing I/O or
    arithmetic statement."""
    mask = exec_mask(toks)
    stack = []   # [kind, has_else]
    best = 0
    n = len(toks)

    def depth():
        return sum(1 for f in stack if f[0] == "IF")

    def pop_to(pred, inclusive):
        for k in range(len(stack) - 1, -1, -1):
            if pred(stack[k]):
                del stack[k + (0 if inclusive else 1):]
                return True
        return False

    for i, t in enumerate(toks):
        if mask[i]:
            continue
        if t.kind == ".":
            stack.clear()
            continue
        if t.kind != "W":
            continue
        w = t.text
        nxt = toks[i + 1].text if i + 1 < n else ""
        if w == "IF":
            stack.append(["IF", False])
            best = max(best, depth())
        elif w == "ELSE":
            while stack and (stack[-1][0] != "IF" or stack[-1][1]):
                stack.pop()
            if stack:
                stack[-1][1] = True
        elif w == "END-IF":
            pop_to(lambda f: f[0] == "IF", True)
        elif w == "WHEN":
            pop_to(lambda f: f[0] in ("EVALUATE", "SEARCH"), False)
        elif w == "PERFORM":
            if inline_perform(toks, i):
                stack.append(["PERFORM", False])
        elif w in SCOPED_VERBS:
            stack.append([w, False])
        elif w == "NOT" and nxt in NOT_PHRASE and i and toks[i - 1].text not in ("IF",):
            # NOT AT END / NOT INVALID KEY / NOT ON SIZE ERROR ...: the enclosing
            # statement's other branch (only when a scoped statement is open)
            if nxt in ("AT", "ON") and i + 2 < n and toks[i + 2].text not in (
                    "END", "SIZE", "EXCEPTION", "OVERFLOW", "END-OF-PAGE", "EOP"):
                continue
            pop_to(lambda f: f[0] not in ("IF", "PERFORM", "EVALUATE", "SEARCH"), False)
        elif w.startswith("END-"):
            verb = w[4:]
            if any(f[0] == verb for f in stack):
                pop_to(lambda f, v=verb: f[0] == v, True)
    return best


# --------------------------------------------------------------------------
# Revision dates
# --------------------------------------------------------------------------

DATE_RX = r"(\d{4}[.-]\d{2}[.-]?\d{2}|\d{8}|\d{6}|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))"
REV_ENTRY_RE = re.compile(
    r"^(?:[A-Z]{2,4}\s+" + DATE_RX + r"(?![\d/.-])|" + DATE_RX + r"\s+[A-Z]{2,4}\b)")
# After a REV: label, a line that starts with a date is an entry without initials.
REV_DATED_RE = re.compile(r"^" + DATE_RX + r"\s+[A-Z]")
REV_LABEL_RE = re.compile(r"^REV(?:ISIONS?)?\s*:\s*")


def _valid(y, m, d):
    return 1 <= m <= 12 and 1 <= d <= 31


def _year2(yy):
    return 1900 + yy if yy >= 50 else 2000 + yy


def parse_date(text):
    """A revision date as YYYY-MM-DD, or None (README: most recently revised)."""
    t = text
    m = re.fullmatch(r"(\d{4})[.-](\d{2})[.-]?(\d{2})", t)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return "%04d-%02d-%02d" % (y, mo, d) if _valid(y, mo, d) else None
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", t)
    if m:
        mo, d, y = (int(x) for x in m.groups())
        if len(m.group(3)) == 2:
            y = _year2(y)
        return "%04d-%02d-%02d" % (y, mo, d) if _valid(y, mo, d) else None
    if re.fullmatch(r"\d{8}", t):
        y, mo, d = int(t[:4]), int(t[4:6]), int(t[6:])
        if 1900 <= y <= 2099 and _valid(y, mo, d):
            return "%04d-%02d-%02d" % (y, mo, d)
        mo, d, y = int(t[:2]), int(t[2:4]), int(t[4:])
        return "%04d-%02d-%02d" % (y, mo, d) if _valid(y, mo, d) else None
    if re.fullmatch(r"\d{6}", t):
        yy, mo, d = int(t[:2]), int(t[2:4]), int(t[4:])
        if _valid(0, mo, d):
            return "%04d-%02d-%02d" % (_year2(yy), mo, d)
        mo, d, yy = int(t[:2]), int(t[2:4]), int(t[4:])
        if _valid(0, mo, d):
            return "%04d-%02d-%02d" % (_year2(yy), mo, d)
    return None


def revision_dates(src):
    """Dates of the revision entries in a program's header comments."""
    tr = _truth()
    out = []
    in_revisions = False
    for n, text in tr.header_comment_lines(src):
        c = tr.clean_comment(text).upper()
        if REV_LABEL_RE.match(c):
            in_revisions = True
        c = REV_LABEL_RE.sub("", c)
        m = REV_ENTRY_RE.match(c)
        if not m and in_revisions:
            m = REV_DATED_RE.match(c)
            if m:
                d = parse_date(m.group(1))
                if d:
                    out.append((d, n))
            continue
        if not m:
            continue
        d = parse_date(m.group(1) or m.group(2))
        if d:
            out.append((d, n))
    return out


# --------------------------------------------------------------------------
# Screen forms
# --------------------------------------------------------------------------


def read_form(path):
    """A form file: prompt records ("p", text, row, col, flag: 5 lines) and field
    records ("f", name, value, picture, ... : 17 lines).  Returns (prompts, fields)."""
    with open(path, "rb") as fh:
        lines = fh.read().decode("latin-1").split("\n")
    lines = [ln.rstrip("\r") for ln in lines]
    prompts, fields = [], []
    i = 0
    while i < len(lines):
        tag = lines[i]
        if tag == "p" and i + 1 < len(lines):
            prompts.append(lines[i + 1])
            i += 5
        elif tag == "f" and i + 1 < len(lines):
            fields.append({"name": lines[i + 1].strip().upper(),
                           "value": lines[i + 2].strip() if i + 2 < len(lines) else ""})
            i += 17
        else:
            i += 1
    return prompts, fields


OPTION_LABEL_RE = re.compile(r"^\s*(\d{1,2})\s*\.\s+(\S.*?)\s*$")


def option_labels(prompts):
    """number -> label from prompts "N. TEXT" (spaces inside collapsed)."""
    out = {}
    for p in prompts:
        m = OPTION_LABEL_RE.match(p)
        if m:
            out.setdefault(int(m.group(1)), " ".join(m.group(2).split()))
    return out


def form_files(root):
    """Form files: files without an extension under a folder named FM.
    Returns [(rel, name, folder)] sorted by rel."""
    out = []
    for dp, dns, fns in os.walk(root):
        dns.sort()
        parts = os.path.relpath(dp, root).replace(os.sep, "/").upper().split("/")
        if "FM" not in parts:
            continue
        for fn in sorted(fns):
            if "." in fn:
                continue
            rel = os.path.relpath(os.path.join(dp, fn), root).replace(os.sep, "/")
            out.append((rel, fn.upper(), os.path.dirname(rel)))
    return out


def physical_lines(path):
    with open(path, "rb") as fh:
        data = fh.read()
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


# --------------------------------------------------------------------------
# The model of the corpus
# --------------------------------------------------------------------------


class Model:
    """Entities and relations of the whole corpus, by truth.py's reading."""

    def __init__(self, corpus, facts, root):
        tr = _truth()
        self.c = corpus
        self.f = facts
        self.root = root
        self.progs = list(corpus.programs)
        self.cpys = list(corpus.copybooks)
        # names: a program is its file stem; a copybook its member
        self.name = {}
        for s in self.progs + self.cpys:
            self.name[s.rel] = os.path.splitext(os.path.basename(s.rel))[0].upper()
        self.pdir = {p.rel: p.rel.split("/")[0] for p in self.progs}
        self.lib = {s.rel: os.path.dirname(s.rel) for s in self.cpys}
        self.lines = {s.rel: physical_lines(s.path) for s in self.progs + self.cpys}
        self.prog_rels = defaultdict(list)          # program name -> rels
        for p in self.progs:
            self.prog_rels[self.name[p.rel]].append(p.rel)
        self.cpy_rels = defaultdict(list)           # member -> rels
        for s in self.cpys:
            self.cpy_rels[self.name[s.rel]].append(s.rel)

        # ---- COPY edges (resolved as truth.py resolves them) ----
        self.copies = defaultdict(set)      # file -> files it copies directly
        self.copied_by = defaultdict(set)   # file -> files that copy it directly
        for s in corpus.files.values():
            for cp in s.copies:
                t = corpus.resolve(cp["path"])
                if t is not None:
                    self.copies[s.rel].add(t.rel)
                    self.copied_by[t.rel].add(s.rel)
        # programs using a copybook file, nested (names)
        self.cpy_users = {s.rel: sorted({self.name[p] for p in corpus.users_of.get(s.rel, ())
                                         if p != s.rel})
                          for s in self.cpys}

        # ---- calls ----
        self.callees = {}                   # program rel -> set of target names
        for p in self.progs:
            self.callees[p.rel] = set(facts.calls[p.rel]["names"])
        self.callers = defaultdict(set)     # target name -> program names (not itself)
        for p in self.progs:
            for t in self.callees[p.rel]:
                if t != self.name[p.rel]:
                    self.callers[t].add(self.name[p.rel])
        self.self_calls = sorted({self.name[p.rel] for p in self.progs
                                  if self.name[p.rel] in self.callees[p.rel]})

        # ---- expanded procedure streams: statements, FORM-NAM literals, CRUD ----
        self.stmts = {}
        self.named = {}                     # program rel -> FORM-NAM literal targets
        streams = {}
        for p in self.progs:
            stream = corpus.expanded_proc(p)
            streams[p.rel] = stream
            self.stmts[p.rel] = statement_kinds(stream)
            lits = set()
            for (i, lit, _after) in tr.dyn_moves(stream):
                if lit:
                    nm = lit.upper().split("/")[-1].strip()
                    if nm and not tr.is_runtime(nm):
                        lits.add(nm)
            self.named[p.rel] = lits
        for s in self.cpys:
            self.stmts[s.rel] = statement_kinds(s.tokens)

        # ---- data-side kinds (own text; programs add their copybooks, nested) ----
        own_data = {}
        for s in self.progs + self.cpys:
            stop = s.proc_tok if (s.is_program and s.proc_tok is not None) else len(s.tokens)
            if not s.is_program and corpus.is_proc_file(s):
                own_data[s.rel] = set()
            else:
                own_data[s.rel] = data_kinds(s.tokens[:stop])
        self.own_data = own_data
        self.data = {}
        for p in self.progs:
            ks = set()
            for r in corpus.closure[p.rel]:
                ks |= own_data.get(r, set())
            self.data[p.rel] = ks
        for s in self.cpys:
            self.data[s.rel] = set(own_data[s.rel])

        # ---- complexity, IF depth, revisions (own file) ----
        self.mccabe, self.ifdepth, self.revised = {}, {}, {}
        for p in self.progs:
            own = [p.tokens[k] for k in corpus.proc_tokens(p)]
            self.mccabe[p.rel] = mccabe(own)
            self.ifdepth[p.rel] = if_depth(own)
            dates = revision_dates(p)
            if dates:
                self.revised[p.rel] = max(d for d, _ in dates)

        # ---- menus (flows.py's idiom) ----
        fl = _flows()
        self.menus = {}                     # program rel -> [(number, program)]
        for p in self.progs:
            stream = fl.own_stream(corpus, p)
            ui, opts = fl.menu_options(stream, fl.units(stream))
            if ui is not None:
                self.menus[p.rel] = [(o[0], o[2]) for o in opts if o[2]]

        # ---- screens ----
        self.forms = []                     # (rel, name, folder)
        self.form_prompts, self.form_fields = {}, {}
        for rel, name, folder in form_files(root):
            prompts, fields = read_form(os.path.join(root, rel))
            self.forms.append((rel, name, folder))
            self.form_prompts[rel] = prompts
            self.form_fields[rel] = fields

        # ---- files and CRUD ----
        self.selects = {}                   # file rel -> SELECT names (own text)
        for s in self.progs + self.cpys:
            self.selects[s.rel] = sorted(set(tr.Facts._select_names(s.tokens, True)))
        self.fd_records = {}                # file rel -> {FD name: [01 record names]}
        for s in self.progs + self.cpys:
            self.fd_records[s.rel] = self._fd_records(s)
        self.crud = {}
        for p in self.progs:
            self.crud[p.rel] = self._crud(p, streams[p.rel])

    # ------------------------------------------------------------------
    def _records(self, s, lo, hi, repl, depth=0):
        """Level-01 names in s.tokens[lo:hi], with the COPYs there expanded (nested),
        REPLACING LEADING / whole-word pairs applied (inner first). An FD or SD met
        (in a copied member) ends the records: what follows belongs to that file."""
        return self._records_to_fd(s, lo, hi, repl, depth)[0]

    def _records_to_fd(self, s, lo, hi, repl, depth):
        out = []
        toks = s.tokens
        copy_at = {c["idx"]: c for c in s.copies}
        prev_period = True
        i = lo
        while i < hi:
            t = toks[i]
            c = copy_at.get(i)
            if c is not None:
                tgt = self.c.resolve(c["path"])
                if tgt is not None and depth < 8:
                    pairs = copy_replacing(toks, i, c["end"]) + repl
                    more, ended = self._records_to_fd(tgt, 0, len(tgt.tokens), pairs, depth + 1)
                    out += more
                    if ended:
                        return out, True
                i = c["end"] + 1
                prev_period = True
                continue
            if t.kind == "W" and prev_period and t.text in ("FD", "SD"):
                return out, True
            if (t.kind == "W" and t.first and prev_period and t.text in ("01", "1")
                    and i + 1 < hi and toks[i + 1].kind == "W"
                    and toks[i + 1].text != "FILLER"):
                out.append(apply_replacing(toks[i + 1].text, repl))
            prev_period = t.kind == "."
            i += 1
        return out, False

    def _fd_records(self, s):
        """FD name -> level-01 records from the FD up to the next FD / SD or the next
        SECTION / DIVISION header (COPYs there expanded)."""
        toks = s.tokens
        stop = s.proc_tok if (s.is_program and s.proc_tok is not None) else len(toks)
        heads, bounds = [], []
        prev_period = True
        for i in range(stop):
            t = toks[i]
            if t.kind == "W" and prev_period and t.text in ("FD", "SD") \
                    and i + 1 < stop and toks[i + 1].kind == "W":
                heads.append((i, toks[i + 1].text))
                bounds.append(i)
            elif t.kind == "W" and t.text in ("SECTION", "DIVISION"):
                bounds.append(i)
            prev_period = t.kind == "."
        out = {}
        for i, name in heads:
            hi = next((b for b in bounds if b > i), stop)
            out.setdefault(name, [])
            out[name] += self._records(s, i + 2, hi, [])
        return out

    def record_owner(self, p):
        """record name -> FD names, over the FDs in the files the program sees."""
        own = defaultdict(set)
        for r in self.c.closure[p.rel]:
            for fd, recs in self.fd_records.get(r, {}).items():
                for rec in recs:
                    own[rec].add(fd)
        return own

    def _crud(self, p, stream):
        """{file: set of operations} of a program (README: files and CRUD)."""
        tr = _truth()
        ops = defaultdict(set)
        mask = exec_mask(stream)
        owner = self.record_owner(p)
        n = len(stream)
        for i, t in enumerate(stream):
            if t.kind != "W" or mask[i]:
                continue
            w = t.text
            if w == "OPEN":
                mode = None
                j = i + 1
                while j < n:
                    x = stream[j]
                    if x.kind != "W":
                        break
                    if x.text in OPEN_MODES:
                        mode = x.text
                    elif x.text in OPEN_SKIP:
                        pass
                    elif x.text in tr.RESERVED or x.text in tr.PROC_VERBS or mode is None:
                        break
                    else:
                        ops[x.text].add("OPEN " + mode)
                    j += 1
            elif w in ("READ", "DELETE", "START") and i + 1 < n and stream[i + 1].kind == "W":
                name = stream[i + 1].text
                if name not in tr.RESERVED:
                    ops[name].add(w)
            elif w in ("WRITE", "REWRITE") and i + 1 < n and stream[i + 1].kind == "W":
                rec = stream[i + 1].text
                for fd in owner.get(rec, ()):
                    ops[fd].add(w)
        return {k: sorted(v) for k, v in ops.items()}

    # ------------------------------------------------------------------
    # Derived relations
    # ------------------------------------------------------------------
    def reached(self):
        """Program names that another program calls, a menu option runs, or a
        FORM-NAM literal of another program names (called or handed on)."""
        out = set()
        for p in self.progs:
            me = self.name[p.rel]
            for t in self.callees[p.rel] | self.named[p.rel]:
                if t != me:
                    out.add(t)
            for _, prog in self.menus.get(p.rel, []):
                if prog != me:
                    out.add(prog)
        return out

    def graph(self):
        """Call edges between names: program name -> sorted callee names."""
        g = defaultdict(set)
        for p in self.progs:
            g[self.name[p.rel]] |= self.callees[p.rel]
        return {k: sorted(v) for k, v in g.items()}


def copy_replacing(toks, i, end):
    """(mode, from, to) pairs of a COPY statement's REPLACING phrase."""
    pairs = []
    j = i + 2
    while j < end and toks[j].text != "REPLACING":
        j += 1
    j += 1
    while j < end:
        mode = "WORD"
        if toks[j].text in ("LEADING", "TRAILING", "ALL", "FIRST"):
            mode = toks[j].text
            j += 1
        if j + 2 < end and toks[j + 1].text == "BY":
            a = _operand(toks[j])
            b = _operand(toks[j + 2])
            pairs.append((mode, a, b))
            j += 3
        else:
            break
    return pairs


def _operand(t):
    if t.kind == "L":
        return t.lit_value()
    return t.text.strip("=")


def apply_replacing(name, pairs):
    for mode, a, b in pairs:
        if not a:
            continue
        if mode == "LEADING" and name.startswith(a):
            name = b + name[len(a):]
        elif mode == "TRAILING" and name.endswith(a):
            name = name[:-len(a)] + b
        elif mode == "WORD" and name == a:
            name = b
    return name


# --------------------------------------------------------------------------
# Derived facts used by several kinds
# --------------------------------------------------------------------------


def ranking(items, k, reverse=True):
    """items: [(name, value)].  Ordered by value (highest first unless reverse is
    False), ties by name; a name ranks once (its best value).  Expected shape of a
    ranking: the top k names with their values and the names tied with the k-th."""
    items = sorted(items, key=lambda x: x[0])
    items = sorted(items, key=lambda x: x[1], reverse=reverse)
    seen, ordered = set(), []
    for n, v in items:
        if n not in seen:
            seen.add(n)
            ordered.append((n, v))
    top = ordered[:k]
    if not top:
        return {"names": [], "values": [], "ties": [], "top_k": k}
    kth = top[-1][1]
    return {"names": [n for n, _ in top], "values": [v for _, v in top],
            "ties": [n for n, v in ordered[k:] if v == kth], "top_k": k}


def threshold(values, lo, hi):
    """The smallest N among the values such that lo <= #(v > N) <= hi, or None."""
    for n in sorted(set(values)):
        k = sum(1 for v in values if v > n)
        if lo <= k <= hi:
            return n
    return None


def fragments(names, lo, hi):
    """Name fragments taken from the data: the maximal letter runs of >= 3 letters in
    the names and their 3- and 4-letter prefixes, kept when lo..hi names contain them."""
    names = sorted(set(names))
    cands = set()
    for n in names:
        for run in re.findall(r"[A-Z]{3,}", n):
            cands.update({run, run[:3], run[:4]})
    out = []
    for fr in sorted(cands):
        k = sum(1 for n in names if fr in n)
        if lo <= k <= hi:
            out.append(fr)
    return out


def longest_chains(graph, start=None, cap=64):
    """Longest simple paths (in edges) over graph {node: [successors]} (self-calls
    left out); all of them (up to cap) as node lists.  From `start` only if given."""
    nodes = set(graph)
    for v in graph.values():
        nodes.update(v)
    succ = {n: sorted(s for s in graph.get(n, []) if s != n) for n in sorted(nodes)}
    best = [0, []]
    budget = [200000]

    def dfs(path, on):
        budget[0] -= 1
        if budget[0] < 0:
            return
        n = path[-1]
        ext = False
        for s in succ[n]:
            if s in on:
                continue
            ext = True
            on.add(s)
            path.append(s)
            dfs(path, on)
            path.pop()
            on.discard(s)
        if not ext:
            ln = len(path) - 1
            if ln > best[0]:
                best[0], best[1] = ln, [list(path)]
            elif ln == best[0] and ln > 0 and len(best[1]) < cap:
                best[1].append(list(path))

    starts = [start] if start is not None else sorted(nodes)
    for s in starts:
        if s in succ:
            dfs([s], {s})
    return {"length": best[0], "chains": sorted(best[1])}


def strongly_connected(graph):
    """Strongly connected components (Tarjan, iterative) of size >= 2."""
    nodes = set(graph)
    for v in graph.values():
        nodes.update(v)
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = [0]
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, []))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, [])))))
                    advanced = True
                    break
                elif w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) >= 2:
                    comps.append(sorted(comp))
    return sorted(comps)


def impact_levels(m, first, exclude, depth):
    """BFS over "is affected by": level 1 = `first` (file rels); from a copybook the
    files that copy it, from a program the programs that call it.  A file appears
    at its first level only; `exclude` (the changed file itself) never."""
    seen = set(exclude)
    frontier = set(first) - seen
    levels = {}
    for d in range(1, depth + 1):
        if not frontier:
            break
        levels[str(d)] = sorted({m.name[r] for r in frontier})
        seen |= frontier
        nxt = set()
        for r in frontier:
            if r.upper().endswith(_truth().PROGRAM_EXT):
                for caller in m.callers.get(m.name[r], ()):
                    nxt.update(m.prog_rels.get(caller, ()))
            else:
                nxt |= m.copied_by.get(r, set())
        frontier = nxt - seen
    names = sorted({n for v in levels.values() for n in v})
    return {"levels": levels, "names": names, "count": len(names), "depth": depth}


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------


def more_than(n, noun):
    """'more than 3 programs', 'at least one program' (n = 0), 'more than 1 program'."""
    if n == 0:
        return "at least one " + noun
    return "more than %d %s%s" % (n, noun, "" if n == 1 else "s")

KINDS = ["count", "list", "compositional", "ranking", "unused", "orphans", "unresolved",
         "call_chain", "cycles", "fan", "impact", "file_access", "menu", "screens",
         "absence", "refine"]


class Gen:
    """Builds the questions of every kind over a Model."""

    def __init__(self, m, qid, rng):
        self.m = m
        self.qid = qid
        self.rng = rng
        self.qs = []
        self.ids = set()
        self.bases = []          # (question id, entity, rels) of list answers to refine
        self.main_menu = None
        self.reached = set()
        self._closure_members = {}
        self.prog_all = [p.rel for p in m.progs]
        self.cpy_all = [s.rel for s in m.cpys]
        self.dirs = sorted({m.pdir[r] for r in self.prog_all})
        self.libs = sorted({m.lib[r] for r in self.cpy_all})

    # ---- plumbing ------------------------------------------------------
    def add(self, kind, key, question, subject, expected, rule, follows=None):
        qid = self.qid(kind, key)
        base, k = qid, 2
        while qid in self.ids:
            qid = "%s#%d" % (base, k)
            k += 1
        self.ids.add(qid)
        q = {"id": qid, "kind": kind, "question": question, "subject": subject,
             "expected": expected, "rule": rule}
        if follows is not None:
            q["follows"] = follows
        self.qs.append(q)
        return qid

    def files_expected(self, rels):
        """List answer over files (programs, copybooks): distinct names, the count of
        files, and the files."""
        rels = sorted(set(rels))
        return {"names": sorted({self.m.name[r] for r in rels}), "count": len(rels),
                "files": rels}

    @staticmethod
    def names_expected(names):
        names = sorted(set(names))
        return {"names": names, "count": len(names)}

    def pick(self, seq, k=1):
        seq = sorted(seq)
        if len(seq) <= k:
            return seq
        return sorted(self.rng.sample(seq, k))

    def one(self, seq):
        seq = sorted(seq)
        return self.rng.choice(seq) if seq else None

    # ---- facts ---------------------------------------------------------
    def progs_in(self, d):
        return [r for r in self.prog_all if self.m.pdir[r] == d]

    def cpys_in(self, lib):
        return [r for r in self.cpy_all if self.m.lib[r] == lib]

    def uses(self, rel, k):
        return k in self.m.stmts[rel] or k in self.m.data[rel]

    def used_kinds(self):
        return [k for k in STATEMENTS if any(k in self.m.stmts[r] for r in self.prog_all)]

    def unused_kinds(self):
        return [k for k in STATEMENTS
                if not any(k in self.m.stmts[r] for r in self.prog_all + self.cpy_all)]

    def splitting_kinds(self, rels, kinds=None):
        """Kinds used by some but not all of rels."""
        kinds = kinds if kinds is not None else STATEMENTS + DATA_KINDS
        out = []
        for k in kinds:
            n = sum(1 for r in rels if self.uses(r, k))
            if 0 < n < len(rels):
                out.append(k)
        return out

    def ncallees(self, rel):
        me = self.m.name[rel]
        return len([t for t in self.m.callees[rel] if t != me])

    def ncallers(self, name):
        return len(self.m.callers.get(name, ()))

    def copies_member(self, rel, member):
        """The program's COPY closure (nested) holds a file of the member."""
        if rel not in self._closure_members:
            self._closure_members[rel] = {self.m.name[r] for r in self.m.c.closure[rel]
                                          if r != rel and r in self.m.lib}
        return member in self._closure_members[rel]

    # ---- kinds ---------------------------------------------------------
    def build(self):
        self.counts()
        self.lists()
        self.compositional()
        self.rankings()
        self.unused()
        self.orphans()
        self.unresolved()
        self.call_graph()
        self.impact()
        self.file_access()
        self.menus()
        self.screens()
        self.absence()
        self.refine()
        return self.qs

    # ---- count ---------------------------------------------------------
    BIG = 500   # a count question carries its names when there are at most this many

    def count_expected(self, exp):
        if exp["count"] > self.BIG or len(exp["names"]) > self.BIG:
            exp = dict(exp)
            exp.pop("files", None)
            exp["names"] = []
            exp["names_omitted"] = True
        return exp

    def counts(self):
        m = self.m
        self.add("count", "programs", "How many programs are there?", "*",
                 self.count_expected(self.files_expected(self.prog_all)),
                 "programs = .CBL files, counted as files")
        self.add("count", "copybooks", "How many copybooks are there?", "*",
                 self.count_expected(self.files_expected(self.cpy_all)),
                 "copybooks = .CPY files, counted as files (a member in two libraries "
                 "counts twice)")
        phr = ["How many programs are in {d}?", "How many programs does the {d} folder hold?",
               "What is the number of programs in {d}?"]
        for i, d in enumerate(self.dirs):
            self.add("count", "programs-in-" + d, phr[i % len(phr)].format(d=d), d,
                     self.count_expected(self.files_expected(self.progs_in(d))),
                     "programs whose top folder is the directory")
        by_size = sorted(self.libs, key=lambda lb: (-len(self.cpys_in(lb)), lb))
        chosen = []
        for lb in [by_size[0], by_size[-1], self.one(by_size[1:-1] or by_size)]:
            if lb is not None and lb not in chosen:
                chosen.append(lb)
        phr = ["How many copybooks are in {l}?", "How many copybooks does library {l} contain?",
               "Count the copybooks in {l}."]
        for i, lb in enumerate(chosen):
            self.add("count", "copybooks-in-" + lb, phr[i % len(phr)].format(l=lb), lb,
                     self.count_expected(self.files_expected(self.cpys_in(lb))),
                     "copybook files whose folder is exactly the library (sub-folders "
                     "are libraries of their own)")
        secs = [(n, d) for n, ds in m.f.proc_defs.items() for d in ds if d[2]]
        paras = [(n, d) for n, ds in m.f.proc_defs.items() for d in ds if not d[2]]
        for key, items, text in [("sections", secs, "How many sections are defined?"),
                                 ("paragraphs", paras,
                                  "How many paragraphs are there in total?")]:
            exp = {"names": sorted({n for n, _ in items}), "count": len(items)}
            exp["distinct_names"] = len(exp["names"])
            self.add("count", key, text, "*", self.count_expected(exp),
                     "procedure headers (%s) in programs after PROCEDURE DIVISION and in "
                     "procedure copybooks, counted per header" % key)
        items = [(n, d) for n, ds in m.f.data_defs.items() for d in ds]
        exp = {"names": sorted({n for n, _ in items}), "count": len(items)}
        exp["distinct_names"] = len(exp["names"])
        self.add("count", "data-items", "How many data items are defined?", "*",
                 self.count_expected(exp),
                 "level entries (01-49, 66, 77, 78, 88) that are not FILLER or a screen control, in the data part "
                 "of programs and non-procedure copybooks, counted per entry")
        decl = [(n, r) for r, ns in m.selects.items() for n in ns]
        exp = {"names": sorted({n for n, _ in decl}), "count": len(decl)}
        exp["distinct_names"] = len(exp["names"])
        self.add("count", "files", "How many files are declared?", "*",
                 self.count_expected(exp),
                 "SELECT names (EXEC SQL excluded) per declaring file (program or copybook)")
        used = self.used_kinds()
        phr = ["How many programs use {k}?", "How many programs contain {k}?"]
        for i, k in enumerate(self.pick(used, 2)):
            rels = [r for r in self.prog_all if k in m.stmts[r]]
            self.add("count", "programs-using-" + k, phr[i % 2].format(k=STMT_PHRASE[k]), k,
                     self.count_expected(self.files_expected(rels)),
                     "programs whose procedure stream (own procedure division and the "
                     "procedure copybooks it copies, nested) has the statement")
        frs = fragments([m.name[r] for r in self.cpy_all], 3, max(3, len(self.cpy_all) // 10))
        fr = self.one(frs)
        if fr:
            rels = [r for r in self.cpy_all if fr in m.name[r]]
            self.add("count", "copybooks-named-" + fr,
                     "How many copybooks have %s in their name?" % fr, fr,
                     self.count_expected(self.files_expected(rels)),
                     "copybook files whose member name contains the fragment")
        ck = [k for k in STATEMENTS if any(k in m.stmts[r] for r in self.cpy_all)]
        k = self.one(ck)
        if k:
            rels = [r for r in self.cpy_all if k in m.stmts[r]]
            self.add("count", "copybooks-using-" + k,
                     "How many copybooks contain %s?" % STMT_PHRASE[k], k,
                     self.count_expected(self.files_expected(rels)),
                     "copybook files whose own text has the statement")

    # ---- list ----------------------------------------------------------
    def remember(self, qid, entity, rels):
        self.bases.append((qid, entity, sorted(set(rels))))

    def lists(self):
        m = self.m
        used = self.used_kinds()
        split = self.splitting_kinds(self.prog_all, used)
        kinds = split + [k for k in self.pick([k for k in used if k not in split], 1)]
        phr = ["Which programs use {k}?", "List the programs that use {k}.",
               "Show all programs containing {k}.", "What are the programs with {k} in "
               "their code?"]
        for i, k in enumerate(kinds[:7]):
            rels = [r for r in self.prog_all if k in m.stmts[r]]
            qid = self.add("list", "programs-using-" + k, phr[i % len(phr)].format(
                k=STMT_PHRASE[k]), k, self.files_expected(rels),
                "programs whose procedure stream (own procedure division and the procedure "
                "copybooks it copies, nested) has the statement outside comments and "
                "literals")
            self.remember(qid, "program", rels)
        phr = ["Which programs use {k}?", "List the programs that contain {k} statements.",
               "Show me every program that uses {k}."]
        self.listed_unused = self.pick(self.unused_kinds(), 3)
        for i, k in enumerate(self.listed_unused):
            self.add("list", "programs-using-" + k, phr[i % len(phr)].format(
                k=STMT_PHRASE[k]), k, self.files_expected([]),
                "a statement kind no program uses: the truth is empty")
        data_q = [("program", "FD", "Which programs define an FD?"),
                  ("copybook", "88 level", "Which copybooks have 88 levels?"),
                  ("program", "SCREEN SECTION", "Which programs have a SCREEN SECTION?")]
        for entity, k, text in data_q:
            pool = self.prog_all if entity == "program" else self.cpy_all
            rels = [r for r in pool if k in m.data[r]]
            qid = self.add("list", "%ss-with-%s" % (entity, k), text, k,
                           self.files_expected(rels),
                           "%s: an entry in the %s" % (k, "program's own text or a copybook "
                                                       "it copies (nested)" if entity ==
                                                       "program" else "copybook's own text"))
            self.remember(qid, entity, rels)
        frs = fragments([m.name[r] for r in self.cpy_all], 3, max(3, len(self.cpy_all) // 10))
        phr = ["Show all copybooks with {f} in the name.", "Which copybooks have {f} in "
               "their name?"]
        for i, fr in enumerate(self.pick(frs, 2)):
            rels = [r for r in self.cpy_all if fr in m.name[r]]
            qid = self.add("list", "copybooks-named-" + fr, phr[i % 2].format(f=fr), fr,
                           self.files_expected(rels),
                           "copybook files whose member name contains the fragment")
            self.remember(qid, "copybook", rels)
        small = min(self.dirs, key=lambda d: (len(self.progs_in(d)), d))
        qid = self.add("list", "programs-in-" + small, "List the programs in %s." % small,
                       small, self.files_expected(self.progs_in(small)),
                       "programs whose top folder is the directory")
        depths = [m.ifdepth[r] for r in self.prog_all]
        n = threshold(depths, 3, max(3, len(depths) // 8))
        if n is not None:
            rels = [r for r in self.prog_all if m.ifdepth[r] > n]
            qid = self.add("list", "if-depth-over-%d" % n,
                           "Which programs have IF statements nested more than %d levels "
                           "deep?" % n, "IF depth", self.files_expected(rels),
                           "deepest IF nesting of the program's own file above the threshold "
                           "(threshold from the distribution)")
            self.remember(qid, "program", rels)
        cx = [m.mccabe[r] for r in self.prog_all]
        n = threshold(cx, 5, max(5, len(cx) // 6))
        if n is not None:
            rels = [r for r in self.prog_all if m.mccabe[r] > n]
            qid = self.add("list", "complexity-over-%d" % n,
                           "Which programs have a cyclomatic complexity above %d?" % n,
                           "complexity", self.files_expected(rels),
                           "McCabe complexity of the program's own file above the threshold")
            self.remember(qid, "program", rels)
        ck = [k for k in STATEMENTS
              if 0 < sum(1 for r in self.cpy_all if k in m.stmts[r]) < len(self.cpy_all) // 4]
        k = self.one(ck)
        if k:
            rels = [r for r in self.cpy_all if k in m.stmts[r]]
            self.add("list", "copybooks-using-" + k, "Which copybooks contain %s?" %
                     STMT_PHRASE[k], k, self.files_expected(rels),
                     "copybook files whose own text has the statement")
        # programs copying a member, nested
        cands = []
        for member, rels in m.cpy_rels.items():
            if len(rels) != 1 or member in m.prog_rels:
                continue
            users = [p for p in self.prog_all if self.copies_member(p, member)]
            direct = [p for p in users if rels[0] in m.copies.get(p, ())]
            if 2 <= len(users) <= 12 and len(direct) < len(users):
                cands.append(member)
        x = self.one(cands)
        if x:
            users = [p for p in self.prog_all if self.copies_member(p, x)]
            qid = self.add("list", "programs-copying-" + x,
                           "Which programs copy %s, directly or through other copybooks?" % x,
                           x, self.files_expected(users),
                           "programs whose COPY closure (nested) holds the copybook")
            self.remember(qid, "program", users)

    # ---- compositional -------------------------------------------------
    def test(self, rel, f):
        m = self.m
        op = f[0]
        arg = f[1] if len(f) > 1 else None
        name = m.name[rel]
        if op == "dir":
            return m.pdir[rel] == arg
        if op == "lib":
            return m.lib[rel] == arg
        if op == "name_contains":
            return arg in name
        if op == "name_starts":
            return name.startswith(arg)
        if op == "uses":
            return self.uses(rel, arg)
        if op == "not_uses":
            return not self.uses(rel, arg)
        if op == "callees_gt":
            return self.ncallees(rel) > arg
        if op == "callers_ge":
            return self.ncallers(name) >= arg
        if op == "lines_gt":
            return m.lines[rel] > arg
        if op == "mccabe_gt":
            return m.mccabe[rel] > arg
        if op == "ifdepth_ge":
            return m.ifdepth[rel] >= arg
        if op == "copies":
            return self.copies_member(rel, arg)
        if op == "calls":
            return arg in m.callees[rel] and arg != name
        if op == "orphan":
            return name not in self.reached
        if op == "revised_since":
            return m.revised.get(rel, "") >= arg
        if op == "used_by_gt":
            return len(m.cpy_users[rel]) > arg
        if op == "never_copied":
            return not m.copied_by.get(rel)
        raise ValueError(op)

    ORDERS = {
        "lines": lambda self, r: self.m.lines[r],
        "complexity": lambda self, r: self.m.mccabe[r],
        "users": lambda self, r: len(self.m.cpy_users[r]),
        "callees": lambda self, r: self.ncallees(r),
        "revised": lambda self, r: self.m.revised.get(r, ""),
    }

    def query(self, entity, filters, order=None, limit=None):
        pool = self.prog_all if entity == "program" else self.cpy_all
        rels = [r for r in pool if all(self.test(r, f) for f in filters)]
        q = {"entity": entity, "filters": [list(f) for f in filters]}
        if order:
            q["order"] = order
            q["limit"] = limit
            key = self.ORDERS[order]
            exp = ranking([(self.m.name[r], key(self, r)) for r in rels], limit)
            exp["count"] = len(exp["names"])
            exp["matching"] = len(rels)
        else:
            exp = self.files_expected(rels)
        exp["query"] = q
        return exp, rels

    def _dir(self, need=3):
        return self.one([d for d in self.dirs if len(self.progs_in(d)) >= need])

    def _lib(self, need=3):
        return self.one([lb for lb in self.libs if len(self.cpys_in(lb)) >= need])

    def _lib_where(self, has):
        """A library with 3 or more copybooks that `has`, and those copybooks; None when
        no library has as many."""
        lb = self.one([lb for lb in self.libs
                       if sum(1 for r in self.cpys_in(lb) if has(r)) >= 3])
        if not lb:
            return None
        return lb, [r for r in self.cpys_in(lb) if has(r)]

    def _dir_split(self, measure):
        """A folder of 4 or more programs, a threshold of `measure` that 2 to half of
        them are above, and a kind for a filter; None when the data offers none."""
        d = self._dir(4)
        if not d:
            return None
        pool = self.progs_in(d)
        n = threshold([measure(r) for r in pool], 2, max(2, len(pool) // 2))
        k = self._kind(pool)
        if n is None or not k:
            return None
        return d, n, k

    def _kind(self, rels, exclude=()):
        """A statement or data kind for a filter: one that splits rels, else one some of
        them use, else any kind a program uses."""
        kinds = self.used_kinds() + DATA_KINDS
        ks = [k for k in self.splitting_kinds(rels, kinds) if k not in exclude]
        if not ks:
            ks = [k for k in kinds if k not in exclude and any(self.uses(r, k) for r in rels)]
        if not ks:
            ks = [k for k in self.used_kinds() if k not in exclude]
        return self.one(ks)

    def _frag(self, rels, lo=2):
        names = [self.m.name[r] for r in rels]
        return self.one(fragments(names, lo, max(lo, len(set(names)) // 2)))

    @staticmethod
    def kphrase(k):
        return {"FD": "define an FD", "88 level": "have 88 levels",
                "SCREEN SECTION": "have a SCREEN SECTION"}.get(k, "use %s" % STMT_PHRASE.get(k, k))

    @staticmethod
    def kphrase_not(k):
        return {"FD": "do not define an FD", "88 level": "have no 88 levels",
                "SCREEN SECTION": "have no SCREEN SECTION"}.get(
            k, "do not use %s" % STMT_PHRASE.get(k, k))

    def templates(self):
        """Compositional templates: each returns (question, entity, filters, order, limit)
        or None when the data offers no parameters."""
        m = self.m
        T = []

        def t1():
            lb = self._lib(6)
            fr = self._frag(self.cpys_in(lb)) if lb else None
            if not fr:
                return None
            pool = [r for r in self.cpys_in(lb) if fr in m.name[r]]
            n = threshold([len(m.cpy_users[r]) for r in pool], 1, max(1, len(pool) - 1)) or 0
            return ("Which copybooks in %s with %s in the name are used by %s?" % (
                lb, fr, more_than(n, "program")), "copybook",
                    [("lib", lb), ("name_contains", fr), ("used_by_gt", n)], None, None)
        T.append(t1)

        def t2():
            d = self._dir()
            k = self._kind(self.progs_in(d)) if d else None
            if not k:
                return None
            lim = self.rng.choice([3, 5])
            return ("What are the %d largest programs in %s that %s?" % (lim, d, self.kphrase(k)),
                    "program", [("dir", d), ("uses", k)], "lines", lim)
        T.append(t2)

        def t3():
            d = self._dir()
            if not d:
                return None
            k = "GO TO" if "GO TO" in self.used_kinds() else self._kind(self.progs_in(d))
            vals = [self.ncallees(r) for r in self.progs_in(d)]
            n = threshold(vals, 1, max(1, len(vals) - 1))
            n = 0 if n is None else n
            return ("Which programs in %s %s and call %s?" % (
                d, self.kphrase(k), more_than(n, "program")), "program",
                [("dir", d), ("uses", k), ("callees_gt", n)], None, None)
        T.append(t3)

        def t4():
            split = self._dir_split(lambda r: m.mccabe[r])
            if not split:
                return None
            d, n, k = split
            return ("List the programs in %s with a complexity above %d that %s." % (
                d, n, self.kphrase(k)), "program",
                [("dir", d), ("mccabe_gt", n), ("uses", k)], None, None)
        T.append(t4)

        def t5():
            d = self._dir()
            if not d:
                return None
            k1 = self._kind(self.progs_in(d))
            k2 = self._kind([r for r in self.progs_in(d) if self.uses(r, k1)], exclude=(k1,))
            if not k1 or not k2:
                return None
            return ("Which programs in %s use both %s and %s?" % (
                d, STMT_PHRASE.get(k1, k1), STMT_PHRASE.get(k2, k2)) if k1 in STATEMENTS
                and k2 in STATEMENTS else "Which programs in %s %s and %s?" % (
                d, self.kphrase(k1), self.kphrase(k2)),
                "program", [("dir", d), ("uses", k1), ("uses", k2)], None, None)
        T.append(t5)

        def t6():
            found = self._lib_where(lambda r: not m.copied_by.get(r))
            if not found:
                return None
            lb, pool = found
            fr = self._frag(pool)
            if not fr:
                return None
            return ("Which copybooks in %s are never copied and have %s in their name?" % (
                lb, fr), "copybook", [("lib", lb), ("never_copied",), ("name_contains", fr)],
                None, None)
        T.append(t6)

        def t7():
            d = self._dir()
            if not d:
                return None
            k = self._kind([r for r in self.progs_in(d) if self.uses(r, "FD")] or
                           self.progs_in(d), exclude=("FD",))
            return ("Which programs in %s define an FD and %s?" % (d, self.kphrase(k)),
                    "program", [("dir", d), ("uses", "FD"), ("uses", k)], None, None)
        T.append(t7)

        def t8():
            fr = self._frag(self.prog_all, 3)
            if not fr:
                return None
            pool = [r for r in self.prog_all if m.name[r].startswith(fr)]
            k = self._kind(pool) if pool else self._kind(self.prog_all)
            return ("Show the programs whose name starts with %s that %s." % (fr, self.kphrase(k)),
                    "program", [("name_starts", fr), ("uses", k)], None, None)
        T.append(t8)

        def t9():
            found = self._lib_where(lambda r: "FD" in m.data[r])
            if not found:
                return None
            lb, pool = found
            n = threshold([m.lines[r] for r in pool], 1, max(1, len(pool) // 2))
            if n is None:
                return None
            return ("Which copybooks in %s with more than %d lines define an FD?" % (lb, n),
                    "copybook", [("lib", lb), ("lines_gt", n), ("uses", "FD")], None, None)
        T.append(t9)

        def t10():
            found = self._lib_where(lambda r: m.cpy_users[r])
            if not found:
                return None
            lb, pool = found
            fr = self._frag(pool)
            if not fr:
                return None
            lim = 3
            return ("Give me the top %d most used copybooks in %s with %s in the name." % (
                lim, lb, fr), "copybook", [("lib", lb), ("name_contains", fr)], "users", lim)
        T.append(t10)

        def t11():
            d = self._dir()
            if not d:
                return None
            pool = self.progs_in(d)
            cands = []
            for member, rels in sorted(m.cpy_rels.items()):
                if member in m.prog_rels:
                    continue
                k = sum(1 for p in pool if self.copies_member(p, member))
                if 2 <= k < len(pool):
                    cands.append(member)
            x = self.one(cands)
            if not x:
                return None
            users = [p for p in pool if self.copies_member(p, x)]
            k = self._kind(users) or self._kind(pool)
            return ("Which programs in %s copy %s and %s?" % (d, x, self.kphrase(k)),
                    "program", [("dir", d), ("copies", x), ("uses", k)], None, None)
        T.append(t11)

        def t12():
            d = self._dir()
            if not d:
                return None
            pool = [r for r in self.progs_in(d) if self.ncallers(m.name[r]) >= 1]
            k = self._kind(pool) if pool else self._kind(self.progs_in(d))
            return ("Which programs in %s that are called by another program %s?" % (
                d, self.kphrase(k)), "program", [("dir", d), ("callers_ge", 1), ("uses", k)],
                None, None)
        T.append(t12)

        def t13():
            d = self._dir()
            if not d:
                return None
            k = self._kind(self.progs_in(d))
            return ("What are the 3 most complex programs in %s that %s?" % (d, self.kphrase(k)),
                    "program", [("dir", d), ("uses", k)], "complexity", 3)
        T.append(t13)

        def t14():
            split = self._dir_split(lambda r: m.lines[r])
            if not split:
                return None
            d, n, k = split
            return ("Which programs in %s with more than %d lines %s?" % (
                d, n, self.kphrase_not(k)), "program", [("dir", d), ("lines_gt", n), ("not_uses", k)], None, None)
        T.append(t14)

        def t15():
            d = self._dir()
            if not d:
                return None
            dates = sorted(m.revised[r] for r in self.progs_in(d) if r in m.revised)
            if not dates:
                return None
            year = dates[len(dates) // 2][:4]
            k = self._kind(self.progs_in(d))
            return ("Which programs in %s were revised in %s or later and %s?" % (
                d, year, self.kphrase(k)), "program",
                [("dir", d), ("revised_since", year + "-01-01"), ("uses", k)], None, None)
        T.append(t15)

        def t16():
            found = self._lib_where(lambda r: "88 level" in m.data[r])
            if not found:
                return None
            lb, pool = found
            n = threshold([len(m.cpy_users[r]) for r in pool], 1, max(1, len(pool) - 1)) or 0
            return ("Which copybooks in %s have 88 levels and are used by %s?" % (
                lb, more_than(n, "program")), "copybook",
                    [("lib", lb), ("uses", "88 level"), ("used_by_gt", n)], None, None)
        T.append(t16)

        def t17():
            d = self._dir()
            if not d:
                return None
            pool = [r for r in self.progs_in(d) if m.name[r] not in self.reached]
            k = self._kind(pool) if pool else self._kind(self.progs_in(d))
            return ("Which programs in %s are never called or reached from a menu and %s?" % (
                d, self.kphrase(k)), "program", [("dir", d), ("orphan",), ("uses", k)],
                None, None)
        T.append(t17)

        def t18():
            d = self._dir()
            if not d:
                return None
            pool = self.progs_in(d)
            k = self._kind(pool)
            vals = sorted(m.ifdepth[r] for r in pool)
            n = max(1, vals[len(vals) // 2]) if vals else 1
            return ("How many programs in %s %s and have IF statements nested %d or more "
                    "levels deep?" % (d, self.kphrase(k), n), "program",
                    [("dir", d), ("uses", k), ("ifdepth_ge", n)], None, None)
        T.append(t18)

        def t19():
            lb = self._lib(6)
            fr = self._frag(self.cpys_in(lb)) if lb else None
            if not fr:
                return None
            return ("How many copybooks in %s with %s in the name are used by at least one "
                    "program?" % (lb, fr), "copybook",
                    [("lib", lb), ("name_contains", fr), ("used_by_gt", 0)], None, None)
        T.append(t19)

        def t20():
            d = self._dir()
            if not d:
                return None
            pool = self.progs_in(d)
            cnt = defaultdict(int)
            for r in pool:
                for t in m.callees[r]:
                    if t != m.name[r]:
                        cnt[t] += 1
            x = self.one([t for t, c in cnt.items() if c >= 2])
            if not x:
                return None
            users = [r for r in pool if x in m.callees[r]]
            k = self._kind(users) or self._kind(pool)
            return ("Which programs in %s call %s and %s?" % (d, x, self.kphrase(k)),
                    "program", [("dir", d), ("calls", x), ("uses", k)], None, None)
        T.append(t20)
        return T

    def compositional(self):
        self.reached = self.m.reached()
        seen = set()
        templates = self.templates()
        again = set(self.pick(range(len(templates)), len(templates) // 2))
        for rnd in range(2):
            for i, t in enumerate(templates):
                if rnd and i not in again:
                    continue
                got = None
                for _attempt in range(4):
                    got = t()
                    if got and got[0] not in seen and not any(
                            x is None for f in got[2] for x in f):
                        break
                    got = None
                if not got:
                    continue
                text, entity, filters, order, limit = got
                seen.add(text)
                exp, rels = self.query(entity, filters, order, limit)
                subject = " ".join(str(x) for f in filters for x in f)
                qid = self.add("compositional", "t%02d-%d" % (i + 1, rnd + 1), text, subject,
                               exp, "entity %s filtered by %s%s" % (
                                   entity, "; ".join(" ".join(str(x) for x in f)
                                                     for f in filters),
                                   "; top %d by %s" % (limit, order) if order else ""))
                if not order and entity == "program" and len(rels) >= 4:
                    self.remember(qid, entity, rels)

    # ---- ranking -------------------------------------------------------
    def rankings(self):
        m = self.m
        cp = [(m.name[r], len(m.cpy_users[r])) for r in self.cpy_all]
        pr_lines = [(m.name[r], m.lines[r]) for r in self.prog_all]
        cp_lines = [(m.name[r], m.lines[r]) for r in self.cpy_all]
        callers = [(t, len(v)) for t, v in m.callers.items()]
        callees = [(m.name[r], self.ncallees(r)) for r in self.prog_all]
        revised = [(m.name[r], m.revised[r]) for r in self.prog_all if r in m.revised]
        cx = [(m.name[r], m.mccabe[r]) for r in self.prog_all]
        depth = [(m.name[r], m.ifdepth[r]) for r in self.prog_all]
        rows = [
            ("most-used-copybooks", "What are the most commonly used copybooks?", cp, 5,
             "copybook files by the number of programs that copy them, directly or nested"),
            ("most-used-copybooks-10", "Give me the top 10 most used copybooks.", cp, 10,
             "copybook files by the number of programs that copy them, directly or nested"),
            ("largest-copybook", "What is the largest copybook?", cp_lines, 1,
             "copybook files by physical lines"),
            ("largest-copybooks-5", "List the 5 largest copybooks by line count.", cp_lines, 5,
             "copybook files by physical lines"),
            ("largest-program", "Which is the largest program?", pr_lines, 1,
             "programs by physical lines"),
            ("largest-programs-5", "Show the 5 biggest programs.", pr_lines, 5,
             "programs by physical lines"),
            ("most-callers", "Which programs have the most callers?", callers, 5,
             "call targets (in the tree or not) by the number of distinct programs "
             "calling them"),
            ("most-calls", "Which programs call the most other programs?", callees, 5,
             "programs by the number of distinct programs they call"),
            ("most-recent", "Which programs were revised most recently?", revised, 5,
             "programs by the latest date of their header's revision entries"),
            ("most-recent-1", "What was the most recently changed program?", revised, 1,
             "programs by the latest date of their header's revision entries"),
            ("most-complex", "What are the 5 most complex programs?", cx, 5,
             "programs by McCabe complexity of their own file"),
            ("most-complex-10", "Give me the top 10 programs by cyclomatic complexity.", cx, 10,
             "programs by McCabe complexity of their own file"),
            ("deepest-if", "Which 3 programs have the deepest IF nesting?", depth, 3,
             "programs by the deepest IF nesting of their own file"),
        ]
        for key, text, items, k, rule in rows:
            self.add("ranking", key, text, "*", ranking(items, k),
                     rule + "; ties broken by name; top %d plus the names tied with the "
                     "k-th value" % k)

    # ---- unused --------------------------------------------------------
    def unused(self):
        m = self.m
        never = [r for r in self.cpy_all if not m.copied_by.get(r)]
        self.add("unused", "copybooks", "Which copybooks are never copied?", "*",
                 self.files_expected(never),
                 "copybook files that no COPY anywhere in the corpus resolves to (files "
                 "counted)")
        self.add("unused", "copybooks-count", "How many copybooks are unused?", "*",
                 self.files_expected(never),
                 "copybook files that no COPY anywhere in the corpus resolves to (files "
                 "counted)")
        libs = [lb for lb in self.libs if any(r in never for r in self.cpys_in(lb))]
        small = sorted(libs, key=lambda lb: (sum(1 for r in self.cpys_in(lb) if r in never), lb))
        chosen = []
        for lb in small[:1] + self.pick(small[1:], 2):
            if lb not in chosen:
                chosen.append(lb)
        phr = ["Which copybooks in {l} are never used?",
               "List the copybooks in {l} that nothing copies.",
               "Are there unused copybooks in {l}?"]
        for i, lb in enumerate(chosen):
            rels = [r for r in self.cpys_in(lb) if r in never]
            qid = self.add("unused", "copybooks-in-" + lb, phr[i % len(phr)].format(l=lb), lb,
                           self.files_expected(rels),
                           "never-copied copybook files of the library")
            self.remember(qid, "copybook", rels)

    # ---- orphans -------------------------------------------------------
    def orphans(self):
        m = self.m
        reached = self.reached
        orphan = [r for r in self.prog_all if m.name[r] not in reached]
        rule = ("programs that no other program calls (calls rule), that no menu option "
                "runs and that no other program names in a literal moved to FORM-NAM "
                "(called or handed on)")

        def exp(rels):
            e = self.files_expected(rels)
            e["main_menu"] = self.main_menu
            return e
        qid = self.add("orphans", "all", "Which programs does nothing call?", "*",
                       exp(orphan), rule)
        self.remember(qid, "program", orphan)
        self.add("orphans", "all-2", "Which programs are orphans, never called and not "
                 "reached from any menu?", "*", exp(orphan), rule)
        phr = ["How many orphan programs are there in {d}?",
               "Which programs in {d} are never called by anything?"]
        for i, d in enumerate(self.pick(self.dirs, 2)):
            rels = [r for r in orphan if m.pdir[r] == d]
            self.add("orphans", "in-" + d, phr[i % 2].format(d=d), d, exp(rels),
                     rule + "; in the directory")

    # ---- unresolved ----------------------------------------------------
    def unresolved(self):
        m = self.m
        missing = sorted(t for t in m.callers if t not in m.prog_rels)
        callers = {t: sorted({m.name[p] for p in self.prog_all if t in m.callees[p]})
                   for t in missing}
        rule = "call targets (calls rule) with no program file in the corpus"
        e = self.names_expected(missing)
        e["callers"] = callers
        self.add("unresolved", "targets", "Which called programs are missing from the "
                 "source tree?", "*", e, rule)
        self.add("unresolved", "targets-count", "How many unresolved call targets are there?",
                 "*", dict(e), rule)
        self.add("unresolved", "targets-callers", "List the unresolved calls and the programs "
                 "that make them.", "*", dict(e), rule)
        dirs = [d for d in self.dirs
                if any(m.callees[p] & set(missing) for p in self.progs_in(d))]
        d = self.one(dirs)
        if d:
            rels = [p for p in self.progs_in(d) if m.callees[p] & set(missing)]
            ee = self.files_expected(rels)
            ee["targets"] = sorted(set().union(*(m.callees[p] & set(missing) for p in rels)))
            qid = self.add("unresolved", "callers-in-" + d, "Which programs in %s call "
                           "programs whose source is not in the tree?" % d, d, ee,
                           "programs of the directory with an unresolved call target")
            self.remember(qid, "program", rels)

    # ---- call graph: chains, cycles, fan -------------------------------
    def call_graph(self):
        m = self.m
        g = m.graph()
        lc = longest_chains(g)
        rule = ("longest path (in edges) over the calls relation without repeating a "
                "program; nodes are programs of the tree and call targets; all chains of "
                "that length")
        self.add("call_chain", "longest", "What is the longest call chain?", "*", lc, rule)
        self.add("call_chain", "longest-2", "Show me the longest chain of program calls.",
                 "*", lc, rule)
        per = {n: longest_chains(g, n) for n in sorted(g) if g[n]}
        starts = [n for n, v in per.items() if v["length"] >= 2]
        for n in self.pick(starts, 2):
            self.add("call_chain", "from-" + n, "What is the longest call chain starting "
                     "from %s?" % n, n, per[n], rule + "; starting at the program")
        comps = strongly_connected({k: [t for t in v if t != k] for k, v in g.items()})
        selfc = m.self_calls
        e = {"cycles": comps, "self_calls": selfc,
             "names": sorted({n for c in comps for n in c} | set(selfc))}
        e["count"] = len(e["names"])
        rule = ("sets of programs that call each other (strongly connected, size >= 2) "
                "and programs that call themselves")
        self.add("cycles", "any", "Are there any call cycles?", "*", e, rule)
        self.add("cycles", "loop", "Which programs call each other in a loop?", "*",
                 dict(e), rule)
        e2 = self.names_expected(selfc)
        self.add("cycles", "self", "Which programs call themselves?", "*", e2,
                 "programs whose calls include their own name")
        # fan-in / fan-out
        fan_in = {t: len(v) for t, v in m.callers.items()}
        n = threshold(list(fan_in.values()), 2, 6)
        if n is not None:
            names = [t for t, v in fan_in.items() if v > n]
            self.add("fan", "in-over-%d" % n, "Which programs are called by %s?" % more_than(
                n, "program"), "*", self.names_expected(names),
                     "call targets (in the tree or not) with more than N distinct callers")
        names = [t for t, v in fan_in.items() if v == 1]
        qid = self.add("fan", "in-exactly-1", "Which programs are called by exactly one "
                       "program?", "*", self.names_expected(names),
                       "call targets with exactly one distinct caller")
        fan_out = {m.name[r]: self.ncallees(r) for r in self.prog_all}
        n = threshold(list(fan_out.values()), 2, 6)
        if n is not None:
            names = [t for t, v in fan_out.items() if v >= n + 1]
            self.add("fan", "out-at-least-%d" % (n + 1), "Which programs call at least %d "
                     "others?" % (n + 1), "*", self.names_expected(names),
                     "programs with at least N distinct callees (itself excluded)")
        n2 = threshold(list(fan_out.values()), 1, max(1, len(fan_out) // 3))
        if n2 is not None:
            names = [t for t, v in fan_out.items() if v > n2]
            self.add("fan", "out-over-%d" % n2, "How many programs call %s?" % more_than(
                n2, "other program"), "*", self.names_expected(names),
                     "programs with more than N distinct callees (itself excluded)")
        names = [t for t, v in fan_out.items() if v == 0]
        self.add("fan", "out-none", "Which programs call no other program?", "*",
                 self.names_expected(names), "programs with no callee")

    # ---- impact --------------------------------------------------------
    def all_names(self):
        """Every name of the corpus that a question could name."""
        m = self.m
        out = set(m.prog_rels) | set(m.cpy_rels) | set(m.f.proc_defs) | set(m.f.data_defs)
        out |= {n for ns in m.selects.values() for n in ns}
        out |= {fo[1] for fo in m.forms}
        out |= set(m.callers)
        return out

    def impact(self):
        m = self.m
        f = m.f
        phr = ["What would be affected if I changed {x}?", "What is the impact of changing {x}?",
               "If I modify {x}, what else is affected, depth {d}?",
               "Show the impact analysis for {x} with depth {d}."]
        counter = [0]

        def ask(key, x, first, exclude, rule, evidence=None, depth=3, kind_word=""):
            i = counter[0]
            counter[0] += 1
            text = (phr[i % 2] if depth == 3 else phr[2 + i % 2]).format(
                x=kind_word + x, d=depth)
            e = impact_levels(m, first, exclude, depth)
            if evidence is not None:
                e["evidence"] = evidence
            self.add("impact", key, text, x, e, rule + "; depth %d" % depth)

        # copybooks: unique member, copied by something, not also a program's name
        cands = []
        for member, rels in sorted(m.cpy_rels.items()):
            if len(rels) != 1 or member in m.prog_rels or not m.copied_by.get(rels[0]):
                continue
            e = impact_levels(m, m.copied_by[rels[0]], rels, 3)
            cands.append((member, rels[0], e))
        deep = [c for c in cands if len(c[2]["levels"]) >= 3]
        wide = [c for c in cands if len(c[2]["levels"].get("1", [])) >= 10]
        chosen = []
        for pool in (deep, wide, cands):
            c = self.one([x[0] for x in pool if x[0] not in chosen])
            if c:
                chosen.append(c)
        depths = [3, 1, 2]
        for member, d in zip(chosen, depths):
            rel = m.cpy_rels[member][0]
            ev = sorted([s.rel, cp["line"]] for s in m.c.files.values() for cp in s.copies
                        if m.c.resolve(cp["path"]) is not None
                        and m.c.resolve(cp["path"]).rel == rel)
            ask("copybook-" + member, member, m.copied_by[rel], [rel],
                "copybook: level 1 = files that COPY it; then copiers of copybooks and "
                "callers of programs", ev, depth=d)
        # programs of the tree that something calls
        cands = [n for n, rels in m.prog_rels.items()
                 if len(rels) == 1 and n not in m.cpy_rels and m.callers.get(n)]
        two = [n for n in cands if any(m.callers.get(c) for c in m.callers[n])]
        chosen = []
        for pool in (two, cands):
            c = self.one([x for x in pool if x not in chosen])
            if c:
                chosen.append(c)
        for n, d in zip(chosen, [3, 2]):
            first = set()
            for c in m.callers[n]:
                first.update(m.prog_rels.get(c, ()))
            ask("program-" + n, n, first, m.prog_rels[n],
                "program: level 1 = programs that call it; then their callers", depth=d)
        # sections / paragraphs: defined once, performed from another file
        cands = []
        for name, defs in sorted(f.proc_defs.items()):
            if len(defs) != 1 or name in m.prog_rels or name in m.cpy_rels \
                    or name in f.data_defs:
                continue
            refs = f.proc_refs.get(name, [])
            if any(r != defs[0][0] for r, _ in refs):
                cands.append(name)
        for name, d in zip(self.pick(cands, 2), [3, 2]):
            refs = sorted(set(f.proc_refs[name]))
            ask("procedure-" + name, name, {r for r, _ in refs}, [],
                "section / paragraph: level 1 = files whose statements PERFORM / GO TO it "
                "(by name)", [list(x) for x in refs],
                kind_word="the %s " % ("section" if f.proc_defs[name][0][2] else "paragraph"),
                depth=d)
        # data items: defined once, named in 2..20 procedure lines, visible everywhere
        cands = []
        for name, defs in sorted(f.data_defs.items()):
            if len(defs) != 1 or name in f.proc_defs or name in f.literal_text \
                    or name in m.prog_rels or name in m.cpy_rels:
                continue
            sites = sorted(set(f.proc_word_index.get(name, [])))
            if not 2 <= len(sites) <= 20:
                continue
            visible = set()
            for pr in m.c.users_of.get(defs[0]["file"], set()):
                visible |= m.c.closure[pr]
            if any(r not in visible for r, _ in sites):
                continue
            if len({r for r, _ in sites}) >= 2:
                cands.append(name)
        for name, d in zip(self.pick(cands, 2), [3, 1]):
            sites = sorted(set(f.proc_word_index[name]))
            ask("data-" + name, name, {r for r, _ in sites}, [],
                "data item: level 1 = files whose procedure code names it",
                [list(x) for x in sites], kind_word="the data item ", depth=d)

    # ---- files and CRUD ------------------------------------------------
    def access(self, fname, ops):
        return [p for p in self.prog_all if set(self.m.crud[p].get(fname, ())) & set(ops)]

    def file_access(self):
        m = self.m
        files = sorted({fn for p in self.prog_all for fn in m.crud[p]})
        declared = sorted({n for ns in m.selects.values() for n in ns})
        rule_tail = (" (procedure stream with its copybooks, nested; a record belongs to the "
                     "file whose FD lists it as a level-01 record, FD in any file the program "
                     "sees)")

        def spread(ops):
            """Files some program accesses with ops: one widely shared, one rare."""
            cnt = {fn: len(self.access(fn, ops)) for fn in files}
            used = [fn for fn in files if cnt[fn]]
            wide = sorted(used, key=lambda fn: (-cnt[fn], fn))[:1]
            rare = [fn for fn in used if fn not in wide and cnt[fn] >= 1]
            return wide + self.pick(rare, 1)

        for i, fn in enumerate(spread(["OPEN OUTPUT"])):
            text = ["Which programs open %s for output?", "Which programs open %s in "
                    "OUTPUT mode?"][i % 2] % fn
            self.add("file_access", "open-output-" + fn, text, fn,
                     self.files_expected(self.access(fn, ["OPEN OUTPUT"])),
                     "programs with OPEN OUTPUT of the file" + rule_tail)
        for i, fn in enumerate(spread(["WRITE", "REWRITE"])):
            text = ["Which programs write %s?", "Which programs write or rewrite records "
                    "of %s?"][i % 2] % fn
            self.add("file_access", "write-" + fn, text, fn,
                     self.files_expected(self.access(fn, ["WRITE", "REWRITE"])),
                     "programs with a WRITE or REWRITE of a record of the file" + rule_tail)
        for i, fn in enumerate(spread(["READ"])):
            text = ["Which programs read %s?", "Who reads the %s file?"][i % 2] % fn
            self.add("file_access", "read-" + fn, text, fn,
                     self.files_expected(self.access(fn, ["READ"])),
                     "programs with a READ of the file" + rule_tail)
        for mode in ("I-O", "EXTEND"):
            got = spread(["OPEN " + mode])
            if got:
                fn = got[-1]
                self.add("file_access", "open-%s-%s" % (mode, fn),
                         "Which programs open %s in %s mode?" % (fn, mode), fn,
                         self.files_expected(self.access(fn, ["OPEN " + mode])),
                         "programs with OPEN %s of the file" % mode + rule_tail)
        rows = [p for p in self.prog_all if len(m.crud[p]) >= 2]
        phr = ["What does program {p} do with its files?", "Show the CRUD matrix row of {p}."]
        for i, p in enumerate(self.pick(rows, 2)):
            row = m.crud[p]
            e = {"files": {fn: row[fn] for fn in sorted(row)}, "names": sorted(row),
                 "count": len(row)}
            self.add("file_access", "crud-" + m.name[p], phr[i % 2].format(p=m.name[p]),
                     m.name[p], e, "the program's operations per file: OPEN mode, READ, "
                     "WRITE, REWRITE, DELETE, START" + rule_tail)
        written = {fn for p in self.prog_all for fn, ops in m.crud[p].items()
                   if {"WRITE", "REWRITE"} & set(ops)}
        never = [fn for fn in declared if fn not in written]
        self.add("file_access", "never-written", "Which files does nobody write?", "*",
                 self.names_expected(never),
                 "SELECT names of the corpus with no WRITE / REWRITE of their records in any "
                 "program" + rule_tail)
        self.add("file_access", "never-written-count", "How many declared files are never "
                 "written by any program?", "*", self.names_expected(never),
                 "SELECT names of the corpus with no WRITE / REWRITE of their records in any "
                 "program")

    # ---- menus ---------------------------------------------------------
    def menu_form(self, rel):
        """Prompts of the form of the same name under a folder named like the
        program's directory (FM/XX/<DIR>/<NAME>)."""
        m = self.m
        name, d = m.name[rel], m.pdir[rel]
        for frel, fname, folder in m.forms:
            if fname == name and folder.split("/")[-1].upper() == d.upper():
                return m.form_prompts[frel]
        return None

    def menu_options(self, rel):
        prompts = self.menu_form(rel)
        labels = option_labels(prompts) if prompts is not None else {}
        return [{"number": n, "label": labels.get(n), "program": prog}
                for n, prog in self.m.menus[rel]]

    def menus(self):
        m = self.m
        menu_rels = sorted(m.menus)
        if not menu_rels:
            self.add("menu", "count", "How many menus are there?", "*",
                     self.files_expected([]), "programs with the menu idiom")
            return
        rule = ("menu idiom: GO TO ... DEPENDING ON whose target paragraphs move a program "
                "literal to FORM-NAM; option = position in the DEPENDING list (only "
                "positions that run a program), label = the numbered prompt 'N. TEXT' of "
                "the form of the same name under FM/XX/<DIR>/")
        phr = ["What options does menu {x} offer?", "What can I choose on the {x} menu?",
               "List the options of {x}.", "Show the menu options of {x}."]
        for i, r in enumerate(self.pick(menu_rels, 4)):
            opts = self.menu_options(r)
            self.add("menu", "options-" + m.name[r], phr[i % len(phr)].format(x=m.name[r]),
                     m.name[r], {"options": opts, "names": sorted({o["program"] for o in opts})},
                     rule)
        pairs = [(r, o) for r in menu_rels for o in self.menu_options(r)]
        phr = ["What does option {n} of {x} run?", "What does option {n} in the {x} menu do?",
               "Which program runs when I pick option {n} on {x}?"]
        for i, k in enumerate(self.pick(range(len(pairs)), 3)):
            r, o = pairs[k]
            self.add("menu", "option-%s-%d" % (m.name[r], o["number"]),
                     phr[i % len(phr)].format(n=o["number"], x=m.name[r]), m.name[r],
                     {"options": [o], "names": [o["program"]]}, rule)
        main = self.main_menu
        self.add("menu", "entry", "What is the application's entry point?", "*",
                 {"names": [main] if main else [], "main_menu": main},
                 "the main menu as flows.py defines it: of the menus no program calls, the "
                 "one reaching the most programs (hand-offs not followed; ties by name)")
        # menu paths from the main menu over options (BFS, options in number order)
        main_rel = m.prog_rels.get(main, [None])[0] if main else None
        if main_rel in m.menus:
            prev = {main: None}
            q = deque([main])
            while q:
                x = q.popleft()
                xr = m.prog_rels.get(x, [None])[0]
                if xr not in m.menus:
                    continue
                for o in self.menu_options(xr):
                    if o["program"] not in prev:
                        prev[o["program"]] = (x, o)
                        q.append(o["program"])
            targets = [t for t in prev if t != main]
            phr = ["Which menu path leads to {x}?", "How do I get to {x} from the main menu?"]
            for i, t in enumerate(self.pick(targets, 2)):
                path, node = [], t
                while prev[node] is not None:
                    x, o = prev[node]
                    path.append({"menu": x, "number": o["number"], "label": o["label"],
                                 "program": o["program"]})
                    node = x
                path.reverse()
                self.add("menu", "path-" + t, phr[i % 2].format(x=t), t,
                         {"path": path, "names": [main] + [s["program"] for s in path]},
                         "shortest path of menu options from the main menu (BFS, options in "
                         "number order)")
        counts = {m.name[r]: len(m.menus[r]) for r in menu_rels}
        n = threshold(list(counts.values()), 1, max(1, len(counts) - 1))
        if n is None:
            n = 0
        self.add("menu", "more-than-%d" % n, "Which menus have %s?" % more_than(n, "option"),
                 "*", self.names_expected([x for x, v in counts.items() if v > n]),
                 "menus by the number of options that run a program")
        menu_names = {m.name[r] for r in menu_rels}
        leaves = [m.name[r] for r in menu_rels
                  if not any(o[1] in menu_names for o in m.menus[r])]
        self.add("menu", "leaves", "Which menus are leaf menus, with no option opening "
                 "another menu?", "*", self.names_expected(leaves),
                 "menus none of whose options runs a menu")
        self.add("menu", "count", "How many menus are there?", "*",
                 self.files_expected(menu_rels), "programs with the menu idiom")

    # ---- screens -------------------------------------------------------
    def screens(self):
        m = self.m
        forms = m.forms
        rule = "form files: files without an extension under a folder named FM"

        def exp(fs):
            e = {"names": sorted({fo[1] for fo in fs}), "count": len(fs),
                 "files": sorted(fo[0] for fo in fs)}
            return e
        self.add("screens", "count", "How many screens are there?", "*", exp(forms), rule)
        folders = sorted({fo[2] for fo in forms})
        fo_ = self.one(folders)
        if fo_:
            d = fo_.split("/")[-1]
            self.add("screens", "count-" + d, "How many screens are there for %s?" % d, d,
                     exp([fo for fo in forms if fo[2].split("/")[-1] == d]),
                     rule + "; the form folder named like the directory")
        names = [fo[1] for fo in forms]
        uniq = [fo for fo in forms if names.count(fo[1]) == 1
                and 3 <= len(m.form_fields[fo[0]]) <= 40]
        phr = ["What fields does screen {s} have?", "List the fields on the {s} screen."]
        for i, fo in enumerate(self.pick(uniq, 2)):
            fields = [x["name"] for x in m.form_fields[fo[0]]]
            e = self.names_expected(fields)
            e["file"] = fo[0]
            self.add("screens", "fields-" + fo[1], phr[i % 2].format(s=fo[1]), fo[1], e,
                     "field records ('f' records) of the form file")
        items = [(fo[1], len(m.form_fields[fo[0]])) for fo in forms]
        self.add("screens", "most-fields", "Which screen has the most fields?", "*",
                 ranking(items, 1), "forms by the number of field records; ties by name")
        self.add("screens", "most-fields-3", "Give me the 3 screens with the most fields.",
                 "*", ranking(items, 3), "forms by the number of field records; ties by name")
        idle = [fo for fo in forms if fo[1] not in m.prog_rels]
        self.add("screens", "not-loaded", "Which screens does nothing load?", "*", exp(idle),
                 "forms whose program of the same name is not in the corpus")

    # ---- absence -------------------------------------------------------
    def absence(self):
        m = self.m
        every = sorted(self.all_names())
        parts = ["\n".join(s.raw) for s in m.progs + m.cpys]
        for fo in m.forms:
            parts.append(fo[1])
            parts += m.form_prompts[fo[0]]
            parts += [x["name"] + " " + x["value"] for x in m.form_fields[fo[0]]]
        text = "\n".join(parts).upper()
        named = sorted(set(m.prog_rels) | set(m.cpy_rels) | {fo[1] for fo in m.forms})

        def absent(x):
            return x not in text and not any(x in w for w in every)

        def near(x):
            frag = x[:4]
            return [n for n in named if frag in n]
        rule = ("a name that no program, copybook, screen, section, paragraph, data item, "
                "file or call target name contains and that no source or form line "
                "(comments included) contains; near = program, copybook and screen names that "
                "contain its first four letters")
        biz = [w for w in BUSINESS_WORDS if absent(w)]
        phr = ["Which program handles {w}?", "Show me the {w} copybooks.",
               "What does the {w} program do?"]
        for i, w in enumerate(self.pick(biz, 2)):
            self.add("absence", "word-" + w, phr[i % len(phr)].format(w=w), w,
                     {"absent": w, "near": near(w)}, rule + " (a business word)")

        def altered(name):
            for ch in "QXZJ9870":
                if name[-1] == ch:
                    continue
                x = name[:-1] + ch
                if absent(x):
                    return x
            return None
        phr = ["What does {x} do?", "Which programs call {x}?"]
        progs = [n for n in sorted(m.prog_rels) if len(n) >= 5]
        for i, n in enumerate(self.pick(progs, 2)):
            x = altered(n)
            if x:
                self.add("absence", "program-" + x, phr[i % 2].format(x=x), x,
                         {"absent": x, "near": near(x)},
                         rule + " (a program name with its last letter changed)")
        cps = [n for n in sorted(m.cpy_rels) if len(n) >= 5]
        n = self.one(cps)
        x = altered(n) if n else None
        if x:
            self.add("absence", "copybook-" + x, "Which programs use copybook %s?" % x, x,
                     {"absent": x, "near": near(x)},
                     rule + " (a copybook name with its last letter changed)")
        phr = ["Does any program use {k}?", "How many programs use {k}?"]
        rest = [k for k in self.unused_kinds() if k not in self.listed_unused]
        for i, k in enumerate(self.pick(rest or self.unused_kinds(), 2)):
            self.add("absence", "statement-" + k, phr[i % 2].format(k=STMT_PHRASE[k]), k,
                     {"absent": k, "near": [], "names": [], "count": 0},
                     "a statement kind that no program or copybook uses")

    # ---- follow-ups over lists -----------------------------------------
    def refine(self):
        m = self.m
        progs = [b for b in self.bases if b[1] == "program" and len(b[2]) >= 4
                 and len({m.pdir[r] for r in b[2]}) >= 2]
        if len(progs) < 4:
            # a tree of one directory: lists refined by statement and callee only
            progs += [b for b in self.bases if b[1] == "program" and len(b[2]) >= 4
                      and b not in progs]
        cpys = [b for b in self.bases if b[1] == "copybook" and len(b[2]) >= 4
                and len({m.lib[r] for r in b[2]}) >= 2]
        keep = self.pick(range(len(progs)), 4)
        chosen = [progs[k] for k in keep] + [cpys[k] for k in self.pick(range(len(cpys)), 1)]
        for n, (base_id, entity, rels) in enumerate(chosen):
            if entity == "program":
                steps = ["dir", "uses", "calls"]
                steps = steps[n % 3:] + steps[:n % 3]
            else:
                steps = ["lib"]
            prev, cur, key = base_id, rels, base_id
            for k, step in enumerate(steps):
                got = self.refine_step(step, entity, cur, k)
                if got is None:
                    continue
                text, sub, rule, param = got
                key = key + "/%d" % (k + 1)
                e = self.files_expected(sub)
                prev = self.add("refine", key, text, param, e,
                                "follow-up on the list of the question it follows: " + rule,
                                follows=prev)
                cur = sub
                if len(cur) < 2:
                    break

    def refine_step(self, step, entity, cur, k):
        m = self.m
        if step in ("dir", "lib"):
            where = m.pdir if step == "dir" else m.lib
            groups = defaultdict(list)
            for r in cur:
                groups[where[r]].append(r)
            if len(groups) < 2:
                return None
            small = [x for x in groups if len(groups[x]) >= 2] or list(groups)
            g = sorted(small, key=lambda x: (len(groups[x]), x))[0]
            text = ["Which of those are in %s?", "Only the ones in %s."][k % 2] % g
            return text, groups[g], "the members whose %s is %s" % (
                "directory" if step == "dir" else "library", g), g
        if step == "uses":
            ks = self.splitting_kinds(cur)
            kk = self.one(ks)
            if not kk:
                return None
            sub = [r for r in cur if self.uses(r, kk)]
            text = ["Only the ones that %s." % self.kphrase(kk),
                    "Which of them %s?" % self.kphrase(kk)][k % 2]
            return text, sub, "the members that %s" % self.kphrase(kk), kk
        if step == "calls":
            cnt = defaultdict(int)
            for r in cur:
                for t in m.callees[r]:
                    if t != m.name[r]:
                        cnt[t] += 1
            x = self.one([t for t, c in cnt.items() if 0 < c < len(cur)]
                         or [t for t, c in cnt.items() if c])
            if not x:
                return None
            sub = [r for r in cur if x in m.callees[r]]
            return "How many of them call %s?" % x, sub, "the members that call %s" % x, x
        return None


def questions(corpus, facts, root, qid, seed=35):
    """The questions of every kind of this module (README: 'Questions about the
    codebase as a whole')."""
    fl = _flows()
    m = Model(corpus, facts, root)
    gen = Gen(m, qid, random.Random("corpus-%d" % seed))
    screens = fl.Screens(corpus, root)
    main = screens.main_program(facts.callers)
    # flows.py names programs by PROGRAM-ID; here a program is its file stem
    gen.main_menu = m.name[screens.by_name[main].rel] if main in screens.by_name else main
    gen.reached = m.reached()
    return gen.build()
