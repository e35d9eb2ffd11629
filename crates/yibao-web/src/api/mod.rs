//! The JSON API under `/api/v1`.

mod admin;
pub mod audit;
mod auth;
mod calendar;
pub mod cases;
pub mod catalog;
mod check;
mod clearing;
mod complaints;
mod contributions;
mod disbursement;
mod dto;
pub mod enrolment;
mod federation;
mod filings;
mod institutions;
mod maternity;
mod openapi;
mod qualifications;
mod records;
mod settlement;
mod transfers;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Router;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::AppState;

/// Where the API is served; the document's paths carry it.
pub const PREFIX: &str = "/api/v1";

/// The API's router, already under [`PREFIX`], with `GET /api/v1/openapi.json` serving the
/// document collected from the very same routes.
pub fn routes() -> Router<AppState> {
    let (router, document) = documented().split_for_parts();
    router.merge(openapi::routes(document))
}

/// Every API route with its operation: one list, read by the router and by the document, so a
/// route cannot be served without being documented (`routes!` takes only annotated handlers).
fn documented() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .merge(check::routes())
        .merge(catalog::routes())
        .merge(calendar::routes())
        .merge(auth::routes())
        .merge(records::routes())
        .merge(enrolment::routes())
        .merge(admin::routes())
        .merge(audit::routes())
        .merge(filings::routes())
        .merge(qualifications::routes())
        .merge(cases::routes())
        .merge(settlement::routes())
        .merge(disbursement::routes())
        .merge(contributions::routes())
        .merge(complaints::routes())
        .merge(maternity::routes())
        .merge(institutions::routes())
        .merge(federation::routes())
        .merge(transfers::routes())
        .merge(clearing::routes());
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi()).nest(PREFIX, api)
}

/// The OpenAPI document as served (for the snapshot test).
#[cfg(test)]
pub fn document() -> utoipa::openapi::OpenApi {
    documented().into_openapi()
}

/// A query string, with malformed ones answered as our JSON error rather than axum's text.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| {
                let mut err = ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "http.bad_query",
                    "查询参数格式不正确，请核对",
                );
                err.body.details = Some(serde_json::json!({ "reason": e.body_text() }));
                err
            })
    }
}

/// A JSON body, with malformed ones answered as our JSON error rather than axum's text.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|j| ApiJson(j.0))
            .map_err(|e: JsonRejection| {
                if matches!(e, JsonRejection::MissingJsonContentType(_)) {
                    return crate::edge::unsupported_media_type();
                }
                let mut err = ApiError::new(
                    e.status(),
                    "http.bad_json",
                    "请求内容不是所需格式的 JSON，请核对字段",
                );
                err.body.details = Some(serde_json::json!({ "reason": e.body_text() }));
                err
            })
    }
}

/// A record's id from the path: anything but a positive integer answers like a missing record.
pub(crate) fn record_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "http.not_found",
            format!("{what}不存在或无权查看"),
        )
    })
}
