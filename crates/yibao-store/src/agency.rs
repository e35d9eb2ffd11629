//! Agencies (医保经办机构) and their service windows (窗口).

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgencyRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub region_code: String,
    pub level: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewAgency<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub region_code: &'a str,
    pub level: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub hours: &'a str,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WindowRow {
    pub id: i64,
    pub agency_id: i64,
    pub code: String,
    pub name: String,
    pub cross_region: i64,
    pub created_at: String,
}

pub async fn insert(
    conn: &mut AnyConnection,
    a: &NewAgency<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO agency (code, name, region_code, level, address, phone, hours, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(a.code)
    .bind(a.name)
    .bind(a.region_code)
    .bind(a.level)
    .bind(a.address)
    .bind(a.phone)
    .bind(a.hours)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<AgencyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, code, name, region_code, level, address, phone, hours, created_at \
         FROM agency ORDER BY region_code, code",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn insert_window(
    conn: &mut AnyConnection,
    agency_id: i64,
    code: &str,
    name: &str,
    cross_region: bool,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO service_window (agency_id, code, name, cross_region, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(agency_id)
    .bind(code)
    .bind(name)
    .bind(i64::from(cross_region))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn list_windows(conn: &mut AnyConnection) -> Result<Vec<WindowRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, agency_id, code, name, cross_region, created_at \
         FROM service_window ORDER BY agency_id, code",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agency")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<AgencyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, code, name, region_code, level, address, phone, hours, created_at \
         FROM agency WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn find_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<AgencyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, code, name, region_code, level, address, phone, hours, created_at \
         FROM agency WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?)
}
