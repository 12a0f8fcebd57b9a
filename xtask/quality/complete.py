"""Questions for complete answers (issue 18, items 2-5), with their ground truth read from
the sources by truth.py's readers:

- used_for: "What is X used for?" asks what a program is for: its header description,
  as a purpose question does.
- section_does: "What does <section> do?" for a SECTION defined once, in a procedure
  copybook: the procedures it PERFORMs or goes to (GO TO) between its header and the next
  SECTION header, and the file it is in.
- data_item_for: "Tell me about the variable X: what is it used for?" for a data item
  defined once and named by 1 to 25 procedure lines: the record (level 01) it sits in,
  the FD that record is under when it is in the same file, and every line naming it.
- also_in: "Where is X defined?" for a copybook member kept in several folders: the
  definition is the file in the member's own library (LIB + its first two letters), else
  the one in the shallowest folder, then by path; every other file is an "also in" copy.

The rules are in README.md ("Complete answers").
"""

import os
import re

KINDS = ["used_for", "section_does", "data_item_for", "also_in"]

CAPS = {"used_for": 8, "section_does": 8, "data_item_for": 10, "also_in": 6}

FD_RE = re.compile(r"^\s*(FD|SD)\s+([A-Z0-9][A-Z0-9-]*)")
SECTION_RE = re.compile(r"^\s*([A-Z-]+)\s+SECTION\s*\.")


def used_for(tr, progs, pname, descs, taken, rng, keep_all):
    """Programs with a header description that the purpose questions did not ask about."""
    rels = [p.rel for p in progs if p.rel in descs and p.rel not in taken]
    out = []
    for rel in tr.stratified(rels, lambda r: r.split("/")[0], CAPS["used_for"], rng, keep_all):
        q = tr.purpose_question(pname[rel], rel, descs[rel])
        q.update({
            "id": tr.qid("used_for", pname[rel]), "kind": "used_for",
            "question": "What is %s used for?" % pname[rel],
            "rule": "a program with a header description, asked what it is used for: "
                    "its purpose (" + q["rule"].split("(", 1)[1],
        })
        out.append(q)
    return out


def section_targets(tr, corpus, src, name):
    """The procedures SECTION `name` of `src` PERFORMs or goes to, in order, once each."""
    rng_ = corpus.proc_tokens(src)
    stream = [src.tokens[k] for k in rng_]
    heads = tr.paragraphs(stream)
    ranges = tr.head_ranges(stream, heads).get(name, [])
    if len(ranges) != 1:
        return None
    start, stop = ranges[0]
    out = []
    for i in range(start, stop):
        names = tr.perform_targets(stream, i) + tr.goto_targets(stream, i)[0]
        for n in names:
            if n != name and n not in out:
                out.append(n)
    return out


def section_does(tr, corpus, facts, rng, keep_all):
    cands = []
    for name, rel, line in sorted(tr.copybook_sections(corpus, facts)):
        targets = section_targets(tr, corpus, corpus.files[rel], name)
        if targets:
            cands.append((name, rel, line, targets))
    out = []
    chosen = tr.stratified(cands, lambda c: c[1], CAPS["section_does"], rng, keep_all)
    for k, (name, rel, line, targets) in enumerate(sorted(chosen)):
        text = ["What does %s do?", "What does the %s section do?"][k % 2] % name
        out.append({
            "id": tr.qid("section_does", name), "kind": "section_does",
            "question": text, "subject": name,
            "expected": {"names": targets, "file": rel, "defined_in": [rel, line]},
            "rule": "SECTION defined once, in a procedure copybook; names = the procedures "
                    "it PERFORMs (THRU included) or goes to, from its header to the next "
                    "SECTION header",
        })
    return out


def data_layout(corpus, facts):
    """Per file: its data items in line order, as (line, level, name)."""
    by_file = {}
    for name, defs in facts.data_defs.items():
        for d in defs:
            by_file.setdefault(d["file"], []).append((d["line"], d["level"], name))
    for items in by_file.values():
        items.sort()
    return by_file


FILLER_01_RE = re.compile(r"^\s*0?1\s+FILLER\b(?:.*\bREDEFINES\s+([A-Z0-9][A-Z0-9-]*))?")


