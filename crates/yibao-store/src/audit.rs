//! The audit chain (审计日志): append-only rows, each hashing its predecessor. The hash itself is
//! computed by the service layer. The main chain (`chain = ''`) appends under a lock on its head
//! row; a settlement chain (one per person and year) appends under the accumulator row lock its
//! settlement already holds, and is anchored in the main chain by periodic seals.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::search::{Found, Window};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    /// '' for the main chain; otherwise the name of a settlement chain.
    pub chain: String,
    pub seq: i64,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: i64,
    pub actor_label: String,
    pub agency_id: Option<i64>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub before_sha256: String,
    pub after_sha256: String,
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLS: &str =
    "chain, seq, at, actor_kind, actor_id, actor_label, agency_id, action, target_kind, \
                    target_id, before_sha256, after_sha256, summary, prev_hash, hash";

/// Takes the head of the chain for this transaction: returns the next sequence number and the
/// hash of the last entry. The row stays locked until the transaction ends, so appends are
/// serialised (PostgreSQL row lock; SQLite's single writer).
pub async fn lock_head(conn: &mut AnyConnection) -> Result<(i64, String), StoreError> {
    let row: (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(conn)
            .await?;
    Ok(row)
}

/// Appends an entry; on the main chain also moves its head row (locked by `lock_head`).
pub async fn append(conn: &mut AnyConnection, row: &AuditRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (chain, seq, at, actor_kind, actor_id, actor_label, agency_id, \
         action, target_kind, target_id, before_sha256, after_sha256, summary, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&row.chain)
    .bind(row.seq)
    .bind(&row.at)
    .bind(&row.actor_kind)
    .bind(row.actor_id)
    .bind(&row.actor_label)
    .bind(row.agency_id)
    .bind(&row.action)
    .bind(&row.target_kind)
    .bind(&row.target_id)
    .bind(&row.before_sha256)
    .bind(&row.after_sha256)
    .bind(&row.summary)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *conn)
    .await?;
    if !row.chain.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&row.hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The head as recorded: (last sequence number, last hash).
pub async fn head(conn: &mut AnyConnection) -> Result<(i64, String), StoreError> {
    Ok(
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(conn)
            .await?,
    )
}

/// A page of the main chain in order, from `after_seq` (exclusive).
pub async fn page(
    conn: &mut AnyConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM audit_log WHERE chain = '' AND seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// A page of the main chain's seal entries in order, from `after_seq` (exclusive).
pub async fn seal_entries(
    conn: &mut AnyConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM audit_log WHERE chain = '' AND action = $1 AND seq > $2 \
         ORDER BY seq LIMIT $3"
    ))
    .bind(SEAL_ACTION)
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The action of the main-chain entries that seal the other chains.
pub const SEAL_ACTION: &str = "audit.seal";

/// A page of every chain but the main one, ordered by chain and sequence number, after the
/// position `(chain, seq)` (exclusive).
pub async fn chains_page(
    conn: &mut AnyConnection,
    after: (&str, i64),
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM audit_log WHERE chain <> '' \
         AND (chain > $1 OR (chain = $1 AND seq > $2)) ORDER BY chain, seq LIMIT $3"
    ))
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// One chain's head as a seal recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SealItem {
    pub seal_seq: i64,
    pub chain: String,
    pub seq: i64,
    pub hash: String,
}

/// The heads of the chains that grew since they were last sealed, by chain name, at most `limit`.
pub async fn unsealed_heads(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<(String, i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.chain, a.seq, a.hash FROM audit_log a WHERE a.sealed = 0 AND a.chain <> '' \
         AND a.seq = (SELECT MAX(b.seq) FROM audit_log b WHERE b.chain = a.chain) \
         ORDER BY a.chain LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Records a seal's items and marks every entry they cover (up to each head) as sealed by it.
pub async fn insert_seal(conn: &mut AnyConnection, items: &[SealItem]) -> Result<(), StoreError> {
    let Some(seal_seq) = items.first().map(|i| i.seal_seq) else {
        return Ok(());
    };
    for i in items {
        sqlx::query(
            "INSERT INTO audit_seal_item (seal_seq, chain, seq, hash) VALUES ($1, $2, $3, $4)",
        )
        .bind(i.seal_seq)
        .bind(&i.chain)
        .bind(i.seq)
        .bind(&i.hash)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE audit_log SET sealed = $1 WHERE sealed = 0 AND chain <> '' AND seq <= \
         (SELECT i.seq FROM audit_seal_item i WHERE i.seal_seq = $1 AND i.chain = audit_log.chain)",
    )
    .bind(seal_seq)
    .execute(conn)
    .await?;
    Ok(())
}

/// Seal items ordered by seal, then chain, after `(seal_seq, chain)` (exclusive).
pub async fn seal_items_by_seal(
    conn: &mut AnyConnection,
    after: (i64, &str),
    limit: i64,
) -> Result<Vec<SealItem>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seal_seq, chain, seq, hash FROM audit_seal_item \
         WHERE seal_seq > $1 OR (seal_seq = $1 AND chain > $2) ORDER BY seal_seq, chain LIMIT $3",
    )
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Seal items ordered by chain, then sequence number, after `(chain, seq)` (exclusive).
pub async fn seal_items_by_chain(
    conn: &mut AnyConnection,
    after: (&str, i64),
    limit: i64,
) -> Result<Vec<SealItem>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seal_seq, chain, seq, hash FROM audit_seal_item \
         WHERE chain > $1 OR (chain = $1 AND seq > $2) ORDER BY chain, seq LIMIT $3",
    )
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Entries not yet covered by a seal (what a deleted tail could still hide).
pub async fn unsealed_count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE sealed = 0 AND chain <> ''")
            .fetch_one(conn)
            .await?;
    Ok(n)
}

/// Search filters; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub actor_label: String,
    pub from: String,
    pub to: String,
}

/// Newest first, one window of the rows matching (only one agency's when `agency` is given) and
/// the count of all.
pub async fn search(
    conn: &mut AnyConnection,
    f: &AuditFilter,
    agency: Option<i64>,
    w: Window,
) -> Result<Found<AuditRow>, StoreError> {
    let filter = "($1 = '' OR action = $1) AND ($2 = '' OR target_kind = $2) \
         AND ($3 = '' OR target_id = $3) AND ($4 = '' OR actor_label = $4) \
         AND ($5 = '' OR at >= $5) AND ($6 = '' OR at < $6) \
         AND ($7 < 0 OR agency_id = $7)";
    let agency = agency.unwrap_or(-1);
    let (total,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM audit_log WHERE {filter}"))
            .bind(&f.action)
            .bind(&f.target_kind)
            .bind(&f.target_id)
            .bind(&f.actor_label)
            .bind(&f.from)
            .bind(&f.to)
            .bind(agency)
            .fetch_one(&mut *conn)
            .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT {COLS} FROM audit_log WHERE {filter} \
         ORDER BY at DESC, chain, seq DESC LIMIT $8 OFFSET $9"
    ))
    .bind(&f.action)
    .bind(&f.target_kind)
    .bind(&f.target_id)
    .bind(&f.actor_label)
    .bind(&f.from)
    .bind(&f.to)
    .bind(agency)
    .bind(w.limit)
    .bind(w.offset)
    .fetch_all(conn)
    .await?;
    Ok(Found { rows, total })
}
