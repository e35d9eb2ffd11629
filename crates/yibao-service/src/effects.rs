//! What completing a case does (DESIGN §3): each canonical service binds its domain effect
//! once, and the case engine runs it in the same transaction as the completing transition.
//! An item whose service has no effect here yet is "guide only" and cannot be applied for.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Value};
use yibao_domain::catalog::Item;
use yibao_domain::filing::{
    check_filing, ApplicantFacts, FilingApplication, FilingJurisdiction, FilingKind, Provided,
    ReferralCertificate, Submitted,
};
use yibao_domain::{CitizenId, RegionCode};
use yibao_store::cases::CaseRow;
use yibao_store::coverage::{self, CoverageRow};
use yibao_store::{enrolment, Conn};

use crate::{filing, ServiceError, Services};

const FILING_SERVICES: &[&str] = &[
    "filing.relocated_retiree",
    "filing.long_term_resident",
    "filing.posted_worker",
    "filing.referral",
    "filing.temporary",
];

/// True when completing a case of this service has its effect built.
pub fn supported(service: &str) -> bool {
    service == "enrolment.resident_enrol"
        || FILING_SERVICES.contains(&service)
        || crate::reimbursement::SERVICES.contains(&service)
}

/// The form an application to `item` fills in: the item's first form, or for a filing item
/// that names none, seed 000 表1 异地就医登记备案表 (the form every filing records).
pub fn main_form(item: &Item) -> Option<&str> {
    item.forms.first().map(String::as_str).or_else(|| {
        FILING_SERVICES
            .contains(&item.service.as_str())
            .then_some("chuanyu-form-1")
    })
}

/// True when the guide completes a submission of this item through `channel` without a clerk
/// (seed 003 item 24: online temporary filings 「提交后自动办结」).
pub fn completes_on_submit(item: &Item, channel: &str) -> bool {
    let Some(kind) = FilingKind::ALL
        .into_iter()
        .find(|k| k.service_key() == item.service)
    else {
        return false;
    };
    let Ok(channel) = serde_json::from_value::<yibao_domain::catalog::ChannelKind>(json!(channel))
    else {
        return false;
    };
    FilingJurisdiction::from_key(&item.jurisdiction).is_some_and(|j| {
        j.completion(kind, channel) == yibao_domain::filing::Completion::AutoOnSubmit
    })
}

pub fn form_map(case: &CaseRow) -> BTreeMap<String, String> {
    serde_json::from_str::<BTreeMap<String, String>>(&case.form_json).unwrap_or_default()
}

/// Runs the effect of `case`'s service; returns what it did (stored as the case's outcome).
pub async fn apply(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    match item.service.as_str() {
        "enrolment.resident_enrol" => register_resident(conn, services, case, today).await,
        s if FILING_SERVICES.contains(&s) => record_filing(conn, services, case, item, today).await,
        s if crate::reimbursement::SERVICES.contains(&s) => {
            crate::reimbursement::apply(conn, services, case).await
        }
        other => Err(ServiceError::invalid(
            "case.guide_only",
            format!(
                "事项“{}”（{other}）暂未开通在线办理，请按办事指南到窗口办理",
                item.name
            ),
        )),
    }
}

