//! Maternity benefits paid (生育保险待遇) and what their rules read from the contribution
//! ledger: the person's employee months and the employer's wages of a year.

use serde::Serialize;
use sqlx::AnyConnection;
use yibao_domain::maternity::{Beneficiary, BenefitKind, EventKind, Payee};

use crate::error::StoreError;

/// One month of a person's employee-scheme ledger: the employer, what was due and what paid.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonMonth {
    pub month: String,
    pub employer_id: Option<i64>,
    pub total_fen: i64,
    pub paid_fen: i64,
}

/// The person's employee lines (`kind = 'employee'`) of months `from..=to` (`YYYY-MM`).
pub async fn person_months(
    conn: &mut AnyConnection,
    person_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<PersonMonth>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.month, d.employer_id, d.total_fen, \
         COALESCE((SELECT CAST(SUM(p.amount_fen) AS BIGINT) FROM contribution_paid p \
           WHERE p.person_id = d.person_id AND p.kind = d.kind AND p.month = d.month), 0) AS paid_fen \
         FROM contribution_due d WHERE d.person_id = $1 AND d.kind = 'employee' \
         AND d.month >= $2 AND d.month <= $3 ORDER BY d.month",
    )
    .bind(person_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// The sum of the monthly bases of an employer's employee lines in months `from..=to`, and how
/// many lines (person-months) there are.
pub async fn employer_wages(
    conn: &mut AnyConnection,
    employer_id: i64,
    from: &str,
    to: &str,
) -> Result<(i64, i64), StoreError> {
    let (sum, count): (Option<i64>, i64) = sqlx::query_as(
        "SELECT CAST(SUM(base_fen) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM contribution_due \
         WHERE employer_id = $1 AND kind = 'employee' AND month >= $2 AND month <= $3",
    )
    .bind(employer_id)
    .bind(from)
    .bind(to)
    .fetch_one(conn)
    .await?;
    Ok((sum.unwrap_or(0), count))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BenefitRow {
    pub id: i64,
    pub case_number: String,
    pub person_id: i64,
    #[sqlx(try_from = "String")]
    pub beneficiary: Beneficiary,
    pub beneficiary_id: String,
    #[sqlx(try_from = "String")]
    pub benefit: BenefitKind,
    #[sqlx(try_from = "String")]
    pub event: EventKind,
    pub event_text: String,
    pub event_date: String,
    pub employer_id: Option<i64>,
    pub wage_year: Option<i64>,
    pub average_wage_fen: Option<i64>,
    pub leave_days: Option<i64>,
    pub costs_fen: Option<i64>,
    pub limit_fen: Option<i64>,
    pub amount_fen: i64,
    pub paid_before_fen: i64,
    pub difference_fen: i64,
    pub paid_fen: i64,
    #[sqlx(try_from = "String")]
    pub payee: Payee,
    pub payee_text: String,
    pub policy_name: String,
    pub example: i64,
    pub created_by: String,
    pub created_at: String,
}

const COLS: &str = "id, case_number, person_id, beneficiary, beneficiary_id, benefit, event, \
    event_text, event_date, employer_id, wage_year, average_wage_fen, leave_days, costs_fen, \
    limit_fen, amount_fen, paid_before_fen, difference_fen, paid_fen, payee, payee_text, \
    policy_name, example, created_by, created_at";

/// A benefit to record (`dedup_key` None for a recalculation).
pub struct NewBenefit<'a> {
    pub row: &'a BenefitRow,
    pub dedup_key: Option<&'a str>,
}

pub async fn insert(conn: &mut AnyConnection, b: &NewBenefit<'_>) -> Result<i64, StoreError> {
    let r = b.row;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO maternity_benefit (case_number, person_id, beneficiary, beneficiary_id, \
         benefit, event, event_text, event_date, dedup_key, employer_id, wage_year, \
         average_wage_fen, leave_days, costs_fen, limit_fen, amount_fen, paid_before_fen, \
         difference_fen, paid_fen, payee, payee_text, policy_name, example, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25) RETURNING id",
    )
    .bind(&r.case_number)
    .bind(r.person_id)
    .bind(r.beneficiary.key())
    .bind(&r.beneficiary_id)
    .bind(r.benefit.key())
    .bind(r.event.key())
    .bind(&r.event_text)
    .bind(&r.event_date)
    .bind(b.dedup_key)
    .bind(r.employer_id)
    .bind(r.wage_year)
    .bind(r.average_wage_fen)
    .bind(r.leave_days)
    .bind(r.costs_fen)
    .bind(r.limit_fen)
    .bind(r.amount_fen)
    .bind(r.paid_before_fen)
    .bind(r.difference_fen)
    .bind(r.paid_fen)
    .bind(r.payee.key())
    .bind(&r.payee_text)
    .bind(&r.policy_name)
    .bind(r.example)
    .bind(&r.created_by)
    .bind(&r.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The row holding `dedup_key`, if any (the same benefit for the same event already paid).
pub async fn find_by_key(
    conn: &mut AnyConnection,
    dedup_key: &str,
) -> Result<Option<BenefitRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM maternity_benefit WHERE dedup_key = $1"
    ))
    .bind(dedup_key)
    .fetch_optional(conn)
    .await?)
}

