//! The table entities this adapter writes and reads: one per turn, one per session.
//!
//! Texts longer than one string property holds (64 KiB, i.e. 32,768 UTF-16 units) are
//! split across numbered properties (`assistant`, `assistant_1`, ...) and joined back
//! byte for byte.

use otis_core::{Metadata, Seq, SessionId, Timestamp, Turn, TurnId};
use serde_json::Value;

use crate::client::Entity;
use crate::keys::{SESSION_ROW, partition_key, turn_row_key};
use crate::legacy;

/// UTF-16 units per string property, under Azure's 32,768.
const CHUNK_UNITS: usize = 32_000;

/// The largest turn payload (UTF-8 bytes) stored: in UTF-16, which the service counts,
/// it stays under the 1 MiB entity limit with room for keys and property names.
pub(crate) const MAX_TURN_BYTES: usize = 500 * 1024;

/// The layout version written on every turn row.
const FORMAT: i64 = 2;

/// Why stored properties are not a turn.
#[derive(Debug, thiserror::Error)]
#[error("row {row_key:?}: {reason}")]
pub(crate) struct DecodeError {
    pub(crate) row_key: String,
    pub(crate) reason: String,
}

fn typed(entity: &mut Entity, name: &str, value: String, edm: &str) {
    entity.insert(name.to_owned(), Value::String(value));
    entity.insert(format!("{name}@odata.type"), Value::String(edm.to_owned()));
}

/// Splits `text` into pieces of at most [`CHUNK_UNITS`] UTF-16 units, on char boundaries.
fn chunks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > CHUNK_UNITS {
            out.push(&text[start..i]);
            start = i;
            units = 0;
        }
        units += c.len_utf16();
    }
    out.push(&text[start..]);
    out
}

fn put_text(entity: &mut Entity, name: &str, text: &str) {
    let pieces = chunks(text);
    for (i, piece) in pieces.iter().enumerate() {
        let key = if i == 0 {
            name.to_owned()
        } else {
            format!("{name}_{i}")
        };
        entity.insert(key, Value::String((*piece).to_owned()));
    }
    if pieces.len() > 1 {
        typed(
            entity,
            &format!("{name}_chunks"),
            pieces.len().to_string(),
            "Edm.Int32",
        );
    }
}

fn get_text(entity: &Entity, name: &str) -> Option<String> {
    let mut text = entity.get(name)?.as_str()?.to_owned();
    let count = entity
        .get(&format!("{name}_chunks"))
        .and_then(as_i64)
        .unwrap_or(1);
    for i in 1..count {
        text.push_str(entity.get(&format!("{name}_{i}"))?.as_str()?);
    }
    Some(text)
}

/// Reads an integer that the service may send as a number or (Int64) as a string.
pub(crate) fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Reads a time sent as RFC 3339, or as the naive ISO text the previous system wrote.
pub(crate) fn as_timestamp(value: &Value) -> Option<Timestamp> {
    let text = value.as_str()?;
    Timestamp::parse_rfc3339(text)
        .or_else(|_| Timestamp::parse_rfc3339(&format!("{text}Z")))
        .ok()
}

/// The entity of `turn` in `session`.
pub(crate) fn turn_entity(session: &SessionId, turn: &Turn) -> Entity {
    let mut entity = Entity::new();
    entity.insert("PartitionKey".into(), partition_key(session).into());
    entity.insert("RowKey".into(), turn_row_key(turn.seq).into());
    entity.insert("session_id".into(), session.as_str().into());
    typed(&mut entity, "seq", turn.seq.0.to_string(), "Edm.Int64");
    entity.insert("turn_id".into(), turn.id.as_str().into());
    typed(
        &mut entity,
        "timestamp",
        turn.at.to_rfc3339(),
        "Edm.DateTime",
    );
    put_text(&mut entity, "user", &turn.user);
    put_text(&mut entity, "assistant", &turn.assistant);
    let metadata = Value::Object(turn.metadata.clone()).to_string();
    put_text(&mut entity, "metadata_json", &metadata);
    typed(&mut entity, "format", FORMAT.to_string(), "Edm.Int32");
    entity
}

/// The per-session record, written with the session's first turn. It carries the
/// original id, so that sessions can be listed without scanning turns.
pub(crate) fn session_entity(session: &SessionId, first: &Turn) -> Entity {
    let mut entity = Entity::new();
    entity.insert("PartitionKey".into(), partition_key(session).into());
    entity.insert("RowKey".into(), SESSION_ROW.into());
    entity.insert("session_id".into(), session.as_str().into());
    typed(
        &mut entity,
        "created",
        first.at.to_rfc3339(),
        "Edm.DateTime",
    );
    entity
}

/// A feedback report as an entity.
pub(crate) fn feedback_entity(f: &otis_core::ports::Feedback) -> Entity {
    let mut entity = Entity::new();
    let day: String = f.at.to_rfc3339().chars().take(10).collect();
    entity.insert("PartitionKey".into(), day.into());
    entity.insert("RowKey".into(), f.id.as_str().into());
    typed(&mut entity, "timestamp", f.at.to_rfc3339(), "Edm.DateTime");
    if let Some(session) = &f.session {
        entity.insert("session_id".into(), session.as_str().into());
    }
    put_text(&mut entity, "question", &f.question);
    put_text(&mut entity, "answer", &f.answer);
    if let Some(comment) = &f.comment {
        put_text(&mut entity, "comment", comment);
    }
    if let Some(rating) = f.rating {
        typed(&mut entity, "rating", rating.to_string(), "Edm.Int32");
    }
    if let Some(principal) = &f.principal {
        entity.insert("principal".into(), principal.as_str().into());
    }
    entity
}

