//! The institution services through the case engine (ADR 0007): designation applications
//! (医疗机构/零售药店申请定点, Chongqing 33/34, Sichuan 33/34), information change (Sichuan 35,
//! seed 000 item 06), suspension or termination (Sichuan 36), restoration (Sichuan 37) and
//! opening remote direct settlement (Sichuan 38).
//!
//! A designation case carries its evaluation (评估), publicity (公示) and negotiated terms
//! (协商谈判) on an application row (`institution_application`, keyed by the case number) while
//! it is accepted; completing it signs the agreement by the domain's rules and creates the
//! institution. The other items change an existing institution's agreement through the same
//! step the admin API records (`record_step`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yibao_domain::case::{ApplicantType, CaseStatus};
use yibao_domain::catalog::{FieldError, Item, Service};
use yibao_domain::codes::InstitutionKind;
use yibao_domain::error::Coded;
use yibao_domain::institution::agreement::{
    evaluation_due, next_stage, publicity_ends, publicity_working_days, Agreement, AgreementAction,
    Stage,
};
use yibao_domain::institution::designation::{
    check_beds, code_sequence, institution_code, DesignationApplication, InfoChange, SuspendRequest,
};
use yibao_domain::institution::InstitutionError;
use yibao_domain::staff::StaffRole;
use yibao_domain::RegionCode;
use yibao_store::cases::{self as case_store, CaseRow};
use yibao_store::institution::{
    self as store, AgreementEventRow, AgreementRow, ApplicationRow, ApplicationStep,
    InstitutionRow, NewInstitution,
};
use yibao_store::json_text::JsonText;
use yibao_store::{Conn, StoreError};

use super::{jurisdiction_of, record_step, AgreementStep};
use crate::identity::{forbidden, Actor};
use crate::{audit, ServiceError, Services};

/// What completing a case of an institution service does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstitutionOp {
    /// 申请定点: the institution is created with its signed agreement.
    Designation(InstitutionKind),
    /// 信息变更: name and level as the approving document states.
    InfoChange,
    /// 暂停（终止）协议管理: the form says which.
    SuspendOrTerminate,
    /// 恢复协议管理.
    Restore,
    /// 开通异地就医直接结算: the agreement's cross-province flag.
    RemoteSettlementOpen,
}

impl InstitutionOp {
    /// The form (under `data/forms`) the application fills in.
    pub fn form_id(self) -> Option<&'static str> {
        match self {
            InstitutionOp::Designation(_) => Some("institution-designation"),
            InstitutionOp::InfoChange => Some("institution-info-change"),
            InstitutionOp::SuspendOrTerminate => Some("institution-suspend"),
            InstitutionOp::Restore | InstitutionOp::RemoteSettlementOpen => None,
        }
    }

    fn is_designation(self) -> bool {
        matches!(self, InstitutionOp::Designation(_))
    }
}

fn domain(e: InstitutionError) -> ServiceError {
    ServiceError::from_domain(e)
}

fn form_errors(list: Vec<InstitutionError>) -> Vec<FieldError> {
    list.into_iter()
        .map(|e| FieldError {
            field: match &e {
                InstitutionError::Form { key, .. } => (*key).to_string(),
                _ => String::new(),
            },
            code: e.code(),
            message: e.message(),
        })
        .collect()
}

/// The form's problems, each with its field (checked when the case is opened, and again at
/// completion by the effect).
pub fn check_form(
    item: &Item,
    op: InstitutionOp,
    form: &BTreeMap<String, String>,
) -> Vec<FieldError> {
    match op {
        InstitutionOp::Designation(kind) => match DesignationApplication::parse(kind, form) {
            Ok(a) => match check_beds(&item.jurisdiction, &a) {
                Ok(()) => Vec::new(),
                Err(e) => form_errors(vec![e]),
            },
            Err(list) => form_errors(list),
        },
        InstitutionOp::InfoChange => InfoChange::parse(form)
            .err()
            .map(form_errors)
            .unwrap_or_default(),
        InstitutionOp::SuspendOrTerminate => SuspendRequest::parse(form)
            .err()
            .map(|e| form_errors(vec![e]))
            .unwrap_or_default(),
        InstitutionOp::Restore | InstitutionOp::RemoteSettlementOpen => Vec::new(),
    }
}

