//! Backup and restore of a whole store, and the table digests that prove a restore complete.
//!
//! SQLite: `VACUUM INTO` writes a consistent, compacted copy of a live database from one read
//! transaction (SQLite's documented alternative to the online-backup API; WAL readers and the
//! writer carry on). PostgreSQL: `pg_dump` in the custom format, run on a snapshot exported from a
//! repeatable-read transaction, so the digests taken in that transaction describe exactly the rows
//! the dump holds. A restore goes only into an empty database and is compared table by table with
//! the digests written at backup time (docs/operations.md).

use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::db::{Backend, Store};
use crate::error::StoreError;

/// What went wrong in a backup or a restore; `code` is stable, `message` is for the operator.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A file or folder could not be read or written.
    #[error("文件读写失败：{0}")]
    Io(String),
    /// `pg_dump` / `pg_restore` missing or failed.
    #[error("{0}")]
    Tool(String),
    /// The restore target already holds tables.
    #[error("目标数据库不是空库（已有 {0} 张表）：恢复只写入新建的空库，请先新建数据库")]
    TargetNotEmpty(usize),
    /// The backup does not fit the target or is damaged.
    #[error("{0}")]
    Invalid(String),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> BackupError {
        BackupError::Store(StoreError::from(e))
    }
}

impl BackupError {
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::Store(e) => e.code(),
            BackupError::Io(_) => "backup.io",
            BackupError::Tool(_) => "backup.tool",
            BackupError::TargetNotEmpty(_) => "backup.target_not_empty",
            BackupError::Invalid(_) => "backup.invalid",
        }
    }
}

/// One table's row count and an order-independent digest of its rows: the sum, lane by lane
/// modulo 2^64, of each row's SHA-256. Equal digests mean equal multisets of rows (an integrity
/// check of a copy; the audit chain, not this, is the tamper seal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDigest {
    pub table: String,
    pub rows: i64,
    pub digest: String,
}

