//! Complaints and reports (投诉、举报) as stored (migration 0026). Coded columns are read into
//! their domain enums here: an unknown stored key is `Corrupt`, never a default.

use sqlx::AnyConnection;
use yibao_domain::codes::MaybeCode;
use yibao_domain::complaint::{
    ComplaintChannel, ComplaintEvaluation, ComplaintKind, ComplaintStatus, SubjectKind,
};

use crate::error::StoreError;
use crate::search::{any_contains, contains_pattern, id_list, Found, Window};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintRow {
    pub id: i64,
    pub number: String,
    pub agency_id: i64,
    pub region_code: String,
    #[sqlx(try_from = "String")]
    pub kind: ComplaintKind,
    #[sqlx(try_from = "String")]
    pub channel: ComplaintChannel,
    pub ticket: Option<String>,
    #[sqlx(try_from = "String")]
    pub subject_kind: SubjectKind,
    pub subject_name: String,
    pub institution_code: Option<String>,
    pub content: String,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_id_number: Option<String>,
    pub reporter_account: Option<i64>,
    #[sqlx(try_from = "String")]
    pub status: ComplaintStatus,
    pub received_on: String,
    pub decide_by: String,
    pub answer_by: Option<String>,
    pub decision_text: Option<String>,
    pub transferred_to: Option<String>,
    pub handler_id: Option<i64>,
    pub answer_text: Option<String>,
    pub answered_at: Option<String>,
    pub evaluation: Option<String>,
    pub evaluation_text: Option<String>,
    pub limits_example: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ComplaintRow {
    /// The stored evaluation, read into its enum (an unknown key is corrupt data).
    pub fn evaluation(&self) -> Result<Option<ComplaintEvaluation>, StoreError> {
        match &self.evaluation {
            None => Ok(None),
            Some(k) => ComplaintEvaluation::from_key(k).map(Some).ok_or_else(|| {
                StoreError::Corrupt(format!("complaint {}: evaluation {k:?}", self.number))
            }),
        }
    }
}

const COLS: &str = "id, number, agency_id, region_code, kind, channel, ticket, subject_kind, \
    subject_name, institution_code, content, reporter_name, reporter_phone, reporter_id_number, \
    reporter_account, status, received_on, decide_by, answer_by, decision_text, transferred_to, \
    handler_id, answer_text, answered_at, evaluation, evaluation_text, limits_example, created_at, \
    updated_at";

/// Stores a new complaint (its `id` is ignored; its `number` must be a unique placeholder, e.g.
/// random, held only until the statement after the insert) and gives it its number: `TS` + the
/// region code + the year + the id, so the number is unique without a counter.
pub async fn insert(
    conn: &mut AnyConnection,
    c: &ComplaintRow,
) -> Result<(i64, String), StoreError> {
    let placeholder = &c.number;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO complaint (number, agency_id, region_code, kind, channel, ticket, \
         subject_kind, subject_name, institution_code, content, reporter_name, reporter_phone, \
         reporter_id_number, reporter_account, status, received_on, decide_by, answer_by, \
         limits_example, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
    )
    .bind(placeholder)
    .bind(c.agency_id)
    .bind(&c.region_code)
    .bind(c.kind.key())
    .bind(c.channel.key())
    .bind(&c.ticket)
    .bind(c.subject_kind.key())
    .bind(&c.subject_name)
    .bind(&c.institution_code)
    .bind(&c.content)
    .bind(&c.reporter_name)
    .bind(&c.reporter_phone)
    .bind(&c.reporter_id_number)
    .bind(c.reporter_account)
    .bind(c.status.key())
    .bind(&c.received_on)
    .bind(&c.decide_by)
    .bind(&c.answer_by)
    .bind(c.limits_example)
    .bind(&c.created_at)
    .bind(&c.updated_at)
    .fetch_one(&mut *conn)
    .await?;
    let year = c.received_on.get(..4).unwrap_or("0000");
    let number = format!("TS{}{year}{id:08}", c.region_code);
    sqlx::query("UPDATE complaint SET number = $1 WHERE id = $2")
        .bind(&number)
        .bind(id)
        .execute(conn)
        .await?;
    Ok((id, number))
}

pub async fn find_by_number(
    conn: &mut AnyConnection,
    number: &str,
) -> Result<Option<ComplaintRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM complaint WHERE number = $1"))
            .bind(number)
            .fetch_optional(conn)
            .await?,
    )
}

