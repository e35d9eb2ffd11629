//! Complaints and reports (投诉、举报受理, seed 004 item 36) in the application: received online
//! from a signed-in citizen or entered by a clerk (window, phone, letter, 12345 handover);
//! decided by a reviewer or supervisor of the agency; assigned by a supervisor; answered by the
//! handler; evaluated by the reporter. The rules are yibao-domain's `complaint` module; who sees
//! the reporter's identity is ADR 0009.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use yibao_domain::complaint::{
    self as rules, check_submission, ComplaintChannel, ComplaintEvaluation, ComplaintKind,
    ComplaintLimits, ComplaintStatus, Decision, Reporter, SubjectKind, Submission, Timeliness,
};
use yibao_domain::ids::{mask_id_number, mask_name, mask_phone};
use yibao_domain::staff::StaffRole;
use yibao_domain::{Coded, RegionCode};
use yibao_store::complaint::{self as store, Change, ComplaintRow};
use yibao_store::{agency, staff as staff_store, Conn};

use crate::identity::{forbidden, Actor};
use crate::paging::{Paged, Span};
use crate::{ErrorKind, ServiceError, Services};

/// The limits in force (the guide states none: 示例参数, docs/complaints.md).
pub fn limits() -> ComplaintLimits {
    ComplaintLimits::EXAMPLE
}

/// What a complaint is submitted with (API body and page form alike).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SubmitInput {
    /// `complaint` (投诉) or `report` (举报).
    pub kind: String,
    /// For a clerk: `window`, `phone`, `letter` or `hotline_12345`; a citizen's is `online`.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub ticket: Option<String>,
    /// The district (区划代码) the complaint concerns, for a citizen's online complaint: it goes
    /// to the agency serving it. A clerk's goes to the clerk's agency.
    #[serde(default)]
    pub region_code: Option<String>,
    pub subject_kind: String,
    pub subject_name: String,
    #[serde(default)]
    pub institution_code: Option<String>,
    pub content: String,
    /// True for an anonymous report (举报 only).
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub reporter_name: Option<String>,
    #[serde(default)]
    pub reporter_phone: Option<String>,
    #[serde(default)]
    pub reporter_id_number: Option<String>,
}

