//! The JSON API under `/api/v1`.

mod calendar;
pub mod catalog;
mod check;

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Router;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(check::routes())
        .merge(catalog::routes())
        .merge(calendar::routes())
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
