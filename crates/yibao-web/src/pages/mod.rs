//! Server-rendered pages in Chinese. They work without JavaScript and print cleanly.

mod account;
mod account_view;
mod admin;
mod audit;
mod benefits_view;
pub mod bill;
mod cases;
mod check;
pub mod chrome;
mod clearing;
mod complaints;
mod contributions;
mod dashboard;
mod disbursement;
mod enrolment;
mod evoucher;
mod filings;
mod finance;
mod guide;
mod home;
mod institution;
mod month_view;
mod monthly;
mod pager;
mod records;
mod settlements;
mod transfers;
mod year_end;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

const STYLESHEET: &str = include_str!("../../static/app.css");
/// The print buttons' handler: same-origin, as the CSP requires (no inline `onclick`).
const PRINT_SCRIPT: &str = include_str!("../../static/print.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/agencies", get(home::agencies))
        .route("/check", get(check::page))
        .route("/guide", get(guide::index))
        .route("/guide/forms/{id}", get(guide::form))
        .route("/guide/{jurisdiction}/{code}", get(guide::item))
        .route("/offices", get(guide::offices))
        .route("/cross-province", get(guide::cross_province))
        .route("/static/app.css", get(stylesheet))
        .route("/static/print.js", get(print_script))
        .route("/login", get(account::login))
        .route("/login/staff", post(account::login_staff))
        .route("/login/citizen", post(account::login_citizen))
        .route("/login/employer", post(account::login_employer))
        .route("/login/institution", post(account::login_institution))
        .route("/logout", post(account::logout))
        .route(
            "/register",
            get(account::register).post(account::register_submit),
        )
        .route("/register/code", post(account::register_code))
        .route("/reset", get(account::reset).post(account::reset_submit))
        .route("/reset/code", post(account::reset_code))
        .route("/account", get(account::account))
        .route("/account/password", post(account::password))
        .route("/staff/persons", get(records::persons))
        .route("/staff/persons/{id}", get(records::person))
        .route(
            "/staff/persons/{id}/certificate",
            get(enrolment::person_cert),
        )
        .route("/staff/employers", get(records::employers))
        .route("/staff/employers/{id}", get(records::employer))
        .route(
            "/staff/employers/{id}/operators",
            post(records::employer_add),
        )
        .route(
            "/staff/employers/{id}/certificate",
            get(enrolment::employer_cert),
        )
        .route(
            "/staff/employers/{id}/roster",
            post(records::employer_roster),
        )
        .route("/employer", get(records::my_employer))
        .route("/employer/operators", post(records::my_employer_add))
        .route("/employer/certificate", get(enrolment::my_employer_cert))
        .route("/employer/roster", post(records::my_employer_roster))
        .route("/account/record", get(enrolment::my_record))
        .route("/account/record/certificate", get(enrolment::my_cert))
        .route("/admin/staff", get(admin::staff).post(admin::staff_create))
        .route("/admin/staff/{id}/reset-password", post(admin::staff_reset))
        .route(
            "/admin/staff/{id}/deactivate",
            post(admin::staff_deactivate),
        )
        .route(
            "/admin/institutions",
            get(admin::institutions).post(admin::institution_create),
        )
        .route(
            "/admin/institutions/{code}/tokens",
            post(admin::token_create),
        )
        .route("/admin/tokens/{id}/revoke", post(admin::token_revoke))
        .route(
            "/admin/calendar",
            get(admin::calendar_view).post(admin::calendar_import),
        )
        .route("/audit", get(audit::page))
        .route("/admin/benefit", get(admin::benefit))
        .route("/admin/benefit/policies", post(admin::policy_import))
        .route("/admin/benefit/catalogues", post(admin::catalogue_import))
        .route("/cases", get(cases::list))
        .route("/cases/new", get(cases::new).post(cases::create))
        .route("/cases/overdue", get(cases::overdue))
        .route("/staff/dashboard", get(dashboard::page))
        .route("/staff/transfers", get(transfers::page))
        .route("/staff/clearing", get(clearing::page).post(clearing::issue))
        .route("/staff/clearing/{id}", get(clearing::detail))
        .route("/staff/transfers/{reference}/{step}", post(transfers::step))
        .route("/staff/settlements", get(settlements::list))
        .route("/staff/monthly", get(monthly::list))
        .route("/staff/year-end", get(year_end::list))
        .route("/staff/year-end/{year}/payments", post(year_end::pay))
        .route("/staff/year-end/{year}/{code}", get(year_end::detail))
        .route("/staff/year-end/{year}/{code}/issue", post(year_end::issue))
        .route("/institution/year-end", get(year_end::own))
        .route(
            "/institution/year-end/{year}/confirm",
            post(year_end::confirm),
        )
        .route("/staff/monthly/{month}/statements", post(monthly::issue))
        .route("/staff/monthly/{month}/payments", post(monthly::pay))
        .route("/staff/monthly/{month}/{code}", get(monthly::detail))
        .route(
            "/staff/monthly/{month}/{code}/deductions",
            post(monthly::deduct),
        )
        .route("/institution", get(institution::home))
        .route("/institution/months/{month}", get(institution::month))
        .route(
            "/institution/months/{month}/declaration",
            post(institution::declare),
        )
        .route(
            "/institution/months/{month}/confirm",
            post(institution::confirm),
        )
        .route("/cases/evaluations", get(cases::evaluations))
        .route(
            "/cases/disbursement",
            get(disbursement::page).post(disbursement::run),
        )
        .route("/cases/disbursement/{id}", get(disbursement::one))
        .route("/staff/contributions", get(finance::page))
        .route("/staff/contributions/month", post(finance::run_month))
        .route(
            "/staff/contributions/resident-year",
            post(finance::run_resident_year),
        )
        .route("/staff/contributions/paid", post(finance::import_paid))
        .route("/staff/contributions/carry-over", post(finance::carry_over))
        .route("/cases/{number}", get(cases::one))
        .route("/cases/{number}/materials", post(cases::material))
        .route("/cases/{number}/materials/{id}", get(cases::download))
        .route(
            "/cases/{number}/materials/{id}/seal",
            post(cases::confirm_seal),
        )
        .route("/cases/{number}/act", post(cases::act))
        .route("/cases/{number}/evaluate", post(cases::evaluate))
        .route("/cases/{number}/bill", post(cases::bill))
        .route(
            "/cases/{number}/institution-application",
            post(cases::institution_step),
        )
        .route("/cases/{number}/print/{doc}", get(cases::print))
        .route("/progress", get(cases::progress))
        .route("/verify", get(enrolment::verify))
        .route("/complaints", get(complaints::list))
        .route(
            "/complaints/new",
            get(complaints::new).post(complaints::create),
        )
        .route("/complaints/{number}", get(complaints::one))
        .route("/complaints/{number}/{step}", post(complaints::act))
        .route("/account/filings", get(filings::mine))
        .route(
            "/account/evoucher",
            get(evoucher::mine).post(evoucher::activate),
        )
        .route("/account/evoucher/{id}/revoke", post(evoucher::revoke_mine))
        .route("/staff/persons/{id}/evoucher", get(evoucher::of_person))
        .route(
            "/staff/persons/{person}/evoucher/{id}/revoke",
            post(evoucher::revoke_staff),
        )
        .route("/filings/{id}", get(filings::one))
        .route("/filings/{id}/cancel", post(filings::cancel))
}

