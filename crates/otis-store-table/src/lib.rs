//! SessionStore on Azure Table Storage, spoken over its REST API.
//!
//! Skeleton: this crate holds no code yet. The adapter (one entity per turn, one request
//! per append and per window load, optimistic inserts, tested on Azurite through the
//! store contract suite) is the Table Storage issue's work. See docs/ARCHITECTURE.md.
