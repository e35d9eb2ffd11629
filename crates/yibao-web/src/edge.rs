//! The edge of the application, in front of every handler:
//!
//! - `finish` (outermost): refuses URIs that are too long, carry a NUL character or an invalid
//!   UTF-8 percent-encoding; rewrites every error answer that is not already ours — axum's and
//!   tower-http's plain-text rejections (405, 413, 415, 400 …) — into the `{code, message}` JSON
//!   under `/api` and into the Chinese error page elsewhere; and marks every response but the
//!   static assets `Cache-Control: no-store` (pages and API answers carry personal data).
//! - `guard_body` (inside authentication): refuses, with 422 `input.invalid_text`, text a
//!   PostgreSQL column cannot hold (U+0000) in JSON bodies, urlencoded forms and the text fields of
//!   multipart forms — the same answer on both stores. Files uploaded in multipart forms may hold
//!   NUL bytes and are not looked at. A multipart body that cannot be read is 400
//!   `http.bad_multipart`.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::error::{ApiError, ErrorBody, PageError};
use crate::pages::render_error_page;

/// The code of text PostgreSQL cannot store.
pub const INVALID_TEXT: &str = "input.invalid_text";
const INVALID_TEXT_MESSAGE: &str = "输入包含无法保存的字符（如空字符 NUL），请删除后重新提交";
/// URIs longer than this are refused by the app (hyper refuses those above 64 KiB itself).
pub const MAX_URI: usize = 8 * 1024;
/// Bodies are read whole at the edge up to this size (the request limit of the whole app).
const BODY_LIMIT: usize = crate::BODY_LIMIT;
/// Error bodies of others are read up to this size to keep their reason for the API's details.
const REASON_LIMIT: usize = 16 * 1024;

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The error answer for `path`: JSON under /api, the Chinese error page elsewhere.
pub fn refuse(path: &str, status: StatusCode, code: &str, message: &str) -> Response {
    if is_api(path) {
        ApiError::new(status, code, message).into_response()
    } else {
        PageError::new(status, code, message).into_response()
    }
}

fn invalid_text(path: &str) -> Response {
    refuse(
        path,
        StatusCode::UNPROCESSABLE_ENTITY,
        INVALID_TEXT,
        INVALID_TEXT_MESSAGE,
    )
}

/// Percent-decodes `s` (a `%` not followed by two hex digits stays as it is).
fn percent_decode(s: &str) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Why the URI is refused, if it is.
fn check_uri(uri: &Uri) -> Option<Response> {
    let path = uri.path();
    let length = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if length > MAX_URI {
        return Some(refuse(
            path,
            StatusCode::URI_TOO_LONG,
            "http.uri_too_long",
            "请求地址过长，请缩短地址或查询条件后重试",
        ));
    }
    for part in [Some(path), uri.query()].into_iter().flatten() {
        let decoded = percent_decode(part);
        if decoded.contains(&0) {
            return Some(invalid_text(path));
        }
        if std::str::from_utf8(&decoded).is_err() {
            return Some(refuse(
                path,
                StatusCode::BAD_REQUEST,
                "http.bad_uri",
                "请求地址或查询参数含有无效的字符编码，请核对后重试",
            ));
        }
    }
    None
}

/// The stable code and Chinese message of an error status whose body is not ours.
fn code_of(status: StatusCode, api: bool) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("http.bad_request", "请求格式不正确，请核对后重试"),
        StatusCode::UNAUTHORIZED => ("auth.required", "请先登录"),
        StatusCode::FORBIDDEN => ("auth.forbidden", "无权进行此操作"),
        StatusCode::NOT_FOUND if api => ("http.not_found", "请求的接口不存在，请核对地址"),
        StatusCode::NOT_FOUND => ("http.not_found", "您访问的页面不存在，请检查地址或返回首页"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "http.method_not_allowed",
            "此地址不支持该请求方法，请核对接口说明",
        ),
        StatusCode::REQUEST_TIMEOUT => ("http.timeout", "请求处理超时，请稍后重试"),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "http.payload_too_large",
            "提交的内容超过大小限制（整个请求最大 4 MB），请压缩或拆分文件后重试",
        ),
        StatusCode::URI_TOO_LONG => (
            "http.uri_too_long",
            "请求地址过长，请缩短地址或查询条件后重试",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "http.unsupported_media_type",
            "请求内容的类型不受支持：JSON 接口请使用 Content-Type: application/json",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("http.unprocessable", "请求内容无法处理，请核对字段"),
        StatusCode::SERVICE_UNAVAILABLE => ("http.unavailable", "服务暂不可用，请稍后重试"),
        s if s.is_server_error() => ("internal", "系统内部错误，已记录，请稍后重试"),
        _ => ("http.client_error", "请求有误，请核对后重试"),
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// True for `application/json` and `application/*+json`, with or without parameters.
pub fn is_json(headers: &HeaderMap) -> bool {
    let ct = content_type(headers);
    let essence = ct.split(';').next().unwrap_or_default().trim();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The refusal of a JSON endpoint called with another content type.
pub fn unsupported_media_type() -> ApiError {
    let (code, message) = code_of(StatusCode::UNSUPPORTED_MEDIA_TYPE, true);
    ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, code, message)
}

/// The refusal of a body above the limit.
pub fn too_large(path: &str) -> Response {
    let (code, message) = code_of(StatusCode::PAYLOAD_TOO_LARGE, is_api(path));
    refuse(path, StatusCode::PAYLOAD_TOO_LARGE, code, message)
}

/// Rewrites an error answer that is not already in our shape.
async fn rewrite(path: &str, response: Response) -> Response {
    let status = response.status();
    let api = is_api(path);
    let ct = content_type(response.headers());
    let ours = if api {
        ct.starts_with("application/json")
    } else {
        ct.starts_with("text/html") || ct.starts_with("application/json")
    };
    if ours {
        return response;
    }
    let (parts, body) = response.into_parts();
    let (code, message) = code_of(status, api);
    let mut rewritten = if api {
        // Keep the framework's own words for developers, never as the message.
        let reason = to_bytes(body, REASON_LIMIT)
            .await
            .ok()
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let body = ErrorBody {
            code: code.to_string(),
            message: message.to_string(),
            details: reason.map(|r| serde_json::json!({ "reason": r })),
        };
        (status, axum::Json(body)).into_response()
    } else {
        (status, Html(render_error_page(status, code, message))).into_response()
    };
    // Keep what the original answer said besides its body (Allow on 405, cookies …).
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !rewritten.headers().contains_key(name)
        {
            rewritten.headers_mut().append(name.clone(), value.clone());
        }
    }
    rewritten
}

