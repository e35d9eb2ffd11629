//! Disbursement in batches (拨付批次): finance pays together the cases of its agency that wait
//! for payment. The batch is written first with a pending line per case, then each case is
//! disbursed through the case engine (its own transaction, running the item's effect), and
//! its line gets the result; a crash leaves an open batch whose pending lines say exactly
//! which cases were not reached. A case that fails stays waiting for the next batch.

use serde::Serialize;
use serde_json::{json, Value};
use yibao_domain::case::{Action, CaseStatus};
use yibao_domain::ids::mask_name;
use yibao_domain::staff::StaffRole;
use yibao_store::disbursement::{self as store};
pub use yibao_store::disbursement::{BatchRow, LineRow};
use yibao_store::StoreError;

use crate::identity::{forbidden, Actor};
use crate::{audit, ServiceError, Services};

#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    pub batch: BatchRow,
    pub lines: Vec<LineRow>,
}

fn finance(actor: &Actor) -> Result<&crate::identity::StaffActor, ServiceError> {
    let staff = actor.staff()?;
    staff.require(StaffRole::Finance)?;
    Ok(staff)
}

/// One case waiting for payment.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub number: String,
    pub item_name: String,
    pub applicant: String,
    pub accepted_on: Option<String>,
    /// What the calculation pays (fen), for finance to check before paying; `None` when the
    /// case carries no bill or its calculation now refuses it (`note` says why).
    pub amount_fen: Option<i64>,
    pub note: String,
}

/// The cases this finance officer's agency decides that wait for payment, not already on an
/// open batch.
pub async fn waiting(services: &Services, actor: &Actor) -> Result<Vec<Waiting>, ServiceError> {
    let staff = finance(actor)?;
    let mut tx = services.store().begin_read().await?;
    let taken = store::pending_cases(&mut tx).await?;
    let rows = yibao_store::cases::list_for_agency(&mut tx, staff.agency_id).await?;
    let catalog = services.catalog();
    let mut out = Vec::new();
    for c in rows {
        if c.status != CaseStatus::Disbursement
            || c.deciding_agency_id != staff.agency_id
            || taken.contains(&c.number)
        {
            continue;
        }
        let preview = match crate::reimbursement::preview(&mut tx, services, &c).await {
            Ok(None) => crate::maternity::preview(&mut tx, services, &c).await,
            other => other,
        };
        let (amount_fen, note) = match preview {
            Ok(Some(v)) => (
                v["reimbursed"].as_i64(),
                v["text"].as_str().unwrap_or("").to_string(),
            ),
            Ok(None) => (None, String::new()),
            Err(e) if e.kind() == crate::ErrorKind::Internal => return Err(e),
            Err(e) => (None, e.message()),
        };
        out.push(Waiting {
            item_name: catalog
                .find_version(&c.jurisdiction, &c.item_id, c.item_version as u32)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            applicant: mask_name(&c.applicant_name),
            accepted_on: c.accepted_on,
            number: c.number,
            amount_fen,
            note,
        });
    }
    Ok(out)
}

/// Pays every waiting case (or those listed) in one batch.
pub async fn run(
    services: &Services,
    actor: &Actor,
    only: Option<&[String]>,
) -> Result<Batch, ServiceError> {
    let staff = finance(actor)?;
    let mut cases = waiting(services, actor).await?;
    if let Some(list) = only {
        for n in list {
            if !cases.iter().any(|c| &c.number == n) {
                return Err(ServiceError::invalid(
                    "disbursement.case_not_waiting",
                    format!("办件{n}不是本机构待拨付的办件"),
                ));
            }
        }
        cases.retain(|c| list.contains(&c.number));
    }
    if cases.is_empty() {
        return Err(ServiceError::invalid(
            "disbursement.nothing",
            "没有待拨付的办件",
        ));
    }
    let now = services.clock().now_text();
    let today = services.clock().today();
    let mut tx = services.store().begin().await?;
    let seq = store::count_on(&mut tx, staff.agency_id, &today.to_string()).await? + 1;
    let number = format!(
        "{}-BF-{}-{seq:02}",
        staff.agency_region.as_str(),
        today.format("%Y%m%d")
    );
    let listed: Vec<(String, String)> = cases
        .iter()
        .map(|c| (c.number.clone(), c.applicant.clone()))
        .collect();
    let id = store::open(
        &mut tx,
        &number,
        staff.agency_id,
        &actor.label(),
        &now,
        &listed,
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "disbursement.open",
        "disbursement_batch",
        &number,
        None,
        Some(&json!({ "cases": listed.iter().map(|(n, _)| n).collect::<Vec<_>>() })),
        &format!("生成拨付批次 {number}（{} 件）", listed.len()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let mut tx = services.store().begin().await?;
    let lines = store::lines(&mut tx, id).await?;
    drop(tx);
    for line in lines {
        let result = crate::cases::transition(
            services,
            actor,
            &line.case_number,
            Action::Disburse,
            &format!("拨付批次 {number}"),
        )
        .await;
        let (state, amount, message) = match result {
            Ok(case) => {
                let outcome: Value = case.outcome.0.clone().unwrap_or(Value::Null);
                let paid = outcome["reimbursed"].as_i64().unwrap_or(0);
                (
                    "paid",
                    paid,
                    outcome["text"].as_str().unwrap_or("").to_string(),
                )
            }
            Err(e) => ("failed", 0, e.message()),
        };
        let mut tx = services.store().begin().await?;
        store::set_line(&mut tx, line.id, state, amount, &message).await?;
        tx.commit().await.map_err(StoreError::from)?;
    }
    let mut tx = services.store().begin().await?;
    store::close(&mut tx, id, &services.clock().now_text()).await?;
    let batch = store::find(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("disbursement.not_found", "拨付批次不存在"))?;
    audit::record(
        &mut tx,
        services,
        actor,
        "disbursement.close",
        "disbursement_batch",
        &number,
        None,
        Some(&json!({ "paid": batch.paid_count, "total_fen": batch.total_fen })),
        &format!(
            "拨付批次 {number}：已拨付 {} 件，合计 {}",
            batch.paid_count,
            yibao_domain::Fen(batch.total_fen)
        ),
    )
    .await?;
    let lines = store::lines(&mut tx, id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Batch { batch, lines })
}

/// The agency's batches, newest first (finance, supervisors and auditors).
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<BatchRow>, ServiceError> {
    let staff = reader(actor)?;
    let mut tx = services.store().begin_read().await?;
    Ok(store::list(&mut tx, staff.agency_id).await?)
}

pub async fn get(services: &Services, actor: &Actor, id: i64) -> Result<Batch, ServiceError> {
    let staff = reader(actor)?;
    let mut tx = services.store().begin_read().await?;
    let batch = store::find(&mut tx, id)
        .await?
        .filter(|b| b.agency_id == staff.agency_id)
        .ok_or_else(|| {
            ServiceError::not_found("disbursement.not_found", "拨付批次不存在或无权查看")
        })?;
    let lines = store::lines(&mut tx, id).await?;
    Ok(Batch { batch, lines })
}

fn reader(actor: &Actor) -> Result<&crate::identity::StaffActor, ServiceError> {
    let staff = actor.staff()?;
    if [
        StaffRole::Finance,
        StaffRole::Supervisor,
        StaffRole::Auditor,
    ]
    .into_iter()
    .any(|r| staff.has_role(r))
    {
        Ok(staff)
    } else {
        Err(forbidden(
            "auth.forbidden",
            "拨付批次仅限财务、监督或审计岗位查看",
        ))
    }
}
