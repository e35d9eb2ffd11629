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

async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let list = filing::mine(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "filings": list })))
}

async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let f = filing::get(&state.services, &auth.actor, &id).await?;
    Ok(Json(json!({ "filing": f })))
}

async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let f = filing::cancel_by(&state.services, &auth.actor, &id).await?;
    Ok(Json(json!({ "filing": f })))
}
