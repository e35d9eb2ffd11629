//! The year-end reconciliation with designated institutions (年终清算单), and the year's monthly
//! statements it adds up.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::monthly::StatementRow;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct YearEndRow {
    pub id: i64,
    pub institution_id: i64,
    pub year: i64,
    #[sqlx(try_from = "String")]
    pub status: yibao_domain::institution::monthly::StatementStatus,
    pub statement_json: String,
    pub score: i64,
    pub net_fen: i64,
    pub issued_at: String,
    pub issued_by: String,
    pub confirmed_at: Option<String>,
    pub paid_at: Option<String>,
    pub batch: Option<String>,
}

const COLS: &str = "id, institution_id, year, status, statement_json, score, net_fen, \
                    issued_at, issued_by, confirmed_at, paid_at, batch";

pub async fn insert(conn: &mut AnyConnection, r: &YearEndRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO year_end_statement (institution_id, year, status, statement_json, score, \
         net_fen, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(r.institution_id)
    .bind(r.year)
    .bind(r.status.key())
    .bind(&r.statement_json)
    .bind(r.score)
    .bind(r.net_fen)
    .bind(&r.issued_at)
    .bind(&r.issued_by)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find(
    conn: &mut AnyConnection,
    institution_id: i64,
    year: i64,
) -> Result<Option<YearEndRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM year_end_statement WHERE institution_id = $1 AND year = $2"
    ))
    .bind(institution_id)
    .bind(year)
    .fetch_optional(conn)
    .await?)
}

pub async fn of_agency(
    conn: &mut AnyConnection,
    agency_id: i64,
    year: i64,
) -> Result<Vec<YearEndRow>, StoreError> {
    let cols = COLS
        .split(',')
        .map(|c| format!("y.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query_as(&format!(
        "SELECT {cols} FROM year_end_statement y JOIN institution i ON i.id = y.institution_id \
         WHERE i.agency_id = $1 AND y.year = $2 ORDER BY y.institution_id"
    ))
    .bind(agency_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}

/// Confirms an issued statement; false when it was not issued.
pub async fn confirm(conn: &mut AnyConnection, id: i64, now: &str) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE year_end_statement SET status = 'confirmed', confirmed_at = $1 \
         WHERE id = $2 AND status = 'issued'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a confirmed statement paid in `batch`; false when it was not confirmed.
pub async fn pay(
    conn: &mut AnyConnection,
    id: i64,
    batch: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE year_end_statement SET status = 'paid', paid_at = $1, batch = $2 \
         WHERE id = $3 AND status = 'confirmed'",
    )
    .bind(now)
    .bind(batch)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The institution's monthly statements of `year` (months `YYYY-01` … `YYYY-12`).
pub async fn monthly_statements_of_year(
    conn: &mut AnyConnection,
    institution_id: i64,
    year: i64,
) -> Result<Vec<StatementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {} FROM monthly_statement WHERE institution_id = $1 AND month >= $2 \
         AND month <= $3 ORDER BY month",
        crate::monthly::STMT_COLS
    ))
    .bind(institution_id)
    .bind(format!("{year:04}-01"))
    .bind(format!("{year:04}-12"))
    .fetch_all(conn)
    .await?)
}
