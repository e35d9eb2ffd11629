//! Fresh, isolated databases for tests: a temporary SQLite file, or a new PostgreSQL database
//! created on the server named by `YIBAO_TEST_POSTGRES_URL` (default: the CI machine's
//! `postgres://postgres@127.0.0.1:5432/test`) and dropped afterwards.
//!
//! Every test database is a copy of a template made once, not migrated on its own: migrating
//! costs more with every migration, and a seeded template (the web tests' demo data, whose
//! passwords are hashed with argon2) saves far more. A PostgreSQL template is a database copied
//! with `CREATE DATABASE … TEMPLATE`, a SQLite template a file copied per test. Templates are named
//! by a key of what they hold (see `migrations_key` and `seeded_key`), so a changed migration or
//! seed gets a new template instead of a stale one, and test processes running at the same time —
//! other test binaries, other checkouts on the same server — share a template or build their own
//! without colliding. Templates of other keys are removed once nobody has used them for a while.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Executor, Row};
use tokio::sync::Mutex;

use crate::db::{self, Backend, Store};
use crate::error::StoreError;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Every template's name starts with this; nothing else may use it.
const TEMPLATE_PREFIX: &str = "yibao_tmpl_";

/// A template of another key is removed only when no process has started using it for this
/// long: a test run in another checkout with other migrations may still be copying it (it would
/// build it again, but needlessly).
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// The session-level advisory lock that serialises building and removing templates on one
/// PostgreSQL server, so that parallel test processes do not build the same one twice.
const TEMPLATE_LOCK: i64 = 0x7969_6261_6f74_6d70; // "yibaotmp"

/// What a seeded template holds beyond the schema.
pub type SeedFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// Data loaded once into a template, so that every test needing it copies it instead of loading
/// it again (the web tests' demo data).
#[derive(Clone, Copy)]
pub struct Seed {
    /// Part of the template's name: a few lowercase ASCII letters.
    pub name: &'static str,
    /// Loads the data into a migrated, otherwise empty store.
    pub load: fn(Store) -> SeedFuture,
}

/// A migrated database that lives as long as this value (dropped by `cleanup`).
pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "yibao_t_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn postgres_admin_url() -> String {
    std::env::var("YIBAO_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

/// The URL of `admin_url`'s server with another database name.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestDb {
    /// An empty, migrated database.
    pub async fn new(backend: Backend) -> Result<TestDb, StoreError> {
        TestDb::create(backend, None).await
    }

    /// A migrated database holding what `seed` loads, copied from a template seeded once.
    pub async fn seeded(backend: Backend, seed: Seed) -> Result<TestDb, StoreError> {
        TestDb::create(backend, Some(seed)).await
    }

    async fn create(backend: Backend, seed: Option<Seed>) -> Result<TestDb, StoreError> {
        let name = unique_name();
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let template = sqlite_template(seed).await?;
                let path = std::env::temp_dir().join(format!("{name}.db"));
                std::fs::copy(&template, &path).map_err(|e| {
                    StoreError::Unavailable(format!("copying {}: {e}", template.display()))
                })?;
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                create_from_template(&admin_url, &name, seed).await?;
                (
                    with_database(&admin_url, &name),
                    Cleanup::Database { admin_url, name },
                )
            }
        };
        let store = Store::connect(&url).await?;
        Ok(TestDb {
            store,
            url,
            cleanup,
        })
    }

    /// Closes the pool and removes the database. Call at the end of a test; a test that
    /// panics leaves its database behind for inspection.
    pub async fn cleanup(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => remove_sqlite_files(&path),
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// Runs raw SQL — for tests that tamper with rows the application never changes (the audit
/// chain) to prove that the tampering is detected.
pub async fn execute(conn: &mut sqlx::AnyConnection, sql: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query(sql).execute(conn).await?.rows_affected())
}

// --- Template keys ---------------------------------------------------------------------------

/// 64-bit FNV-1a: stable across Rust releases and processes (std's hasher promises neither),
/// which a name shared between test processes needs.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The key of the migrated template: every migration's version and checksum (sqlx's SHA-384 of
/// its SQL), as embedded in this build. A changed, added or removed migration gives a new key,
/// while builds with the same migrations — other test binaries, other checkouts — share one.
fn migrations_key(backend: Backend) -> String {
    let mut h = Fnv::new();
    h.write(backend.name().as_bytes());
    for m in db::migrator(backend).iter() {
        h.write(&m.version.to_le_bytes());
        h.write(&m.checksum);
    }
    h.hex()
}

