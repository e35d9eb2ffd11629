//! Designated institutions' agreements (定点协议管理): the lifecycle steps an administrator of
//! the supervising agency records (evaluation, publicity, signing, change, suspension,
//! termination, restoration, opening cross-province settlement), by the domain's rules
//! (`yibao_domain::institution::agreement`). An institution's API tokens work only while its
//! agreement is in force (checked in `identity::institution_for_token`).

pub mod case_effect;
pub mod monthly;
pub mod year_end;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use yibao_domain::institution::agreement::{
    next_stage, publicity_ends, publicity_working_days, Agreement, AgreementAction, Stage,
};
use yibao_domain::staff::StaffRole;
use yibao_store::institution::{self as store, AgreementEventRow, AgreementRow, InstitutionRow};
use yibao_store::json_text::JsonText;
use yibao_store::StoreError;

use crate::identity::{forbidden, Actor};
use crate::{audit, ServiceError, Services};

/// The jurisdiction whose guide rules an institution's agreement (by its region).
pub fn jurisdiction_of(region_code: &str) -> &'static str {
    if region_code.starts_with("500119") {
        "nanchuan"
    } else if region_code.starts_with("50") {
        "chongqing"
    } else {
        "sichuan"
    }
}

/// The agreement a newly registered institution starts with: at 已受理申请 when `apply`, else
/// recorded in force from today without a stated end (an institution the agency already has an
/// agreement with), paid by fee for service, cross-province settlement open.
pub fn initial_agreement(
    row: &InstitutionRow,
    today: NaiveDate,
    apply: bool,
    now: &str,
) -> AgreementRow {
    let terms = (!apply).then(|| Agreement {
        valid_from: today,
        valid_until: None,
        level: row.level.clone(),
        services: Vec::new(),
        methods: vec![yibao_domain::institution::PaymentMethod::FeeForService],
        annual_budget_fen: None,
        cross_province: true,
    });
    AgreementRow {
        institution_id: row.id,
        stage: if apply {
            Stage::Applied
        } else {
            Stage::InForce
        },
        terms_json: JsonText(terms),
        jurisdiction: jurisdiction_of(&row.region_code).to_string(),
        applied_on: apply.then(|| today.to_string()),
        publicity_from: None,
        publicity_ends: None,
        updated_at: now.to_string(),
    }
}

/// A lifecycle step as the API sends it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AgreementStep {
    /// evaluate / publicise / object / sign / change / suspend / terminate / restore /
    /// open_cross_province
    pub action: String,
    /// evaluate: whether the evaluation passed.
    #[serde(default)]
    pub passed: Option<bool>,
    /// publicise: the first day of the publicity (today if absent).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// sign / change: the agreement's terms.
    #[serde(default)]
    pub terms: Option<Agreement>,
    /// Why (shown in the lifecycle's history).
    #[serde(default)]
    pub note: String,
}

/// An institution's agreement as the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    pub code: String,
    pub name: String,
    pub stage: Stage,
    pub stage_label: &'static str,
    pub terms: Option<Agreement>,
    pub applied_on: Option<String>,
    pub publicity_from: Option<String>,
    pub publicity_ends: Option<String>,
    /// True when the agreement is in force today (its tokens work).
    pub in_force: bool,
    pub events: Vec<AgreementEventRow>,
}

fn invalid_step(message: &str) -> ServiceError {
    ServiceError::invalid("institution.step_invalid", message.to_string())
}

async fn managed(
    conn: &mut yibao_store::Conn,
    actor: &Actor,
    code: &str,
) -> Result<InstitutionRow, ServiceError> {
    let admin = actor.staff_with(StaffRole::Admin)?;
    let row = store::find_by_code(conn, code.trim())
        .await?
        .ok_or_else(|| ServiceError::not_found("institution.not_found", "定点医药机构不存在"))?;
    if row.agency_id != admin.agency_id {
        return Err(forbidden("auth.out_of_agency", "该机构不由本经办机构管理"));
    }
    Ok(row)
}

