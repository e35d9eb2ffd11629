//! Cases (办件) as stored: the case row, its history, materials (content kept in the database),
//! deficiency notices, clock pauses and the evaluation. The rules live in the domain's `case`
//! module; this module only reads and writes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::AnyConnection;

use yibao_domain::case::{ApplicantType, CaseStatus, Evaluation, EventKind, FollowUp};
use yibao_domain::codes::MaybeCode;

use crate::error::StoreError;
use crate::json_text::JsonText;
use crate::search::{any_contains, contains_pattern, id_list, Found, Window};

/// What the case was opened with besides its form: the applicant's insured region (it decides
/// the jurisdiction's rules) and the catalog predicates the applicant declared (`applies_to`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub region_code: String,
    #[serde(default)]
    pub facts: Vec<String>,
}

/// Hands out the next sequence number for cases numbered in `region` on `day`. The upsert takes
/// the row lock, so two clerks never get the same number.
pub async fn next_sequence(
    conn: &mut AnyConnection,
    region: &str,
    day: &str,
) -> Result<i64, StoreError> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO case_sequence (region_code, day, last_seq) VALUES ($1, $2, 1) \
         ON CONFLICT (region_code, day) DO UPDATE SET last_seq = case_sequence.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(region)
    .bind(day)
    .fetch_one(conn)
    .await?;
    Ok(seq)
}

/// The month a case is filed under (`YYYY-MM` of its number's date), the partition key of the
/// case tables on PostgreSQL (migration 0050, docs/adr/0015-partitioned-cases.md). It is the
/// database's own rule, `substr(number, 8, 4) || '-' || substr(number, 12, 2)` (a CHECK on
/// PostgreSQL), spelled in characters as both databases' `substr` counts them, so that it holds
/// for any stored text and not only canonical numbers.
pub fn month_of(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let part = |from: usize, len: usize| -> String {
        chars.iter().skip(from - 1).take(len).collect::<String>()
    };
    format!("{}-{}", part(8, 4), part(12, 2))
}

/// How a case's children name it: its id with its month. The month lets every statement on
/// PostgreSQL read one partition, and the children's foreign keys name both (`case_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseKey {
    pub id: i64,
    pub month: String,
}

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub jurisdiction: String,
    pub item_id: String,
    pub item_version: i64,
    pub service_key: String,
    #[sqlx(try_from = "String")]
    pub applicant_kind: ApplicantType,
    pub applicant_ref: String,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub agent_json: Option<String>,
    pub channel: String,
    pub receiving_agency_id: i64,
    pub deciding_agency_id: i64,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    pub review_level: i64,
    /// The application form: field → value.
    #[sqlx(rename = "form_json", try_from = "String")]
    pub form: JsonText<BTreeMap<String, String>>,
    #[sqlx(rename = "facts_json", try_from = "String")]
    pub facts: JsonText<CaseFacts>,
    pub submitted_at: Option<String>,
    pub accepted_on: Option<String>,
    pub deadline: Option<String>,
    pub completed_at: Option<String>,
    /// What completing did (the effect's answer); free-form per service.
    #[sqlx(rename = "outcome_json", try_from = "Option<String>")]
    pub outcome: JsonText<Option<Value>>,
    pub refusal_reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub row_version: i64,
}

impl CaseRow {
    /// What the case's children and its updates name it by.
    pub fn key(&self) -> CaseKey {
        CaseKey {
            id: self.id,
            month: month_of(&self.number),
        }
    }
}

const CASE_COLS: &str = "id, number, jurisdiction, item_id, item_version, service_key, \
    applicant_kind, applicant_ref, applicant_name, applicant_phone, agent_json, channel, \
    receiving_agency_id, deciding_agency_id, status, review_level, form_json, facts_json, \
    submitted_at, accepted_on, deadline, completed_at, outcome_json, refusal_reason, created_by, \
    created_at, updated_at, row_version";