/// The key of a seeded template: the migrations, the seed's name and this test executable's path,
/// size and modification time. A seed runs arbitrary code (the demo loader, the store's inserts,
/// the audit chain's hashing, …) and no list of source files to hash would stay complete; the
/// executable contains all of it, and every rebuild gives it a new modification time. The cost
/// is one seeded template per build of a test binary (about a second), and the old ones are
/// removed later (`STALE_AFTER`). Without an executable to read, the key falls back to the
/// process, which gives a fresh template per run.
fn seeded_key(backend: Backend, seed: Seed) -> String {
    let mut h = Fnv::new();
    h.write(migrations_key(backend).as_bytes());
    h.write(seed.name.as_bytes());
    let exe = std::env::current_exe()
        .and_then(|p| std::fs::metadata(&p).map(|m| (p, m)))
        .and_then(|(p, m)| m.modified().map(|t| (p, m.len(), t)));
    match exe {
        Ok((path, len, modified)) => {
            h.write(path.as_os_str().as_encoded_bytes());
            h.write(&len.to_le_bytes());
            let nanos = modified
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            h.write(&nanos.to_le_bytes());
        }
        Err(_) => h.write(&std::process::id().to_le_bytes()),
    }
    h.hex()
}

fn template_names(backend: Backend, seed: Option<Seed>) -> (String, Option<String>) {
    let base = format!("{TEMPLATE_PREFIX}base_{}", migrations_key(backend));
    let seeded = seed.map(|s| format!("{TEMPLATE_PREFIX}{}_{}", s.name, seeded_key(backend, s)));
    (base, seeded)
}

fn seed_failed(seed: Seed, reason: String) -> StoreError {
    StoreError::Unavailable(format!("loading the {} template: {reason}", seed.name))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

// --- PostgreSQL templates --------------------------------------------------------------------

/// The templates this process has made sure of. A std mutex would not do: building one awaits,
/// and the other tests must wait for it rather than build it too.
fn postgres_ready() -> &'static Mutex<BTreeSet<String>> {
    static READY: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    READY.get_or_init(|| Mutex::new(BTreeSet::new()))
}

async fn connect_admin(admin_url: &str) -> Result<sqlx::PgConnection, StoreError> {
    sqlx::PgConnection::connect(admin_url).await.map_err(|e| {
        StoreError::Unavailable(format!(
            "PostgreSQL for tests at {admin_url} is not reachable ({e}); start it with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` \
             or set YIBAO_TEST_POSTGRES_URL"
        ))
    })
}

/// Creates database `name` as a copy of the template. Another process may remove a template
/// this one still uses (it was old and unused there, see `STALE_AFTER`); then it is built again.
async fn create_from_template(
    admin_url: &str,
    name: &str,
    seed: Option<Seed>,
) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        let template = postgres_template(admin_url, seed).await?;
        let mut admin = connect_admin(admin_url).await?;
        let created = admin
            .execute(format!("CREATE DATABASE {name} TEMPLATE {template}").as_str())
            .await;
        let _ = admin.close().await;
        match created {
            Ok(_) => return Ok(()),
            Err(e) if attempt < 2 && has_code(&e, "3D000") => {
                postgres_ready().lock().await.remove(&template);
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn has_code(e: &sqlx::Error, code: &str) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some(code))
}

/// The name of the template to copy, built first if no process has built it yet.
async fn postgres_template(admin_url: &str, seed: Option<Seed>) -> Result<String, StoreError> {
    let (base, seeded) = template_names(Backend::Postgres, seed);
    let wanted = seeded.clone().unwrap_or_else(|| base.clone());
    let mut ready = postgres_ready().lock().await;
    if ready.contains(&wanted) {
        return Ok(wanted);
    }
    let mut admin = connect_admin(admin_url).await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut admin)
        .await?;
    let built = async {
        if !postgres_exists(&mut admin, &base).await? {
            build_postgres(&mut admin, admin_url, &base, None).await?;
        }
        if let (Some(name), Some(seed)) = (&seeded, seed) {
            if !postgres_exists(&mut admin, name).await? {
                build_postgres(&mut admin, admin_url, name, Some((&base, seed))).await?;
            }
        }
        let mut keep: Vec<&str> = ready.iter().map(String::as_str).collect();
        keep.push(&base);
        keep.extend(seeded.as_deref());
        for name in [Some(base.as_str()), seeded.as_deref()]
            .into_iter()
            .flatten()
        {
            mark_used(&mut admin, name).await?;
        }
        remove_stale_postgres(&mut admin, &keep).await;
        Ok::<(), StoreError>(())
    }
    .await;
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut admin)
        .await;
    let _ = admin.close().await;
    built?;
    ready.insert(base);
    ready.insert(wanted.clone());
    Ok(wanted)
}

