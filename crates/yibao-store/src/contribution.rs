//! The contribution ledger (缴费台账): declared bases, dues per person, payer kind and month,
//! the tax authority's paid records and their imports. Arrears are derived (due − paid).

use serde::Serialize;
use sqlx::AnyConnection;
use yibao_domain::contribution::{BaseAdjustment, PayerKind};
use yibao_domain::enrolment::CoverageCategory;

use crate::error::StoreError;

/// A declared base (缴费基数) of one employee for one year.
pub struct NewBase<'a> {
    pub employer_id: i64,
    pub person_id: i64,
    pub year: i32,
    pub declared_fen: i64,
    pub base_fen: i64,
    pub adjustment: BaseAdjustment,
    pub case_number: Option<&'a str>,
    pub now: &'a str,
}

/// Records or replaces the base (a later declaration of the same year supersedes).
pub async fn put_base(conn: &mut AnyConnection, b: &NewBase<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO contribution_base (employer_id, person_id, year, declared_fen, base_fen, \
         adjustment, case_number, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (employer_id, person_id, year) DO UPDATE SET \
         declared_fen = excluded.declared_fen, base_fen = excluded.base_fen, \
         adjustment = excluded.adjustment, case_number = excluded.case_number, \
         created_at = excluded.created_at",
    )
    .bind(b.employer_id)
    .bind(b.person_id)
    .bind(i64::from(b.year))
    .bind(b.declared_fen)
    .bind(b.base_fen)
    .bind(b.adjustment.key())
    .bind(b.case_number)
    .bind(b.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// One person of the month's run: an open employee-scheme coverage (in service with an
/// employer, flexible, or retired) in force during the month, with the year's declared base.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    pub person_id: i64,
    pub id_number: String,
    pub employer_id: Option<i64>,
    pub category: String,
    pub grade: String,
    pub region_code: String,
    pub base_fen: Option<i64>,
}

/// Members liable for the month `first..=last` (ISO dates) of `year`, ordered by person.
pub async fn members(
    conn: &mut AnyConnection,
    year: i32,
    first: &str,
    last: &str,
) -> Result<Vec<MemberRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.person_id, p.id_number, c.employer_id, c.category, c.grade, c.region_code, \
         b.base_fen FROM coverage c JOIN person p ON p.id = c.person_id \
         LEFT JOIN contribution_base b \
           ON b.person_id = c.person_id AND b.employer_id = c.employer_id AND b.year = $1 \
         WHERE c.scheme = 'employee' AND c.category IN ('in_service', 'flexible', 'retired') \
           AND c.status = 'active' AND c.start_date IS NOT NULL AND c.start_date <= $3 \
           AND (c.end_date IS NULL OR c.end_date >= $2) \
         ORDER BY c.person_id, c.id",
    )
    .bind(i64::from(year))
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await?)
}

pub struct NewDue<'a> {
    pub person_id: i64,
    pub employer_id: Option<i64>,
    pub kind: PayerKind,
    pub month: &'a str,
    pub base_fen: i64,
    pub employer_fen: i64,
    pub person_fen: i64,
    pub total_fen: i64,
    pub account_credit_fen: i64,
    pub policy_name: &'a str,
    pub example: bool,
    pub now: &'a str,
}

