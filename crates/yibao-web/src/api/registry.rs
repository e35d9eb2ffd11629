//! The registry beyond the plain records: `GET /persons/{id}/record`, `/persons/{id}/certificate`,
//! `/me/record`, `/me/certificate`, `/employers/{id}/record`, `/employers/{id}/certificate`,
//! `POST /employers/{id}/roster` (bulk enrol or removal, every row checked, nothing half
//! imported), `GET /registry/roster-template` and `GET /registry/reference` (the code lists).

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use yibao_domain::registry::employee::RemovalReason;
use yibao_domain::registry::employer::EmployerKind;
use yibao_domain::registry::resident::ResidentCategory;
use yibao_domain::registry::DocumentType;
use yibao_service::registry::records::{self, employer_certificate, person_certificate};
use yibao_service::registry::{bulk, roster::RosterKind};

use super::{record_id, ApiQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons/{id}/record", get(person_record))
        .route("/persons/{id}/certificate", get(person_cert))
        .route("/me/record", get(my_record))
        .route("/me/certificate", get(my_cert))
        .route("/employers/{id}/record", get(employer_record))
        .route("/employers/{id}/certificate", get(employer_cert))
        .route("/employers/{id}/roster", post(roster))
        .route("/employers/{id}/arrears", post(arrears))
        .route("/registry/roster-template", get(template))
        .route("/registry/reference", get(reference))
}

