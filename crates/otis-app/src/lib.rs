//! The wiring both entry points share: read configuration, build the store, model and
//! retriever adapters it names, and hand them to the otis-core use cases.
//!
//! Skeleton: this crate holds no code yet; it grows with the ask-pipeline and CLI issues,
//! so that otis-func and otis-cli never wire adapters twice. See docs/ARCHITECTURE.md.