/// Inserts the due line unless the person already has one for that kind and month (a run is
/// idempotent); true when inserted.
pub async fn insert_due(conn: &mut AnyConnection, d: &NewDue<'_>) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO contribution_due (person_id, employer_id, kind, month, base_fen, \
         employer_fen, person_fen, total_fen, account_credit_fen, policy_name, example, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (person_id, kind, month) DO NOTHING",
    )
    .bind(d.person_id)
    .bind(d.employer_id)
    .bind(d.kind.key())
    .bind(d.month)
    .bind(d.base_fen)
    .bind(d.employer_fen)
    .bind(d.person_fen)
    .bind(d.total_fen)
    .bind(d.account_credit_fen)
    .bind(d.policy_name)
    .bind(i64::from(d.example))
    .bind(d.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts the lines that are not in the ledger yet (a run is idempotent) and answers, per line,
/// whether it was inserted. On PostgreSQL one statement for all of them: the rows travel as one
/// JSON text (the `Any` driver binds no arrays) and `RETURNING` names the lines written. On
/// SQLite one prepared statement per line in the caller's transaction. When two lines share a
/// person, kind and month, the first is the one inserted, as with one `insert_due` after another.
pub async fn insert_dues(
    conn: &mut AnyConnection,
    dues: &[NewDue<'_>],
) -> Result<Vec<bool>, StoreError> {
    if dues.is_empty() {
        return Ok(Vec::new());
    }
    if conn.backend_name() != "PostgreSQL" {
        let mut out = Vec::with_capacity(dues.len());
        for d in dues {
            out.push(insert_due(conn, d).await?);
        }
        return Ok(out);
    }
    #[derive(Serialize)]
    struct Row<'a> {
        p: i64,
        e: Option<i64>,
        k: &'static str,
        m: &'a str,
        b: i64,
        r: i64,
        s: i64,
        t: i64,
        c: i64,
        n: &'a str,
        x: i64,
        a: &'a str,
    }
    let rows: Vec<Row<'_>> = dues
        .iter()
        .map(|d| Row {
            p: d.person_id,
            e: d.employer_id,
            k: d.kind.key(),
            m: d.month,
            b: d.base_fen,
            r: d.employer_fen,
            s: d.person_fen,
            t: d.total_fen,
            c: d.account_credit_fen,
            n: d.policy_name,
            x: i64::from(d.example),
            a: d.now,
        })
        .collect();
    let json = serde_json::to_string(&rows)
        .map_err(|e| StoreError::Corrupt(format!("contribution lines: {e}")))?;
    let written: Vec<(i64, String, String)> = sqlx::query_as(
        "INSERT INTO contribution_due (person_id, employer_id, kind, month, base_fen, \
         employer_fen, person_fen, total_fen, account_credit_fen, policy_name, example, created_at) \
         SELECT x.p, x.e, x.k, x.m, x.b, x.r, x.s, x.t, x.c, x.n, x.x, x.a \
         FROM json_to_recordset($1::json) AS x(p BIGINT, e BIGINT, k TEXT, m TEXT, b BIGINT, \
           r BIGINT, s BIGINT, t BIGINT, c BIGINT, n TEXT, x BIGINT, a TEXT) \
         ON CONFLICT (person_id, kind, month) DO NOTHING RETURNING person_id, kind, month",
    )
    .bind(json)
    .fetch_all(conn)
    .await?;
    let mut written: std::collections::HashSet<(i64, String, String)> =
        written.into_iter().collect();
    Ok(dues
        .iter()
        .map(|d| written.remove(&(d.person_id, d.kind.key().to_string(), d.month.to_string())))
        .collect())
}

/// One ledger line with what was paid against it and the arrears derived from the two.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LedgerRow {
    pub person_id: i64,
    pub employer_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub kind: PayerKind,
    pub month: String,
    pub base_fen: i64,
    pub employer_fen: i64,
    pub person_fen: i64,
    pub total_fen: i64,
    pub account_credit_fen: i64,
    pub paid_fen: i64,
    pub example: i64,
}

const LEDGER_SELECT: &str = "SELECT d.person_id, d.employer_id, d.kind, d.month, d.base_fen, \
     d.employer_fen, d.person_fen, d.total_fen, d.account_credit_fen, \
     COALESCE((SELECT CAST(SUM(p.amount_fen) AS BIGINT) FROM contribution_paid p \
       WHERE p.person_id = d.person_id AND p.kind = d.kind AND p.month = d.month), 0) AS paid_fen, \
     d.example FROM contribution_due d";

/// A person's ledger, newest month first, `limit` lines from `offset`.
pub async fn person_ledger(
    conn: &mut AnyConnection,
    person_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<LedgerRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{LEDGER_SELECT} WHERE d.person_id = $1 ORDER BY d.month DESC, d.kind LIMIT $2 OFFSET $3"
    ))
    .bind(person_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?)
}

/// An employer's ledger (its employees' lines), newest month first.
pub async fn employer_ledger(
    conn: &mut AnyConnection,
    employer_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<LedgerRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{LEDGER_SELECT} WHERE d.employer_id = $1 \
         ORDER BY d.month DESC, d.person_id LIMIT $2 OFFSET $3"
    ))
    .bind(employer_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?)
}

/// Totals of due, paid and arrears for a year (`YYYY-` month prefix).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct YearTotals {
    pub due_fen: i64,
    pub paid_fen: i64,
    pub arrears_fen: i64,
    pub account_credit_fen: i64,
}

async fn totals(
    conn: &mut AnyConnection,
    column: &str,
    id: i64,
    year: Option<i32>,
    kind: Option<PayerKind>,
) -> Result<YearTotals, StoreError> {
    let (from, to) = match year {
        Some(y) => (format!("{y:04}-01"), format!("{y:04}-12")),
        None => ("0000-00".to_string(), "9999-99".to_string()),
    };
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT x.total_fen, x.paid_fen, x.account_credit_fen FROM ({LEDGER_SELECT} \
         WHERE d.{column} = $1 AND d.month >= $2 AND d.month <= $3 AND d.kind LIKE $4) x"
    ))
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(kind.map_or("%", PayerKind::key))
    .fetch_all(conn)
    .await?;
    let mut t = YearTotals::default();
    for (due, paid, credit) in rows {
        t.due_fen = t.due_fen.saturating_add(due);
        t.paid_fen = t.paid_fen.saturating_add(paid);
        t.arrears_fen = t.arrears_fen.saturating_add((due - paid).max(0));
        t.account_credit_fen = t.account_credit_fen.saturating_add(credit);
    }
    Ok(t)
}

