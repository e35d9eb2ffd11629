//! Disbursement in batches (拨付批次), for finance: `GET /disbursement/waiting`,
//! `POST|GET /disbursement/batches`, `GET /disbursement/batches/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use yibao_service::disbursement;

use super::ApiJson;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disbursement/waiting", get(waiting))
        .route("/disbursement/batches", get(list).post(run))
        .route("/disbursement/batches/{id}", get(one))
}

#[utoipa::path(get, path = "/api/v1/disbursement/waiting", tag = "拨付",
    responses((status = 200, description = "本机构待拨付的办件（未列入未完成的批次）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn waiting(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let cases = disbursement::waiting(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "cases": cases })))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct RunInput {
    /// Only these cases (all waiting cases when absent).
    #[serde(default)]
    cases: Option<Vec<String>>,
}

#[utoipa::path(post, path = "/api/v1/disbursement/batches", tag = "拨付", request_body = RunInput,
    responses((status = 201, description = "已生成拨付批次并逐件拨付：{batch, lines}"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn run(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<RunInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = disbursement::run(&state.services, &auth.actor, input.cases.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(json!(b))))
}

#[utoipa::path(get, path = "/api/v1/disbursement/batches", tag = "拨付",
    responses((status = 200, description = "本机构的拨付批次"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "batches": disbursement::list(&state.services, &auth.actor).await? }),
    ))
}

#[utoipa::path(get, path = "/api/v1/disbursement/batches/{id}", tag = "拨付", params(("id" = String, Path)),
    responses((status = 200, description = "批次及其逐件结果"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "http.not_found", "拨付批次不存在"))?;
    Ok(Json(json!(
        disbursement::get(&state.services, &auth.actor, id).await?
    )))
}
