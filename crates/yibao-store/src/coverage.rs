//! Coverage periods (参保记录) per person and scheme, and their status history.

use serde::Serialize;
use sqlx::AnyConnection;

use yibao_domain::enrolment::{CoverageCategory, CoverageStatus, Scheme};

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CoverageRow {
    pub id: i64,
    pub person_id: i64,
    #[sqlx(try_from = "String")]
    pub scheme: Scheme,
    #[sqlx(try_from = "String")]
    pub category: CoverageCategory,
    pub employer_id: Option<i64>,
    pub region_code: String,
    #[sqlx(try_from = "String")]
    pub status: CoverageStatus,
    pub registered_on: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub case_number: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLS: &str = "id, person_id, scheme, category, employer_id, region_code, status, \
                    registered_on, start_date, end_date, case_number, created_at, updated_at";

pub async fn insert(conn: &mut AnyConnection, c: &CoverageRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO coverage (person_id, scheme, category, employer_id, region_code, status, \
         registered_on, start_date, end_date, case_number, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(c.person_id)
    .bind(c.scheme.key())
    .bind(c.category.key())
    .bind(c.employer_id)
    .bind(&c.region_code)
    .bind(c.status.key())
    .bind(&c.registered_on)
    .bind(&c.start_date)
    .bind(&c.end_date)
    .bind(&c.case_number)
    .bind(&c.created_at)
    .bind(&c.updated_at)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO coverage_event (coverage_id, at, from_status, to_status, reason, case_number) \
         VALUES ($1, $2, '', $3, 'registered', $4)",
    )
    .bind(id)
    .bind(&c.created_at)
    .bind(c.status.key())
    .bind(&c.case_number)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn list_for_person(
    conn: &mut AnyConnection,
    person_id: i64,
) -> Result<Vec<CoverageRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM coverage WHERE person_id = $1 ORDER BY id"
    ))
    .bind(person_id)
    .fetch_all(conn)
    .await?)
}

/// The active coverage of the person with `id_number` (one query on the hot path).
/// The active coverage of the person with this ID number, and whether the person holds any
/// medical-aid recognition: the settlement hot path's first read in one round trip (most people
/// hold none, and their settlement then skips reading the recognitions).
pub async fn active_for_settlement(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Option<(CoverageRow, bool)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        coverage: CoverageRow,
        has_aid: i64,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT c.id, c.person_id, c.scheme, c.category, c.employer_id, c.region_code, c.status, \
         c.registered_on, c.start_date, c.end_date, c.case_number, c.created_at, c.updated_at, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM aid_status a WHERE a.person_id_number = p.id_number) \
         THEN 1 ELSE 0 END AS BIGINT) AS has_aid \
         FROM coverage c JOIN person p ON p.id = c.person_id \
         WHERE p.id_number = $1 AND c.status = 'active' ORDER BY c.id DESC LIMIT 1",
    )
    .bind(id_number)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.coverage, r.has_aid != 0)))
}

pub async fn active_for_id_number(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Option<CoverageRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.person_id, c.scheme, c.category, c.employer_id, c.region_code, c.status, \
         c.registered_on, c.start_date, c.end_date, c.case_number, c.created_at, c.updated_at \
         FROM coverage c JOIN person p ON p.id = c.person_id \
         WHERE p.id_number = $1 AND c.status = 'active' ORDER BY c.id DESC LIMIT 1",
    )
    .bind(id_number)
    .fetch_optional(conn)
    .await?)
}
