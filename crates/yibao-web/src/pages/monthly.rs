//! Staff's month of designated institutions (机构月结算): every institution the agency manages
//! with its ledger totals, declaration and reconciliation, 结算单 and payment; Excel export.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use yibao_service::institution::monthly::{self, AgencyMonth};

use super::chrome::Chrome;
use super::html;
use crate::auth::Auth;
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
}

fn yuan(fen: &i64) -> String {
    yibao_domain::Fen(*fen).yuan_string()
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
    let today = state.services.clock().today();
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let month = q
        .month
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{y:04}-{m:02}"));
    let data = monthly::agency_month(&state.services, &auth.actor, &month).await?;
    if q.format.as_deref() == Some("xlsx") {
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
        return crate::export::download(
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
        );
    }
    Ok(html(&MonthlyPage {
        chrome: Chrome::of(&auth),
        m: data,
    }))
}
