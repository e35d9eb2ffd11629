//! Institution tokens recently looked up, so a hospital's stream of settlements does not read the
//! token and institution rows on every call. An entry lives a few seconds; revoking a token in
//! this process drops it at once, and another process's revocation takes effect within the
//! entry's life (ADR 0003). Expiry is checked on every use against the entry's own date.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Actor;

/// How long a looked-up token is trusted without reading it again.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);
/// Past this many entries the cache starts afresh (tokens are few; this bounds a flood of
/// made-up ones, which are never cached anyway).
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone)]
struct Entry {
    actor: Actor,
    token_id: i64,
    expires_at: String,
    fetched: Instant,
}

#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl TokenCache {
    /// The actor for a token's hash, if looked up within the TTL and not expired at `now`.
    pub fn get(&self, token_sha256: &str, now: &str) -> Option<Actor> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(token_sha256)
            .filter(|e| e.fetched.elapsed() < TOKEN_CACHE_TTL && e.expires_at.as_str() > now)
            .map(|e| e.actor.clone())
    }

    pub fn put(&self, token_sha256: String, actor: Actor, token_id: i64, expires_at: String) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                token_sha256,
                Entry {
                    actor,
                    token_id,
                    expires_at,
                    fetched: Instant::now(),
                },
            );
        }
    }

    /// Drops a revoked token.
    pub fn forget(&self, token_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.token_id != token_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor::System { label: "t".into() }
    }

    #[test]
    fn an_entry_serves_until_its_token_expires_or_is_forgotten() {
        let c = TokenCache::default();
        c.put("h".into(), actor(), 7, "2026-12-03T10:00:00.000Z".into());
        assert!(c.get("h", "2026-12-03T09:59:59.999Z").is_some());
        assert!(c.get("h", "2026-12-03T10:00:00.000Z").is_none(), "expired");
        assert!(c.get("other", "2026-12-03T09:00:00.000Z").is_none());
        c.forget(7);
        assert!(c.get("h", "2026-12-03T09:00:00.000Z").is_none(), "revoked");
    }
}
