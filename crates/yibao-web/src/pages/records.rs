//! Registry records as pages: staff lists (masked) and details (full), the employer's own page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use yibao_service::identity::OperatorRow;
use yibao_service::identity::{self, Actor, NewOperatorInput};
use yibao_service::records::{self, EmployerListItem, EmployerRow, PersonListItem, PersonRow};

use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

fn record_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(PageError::not_found)
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    chrome: Chrome,
    persons: Vec<PersonListItem>,
}

pub async fn persons(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let persons = records::list_persons(&state.services, &auth.actor).await?;
    Ok(html(&PersonsPage {
        chrome: Chrome::of(&auth),
        persons,
    }))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    p: PersonRow,
}

pub async fn person(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let p = records::person(&state.services, &auth.actor, record_id(&raw)?).await?;
    Ok(html(&PersonPage {
        chrome: Chrome::of(&auth),
        p,
    }))
}

#[derive(Template)]
#[template(path = "employers.html")]
struct EmployersPage {
    chrome: Chrome,
    employers: Vec<EmployerListItem>,
}

pub async fn employers(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let employers = records::list_employers(&state.services, &auth.actor).await?;
    Ok(html(&EmployersPage {
        chrome: Chrome::of(&auth),
        employers,
    }))
}

#[derive(Template)]
#[template(path = "employer.html")]
struct EmployerPage {
    chrome: Chrome,
    e: EmployerRow,
    operators: Vec<OperatorRow>,
    can_add: bool,
    action: String,
    error: Option<String>,
    notice: Option<String>,
}

async fn employer_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let e = records::employer(&state.services, &auth.actor, id).await?;
    let operators = identity::list_operators(&state.services, &auth.actor, id).await?;
    let (can_add, action) = match &auth.actor {
        Actor::Employer(op) => (op.manager, "/employer/operators".to_string()),
        Actor::Staff(s) => (
            s.has_role("clerk"),
            format!("/staff/employers/{id}/operators"),
        ),
        _ => (false, String::new()),
    };
    Ok(html(&EmployerPage {
        chrome: Chrome::of(auth),
        e,
        operators,
        can_add,
        action,
        error,
        notice,
    }))
}

pub async fn employer(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    employer_page(&state, &auth, record_id(&raw)?, None, None).await
}

/// The logged-in operator's own employer.
pub async fn my_employer(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let id = auth.actor.employer()?.employer_id;
    employer_page(&state, &auth, id, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct OperatorForm {
    username: String,
    display_name: String,
    phone: String,
    password: String,
    #[serde(default)]
    manager: Option<String>,
}

async fn add(
    state: &AppState,
    auth: &Auth,
    id: i64,
    f: OperatorForm,
) -> Result<Response, PageError> {
    let input = NewOperatorInput {
        username: f.username,
        display_name: f.display_name,
        phone: f.phone,
        password: f.password,
        manager: f.manager.is_some(),
    };
    match identity::add_operator(&state.services, &auth.actor, id, &input).await {
        Ok(o) => {
            employer_page(
                state,
                auth,
                id,
                None,
                Some(format!("已添加经办人 {}", o.username)),
            )
            .await
        }
        Err(e)
            if matches!(
                e.kind(),
                yibao_service::ErrorKind::Invalid | yibao_service::ErrorKind::Conflict
            ) =>
        {
            employer_page(state, auth, id, Some(e.message()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn my_employer_add(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<OperatorForm>,
) -> Result<Response, PageError> {
    let id = auth.actor.employer()?.employer_id;
    add(&state, &auth, id, f).await
}

pub async fn employer_add(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    Form(f): Form<OperatorForm>,
) -> Result<Response, PageError> {
    add(&state, &auth, record_id(&raw)?, f).await
}
