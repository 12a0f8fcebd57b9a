//! Reading request bodies field by field, so every error names the field, and query
//! strings strictly (invalid UTF-8 is an error, not a replacement character).

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
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

/// The query string's parameters, decoded strictly: `+` is a space, `%XX` a byte, and
/// every name and value must then be UTF-8. axum's `Query` decodes lossily (`%FF`
/// becomes U+FFFD), which would let two different session ids name one session; this
/// extractor answers 400 instead, before any handler reads or writes anything. A
/// parameter given twice is refused too, since the two could disagree.
#[derive(Debug, Default)]
pub(crate) struct StrictQuery(pub(crate) HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for StrictQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        query_params(parts.uri.query().unwrap_or_default()).map(StrictQuery)
    }
}

/// Parses `a=1&b=two` as [`StrictQuery`] does.
pub(crate) fn query_params(query: &str) -> Result<HashMap<String, String>, ApiError> {
    let mut params = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode_component(name, "a query parameter name")?;
        let value = decode_component(value, &name)?;
        if params.contains_key(&name) {
            return Err(ApiError::field(&name, "is given more than once"));
        }
        params.insert(name, value);
    }
    Ok(params)
}

fn decode_component(raw: &str, field: &str) -> Result<String, ApiError> {
    let spaced = raw.replace('+', " ");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| ApiError::field(field, "is not valid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_strictly() {
        let ok: [(&str, &[(&str, &str)]); 6] = [
            ("", &[]),
            (
                "session_id=a%2Fb&limit=5",
                &[("session_id", "a/b"), ("limit", "5")],
            ),
            (
                "session_id=caf%C3%A9+au+lait",
                &[("session_id", "café au lait")],
            ),
            ("session_id=%F0%9F%A6%80", &[("session_id", "🦀")]),
            ("flag&&x=", &[("flag", ""), ("x", "")]),
            ("s=100%25%zz", &[("s", "100%%zz")]),
        ];
        for (query, want) in ok {
            let got = query_params(query).unwrap();
            let want: HashMap<String, String> = want
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(got, want, "{query}");
        }
        for (query, field) in [
            ("session_id=%FF%FE", "session_id"),
            ("session_id=%C0%AF", "session_id"),
            ("session_id=%ED%A0%80", "session_id"),
            ("session_id=%F0%9F%A6", "session_id"),
            ("%FF=1", "a query parameter name"),
            ("session_id=a&session_id=b", "session_id"),
        ] {
            let err = query_params(query).unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{query}");
            assert!(err.message.starts_with(field), "{query}: {}", err.message);
        }
    }
}
