//! The expiry sweep both entry points run (`otis sessions purge`, the function app's
//! timer): remove every session idle for longer than a given time, on any store.

use std::time::Duration;

use otis_core::Timestamp;
use otis_core::ports::{PageRequest, SessionStore, SessionSummary, StoreError};

/// What a sweep did (or, dry, would do).
#[derive(Debug, Clone, PartialEq)]
pub struct PurgeReport {
    /// Sessions whose latest turn is before this were (or would be) removed.
    pub cutoff: Timestamp,
    /// Whether nothing was removed on purpose.
    pub dry_run: bool,
    /// Sessions removed; in a dry run, how many would be.
    pub removed: u64,
    /// In a dry run, the sessions that would be removed (listing order); else empty.
    pub idle: Vec<SessionSummary>,
}

/// The cutoff for sessions idle longer than `idle` as of `now`.
pub fn purge_cutoff(now: Timestamp, idle: Duration) -> Timestamp {
    let ms = i64::try_from(idle.as_millis()).unwrap_or(i64::MAX);
    now.plus_millis(ms.saturating_neg())
}

/// Removes every session whose latest turn is older than `idle` as of `now` (the store's
/// `purge_inactive`); with `dry_run`, lists them instead and removes nothing.
pub async fn purge_idle(
    store: &dyn SessionStore,
    idle: Duration,
    now: Timestamp,
    dry_run: bool,
) -> Result<PurgeReport, StoreError> {
    let cutoff = purge_cutoff(now, idle);
    if !dry_run {
        let removed = store.purge_inactive(cutoff).await?;
        return Ok(PurgeReport {
            cutoff,
            dry_run,
            removed,
            idle: Vec::new(),
        });
    }
    let mut request = PageRequest::first(500);
    let mut idle_sessions = Vec::new();
    loop {
        let page = store.list_sessions(&request).await?;
        idle_sessions.extend(
            page.items
                .iter()
                .filter(|s| s.last_activity < cutoff)
                .cloned(),
        );
        match request.after(&page) {
            Some(next) => request = next,
            None => break,
        }
    }
    Ok(PurgeReport {
        cutoff,
        dry_run,
        removed: idle_sessions.len() as u64,
        idle: idle_sessions,
    })
}

/// Days as a duration: a finite number >= 0 (fractions allowed), else `None`.
pub fn idle_days(days: f64) -> Option<Duration> {
    (days.is_finite() && days >= 0.0).then(|| Duration::from_secs_f64(days * 86_400.0))
}
