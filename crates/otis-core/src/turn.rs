//! A turn of a conversation and the small values it is made of.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A turn's free-form metadata: a JSON object (sources, resolved question, timings...).
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A turn's position in its session: 0 for the first turn, then 1, 2, ... without gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl Seq {
    /// The first turn of a session.
    pub const FIRST: Seq = Seq(0);

    /// The position after this one.
    #[must_use]
    pub fn next(self) -> Seq {
        Seq(self.0.saturating_add(1))
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The idempotency key of one append: a client's request id, or one the edge generated.
///
/// Appending the same `TurnId` twice to a session stores it once (see
/// [`crate::append_turn`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TurnId(String);

/// Why a text is not a valid [`TurnId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TurnIdError {
    /// Empty.
    #[error("turn id is empty")]
    Empty,
    /// Longer than [`TurnId::MAX_LEN`] bytes.
    #[error("turn id is {len} bytes long; at most {max} are allowed", max = TurnId::MAX_LEN)]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// Holds a character other than ASCII letters, digits, `-`, `_`, `.` and `:`.
    #[error("turn id may hold only ASCII letters, digits, '-', '_', '.' and ':'")]
    BadCharacter,
}

impl TurnId {
    /// The longest turn id accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Validates a turn id. Ids are kept to a plain ASCII alphabet so that every store can
    /// hold them in a key or a property unchanged.
    pub fn parse(raw: impl Into<String>) -> Result<Self, TurnIdError> {
        let raw = raw.into();
        if raw.is_empty() {
            return Err(TurnIdError::Empty);
        }
        if raw.len() > Self::MAX_LEN {
            return Err(TurnIdError::TooLong { len: raw.len() });
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        {
            return Err(TurnIdError::BadCharacter);
        }
        Ok(Self(raw))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TurnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TurnId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A UTC instant with millisecond precision, the precision every store keeps.
///
/// Serialised as RFC 3339 text (`2026-11-24T03:27:23.123Z`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a text or number is not a [`Timestamp`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid timestamp: {0}")]
pub struct TimestampError(String);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// Now, truncated to the millisecond.
    pub fn now() -> Self {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        Self(i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX))
    }

    /// From milliseconds since the Unix epoch. Fails outside years 1..=9999.
    pub fn from_unix_millis(ms: i64) -> Result<Self, TimestampError> {
        let nanos = i128::from(ms) * 1_000_000;
        let dt = OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .map_err(|e| TimestampError(e.to_string()))?;
        if !(1..=9999).contains(&dt.year()) {
            return Err(TimestampError(format!("year {} out of range", dt.year())));
        }
        Ok(Self(ms))
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        self.0
    }

    /// Parses RFC 3339 text with any offset; sub-millisecond digits are dropped.
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimestampError> {
        let dt =
            OffsetDateTime::parse(text, &Rfc3339).map_err(|e| TimestampError(e.to_string()))?;
        let ms = dt.unix_timestamp_nanos().div_euclid(1_000_000);
        Self::from_unix_millis(i64::try_from(ms).map_err(|e| TimestampError(e.to_string()))?)
    }

    /// RFC 3339 text in UTC with exactly three fractional digits.
    pub fn to_rfc3339(self) -> String {
        let Ok(dt) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
        else {
            return String::from("invalid");
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.millisecond()
        )
    }

    /// This instant moved by `ms` milliseconds (negative for earlier), saturating.
    #[must_use]
    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

/// A turn about to be appended: everything but its position, which the store assigns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTurn {
    /// Idempotency key of this append.
    pub id: TurnId,
    /// When the turn happened.
    pub at: Timestamp,
    /// The user's question.
    pub user: String,
    /// The assistant's answer.
    pub assistant: String,
    /// Metadata, a JSON object.
    #[serde(default)]
    pub metadata: Metadata,
}

impl NewTurn {
    /// Places this turn at `seq`.
    pub fn at_seq(self, seq: Seq) -> Turn {
        Turn {
            seq,
            id: self.id,
            at: self.at,
            user: self.user,
            assistant: self.assistant,
            metadata: self.metadata,
        }
    }
}

/// One stored exchange: a question and its answer, at a position in its session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Position in the session.
    pub seq: Seq,
    /// Idempotency key the turn was appended with.
    pub id: TurnId,
    /// When the turn happened (UTC).
    pub at: Timestamp,
    /// The user's question.
    pub user: String,
    /// The assistant's answer.
    pub assistant: String,
    /// Metadata, a JSON object.
    #[serde(default)]
    pub metadata: Metadata,
}

impl Turn {
    /// The size a store has to hold: both texts plus the metadata as compact JSON, in
    /// UTF-8 bytes. Stores compare this against their limit to refuse a turn whole.
    pub fn payload_bytes(&self) -> usize {
        let meta = serde_json::to_string(&self.metadata).map_or(0, |s| s.len());
        self.user.len() + self.assistant.len() + meta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_round_trips_through_text() {
        for (ms, text) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_764_000_000_123, "2025-11-24T16:00:00.123Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ] {
            let t = Timestamp::from_unix_millis(ms).unwrap();
            assert_eq!(t.to_rfc3339(), text);
            assert_eq!(Timestamp::parse_rfc3339(text).unwrap(), t);
        }
        let offset = Timestamp::parse_rfc3339("2025-11-24T17:00:00.1239+01:00").unwrap();
        assert_eq!(offset.unix_millis(), 1_764_000_000_123);
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
        assert!(Timestamp::from_unix_millis(i64::MAX).is_err());
    }

    #[test]
    fn turn_ids_are_plain_ascii() {
        for ok in [
            "a",
            "req-1",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "x.y:z_1",
        ] {
            assert!(TurnId::parse(ok).is_ok(), "{ok}");
        }
        let cases = [
            (String::new(), TurnIdError::Empty),
            ("a b".into(), TurnIdError::BadCharacter),
            ("a'b".into(), TurnIdError::BadCharacter),
            ("é".into(), TurnIdError::BadCharacter),
            ("x".repeat(129), TurnIdError::TooLong { len: 129 }),
        ];
        for (raw, want) in cases {
            assert_eq!(TurnId::parse(raw.clone()), Err(want), "{raw:?}");
        }
    }

    #[test]
    fn turn_serialises_metadata_as_a_json_object() {
        let mut metadata = Metadata::new();
        metadata.insert("program".into(), "LONPF2".into());
        let turn = NewTurn {
            id: TurnId::parse("t1").unwrap(),
            at: Timestamp::EPOCH,
            user: "q".into(),
            assistant: "a".into(),
            metadata,
        }
        .at_seq(Seq(3));
        let json = serde_json::to_value(&turn).unwrap();
        assert_eq!(json["metadata"]["program"], "LONPF2");
        assert_eq!(json["seq"], 3);
        assert_eq!(json["at"], "1970-01-01T00:00:00.000Z");
        let back: Turn = serde_json::from_value(json).unwrap();
        assert_eq!(back, turn);
        assert_eq!(turn.payload_bytes(), 2 + r#"{"program":"LONPF2"}"#.len());
    }
}
