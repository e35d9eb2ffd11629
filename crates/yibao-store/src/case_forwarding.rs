//! 通办 across instances (issue #18) as stored: on the receiving side, which peer decides a
//! forwarded case and the last status it reported; on the deciding side, where a case came
//! from and how many status reports it has sent back.

use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ForwardRow {
    pub case_id: i64,
    pub peer_id: i64,
    /// The peer's region code the messages are addressed to.
    pub to_region: String,
    /// The `case.forwarded` message, once the window accepted the case.
    pub message_id: Option<String>,
    pub forwarded_at: Option<String>,
    /// The deciding side's own case number, from its first status report.
    pub remote_number: Option<String>,
    pub remote_status: Option<String>,
    /// The highest status report number applied (0: none yet).
    pub remote_seq: i64,
    pub remote_at: Option<String>,
}

const FORWARD_COLS: &str = "case_id, peer_id, to_region, message_id, forwarded_at, \
    remote_number, remote_status, remote_seq, remote_at";

pub async fn insert_forward(conn: &mut AnyConnection, f: &ForwardRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_forward (case_id, peer_id, to_region, message_id, forwarded_at, \
         remote_number, remote_status, remote_seq, remote_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(f.case_id)
    .bind(f.peer_id)
    .bind(&f.to_region)
    .bind(&f.message_id)
    .bind(&f.forwarded_at)
    .bind(&f.remote_number)
    .bind(&f.remote_status)
    .bind(f.remote_seq)
    .bind(&f.remote_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn forward(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Option<ForwardRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {FORWARD_COLS} FROM case_forward WHERE case_id = $1"
    ))
    .bind(case_id)
    .fetch_optional(conn)
    .await?)
}

/// Records that the `case.forwarded` message was queued.
pub async fn mark_forwarded(
    conn: &mut AnyConnection,
    case_id: i64,
    message_id: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE case_forward SET message_id = $2, forwarded_at = $3 WHERE case_id = $1")
        .bind(case_id)
        .bind(message_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies a status report numbered `seq` only if it is newer than every one applied before;
/// false (nothing changed) when it is not. The comparison is in the statement, so two reports
/// applied concurrently cannot both win.
pub async fn record_remote_status(
    conn: &mut AnyConnection,
    case_id: i64,
    seq: i64,
    number: &str,
    status: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE case_forward SET remote_seq = $2, remote_number = $3, remote_status = $4, \
         remote_at = $5 WHERE case_id = $1 AND remote_seq < $2",
    )
    .bind(case_id)
    .bind(seq)
    .bind(number)
    .bind(status)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OriginRow {
    pub case_id: i64,
    pub peer_id: i64,
    pub origin_region: String,
    pub origin_number: String,
    /// The `case.forwarded` message that created the case.
    pub message_id: String,
    /// How many status reports were queued back so far.
    pub status_seq: i64,
}

const ORIGIN_COLS: &str = "case_id, peer_id, origin_region, origin_number, message_id, status_seq";

pub async fn insert_origin(conn: &mut AnyConnection, o: &OriginRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_origin (case_id, peer_id, origin_region, origin_number, message_id, \
         status_seq) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(o.case_id)
    .bind(o.peer_id)
    .bind(&o.origin_region)
    .bind(&o.origin_number)
    .bind(&o.message_id)
    .bind(o.status_seq)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn origin(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Option<OriginRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORIGIN_COLS} FROM case_origin WHERE case_id = $1"
    ))
    .bind(case_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn origin_by_number(
    conn: &mut AnyConnection,
    origin_region: &str,
    origin_number: &str,
) -> Result<Option<OriginRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORIGIN_COLS} FROM case_origin WHERE origin_region = $1 AND origin_number = $2"
    ))
    .bind(origin_region)
    .bind(origin_number)
    .fetch_optional(conn)
    .await?)
}

/// The next status report number of a received case: incremented in the row, so the number
/// is taken under the row's lock in the transaction that queues the report.
pub async fn next_status_seq(conn: &mut AnyConnection, case_id: i64) -> Result<i64, StoreError> {
    let (seq,): (i64,) = sqlx::query_as(
        "UPDATE case_origin SET status_seq = status_seq + 1 WHERE case_id = $1 \
         RETURNING status_seq",
    )
    .bind(case_id)
    .fetch_one(conn)
    .await?;
    Ok(seq)
}

/// Whether the case numbered `number` was forwarded here or from here (a transition then
/// needs the instance key, loaded before its write transaction).
pub async fn involves_peer(conn: &mut AnyConnection, number: &str) -> Result<bool, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM case_forward f JOIN case_file c ON c.id = f.case_id \
         WHERE c.number = $1) + (SELECT COUNT(*) FROM case_origin o JOIN case_file c \
         ON c.id = o.case_id WHERE c.number = $2)",
    )
    .bind(number)
    .bind(number)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
