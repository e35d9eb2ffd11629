//! `yibao backup --to DIR` and `yibao restore --from DIR` (docs/operations.md).
//!
//! A backup is a folder: the copy (`yibao.sqlite` or `yibao.pgdump`) and `manifest.json` with the
//! copy's SHA-256, the schema version, every table's row count and digest, and the audit chain's
//! head, all of the one snapshot the copy holds. A restore checks the file against the manifest,
//! writes only into an empty database, then compares every table and walks the audit chain up
//! to the recorded head.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use yibao_service::{Services, SystemClock};
use yibao_store::backup::{self, BackupError, TableDigest};
use yibao_store::{Backend, Store};

use crate::config::Config;
use crate::{load_catalog, logging, CliError};

const FORMAT: &str = "yibao-backup";
const VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    backend: String,
    created_at: String,
    file: String,
    file_sha256: String,
    schema_version: i64,
    audit_head_seq: i64,
    audit_head_hash: String,
    tables: Vec<TableDigest>,
}

impl From<BackupError> for CliError {
    fn from(e: BackupError) -> CliError {
        CliError::Other(format!("{e}（{}）", e.code()))
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| {
        CliError::Other(format!(
            "文件读写失败 / file error: {}: {e}",
            path.display()
        ))
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(e.to_string()))
}

fn file_sha256(path: &Path) -> Result<String, CliError> {
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Writes `bytes` to `path` durably: a crash leaves the old file or the whole new one.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let partial = path.with_extension("partial");
    let mut f = std::fs::File::create(&partial).map_err(io(&partial))?;
    f.write_all(bytes).map_err(io(&partial))?;
    f.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, path).map_err(io(path))
}

