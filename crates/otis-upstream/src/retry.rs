//! The one retry policy: exponential backoff with equal jitter from `backon`, the
//! upstream's `Retry-After` in place of the backoff when it sent one, a cap on attempts
//! and a deadline. Each adapter says which failures may be retried ([`Verdict`]); that
//! is where its idempotency rules live.

use std::future::Future;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};

/// How an adapter judges one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Trying again will not help, or is not safe: fail now.
    Fail,
    /// Try again after the policy's backoff.
    Retry,
    /// Try again after this long: what the upstream asked for (`Retry-After`), or the
    /// adapter's own wait for a throttled request without one.
    RetryAfter(Duration),
}

/// How hard to try before giving up: the same rules for every adapter, each with its
/// own numbers.
///
/// Attempt `n` (from 1) failing with [`Verdict::Retry`] waits a random time in
/// `[d/2, d)`, where `d = min(base_delay * 2^(n-1), max_delay)` ("equal jitter": never
/// less than half the backoff, never two clients in step). [`Verdict::RetryAfter`]
/// waits what the upstream asked instead. No attempt starts after `max_attempts`, and
/// no wait is begun that would end more than `max_elapsed` after the first attempt
/// started: the last failure is returned instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (0 counts as 1).
    pub max_attempts: u32,
    /// The first backoff's upper bound; each next one doubles.
    pub base_delay: Duration,
    /// No backoff's upper bound is longer than this.
    pub max_delay: Duration,
    /// The deadline, from the start of the first attempt.
    pub max_elapsed: Duration,
}

impl RetryPolicy {
    /// One attempt, no retry.
    pub const fn once() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_elapsed: Duration::ZERO,
        }
    }

    /// This policy with `max_attempts` attempts.
    pub const fn with_attempts(self, max_attempts: u32) -> Self {
        Self {
            max_attempts,
            ..self
        }
    }

    /// The backoff as `backon` builds it: half the bounds, doubled at most by jitter.
    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::new()
            .with_factor(2.0)
            .with_min_delay(self.base_delay / 2)
            .with_max_delay(self.max_delay.max(self.base_delay) / 2)
            .with_max_times(self.max_attempts.max(1) as usize - 1)
            .with_jitter()
    }

    /// Runs `attempt` until it succeeds, `verdict` says [`Verdict::Fail`], the attempts
    /// are spent or the deadline is near; returns the last outcome.
    pub async fn run<T, E, F, Fut, V>(&self, attempt: F, verdict: V) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        V: Fn(&E) -> Verdict,
    {
        let started = Instant::now();
        let deadline = self.max_elapsed;
        attempt
            .retry(self.backoff())
            .adjust(|error, backoff| {
                // `backoff` is `None` once the attempts are spent.
                let delay = match verdict(error) {
                    Verdict::Fail => return None,
                    Verdict::Retry => backoff?,
                    Verdict::RetryAfter(wait) => backoff.map(|_| wait)?,
                };
                (started.elapsed() + delay <= deadline).then_some(delay)
            })
            .await
    }
}

/// How long an upstream asked to wait: `retry-after-ms` (Azure OpenAI), else
/// `Retry-After` in seconds (fractions allowed). An HTTP-date is not read; the backoff
/// applies then. `header` looks a header up by its lower-case name.
pub fn retry_after<'a>(header: impl Fn(&str) -> Option<&'a str>) -> Option<Duration> {
    header("retry-after-ms")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .or_else(|| {
            header("retry-after")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use backon::BackoffBuilder;
    use std::sync::atomic::{AtomicU32, Ordering};

    const QUICK: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(8),
        max_delay: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(5),
    };

    #[test]
    fn backoffs_double_with_equal_jitter_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 7,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_elapsed: Duration::from_secs(60),
        };
        for _ in 0..200 {
            let delays: Vec<Duration> = policy.backoff().build().collect();
            assert_eq!(delays.len(), 6, "one wait between each two attempts");
            for (i, delay) in delays.iter().enumerate() {
                let bound = Duration::from_millis(100 << i).min(Duration::from_secs(1));
                // backon computes in f32: allow a microsecond either way.
                let slack = Duration::from_micros(1);
                assert!(
                    *delay + slack >= bound / 2 && *delay <= bound + slack,
                    "wait {i}: {delay:?} outside [{:?}, {bound:?})",
                    bound / 2
                );
            }
        }
        assert_eq!(RetryPolicy::once().backoff().build().count(), 0);
    }

    async fn failing(calls: &AtomicU32, verdict: Verdict) -> Result<(), (u32, Verdict)> {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        Err((n, verdict))
    }

    #[tokio::test]
    async fn retries_until_the_attempts_are_spent() {
        let calls = AtomicU32::new(0);
        let result = QUICK
            .run(|| failing(&calls, Verdict::Retry), |(_, v)| *v)
            .await;
        assert_eq!(result, Err((4, Verdict::Retry)));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_failure_not_worth_retrying_ends_at_once() {
        let calls = AtomicU32::new(0);
        let result = QUICK
            .run(|| failing(&calls, Verdict::Fail), |(_, v)| *v)
            .await;
        assert_eq!(result, Err((1, Verdict::Fail)));
    }

    #[tokio::test]
    async fn success_after_failures_is_success() {
        let calls = AtomicU32::new(0);
        let result = QUICK
            .run(
                || async {
                    match calls.fetch_add(1, Ordering::SeqCst) {
                        0 | 1 => Err("busy"),
                        n => Ok(n),
                    }
                },
                |_| Verdict::Retry,
            )
            .await;
        assert_eq!(result, Ok(2));
    }

    #[tokio::test]
    async fn the_upstreams_wait_replaces_the_backoff_and_the_deadline_holds() {
        // Asked to wait 30 ms: three attempts take at least 60 ms.
        let calls = AtomicU32::new(0);
        let started = Instant::now();
        let policy = QUICK.with_attempts(3);
        let wait = Verdict::RetryAfter(Duration::from_millis(30));
        let result = policy.run(|| failing(&calls, wait), |(_, v)| *v).await;
        assert_eq!(result, Err((3, wait)));
        assert!(started.elapsed() >= Duration::from_millis(60));

        // Asked to wait past the deadline: no wait, the failure is returned.
        let calls = AtomicU32::new(0);
        let started = Instant::now();
        let policy = RetryPolicy {
            max_elapsed: Duration::from_millis(100),
            ..QUICK
        };
        let wait = Verdict::RetryAfter(Duration::from_secs(30));
        let result = policy.run(|| failing(&calls, wait), |(_, v)| *v).await;
        assert_eq!(result, Err((1, wait)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    /// Response headers, lower-case name and value.
    type Headers<'a> = &'a [(&'a str, &'a str)];

    #[test]
    fn retry_after_reads_milliseconds_then_seconds() {
        let cases: [(Headers<'_>, Option<Duration>); 6] = [
            (&[("retry-after", "2")], Some(Duration::from_secs(2))),
            (
                &[("retry-after", " 0.5 ")],
                Some(Duration::from_millis(500)),
            ),
            (
                &[("retry-after-ms", "250"), ("retry-after", "9")],
                Some(Duration::from_millis(250)),
            ),
            (&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")], None),
            (&[("retry-after", "-1")], None),
            (&[], None),
        ];
        for (headers, want) in cases {
            let got = retry_after(|name| headers.iter().find(|(k, _)| *k == name).map(|(_, v)| *v));
            assert_eq!(got, want, "{headers:?}");
        }
    }
}