/// The tables of the store's schema, by name (on PostgreSQL partitions are counted in their
/// parent, not on their own).
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
             ORDER BY 1"
        }
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// Digests of every table, read on `conn` (inside the caller's transaction, so they describe one
/// snapshot).
pub async fn digest_tables(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<TableDigest>, StoreError> {
    let mut out = Vec::new();
    for table in tables(conn, backend).await? {
        out.push(digest_table(conn, backend, &table).await?);
    }
    Ok(out)
}

async fn digest_table(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<TableDigest, StoreError> {
    let quoted = quote_ident(table);
    let sql = match backend {
        // Each row as its composite literal: deterministic for equal values.
        Backend::Postgres => format!("SELECT t::text FROM {quoted} t"),
        Backend::Sqlite => {
            let cols: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(&mut *conn)
                    .await?;
            if cols.is_empty() {
                return Err(StoreError::Corrupt(format!("table {table} has no columns")));
            }
            // quote() renders every storage class (including blobs) as an SQL literal.
            let row = cols
                .iter()
                .map(|(c,)| format!("quote({})", quote_ident(c)))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            format!("SELECT {row} FROM {quoted}")
        }
    };
    let mut lanes = [0u64; 4];
    let mut rows = 0i64;
    let mut stream = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(row) = stream.try_next().await? {
        let text: Option<String> = row.try_get(0)?;
        add_row(&mut lanes, text.as_deref().unwrap_or("NULL"));
        rows += 1;
    }
    Ok(TableDigest {
        table: table.to_string(),
        rows,
        digest: lanes
            .iter()
            .map(|l| format!("{l:016x}"))
            .collect::<String>(),
    })
}

fn add_row(lanes: &mut [u64; 4], text: &str) {
    let hash = Sha256::digest(text.as_bytes());
    for (lane, chunk) in lanes.iter_mut().zip(hash.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *lane = lane.wrapping_add(u64::from_be_bytes(b));
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The last applied migration's version (a restore needs a binary that knows it).
pub async fn schema_version(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let (v,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
    Ok(v.unwrap_or(0))
}

/// The newest migration this build carries for `backend`: a backup of a newer schema cannot be
/// restored by it.
pub fn latest_migration(backend: Backend) -> i64 {
    crate::db::migrator(backend)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// What a backup took: the digests and audit head of the snapshot it copied.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub tables: Vec<TableDigest>,
    pub schema_version: i64,
    pub audit_head: (i64, String),
}

async fn describe(conn: &mut AnyConnection, backend: Backend) -> Result<Snapshot, StoreError> {
    Ok(Snapshot {
        tables: digest_tables(conn, backend).await?,
        schema_version: schema_version(conn).await?,
        audit_head: crate::audit::head(conn).await?,
    })
}

/// Copies a live SQLite store to `dest` (which must not exist) and describes the copy.
pub async fn backup_sqlite(store: &Store, dest: &Path) -> Result<Snapshot, BackupError> {
    if store.backend() != Backend::Sqlite {
        return Err(BackupError::Invalid("不是 SQLite 数据库".into()));
    }
    let path = dest
        .to_str()
        .ok_or_else(|| BackupError::Io(format!("路径不是有效文本：{}", dest.display())))?;
    sqlx::query(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))
        .execute(store.pool())
        .await?;
    // Describe the copy itself, not the live file that has moved on since.
    // Read-write: opening switches the copy to WAL like every store file (a read-only open cannot).
    let copy = Store::connect(&format!("sqlite://{path}?mode=rw")).await?;
    let result = async {
        let mut tx = copy.begin_read().await?;
        let s = describe(&mut tx, Backend::Sqlite).await?;
        tx.rollback().await.map_err(StoreError::from)?;
        Ok::<_, StoreError>(s)
    }
    .await;
    copy.close().await;
    Ok(result?)
}

/// Dumps a live PostgreSQL store with `pg_dump` to `dest`, on the snapshot it describes.
pub async fn backup_postgres(
    store: &Store,
    url: &str,
    dest: &Path,
) -> Result<Snapshot, BackupError> {
    if store.backend() != Backend::Postgres {
        return Err(BackupError::Invalid("不是 PostgreSQL 数据库".into()));
    }
    let mut tx = store
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let (snapshot,): (String,) = sqlx::query_as("SELECT pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await?;
    let dump = {
        let url = url.to_string();
        let dest = dest.to_path_buf();
        tokio::task::spawn_blocking(move || {
            run_tool(
                std::process::Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg(format!("--snapshot={snapshot}"))
                    .arg("--no-owner")
                    .arg("--no-privileges")
                    .arg("--file")
                    .arg(&dest)
                    .arg("--dbname")
                    .arg(url),
                "pg_dump",
            )
        })
    };
    // The digests are read while pg_dump copies: both on the exported snapshot.
    let described = describe(&mut tx, Backend::Postgres).await;
    let dumped = dump
        .await
        .map_err(|e| BackupError::Tool(format!("pg_dump 未能运行：{e}")))?;
    tx.rollback().await?;
    dumped?;
    Ok(described?)
}

/// The path of a SQLite URL's file (`sqlite://path?…`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Tables already in the target: a restore writes only into an empty database.
pub async fn ensure_empty(store: &Store) -> Result<(), BackupError> {
    let mut conn = store.pool().acquire().await?;
    let n = tables(&mut conn, store.backend()).await?.len();
    if n > 0 {
        return Err(BackupError::TargetNotEmpty(n));
    }
    Ok(())
}

/// Restores a SQLite backup file to the file `url` names, which must not hold any table.
/// Written beside it and renamed, so a crash leaves either nothing or the whole copy.
pub async fn restore_sqlite(backup: &Path, url: &str) -> Result<(), BackupError> {
    let target =
        sqlite_path(url).ok_or_else(|| BackupError::Invalid("SQLite 地址中没有文件路径".into()))?;
    if target.exists() {
        let existing = Store::connect(url).await?;
        let empty = ensure_empty(&existing).await;
        existing.close().await;
        empty?;
    }
    let io = |e: std::io::Error| BackupError::Io(e.to_string());
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let partial = target.with_extension("restoring");
    std::fs::copy(backup, &partial).map_err(io)?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(io)?;
        }
    }
    std::fs::rename(&partial, &target).map_err(io)?;
    Ok(())
}

/// Restores a `pg_dump` file into the (empty) database `url` names, in one transaction.
pub async fn restore_postgres(store: &Store, backup: &Path, url: &str) -> Result<(), BackupError> {
    ensure_empty(store).await?;
    let url = url.to_string();
    let backup = backup.to_path_buf();
    tokio::task::spawn_blocking(move || {
        run_tool(
            std::process::Command::new("pg_restore")
                .arg("--exit-on-error")
                .arg("--single-transaction")
                .arg("--no-owner")
                .arg("--no-privileges")
                .arg("--dbname")
                .arg(url)
                .arg(&backup),
            "pg_restore",
        )
    })
    .await
    .map_err(|e| BackupError::Tool(format!("pg_restore 未能运行：{e}")))?
}

/// Describes a store as it is now (after a restore).
pub async fn describe_store(store: &Store) -> Result<Snapshot, BackupError> {
    let mut tx = store.begin_read().await?;
    let s = describe(&mut tx, store.backend()).await?;
    tx.rollback().await?;
    Ok(s)
}

fn run_tool(cmd: &mut std::process::Command, name: &str) -> Result<(), BackupError> {
    let out = cmd.output().map_err(|e| {
        BackupError::Tool(format!(
            "找不到 {name}（{e}）：请安装与数据库服务器主版本相同的 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"
        ))
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool(format!(
            "{name} 失败（{}）：{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_digest_ignores_order_and_counts_duplicates() {
        let mut a = [0u64; 4];
        let mut b = [0u64; 4];
        for r in ["1,'x'", "2,'y'", "2,'y'"] {
            add_row(&mut a, r);
        }
        for r in ["2,'y'", "1,'x'", "2,'y'"] {
            add_row(&mut b, r);
        }
        assert_eq!(a, b);
        let mut c = [0u64; 4];
        for r in ["2,'y'", "1,'x'"] {
            add_row(&mut c, r);
        }
        assert_ne!(a, c, "a row lost must change the digest");
    }

    #[test]
    fn sqlite_paths_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://yibao-data/yibao.db?mode=rwc"),
            Some(PathBuf::from("yibao-data/yibao.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/a.db"),
            Some(PathBuf::from("/tmp/a.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
