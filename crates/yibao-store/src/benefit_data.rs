//! Policy versions and benefit catalogues imported by administrators (the texts are validated by
//! the domain before they are stored).

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PolicyRow {
    pub region_code: String,
    pub version: i64,
    pub text: String,
    pub sha256: String,
    pub imported_at: String,
    pub imported_by: String,
}

pub async fn policies(conn: &mut AnyConnection) -> Result<Vec<PolicyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT region_code, version, text, sha256, imported_at, imported_by FROM policy_version \
         ORDER BY region_code, version",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn insert_policy(conn: &mut AnyConnection, p: &PolicyRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO policy_version (region_code, version, text, sha256, imported_at, imported_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&p.region_code)
    .bind(p.version)
    .bind(&p.text)
    .bind(&p.sha256)
    .bind(&p.imported_at)
    .bind(&p.imported_by)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CatalogueRow {
    pub region_code: String,
    pub version: i64,
    #[serde(skip)]
    pub csv_text: String,
    pub sha256: String,
    pub entries: i64,
    pub imported_at: String,
    pub imported_by: String,
}

pub async fn catalogues(conn: &mut AnyConnection) -> Result<Vec<CatalogueRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT region_code, version, csv_text, sha256, entries, imported_at, imported_by \
         FROM benefit_catalogue ORDER BY region_code, version",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn insert_catalogue(
    conn: &mut AnyConnection,
    c: &CatalogueRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO benefit_catalogue (region_code, version, csv_text, sha256, entries, \
         imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&c.region_code)
    .bind(c.version)
    .bind(&c.csv_text)
    .bind(&c.sha256)
    .bind(c.entries)
    .bind(&c.imported_at)
    .bind(&c.imported_by)
    .execute(conn)
    .await?;
    Ok(())
}