/// The applying institution's region and name: a designation's from its form (and refused
/// while the same USCC is a designated institution whose agreement has not ended); every other
/// item's from the institution registered with that USCC.
pub async fn applicant_region(
    conn: &mut Conn,
    op: InstitutionOp,
    uscc: &str,
    form: &BTreeMap<String, String>,
) -> Result<(RegionCode, String), ServiceError> {
    let existing = store::find_by_uscc(conn, uscc).await?;
    if op.is_designation() {
        if let Some(row) = &existing {
            let stage = store::find_agreement(conn, row.id).await?.map(|a| a.stage);
            if !matches!(stage, Some(Stage::Terminated | Stage::Refused)) {
                return Err(ServiceError::invalid(
                    "institution.already_designated",
                    format!(
                        "统一社会信用代码{uscc}已是定点医药机构（{} {}），请办理信息变更等事项",
                        row.code, row.name
                    ),
                ));
            }
        }
        let region: RegionCode = form
            .get("region_code")
            .map(|s| s.trim())
            .unwrap_or("")
            .parse()?;
        let name = form
            .get("name")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        return Ok((region, name));
    }
    let row = existing.ok_or_else(|| {
        ServiceError::not_found(
            "institution.not_found",
            format!("统一社会信用代码{uscc}不是已登记的定点医药机构"),
        )
    })?;
    Ok((row.region_code.parse()?, row.name))
}

/// True when a case of this service (its key) is a designation application, which has the
/// evaluation, publicity and terms steps.
pub fn is_designation(service_key: &str) -> bool {
    matches!(
        Service::from_key(service_key),
        Some(Service::InstitutionHospitalApplication | Service::InstitutionPharmacyApplication)
    )
}

/// The op of a case's service (the binding's), for the application steps.
fn op_of(case: &CaseRow) -> Option<InstitutionOp> {
    match Service::from_key(&case.service_key)? {
        Service::InstitutionHospitalApplication => {
            Some(InstitutionOp::Designation(InstitutionKind::Hospital))
        }
        Service::InstitutionPharmacyApplication => {
            Some(InstitutionOp::Designation(InstitutionKind::Pharmacy))
        }
        _ => None,
    }
}

/// A step of a designation application while its case is accepted.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ApplicationStepInput {
    /// evaluate（评估）/ publicise（公示）/ object（公示有异议）/ terms（协议条款）
    pub action: String,
    /// evaluate: whether the on-site evaluation passed.
    #[serde(default)]
    pub passed: Option<bool>,
    /// publicise: the first day of the publicity (today if absent).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// terms: the negotiated agreement (协商谈判).
    #[serde(default)]
    pub terms: Option<Agreement>,
    #[serde(default)]
    pub note: String,
}

/// A designation application's steps as the case page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub stage: Stage,
    pub stage_label: &'static str,
    /// The institution code given when the evaluation passed.
    pub code: Option<String>,
    /// Chongqing 33/34: the on-site evaluation within 10 days of acceptance (None elsewhere).
    pub evaluation_due: Option<String>,
    pub evaluated_on: Option<String>,
    /// The guide's publicity length in working days (None: Sichuan names none).
    pub publicity_working_days: Option<u32>,
    pub publicity_from: Option<String>,
    pub publicity_ends: Option<String>,
    pub terms: Option<Agreement>,
    /// What completing the case still needs (empty when it can be completed today).
    pub outstanding: Vec<String>,
    pub history: Vec<ApplicationStep>,
}

