//! The working-day calendar as JSON:
//! `GET /api/v1/calendar/deadline?from=YYYY-MM-DD&working_days=N`,
//! `GET /api/v1/calendar/between?from=…&to=…`, `GET /api/v1/calendar/{year}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::calendar::{CalendarWarning, LimitSpec, YearSchedule};
use yibao_service::calendar;

use super::{dto, ApiQuery};
use crate::error::ApiError;
use crate::AppState;

/// The longest limit any guide states is 60 working days per batch; this bounds the work of one
/// request while leaving ample room.
const MAX_WORKING_DAYS: u32 = 3650;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(deadline))
        .routes(routes!(between))
        .routes(routes!(year))
}

/// 办结期限
#[derive(Serialize, ToSchema)]
pub struct DeadlineAnswer {
    /// 办结期限（当日24时）；即时办理时为空
    #[schema(value_type = Option<String>, format = Date)]
    deadline: Option<NaiveDate>,
    #[schema(value_type = String, format = Date)]
    from: NaiveDate,
    working_days: u32,
    /// 计算规则
    #[schema(value_type = String)]
    convention: &'static str,
    #[schema(value_type = Vec<dto::CalendarWarning>)]
    warnings: Vec<CalendarWarning>,
}

/// 两日之间的工作日数
#[derive(Serialize, ToSchema)]
pub struct BetweenAnswer {
    #[schema(value_type = String, format = Date)]
    from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    to: NaiveDate,
    working_days: i64,
    /// 计算规则
    #[schema(value_type = String)]
    convention: &'static str,
    #[schema(value_type = Vec<dto::CalendarWarning>)]
    warnings: Vec<CalendarWarning>,
}

fn date(field: &str, value: Option<&str>) -> Result<NaiveDate, ApiError> {
    let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "calendar.missing_parameter",
            format!("缺少参数 {field}（日期，格式 YYYY-MM-DD）"),
        ));
    };
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1949..=2200).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "calendar.invalid_date",
                format!("参数 {field} 的值“{v}”不是 1949–2200 年间的有效日期（YYYY-MM-DD）"),
            )
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeadlineQuery {
    /// 受理日，YYYY-MM-DD
    from: Option<String>,
    /// 工作日数，0 至 3650
    working_days: Option<String>,
}

#[utoipa::path(
    get,
    path = "/calendar/deadline",
    tag = "工作日", params(DeadlineQuery),
    responses((status = 200, description = "办结期限", body = DeadlineAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn deadline(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> Result<Json<DeadlineAnswer>, ApiError> {
    let from = date("from", q.from.as_deref())?;
    let n: u32 = q
        .working_days
        .as_deref()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n <= MAX_WORKING_DAYS)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "calendar.invalid_working_days",
                format!("参数 working_days 应为 0 至 {MAX_WORKING_DAYS} 之间的整数"),
            )
        })?;
    let d = calendar::deadline(&state.services, from, LimitSpec::WorkingDays { days: n }).await?;
    Ok(Json(DeadlineAnswer {
        deadline: d.due,
        from,
        working_days: n,
        convention: "受理日为第0日，自次一工作日起算，第N个工作日（当日24时）为办结期限；非工作日受理的，同样自次一工作日起算",
        warnings: d.warnings,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BetweenQuery {
    /// 起始日（不计），YYYY-MM-DD
    from: Option<String>,
    /// 结束日（计入），YYYY-MM-DD
    to: Option<String>,
}

#[utoipa::path(
    get,
    path = "/calendar/between",
    tag = "工作日", params(BetweenQuery),
    responses((status = 200, description = "两日之间的工作日数", body = BetweenAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn between(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<BetweenQuery>,
) -> Result<Json<BetweenAnswer>, ApiError> {
    let a = date("from", q.from.as_deref())?;
    let b = date("to", q.to.as_deref())?;
    let n = calendar::between(&state.services, a, b).await?;
    Ok(Json(BetweenAnswer {
        from: a,
        to: b,
        working_days: n.value,
        convention: "不含起始日，含结束日",
        warnings: n.warnings,
    }))
}

#[utoipa::path(
    get,
    path = "/calendar/{year}",
    tag = "工作日",
    params(("year" = String, Path)),
    responses((status = 200, description = "该年度的节假日安排", body = dto::YearSchedule), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn year(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<YearSchedule>, ApiError> {
    let y: i32 = year
        .parse()
        .ok()
        .filter(|y| (1949..=2200).contains(y))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "calendar.invalid_year",
                format!("“{year}”不是有效年份"),
            )
        })?;
    let cal = calendar::current(&state.services).await?;
    let schedule = cal.schedule(y).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "calendar.year_missing",
            format!("{y}年的节假日安排尚未录入（或尚未发布）"),
        )
    })?;
    Ok(Json(schedule.clone()))
}
