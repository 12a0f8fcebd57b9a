"""Ground truth for flow and screen-flow questions, by truth.py's own token reading.

Flow ("Show me a flow of P"): the steps a correct answer must contain:
  - the main line: from the entry (the first section or paragraph after PROCEDURE
    DIVISION, DECLARATIVES left out), every top-level unit (a section with its paragraphs,
    or a paragraph outside sections) that control reaches by falling through (the unit's
    last statement is not an unconditional GO TO / GOBACK / STOP RUN / EXIT PROGRAM, and
    a paragraph does not fall into a section) or by GO TO (to a paragraph in a section:
    that section);
  - the procedures PERFORMed in the main line (and before the first header), named as
    written (the first name of a THRU range);
  - the programs named in the main line: CALL "X" literals (not runtime routines) and
    literals moved to FORM-NAM (called or handed on);
  - a menu's options: the GO TO ... DEPENDING targets whose paragraph moves a literal
    to FORM-NAM name the program of each option; the paragraphs they go on to are main
    line too.

Screen flow ("Show me the screens from M down"): every program reached from the start
within 6 levels: a menu's option programs and the other programs it names through
FORM-NAM; a non-menu program's FORM-NAM programs (in its own text and the copybooks it
copies); a CALL "X" only when X has a screen form or is a menu. Without a named start,
the start is the main program: of the menu programs no program calls (CALL literal, or a
FORM-NAM move that reaches a CALL FORM-PROGX), the one reaching the most programs when
hand-offs (FORM-NAM moves that reach no call) are not followed; ties by name.
"""

import os
import re
from collections import deque

JUMP_OPENERS = {"IF", "EVALUATE", "INVALID", "EXCEPTION", "OVERFLOW"}
SCREEN_DEPTH = 6


# truth.py sets this to itself before asking for questions.
TR = None


def _truth():
    if TR is not None:
        return TR
    import truth  # noqa: used alone (tests)
    return truth


def own_stream(corpus, p):
    return [p.tokens[k] for k in corpus.proc_tokens(p)]


def declarative_span(stream):
    """(start, stop) token indices of DECLARATIVES ... END DECLARATIVES, or None."""
    start = None
    for i, t in enumerate(stream):
        if t.text == "DECLARATIVES" and t.first and start is None:
            start = i
        elif (start is not None and t.text == "END" and i + 1 < len(stream)
              and stream[i + 1].text == "DECLARATIVES"):
            return (start, i + 2)
    return None


def units(stream):
    """Top-level units in order: dicts name, start, stop, section (bool), paras (names)."""
    tr = _truth()
    heads = tr.paragraphs(stream)
    decl = declarative_span(stream)
    if decl:
        heads = [h for h in heads if not (decl[0] <= h[0] < decl[1])]
    out = []
    current_section = None
    for i, name, is_sec in heads:
        if is_sec:
            current_section = {"name": name, "start": i, "section": True, "paras": [name]}
            out.append(current_section)
        elif current_section is not None:
            current_section["paras"].append(name)
        else:
            out.append({"name": name, "start": i, "section": False, "paras": [name]})
    for k, u in enumerate(out):
        u["stop"] = out[k + 1]["start"] if k + 1 < len(out) else len(stream)
    # Declarative sections (their first statement is USE) lead the procedure division;
    # END DECLARATIVES may stand in a copybook of another library.
    def declarative(u):
        # `NAME SECTION [.] USE ...`: the USE statement opens the section.
        first = range(u["start"] + 1, min(u["start"] + 5, len(stream)))
        return u["section"] and any(stream[k].text == "USE" for k in first)

    while out and declarative(out[0]):
        out.pop(0)
    return out


def sentences(stream, a, b):
    """Token index lists of the sentences in [a, b)."""
    out, cur = [], []
    for k in range(a, b):
        if stream[k].kind == ".":
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(k)
    if cur:
        out.append(cur)
    return out


