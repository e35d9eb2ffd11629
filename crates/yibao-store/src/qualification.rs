//! Qualifications (门诊慢特病 / 特病 资格), aid recognitions (医疗救助身份) and manual aid claims
//! as stored (migration 0024). Rows are never deleted; a re-certification is a new row.

use serde::Serialize;
use sqlx::AnyConnection;

use yibao_domain::benefit::AidCategory;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct QualificationRow {
    pub id: i64,
    pub person_id_number: String,
    pub service: String,
    pub list_id: String,
    pub list_version: i64,
    pub disease_code: String,
    pub disease_name: String,
    pub scheme: String,
    pub valid_from: String,
    pub valid_to: String,
    pub certifier: String,
    pub certified_on: String,
    pub validity_example: i64,
    pub case_number: String,
    pub created_at: String,
}

const QCOLS: &str = "id, person_id_number, service, list_id, list_version, disease_code, \
                     disease_name, scheme, valid_from, valid_to, certifier, certified_on, \
                     validity_example, case_number, created_at";

pub async fn insert(conn: &mut AnyConnection, r: &QualificationRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO qualification (person_id_number, service, list_id, list_version, \
         disease_code, disease_name, scheme, valid_from, valid_to, certifier, certified_on, \
         validity_example, case_number, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&r.person_id_number)
    .bind(&r.service)
    .bind(&r.list_id)
    .bind(r.list_version)
    .bind(&r.disease_code)
    .bind(&r.disease_name)
    .bind(&r.scheme)
    .bind(&r.valid_from)
    .bind(&r.valid_to)
    .bind(&r.certifier)
    .bind(&r.certified_on)
    .bind(r.validity_example)
    .bind(&r.case_number)
    .bind(&r.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Every qualification of a person, newest first.
pub async fn for_person(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Vec<QualificationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {QCOLS} FROM qualification WHERE person_id_number = $1 \
         ORDER BY valid_from DESC, id DESC"
    ))
    .bind(id_number)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AidStatusRow {
    pub id: i64,
    pub person_id_number: String,
    #[sqlx(try_from = "String")]
    pub category: AidCategory,
    pub source: String,
    pub valid_from: String,
    pub valid_to: String,
    pub recorded_by: String,
    pub created_at: String,
}

pub async fn insert_aid_status(
    conn: &mut AnyConnection,
    r: &AidStatusRow,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO aid_status (person_id_number, category, source, valid_from, valid_to, \
         recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&r.person_id_number)
    .bind(r.category.key())
    .bind(&r.source)
    .bind(&r.valid_from)
    .bind(&r.valid_to)
    .bind(&r.recorded_by)
    .bind(&r.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Every aid recognition of a person, newest first.
pub async fn aid_statuses(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Vec<AidStatusRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, person_id_number, category, source, valid_from, valid_to, recorded_by, \
         created_at FROM aid_status WHERE person_id_number = $1 ORDER BY valid_from DESC, id DESC",
    )
    .bind(id_number)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AidClaimRow {
    pub id: i64,
    pub institution_code: String,
    pub admission_id: String,
    pub case_number: String,
    pub person_id_number: String,
    pub year: i64,
    pub category: String,
    pub amount_fen: i64,
    pub created_at: String,
}

/// Records the manual aid paid on a bill; `StoreError::Conflict` if the bill was aided already.
pub async fn insert_aid_claim(conn: &mut AnyConnection, r: &AidClaimRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO aid_claim (institution_code, admission_id, case_number, person_id_number, \
         year, category, amount_fen, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&r.institution_code)
    .bind(&r.admission_id)
    .bind(&r.case_number)
    .bind(&r.person_id_number)
    .bind(r.year)
    .bind(&r.category)
    .bind(r.amount_fen)
    .bind(&r.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn aid_claim_for_bill(
    conn: &mut AnyConnection,
    institution_code: &str,
    admission_id: &str,
) -> Result<Option<AidClaimRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, institution_code, admission_id, case_number, person_id_number, year, \
         category, amount_fen, created_at FROM aid_claim \
         WHERE institution_code = $1 AND admission_id = $2",
    )
    .bind(institution_code)
    .bind(admission_id)
    .fetch_optional(conn)
    .await?)
}

/// Manual aid paid to a person in a year (the ledger side of the yearly aid total).
pub async fn aid_claimed_in_year(
    conn: &mut AnyConnection,
    id_number: &str,
    year: i64,
) -> Result<i64, StoreError> {
    let (sum,): (Option<i64>,) = sqlx::query_as(
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM aid_claim \
         WHERE person_id_number = $1 AND year = $2",
    )
    .bind(id_number)
    .bind(year)
    .fetch_one(conn)
    .await?;
    Ok(sum.unwrap_or(0))
}

/// The deltas of the settlements that stand (not reversed) for a bill: did real-time
/// settlement aid it already?
pub async fn standing_settlement_deltas(
    conn: &mut AnyConnection,
    institution_code: &str,
    admission_id: &str,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT s.deltas_json FROM settlement s JOIN institution i ON i.id = s.institution_id \
         WHERE i.code = $1 AND s.admission_id = $2 AND s.status = 'settled'",
    )
    .bind(institution_code)
    .bind(admission_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The contribution grade (缴费档次) recorded on a coverage ('' when none).
pub async fn coverage_grade(
    conn: &mut AnyConnection,
    coverage_id: i64,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT grade FROM coverage WHERE id = $1")
        .bind(coverage_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.0).filter(|g| !g.is_empty()))
}
