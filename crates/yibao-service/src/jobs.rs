//! The work `yibao serve` does on a timer rather than on a request. With several processes on
//! one database each job runs in one process per turn: the one that takes the job's lock
//! (`yibao_store::leader`, docs/adr/0011-several-processes.md); the others skip the turn.
//! Every job is also safe to repeat, so a turn cut off by a crash or a failover is simply
//! done again.

use serde::Serialize;
use yibao_store::{identity as store, leader, partition, StoreError};

use crate::identity::Actor;
use crate::{audit, ServiceError, Services};

/// Lock names, one per job (a future job takes its own, e.g. the federation outbox's delivery).
pub const AUDIT_SEAL: &str = "yibao:audit-seal";
pub const LOGIN_HOUSEKEEPING: &str = "yibao:login-housekeeping";
/// Kept under its first name (the ledger's) now that it also covers the case tables: processes
/// of the previous release take the same lock during a rolling upgrade.
pub const LEDGER_PARTITIONS: &str = "yibao:ledger-partitions";

/// Months past the current one that have their ledger and case partitions ready (PostgreSQL).
pub const PARTITIONS_AHEAD: u32 = 3;

/// What one turn did; `None` for a job another process was running.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Turn {
    pub sealed: Option<audit::SealReport>,
    pub sources_forgotten: Option<u64>,
    /// Months whose ledger or case partitions were created this turn (`YYYY-MM`).
    pub partitions_created: Option<Vec<String>>,
}

fn sealer() -> Actor {
    Actor::System {
        label: "system:audit-sealer".into(),
    }
}

/// Seals the settlement chains into the main chain (ADR 0006), unless another process is.
pub async fn seal(services: &Services) -> Result<Option<audit::SealReport>, ServiceError> {
    let actor = sealer();
    leader::run_exclusive(services.store(), AUDIT_SEAL, || {
        audit::seal(services, &actor)
    })
    .await?
    .transpose()
}

/// Forgets the login sources whose failures have drained, unless another process is.
pub async fn forget_drained_sources(services: &Services) -> Result<Option<u64>, ServiceError> {
    let now_ms = services.clock().now().timestamp_millis();
    leader::run_exclusive(services.store(), LOGIN_HOUSEKEEPING, || async {
        let mut tx = services.store().begin().await?;
        let n = store::forget_drained_sources(&mut tx, now_ms).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok::<u64, ServiceError>(n)
    })
    .await?
    .transpose()
}

/// The current month by Beijing time (`YYYY-MM`), the month a settlement made now is filed under.
pub fn current_month(services: &Services) -> String {
    services
        .clock()
        .now()
        .with_timezone(&crate::clock::beijing())
        .format("%Y-%m")
        .to_string()
}

/// Makes sure the settlement ledger and the case tables have their partitions for the current
/// month and the `PARTITIONS_AHEAD` after it (PostgreSQL; migrations 0042 and 0050), unless
/// another process is doing it.
/// Cheap when they exist (one catalog read per month); returns the months created.
pub async fn ensure_partitions(services: &Services) -> Result<Option<Vec<String>>, ServiceError> {
    let month = current_month(services);
    leader::run_exclusive(services.store(), LEDGER_PARTITIONS, || async {
        let mut tx = services.store().begin().await?;
        let created = partition::ensure_ahead(&mut tx, &month, PARTITIONS_AHEAD).await?;
        tx.commit().await.map_err(StoreError::from)?;
        if !created.is_empty() {
            tracing::info!(months = ?created, "ledger and case partitions created");
        }
        Ok::<Vec<String>, ServiceError>(created)
    })
    .await?
    .transpose()
}

/// One turn of every job. A job that fails is logged and tried again next turn; the others
/// still run.
pub async fn turn(services: &Services) -> Turn {
    let mut t = Turn::default();
    match seal(services).await {
        Ok(r) => t.sealed = r,
        Err(e) => tracing::error!(error = %e, "audit seal failed; retrying next turn"),
    }
    match forget_drained_sources(services).await {
        Ok(n) => t.sources_forgotten = n,
        Err(e) => tracing::error!(error = %e, "login housekeeping failed; retrying next turn"),
    }
    match ensure_partitions(services).await {
        Ok(m) => t.partitions_created = m,
        Err(e) => {
            tracing::error!(error = %e, "ledger and case partitions failed; retrying next turn")
        }
    }
    t
}
