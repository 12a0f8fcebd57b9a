//! CALL targets: literal calls (static or runtime routine) and dynamic calls found by
//! walking the control flow from each `MOVE "XX/NAME" TO var` to a `CALL var`; a move
//! that reaches no call is a transfer (a menu return, a chain to another program).

use std::collections::{HashMap, HashSet};

use crate::facts::{Call, CallKind, ProcKind, Transfer};
use crate::proc_facts::{Flow, FlowOp, ProcFacts};

/// Steps one walk may take (bounds the work on big programs).
const STEP_LIMIT: u32 = 50_000;
/// Steps all the walks of one file may take; moves left when it runs out are not
/// reported (neither a call nor a transfer is proven).
const FILE_STEP_LIMIT: u32 = 2_000_000;
/// Nested PERFORMs one walk steps into.
const MAX_DEPTH: u32 = 32;

/// Whether a called literal names a runtime routine: `C$TOLOWER`, `W$MENU`, `SQL$X`,
/// `CBL_CHECK_FILE_EXIST`, `SYSTEM`.
fn is_runtime(upper: &str) -> bool {
    if upper.starts_with("CBL_") || upper == "SYSTEM" {
        return true;
    }
    match upper.find('$') {
        Some(n) => (1..=4).contains(&n) && upper.bytes().take(n).all(|b| b.is_ascii_alphabetic()),
        None => false,
    }
}

/// Splits a program literal into (target, path): `LP/LONPF2` gives (`LONPF2`,
/// Some(`LP/LONPF2`)); `CHKSEC` gives (`CHKSEC`, None).
fn target_of(lit: &str) -> Option<(String, Option<String>)> {
    let lit = lit.trim();
    let (name, path) = match lit.rsplit_once('/') {
        Some((_, n)) => (n, Some(lit.to_string())),
        None => (lit, None),
    };
    let name = name.split('.').next().unwrap_or(name).trim();
    (!name.is_empty()).then(|| (name.to_ascii_uppercase(), path))
}

/// A `CALL "literal"`: (target, path, kind).
pub(crate) fn literal_call(lit: &str) -> Option<(String, Option<String>, CallKind)> {
    let upper = lit.trim().to_ascii_uppercase();
    if is_runtime(&upper) {
        return Some((upper, None, CallKind::Runtime));
    }
    let (target, path) = target_of(lit)?;
    Some((target, path, CallKind::Static))
}

fn is_name(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `XX/NAME` (a directory and a program).
fn is_dir_program(lit: &str) -> bool {
    match lit.split_once('/') {
        Some((dir, name)) => {
            is_name(dir, 8)
                && is_name(name, 10)
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// A bare program name: 2-10 letters or digits, starting with a letter.
fn is_bare_program(lit: &str) -> bool {
    lit.len() >= 2 && is_name(lit, 10) && lit.starts_with(|c: char| c.is_ascii_alphabetic())
}

fn prefix(v: &str) -> Option<&str> {
    v.rsplit_once('-').map(|(p, _)| p).filter(|p| !p.is_empty())
}

/// A move into `v` can feed `CALL w`: the same variable, or one group's fields
/// (`FORM-NAM` and `FORM-PROGX` share `FORM`).
fn related(v: &str, w: &str) -> bool {
    v == w || (prefix(v).is_some() && prefix(v) == prefix(w))
}

/// A variable named like a program name holder: `...-NAM`, `...-NAME`, `...-PROG*`.
fn is_form_var(v: &str) -> bool {
    let last = v.rsplit('-').next().unwrap_or(v);
    v.contains('-') && (last == "NAM" || last == "NAME" || last.starts_with("PROG"))
}

/// Procedure ranges over the flow list.
struct Ranges<'p> {
    by_name: HashMap<&'p str, usize>,
    starts: &'p [usize],
    kinds: Vec<ProcKind>,
    ops_len: usize,
}

impl<'p> Ranges<'p> {
    fn new(pf: &'p ProcFacts) -> Self {
        let mut by_name = HashMap::new();
        for (k, p) in pf.procedures.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_insert(k);
        }
        Ranges {
            by_name,
            starts: &pf.proc_op_start,
            kinds: pf.procedures.iter().map(|p| p.kind).collect(),
            ops_len: pf.ops.len(),
        }
    }

    fn start(&self, k: usize) -> usize {
        self.starts.get(k).copied().unwrap_or(self.ops_len)
    }

    /// Where procedure `k` ends: the next procedure (a paragraph) or the next section.
    fn end(&self, k: usize) -> usize {
        let section = self.kinds.get(k) == Some(&ProcKind::Section);
        (k + 1..self.kinds.len())
            .find(|&j| !section || self.kinds.get(j) == Some(&ProcKind::Section))
            .map_or(self.ops_len, |j| self.start(j))
    }

    fn start_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).map(|&k| self.start(k))
    }

    fn range(&self, target: &str, thru: Option<&str>) -> Option<(usize, usize)> {
        let k = *self.by_name.get(target)?;
        let last = thru.and_then(|t| self.by_name.get(t).copied()).unwrap_or(k);
        Some((self.start(k), self.end(last)))
    }
}

