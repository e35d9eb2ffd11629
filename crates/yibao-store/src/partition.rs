//! The monthly partitions on PostgreSQL: the settlement ledger (migration 0042,
//! docs/adr/0014-partitioned-ledger.md) and the case tables (migration 0050,
//! docs/adr/0015-partitioned-cases.md). Listing them, creating a month's partitions ahead of time
//! (moving any of its rows out of the default partitions), and detaching an old month so that it
//! can be archived and dropped. SQLite keeps one table each: there, `list` and `ensure` find
//! nothing to do.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

/// The partitioned ledger.
pub const LEDGER: &str = "settlement";

/// Tables partitioned by one month that are created and detached together: a parent and the
/// tables whose rows belong to its rows (each naming its parent row with the month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `settlement`, partitioned by its ledger month.
    Ledger,
    /// `case_file` and its children, partitioned by the case's month.
    Cases,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::Ledger, Family::Cases];

    /// The tables and their partition key columns, the parent first.
    pub fn tables(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Family::Ledger => &[(LEDGER, "month")],
            Family::Cases => &[
                ("case_file", "month"),
                ("case_event", "case_month"),
                ("case_material", "case_month"),
                ("case_notice", "case_month"),
                ("case_pause", "case_month"),
                ("case_evaluation", "case_month"),
            ],
        }
    }

    /// Its name on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Family::Ledger => "ledger",
            Family::Cases => "cases",
        }
    }

    pub fn parse(key: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.key() == key)
    }

    fn parent(self) -> &'static str {
        self.tables()[0].0
    }
}

/// One partition of a partitioned table.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Partition {
    /// The partitioned table it belongs to (`settlement`, `case_event`).
    pub table: String,
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

/// The ledger's partition of a month.
pub fn partition_name(month: &str) -> Option<String> {
    partition_of(LEDGER, month)
}

/// The partition's table name of `table` for a month (`case_event_2026_11`).
pub fn partition_of(table: &str, month: &str) -> Option<String> {
    parse_month(month).map(|(y, m)| format!("{table}_{y:04}_{m:02}"))
}

fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

fn bad_month(month: &str) -> StoreError {
    StoreError::Corrupt(format!("not a month (YYYY-MM): {month:?}"))
}

/// Every partitioned table's partitions: by family and table as `Family::tables` lists them,
/// oldest month first and the default partition last.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Partition>, StoreError> {
    if !is_postgres(conn) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for family in Family::ALL {
        for (table, _) in family.tables() {
            let parts: Vec<Partition> = sqlx::query_as(
                "SELECT $1::text AS table, c.relname::text AS name, \
                 pg_get_expr(c.relpartbound, c.oid)::text AS bound, \
                 c.reltuples::int8 AS rows_estimate, pg_total_relation_size(c.oid)::int8 AS bytes \
                 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 WHERE i.inhparent = $1::regclass \
                 ORDER BY pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.relname",
            )
            .bind(*table)
            .fetch_all(&mut *conn)
            .await?;
            out.extend(parts);
        }
    }
    Ok(out)
}

async fn has_partition(
    conn: &mut AnyConnection,
    table: &str,
    name: &str,
) -> Result<bool, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = $1::regclass AND c.relname = $2",
    )
    .bind(table)
    .bind(name)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Creates the partitions of `month` that do not exist yet, for every family; returns whether it
