//! Accounts over JSON: `POST /auth/login` (a bearer token for programs), `POST /auth/logout`,
//! `GET /auth/me`, `POST /auth/password`, `POST /auth/phone-codes`, `POST /auth/register`
//! (citizens), `POST /auth/reset`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::identity::{
    self, Actor, CitizenRegistration, CodePurpose, Credentials, PasswordReset,
};

use super::{dto, ApiJson};
use crate::auth::{cookie, Auth, SESSION_COOKIE};
use crate::client::ClientSource;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(password))
        .routes(routes!(phone_code))
        .routes(routes!(register))
        .routes(routes!(reset))
}

/// 登录：工作人员凭用户名，城乡居民凭身份号码，单位经办人凭统一社会信用代码与用户名
#[derive(Debug, Deserialize, ToSchema)]
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

/// 登录成功
#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    /// 会话令牌：Authorization: Bearer 令牌
    token: String,
    /// 以 cookie 会话提交表单时所需的 CSRF 令牌
    csrf_token: String,
    expires_at: String,
    #[schema(value_type = dto::Actor)]
    actor: Actor,
}

/// 当前身份
#[derive(Serialize, ToSchema)]
pub struct Me {
    #[schema(value_type = dto::Actor)]
    actor: Actor,
}

/// 验证码已发送
#[derive(Serialize, ToSchema)]
pub struct CodeSent {
    message: String,
}

/// 注册成功
#[derive(Serialize, ToSchema)]
pub struct Registered {
    account_id: i64,
}

#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "账户", request_body = LoginBody,
    responses((status = 200, description = "已登录：令牌用于 Authorization: Bearer", body = LoginAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn login(
    State(state): State<AppState>,
    ClientSource(source): ClientSource,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<LoginAnswer>, ApiError> {
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
    Ok(Json(LoginAnswer {
        token: s.token,
        csrf_token: s.csrf_token,
        expires_at: s.expires_at,
        actor: s.actor,
    }))
}

#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "账户",
    responses((status = 204, description = "已退出"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
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
    path = "/auth/me",
    tag = "账户",
    responses((status = 200, description = "当前身份", body = Me), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn me(auth: Auth) -> Result<Json<Me>, ApiError> {
    auth.actor.require_login()?;
    Ok(Json(Me { actor: auth.actor }))
}

/// 修改本人密码
#[derive(Debug, Deserialize, ToSchema)]
struct PasswordBody {
    old_password: String,
    new_password: String,
}

#[utoipa::path(
    post,
    path = "/auth/password",
    tag = "账户", request_body = PasswordBody,
    responses((status = 204, description = "已修改"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
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

/// 发送手机验证码
#[derive(Debug, Deserialize, ToSchema)]
struct CodeBody {
    phone: String,
    /// register（注册）或 reset（找回密码）
    purpose: String,
}

#[utoipa::path(
    post,
    path = "/auth/phone-codes",
    tag = "账户", request_body = CodeBody,
    responses((status = 202, description = "验证码已发送", body = CodeSent), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn phone_code(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<CodeBody>,
) -> Result<(StatusCode, Json<CodeSent>), ApiError> {
    let purpose = CodePurpose::parse(&b.purpose)?;
    identity::send_code(&state.services, &b.phone, purpose).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSent {
            message: "验证码已发送，10分钟内有效".into(),
        }),
    ))
}

#[utoipa::path(
    post,
    path = "/auth/register",
    tag = "账户", request_body = dto::CitizenRegistration,
    responses((status = 201, description = "已注册", body = Registered), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn register(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<CitizenRegistration>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let c = identity::register_citizen(&state.services, &b).await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            account_id: c.account_id,
        }),
    ))
}

#[utoipa::path(
    post,
    path = "/auth/reset",
    tag = "账户", request_body = dto::PasswordReset,
    responses((status = 204, description = "密码已重设"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn reset(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    identity::reset_password(&state.services, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}
