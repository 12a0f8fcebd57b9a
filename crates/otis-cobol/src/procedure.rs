//! Procedure statements: sections and paragraphs, PERFORM / GO TO edges, CALL sites,
//! identifier references with their access, and a small flow list (moves of literals,
//! calls through variables, performs, jumps, stops) for the dynamic-call walk.

use std::collections::HashSet;

use crate::calls::literal_call;
use crate::facts::{Access, Call, Edge, EdgeKind, ProcKind, Procedure};
use crate::fileops;
use crate::lex::{Tok, Token};
use crate::proc_facts::{Flow, FlowOp, ProcFacts, RawRef};
use crate::statements::StatementKind;
use crate::words::{OTHER_VERB, is_user_word, verb as verb_of, verb_code};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Branch {
    If,
    Eval,
    Phrase,
    Inline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Read,
    Write,
    /// Written unless a GIVING follows (`ADD A TO B`).
    Tentative,
    /// The next identifier is written, then reads.
    WriteOnce,
}

#[derive(Debug)]
struct Stmt {
    verb: Option<&'static str>,
    /// Line of the verb.
    line: u32,
    /// A PERFORM already counted as a loop.
    looped: bool,
    phase: Phase,
    buf: Vec<RawRef>,
    tentative: Vec<usize>,
    paren: u32,
    qualifier_next: bool,
    move_lit: Option<(String, u32)>,
    move_to: Vec<String>,
    seen_to: bool,
    inspect_subject: Option<usize>,
}

impl Stmt {
    fn new(verb: Option<&'static str>) -> Self {
        let phase = match verb {
            Some("COMPUTE" | "SET" | "INITIALIZE") => Phase::Write,
            Some("ACCEPT") => Phase::WriteOnce,
            _ => Phase::Read,
        };
        Stmt {
            verb,
            line: 0,
            looped: false,
            phase,
            buf: Vec::new(),
            tentative: Vec::new(),
            paren: 0,
            qualifier_next: false,
            move_lit: None,
            move_to: Vec::new(),
            seen_to: false,
            inspect_subject: None,
        }
    }
}

struct Scanner<'t, 'a> {
    toks: &'t [Token<'a>],
    i: usize,
    out: ProcFacts,
    section: Option<String>,
    para: Option<String>,
    branches: Vec<(u32, Branch)>,
    next_block: u32,
    sentence: u32,
    when_verbs: Vec<&'static str>,
    stmt: Stmt,
    /// Paragraphs and sections named with a reserved word that is not a verb
    /// (`REPORT.`): names where a procedure name is expected (`GO TO REPORT`).
    reserved_names: HashSet<String>,
}

