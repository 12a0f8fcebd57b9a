//! The max_turns window: the recent turns a conversation keeps in view. Pure, no I/O.

use std::collections::VecDeque;
use std::fmt;
use std::num::NonZeroU32;

use crate::turn::{Metadata, Seq, Turn, TurnId};

/// How many whole turns the window keeps: any value >= 1, 10 by default.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaxTurns(NonZeroU32);

/// Why a number is not a valid [`MaxTurns`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("max_turns must be at least 1, got {0}")]
pub struct MaxTurnsError(pub i64);

impl MaxTurns {
    /// The default window: 10 turns.
    pub const DEFAULT: MaxTurns = MaxTurns(NonZeroU32::new(10).unwrap());

    /// Validates a window size.
    pub fn new(n: i64) -> Result<Self, MaxTurnsError> {
        u32::try_from(n)
            .ok()
            .and_then(NonZeroU32::new)
            .map(Self)
            .ok_or(MaxTurnsError(n))
    }

    /// The size as a number.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl Default for MaxTurns {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Debug for MaxTurns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaxTurns({})", self.0)
    }
}

impl fmt::Display for MaxTurns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for MaxTurns {
    type Err = MaxTurnsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: i64 = s.trim().parse().map_err(|_| MaxTurnsError(0))?;
        Self::new(n)
    }
}

/// The most recent turns of one session, oldest first, never more than [`MaxTurns`].
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    max: MaxTurns,
    turns: VecDeque<Turn>,
    /// The position the next turn takes; kept apart from `turns` because the window may
    /// have trimmed every turn it knew (never for max >= 1, but cheap to be exact).
    next: Seq,
}

impl Window {
    /// An empty window of a new session.
    pub fn new(max: MaxTurns) -> Self {
        Self {
            max,
            turns: VecDeque::new(),
            next: Seq::FIRST,
        }
    }

    /// A window over turns a store returned. They are put in order and only the latest
    /// `max` are kept.
    pub fn from_turns(max: MaxTurns, turns: impl IntoIterator<Item = Turn>) -> Self {
        let mut all: Vec<Turn> = turns.into_iter().collect();
        all.sort_by_key(|t| t.seq);
        all.dedup_by_key(|t| t.seq);
        let mut window = Self::new(max);
        for turn in all {
            window.push(turn);
        }
        window
    }

    /// Adds a turn at the end, dropping the oldest whole turns beyond `max`.
    pub fn push(&mut self, turn: Turn) {
        self.next = self.next.max(turn.seq.next());
        self.turns.push_back(turn);
        while self.turns.len() > self.max.get() as usize {
            self.turns.pop_front();
        }
    }

    /// The window size.
    pub fn max_turns(&self) -> MaxTurns {
        self.max
    }

    /// The position the next appended turn should take.
    pub fn next_seq(&self) -> Seq {
        self.next
    }

    /// Turns in view, oldest first.
    pub fn turns(&self) -> impl ExactSizeIterator<Item = &Turn> + DoubleEndedIterator {
        self.turns.iter()
    }

    /// How many turns are in view.
    pub fn len(&self) -> usize {
        self.turns.len()
    }

    /// Whether no turn is in view.
    pub fn is_empty(&self) -> bool {
        self.turns.is_empty()
    }

    /// Whether a turn appended with `id` is in view.
    pub fn contains(&self, id: &TurnId) -> bool {
        self.turns.iter().any(|t| &t.id == id)
    }

    /// Forgets every turn; the next turn starts the session again at position 0.
    pub fn clear(&mut self) {
        self.turns.clear();
        self.next = Seq::FIRST;
    }

    /// The latest user question, if any.
    pub fn last_question(&self) -> Option<&str> {
        self.turns.back().map(|t| t.user.as_str())
    }

    /// The latest turn's metadata, if any.
    pub fn last_metadata(&self) -> Option<&Metadata> {
        self.turns.back().map(|t| &t.metadata)
    }

    /// The last `last_n` turns rendered for a prompt, oldest first:
    ///
    /// ```text
    /// User: What does LONPF2 do?
    /// Assistant: LONPF2 posts loan payments...
    /// ```
    ///
    /// Turns are separated by a blank line. Empty when there is no turn.
    pub fn context(&self, last_n: usize) -> String {
        let skip = self.turns.len().saturating_sub(last_n);
        let mut out = String::new();
        for turn in self.turns.iter().skip(skip) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str("User: ");
            out.push_str(turn.user.trim());
            out.push_str("\nAssistant: ");
            out.push_str(turn.assistant.trim());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turn::{NewTurn, Timestamp};

    fn turn(seq: u64) -> Turn {
        NewTurn {
            id: TurnId::parse(format!("t{seq}")).unwrap(),
            at: Timestamp::EPOCH,
            user: format!("q{seq}"),
            assistant: format!("a{seq}"),
            metadata: Metadata::from_iter([("n".to_string(), seq.into())]),
        }
        .at_seq(Seq(seq))
    }

    #[test]
    fn max_turns_accepts_any_positive_count() {
        for (n, ok) in [
            (1, true),
            (10, true),
            (10_000, true),
            (0, false),
            (-3, false),
        ] {
            assert_eq!(MaxTurns::new(n).is_ok(), ok, "{n}");
        }
        assert_eq!(MaxTurns::default().get(), 10);
        assert_eq!("7".parse::<MaxTurns>().unwrap().get(), 7);
        assert!("zero".parse::<MaxTurns>().is_err());
    }

    #[test]
    fn window_keeps_whole_latest_turns() {
        for (max, pushed, want_first) in [(1, 5, 4), (3, 2, 0), (3, 3, 0), (3, 10, 7), (10, 25, 15)]
        {
            let mut w = Window::new(MaxTurns::new(max).unwrap());
            for seq in 0..pushed {
                w.push(turn(seq));
            }
            let seqs: Vec<u64> = w.turns().map(|t| t.seq.0).collect();
            let want: Vec<u64> = (want_first..pushed).collect();
            assert_eq!(seqs, want, "max {max}, pushed {pushed}");
            assert_eq!(w.next_seq(), Seq(pushed));
        }
    }

    #[test]
    fn from_turns_sorts_and_trims() {
        let w = Window::from_turns(MaxTurns::new(2).unwrap(), [turn(2), turn(0), turn(1)]);
        assert_eq!(w.turns().map(|t| t.seq.0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(w.next_seq(), Seq(3));
        assert_eq!(w.last_question(), Some("q2"));
        assert_eq!(w.last_metadata().unwrap()["n"], 2);
        assert!(w.contains(&TurnId::parse("t1").unwrap()));
        assert!(!w.contains(&TurnId::parse("t0").unwrap()));
    }

    #[test]
    fn context_renders_the_last_n_turns() {
        let w = Window::from_turns(MaxTurns::DEFAULT, (0..4).map(turn));
        assert_eq!(w.context(0), "");
        assert_eq!(w.context(1), "User: q3\nAssistant: a3\n");
        assert_eq!(
            w.context(2),
            "User: q2\nAssistant: a2\n\nUser: q3\nAssistant: a3\n"
        );
        assert_eq!(w.context(99).matches("User:").count(), 4);
    }

    #[test]
    fn clear_restarts_the_session() {
        let mut w = Window::from_turns(MaxTurns::DEFAULT, (0..4).map(turn));
        w.clear();
        assert!(w.is_empty());
        assert_eq!(w.len(), 0);
        assert_eq!(w.next_seq(), Seq::FIRST);
        assert_eq!(w.last_question(), None);
        assert_eq!(w.last_metadata(), None);
    }
}
