//! The `otis` command line: ask, chat, sessions admin, index build, serve.
//!
//! Skeleton: this crate holds no code yet; the CLI issue fills it. See
//! docs/ARCHITECTURE.md.