async fn view_of(
    conn: &mut yibao_store::Conn,
    row: InstitutionRow,
    today: NaiveDate,
) -> Result<AgreementView, ServiceError> {
    let a = store::find_agreement(conn, row.id).await?.ok_or_else(|| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "institution {} has no agreement row",
            row.code
        )))
    })?;
    let events = store::agreement_events(conn, row.id).await?;
    Ok(AgreementView {
        in_force: yibao_domain::institution::agreement::in_force_on(
            a.stage,
            a.terms_json.0.as_ref(),
            today,
        ),
        code: row.code,
        name: row.name,
        stage: a.stage,
        stage_label: a.stage.label(),
        terms: a.terms_json.0,
        applied_on: a.applied_on,
        publicity_from: a.publicity_from,
        publicity_ends: a.publicity_ends,
        events,
    })
}

/// The agreement of an institution the admin's agency manages.
pub async fn view(
    services: &Services,
    actor: &Actor,
    code: &str,
) -> Result<AgreementView, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let row = managed(&mut tx, actor, code).await?;
    view_of(&mut tx, row, services.clock().today()).await
}

/// Records one lifecycle step, checked by the domain's state rules.
pub async fn step(
    services: &Services,
    actor: &Actor,
    code: &str,
    input: &AgreementStep,
) -> Result<AgreementView, ServiceError> {
    let today = services.clock().today();
    let cal = crate::calendar::current(services).await?;
    let mut tx = services.store().begin().await?;
    let row = managed(&mut tx, actor, code).await?;
    record_step(&mut tx, services, actor, &row, input, today, Some(&cal)).await?;
    let tokens = store::list_tokens(&mut tx, row.id).await?;
    let view = view_of(&mut tx, row, today).await?;
    tx.commit().await.map_err(StoreError::from)?;
    // Cached lookups of the institution's tokens carry the old agreement: drop them.
    for t in tokens {
        services.token_cache().forget(t.id);
    }
    Ok(view)
}

/// Drops the cached token look-ups of the institution `code` (after a transaction that changed
/// its agreement committed: the next call reads the agreement again).
pub async fn forget_tokens(services: &Services, code: &str) -> Result<(), ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let tokens = match store::find_by_code(&mut tx, code).await? {
        Some(row) => store::list_tokens(&mut tx, row.id).await?,
        None => Vec::new(),
    };
    tx.commit().await.map_err(StoreError::from)?;
    for t in tokens {
        services.token_cache().forget(t.id);
    }
    Ok(())
}

