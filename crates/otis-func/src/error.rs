//! Errors at the HTTP edge: every failure is a status and
//! `{"error": {"code": "...", "message": "..."}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use otis_core::AskError;
use otis_core::ports::{ChatError, RetrieveError, StoreError};
use serde_json::json;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable, machine-readable code.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// A 400 naming the field that is wrong.
    pub fn field(field: &str, message: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_request",
            message: format!("{field}: {message}"),
        }
    }

    /// Any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::Unavailable(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                message,
            ),
            StoreError::InvalidCursor(_) => Self::field("cursor", message),
            StoreError::TooLarge { .. } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
            }
            _ => Self::new(StatusCode::BAD_GATEWAY, "store_error", message),
        }
    }
}

impl From<AskError> for ApiError {
    fn from(e: AskError) -> Self {
        let message = e.to_string();
        match e {
            AskError::Invalid { field, message } => Self::field(field, message),
            AskError::Memory(store) => {
                let mut error = Self::from(store);
                error.message = message;
                error
            }
            AskError::Retrieve(RetrieveError::NoIndex(_)) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "index_missing", message)
            }
            AskError::Retrieve(_) => Self::new(StatusCode::BAD_GATEWAY, "retrieval_error", message),
            AskError::Model(ChatError::Timeout(_)) => {
                Self::new(StatusCode::GATEWAY_TIMEOUT, "model_timeout", message)
            }
            AskError::Model(ChatError::RateLimited { .. }) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "model_throttled", message)
            }
            AskError::Model(_) => Self::new(StatusCode::BAD_GATEWAY, "model_error", message),
        }
    }
}