/// A complaint as one viewer may see it: the reporter's identity in full only for the reporter
/// and for the agency's supervisors and the assigned handler.
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintView {
    pub number: String,
    pub kind: ComplaintKind,
    pub kind_label: &'static str,
    pub channel: ComplaintChannel,
    pub channel_label: &'static str,
    pub ticket: Option<String>,
    pub agency_name: String,
    pub region_code: String,
    pub subject_kind: SubjectKind,
    pub subject_kind_label: &'static str,
    pub subject_name: String,
    pub institution_code: Option<String>,
    pub content: String,
    pub anonymous: bool,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_id_number: Option<String>,
    /// True when the identity above is masked for this viewer.
    pub reporter_masked: bool,
    pub status: ComplaintStatus,
    pub status_label: &'static str,
    pub received_on: String,
    pub decide_by: String,
    pub answer_by: Option<String>,
    /// The date the current step is due, and how it stands today.
    pub due: Option<String>,
    pub timeliness: Timeliness,
    pub limits_example: bool,
    pub decision_text: Option<String>,
    pub transferred_to: Option<String>,
    pub handler: Option<String>,
    pub answer_text: Option<String>,
    pub answered_at: Option<String>,
    pub evaluation: Option<ComplaintEvaluation>,
    pub evaluation_label: Option<&'static str>,
    pub evaluation_text: Option<String>,
    /// What this viewer may do now: `decide`, `assign`, `answer`, `evaluate`.
    pub actions: Vec<&'static str>,
    pub events: Vec<ComplaintEventView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplaintEventView {
    pub at: String,
    pub action_label: &'static str,
    pub status_label: &'static str,
    pub note: String,
}

fn not_found() -> ServiceError {
    ServiceError::not_found("complaint.not_found", "没有找到该投诉举报，或您无权查看")
}

fn field_errors(errors: Vec<(&'static str, rules::ComplaintError)>) -> ServiceError {
    let list: Vec<_> = errors
        .iter()
        .map(|(f, e)| json!({ "field": f, "code": e.code(), "message": e.message() }))
        .collect();
    ServiceError::Rule {
        kind: ErrorKind::Invalid,
        code: errors
            .first()
            .map(|(_, e)| e.code())
            .unwrap_or("complaint.invalid"),
        message: errors
            .iter()
            .map(|(_, e)| e.message())
            .collect::<Vec<_>>()
            .join("；"),
        details: Some(json!({ "errors": list })),
    }
}

fn parse<T>(
    value: &str,
    from_key: fn(&str) -> Option<T>,
    field: &'static str,
    what: &str,
) -> Result<T, ServiceError> {
    from_key(value.trim()).ok_or_else(|| {
        ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code: "complaint.choice",
            message: format!("请选择{what}"),
            details: Some(json!({ "errors": [{ "field": field, "code": "complaint.choice", "message": format!("请选择{what}") }] })),
        }
    })
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Receives a complaint: a citizen online (signed in), or a clerk for a complaint made at the
/// window, by phone or letter, or handed over from 12345.
pub async fn submit(
    services: &Services,
    actor: &Actor,
    input: &SubmitInput,
) -> Result<ComplaintView, ServiceError> {
    let kind = parse(&input.kind, ComplaintKind::from_key, "kind", "投诉或举报")?;
    let subject_kind = parse(
        &input.subject_kind,
        SubjectKind::from_key,
        "subject_kind",
        "被投诉举报对象的类别",
    )?;
    let (channel, account) = match actor {
        Actor::Citizen(c) => (ComplaintChannel::Online, Some(c.account_id)),
        Actor::Staff(s) => {
            s.require(StaffRole::Clerk)?;
            let channel = parse(
                input.channel.as_deref().unwrap_or(""),
                ComplaintChannel::from_key,
                "channel",
                "收到投诉举报的渠道",
            )?;
            if channel == ComplaintChannel::Online {
                return Err(ServiceError::invalid(
                    "complaint.channel",
                    "网上投诉举报由群众本人登录提交；窗口录入请选择窗口、电话、信件或12345转办",
                ));
            }
            (channel, None)
        }
        Actor::Anonymous => {
            return Err(crate::identity::unauthenticated(
                "auth.required",
                "请先登录后网上投诉举报；也可拨打医保服务电话或到服务窗口反映",
            ))
        }
        _ => return Err(forbidden("auth.forbidden", "此类账户不能提交投诉举报")),
    };
    let reporter = if input.anonymous {
        None
    } else {
        let name = match (opt(&input.reporter_name), actor) {
            (Some(n), _) => n,
            (None, Actor::Citizen(c)) => c.name.clone(),
            (None, _) => String::new(),
        };
        Some(Reporter {
            name,
            phone: opt(&input.reporter_phone).unwrap_or_default(),
            id_number: match (opt(&input.reporter_id_number), actor) {
                (Some(i), _) => Some(i),
                (None, Actor::Citizen(c)) => Some(c.id_number.clone()),
                (None, _) => None,
            },
        })
    };
    let submission = check_submission(Submission {
        kind,
        channel,
        ticket: input.ticket.clone(),
        subject_kind,
        subject_name: input.subject_name.clone(),
        institution_code: input.institution_code.clone(),
        content: input.content.clone(),
        reporter,
    })
    .map_err(field_errors)?;

    let today = services.clock().today();
    let now = services.clock().now_text();
    let limits = limits();
    let calendar = crate::calendar::current(services).await?;
    let decide_by = calendar
        .add_working_days(today, limits.decide_working_days)
        .value;
    let mut tx = services.store().begin().await?;
    let agency = match actor {
        Actor::Staff(s) => agency::find(&mut tx, s.agency_id).await?,
        _ => {
            let code = opt(&input.region_code).unwrap_or_default();
            let region: RegionCode = code.parse().map_err(|_| ServiceError::Rule {
                kind: ErrorKind::Invalid,
                code: "complaint.region",
                message: "请选择投诉举报事项发生地所在的区县".into(),
                details: Some(json!({ "errors": [{ "field": "region_code", "code": "complaint.region", "message": "请选择投诉举报事项发生地所在的区县" }] })),
            })?;
            crate::cases::agency_for(&mut tx, &region).await?
        }
    }
    .ok_or_else(|| {
        ServiceError::invalid("complaint.no_agency", "该地区没有受理投诉举报的医保经办机构")
    })?;
    let reporter = submission.reporter.clone();
    let row = ComplaintRow {
        id: 0,
        number: format!("pending-{:016x}", rand::random::<u64>()),
        agency_id: agency.id,
        region_code: agency.region_code.clone(),
        kind,
        channel,
        ticket: submission.ticket.clone(),
        subject_kind,
        subject_name: submission.subject_name.clone(),
        institution_code: submission.institution_code.clone(),
        content: submission.content.clone(),
        reporter_name: reporter.as_ref().map(|r| r.name.clone()),
        reporter_phone: reporter.as_ref().map(|r| r.phone.clone()),
        reporter_id_number: reporter.as_ref().and_then(|r| r.id_number.clone()),
        reporter_account: account,
        status: ComplaintStatus::Received,
        received_on: today.to_string(),
        decide_by: decide_by.to_string(),
        answer_by: None,
        decision_text: None,
        transferred_to: None,
        handler_id: None,
        answer_text: None,
        answered_at: None,
        evaluation: None,
        evaluation_text: None,
        limits_example: i64::from(limits.example),
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    let (id, number) = store::insert(&mut tx, &row).await?;
    let note = match &submission.ticket {
        Some(t) => format!("{}收到（12345工单号 {t}）", channel.label()),
        None => format!("{}收到", channel.label()),
    };
    event(
        &mut tx,
        actor,
        id,
        "receive",
        None,
        ComplaintStatus::Received,
        &note,
        &now,
    )
    .await?;
    // The audit entry names the complaint, never the reporter.
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "complaint.receive",
        "complaint",
        &number,
        None,
        Some(&json!({ "kind": kind.key(), "channel": channel.key(), "agency_id": agency.id })),
        &format!("登记{} {number}", kind.label()),
    )
    .await?;
    let row = store::find_by_number(&mut tx, &number)
        .await?
        .ok_or_else(not_found)?;
    let view = view_of(&mut tx, services, actor, row).await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(view)
}

#[allow(clippy::too_many_arguments)]
async fn event(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    action: &str,
    from: Option<ComplaintStatus>,
    to: ComplaintStatus,
    note: &str,
    now: &str,
) -> Result<(), ServiceError> {
    let actor_id = match actor {
        Actor::Staff(s) => s.id.to_string(),
        Actor::Citizen(c) => c.account_id.to_string(),
        _ => String::new(),
    };
    store::insert_event(
        conn,
        id,
        action,
        from,
        to,
        actor.kind(),
        &actor_id,
        note,
        now,
    )
    .await?;
    Ok(())
}

/// The agencies a staff member's agency supervises (its own and those inside its region).
async fn staff_agencies(conn: &mut Conn, actor: &Actor) -> Result<Vec<i64>, ServiceError> {
    let s = actor.staff()?;
    crate::cases::supervised_agencies(conn, &s.agency_region).await
}

/// Finds a complaint the actor may see: the reporter's own, or one of the staff member's
/// agencies (its own or a district's).
async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    number: &str,
) -> Result<ComplaintRow, ServiceError> {
    let row = store::find_by_number(conn, number.trim())
        .await?
        .ok_or_else(not_found)?;
    let ok = match actor {
        Actor::Citizen(c) => row.reporter_account == Some(c.account_id),
        Actor::Staff(_) => staff_agencies(conn, actor).await?.contains(&row.agency_id),
        _ => false,
    };
    if ok {
        Ok(row)
    } else {
        Err(not_found())
    }
}

/// True when the viewer sees the reporter in full: the reporter, the agency's own supervisors,
/// the assigned handler.
fn sees_identity(actor: &Actor, row: &ComplaintRow) -> bool {
    match actor {
        Actor::Citizen(c) => row.reporter_account == Some(c.account_id),
        Actor::Staff(s) => {
            row.handler_id == Some(s.id)
                || (s.agency_id == row.agency_id && s.has_role(StaffRole::Supervisor))
        }
        _ => false,
    }
}

fn own_agency_staff(actor: &Actor, row: &ComplaintRow) -> bool {
    matches!(actor, Actor::Staff(s) if s.agency_id == row.agency_id)
}

fn actions_for(actor: &Actor, row: &ComplaintRow) -> Vec<&'static str> {
    let mut out = Vec::new();
    match actor {
        Actor::Staff(s) if s.agency_id == row.agency_id => {
            let decider = s.has_role(StaffRole::Supervisor) || s.has_role(StaffRole::Reviewer);
            if row.status == ComplaintStatus::Received && decider {
                out.push("decide");
            }
            if row.status == ComplaintStatus::Accepted && s.has_role(StaffRole::Supervisor) {
                out.push("assign");
            }
            if row.status == ComplaintStatus::Accepted && row.handler_id == Some(s.id) {
                out.push("answer");
            }
        }
        Actor::Citizen(c)
            if row.reporter_account == Some(c.account_id)
                && row.status == ComplaintStatus::Answered =>
        {
            out.push("evaluate")
        }
        _ => {}
    }
    out
}

