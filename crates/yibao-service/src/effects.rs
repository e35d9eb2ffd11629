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

use yibao_store::Conn;

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
    crate::registry::SERVICES.contains(&service)
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
    actor_label: &str,
) -> Result<Value, ServiceError> {
    match item.service.as_str() {
        s if crate::registry::SERVICES.contains(&s) => {
            let fx = crate::registry::Effect {
                case,
                item,
                jurisdiction: crate::registry::jurisdiction_of(item, &case_region(case)?)?,
                today,
                now: services.clock().now_text(),
                actor_label: actor_label.to_string(),
            };
            crate::registry::apply(conn, &fx).await
        }
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

/// Every filing item: the 表1 on the case becomes a filing (new or change).
async fn record_filing(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let mut application =
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
    application.kind =
        jurisdiction.kind_recorded(&item.service, application.kind, has("trauma_admission"));
    let id: CitizenId = case.applicant_ref.parse()?;
    // The registry decides the scheme, whether the person is insured and whether retired; the
    // form's and the declaration's word counts only for what the registry does not hold.
    let held = yibao_store::coverage::active_for_id_number(conn, id.as_str()).await?;
    let scheme = match held.as_ref().map(|c| c.scheme.as_str()) {
        Some("employee") => yibao_domain::filing::Scheme::Employee,
        Some("resident") => yibao_domain::filing::Scheme::Resident,
        _ => application.scheme,
    };
    let retired = match held.as_ref() {
        Some(c) => c.category == "retired",
        None => has("retired"),
    };
    let applicant = ApplicantFacts {
        scheme,
        insured: held.is_some(),
        contributions_normal: has("contributions_normal"),
        retired,
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
