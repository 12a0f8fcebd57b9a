//! Counting as the procedure scanner goes: statements by kind, decision points, and the
//! scopes that tell how deep IFs nest.

use crate::statements::{Complexity, StatementKind, StatementUse};

const KINDS: usize = StatementKind::ALL.len();

/// Statement counts and complexity of one file's procedure code.
#[derive(Debug)]
pub(crate) struct Tally {
    counts: [u32; KINDS],
    first: [u32; KINDS],
    decisions: u32,
    pub(crate) nesting: Nesting,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            counts: [0; KINDS],
            first: [0; KINDS],
            decisions: 0,
            nesting: Nesting::default(),
        }
    }
}

impl Tally {
    /// One statement of `kind` at `line`.
    pub(crate) fn statement(&mut self, kind: StatementKind, line: u32) {
        let k = kind as usize;
        if let (Some(count), Some(first)) = (self.counts.get_mut(k), self.first.get_mut(k)) {
            if *count == 0 || line < *first {
                *first = line;
            }
            *count = count.saturating_add(1);
        }
    }

    /// `n` decision points.
    pub(crate) fn decisions(&mut self, n: u32) {
        self.decisions = self.decisions.saturating_add(n);
    }

    /// One entry per kind present, in kind order.
    pub(crate) fn uses(&self) -> Vec<StatementUse> {
        StatementKind::ALL
            .iter()
            .zip(self.counts.iter().zip(&self.first))
            .filter(|(_, (count, _))| **count > 0)
            .map(|(&kind, (&count, &first_line))| StatementUse {
                kind,
                count,
                first_line,
            })
            .collect()
    }

    pub(crate) fn complexity(&self) -> Complexity {
        Complexity {
            decisions: self.decisions,
            max_if_depth: self.nesting.max,
        }
    }
}

/// An open scope an IF can stand in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// An IF, in its own part or (`in_else`) in its ELSE part.
    If { in_else: bool },
    /// An EVALUATE or SEARCH (its WHENs).
    Eval,
    /// An inline PERFORM (up to END-PERFORM).
    Inline,
    /// A conditional phrase (`AT END`, `INVALID KEY`, ...).
    Phrase,
}

/// The open scopes of the current sentence, to measure how deep IFs nest.
#[derive(Debug, Default)]
pub(crate) struct Nesting {
    scopes: Vec<Scope>,
    /// IFs among `scopes`.
    ifs: u32,
    /// The deepest `ifs` seen.
    max: u32,
}

impl Nesting {
    fn truncate(&mut self, len: usize) {
        while self.scopes.len() > len {
            if let Some(Scope::If { .. }) = self.scopes.pop() {
                self.ifs = self.ifs.saturating_sub(1);
            }
        }
    }

    /// The innermost scope that `stop` accepts, from the top.
    fn find(&self, stop: impl Fn(Scope) -> bool) -> Option<(usize, Scope)> {
        let k = self.scopes.iter().rposition(|&s| stop(s))?;
        Some((k, *self.scopes.get(k)?))
    }

    pub(crate) fn open_if(&mut self) {
        self.scopes.push(Scope::If { in_else: false });
        self.ifs += 1;
        self.max = self.max.max(self.ifs);
    }

    /// `ELSE`: the innermost IF still in its own part takes it; IFs already in their ELSE
    /// part and phrases above it end. Nothing outside the current EVALUATE or inline
    /// PERFORM is touched.
    pub(crate) fn else_(&mut self) {
        let found = self.find(|s| !matches!(s, Scope::Phrase | Scope::If { in_else: true }));
        if let Some((k, Scope::If { .. })) = found {
            self.truncate(k + 1);
            if let Some(top) = self.scopes.last_mut() {
                *top = Scope::If { in_else: true };
            }
        }
    }

    /// `END-IF`: ends the innermost IF (and what is open inside it) within the current
    /// EVALUATE or inline PERFORM.
    pub(crate) fn end_if(&mut self) {
        let found = self.find(|s| matches!(s, Scope::If { .. } | Scope::Eval | Scope::Inline));
        if let Some((k, Scope::If { .. })) = found {
            self.truncate(k);
        }
    }

    /// `EVALUATE` or `SEARCH`.
    pub(crate) fn open_eval(&mut self) {
        self.scopes.push(Scope::Eval);
    }

    /// `WHEN`: ends what the previous WHEN opened.
    pub(crate) fn when(&mut self) {
        if let Some((k, _)) = self.find(|s| s == Scope::Eval) {
            self.truncate(k + 1);
        }
    }

    /// `END-EVALUATE` / `END-SEARCH`.
    pub(crate) fn end_eval(&mut self) {
        if let Some((k, _)) = self.find(|s| s == Scope::Eval) {
            self.truncate(k);
        }
    }

    /// An inline `PERFORM`.
    pub(crate) fn open_inline(&mut self) {
        self.scopes.push(Scope::Inline);
    }

    /// `END-PERFORM`.
    pub(crate) fn end_inline(&mut self) {
        if let Some((k, _)) = self.find(|s| s == Scope::Inline) {
            self.truncate(k);
        }
    }

    /// A conditional phrase. A `NOT ...` phrase continues the innermost phrase (ending
    /// the IFs its positive part opened); a positive one opens a phrase.
    pub(crate) fn phrase(&mut self, negated: bool) {
        if negated
            && let Some((k, Scope::Phrase)) =
                self.find(|s| matches!(s, Scope::Phrase | Scope::Eval | Scope::Inline))
        {
            self.truncate(k + 1);
            return;
        }
        self.scopes.push(Scope::Phrase);
    }

    /// A statement's scope terminator (`END-READ`, `END-CALL`, ...): ends the innermost
    /// phrase, unless an IF or another scope is open above it (then the terminator is
    /// that inner statement's own).
    pub(crate) fn end_phrase(&mut self) {
        if self.scopes.last() == Some(&Scope::Phrase) {
            self.truncate(self.scopes.len() - 1);
        }
    }

    /// A period or a procedure header ends every scope.
    pub(crate) fn end_sentence(&mut self) {
        self.scopes.clear();
        self.ifs = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_are_in_kind_order_with_first_lines() {
        let mut t = Tally::default();
        t.statement(StatementKind::Move, 9);
        t.statement(StatementKind::If, 4);
        t.statement(StatementKind::Move, 3);
        let uses: Vec<(StatementKind, u32, u32)> = t
            .uses()
            .iter()
            .map(|u| (u.kind, u.count, u.first_line))
            .collect();
        assert_eq!(
            uses,
            vec![(StatementKind::If, 1, 4), (StatementKind::Move, 2, 3)]
        );
    }

    #[test]
    fn else_and_end_if_pair_with_the_right_if() {
        let mut n = Nesting::default();
        n.open_if(); // IF A
        n.open_if(); // IF B
        n.else_(); // ELSE of B
        n.else_(); // ELSE of A: B ends
        assert_eq!((n.ifs, n.max), (1, 2));
        n.open_if(); // IF C in A's ELSE
        n.end_if();
        n.end_if();
        assert_eq!(n.ifs, 0);
        n.open_eval();
        n.open_if();
        n.when(); // the IF inside the first WHEN ends
        assert_eq!(n.ifs, 0);
        n.end_if(); // stray: nothing outside the EVALUATE is touched
        n.end_sentence();
        assert_eq!((n.ifs, n.max, n.scopes.len()), (0, 2, 0));
    }
}
