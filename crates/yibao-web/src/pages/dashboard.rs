//! The supervisor's dashboard page: the numbers of `cases::dashboard`, each chart a table with
//! the count beside a bar drawn as SVG on the server (no script).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use yibao_service::cases::dashboard::{self, Bar};

use super::chrome::Chrome;
use super::html;
use crate::auth::Auth;
use crate::AppState;
use crate::PageError;

pub struct BarView {
    pub label: String,
    pub value: i64,
    /// Of the chart's largest, in percent (0–100).
    pub width: i64,
}

pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub label_head: &'static str,
    pub bars: Vec<BarView>,
}

fn chart(id: &'static str, title: &'static str, label_head: &'static str, bars: Vec<Bar>) -> Chart {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    Chart {
        id,
        title,
        label_head,
        bars: bars
            .into_iter()
            .map(|b| BarView {
                width: b.value.saturating_mul(100) / max,
                label: b.label,
                value: b.value,
            })
            .collect(),
    }
}

/// Tenths as a decimal: 25 → "2.5".
fn tenths(t: &i64) -> String {
    format!("{}.{}", t / 10, t % 10)
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    d: dashboard::Dashboard,
    charts: Vec<Chart>,
    /// Steps this installation owes on transfers with other instances (issue #18).
    transfers: Vec<yibao_service::transfer::OwedStep>,
}

pub async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let d = dashboard::dashboard(&state.services, &auth.actor).await?;
    let charts = vec![
        chart("by-status", "办件状态", "状态", d.by_status.clone()),
        chart("by-item", "办件最多的事项", "事项", d.by_item.clone()),
        chart(
            "by-agency",
            "各经办机构办件",
            "经办机构",
            d.by_agency.clone(),
        ),
        chart(
            "completion",
            "办结用时（受理至办结）",
            "用时",
            d.completion.clone(),
        ),
        chart("evaluations", "好差评", "评价", d.evaluations.clone()),
        chart(
            "settlements",
            "近 14 天实时结算笔数",
            "日期",
            d.settlements_per_day.clone(),
        ),
    ];
    let transfers = yibao_service::transfer::owed(&state.services, &auth.actor).await?;
    Ok(html(&DashboardPage {
        chrome: Chrome::of(&auth),
        d,
        charts,
        transfers,
    }))
}
