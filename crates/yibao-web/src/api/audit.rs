//! The audit chain for auditors: `GET /audit` (search) and `GET /audit/verify`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::staff::StaffRole;
use yibao_service::audit;
use yibao_service::audit::{AuditFilter, AuditRow, VerifyReport};

use super::{dto, ApiQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(verify))
}

/// 审计记录
#[derive(Serialize, ToSchema)]
pub struct AuditEntries {
    #[schema(value_type = Vec<dto::AuditRow>)]
    entries: Vec<AuditRow>,
    /// 符合条件的记录总数（本页之外）
    total: i64,
    /// 第几页
    page: i64,
}

/// 审计链校验
#[derive(Serialize, ToSchema)]
pub struct AuditVerified {
    #[schema(value_type = dto::VerifyReport)]
    report: VerifyReport,
}

/// Every filter is optional; `from`/`to` are dates (YYYY-MM-DD) and `limit` defaults to 100.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    /// 每页条数，默认 100，最多 500
    pub limit: Option<i64>,
    /// 第几页，默认 1
    pub page: Option<i64>,
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
    path = "/audit",
    tag = "审计",
    params(AuditQuery),
    responses((status = 200, description = "审计记录（最新在前）", body = AuditEntries), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn search(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditEntries>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let found = audit::search(
        &state.services,
        &auth.actor,
        &q.filter(),
        yibao_service::paging::Window {
            limit,
            offset: (page - 1) * limit,
        },
    )
    .await?;
    Ok(Json(AuditEntries {
        entries: found.rows,
        total: found.total,
        page,
    }))
}

#[utoipa::path(
    get,
    path = "/audit/verify",
    tag = "审计",
    responses((status = 200, description = "审计链校验结果", body = AuditVerified), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn verify(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<AuditVerified>, ApiError> {
    auth.actor.staff_with(StaffRole::Auditor)?;
    let report = audit::verify(&state.services).await?;
    Ok(Json(AuditVerified { report }))
}
