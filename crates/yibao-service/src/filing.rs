//! Remote-care filings (异地就医备案) in the application: recording a completed filing case (the
//! effect of every filing item), changes and cancellations, what a citizen sees, and the active
//! filing the settlement asks for. The rules are yibao-domain's `filing` module.

use chrono::NaiveDate;
use yibao_domain::filing::{
    active_filing, cancel_filing, change_filing, Filing, FilingApplication, FilingJurisdiction,
    FilingRequest, RegistrationType, ValidityPolicy,
};
use yibao_domain::staff::StaffRole;
use yibao_domain::{CitizenId, RegionCode};
use yibao_store::filing::{self as store, FilingRow};
use yibao_store::Conn;

use crate::identity::Actor;
use crate::{ServiceError, Services};

/// The validity rules in force: the seeds' (every filing until changed or cancelled). The
/// national example figures stay an example until confirmed (POLICY-FACTS).
pub fn policy() -> ValidityPolicy {
    ValidityPolicy::per_seeds()
}

fn decode(row: &FilingRow) -> Result<Filing, ServiceError> {
    serde_json::from_str(&row.filing_json).map_err(|e| {
        ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
            "filing {}: {e}",
            row.id
        )))
    })
}

fn encode(f: &Filing) -> String {
    serde_json::to_string(f).unwrap_or_default()
}

/// A stored filing with the application it came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FilingRecord {
    pub filing: Filing,
    pub application: FilingApplication,
    pub case_number: Option<String>,
    pub created_at: String,
}

fn record_of(row: &FilingRow) -> Result<FilingRecord, ServiceError> {
    Ok(FilingRecord {
        filing: decode(row)?,
        application: serde_json::from_str(&row.application_json).map_err(|e| {
            ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                "filing {} application: {e}",
                row.id
            )))
        })?,
        case_number: row.case_number.clone(),
        created_at: row.created_at.clone(),
    })
}

/// Records the filing of a completed filing case, inside the case's transaction. A change
/// (登记类别 变更) ends the person's current filing of the same group and opens the new one.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut Conn,
    services: &Services,
    application: &FilingApplication,
    jurisdiction: FilingJurisdiction,
    insured_region: &RegionCode,
    case_number: &str,
    today: NaiveDate,
) -> Result<Filing, ServiceError> {
    let target = application.target().map_err(ServiceError::from_domain)?;
    let request = FilingRequest {
        id: format!("BA{}", case_number.replace('-', "")),
        person: application.id_number.clone(),
        kind: application.kind,
        jurisdiction,
        insured_region: insured_region.clone(),
        target: target.clone(),
        recorded_on: today,
        starts_on: None,
        requested_end: None,
    };
    let now = services.clock().now_text();
    let policy = policy();
    let filing = match application.registration {
        RegistrationType::New => Filing::open(request, &policy),
        RegistrationType::Change => {
            let current = current_filings(conn, &application.id_number, today).await?;
            let old = current
                .into_iter()
                .find(|f| {
                    f.kind == application.kind
                        || (f.kind.is_long_term() && application.kind.is_long_term())
                })
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "filing.nothing_to_change",
                        "没有可以变更的备案：请按“新增”登记",
                    )
                })?;
            let (closed, new) = change_filing(&old, request, today, &policy)
                .map_err(ServiceError::from_domain_list)?;
            store::update_filing(conn, &closed.id, &encode(&closed), &now).await?;
            new
        }
    };
    store::insert(
        conn,
        &FilingRow {
            id: filing.id.clone(),
            person_id_number: filing.person.as_str().to_string(),
            kind: format!("{:?}", filing.kind),
            target_code: target.code().as_str().to_string(),
            case_number: Some(case_number.to_string()),
            filing_json: encode(&filing),
            application_json: serde_json::to_string(application).unwrap_or_default(),
            created_at: now.clone(),
            updated_at: now,
        },
    )
    .await?;
    Ok(filing)
}

async fn current_filings(
    conn: &mut Conn,
    person: &CitizenId,
    today: NaiveDate,
) -> Result<Vec<Filing>, ServiceError> {
    let rows = store::list_for_person(conn, person.as_str()).await?;
    let mut out = Vec::new();
    for r in &rows {
        let f = decode(r)?;
        if f.is_current(today) {
            out.push(f);
        }
    }
    Ok(out)
}

/// Cancels a filing (取消备案) inside the cancelling case's transaction.
pub async fn cancel(
    conn: &mut Conn,
    services: &Services,
    id: &str,
    today: NaiveDate,
) -> Result<Filing, ServiceError> {
    let row = store::find(conn, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("filing.not_found", "备案不存在"))?;
    let closed =
        cancel_filing(&decode(&row)?, today, &policy()).map_err(ServiceError::from_domain)?;
    store::update_filing(conn, id, &encode(&closed), &services.clock().now_text()).await?;
    Ok(closed)
}

/// The filing that applies to `person`'s care in `care_region` on `date`, if any (settlement).
pub async fn active_for(
    conn: &mut Conn,
    person: &CitizenId,
    care_region: &RegionCode,
    date: NaiveDate,
) -> Result<Option<Filing>, ServiceError> {
    let rows = store::list_for_person(conn, person.as_str()).await?;
    let filings = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    Ok(active_filing(&filings, person, care_region, date).cloned())
}

fn may_see(actor: &Actor, record: &FilingRecord) -> bool {
    match actor {
        Actor::Citizen(c) => c.id_number == record.filing.person.as_str(),
        Actor::Staff(s) => s.agency_region.contains(&record.filing.insured_region),
        _ => false,
    }
}

/// The citizen's own filings, newest first.
pub async fn mine(services: &Services, actor: &Actor) -> Result<Vec<FilingRecord>, ServiceError> {
    let c = actor.citizen()?;
    let mut tx = services.store().begin_read().await?;
    store::list_for_person(&mut tx, &c.id_number)
        .await?
        .iter()
        .map(record_of)
        .collect()
}

/// One filing, for whoever may see it (the person, staff of the insured region); others get
/// the same answer as for a filing that does not exist.
pub async fn get(
    services: &Services,
    actor: &Actor,
    id: &str,
) -> Result<FilingRecord, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let not_found = || ServiceError::not_found("filing.not_found", "备案不存在或无权查看");
    let row = store::find(&mut tx, id).await?.ok_or_else(not_found)?;
    let record = record_of(&row)?;
    if may_see(actor, &record) {
        Ok(record)
    } else {
        Err(not_found())
    }
}

/// Cancels a filing at the person's request (取消备案): the person themself online, or a clerk
/// of the insured region's agency. From today on the filing no longer applies.
pub async fn cancel_by(
    services: &Services,
    actor: &Actor,
    id: &str,
) -> Result<Filing, ServiceError> {
    let record = get(services, actor, id).await?;
    if let Actor::Staff(s) = actor {
        s.require(StaffRole::Clerk)?;
    }
    let today = services.clock().today();
    let mut tx = services.store().begin().await?;
    let closed = cancel(&mut tx, services, id, today).await?;
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "filing.cancel",
        "filing",
        id,
        Some(&serde_json::json!({ "end": record.filing.end })),
        Some(&serde_json::json!({ "end": closed.end })),
        &format!("取消异地就医备案 {id}"),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(closed)
}