async fn view_of(
    conn: &mut Conn,
    services: &Services,
    actor: &Actor,
    row: ComplaintRow,
) -> Result<ComplaintView, ServiceError> {
    let full = sees_identity(actor, &row);
    let anonymous = row.reporter_name.is_none();
    let agency_name = agency::find(conn, row.agency_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let handler = match row.handler_id {
        Some(id) => staff_store::find_by_id(conn, id)
            .await?
            .map(|s| s.display_name),
        None => None,
    };
    let events = store::events(conn, row.id)
        .await?
        .into_iter()
        .map(|e| ComplaintEventView {
            at: e.at,
            action_label: action_label(&e.action),
            status_label: e.to_status.label(),
            note: e.note,
        })
        .collect();
    let decide_by = parse_date(&row, &row.decide_by)?;
    let answer_by = row
        .answer_by
        .as_deref()
        .map(|d| parse_date(&row, d))
        .transpose()?;
    let due = rules::due_of(row.status, decide_by, answer_by);
    let evaluation = row.evaluation()?;
    let actions = actions_for(actor, &row);
    Ok(ComplaintView {
        number: row.number.clone(),
        kind: row.kind,
        kind_label: row.kind.label(),
        channel: row.channel,
        channel_label: row.channel.label(),
        ticket: row.ticket.clone(),
        agency_name,
        region_code: row.region_code.clone(),
        subject_kind: row.subject_kind,
        subject_kind_label: row.subject_kind.label(),
        subject_name: row.subject_name.clone(),
        institution_code: row.institution_code.clone(),
        content: row.content.clone(),
        anonymous,
        reporter_name: row.reporter_name.as_deref().map(|n| {
            if full {
                n.to_string()
            } else {
                mask_name(n)
            }
        }),
        reporter_phone: row.reporter_phone.as_deref().map(|p| {
            if full {
                p.to_string()
            } else {
                mask_phone(p)
            }
        }),
        reporter_id_number: row.reporter_id_number.as_deref().map(|i| {
            if full {
                i.to_string()
            } else {
                mask_id_number(i)
            }
        }),
        reporter_masked: !full && !anonymous,
        status: row.status,
        status_label: row.status.label(),
        received_on: row.received_on.clone(),
        decide_by: row.decide_by.clone(),
        answer_by: row.answer_by.clone(),
        due: due.map(|d| d.to_string()),
        timeliness: rules::timeliness(due, services.clock().today()),
        limits_example: row.limits_example != 0,
        decision_text: row.decision_text.clone(),
        transferred_to: row.transferred_to.clone(),
        handler,
        answer_text: row.answer_text.clone(),
        answered_at: row.answered_at.clone(),
        evaluation,
        evaluation_label: evaluation.map(|e| e.label()),
        evaluation_text: row.evaluation_text.clone(),
        actions,
        events,
    })
}

fn parse_date(row: &ComplaintRow, text: &str) -> Result<NaiveDate, ServiceError> {
    text.parse().map_err(|_| {
        ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
            "complaint {}: date {text:?}",
            row.number
        )))
    })
}