fn row_key(entity: &Entity) -> String {
    entity
        .get("RowKey")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A turn row read back.
pub(crate) fn turn_from_entity(entity: &Entity) -> Result<Turn, DecodeError> {
    let fail = |reason: &str| DecodeError {
        row_key: row_key(entity),
        reason: reason.to_owned(),
    };
    let seq = entity
        .get("seq")
        .and_then(as_i64)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| fail("no seq"))?;
    let id = entity
        .get("turn_id")
        .and_then(Value::as_str)
        .and_then(|s| TurnId::parse(s).ok())
        .ok_or_else(|| fail("no valid turn_id"))?;
    let at = entity
        .get("timestamp")
        .and_then(as_timestamp)
        .ok_or_else(|| fail("no valid timestamp"))?;
    let user = get_text(entity, "user").ok_or_else(|| fail("user text missing"))?;
    let assistant = get_text(entity, "assistant").ok_or_else(|| fail("assistant text missing"))?;
    let metadata = match get_text(entity, "metadata_json") {
        None => Metadata::new(),
        Some(json) => match serde_json::from_str(&json) {
            Ok(Value::Object(map)) => map,
            _ => return Err(fail("metadata_json is not a JSON object")),
        },
    };
    Ok(Turn {
        seq: Seq(seq),
        id,
        at,
        user,
        assistant,
        metadata,
    })
}

/// A row the previous system wrote (RowKey `0000`...), as the turn at `seq`.
pub(crate) fn legacy_turn_from_entity(entity: &Entity, seq: Seq) -> Result<Turn, DecodeError> {
    let row = row_key(entity);
    let fail = |reason: String| DecodeError {
        row_key: row.clone(),
        reason,
    };
    let text = |name: &str| {
        entity
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let at = entity
        .get("timestamp")
        .and_then(as_timestamp)
        .or_else(|| entity.get("Timestamp").and_then(as_timestamp))
        .unwrap_or(Timestamp::EPOCH);
    let metadata = match entity.get("metadata_json").and_then(Value::as_str) {
        None | Some("") => Metadata::new(),
        Some(raw) => legacy::metadata(raw).map_err(|e| fail(format!("metadata_json: {e}")))?,
    };
    let id = TurnId::parse(format!("legacy-{row}")).map_err(|e| fail(e.to_string()))?;
    Ok(Turn {
        seq,
        id,
        at,
        user: text("user"),
        assistant: text("assistant"),
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(user: &str, assistant: &str) -> Turn {
        Turn {
            seq: Seq(7),
            id: TurnId::parse("t7").unwrap(),
            at: Timestamp::from_unix_millis(1_764_000_000_123).unwrap(),
            user: user.into(),
            assistant: assistant.into(),
            metadata: Metadata::from_iter([("k".to_string(), Value::from("v"))]),
        }
    }

    #[test]
    fn small_turns_use_the_plain_property_names() {
        let session = SessionId::parse("s").unwrap();
        let entity = turn_entity(&session, &turn("q", "a"));
        assert_eq!(entity["user"], "q");
        assert_eq!(entity["assistant"], "a");
        assert_eq!(entity["metadata_json"], r#"{"k":"v"}"#);
        assert_eq!(entity["timestamp"], "2025-11-24T16:00:00.123Z");
        assert!(!entity.contains_key("assistant_chunks"));
        assert_eq!(turn_from_entity(&entity).unwrap(), turn("q", "a"));
    }

    #[test]
    fn long_texts_split_on_char_boundaries_and_join_exactly() {
        let session = SessionId::parse("s").unwrap();
        // Surrogate pairs straddle every chunk boundary candidate.
        let assistant: String = "a🦀".repeat(50_000);
        let original = turn("q", &assistant);
        let entity = turn_entity(&session, &original);
        let chunks = as_i64(&entity["assistant_chunks"]).unwrap();
        assert_eq!(chunks, 5);
        for i in 1..chunks {
            let piece = entity[&format!("assistant_{i}")].as_str().unwrap();
            assert!(piece.encode_utf16().count() <= CHUNK_UNITS);
        }
        // The service answers without type annotations; Int64/Int32 come back as text.
        let mut read_back = entity.clone();
        read_back.retain(|k, _| !k.ends_with("@odata.type"));
        assert_eq!(turn_from_entity(&read_back).unwrap(), original);
    }

    #[test]
    fn broken_rows_are_errors_not_empty_turns() {
        let session = SessionId::parse("s").unwrap();
        let mut entity = turn_entity(&session, &turn("q", "a"));
        entity.insert("metadata_json".into(), "[1]".into());
        assert!(turn_from_entity(&entity).is_err());
        entity.remove("seq");
        assert!(turn_from_entity(&entity).is_err());
    }
}
