//! Remote-care filings: `GET /me/filings` (a citizen's own), `GET /filings/{id}`.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use yibao_service::filing;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/filings", get(mine))
        .route("/filings/{id}", get(one))
        .route("/filings/{id}/cancel", axum::routing::post(cancel))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/filings",
    tag = "异地就医备案",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = filing::mine(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "filings": list })))
}

#[utoipa::path(
    get,
    path = "/api/v1/filings/{id}",
    tag = "异地就医备案",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let f = filing::get(&state.services, &auth.actor, &id).await?;
    Ok(Json(json!({ "filing": f })))
}

#[utoipa::path(
    post,
    path = "/api/v1/filings/{id}/cancel",
    tag = "异地就医备案",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let f = filing::cancel_by(&state.services, &auth.actor, &id).await?;
    Ok(Json(json!({ "filing": f })))
}