fn action_label(action: &str) -> &'static str {
    match action {
        "receive" => "登记",
        "accept" => "受理",
        "refuse" => "不予受理",
        "transfer" => "移交",
        "assign" => "分派承办人",
        "answer" => "答复",
        "evaluate" => "评价",
        _ => "其他",
    }
}

/// One complaint as the actor may see it.
pub async fn get(
    services: &Services,
    actor: &Actor,
    number: &str,
) -> Result<ComplaintView, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let row = visible(&mut tx, actor, number).await?;
    view_of(&mut tx, services, actor, row).await
}

/// A line of the staff list: no reporter identity at all.
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintSummary {
    pub number: String,
    pub kind_label: &'static str,
    pub channel_label: &'static str,
    pub subject_kind_label: &'static str,
    pub subject_name: String,
    pub institution_code: Option<String>,
    pub status: ComplaintStatus,
    pub status_label: &'static str,
    pub received_on: String,
    pub due: Option<String>,
    pub timeliness: Timeliness,
}

fn summary(row: &ComplaintRow, today: NaiveDate) -> ComplaintSummary {
    let decide_by = row.decide_by.parse().ok();
    let answer_by = row.answer_by.as_deref().and_then(|d| d.parse().ok());
    let due = decide_by.and_then(|d| rules::due_of(row.status, d, answer_by));
    ComplaintSummary {
        number: row.number.clone(),
        kind_label: row.kind.label(),
        channel_label: row.channel.label(),
        subject_kind_label: row.subject_kind.label(),
        subject_name: row.subject_name.clone(),
        institution_code: row.institution_code.clone(),
        status: row.status,
        status_label: row.status.label(),
        received_on: row.received_on.clone(),
        due: due.map(|d| d.to_string()),
        timeliness: rules::timeliness(due, today),
    }
}

