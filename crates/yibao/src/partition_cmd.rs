//! `yibao partition list|ensure|detach`: the monthly partitions on PostgreSQL of the settlement
//! ledger (migration 0042, docs/adr/0014-partitioned-ledger.md) and of the case tables
//! (migration 0050, docs/adr/0015-partitioned-cases.md); docs/operations.md.

use yibao_store::partition::{self, Family};
use yibao_store::{Backend, StoreError};

use crate::cli::PartitionCommand;
use crate::config::Config;
use crate::{open_services, run_async};

pub fn run(mut config: Config, command: PartitionCommand) -> std::process::ExitCode {
    let url = match &command {
        PartitionCommand::List { database_url }
        | PartitionCommand::Ensure { database_url, .. }
        | PartitionCommand::Detach { database_url, .. } => database_url.clone(),
    };
    if let Some(u) = url {
        config.database_url = u;
    }
    run_async(async move {
        let (store, services) = open_services(&config).await?;
        if store.backend() != Backend::Postgres {
            println!(
                "SQLite 的结算台账与办件各表均为单表，不分区 / on SQLite the ledger and the case \
                 tables are one table each, not partitioned"
            );
            return Ok(());
        }
        let current = yibao_service::jobs::current_month(&services);
        match command {
            PartitionCommand::List { .. } => {
                let mut tx = store.begin().await?;
                let parts = partition::list(&mut tx).await?;
                tx.commit().await.map_err(StoreError::from)?;
                println!(
                    "{:<16} {:<26} {:>12} {:>10}  bound",
                    "table", "partition", "rows (est.)", "MB"
                );
                for p in parts {
                    println!(
                        "{:<16} {:<26} {:>12} {:>10.1}  {}",
                        p.table,
                        p.name,
                        p.rows_estimate,
                        p.bytes as f64 / 1_048_576.0,
                        p.bound
                    );
                }
            }
            PartitionCommand::Ensure { from, ahead, .. } => {
                let from = from.unwrap_or_else(|| current.clone());
                let mut tx = store.begin().await?;
                let created = partition::ensure_ahead(&mut tx, &from, ahead).await?;
                tx.commit().await.map_err(StoreError::from)?;
                if created.is_empty() {
                    println!(
                        "分区均已存在 / every partition from {from} on ({ahead} ahead) exists"
                    );
                } else {
                    println!("已创建 / created: {}", created.join(", "));
                }
            }
            PartitionCommand::Detach { month, only, .. } => {
                if partition::parse_month(&month).is_none() || month >= current {
                    return Err(crate::CliError::Other(format!(
                        "只能分离本月（{current}）以前的月份，格式 YYYY-MM / only a month before \
                         the current one ({current}) can be detached, as YYYY-MM: {month}"
                    )));
                }
                let families: Vec<Family> = match only.as_deref() {
                    None => Family::ALL.to_vec(),
                    Some(key) => vec![Family::parse(key).ok_or_else(|| {
                        crate::CliError::Other(format!(
                            "--only 取 ledger 或 cases / --only takes ledger or cases: {key}"
                        ))
                    })?],
                };
                // One transaction: a month whose cases may not leave yet keeps its ledger too,
                // unless the operator asks for the ledger alone.
                let mut tx = store.begin().await?;
                let mut names = Vec::new();
                for family in families {
                    match partition::detach(&mut tx, family, &month, &current).await {
                        Ok(n) => names.extend(n),
                        Err(StoreError::Conflict(why)) => {
                            return Err(crate::CliError::Other(format!(
                                "未分离任何分区（{}）：{why} / nothing detached ({}): {why}",
                                family.key(),
                                family.key()
                            )));
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                tx.commit().await.map_err(StoreError::from)?;
                let list = names.join(" ");
                let dump = names
                    .iter()
                    .map(|n| format!("-t {n}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                println!(
                    "已分离 {month}：表 {list} 仍在库中，可归档（pg_dump {dump}）后删除 \
                     / detached {month}: tables {list} stay until archived (pg_dump {dump}) and dropped"
                );
            }
        }
        store.close().await;
        Ok(())
    })
}
