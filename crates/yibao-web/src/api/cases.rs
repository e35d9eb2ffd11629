//! Cases under `/api/v1/cases`: apply, read, act, add materials, evaluate; the public progress
//! query `/api/v1/progress`.

use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use yibao_domain::case::Action;
use yibao_service::cases::{self, ApplyInput, MaterialInput};

use super::{ApiJson, ApiQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(apply))
        .route("/cases/overdue", get(overdue))
        .route("/cases/evaluation-stats", get(stats))
        .route("/cases/{number}", get(one))
        .route("/cases/{number}/actions/{action}", post(act))
        .route("/cases/{number}/materials", post(material))
        .route("/cases/{number}/materials/{id}", get(download))
        .route("/cases/{number}/evaluation", post(evaluate))
        .route("/cases/{number}/bill", post(bill))
        .route("/progress", get(progress))
}

#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "办件",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ApplyInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let c = cases::apply(&state.services, &auth.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "case": c }))))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "办件",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let list = match &auth.actor {
        yibao_service::identity::Actor::Staff(_) => {
            cases::queue(&state.services, &auth.actor, q.status.as_deref()).await?
        }
        _ => cases::list_mine(&state.services, &auth.actor).await?,
    };
    Ok(Json(json!({ "cases": list })))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/overdue",
    tag = "办件",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn overdue(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "cases": cases::overdue(&state.services, &auth.actor).await? }),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/evaluation-stats",
    tag = "办件",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn stats(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "stats": cases::evaluation_stats(&state.services, &auth.actor).await? }),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}",
    tag = "办件",
    params(("number" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "view": cases::view(&state.services, &auth.actor, &number).await? }),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct ActBody {
    #[serde(default)]
    note: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/actions/{action}",
    tag = "办件",
    params(("number" = String, Path), ("action" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let action = Action::parse(&action).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "case.action_unknown",
            format!("没有名为“{action}”的办理环节"),
        )
    })?;
    // The body is optional: `{"note": "…"}` (a refusal needs its reason).
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<ActBody>(&body)
            .map_err(|e| {
                let mut err = ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "http.bad_json",
                    "请求内容应为 {\"note\": \"…\"}",
                );
                err.body.details = Some(json!({ "reason": e.to_string() }));
                err
            })?
            .note
    };
    let c = cases::transition(&state.services, &auth.actor, &number, action, &note).await?;
    Ok(Json(json!({ "case": c })))
}

/// Multipart: `material_id`, `provided_as` (upload|original|copy|pledge), and for uploads `file`.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/materials",
    tag = "办件",
    params(("number" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn material(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (input, bytes) = read_material(multipart).await?;
    let m = cases::add_material(&state.services, &auth.actor, &number, &input, &bytes).await?;
    Ok((StatusCode::CREATED, Json(json!({ "material": m }))))
}

/// Reads the material form; shared with the page.
pub async fn read_material(mut multipart: Multipart) -> Result<(MaterialInput, Vec<u8>), ApiError> {
    let bad = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, "http.bad_multipart", m.to_string());
    let mut input = MaterialInput {
        material_id: String::new(),
        provided_as: String::new(),
        file_name: String::new(),
    };
    let mut bytes = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad("上传内容格式不正确或超过大小限制"))?
    {
        match field.name().unwrap_or_default() {
            "material_id" => {
                input.material_id = field.text().await.map_err(|_| bad("材料编号无效"))?
            }
            "provided_as" => {
                input.provided_as = field.text().await.map_err(|_| bad("提交方式无效"))?
            }
            "file" => {
                input.file_name = field.file_name().unwrap_or_default().to_string();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| bad("文件读取失败或超过大小限制"))?
                    .to_vec();
            }
            _ => {}
        }
    }
    if input.material_id.is_empty() {
        return Err(bad("请选择材料"));
    }
    if input.provided_as.is_empty() {
        input.provided_as = if bytes.is_empty() {
            "original".into()
        } else {
            "upload".into()
        };
    }
    Ok((input, bytes))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}/materials/{id}",
    tag = "办件",
    params(("number" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let (row, bytes) = cases::material_content(&state.services, &auth.actor, &number, id).await?;
    let content_type = if row.content_type.is_empty() {
        "application/octet-stream".to_string()
    } else {
        row.content_type
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // Always a download: never rendered inline in our origin.
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"material-{id}\""),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct EvaluationBody {
    level: String,
    #[serde(default)]
    comment: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/evaluation",
    tag = "办件",
    params(("number" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn evaluate(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<EvaluationBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let e = cases::evaluate(&state.services, &auth.actor, &number, &b.level, &b.comment).await?;
    Ok((StatusCode::CREATED, Json(json!({ "evaluation": e }))))
}

#[derive(Debug, Default, Deserialize)]
struct ProgressQuery {
    number: Option<String>,
    id_number: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/progress",
    tag = "办件",
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody))
)]
async fn progress(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<Json<Value>, ApiError> {
    let p = cases::progress(
        &state.services,
        q.number.as_deref().unwrap_or_default(),
        q.id_number.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(json!({ "progress": p })))
}

/// The itemised bill of a reimbursement case, entered by the clerk from the receipts.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/bill",
    tag = "办件",
    params(("number" = String, Path)),
    responses((status = 200, description = "成功（新建时为 201，无内容时为 204）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn bill(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(entry): ApiJson<yibao_service::reimbursement::BillEntry>,
) -> Result<Json<Value>, ApiError> {
    yibao_service::reimbursement::enter_bill(&state.services, &auth.actor, &number, &entry).await?;
    Ok(Json(
        json!({ "view": cases::view(&state.services, &auth.actor, &number).await? }),
    ))
}