pub fn backup(mut config: Config, to: PathBuf, database_url: Option<String>) -> ExitCode {
    if let Some(u) = database_url {
        config.database_url = u;
    }
    logging::init(config.log_format);
    match runtime().and_then(|rt| rt.block_on(run_backup(&config.database_url, &to))) {
        Ok(m) => {
            let rows: i64 = m.tables.iter().map(|t| t.rows).sum();
            println!(
                "已备份 / backed up: {}（{}），{} 张表 {} 行，结构版本 {}，审计链头 {}:{}",
                to.join(&m.file).display(),
                m.backend,
                m.tables.len(),
                rows,
                m.schema_version,
                m.audit_head_seq,
                m.audit_head_hash
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("备份失败 / backup failed: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run_backup(url: &str, to: &Path) -> Result<Manifest, CliError> {
    if to.exists() && std::fs::read_dir(to).map_err(io(to))?.next().is_some() {
        return Err(CliError::Other(format!(
            "备份目录 {} 不是空目录：请指定新目录，以免覆盖已有备份",
            to.display()
        )));
    }
    std::fs::create_dir_all(to).map_err(io(to))?;
    // No migration: a backup copies the database as it is.
    let store = Store::connect(url).await?;
    let (file, snapshot) = match store.backend() {
        Backend::Sqlite => {
            let file = "yibao.sqlite";
            (file, backup::backup_sqlite(&store, &to.join(file)).await)
        }
        Backend::Postgres => {
            let file = "yibao.pgdump";
            (
                file,
                backup::backup_postgres(&store, url, &to.join(file)).await,
            )
        }
    };
    let backend = store.backend();
    store.close().await;
    let snapshot = snapshot?;
    let path = to.join(file);
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        backend: backend.name().into(),
        created_at: chrono::Utc::now().to_rfc3339(),
        file: file.into(),
        file_sha256: file_sha256(&path)?,
        schema_version: snapshot.schema_version,
        audit_head_seq: snapshot.audit_head.0,
        audit_head_hash: snapshot.audit_head.1,
        tables: snapshot.tables,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| CliError::Other(e.to_string()))?;
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(io(&path))?;
    write_durably(&to.join(MANIFEST), &text)?;
    Ok(manifest)
}

/// What a restore found when it compared the restored database with the manifest.
struct Restored {
    tables: usize,
    rows: i64,
    differences: Vec<String>,
    audit: Result<String, String>,
}

pub fn restore(mut config: Config, from: PathBuf, database_url: Option<String>) -> ExitCode {
    if let Some(u) = database_url {
        config.database_url = u;
    }
    logging::init(config.log_format);
    match runtime().and_then(|rt| rt.block_on(run_restore(&config.database_url, &from))) {
        Ok(r) => {
            for d in &r.differences {
                println!("不一致 / differs: {d}");
            }
            match &r.audit {
                Ok(head) => println!("审计链完整，链头与备份时一致 / audit chain intact up to the backup's head {head}"),
                Err(e) => println!("审计链校验失败 / audit chain broken: {e}"),
            }
            if r.differences.is_empty() && r.audit.is_ok() {
                println!(
                    "已恢复 / restored: {} 张表 {} 行与备份逐表一致 / every table equals the backup",
                    r.tables, r.rows
                );
                ExitCode::SUCCESS
            } else {
                println!("恢复后的数据库与备份不一致，请勿启用 / the restored database differs from the backup: do not use it");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("恢复失败 / restore failed: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run_restore(url: &str, from: &Path) -> Result<Restored, CliError> {
    let manifest_path = from.join(MANIFEST);
    let text = std::fs::read(&manifest_path).map_err(io(&manifest_path))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        CliError::Other(format!(
            "{} 不是 yibao 备份清单：{e}",
            manifest_path.display()
        ))
    })?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(CliError::Other(format!(
            "备份格式 {} 版本 {} 不受支持",
            manifest.format, manifest.version
        )));
    }
    let backend = Backend::from_url(url)?;
    if manifest.backend != backend.name() {
        return Err(CliError::Other(format!(
            "备份来自 {}，不能恢复到 {} 数据库",
            manifest.backend,
            backend.name()
        )));
    }
    let known = backup::latest_migration(backend);
    if manifest.schema_version > known {
        return Err(CliError::Other(format!(
            "备份的数据库结构版本 {} 比本程序认识的 {} 新：请用相同或更新版本的 yibao 恢复",
            manifest.schema_version, known
        )));
    }
    let file = from.join(&manifest.file);
    if file_sha256(&file)? != manifest.file_sha256 {
        return Err(CliError::Other(format!(
            "备份文件 {} 与清单中的校验值不符（文件已损坏或被改动），未恢复",
            file.display()
        )));
    }
    match backend {
        Backend::Sqlite => backup::restore_sqlite(&file, url).await?,
        Backend::Postgres => {
            let target = Store::connect(url).await?;
            let r = backup::restore_postgres(&target, &file, url).await;
            target.close().await;
            r?
        }
    }
    let store = Store::connect(url).await?;
    let result = compare(&store, &manifest).await;
    store.close().await;
    result
}

async fn compare(store: &Store, manifest: &Manifest) -> Result<Restored, CliError> {
    let now = backup::describe_store(store).await?;
    let mut differences = Vec::new();
    for want in &manifest.tables {
        match now.tables.iter().find(|t| t.table == want.table) {
            None => differences.push(format!("表 {} 缺失", want.table)),
            Some(got) if got.rows != want.rows => differences.push(format!(
                "表 {}：备份 {} 行，恢复后 {} 行",
                want.table, want.rows, got.rows
            )),
            Some(got) if got.digest != want.digest => differences.push(format!(
                "表 {}：行数相同（{}）但内容不同",
                want.table, got.rows
            )),
            Some(_) => {}
        }
    }
    for extra in now
        .tables
        .iter()
        .filter(|t| !manifest.tables.iter().any(|w| w.table == t.table))
    {
        differences.push(format!("表 {} 不在备份中", extra.table));
    }
    let services = Services::new(store.clone(), Arc::new(SystemClock), load_catalog()?);
    let checkpoint = yibao_service::audit::Checkpoint {
        seq: manifest.audit_head_seq,
        hash: manifest.audit_head_hash.clone(),
    };
    let audit = match yibao_service::audit::verify_against(&services, Some(&checkpoint)).await {
        Ok(r) if r.ok => Ok(format!("{}:{}", r.head_seq, r.head_hash)),
        Ok(r) => Err(r
            .first_problem
            .map(|f| format!("{} #{}: {}", f.chain, f.seq, f.message))
            .unwrap_or_default()),
        Err(e) => Err(e.to_string()),
    };
    Ok(Restored {
        tables: now.tables.len(),
        rows: now.tables.iter().map(|t| t.rows).sum(),
        differences,
        audit,
    })
}
