//! The JSON API under `/api/v1`.

mod check;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().merge(check::routes())
}