/// The outermost layer: URI checks, error answers in our shape, and `no-store`.
pub async fn finish(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    // Where a page that needs a login sends the browser back to after it (GET only: a form
    // post is not replayed).
    let came_from = (req.method() == axum::http::Method::GET && !path.starts_with("/api/"))
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten();
    let mut response = match check_uri(req.uri()) {
        Some(refusal) => refusal,
        None => {
            let response = next.run(req).await;
            if response.status().is_client_error() || response.status().is_server_error() {
                rewrite(&path, response).await
            } else {
                response
            }
        }
    };
    if let Some(from) = came_from.as_deref().and_then(crate::pages::safe_next) {
        let to_login = response.status().is_redirection()
            && response.headers().get(header::LOCATION)
                == Some(&HeaderValue::from_static("/login"));
        if to_login {
            let target = format!(
                "/login?next={}",
                form_urlencoded::byte_serialize(from.as_bytes()).collect::<String>()
            );
            if let Ok(v) = HeaderValue::from_str(&target) {
                response.headers_mut().insert(header::LOCATION, v);
            }
        }
    }
    if !path.starts_with("/static/") {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}

/// True when a JSON text holds U+0000: a raw NUL byte or the escape `\u0000`. A byte scan, no
/// parse: an escaped backslash is skipped with the character it escapes.
pub fn json_has_nul(body: &[u8]) -> bool {
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            0 => return true,
            b'\\' => {
                if body.get(i + 1) == Some(&b'u') && body.get(i + 2..i + 6) == Some(b"0000") {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

fn form_has_nul(body: &[u8]) -> bool {
    // Decoding is lossy; a NUL survives it as itself.
    form_urlencoded::parse(body).any(|(k, v)| k.contains('\0') || v.contains('\0'))
}

enum Multipart {
    Fine,
    Nul,
    Bad,
}

/// Reads the multipart body's text fields (those without a file name) and looks for NUL.
async fn multipart_text(parts: &Parts, bytes: Bytes) -> Multipart {
    let mut req = Request::new(Body::from(bytes));
    *req.headers_mut() = parts.headers.clone();
    // The extensions carry the body limit (`DefaultBodyLimit`); without it 2 MB would apply.
    *req.extensions_mut() = parts.extensions.clone();
    let Ok(mut mp) = axum::extract::Multipart::from_request(req, &()).await else {
        return Multipart::Bad;
    };
    loop {
        match mp.next_field().await {
            Ok(None) => return Multipart::Fine,
            Ok(Some(field)) => {
                let file = field.file_name().is_some();
                let Ok(data) = field.bytes().await else {
                    return Multipart::Bad;
                };
                if !file && data.contains(&0) {
                    return Multipart::Nul;
                }
            }
            Err(_) => return Multipart::Bad,
        }
    }
}

/// Refuses NUL in JSON, urlencoded and multipart text before any handler sees the body.
pub async fn guard_body(req: Request, next: Next) -> Response {
    let ct = content_type(req.headers());
    let json = is_json(req.headers());
    let form = ct.starts_with("application/x-www-form-urlencoded");
    let multipart = ct.starts_with("multipart/form-data");
    if !(json || form || multipart) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return too_large(&path);
    };
    let refused =
        if json {
            json_has_nul(&bytes)
        } else if form {
            form_has_nul(&bytes)
        } else {
            match multipart_text(&parts, bytes.clone()).await {
                Multipart::Fine => false,
                Multipart::Nul => true,
                Multipart::Bad => return refuse(
                    &path,
                    StatusCode::BAD_REQUEST,
                    "http.bad_multipart",
                    "上传内容不是有效的 multipart/form-data（分隔符缺失或格式错误），请重新上传",
                ),
            }
        };
    if refused {
        return invalid_text(&path);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nul_is_found_in_escapes_and_raw_bytes_only() {
        assert!(json_has_nul(br#"{"a":"x\u0000y"}"#));
        assert!(json_has_nul(b"{\"a\":\"x\0\"}"));
        assert!(json_has_nul(br#"{"\u0000":1}"#));
        assert!(!json_has_nul(br#"{"a":"x\\u0000y"}"#));
        assert!(json_has_nul(br#"{"a":"\u00001"}"#));
        assert!(!json_has_nul(br#"{"a":"\u0001\"\\"}"#));
        assert!(!json_has_nul(b"\\"));
    }

    #[test]
    fn percent_decoding_keeps_stray_percents() {
        assert_eq!(percent_decode("a%00b"), b"a\0b");
        assert_eq!(percent_decode("%zz%4"), b"%zz%4");
        assert_eq!(percent_decode("%E4%B8%AD"), "中".as_bytes());
    }
}
