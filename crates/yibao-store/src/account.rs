//! Personal accounts (个人账户): open or closed, and the statement (个人账户明细). The balance
//! is on the accumulator row (`settlement::lock_accumulator`); each change writes an entry here
//! in the same transaction.

use serde::Serialize;
use sqlx::AnyConnection;
use yibao_domain::account::{AccountStatus, EntryKind};

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccountRow {
    pub person_id_number: String,
    #[sqlx(try_from = "String")]
    pub status: AccountStatus,
    pub closed_at: Option<String>,
    pub closed_by_case: Option<String>,
    pub updated_at: String,
}

/// The account's row; none means open (an account is opened by its first credit, implicitly).
pub async fn find(
    conn: &mut AnyConnection,
    person: &str,
) -> Result<Option<AccountRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT person_id_number, status, closed_at, closed_by_case, updated_at \
         FROM personal_account WHERE person_id_number = $1",
    )
    .bind(person)
    .fetch_optional(conn)
    .await?)
}

pub async fn status(conn: &mut AnyConnection, person: &str) -> Result<AccountStatus, StoreError> {
    Ok(find(conn, person)
        .await?
        .map(|a| a.status)
        .unwrap_or(AccountStatus::Open))
}

/// Closes the account (一次性支取); `false` if it was closed already.
pub async fn close(
    conn: &mut AnyConnection,
    person: &str,
    case_number: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO personal_account (person_id_number, status, closed_at, closed_by_case, updated_at) \
         VALUES ($1, 'closed', $2, $3, $2) ON CONFLICT (person_id_number) DO UPDATE \
         SET status = 'closed', closed_at = $2, closed_by_case = $3, updated_at = $2 \
         WHERE personal_account.status = 'open'",
    )
    .bind(person)
    .bind(now)
    .bind(case_number)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub person_id_number: String,
    pub year: i64,
    #[sqlx(try_from = "String")]
    pub kind: EntryKind,
    pub amount_fen: i64,
    pub balance_after_fen: i64,
    /// What caused it: a case number, `institution/request id` of a settlement, a credit note.
    pub reference: String,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

const COLS: &str = "id, person_id_number, year, kind, amount_fen, balance_after_fen, reference, \
                    note, created_by, created_at";

pub async fn insert_entry(conn: &mut AnyConnection, e: &EntryRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO account_entry (person_id_number, year, kind, amount_fen, balance_after_fen, \
         reference, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(&e.person_id_number)
    .bind(e.year)
    .bind(e.kind.key())
    .bind(e.amount_fen)
    .bind(e.balance_after_fen)
    .bind(&e.reference)
    .bind(&e.note)
    .bind(&e.created_by)
    .bind(&e.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Inserts statement lines in the given order (so their ids, which order a statement, follow
/// it): one statement on PostgreSQL, one per line on SQLite.
pub async fn insert_entries(conn: &mut AnyConnection, rows: &[EntryRow]) -> Result<(), StoreError> {
    if conn.backend_name() != "PostgreSQL" {
        for e in rows {
            insert_entry(conn, e).await?;
        }
        return Ok(());
    }
    if rows.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(
        &rows
            .iter()
            .enumerate()
            .map(|(o, e)| {
                serde_json::json!({"o": o, "p": e.person_id_number, "y": e.year,
                    "k": e.kind.key(), "m": e.amount_fen, "b": e.balance_after_fen,
                    "r": e.reference, "n": e.note, "c": e.created_by, "a": e.created_at})
            })
            .collect::<Vec<_>>(),
    )
    .map_err(|e| StoreError::Corrupt(format!("statement lines: {e}")))?;
    sqlx::query(
        "INSERT INTO account_entry (person_id_number, year, kind, amount_fen, balance_after_fen, \
         reference, note, created_by, created_at) \
         SELECT x.p, x.y, x.k, x.m, x.b, x.r, x.n, x.c, x.a FROM json_to_recordset($1::json) \
         AS x(o BIGINT, p TEXT, y BIGINT, k TEXT, m BIGINT, b BIGINT, r TEXT, n TEXT, c TEXT, \
           a TEXT) ORDER BY x.o",
    )
    .bind(json)
    .execute(conn)
    .await?;
    Ok(())
}

/// Of these people, those whose account is closed (one statement; persons without an account
/// row have an open one).
pub async fn closed_among(
    conn: &mut AnyConnection,
    persons: &[&str],
) -> Result<std::collections::HashSet<String>, StoreError> {
    if persons.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let json =
        serde_json::to_string(persons).map_err(|e| StoreError::Corrupt(format!("persons: {e}")))?;
    let sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT person_id_number FROM personal_account WHERE status = 'closed' \
         AND person_id_number IN (SELECT json_array_elements_text($1::json))"
    } else {
        "SELECT person_id_number FROM personal_account WHERE status = 'closed' \
         AND person_id_number IN (SELECT value FROM json_each($1))"
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql).bind(json).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A page of a year's statement, newest first: entries with an id below `before` (all when
/// none), at most `limit`.
pub async fn page(
    conn: &mut AnyConnection,
    person: &str,
    year: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<EntryRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM account_entry WHERE person_id_number = $1 AND year = $2 AND id < $3 \
         ORDER BY id DESC LIMIT $4"
    ))
    .bind(person)
    .bind(year)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// A year's whole statement, oldest first (for its totals).
pub async fn year(
    conn: &mut AnyConnection,
    person: &str,
    year: i64,
) -> Result<Vec<EntryRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM account_entry WHERE person_id_number = $1 AND year = $2 ORDER BY id"
    ))
    .bind(person)
    .bind(year)
    .fetch_all(conn)
    .await?)
}

