//! Test support shared by integration tests and benchmarks. Test code only: it panics on failure.
//!
//! - [`azurite`]: a real Azurite table service on a free loopback port.
//! - [`generated`]: a generated COBOL tree of 10,000 files (or a small one) for the
//!   benchmarks.
//! - [`redis`]: real `redis-server` single nodes and 3-node Clusters on loopback ports.
//! - [`resp_echo`]: a fake Redis that refuses every command with an error quoting it
//!   (an `AUTH` password included).
//! - [`scripted`]: a loopback HTTP server that answers each request with the next reply
//!   of a script (statuses, headers, bodies, streamed chunks, silence, an echo of the
//!   request) and records what it was sent, for testing clients against documented wire
//!   formats.
//! - [`secrets`]: canary keys, a password and a SAS token, and [`secrets::shown`], all
//!   that an error shows, for tests that no secret reaches a caller.
//! - [`proxy`]: a loopback TCP proxy that drops connections before a request reaches
//!   the service or after the service has answered.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod azurite;
pub mod generated;
pub mod proxy;
pub mod redis;
pub mod resp_echo;
pub mod scripted;
pub mod secrets;
