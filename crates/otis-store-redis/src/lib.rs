//! `SessionStore` on Redis, single node or Redis Cluster, on the `redis` crate (why:
//! docs/decisions/0002-redis-client.md).
//!
//! - `connection.rs`: `redis://` / `rediss://` URLs and the Azure Cache for Redis
//!   connection string, with the password redacted everywhere.
//! - `keys.rs`: every key name: a session's bucket is its hash tag, so its keys share one
//!   Cluster slot; braces in ids are escaped.
//! - `scripts.rs`: the Lua scripts (append without overwriting, delete, list, purge).
//! - `store.rs`: the ports, retries of transient failures (the shared `otis_upstream`
//!   policy), reconnects; errors never keep the password.
//!
//! Layout and costs: docs/schema.md ("Redis layout").

mod connection;
pub mod keys;
mod scripts;
mod store;

pub use connection::{RedisConnection, RedisUrlError};
pub use keys::{BUCKETS, PrefixError};
pub use otis_upstream::RetryPolicy;
pub use store::{
    DEFAULT_PREFIX, MAX_TURN_BYTES, RETRY, RedisConfig, RedisStore, SessionKeys, Topology,
};
