//! The home page and the agencies (经办机构) page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use yibao_service::overview::{overview, Overview};

use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    overview: Overview,
    database: &'static str,
}

pub async fn home(auth: Auth, State(state): State<AppState>) -> Result<Response, PageError> {
    let mut overview = overview(&state.services).await?;
    // Stored in UTC; people read Beijing time.
    overview.demo_loaded_at = overview
        .demo_loaded_at
        .map(|t| yibao_service::clock::local_text(&t));
    Ok(html(&HomePage {
        chrome: Chrome::of(&auth),
        overview,
        database: state.services.store().backend().name(),
    }))
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    chrome: Chrome,
    overview: Overview,
}

pub async fn agencies(auth: Auth, State(state): State<AppState>) -> Result<Response, PageError> {
    let overview = overview(&state.services).await?;
    Ok(html(&AgenciesPage {
        chrome: Chrome::of(&auth),
        overview,
    }))
}
