//! Reading cases: the case with its history for those who may see it, the applicant's list, the
//! staff queues with the time-limit colour, the supervisor's overdue list, the public progress
//! query, and evaluations (好差评) with their statistics.

use crate::paging::{Paged, Span};
use std::collections::BTreeMap;
use yibao_domain::staff::StaffRole;

use serde::Serialize;
use serde_json::{json, Value};
use yibao_domain::calendar::{ClockState, WarningLevel};
use yibao_domain::case::{
    allowed_actions, assess, Action, ApplicantType, CaseStatus, Evaluation, FollowUp, NoticeItem,
};
use yibao_domain::CitizenId;
use yibao_store::cases::{
    self as store, CaseRow, EvaluationRow, EventRow, MaterialRow, NoticeRow, PauseRow,
};
use yibao_store::StoreError;

use super::clock::{clock_of, limit_for};
use super::transition::role_for;
use super::{facts_of, item_of, load, provided_of, shape_of};
use crate::identity::{forbidden, Actor};
use crate::{audit, calendar, ServiceError, Services};

#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub issued_at: String,
    pub issued_by: String,
    pub items: Vec<NoticeItem>,
    pub answered_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub case: CaseRow,
    pub item_name: String,
    pub status_label: &'static str,
    pub limit_text: Option<String>,
    pub clock: Option<ClockState>,
    pub events: Vec<EventRow>,
    pub materials: Vec<MaterialRow>,
    pub notices: Vec<NoticeView>,
    pub pauses: Vec<PauseRow>,
    /// What is still missing now (for the clerk and the applicant).
    pub missing: Vec<NoticeItem>,
    pub evaluation: Option<EvaluationRow>,
    /// Actions this viewer may take now, with their labels.
    pub actions: Vec<(&'static str, &'static str)>,
    pub can_evaluate: bool,
    /// The viewer may hand in materials now (`materials_open` for the applicant or a clerk).
    pub can_add_material: bool,
    pub outcome: Option<Value>,
    /// The clerk enters a bill on this case (its service's binding says so).
    pub takes_bill: bool,
    /// For a reimbursement case not yet completed: the split as it stands; for an accepted
    /// maternity claim: what it would pay now, or the rule that refuses it.
    pub reimbursement_preview: Option<Value>,
    /// 通办 across instances: the peer deciding this case (forwarded) or whose window received
    /// it (received), with the case's number and last status there.
    pub peer_link: Option<super::PeerLinkView>,
}

fn notice_view(n: &NoticeRow) -> Result<NoticeView, ServiceError> {
    Ok(NoticeView {
        issued_at: n.issued_at.clone(),
        issued_by: n.issued_by.clone(),
        items: serde_json::from_str(&n.items_json).map_err(|e| {
            ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                "notice items: {e}"
            )))
        })?,
        answered_at: n.answered_at.clone(),
    })
}

