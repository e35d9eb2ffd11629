//! Registry writes beyond the basic records of `enrolment`: dated events of employers and
//! persons, coverage status changes with their history, an employer's employees, and the
//! agency's virtual employer (虚拟户) per region.

use serde::Serialize;
use sqlx::AnyConnection;
use yibao_domain::codes::MaybeCode;
use yibao_domain::enrolment::{CoverageCategory, CoverageStatus, EnrolmentEvent};

use super::records::{EmployerRow, PersonRow, EMPLOYER_COLS};
use crate::error::StoreError;

/// One dated change of an employer or a person.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: String,
    #[sqlx(try_from = "String")]
    pub action: EnrolmentEvent,
    pub detail_json: String,
    pub case_number: Option<String>,
    pub actor_label: String,
}

pub struct NewEvent<'a> {
    pub at: &'a str,
    pub action: EnrolmentEvent,
    pub detail_json: &'a str,
    pub case_number: Option<&'a str>,
    pub actor_label: &'a str,
}

/// Whose history an event belongs to; each has its own table of the same shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Employer,
    Person,
}

impl Subject {
    /// (table, key column): fixed names, never from input.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Subject::Employer => ("employer_event", "employer_id"),
            Subject::Person => ("person_event", "person_id"),
        }
    }
}