def ends_in_jump(stream, u):
    """The unit's last sentence (COPY statements aside) ends with an unconditional jump."""
    sents = [s for s in sentences(stream, u["start"], u["stop"])
             if stream[s[0]].text != "COPY"]
    if not sents:
        return False
    words = [stream[k].text for k in sents[-1]]
    at = None
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "GO" or w == "GOBACK" or (w == "STOP" and nxt == "RUN") \
                or (w == "EXIT" and nxt == "PROGRAM"):
            at = i
    if at is None:
        return False
    tail = words[at:]
    if tail[0] == "GO":
        rest = [w for w in tail[1:] if w != "TO"]
        if len(rest) != 1:
            return False
    elif tail[0] == "GOBACK":
        if len(tail) != 1:
            return False
    elif len(tail) != 2:
        return False
    open_ = 0
    for i, w in enumerate(words[:at]):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in JUMP_OPENERS or (w == "AT" and nxt == "END") or (w == "SIZE" and nxt == "ERROR"):
            open_ += 1
        elif w == "PERFORM" and (nxt in ("UNTIL", "VARYING", "WITH", "TEST") or nxt.isdigit()):
            open_ += 1
        elif w.startswith("END-"):
            open_ = max(0, open_ - 1)
    return open_ == 0


def literal_moves(stream, a, b):
    """Program names of literals moved to FORM-NAM in [a, b)."""
    tr = _truth()
    out = []
    for (i, lit, _after) in tr.dyn_moves(stream):
        if a <= i < b and lit:
            name = lit.upper().split("/")[-1].strip()
            if name and not tr.is_runtime(name):
                out.append(name)
    return out


def static_calls(stream, a, b):
    tr = _truth()
    out = []
    for k in range(a, b):
        if stream[k].text == "CALL" and k + 1 < len(stream) and stream[k + 1].kind == "L":
            name = stream[k + 1].lit_value().strip().upper().split("/")[-1]
            if name and not tr.is_runtime(name):
                out.append(name)
    return out


def menu_options(stream, us):
    """The GO TO ... DEPENDING with the most option paragraphs naming a program:
    (unit index holding it, [(number, paragraph, program or None, then-targets)])."""
    tr = _truth()
    by_para = {}
    heads = tr.paragraphs(stream)
    for k, (i, name, is_sec) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else len(stream)
        by_para.setdefault(name, (i, stop))
    best = None
    for ui, u in enumerate(us):
        for k in range(u["start"], u["stop"]):
            names, depending = tr.goto_targets(stream, k)
            if not depending or len(names) < 2:
                continue
            opts = []
            for n, para in enumerate(names, 1):
                prog, then = None, []
                if para in by_para:
                    a, b = by_para[para]
                    moved = literal_moves(stream, a, b)
                    prog = moved[0] if moved else None
                    for j in range(a, b):
                        tn, dep = tr.goto_targets(stream, j)
                        if tn and not dep:
                            then.append(tn[0])
                opts.append((n, para, prog, then))
            used = sum(1 for o in opts if o[2])
            if used >= 2 and (best is None or used > best[2]):
                best = (ui, opts, used)
    return (best[0], best[1]) if best else (None, [])


