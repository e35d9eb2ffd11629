//! Disbursement batches (拨付批次) and their lines.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BatchRow {
    pub id: i64,
    pub number: String,
    pub agency_id: i64,
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub paid_count: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LineRow {
    pub id: i64,
    pub batch_id: i64,
    pub case_number: String,
    pub applicant: String,
    pub result: String,
    pub amount_fen: i64,
    pub message: String,
}

const BATCH_COLS: &str =
    "id, number, agency_id, status, created_by, created_at, closed_at, paid_count, total_fen";

/// Opens a batch with a pending line per case; returns its id.
pub async fn open(
    conn: &mut AnyConnection,
    number: &str,
    agency_id: i64,
    created_by: &str,
    now: &str,
    cases: &[(String, String)],
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO disbursement_batch (number, agency_id, status, created_by, created_at) \
         VALUES ($1, $2, 'open', $3, $4) RETURNING id",
    )
    .bind(number)
    .bind(agency_id)
    .bind(created_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for (case_number, applicant) in cases {
        sqlx::query(
            "INSERT INTO disbursement_line (batch_id, case_number, applicant, result) \
             VALUES ($1, $2, $3, 'pending')",
        )
        .bind(id)
        .bind(case_number)
        .bind(applicant)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

pub async fn set_line(
    conn: &mut AnyConnection,
    line_id: i64,
    result: &str,
    amount_fen: i64,
    message: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE disbursement_line SET result = $1, amount_fen = $2, message = $3 WHERE id = $4",
    )
    .bind(result)
    .bind(amount_fen)
    .bind(message)
    .bind(line_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes the batch with the totals of its paid lines.
pub async fn close(conn: &mut AnyConnection, batch_id: i64, now: &str) -> Result<(), StoreError> {
    let (paid, total): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM disbursement_line \
         WHERE batch_id = $1 AND result = 'paid'",
    )
    .bind(batch_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE disbursement_batch SET status = 'closed', closed_at = $1, paid_count = $2, \
         total_fen = $3 WHERE id = $4",
    )
    .bind(now)
    .bind(paid)
    .bind(total)
    .bind(batch_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list(conn: &mut AnyConnection, agency_id: i64) -> Result<Vec<BatchRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {BATCH_COLS} FROM disbursement_batch WHERE agency_id = $1 ORDER BY id DESC"
    ))
    .bind(agency_id)
    .fetch_all(conn)
    .await?)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<BatchRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {BATCH_COLS} FROM disbursement_batch WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn lines(conn: &mut AnyConnection, batch_id: i64) -> Result<Vec<LineRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, batch_id, case_number, applicant, result, amount_fen, message \
         FROM disbursement_line WHERE batch_id = $1 ORDER BY id",
    )
    .bind(batch_id)
    .fetch_all(conn)
    .await?)
}

/// Cases already on a line of a batch still open (so two batches never take the same case).
pub async fn pending_cases(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT l.case_number FROM disbursement_line l JOIN disbursement_batch b ON b.id = l.batch_id \
         WHERE b.status = 'open' AND l.result = 'pending'",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Batches of an agency made today, for the next number.
pub async fn count_on(
    conn: &mut AnyConnection,
    agency_id: i64,
    day_prefix: &str,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM disbursement_batch WHERE agency_id = $1 AND created_at LIKE $2",
    )
    .bind(agency_id)
    .bind(format!("{day_prefix}%"))
    .fetch_one(conn)
    .await?;
    Ok(n)
}