pub async fn insert(conn: &mut AnyConnection, c: &CaseRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO case_file (number, jurisdiction, item_id, item_version, service_key, \
         applicant_kind, applicant_ref, applicant_name, applicant_phone, agent_json, channel, \
         receiving_agency_id, deciding_agency_id, status, review_level, form_json, facts_json, \
         submitted_at, accepted_on, deadline, completed_at, outcome_json, refusal_reason, \
         created_by, created_at, updated_at, row_version, month) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25, $26, 0, $27) RETURNING id",
    )
    .bind(&c.number)
    .bind(&c.jurisdiction)
    .bind(&c.item_id)
    .bind(c.item_version)
    .bind(&c.service_key)
    .bind(c.applicant_kind.key())
    .bind(&c.applicant_ref)
    .bind(&c.applicant_name)
    .bind(&c.applicant_phone)
    .bind(&c.agent_json)
    .bind(&c.channel)
    .bind(c.receiving_agency_id)
    .bind(c.deciding_agency_id)
    .bind(c.status.as_str())
    .bind(c.review_level)
    .bind(c.form.text()?)
    .bind(c.facts.text()?)
    .bind(&c.submitted_at)
    .bind(&c.accepted_on)
    .bind(&c.deadline)
    .bind(&c.completed_at)
    .bind(c.outcome.nullable_text()?)
    .bind(&c.refusal_reason)
    .bind(&c.created_by)
    .bind(&c.created_at)
    .bind(&c.updated_at)
    .bind(month_of(&c.number))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Writes back the mutable fields, only if nobody changed the row since it was read
/// (optimistic locking on `row_version`); otherwise `StoreError::Conflict`.
pub async fn update(conn: &mut AnyConnection, c: &CaseRow) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE case_file SET status = $1, review_level = $2, form_json = $3, facts_json = $4, \
         submitted_at = $5, accepted_on = $6, deadline = $7, completed_at = $8, outcome_json = $9, \
         refusal_reason = $10, updated_at = $11, deciding_agency_id = $12, agent_json = $13, \
         row_version = row_version + 1 \
         WHERE id = $14 AND month = $15 AND row_version = $16",
    )
    .bind(c.status.as_str())
    .bind(c.review_level)
    .bind(c.form.text()?)
    .bind(c.facts.text()?)
    .bind(&c.submitted_at)
    .bind(&c.accepted_on)
    .bind(&c.deadline)
    .bind(&c.completed_at)
    .bind(c.outcome.nullable_text()?)
    .bind(&c.refusal_reason)
    .bind(&c.updated_at)
    .bind(c.deciding_agency_id)
    .bind(&c.agent_json)
    .bind(c.id)
    .bind(month_of(&c.number))
    .bind(c.row_version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale(format!(
            "case {} was changed by someone else",
            c.number
        )))
    }
}

pub async fn find(conn: &mut AnyConnection, key: &CaseKey) -> Result<Option<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM case_file WHERE id = $1 AND month = $2"
    ))
    .bind(key.id)
    .bind(&key.month)
    .fetch_optional(conn)
    .await?)
}

/// The case with this number. The number names its month, so on PostgreSQL this reads one
/// partition's `(number, month)` index.
pub async fn find_by_number(
    conn: &mut AnyConnection,
    number: &str,
) -> Result<Option<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM case_file WHERE number = $1 AND month = $2"
    ))
    .bind(number)
    .bind(month_of(number))
    .fetch_optional(conn)
    .await?)
}

/// The cases filed under `month` (`YYYY-MM`), oldest first: one partition on PostgreSQL.
pub async fn list_for_month(
    conn: &mut AnyConnection,
    month: &str,
) -> Result<Vec<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM case_file WHERE month = $1 ORDER BY id"
    ))
    .bind(month)
    .fetch_all(conn)
    .await?)
}

/// How many cases filed under `month` are not in a final state (completed, refused, withdrawn):
/// a month with any is not archived (`partition::detach`).
pub async fn count_open_in_month(conn: &mut AnyConnection, month: &str) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM case_file WHERE month = $1 AND status NOT IN ({})",
        terminal_list()
    ))
    .bind(month)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// The final states as an SQL list (`'completed', …`), from the domain's own enum.
fn terminal_list() -> String {
    CaseStatus::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn list_by_applicant(
    conn: &mut AnyConnection,
    kind: ApplicantType,
    reference: &str,
) -> Result<Vec<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM case_file WHERE applicant_kind = $1 AND applicant_ref = $2 \
         ORDER BY id DESC"
    ))
    .bind(kind.key())
    .bind(reference)
    .fetch_all(conn)
    .await?)
}

