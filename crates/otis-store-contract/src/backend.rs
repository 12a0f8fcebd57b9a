//! [`Backend`]: what the contract cases open adapter instances over. Its own module so
//! that the cases (`cases.rs`) and the macro that runs them (`lib.rs`) both depend on it
//! and not on each other.

use std::sync::Arc;

use otis_core::ports::DynSessionStore;

/// Storage that adapter instances can be opened over, again and again.
///
/// Every [`open`](Backend::open) returns a new adapter instance (new client, new
/// connection) over the same stored data, so that a case can drop one instance and
/// find its turns through the next, as a restarted function would.
pub trait Backend: Send + Sync + 'static {
    /// A new adapter instance over this backend's data.
    fn open(&self) -> DynSessionStore;
}

struct FnBackend<F>(F);

impl<F> Backend for FnBackend<F>
where
    F: Fn() -> DynSessionStore + Send + Sync + 'static,
{
    fn open(&self) -> DynSessionStore {
        (self.0)()
    }
}

/// A [`Backend`] from a closure that opens a new adapter instance each time it is called.
pub fn backend<F>(open: F) -> Arc<dyn Backend>
where
    F: Fn() -> DynSessionStore + Send + Sync + 'static,
{
    Arc::new(FnBackend(open))
}
