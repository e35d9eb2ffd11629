//! E-vouchers (医保电子凭证, migration 0029): who holds which voucher, and whether it was
//! revoked. Tokens are not stored: they are signed and verified offline.

use serde::Serialize;
use sqlx::AnyConnection;
use yibao_domain::codes::MaybeCode;
use yibao_domain::evoucher::{RevokeReason, VoucherStatus};

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VoucherRow {
    pub id: i64,
    pub person_id_number: String,
    #[sqlx(try_from = "String")]
    pub status: VoucherStatus,
    pub issued_at: String,
    /// The actor's audit label (the person online, or a clerk).
    pub issued_by: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    #[sqlx(try_from = "String")]
    pub revoke_reason: MaybeCode<RevokeReason>,
}

const COLS: &str = "id, person_id_number, status, issued_at, issued_by, revoked_at, revoked_by, \
    COALESCE(revoke_reason, '') AS revoke_reason";

/// Activates a voucher for the person. `Conflict` when the person holds an active one already
/// (the partial unique index): the caller reads that one.
pub async fn insert(
    conn: &mut AnyConnection,
    person_id_number: &str,
    issued_by: &str,
    now: &str,
) -> Result<VoucherRow, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO evoucher (person_id_number, status, issued_at, issued_by) \
         VALUES ($1, 'active', $2, $3) RETURNING id",
    )
    .bind(person_id_number)
    .bind(now)
    .bind(issued_by)
    .fetch_one(&mut *conn)
    .await?;
    find(conn, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("evoucher {id} vanished")))
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<VoucherRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM evoucher WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The person's active voucher, if any.
pub async fn find_active(
    conn: &mut AnyConnection,
    person_id_number: &str,
) -> Result<Option<VoucherRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM evoucher WHERE person_id_number = $1 AND status = 'active'"
    ))
    .bind(person_id_number)
    .fetch_optional(conn)
    .await?)
}

/// Every voucher the person held, newest first.
pub async fn list_for_person(
    conn: &mut AnyConnection,
    person_id_number: &str,
) -> Result<Vec<VoucherRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM evoucher WHERE person_id_number = $1 ORDER BY id DESC"
    ))
    .bind(person_id_number)
    .fetch_all(conn)
    .await?)
}

/// Revokes an active voucher (compare-and-set on the status): false when it was not active.
pub async fn revoke(
    conn: &mut AnyConnection,
    id: i64,
    reason: RevokeReason,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE evoucher SET status = 'revoked', revoked_at = $1, revoked_by = $2, \
         revoke_reason = $3 WHERE id = $4 AND status = 'active'",
    )
    .bind(now)
    .bind(by)
    .bind(reason.key())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
