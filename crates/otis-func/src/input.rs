//! Reading request bodies field by field, so every error names the field.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// A JSON object body, or a 400 saying why it is not one.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::field("body", "must be a JSON object")),
    }
}

fn present<'a>(map: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    map.get(field).filter(|v| !v.is_null())
}

/// A required string.
pub(crate) fn string(map: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    optional_string(map, field)?.ok_or_else(|| ApiError::field(field, "is required"))
}

/// An optional string.
pub(crate) fn optional_string(
    map: &Map<String, Value>,
    field: &str,
) -> Result<Option<String>, ApiError> {
    match present(map, field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::field(
            field,
            format!("must be a string, not {}", kind(other)),
        )),
    }
}

/// An optional boolean.
pub(crate) fn optional_bool(
    map: &Map<String, Value>,
    field: &str,
) -> Result<Option<bool>, ApiError> {
    match present(map, field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ApiError::field(
            field,
            format!("must be true or false, not {}", kind(other)),
        )),
    }
}

/// An optional whole number.
pub(crate) fn optional_u64(map: &Map<String, Value>, field: &str) -> Result<Option<u64>, ApiError> {
    match present(map, field) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| ApiError::field(field, format!("must be a whole number >= 0, not {n}"))),
        Some(other) => Err(ApiError::field(
            field,
            format!("must be a number, not {}", kind(other)),
        )),
    }
}

/// An optional number.
pub(crate) fn optional_f64(map: &Map<String, Value>, field: &str) -> Result<Option<f64>, ApiError> {
    match present(map, field) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| ApiError::field(field, "must be a number")),
        Some(other) => Err(ApiError::field(
            field,
            format!("must be a number, not {}", kind(other)),
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