pub async fn person_totals(
    conn: &mut AnyConnection,
    person_id: i64,
    year: Option<i32>,
) -> Result<YearTotals, StoreError> {
    totals(conn, "person_id", person_id, year, None).await
}

/// A person's totals over the lines of one payer kind (e.g. what they owe as an individual).
pub async fn person_totals_of_kind(
    conn: &mut AnyConnection,
    person_id: i64,
    kind: PayerKind,
) -> Result<YearTotals, StoreError> {
    totals(conn, "person_id", person_id, None, Some(kind)).await
}

/// An employer's totals; with `year = None` over the whole ledger (its arrears, 欠费).
pub async fn employer_totals(
    conn: &mut AnyConnection,
    employer_id: i64,
    year: Option<i32>,
) -> Result<YearTotals, StoreError> {
    totals(conn, "employer_id", employer_id, year, None).await
}

pub struct NewImport<'a> {
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub row_count: i64,
    pub total_fen: i64,
    pub created_by: &'a str,
    pub now: &'a str,
}

pub async fn import_exists(conn: &mut AnyConnection, sha256: &str) -> Result<bool, StoreError> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM contribution_import WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn insert_import(conn: &mut AnyConnection, i: &NewImport<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO contribution_import (file_name, sha256, row_count, total_fen, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(i.file_name)
    .bind(i.sha256)
    .bind(i.row_count)
    .bind(i.total_fen)
    .bind(i.created_by)
    .bind(i.now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub struct NewPaid<'a> {
    pub receipt_number: &'a str,
    pub person_id: i64,
    pub kind: PayerKind,
    pub month: &'a str,
    pub amount_fen: i64,
    pub paid_on: &'a str,
}

pub async fn receipt_exists(conn: &mut AnyConnection, receipt: &str) -> Result<bool, StoreError> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM contribution_paid WHERE receipt_number = $1")
            .bind(receipt)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn insert_paid(
    conn: &mut AnyConnection,
    import_id: i64,
    p: &NewPaid<'_>,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO contribution_paid (receipt_number, person_id, kind, month, amount_fen, \
         paid_on, import_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(p.receipt_number)
    .bind(p.person_id)
    .bind(p.kind.key())
    .bind(p.month)
    .bind(p.amount_fen)
    .bind(p.paid_on)
    .bind(import_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A resident coverage liable for a year's contribution (城乡居民个人缴费).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentMemberRow {
    pub person_id: i64,
    pub coverage_id: i64,
    #[sqlx(try_from = "String")]
    pub category: CoverageCategory,
    pub grade: String,
    pub region_code: String,
}

/// Resident coverages registered or in force during the year `first..=last` (ISO dates), one
/// per person (the newest), ordered by person.
pub async fn resident_members(
    conn: &mut AnyConnection,
    first: &str,
    last: &str,
) -> Result<Vec<ResidentMemberRow>, StoreError> {
    let rows: Vec<ResidentMemberRow> = sqlx::query_as(
        "SELECT c.person_id, c.id AS coverage_id, c.category, c.grade, c.region_code \
         FROM coverage c WHERE c.scheme = 'resident' AND c.status IN ('registered', 'active') \
           AND c.start_date IS NOT NULL AND c.start_date <= $2 \
           AND (c.end_date IS NULL OR c.end_date >= $1) \
         ORDER BY c.person_id, c.id DESC",
    )
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<ResidentMemberRow> = Vec::with_capacity(rows.len());
    for r in rows {
        if out.last().is_some_and(|l| l.person_id == r.person_id) {
            continue;
        }
        out.push(r);
    }
    Ok(out)
}

/// What is due on one line and what was paid against it; `None` when there is no line.
pub async fn line_due_and_paid(
    conn: &mut AnyConnection,
    person_id: i64,
    kind: PayerKind,
    month: &str,
) -> Result<Option<(i64, i64)>, StoreError> {
    let row: Option<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT x.total_fen, x.paid_fen FROM ({LEDGER_SELECT} \
         WHERE d.person_id = $1 AND d.kind = $2 AND d.month = $3) x"
    ))
    .bind(person_id)
    .bind(kind.key())
    .bind(month)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

/// The person's resident coverage still waiting for its first payment (已登记待缴费) that
/// starts within `first..=last`: (coverage id, start date).
pub async fn registered_resident_coverage(
    conn: &mut AnyConnection,
    person_id: i64,
    first: &str,
    last: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, start_date FROM coverage WHERE person_id = $1 AND scheme = 'resident' \
         AND status = 'registered' AND start_date IS NOT NULL \
         AND start_date >= $2 AND start_date <= $3 ORDER BY id DESC LIMIT 1",
    )
    .bind(person_id)
    .bind(first)
    .bind(last)
    .fetch_optional(conn)
    .await?)
}
