//! Moving a case: every action goes through the domain's state machine; notices, acceptance
//! (with the deadline), completion (with the item's effect) and refusal are done here, in one
//! transaction with the event, the audit entry and the effect.

use serde_json::json;
use yibao_domain::calendar::Pause;
use yibao_domain::case::{
    assess, check_later_notice, next, Action, ActorRole, CaseError, CaseStatus, EventKind,
    NoticeItem, Provided,
};
use yibao_domain::codes::MaybeCode;
use yibao_domain::staff::StaffRole;
use yibao_store::cases::{self as store, CaseRow, EventRow, NoticeRow};
use yibao_store::json_text::JsonText;
use yibao_store::{Conn, StoreError};

use super::clock::{limit_for, limit_working_days};
use super::{facts_of, forwarding, item_of, load, provided_of, shape_of};
use crate::identity::{forbidden, Actor};
use crate::{audit, calendar, effects, ServiceError, Services};
use yibao_domain::case::forwarding::forwarded_allows;

/// The roles `actor` can act in on `case`.
fn roles_of(actor: &Actor, case: &CaseRow) -> Vec<ActorRole> {
    match actor {
        Actor::Citizen(c) if case.applicant_ref == c.id_number => vec![ActorRole::Applicant],
        Actor::Employer(e) if case.applicant_ref == e.uscc => vec![ActorRole::Applicant],
        Actor::Staff(s) => {
            let mut roles = Vec::new();
            // Intake belongs to the receiving agency; decisions to the deciding one (通办).
            if s.agency_id == case.receiving_agency_id && s.has_role(StaffRole::Clerk) {
                roles.push(ActorRole::Clerk);
            }
            if s.agency_id == case.deciding_agency_id {
                if s.has_role(StaffRole::Clerk) && !roles.contains(&ActorRole::Clerk) {
                    roles.push(ActorRole::Clerk);
                }
                if s.has_role(StaffRole::Reviewer) {
                    roles.push(ActorRole::Reviewer);
                }
                if s.has_role(StaffRole::Finance) {
                    roles.push(ActorRole::Finance);
                }
            }
            roles
        }
        _ => Vec::new(),
    }
}

/// Intake actions are the receiving agency's; the rest the deciding agency's.
fn intake(action: Action) -> bool {
    matches!(
        action,
        Action::Submit
            | Action::IssueNotice
            | Action::Correct
            | Action::Accept
            | Action::AcceptAndComplete
    )
}

/// True when cases of `case`'s service carry a bill the clerk enters.
fn bill_case(case: &CaseRow) -> bool {
    yibao_domain::catalog::Service::from_key(&case.service_key)
        .and_then(effects::binding)
        .is_some_and(|b| b.takes_bill())
}

pub(crate) fn role_for(actor: &Actor, case: &CaseRow, action: Action) -> Vec<ActorRole> {
    let mut roles = roles_of(actor, case);
    if bill_case(case) && matches!(action, Action::Complete | Action::Approve) {
        // Four eyes on money: whoever entered the bill does not approve it (`transition`
        // refuses it, the case page does not offer it), so the deciding agency's reviewer may take the clerk's approval step (办结 → 待拨付)
        // of an item without review levels: the agency need not have a second clerk.
        if let Actor::Staff(s) = actor {
            if action == Action::Complete
                && s.agency_id == case.deciding_agency_id
                && s.has_role(StaffRole::Reviewer)
                && !roles.contains(&ActorRole::Clerk)
            {
                roles.push(ActorRole::Clerk);
            }
        }
    }
    match actor {
        Actor::Staff(s) if intake(action) && s.agency_id != case.receiving_agency_id => roles
            .into_iter()
            .filter(|r| *r != ActorRole::Clerk)
            .collect(),
        Actor::Staff(s)
            if !intake(action)
                && action != Action::Refuse
                && s.agency_id != case.deciding_agency_id =>
        {
            Vec::new()
        }
        _ => roles,
    }
}

