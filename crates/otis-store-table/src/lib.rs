//! `SessionStore` on Azure Table Storage, spoken over the Table REST API with `reqwest`.
//!
//! - [`Connection`]: connection strings (account key, SAS, `UseDevelopmentStorage=true`),
//!   secrets redacted from `Debug`.
//! - [`TableClient`]: signed requests, retried by the shared `otis_upstream` policy,
//!   queries with continuation, entity-group transactions (`$batch`) checked operation
//!   by operation, and a request counter for benchmarks.
//! - [`TableStore`]: the port. One request per append, one per window load, whatever
//!   the history length. The layout is described in `docs/schema.md`.
//!
//! Why not the `azure_data_tables` crate: see `docs/decisions/0001-table-rest-client.md`.

mod auth;
mod client;
mod connection;
mod entity;
mod keys;
mod legacy;
#[cfg(test)]
mod props;
mod store;

pub use client::{ClientPolicy, Entity, QueryPage, RETRY, TableClient, TableError};
pub use connection::{Connection, ConnectionStringError, Credential};
pub use otis_upstream::RetryPolicy;
pub use store::{DEFAULT_TABLE, FEEDBACK_TABLE, MigrationReport, OpenError, TableStore};
