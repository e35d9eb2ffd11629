//! Registry records as pages: staff lists (masked) and details (full, with coverages and
//! history), the employer's own page with its operators and the roster upload.

use super::record_id;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::Form;
use chrono::Datelike;
use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_domain::Fen;
use yibao_service::contribution;
use yibao_service::enrolment::records::{self as record_reads, EmployerRecord};
use yibao_service::identity::OperatorRow;
use yibao_service::identity::{self, Actor, NewOperatorInput};
use yibao_service::paging::{self, Span};
use yibao_service::records::{self, EmployerListItem, PersonListItem};

use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::contributions::LedgerView;
use crate::pages::enrolment::{
    event_views, person_view, with_status, EventView, PersonView, RosterView,
};
use crate::pages::html;
use crate::AppState;

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    chrome: Chrome,
    persons: Vec<PersonListItem>,
    q: String,
    pager: super::pager::Pager,
}

/// A staff list's query: text to find, page, or `format=xlsx` for the whole list as Excel.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

impl ListQuery {
    fn span(&self) -> Span {
        if self.exporting() {
            Span::Export
        } else {
            Span::page(self.page.as_deref())
        }
    }

    fn exporting(&self) -> bool {
        self.format.as_deref() == Some("xlsx")
    }
}

pub async fn persons(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<ListQuery>,
) -> Result<Response, PageError> {
    let text = paging::search_text(q.q.as_deref());
    let found = records::list_persons(&state.services, &auth.actor, &text, q.span()).await?;
    if q.exporting() {
        let rows: Vec<Vec<String>> = found
            .items
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.id_number.clone(),
                    yibao_domain::ids::Sex::label_of_key(&p.sex).to_string(),
                    yibao_domain::ids::region_text(&p.region_code),
                    p.phone.clone(),
                ]
            })
            .collect();
        return crate::export::download(
            "参保人员",
            state.services.clock().today(),
            "参保人员",
            &[
                "姓名",
                "公民身份号码（脱敏）",
                "性别",
                "参保地",
                "电话（脱敏）",
            ],
            &rows,
        );
    }
    let pager = super::pager::Pager::new("/staff/persons", &[("q", &text)], &found);
    Ok(html(&PersonsPage {
        chrome: Chrome::of(&auth),
        persons: found.items,
        q: text,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    p: PersonView,
    c: LedgerView,
    account: Option<crate::pages::account_view::AccountView>,
    b: crate::pages::benefits_view::BenefitsView,
}

pub async fn person(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = record_id(&raw)?;
    let r = record_reads::person_record(&state.services, &auth.actor, id).await?;
    let year = state.services.clock().today().year();
    let ledger = contribution::person_ledger(&state.services, &auth.actor, id, year, 1).await?;
    let account =
        crate::pages::account_view::current(&state.services, &auth.actor, r.person.id).await?;
    Ok(html(&PersonPage {
        chrome: Chrome::of(&auth),
        p: person_view(&r),
        c: LedgerView::from(&ledger),
        account: Some(account),
        b: crate::pages::benefits_view::current(&state.services, &auth.actor, r.person.id).await?,
    }))
}

#[derive(Template)]
#[template(path = "employers.html")]
struct EmployersPage {
    chrome: Chrome,
    employers: Vec<EmployerListItem>,
    q: String,
    pager: super::pager::Pager,
}

/// An employer kind's label (the stored key when no build knows it: shown, not hidden).
fn kind_label(key: &str) -> String {
    use yibao_domain::enrolment::employer::EmployerKind;
    EmployerKind::REGISTRABLE
        .into_iter()
        .chain([EmployerKind::Virtual])
        .find(|k| k.key() == key)
        .map_or_else(|| key.to_string(), |k| k.label().to_string())
}

pub async fn employers(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<ListQuery>,
) -> Result<Response, PageError> {
    let text = paging::search_text(q.q.as_deref());
    let found = records::list_employers(&state.services, &auth.actor, &text, q.span()).await?;
    if q.exporting() {
        let rows: Vec<Vec<String>> = found
            .items
            .iter()
            .map(|e| {
                vec![
                    e.name.clone(),
                    e.uscc.clone(),
                    kind_label(&e.kind),
                    yibao_domain::ids::region_text(&e.region_code),
                    e.phone.clone(),
                ]
            })
            .collect();
        return crate::export::download(
            "参保单位",
            state.services.clock().today(),
            "参保单位",
            &[
                "单位名称",
                "统一社会信用代码",
                "类型",
                "参保地",
                "电话（脱敏）",
            ],
            &rows,
        );
    }
    let pager = super::pager::Pager::new("/staff/employers", &[("q", &text)], &found);
    Ok(html(&EmployersPage {
        chrome: Chrome::of(&auth),
        employers: found.items,
        q: text,
        pager,
    }))
}

/// An employee row prepared for the page.
struct EmployeeView {
    person_id: i64,
    name: String,
    id_number: String,
    category: &'static str,
    status: &'static str,
    start: String,
    end: String,
}

#[derive(Template)]
#[template(path = "employer.html")]
struct EmployerPage {
    chrome: Chrome,
    r: EmployerRecord,
    arrears: String,
    c: LedgerView,
    employees: Vec<EmployeeView>,
    events: Vec<EventView>,
    operators: Vec<OperatorRow>,
    can_add: bool,
    action: String,
    certificate: String,
    /// Where the roster form posts; empty when the viewer may not upload one.
    roster_action: String,
    roster: RosterView,
    is_staff: bool,
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
    employer_page_with(state, auth, id, error, notice, RosterView::default()).await
}

async fn employer_page_with(
    state: &AppState,
    auth: &Auth,
    id: i64,
    error: Option<String>,
    notice: Option<String>,
    roster: RosterView,
) -> Result<Response, PageError> {
    let r = record_reads::employer_record(&state.services, &auth.actor, id, true).await?;
    let year = state.services.clock().today().year();
    let ledger = contribution::employer_ledger(&state.services, &auth.actor, id, year, 1).await?;
    let operators = identity::list_operators(&state.services, &auth.actor, id).await?;
    let (can_add, action, certificate, roster_action) = match &auth.actor {
        Actor::Employer(op) => (
            op.manager,
            "/employer/operators".to_string(),
            "/employer/certificate".to_string(),
            "/employer/roster".to_string(),
        ),
        Actor::Staff(s) => (
            s.has_role(StaffRole::Clerk),
            format!("/staff/employers/{id}/operators"),
            format!("/staff/employers/{id}/certificate"),
            if s.has_role(StaffRole::Clerk) {
                format!("/staff/employers/{id}/roster")
            } else {
                String::new()
            },
        ),
        _ => (false, String::new(), String::new(), String::new()),
    };
    let employees = r
        .employees
        .iter()
        .map(|e| EmployeeView {
            person_id: e.person_id,
            name: e.name.clone(),
            id_number: e.id_number.clone(),
            category: e.category.label(),
            status: e.status.label(),
            start: e.start_date.clone().unwrap_or_default(),
            end: e.end_date.clone().unwrap_or_default(),
        })
        .collect();
    Ok(html(&EmployerPage {
        chrome: Chrome::of(auth),
        arrears: Fen(r.employer.arrears_fen).to_string(),
        c: LedgerView::from(&ledger),
        events: event_views(&r.events),
        employees,
        r,
        operators,
        can_add,
        action,
        certificate,
        roster_action,
        roster,
        is_staff: matches!(auth.actor, Actor::Staff(_)),
        error,
        notice,
    }))
}

/// A roster posted from the employer page: the page again with the result, 422 when rejected.
async fn roster(
    state: &AppState,
    auth: &Auth,
    id: i64,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    // Staff other than clerks are refused before the file is read (the service says so too).
    if let Actor::Staff(s) = &auth.actor {
        s.require(StaffRole::Clerk)?;
    }
    let (status, view) = crate::pages::enrolment::upload_roster(state, auth, id, multipart).await?;
    let page = employer_page_with(state, auth, id, None, None, view).await?;
    Ok(with_status(status, page))
}

pub async fn my_employer_roster(
    State(state): State<AppState>,
    auth: Auth,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let id = auth.actor.employer()?.employer_id;
    roster(&state, &auth, id, multipart).await
}

pub async fn employer_roster(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    roster(&state, &auth, record_id(&raw)?, multipart).await
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