/// The years of the person's accumulator rows (where account balances are kept), oldest first.
pub async fn balance_years(conn: &mut AnyConnection, person: &str) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT year FROM accumulator WHERE person_id_number = $1 ORDER BY year")
            .bind(person)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LinkRow {
    pub id: i64,
    pub holder_id_number: String,
    pub user_id_number: String,
    pub relationship: String,
    pub created_case: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub revoked_case: Option<String>,
}

const LINK_COLS: &str = "id, holder_id_number, user_id_number, relationship, created_case, \
                         created_at, revoked_at, revoked_case";

/// The holder whose account `user` may draw on (the settlement path's one look-up, by the
/// partial unique index on the user).
pub async fn active_holder_of(
    conn: &mut AnyConnection,
    user: &str,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT holder_id_number FROM account_link WHERE user_id_number = $1 AND revoked_at IS NULL",
    )
    .bind(user)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}

/// `StoreError::Conflict` when the user already has an active link (the unique index).
pub async fn insert_link(conn: &mut AnyConnection, l: &LinkRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO account_link (holder_id_number, user_id_number, relationship, created_case, \
         created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&l.holder_id_number)
    .bind(&l.user_id_number)
    .bind(&l.relationship)
    .bind(&l.created_case)
    .bind(&l.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Revokes the active link of `holder` to `user`; `false` if there is none.
pub async fn revoke_link(
    conn: &mut AnyConnection,
    holder: &str,
    user: &str,
    case_number: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE account_link SET revoked_at = $1, revoked_case = $2 \
         WHERE holder_id_number = $3 AND user_id_number = $4 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(case_number)
    .bind(holder)
    .bind(user)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Links the person holds (others draw on their account) and links the person draws on, active
/// and revoked, newest first.
pub async fn links_of(conn: &mut AnyConnection, person: &str) -> Result<Vec<LinkRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {LINK_COLS} FROM account_link WHERE holder_id_number = $1 OR user_id_number = $1 \
         ORDER BY id DESC"
    ))
    .bind(person)
    .fetch_all(conn)
    .await?)
}

/// True when the person lets someone draw on their account (an active link as holder).
pub async fn is_active_holder(conn: &mut AnyConnection, person: &str) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM account_link WHERE holder_id_number = $1 AND revoked_at IS NULL LIMIT 1",
    )
    .bind(person)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Every accumulator row of a year with its state (the balance is inside), by person: the
/// year-end carry-over reads them once and locks only the rows with a balance.
pub async fn year_states(
    conn: &mut AnyConnection,
    year: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT person_id_number, state_json FROM accumulator WHERE year = $1 \
         ORDER BY person_id_number",
    )
    .bind(year)
    .fetch_all(conn)
    .await?)
}
