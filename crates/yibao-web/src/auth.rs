//! Who is calling, and CSRF protection, for every request.
//!
//! - Browsers carry a session cookie (`yibao_session`, HttpOnly, SameSite=Lax). Every unsafe
//!   request with cookies must present the CSRF token — the session's, or before login the
//!   `yibao_csrf` cookie's (double submit) — as the `csrf_token` form field or the
//!   `X-CSRF-Token` header. Otherwise 403 `auth.csrf`.
//! - Programs send `Authorization: Bearer …`: an institution API token (`ybi_…`) or a session
//!   token from `POST /api/v1/auth/login`. A bearer header is not sent by browsers on their own,
//!   so it needs no CSRF token.
//! - An API request without any cookie has no ambient authority and is not checked either.

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yibao_service::identity::{self, Actor, TOKEN_PREFIX};

use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "yibao_session";
pub const CSRF_COOKIE: &str = "yibao_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Form bodies are read whole to find the token; uploads have their own, larger limit.
const FORM_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Nobody,
    Cookie,
    Bearer,
}

/// The caller of this request, put into the request's extensions by `authenticate`.
#[derive(Debug, Clone)]
pub struct Auth {
    pub actor: Actor,
    /// The token forms on this page must carry.
    pub csrf: String,
    pub via: Via,
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Auth>().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "身份识别未完成，请稍后重试",
            )
        })
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// True when the request reached us over HTTPS (directly or through the reverse proxy).
fn https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if https(headers) { "; Secure" } else { "" };
    let http_only = if name == SESSION_COOKIE {
        "; HttpOnly"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax{http_only}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("yibao_invalid=; Max-Age=0"))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn csrf_refused(path: &str) -> Response {
    let message = "表单已过期或来源不明（缺少有效的防伪令牌），请刷新页面后重新提交";
    if is_api(path) {
        ApiError::new(StatusCode::FORBIDDEN, "auth.csrf", message).into_response()
    } else {
        crate::error::PageError::new(StatusCode::FORBIDDEN, "auth.csrf", message).into_response()
    }
}

fn auth_refused(path: &str, e: yibao_service::ServiceError) -> Response {
    if is_api(path) {
        ApiError::from(e).into_response()
    } else {
        crate::error::PageError::from(e).into_response()
    }
}

/// Finds the CSRF token in a urlencoded body.
fn form_token(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
}

/// Finds the CSRF token among the fields of a multipart body.
async fn multipart_token(parts: &Parts, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::FromRequest;
    let mut req = Request::new(Body::from(bytes));
    *req.headers_mut() = parts.headers.clone();
    // The extensions carry the body limit (`DefaultBodyLimit`); without it 2 MB would apply.
    *req.extensions_mut() = parts.extensions.clone();
    let mut mp = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// What a staff account that must change its password may still reach: changing it, logging
/// out, who am I, and the pages around that.
const OPEN_BEFORE_PASSWORD_CHANGE: &[&str] = &[
    "/api/v1/auth/password",
    "/api/v1/auth/logout",
    "/api/v1/auth/me",
    "/account",
    "/account/password",
    "/logout",
    "/login",
    "/static/app.css",
];

/// A staff account created or reset by an admin must change its password before anything else,
/// on every channel: the API answers 403 `auth.password_change_required`, pages send the browser
/// to the account page where the password is changed.
fn password_change_first(actor: &Actor, method: &Method, path: &str) -> Option<Response> {
    if !matches!(actor, Actor::Staff(s) if s.must_change_password)
        || OPEN_BEFORE_PASSWORD_CHANGE.contains(&path)
    {
        return None;
    }
    let message = "首次登录或密码被重置后须先修改密码，修改后方可办理其他业务";
    if is_api(path) {
        Some(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.password_change_required",
                message,
            )
            .into_response(),
        )
    } else if *method == Method::GET || *method == Method::HEAD {
        Some(axum::response::Redirect::to("/account").into_response())
    } else {
        Some(
            crate::error::PageError::new(
                StatusCode::FORBIDDEN,
                "auth.password_change_required",
                message,
            )
            .into_response(),
        )
    }
}

pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let services = &state.services;

    let mut via = Via::Nobody;
    let mut actor = Actor::Anonymous;
    let mut session_csrf = None;
    let mut clear_session = false;
    if let Some(token) = bearer(&headers) {
        let found = if token.starts_with(TOKEN_PREFIX) {
            identity::institution_for_token(services, &token).await
        } else {
            identity::session(services, &token).await.map(|s| s.actor)
        };
        match found {
            Ok(a) => {
                actor = a;
                via = Via::Bearer;
            }
            // A wrong bearer token is an error, not an anonymous call: the caller meant to
            // authenticate and must learn that it failed.
            Err(e) => return auth_refused(&path, e),
        }
    } else if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        match identity::session(services, &token).await {
            Ok(s) => {
                actor = s.actor;
                session_csrf = Some(s.csrf_token);
                via = Via::Cookie;
            }
            Err(e) if e.kind() == yibao_service::ErrorKind::Unauthenticated => {
                clear_session = true;
            }
            Err(e) => return auth_refused(&path, e),
        }
    }

    let pre_session = cookie(&headers, CSRF_COOKIE).filter(|c| c.len() == 32);
    let mut new_csrf_cookie = None;
    let csrf = match (&session_csrf, &pre_session) {
        (Some(s), _) => s.clone(),
        (None, Some(c)) => c.clone(),
        // A program with a bearer token sends no cookies and needs no form token: no cookie is
        // minted for it (a settlement call would otherwise draw random bytes and set a cookie
        // on every answer).
        (None, None) if via == Via::Bearer => String::new(),
        (None, None) => {
            let c = identity::new_csrf_token();
            new_csrf_cookie = Some(c.clone());
            c
        }
    };

    let unsafe_method = !matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let has_cookies = headers.contains_key(header::COOKIE);
    let needs_check = unsafe_method && via != Via::Bearer && (has_cookies || !is_api(&path));
    let mut req = req;
    if needs_check {
        // The token this request must carry: the session's, else the pre-session cookie's.
        let expected = session_csrf.clone().or(pre_session.clone());
        let mut provided = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let urlencoded = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let multipart = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if provided.is_none() && multipart {
            // Browser upload forms carry the token as a field; read it, then hand the same
            // bytes on to the handler.
            let (parts, body) = req.into_parts();
            let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
                return crate::edge::too_large(&path);
            };
            provided = multipart_token(&parts, bytes.clone()).await;
            req = Request::from_parts(parts, Body::from(bytes));
        }
        if provided.is_none() && urlencoded {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
                return crate::edge::too_large(&path);
            };
            provided = form_token(&bytes);
            req = Request::from_parts(parts, Body::from(bytes));
        }
        let ok = matches!((&expected, &provided), (Some(e), Some(p)) if identity::constant_time_eq(e, p));
        if !ok {
            tracing::warn!(path, "CSRF token missing or wrong");
            return csrf_refused(&path);
        }
    }

    if let Some(refusal) = password_change_first(&actor, req.method(), &path) {
        return refusal;
    }

    req.extensions_mut().insert(Auth {
        actor,
        csrf: csrf.clone(),
        via,
    });
    let mut response = next.run(req).await;
    if let Some(c) = new_csrf_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&headers, CSRF_COOKIE, &c, 60 * 60 * 24),
        );
    }
    if clear_session && !response.headers().contains_key(header::SET_COOKIE) {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&headers, SESSION_COOKIE, "", 0),
        );
    }
    response
}
