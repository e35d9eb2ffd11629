//! Employers (参保单位) and insured persons (参保人员). Identifiers arrive here already parsed
//! and verified by the domain newtypes; the store keeps them as text.

use serde::Serialize;
use sqlx::AnyConnection;
use yibao_domain::enrolment::employer::EmployerStatus;
use yibao_domain::{CitizenId, RegionCode, Uscc};

use crate::error::StoreError;
use crate::search::{any_contains, contains_pattern, Found, Window};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EmployerRow {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub legal_representative: String,
    pub address: String,
    pub phone: String,
    pub created_at: String,
    #[sqlx(try_from = "String")]
    pub status: EmployerStatus,
    pub contact_name: String,
    pub bank_name: String,
    pub bank_account: String,
    pub arrears_fen: i64,
    pub registered_on: String,
    pub deregistered_on: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewEmployer<'a> {
    pub uscc: &'a Uscc,
    pub name: &'a str,
    pub kind: &'a str,
    pub region_code: &'a RegionCode,
    pub legal_representative: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub contact_name: &'a str,
    pub bank_name: &'a str,
    pub bank_account: &'a str,
    pub registered_on: &'a str,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub region_code: String,
    pub phone: String,
    pub created_at: String,
    pub document_type: String,
    pub address: String,
}

#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    pub id_number: &'a CitizenId,
    pub name: &'a str,
    pub region_code: &'a RegionCode,
    pub phone: &'a str,
}

pub async fn insert_employer(
    conn: &mut AnyConnection,
    e: &NewEmployer<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO employer (uscc, name, kind, region_code, legal_representative, address, phone, \
         created_at, contact_name, bank_name, bank_account, registered_on, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $8) RETURNING id",
    )
    .bind(e.uscc.as_str())
    .bind(e.name)
    .bind(e.kind)
    .bind(e.region_code.as_str())
    .bind(e.legal_representative)
    .bind(e.address)
    .bind(e.phone)
    .bind(now)
    .bind(e.contact_name)
    .bind(e.bank_name)
    .bind(e.bank_account)
    .bind(e.registered_on)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn list_employers(conn: &mut AnyConnection) -> Result<Vec<EmployerRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {EMPLOYER_COLS} FROM employer ORDER BY id"))
            .fetch_all(conn)
            .await?,
    )
}

pub async fn insert_person(
    conn: &mut AnyConnection,
    p: &NewPerson<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let sex = match p.id_number.sex() {
        yibao_domain::ids::Sex::Male => "male",
        yibao_domain::ids::Sex::Female => "female",
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO person (id_number, name, sex, birth_date, region_code, phone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(p.id_number.as_str())
    .bind(p.name)
    .bind(sex)
    .bind(p.id_number.birth_date().format("%Y-%m-%d").to_string())
    .bind(p.region_code.as_str())
    .bind(p.phone)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn list_persons(conn: &mut AnyConnection) -> Result<Vec<PersonRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, id_number, name, sex, birth_date, region_code, phone, created_at, document_type, address \
         FROM person ORDER BY id",
    )
    .fetch_all(conn)
    .await?)
}

const PERSON_COLS: &str =
    "id, id_number, name, sex, birth_date, region_code, phone, created_at, document_type, address";

/// Rows of `table` in regions starting with `region_prefix` whose `searched` columns contain
/// `text` (any when empty), by id: one window of them and the count of all.
async fn search_in_region<T>(
    conn: &mut AnyConnection,
    (table, cols, searched): (&str, &str, &[&str]),
    region_prefix: &str,
    text: &str,
    w: Window,
) -> Result<Found<T>, StoreError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let filter = format!(
        "region_code LIKE $1 AND ($2 = '' OR {})",
        any_contains(searched, 3)
    );
    let region = format!("{region_prefix}%");
    let pattern = contains_pattern(text);
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {filter}"))
        .bind(&region)
        .bind(text.trim())
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT {cols} FROM {table} WHERE {filter} ORDER BY id LIMIT $4 OFFSET $5"
    ))
    .bind(&region)
    .bind(text.trim())
    .bind(&pattern)
    .bind(w.limit)
    .bind(w.offset)
    .fetch_all(conn)
    .await?;
    Ok(Found { rows, total })
}

/// Persons registered in regions starting with `region_prefix` whose name or ID number contains
/// `text`.
pub async fn search_persons(
    conn: &mut AnyConnection,
    region_prefix: &str,
    text: &str,
    w: Window,
) -> Result<Found<PersonRow>, StoreError> {
    let what = ("person", PERSON_COLS, &["name", "id_number"][..]);
    search_in_region(conn, what, region_prefix, text, w).await
}

/// Employers in regions starting with `region_prefix` whose name or USCC contains `text`.
pub async fn search_employers(
    conn: &mut AnyConnection,
    region_prefix: &str,
    text: &str,
    w: Window,
) -> Result<Found<EmployerRow>, StoreError> {
    let what = ("employer", EMPLOYER_COLS, &["name", "uscc"][..]);
    search_in_region(conn, what, region_prefix, text, w).await
}

pub async fn find_person(
    conn: &mut AnyConnection,
    id_number: &CitizenId,
) -> Result<Option<PersonRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, id_number, name, sex, birth_date, region_code, phone, created_at, document_type, address \
         FROM person WHERE id_number = $1",
    )
    .bind(id_number.as_str())
    .fetch_optional(conn)
    .await?)
}

pub async fn counts(conn: &mut AnyConnection) -> Result<(i64, i64), StoreError> {
    let (e,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employer")
        .fetch_one(&mut *conn)
        .await?;
    let (p,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM person")
        .fetch_one(&mut *conn)
        .await?;
    Ok((e, p))
}

pub async fn find_person_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<PersonRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, id_number, name, sex, birth_date, region_code, phone, created_at, document_type, address \
         FROM person WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub(crate) const EMPLOYER_COLS: &str =
    "id, uscc, name, kind, region_code, legal_representative, address, phone, created_at, status, \
     contact_name, bank_name, bank_account, arrears_fen, registered_on, deregistered_on";

pub async fn find_employer(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<EmployerRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {EMPLOYER_COLS} FROM employer WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn find_employer_by_uscc(
    conn: &mut AnyConnection,
    uscc: &str,
) -> Result<Option<EmployerRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {EMPLOYER_COLS} FROM employer WHERE uscc = $1"
    ))
    .bind(uscc)
    .fetch_optional(conn)
    .await?)
}
