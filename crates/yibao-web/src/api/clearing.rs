//! Cross-province settlement clearing (跨省异地就医费用清算, docs/clearing.md), for finance,
//! supervisors and auditors: `GET /clearing/statements`, `GET /clearing/statements/{id}`, and
//! `POST /clearing/statements` to issue an ended month's statements (finance).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::clearing::{self, Issued, StatementDetail, StatementView};

use super::{dto, ApiJson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, issue))
        .routes(routes!(one))
}

/// 本机作为就医地或参保地的清算单
#[derive(Serialize, ToSchema)]
pub struct StatementList {
    #[schema(value_type = Vec<dto::ClearingStatement>)]
    statements: Vec<StatementView>,
}

#[utoipa::path(get, path = "/clearing/statements", tag = "跨省清算",
    responses((status = 200, description = "本机可见的清算单，最近月份在前", body = StatementList), (status = "4XX", description = "未登录，或不是拨付、监督、审计岗位：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<StatementList>, ApiError> {
    let statements = clearing::list(&state.services, &auth.actor).await?;
    Ok(Json(StatementList { statements }))
}

#[utoipa::path(get, path = "/clearing/statements/{id}", tag = "跨省清算", params(("id" = i64, Path, description = "清算单编号")),
    responses((status = 200, description = "一张清算单及其全部明细", body = dto::ClearingDetail), (status = "4XX", description = "未登录、无权或不存在（clearing.not_found）：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<StatementDetail>, ApiError> {
    Ok(Json(
        clearing::detail(&state.services, &auth.actor, id).await?,
    ))
}

/// 出具清算单的月份
#[derive(Deserialize, ToSchema)]
pub struct IssueRequest {
    /// 已结束的月份，YYYY-MM
    month: String,
}

#[utoipa::path(post, path = "/clearing/statements", tag = "跨省清算", request_body = IssueRequest,
    responses((status = 200, description = "本机作为就医地出具该月清算单，每对省份一张（已出具的不重复）；参保地在本机的当即对账，在对端的以消息送达", body = dto::ClearingIssued), (status = "4XX", description = "未登录、不是拨付岗位、月份格式错误（clearing.bad_month）或未结束（clearing.month_not_ended）、参保省份既无本机经办机构也无对端（clearing.no_counterpart）：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn issue(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<Json<Issued>, ApiError> {
    Ok(Json(
        clearing::issue(&state.services, &auth.actor, &req.month).await?,
    ))
}