fn new_application(case: &CaseRow, now: &str) -> ApplicationRow {
    ApplicationRow {
        case_number: case.number.clone(),
        stage: Stage::Applied,
        code: None,
        evaluated_on: None,
        publicity_from: None,
        publicity_ends: None,
        terms_json: JsonText(None),
        history_json: JsonText(Vec::new()),
        updated_at: now.to_string(),
    }
}

fn parse_date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(|d| d.parse().ok())
}

/// What completing the application still needs on `today`, in Chinese.
fn outstanding(app: &ApplicationRow, today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    match app.stage {
        Stage::Applied => out.push("实地查看、评估".to_string()),
        Stage::Evaluated => out.push("公示".to_string()),
        Stage::Refused => out.push("评估未通过或公示有异议：应作“不予办理”".to_string()),
        _ => {}
    }
    if app.stage == Stage::Publicised {
        if let Err(e) = next_stage(
            Stage::Publicised,
            &AgreementAction::Sign {
                on: today,
                publicity_ends: parse_date(&app.publicity_ends),
            },
        ) {
            out.push(e.message());
        }
    }
    if app.terms_json.0.is_none() && app.stage != Stage::Refused {
        out.push("录入协商确定的协议条款".to_string());
    }
    out
}

fn view(case: &CaseRow, app: &ApplicationRow, today: NaiveDate) -> ApplicationView {
    let jurisdiction = case.jurisdiction.as_str();
    ApplicationView {
        stage: app.stage,
        stage_label: app.stage.label(),
        code: app.code.clone(),
        evaluation_due: publicity_working_days(jurisdiction)
            .and(parse_date(&case.accepted_on))
            .map(|d| evaluation_due(d).to_string()),
        evaluated_on: app.evaluated_on.clone(),
        publicity_working_days: publicity_working_days(jurisdiction),
        publicity_from: app.publicity_from.clone(),
        publicity_ends: app.publicity_ends.clone(),
        terms: app.terms_json.0.clone(),
        outstanding: outstanding(app, today),
        history: app.history_json.0.clone(),
    }
}

/// The application steps of a designation case (None for any other case).
pub async fn application_of(
    conn: &mut Conn,
    case: &CaseRow,
    today: NaiveDate,
) -> Result<Option<ApplicationView>, ServiceError> {
    if op_of(case).is_none() {
        return Ok(None);
    }
    let app = store::find_application(conn, &case.number)
        .await?
        .unwrap_or_else(|| new_application(case, ""));
    Ok(Some(view(case, &app, today)))
}

/// The steps of a designation application as `actor` may see them.
pub async fn application(
    services: &Services,
    actor: &Actor,
    number: &str,
) -> Result<Option<ApplicationView>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let case = crate::cases::load_for(&mut tx, actor, number).await?;
    application_of(&mut tx, &case, services.clock().today()).await
}