pub async fn view(
    services: &Services,
    actor: &Actor,
    number: &str,
) -> Result<CaseView, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let case = load(&mut tx, actor, number).await?;
    let item = item_of(services, &case)?;
    let shape = shape_of(item);
    let status = case.status;
    let can_add_material = super::materials::may_add_materials(actor, &case).is_ok();
    let events = store::events(&mut tx, &case.key()).await?;
    let materials = store::materials(&mut tx, &case.key()).await?;
    let notices = store::notices(&mut tx, &case.key()).await?;
    let pauses = store::pauses(&mut tx, &case.key()).await?;
    let evaluation = store::evaluation(&mut tx, &case.key()).await?;
    let provided = provided_of(&mut tx, &case.key()).await?;
    let missing = assess(item, &facts_of(&case)?, &provided)
        .map(|a| a.missing)
        .unwrap_or_default();
    let cal = calendar::current(services).await?;
    let clock = clock_of(&cal, item, &case, &pauses, services.clock().today());
    let peer_link = super::forwarding::view_of(&mut tx, case.id).await?;
    let forwarded = peer_link
        .as_ref()
        .is_some_and(|l| l.direction == "forwarded");
    let mut actions: Vec<(&'static str, &'static str)> = Vec::new();
    // Four eyes on money: whoever entered the bill is not offered its approval.
    let entered_bill = crate::reimbursement::entered_by(actor, &case);
    for a in Action::ALL {
        if entered_bill && matches!(a, Action::Complete | Action::Approve) {
            continue;
        }
        // A forwarded case: the window keeps its intake, the peer decides.
        if forwarded && !yibao_domain::case::forwarding::forwarded_allows(status, a) {
            continue;
        }
        let roles = role_for(actor, &case, a);
        if roles
            .iter()
            .any(|r| allowed_actions(status, *r, &shape).contains(&a))
        {
            actions.push((a.as_str(), a.label()));
        }
    }
    let takes_bill = crate::effects::takes_bill(item);
    let reimbursement_preview = if takes_bill && case.outcome.is_none() {
        // A bill that cannot be split yet (e.g. no coverage) is shown as its reason.
        match crate::reimbursement::preview(&mut tx, services, &case).await {
            Ok(v) => v,
            Err(e) => Some(serde_json::json!({ "text": e.message(), "code": e.code() })),
        }
    } else if case.outcome.is_none()
        && crate::maternity::benefit_of_service(item.service).is_some()
        && matches!(status, CaseStatus::Accepted | CaseStatus::Disbursement)
    {
        // A maternity claim: what it would pay now, or the rule that refuses it.
        match crate::maternity::preview(&mut tx, services, &case).await {
            Ok(v) => v,
            Err(e) if e.kind() == crate::ErrorKind::Internal => return Err(e),
            Err(e) => Some(serde_json::json!({ "text": e.message(), "code": e.code() })),
        }
    } else {
        None
    };
    let can_evaluate = evaluation.is_none()
        && matches!(status, CaseStatus::Completed | CaseStatus::Refused)
        && matches!(actor, Actor::Citizen(_) | Actor::Employer(_));
    Ok(CaseView {
        item_name: item.name.clone(),
        status_label: if peer_link
            .as_ref()
            .is_some_and(|l| l.direction == "forwarded" && l.forwarded_at.is_some())
        {
            yibao_domain::case::forwarding::forwarded_label(status)
        } else {
            status.label()
        },
        peer_link,
        limit_text: limit_for(item, &case.channel).map(|l| l.text.clone()),
        clock,
        events,
        materials,
        notices: notices.iter().map(notice_view).collect::<Result<_, _>>()?,
        pauses,
        missing,
        evaluation,
        actions,
        can_evaluate,
        outcome: case.outcome.0.clone(),
        can_add_material,
        takes_bill,
        reimbursement_preview,
        case,
    })
}

/// One line of a list.
#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub number: String,
    pub item_name: String,
    pub applicant: String,
    pub status: String,
    pub status_label: &'static str,
    pub created_at: String,
    pub deadline: Option<String>,
    pub level: &'static str,
    pub level_label: &'static str,
    pub remaining_working_days: Option<u32>,
}

async fn summaries(
    services: &Services,
    rows: Vec<CaseRow>,
    masked: bool,
) -> Result<Vec<CaseSummary>, ServiceError> {
    let cal = calendar::current(services).await?;
    let today = services.clock().today();
    let mut tx = services.store().begin_read().await?;
    let mut out = Vec::new();
    for c in rows {
        let item = item_of(services, &c).ok();
        let pauses = store::pauses(&mut tx, &c.key()).await?;
        let clock = item.and_then(|i| clock_of(&cal, i, &c, &pauses, today));
        let status = c.status;
        // A case a peer decides reads 已转异地办理 in every list, as on its page.
        let forwarded = yibao_store::case_forwarding::forward(&mut tx, c.id)
            .await?
            .is_some_and(|f| f.forwarded_at.is_some());
        let level = match (&clock, status.is_terminal()) {
            (_, true) => None,
            (Some(s), false) => Some(s.level),
            (None, false) => None,
        };
        out.push(CaseSummary {
            item_name: item.map(|i| i.name.clone()).unwrap_or_default(),
            applicant: if masked {
                yibao_domain::ids::mask_name(&c.applicant_name)
            } else {
                c.applicant_name.clone()
            },
            status: c.status.as_str().to_string(),
            status_label: if forwarded {
                yibao_domain::case::forwarding::forwarded_label(status)
            } else {
                status.label()
            },
            created_at: c.created_at.clone(),
            deadline: clock
                .as_ref()
                .and_then(|s| s.due.map(|d| d.to_string()))
                .or(c.deadline.clone()),
            level: level.map(level_key).unwrap_or("none"),
            level_label: level.map(WarningLevel::label).unwrap_or(""),
            remaining_working_days: clock.as_ref().map(|s| s.remaining_working_days),
            number: c.number,
        });
    }
    Ok(out)
}

