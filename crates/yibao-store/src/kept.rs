//! Connections the autocommit path (settlement on PostgreSQL) keeps between uses instead of
//! handing them back to sqlx's pool. sqlx tests every connection it gets back with a round trip
//! of its own (`Sync`, then waiting for `ReadyForQuery`), which on the settlement path was a
//! third round trip beside its two statements (ADR 0018). A connection is kept only after its
//! last statement's answer was read to the end, so it is known to be ready; anything else goes
//! back to the pool, which tests it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

use crate::failover::Switch;

/// A connection for statements outside a transaction ([`crate::Store::autocommit`]). Give it
/// back with [`crate::Store::keep`] once its last statement was read to the end; dropped, it
/// returns to the pool, which tests it first.
pub struct Autocommit {
    conn: PoolConnection<Any>,
    /// When it left the pool: a failover since then makes it stale.
    taken: Instant,
}

impl std::ops::Deref for Autocommit {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Autocommit {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

struct Entry {
    conn: Autocommit,
    since: Instant,
}

/// The kept connections, at most `limit`, the most recently used first out.
pub(crate) struct Kept {
    entries: Mutex<Vec<Entry>>,
    limit: usize,
    /// Kept longer than this, a connection goes back to the pool (which tests one idle this
    /// long before handing it out).
    idle: Duration,
    switch: Option<Arc<Switch>>,
}

impl Kept {
    pub fn new(limit: usize, idle: Duration, switch: Option<Arc<Switch>>) -> Kept {
        Kept {
            entries: Mutex::new(Vec::new()),
            limit,
            idle,
            switch,
        }
    }

    /// A kept connection still fit for use; stale ones met on the way go back to the pool.
    pub fn take(&self) -> Option<Autocommit> {
        loop {
            let entry = self.lock().pop()?;
            let moved = self
                .switch
                .as_ref()
                .is_some_and(|s| s.stale(entry.conn.taken.elapsed()));
            if !moved && entry.since.elapsed() < self.idle {
                return Some(entry.conn);
            }
        }
    }

    /// Keeps `conn` unless enough are kept already or the pool is closing (then it goes back).
    pub fn put(&self, conn: Autocommit, closing: bool) {
        let mut entries = self.lock();
        if closing || entries.len() >= self.limit {
            drop(entries);
            drop(conn);
            return;
        }
        entries.push(Entry {
            conn,
            since: Instant::now(),
        });
    }

    /// Hands every kept connection back to the pool (before it closes: it waits for them).
    pub fn clear(&self) {
        let drained: Vec<Entry> = self.lock().drain(..).collect();
        drop(drained);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // The list stays consistent whatever panicked while holding it.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Autocommit {
    pub(crate) fn from_pool(conn: PoolConnection<Any>) -> Autocommit {
        Autocommit {
            conn,
            taken: Instant::now(),
        }
    }
}

#[cfg(test)]
mod live_tests {
    use std::sync::Arc;
    use std::time::Duration;

    use sqlx::AnyConnection;

    use super::{Autocommit, Kept};
    use crate::failover::Switch;
    use crate::test_support::TestDb;
    use crate::Backend;

    async fn backend_pid(conn: &mut AnyConnection) -> i64 {
        sqlx::query_scalar("SELECT CAST(pg_backend_pid() AS BIGINT)")
            .fetch_one(conn)
            .await
            .unwrap()
    }

    async fn from_pool(db: &TestDb) -> Autocommit {
        Autocommit::from_pool(db.store.pool().acquire().await.unwrap())
    }

    #[tokio::test]
    async fn a_kept_connection_serves_the_next_call_and_the_pool_still_closes() {
        let db = TestDb::new(Backend::Postgres).await.expect("test database");
        let mut a = db.store.autocommit().await.unwrap().expect("PostgreSQL");
        let first = backend_pid(&mut a).await;
        db.store.keep(a);
        // Not handed back: a dropped connection is idle in the pool again once its test ends.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!((db.store.pool().size(), db.store.pool().num_idle()), (1, 0));
        let mut b = db.store.autocommit().await.unwrap().expect("PostgreSQL");
        assert_eq!(backend_pid(&mut b).await, first, "the kept connection");
        db.store.keep(b);
        // The pool's close waits for every connection: the kept one is handed back first.
        tokio::time::timeout(Duration::from_secs(10), db.store.close())
            .await
            .expect("close returns with a connection kept");
        let c = db.store.autocommit().await;
        assert!(c.is_err(), "a closed store hands out nothing");
        db.cleanup().await;
    }

    #[tokio::test]
    async fn stale_idle_and_surplus_connections_are_not_kept() {
        let db = TestDb::new(Backend::Postgres).await.expect("test database");
        // At most the limit.
        let kept = Kept::new(1, Duration::from_secs(60), None);
        kept.put(from_pool(&db).await, false);
        kept.put(from_pool(&db).await, false);
        assert!(kept.take().is_some());
        assert!(kept.take().is_none(), "the second went back to the pool");
        // Not while the pool closes.
        kept.put(from_pool(&db).await, true);
        assert!(kept.take().is_none());
        // Not after sitting idle past the pool's ping threshold.
        let kept = Kept::new(4, Duration::from_millis(50), None);
        kept.put(from_pool(&db).await, false);
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(kept.take().is_none(), "idle too long");
        // Not after the pool moved to another primary: taken from the pool before the switch.
        let switch = Switch::new();
        let kept = Kept::new(4, Duration::from_secs(60), Some(Arc::clone(&switch)));
        let old = from_pool(&db).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        switch.switched();
        kept.put(old, false);
        assert!(kept.take().is_none(), "made for the old primary");
        tokio::time::sleep(Duration::from_millis(5)).await;
        kept.put(from_pool(&db).await, false);
        assert!(kept.take().is_some(), "taken after the switch");
        kept.clear();
        db.cleanup().await;
    }
}