/// Cases an agency works on: received by it or decided by it.
pub async fn list_for_agency(
    conn: &mut AnyConnection,
    agency_id: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM case_file \
         WHERE receiving_agency_id = $1 OR deciding_agency_id = $1 ORDER BY id DESC"
    ))
    .bind(agency_id)
    .fetch_all(conn)
    .await?)
}

/// The cases the agencies work on (received or decided by one of them), optionally of one
/// status, whose number, applicant name or applicant ID contains `text`: open cases first, newest
/// first, one window of them and the count of all.
pub async fn search_for_agencies(
    conn: &mut AnyConnection,
    agency_ids: &[i64],
    status: Option<CaseStatus>,
    text: &str,
    w: Window,
) -> Result<Found<CaseRow>, StoreError> {
    if agency_ids.is_empty() {
        return Ok(Found {
            rows: Vec::new(),
            total: 0,
        });
    }
    let ids = id_list(agency_ids);
    let terminal = terminal_list();
    let filter = format!(
        "(receiving_agency_id IN ({ids}) OR deciding_agency_id IN ({ids})) \
         AND ($1 = '' OR status = $1) AND ($2 = '' OR {})",
        any_contains(&["number", "applicant_name", "applicant_ref"], 3)
    );
    let status = status.map(|s| s.as_str()).unwrap_or("");
    let pattern = contains_pattern(text);
    let (total,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM case_file WHERE {filter}"))
            .bind(status)
            .bind(text.trim())
            .bind(&pattern)
            .fetch_one(&mut *conn)
            .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM case_file WHERE {filter} \
         ORDER BY CASE WHEN status IN ({terminal}) THEN 1 ELSE 0 END, id DESC LIMIT $4 OFFSET $5"
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

/// What the dashboard counts of one case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DashboardRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    pub jurisdiction: String,
    pub item_id: String,
    pub item_version: i64,
    pub deciding_agency_id: i64,
    pub accepted_on: Option<String>,
    pub completed_at: Option<String>,
}

/// The few columns the dashboard counts, for the cases the agencies work on.
pub async fn dashboard_rows(
    conn: &mut AnyConnection,
    agency_ids: &[i64],
) -> Result<Vec<DashboardRow>, StoreError> {
    if agency_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = id_list(agency_ids);
    Ok(sqlx::query_as(&format!(
        "SELECT id, status, jurisdiction, item_id, item_version, deciding_agency_id, accepted_on, \
         completed_at FROM case_file \
         WHERE receiving_agency_id IN ({ids}) OR deciding_agency_id IN ({ids})"
    ))
    .fetch_all(conn)
    .await?)
}

pub async fn list_all(conn: &mut AnyConnection) -> Result<Vec<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLS} FROM case_file ORDER BY id DESC"
    ))
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub case_id: i64,
    pub at: String,
    #[sqlx(try_from = "String")]
    pub action: EventKind,
    /// None for the event that creates the case.
    #[sqlx(try_from = "String")]
    pub from_status: MaybeCode<CaseStatus>,
    #[sqlx(try_from = "String")]
    pub to_status: CaseStatus,
    pub actor_kind: String,
    pub actor_id: i64,
    pub actor_label: String,
    pub channel: String,
    pub note: String,
    /// The case's month (its key with `case_id`); not part of what the API shows.
    #[serde(skip)]
    pub case_month: String,
}

pub async fn insert_event(conn: &mut AnyConnection, e: &EventRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_event (case_id, at, action, from_status, to_status, actor_kind, \
         actor_id, actor_label, channel, note, case_month) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.case_id)
    .bind(&e.at)
    .bind(e.action.key())
    .bind(e.from_status.0.map_or("", CaseStatus::as_str))
    .bind(e.to_status.as_str())
    .bind(&e.actor_kind)
    .bind(e.actor_id)
    .bind(&e.actor_label)
    .bind(&e.channel)
    .bind(&e.note)
    .bind(&e.case_month)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut AnyConnection, case: &CaseKey) -> Result<Vec<EventRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, case_id, at, action, from_status, to_status, actor_kind, actor_id, \
         actor_label, channel, note, case_month FROM case_event \
         WHERE case_id = $1 AND case_month = $2 ORDER BY id",
    )
    .bind(case.id)
    .bind(&case.month)
    .fetch_all(conn)
    .await?)
}

