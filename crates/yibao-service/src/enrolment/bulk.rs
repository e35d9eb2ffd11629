//! Bulk rosters (批量增员 / 减员): an employer uploads its employees as an .xlsx or CSV file.
//! Every row is checked twice: the file (columns, dates) by `roster`, then the rules by running
//! the very effect that completion will run, inside a transaction that is rolled back. Any
//! problem rejects the whole file with a list per row; a clean file becomes one case of the
//! guide's item, submitted for the window to confirm (seed 003 职工参保登记 网上办理「受理」).

use serde::Serialize;
use serde_json::{json, Value};
use yibao_domain::catalog::{ChannelKind, Service};
use yibao_domain::staff::StaffRole;
use yibao_store::cases::{CaseFacts, CaseRow};
use yibao_store::enrolment::{self, EmployerRow};
use yibao_store::json_text::JsonText;

use super::roster::{parse_roster, RosterKind, RowProblem};
use super::{item_for, jurisdiction_of, Effect};
use crate::cases::{ApplicantInput, ApplyInput};
use crate::identity::Actor;
use crate::records::may_see_employer;
use crate::{ErrorKind, ServiceError, Services};

#[derive(Debug, Clone, Serialize)]
pub struct RosterAccepted {
    pub case_number: String,
    pub rows: usize,
}

fn service_of(kind: RosterKind) -> (Service, super::Op) {
    match kind {
        RosterKind::Enrol => (Service::EmployeeEnrol, super::Op::EmployeeEnrol),
        RosterKind::Remove => (Service::EmployeeRemove, super::Op::EmployeeRemove),
    }
}

fn rejected(problems: Vec<RowProblem>) -> ServiceError {
    let message = problems
        .iter()
        .take(20)
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("；");
    ServiceError::Rule {
        kind: ErrorKind::Invalid,
        code: "registry.roster.rejected",
        message: format!("名单有{}处问题，未导入任何人员：{message}", problems.len()),
        details: Some(json!({ "problems": problems })),
    }
}

/// Problems of the row-level rules, as `RowProblem`s (the message carries the row number).
fn to_problems(e: ServiceError) -> Result<Vec<RowProblem>, ServiceError> {
    match e {
        ServiceError::Rule {
            kind: ErrorKind::Invalid,
            details: Some(d),
            ..
        } => {
            let list = d["errors"].as_array().cloned().unwrap_or_default();
            Ok(list
                .iter()
                .map(|x| {
                    let message = x["message"].as_str().unwrap_or("").to_string();
                    RowProblem {
                        line: x["line"].as_u64().unwrap_or(0) as usize,
                        column: String::new(),
                        code: "registry.roster.rule",
                        message,
                    }
                })
                .collect())
        }
        other => Err(other),
    }
}

/// The employer a roster is for, if this actor may upload one for it (its operator, or a clerk
/// serving its region).
pub async fn employer_for(
    services: &Services,
    actor: &Actor,
    employer_id: i64,
) -> Result<EmployerRow, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let e = enrolment::find_employer(&mut tx, employer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在或无权查看"))?;
    may_see_employer(actor, &e)?;
    if let Actor::Staff(s) = actor {
        s.require(StaffRole::Clerk)?;
    }
    if e.status != yibao_domain::enrolment::employer::EmployerStatus::Active {
        return Err(ServiceError::invalid(
            "registry.employer.deregistered",
            "该单位已注销",
        ));
    }
    Ok(e)
}

/// Employers upload online; a clerk enters a roster handed in at the window.
fn channel_for(actor: &Actor) -> ChannelKind {
    if matches!(actor, Actor::Staff(_)) {
        ChannelKind::Window
    } else {
        ChannelKind::Online
    }
}

fn no_item(actor: &Actor) -> ServiceError {
    if matches!(actor, Actor::Staff(_)) {
        ServiceError::invalid("registry.roster.no_item", "参保地办事指南没有该事项")
    } else {
        ServiceError::invalid(
            "registry.roster.no_item",
            "参保地办事指南没有该事项的网上办理渠道，请到医保服务窗口办理",
        )
    }
}

