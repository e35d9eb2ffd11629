//! The audit chain for auditors: `GET /audit` (search) and `GET /audit/verify`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use yibao_service::audit;
use yibao_service::audit::AuditFilter;

use super::ApiQuery;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(search))
        .route("/audit/verify", get(verify))
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub target_kind: String,
    #[serde(default)]
    pub target_id: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub limit: Option<i64>,
}

impl AuditQuery {
    pub fn filter(&self) -> AuditFilter {
        AuditFilter {
            action: self.action.trim().to_string(),
            target_kind: self.target_kind.trim().to_string(),
            target_id: self.target_id.trim().to_string(),
            actor_label: self.actor.trim().to_string(),
            from: self.from.trim().to_string(),
            to: self.to.trim().to_string(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "审计",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn search(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows = audit::search(
        &state.services,
        &auth.actor,
        &q.filter(),
        q.limit.unwrap_or(100),
    )
    .await?;
    Ok(Json(json!({ "entries": rows })))
}

#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "审计",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn verify(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    auth.actor.staff_with("auditor")?;
    let report = audit::verify(&state.services).await?;
    Ok(Json(json!({ "report": report })))
}