#[derive(Debug, Clone, Copy)]
struct Outcome {
    found: Option<usize>,
    returns: bool,
}

/// One walk from one MOVE.
struct Walk<'p, 'r> {
    ops: &'p [FlowOp],
    ranges: &'r Ranges<'p>,
    receivers: Vec<&'p str>,
    lit: &'p str,
    /// Any `CALL w` counts (a `...-NAM` holder no called variable is related to).
    loose: bool,
    start_sentence: u32,
    start_block: u32,
    /// Ends of the MOVE's own paragraph / section and where their PERFORMs return to.
    returns_at: HashMap<usize, Vec<usize>>,
    steps: u32,
    memo: HashMap<(usize, usize), Outcome>,
    active: HashSet<(usize, usize)>,
}

impl<'p> Walk<'p, '_> {
    fn feeds(&self, var: &str) -> bool {
        self.loose || self.receivers.iter().any(|v| related(v, var))
    }

    fn perform(&mut self, s: usize, e: usize, depth: u32) -> Outcome {
        if let Some(o) = self.memo.get(&(s, e)) {
            return *o;
        }
        if depth > MAX_DEPTH || !self.active.insert((s, e)) {
            return Outcome {
                found: None,
                returns: true,
            };
        }
        let o = self.frame(s, Some(e), depth);
        self.active.remove(&(s, e));
        self.memo.insert((s, e), o);
        o
    }

    /// Walks from `entry`; in a PERFORM body (`end` given) reaching `end` returns.
    fn frame(&mut self, entry: usize, end: Option<usize>, depth: u32) -> Outcome {
        let top = end.is_none();
        let ops = self.ops;
        let mut stack = vec![entry];
        let mut seen: HashSet<usize> = HashSet::new();
        let mut returns = false;
        while let Some(mut p) = stack.pop() {
            loop {
                if self.steps >= STEP_LIMIT {
                    return Outcome {
                        found: None,
                        returns,
                    };
                }
                self.steps += 1;
                if end == Some(p) {
                    returns = true;
                    break;
                }
                if top && let Some(sites) = self.returns_at.remove(&p) {
                    stack.extend(sites);
                }
                let Some(op) = ops.get(p) else { break };
                if !seen.insert(p) {
                    break;
                }
                let uncond = !op.cond
                    || (top && op.sentence == self.start_sentence && op.block == self.start_block);
                match &op.flow {
                    Flow::CallVar { var } if self.feeds(var) => {
                        return Outcome {
                            found: Some(p),
                            returns,
                        };
                    }
                    Flow::MoveLit { lit, to } => {
                        let kills = lit != self.lit
                            && to.iter().any(|t| self.receivers.contains(&t.as_str()));
                        if kills && uncond {
                            break;
                        }
                    }
                    Flow::Perform { target, thru } => {
                        if let Some((s, e)) = self.ranges.range(target, thru.as_deref()) {
                            let o = self.perform(s, e, depth + 1);
                            if o.found.is_some() {
                                return o;
                            }
                            if !o.returns && uncond {
                                break;
                            }
                        }
                    }
                    Flow::GoTo { targets, depending } => {
                        for t in targets.iter().rev() {
                            if let Some(s) = self.ranges.start_of(t) {
                                stack.push(s);
                            }
                        }
                        if uncond && !depending {
                            break;
                        }
                    }
                    Flow::Stop => {
                        if uncond {
                            break;
                        }
                    }
                    Flow::CallVar { .. } => {}
                }
                p += 1;
            }
        }
        Outcome {
            found: None,
            returns,
        }
    }
}

/// For each procedure name, the flow steps just after the PERFORMs that end with it.
fn perform_sites(pf: &ProcFacts) -> HashMap<&str, Vec<usize>> {
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, op) in pf.ops.iter().enumerate() {
        if let Flow::Perform { target, thru } = &op.flow {
            let last = thru.as_deref().unwrap_or(target);
            out.entry(last).or_default().push(i + 1);
        }
    }
    out
}

/// Where PERFORMs of procedure `k` (or of its section) return to, keyed by the end of
/// that procedure.
fn return_sites(
    pf: &ProcFacts,
    ranges: &Ranges<'_>,
    sites: &HashMap<&str, Vec<usize>>,
    k: usize,
) -> HashMap<usize, Vec<usize>> {
    let mut out: HashMap<usize, Vec<usize>> = HashMap::new();
    let Some(p) = pf.procedures.get(k) else {
        return out;
    };
    let mut add = |end: usize, name: &str| {
        if let Some(v) = sites.get(name) {
            out.entry(end).or_default().extend(v.iter().copied());
        }
    };
    add(ranges.end(k), p.name.as_str());
    if let Some(sec) = &p.section
        && let Some(&sk) = ranges.by_name.get(sec.as_str())
    {
        add(ranges.end(sk), sec.as_str());
    }
    out
}

