//! Cross-province clearing statements and their lines (migration 0054, docs/clearing.md).

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

/// A settlement of the ledger that a month's statement may hold, with what statements hold of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateRow {
    pub id: i64,
    pub month: String,
    pub request_id: String,
    pub institution_code: String,
    pub care_region: String,
    pub insured_region: String,
    pub person_id_number: String,
    pub created_at: String,
    pub reversed_at: Option<String>,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
    pub stated: i64,
}

const CANDIDATE_COLS: &str = "s.id, s.month, s.request_id, i.code AS institution_code, \
     i.region_code AS care_region, s.insured_region, s.person_id_number, s.created_at, \
     s.reversed_at, s.total_fen, s.pooled_fen, s.critical_fen, s.aid_fen, s.account_fen, s.cash_fen";

/// The month's standing settlements of persons insured in another province than the
/// institution's that no statement holds yet (one ledger partition on PostgreSQL), and the
/// settlements a statement holds that were reversed between `reversed_from` and
/// `reversed_before` (UTC timestamps) and whose reversal none holds yet.
pub async fn candidates(
    conn: &mut AnyConnection,
    month: &str,
    reversed_from: &str,
    reversed_before: &str,
) -> Result<Vec<CandidateRow>, StoreError> {
    let mut out: Vec<CandidateRow> = sqlx::query_as(&format!(
        "SELECT {CANDIDATE_COLS}, CAST(0 AS BIGINT) AS stated \
         FROM settlement s JOIN institution i ON i.id = s.institution_id \
         WHERE s.month = $1 AND s.status = 'settled' AND s.insured_region <> '' \
         AND substr(i.region_code, 1, 2) <> substr(s.insured_region, 1, 2) \
         AND NOT EXISTS (SELECT 1 FROM clearing_line l WHERE l.role = 'care' \
             AND l.settlement_id = s.id AND l.kind = 'settlement') \
         ORDER BY s.id"
    ))
    .bind(month)
    .fetch_all(&mut *conn)
    .await?;
    let reversed: Vec<CandidateRow> = sqlx::query_as(&format!(
        "SELECT {CANDIDATE_COLS}, CAST(1 AS BIGINT) AS stated \
         FROM clearing_line l \
         JOIN settlement s ON s.id = l.settlement_id AND s.month = l.settlement_month \
         JOIN institution i ON i.id = s.institution_id \
         WHERE l.role = 'care' AND l.kind = 'settlement' AND s.status = 'reversed' \
         AND s.reversed_at >= $1 AND s.reversed_at < $2 \
         AND NOT EXISTS (SELECT 1 FROM clearing_line r WHERE r.role = 'care' \
             AND r.settlement_id = l.settlement_id AND r.kind = 'reversal') \
         ORDER BY s.id"
    ))
    .bind(reversed_from)
    .bind(reversed_before)
    .fetch_all(&mut *conn)
    .await?;
    out.extend(reversed);
    Ok(out)
}

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct StatementRow {
    pub id: i64,
    /// `care` (就医地, this side paid) or `insured` (参保地, this side reimburses).
    pub role: String,
    pub month: String,
    pub care_region: String,
    pub insured_region: String,
    pub peer_id: Option<i64>,
    pub line_count: i64,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
    pub cleared_fen: i64,
    pub digest: String,
    /// `awaiting` (the insured side has not answered) or `reconciled`.
    pub status: String,
    pub accepted_count: Option<i64>,
    pub accepted_fen: Option<i64>,
    pub disputed_count: Option<i64>,
    pub disputed_fen: Option<i64>,
    pub message_id: Option<String>,
    pub issued_at: String,
    pub reconciled_at: Option<String>,
}

const STATEMENT_COLS: &str = "id, role, month, care_region, insured_region, peer_id, line_count, \
     total_fen, pooled_fen, critical_fen, aid_fen, account_fen, cash_fen, cleared_fen, digest, \
     status, accepted_count, accepted_fen, disputed_count, disputed_fen, message_id, issued_at, \
     reconciled_at";