/// What a step changes: the status and the columns the step fills in.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub answer_by: Option<String>,
    pub decision_text: Option<String>,
    pub transferred_to: Option<String>,
    pub handler_id: Option<i64>,
    pub answer_text: Option<String>,
    pub answered_at: Option<String>,
    pub evaluation: Option<String>,
    pub evaluation_text: Option<String>,
}

/// Applies a step if the complaint is still in `from` (a concurrent step makes this a no-op,
/// reported as `false`). Columns left `None` in `change` keep their value.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    from: ComplaintStatus,
    to: ComplaintStatus,
    change: &Change,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE complaint SET status = $1, \
         answer_by = COALESCE($2, answer_by), decision_text = COALESCE($3, decision_text), \
         transferred_to = COALESCE($4, transferred_to), handler_id = COALESCE($5, handler_id), \
         answer_text = COALESCE($6, answer_text), answered_at = COALESCE($7, answered_at), \
         evaluation = COALESCE($8, evaluation), evaluation_text = COALESCE($9, evaluation_text), \
         updated_at = $10 WHERE id = $11 AND status = $12",
    )
    .bind(to.key())
    .bind(&change.answer_by)
    .bind(&change.decision_text)
    .bind(&change.transferred_to)
    .bind(change.handler_id)
    .bind(&change.answer_text)
    .bind(&change.answered_at)
    .bind(&change.evaluation)
    .bind(&change.evaluation_text)
    .bind(now)
    .bind(id)
    .bind(from.key())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintEventRow {
    pub id: i64,
    pub complaint_id: i64,
    pub action: String,
    #[sqlx(try_from = "String")]
    pub from_status: MaybeCode<ComplaintStatus>,
    #[sqlx(try_from = "String")]
    pub to_status: ComplaintStatus,
    pub actor_kind: String,
    pub actor_id: String,
    pub note: String,
    pub at: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_event(
    conn: &mut AnyConnection,
    complaint_id: i64,
    action: &str,
    from: Option<ComplaintStatus>,
    to: ComplaintStatus,
    actor_kind: &str,
    actor_id: &str,
    note: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO complaint_event (complaint_id, action, from_status, to_status, actor_kind, \
         actor_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(complaint_id)
    .bind(action)
    .bind(from.map(|s| s.key()).unwrap_or(""))
    .bind(to.key())
    .bind(actor_kind)
    .bind(actor_id)
    .bind(note)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(
    conn: &mut AnyConnection,
    complaint_id: i64,
) -> Result<Vec<ComplaintEventRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, complaint_id, action, from_status, to_status, actor_kind, actor_id, note, at \
         FROM complaint_event WHERE complaint_id = $1 ORDER BY id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?)
}

/// A reporter's own complaints, newest first.
pub async fn list_for_reporter(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<ComplaintRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM complaint WHERE reporter_account = $1 ORDER BY id DESC"
    ))
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}

/// The complaints of the agencies, optionally of one status, whose number, subject or
/// institution code contains `text` (never the reporter's identity): open ones first.
pub async fn search_for_agencies(
    conn: &mut AnyConnection,
    agency_ids: &[i64],
    status: Option<ComplaintStatus>,
    text: &str,
    w: Window,
) -> Result<Found<ComplaintRow>, StoreError> {
    if agency_ids.is_empty() {
        return Ok(Found {
            rows: Vec::new(),
            total: 0,
        });
    }
    let ids = id_list(agency_ids);
    let filter = format!(
        "agency_id IN ({ids}) AND ($1 = '' OR status = $1) AND ($2 = '' OR {})",
        any_contains(&["number", "subject_name", "institution_code"], 3)
    );
    let status = status.map(|s| s.key()).unwrap_or("");
    let pattern = contains_pattern(text);
    let (total,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM complaint WHERE {filter}"))
            .bind(status)
            .bind(text.trim())
            .bind(&pattern)
            .fetch_one(&mut *conn)
            .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT {COLS} FROM complaint WHERE {filter} \
         ORDER BY CASE WHEN status IN ('received', 'accepted') THEN 0 ELSE 1 END, id DESC \
         LIMIT $4 OFFSET $5"
    ))
    .bind(status)
    .bind(text.trim())
    .bind(&pattern)
    .bind(w.limit)
    .bind(w.offset)
    .fetch_all(conn)
    .await?;
    Ok(Found { rows, total })
}

/// Complaints about one designated institution (by its code), newest first.
pub async fn list_for_institution(
    conn: &mut AnyConnection,
    institution_code: &str,
) -> Result<Vec<ComplaintRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM complaint WHERE institution_code = $1 ORDER BY id DESC"
    ))
    .bind(institution_code)
    .fetch_all(conn)
    .await?)
}
