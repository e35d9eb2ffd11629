//! Transfers between installations (转移接续, docs/federation.md), for staff:
//! `GET /transfers`, `GET /transfers/{reference}`, and `POST /transfers/{reference}/steps/{step}`
//! to do the step this side owes (发出联系函, 发出信息表并划转余额, 完成转入).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::transfer::Step;
use yibao_service::transfer::{self, TransferView};

use super::dto;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(step))
}

/// 本机参与的转移接续
#[derive(Serialize, ToSchema)]
pub struct TransferList {
    #[schema(value_type = Vec<dto::TransferView>)]
    transfers: Vec<TransferView>,
}

#[utoipa::path(get, path = "/transfers", tag = "转移接续",
    responses((status = 200, description = "本机作为转入地或转出地的全部转移接续，含本方应办步骤、时限和是否超期", body = TransferList), (status = "4XX", description = "未登录或不是经办机构工作人员：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<TransferList>, ApiError> {
    let transfers = transfer::list(&state.services, &auth.actor).await?;
    Ok(Json(TransferList { transfers }))
}

#[utoipa::path(get, path = "/transfers/{reference}", tag = "转移接续", params(("reference" = String, Path, description = "转移接续编号")),
    responses((status = 200, description = "一件转移接续", body = dto::TransferView), (status = "4XX", description = "未登录、无权或不存在（transfer.not_found）：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(reference): Path<String>,
) -> Result<Json<TransferView>, ApiError> {
    Ok(Json(
        transfer::view(&state.services, &auth.actor, &reference).await?,
    ))
}

#[utoipa::path(post, path = "/transfers/{reference}/steps/{step}", tag = "转移接续",
    params(("reference" = String, Path, description = "转移接续编号"), ("step" = String, Path, description = "letter（转入地发出联系函）、sheet（转出地发出信息表并划转个人账户余额）、completion（转入地完成转入）")),
    responses((status = 200, description = "已办理该步骤；消息已写入发件箱，由投递程序送达对方", body = dto::TransferView), (status = "4XX", description = "未登录、无权、不存在，或该步骤不是本方当前应办的（409 transfer.wrong_status），或对方区划没有登记的对端（422 federation.no_peer_for_region）：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Path((reference, step)): Path<(String, String)>,
) -> Result<Json<TransferView>, ApiError> {
    let step = Step::from_key(&step).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "http.not_found",
            "步骤应为 letter、sheet 或 completion",
        )
    })?;
    Ok(Json(
        transfer::advance(&state.services, &auth.actor, &reference, step).await?,
    ))
}
