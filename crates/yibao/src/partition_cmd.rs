//! `yibao partition list|ensure|detach`: the settlement ledger's monthly partitions on
//! PostgreSQL (migration 0042, docs/adr/0014-partitioned-ledger.md, docs/operations.md).

use yibao_store::{partition, Backend, StoreError};

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
                "SQLite 的结算台账为单表，不分区 / the SQLite ledger is one table, not partitioned"
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
                    "{:<22} {:>12} {:>10}  bound",
                    "partition", "rows (est.)", "MB"
                );
                for p in parts {
                    println!(
                        "{:<22} {:>12} {:>10.1}  {}",
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
            PartitionCommand::Detach { month, .. } => {
                if partition::parse_month(&month).is_none() || month >= current {
                    return Err(crate::CliError::Other(format!(
                        "只能分离本月（{current}）以前的月份，格式 YYYY-MM / only a month before \
                         the current one ({current}) can be detached, as YYYY-MM: {month}"
                    )));
                }
                let mut tx = store.begin().await?;
                let name = partition::detach(&mut tx, &month, &current).await?;
                tx.commit().await.map_err(StoreError::from)?;
                println!(
                    "已分离 {month}：表 {name} 仍在库中，可归档（pg_dump -t {name}）后删除 \
                     / detached {month}: table {name} stays until archived (pg_dump -t {name}) and dropped"
                );
            }
        }
        store.close().await;
        Ok(())
    })
}
