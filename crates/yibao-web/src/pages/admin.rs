//! Administration pages (admin role): staff, designated institutions and tokens, the calendar.

use super::record_id;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_service::calendar::{self, CalendarOverview};
use yibao_service::identity::{
    self, InstitutionRow, IssuedToken, NewInstitutionInput, NewStaffInput, StaffRow, TokenRow,
};
use yibao_service::{ErrorKind, ServiceError};

use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

/// Errors a person can correct are shown on the page; the rest become error pages.
fn correctable(e: &ServiceError) -> bool {
    matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict)
}

#[derive(Template)]
#[template(path = "admin_staff.html")]
struct StaffPage {
    chrome: Chrome,
    staff: Vec<StaffRow>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    notice: Option<String>,
}

async fn staff_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let staff = identity::list_staff(&state.services, &auth.actor).await?;
    Ok(html(&StaffPage {
        chrome: Chrome::of(auth),
        staff,
        roles: StaffRole::ALL
            .iter()
            .map(|r| (r.key(), r.label()))
            .collect(),
        error,
        notice,
    }))
}

pub async fn staff(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    staff_page(&state, &auth, None, None).await
}

/// The staff form has one `roles` field per ticked box, which serde_urlencoded cannot collect.
pub async fn staff_create(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut input = NewStaffInput {
        username: String::new(),
        display_name: String::new(),
        roles: Vec::new(),
        password: String::new(),
    };
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "username" => input.username = v.into_owned(),
            "display_name" => input.display_name = v.into_owned(),
            "roles" => input.roles.push(v.into_owned()),
            "password" => input.password = v.into_owned(),
            _ => {}
        }
    }
    match identity::create_staff(&state.services, &auth.actor, &input).await {
        Ok(row) => {
            let notice = format!("已新建工作人员 {}", row.username);
            staff_page(&state, &auth, None, Some(notice)).await
        }
        Err(e) if correctable(&e) => staff_page(&state, &auth, Some(e.message()), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    temporary_password: String,
}

pub async fn staff_reset(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    Form(f): Form<ResetForm>,
) -> Result<Response, PageError> {
    let id = record_id(&raw)?;
    match identity::reset_staff_password(&state.services, &auth.actor, id, &f.temporary_password)
        .await
    {
        Ok(()) => {
            let notice = "已重置密码，该工作人员下次登录须修改密码".to_string();
            staff_page(&state, &auth, None, Some(notice)).await
        }
        Err(e) if correctable(&e) => staff_page(&state, &auth, Some(e.message()), None).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn staff_deactivate(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = record_id(&raw)?;
    match identity::deactivate_staff(&state.services, &auth.actor, id).await {
        Ok(()) => staff_page(&state, &auth, None, Some("已停用".to_string())).await,
        Err(e) if correctable(&e) => staff_page(&state, &auth, Some(e.message()), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_institutions.html")]
struct InstitutionsPage {
    chrome: Chrome,
    institutions: Vec<(InstitutionRow, Vec<TokenRow>)>,
    issued: Option<IssuedToken>,
    error: Option<String>,
}

async fn institutions_page(
    state: &AppState,
    auth: &Auth,
    issued: Option<IssuedToken>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let mut institutions = Vec::new();
    for i in identity::list_institutions(&state.services, &auth.actor).await? {
        let tokens = identity::list_tokens(&state.services, &auth.actor, &i.code).await?;
        institutions.push((i, tokens));
    }
    Ok(html(&InstitutionsPage {
        chrome: Chrome::of(auth),
        institutions,
        issued,
        error,
    }))
}

pub async fn institutions(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    institutions_page(&state, &auth, None, None).await
}

pub async fn institution_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<NewInstitutionInput>,
) -> Result<Response, PageError> {
    match identity::create_institution(&state.services, &auth.actor, &f).await {
        Ok(_) => Ok(Redirect::to("/admin/institutions").into_response()),
        Err(e) if correctable(&e) => {
            institutions_page(&state, &auth, None, Some(e.message())).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    label: String,
    days: String,
}

pub async fn token_create(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    let days = f.days.trim().parse::<i64>().unwrap_or(0);
    match identity::create_token(&state.services, &auth.actor, &code, &f.label, days).await {
        Ok(t) => institutions_page(&state, &auth, Some(t), None).await,
        Err(e) if correctable(&e) => {
            institutions_page(&state, &auth, None, Some(e.message())).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn token_revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    identity::revoke_token(&state.services, &auth.actor, record_id(&raw)?).await?;
    Ok(Redirect::to("/admin/institutions").into_response())
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    overview: CalendarOverview,
    error: Option<String>,
    notice: Option<String>,
}

async fn calendar_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    auth.actor.staff_with(StaffRole::Admin)?;
    let overview = calendar::admin_overview(&state.services).await?;
    Ok(html(&CalendarPage {
        chrome: Chrome::of(auth),
        overview,
        error,
        notice,
    }))
}

pub async fn calendar_view(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    calendar_page(&state, &auth, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct ImportForm {
    text: String,
    #[serde(default)]
    note: String,
}

pub async fn calendar_import(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ImportForm>,
) -> Result<Response, PageError> {
    match calendar::import(&state.services, &f.text, &auth.actor, &f.note).await {
        Ok(r) => {
            let notice = if r.unchanged {
                format!("{} 年的安排与已导入的相同，未作变更", r.year)
            } else {
                format!("已导入 {} 年的节假日安排（{} 个假期）", r.year, r.holidays)
            };
            calendar_page(&state, &auth, None, Some(notice)).await
        }
        Err(e) if correctable(&e) => calendar_page(&state, &auth, Some(e.message()), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_benefit.html")]
struct BenefitPage {
    chrome: Chrome,
    policies: Vec<yibao_service::benefit_data::PolicySummary>,
    catalogues: Vec<yibao_service::benefit_data::CatalogueRow>,
    error: Option<String>,
    notice: Option<String>,
}

async fn benefit_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let (policies, catalogues) =
        yibao_service::benefit_data::overview(&state.services, &auth.actor).await?;
    Ok(html(&BenefitPage {
        chrome: Chrome::of(auth),
        policies,
        catalogues,
        error,
        notice,
    }))
}

pub async fn benefit(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    benefit_page(&state, &auth, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    text: String,
}

pub async fn policy_import(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<PolicyForm>,
) -> Result<Response, PageError> {
    match yibao_service::benefit_data::import_policy(&state.services, &auth.actor, &f.text).await {
        Ok(r) if r.unchanged => {
            benefit_page(&state, &auth, None, Some("与已有版本相同，未作变更".into())).await
        }
        Ok(r) => {
            benefit_page(
                &state,
                &auth,
                None,
                Some(format!(
                    "已导入 {} 第 {} 版政策参数",
                    r.region_code, r.version
                )),
            )
            .await
        }
        Err(e) if correctable(&e) => benefit_page(&state, &auth, Some(e.message()), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CatalogueForm {
    region_code: String,
    version: String,
    csv: String,
}

pub async fn catalogue_import(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<CatalogueForm>,
) -> Result<Response, PageError> {
    let version = f.version.trim().parse::<u32>().unwrap_or(0);
    match yibao_service::benefit_data::import_catalogue(
        &state.services,
        &auth.actor,
        &f.region_code,
        version,
        &f.csv,
    )
    .await
    {
        Ok(r) => {
            benefit_page(
                &state,
                &auth,
                None,
                Some(format!("已导入 {} 第 {} 版目录", r.region_code, r.version)),
            )
            .await
        }
        Err(e) if correctable(&e) => benefit_page(&state, &auth, Some(e.message()), None).await,
        Err(e) => Err(e.into()),
    }
}
