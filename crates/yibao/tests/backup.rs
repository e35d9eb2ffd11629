//! `yibao backup` and `yibao restore` as an operator runs them, on SQLite and PostgreSQL: a backup
//! taken while the database is being written restores into an empty database with every table
//! equal and the audit chain intact up to the backup's head; a damaged copy, a non-empty target
//! and a copy that does not match its manifest are each refused or reported.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sqlx::Connection;
use yibao_store::test_support::{postgres_admin_url, TestDb};
use yibao_store::Backend;

const BIN: &str = env!("CARGO_BIN_EXE_yibao");

fn yibao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("YIBAO_DATABASE_URL")
        .output()
        .expect("run yibao");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "yibao_backup_{}_{}_{name}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// An empty target database (no schema at all): a file path on SQLite, a new database on
/// PostgreSQL.
struct Target {
    url: String,
    drop: Option<(String, String)>,
}

async fn empty_target(backend: Backend, dir: &Path, n: usize) -> Target {
    match backend {
        Backend::Sqlite => {
            std::fs::create_dir_all(dir).unwrap();
            Target {
                url: format!("sqlite://{}", dir.join(format!("restored{n}.db")).display()),
                drop: None,
            }
        }
        Backend::Postgres => {
            let admin = postgres_admin_url();
            let name = format!(
                "yibao_restore_{}_{}_{n}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_micros() % 1_000_000_000)
                    .unwrap_or(0)
            );
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let (base, query) = match admin.split_once('?') {
                Some((b, q)) => (b.to_string(), format!("?{q}")),
                None => (admin.clone(), String::new()),
            };
            let (server, _) = base.rsplit_once('/').unwrap();
            Target {
                url: format!("{server}/{name}{query}"),
                drop: Some((admin, name)),
            }
        }
    }
}

impl Target {
    async fn cleanup(self) {
        if let Some((admin, name)) = self.drop {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

async fn walk(backend: Backend) {
    let db = TestDb::new(backend).await.unwrap();
    let (code, out, err) = yibao(&["demo", "--database-url", &db.url]);
    assert_eq!(code, 0, "{out}{err}");
    let dir = scratch(backend.name());

    // Writes go on while the backup runs: the copy and its digests must be one snapshot.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let store = db.store.clone();
        let writing = writing.clone();
        tokio::spawn(async move {
            let mut i = 0u64;
            while writing.load(Ordering::Relaxed) {
                let mut tx = store.begin().await.unwrap();
                yibao_store::meta::set(&mut tx, &format!("backup_test_{i}"), "x", "2026-12-04")
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                i += 1;
            }
            i
        })
    };
    let backup_dir = dir.join("b1");
    let (code, out, err) = {
        let b = backup_dir.display().to_string();
        let url = db.url.clone();
        tokio::task::spawn_blocking(move || yibao(&["backup", "--to", &b, "--database-url", &url]))
            .await
            .unwrap()
    };
    writing.store(false, Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已备份"), "{out}");
    assert!(written > 0, "the writer ran during the backup");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup_dir.join("manifest.json")).unwrap()).unwrap();
    let tables = manifest["tables"].as_array().unwrap();
    assert!(tables.len() > 50, "every table is listed: {}", tables.len());
    for t in [
        "person",
        "case_file",
        "audit_log",
        "settlement",
        "_sqlx_migrations",
    ] {
        assert!(
            tables.iter().any(|x| x["table"] == t),
            "{t} missing from the manifest"
        );
    }
    assert!(manifest["audit_head_seq"].as_i64().unwrap() > 0);

    // A second backup into the same folder is refused (it would overwrite the first).
    let (code, _, err) = yibao(&[
        "backup",
        "--to",
        &backup_dir.display().to_string(),
        "--database-url",
        &db.url,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("不是空目录"), "{err}");

    // Restore into an empty database: every table equal, the chain intact up to the head.
    let target = empty_target(backend, &dir, 1).await;
    let b = backup_dir.display().to_string();
    let (code, out, err) = yibao(&["restore", "--from", &b, "--database-url", &target.url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("逐表一致") && out.contains("审计链完整"),
        "{out}"
    );

    // The restored database serves as the original: `audit verify` agrees with the head.
    let head = format!(
        "{}:{}",
        manifest["audit_head_seq"],
        manifest["audit_head_hash"].as_str().unwrap()
    );
    let (code, out, err) = yibao(&[
        "audit",
        "verify",
        "--expect-head",
        &head,
        "--database-url",
        &target.url,
    ]);
    assert_eq!(code, 0, "{out}{err}");

    // A target that already holds tables is refused, whatever it holds.
    let (code, _, err) = yibao(&["restore", "--from", &b, "--database-url", &target.url]);
    assert_eq!(code, 2);
    assert!(err.contains("不是空库"), "{err}");
    target.cleanup().await;

    // A manifest that does not match the copy (a table's rows, the audit head) is reported.
    let mut edited = manifest.clone();
    let t = edited["tables"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["table"] == "person")
        .unwrap();
    t["rows"] = serde_json::json!(t["rows"].as_i64().unwrap() + 1);
    edited["audit_head_seq"] = serde_json::json!(manifest["audit_head_seq"].as_i64().unwrap() + 5);
    std::fs::write(
        backup_dir.join("manifest.json"),
        serde_json::to_vec(&edited).unwrap(),
    )
    .unwrap();
    let target = empty_target(backend, &dir, 2).await;
    let (code, out, err) = yibao(&["restore", "--from", &b, "--database-url", &target.url]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("表 person：备份"), "{out}");
    assert!(out.contains("审计链校验失败"), "{out}");
    target.cleanup().await;

    // A damaged copy is refused before anything is written.
    let file = backup_dir.join(manifest["file"].as_str().unwrap());
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&file, bytes).unwrap();
    let target = empty_target(backend, &dir, 3).await;
    let (code, _, err) = yibao(&["restore", "--from", &b, "--database-url", &target.url]);
    assert_eq!(code, 2);
    assert!(err.contains("校验值不符"), "{err}");
    if backend == Backend::Sqlite {
        assert!(!dir.join("restored3.db").exists(), "nothing written");
    }
    target.cleanup().await;

    // A backup restores only into the same kind of database.
    let other = match backend {
        Backend::Sqlite => postgres_admin_url(),
        Backend::Postgres => format!("sqlite://{}", dir.join("x.db").display()),
    };
    let (code, _, err) = yibao(&["restore", "--from", &b, "--database-url", &other]);
    assert_eq!(code, 2);
    assert!(err.contains("不能恢复到"), "{err}");

    let _ = std::fs::remove_dir_all(&dir);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_on_sqlite() {
    walk(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_on_postgres() {
    walk(Backend::Postgres).await;
}
