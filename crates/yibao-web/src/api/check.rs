//! `GET /api/v1/check/{kind}/{value}`: is this identifier valid, and if not, why.
//! Answers 200 with `"valid": true` and what the identifier tells, or 422 with the error's code and
//! Chinese message (and the same body fields, so a client reads one shape).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::check::{check, IdentifierKind};

use super::dto;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(check_identifier))
}

#[utoipa::path(
    get,
    path = "/check/{kind}/{value}",
    tag = "号码校验",
    params(("kind" = String, Path, description = "id（公民身份号码）、uscc（统一社会信用代码）或 region（行政区划代码）"), ("value" = String, Path)),
    responses((status = 200, description = "号码有效，及其所含信息", body = dto::CheckResult), (status = 422, description = "号码无效：同一形状，valid 为 false，附 code 与中文 message", body = dto::CheckResult), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn check_identifier(Path((kind, value)): Path<(String, String)>) -> Response {
    let Some(kind) = IdentifierKind::parse(&kind) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "check.unknown_kind",
            format!("不支持校验“{kind}”：可校验的类型为 id（公民身份号码）、uscc（统一社会信用代码）、region（行政区划代码）"),
        )
        .into_response();
    };
    let result = check(kind, &value);
    let status = if result.valid {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, Json(result)).into_response()
}
