//! Real-time settlement for designated institutions (institution API token):
//! `POST /settlements/pre`, `POST /settlements`, `GET /settlements/{request_id}`,
//! `POST /settlements/{request_id}/reverse`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::benefit::Accumulators;
use yibao_service::national;
use yibao_service::settlement::{self, SettleRequest};

use super::dto;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

// `settle` answers the text the service stored (serialised once: the measured hot path,
// docs/performance.md) and `query` that stored document with its current status; `pre` answers
// the same typed `SettlementAnswer`. Their shape is documented by `dto::SettlementResult`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(account_credit))
        .routes(routes!(carry_over))
        .routes(routes!(national))
        .routes(routes!(settle))
        .routes(routes!(pre))
        .routes(routes!(query))
        .routes(routes!(reverse))
}

/// 划入后的年度累计与余额
#[derive(Serialize, ToSchema)]
pub struct AccountCredited {
    #[schema(value_type = dto::Accumulators)]
    accumulators: Accumulators,
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
    path = "/settlements/pre",
    tag = "联网结算", request_body = dto::SettleRequest,
    responses((status = 200, description = "预结算：只计算，不记账", body = dto::SettlementResult), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn pre(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<settlement::SettlementAnswer>, ApiError> {
    auth.actor.institution()?;
    require_json(&headers)?;
    let req = parse(&body)?;
    Ok(Json(
        settlement::pre_settle(&state.services, &auth.actor, &req).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/settlements",
    tag = "联网结算", request_body = dto::SettleRequest,
    responses((status = 200, description = "已结算；同一流水号同一请求重复提交时返回首次结果（replayed 为 true）", body = dto::SettlementResult), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn settle(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth.actor.institution()?;
    require_json(&headers)?;
    let req = parse(&body)?;
    let answer = settlement::settle(&state.services, &auth.actor, &req).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        answer.into_string(),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/settlements/{request_id}",
    tag = "联网结算",
    params(("request_id" = String, Path)),
    responses((status = 200, description = "本机构的该笔结算", body = dto::SettlementResult), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
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
    path = "/settlements/{request_id}/reverse",
    tag = "联网结算",
    params(("request_id" = String, Path)),
    responses((status = 200, description = "已撤销，年度累计已退回", body = dto::SettlementReversed), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn reverse(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<settlement::SettlementReversed>, ApiError> {
    Ok(Json(
        settlement::reverse(&state.services, &auth.actor, &id).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/national",
    tag = "联网结算",
    request_body = dto::NationalRequest,
    responses(
        (status = 200, description = "应答报文（交易失败也是 200，infcode 为 -1）；9102 文件下载成功时为文件本身（application/octet-stream，Content-Disposition 给出文件名）", content(
            (dto::NationalAnswer = "application/json"),
            ("application/octet-stream")
        )),
        (status = "4XX", description = "未登录或非定点机构令牌：{code, message, details}", body = crate::error::ErrorBody)
    ),
    security(("bearer" = []))
)]
async fn national(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    Ok(
        match yibao_service::national::call(&state.services, &auth.actor, &body).await? {
            national::Reply::Json(v) => Json(v).into_response(),
            national::Reply::File(f) => file_response(f),
        },
    )
}

/// A 9102 file: the bytes as they are, named in `Content-Disposition` (an ASCII fallback and
/// the UTF-8 name, RFC 6266).
fn file_response(f: national::FileReply) -> Response {
    let ascii: String = f
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = f
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        f.bytes,
    )
        .into_response()
}

/// 年度结转的年度
#[derive(Debug, serde::Deserialize, ToSchema)]
struct CarryOverInput {
    /// 要结转的年度（须已结束）
    year: i32,
}

/// 年度结转结果
#[derive(serde::Serialize, ToSchema)]
pub struct CarryOverAnswer {
    year: i32,
    /// 余额结转至下一年度的账户数
    accounts: u64,
    /// 结转合计（分）
    total_fen: i64,
}

#[utoipa::path(
    post,
    path = "/accounts/carry-over",
    tag = "联网结算",
    request_body = CarryOverInput,
    responses((status = 201, description = "已将该年度各个人账户余额结转至下一年度（财务；重复执行只结转此后新增的余额）", body = CarryOverAnswer), (status = "4XX", description = "年度尚未结束（account.carry_over.year_open）、未登录或无权：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn carry_over(
    State(state): State<AppState>,
    auth: Auth,
    super::ApiJson(input): super::ApiJson<CarryOverInput>,
) -> Result<(StatusCode, Json<CarryOverAnswer>), ApiError> {
    let r = yibao_service::account::carry_over(&state.services, &auth.actor, input.year).await?;
    Ok((
        StatusCode::CREATED,
        Json(CarryOverAnswer {
            year: r.year,
            accounts: r.accounts,
            total_fen: r.total_fen,
        }),
    ))
}

/// 个人账户划入
#[derive(Debug, serde::Deserialize, ToSchema)]
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
    path = "/persons/{id}/account-credits",
    tag = "联网结算",
    params(("id" = String, Path)),
    request_body = CreditInput,
    responses((status = 200, description = "已划入个人账户（财务）：该年度累计与余额", body = AccountCredited), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn account_credit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    super::ApiJson(input): super::ApiJson<CreditInput>,
) -> Result<Json<AccountCredited>, ApiError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "http.not_found", "参保人员不存在"))?;
    let accumulators = settlement::credit_account(
        &state.services,
        &auth.actor,
        id,
        input.year,
        yibao_domain::Fen(input.amount_fen),
        &input.note,
    )
    .await?;
    Ok(Json(AccountCredited { accumulators }))
}