/// Inserts a statement (status and figures as given); a second one of the same role, month and
/// pair is `StoreError::Conflict`.
pub async fn insert_statement(
    conn: &mut AnyConnection,
    s: &StatementRow,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO clearing_statement (role, month, care_region, insured_region, peer_id, \
         line_count, total_fen, pooled_fen, critical_fen, aid_fen, account_fen, cash_fen, \
         cleared_fen, digest, status, message_id, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'awaiting', $15, $16) \
         RETURNING id",
    )
    .bind(&s.role)
    .bind(&s.month)
    .bind(&s.care_region)
    .bind(&s.insured_region)
    .bind(s.peer_id)
    .bind(s.line_count)
    .bind(s.total_fen)
    .bind(s.pooled_fen)
    .bind(s.critical_fen)
    .bind(s.aid_fen)
    .bind(s.account_fen)
    .bind(s.cash_fen)
    .bind(s.cleared_fen)
    .bind(&s.digest)
    .bind(&s.message_id)
    .bind(&s.issued_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct LineRow {
    pub id: i64,
    pub statement_id: i64,
    pub role: String,
    pub care_region: String,
    pub line_no: i64,
    pub settlement_ref: String,
    pub kind: String,
    pub settlement_id: Option<i64>,
    pub settlement_month: Option<String>,
    pub institution_code: String,
    pub person_id_number: String,
    pub insured_region: String,
    pub settled_on: String,
    pub booked_on: String,
    pub total_fen: i64,
    pub pooled_fen: i64,
    pub critical_fen: i64,
    pub aid_fen: i64,
    pub account_fen: i64,
    pub cash_fen: i64,
    pub cleared_fen: i64,
    pub dispute_code: Option<String>,
}

const LINE_COLS: &str = "id, statement_id, role, care_region, line_no, settlement_ref, kind, \
     settlement_id, settlement_month, institution_code, person_id_number, insured_region, \
     settled_on, booked_on, total_fen, pooled_fen, critical_fen, aid_fen, account_fen, cash_fen, \
     cleared_fen, dispute_code";

/// Appends a line; the care side stating a settlement (or reversal) twice, or the insured side
/// accepting one twice, is `StoreError::Conflict` (the partial unique indexes of 0054).
pub async fn insert_line(conn: &mut AnyConnection, l: &LineRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO clearing_line (statement_id, role, care_region, line_no, settlement_ref, \
         kind, settlement_id, settlement_month, institution_code, person_id_number, \
         insured_region, settled_on, booked_on, total_fen, pooled_fen, critical_fen, aid_fen, \
         account_fen, cash_fen, cleared_fen, dispute_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21)",
    )
    .bind(l.statement_id)
    .bind(&l.role)
    .bind(&l.care_region)
    .bind(l.line_no)
    .bind(&l.settlement_ref)
    .bind(&l.kind)
    .bind(l.settlement_id)
    .bind(&l.settlement_month)
    .bind(&l.institution_code)
    .bind(&l.person_id_number)
    .bind(&l.insured_region)
    .bind(&l.settled_on)
    .bind(&l.booked_on)
    .bind(l.total_fen)
    .bind(l.pooled_fen)
    .bind(l.critical_fen)
    .bind(l.aid_fen)
    .bind(l.account_fen)
    .bind(l.cash_fen)
    .bind(l.cleared_fen)
    .bind(&l.dispute_code)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(
    conn: &mut AnyConnection,
    role: &str,
    month: &str,
    care_region: &str,
    insured_region: &str,
) -> Result<Option<StatementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {STATEMENT_COLS} FROM clearing_statement \
         WHERE role = $1 AND month = $2 AND care_region = $3 AND insured_region = $4"
    ))
    .bind(role)
    .bind(month)
    .bind(care_region)
    .bind(insured_region)
    .fetch_optional(conn)
    .await?)
}

pub async fn statement(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<StatementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {STATEMENT_COLS} FROM clearing_statement WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Every statement, the latest month first.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<StatementRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {STATEMENT_COLS} FROM clearing_statement ORDER BY month DESC, id DESC"
    ))
    .fetch_all(conn)
    .await?)
}

pub async fn lines(
    conn: &mut AnyConnection,
    statement_id: i64,
) -> Result<Vec<LineRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {LINE_COLS} FROM clearing_line WHERE statement_id = $1 ORDER BY line_no"
    ))
    .bind(statement_id)
    .fetch_all(conn)
    .await?)
}

/// Records the insured side's answer on a statement still awaiting it; false if it was answered.
pub async fn set_reconciled(
    conn: &mut AnyConnection,
    id: i64,
    accepted: (i64, i64),
    disputed: (i64, i64),
    at: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE clearing_statement SET status = 'reconciled', accepted_count = $1, \
         accepted_fen = $2, disputed_count = $3, disputed_fen = $4, reconciled_at = $5 \
         WHERE id = $6 AND status = 'awaiting'",
    )
    .bind(accepted.0)
    .bind(accepted.1)
    .bind(disputed.0)
    .bind(disputed.1)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_dispute(
    conn: &mut AnyConnection,
    statement_id: i64,
    line_no: i64,
    code: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE clearing_line SET dispute_code = $1 WHERE statement_id = $2 AND line_no = $3",
    )
    .bind(code)
    .bind(statement_id)
    .bind(line_no)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_message(
    conn: &mut AnyConnection,
    id: i64,
    message_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE clearing_statement SET message_id = $1 WHERE id = $2")
        .bind(message_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// On the insured side: whether the settlement `settlement_ref` of `care_region` was accepted
/// already, and whether its reversal was.
pub async fn accepted_before(
    conn: &mut AnyConnection,
    care_region: &str,
    settlement_ref: &str,
) -> Result<(bool, bool), StoreError> {
    let kinds: Vec<(String,)> = sqlx::query_as(
        "SELECT kind FROM clearing_line WHERE role = 'insured' AND care_region = $1 \
         AND settlement_ref = $2 AND dispute_code IS NULL",
    )
    .bind(care_region)
    .bind(settlement_ref)
    .fetch_all(conn)
    .await?;
    Ok((
        kinds.iter().any(|(k,)| k == "settlement"),
        kinds.iter().any(|(k,)| k == "reversal"),
    ))
}

/// A person's coverage periods by ID number: region, start (else registration day), end, status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeriodRow {
    pub region_code: String,
    pub start_date: Option<String>,
    pub registered_on: String,
    pub end_date: Option<String>,
    pub status: String,
}

pub async fn coverage_periods(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Vec<PeriodRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.region_code, c.start_date, c.registered_on, c.end_date, c.status \
         FROM coverage c JOIN person p ON p.id = c.person_id WHERE p.id_number = $1 ORDER BY c.id",
    )
    .bind(id_number)
    .fetch_all(conn)
    .await?)
}