def flow_expected(corpus, p):
    """The names a flow answer for program p must contain, and facts about it."""
    tr = _truth()
    stream = own_stream(corpus, p)
    us = units(stream)
    if not us:
        return None
    index = {u["name"]: k for k, u in enumerate(us)}
    para_unit = {}
    for k, u in enumerate(us):
        for para in u["paras"]:
            para_unit.setdefault(para, k)
    menu_unit, options = menu_options(stream, us)
    # A menu's option paragraphs are shown as their programs, unused ones not at all.
    option_paras = {o[1] for o in options}
    main, queue = [0], deque([0])
    seen = {0}
    while queue:
        k = queue.popleft()
        u = us[k]
        nxt = []
        for j in range(u["start"], u["stop"]):
            names, depending = tr.goto_targets(stream, j)
            for n in names:
                if depending and n in option_paras:
                    for o in options:
                        if o[1] == n and o[2]:
                            nxt.extend(para_unit[t] for t in o[3] if t in para_unit)
                    continue
                if n in para_unit and para_unit[n] != k:
                    nxt.append(para_unit[n])
        if k + 1 < len(us) and not ends_in_jump(stream, u) \
                and not (not u["section"] and us[k + 1]["section"]):
            nxt.append(k + 1)
        for t in nxt:
            if t not in seen:
                seen.add(t)
                main.append(t)
                queue.append(t)
    main.sort()
    names = [us[k]["name"] for k in main]
    performed, programs = [], []
    ranges = [(us[k]["start"], us[k]["stop"]) for k in main]
    # Statements before the first header of all belong to the entry; a DECLARATIVES
    # section (its handlers run on I/O errors) is a header too, and is not the entry.
    heads = tr.paragraphs(stream)
    first_header = heads[0][0] if heads else us[0]["start"]
    ranges.append((0, min(first_header, us[0]["start"])))
    for a, b in ranges:
        for j in range(a, b):
            pt = tr.perform_targets(stream, j)
            if pt:
                performed.append(pt[0])
        programs += literal_moves(stream, a, b)
        programs += static_calls(stream, a, b)
    option_programs = [o[2] for o in options if o[2]]
    expected = []
    for n in names + performed + programs + option_programs:
        if n not in expected:
            expected.append(n)
    depth = perform_depth(stream, us, index)
    return {
        "names": expected,
        "main_line": names,
        "performed": sorted(set(performed)),
        "programs": sorted(set(programs) | set(option_programs)),
        "options": [[o[0], o[2]] for o in options if o[2]],
        "perform_depth": depth,
        "file": p.rel,
    }


def perform_depth(stream, us, index):
    """Longest chain of PERFORMs among the program's own procedures (cycles cut)."""
    tr = _truth()
    heads = tr.paragraphs(stream)
    rng = {}
    for k, (i, name, is_sec) in enumerate(heads):
        stop = len(stream)
        for j in range(k + 1, len(heads)):
            if not is_sec or heads[j][2]:
                stop = heads[j][0]
                break
        rng.setdefault(name, (i, stop))
    calls = {}
    for name, (a, b) in rng.items():
        out = []
        for j in range(a, b):
            pt = tr.perform_targets(stream, j)
            if pt and pt[0] in rng:
                out.append(pt[0])
        calls[name] = out
    memo = {}

    def deep(n, stack):
        if n in memo:
            return memo[n]
        if n in stack or len(stack) > 50:
            return 0
        stack.add(n)
        d = 1 + max((deep(c, stack) for c in calls.get(n, [])), default=0)
        stack.discard(n)
        memo[n] = d
        return d

    return max((deep(n, set()) for n in rng), default=0)


def is_menu(corpus, p):
    stream = own_stream(corpus, p)
    return menu_options(stream, units(stream))[0] is not None


def form_names(root):
    """Names of screen form files: files without extension under a folder named FM."""
    out = set()
    for dp, dns, fns in os.walk(root):
        parts = os.path.relpath(dp, root).replace(os.sep, "/").upper().split("/")
        if "FM" not in parts:
            continue
        for fn in fns:
            if "." not in fn:
                out.add(fn.upper())
    return out


