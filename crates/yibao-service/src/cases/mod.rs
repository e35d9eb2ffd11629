//! The case engine in the application (办件): one engine for every catalog item — apply, submit,
//! one-time deficiency notice, correction, acceptance with the legal time limit, review,
//! disbursement, completion with the item's effect, refusal, withdrawal, evaluation. The rules
//! are yibao-domain's `case` module; this layer loads, authorizes, stores and audits.

mod apply;
mod clock;
pub mod dashboard;
mod forwarding;
#[cfg(test)]
mod material_tables;
mod materials;
mod queries;
mod transition;

pub use apply::{apply, channels_for, ApplicantInput, ApplyInput};
pub use clock::{clock_of, limit_for};
pub(crate) use forwarding::{receive_forwarded, receive_status};
pub use forwarding::{ForwardedCase, PeerLinkView, StatusReport};
pub use materials::{add_material, confirm_seal, material_content, MaterialInput};
pub use queries::{
    evaluate, evaluation_stats, list_mine, overdue, progress, queue, view, CaseSummary, CaseView,
    EvaluationStats, NoticeView, Progress,
};
pub use transition::transition;
// What the API answers with; named here so the web layer need not depend on the store.
pub use yibao_store::cases::{CaseRow, EvaluationRow, MaterialRow};

use std::collections::{BTreeMap, BTreeSet};

use yibao_domain::case::{CaseShape, Provided, ProvidedAs};
use yibao_domain::catalog::Item;
use yibao_store::cases as store;
use yibao_store::{agency, Conn};

use crate::identity::Actor;
use crate::{ServiceError, Services};

pub(crate) fn not_found() -> ServiceError {
    ServiceError::not_found("case.not_found", "办件不存在或无权查看")
}

/// The item version the case was opened under.
/// The catalog item of a jurisdiction, id and version, if the catalog has it.
pub(crate) fn item_of_key<'a>(
    services: &'a Services,
    jurisdiction: &str,
    item_id: &str,
    version: i64,
) -> Option<&'a Item> {
    services
        .catalog()
        .find_version(jurisdiction, item_id, u32::try_from(version).ok()?)
}

pub(crate) fn item_of<'a>(
    services: &'a Services,
    case: &CaseRow,
) -> Result<&'a Item, ServiceError> {
    services
        .catalog()
        .find_version(&case.jurisdiction, &case.item_id, case.item_version as u32)
        .ok_or_else(|| {
            ServiceError::not_found(
                "catalog.item_not_found",
                format!(
                    "办件所依据的事项 {}/{} 已不存在",
                    case.jurisdiction, case.item_id
                ),
            )
        })
}

/// True when the clerk enters a bill on `case` (its item's binding says so).
pub(crate) fn takes_bill(services: &Services, case: &CaseRow) -> Result<bool, ServiceError> {
    Ok(crate::effects::takes_bill(item_of(services, case)?))
}

/// The guide's shape of the item, with payment through finance wherever the effect pays money.
pub(crate) fn shape_of(item: &Item) -> CaseShape {
    let mut shape = CaseShape::of(item);
    shape.pays_money |= crate::effects::pays_money(item);
    shape
}

/// The applicant facts (catalog predicates) recorded on the case.
pub fn facts_of_case(case: &CaseRow) -> Result<BTreeSet<String>, ServiceError> {
    facts_of(case)
}

pub(crate) fn facts_of(case: &CaseRow) -> Result<BTreeSet<String>, ServiceError> {
    Ok(case.facts.facts.iter().cloned().collect())
}

/// What is provided now, per material id.
pub(crate) async fn provided_of(
    conn: &mut Conn,
    case: &store::CaseKey,
) -> Result<BTreeMap<String, Provided>, ServiceError> {
    Ok(store::materials(conn, case)
        .await?
        .into_iter()
        .filter_map(|m| {
            ProvidedAs::parse(&m.provided_as).map(|how| {
                (
                    m.material_id,
                    Provided {
                        how,
                        sha256: m.sha256,
                        sealed: !m.seal_confirmed_by.is_empty(),
                    },
                )
            })
        })
        .collect())
}

/// Whether `actor` may see this case directly: the applicant (citizen or employer) and staff of
/// the receiving or deciding agency. Staff of an agency above them (a city's over its
/// districts') see it too: `load` asks `supervises` when this says no.
pub(crate) fn may_see(actor: &Actor, case: &CaseRow) -> bool {
    match actor {
        Actor::Citizen(c) => {
            case.applicant_kind == yibao_domain::case::ApplicantType::Person
                && case.applicant_ref == c.id_number
        }
        Actor::Employer(e) => {
            case.applicant_kind == yibao_domain::case::ApplicantType::Employer
                && case.applicant_ref == e.uscc
        }
        Actor::Staff(s) => {
            s.agency_id == case.receiving_agency_id || s.agency_id == case.deciding_agency_id
        }
        _ => false,
    }
}

/// A case as `actor` may see it (for other modules of this crate).
pub(crate) async fn load_for(
    conn: &mut Conn,
    actor: &Actor,
    number: &str,
) -> Result<CaseRow, ServiceError> {
    load(conn, actor, number).await
}

pub(crate) async fn load(
    conn: &mut Conn,
    actor: &Actor,
    number: &str,
) -> Result<CaseRow, ServiceError> {
    actor.require_login()?;
    let case = store::find_by_number(conn, number.trim())
        .await?
        .ok_or_else(not_found)?;
    if may_see(actor, &case) {
        return Ok(case);
    }
    if let Actor::Staff(s) = actor {
        let agencies = supervised_agencies(conn, &s.agency_region).await?;
        if agencies.contains(&case.receiving_agency_id)
            || agencies.contains(&case.deciding_agency_id)
        {
            return Ok(case);
        }
    }
    Err(not_found())
}

/// The agencies whose region lies inside `region` (the agency's own included): a city or
/// provincial agency sees and supervises its districts' cases (issue #23). Acting on them stays
/// with the receiving and deciding agencies (`transition::role_for`).
pub(crate) async fn supervised_agencies(
    conn: &mut Conn,
    region: &yibao_domain::RegionCode,
) -> Result<Vec<i64>, ServiceError> {
    Ok(agency::list(conn)
        .await?
        .into_iter()
        .filter(|a| {
            a.region_code
                .parse::<yibao_domain::RegionCode>()
                .is_ok_and(|r| region.contains(&r))
        })
        .map(|a| a.id)
        .collect())
}

/// The agency that serves `region` most specifically (a district's own, else its city's, else
/// its province's).
pub(crate) async fn agency_for(
    conn: &mut Conn,
    region: &yibao_domain::RegionCode,
) -> Result<Option<agency::AgencyRow>, ServiceError> {
    let mut best: Option<(u8, agency::AgencyRow)> = None;
    for a in agency::list(conn).await? {
        let Ok(r) = a.region_code.parse::<yibao_domain::RegionCode>() else {
            continue;
        };
        if !r.contains(region) {
            continue;
        }
        let rank = if r.is_province_level() {
            1
        } else if r.is_city_level() {
            2
        } else {
            3
        };
        if best.as_ref().is_none_or(|(b, _)| rank > *b) {
            best = Some((rank, a));
        }
    }
    Ok(best.map(|(_, a)| a))
}