fn level_key(l: WarningLevel) -> &'static str {
    match l {
        WarningLevel::Normal => "normal",
        WarningLevel::DueSoon => "due_soon",
        WarningLevel::Overdue => "overdue",
        WarningLevel::Paused => "paused",
    }
}

/// The applicant's own cases.
pub async fn list_mine(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<CaseSummary>, ServiceError> {
    let (kind, reference) = match actor {
        Actor::Citizen(c) => (ApplicantType::Person, c.id_number.clone()),
        Actor::Employer(e) => (ApplicantType::Employer, e.uscc.clone()),
        _ => {
            actor.require_login()?;
            return Err(forbidden(
                "auth.forbidden",
                "仅参保人和参保单位可查看“我的办件”",
            ));
        }
    };
    let mut tx = services.store().begin_read().await?;
    let rows = store::list_by_applicant(&mut tx, kind, &reference).await?;
    drop(tx);
    summaries(services, rows, false).await
}

/// The cases of the staff member's agency and of the agencies it supervises (a city's
/// districts'), newest first.
async fn visible_cases(
    tx: &mut yibao_store::Conn,
    staff: &crate::identity::StaffActor,
) -> Result<Vec<CaseRow>, ServiceError> {
    let mut rows: Vec<CaseRow> = Vec::new();
    for agency_id in super::supervised_agencies(tx, &staff.agency_region).await? {
        for c in store::list_for_agency(tx, agency_id).await? {
            if !rows.iter().any(|r| r.id == c.id) {
                rows.push(c);
            }
        }
    }
    rows.sort_by_key(|c| std::cmp::Reverse(c.id));
    Ok(rows)
}

/// The staff member's agency's cases and its districts', open ones first (optionally one
/// status), whose number, applicant name or ID contains `text`: a page of them.
pub async fn queue(
    services: &Services,
    actor: &Actor,
    status: Option<&str>,
    text: &str,
    span: Span,
) -> Result<Paged<CaseSummary>, ServiceError> {
    let staff = actor.staff()?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            CaseStatus::ALL
                .into_iter()
                .find(|c| c.as_str() == s)
                .ok_or_else(|| {
                    ServiceError::invalid("case.status", format!("没有“{s}”这种办件状态"))
                })?,
        ),
    };
    let mut tx = services.store().begin_read().await?;
    let agencies = super::supervised_agencies(&mut tx, &staff.agency_region).await?;
    let found = store::search_for_agencies(&mut tx, &agencies, status, text, span.window()).await?;
    drop(tx);
    Ok(Paged::new(
        summaries(services, found.rows, true).await?,
        span,
        found.total,
    ))
}

/// Open cases past their deadline, for supervisors (their agency's) and auditors.
pub async fn overdue(services: &Services, actor: &Actor) -> Result<Vec<CaseSummary>, ServiceError> {
    let staff = actor.staff()?;
    if !staff.has_role(StaffRole::Supervisor) && !staff.has_role(StaffRole::Auditor) {
        return Err(forbidden(
            "auth.forbidden",
            "超期办件清单仅限监督或审计岗位查看",
        ));
    }
    let open = queue(services, actor, None, "", Span::Export).await?;
    Ok(open
        .items
        .into_iter()
        .filter(|s| s.level == "overdue")
        .collect())
}

/// What the public progress query answers (办理进度查询): status and dates, nothing else.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub number: String,
    pub item_name: String,
    pub status_label: &'static str,
    pub accepted_on: Option<String>,
    pub deadline: Option<String>,
    pub completed_at: Option<String>,
}

