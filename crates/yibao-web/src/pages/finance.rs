//! Finance's contribution page (缴费核定): the month's run, the residents' yearly run, the tax
//! authority's paid-record import (every problem by line) and the accounts' year-end
//! carry-over, each with its result on the page; the policies in force, placeholders marked.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use yibao_domain::staff::StaffRole;
use yibao_domain::Fen;
use yibao_service::contribution::{self, PAID_COLUMNS_HELP};
use yibao_service::ServiceError;

use super::chrome::Chrome;
use super::html;
use crate::auth::Auth;
use crate::AppState;
use crate::PageError;

pub struct PolicyView {
    pub region: String,
    pub name: String,
    pub period: String,
    pub example: bool,
}

pub struct ProblemView {
    pub line: u64,
    pub column: String,
    pub message: String,
}

pub struct ResultView {
    pub title: String,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "finance_contributions.html")]
struct FinancePage {
    chrome: Chrome,
    error: Option<String>,
    problems: Vec<ProblemView>,
    result: Option<ResultView>,
    this_year: i32,
    this_month: u32,
    columns: &'static str,
    max_rows: usize,
    policies: Vec<PolicyView>,
}

fn policies() -> Vec<PolicyView> {
    let mut out: Vec<PolicyView> = contribution::policies()
        .iter()
        .map(|p| PolicyView {
            region: p.region.as_str().to_string(),
            name: p.name.clone(),
            period: match p.effective_to {
                Some(to) => format!("{} 至 {}", p.effective_from, to),
                None => format!("{} 起", p.effective_from),
            },
            example: p.has_example(),
        })
        .collect();
    out.sort_by(|a, b| (&a.region, &a.period).cmp(&(&b.region, &b.period)));
    out
}