/// The staff member's agencies' complaints (open ones first), or a citizen's own.
pub async fn list(
    services: &Services,
    actor: &Actor,
    status: Option<&str>,
    text: &str,
    span: Span,
) -> Result<Paged<ComplaintSummary>, ServiceError> {
    let today = services.clock().today();
    let mut tx = services.store().begin_read().await?;
    match actor {
        Actor::Citizen(c) => {
            let rows = store::list_for_reporter(&mut tx, c.account_id).await?;
            let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            Ok(Paged::new(
                rows.iter().map(|r| summary(r, today)).collect(),
                Span::Export,
                total,
            ))
        }
        Actor::Staff(_) => {
            let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => Some(ComplaintStatus::from_key(s).ok_or_else(|| {
                    ServiceError::invalid("complaint.status_filter", format!("没有“{s}”这种状态"))
                })?),
            };
            let agencies = staff_agencies(&mut tx, actor).await?;
            let found =
                store::search_for_agencies(&mut tx, &agencies, status, text, span.window()).await?;
            Ok(Paged::new(
                found.rows.iter().map(|r| summary(r, today)).collect(),
                span,
                found.total,
            ))
        }
        Actor::Anonymous => Err(crate::identity::unauthenticated(
            "auth.required",
            "请先登录",
        )),
        _ => Err(forbidden("auth.forbidden", "此类账户不能查看投诉举报")),
    }
}

/// What a reviewer or supervisor decides on a received complaint.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DecideInput {
    /// `accept`, `refuse` or `transfer`.
    pub decision: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
}