/// 城乡居民参保登记: the person is registered in the resident scheme and may then pay through
/// the tax authority's channels (seed 003 城乡居民参保登记 办结; seed 001 item 3). Coverage
/// itself starts with the payment, which this effect does not pretend to record.
async fn register_resident(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let id: CitizenId = case.applicant_ref.parse()?;
    let form = form_map(case);
    let region: RegionCode = case_region(case)?;
    let now = services.clock().now_text();
    let person = match enrolment::find_person(conn, &id).await? {
        Some(p) => p,
        None => {
            let name = form
                .get("name")
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .unwrap_or(case.applicant_name.as_str());
            enrolment::insert_person(
                conn,
                &enrolment::NewPerson {
                    id_number: &id,
                    name,
                    region_code: &region,
                    phone: form
                        .get("phone")
                        .map(String::as_str)
                        .unwrap_or(&case.applicant_phone),
                },
                &now,
            )
            .await?;
            enrolment::find_person(conn, &id)
                .await?
                .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员登记失败"))?
        }
    };
    let existing = coverage::list_for_person(conn, person.id).await?;
    if existing
        .iter()
        .any(|c| c.scheme == "resident" && matches!(c.status.as_str(), "registered" | "active"))
    {
        return Err(ServiceError::invalid(
            "enrolment.already_registered",
            "该居民已登记参加城乡居民医保，无需重复登记",
        ));
    }
    if existing
        .iter()
        .any(|c| c.scheme == "employee" && c.status == "active")
    {
        return Err(ServiceError::invalid(
            "enrolment.has_employee_cover",
            "该人员正在参加职工医保，不能同时登记城乡居民医保（seed 001 三、服务对象：未参加职工医保的城乡居民）",
        ));
    }
    let category = form.get("applicant_status").cloned().unwrap_or_default();
    let coverage_id = coverage::insert(
        conn,
        &CoverageRow {
            id: 0,
            person_id: person.id,
            scheme: "resident".into(),
            category: category.clone(),
            employer_id: None,
            region_code: region.as_str().to_string(),
            status: "registered".into(),
            registered_on: today.to_string(),
            start_date: None,
            end_date: None,
            case_number: Some(case.number.clone()),
            created_at: now.clone(),
            updated_at: now,
        },
    )
    .await?;
    Ok(json!({
        "effect": "enrolment.resident_enrol",
        "person_id": person.id,
        "coverage_id": coverage_id,
        "status": "registered",
        "text": "已办理城乡居民参保登记，请通过税务部门的缴费渠道缴纳城乡居民医保费",
    }))
}

/// Every filing item: the 表1 on the case becomes a filing (new or change).
async fn record_filing(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let application =
        FilingApplication::parse(&form_map(case)).map_err(ServiceError::from_domain_list)?;
    if application.id_number.as_str() != case.applicant_ref {
        return Err(ServiceError::invalid(
            "filing.person_mismatch",
            "备案表上的身份证号码与申请人不一致",
        ));
    }
    let jurisdiction = FilingJurisdiction::from_key(&case.jurisdiction)
        .ok_or_else(|| ServiceError::invalid("filing.jurisdiction", "该辖区的备案规则尚未配置"))?;
    // The conditions of the guide, from what the applicant declared and the clerk confirmed
    // (the case's facts), the registry and the materials on the case.
    let facts = crate::cases::facts_of_case(case);
    let has = |p: &str| facts.contains(p);
    let id: CitizenId = case.applicant_ref.parse()?;
    let insured = enrolment::find_person(conn, &id).await?.is_some();
    let applicant = ApplicantFacts {
        scheme: application.scheme,
        insured,
        contributions_normal: has("contributions_normal"),
        retired: has("retired"),
        hukou_moved: has("hukou_moved"),
        stay_months: None,
        referral: has("referral_certificate").then_some(ReferralCertificate {
            issuer_qualified: true,
        }),
        emergency_admission: has("emergency_admission"),
        insured_region: case_region(case)?,
        care_region: application.care_region().clone(),
    };
    let submitted: Submitted = yibao_store::cases::materials(conn, case.id)
        .await?
        .into_iter()
        .map(|m| {
            let how = if m.provided_as == "pledge" {
                Provided::Pledge
            } else {
                Provided::Document
            };
            (m.material_id, how)
        })
        .collect();
    check_filing(
        jurisdiction,
        application.kind,
        &applicant,
        Some(item),
        &submitted,
    )
    .map_err(ServiceError::from_domain_list)?;
    let f = filing::record(
        conn,
        services,
        &application,
        jurisdiction,
        &case_region(case)?,
        &case.number,
        today,
    )
    .await?;
    Ok(json!({
        "effect": "filing",
        "filing_id": f.id,
        "target": f.target.label(),
        "effective_from": f.effective_from,
        "text": format!("已备案：{}，就医地 {}", f.kind.label(), f.target.label()),
    }))
}

/// The applicant's insured region, as recorded on the case's facts.
pub fn case_region(case: &CaseRow) -> Result<RegionCode, ServiceError> {
    let facts: Value = serde_json::from_str(&case.facts_json).unwrap_or(Value::Null);
    let region = facts
        .get("region_code")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(region.parse()?)
}