async fn postgres_exists(admin: &mut sqlx::PgConnection, name: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(admin)
        .await?
        .is_some())
}

/// Builds template `name` under another name and renames it when complete, so that a process
/// that finds `name` (or one killed while building) never copies a half-built template.
async fn build_postgres(
    admin: &mut sqlx::PgConnection,
    admin_url: &str,
    name: &str,
    from: Option<(&str, Seed)>,
) -> Result<(), StoreError> {
    let building = format!("{name}_new");
    admin
        .execute(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)").as_str())
        .await?;
    let create = match from {
        None => format!("CREATE DATABASE {building}"),
        Some((base, _)) => format!("CREATE DATABASE {building} TEMPLATE {base}"),
    };
    admin.execute(create.as_str()).await?;
    let store = Store::connect(&with_database(admin_url, &building)).await?;
    let loaded = match from {
        None => store.migrate().await,
        Some((_, seed)) => (seed.load)(store.clone())
            .await
            .map_err(|e| seed_failed(seed, e)),
    };
    store.close().await;
    loaded?;
    wait_until_unused(admin, &building).await?;
    admin
        .execute(format!("ALTER DATABASE {building} RENAME TO {name}").as_str())
        .await?;
    // Nobody connects to a template by mistake, so nothing blocks the copies.
    admin
        .execute(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false").as_str())
        .await?;
    Ok(())
}

/// Records when a process last started using template `name` (its comment), which
/// `remove_stale_postgres` reads in other processes.
async fn mark_used(admin: &mut sqlx::PgConnection, name: &str) -> Result<(), StoreError> {
    admin
        .execute(
            format!(
                "COMMENT ON DATABASE {name} IS 'yibao test template; used_at={}'",
                unix_now()
            )
            .as_str(),
        )
        .await?;
    Ok(())
}

/// Ends the sessions still connected to `name`, a template being built, and waits until they are
/// gone: a database with a session cannot be renamed or copied. A closed pool's server processes
/// may take a moment to end, and sqlx may leave behind a connection that was being returned to
/// the pool when it closed (the migrator's). Nobody else uses the database: its name is only ever
/// used under the template lock.
async fn wait_until_unused(admin: &mut sqlx::PgConnection, name: &str) -> Result<(), StoreError> {
    for _ in 0..200 {
        let busy = sqlx::query(
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(name)
        .fetch_one(&mut *admin)
        .await?
        .try_get::<i64, _>("n")?;
        if busy == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err(StoreError::Unavailable(format!(
        "template {name} is still in use after it was built"
    )))
}

/// Drops the templates of other keys (older migrations, earlier builds) that nobody is connected
/// to and nobody started using within `STALE_AFTER`, and leftovers of interrupted builds. Best
/// effort: a failure (someone connected meanwhile) leaves it for a later run.
async fn remove_stale_postgres(admin: &mut sqlx::PgConnection, keep: &[&str]) {
    let rows = sqlx::query(
        "SELECT d.datname AS name, \
                COALESCE(shobj_description(d.oid, 'pg_database'), '') AS note \
         FROM pg_database d \
         WHERE starts_with(d.datname, $1) \
           AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    )
    .bind(TEMPLATE_PREFIX)
    .fetch_all(&mut *admin)
    .await;
    let Ok(rows) = rows else { return };
    let now = unix_now();
    for row in rows {
        let (Ok(name), Ok(note)) = (
            row.try_get::<String, _>("name"),
            row.try_get::<String, _>("note"),
        ) else {
            continue;
        };
        if keep.contains(&name.as_str()) {
            continue;
        }
        // A leftover of an interrupted build has no note, and nobody builds meanwhile (the lock).
        let used = note
            .rsplit_once("used_at=")
            .and_then(|(_, t)| t.trim().parse::<u64>().ok())
            .unwrap_or(0);
        if now.saturating_sub(used) < STALE_AFTER.as_secs() {
            continue;
        }
        let quoted = name.replace('"', "\"\"");
        let _ = admin
            .execute(format!("DROP DATABASE IF EXISTS \"{quoted}\"").as_str())
            .await;
    }
}

// --- SQLite templates ------------------------------------------------------------------------

fn sqlite_ready() -> &'static Mutex<BTreeSet<PathBuf>> {
    static READY: OnceLock<Mutex<BTreeSet<PathBuf>>> = OnceLock::new();
    READY.get_or_init(|| Mutex::new(BTreeSet::new()))
}

/// The template file to copy, built first if no process has built it yet. Processes do not
/// lock each other out: each builds under its own name and renames the result into place, so a
/// reader finds no file or a complete one (two processes may both build it once; same content).
async fn sqlite_template(seed: Option<Seed>) -> Result<PathBuf, StoreError> {
    let dir = std::env::temp_dir();
    let (base, seeded) = template_names(Backend::Sqlite, seed);
    let base = dir.join(format!("{base}.db"));
    let seeded = seeded.map(|s| dir.join(format!("{s}.db")));
    let wanted = seeded.clone().unwrap_or_else(|| base.clone());
    let mut ready = sqlite_ready().lock().await;
    // Another process may have removed it meanwhile (see `remove_stale_sqlite`).
    if ready.contains(&wanted) && wanted.exists() {
        return Ok(wanted);
    }
    if !base.exists() {
        build_sqlite(&base, None).await?;
    }
    if let (Some(path), Some(seed)) = (&seeded, seed) {
        if !path.exists() {
            build_sqlite(path, Some((&base, seed))).await?;
        }
    }
    // The modification time says when a process last started using it (`remove_stale_sqlite`).
    for path in [Some(base.as_path()), seeded.as_deref()]
        .into_iter()
        .flatten()
    {
        let _ = std::fs::File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(SystemTime::now()));
    }
    let mut keep: Vec<&Path> = ready.iter().map(PathBuf::as_path).collect();
    keep.push(&base);
    keep.extend(seeded.as_deref());
    remove_stale_sqlite(&dir, &keep);
    ready.insert(base);
    ready.insert(wanted.clone());
    Ok(wanted)
}

async fn build_sqlite(path: &Path, from: Option<(&Path, Seed)>) -> Result<(), StoreError> {
    let io = |what: &Path, e: std::io::Error| {
        StoreError::Unavailable(format!("building {}: {e}", what.display()))
    };
    let work = path.with_extension(format!("{}.work", std::process::id()));
    let out = path.with_extension(format!("{}.out", std::process::id()));
    remove_sqlite_files(&work);
    remove_sqlite_files(&out);
    if let Some((base, _)) = from {
        std::fs::copy(base, &work).map_err(|e| io(base, e))?;
    }
    let store = Store::connect(&format!("sqlite://{}", work.display())).await?;
    let loaded = match from {
        None => store.migrate().await,
        Some((_, seed)) => (seed.load)(store.clone())
            .await
            .map_err(|e| seed_failed(seed, e)),
    };
    // One self-contained file, without the write-ahead log beside it, for a plain copy.
    let vacuumed = match loaded {
        Ok(()) => {
            let into = out.display().to_string().replace('\'', "''");
            sqlx::query(&format!("VACUUM INTO '{into}'"))
                .execute(store.pool())
                .await
                .map(|_| ())
                .map_err(StoreError::from)
        }
        Err(e) => Err(e),
    };
    store.close().await;
    remove_sqlite_files(&work);
    if let Err(e) = vacuumed {
        remove_sqlite_files(&out);
        return Err(e);
    }
    std::fs::rename(&out, path).map_err(|e| io(path, e))
}

/// Removes the template files of other keys, and leftovers of interrupted builds, that no
/// process started using within `STALE_AFTER` (one elsewhere may still copy them). Best effort.
fn remove_stale_sqlite(dir: &Path, keep: &[&Path]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMPLATE_PREFIX));
        if !ours || keep.contains(&path.as_path()) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.to_path_buf().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }

    #[test]
    fn template_names_follow_the_migrations_and_fit_postgres() {
        let (a, _) = template_names(Backend::Postgres, None);
        let (b, _) = template_names(Backend::Postgres, None);
        let (c, _) = template_names(Backend::Sqlite, None);
        assert_eq!(a, b, "one key per set of migrations");
        assert_ne!(a, c);
        fn nothing(_: Store) -> SeedFuture {
            Box::pin(async { Ok(()) })
        }
        let seed = Seed {
            name: "demo",
            load: nothing,
        };
        let (_, seeded) = template_names(Backend::Postgres, Some(seed));
        let seeded = seeded.unwrap_or_default();
        assert!(seeded.starts_with("yibao_tmpl_demo_"), "{seeded}");
        // PostgreSQL truncates identifiers beyond 63 bytes; the build name adds "_new".
        assert!(format!("{seeded}_new").len() <= 63);
    }
}
