//! The HTTP endpoint: an axum server that runs as an Azure Functions custom handler or
//! standalone, exposing /api/query, /api/history, /api/sessions and friends.
//!
//! Skeleton: this crate holds no code yet; the HTTP function issue fills it. See
//! docs/ARCHITECTURE.md.
