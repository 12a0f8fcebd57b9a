//! Errors at the HTTP edge: every failure is a status and
//! `{"error": {"code": "...", "message": "..."}}`.
//!
//! A backend failure (store, model, search) answers with a stable code and a plain
//! message of ours, otis-app's [`ServiceFailure`] (the CLI shows the same); what the
//! backend said (its error body, request id, an echo of our request) is kept as the
//! error's detail, which goes to the server log with secrets redacted ([`crate::log`])
//! and never into a response, an SSE event or `/api/health`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use otis_app::ServiceFailure;
use otis_core::AskError;
use otis_core::ports::StoreError;
use serde_json::json;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable, machine-readable code.
    pub code: &'static str,
    /// What went wrong, for people: never a backend's own text.
    pub message: String,
    /// The backend's account of the failure, for the server log only.
    detail: Option<String>,
}

/// The detail of an error answer, carried to the logging middleware in the response's
/// extensions (never serialised).
#[derive(Debug, Clone)]
pub(crate) struct ErrorDetail {
    pub(crate) code: &'static str,
    pub(crate) detail: String,
}

impl ApiError {
    /// A 400 naming the field that is wrong.
    pub fn field(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("{field}: {message}"),
        )
    }

    /// Any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// A backend failure: `message` for the caller, `detail` for the log.
    fn backend(
        status: StatusCode,
        code: &'static str,
        message: &str,
        detail: impl std::fmt::Display,
    ) -> Self {
        Self {
            detail: Some(detail.to_string()),
            ..Self::new(status, code, message)
        }
    }

    /// A service's failure: its code and message for the caller, with the status its
    /// code calls for, and `detail` for the log.
    fn service(failure: ServiceFailure, detail: impl std::fmt::Display) -> Self {
        let status = match failure.code {
            "store_unavailable" | "index_missing" | "model_throttled" => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            "model_timeout" => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::BAD_GATEWAY,
        };
        Self {
            detail: Some(detail.to_string()),
            ..Self::new(status, failure.code, failure.message)
        }
    }

    /// What the backend said, for the server log.
    pub(crate) fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut response = (self.status, Json(body)).into_response();
        if let Some(detail) = self.detail {
            response.extensions_mut().insert(ErrorDetail {
                code: self.code,
                detail,
            });
        }
        response
    }
}

/// The plain message for a store that failed with `code`.
pub(crate) fn store_message(code: &str) -> &'static str {
    otis_app::store_message(code)
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::InvalidCursor(_) => Self::field("cursor", "is not a cursor this API gave"),
            StoreError::TooLarge { .. } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
            }
            _ => match ServiceFailure::of_store(&e) {
                Some(failure) => Self::service(failure, e),
                // A conflict or an id the store refuses, where none was expected.
                None => Self::backend(
                    StatusCode::BAD_GATEWAY,
                    "store_error",
                    store_message("store_error"),
                    e,
                ),
            },
        }
    }
}

impl From<AskError> for ApiError {
    fn from(e: AskError) -> Self {
        if let Some(failure) = ServiceFailure::of_ask(&e) {
            return Self::service(failure, e);
        }
        match e {
            AskError::Memory(store) => {
                let mut error = Self::from(store);
                if error.detail.is_some() {
                    error.message = format!(
                        "could not read the conversation: {}",
                        store_message(error.code)
                    );
                }
                error
            }
            AskError::Invalid { field, message } => Self::field(field, message),
            other => Self::backend(
                StatusCode::BAD_GATEWAY,
                "internal_error",
                "the request failed",
                other,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otis_core::ports::{ChatError, RetrieveError};

    #[test]
    fn backend_text_stays_in_the_detail() {
        let canary = "<Error><Code>AuthenticationFailed</Code>key=SECRET-CANARY</Error>";
        let errors: Vec<ApiError> = vec![
            StoreError::Backend(canary.into()).into(),
            StoreError::Unavailable(canary.into()).into(),
            StoreError::Corrupt(canary.into()).into(),
            AskError::Memory(StoreError::Unavailable(canary.into())).into(),
            AskError::Retrieve(RetrieveError::Backend(canary.into())).into(),
            AskError::Retrieve(RetrieveError::NoIndex(canary.into())).into(),
            AskError::Model(ChatError::Rejected {
                status: 400,
                message: canary.into(),
            })
            .into(),
            AskError::Model(ChatError::Malformed(canary.into())).into(),
            AskError::Model(ChatError::Backend(canary.into())).into(),
        ];
        for error in errors {
            assert!(!error.message.contains("CANARY"), "{error:?}");
            assert!(error.detail().unwrap().contains("SECRET-CANARY"));
        }
    }
}