/// Scans procedure tokens. `lines` is the file's line count (for the last `end_line`).
pub(crate) fn scan(toks: &[Token<'_>], lines: u32) -> ProcFacts {
    let mut s = Scanner {
        toks,
        i: 0,
        out: ProcFacts::default(),
        section: None,
        para: None,
        branches: Vec::new(),
        next_block: 0,
        sentence: 0,
        when_verbs: Vec::new(),
        stmt: Stmt::new(None),
        reserved_names: HashSet::new(),
    };
    s.reserved_names = (0..toks.len())
        .filter(|&k| s.header_at(k).is_some() && toks[k].kind == Tok::Word)
        .map(|k| toks[k].text.to_string())
        .filter(|name| !is_user_word(name))
        .collect();
    s.run();
    let mut out = s.out;
    let starts: Vec<u32> = out.procedures.iter().map(|p| p.line).collect();
    for (k, p) in out.procedures.iter_mut().enumerate() {
        let next = starts.get(k + 1).map_or(lines, |&n| n.saturating_sub(1));
        p.end_line = next.max(p.line).min(lines.max(p.line));
    }
    out
}

impl<'t, 'a> Scanner<'t, 'a> {
    fn tok(&self, k: usize) -> Option<&'t Token<'a>> {
        let toks: &'t [Token<'a>] = self.toks;
        toks.get(k)
    }

    fn is_at(&self, k: usize, w: &str) -> bool {
        self.tok(k).is_some_and(|t| t.is(w))
    }

    fn from(&self) -> Option<String> {
        self.para.clone().or_else(|| self.section.clone())
    }

    /// A section or paragraph header starts at `k`: returns (kind, tokens used).
    fn header_at(&self, k: usize) -> Option<(ProcKind, usize)> {
        let t = self.tok(k)?;
        if t.kind != Tok::Word || !t.area_a || !t.first {
            return None;
        }
        let next = self.tok(k + 1)?;
        // A reserved word names a procedure only when it is no verb, scope end or
        // DECLARATIVES, and its header is the usual `NAME.` / `NAME SECTION.`.
        let reserved_name = || {
            verb_code(&t.text) == OTHER_VERB
                && !t.text.starts_with("END-")
                && !t.is("DECLARATIVES")
                && !t.is("END")
                && (next.kind == Tok::Period || next.is("SECTION"))
        };
        if !is_user_word(&t.text) && !reserved_name() {
            return None;
        }
        if next.kind == Tok::Period {
            return Some((ProcKind::Paragraph, 2));
        }
        if next.is("SECTION") {
            return match self.tok(k + 2) {
                Some(p) if p.kind == Tok::Period => Some((ProcKind::Section, 3)),
                Some(n) if n.kind == Tok::Number => {
                    let used = if self.tok(k + 3).is_some_and(|p| p.kind == Tok::Period) {
                        4
                    } else {
                        3
                    };
                    Some((ProcKind::Section, used))
                }
                _ => Some((ProcKind::Section, 2)),
            };
        }
        None
    }

    fn run(&mut self) {
        while let Some(t) = self.toks.get(self.i) {
            match t.kind {
                Tok::Period => {
                    self.end_stmt();
                    self.out.tally.nesting.end_sentence();
                    self.branches.clear();
                    self.when_verbs.clear();
                    self.sentence += 1;
                    self.i += 1;
                }
                Tok::Word => self.word(),
                Tok::LParen => {
                    self.stmt.paren += 1;
                    self.i += 1;
                }
                Tok::RParen => {
                    self.stmt.paren = self.stmt.paren.saturating_sub(1);
                    self.i += 1;
                }
                Tok::Op => {
                    if t.text == "=" && self.stmt.verb == Some("COMPUTE") && self.stmt.paren == 0 {
                        self.stmt.phase = Phase::Read;
                    }
                    self.i += 1;
                }
                Tok::Literal | Tok::Number | Tok::Pic | Tok::Colon => self.i += 1,
            }
        }
        self.end_stmt();
    }

    fn header(&mut self, kind: ProcKind, used: usize) {
        self.end_stmt();
        self.stmt = Stmt::new(None);
        self.out.tally.nesting.end_sentence();
        self.branches.clear();
        self.when_verbs.clear();
        self.sentence += 1;
        let Some(t) = self.tok(self.i) else { return };
        let name = t.text.to_string();
        let line = t.line;
        let section = match kind {
            ProcKind::Section => {
                self.section = Some(name.clone());
                self.para = None;
                None
            }
            ProcKind::Paragraph => {
                self.para = Some(name.clone());
                self.section.clone()
            }
        };
        self.out.procedures.push(Procedure {
            name,
            kind,
            line,
            end_line: line,
            section,
        });
        self.out.proc_op_start.push(self.out.ops.len());
        self.i += used;
    }

    fn word(&mut self) {
        let Some(t) = self.tok(self.i) else { return };
        if t.area_a
            && t.first
            && let Some((kind, used)) = self.header_at(self.i)
        {
            self.header(kind, used);
            return;
        }
        let w: &str = &t.text;
        if let Some((v, kind)) = verb_of(w) {
            self.end_stmt();
            self.start(v, kind);
            return;
        }
        match w {
            "ELSE" => {
                self.end_stmt();
                self.stmt = Stmt::new(None);
                if self.branches.last().is_some_and(|b| b.1 == Branch::If) {
                    self.branches.pop();
                }
                self.push_branch(Branch::If);
                self.out.tally.nesting.else_();
            }
            "WHEN" => {
                self.end_stmt();
                let verb = self.when_verbs.last().copied().unwrap_or("EVALUATE");
                self.stmt = Stmt::new(Some(verb));
                self.pop_until(Branch::Eval, false);
                self.push_branch(Branch::Eval);
                if !self.is_at(self.i + 1, "OTHER") {
                    self.out.tally.decisions(1);
                }
                self.out.tally.nesting.when();
            }
            "END-IF" => {
                self.end_stmt();
                self.pop_until(Branch::If, true);
                self.out.tally.nesting.end_if();
            }
            "END-EVALUATE" | "END-SEARCH" => {
                self.end_stmt();
                self.pop_until(Branch::Eval, true);
                self.when_verbs.pop();
                self.out.tally.nesting.end_eval();
            }
            "END-PERFORM" => {
                self.end_stmt();
                self.pop_until(Branch::Inline, true);
                self.out.tally.nesting.end_inline();
            }
            "END-EXEC" => {}
            "END-OF-PAGE" | "EOP" => self.conditional_phrase(),
            _ if w.starts_with("END-") && crate::words::is_reserved(w) => {
                self.end_stmt();
                if self.branches.last().is_some_and(|b| b.1 == Branch::Phrase) {
                    self.branches.pop();
                }
                self.out.tally.nesting.end_phrase();
            }
            "AT" if self
                .tok(self.i + 1)
                .is_some_and(|n| matches!(n.text.as_ref(), "END" | "EOP" | "END-OF-PAGE")) =>
            {
                self.conditional_phrase();
                self.i += 1;
            }
            "EXCEPTION" if self.stmt.verb == Some("USE") => {}
            "INVALID" | "EXCEPTION" | "OVERFLOW" => self.conditional_phrase(),
            "SIZE" if self.is_at(self.i + 1, "ERROR") => self.conditional_phrase(),
            "NEXT" if self.is_at(self.i + 1, "SENTENCE") => {
                self.out
                    .tally
                    .statement(StatementKind::NextSentence, t.line);
            }
            "FUNCTION" => self.i += 1,
            "OF" | "IN" => self.stmt.qualifier_next = true,
            _ if is_user_word(w) => {
                let (name, line) = (w.to_string(), t.line);
                self.ident(name, line);
            }
            _ => self.keyword(w),
        }
        self.i += 1;
    }

    fn push_branch(&mut self, b: Branch) {
        self.next_block += 1;
        self.branches.push((self.next_block, b));
    }

    fn phrase(&mut self) {
        if self.branches.last().is_some_and(|b| b.1 == Branch::Phrase) {
            self.branches.pop();
        }
        self.push_branch(Branch::Phrase);
    }

    /// `AT END`, `INVALID KEY`, `ON SIZE ERROR`, `ON EXCEPTION`, ... (and their `NOT`
    /// forms) at `self.i`: a branch, a decision point, a scope.
    fn conditional_phrase(&mut self) {
        self.phrase();
        self.out.tally.decisions(1);
        let back = |n: usize| self.i.checked_sub(n).and_then(|k| self.tok(k));
        let negated = match back(1) {
            Some(t) if t.is("NOT") => true,
            Some(t) if t.is("ON") || t.is("AT") => back(2).is_some_and(|t| t.is("NOT")),
            _ => false,
        };
        self.out.tally.nesting.phrase(negated);
    }

    /// Pops branches down to the innermost `b` (popping it too when `inclusive`).
    fn pop_until(&mut self, b: Branch, inclusive: bool) {
        if !self.branches.iter().any(|x| x.1 == b) {
            return;
        }
        while let Some(top) = self.branches.last() {
            if top.1 == b {
                if inclusive {
                    self.branches.pop();
                }
                return;
            }
            self.branches.pop();
        }
    }

    fn push_op(&mut self, flow: Flow, line: u32) {
        let (cond, block) = match self.branches.last() {
            Some((id, _)) => (true, *id),
            None => (false, 0),
        };
        let proc_idx = self.out.procedures.len().checked_sub(1);
        self.out.ops.push(FlowOp {
            flow,
            line,
            cond,
            block,
            sentence: self.sentence,
            proc_idx,
        });
    }

    fn edge(&mut self, target: String, thru: Option<String>, kind: EdgeKind, line: u32) {
        let from = self.from();
        self.out.edges.push(Edge {
            from,
            target,
            thru,
            kind,
            line,
        });
    }

    /// Starts a statement at the verb token `self.i`; `kind` is its plain kind.
    fn start(&mut self, verb: &'static str, kind: StatementKind) {
        self.out.statements += 1;
        let line = self.tok(self.i).map_or(0, |t| t.line);
        self.stmt = Stmt::new(Some(verb));
        self.stmt.line = line;
        if verb != "EXEC" {
            self.out.tally.statement(kind, line);
        }
        if matches!(
            kind,
            StatementKind::Open
                | StatementKind::Close
                | StatementKind::Read
                | StatementKind::Write
                | StatementKind::Rewrite
                | StatementKind::Delete
                | StatementKind::Start
                | StatementKind::Sort
                | StatementKind::Merge
                | StatementKind::Release
                | StatementKind::Return
        ) {
            let from = self.para.as_deref().or(self.section.as_deref());
            fileops::scan(self.toks, self.i, verb, from, &mut self.out.file_ops);
        }
        match verb {
            "PERFORM" => return self.perform(line),
            "GO" => return self.go(line),
            "CALL" => return self.call(line),
            "EXEC" => return self.exec(line),
            "IF" => {
                self.push_branch(Branch::If);
                self.out.tally.decisions(1);
                self.out.tally.nesting.open_if();
            }
            "EVALUATE" => {
                self.push_branch(Branch::Eval);
                self.when_verbs.push("EVALUATE");
                self.out.tally.nesting.open_eval();
            }
            "SEARCH" => {
                self.push_branch(Branch::Eval);
                self.when_verbs.push("SEARCH");
                self.out.tally.nesting.open_eval();
            }
            "EXIT" if self.is_at(self.i + 1, "PROGRAM") => {
                self.push_op(Flow::Stop, line);
                self.out.tally.statement(StatementKind::ExitProgram, line);
            }
            "STOP" if self.is_at(self.i + 1, "RUN") => {
                self.push_op(Flow::Stop, line);
                self.out.tally.statement(StatementKind::StopRun, line);
            }
            "GOBACK" => self.push_op(Flow::Stop, line),
            "MOVE" => {
                if let Some(l) = self.tok(self.i + 1).filter(|l| l.kind == Tok::Literal)
                    && self.is_at(self.i + 2, "TO")
                {
                    self.stmt.move_lit = Some((l.text.to_string(), l.line));
                }
                let corr = |t: &Token<'_>| t.is("CORR") || t.is("CORRESPONDING");
                if self.tok(self.i + 1).is_some_and(corr) {
                    self.out
                        .tally
                        .statement(StatementKind::MoveCorresponding, line);
                }
            }
            _ => {}
        }
        self.i += 1;
    }

    /// A procedure name at `k` (a user word that is not the next header).
    fn proc_name_at(&self, k: usize) -> Option<String> {
        let t = self.tok(k)?;
        let name = is_user_word(&t.text) || self.reserved_names.contains(t.text.as_ref());
        (t.kind == Tok::Word && name && self.header_at(k).is_none()).then(|| t.text.to_string())
    }

    fn perform(&mut self, line: u32) {
        let j = self.i + 1;
        match self.proc_name_at(j) {
            Some(target) if !self.is_at(j + 1, "TIMES") => {
                let mut k = j + 1;
                let mut thru = None;
                if self.is_at(k, "THRU") || self.is_at(k, "THROUGH") {
                    thru = self.proc_name_at(k + 1);
                    k += if thru.is_some() { 2 } else { 1 };
                }
                if thru.is_some() {
                    self.out.tally.statement(StatementKind::PerformThru, line);
                }
                self.edge(target.clone(), thru.clone(), EdgeKind::Perform, line);
                self.push_op(Flow::Perform { target, thru }, line);
                self.i = k;
            }
            _ => {
                self.push_branch(Branch::Inline);
                self.out.tally.nesting.open_inline();
                self.i = j;
            }
        }
    }

    fn go(&mut self, line: u32) {
        let mut k = self.i + 1;
        if self.is_at(k, "TO") {
            k += 1;
        }
        let mut targets = Vec::new();
        while let Some(name) = self.proc_name_at(k) {
            targets.push(name);
            k += 1;
        }
        let depending = self.is_at(k, "DEPENDING");
        if depending {
            k += 1;
            if self.is_at(k, "ON") {
                k += 1;
            }
        }
        if depending {
            self.out.tally.statement(StatementKind::GoToDepending, line);
            let extra = u32::try_from(targets.len().saturating_sub(1)).unwrap_or(u32::MAX);
            self.out.tally.decisions(extra);
        }
        for t in &targets {
            self.edge(t.clone(), None, EdgeKind::GoTo, line);
        }
        if !targets.is_empty() {
            self.push_op(Flow::GoTo { targets, depending }, line);
        }
        self.i = k;
    }

    fn call(&mut self, line: u32) {
        let k = self.i + 1;
        match self.tok(k) {
            Some(t) if t.kind == Tok::Literal => {
                if let Some((target, path, kind)) = literal_call(&t.text) {
                    let from = self.from();
                    self.out.calls.push(Call {
                        target,
                        path,
                        kind,
                        line,
                        set_line: None,
                        via: None,
                        from,
                    });
                }
                self.i = k + 1;
            }
            Some(t) if t.kind == Tok::Word && is_user_word(&t.text) => {
                self.out.tally.statement(StatementKind::CallVariable, line);
                let var = t.text.to_string();
                let vline = t.line;
                self.push_op(Flow::CallVar { var: var.clone() }, line);
                self.ident(var, vline);
                self.i = k + 1;
            }
            _ => self.i = k,
        }
    }

    /// `EXEC ... END-EXEC`: only host variables (`:NAME`) are references.
    fn exec(&mut self, line: u32) {
        let kind = match self.tok(self.i + 1) {
            Some(t) if t.is("SQL") => StatementKind::ExecSql,
            Some(t) if t.is("CICS") => StatementKind::ExecCics,
            _ => StatementKind::ExecOther,
        };
        self.out.tally.statement(kind, line);
        let mut k = self.i + 1;
        let mut into = false;
        while let Some(t) = self.tok(k) {
            if t.kind == Tok::Period || t.is("END-EXEC") {
                break;
            }
            if t.kind == Tok::Word {
                match t.text.as_ref() {
                    "INTO" => into = true,
                    "FROM" | "WHERE" | "VALUES" | "SET" | "USING" => into = false,
                    _ => {}
                }
            }
            if t.kind == Tok::Colon
                && let Some(v) = self.tok(k + 1).filter(|v| v.kind == Tok::Word)
            {
                let access = if into { Access::Write } else { Access::Read };
                self.stmt.buf.push(RawRef {
                    name: v.text.to_string(),
                    verb: "EXEC",
                    access,
                    line: v.line,
                });
                k += 1;
            }
            k += 1;
        }
        if self.is_at(k, "END-EXEC") {
            k += 1;
        }
        self.end_stmt();
        self.i = k;
    }

    fn keyword(&mut self, w: &str) {
        let Some(verb) = self.stmt.verb else { return };
        match w {
            "AND" | "OR" if matches!(verb, "IF" | "EVALUATE" | "SEARCH" | "PERFORM") => {
                self.out.tally.decisions(1);
            }
            "UNTIL" | "VARYING" | "TIMES" if verb == "PERFORM" => {
                if w == "UNTIL" {
                    self.out.tally.decisions(1);
                }
                if !self.stmt.looped {
                    self.stmt.looped = true;
                    self.out
                        .tally
                        .statement(StatementKind::PerformUntil, self.stmt.line);
                }
            }
            _ => {}
        }
        let s = &mut self.stmt;
        match (verb, w) {
            ("MOVE", "TO") => {
                s.phase = Phase::Write;
                s.seen_to = true;
            }
            ("ADD", "TO") | ("SUBTRACT", "FROM") | ("MULTIPLY", "BY") | ("DIVIDE", "INTO") => {
                s.phase = Phase::Tentative;
            }
            ("ADD" | "SUBTRACT" | "MULTIPLY" | "DIVIDE", "GIVING") => {
                for &k in &s.tentative {
                    if let Some(r) = s.buf.get_mut(k) {
                        r.access = Access::Read;
                    }
                }
                s.tentative.clear();
                s.phase = Phase::Write;
            }
            ("DIVIDE", "BY") => s.phase = Phase::Read,
            ("DIVIDE", "REMAINDER") => s.phase = Phase::Write,
            ("COMPUTE", "EQUAL") => s.phase = Phase::Read,
            ("SET", "TO" | "UP" | "DOWN") => s.phase = Phase::Read,
            ("INITIALIZE", "REPLACING") => s.phase = Phase::Read,
            ("READ" | "RETURN", "INTO") => s.phase = Phase::WriteOnce,
            ("READ" | "RETURN", "KEY") => s.phase = Phase::Read,
            ("STRING", "INTO" | "POINTER") => s.phase = Phase::Write,
            ("STRING", "DELIMITED") => s.phase = Phase::Read,
            ("UNSTRING", "INTO" | "DELIMITER" | "COUNT" | "TALLYING" | "POINTER") => {
                s.phase = Phase::Write;
            }
            ("UNSTRING", "DELIMITED") => s.phase = Phase::Read,
            ("INSPECT", "REPLACING" | "CONVERTING") => {
                if let Some(r) = s.inspect_subject.and_then(|k| s.buf.get_mut(k)) {
                    r.access = Access::Write;
                }
                s.phase = Phase::Read;
            }
            ("INSPECT", "TALLYING") => s.phase = Phase::WriteOnce,
            ("PERFORM" | "SEARCH", "VARYING") | ("PERFORM", "AFTER") => s.phase = Phase::WriteOnce,
            ("PERFORM", "FROM" | "BY" | "UNTIL") => s.phase = Phase::Read,
            ("CALL", "GIVING" | "RETURNING") => s.phase = Phase::Write,
            ("ACCEPT", "FROM") => s.phase = Phase::Read,
            _ => {}
        }
    }

    fn ident(&mut self, name: String, line: u32) {
        let s = &mut self.stmt;
        let Some(verb) = s.verb else {
            s.qualifier_next = false;
            return;
        };
        let qualifier = std::mem::take(&mut s.qualifier_next);
        let plain = !qualifier && s.paren == 0;
        let mut access = Access::Read;
        if plain {
            match s.phase {
                Phase::Read => {}
                Phase::Write => access = Access::Write,
                Phase::Tentative => {
                    access = Access::Write;
                    s.tentative.push(s.buf.len());
                }
                Phase::WriteOnce => {
                    access = Access::Write;
                    s.phase = Phase::Read;
                }
            }
            if verb == "INSPECT" && s.inspect_subject.is_none() {
                s.inspect_subject = Some(s.buf.len());
            }
            if verb == "MOVE" && s.seen_to {
                s.move_to.push(name.clone());
            }
        }
        s.buf.push(RawRef {
            name,
            verb,
            access,
            line,
        });
    }

    fn end_stmt(&mut self) {
        let s = std::mem::replace(&mut self.stmt, Stmt::new(None));
        self.out.refs.extend(s.buf);
        if let Some((lit, line)) = s.move_lit
            && !s.move_to.is_empty()
        {
            self.push_op(Flow::MoveLit { lit, to: s.move_to }, line);
        }
    }
}
