//! Disbursement in batches (拨付批次), for finance: `GET /disbursement/waiting`,
//! `POST|GET /disbursement/batches`, `GET /disbursement/batches/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::disbursement::{self, Batch, BatchRow, Waiting};

use super::{dto, ApiJson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(waiting))
        .routes(routes!(list, run))
        .routes(routes!(one))
}

/// 待拨付的办件
#[derive(Serialize, ToSchema)]
pub struct WaitingCases {
    #[schema(value_type = Vec<dto::Waiting>)]
    cases: Vec<Waiting>,
}

/// 拨付批次
#[derive(Serialize, ToSchema)]
pub struct BatchList {
    #[schema(value_type = Vec<dto::BatchRow>)]
    batches: Vec<BatchRow>,
}

#[utoipa::path(get, path = "/disbursement/waiting", tag = "拨付",
    responses((status = 200, description = "本机构待拨付的办件（未列入未完成的批次）", body = WaitingCases), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn waiting(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<WaitingCases>, ApiError> {
    let cases = disbursement::waiting(&state.services, &auth.actor).await?;
    Ok(Json(WaitingCases { cases }))
}

/// 生成拨付批次
#[derive(Debug, Default, Deserialize, ToSchema)]
struct RunInput {
    /// 只拨付这些办件（省略时为全部待拨付办件）
    #[serde(default)]
    cases: Option<Vec<String>>,
}

#[utoipa::path(post, path = "/disbursement/batches", tag = "拨付", request_body = RunInput,
    responses((status = 201, description = "已生成拨付批次并逐件拨付", body = dto::Batch), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn run(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<RunInput>,
) -> Result<(StatusCode, Json<Batch>), ApiError> {
    let b = disbursement::run(&state.services, &auth.actor, input.cases.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(b)))
}

#[utoipa::path(get, path = "/disbursement/batches", tag = "拨付",
    responses((status = 200, description = "本机构的拨付批次", body = BatchList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<BatchList>, ApiError> {
    let batches = disbursement::list(&state.services, &auth.actor).await?;
    Ok(Json(BatchList { batches }))
}

#[utoipa::path(get, path = "/disbursement/batches/{id}", tag = "拨付", params(("id" = String, Path)),
    responses((status = 200, description = "批次及其逐件结果", body = dto::Batch), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Batch>, ApiError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "http.not_found", "拨付批次不存在"))?;
    Ok(Json(
        disbursement::get(&state.services, &auth.actor, id).await?,
    ))
}
