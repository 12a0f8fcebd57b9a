//! Test support shared by integration tests. Test code only: it panics on failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod azurite;
