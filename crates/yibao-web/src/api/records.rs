//! Registry records under the access rules: `GET /persons` (staff, masked), `GET /persons/{id}`,
//! `GET /me/person` (a citizen's own), `GET /employers`, `GET /employers/{id}`,
//! `GET|POST /employers/{id}/operators`, `GET /institution/me`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use yibao_service::identity::{self, NewOperatorInput};
use yibao_service::records;

use super::{record_id, ApiJson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons", get(persons))
        .route("/persons/{id}", get(person))
        .route("/me/person", get(my_person))
        .route("/employers", get(employers))
        .route("/employers/{id}", get(employer))
        .route(
            "/employers/{id}/operators",
            get(operators).post(add_operator),
        )
        .route("/institution/me", get(institution_me))
}

#[utoipa::path(
    get,
    path = "/api/v1/persons",
    tag = "参保登记记录",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn persons(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = records::list_persons(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "persons": list })))
}

#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}",
    tag = "参保登记记录",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let p = records::person(&state.services, &auth.actor, id).await?;
    Ok(Json(json!({ "person": p })))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/person",
    tag = "参保登记记录",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn my_person(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let p = records::my_person(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "person": p })))
}

#[utoipa::path(
    get,
    path = "/api/v1/employers",
    tag = "参保登记记录",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn employers(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = records::list_employers(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "employers": list })))
}

#[utoipa::path(
    get,
    path = "/api/v1/employers/{id}",
    tag = "参保登记记录",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn employer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let e = records::employer(&state.services, &auth.actor, id).await?;
    Ok(Json(json!({ "employer": e })))
}

#[utoipa::path(
    get,
    path = "/api/v1/employers/{id}/operators",
    tag = "参保登记记录",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn operators(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let list = identity::list_operators(&state.services, &auth.actor, id).await?;
    Ok(Json(json!({ "operators": list })))
}

#[utoipa::path(
    post,
    path = "/api/v1/employers/{id}/operators",
    tag = "参保登记记录",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn add_operator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewOperatorInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = record_id(&id, "参保单位")?;
    let op = identity::add_operator(&state.services, &auth.actor, id, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "operator": op }))))
}

#[utoipa::path(
    get,
    path = "/api/v1/institution/me",
    tag = "参保登记记录",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institution_me(auth: Auth) -> Result<Json<Value>, ApiError> {
    let i = auth.actor.institution()?;
    Ok(Json(json!({ "institution": i })))
}
