//! Staff's month of designated institutions (机构月结算): every institution the agency manages
//! with its ledger totals, declaration and reconciliation, 结算单 and payment; Excel export.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_domain::Fen;
use yibao_service::institution::monthly::{self, AgencyMonth, DeductionInput};

use super::chrome::Chrome;
use super::month_view::{previous_month, MonthShown};
use super::{html, yuan};
use crate::auth::Auth;
use crate::error::status_of;
use crate::AppState;
use crate::PageError;

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "monthly.html")]
struct MonthlyPage {
    chrome: Chrome,
    m: AgencyMonth,
    can_issue: bool,
    can_pay: bool,
    error: Option<String>,
    /// What the last run did, in words.
    notice: Vec<String>,
}

fn has(auth: &Auth, role: StaffRole) -> bool {
    auth.actor.staff().is_ok_and(|s| s.has_role(role))
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    month: &str,
    error: Option<String>,
    notice: Vec<String>,
) -> Result<Response, PageError> {
    let data = monthly::agency_month(&state.services, &auth.actor, month).await?;
    Ok(html(&MonthlyPage {
        chrome: Chrome::of(auth),
        m: data,
        can_issue: has(auth, StaffRole::Reviewer),
        can_pay: has(auth, StaffRole::Finance),
        error,
        notice,
    }))
}

fn yuan_opt(fen: &Option<i64>) -> String {
    fen.map(|f| yibao_domain::Fen(f).yuan_string())
        .unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<MonthQuery>,
) -> Result<Response, PageError> {
    // Default: the month before today's (the one being settled).
    let month = q
        .month
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| previous_month(state.services.clock().today()));
    if q.format.as_deref() != Some("xlsx") {
        return list_page(&state, &auth, &month, None, Vec::new()).await;
    }
    let data = monthly::agency_month(&state.services, &auth.actor, &month).await?;
    let rows: Vec<Vec<String>> = data
        .rows
        .iter()
        .map(|r| {
            vec![
                r.code.clone(),
                r.name.clone(),
                r.kind.clone(),
                r.stage_label.to_string(),
                r.ledger_count.to_string(),
                yuan(&r.ledger_total_fen),
                yuan(&r.ledger_pooled_fen),
                r.status_label.clone(),
                r.mismatches.map(|m| m.to_string()).unwrap_or_default(),
                yuan_opt(&r.due_fen),
                yuan_opt(&r.deductions_fen),
                yuan_opt(&r.reserve_fen),
                yuan_opt(&r.net_fen),
                r.pay_by.clone().unwrap_or_default(),
                r.batch.clone().unwrap_or_default(),
            ]
        })
        .collect();
    crate::export::download(
        &format!("机构月结算{}", data.month),
        state.services.clock().today(),
        "机构月结算",
        &[
            "机构编码",
            "机构名称",
            "类别",
            "协议状态",
            "结算人次",
            "医疗费总额（元）",
            "统筹基金（元）",
            "月结算状态",
            "对账不一致（处）",
            "应付（元）",
            "扣款（元）",
            "质量保证金（元）",
            "实付（元）",
            "拨付期限",
            "拨付批次",
        ],
        &rows,
    )
}

