//! How a command fails: bad input or configuration (exit 2) or anything else (exit 1),
//! and which of the two the app's and the ask use case's errors are.

use otis_app::AppError;
use otis_core::AskError;

/// How a command failed: bad input or configuration (exit 2) or anything else (exit 1).
pub(crate) enum Failure {
    Input(anyhow::Error),
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Runtime(e)
    }
}

pub(crate) fn input(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Input(e.into())
}

pub(crate) fn app_failure(e: AppError) -> Failure {
    match e {
        AppError::Settings(_) => Failure::Input(e.into()),
        other => Failure::Runtime(other.into()),
    }
}

pub(crate) fn ask_failure(e: AskError) -> Failure {
    match e {
        AskError::Invalid { .. } => Failure::Input(e.into()),
        other => Failure::Runtime(other.into()),
    }
}