#[utoipa::path(get, path = "/api/v1/persons/{id}/record", tag = "参保登记", params(("id" = String, Path)),
    responses((status = 200, description = "参保信息：人员、各险种参保记录及其状态历史、信息变更历史"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn person_record(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let r = records::person_record(&state.services, &auth.actor, id).await?;
    Ok(Json(json!({ "record": r })))
}

#[utoipa::path(get, path = "/api/v1/persons/{id}/certificate", tag = "参保登记", params(("id" = String, Path)),
    responses((status = 200, description = "个人参保证明的内容及校验码"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn person_cert(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let r = records::person_record(&state.services, &auth.actor, id).await?;
    Ok(Json(
        json!({ "certificate": person_certificate(&r, state.services.clock().today()) }),
    ))
}

#[utoipa::path(get, path = "/api/v1/me/record", tag = "参保登记",
    responses((status = 200, description = "本人参保信息（未参保时 record 为 null）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn my_record(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let r = records::my_record(&state.services, &auth.actor).await?;
    Ok(Json(json!({ "record": r })))
}

#[utoipa::path(get, path = "/api/v1/me/certificate", tag = "参保登记",
    responses((status = 200, description = "本人参保证明"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn my_cert(State(state): State<AppState>, auth: Auth) -> Result<Json<Value>, ApiError> {
    let r = records::my_record(&state.services, &auth.actor)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "person.not_found",
                "您尚未参保登记，无法出具参保证明",
            )
        })?;
    Ok(Json(
        json!({ "certificate": person_certificate(&r, state.services.clock().today()) }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct RecordQuery {
    /// Include employees whose coverage with the employer has ended.
    #[serde(default)]
    all: bool,
}

#[utoipa::path(get, path = "/api/v1/employers/{id}/record", tag = "参保登记", params(("id" = String, Path), RecordQuery),
    responses((status = 200, description = "单位参保信息：单位、参保人员、变更历史"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn employer_record(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RecordQuery>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let r = records::employer_record(&state.services, &auth.actor, id, q.all).await?;
    Ok(Json(json!({ "record": r })))
}

#[utoipa::path(get, path = "/api/v1/employers/{id}/certificate", tag = "参保登记", params(("id" = String, Path)),
    responses((status = 200, description = "单位参保证明的内容及校验码"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn employer_cert(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let r = records::employer_record(&state.services, &auth.actor, id, false).await?;
    Ok(Json(
        json!({ "certificate": employer_certificate(&r, state.services.clock().today()) }),
    ))
}

/// Reads `kind` (enrol|remove), `check` (true: only check) and `file` from the multipart body.
pub async fn read_roster(
    mut multipart: Multipart,
) -> Result<(RosterKind, bool, Vec<u8>), ApiError> {
    let bad = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, "http.bad_multipart", m.to_string());
    let (mut kind, mut check, mut bytes) = (None, false, None);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad("上传内容格式不正确或超过大小限制"))?
    {
        match field.name().unwrap_or_default() {
            "kind" => {
                kind = match field.text().await.map_err(|_| bad("名单类型无效"))?.trim() {
                    "enrol" => Some(RosterKind::Enrol),
                    "remove" => Some(RosterKind::Remove),
                    _ => return Err(bad("名单类型应为 enrol（增员）或 remove（减员）")),
                }
            }
            "check" => {
                check = matches!(
                    field.text().await.map_err(|_| bad("check 无效"))?.trim(),
                    "true" | "1"
                )
            }
            "file" => {
                bytes = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|_| bad("文件读取失败或超过大小限制"))?
                        .to_vec(),
                )
            }
            _ => {}
        }
    }
    let kind = kind.ok_or_else(|| bad("请注明名单类型 kind：enrol（增员）或 remove（减员）"))?;
    let bytes = bytes
        .filter(|b| !b.is_empty())
        .ok_or_else(|| bad("请上传名单文件（.xlsx 或 .csv）"))?;
    Ok((kind, check, bytes))
}

#[utoipa::path(post, path = "/api/v1/employers/{id}/roster", tag = "参保登记", params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "kind=enrol|remove；check=true 时只检查不提交；file=名单（.xlsx 或 .csv，表头见 /api/v1/registry/roster-template）"),
    responses((status = 200, description = "检查通过（check=true）"), (status = 201, description = "已生成并提交办件 {case_number, rows}"), (status = "4XX", description = "名单有问题时 code=registry.roster.rejected，details.problems 逐行列出；未导入任何人员", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn roster(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let id = record_id(&id, "参保单位")?;
    // Who may upload is settled before the body is read.
    bulk::employer_for(&state.services, &auth.actor, id).await?;
    let multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "http.bad_multipart",
                "请以 multipart/form-data 上传名单文件（kind、file）",
            )
        })?;
    let (kind, check, bytes) = read_roster(multipart).await?;
    if check {
        let (_, rows) = bulk::check_roster(&state.services, &auth.actor, id, kind, &bytes).await?;
        return Ok(
            Json(json!({ "ok": true, "rows": rows.as_array().map(Vec::len).unwrap_or(0) }))
                .into_response(),
        );
    }
    let accepted = bulk::submit_roster(&state.services, &auth.actor, id, kind, &bytes).await?;
    Ok((StatusCode::CREATED, Json(json!(accepted))).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct TemplateQuery {
    /// enrol (增员) or remove (减员)
    kind: String,
}

#[utoipa::path(get, path = "/api/v1/registry/roster-template", tag = "参保登记", params(TemplateQuery),
    responses((status = 200, description = "名单模板（CSV，UTF-8 带 BOM）", content_type = "text/csv"), (status = "4XX", description = "请求有误：{code, message, details}", body = crate::error::ErrorBody)))]
async fn template(ApiQuery(q): ApiQuery<TemplateQuery>) -> Result<Response, ApiError> {
    let kind = match q.kind.as_str() {
        "enrol" => RosterKind::Enrol,
        "remove" => RosterKind::Remove,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "http.bad_query",
                "kind 应为 enrol 或 remove",
            ))
        }
    };
    let name = if kind == RosterKind::Enrol {
        "zengyuan.csv"
    } else {
        "jianyuan.csv"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        yibao_service::registry::roster::template_csv(kind),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/registry/reference", tag = "参保登记",
    responses((status = 200, description = "代码表：证件类型、单位类型、减员原因、城乡居民参保类别")))]
async fn reference() -> Json<Value> {
    let pairs = |v: Vec<(&str, &str)>| {
        v.into_iter()
            .map(|(k, l)| json!({ "key": k, "label": l }))
            .collect::<Vec<_>>()
    };
    Json(json!({
        "document_types": pairs(DocumentType::ALL.iter().map(|d| (d.key(), d.label())).collect()),
        "employer_kinds": pairs(EmployerKind::REGISTRABLE.iter().map(|k| (k.key(), k.label())).collect()),
        "removal_reasons": pairs(RemovalReason::ALL.iter().map(|r| (r.key(), r.label())).collect()),
        "resident_categories": pairs(ResidentCategory::ALL.iter().map(|c| (c.key(), c.label())).collect()),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ArrearsInput {
    /// 欠费金额，单位：分
    arrears_fen: i64,
    /// 来源，如税务部门核定通知书编号
    note: String,
}

#[utoipa::path(post, path = "/api/v1/employers/{id}/arrears", tag = "参保登记", params(("id" = String, Path)),
    request_body = ArrearsInput,
    responses((status = 200, description = "已登记欠费（财务人员）"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn arrears(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    super::ApiJson(input): super::ApiJson<ArrearsInput>,
) -> Result<Json<Value>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let e = yibao_service::registry::employer::record_arrears(
        &state.services,
        &auth.actor,
        id,
        yibao_domain::Fen(input.arrears_fen),
        &input.note,
    )
    .await?;
    Ok(Json(json!({ "employer": e })))
}
