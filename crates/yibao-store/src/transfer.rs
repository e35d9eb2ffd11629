//! Transfers between regions (migration 0032): one row per transfer and side.

use sqlx::AnyConnection;
use yibao_domain::transfer::{Side, Step};

use crate::error::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransferRow {
    pub id: i64,
    pub reference: String,
    #[sqlx(try_from = "String")]
    pub side: Side,
    pub other_region: String,
    pub person_id_number: String,
    pub person_name: String,
    pub certificate_code: String,
    pub status: String,
    /// The step this side owes now, if any, since when and until when.
    pub owed_step: Option<String>,
    pub owed_since: Option<String>,
    pub due_on: Option<String>,
    pub letter_sent_on: Option<String>,
    pub sheet_sent_on: Option<String>,
    pub completed_on: Option<String>,
    pub balance_fen: i64,
    pub covered_months: i64,
    pub sheet_json: String,
    pub created_at: String,
    pub updated_at: String,
    /// Why the leaving side refused the transfer (status `refused`), in words.
    pub refusal_reason: Option<String>,
}

impl TransferRow {
    pub fn owed(&self) -> Option<Step> {
        self.owed_step.as_deref().and_then(Step::from_key)
    }
}

const COLS: &str = "id, reference, side, other_region, person_id_number, person_name, \
     certificate_code, status, owed_step, owed_since, due_on, letter_sent_on, sheet_sent_on, \
     completed_on, balance_fen, covered_months, sheet_json, created_at, updated_at, \
     refusal_reason";

pub async fn insert(conn: &mut AnyConnection, t: &TransferRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO transfer (reference, side, other_region, person_id_number, person_name, \
         certificate_code, status, owed_step, owed_since, due_on, balance_fen, covered_months, \
         sheet_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&t.reference)
    .bind(t.side.key())
    .bind(&t.other_region)
    .bind(&t.person_id_number)
    .bind(&t.person_name)
    .bind(&t.certificate_code)
    .bind(&t.status)
    .bind(&t.owed_step)
    .bind(&t.owed_since)
    .bind(&t.due_on)
    .bind(t.balance_fen)
    .bind(t.covered_months)
    .bind(&t.sheet_json)
    .bind(&t.created_at)
    .fetch_one(conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict("transfer".into())
        }
        e => e.into(),
    })?;
    Ok(id)
}

/// The transfer `reference` on `side`, locked for update on PostgreSQL (SQLite's write
/// transaction is exclusive).
pub async fn find_for_update(
    conn: &mut AnyConnection,
    side: Side,
    reference: &str,
) -> Result<Option<TransferRow>, StoreError> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM transfer WHERE side = $1 AND reference = $2{lock}"
    ))
    .bind(side.key())
    .bind(reference)
    .fetch_optional(conn)
    .await?)
}

/// Moves the transfer to `status`, owing `owed` (step, since, due) or nothing, with the
/// columns a step fills in.
pub struct Advance<'a> {
    pub id: i64,
    pub from_status: &'a str,
    pub status: &'a str,
    pub owed: Option<(Step, &'a str, &'a str)>,
    pub letter_sent_on: Option<&'a str>,
    pub sheet_sent_on: Option<&'a str>,
    pub completed_on: Option<&'a str>,
    pub balance_fen: Option<i64>,
    pub covered_months: Option<i64>,
    pub sheet_json: Option<&'a str>,
    pub now: &'a str,
}

pub async fn advance(conn: &mut AnyConnection, a: &Advance<'_>) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE transfer SET status = $2, owed_step = $3, owed_since = $4, due_on = $5, \
         letter_sent_on = COALESCE($6, letter_sent_on), sheet_sent_on = COALESCE($7, sheet_sent_on), \
         completed_on = COALESCE($8, completed_on), balance_fen = COALESCE($9, balance_fen), \
         covered_months = COALESCE($10, covered_months), sheet_json = COALESCE($11, sheet_json), \
         updated_at = $12 WHERE id = $1 AND status = $13",
    )
    .bind(a.id)
    .bind(a.status)
    .bind(a.owed.map(|o| o.0.key()))
    .bind(a.owed.map(|o| o.1))
    .bind(a.owed.map(|o| o.2))
    .bind(a.letter_sent_on)
    .bind(a.sheet_sent_on)
    .bind(a.completed_on)
    .bind(a.balance_fen)
    .bind(a.covered_months)
    .bind(a.sheet_json)
    .bind(a.now)
    .bind(a.from_status)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale("transfer".into()));
    }
    Ok(())
}

/// Every transfer this side owes a step on, soonest due first.
pub async fn owed(conn: &mut AnyConnection) -> Result<Vec<TransferRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM transfer WHERE owed_step IS NOT NULL ORDER BY due_on, id"
    ))
    .fetch_all(conn)
    .await?)
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<TransferRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM transfer ORDER BY id"))
            .fetch_all(conn)
            .await?,
    )
}

/// The transfer with `reference` (a read: pages and the API).
pub async fn find(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<TransferRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM transfer WHERE reference = $1 ORDER BY id LIMIT 1"
    ))
    .bind(reference)
    .fetch_optional(conn)
    .await?)
}

/// The transfer is refused (`refused`): nothing more is owed on it here; `reason` in words.
pub async fn refuse(
    conn: &mut AnyConnection,
    id: i64,
    from_status: &str,
    reason: &str,
    now: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE transfer SET status = 'refused', owed_step = NULL, owed_since = NULL, \
         due_on = NULL, refusal_reason = $2, updated_at = $3 WHERE id = $1 AND status = $4",
    )
    .bind(id)
    .bind(reason)
    .bind(now)
    .bind(from_status)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale("transfer".into()));
    }
    Ok(())
}