/// One lifecycle step of `row`'s agreement inside the caller's transaction: checked by the
/// domain's state rules, kept in the agreement's history and the audit chain. Shared by the
/// admin API and the case engine's effects (`case_effect`). The caller drops the cached token
/// look-ups once its transaction commits. `cal` is needed for `publicise` only.
pub(crate) async fn record_step(
    tx: &mut yibao_store::Conn,
    services: &Services,
    actor: &Actor,
    row: &InstitutionRow,
    input: &AgreementStep,
    today: NaiveDate,
    cal: Option<&yibao_domain::calendar::HolidayCalendar>,
) -> Result<AgreementRow, ServiceError> {
    let now = services.clock().now_text();
    let before = store::find_agreement(tx, row.id).await?.ok_or_else(|| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "institution {} has no agreement row",
            row.code
        )))
    })?;
    let mut after = before.clone();
    let ends_stored: Option<NaiveDate> = before
        .publicity_ends
        .as_deref()
        .and_then(|d| d.parse().ok());
    let action = match input.action.as_str() {
        "evaluate" => AgreementAction::Evaluate {
            passed: input
                .passed
                .ok_or_else(|| invalid_step("评估须注明是否通过（passed）"))?,
        },
        "publicise" => AgreementAction::Publicise {
            from: input.from.unwrap_or(today),
        },
        "object" => AgreementAction::PublicityObjected,
        "sign" => AgreementAction::Sign {
            on: today,
            publicity_ends: ends_stored,
        },
        "change" | "open_cross_province" => AgreementAction::Change,
        "suspend" => AgreementAction::Suspend,
        "terminate" => AgreementAction::Terminate,
        "restore" => AgreementAction::Restore,
        _ => {
            return Err(invalid_step(
                "办理事项应为 evaluate、publicise、object、sign、change、suspend、terminate、restore 或 open_cross_province",
            ))
        }
    };
    let stage = next_stage(before.stage, &action).map_err(ServiceError::from_domain)?;
    after.stage = stage;
    after.updated_at = now.clone();
    match input.action.as_str() {
        "publicise" => {
            let from = input.from.unwrap_or(today);
            after.publicity_from = Some(from.to_string());
            after.publicity_ends = match publicity_working_days(&before.jurisdiction) {
                Some(days) => {
                    let cal = cal.ok_or_else(|| {
                        ServiceError::internal("institution.calendar", "工作日历未加载")
                    })?;
                    Some(publicity_ends(cal, from, days).to_string())
                }
                None => None,
            };
        }
        "sign" | "change" => {
            let terms = input
                .terms
                .clone()
                .ok_or_else(|| invalid_step("签订或变更协议须提供协议条款（terms）"))?;
            terms.check().map_err(ServiceError::from_domain)?;
            after.terms_json = JsonText(Some(terms));
        }
        "open_cross_province" => {
            let mut terms = before
                .terms_json
                .0
                .clone()
                .ok_or_else(|| invalid_step("尚未签订协议"))?;
            if terms.cross_province {
                return Err(invalid_step("本机构已开通跨省异地就医直接结算"));
            }
            terms.cross_province = true;
            after.terms_json = JsonText(Some(terms));
        }
        _ => {}
    }
    store::put_agreement(tx, &after).await?;
    store::insert_agreement_event(
        tx,
        &AgreementEventRow {
            id: 0,
            institution_id: row.id,
            action: if input.action == "open_cross_province" {
                "开通跨省直接结算".to_string()
            } else {
                action.label().to_string()
            },
            stage_from: before.stage.key().to_string(),
            stage_to: stage.key().to_string(),
            note: input.note.trim().chars().take(200).collect(),
            actor_label: actor.label(),
            at: now.clone(),
        },
    )
    .await?;
    audit::record(
        tx,
        services,
        actor,
        "institution.agreement",
        "institution",
        &row.code,
        Some(&serde_json::to_value(&before).unwrap_or_default()),
        Some(&serde_json::to_value(&after).unwrap_or_default()),
        &format!(
            "{} {}：{} → {}",
            row.code,
            action.label(),
            before.stage.label(),
            stage.label()
        ),
    )
    .await?;
    Ok(after)
}

/// An institution open today for cross-province direct settlement: the 「跨省门诊费用直接结算定点
/// 医疗机构」 of seed 000 item 07 (its agreement in force, with `cross_province`).
#[derive(Debug, Clone, Serialize)]
pub struct CrossProvinceInstitution {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: String,
    pub region_code: String,
}

/// The institutions open today for cross-province direct settlement (a public list: the guide
/// sends the person to such an institution's window), by code.
pub async fn cross_province_open(
    services: &Services,
) -> Result<Vec<CrossProvinceInstitution>, ServiceError> {
    let today = services.clock().today();
    let mut tx = services.store().begin_read().await?;
    let mut out = Vec::new();
    for inst in store::list(&mut tx).await? {
        let agreement = store::find_agreement(&mut tx, inst.id).await?;
        let Some(a) = agreement else { continue };
        let terms = a.terms_json.0.as_ref();
        if yibao_domain::institution::agreement::in_force_on(a.stage, terms, today)
            && terms.is_some_and(|t| t.cross_province)
        {
            out.push(CrossProvinceInstitution {
                code: inst.code,
                name: inst.name,
                kind: inst.kind,
                level: inst.level,
                region_code: inst.region_code,
            });
        }
    }
    Ok(out)
}
