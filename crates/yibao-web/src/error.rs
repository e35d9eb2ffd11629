//! The web layer's errors: JSON `{"code", "message", "details"}` for the API, a Chinese HTML page
//! for browsers. Statuses follow the service error's kind; nothing a user sends produces a 500.

use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use yibao_service::{ErrorKind, ServiceError};

use crate::pages::render_error_page;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Box<ErrorBody>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code: code.to_string(),
                message: message.into(),
                details: None,
            }),
        }
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "http.not_found",
            "请求的接口不存在，请核对地址",
        )
    }
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        let status = status_of(e.kind());
        if status.is_server_error() {
            tracing::error!(code = e.code(), error = %e, "request failed");
        }
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code: e.code().to_string(),
                message: e.message(),
                details: e.details(),
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(*self.body)).into_response()
    }
}

/// An error answered as a Chinese HTML page.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> PageError {
        PageError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn not_found() -> PageError {
        PageError {
            status: StatusCode::NOT_FOUND,
            code: "http.not_found".into(),
            message: "您访问的页面不存在，请检查地址或返回首页".into(),
        }
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> PageError {
        let api = ApiError::from(e);
        let body = *api.body;
        PageError {
            status: api.status,
            code: body.code,
            message: body.message,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        // A page that needs a login sends the browser to the login page.
        if self.status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        (
            self.status,
            Html(render_error_page(self.status, &self.code, &self.message)),
        )
            .into_response()
    }
}

/// Unknown paths: JSON under /api, a page elsewhere.
pub async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        PageError::not_found().into_response()
    }
}

/// A panic in a handler is a bug: log it, answer a plain 500 without internals.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "系统内部错误，已记录，请稍后重试",
    )
    .into_response()
}