/// Checks a roster file without importing it: the problems per row, or none.
pub async fn check_roster(
    services: &Services,
    actor: &Actor,
    employer_id: i64,
    kind: RosterKind,
    bytes: &[u8],
) -> Result<(EmployerRow, Value), ServiceError> {
    let employer = employer_for(services, actor, employer_id).await?;
    let parsed = parse_roster(kind, bytes);
    // The file's own problems and those of the rows that read cleanly come back together, so
    // a file is corrected in one round, not one kind of problem at a time.
    let mut problems = parsed.problems;
    if parsed.records.is_empty() {
        // The reader says why (an empty file is a problem of its own).
        return Err(rejected(problems));
    }
    let rows: Vec<Value> = parsed
        .records
        .iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            o.insert("line".into(), json!(r.line));
            for (k, v) in &r.fields {
                o.insert(k.clone(), json!(v));
            }
            Value::Object(o)
        })
        .collect();
    let roster = Value::Array(rows);
    let today = services.clock().today();
    let region = employer.region_code.parse()?;
    let catalog = services.catalog();
    let item = item_for(
        catalog,
        service_of(kind).0,
        &region,
        channel_for(actor),
        today,
    )
    .ok_or_else(|| no_item(actor))?;
    // The same effect completion will run, on a case that exists only in this transaction.
    let case = CaseRow {
        id: 0,
        number: "（预检）".into(),
        jurisdiction: item.jurisdiction.clone(),
        item_id: item.id.clone(),
        item_version: i64::from(item.version),
        service_key: item.service.key().to_string(),
        applicant_kind: yibao_domain::case::ApplicantType::Employer,
        applicant_ref: employer.uscc.clone(),
        applicant_name: employer.name.clone(),
        applicant_phone: String::new(),
        agent_json: None,
        channel: "online".into(),
        receiving_agency_id: 0,
        deciding_agency_id: 0,
        status: yibao_domain::case::CaseStatus::Draft,
        review_level: 0,
        form: JsonText(std::collections::BTreeMap::from([(
            super::form::ROSTER_KEY.to_string(),
            roster.to_string(),
        )])),
        facts: JsonText(CaseFacts {
            region_code: employer.region_code.clone(),
            facts: Vec::new(),
        }),
        submitted_at: None,
        accepted_on: None,
        deadline: None,
        completed_at: None,
        outcome: JsonText(None),
        refusal_reason: None,
        created_by: actor.label(),
        created_at: services.clock().now_text(),
        updated_at: services.clock().now_text(),
        row_version: 0,
    };
    let fx = Effect {
        case: &case,
        item,
        op: service_of(kind).1,
        jurisdiction: jurisdiction_of(item, &employer.region_code.parse()?)?,
        today,
        now: services.clock().now_text(),
        actor_label: actor.label(),
    };
    let mut tx = services.store().begin().await?;
    let result = super::apply(&mut tx, &fx).await;
    tx.rollback().await.map_err(yibao_store::StoreError::from)?;
    if let Err(e) = result {
        problems.extend(to_problems(e)?);
    }
    if problems.is_empty() {
        return Ok((employer, roster));
    }
    problems.sort_by_key(|p| p.line);
    Err(rejected(problems))
}

/// Checks the roster and, when every row passes, opens and submits one case for it.
pub async fn submit_roster(
    services: &Services,
    actor: &Actor,
    employer_id: i64,
    kind: RosterKind,
    bytes: &[u8],
) -> Result<RosterAccepted, ServiceError> {
    let (employer, roster) = check_roster(services, actor, employer_id, kind, bytes).await?;
    let rows = roster.as_array().map(Vec::len).unwrap_or(0);
    let region = employer.region_code.parse()?;
    let today = services.clock().today();
    let item = {
        let catalog = services.catalog();
        let item = item_for(
            catalog,
            service_of(kind).0,
            &region,
            channel_for(actor),
            today,
        )
        .ok_or_else(|| no_item(actor))?;
        (item.jurisdiction.clone(), item.id.clone())
    };
    let staff = matches!(actor, Actor::Staff(_));
    let input = ApplyInput {
        jurisdiction: item.0,
        item: item.1,
        channel: if staff {
            "window".into()
        } else {
            "online".into()
        },
        form: [(super::form::ROSTER_KEY.to_string(), roster.to_string())]
            .into_iter()
            .collect(),
        facts: Vec::new(),
        applicant: staff.then(|| ApplicantInput {
            id_number: String::new(),
            uscc: Some(employer.uscc.clone()),
            name: employer.name.clone(),
            phone: employer.phone.clone(),
        }),
        agent: None,
    };
    let case = crate::cases::apply(services, actor, &input).await?;
    let case = crate::cases::transition(
        services,
        actor,
        &case.number,
        yibao_domain::case::Action::Submit,
        &format!("批量名单 {rows} 行"),
    )
    .await?;
    Ok(RosterAccepted {
        case_number: case.number,
        rows,
    })
}
