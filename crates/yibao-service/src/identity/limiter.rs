//! Throttling of logins in this process: failed attempts per source (client address) across all
//! accounts, and one password check at a time per account and source.
//!
//! Only failures count toward the source's limit: people who type their password right are never
//! slowed down, however many log in from one office's address.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Failed attempts one source may make at once, and how many it regains per minute.
pub const LOGIN_FAILURE_BURST: u32 = 20;
pub const LOGIN_FAILURES_PER_MINUTE: u32 = 10;

/// Past this many remembered sources the limiter forgets those that have fully recovered.
const SHRINK_AT: usize = 10_000;

pub struct LoginLimiter {
    failures: DefaultKeyedRateLimiter<String>,
    blocked: Mutex<HashMap<String, Instant>>,
    checks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Held while one attempt's password is checked; attempts on the same key wait for it.
pub struct CheckGuard {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl LoginLimiter {
    pub fn new(failures_per_minute: u32, burst: u32) -> LoginLimiter {
        let per_minute = NonZeroU32::new(failures_per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        LoginLimiter {
            failures: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            blocked: Mutex::new(HashMap::new()),
            checks: Mutex::new(HashMap::new()),
        }
    }

    /// How long `source` must still wait after using up its failures, if it must.
    pub fn blocked_for(&self, source: &str) -> Option<Duration> {
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match blocked.get(source) {
            Some(until) if *until > now => Some(*until - now),
            Some(_) => {
                blocked.remove(source);
                None
            }
            None => None,
        }
    }

    /// Counts one failed attempt of `source`.
    pub fn record_failure(&self, source: &str) {
        if self.failures.len() > SHRINK_AT {
            self.failures.retain_recent();
            self.failures.shrink_to_fit();
        }
        if let Err(not_until) = self.failures.check_key(&source.to_string()) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if blocked.len() > SHRINK_AT {
                blocked.retain(|_, until| *until > now);
            }
            blocked.insert(source.to_string(), now + wait);
        }
    }

    /// Waits until no other attempt on `key` is checking its password, so parallel guesses are
    /// checked one by one and the lock-out stops them after the allowed number.
    pub async fn one_check_at_a_time(&self, key: &str) -> CheckGuard {
        let lock = {
            let mut checks = self.checks.lock().unwrap_or_else(|p| p.into_inner());
            // Keys nobody waits on any more are dropped here, so the map stays small.
            checks.retain(|_, m| Arc::strong_count(m) > 1);
            checks.entry(key.to_string()).or_default().clone()
        };
        CheckGuard {
            _guard: lock.lock_owned().await,
        }
    }
}

impl Default for LoginLimiter {
    fn default() -> LoginLimiter {
        LoginLimiter::new(LOGIN_FAILURES_PER_MINUTE, LOGIN_FAILURE_BURST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_past_its_failures_is_blocked_while_others_are_not() {
        let l = LoginLimiter::new(1, 3);
        for _ in 0..3 {
            assert!(l.blocked_for("10.0.0.1").is_none());
            l.record_failure("10.0.0.1");
        }
        assert!(
            l.blocked_for("10.0.0.1").is_none(),
            "the burst itself is allowed"
        );
        l.record_failure("10.0.0.1");
        let wait = l.blocked_for("10.0.0.1").expect("blocked after the burst");
        assert!(wait <= Duration::from_secs(60));
        assert!(l.blocked_for("10.0.0.2").is_none());
    }

    #[tokio::test]
    async fn checks_on_one_key_wait_for_each_other() {
        let l = LoginLimiter::default();
        let first = l.one_check_at_a_time("citizen:1@a").await;
        let other_key = tokio::time::timeout(
            Duration::from_millis(50),
            l.one_check_at_a_time("citizen:2@a"),
        );
        assert!(other_key.await.is_ok(), "another key does not wait");
        let same_key = tokio::time::timeout(
            Duration::from_millis(50),
            l.one_check_at_a_time("citizen:1@a"),
        );
        assert!(same_key.await.is_err(), "the same key waits");
        drop(first);
        let again = tokio::time::timeout(
            Duration::from_millis(50),
            l.one_check_at_a_time("citizen:1@a"),
        );
        assert!(again.await.is_ok());
    }
}
