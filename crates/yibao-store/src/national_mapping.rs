//! 目录对照 (migration 0030): an institution's item codes mapped to national catalogue codes.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MappingRow {
    pub id: i64,
    pub institution_id: i64,
    pub medins_list_codg: String,
    pub med_list_codg: String,
    pub item_name: Option<String>,
    pub list_type: Option<String>,
    pub begndate: Option<String>,
    pub enddate: Option<String>,
    pub msgid: String,
    pub created_at: String,
}

const COLS: &str = "id, institution_id, medins_list_codg, med_list_codg, item_name, list_type, \
    begndate, enddate, msgid, created_at";

#[derive(Debug, Clone)]
pub struct NewMapping<'a> {
    pub institution_id: i64,
    pub medins_list_codg: &'a str,
    pub med_list_codg: &'a str,
    pub item_name: Option<&'a str>,
    pub list_type: Option<&'a str>,
    pub begndate: Option<&'a str>,
    pub enddate: Option<&'a str>,
    pub msgid: &'a str,
}

/// The institution's live mapping of `medins_list_codg`.
pub async fn find_live(
    conn: &mut AnyConnection,
    institution_id: i64,
    medins_list_codg: &str,
) -> Result<Option<MappingRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM national_mapping WHERE institution_id = $1 \
         AND medins_list_codg = $2 AND status = 'active'"
    ))
    .bind(institution_id)
    .bind(medins_list_codg)
    .fetch_optional(conn)
    .await?)
}

/// Records a live mapping. `Conflict` when the item code is mapped already (the unique index).
pub async fn insert(
    conn: &mut AnyConnection,
    m: &NewMapping<'_>,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO national_mapping (institution_id, medins_list_codg, med_list_codg, \
         item_name, list_type, begndate, enddate, status, msgid, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9)",
    )
    .bind(m.institution_id)
    .bind(m.medins_list_codg)
    .bind(m.med_list_codg)
    .bind(m.item_name)
    .bind(m.list_type)
    .bind(m.begndate)
    .bind(m.enddate)
    .bind(m.msgid)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Withdraws the live mapping of `medins_list_codg`: false when there was none.
pub async fn withdraw(
    conn: &mut AnyConnection,
    institution_id: i64,
    medins_list_codg: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE national_mapping SET status = 'withdrawn', withdrawn_at = $1 \
         WHERE institution_id = $2 AND medins_list_codg = $3 AND status = 'active'",
    )
    .bind(now)
    .bind(institution_id)
    .bind(medins_list_codg)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