pub async fn transition(
    services: &Services,
    actor: &Actor,
    number: &str,
    action: Action,
    note: &str,
) -> Result<CaseRow, ServiceError> {
    let today = services.clock().today();
    let now = services.clock().now_text();
    let key = forwarding::key_for_transition(services, number).await?;
    let mut tx = services.store().begin().await?;
    let mut case = load(&mut tx, actor, number).await?;
    let item = item_of(services, &case)?;
    let shape = shape_of(item);
    let from = case.status;
    let forwarded = match forwarding::link_of(&mut tx, case.id).await? {
        forwarding::Link::Forwarded(f) => Some(f),
        _ => None,
    };
    if forwarded.is_some() && !forwarded_allows(from, action) {
        return Err(forwarding::decided_elsewhere());
    }
    let cross_region = forwarded.is_some() || case.receiving_agency_id != case.deciding_agency_id;
    let roles = role_for(actor, &case, action);
    if bill_case(&case)
        && matches!(action, Action::Complete | Action::Approve)
        && crate::reimbursement::entered_by(actor, &case)
    {
        return Err(forbidden(
            "reimbursement.four_eyes",
            "录入费用明细的工作人员不能审批同一笔报销，请由另一名工作人员审核",
        ));
    }
    if roles.is_empty() {
        return Err(forbidden("case.not_yours", "您不能办理此办件的这一环节"));
    }
    let mut result = Err(CaseError::RoleNotAllowed {
        role: "",
        action: action.label(),
    });
    for role in &roles {
        result = next(from, case.review_level as u32, action, *role, &shape, note);
        if result.is_ok() {
            break;
        }
    }
    let (to, level) = result.map_err(|e| match e {
        // Acting outside one's role is a permission matter, not a correctable input.
        CaseError::RoleNotAllowed { .. } => ServiceError::Rule {
            kind: crate::ErrorKind::Forbidden,
            code: "case.role_not_allowed",
            message: yibao_domain::Coded::message(&e),
            details: None,
        },
        e => ServiceError::from_domain(e),
    })?;

    let facts = facts_of(&case)?;
    let provided = provided_of(&mut tx, &case.key()).await?;
    match action {
        Action::Submit => case.submitted_at = Some(now.clone()),
        Action::IssueNotice => {
            issue_notice(&mut tx, &case, item, &facts, &provided, actor, &now, today).await?
        }
        Action::Correct => {
            check_correction(&mut tx, &case, item, &facts, &provided).await?;
            store::answer_notices(&mut tx, &case.key(), &now, &today.to_string()).await?;
            store::close_pauses(&mut tx, &case.key(), "notice", &today.to_string()).await?;
        }
        Action::Accept | Action::AcceptAndComplete => {
            let a = assess(item, &facts, &provided).map_err(ServiceError::from_domain)?;
            if !a.complete() {
                // A seal not confirmed says so; anything else is named.
                return Err(ServiceError::from_domain(CaseError::MaterialsMissing(
                    a.missing
                        .iter()
                        .map(|m| {
                            if m.reason == yibao_domain::case::SEAL_MISSING {
                                format!("{}（{}）", m.name, m.reason)
                            } else {
                                m.name.clone()
                            }
                        })
                        .collect(),
                )));
            }
            accept(&mut tx, services, &mut case, item, today, cross_region).await?;
            if let Some(f) = &forwarded {
                forwarding::forward(&mut tx, services, key, &case, f).await?;
            }
        }
        Action::Refuse => case.refusal_reason = Some(note.trim().to_string()),
        _ => {}
    }
    // Approved for payment: what the effect will need must still hold (e.g. a bill not paid
    // meanwhile), and a bill is not approved by whoever entered it.
    if to == CaseStatus::Disbursement {
        effects::check_before_payment(&mut tx, services, &case, item, today).await?;
        if effects::takes_bill(item) {
            crate::reimbursement::check_approver(&mut tx, services, actor, &case).await?;
        }
    }
    if to == CaseStatus::Completed {
        let outcome = effects::apply(&mut tx, services, &case, item, today, &actor.label()).await?;
        case.outcome = JsonText(Some(outcome));
        case.completed_at = Some(now.clone());
    }
    if to.is_terminal() {
        // Nothing pauses a finished case any more.
        for reason in ["notice", "transit"] {
            store::close_pauses(&mut tx, &case.key(), reason, &today.to_string()).await?;
        }
        if to != CaseStatus::Completed {
            case.completed_at = Some(now.clone());
        }
    }
    case.status = to;
    case.review_level = i64::from(level);
    case.updated_at = now.clone();
    store::update(&mut tx, &case).await?;
    store::insert_event(
        &mut tx,
        &EventRow {
            id: 0,
            case_id: case.id,
            case_month: case.key().month,
            at: now.clone(),
            action: EventKind::Transition(action),
            from_status: MaybeCode(Some(from)),
            to_status: to,
            actor_kind: actor.kind().into(),
            actor_id: actor.id(),
            actor_label: actor.label(),
            channel: if matches!(actor, Actor::Staff(_)) {
                "window".into()
            } else {
                case.channel.clone()
            },
            note: note.trim().chars().take(500).collect(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        services,
        actor,
        &format!("case.{}", action.as_str()),
        "case",
        &case.number,
        Some(&json!({ "status": from.as_str() })),
        Some(&json!({ "status": to.as_str(), "review_level": level })),
        &format!(
            "办件 {}：{}（{} → {}）",
            case.number,
            action.label(),
            from.label(),
            to.label()
        ),
    )
    .await?;
    forwarding::report_transition(&mut tx, services, key, &case, action, note).await?;
    case.row_version += 1;
    // 「提交后自动办结」 (seed 003 item 24, online temporary filing): a complete submission is
    // accepted and completed by the system in the same transaction.
    if action == Action::Submit
        && forwarded.is_none()
        && effects::completes_on_submit(item, &case.channel)
    {
        let provided = provided_of(&mut tx, &case.key()).await?;
        let complete = assess(item, &facts, &provided)
            .map(|a| a.complete())
            .unwrap_or(false);
        if complete {
            accept(&mut tx, services, &mut case, item, today, cross_region).await?;
            let outcome = effects::apply(
                &mut tx,
                services,
                &case,
                item,
                today,
                "系统（提交后自动办结）",
            )
            .await?;
            case.outcome = JsonText(Some(outcome));
            case.completed_at = Some(now.clone());
            case.status = CaseStatus::Completed;
            case.updated_at = now.clone();
            store::update(&mut tx, &case).await?;
            let system = Actor::System {
                label: "auto".into(),
            };
            store::insert_event(
                &mut tx,
                &EventRow {
                    id: 0,
                    case_id: case.id,
                    case_month: case.key().month,
                    at: now.clone(),
                    action: EventKind::Transition(Action::AcceptAndComplete),
                    from_status: MaybeCode(Some(CaseStatus::Submitted)),
                    to_status: CaseStatus::Completed,
                    actor_kind: system.kind().into(),
                    actor_id: 0,
                    actor_label: system.label(),
                    channel: case.channel.clone(),
                    note: "提交后自动办结".into(),
                },
            )
            .await?;
            audit::record(
                &mut tx,
                services,
                &system,
                "case.accept_and_complete",
                "case",
                &case.number,
                Some(&json!({ "status": "submitted" })),
                Some(&json!({ "status": "completed" })),
                &format!("办件 {} 提交后自动办结", case.number),
            )
            .await?;
            case.row_version += 1;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    if case.status == CaseStatus::Completed {
        effects::after_commit(services, &case).await;
    }
    Ok(case)
}

#[allow(clippy::too_many_arguments)]
async fn issue_notice(
    conn: &mut Conn,
    case: &CaseRow,
    item: &yibao_domain::catalog::Item,
    facts: &std::collections::BTreeSet<String>,
    provided: &std::collections::BTreeMap<String, Provided>,
    actor: &Actor,
    now: &str,
    today: chrono::NaiveDate,
) -> Result<(), ServiceError> {
    let a = assess(item, facts, provided).map_err(ServiceError::from_domain)?;
    if a.complete() {
        return Err(ServiceError::from_domain(CaseError::NothingMissing));
    }
    let earlier = store::notices(conn, &case.key()).await?;
    if let Some(first) = earlier.first() {
        let snapshot: std::collections::BTreeMap<String, Provided> =
            serde_json::from_str(&first.snapshot_json).map_err(|e| {
                ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                    "notice snapshot: {e}"
                )))
            })?;
        check_later_notice(item, facts, &snapshot, provided, &a.missing)
            .map_err(ServiceError::from_domain)?;
    }
    let items: Vec<NoticeItem> = a.missing;
    store::insert_notice(
        conn,
        &NoticeRow {
            id: 0,
            case_id: case.id,
            case_month: case.key().month,
            issued_at: now.to_string(),
            issued_on: today.to_string(),
            issued_by: actor.label(),
            items_json: serde_json::to_string(&items).unwrap_or_else(|_| "[]".into()),
            snapshot_json: serde_json::to_string(provided).unwrap_or_else(|_| "{}".into()),
            answered_at: None,
            answered_on: None,
        },
    )
    .await?;
    store::open_pause(conn, &case.key(), "notice", &today.to_string(), None).await?;
    Ok(())
}

/// Acceptance: day 0 of the limit; for a case received in one region and decided in another,
/// the item's transit days (寄递时间, e.g. 4 working days in seed 000) are a pause — also
/// when the other region is a peer instance (a forwarded case).
async fn accept(
    conn: &mut Conn,
    services: &Services,
    case: &mut CaseRow,
    item: &yibao_domain::catalog::Item,
    today: chrono::NaiveDate,
    cross_region: bool,
) -> Result<(), ServiceError> {
    case.accepted_on = Some(today.to_string());
    let cal = calendar::current(services).await?;
    let limit = limit_for(item, &case.channel);
    let mut pauses = Vec::new();
    if cross_region {
        if let Some(transit) = limit.and_then(|l| l.transit_working_days) {
            let until = cal.add_working_days(today, transit).value;
            store::open_pause(
                conn,
                &case.key(),
                "transit",
                &today.to_string(),
                Some(&until.to_string()),
            )
            .await?;
            pauses.push(Pause {
                from: today,
                to: Some(until),
                reason: "transit".into(),
            });
        }
    }
    if let Some(days) = limit.and_then(limit_working_days) {
        let clock = yibao_domain::calendar::CaseClock {
            accepted_on: today,
            limit_working_days: days,
            pauses,
        };
        let state = clock.state(&cal, today, yibao_domain::calendar::Thresholds::default());
        case.deadline = state.due.map(|d| d.to_string());
    }
    Ok(())
}

/// A correction (补正) answers the outstanding notice: refused while a material it lists is
/// still missing, so the applicant uploads first and the upload form stays open (issue #23).
async fn check_correction(
    tx: &mut yibao_store::Conn,
    case: &CaseRow,
    item: &yibao_domain::catalog::Item,
    facts: &std::collections::BTreeSet<String>,
    provided: &std::collections::BTreeMap<String, yibao_domain::case::Provided>,
) -> Result<(), ServiceError> {
    let missing = assess(item, facts, provided)
        .map_err(ServiceError::from_domain)?
        .missing;
    let mut still: Vec<String> = Vec::new();
    for n in store::notices(tx, &case.key()).await? {
        if n.answered_at.is_some() {
            continue;
        }
        let items: Vec<NoticeItem> = serde_json::from_str(&n.items_json).map_err(|e| {
            ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                "notice items: {e}"
            )))
        })?;
        for i in items {
            if missing.iter().any(|m| m.key == i.key) && !still.contains(&i.name) {
                still.push(i.name);
            }
        }
    }
    if still.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            "case.correction_incomplete",
            format!(
                "请先提交一次性告知书所列的材料，再点击“补正材料”：{}",
                still.join("、")
            ),
        ))
    }
}
