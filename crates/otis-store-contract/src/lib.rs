//! The `SessionStore` contract suite: one set of cases, run against every adapter.
//!
//! An adapter's integration tests call [`store_contract_tests!`] with an expression that
//! builds a fresh [`Backend`] (an async closure), and get one `#[test]` per case. Each
//! case runs on its own multi-threaded runtime against its own fresh backend, so cases
//! run in parallel and a failure names the clause of the contract that broke.
//!
//! ```ignore
//! otis_store_contract::store_contract_tests!(|| async {
//!     let backend = otis_store_mem::MemoryBackend::new();
//!     otis_store_contract::backend(move || Arc::new(MemoryStore::open(backend.clone())))
//! });
//! ```
//!
//! This crate is test support: it panics on failed expectations, by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backend;
pub mod cases;

use std::future::Future;
use std::sync::Arc;

pub use backend::{Backend, backend};

/// Runs one case: builds a multi-threaded runtime, makes a fresh backend with `make`, and
/// drives `case` on it to the end.
pub fn run<M, MF, C, CF>(make: M, case: C)
where
    M: FnOnce() -> MF,
    MF: Future<Output = Arc<dyn Backend>>,
    C: FnOnce(Arc<dyn Backend>) -> CF,
    CF: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("test runtime");
    runtime.block_on(async move {
        let backend = make().await;
        case(backend).await;
    });
}

/// Stamps out one `#[test]` per contract case, each on a fresh backend from `$make`
/// (an expression evaluating to `FnOnce() -> impl Future<Output = Arc<dyn Backend>>`).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@cases $make;
            missing_session_is_empty,
            turns_persist_across_instances,
            sessions_are_isolated,
            window_keeps_the_latest_max_turns,
            load_is_ordered_across_digit_boundaries,
            history_pages_oldest_first,
            insert_never_overwrites,
            concurrent_appends_lose_nothing,
            retried_append_is_stored_once,
            odd_session_ids_round_trip,
            longest_ids_of_escaped_characters_round_trip,
            large_text_round_trips_byte_exact,
            metadata_and_timestamps_round_trip,
            oversized_turn_is_refused_whole,
            delete_removes_only_that_session,
            list_pages_every_session_once,
            purge_removes_inactive_sessions,
            expired_session_is_not_loaded,
            invalid_cursor_is_an_error,
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $crate::run($make, $crate::cases::$case);
            }
        )*
    };
}
