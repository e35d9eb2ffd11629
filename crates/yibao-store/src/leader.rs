//! Leader election for jobs that several `yibao serve` processes on one database would otherwise
//! all run (sealing the audit chains, housekeeping, delivering an outbox): the job runs only in the
//! process that holds a named lock, and the others skip that turn (docs/adr/0011-several-processes.md).
//!
//! On PostgreSQL the lock is a session-level advisory lock (`pg_try_advisory_lock`) keyed by the
//! name's 64-bit hash (`hashtextextended`), held on one pooled connection for as long as the job
//! runs. That connection is closed afterwards instead of going back to the pool, so the lock
//! ends with the job however it ends — returned, failed, panicked or cancelled — and a process
//! that dies mid-job loses the lock with its connection. SQLite is one process per file by
//! nature; there only the in-process lock below applies.
//!
//! The lock is mutual exclusion while the holder's connection lives, not a fence: a job must
//! still do its writes in transactions that are safe to repeat (it may be cut off by a failover
//! and run again elsewhere). Session advisory locks need a direct connection to PostgreSQL (or
//! a session-mode pooler), not a transaction-mode pooler.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::db::{Backend, Store};
use crate::error::StoreError;

/// Names of the jobs running in this process (each `Store` is one process's view).
#[derive(Default)]
pub(crate) struct Running(Mutex<HashSet<String>>);

/// Removes the name from `Running` when the job ends, however it ends.
struct Claim {
    running: Arc<Running>,
    name: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut set = self.running.0.lock().unwrap_or_else(|p| p.into_inner());
        set.remove(&self.name);
    }
}

fn claim_in_process(store: &Store, name: &str) -> Option<Claim> {
    let running = store.running().clone();
    let mut set = running.0.lock().unwrap_or_else(|p| p.into_inner());
    if !set.insert(name.to_string()) {
        return None;
    }
    drop(set);
    Some(Claim {
        running,
        name: name.to_string(),
    })
}

/// Runs `work` if no other process (and no other task of this one) is running the job `name`,
/// and returns its result; returns `None` without running it when someone else holds the lock.
pub async fn run_exclusive<T, F, Fut>(
    store: &Store,
    name: &str,
    work: F,
) -> Result<Option<T>, StoreError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = T>,
{
    let Some(_claim) = claim_in_process(store, name) else {
        return Ok(None);
    };
    match store.backend() {
        Backend::Sqlite => Ok(Some(work().await)),
        Backend::Postgres => {
            let mut conn = store.pool().acquire().await?;
            let (held,): (bool,) =
                sqlx::query_as("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
                    .bind(name)
                    .fetch_one(&mut *conn)
                    .await?;
            if !held {
                return Ok(None);
            }
            // From here the connection never returns to the pool: dropping it (after the job,
            // or when this future is dropped mid-job) closes it, and the server releases the
            // lock with the session.
            conn.close_on_drop();
            let out = work().await;
            drop(conn);
            Ok(Some(out))
        }
    }
}

/// Inside a write transaction: waits until no other transaction holds the lock `name`, and holds
/// it until this transaction ends (`pg_advisory_xact_lock`). For once-only work whose "already
/// done?" check and writes must not interleave across processes (loading the demo data at start).
/// On SQLite a write transaction already excludes every other writer.
pub async fn serialise_transaction(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    name: &str,
) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(name)
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::test_support::TestDb;

    async fn only_one_of_three_runs(backend: Backend) {
        let db = TestDb::new(backend).await.expect("test database");
        // Three pools on one database: three processes' worth of stores.
        let stores = match backend {
            Backend::Postgres => {
                let mut v = Vec::new();
                for _ in 0..3 {
                    v.push(Store::connect(&db.url).await.expect("connect"));
                }
                v
            }
            // One SQLite file belongs to one process: three tasks of it share its store.
            Backend::Sqlite => vec![db.store.clone(), db.store.clone(), db.store.clone()],
        };
        let ran = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for store in stores.clone() {
            let (ran, mut rx) = (ran.clone(), rx.clone());
            tasks.push(tokio::spawn(async move {
                run_exclusive(&store, "test-job", || async move {
                    ran.fetch_add(1, Ordering::SeqCst);
                    // Hold the lock until the test has seen the others skip.
                    let _ = rx.wait_for(|go| *go).await;
                })
                .await
                .expect("lock")
            }));
        }
        // The two that lost return without waiting for the lock; the winner waits for the
        // signal. Polled rather than slept on: on a loaded machine the losers' first connection
        // can take longer than any fixed pause, and a loser that waited would never finish.
        let mut finished = 0;
        for _ in 0..200 {
            finished = tasks.iter().filter(|t| t.is_finished()).count();
            if finished >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(finished, 2, "two skipped while one held the lock");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            tasks.iter().filter(|t| t.is_finished()).count(),
            2,
            "the winner still holds the lock"
        );
        tx.send(true).expect("signal");
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.expect("task"));
        }
        assert_eq!(results.iter().filter(|r| r.is_some()).count(), 1);
        assert_eq!(
            ran.load(Ordering::SeqCst),
            1,
            "the job ran in one process only"
        );
        // Released when the job ended: the next turn runs again, in any process.
        let again = run_exclusive(&stores[2], "test-job", || async { 7 })
            .await
            .expect("lock");
        assert_eq!(again, Some(7));
        // Another name is another lock.
        let _busy = claim_in_process(&stores[0], "test-job");
        let other = run_exclusive(&stores[1], "other-job", || async { 1 })
            .await
            .expect("lock");
        assert_eq!(other, Some(1));
        for s in &stores {
            if backend == Backend::Postgres {
                s.close().await;
            }
        }
        db.cleanup().await;
    }

    #[tokio::test]
    async fn only_one_of_three_runs_sqlite() {
        only_one_of_three_runs(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn only_one_of_three_runs_postgres() {
        only_one_of_three_runs(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn a_cancelled_job_releases_its_lock() {
        let db = TestDb::new(Backend::Postgres).await.expect("test database");
        let a = Store::connect(&db.url).await.expect("connect");
        let b = Store::connect(&db.url).await.expect("connect");
        let job = run_exclusive(&a, "cancelled", std::future::pending::<()>);
        assert!(tokio::time::timeout(Duration::from_millis(200), job)
            .await
            .is_err());
        // The connection that held the lock was closed, not pooled; the server notices at once.
        let mut got = None;
        for _ in 0..50 {
            got = run_exclusive(&b, "cancelled", || async { 1 })
                .await
                .expect("lock");
            if got.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(got, Some(1));
        a.close().await;
        b.close().await;
        db.cleanup().await;
    }
}
