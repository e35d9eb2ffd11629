//! Real-time settlement for designated institutions (institution API token):
//! `POST /settlements/pre`, `POST /settlements`, `GET /settlements/{request_id}`,
//! `POST /settlements/{request_id}/reverse`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use yibao_service::settlement::{self, SettleRequest};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons/{id}/account-credits", post(account_credit))
        .route("/national", post(national))
        .route("/settlements", post(settle))
        .route("/settlements/pre", post(pre))
        .route("/settlements/{request_id}", get(query))
        .route("/settlements/{request_id}/reverse", post(reverse))
}

/// The settlement endpoints take JSON only: the header is checked, the body parsed once.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    if crate::edge::is_json(headers) {
        Ok(())
    } else {
        Err(crate::edge::unsupported_media_type())
    }
}

fn parse(body: &[u8]) -> Result<SettleRequest, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let mut err = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "settlement.request_invalid",
            "结算请求格式不正确，请核对字段",
        );
        err.body.details = Some(json!({ "reason": e.to_string() }));
        err
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/settlements/pre",
    tag = "联网结算",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn pre(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    auth.actor.institution()?;
    require_json(&headers)?;
    let req = parse(&body)?;
    Ok(Json(
        settlement::pre_settle(&state.services, &auth.actor, &req).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/settlements",
    tag = "联网结算",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn settle(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Box<serde_json::value::RawValue>>, ApiError> {
    auth.actor.institution()?;
    require_json(&headers)?;
    let req = parse(&body)?;
    Ok(Json(
        settlement::settle(&state.services, &auth.actor, &req).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/settlements/{request_id}",
    tag = "联网结算",
    params(("request_id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn query(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        settlement::query(&state.services, &auth.actor, &id).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/settlements/{request_id}/reverse",
    tag = "联网结算",
    params(("request_id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn reverse(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        settlement::reverse(&state.services, &auth.actor, &id).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/national",
    tag = "联网结算",
    request_body(content_type = "application/json", description = "国家医保信息平台接口报文：infno（1101、2206–2208、2303–2305）、msgid、fixmedins_code、inf_time、input{data, feedetail}；金额为元（两位小数的文本）"),
    responses((status = 200, description = "应答报文：infcode（0 成功，-1 失败）、inf_refmsgid、err_msg、output"), (status = "4XX", description = "未登录或非定点机构令牌：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
async fn national(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    require_json(&headers)?;
    Ok(Json(
        yibao_service::national::call(&state.services, &auth.actor, &body).await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
struct CreditInput {
    /// 年度
    year: i64,
    /// 划入金额，单位：分
    amount_fen: i64,
    /// 依据，如缴费核定及月份
    note: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/persons/{id}/account-credits",
    tag = "联网结算",
    params(("id" = String, Path)),
    request_body = CreditInput,
    responses((status = 200, description = "已划入个人账户（财务）：该年度累计与余额"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn account_credit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    super::ApiJson(input): super::ApiJson<CreditInput>,
) -> Result<Json<Value>, ApiError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "http.not_found", "参保人员不存在"))?;
    let acc = settlement::credit_account(
        &state.services,
        &auth.actor,
        id,
        input.year,
        yibao_domain::Fen(input.amount_fen),
        &input.note,
    )
    .await?;
    Ok(Json(json!({ "accumulators": acc })))
}