pub async fn add_event(
    conn: &mut AnyConnection,
    subject: Subject,
    id: i64,
    e: &NewEvent<'_>,
) -> Result<(), StoreError> {
    let (table, key) = subject.table();
    sqlx::query(&format!(
        "INSERT INTO {table} ({key}, at, action, detail_json, case_number, actor_label) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(id)
    .bind(e.at)
    .bind(e.action.key())
    .bind(e.detail_json)
    .bind(e.case_number)
    .bind(e.actor_label)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(
    conn: &mut AnyConnection,
    subject: Subject,
    id: i64,
) -> Result<Vec<EventRow>, StoreError> {
    let (table, key) = subject.table();
    Ok(sqlx::query_as(&format!(
        "SELECT id, at, action, detail_json, case_number, actor_label FROM {table} \
         WHERE {key} = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// The columns of an employer record a change may set (the domain's EMPLOYER_FIELDS).
const EMPLOYER_SETTABLE: [&str; 11] = [
    "uscc",
    "name",
    "legal_representative",
    "kind",
    "address",
    "contact_name",
    "phone",
    "bank_name",
    "bank_account",
    "region_code",
    "status",
];

pub async fn set_employer_field(
    conn: &mut AnyConnection,
    employer_id: i64,
    field: &str,
    value: &str,
    now: &str,
) -> Result<(), StoreError> {
    // The column name comes from a fixed list, never from input.
    let Some(col) = EMPLOYER_SETTABLE.iter().find(|c| **c == field) else {
        return Err(StoreError::Corrupt(format!("employer field {field}")));
    };
    sqlx::query(&format!(
        "UPDATE employer SET {col} = $1, updated_at = $2 WHERE id = $3"
    ))
    .bind(value)
    .bind(now)
    .bind(employer_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn deregister_employer(
    conn: &mut AnyConnection,
    employer_id: i64,
    on: &str,
    now: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE employer SET status = 'deregistered', deregistered_on = $1, updated_at = $2 \
         WHERE id = $3 AND status = 'active'",
    )
    .bind(on)
    .bind(now)
    .bind(employer_id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale("registry".into()));
    }
    Ok(())
}

pub async fn set_arrears(
    conn: &mut AnyConnection,
    employer_id: i64,
    fen: i64,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE employer SET arrears_fen = $1, updated_at = $2 WHERE id = $3")
        .bind(fen)
        .bind(now)
        .bind(employer_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The agency's virtual employer for `region`, created on first use.
pub async fn virtual_employer(
    conn: &mut AnyConnection,
    region: &str,
    now: &str,
) -> Result<EmployerRow, StoreError> {
    let key = format!("VIRTUAL-{region}");
    let find = format!("SELECT {EMPLOYER_COLS} FROM employer WHERE uscc = $1");
    if let Some(e) = sqlx::query_as(&find)
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(e);
    }
    sqlx::query(
        "INSERT INTO employer (uscc, name, kind, region_code, created_at, registered_on, updated_at) \
         VALUES ($1, $2, 'virtual', $3, $4, $5, $4)",
    )
    .bind(&key)
    .bind(format!("{region} 退休人员虚拟户"))
    .bind(region)
    .bind(now)
    .bind(now.get(..10).unwrap_or(now))
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_as(&find).bind(&key).fetch_one(conn).await?)
}

/// A person's record by the number of any identity document.
pub async fn find_person_by_number(
    conn: &mut AnyConnection,
    number: &str,
) -> Result<Option<PersonRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, id_number, name, sex, birth_date, region_code, phone, created_at, document_type, address \
         FROM person WHERE id_number = $1",
    )
    .bind(number)
    .fetch_optional(conn)
    .await?)
}

pub struct NewPersonRecord<'a> {
    pub number: &'a str,
    pub document_type: &'a str,
    pub name: &'a str,
    pub sex: &'a str,
    pub birth_date: &'a str,
    pub region_code: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
}

pub async fn insert_person_record(
    conn: &mut AnyConnection,
    p: &NewPersonRecord<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO person (id_number, document_type, name, sex, birth_date, region_code, phone, \
         address, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(p.number)
    .bind(p.document_type)
    .bind(p.name)
    .bind(p.sex)
    .bind(p.birth_date)
    .bind(p.region_code)
    .bind(p.phone)
    .bind(p.address)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

const PERSON_SETTABLE: [&str; 7] = [
    "name",
    "sex",
    "id_number",
    "birth_date",
    "phone",
    "address",
    "region_code",
];

pub async fn set_person_field(
    conn: &mut AnyConnection,
    person_id: i64,
    field: &str,
    value: &str,
    now: &str,
) -> Result<(), StoreError> {
    let Some(col) = PERSON_SETTABLE.iter().find(|c| **c == field) else {
        return Err(StoreError::Corrupt(format!("person field {field}")));
    };
    sqlx::query(&format!(
        "UPDATE person SET {col} = $1, updated_at = $2 WHERE id = $3"
    ))
    .bind(value)
    .bind(now)
    .bind(person_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A coverage's status change, recorded as a dated event. Fails with `Stale` when the status
/// is no longer `from` (another change won).
pub struct StatusChange<'a> {
    pub coverage_id: i64,
    pub from: CoverageStatus,
    pub to: CoverageStatus,
    pub effective_on: &'a str,
    pub reason: &'a str,
    pub detail_json: &'a str,
    pub case_number: Option<&'a str>,
    pub now: &'a str,
}

pub async fn change_coverage_status(
    conn: &mut AnyConnection,
    c: &StatusChange<'_>,
) -> Result<(), StoreError> {
    let end_date = (c.to == CoverageStatus::Ended).then_some(c.effective_on);
    let done = sqlx::query(
        "UPDATE coverage SET status = $1, updated_at = $2, end_date = COALESCE($3, end_date), \
         start_date = CASE WHEN $1 = 'active' AND start_date IS NULL THEN $4 ELSE start_date END \
         WHERE id = $5 AND status = $6",
    )
    .bind(c.to.key())
    .bind(c.now)
    .bind(end_date)
    .bind(c.effective_on)
    .bind(c.coverage_id)
    .bind(c.from.key())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale("registry".into()));
    }
    coverage_event(conn, c.coverage_id, c.from, c.to, c).await
}

async fn coverage_event(
    conn: &mut AnyConnection,
    coverage_id: i64,
    from: CoverageStatus,
    to: CoverageStatus,
    c: &StatusChange<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO coverage_event (coverage_id, at, from_status, to_status, reason, case_number, \
         effective_on, detail_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(coverage_id)
    .bind(c.now)
    .bind(from.key())
    .bind(to.key())
    .bind(c.reason)
    .bind(c.case_number)
    .bind(c.effective_on)
    .bind(c.detail_json)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves an open coverage to another employer (merger, split) or category (retirement),
/// keeping its status; the move is an event of its own.
pub async fn move_coverage(
    conn: &mut AnyConnection,
    c: &StatusChange<'_>,
    employer_id: Option<i64>,
    category: CoverageCategory,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE coverage SET employer_id = $1, category = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(employer_id)
    .bind(category.key())
    .bind(c.now)
    .bind(c.coverage_id)
    .execute(&mut *conn)
    .await?;
    coverage_event(conn, c.coverage_id, c.from, c.to, c).await
}

pub async fn set_grade(
    conn: &mut AnyConnection,
    c: &StatusChange<'_>,
    grade: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE coverage SET grade = $1, updated_at = $2 WHERE id = $3")
        .bind(grade)
        .bind(c.now)
        .bind(c.coverage_id)
        .execute(&mut *conn)
        .await?;
    coverage_event(conn, c.coverage_id, c.from, c.to, c).await
}

pub async fn grade_of(conn: &mut AnyConnection, coverage_id: i64) -> Result<String, StoreError> {
    let (g,): (String,) = sqlx::query_as("SELECT grade FROM coverage WHERE id = $1")
        .bind(coverage_id)
        .fetch_one(conn)
        .await?;
    Ok(g)
}

/// One of an employer's insured people, with the person's identifiers.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EmployeeRow {
    pub coverage_id: i64,
    pub person_id: i64,
    pub id_number: String,
    pub document_type: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    #[sqlx(try_from = "String")]
    pub category: CoverageCategory,
    #[sqlx(try_from = "String")]
    pub status: CoverageStatus,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// The employer's coverages; only those still on its books (`CoverageStatus::on_books`) unless
/// `all`.
pub async fn employees(
    conn: &mut AnyConnection,
    employer_id: i64,
    all: bool,
) -> Result<Vec<EmployeeRow>, StoreError> {
    let filter = if all {
        String::new()
    } else {
        // The statuses come from the domain's fixed keys, never from input.
        let keys: Vec<String> = CoverageStatus::ALL
            .into_iter()
            .filter(|s| s.on_books())
            .map(|s| format!("'{}'", s.key()))
            .collect();
        format!(" AND c.status IN ({})", keys.join(", "))
    };
    Ok(sqlx::query_as(&format!(
        "SELECT c.id AS coverage_id, p.id AS person_id, p.id_number, p.document_type, p.name, p.sex, \
         p.birth_date, c.category, c.status, c.start_date, c.end_date \
         FROM coverage c JOIN person p ON p.id = c.person_id \
         WHERE c.employer_id = $1{filter} ORDER BY c.id"
    ))
    .bind(employer_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CoverageEventRow {
    pub id: i64,
    pub coverage_id: i64,
    pub at: String,
    #[sqlx(try_from = "String")]
    pub from_status: MaybeCode<CoverageStatus>,
    #[sqlx(try_from = "String")]
    pub to_status: CoverageStatus,
    pub reason: String,
    pub case_number: Option<String>,
    pub effective_on: Option<String>,
    pub detail_json: String,
}

pub async fn coverage_events(
    conn: &mut AnyConnection,
    person_id: i64,
) -> Result<Vec<CoverageEventRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.coverage_id, e.at, e.from_status, e.to_status, e.reason, e.case_number, \
         e.effective_on, e.detail_json FROM coverage_event e JOIN coverage c ON c.id = e.coverage_id \
         WHERE c.person_id = $1 ORDER BY e.id",
    )
    .bind(person_id)
    .fetch_all(conn)
    .await?)
}

/// Moves an open coverage to another region with its employer (整体转移), as an event.
pub async fn move_coverage_region(
    conn: &mut AnyConnection,
    coverage_id: i64,
    region: &str,
    c: &StatusChange<'_>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE coverage SET region_code = $1, updated_at = $2 WHERE id = $3")
        .bind(region)
        .bind(c.now)
        .bind(coverage_id)
        .execute(&mut *conn)
        .await?;
    coverage_event(conn, coverage_id, c.from, c.to, c).await
}
