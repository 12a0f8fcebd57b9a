//! `SessionId`: the validated key of a conversation.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Identifies one conversation.
///
/// Any non-blank text of at most [`SessionId::MAX_CHARS`] Unicode scalar values without
/// control characters is accepted: Teams conversation ids (`29:1Gx...`), GUIDs,
/// `user_1700000000_ab12`, e-mail addresses, and ids with quotes, slashes, `#`, `?`,
/// spaces or emoji. How an adapter maps the id onto its own keys is the adapter's
/// business; the id itself is kept exactly as given.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(String);

/// Why a text is not a valid [`SessionId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionIdError {
    /// Empty, or only white space.
    #[error("session id is empty")]
    Empty,
    /// Longer than [`SessionId::MAX_CHARS`] characters.
    #[error("session id has {chars} characters; at most {max} are allowed", max = SessionId::MAX_CHARS)]
    TooLong {
        /// How many characters the rejected id had.
        chars: usize,
    },
    /// Holds a control character (U+0000..U+001F, U+007F..U+009F).
    #[error("session id has a control character (U+{code:04X}) at character {index}")]
    ControlCharacter {
        /// The offending code point.
        code: u32,
        /// Its position, counted in characters from 0.
        index: usize,
    },
}

impl SessionId {
    /// The longest id accepted, in characters.
    pub const MAX_CHARS: usize = 256;

    /// Validates `raw` as a session id, keeping it byte for byte.
    pub fn parse(raw: impl Into<String>) -> Result<Self, SessionIdError> {
        let raw = raw.into();
        if raw.trim().is_empty() {
            return Err(SessionIdError::Empty);
        }
        let mut chars = 0;
        for (index, c) in raw.chars().enumerate() {
            if c.is_control() {
                return Err(SessionIdError::ControlCharacter {
                    code: u32::from(c),
                    index,
                });
            }
            chars = index + 1;
        }
        if chars > Self::MAX_CHARS {
            return Err(SessionIdError::TooLong { chars });
        }
        Ok(Self(raw))
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as given, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({:?})", self.0)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for SessionId {
    type Err = SessionIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for SessionId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for SessionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SessionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_ids_real_clients_send() {
        let long = "x".repeat(SessionId::MAX_CHARS);
        let long_emoji = "🦀".repeat(SessionId::MAX_CHARS);
        let cases = [
            "29:1GxA-bcDEf_ghIJ0kLmNoPqRsTuVwXyZ",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "user_1700000000_ab12",
            "jane.doe@example.com",
            "o'brien",
            "a/b/c",
            "#channel?x=1",
            "with spaces inside",
            "emoji 🦀 session",
            "nobody' or PartitionKey ne 'x",
            "back\\slash",
            " padded ",
            long.as_str(),
            long_emoji.as_str(),
        ];
        for raw in cases {
            let id = SessionId::parse(raw).unwrap_or_else(|e| panic!("{raw:?} rejected: {e}"));
            assert_eq!(id.as_str(), raw, "id must be kept byte for byte");
        }
    }

    #[test]
    fn rejects_what_no_store_should_hold() {
        let too_long = "x".repeat(SessionId::MAX_CHARS + 1);
        let cases: [(&str, SessionIdError); 7] = [
            ("", SessionIdError::Empty),
            ("   ", SessionIdError::Empty),
            ("\t\n", SessionIdError::Empty),
            (&too_long, SessionIdError::TooLong { chars: 257 }),
            (
                "a\nb",
                SessionIdError::ControlCharacter {
                    code: 0x0a,
                    index: 1,
                },
            ),
            (
                "nul\0",
                SessionIdError::ControlCharacter { code: 0, index: 3 },
            ),
            (
                "c1\u{85}",
                SessionIdError::ControlCharacter {
                    code: 0x85,
                    index: 2,
                },
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(SessionId::parse(raw), Err(want), "for {raw:?}");
        }
    }

    #[test]
    fn serde_validates() {
        let ok: SessionId = serde_json::from_str("\"a/b\"").unwrap();
        assert_eq!(ok.as_str(), "a/b");
        assert!(serde_json::from_str::<SessionId>("\"\"").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"a/b\"");
    }
}
