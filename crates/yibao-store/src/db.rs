//! Connecting, migrating and transactions, for either backend.

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::{Arc, Once};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::StoreError;
use crate::kept::{Autocommit, Kept};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The migrations of `backend`, as embedded in this build (test templates are keyed by them).
pub(crate) fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    }
}

/// A pooled connection idle longer than this is pinged before it is handed out.
const IDLE_PING: Duration = Duration::from_secs(1);

/// How long a SQLite writer waits for its turn before the request fails with 503.
const WRITER_WAIT: Duration = Duration::from_secs(30);

/// A transaction. On SQLite a write transaction also holds this process's writer permit, so
/// writers queue in order inside the process instead of polling the file lock; the permit is
/// released when the transaction ends (commit, rollback or drop).
pub struct Tx {
    inner: Transaction<'static, Any>,
    _writer: Option<OwnedSemaphorePermit>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database URL without its password, for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The connection pool and which backend it talks to.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer per file: one permit, taken before `BEGIN IMMEDIATE`.
    writer: Arc<Semaphore>,
    /// Jobs this process runs under `leader::run_exclusive`.
    running: Arc<crate::leader::Running>,
    /// Connections of the autocommit path between uses (PostgreSQL).
    kept: Arc<Kept>,
}

impl Store {
    /// Connects to `url`. For SQLite the file and its folder are created if missing and the
    /// database is switched to WAL so that readers do not block the writer.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);