class Screens:
    """The screen tree over the corpus, by program name."""

    def __init__(self, corpus, root):
        self.c = corpus
        self.forms = form_names(root)
        self.by_name = {}
        for p in corpus.programs:
            self.by_name.setdefault(corpus.prog_name[p.rel], p)
        self.menus = {n for n, p in self.by_name.items() if is_menu(corpus, p)}
        self.cache = {}

    def children(self, name):
        """[(program, handed_on)] a program leads to, in order."""
        if name in self.cache:
            return self.cache[name]
        tr = _truth()
        p = self.by_name.get(name)
        out = []
        if p is not None:
            files = [p] + [self.c.files[r] for r in sorted(self.c.closure[p.rel])
                           if r != p.rel and r in self.c.files]
            for s in files:
                stream = own_stream(self.c, p) if s is p else \
                    [s.tokens[k] for k in self.c.proc_tokens(s)]
                if not stream:
                    continue
                heads = tr.paragraphs(stream)
                heads_at = {h[0] for h in heads}
                ranges = tr.head_ranges(stream, heads)
                calls_in = {n: {k for a, b in rl for k in range(a, b) if tr.is_dyn_call(stream, k)}
                            for n, rl in ranges.items()}
                moves = tr.dyn_moves(stream)
                info = {"move_at": {m[0] for m in moves}, "calls_in": calls_in}
                for (i, lit, after) in moves:
                    if not lit:
                        continue
                    prog = lit.upper().split("/")[-1].strip()
                    if not prog or tr.is_runtime(prog):
                        continue
                    verdict, _ = tr.classify_move(stream, after, heads_at, ranges, info)
                    out.append((prog, verdict != "call", stream[i].line))
                for prog in static_calls(stream, 0, len(stream)):
                    if prog in self.forms or prog in self.menus:
                        out.append((prog, False, 0))
        seen, res = set(), []
        for prog, handed, _ in out:
            if prog != name and prog not in seen:
                seen.add(prog)
                res.append((prog, handed))
        self.cache[name] = res
        return res

    def reach(self, start, follow_handoffs=True, depth=SCREEN_DEPTH):
        seen = {start}
        q = deque([(start, 0)])
        while q:
            n, d = q.popleft()
            if d >= depth:
                continue
            for prog, handed in self.children(n):
                if handed and not follow_handoffs:
                    continue
                if prog not in seen:
                    seen.add(prog)
                    q.append((prog, d + 1))
        seen.discard(start)
        return seen

    def main_program(self, callers):
        roots = sorted(m for m in self.menus if not callers.get(m))
        pool = roots or sorted(self.menus)
        if not pool:
            return None
        return max(pool, key=lambda m: (len(self.reach(m, follow_handoffs=False)), [-ord(c) for c in m]))


def questions(corpus, facts, root, qid, deep_n=8):
    """Flow and screen-flow questions: every menu, the programs with the deepest PERFORM
    trees, screen trees from every menu and from the main program."""
    out = []
    names = {}
    for p in corpus.programs:
        names.setdefault(corpus.prog_name[p.rel], []).append(p)
    unique = [p for p in corpus.programs if len(names[corpus.prog_name[p.rel]]) == 1]
    flows = {}
    for p in unique:
        e = flow_expected(corpus, p)
        if e and e["names"]:
            flows[p.rel] = e
    menus = [r for r, e in flows.items() if e["options"]]
    deep = sorted((r for r in flows if r not in menus),
                  key=lambda r: (-flows[r]["perform_depth"], -len(flows[r]["names"]), r))[:deep_n]
    for rel in sorted(menus) + deep:
        name = corpus.prog_name[rel]
        base = os.path.basename(rel)
        out.append({
            "id": qid("flow", name), "kind": "flow",
            "question": "Show me a flow of %s" % base, "subject": name,
            "expected": flows[rel],
            "rule": "main line from the entry (fall-through and GO TO), its PERFORMs, "
                    "the programs it names, a menu's option programs",
        })
    screens = Screens(corpus, root)
    for m in sorted(screens.menus):
        if m not in {corpus.prog_name[r] for r in menus}:
            continue
        out.append({
            "id": qid("screen_flow", m), "kind": "screen_flow",
            "question": "Show me the screens from %s down" % m, "subject": m,
            "expected": {"names": sorted(screens.reach(m)), "start": m},
            "rule": "programs reached from the menu through options, FORM-NAM moves and "
                    "CALLs of programs with a screen form, within 6 levels",
        })
    main = screens.main_program(facts.callers)
    if main:
        expected = {"names": sorted(screens.reach(main)), "start": main}
        for k, text in enumerate([
            "Show me a flow of user interface screens starting from the main program.",
            "Show me a complete user screen flow from the main menu down to the bottom of the tree.",
        ]):
            out.append({
                "id": qid("screen_flow", "main-%d" % k), "kind": "screen_flow",
                "question": text, "subject": main, "expected": expected,
                "rule": "the main program (a menu no program calls that reaches the most "
                        "programs, hand-offs not followed), then as for a named menu",
            })
    return out