/// 受理 / 不予受理 / 移交: by a reviewer or supervisor of the complaint's agency.
pub async fn decide(
    services: &Services,
    actor: &Actor,
    number: &str,
    input: &DecideInput,
) -> Result<ComplaintView, ServiceError> {
    let staff = actor.staff()?;
    if !staff.has_role(StaffRole::Supervisor) && !staff.has_role(StaffRole::Reviewer) {
        return Err(forbidden(
            "auth.forbidden",
            "投诉举报的受理决定由审核或监督岗位作出",
        ));
    }
    let reason = input.reason.clone().unwrap_or_default();
    let decision = match input.decision.trim() {
        "accept" => Decision::Accept,
        "refuse" => Decision::Refuse { reason },
        "transfer" => Decision::Transfer {
            department: input.department.clone().unwrap_or_default(),
            reason,
        },
        _ => {
            return Err(ServiceError::invalid(
                "complaint.decision",
                "请选择受理、不予受理或移交",
            ))
        }
    };
    let today = services.clock().today();
    let now = services.clock().now_text();
    let calendar = crate::calendar::current(services).await?;
    let mut tx = services.store().begin().await?;
    let row = visible(&mut tx, actor, number).await?;
    if !own_agency_staff(actor, &row) {
        return Err(forbidden(
            "auth.forbidden",
            "只有受理该投诉举报的经办机构可以作出决定",
        ));
    }
    let decision = rules::decide(row.status, decision).map_err(ServiceError::from_domain)?;
    let to = decision.status();
    let (action, change, note) = match &decision {
        Decision::Accept => {
            let answer_by = calendar
                .add_working_days(today, limits().answer_working_days)
                .value;
            (
                "accept",
                Change {
                    answer_by: Some(answer_by.to_string()),
                    ..Change::default()
                },
                format!("受理，应于 {answer_by} 前答复"),
            )
        }
        Decision::Refuse { reason } => (
            "refuse",
            Change {
                decision_text: Some(reason.clone()),
                ..Change::default()
            },
            format!("不予受理：{reason}"),
        ),
        Decision::Transfer { department, reason } => (
            "transfer",
            Change {
                decision_text: Some(reason.clone()),
                transferred_to: Some(department.clone()),
                ..Change::default()
            },
            format!("移交{department}：{reason}"),
        ),
    };
    step(
        &mut tx, services, actor, &row, action, to, &change, &note, &now,
    )
    .await?;
    finish(tx, services, actor, number).await
}

#[allow(clippy::too_many_arguments)]
async fn step(
    tx: &mut Conn,
    services: &Services,
    actor: &Actor,
    row: &ComplaintRow,
    action: &'static str,
    to: ComplaintStatus,
    change: &Change,
    note: &str,
    now: &str,
) -> Result<(), ServiceError> {
    if !store::update(tx, row.id, row.status, to, change, now).await? {
        return Err(ServiceError::Rule {
            kind: ErrorKind::Conflict,
            code: "complaint.changed",
            message: "该投诉举报刚被他人处理，请刷新后查看".into(),
            details: None,
        });
    }
    event(tx, actor, row.id, action, Some(row.status), to, note, now).await?;
    crate::audit::record(
        tx,
        services,
        actor,
        &format!("complaint.{action}"),
        "complaint",
        &row.number,
        Some(&json!({ "status": row.status.key() })),
        Some(&json!({ "status": to.key() })),
        &format!("投诉举报 {}：{}", row.number, action_label(action)),
    )
    .await
}

async fn finish(
    mut tx: yibao_store::Tx,
    services: &Services,
    actor: &Actor,
    number: &str,
) -> Result<ComplaintView, ServiceError> {
    let row = store::find_by_number(&mut tx, number.trim())
        .await?
        .ok_or_else(not_found)?;
    let view = view_of(&mut tx, services, actor, row).await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(view)
}