        let backend = Backend::from_url(url)?;
        let mut url = url.to_string();
        if backend == Backend::Sqlite {
            url = prepare_sqlite_url(&url)?;
        }
        // Several hosts (`h1:5432,h2:5433`): the first primary among them, watched for failover.
        let hosts = match backend {
            Backend::Postgres => crate::failover::parse(&url)?,
            Backend::Sqlite => None,
        };
        let (options, failover) = match hosts {
            Some(hosts) => {
                let (current, probe) = crate::failover::find(&hosts).await?;
                let options = crate::failover::options(&hosts.urls[current])?;
                let switch = crate::failover::Switch::new();
                (options, Some((hosts, current, probe, switch)))
            }
            None => (crate::failover::options(&url)?, None),
        };
        let max = match backend {
            // One SQLite file has one writer; a few connections serve concurrent readers.
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        };
        let sqlite = backend == Backend::Sqlite;
        let check = failover
            .as_ref()
            .map(|(hosts, _, _, switch)| (switch.clone(), hosts.target));
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                let check = check.clone();
                Box::pin(async move {
                    if sqlite {
                        // Writers queue for up to 10 s rather than fail at once.
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    // With several hosts a new connection must land on the primary; one that
                    // lands on a demoted host is refused (the pool tries again) and the watcher
                    // looks for the new primary at once.
                    if let Some((switch, target)) = check {
                        if !crate::failover::acceptable(conn, target).await? {
                            switch.wake.notify_one();
                            return Err(sqlx::Error::Protocol(
                                "connected to a standby; waiting for the new primary".into(),
                            ));
                        }
                    }
                    Ok(())
                })
            })
            .acquire_timeout(Duration::from_secs(10));
        // A connection is pinged before use only when it sat idle for a while (a server that
        // restarted or failed over meanwhile is found before the request uses it); one in
        // steady use is not, which saves a round trip per transaction on the settlement path
        // (docs/performance.md). A connection that broke while busy fails that one request.
        let switch = failover.as_ref().map(|(_, _, _, s)| s.clone());
        pool_options = pool_options
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                // Connections made before the pool moved to a new primary are dropped unused.
                let stale = switch.as_ref().is_some_and(|s| s.stale(meta.age));
                Box::pin(async move {
                    if stale {
                        return Ok(false);
                    }
                    if meta.idle_for > IDLE_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            });
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", redact(&url))))?;
        // Half the pool at most: the rest stays for transactions.
        let kept = Arc::new(Kept::new(
            max as usize / 2,
            IDLE_PING,
            failover.as_ref().map(|(_, _, _, s)| s.clone()),
        ));
        if let Some((hosts, current, probe, switch)) = failover {
            tokio::spawn(crate::failover::watch(
                pool.clone(),
                hosts,
                current,
                Some(probe),
                switch,
            ));
        }
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Store {
            pool,
            backend,
            writer: Arc::new(Semaphore::new(1)),
            running: Arc::default(),
            kept,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrator(self.backend)
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Checks that the database answers (for /readyz).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A transaction that may write: the default for every use case.
    ///
    /// On SQLite it waits for the process's writer permit and then takes the file's write lock at
    /// once (`BEGIN IMMEDIATE`). A deferred transaction that reads and then writes fails with
    /// "database is locked" when another writer got in between, and no busy timeout helps it;
    /// taking the lock up front makes writers queue instead (another process, such as the CLI,
    /// waits on the busy timeout). Never open a second transaction while holding one: on SQLite
    /// it would wait for the permit its own task holds. PostgreSQL uses row locks where it matters.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let permit = tokio::time::timeout(WRITER_WAIT, self.writer.clone().acquire_owned())
                    .await
                    .map_err(|_| StoreError::Unavailable("waiting for the SQLite writer".into()))?
                    .map_err(|_| StoreError::Unavailable("store closed".into()))?;
                Ok(Tx {
                    inner: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _writer: Some(permit),
                })
            }
            Backend::Postgres => Ok(Tx {
                inner: self.pool.begin().await?,
                _writer: None,
            }),
        }
    }

    /// A transaction that only reads (pages, lists, lookups). Readers never wait for writers:
    /// SQLite in WAL mode reads a snapshot; on PostgreSQL it is `READ ONLY`, so a use case that
    /// writes through it fails in tests instead of racing on SQLite.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => self.pool.begin_with("BEGIN READ ONLY").await?,
        };
        Ok(Tx {
            inner,
            _writer: None,
        })
    }

    /// PostgreSQL: a pooled connection outside any transaction, where each statement commits on
    /// its own. Settlement reads and then writes with one guarded statement through it (two
    /// round trips instead of four with `BEGIN` and `COMMIT`). `None` on SQLite, whose writes
    /// go through [`Store::begin`] and its writer permit.
    ///
    /// A connection given back with [`Store::keep`] serves the next call without sqlx's test
    /// round trip on release (ADR 0018).
    pub async fn autocommit(&self) -> Result<Option<Autocommit>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => match self.kept.take() {
                Some(c) => Ok(Some(c)),
                None => Ok(Some(Autocommit::from_pool(self.pool.acquire().await?))),
            },
        }
    }

    /// Gives back a connection from [`Store::autocommit`] whose last statement was read to its
    /// end (its answer, or the server's error, up to `ReadyForQuery`): it is ready as it is. A
    /// connection that failed, or whose statement was abandoned, must be dropped instead; the
    /// pool tests it.
    pub fn keep(&self, conn: Autocommit) {
        self.kept.put(conn, self.pool.is_closed());
    }

    /// The pool itself, for statements outside a transaction (test templates: `VACUUM INTO`).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn running(&self) -> &Arc<crate::leader::Running> {
        &self.running
    }

    /// Runs a maintenance statement that may not run inside a transaction (`VACUUM`).
    pub async fn run_outside_transaction(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        // Marked closed first, so no connection is kept after the kept ones are handed back;
        // the pool's close waits for every connection to come back.
        let closing = self.pool.close();
        self.kept.clear();
        closing.await;
    }
}

/// Makes sure the folder of a SQLite file exists and that the file is created on first use.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_string());
    }
    if let Some(dir) = Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
    }
    let query = match query {
        Some(q) if q.contains("mode=") => q.to_string(),
        Some(q) => format!("{q}&mode=rwc"),
        None => "mode=rwc".to_string(),
    };
    Ok(format!("sqlite://{path}?{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://yibao:secret@db:5432/yibao"),
            "postgres://yibao:***@db:5432/yibao"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
    }

    #[test]
    fn recognises_backends() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("postgresql://h/d").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("mysql://h/d").unwrap_err().code(),
            "store.unsupported_url"
        );
    }
}