/// Records a step of a designation application: a reviewer of the deciding agency, while the
/// case is accepted (受理后、办结前). Evaluation, publicity and an objection follow the
/// agreement's own state rules (`next_stage`); the evaluation that passes gives the code.
pub async fn step_application(
    services: &Services,
    actor: &Actor,
    number: &str,
    input: &ApplicationStepInput,
) -> Result<ApplicationView, ServiceError> {
    let staff = actor.staff_with(StaffRole::Reviewer)?;
    let today = services.clock().today();
    let now = services.clock().now_text();
    let cal = crate::calendar::current(services).await?;
    let mut tx = services.store().begin().await?;
    let case = case_store::find_by_number(&mut tx, number.trim())
        .await?
        .ok_or_else(|| ServiceError::not_found("case.not_found", "办件不存在"))?;
    if case.deciding_agency_id != staff.agency_id {
        return Err(forbidden("auth.out_of_agency", "该办件不由本经办机构决定"));
    }
    let Some(InstitutionOp::Designation(kind)) = op_of(&case) else {
        return Err(ServiceError::invalid(
            "institution.not_designation",
            "该办件不是定点申请，没有评估和公示环节",
        ));
    };
    if case.status != CaseStatus::Accepted {
        return Err(ServiceError::invalid(
            "institution.case_not_accepted",
            format!(
                "办件当前状态为“{}”：评估、公示在受理后、办结前进行",
                case.status.label()
            ),
        ));
    }
    let mut app = store::find_application(&mut tx, &case.number)
        .await?
        .unwrap_or_else(|| new_application(&case, &now));
    let invalid = |m: &str| ServiceError::invalid("institution.step_invalid", m.to_string());
    let label = match input.action.as_str() {
        "evaluate" => {
            let passed = input
                .passed
                .ok_or_else(|| invalid("评估须注明是否通过（passed）"))?;
            app.stage = next_stage(app.stage, &AgreementAction::Evaluate { passed })
                .map_err(domain)?;
            app.evaluated_on = Some(today.to_string());
            if passed {
                let region = case.form.0.get("region_code").map(|s| s.trim()).unwrap_or("");
                let letter = if kind == InstitutionKind::Hospital { "H" } else { "P" };
                let prefix = format!("{letter}{region}");
                let last = store::codes_with_prefix(&mut tx, &prefix)
                    .await?
                    .iter()
                    .filter_map(|c| code_sequence(c, &prefix))
                    .max();
                app.code = Some(institution_code(kind, region, last).map_err(domain)?);
                "评估通过"
            } else {
                "评估未通过"
            }
        }
        "publicise" => {
            let from = input.from.unwrap_or(today);
            app.stage =
                next_stage(app.stage, &AgreementAction::Publicise { from }).map_err(domain)?;
            app.publicity_from = Some(from.to_string());
            app.publicity_ends = publicity_working_days(&case.jurisdiction)
                .map(|days| publicity_ends(&cal, from, days).to_string());
            "公示"
        }
        "object" => {
            app.stage =
                next_stage(app.stage, &AgreementAction::PublicityObjected).map_err(domain)?;
            "公示有异议"
        }
        "terms" => {
            if !matches!(app.stage, Stage::Evaluated | Stage::Publicised) {
                return Err(domain(InstitutionError::ActionNotAllowed {
                    action: "录入协议条款",
                    stage: app.stage.label(),
                }));
            }
            let terms = input
                .terms
                .clone()
                .ok_or_else(|| invalid("请填写协议条款（terms）"))?;
            terms.check().map_err(domain)?;
            app.terms_json = JsonText(Some(terms));
            "协议条款"
        }
        _ => {
            return Err(invalid(
                "环节应为 evaluate（评估）、publicise（公示）、object（公示有异议）或 terms（协议条款）",
            ))
        }
    };
    app.history_json.0.push(ApplicationStep {
        action: label.to_string(),
        on: today.to_string(),
        note: input.note.trim().chars().take(200).collect(),
        actor: actor.label(),
    });
    app.updated_at = now.clone();
    store::put_application(&mut tx, &app).await?;
    audit::record(
        &mut tx,
        services,
        actor,
        "institution.application",
        "case",
        &case.number,
        None,
        Some(&serde_json::to_value(&app).unwrap_or_default()),
        &format!("定点申请 {}：{label}（{}）", case.number, app.stage.label()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view(&case, &app, today))
}

/// Completes a case of an institution service inside the completing transaction.
pub async fn apply(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    item: &Item,
    op: InstitutionOp,
    today: NaiveDate,
    actor_label: &str,
) -> Result<Value, ServiceError> {
    if case.applicant_kind != ApplicantType::Institution {
        return Err(ServiceError::invalid(
            "institution.applicant_kind",
            "该事项由医药机构申请",
        ));
    }
    let errors = check_form(item, op, &case.form.0);
    if let Some(first) = errors.first() {
        return Err(ServiceError::invalid(first.code, first.message.clone()));
    }
    let system = Actor::System {
        label: actor_label.to_string(),
    };
    match op {
        InstitutionOp::Designation(kind) => {
            designate(conn, services, case, kind, today, &system).await
        }
        _ => change_agreement(conn, services, case, op, today, &system).await,
    }
}

async fn designate(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    kind: InstitutionKind,
    today: NaiveDate,
    actor: &Actor,
) -> Result<Value, ServiceError> {
    let now = services.clock().now_text();
    let app = store::find_application(conn, &case.number)
        .await?
        .unwrap_or_else(|| new_application(case, &now));
    let left = outstanding(&app, today);
    if !left.is_empty() {
        return Err(ServiceError::invalid(
            "institution.application_incomplete",
            format!("定点申请尚不能办结：{}", left.join("；")),
        ));
    }
    let terms =
        app.terms_json.0.clone().ok_or_else(|| {
            ServiceError::invalid("institution.terms_missing", "尚未录入协议条款")
        })?;
    let code = app.code.clone().ok_or_else(|| {
        ServiceError::internal("institution.code_missing", "评估通过的申请没有机构编码")
    })?;
    let a = DesignationApplication::parse(kind, &case.form.0).map_err(|list| {
        list.into_iter()
            .next()
            .map(domain)
            .unwrap_or_else(|| ServiceError::invalid("institution.form_invalid", "申请表有误"))
    })?;
    let region: RegionCode = a.region_code.parse()?;
    let id = store::insert(
        conn,
        &NewInstitution {
            code: &code,
            name: &a.name,
            kind: kind.key(),
            level: if terms.level.is_empty() {
                &a.level
            } else {
                &terms.level
            },
            region_code: region.as_str(),
            agency_id: case.deciding_agency_id,
            uscc: Some(&case.applicant_ref),
        },
        &now,
    )
    .await?;
    let row = store::find(conn, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("institution.not_found", "定点医药机构不存在"))?;
    let agreement = AgreementRow {
        institution_id: id,
        stage: Stage::InForce,
        terms_json: JsonText(Some(terms.clone())),
        jurisdiction: jurisdiction_of(region.as_str()).to_string(),
        applied_on: case.accepted_on.clone(),
        publicity_from: app.publicity_from.clone(),
        publicity_ends: app.publicity_ends.clone(),
        updated_at: now.clone(),
    };
    store::put_agreement(conn, &agreement).await?;
    // The application's history becomes the agreement's: accepted, evaluated, publicised, signed.
    let mut events = vec![(
        "受理申请".to_string(),
        String::new(),
        Stage::Applied,
        format!("办件 {}", case.number),
        actor.label(),
        now.clone(),
    )];
    let mut stage = Stage::Applied;
    for h in &app.history_json.0 {
        let to = match h.action.as_str() {
            "评估通过" => Stage::Evaluated,
            "公示" => Stage::Publicised,
            _ => stage,
        };
        events.push((
            h.action.clone(),
            stage.key().to_string(),
            to,
            h.note.clone(),
            h.actor.clone(),
            h.on.clone(),
        ));
        stage = to;
    }
    events.push((
        "签订协议".to_string(),
        stage.key().to_string(),
        Stage::InForce,
        format!("办件 {} 办结", case.number),
        actor.label(),
        now.clone(),
    ));
    for (action, from, to, note, actor_label, at) in events {
        store::insert_agreement_event(
            conn,
            &AgreementEventRow {
                id: 0,
                institution_id: id,
                action,
                stage_from: from,
                stage_to: to.key().to_string(),
                note,
                actor_label,
                at,
            },
        )
        .await?;
    }
    audit::record(
        conn,
        services,
        actor,
        "institution.create",
        "institution",
        &code,
        None,
        Some(&json!({ "institution": row, "agreement": agreement })),
        &format!(
            "纳入定点协议管理 {code} {}（办件 {}）",
            row.name, case.number
        ),
    )
    .await?;
    Ok(json!({
        "effect": "institution_designation",
        "institution": code,
        "text": format!(
            "已纳入定点协议管理：{} 机构编码 {code}，协议期限 {} 至 {}",
            row.name,
            terms.valid_from,
            terms.valid_until.map(|d| d.to_string()).unwrap_or_else(|| "未约定".into())
        ),
    }))
}

async fn change_agreement(
    conn: &mut Conn,
    services: &Services,
    case: &CaseRow,
    op: InstitutionOp,
    today: NaiveDate,
    actor: &Actor,
) -> Result<Value, ServiceError> {
    let row: InstitutionRow = store::find_by_uscc(conn, &case.applicant_ref)
        .await?
        .ok_or_else(|| {
            ServiceError::not_found(
                "institution.not_found",
                format!(
                    "统一社会信用代码{}不是已登记的定点医药机构",
                    case.applicant_ref
                ),
            )
        })?;
    let form = &case.form.0;
    let note = |extra: &str| {
        let reason = form.get("reason").map(|s| s.trim()).unwrap_or("");
        format!("办件 {} {extra}{reason}", case.number)
            .trim()
            .to_string()
    };
    let step = |action: &str, terms: Option<Agreement>, note: String| AgreementStep {
        action: action.to_string(),
        passed: None,
        from: None,
        terms,
        note,
    };
    let (input, text) = match op {
        InstitutionOp::InfoChange => {
            let change = InfoChange::parse(form).map_err(|list| {
                list.into_iter().next().map(domain).unwrap_or_else(|| {
                    ServiceError::invalid("institution.form_invalid", "申请表有误")
                })
            })?;
            let current = store::find_agreement(conn, row.id).await?;
            let mut terms = current.and_then(|a| a.terms_json.0).ok_or_else(|| {
                ServiceError::invalid("institution.no_agreement", "尚未签订医保服务协议")
            })?;
            let name = change.name.clone().unwrap_or_else(|| row.name.clone());
            let level = change.level.clone().unwrap_or_else(|| row.level.clone());
            terms.level = level.clone();
            store::update_identity(conn, row.id, &name, &level).await?;
            (
                step(
                    "change",
                    Some(terms),
                    note(&format!("{}；", change.description)),
                ),
                format!("已变更 {} 的信息：{}", row.code, change.description),
            )
        }
        InstitutionOp::SuspendOrTerminate => match SuspendRequest::parse(form).map_err(domain)? {
            SuspendRequest::Suspend => (
                step("suspend", None, note("")),
                format!("已暂停 {} {} 的协议管理", row.code, row.name),
            ),
            SuspendRequest::Terminate => (
                step("terminate", None, note("")),
                format!("已终止 {} {} 的协议管理", row.code, row.name),
            ),
        },
        InstitutionOp::Restore => (
            step("restore", None, note("")),
            format!("已恢复 {} {} 的协议管理", row.code, row.name),
        ),
        InstitutionOp::RemoteSettlementOpen => (
            step("open_cross_province", None, note("")),
            format!("已为 {} {} 开通跨省异地就医直接结算", row.code, row.name),
        ),
        InstitutionOp::Designation(_) => {
            return Err(ServiceError::internal(
                "institution.op",
                "定点申请不是协议变更",
            ))
        }
    };
    let after = record_step(conn, services, actor, &row, &input, today, None).await?;
    Ok(json!({
        "effect": "institution_agreement",
        "institution": row.code,
        "stage": after.stage.key(),
        "text": text,
    }))
}

/// The institution whose agreement completing `case` changed (its cached token look-ups are
/// dropped once the transaction commits).
pub fn touched_institution(case: &CaseRow) -> Option<String> {
    let outcome = case.outcome.0.as_ref()?;
    match outcome.get("effect")?.as_str()? {
        "institution_designation" | "institution_agreement" => {
            outcome.get("institution")?.as_str().map(str::to_string)
        }
        _ => None,
    }
}
