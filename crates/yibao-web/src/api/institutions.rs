//! Designated institutions' agreements and monthly settlement (docs/institutions.md):
//! the admin records agreement steps; the institution (API token) declares its month, sees the
//! reconciliation and confirms the 结算单; reviewers add deductions and issue statements;
//! finance pays them in a batch.

use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::institution::monthly::{
    self, AgencyMonth, DeclarationInput, DeductionInput, MonthView, PaymentBatch, RunReport,
};
use yibao_service::institution::year_end::{self, YearEndBatch, YearEndInput, YearEndView};
use yibao_service::institution::{self, AgreementStep, AgreementView};

use super::{dto, ApiJson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(agreement, agreement_step))
        .routes(routes!(own_month))
        .routes(routes!(declare))
        .routes(routes!(confirm))
        .routes(routes!(agency_month))
        .routes(routes!(agency_institution_month))
        .routes(routes!(deduction))
        .routes(routes!(issue))
        .routes(routes!(pay))
        .routes(routes!(year_end_view, year_end_issue))
        .routes(routes!(year_end_own))
        .routes(routes!(year_end_confirm))
        .routes(routes!(year_end_pay))
}

fn year_of(raw: &str) -> Result<i32, ApiError> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=9999).contains(y))
        .ok_or_else(|| {
            yibao_service::ServiceError::invalid("year_end.year_invalid", "清算年度应为四位年份")
                .into()
        })
}

#[utoipa::path(
    get,
    path = "/year-end/{year}/institutions/{code}",
    tag = "定点医药机构",
    params(("year" = String, Path, description = "YYYY"), ("code" = String, Path)),
    responses((status = 200, description = "机构的年终清算单", body = dto::YearEndView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn year_end_view(
    State(state): State<AppState>,
    auth: Auth,
    Path((year, code)): Path<(String, String)>,
) -> Result<Json<YearEndView>, ApiError> {
    Ok(Json(
        year_end::agency_view(&state.services, &auth.actor, year_of(&year)?, &code).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/year-end/{year}/institutions/{code}",
    tag = "定点医药机构", request_body = dto::YearEndInput,
    params(("year" = String, Path, description = "YYYY"), ("code" = String, Path)),
    responses((status = 200, description = "已按年度考核得分生成年终清算单：总额预付清算与质量保证金返还", body = dto::YearEndView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn year_end_issue(
    State(state): State<AppState>,
    auth: Auth,
    Path((year, code)): Path<(String, String)>,
    ApiJson(body): ApiJson<YearEndInput>,
) -> Result<Json<YearEndView>, ApiError> {
    Ok(Json(
        year_end::issue(&state.services, &auth.actor, year_of(&year)?, &code, &body).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/institution/year-end/{year}",
    tag = "定点医药机构",
    params(("year" = String, Path, description = "YYYY")),
    responses((status = 200, description = "本机构的年终清算单", body = dto::YearEndView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
async fn year_end_own(
    State(state): State<AppState>,
    auth: Auth,
    Path(year): Path<String>,
) -> Result<Json<YearEndView>, ApiError> {
    Ok(Json(
        year_end::own(&state.services, &auth.actor, year_of(&year)?).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/institution/year-end/{year}/confirm",
    tag = "定点医药机构",
    params(("year" = String, Path, description = "YYYY")),
    responses((status = 200, description = "已确认年终清算单", body = dto::YearEndView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
async fn year_end_confirm(
    State(state): State<AppState>,
    auth: Auth,
    Path(year): Path<String>,
) -> Result<Json<YearEndView>, ApiError> {
    Ok(Json(
        year_end::confirm(&state.services, &auth.actor, year_of(&year)?).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/year-end/{year}/payments",
    tag = "定点医药机构",
    params(("year" = String, Path, description = "YYYY")),
    responses((status = 200, description = "已按批次拨付（或追回）机构已确认的年终清算单", body = dto::YearEndBatch), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn year_end_pay(
    State(state): State<AppState>,
    auth: Auth,
    Path(year): Path<String>,
) -> Result<Json<YearEndBatch>, ApiError> {
    Ok(Json(
        year_end::pay(&state.services, &auth.actor, year_of(&year)?).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/admin/institutions/{code}/agreement",
    tag = "定点医药机构",
    params(("code" = String, Path)),
    responses((status = 200, description = "定点协议：流程状态、条款与办理记录", body = dto::AgreementView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn agreement(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> Result<Json<AgreementView>, ApiError> {
    Ok(Json(
        institution::view(&state.services, &auth.actor, &code).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/admin/institutions/{code}/agreement",
    tag = "定点医药机构", request_body = dto::AgreementStep,
    params(("code" = String, Path)),
    responses((status = 200, description = "办理后的定点协议", body = dto::AgreementView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn agreement_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<AgreementStep>,
) -> Result<Json<AgreementView>, ApiError> {
    Ok(Json(
        institution::step(&state.services, &auth.actor, &code, &body).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/institution/months/{month}",
    tag = "定点医药机构",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "本机构该月的结算：实时结算合计、申报与对账、扣款、结算单", body = dto::MonthView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
async fn own_month(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly::own_month(&state.services, &auth.actor, &month).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/institution/months/{month}/declaration",
    tag = "定点医药机构", request_body = dto::DeclarationInput,
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "已申报，并与实时结算记录逐行对账", body = dto::MonthView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
async fn declare(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
    ApiJson(body): ApiJson<DeclarationInput>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly::declare(&state.services, &auth.actor, &month, &body).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/institution/months/{month}/confirm",
    tag = "定点医药机构",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "已确认月结算单", body = dto::MonthView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly::confirm(&state.services, &auth.actor, &month).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/monthly/{month}",
    tag = "定点医药机构",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "本经办机构各定点医药机构该月的结算情况", body = dto::AgencyMonth), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn agency_month(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Json<AgencyMonth>, ApiError> {
    Ok(Json(
        monthly::agency_month(&state.services, &auth.actor, &month).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/monthly/{month}/institutions/{code}",
    tag = "定点医药机构",
    params(("month" = String, Path, description = "YYYY-MM"), ("code" = String, Path)),
    responses((status = 200, description = "某机构该月的结算", body = dto::MonthView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn agency_institution_month(
    State(state): State<AppState>,
    auth: Auth,
    Path((month, code)): Path<(String, String)>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly::agency_institution_month(&state.services, &auth.actor, &month, &code).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/monthly/{month}/deductions",
    tag = "定点医药机构", request_body = dto::DeductionInput,
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "已录入扣款", body = dto::MonthView), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn deduction(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
    ApiJson(body): ApiJson<DeductionInput>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly::add_deduction(&state.services, &auth.actor, &month, &body).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/monthly/{month}/statements",
    tag = "定点医药机构",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "已为对账一致的机构生成月结算单；其余列出原因", body = dto::RunReport), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn issue(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Json<RunReport>, ApiError> {
    Ok(Json(
        monthly::issue_statements(&state.services, &auth.actor, &month).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/monthly/{month}/payments",
    tag = "定点医药机构",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "已按批次拨付机构已确认的月结算单", body = dto::PaymentBatch), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn pay(
    State(state): State<AppState>,
    auth: Auth,
    Path(month): Path<String>,
) -> Result<Json<PaymentBatch>, ApiError> {
    Ok(Json(
        monthly::pay(&state.services, &auth.actor, &month).await?,
    ))
}
