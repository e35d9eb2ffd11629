//! The settlement ledger's monthly partitions on PostgreSQL (migration 0042,
//! docs/adr/0014-partitioned-ledger.md): listing them, creating a month's partition ahead of
//! time (moving any of its rows out of the default partition), and detaching an old month so
//! that it can be archived and dropped. SQLite keeps one table: there, `list` and `ensure` find
//! nothing to do.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

/// The partitioned table.
pub const LEDGER: &str = "settlement";

/// One partition of the ledger.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Partition {
    /// The partition's table name (`settlement_2026_11`, `settlement_default`).
    pub name: String,
    /// Its bound as PostgreSQL prints it (`FOR VALUES FROM ('2026-11') TO ('2026-12')`, `DEFAULT`).
    pub bound: String,
    /// The planner's row estimate (`reltuples`; -1 before the first ANALYZE or VACUUM).
    pub rows_estimate: i64,
    /// Its size on disk with indexes and TOAST.
    pub bytes: i64,
}

/// A month `YYYY-MM` (year 2000–2999) as (year, month), or `None`.
pub fn parse_month(month: &str) -> Option<(i32, u32)> {
    let (y, m) = month.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    ((2000..=2999).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

/// The month `n` months after `month` (`YYYY-MM`).
pub fn add_months(month: &str, n: u32) -> Option<String> {
    let (y, m) = parse_month(month)?;
    let index = y * 12 + (m as i32 - 1) + n as i32;
    Some(format!("{:04}-{:02}", index / 12, index % 12 + 1))
}

/// The partition's table name of a month.
pub fn partition_name(month: &str) -> Option<String> {
    parse_month(month).map(|(y, m)| format!("{LEDGER}_{y:04}_{m:02}"))
}

fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

fn bad_month(month: &str) -> StoreError {
    StoreError::Corrupt(format!("not a month (YYYY-MM): {month:?}"))
}

/// The ledger's partitions, oldest month first and the default partition last.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Partition>, StoreError> {
    if !is_postgres(conn) {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(
        "SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid)::text AS bound, \
         c.reltuples::int8 AS rows_estimate, pg_total_relation_size(c.oid)::int8 AS bytes \
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'settlement'::regclass \
         ORDER BY pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.relname",
    )
    .fetch_all(conn)
    .await?)
}

async fn has_partition(conn: &mut AnyConnection, name: &str) -> Result<bool, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'settlement'::regclass AND c.relname = $1",
    )
    .bind(name)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Creates the partition of `month` unless it exists; returns whether it did. Rows of that month
/// already in the default partition (settled while the month had no partition) are moved into
/// it in the same transaction, with their ids (their idempotency keys stay as they are). Takes a
/// brief exclusive lock on the ledger: run it ahead of the month (the jobs loop keeps three
/// months ahead), not in a busy hour. Nothing to do on SQLite.
pub async fn ensure(conn: &mut AnyConnection, month: &str) -> Result<bool, StoreError> {
    if !is_postgres(conn) {
        return Ok(false);
    }
    let name = partition_name(month).ok_or_else(|| bad_month(month))?;
    let next = add_months(month, 1).ok_or_else(|| bad_month(month))?;
    if has_partition(conn, &name).await? {
        return Ok(false);
    }
    // The month and the names are checked above (digits only): safe to format into DDL.
    sqlx::query(&format!(
        "CREATE TEMPORARY TABLE settlement_moving ON COMMIT DROP AS \
         SELECT * FROM {LEDGER}_default WHERE month = '{month}'"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "DELETE FROM {LEDGER}_default WHERE month = '{month}'"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "CREATE TABLE {name} PARTITION OF {LEDGER} FOR VALUES FROM ('{month}') TO ('{next}')"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO {LEDGER} SELECT * FROM settlement_moving"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query("DROP TABLE settlement_moving")
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Makes sure `from` and the `ahead` months after it have partitions; returns the months created.
pub async fn ensure_ahead(
    conn: &mut AnyConnection,
    from: &str,
    ahead: u32,
) -> Result<Vec<String>, StoreError> {
    let mut created = Vec::new();
    if !is_postgres(conn) {
        return Ok(created);
    }
    for n in 0..=ahead {
        let month = add_months(from, n).ok_or_else(|| bad_month(from))?;
        if ensure(conn, &month).await? {
            created.push(month);
        }
    }
    Ok(created)
}

/// Detaches `month`'s partition from the ledger: its rows leave every query of `settlement` and
/// stay in the standalone table `settlement_YYYY_MM` until an operator archives (`pg_dump -t`)
/// and drops it, or attaches it again. Months from `current` (the present Beijing month) on are
/// refused. The idempotency keys of its settlements stay in `settlement_request`: a late retry of
/// an archived request is refused as a duplicate, never settled a second time. Returns the
/// detached table's name; `StoreError::Conflict` when the month has no partition.
pub async fn detach(
    conn: &mut AnyConnection,
    month: &str,
    current: &str,
) -> Result<String, StoreError> {
    let name = partition_name(month).ok_or_else(|| bad_month(month))?;
    parse_month(current).ok_or_else(|| bad_month(current))?;
    if month >= current {
        return Err(StoreError::Conflict(format!(
            "month {month} is not past (current month {current})"
        )));
    }
    if !has_partition(conn, &name).await? {
        return Err(StoreError::Conflict(format!(
            "no attached partition {name}"
        )));
    }
    sqlx::query(&format!("ALTER TABLE {LEDGER} DETACH PARTITION {name}"))
        .execute(&mut *conn)
        .await?;
    Ok(name)
}

/// The whole database's size on disk (PostgreSQL; 0 on SQLite).
pub async fn database_bytes(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    if !is_postgres(conn) {
        return Ok(0);
    }
    let (b,): (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())::int8")
        .fetch_one(conn)
        .await?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_add() {
        assert_eq!(parse_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("2026-1"), None);
        assert_eq!(parse_month("26-11"), None);
        assert_eq!(parse_month("2026-1'"), None);
        assert_eq!(parse_month(""), None);
        assert_eq!(add_months("2026-11", 0).as_deref(), Some("2026-11"));
        assert_eq!(add_months("2026-11", 2).as_deref(), Some("2027-01"));
        assert_eq!(add_months("2026-12", 13).as_deref(), Some("2028-01"));
        assert_eq!(
            partition_name("2027-01").as_deref(),
            Some("settlement_2027_01")
        );
    }
}
