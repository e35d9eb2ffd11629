//! Login, logout, citizen registration, password reset and the account page.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use yibao_service::identity::{
    self, Actor, CitizenRegistration, CodePurpose, Credentials, PasswordReset, LOCK_MINUTES,
    MAX_FAILURES, SESSION_HOURS,
};
use yibao_service::records;
use yibao_service::records::PersonRow;

use crate::auth::{cookie, set_cookie, Auth, SESSION_COOKIE};
use crate::client::ClientSource;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    error: Option<String>,
    notice: Option<String>,
    max_failures: i64,
    lock_minutes: i64,
    /// The page to return to after logging in (`safe_next`), or empty.
    next: String,
}

fn login_page(
    auth: &Auth,
    error: Option<String>,
    notice: Option<String>,
    next: Option<&str>,
) -> Response {
    html(&LoginPage {
        chrome: Chrome::of(auth),
        error,
        notice,
        max_failures: MAX_FAILURES,
        lock_minutes: LOCK_MINUTES,
        next: next
            .and_then(crate::pages::safe_next)
            .unwrap_or("")
            .to_string(),
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn login(
    auth: Auth,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    login_page(&auth, None, None, q.next.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct StaffLogin {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct CitizenLogin {
    id_number: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct EmployerLogin {
    uscc: String,
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct InstitutionLogin {
    code: String,
    token: String,
    #[serde(default)]
    next: String,
}

/// What a login form sent: an account's credentials, or an institution's code and API token.
enum Login {
    Account(Credentials),
    Institution { code: String, token: String },
}

/// Logs in and sends the browser on: staff who must change their password go to the account;
/// the others back to the page that asked them to log in, else to their home page.
async fn finish_login(
    state: &AppState,
    auth: &Auth,
    headers: &HeaderMap,
    source: &str,
    (c, came_from): (Login, &str),
) -> Response {
    let started = match c {
        Login::Account(c) => identity::login(&state.services, &c, source).await,
        Login::Institution { code, token } => {
            identity::login_institution(&state.services, &code, &token, source).await
        }
    };
    match started {
        Ok(s) => {
            let back = crate::pages::safe_next(came_from);
            let next = match (&s.actor, back) {
                (Actor::Staff(st), _) if st.must_change_password => "/account",
                (_, Some(back)) => back,
                (Actor::Staff(_), None) => "/staff/persons",
                (Actor::Employer(_), None) => "/employer",
                (Actor::Institution(_), None) => "/institution",
                _ => "/account",
            };
            let mut r = Redirect::to(next).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(headers, SESSION_COOKIE, &s.token, SESSION_HOURS * 3600),
            );
            r
        }
        Err(e) => {
            let mut r = login_page(auth, Some(e.message()), None, Some(came_from));
            *r.status_mut() = crate::error::status_of(e.kind());
            r
        }
    }
}

pub async fn login_staff(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ClientSource(source): ClientSource,
    Form(f): Form<StaffLogin>,
) -> Response {
    let c = Credentials::Staff {
        username: f.username,
        password: f.password,
    };
    finish_login(
        &state,
        &auth,
        &headers,
        &source,
        (Login::Account(c), &f.next),
    )
    .await
}

pub async fn login_citizen(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ClientSource(source): ClientSource,
    Form(f): Form<CitizenLogin>,
) -> Response {
    let c = Credentials::Citizen {
        id_number: f.id_number,
        password: f.password,
    };
    finish_login(
        &state,
        &auth,
        &headers,
        &source,
        (Login::Account(c), &f.next),
    )
    .await
}

pub async fn login_employer(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ClientSource(source): ClientSource,
    Form(f): Form<EmployerLogin>,
) -> Response {
    let c = Credentials::Employer {
        uscc: f.uscc,
        username: f.username,
        password: f.password,
    };
    finish_login(
        &state,
        &auth,
        &headers,
        &source,
        (Login::Account(c), &f.next),
    )
    .await
}

/// Staff of a designated institution log in to its pages with its code and an API token.
pub async fn login_institution(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ClientSource(source): ClientSource,
    Form(f): Form<InstitutionLogin>,
) -> Response {
    let c = Login::Institution {
        code: f.code,
        token: f.token,
    };
    finish_login(&state, &auth, &headers, &source, (c, &f.next)).await
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = identity::logout(&state.services, &token).await {
            return PageError::from(e).into_response();
        }
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&headers, SESSION_COOKIE, "", 0),
    );
    r
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    error: Option<String>,
    notice: Option<String>,
    id_number: String,
    name: String,
    phone: String,
}

fn register_page(
    auth: &Auth,
    error: Option<String>,
    notice: Option<String>,
    id_number: String,
    name: String,
    phone: String,
) -> Response {
    html(&RegisterPage {
        chrome: Chrome::of(auth),
        error,
        notice,
        id_number,
        name,
        phone,
    })
}

pub async fn register(auth: Auth) -> Response {
    register_page(
        &auth,
        None,
        None,
        String::new(),
        String::new(),
        String::new(),
    )
}

#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    phone: String,
}

pub async fn register_code(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<PhoneForm>,
) -> Response {
    let (error, notice) =
        match identity::send_code(&state.services, &f.phone, CodePurpose::Register).await {
            Ok(()) => (None, Some("验证码已发送，10分钟内有效".to_string())),
            Err(e) => (Some(e.message()), None),
        };
    register_page(&auth, error, notice, String::new(), String::new(), f.phone)
}

pub async fn register_submit(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<CitizenRegistration>,
) -> Response {
    match identity::register_citizen(&state.services, &f).await {
        Ok(_) => login_page(&auth, None, Some("注册成功，请登录。".to_string()), None),
        Err(e) => {
            let mut r = register_page(&auth, Some(e.message()), None, f.id_number, f.name, f.phone);
            *r.status_mut() = crate::error::status_of(e.kind());
            r
        }
    }
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    chrome: Chrome,
    error: Option<String>,
    notice: Option<String>,
}

pub async fn reset(auth: Auth) -> Response {
    html(&ResetPage {
        chrome: Chrome::of(&auth),
        error: None,
        notice: None,
    })
}

pub async fn reset_code(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<PhoneForm>,
) -> Response {
    let (error, notice) =
        match identity::send_code(&state.services, &f.phone, CodePurpose::Reset).await {
            Ok(()) => (None, Some("验证码已发送，10分钟内有效".to_string())),
            Err(e) => (Some(e.message()), None),
        };
    html(&ResetPage {
        chrome: Chrome::of(&auth),
        error,
        notice,
    })
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    kind: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    username: String,
    phone: String,
    code: String,
    new_password: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ResetForm>,
) -> Response {
    let r = if f.kind == "employer" {
        PasswordReset::Employer {
            uscc: f.uscc,
            username: f.username,
            phone: f.phone,
            code: f.code,
            new_password: f.new_password,
        }
    } else {
        PasswordReset::Citizen {
            id_number: f.id_number,
            phone: f.phone,
            code: f.code,
            new_password: f.new_password,
        }
    };
    let (error, notice) = match identity::reset_password(&state.services, &r).await {
        Ok(()) => (None, Some("密码已重置，请用新密码登录".to_string())),
        Err(e) => (Some(e.message()), None),
    };
    html(&ResetPage {
        chrome: Chrome::of(&auth),
        error,
        notice,
    })
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    error: Option<String>,
    must_change: bool,
    kind_label: &'static str,
    is_citizen: bool,
    person: Option<PersonRow>,
}

async fn account_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
) -> Result<Response, PageError> {
    if !matches!(
        auth.actor,
        Actor::Citizen(_) | Actor::Employer(_) | Actor::Staff(_)
    ) {
        auth.actor.require_login()?;
        return Err(PageError::new(
            axum::http::StatusCode::FORBIDDEN,
            "auth.forbidden",
            "此页面仅供参保人、单位经办人和经办机构工作人员使用",
        ));
    }
    let person = match &auth.actor {
        Actor::Citizen(_) => records::my_person(&state.services, &auth.actor).await?,
        _ => None,
    };
    let kind_label = auth.actor.kind_label();
    Ok(html(&AccountPage {
        chrome: Chrome::of(auth),
        error,
        must_change: matches!(&auth.actor, Actor::Staff(s) if s.must_change_password),
        kind_label,
        is_citizen: matches!(auth.actor, Actor::Citizen(_)),
        person,
    }))
}

pub async fn account(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    account_page(&state, &auth, None).await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    old_password: String,
    new_password: String,
}

pub async fn password(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    match identity::change_password(
        &state.services,
        &auth.actor,
        &f.old_password,
        &f.new_password,
    )
    .await
    {
        Ok(()) => {
            // Every session ended with the change: log in again.
            let mut r = Redirect::to("/login").into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&headers, SESSION_COOKIE, "", 0),
            );
            Ok(r)
        }
        Err(e) if e.kind() == yibao_service::ErrorKind::Invalid => {
            account_page(&state, &auth, Some(e.message())).await
        }
        Err(e) => Err(e.into()),
    }
}