fn render(
    state: &AppState,
    auth: &Auth,
    status: StatusCode,
    error: Option<String>,
    problems: Vec<ProblemView>,
    result: Option<ResultView>,
) -> Result<Response, PageError> {
    auth.actor.staff_with(StaffRole::Finance)?;
    let today = state.services.clock().today();
    let mut r = html(&FinancePage {
        chrome: Chrome::of(auth),
        error,
        problems,
        result,
        this_year: today.year(),
        this_month: today.month(),
        columns: PAID_COLUMNS_HELP,
        max_rows: contribution::MAX_PAID_ROWS,
        policies: policies(),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    render(&state, &auth, StatusCode::OK, None, Vec::new(), None)
}

/// A refusal the person at the page can act on comes back on the page with their form; other
/// errors (no right, the store down) are the error page.
fn answer(
    state: &AppState,
    auth: &Auth,
    outcome: Result<ResultView, ServiceError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(r) => render(state, auth, StatusCode::OK, None, Vec::new(), Some(r)),
        Err(e) if e.kind() == yibao_service::ErrorKind::Invalid => {
            let problems = e
                .details()
                .and_then(|d| d.get("problems").cloned())
                .and_then(|p| p.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .map(|p| ProblemView {
                    line: p["line"].as_u64().unwrap_or(0),
                    column: p["column"].as_str().unwrap_or("").to_string(),
                    message: p["message"].as_str().unwrap_or("").to_string(),
                })
                .collect();
            render(
                state,
                auth,
                crate::error::status_of(e.kind()),
                Some(e.message()),
                problems,
                None,
            )
        }
        Err(e) => Err(e.into()),
    }
}

fn field(body: &[u8], name: &str) -> String {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

fn year_of(body: &[u8]) -> Result<i32, ServiceError> {
    let text = field(body, "year");
    text.parse::<i32>().map_err(|_| {
        ServiceError::invalid("contribution.year", format!("年度“{text}”应为四位数字"))
    })
}

fn example_line(n: u64) -> Option<String> {
    (n > 0).then(|| format!("其中 {n} 条依据示例参数计算，仅供演示"))
}

pub async fn run_month(
    State(state): State<AppState>,
    auth: Auth,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    auth.actor.staff_with(StaffRole::Finance)?;
    let outcome = async {
        let year = year_of(&body)?;
        let text = field(&body, "month");
        let month = text.parse::<u32>().map_err(|_| {
            ServiceError::invalid("contribution.month", format!("月份“{text}”应为 1–12"))
        })?;
        let r = contribution::run_month(&state.services, &auth.actor, year, month).await?;
        let mut lines = vec![
            format!(
                "新写入应缴记录 {} 条，此前已核定 {} 条",
                r.written, r.already
            ),
            format!(
                "本次应缴合计 {}，划入个人账户合计 {}",
                Fen(r.due_fen),
                Fen(r.account_credit_fen)
            ),
            format!(
                "单位未申报当年缴费基数的在职职工 {} 人（未核定），所在统筹区无有效缴费政策 {} 人",
                r.no_base, r.no_policy
            ),
        ];
        lines.extend(example_line(r.example_lines));
        Ok(ResultView {
            title: format!("{} 月度核定完成", r.month),
            lines,
        })
    }
    .await;
    answer(&state, &auth, outcome)
}

pub async fn run_resident_year(
    State(state): State<AppState>,
    auth: Auth,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    auth.actor.staff_with(StaffRole::Finance)?;
    let outcome = async {
        let year = year_of(&body)?;
        let r = contribution::run_resident_year(&state.services, &auth.actor, year).await?;
        let mut lines = vec![
            format!(
                "新写入应缴记录 {} 条，此前已核定 {} 条",
                r.written, r.already
            ),
            format!("本次应缴合计 {}", Fen(r.due_fen)),
            format!("所在统筹区 1 月 1 日无有效缴费政策 {} 人", r.no_policy),
        ];
        lines.extend(example_line(r.example_lines));
        Ok(ResultView {
            title: format!("{} 年度城乡居民个人缴费核定完成", r.year),
            lines,
        })
    }
    .await;
    answer(&state, &auth, outcome)
}

pub async fn carry_over(
    State(state): State<AppState>,
    auth: Auth,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    auth.actor.staff_with(StaffRole::Finance)?;
    let outcome = async {
        let year = year_of(&body)?;
        let r = yibao_service::account::carry_over(&state.services, &auth.actor, year).await?;
        Ok(ResultView {
            title: format!("{} 年度个人账户余额已结转至 {} 年度", r.year, r.year + 1),
            lines: vec![format!(
                "结转账户 {} 个，合计 {}",
                r.accounts,
                Fen(r.total_fen)
            )],
        })
    }
    .await;
    answer(&state, &auth, outcome)
}

pub async fn import_paid(
    State(state): State<AppState>,
    auth: Auth,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    auth.actor.staff_with(StaffRole::Finance)?;
    let outcome = async {
        let bad = || {
            ServiceError::invalid(
                "http.bad_multipart",
                "请选择要导入的实缴记录文件（.xlsx 或 .csv）",
            )
        };
        let mut multipart = multipart.map_err(|_| bad())?;
        let mut file = None;
        while let Some(f) = multipart.next_field().await.map_err(|_| {
            ServiceError::invalid("http.bad_multipart", "文件读取失败或超过大小限制")
        })? {
            if f.name() == Some("file") {
                let name = f.file_name().unwrap_or("upload").to_string();
                let bytes = f.bytes().await.map_err(|_| {
                    ServiceError::invalid("http.bad_multipart", "文件读取失败或超过大小限制")
                })?;
                file = Some((name, bytes));
            }
        }
        let (name, bytes) = file.filter(|(_, b)| !b.is_empty()).ok_or_else(bad)?;
        let r = contribution::import_paid(&state.services, &auth.actor, &name, &bytes).await?;
        Ok(ResultView {
            title: format!("已导入“{name}”"),
            lines: vec![
                format!("实缴记录 {} 条，合计 {}", r.rows, Fen(r.total_fen)),
                format!("城乡居民参保生效 {} 人", r.activated),
            ],
        })
    }
    .await;
    answer(&state, &auth, outcome)
}