/// A material without its content (lists and checks never load the bytes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MaterialRow {
    pub id: i64,
    pub case_id: i64,
    pub material_id: String,
    pub provided_as: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub added_at: String,
    pub added_by: String,
    pub replaced_at: Option<String>,
    /// The clerk who confirmed the unit's seal on it; empty while unconfirmed.
    pub seal_confirmed_by: String,
    pub seal_confirmed_at: Option<String>,
}

pub struct NewMaterial<'a> {
    pub case: &'a CaseKey,
    pub material_id: &'a str,
    pub provided_as: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub content: Option<&'a [u8]>,
    pub added_at: &'a str,
    pub added_by: &'a str,
    /// The clerk confirming the unit's seal as they record it; empty for none.
    pub seal_confirmed_by: &'a str,
}

/// Adds a material; an earlier live one with the same material id is marked replaced.
pub async fn add_material(
    conn: &mut AnyConnection,
    m: &NewMaterial<'_>,
) -> Result<i64, StoreError> {
    sqlx::query(
        "UPDATE case_material SET replaced_at = $1 \
         WHERE case_id = $2 AND case_month = $3 AND material_id = $4 AND replaced_at IS NULL",
    )
    .bind(m.added_at)
    .bind(m.case.id)
    .bind(&m.case.month)
    .bind(m.material_id)
    .execute(&mut *conn)
    .await?;
    let size = m.content.map(|c| c.len() as i64).unwrap_or(0);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO case_material (case_id, material_id, provided_as, file_name, content_type, \
         size_bytes, sha256, content, added_at, added_by, seal_confirmed_by, seal_confirmed_at, \
         case_month) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(m.case.id)
    .bind(m.material_id)
    .bind(m.provided_as)
    .bind(m.file_name)
    .bind(m.content_type)
    .bind(size)
    .bind(m.sha256)
    .bind(m.content.map(|c| c.to_vec()))
    .bind(m.added_at)
    .bind(m.added_by)
    .bind(m.seal_confirmed_by)
    .bind((!m.seal_confirmed_by.is_empty()).then_some(m.added_at))
    .bind(&m.case.month)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Records that a clerk saw the unit's seal on a live material of the case; false when there
/// is no such live material.
pub async fn confirm_seal(
    conn: &mut AnyConnection,
    case: &CaseKey,
    id: i64,
    by: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE case_material SET seal_confirmed_by = $1, seal_confirmed_at = $2 \
         WHERE case_id = $3 AND case_month = $4 AND id = $5 AND replaced_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(case.id)
    .bind(&case.month)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The live (not replaced) materials of a case.
pub async fn materials(
    conn: &mut AnyConnection,
    case: &CaseKey,
) -> Result<Vec<MaterialRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, case_id, material_id, provided_as, file_name, content_type, size_bytes, \
         sha256, added_at, added_by, replaced_at, seal_confirmed_by, seal_confirmed_at \
         FROM case_material \
         WHERE case_id = $1 AND case_month = $2 AND replaced_at IS NULL ORDER BY id",
    )
    .bind(case.id)
    .bind(&case.month)
    .fetch_all(conn)
    .await?)
}

