//! Complaints and reports (投诉、举报受理, seed 004 item 36): `POST /complaints` (a signed-in
//! citizen online, or a clerk for the window, phone, letter or a 12345 handover), the list and
//! one complaint, the decision, assignment, answer and the reporter's evaluation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::complaint::{self, ComplaintSummary, ComplaintView, DecideInput, SubmitInput};
use yibao_service::paging::{search_text, Span};

use super::{dto, ApiJson, ApiQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit, list))
        .routes(routes!(one))
        .routes(routes!(decide))
        .routes(routes!(assign))
        .routes(routes!(answer))
        .routes(routes!(evaluate))
        .routes(routes!(about_institution))
}

/// 一件投诉举报（举报人身份仅对本人、本机构监督岗位和承办人完整显示）
#[derive(Serialize, ToSchema)]
pub struct ComplaintAnswer {
    #[schema(value_type = dto::ComplaintView)]
    complaint: ComplaintView,
}

/// 投诉举报清单（不含举报人身份）
#[derive(Serialize, ToSchema)]
pub struct ComplaintList {
    #[schema(value_type = Vec<dto::ComplaintSummary>)]
    complaints: Vec<ComplaintSummary>,
    total: i64,
    page: i64,
}

#[utoipa::path(
    post,
    path = "/complaints",
    tag = "投诉举报", request_body = dto::ComplaintSubmitInput,
    responses((status = 201, description = "已登记", body = ComplaintAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<SubmitInput>,
) -> Result<(StatusCode, Json<ComplaintAnswer>), ApiError> {
    let complaint = complaint::submit(&state.services, &auth.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(ComplaintAnswer { complaint })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 工作人员：只列此状态（received、accepted、not_accepted、transferred、answered、closed）
    status: Option<String>,
    /// 工作人员：编号、被投诉举报对象或机构编码包含此文字
    q: Option<String>,
    /// 工作人员：第几页，默认 1
    page: Option<String>,
}

#[utoipa::path(
    get,
    path = "/complaints",
    tag = "投诉举报", params(ListQuery),
    responses((status = 200, description = "本人的投诉举报；工作人员为本机构及所辖机构的", body = ComplaintList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ComplaintList>, ApiError> {
    let found = complaint::list(
        &state.services,
        &auth.actor,
        q.status.as_deref(),
        &search_text(q.q.as_deref()),
        Span::page(q.page.as_deref()),
    )
    .await?;
    Ok(Json(ComplaintList {
        complaints: found.items,
        total: found.total,
        page: found.page,
    }))
}

#[utoipa::path(
    get,
    path = "/complaints/{number}",
    tag = "投诉举报", params(("number" = String, Path)),
    responses((status = 200, description = "投诉举报及其办理经过", body = ComplaintAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<ComplaintAnswer>, ApiError> {
    let complaint = complaint::get(&state.services, &auth.actor, &number).await?;
    Ok(Json(ComplaintAnswer { complaint }))
}

#[utoipa::path(
    post,
    path = "/complaints/{number}/decision",
    tag = "投诉举报", params(("number" = String, Path)), request_body = dto::ComplaintDecideInput,
    responses((status = 200, description = "已受理、不予受理或移交", body = ComplaintAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn decide(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<DecideInput>,
) -> Result<Json<ComplaintAnswer>, ApiError> {
    let complaint = complaint::decide(&state.services, &auth.actor, &number, &input).await?;
    Ok(Json(ComplaintAnswer { complaint }))
}

/// 分派承办人
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignBody {
    /// 本机构工作人员的用户名
    handler: String,
}

#[utoipa::path(
    post,
    path = "/complaints/{number}/assign",
    tag = "投诉举报", params(("number" = String, Path)), request_body = AssignBody,
    responses((status = 200, description = "已分派", body = ComplaintAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<AssignBody>,
) -> Result<Json<ComplaintAnswer>, ApiError> {
    let complaint = complaint::assign(&state.services, &auth.actor, &number, &b.handler).await?;
    Ok(Json(ComplaintAnswer { complaint }))
}

/// 答复
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    text: String,
}

#[utoipa::path(
    post,
    path = "/complaints/{number}/answer",
    tag = "投诉举报", params(("number" = String, Path)), request_body = AnswerBody,
    responses((status = 200, description = "已答复", body = ComplaintAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn answer(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> Result<Json<ComplaintAnswer>, ApiError> {
    let complaint = complaint::answer(&state.services, &auth.actor, &number, &b.text).await?;
    Ok(Json(ComplaintAnswer { complaint }))
}

/// 投诉举报人的评价
#[derive(Debug, Deserialize, ToSchema)]
pub struct EvaluateBody {
    /// satisfied、basically_satisfied、dissatisfied
    evaluation: String,
    comment: Option<String>,
}

#[utoipa::path(
    post,
    path = "/complaints/{number}/evaluation",
    tag = "投诉举报", params(("number" = String, Path)), request_body = EvaluateBody,
    responses((status = 200, description = "已评价并办结", body = ComplaintAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn evaluate(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<EvaluateBody>,
) -> Result<Json<ComplaintAnswer>, ApiError> {
    let complaint = complaint::evaluate(
        &state.services,
        &auth.actor,
        &number,
        &b.evaluation,
        b.comment.as_deref(),
    )
    .await?;
    Ok(Json(ComplaintAnswer { complaint }))
}

/// 涉及一家定点医药机构的投诉举报
#[derive(Serialize, ToSchema)]
pub struct InstitutionComplaints {
    #[schema(value_type = Vec<dto::ComplaintSummary>)]
    complaints: Vec<ComplaintSummary>,
}

#[utoipa::path(
    get,
    path = "/institutions/{code}/complaints",
    tag = "投诉举报", params(("code" = String, Path)),
    responses((status = 200, description = "涉及该机构的投诉举报（工作人员）", body = InstitutionComplaints), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn about_institution(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> Result<Json<InstitutionComplaints>, ApiError> {
    let complaints = complaint::about_institution(&state.services, &auth.actor, &code).await?;
    Ok(Json(InstitutionComplaints { complaints }))
}
