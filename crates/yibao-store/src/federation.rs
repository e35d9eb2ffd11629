//! Federation between instances (migration 0031): this installation's region, its peers, the
//! transactional outbox and the inbox keyed by message id. docs/federation.md.

use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentityRow {
    pub region_code: String,
    pub name: String,
    pub updated_at: String,
}

pub async fn identity(conn: &mut AnyConnection) -> Result<Option<IdentityRow>, StoreError> {
    Ok(
        sqlx::query_as(
            "SELECT region_code, name, updated_at FROM federation_identity WHERE id = 1",
        )
        .fetch_optional(conn)
        .await?,
    )
}

pub async fn set_identity(conn: &mut AnyConnection, r: &IdentityRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO federation_identity (id, region_code, name, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET region_code = excluded.region_code, name = excluded.name, \
         updated_at = excluded.updated_at",
    )
    .bind(&r.region_code)
    .bind(&r.name)
    .bind(&r.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeerRow {
    pub id: i64,
    pub name: String,
    /// Region codes the peer serves, comma separated.
    pub region_codes: String,
    pub base_url: String,
    pub public_hex: String,
    pub added_at: String,
    pub added_by: String,
    pub removed_at: Option<String>,
    pub removed_by: Option<String>,
}

impl PeerRow {
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.region_codes.split(',').filter(|s| !s.is_empty())
    }

    pub fn serves(&self, region: &str) -> bool {
        self.regions().any(|r| r == region)
    }
}

const PEER_COLUMNS: &str =
    "id, name, region_codes, base_url, public_hex, added_at, added_by, removed_at, removed_by";

pub async fn insert_peer(conn: &mut AnyConnection, p: &PeerRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO federation_peer (name, region_codes, base_url, public_hex, added_at, added_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&p.name)
    .bind(&p.region_codes)
    .bind(&p.base_url)
    .bind(&p.public_hex)
    .bind(&p.added_at)
    .bind(&p.added_by)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The active peers (not removed), in the order they were added.
pub async fn active_peers(conn: &mut AnyConnection) -> Result<Vec<PeerRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PEER_COLUMNS} FROM federation_peer WHERE removed_at IS NULL ORDER BY id"
    ))
    .fetch_all(conn)
    .await?)
}

/// Every peer ever added, removed ones too (their names stay on what they sent).
pub async fn all_peers(conn: &mut AnyConnection) -> Result<Vec<PeerRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PEER_COLUMNS} FROM federation_peer ORDER BY id"
    ))
    .fetch_all(conn)
    .await?)
}

pub async fn peer(conn: &mut AnyConnection, id: i64) -> Result<Option<PeerRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PEER_COLUMNS} FROM federation_peer WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Marks an active peer removed; false when there was none with that id.
pub async fn remove_peer(
    conn: &mut AnyConnection,
    id: i64,
    at: &str,
    by: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE federation_peer SET removed_at = $2, removed_by = $3 \
         WHERE id = $1 AND removed_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: String,
    pub peer_id: i64,
    pub kind: String,
    pub version: i64,
    pub envelope: String,
    pub signature_hex: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: String,
    pub delivered_at: Option<String>,
}

const OUTBOX_COLUMNS: &str = "id, message_id, peer_id, kind, version, envelope, signature_hex, \
     created_at, attempts, next_attempt_at, last_error, delivered_at";

/// Queues a signed message, in the caller's transaction (the one making the change).
pub async fn enqueue(conn: &mut AnyConnection, m: &OutboxRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO federation_outbox (message_id, peer_id, kind, version, envelope, \
         signature_hex, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&m.message_id)
    .bind(m.peer_id)
    .bind(&m.kind)
    .bind(m.version)
    .bind(&m.envelope)
    .bind(&m.signature_hex)
    .bind(&m.created_at)
    .bind(&m.next_attempt_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims up to `limit` undelivered messages due at `now` for `lease_until`: their next attempt
/// moves to the end of the lease, so another worker leaves them alone while this one delivers
/// (and takes them again if this one dies). PostgreSQL skips rows another worker is claiming
/// (`FOR UPDATE SKIP LOCKED`); SQLite's write transaction is exclusive already.
pub async fn claim_due(
    conn: &mut AnyConnection,
    now: &str,
    lease_until: &str,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let rows: Vec<OutboxRow> = sqlx::query_as(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM federation_outbox \
         WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2{lock}"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        sqlx::query("UPDATE federation_outbox SET next_attempt_at = $2 WHERE id = $1")
            .bind(r.id)
            .bind(lease_until)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rows)
}

pub async fn mark_delivered(conn: &mut AnyConnection, id: i64, at: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE federation_outbox SET delivered_at = $2, attempts = attempts + 1, last_error = '' \
         WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    next_attempt_at: &str,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE federation_outbox SET attempts = attempts + 1, next_attempt_at = $2, \
         last_error = $3 WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .bind(next_attempt_at)
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn outbox_message(
    conn: &mut AnyConnection,
    message_id: &str,
) -> Result<Option<OutboxRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM federation_outbox WHERE message_id = $1"
    ))
    .bind(message_id)
    .fetch_optional(conn)
    .await?)
}

/// Sent messages of `kind`, oldest first (tests, operators).
pub async fn outbox_of_kind(
    conn: &mut AnyConnection,
    kind: &str,
) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM federation_outbox WHERE kind = $1 ORDER BY id"
    ))
    .bind(kind)
    .fetch_all(conn)
    .await?)
}

/// Undelivered messages per peer (for `yibao peer list`).
pub async fn pending_by_peer(conn: &mut AnyConnection) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT peer_id, COUNT(*) FROM federation_outbox WHERE delivered_at IS NULL \
         GROUP BY peer_id ORDER BY peer_id",
    )
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub message_id: String,
    pub peer_id: i64,
    pub kind: String,
    pub version: i64,
    pub envelope: String,
    pub received_at: String,
    pub outcome: String,
}

/// Records a received message unless it was received before: true when this is the first time
/// (then the caller applies it in the same transaction). On PostgreSQL a second delivery racing
/// the first waits on the key and then finds it taken.
pub async fn receive(conn: &mut AnyConnection, m: &InboxRow) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO federation_inbox (message_id, peer_id, kind, version, envelope, received_at, \
         outcome) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(&m.message_id)
    .bind(m.peer_id)
    .bind(&m.kind)
    .bind(m.version)
    .bind(&m.envelope)
    .bind(&m.received_at)
    .bind(&m.outcome)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_outcome(
    conn: &mut AnyConnection,
    message_id: &str,
    outcome: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE federation_inbox SET outcome = $2 WHERE message_id = $1")
        .bind(message_id)
        .bind(outcome)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn inbox_message(
    conn: &mut AnyConnection,
    message_id: &str,
) -> Result<Option<InboxRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT message_id, peer_id, kind, version, envelope, received_at, outcome \
         FROM federation_inbox WHERE message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn inbox_count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM federation_inbox")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefusalRow {
    pub at: String,
    pub code: String,
    pub from_region: String,
    pub message_id: String,
    pub detail: String,
}

pub async fn record_refusal(conn: &mut AnyConnection, r: &RefusalRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO federation_refusal (at, code, from_region, message_id, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&r.at)
    .bind(&r.code)
    .bind(&r.from_region)
    .bind(&r.message_id)
    .bind(&r.detail)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn refusals(conn: &mut AnyConnection) -> Result<Vec<RefusalRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT at, code, from_region, message_id, detail FROM federation_refusal ORDER BY id",
    )
    .fetch_all(conn)
    .await?)
}
