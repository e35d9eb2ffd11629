//! Administration inside one agency (admin role): staff accounts, designated institutions and
//! their API tokens, the holiday calendar. Every change lands in the audit chain.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use yibao_service::identity::{self, NewInstitutionInput, NewStaffInput};
use yibao_service::{calendar, ServiceError};

use super::ApiJson;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/staff", get(staff_list).post(staff_create))
        .route("/admin/staff/{id}/reset-password", post(staff_reset))
        .route("/admin/staff/{id}/deactivate", post(staff_deactivate))
        .route(
            "/admin/institutions",
            get(institutions).post(institution_create),
        )
        .route(
            "/admin/institutions/{code}/tokens",
            get(tokens).post(token_create),
        )
        .route("/admin/tokens/{id}/revoke", post(token_revoke))
        .route("/admin/calendar", get(calendar_years).post(calendar_import))
        .route("/admin/benefit", get(benefit_overview))
        .route("/admin/benefit/policies", post(policy_import))
        .route("/admin/benefit/catalogues", post(catalogue_import))
}

fn id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "http.not_found", "记录不存在"))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/staff",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_list(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = identity::list_staff(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "staff": list })))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/staff",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewStaffInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let row = identity::create_staff(&state.services, &auth.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "staff": row }))))
}

#[derive(Debug, Deserialize)]
struct ResetBody {
    temporary_password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/staff/{id}/reset-password",
    tag = "管理",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_reset(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<StatusCode, ApiError> {
    identity::reset_staff_password(
        &state.services,
        &auth.actor,
        id(&raw)?,
        &body.temporary_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/staff/{id}/deactivate",
    tag = "管理",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_deactivate(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    identity::deactivate_staff(&state.services, &auth.actor, id(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/institutions",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institutions(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = identity::list_institutions(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "institutions": list })))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/institutions",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institution_create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewInstitutionInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let row = identity::create_institution(&state.services, &auth.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "institution": row }))))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/institutions/{code}/tokens",
    tag = "管理",
    params(("code" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn tokens(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let list = identity::list_tokens(&state.services, &auth.actor, &code).await?;
    Ok(Json(json!({ "tokens": list })))
}

#[derive(Debug, Deserialize)]
struct TokenBody {
    label: String,
    #[serde(default = "default_days")]
    days: i64,
}

fn default_days() -> i64 {
    90
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/institutions/{code}/tokens",
    tag = "管理",
    params(("code" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn token_create(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let t =
        identity::create_token(&state.services, &auth.actor, &code, &body.label, body.days).await?;
    Ok((StatusCode::CREATED, Json(json!({ "token": t }))))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tokens/{id}/revoke",
    tag = "管理",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn token_revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    identity::revoke_token(&state.services, &auth.actor, id(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/calendar",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn calendar_years(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Value>, ApiError> {
    auth.actor.staff_with("admin")?;
    let overview = calendar::admin_overview(&state.services).await?;
    Ok(Json(serde_json::to_value(overview).map_err(|e| {
        ApiError::from(ServiceError::invalid("internal", e.to_string()))
    })?))
}

#[derive(Debug, Deserialize)]
struct ImportBody {
    /// The year's file, in the format of `data/calendar/` (TOML).
    text: String,
    #[serde(default)]
    note: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/calendar",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn calendar_import(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ImportBody>,
) -> Result<Json<Value>, ApiError> {
    let r = calendar::import(&state.services, &body.text, &auth.actor, &body.note).await?;
    Ok(Json(json!({ "import": r })))
}

#[derive(Debug, Deserialize)]
struct PolicyBody {
    /// One policy version in the format of `data/policy/` (TOML).
    text: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/benefit/policies",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn policy_import(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<Json<Value>, ApiError> {
    let r = yibao_service::benefit_data::import_policy(&state.services, &auth.actor, &body.text)
        .await?;
    Ok(Json(json!({ "import": r })))
}

#[derive(Debug, Deserialize)]
struct CatalogueBody {
    region_code: String,
    version: u32,
    /// CSV with the columns of `yibao_domain::benefit::CSV_COLUMNS` (docs/benefits.md).
    csv: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/benefit/catalogues",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn catalogue_import(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CatalogueBody>,
) -> Result<Json<Value>, ApiError> {
    let r = yibao_service::benefit_data::import_catalogue(
        &state.services,
        &auth.actor,
        &body.region_code,
        body.version,
        &body.csv,
    )
    .await?;
    Ok(Json(json!({ "import": r })))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/benefit",
    tag = "管理",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn benefit_overview(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Value>, ApiError> {
    let (policies, catalogues) =
        yibao_service::benefit_data::overview(&state.services, &auth.actor).await?;
    Ok(Json(
        json!({ "policies": policies, "catalogues": catalogues }),
    ))
}
