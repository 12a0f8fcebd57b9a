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

/// The PartitionKey of a session.
///
/// Ids made only of characters Azure allows in keys, that do not start with `~`, map to
/// themselves, so rows the previous system wrote stay addressable. Any other id becomes
/// `~` followed by the id with `%`, `/`, `\`, `#` and `?` percent-escaped: lossless,
/// never equal to a plain id, and at most 769 characters for the longest session id.
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
    key
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
        let longest = "/".repeat(SessionId::MAX_CHARS);
        assert_eq!(partition_key(&sid(&longest)).len(), 769);
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