/// created any. Rows of that month already in a default partition (written while the month had
/// no partition) are moved into the new one in the same transaction, with their ids; their keys
/// (`settlement_request`, `case_key`) stay as they are. Takes brief exclusive locks on the
/// tables: run it ahead of the month (the jobs loop keeps three months ahead), not in a busy
/// hour. Nothing to do on SQLite.
pub async fn ensure(conn: &mut AnyConnection, month: &str) -> Result<bool, StoreError> {
    if !is_postgres(conn) {
        return Ok(false);
    }
    let next = add_months(month, 1).ok_or_else(|| bad_month(month))?;
    let mut created = false;
    for family in Family::ALL {
        let mut missing = Vec::new();
        for &(table, key) in family.tables() {
            let name = partition_of(table, month).ok_or_else(|| bad_month(month))?;
            if !has_partition(conn, table, &name).await? {
                missing.push((table, key, name));
            }
        }
        // The month and the names are checked above (digits only): safe to format into DDL.
        for (table, key, _) in &missing {
            sqlx::query(&format!(
                "CREATE TEMPORARY TABLE {table}_moving ON COMMIT DROP AS \
                 SELECT * FROM {table}_default WHERE {key} = '{month}'"
            ))
            .execute(&mut *conn)
            .await?;
            sqlx::query(&format!(
                "DELETE FROM {table}_default WHERE {key} = '{month}'"
            ))
            .execute(&mut *conn)
            .await?;
        }
        for (table, _, name) in &missing {
            sqlx::query(&format!(
                "CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ('{month}') TO ('{next}')"
            ))
            .execute(&mut *conn)
            .await?;
        }
        for (table, _, _) in &missing {
            sqlx::query(&format!("INSERT INTO {table} SELECT * FROM {table}_moving"))
                .execute(&mut *conn)
                .await?;
            sqlx::query(&format!("DROP TABLE {table}_moving"))
                .execute(&mut *conn)
                .await?;
        }
        created |= !missing.is_empty();
    }
    Ok(created)
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

/// Detaches `month`'s partitions of a family: their rows leave every query and stay in the
/// standalone tables (`settlement_YYYY_MM`; `case_file_YYYY_MM` with `case_event_YYYY_MM` …)
/// until an operator archives (`pg_dump -t`) and drops them, or attaches them again (the parent
/// first). Months from `current` (the present Beijing month) on are refused.
///
/// - Ledger: the idempotency keys of its settlements stay in `settlement_request`: a late retry
///   of an archived request is refused as a duplicate, never settled a second time.
/// - Cases: refused while any case of the month is not in a final state (cases stay open across
///   months). The children's partitions go first, then the month's `case_file` partition. Their
///   ids stay in `case_key`, which the children's foreign keys reference (no foreign key
///   references `case_file` itself, so detaching it checks no other table).
///
/// Returns the detached tables' names, the parent's last; `StoreError::Conflict` when the month
/// has no partition of the parent or may not be detached.
pub async fn detach(
    conn: &mut AnyConnection,
    family: Family,
    month: &str,
    current: &str,
) -> Result<Vec<String>, StoreError> {
    let parent = family.parent();
    let parent_part = partition_of(parent, month).ok_or_else(|| bad_month(month))?;
    parse_month(current).ok_or_else(|| bad_month(current))?;
    if month >= current {
        return Err(StoreError::Conflict(format!(
            "month {month} is not past (current month {current})"
        )));
    }
    if !has_partition(conn, parent, &parent_part).await? {
        return Err(StoreError::Conflict(format!(
            "no attached partition {parent_part}"
        )));
    }
    if family == Family::Cases {
        // Writers of the month's cases finish first and no new one starts: the count below is
        // then the month's last word until the partitions are gone.
        sqlx::query(&format!("LOCK TABLE {parent_part} IN SHARE MODE"))
            .execute(&mut *conn)
            .await?;
        let open = crate::cases::count_open_in_month(conn, month).await?;
        if open > 0 {
            return Err(StoreError::Conflict(format!(
                "month {month} still has {open} case(s) not completed, refused or withdrawn"
            )));
        }
    }
    let mut detached = Vec::new();
    for &(table, _) in family.tables().iter().skip(1) {
        let name = partition_of(table, month).ok_or_else(|| bad_month(month))?;
        if !has_partition(conn, table, &name).await? {
            continue;
        }
        sqlx::query(&format!("ALTER TABLE {table} DETACH PARTITION {name}"))
            .execute(&mut *conn)
            .await?;
        detached.push(name);
    }
    sqlx::query(&format!(
        "ALTER TABLE {parent} DETACH PARTITION {parent_part}"
    ))
    .execute(&mut *conn)
    .await?;
    detached.push(parent_part);
    Ok(detached)
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
        assert_eq!(
            partition_of("case_event", "2027-01").as_deref(),
            Some("case_event_2027_01")
        );
        for f in Family::ALL {
            assert_eq!(Family::parse(f.key()), Some(f));
        }
        assert_eq!(Family::parse("case"), None);
    }
}
