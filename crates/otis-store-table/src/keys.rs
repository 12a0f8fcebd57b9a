//! How sessions and turns map onto PartitionKey and RowKey, and how key values are
//! quoted in `$filter` expressions and URLs.

use otis_core::{Seq, SessionId};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RowKey of the per-session record (turn count, last activity, original id).
pub(crate) const SESSION_ROW: &str = "session";

/// RowKeys of turns: `!` and 19 digits counting *down* from [`INVERT`], so the newest turn
/// sorts first in its partition and `$top=n` returns the latest n. Legacy rows (`0000`,
/// `0001`, ...) sort after every turn row, and the session record after those.
const TURN_PREFIX: char = '!';
const INVERT: u64 = 9_999_999_999_999_999_999;
/// The first RowKey of the turn rows and the first one past them, for range filters.
pub(crate) const TURN_RANGE: (&str, &str) = ("!", "\"");
/// The first and past-the-last RowKeys of legacy rows.
pub(crate) const LEGACY_RANGE: (&str, &str) = ("0", ":");

/// The longest key the service takes: 1 KiB of UTF-16, i.e. 512 UTF-16 units (what
/// Azure documents and Azurite enforces as `key.length <= 512`).
pub(crate) const MAX_KEY_UNITS: usize = 512;

/// The first characters of a hashed PartitionKey. An escaped key only ever has `%`
/// before `25`, `2F`, `5C`, `23` or `3F`, and a plain key never starts with `~`, so no
/// other form can start like this.
const HASHED_PREFIX: &str = "~%h";

/// The PartitionKey of a session, in the first of three forms that fits in
/// [`MAX_KEY_UNITS`]:
///
/// 1. *plain*: ids made only of characters Azure allows in keys, that do not start with
///    `~`, map to themselves, so rows the previous system wrote stay addressable (a
///    session id is at most 256 characters, so at most 512 UTF-16 units: always fits);
/// 2. *escaped*: `~` followed by the id with `%`, `/`, `\`, `#` and `?`
///    percent-escaped: lossless and never equal to a plain key;
/// 3. *hashed*: `~%h` followed by the SHA-256 of the id in hex (67 characters), for an
///    escaped form that would be too long (e.g. 171 or more `/`). The rows carry the id
///    in `session_id`, which readers check, so even a hash collision could not mix two
///    sessions up.
///
/// Forms 1 and 2 are the layout's first version, unchanged: every key written before
/// form 3 existed still addresses its session (longer escaped keys were refused by the
/// service, so no row has one).
pub(crate) fn partition_key(session: &SessionId) -> String {
    let raw = session.as_str();
    let forbidden = |c: char| matches!(c, '/' | '\\' | '#' | '?') || c.is_control();
    if !raw.starts_with('~') && !raw.chars().any(forbidden) {
        return raw.to_owned();
    }
    let mut key = String::with_capacity(raw.len() + 8);
    key.push('~');
    for c in raw.chars() {
        match c {
            '%' | '/' | '\\' | '#' | '?' => key.push_str(&format!("%{:02X}", c as u32)),
            c => key.push(c),
        }
    }
    if utf16_units(&key) <= MAX_KEY_UNITS {
        return key;
    }
    hashed_key(raw)
}

fn hashed_key(raw: &str) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(raw.as_bytes());
    let mut key = String::with_capacity(HASHED_PREFIX.len() + 64);
    key.push_str(HASHED_PREFIX);
    for byte in digest {
        let _ = write!(key, "{byte:02x}");
    }
    key
}

fn utf16_units(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// The RowKey of the turn at `seq`.
pub(crate) fn turn_row_key(seq: Seq) -> String {
    format!("{TURN_PREFIX}{:019}", INVERT.saturating_sub(seq.0))
}

/// The position a turn RowKey stands for, if it is one.
pub(crate) fn seq_of_row_key(row_key: &str) -> Option<Seq> {
    let digits = row_key.strip_prefix(TURN_PREFIX)?;
    if digits.len() != 19 {
        return None;
    }
    let inverted: u64 = digits.parse().ok()?;
    INVERT.checked_sub(inverted).map(Seq)
}

/// Whether a RowKey is one the previous system wrote (`0000`, `0001`, ...).
pub(crate) fn is_legacy_row_key(row_key: &str) -> bool {
    !row_key.is_empty() && row_key.bytes().all(|b| b.is_ascii_digit())
}

/// A string literal for `$filter`: single-quoted, inner quotes doubled.
pub(crate) fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Characters left as they are in query strings and key literals: RFC 3986 unreserved.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a query-string or key-literal value.
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, VALUE).to_string()
}

