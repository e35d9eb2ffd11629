//! Reading the registry: a person's insurance record and an employer's, under the access rules
//! of `crate::records`, and the data of the printable certificates (参保证明).

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use yibao_domain::enrolment::{CoverageCategory, CoverageStatus, DocumentType, Scheme};
use yibao_store::coverage;
use yibao_store::enrolment as store;
use yibao_store::enrolment::{self, EmployerRow, PersonRow};
pub use yibao_store::enrolment::{CoverageEventRow, EmployeeRow, EventRow};
use yibao_store::Conn;

use super::{outcome, Effect};
use crate::identity::Actor;
use crate::records::{may_see_employer, may_see_person};
use crate::{ServiceError, Services};

#[derive(Debug, Clone, Serialize)]
pub struct CoverageLine {
    pub id: i64,
    pub scheme: Scheme,
    pub scheme_label: &'static str,
    pub category: CoverageCategory,
    pub category_label: &'static str,
    pub status: CoverageStatus,
    pub status_label: &'static str,
    pub employer: Option<String>,
    pub region_code: String,
    pub registered_on: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonRecord {
    pub person: PersonRow,
    pub document_label: &'static str,
    pub coverages: Vec<CoverageLine>,
    pub coverage_events: Vec<CoverageEventRow>,
    pub events: Vec<EventRow>,
}

async fn coverage_lines(
    conn: &mut Conn,
    person_id: i64,
) -> Result<Vec<CoverageLine>, ServiceError> {
    let mut out = Vec::new();
    for c in coverage::list_for_person(conn, person_id).await? {
        let employer = match c.employer_id {
            Some(id) => enrolment::find_employer(conn, id).await?.map(|e| e.name),
            None => None,
        };
        out.push(CoverageLine {
            id: c.id,
            scheme: c.scheme,
            scheme_label: c.scheme.label(),
            category: c.category,
            category_label: c.category.label(),
            status: c.status,
            status_label: c.status.label(),
            employer,
            region_code: c.region_code,
            registered_on: c.registered_on,
            start_date: c.start_date,
            end_date: c.end_date,
        });
    }
    Ok(out)
}

pub async fn person_record_in(
    conn: &mut Conn,
    person: PersonRow,
) -> Result<PersonRecord, ServiceError> {
    Ok(PersonRecord {
        document_label: DocumentType::parse(&person.document_type)
            .map(|d| d.label())
            .unwrap_or(""),
        coverages: coverage_lines(conn, person.id).await?,
        coverage_events: store::coverage_events(conn, person.id).await?,
        events: store::events(conn, store::Subject::Person, person.id).await?,
        person,
    })
}

/// A person's insurance record (参保信息): coverages, their dated history and the record's.
pub async fn person_record(
    services: &Services,
    actor: &Actor,
    person_id: i64,
) -> Result<PersonRecord, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let p = enrolment::find_person_by_id(&mut tx, person_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    may_see_person(actor, &p)?;
    person_record_in(&mut tx, p).await
}

/// The logged-in citizen's own record, if they are in the registry.
pub async fn my_record(
    services: &Services,
    actor: &Actor,
) -> Result<Option<PersonRecord>, ServiceError> {
    let c = actor.citizen()?;
    let mut tx = services.store().begin_read().await?;
    match store::find_person_by_number(&mut tx, &c.id_number).await? {
        Some(p) => Ok(Some(person_record_in(&mut tx, p).await?)),
        None => Ok(None),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EmployerRecord {
    pub employer: EmployerRow,
    pub kind_label: String,
    pub status_label: &'static str,
    pub employees: Vec<EmployeeRow>,
    pub in_service: usize,
    pub retired: usize,
    pub events: Vec<EventRow>,
}

pub async fn employer_record_in(
    conn: &mut Conn,
    e: EmployerRow,
    all: bool,
) -> Result<EmployerRecord, ServiceError> {
    let employees = store::employees(conn, e.id, all).await?;
    let open = |x: &&EmployeeRow| x.status.on_books();
    Ok(EmployerRecord {
        kind_label: yibao_domain::enrolment::employer::EmployerKind::REGISTRABLE
            .into_iter()
            .chain([yibao_domain::enrolment::employer::EmployerKind::Virtual])
            .find(|k| k.key() == e.kind)
            .map(|k| k.label().to_string())
            .unwrap_or_else(|| e.kind.clone()),
        status_label: e.status.label(),
        in_service: employees
            .iter()
            .filter(open)
            .filter(|x| x.category == CoverageCategory::InService)
            .count(),
        retired: employees
            .iter()
            .filter(open)
            .filter(|x| x.category == CoverageCategory::Retired)
            .count(),
        events: store::events(conn, store::Subject::Employer, e.id).await?,
        employees,
        employer: e,
    })
}

/// An employer's record: its data, its insured people (all, ended included, when `all`) and
/// its history.
pub async fn employer_record(
    services: &Services,
    actor: &Actor,
    employer_id: i64,
    all: bool,
) -> Result<EmployerRecord, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let e = enrolment::find_employer(&mut tx, employer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在或无权查看"))?;
    may_see_employer(actor, &e)?;
    employer_record_in(&mut tx, e, all).await
}

/// A certificate's content and a check code over it: the agency can recompute the code from
/// the registry on the day of issue to confirm a printed certificate is genuine.
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    pub title: &'static str,
    pub issued_on: String,
    pub lines: Vec<(String, String)>,
    pub table: Vec<Vec<String>>,
    pub table_head: Vec<&'static str>,
    /// A digest of the content (the same content gives the same digest).
    pub check_code: String,
    /// The verification code (核验码) of the issued document, checked at `/verify`; none on a
    /// record read through the API, which is data, not an issued document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_code: Option<String>,
}

pub(crate) fn check_code(lines: &[(String, String)], table: &[Vec<String>]) -> String {
    let mut h = Sha256::new();
    for (k, v) in lines {
        h.update(k.as_bytes());
        h.update([0x1f]);
        h.update(v.as_bytes());
        h.update([0x1e]);
    }
    for row in table {
        h.update(row.join("\u{1f}").as_bytes());
        h.update([0x1e]);
    }
    let hex = format!("{:x}", h.finalize());
    hex[..16].to_uppercase()
}

/// 个人参保证明.
pub fn person_certificate(r: &PersonRecord, today: chrono::NaiveDate) -> Certificate {
    let lines = vec![
        ("姓名".to_string(), r.person.name.clone()),
        ("证件类型".to_string(), r.document_label.to_string()),
        ("证件号码".to_string(), r.person.id_number.clone()),
        ("参保地".to_string(), r.person.region_code.clone()),
        ("出具日期".to_string(), today.to_string()),
    ];
    let table: Vec<Vec<String>> = r
        .coverages
        .iter()
        .map(|c| {
            vec![
                c.scheme_label.to_string(),
                c.employer.clone().unwrap_or_else(|| "个人".into()),
                c.status_label.to_string(),
                c.start_date.clone().unwrap_or_default(),
                c.end_date.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Certificate {
        title: "基本医疗保险个人参保证明",
        issued_on: today.to_string(),
        check_code: check_code(&lines, &table),
        verification_code: None,
        lines,
        table,
        table_head: vec!["险种", "参保单位", "参保状态", "起始日期", "终止日期"],
    }
}

/// 单位参保证明.
pub fn employer_certificate(r: &EmployerRecord, today: chrono::NaiveDate) -> Certificate {
    let e = &r.employer;
    let lines = vec![
        ("单位名称".to_string(), e.name.clone()),
        ("统一社会信用代码".to_string(), e.uscc.clone()),
        ("单位类型".to_string(), r.kind_label.clone()),
        ("参保地".to_string(), e.region_code.clone()),
        ("参保登记日期".to_string(), e.registered_on.clone()),
        ("参保状态".to_string(), r.status_label.to_string()),
        ("在职参保人数".to_string(), r.in_service.to_string()),
        ("退休参保人数".to_string(), r.retired.to_string()),
        ("出具日期".to_string(), today.to_string()),
    ];
    Certificate {
        title: "基本医疗保险单位参保证明",
        issued_on: today.to_string(),
        check_code: check_code(&lines, &[]),
        verification_code: None,
        lines,
        table: Vec::new(),
        table_head: Vec::new(),
    }
}

/// 参保人员参保信息查询 as a case: the outcome is the record as of completion.
pub async fn person_query_effect(conn: &mut Conn, fx: &Effect<'_>) -> Result<Value, ServiceError> {
    let p = store::find_person_by_number(conn, &fx.case.applicant_ref)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "该人员尚未参保登记"))?;
    let r = person_record_in(conn, p).await?;
    let mut cert = person_certificate(&r, fx.today);
    crate::document::issue_in(
        conn,
        &fx.now,
        &fx.case.number,
        "person_certificate",
        &r.person.id_number,
        &mut cert,
    )
    .await?;
    Ok(outcome(
        "enrolment.person_record_query",
        format!(
            "已出具参保证明（核验码 {}）",
            cert.verification_code.as_deref().unwrap_or_default()
        ),
        json!({ "person_id": r.person.id, "certificate": cert }),
    ))
}

/// 参保单位参保信息查询 as a case.
pub async fn employer_query_effect(
    conn: &mut Conn,
    fx: &Effect<'_>,
) -> Result<Value, ServiceError> {
    let e = super::person::applicant_employer(conn, fx).await?;
    let r = employer_record_in(conn, e, false).await?;
    let mut cert = employer_certificate(&r, fx.today);
    crate::document::issue_in(
        conn,
        &fx.now,
        &fx.case.number,
        "employer_certificate",
        &r.employer.uscc,
        &mut cert,
    )
    .await?;
    Ok(outcome(
        "enrolment.employer_record_query",
        format!(
            "已出具单位参保证明（核验码 {}）",
            cert.verification_code.as_deref().unwrap_or_default()
        ),
        json!({ "employer_id": r.employer.id, "certificate": cert }),
    ))
}
