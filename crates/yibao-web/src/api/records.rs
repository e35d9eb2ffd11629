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

use super::ApiJson;
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

fn record_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "http.not_found",
            format!("{what}不存在或无权查看"),
        )
    })
}

async fn persons(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = records::list_persons(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "persons": list })))
}

async fn person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let p = records::person(&state.services, &auth.actor, id).await?;
    Ok(Json(json!({ "person": p })))
}

async fn my_person(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let p = records::my_person(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "person": p })))
}

async fn employers(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = records::list_employers(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "employers": list })))
}

async fn employer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let e = records::employer(&state.services, &auth.actor, id).await?;
    Ok(Json(json!({ "employer": e })))
}

async fn operators(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let list = identity::list_operators(&state.services, &auth.actor, id).await?;
    Ok(Json(json!({ "operators": list })))
}

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

async fn institution_me(auth: Auth) -> Result<Json<Value>, ApiError> {
    let i = auth.actor.institution()?;
    Ok(Json(json!({ "institution": i })))
}