/// Assigns an accepted complaint to a staff member of its agency: by the agency's supervisor.
pub async fn assign(
    services: &Services,
    actor: &Actor,
    number: &str,
    handler_username: &str,
) -> Result<ComplaintView, ServiceError> {
    let staff = actor.staff()?;
    staff.require(StaffRole::Supervisor)?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let row = visible(&mut tx, actor, number).await?;
    if !own_agency_staff(actor, &row) {
        return Err(forbidden(
            "auth.forbidden",
            "只有受理该投诉举报的经办机构可以分派承办人",
        ));
    }
    rules::check_assign(row.status).map_err(ServiceError::from_domain)?;
    let handler = staff_store::find_by_username(&mut tx, handler_username.trim())
        .await?
        .filter(|h| h.agency_id == row.agency_id)
        .ok_or_else(|| {
            ServiceError::invalid(
                "complaint.handler",
                format!("“{}”不是本经办机构的工作人员", handler_username.trim()),
            )
        })?;
    let change = Change {
        handler_id: Some(handler.id),
        ..Change::default()
    };
    let note = format!("分派给{}", handler.display_name);
    step(
        &mut tx, services, actor, &row, "assign", row.status, &change, &note, &now,
    )
    .await?;
    finish(tx, services, actor, number).await
}

/// The handler's answer (答复) to the reporter.
pub async fn answer(
    services: &Services,
    actor: &Actor,
    number: &str,
    text: &str,
) -> Result<ComplaintView, ServiceError> {
    let staff = actor.staff()?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let row = visible(&mut tx, actor, number).await?;
    if row.handler_id != Some(staff.id) {
        return Err(forbidden(
            "complaint.not_handler",
            "只有被分派的承办人可以答复该投诉举报",
        ));
    }
    let text = rules::check_answer(row.status, text).map_err(ServiceError::from_domain)?;
    let change = Change {
        answer_text: Some(text),
        answered_at: Some(now.clone()),
        ..Change::default()
    };
    step(
        &mut tx,
        services,
        actor,
        &row,
        "answer",
        ComplaintStatus::Answered,
        &change,
        "已答复投诉举报人",
        &now,
    )
    .await?;
    finish(tx, services, actor, number).await
}

/// The reporter's evaluation of the answer; it closes the complaint.
pub async fn evaluate(
    services: &Services,
    actor: &Actor,
    number: &str,
    evaluation: &str,
    comment: Option<&str>,
) -> Result<ComplaintView, ServiceError> {
    let Actor::Citizen(_) = actor else {
        return Err(forbidden("auth.forbidden", "评价由投诉举报人本人作出"));
    };
    let evaluation = parse(
        evaluation,
        ComplaintEvaluation::from_key,
        "evaluation",
        "评价",
    )?;
    let comment = comment
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from);
    if comment.as_deref().is_some_and(|c| {
        c.chars().count() > rules::REASON_MAX_CHARS || c.chars().any(char::is_control)
    }) {
        return Err(ServiceError::invalid(
            "complaint.evaluation_text",
            format!("评价意见不超过{}个字", rules::REASON_MAX_CHARS),
        ));
    }
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let row = visible(&mut tx, actor, number).await?;
    let to = rules::check_evaluate(row.status).map_err(ServiceError::from_domain)?;
    let change = Change {
        evaluation: Some(evaluation.key().to_string()),
        evaluation_text: comment,
        ..Change::default()
    };
    let note = format!("评价：{}", evaluation.label());
    step(
        &mut tx, services, actor, &row, "evaluate", to, &change, &note, &now,
    )
    .await?;
    finish(tx, services, actor, number).await
}

/// Complaints about one designated institution, for the staff of its region's agencies
/// (the link issue #23 asks for): summaries only.
pub async fn about_institution(
    services: &Services,
    actor: &Actor,
    institution_code: &str,
) -> Result<Vec<ComplaintSummary>, ServiceError> {
    actor.staff()?;
    let today = services.clock().today();
    let mut tx = services.store().begin_read().await?;
    let agencies = staff_agencies(&mut tx, actor).await?;
    Ok(
        store::list_for_institution(&mut tx, institution_code.trim())
            .await?
            .iter()
            .filter(|r| agencies.contains(&r.agency_id))
            .map(|r| summary(r, today))
            .collect(),
    )
}

/// The agencies an online complaint may go to (region code, name), for the form's choice.
pub async fn agencies(services: &Services) -> Result<Vec<(String, String)>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    Ok(agency::list(&mut tx)
        .await?
        .into_iter()
        .map(|a| (a.region_code, a.name))
        .collect())
}