/// The allowance of a birth and its recalculations, oldest first.
pub async fn allowance_rows(
    conn: &mut AnyConnection,
    beneficiary_id: &str,
    event_date: &str,
) -> Result<Vec<BenefitRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM maternity_benefit WHERE beneficiary_id = $1 AND event_date = $2 \
         AND benefit IN ('allowance', 'allowance_recalculation') ORDER BY id"
    ))
    .bind(beneficiary_id)
    .bind(event_date)
    .fetch_all(conn)
    .await?)
}

/// A person's benefits (as the insured), newest event first.
pub async fn for_person(
    conn: &mut AnyConnection,
    person_id: i64,
) -> Result<Vec<BenefitRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM maternity_benefit WHERE person_id = $1 \
         ORDER BY event_date DESC, id DESC"
    ))
    .bind(person_id)
    .fetch_all(conn)
    .await?)
}

/// Records what a real-time maternity settlement paid for (in the settlement's transaction).
pub async fn insert_networked(
    conn: &mut AnyConnection,
    settlement_id: i64,
    person_id_number: &str,
    benefit: &str,
    event_from: &str,
    event_to: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO maternity_settlement (settlement_id, person_id_number, benefit, \
         event_from, event_to, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(settlement_id)
    .bind(person_id_number)
    .bind(benefit)
    .bind(event_from)
    .bind(event_to)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A standing real-time maternity settlement: its reference (institution code / request id)
/// and the days its event lies in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NetworkedRow {
    pub reference: String,
    pub event_from: String,
    pub event_to: String,
}

/// The person's standing (not reversed) real-time settlements of `benefit`.
pub async fn networked(
    conn: &mut AnyConnection,
    person_id_number: &str,
    benefit: &str,
) -> Result<Vec<NetworkedRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT i.code || '/' || s.request_id AS reference, m.event_from, m.event_to \
         FROM maternity_settlement m JOIN settlement s ON s.id = m.settlement_id \
         JOIN institution i ON i.id = s.institution_id \
         WHERE m.person_id_number = $1 AND m.benefit = $2 AND s.status = 'settled' \
         ORDER BY m.settlement_id",
    )
    .bind(person_id_number)
    .bind(benefit)
    .fetch_all(conn)
    .await?)
}

/// Manual claims of `benefit` paid to `beneficiary_id` for events in `from..=to` (ISO dates):
/// (case number, event date).
pub async fn paid_between(
    conn: &mut AnyConnection,
    beneficiary_id: &str,
    benefit: &str,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT case_number, event_date FROM maternity_benefit WHERE beneficiary_id = $1 \
         AND benefit = $2 AND event_date >= $3 AND event_date <= $4 ORDER BY id",
    )
    .bind(beneficiary_id)
    .bind(benefit)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}