async fn print_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PRINT_SCRIPT,
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: chrome::Chrome,
    status: u16,
    reason: &'a str,
    code: &'a str,
    message: &'a str,
}

/// Renders the Chinese error page. Falls back to plain text should the template ever fail.
pub fn render_error_page(status: StatusCode, code: &str, message: &str) -> String {
    let reason = match status.as_u16() {
        400 | 422 => "请求有误",
        401 => "请先登录",
        403 => "无权访问",
        404 => "页面不存在",
        405 => "请求方法不支持",
        408 => "请求超时",
        409 => "记录冲突",
        413 => "内容过大",
        414 => "地址过长",
        415 => "内容类型不支持",
        503 => "服务暂不可用",
        _ => "系统错误",
    };
    ErrorPage {
        chrome: chrome::Chrome::anonymous(),
        status: status.as_u16(),
        reason,
        code,
        message,
    }
    .render()
    .unwrap_or_else(|_| format!("{} {reason}：{message}", status.as_u16()))
}

/// Renders a page template into a response, turning a template failure into an error page.
/// Fen as the tables print them: yuan with two decimals, the unit in the column header.
pub(crate) fn yuan(fen: &i64) -> String {
    yibao_domain::Fen(*fen).yuan_string()
}

pub fn html<T: Template>(t: &T) -> axum::response::Response {
    match t.render() {
        Ok(body) => axum::response::Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::response::Html(render_error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "页面生成失败，已记录，请稍后重试",
                )),
            )
                .into_response()
        }
    }
}

/// A record's id from the path: anything but a positive integer is a missing page.
pub fn record_id(raw: &str) -> Result<i64, crate::PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(crate::PageError::not_found)
}

/// A path to return to after logging in, when it is one of this site's own pages: it starts
/// with one `/` (not `//` or `/\\`, which browsers read as another host), has no control
/// characters, is not the login or logout itself, and is not absurdly long.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 512
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && !next.starts_with("/login")
        && !next.starts_with("/logout")
        && !next.starts_with("/api/");
    ok.then_some(next)
}

/// The names a region field suggests (`<datalist id="region-names">`): every province, every
/// city, and the counties of the two provinces this agency's guides serve (重庆, 四川); any
/// other county is still accepted by its full name or code.
pub fn region_suggestions() -> Vec<String> {
    let mut out: Vec<String> = yibao_domain::ids::provinces()
        .map(|(_, n)| n.to_string())
        .collect();
    out.extend(
        yibao_domain::ids::all_full_names()
            .iter()
            .filter(|(c, _)| c.ends_with("00") || c.starts_with("50") || c.starts_with("51"))
            .map(|(_, n)| n.clone()),
    );
    out
}

#[cfg(test)]
mod safe_next_tests {
    use super::safe_next;

    #[test]
    fn only_own_pages_are_returned_to() {
        for ok in [
            "/cases",
            "/cases/500119-20261122-000001",
            "/staff/persons?q=%E7%8E%8B&page=2",
            "/",
        ] {
            assert_eq!(safe_next(ok), Some(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/x\\y",
            "evil",
            "",
            "/login?next=/cases",
            "/logout",
            "/api/v1/cases",
            "/cases\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(600))), None);
    }
}
