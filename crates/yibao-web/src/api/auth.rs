//! Accounts over JSON: `POST /auth/login` (a bearer token for programs), `POST /auth/logout`,
//! `GET /auth/me`, `POST /auth/password`, `POST /auth/phone-codes`, `POST /auth/register`
//! (citizens), `POST /auth/reset`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use yibao_service::identity::{self, CitizenRegistration, CodePurpose, Credentials, PasswordReset};

use super::ApiJson;
use crate::auth::{cookie, Auth, SESSION_COOKIE};
use crate::client::ClientSource;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/password", post(password))
        .route("/auth/phone-codes", post(phone_code))
        .route("/auth/register", post(register))
        .route("/auth/reset", post(reset))
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum LoginBody {
    Staff {
        username: String,
        password: String,
    },
    Citizen {
        id_number: String,
        password: String,
    },
    Employer {
        uscc: String,
        username: String,
        password: String,
    },
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "账户",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn login(
    State(state): State<AppState>,
    ClientSource(source): ClientSource,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let credentials = match body {
        LoginBody::Staff { username, password } => Credentials::Staff { username, password },
        LoginBody::Citizen {
            id_number,
            password,
        } => Credentials::Citizen {
            id_number,
            password,
        },
        LoginBody::Employer {
            uscc,
            username,
            password,
        } => Credentials::Employer {
            uscc,
            username,
            password,
        },
    };
    let s = identity::login(&state.services, &credentials, &source).await?;
    Ok(Json(json!({
        "token": s.token,
        "csrf_token": s.csrf_token,
        "expires_at": s.expires_at,
        "actor": s.actor,
    })))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "账户",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn logout(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    auth.actor.require_login()?;
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_string()))
        .or_else(|| cookie(&headers, SESSION_COOKIE));
    if let Some(t) = token {
        identity::logout(&state.services, &t).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "账户",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn me(auth: Auth) -> Result<Json<Value>, ApiError> {
    auth.actor.require_login()?;
    Ok(Json(json!({ "actor": auth.actor })))
}

#[derive(Debug, Deserialize)]
struct PasswordBody {
    old_password: String,
    new_password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    tag = "账户",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn password(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    identity::change_password(
        &state.services,
        &auth.actor,
        &b.old_password,
        &b.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct CodeBody {
    phone: String,
    purpose: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/phone-codes",
    tag = "账户",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn phone_code(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<CodeBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let purpose = CodePurpose::parse(&b.purpose)?;
    identity::send_code(&state.services, &b.phone, purpose).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "message": "验证码已发送，10分钟内有效" })),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "账户",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn register(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<CitizenRegistration>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let c = identity::register_citizen(&state.services, &b).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "account_id": c.account_id })),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/reset",
    tag = "账户",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn reset(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    identity::reset_password(&state.services, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}
