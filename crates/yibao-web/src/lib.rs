//! yibao-web: the HTTP face of yibao — the JSON API under `/api/v1`, server-rendered Chinese
//! pages, `/healthz`, `/readyz` and `/metrics`.

pub(crate) mod api;
pub mod auth;
pub mod client;
mod edge;
mod error;
mod export;
mod health;
mod metrics;
mod pages;
mod pdf;
mod security;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use yibao_service::Services;

pub use error::{ApiError, PageError};
pub use metrics::Metrics;

/// Request bodies above this are refused before they are read (uploads get their own limit).
pub(crate) const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// What every handler and middleware shares. One `Arc`: axum clones the state for each layer and
/// handler of every request, and a clone of the parts (a dozen `Arc`s) was counted up and down
/// on both cores each time (about 3 % of the settlement path's CPU over HTTP).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub services: Services,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(Shared {
            services,
            metrics: Arc::new(Metrics::new()),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The whole application as one router.
pub fn app(state: AppState) -> Router {
    let router = Router::new()
        .merge(health::routes())
        .merge(api::routes())
        .merge(pages::routes())
        .fallback(error::fallback)
        // Inside authentication: a refused CSRF token is answered before the body is looked at.
        .layer(axum::middleware::from_fn(edge::guard_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        // Outermost but for the security headers: every answer, the layers' own included, leaves
        // in our error shape and with `no-store`.
        .layer(axum::middleware::from_fn(edge::finish));
    security::apply(router).with_state(state)
}
