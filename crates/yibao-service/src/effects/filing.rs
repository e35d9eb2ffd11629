//! The filing family's effect (异地就医备案): the 表1 on a completed case becomes a filing.

use chrono::NaiveDate;
use serde_json::{json, Value};
use yibao_domain::catalog::Item;
use yibao_domain::filing::{
    check_filing, ApplicantFacts, FilingApplication, FilingJurisdiction, Provided,
    ReferralCertificate, Submitted,
};
use yibao_domain::CitizenId;
use yibao_store::cases::CaseRow;
use yibao_store::Conn;

use crate::{filing, ServiceError, Services};

/// Every filing item: the 表1 on the case becomes a filing (new or change).
pub(super) async fn record(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    today: NaiveDate,
) -> Result<Value, ServiceError> {
    let mut application =
        FilingApplication::parse(&super::form_map(case)).map_err(ServiceError::from_domain_list)?;
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
    let facts = crate::cases::facts_of_case(case)?;
    let has = |p: &str| facts.contains(p);
    application.kind =
        jurisdiction.kind_recorded(item.service, application.kind, has("trauma_admission"));
    jurisdiction
        .item_covers(item.service, application.kind)
        .map_err(|e| ServiceError::from_domain_list(vec![e]))?;
    // Asked only where the item states a minimum stay (a condition with `min_stay`).
    let asks_stay = item
        .conditions
        .iter()
        .any(|c| c.predicate.as_deref() == Some("min_stay"));
    let id: CitizenId = case.applicant_ref.parse()?;
    // The registry decides the scheme, whether the person is insured and whether retired; the
    // form's and the declaration's word counts only for what the registry does not hold.
    let held = yibao_store::coverage::active_for_id_number(conn, id.as_str()).await?;
    let scheme = held
        .as_ref()
        .map_or(application.scheme, |c| c.scheme.into());
    let retired = match held.as_ref() {
        Some(c) => c.category == yibao_domain::enrolment::CoverageCategory::Retired,
        None => has("retired"),
    };
    let applicant = ApplicantFacts {
        scheme,
        insured: held.is_some(),
        contributions_normal: has("contributions_normal"),
        retired,
        hukou_moved: has("hukou_moved"),
        stay_meets_minimum: asks_stay.then(|| has("min_stay")),
        referral: has("referral_certificate").then_some(ReferralCertificate {
            issuer_qualified: true,
        }),
        emergency_admission: has("emergency_admission"),
        insured_region: super::case_region(case)?,
        care_region: application.care_region().clone(),
    };
    let submitted: Submitted = yibao_store::cases::materials(conn, &case.key())
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
        &super::case_region(case)?,
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
