//! How sessions map onto Redis keys (docs/schema.md, "Redis layout"). Every key name is
//! made here; no other code formats a key.
//!
//! A session lives in one of [`BUCKETS`] buckets, chosen by a hash of its id. The bucket
//! is the hash tag (`{b0042}`), so a session's turns and its bucket's two index keys sit
//! in one Cluster slot and one script can update them together. The id follows the tag
//! with `%`, `{` and `}` percent-escaped: a caller cannot spell a tag of its own, and ids
//! spread over the buckets by the hash whatever braces they hold.

/// Buckets sessions are spread over: the hash tags in use, so at most this many slots.
/// Part of the layout: changing it would orphan stored sessions.
pub const BUCKETS: u16 = 1024;

/// Key names under one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keys {
    prefix: String,
}

/// Why a key prefix cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid Redis key prefix {0:?}: use 1 to 64 printable characters without braces or spaces"
)]
pub struct PrefixError(pub String);

impl Keys {
    /// Keys under `prefix` (`otis` by default).
    pub(crate) fn new(prefix: &str) -> Result<Self, PrefixError> {
        let ok = !prefix.is_empty()
            && prefix.chars().count() <= 64
            && prefix
                .chars()
                .all(|c| !c.is_control() && !c.is_whitespace() && c != '{' && c != '}');
        if ok {
            Ok(Self {
                prefix: prefix.to_owned(),
            })
        } else {
            Err(PrefixError(prefix.to_owned()))
        }
    }

    /// The sorted set of a session's turns (score: position).
    pub(crate) fn turns(&self, session: &str) -> String {
        format!("{}{}", self.turns_prefix(bucket(session)), escape(session))
    }

    /// What every turns key of `bucket` starts with (the scripts add the escaped id).
    pub(crate) fn turns_prefix(&self, bucket: u16) -> String {
        format!("{}:{{b{bucket:04}}}:t:", self.prefix)
    }

    /// The bucket's sessions, by id (all scores 0, read in lexical order).
    pub(crate) fn index(&self, bucket: u16) -> String {
        format!("{}:{{b{bucket:04}}}:ix", self.prefix)
    }

    /// The bucket's sessions, scored by the time of their latest turn (ms).
    pub(crate) fn activity(&self, bucket: u16) -> String {
        format!("{}:{{b{bucket:04}}}:at", self.prefix)
    }

    /// One feedback report.
    pub(crate) fn feedback(&self, id: &str) -> String {
        format!("{}:feedback:{}", self.prefix, escape(id))
    }
}

/// `Ok` when `prefix` can start key names (1 to 64 printable characters, no braces
/// or white space).
pub fn check_prefix(prefix: &str) -> Result<(), PrefixError> {
    Keys::new(prefix).map(|_| ())
}

/// The bucket of a session: FNV-1a (64 bit) of the id's UTF-8, modulo [`BUCKETS`].
pub(crate) fn bucket(session: &str) -> u16 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in session.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % u64::from(BUCKETS)) as u16
}

/// The id with `%`, `{` and `}` percent-escaped (the scripts do the same in Lua).
pub(crate) fn escape(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        match c {
            '%' => out.push_str("%25"),
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            c => out.push(c),
        }
    }
    out
}

/// The hash tag Redis Cluster hashes for `key`: the text between the first `{` and the
/// next `}`, when not empty; else the whole key.
pub fn hash_tag(key: &str) -> &str {
    if let Some(open) = key.find('{')
        && let Some(len) = key[open + 1..].find('}')
        && len > 0
    {
        return &key[open + 1..open + 1 + len];
    }
    key
}

/// The Cluster slot of `key` (CRC16/XMODEM of its hash tag, modulo 16384).
pub fn slot(key: &str) -> u16 {
    let mut crc: u16 = 0;
    for byte in hash_tag(key).as_bytes() {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % 16384
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_sessions_keys_share_one_tag() {
        let keys = Keys::new("otis").unwrap();
        for id in ["a", "{tenant}a", "x}{y", "%7B", "🦀", "o'brien"] {
            let b = bucket(id);
            let turns = keys.turns(id);
            assert_eq!(hash_tag(&turns), format!("b{b:04}"), "{turns}");
            assert_eq!(hash_tag(&keys.index(b)), hash_tag(&turns));
            assert_eq!(hash_tag(&keys.activity(b)), hash_tag(&turns));
            // The only braces in a key are the tag's.
            assert_eq!(turns.matches('{').count(), 1, "{turns}");
            assert_eq!(turns.matches('}').count(), 1, "{turns}");
        }
    }

    #[test]
    fn escaping_is_lossless_and_distinct() {
        let cases = [
            ("{tenant}a", "%7Btenant%7Da"),
            ("%7Btenant%7Da", "%257Btenant%257Da"),
            ("plain", "plain"),
            ("100%", "100%25"),
        ];
        for (raw, escaped) in cases {
            assert_eq!(escape(raw), escaped);
        }
        assert_ne!(escape("{a}"), escape("%7Ba%7D"));
    }

    #[test]
    fn braced_ids_spread_over_buckets() {
        // A caller who wraps ids in a tag of their choosing still lands all over.
        let mut per_bucket: BTreeMap<u16, u32> = BTreeMap::new();
        for i in 0..20_000 {
            *per_bucket
                .entry(bucket(&format!("{{tenant}}{i}")))
                .or_default() += 1;
        }
        assert_eq!(per_bucket.len(), usize::from(BUCKETS));
        let max = per_bucket.values().max().copied().unwrap();
        let min = per_bucket.values().min().copied().unwrap();
        // 19.5 expected per bucket.
        assert!(max < 45 && min > 3, "min {min} max {max}");
        // And over slots, for a 3-node Cluster: each third of the slots gets about a third.
        let mut thirds = [0u32; 3];
        for b in 0..BUCKETS {
            let s = slot(&Keys::new("otis").unwrap().index(b));
            thirds[usize::from(s / 5462).min(2)] += 1;
        }
        for third in thirds {
            assert!((280..=400).contains(&third), "{thirds:?}");
        }
    }

    #[test]
    fn slots_match_redis() {
        // Values from `CLUSTER KEYSLOT` on Redis 7.
        assert_eq!(slot("foo"), 12182);
        assert_eq!(slot("{user1000}.following"), slot("{user1000}.followers"));
        assert_eq!(slot("foo{}{bar}"), slot("foo{}{bar}"));
        assert_eq!(slot("123456789"), 12739);
    }

    #[test]
    fn prefixes_are_checked() {
        for good in ["otis", "otis-test:7", "a"] {
            assert!(Keys::new(good).is_ok(), "{good}");
        }
        for bad in ["", "a{b", "a}b", "a b", "a\nb", &"x".repeat(65)] {
            assert!(Keys::new(bad).is_err(), "{bad:?}");
        }
    }
}