/// The URL path segment addressing one entity: `Table(PartitionKey='..',RowKey='..')`,
/// with quotes doubled and every value byte outside the unreserved set percent-encoded.
pub(crate) fn entity_path(table: &str, partition: &str, row: &str) -> String {
    format!(
        "{table}(PartitionKey='{}',RowKey='{}')",
        encode(&partition.replace('\'', "''")),
        encode(&row.replace('\'', "''"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sid(raw: &str) -> SessionId {
        SessionId::parse(raw).unwrap()
    }

    #[test]
    fn key_safe_ids_map_to_themselves() {
        for raw in [
            "user_1700000000_ab12",
            "29:1GxA",
            "o'brien",
            "a b 🦀",
            "50%",
        ] {
            assert_eq!(partition_key(&sid(raw)), raw);
        }
    }

    #[test]
    fn other_ids_are_escaped_losslessly_and_never_collide() {
        let cases = [
            ("a/b", "~a%2Fb"),
            ("a\\b", "~a%5Cb"),
            ("#x?y", "~%23x%3Fy"),
            ("~plain", "~~plain"),
            ("~a%2Fb", "~~a%252Fb"),
        ];
        for (raw, key) in cases {
            assert_eq!(partition_key(&sid(raw)), key, "{raw}");
        }
        let all = ["a/b", "~a%2Fb", "a%2Fb", "~a/b"].map(|r| partition_key(&sid(r)));
        let distinct: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), all.len(), "{all:?}");
    }

    /// Keys the service refuses: too long, or holding a character it forbids.
    fn refused(key: &str) -> bool {
        key.is_empty()
            || utf16_units(key) > MAX_KEY_UNITS
            || key
                .chars()
                .any(|c| matches!(c, '/' | '\\' | '#' | '?') || c.is_control())
    }

    #[test]
    fn the_longest_ids_of_every_escaped_character_fit() {
        let n = SessionId::MAX_CHARS;
        let crab = "🦀".repeat(n - 2);
        let mut ids: Vec<String> = ["/", "\\", "#", "?", "%", "~", "é", "🦀"]
            .iter()
            .map(|c| c.repeat(n))
            .collect();
        ids.extend([
            format!("~{}", "%".repeat(n - 1)),
            format!("~{}", "🦀".repeat(n - 1)),
            format!("~{crab}/"),
            format!("{crab}/#"),
            format!("{}#", "/".repeat(n - 1)),
        ]);
        let mut keys = std::collections::BTreeSet::new();
        for raw in &ids {
            let key = partition_key(&sid(raw));
            assert!(!refused(&key), "{raw:?} -> {key:?}");
            assert!(keys.insert(key), "{raw:?} shares its key");
        }
    }

    #[test]
    fn escaped_keys_are_kept_while_they_fit_then_hashed() {
        // 170 slashes escape to 511 units: the first version's key, unchanged.
        let fits = "/".repeat(170);
        assert_eq!(
            partition_key(&sid(&fits)),
            format!("~{}", "%2F".repeat(170))
        );
        // 171 escape to 514: too long, so hashed.
        let key = partition_key(&sid(&"/".repeat(171)));
        assert_eq!(key.len(), 67);
        assert!(key.starts_with(HASHED_PREFIX), "{key}");
        assert!(key[3..].bytes().all(|b| b.is_ascii_hexdigit()));
        // 255 crabs after a `~` escape to exactly 512 units.
        let edge = format!("~{}", "🦀".repeat(255));
        assert_eq!(partition_key(&sid(&edge)), format!("~{edge}"));
        // An id spelling a hashed key is escaped, not taken for one.
        assert_eq!(partition_key(&sid(&key)), format!("~~%25h{}", &key[3..]));
    }

    #[test]
    fn turn_row_keys_sort_newest_first_and_round_trip() {
        let keys: Vec<String> = [0, 1, 9, 10, 99, 100, 12345]
            .map(|s| turn_row_key(Seq(s)))
            .into();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.reverse();
        assert_eq!(keys, sorted);
        for (seq, key) in [0, 1, 9, 10, 99, 100, 12345].iter().zip(&keys) {
            assert_eq!(seq_of_row_key(key), Some(Seq(*seq)));
            assert!(key.as_str() >= TURN_RANGE.0 && key.as_str() < TURN_RANGE.1);
            assert!(key.as_str() < "0000");
        }
        assert_eq!(seq_of_row_key("0001"), None);
        assert_eq!(seq_of_row_key(SESSION_ROW), None);
        assert!(is_legacy_row_key("0001") && !is_legacy_row_key(&keys[0]));
    }

    #[test]
    fn literals_are_quoted_and_encoded() {
        assert_eq!(
            quote("nobody' or PartitionKey ne 'x"),
            "'nobody'' or PartitionKey ne ''x'"
        );
        assert_eq!(encode("a b'c/é"), "a%20b%27c%2F%C3%A9");
        assert_eq!(
            entity_path("T", "o'b", "t1"),
            "T(PartitionKey='o%27%27b',RowKey='t1')"
        );
    }
}
