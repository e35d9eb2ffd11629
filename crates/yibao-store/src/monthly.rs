//! The monthly settlement with designated institutions: declarations (申报) with their
//! reconciliation (对账), deductions (扣款), the month's point value and the 结算单.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeclarationRow {
    pub id: i64,
    pub institution_id: i64,
    pub month: String,
    pub seq: i64,
    pub lines_json: String,
    pub groups_json: String,
    pub reconciliation_json: String,
    pub mismatches: i64,
    pub declared_at: String,
}

const DECL_COLS: &str = "id, institution_id, month, seq, lines_json, groups_json, \
                         reconciliation_json, mismatches, declared_at";

/// Appends a declaration (the next `seq` of the institution's month); returns its id.
pub async fn insert_declaration(
    conn: &mut AnyConnection,
    d: &DeclarationRow,
) -> Result<(i64, i64), StoreError> {
    let (seq,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM monthly_declaration \
         WHERE institution_id = $1 AND month = $2",
    )
    .bind(d.institution_id)
    .bind(&d.month)
    .fetch_one(&mut *conn)
    .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO monthly_declaration (institution_id, month, seq, lines_json, groups_json, \
         reconciliation_json, mismatches, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id",
    )
    .bind(d.institution_id)
    .bind(&d.month)
    .bind(seq)
    .bind(&d.lines_json)
    .bind(&d.groups_json)
    .bind(&d.reconciliation_json)
    .bind(d.mismatches)
    .bind(&d.declared_at)
    .fetch_one(conn)
    .await?;
    Ok((id, seq))
}

/// The institution's latest declaration of the month.
pub async fn latest_declaration(
    conn: &mut AnyConnection,
    institution_id: i64,
    month: &str,
) -> Result<Option<DeclarationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DECL_COLS} FROM monthly_declaration WHERE institution_id = $1 AND month = $2 \
         ORDER BY seq DESC LIMIT 1"
    ))
    .bind(institution_id)
    .bind(month)
    .fetch_optional(conn)
    .await?)
}

/// The latest declaration of the month of each institution of the agency.
pub async fn latest_declarations_of_agency(
    conn: &mut AnyConnection,
    agency_id: i64,
    month: &str,
) -> Result<Vec<DeclarationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {} FROM monthly_declaration d JOIN institution i ON i.id = d.institution_id \
         WHERE i.agency_id = $1 AND d.month = $2 AND d.seq = (SELECT MAX(seq) FROM \
         monthly_declaration x WHERE x.institution_id = d.institution_id AND x.month = d.month) \
         ORDER BY d.institution_id",
        DECL_COLS
            .split(", ")
            .map(|c| format!("d.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(agency_id)
    .bind(month)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeductionRow {
    pub id: i64,
    pub institution_id: i64,
    pub month: String,
    pub reason: String,
    pub amount_fen: i64,
    pub created_by: String,
    pub created_at: String,
}

pub async fn insert_deduction(
    conn: &mut AnyConnection,
    d: &DeductionRow,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO monthly_deduction (institution_id, month, reason, amount_fen, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(d.institution_id)
    .bind(&d.month)
    .bind(&d.reason)
    .bind(d.amount_fen)
    .bind(&d.created_by)
    .bind(&d.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn deductions(
    conn: &mut AnyConnection,
    institution_id: i64,
    month: &str,
) -> Result<Vec<DeductionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, institution_id, month, reason, amount_fen, created_by, created_at \
         FROM monthly_deduction WHERE institution_id = $1 AND month = $2 ORDER BY id",
    )
    .bind(institution_id)
    .bind(month)
    .fetch_all(conn)
    .await?)
}

/// The month's point value of an agency: (region points, budget), once fixed.
pub async fn point_value(
    conn: &mut AnyConnection,
    agency_id: i64,
    month: &str,
) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT region_points, budget_fen FROM monthly_point_value \
         WHERE agency_id = $1 AND month = $2",
    )
    .bind(agency_id)
    .bind(month)
    .fetch_optional(conn)
    .await?)
}

pub async fn fix_point_value(
    conn: &mut AnyConnection,
    agency_id: i64,
    month: &str,
    region_points: i64,
    budget_fen: i64,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO monthly_point_value (agency_id, month, region_points, budget_fen, fixed_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(agency_id)
    .bind(month)
    .bind(region_points)
    .bind(budget_fen)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatementRow {
    pub id: i64,
    pub institution_id: i64,
    pub month: String,
    pub declaration_id: i64,
    #[sqlx(try_from = "String")]
    pub status: yibao_domain::institution::monthly::StatementStatus,
    pub statement_json: String,
    pub due_fen: i64,
    pub deductions_fen: i64,
    pub reserve_fen: i64,
    pub net_fen: i64,
    pub pay_by: String,
    pub issued_at: String,
    pub issued_by: String,
    pub confirmed_at: Option<String>,
    pub paid_at: Option<String>,
    pub batch: Option<String>,
}

pub(crate) const STMT_COLS: &str =
    "id, institution_id, month, declaration_id, status, statement_json, \
                         due_fen, deductions_fen, reserve_fen, net_fen, pay_by, issued_at, \
                         issued_by, confirmed_at, paid_at, batch";

pub async fn insert_statement(
    conn: &mut AnyConnection,
    s: &StatementRow,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO monthly_statement (institution_id, month, declaration_id, status, \
         statement_json, due_fen, deductions_fen, reserve_fen, net_fen, pay_by, issued_at, \
         issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(s.institution_id)
    .bind(&s.month)
    .bind(s.declaration_id)
    .bind(s.status.key())
    .bind(&s.statement_json)
    .bind(s.due_fen)
    .bind(s.deductions_fen)
    .bind(s.reserve_fen)
    .bind(s.net_fen)
    .bind(&s.pay_by)
    .bind(&s.issued_at)
    .bind(&s.issued_by)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_statement(
    conn: &mut AnyConnection,
    institution_id: i64,
    month: &str,
) -> Result<Option<StatementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {STMT_COLS} FROM monthly_statement WHERE institution_id = $1 AND month = $2"
    ))
    .bind(institution_id)
    .bind(month)
    .fetch_optional(conn)
    .await?)
}

pub async fn statements_of_agency(
    conn: &mut AnyConnection,
    agency_id: i64,
    month: &str,
) -> Result<Vec<StatementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {} FROM monthly_statement s JOIN institution i ON i.id = s.institution_id \
         WHERE i.agency_id = $1 AND s.month = $2 ORDER BY s.institution_id",
        STMT_COLS
            .split(',')
            .map(|c| format!("s.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(agency_id)
    .bind(month)
    .fetch_all(conn)
    .await?)
}

/// Confirms an issued statement; false when it was not issued (already confirmed or paid).
pub async fn confirm_statement(
    conn: &mut AnyConnection,
    id: i64,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE monthly_statement SET status = 'confirmed', confirmed_at = $1 \
         WHERE id = $2 AND status = 'issued'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a confirmed statement paid in `batch`; false when it was not confirmed.
pub async fn pay_statement(
    conn: &mut AnyConnection,
    id: i64,
    batch: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE monthly_statement SET status = 'paid', paid_at = $1, batch = $2 \
         WHERE id = $3 AND status = 'confirmed'",
    )
    .bind(now)
    .bind(batch)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
