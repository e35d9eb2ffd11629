//! Throttling of logins: failed attempts per source (client address) across all accounts, counted
//! in the database so every `yibao serve` process on it applies one limit
//! (docs/adr/0011-several-processes.md); and, in this process, one password check at a time per
//! account and source.
//!
//! Only failures count toward the source's limit: people who type their password right are never
//! slowed down, however many log in from one office's address.
//!
//! The limit is a leaky bucket (the generic cell rate algorithm): a source may fail
//! `burst` times at once and regains one failure every `60 s / per_minute`. Its state is one
//! number per source, the time its failures so far will have drained (`login_source`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use yibao_store::identity as store;
use yibao_store::{Conn, StoreError};

/// Failed attempts one source may make at once, and how many it regains per minute.
pub const LOGIN_FAILURE_BURST: u32 = 20;
pub const LOGIN_FAILURES_PER_MINUTE: u32 = 10;

pub struct LoginLimiter {
    /// Milliseconds to regain one failure.
    interval_ms: i64,
    /// Milliseconds of failures a source may have outstanding (`burst` intervals).
    allowance_ms: i64,
    checks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Held while one attempt's password is checked; attempts on the same key wait for it.
pub struct CheckGuard {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

/// How long a source whose failures drain at `drained_at_ms` must still wait at `now_ms`.
fn wait(drained_at_ms: i64, now_ms: i64, allowance_ms: i64) -> Option<Duration> {
    let over = drained_at_ms
        .saturating_sub(now_ms)
        .saturating_sub(allowance_ms);
    (over > 0).then(|| Duration::from_millis(over.unsigned_abs()))
}

impl LoginLimiter {
    pub fn new(failures_per_minute: u32, burst: u32) -> LoginLimiter {
        let interval_ms = 60_000 / i64::from(failures_per_minute.max(1));
        LoginLimiter {
            interval_ms,
            allowance_ms: interval_ms.saturating_mul(i64::from(burst.max(1))),
            checks: Mutex::new(HashMap::new()),
        }
    }

    /// How long `source` must still wait at `now_ms` after using up its failures, if it must.
    pub async fn blocked_for(
        &self,
        conn: &mut Conn,
        source: &str,
        now_ms: i64,
    ) -> Result<Option<Duration>, StoreError> {
        Ok(store::source_drained_at(conn, source)
            .await?
            .and_then(|t| wait(t, now_ms, self.allowance_ms)))
    }

    /// Counts one failed attempt of `source` at `now_ms`.
    pub async fn record_failure(
        &self,
        conn: &mut Conn,
        source: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        store::record_source_failure(conn, source, now_ms, self.interval_ms).await?;
        Ok(())
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
    fn a_source_past_its_failures_waits_until_one_has_drained() {
        // 1 per minute, burst 3: 60 s per failure, 180 s allowance.
        let l = LoginLimiter::new(1, 3);
        assert_eq!((l.interval_ms, l.allowance_ms), (60_000, 180_000));
        let now = 1_000_000;
        // Three failures at once drain at now + 180 s: the burst itself is allowed.
        assert_eq!(wait(now + 180_000, now, l.allowance_ms), None);
        // The fourth pushes the drain time past the allowance by one interval.
        assert_eq!(
            wait(now + 240_000, now, l.allowance_ms),
            Some(Duration::from_secs(60))
        );
        // 59 s later one second is left; a minute later the source may try again.
        assert_eq!(
            wait(now + 240_000, now + 59_000, l.allowance_ms),
            Some(Duration::from_secs(1))
        );
        assert_eq!(wait(now + 240_000, now + 60_000, l.allowance_ms), None);
        assert_eq!(wait(i64::MIN, i64::MAX, l.allowance_ms), None);
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