/// By case number and the applicant's ID number, without login. A wrong pair gets the same
/// answer as a case that does not exist.
pub async fn progress(
    services: &Services,
    number: &str,
    id_number: &str,
) -> Result<Progress, ServiceError> {
    let none = || {
        ServiceError::not_found(
            "case.not_found",
            "未查到该办件：请核对办件编号和申请人身份证号码",
        )
    };
    let id: CitizenId = id_number.parse().map_err(|_| none())?;
    let mut tx = services.store().begin_read().await?;
    let case = store::find_by_number(&mut tx, number.trim())
        .await?
        .ok_or_else(none)?;
    if !(case.applicant_kind == yibao_domain::case::ApplicantType::Person
        && case.applicant_ref == id.as_str())
    {
        return Err(none());
    }
    let forwarded = yibao_store::case_forwarding::forward(&mut tx, case.id)
        .await?
        .is_some_and(|f| f.forwarded_at.is_some());
    let item = item_of(services, &case)?;
    Ok(Progress {
        item_name: item.name.clone(),
        status_label: if forwarded {
            yibao_domain::case::forwarding::forwarded_label(case.status)
        } else {
            case.status.label()
        },
        accepted_on: case.accepted_on.clone(),
        deadline: case.deadline.clone(),
        completed_at: case.completed_at.clone(),
        number: case.number,
    })
}

/// 好差评: once per case, by the applicant, after completion or refusal.
pub async fn evaluate(
    services: &Services,
    actor: &Actor,
    number: &str,
    level: &str,
    comment: &str,
) -> Result<EvaluationRow, ServiceError> {
    let e = Evaluation::parse(level).map_err(ServiceError::from_domain)?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let case = load(&mut tx, actor, number).await?;
    if !matches!(actor, Actor::Citizen(_) | Actor::Employer(_)) {
        return Err(forbidden(
            "case.evaluate_applicant_only",
            "只有申请人可以评价办件",
        ));
    }
    if !matches!(case.status.as_str(), "completed" | "refused") {
        return Err(ServiceError::invalid(
            "case.evaluate_too_early",
            "办件办结或不予办理后才能评价",
        ));
    }
    if store::evaluation(&mut tx, &case.key()).await?.is_some() {
        return Err(ServiceError::Rule {
            kind: crate::ErrorKind::Conflict,
            code: "case.evaluated",
            message: "该办件已评价，每件只能评价一次".into(),
            details: None,
        });
    }
    let row = EvaluationRow {
        case_id: case.id,
        case_month: case.key().month,
        level: e,
        comment: comment.trim().chars().take(500).collect(),
        at: now,
        follow_up_status: e.follow_up(),
        follow_up_note: String::new(),
    };
    store::insert_evaluation(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "case.evaluate",
        "case",
        &case.number,
        None,
        Some(&json!({ "level": e.as_str() })),
        &format!("评价办件 {}：{}", case.number, e.label()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationStats {
    /// Per item name: counts per level (labels).
    pub by_item: BTreeMap<String, BTreeMap<&'static str, u32>>,
    pub open_follow_ups: Vec<String>,
}

/// Evaluation statistics of the staff member's agency, per item and level.
pub async fn evaluation_stats(
    services: &Services,
    actor: &Actor,
) -> Result<EvaluationStats, ServiceError> {
    let staff = actor.staff()?;
    let mut tx = services.store().begin_read().await?;
    let cases = visible_cases(&mut tx, staff).await?;
    let evals = store::evaluations(&mut tx).await?;
    let mut by_item: BTreeMap<String, BTreeMap<&'static str, u32>> = BTreeMap::new();
    let mut open = Vec::new();
    for e in evals {
        let Some(c) = cases.iter().find(|c| c.id == e.case_id) else {
            continue;
        };
        let name = item_of(services, c)
            .map(|i| i.name.clone())
            .unwrap_or_default();
        let label = e.level.label();
        *by_item.entry(name).or_default().entry(label).or_default() += 1;
        if e.follow_up_status == FollowUp::Open {
            open.push(c.number.clone());
        }
    }
    Ok(EvaluationStats {
        by_item,
        open_follow_ups: open,
    })
}