/// Dynamic calls and transfers from the flow list. A dynamic call's `from` is the
/// procedure of the MOVE that names the program (for a menu, the option's paragraph).
pub(crate) fn dynamic(pf: &ProcFacts, program_id: Option<&str>) -> (Vec<Call>, Vec<Transfer>) {
    let mut calls = Vec::new();
    let mut transfers = Vec::new();
    let called: Vec<&str> = pf
        .ops
        .iter()
        .filter_map(|o| match &o.flow {
            Flow::CallVar { var } => Some(var.as_str()),
            _ => None,
        })
        .collect();
    let ranges = Ranges::new(pf);
    let sites = perform_sites(pf);
    let mut budget = FILE_STEP_LIMIT;
    for (m, op) in pf.ops.iter().enumerate() {
        let Flow::MoveLit { lit, to } = &op.flow else {
            continue;
        };
        let lit_t = lit.trim();
        let dir = is_dir_program(lit_t);
        if !dir && !is_bare_program(lit_t) {
            continue;
        }
        let Some((target, path)) = target_of(lit_t) else {
            continue;
        };
        if program_id == Some(target.as_str()) {
            continue;
        }
        let strict: Vec<&str> = to
            .iter()
            .map(String::as_str)
            .filter(|v| called.iter().any(|w| related(v, w)))
            .collect();
        let (receivers, loose) = if !strict.is_empty() {
            (strict, false)
        } else if dir {
            let form: Vec<&str> = to
                .iter()
                .map(String::as_str)
                .filter(|v| is_form_var(v))
                .collect();
            if form.is_empty() {
                continue;
            }
            (form, true)
        } else {
            continue;
        };
        let from = op
            .proc_idx
            .and_then(|k| pf.procedures.get(k))
            .map(|p| p.name.clone());
        if budget == 0 {
            break;
        }
        let returns_at = op
            .proc_idx
            .map(|k| return_sites(pf, &ranges, &sites, k))
            .unwrap_or_default();
        let mut walk = Walk {
            ops: &pf.ops,
            ranges: &ranges,
            receivers,
            lit: lit.as_str(),
            loose,
            start_sentence: op.sentence,
            start_block: op.block,
            returns_at,
            steps: 0,
            memo: HashMap::new(),
            active: HashSet::new(),
        };
        let outcome = walk.frame(m + 1, None, 0);
        budget = budget.saturating_sub(walk.steps);
        if walk.steps >= STEP_LIMIT && outcome.found.is_none() {
            // Not proven either way.
            continue;
        }
        let found = outcome.found.and_then(|c| pf.ops.get(c));
        match found {
            Some(call) => {
                let via = match &call.flow {
                    Flow::CallVar { var } => Some(var.clone()),
                    _ => None,
                };
                calls.push(Call {
                    target,
                    path,
                    kind: CallKind::Dynamic,
                    line: call.line,
                    set_line: Some(op.line),
                    via,
                    from,
                });
            }
            None => transfers.push(Transfer {
                target,
                path,
                line: op.line,
                from,
            }),
        }
    }
    (calls, transfers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_kinds() {
        let cases = [
            ("C$TOLOWER", "C$TOLOWER", None, CallKind::Runtime),
            (
                "CBL_CHECK_FILE_EXIST",
                "CBL_CHECK_FILE_EXIST",
                None,
                CallKind::Runtime,
            ),
            ("SYSTEM", "SYSTEM", None, CallKind::Runtime),
            ("SQL$QUERY", "SQL$QUERY", None, CallKind::Runtime),
            ("ACSEC", "ACSEC", None, CallKind::Static),
            ("LP/ACPAY2", "ACPAY2", Some("LP/ACPAY2"), CallKind::Static),
        ];
        for (lit, target, path, kind) in cases {
            let got = literal_call(lit);
            assert_eq!(
                got,
                Some((target.to_string(), path.map(str::to_string), kind)),
                "{lit}"
            );
        }
    }

    #[test]
    fn names_and_relations() {
        assert!(is_dir_program("FX/ACMENU") && !is_dir_program("GL/A B"));
        assert!(is_bare_program("ACSEC") && !is_bare_program("00") && !is_bare_program("Y"));
        assert!(related("FORM-NAM", "FORM-PROGX") && !related("VDU-FORM-NAME", "FORM-PROGX"));
        assert!(is_form_var("WS-PROG-NAME") && is_form_var("FORM-PROG") && !is_form_var("NAME"));
    }
}