/// The reviewer issues the month's 结算单 (生成月结算单); the page lists what was issued and
/// which institutions were left out, and why.
pub async fn issue(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Response, PageError> {
    match monthly::issue_statements(&state.services, &auth.actor, &month).await {
        Ok(run) => {
            let mut notice = vec![format!(
                "已生成 {} 家机构的月结算单{}",
                run.issued.len(),
                if run.issued.is_empty() { "" } else { "：" }
            )];
            notice.extend(run.issued.iter().map(|i| {
                format!(
                    "{} 实付 {} 元，拨付期限 {}",
                    i.code,
                    Fen(i.net_fen).yuan_string(),
                    i.pay_by
                )
            }));
            notice.extend(
                run.skipped
                    .iter()
                    .map(|s| format!("{} 未生成：{}", s.code, s.reason)),
            );
            list_page(&state, &auth, &run.month, None, notice).await
        }
        Err(e) if is_refusal(&e) => {
            let mut r = list_page(&state, &auth, &month, Some(e.message()), Vec::new()).await?;
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// Finance pays the month's confirmed 结算单 in one batch (拨付).
pub async fn pay(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Response, PageError> {
    match monthly::pay(&state.services, &auth.actor, &month).await {
        Ok(b) => {
            let mut notice = vec![format!(
                "拨付批次 {}：{} 家机构，合计 {} 元{}",
                b.batch,
                b.paid.len(),
                Fen(b.total_fen).yuan_string(),
                if b.late > 0 {
                    format!("，其中 {} 家超过拨付期限", b.late)
                } else {
                    String::new()
                }
            )];
            notice.extend(
                b.paid
                    .iter()
                    .map(|p| format!("{} {} 元", p.code, Fen(p.net_fen).yuan_string())),
            );
            list_page(&state, &auth, &b.month, None, notice).await
        }
        Err(e) if is_refusal(&e) => {
            let mut r = list_page(&state, &auth, &month, Some(e.message()), Vec::new()).await?;
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

fn is_refusal(e: &yibao_service::ServiceError) -> bool {
    matches!(
        e.kind(),
        yibao_service::ErrorKind::Invalid | yibao_service::ErrorKind::Conflict
    )
}

#[derive(Template)]
#[template(path = "monthly_institution.html")]
struct DetailPage {
    chrome: Chrome,
    d: MonthShown,
    can_deduct: bool,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    auth: &Auth,
    (month, code): (&str, &str),
    error: Option<String>,
) -> Result<Response, PageError> {
    let v = monthly::agency_institution_month(&state.services, &auth.actor, month, code).await?;
    Ok(html(&DetailPage {
        chrome: Chrome::of(auth),
        can_deduct: has(auth, StaffRole::Reviewer) && v.statement.is_none(),
        d: MonthShown::of(&v),
        error,
    }))
}

/// One institution's month as the agency sees it: the reconciliation and the 结算单; with
/// `format=xlsx`, the same as a workbook (结算单 lines and totals, deductions, reconciliation).
pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Path((month, code)): Path<(String, String)>,
    crate::api::ApiQuery(q): crate::api::ApiQuery<MonthQuery>,
) -> Result<Response, PageError> {
    if q.format.as_deref() != Some("xlsx") {
        return detail_page(&state, &auth, (&month, &code), None).await;
    }
    let v = monthly::agency_institution_month(&state.services, &auth.actor, &month, &code).await?;
    let d = MonthShown::of(&v);
    let row = |a: &str, b: &str, c: &str, amount: &str| {
        vec![
            a.to_string(),
            b.to_string(),
            c.to_string(),
            amount.to_string(),
        ]
    };
    let mut rows = Vec::new();
    match &d.statement {
        Some(s) => {
            for l in &s.lines {
                rows.push(row("结算单", &l.item, &l.basis, &l.amount));
            }
            let state_text = format!("{}；拨付期限 {}", s.status, s.pay_by);
            rows.push(row("结算单", "应付", &state_text, &s.due));
            rows.push(row("结算单", "扣款", "", &s.deductions));
            rows.push(row("结算单", "质量保证金", &d.rules_label, &s.reserve));
            rows.push(row("结算单", "实付", &s.batch, &s.net));
        }
        None => rows.push(row("结算单", "尚未生成", "", "")),
    }
    for x in &d.deductions {
        rows.push(row("扣款", &x.reason, &x.created_at, &x.amount));
    }
    for l in &d.recon {
        rows.push(row(
            "对账",
            &format!("{} · {} · {}", l.scheme, l.visit, l.fund),
            &format!(
                "{}：申报 {} 人次 {} 元；结算记录 {} 人次 {} 元",
                l.status, l.declared_count, l.declared, l.ledger_count, l.ledger
            ),
            &l.ledger,
        ));
    }
    crate::export::download(
        &format!("月结算单{}{}", d.code, d.month),
        state.services.clock().today(),
        "月结算单",
        &["部分", "项目", "说明", "金额（元）"],
        &rows,
    )
}

#[derive(Debug, Deserialize)]
pub struct DeductionForm {
    reason: String,
    amount: String,
}

/// The reviewer records a deduction from an audit (扣款), in yuan, before the 结算单.
pub async fn deduct(
    State(state): State<AppState>,
    auth: Auth,
    Path((month, code)): Path<(String, String)>,
    axum::Form(f): axum::Form<DeductionForm>,
) -> Result<Response, PageError> {
    let Some(amount) = f.amount.trim().parse::<Fen>().ok().filter(|a| a.is_input()) else {
        let mut r = detail_page(
            &state,
            &auth,
            (&month, &code),
            Some("扣款金额应为正数的元数，最多两位小数".into()),
        )
        .await?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    let input = DeductionInput {
        institution: code.clone(),
        reason: f.reason,
        amount_fen: amount.fen(),
    };
    match monthly::add_deduction(&state.services, &auth.actor, &month, &input).await {
        Ok(v) => {
            Ok(Redirect::to(&format!("/staff/monthly/{}/{}", v.month, v.code)).into_response())
        }
        Err(e) if is_refusal(&e) => {
            let mut r = detail_page(&state, &auth, (&month, &code), Some(e.message())).await?;
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
