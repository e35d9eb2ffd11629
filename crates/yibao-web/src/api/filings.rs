//! Remote-care filings: `GET /me/filings` (a citizen's own), `GET /filings/{id}`.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::filing::Filing;
use yibao_service::filing::{self, FilingRecord};

use super::dto;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mine))
        .routes(routes!(one))
        .routes(routes!(cancel))
}

/// 本人的异地就医备案
#[derive(Serialize, ToSchema)]
pub struct FilingList {
    #[schema(value_type = Vec<dto::FilingRecord>)]
    filings: Vec<FilingRecord>,
}

/// 一项异地就医备案及其申请
#[derive(Serialize, ToSchema)]
pub struct FilingAnswer {
    #[schema(value_type = dto::FilingRecord)]
    filing: FilingRecord,
}

/// 已取消的备案
#[derive(Serialize, ToSchema)]
pub struct FilingCancelled {
    #[schema(value_type = dto::Filing)]
    filing: Filing,
}

#[utoipa::path(
    get,
    path = "/me/filings",
    tag = "异地就医备案",
    responses((status = 200, description = "本人的备案", body = FilingList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Json<FilingList>, ApiError> {
    let filings = filing::mine(&state.services, &auth.actor).await?;
    Ok(Json(FilingList { filings }))
}

#[utoipa::path(
    get,
    path = "/filings/{id}",
    tag = "异地就医备案",
    params(("id" = String, Path)),
    responses((status = 200, description = "备案及其申请", body = FilingAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<FilingAnswer>, ApiError> {
    let filing = filing::get(&state.services, &auth.actor, &id).await?;
    Ok(Json(FilingAnswer { filing }))
}

#[utoipa::path(
    post,
    path = "/filings/{id}/cancel",
    tag = "异地就医备案",
    params(("id" = String, Path)),
    responses((status = 200, description = "已取消", body = FilingCancelled), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<FilingCancelled>, ApiError> {
    let filing = filing::cancel_by(&state.services, &auth.actor, &id).await?;
    Ok(Json(FilingCancelled { filing }))
}