/// One material's content, for download.
pub async fn material_content(
    conn: &mut AnyConnection,
    case: &CaseKey,
    id: i64,
) -> Result<Option<(MaterialRow, Vec<u8>)>, StoreError> {
    let row: Option<MaterialRow> = sqlx::query_as(
        "SELECT id, case_id, material_id, provided_as, file_name, content_type, size_bytes, \
         sha256, added_at, added_by, replaced_at, seal_confirmed_by, seal_confirmed_at \
         FROM case_material WHERE case_id = $1 AND case_month = $2 AND id = $3",
    )
    .bind(case.id)
    .bind(&case.month)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let (content,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT content FROM case_material WHERE id = $1 AND case_month = $2")
            .bind(id)
            .bind(&case.month)
            .fetch_one(conn)
            .await?;
    Ok(Some((row, content.unwrap_or_default())))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub case_id: i64,
    pub issued_at: String,
    pub issued_on: String,
    pub issued_by: String,
    pub items_json: String,
    pub snapshot_json: String,
    pub answered_at: Option<String>,
    pub answered_on: Option<String>,
    /// The case's month (its key with `case_id`).
    #[serde(skip)]
    pub case_month: String,
}

pub async fn insert_notice(conn: &mut AnyConnection, n: &NoticeRow) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO case_notice (case_id, issued_at, issued_on, issued_by, items_json, \
         snapshot_json, case_month) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(n.case_id)
    .bind(&n.issued_at)
    .bind(&n.issued_on)
    .bind(&n.issued_by)
    .bind(&n.items_json)
    .bind(&n.snapshot_json)
    .bind(&n.case_month)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn notices(
    conn: &mut AnyConnection,
    case: &CaseKey,
) -> Result<Vec<NoticeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, case_id, issued_at, issued_on, issued_by, items_json, snapshot_json, \
         answered_at, answered_on, case_month FROM case_notice \
         WHERE case_id = $1 AND case_month = $2 ORDER BY id",
    )
    .bind(case.id)
    .bind(&case.month)
    .fetch_all(conn)
    .await?)
}

pub async fn answer_notices(
    conn: &mut AnyConnection,
    case: &CaseKey,
    at: &str,
    on: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE case_notice SET answered_at = $1, answered_on = $2 \
         WHERE case_id = $3 AND case_month = $4 AND answered_at IS NULL",
    )
    .bind(at)
    .bind(on)
    .bind(case.id)
    .bind(&case.month)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PauseRow {
    pub id: i64,
    pub case_id: i64,
    pub reason: String,
    pub from_date: String,
    pub to_date: Option<String>,
}

pub async fn open_pause(
    conn: &mut AnyConnection,
    case: &CaseKey,
    reason: &str,
    from: &str,
    to: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_pause (case_id, reason, from_date, to_date, case_month) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case.id)
    .bind(reason)
    .bind(from)
    .bind(to)
    .bind(&case.month)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn close_pauses(
    conn: &mut AnyConnection,
    case: &CaseKey,
    reason: &str,
    to: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE case_pause SET to_date = $1 \
         WHERE case_id = $2 AND case_month = $3 AND reason = $4 AND to_date IS NULL",
    )
    .bind(to)
    .bind(case.id)
    .bind(&case.month)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn pauses(conn: &mut AnyConnection, case: &CaseKey) -> Result<Vec<PauseRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, case_id, reason, from_date, to_date FROM case_pause \
         WHERE case_id = $1 AND case_month = $2 ORDER BY id",
    )
    .bind(case.id)
    .bind(&case.month)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EvaluationRow {
    pub case_id: i64,
    #[sqlx(try_from = "String")]
    pub level: Evaluation,
    pub comment: String,
    pub at: String,
    #[sqlx(try_from = "String")]
    pub follow_up_status: FollowUp,
    pub follow_up_note: String,
    /// The case's month (its key with `case_id`).
    #[serde(skip)]
    pub case_month: String,
}

/// Inserts the one evaluation of a case; a second one is a conflict (primary key).
pub async fn insert_evaluation(
    conn: &mut AnyConnection,
    e: &EvaluationRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_evaluation (case_id, level, comment, at, follow_up_status, \
         follow_up_note, case_month) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.case_id)
    .bind(e.level.as_str())
    .bind(&e.comment)
    .bind(&e.at)
    .bind(e.follow_up_status.key())
    .bind(&e.follow_up_note)
    .bind(&e.case_month)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn evaluation(
    conn: &mut AnyConnection,
    case: &CaseKey,
) -> Result<Option<EvaluationRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT case_id, level, comment, at, follow_up_status, follow_up_note, case_month \
         FROM case_evaluation WHERE case_id = $1 AND case_month = $2",
    )
    .bind(case.id)
    .bind(&case.month)
    .fetch_optional(conn)
    .await?)
}

pub async fn evaluations(conn: &mut AnyConnection) -> Result<Vec<EvaluationRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT case_id, level, comment, at, follow_up_status, follow_up_note, case_month \
         FROM case_evaluation",
    )
    .fetch_all(conn)
    .await?)
}