def record_of(layout, d, name, src=None):
    """The level-01 record an item sits in (None for 01, 77 and 78 items, or when the file
    has no 01 before it). Under `01 FILLER REDEFINES X` (read from `src`'s code), X; under
    a FILLER 01 that redefines nothing, None."""
    if d["level"] in ("01", "77", "78"):
        return None
    record, start = None, 0
    for (line, level, n) in layout.get(d["file"], []):
        if line > d["line"]:
            break
        if level == "01":
            record, start = n, line
        elif level in ("77", "78"):
            record, start = None, line
    if src is not None and record is not None:
        for n in sorted(src.code):
            if start < n < d["line"]:
                m = FILLER_01_RE.match(src.code[n])
                if m:
                    record = m.group(1)
    return record


def fd_above(src, line):
    """The FD / SD a line sits under in the same file (None after a later section header)."""
    fd = None
    for n in sorted(src.code):
        if n > line:
            break
        code = src.code[n]
        m = FD_RE.match(code)
        if m:
            fd = m.group(2)
        elif SECTION_RE.match(code):
            fd = None
    return fd


def data_item_for(tr, corpus, facts, dcands, taken, rng, keep_all):
    layout = data_layout(corpus, facts)
    cands = []
    for (name, d, sites) in dcands:
        if name in taken or not 1 <= len(sites) <= 25:
            continue
        record = record_of(layout, d, name, corpus.files[d["file"]])
        if record is None or len(facts.data_defs.get(record, [])) != 1:
            continue
        rec = facts.data_defs[record][0]
        if rec["file"] != d["file"]:
            continue
        names = [record]
        fd = fd_above(corpus.files[d["file"]], rec["line"])
        if fd:
            names.append(fd)
        cands.append((name, d, sites, names))
    out = []
    chosen = tr.stratified(cands, lambda c: c[1]["file"].split("/")[0],
                           CAPS["data_item_for"], rng, keep_all)
    for (name, d, sites, names) in chosen:
        out.append({
            "id": tr.qid("data_item_for", name), "kind": "data_item_for",
            "question": "Tell me about the variable %s: what is it used for?" % name,
            "subject": name,
            "expected": {"names": names, "sites": [tr.site(r, n) for r, n in sites],
                         "defined_in": [d["file"], d["line"]]},
            "rule": "data item defined once (as data_usage), in a record (level 01) of the "
                    "same file, named by 1..25 procedure lines; names = the record, and the "
                    "FD or SD it is under in that file; sites = those lines",
        })
    return out


def home_first(files):
    """A member's files, the definition first: its own library (LIB + the member's first
    two letters), else the shallowest folder, then by path."""
    def key(rel):
        folder = os.path.dirname(rel)
        member = os.path.splitext(os.path.basename(rel))[0].upper()
        return (folder.upper() != "LIB" + member[:2], folder.count("/"), rel)
    return sorted(files, key=key)


def also_in(tr, corpus, rng, keep_all):
    cands = []
    for member, srcs in sorted(corpus.cpy_by_member.items()):
        rels = [s.rel for s in srcs]
        if len(rels) < 2 or member in corpus.prog_name.values():
            continue
        cands.append((member, home_first(rels)))
    out = []
    for (member, rels) in tr.stratified(cands, lambda c: len(c[1]), CAPS["also_in"], rng,
                                        keep_all):
        out.append({
            "id": tr.qid("also_in", member), "kind": "also_in",
            "question": "Where is %s defined?" % member, "subject": member,
            "expected": {"definition": rels[0], "also_in": rels[1:]},
            "rule": "copybook member with files in several folders (and no program of that "
                    "name); the definition: own library, else shallowest folder, then path",
        })
    return out


def questions(tr, corpus, facts, rng, keep_all, progs, pname, descs, purpose_taken,
              dcands, data_taken):
    """Every question of this module's kinds."""
    return (used_for(tr, progs, pname, descs, purpose_taken, rng, keep_all)
            + section_does(tr, corpus, facts, rng, keep_all)
            + data_item_for(tr, corpus, facts, dcands, data_taken, rng, keep_all)
            + also_in(tr, corpus, rng, keep_all))
