//! The registry beyond the plain records: `GET /persons/{id}/record`, `/persons/{id}/certificate`,
//! `/me/record`, `/me/certificate`, `/employers/{id}/record`, `/employers/{id}/certificate`,
//! `POST /employers/{id}/roster` (bulk enrol or removal, every row checked, nothing half
//! imported), `GET /registry/roster-template` and `GET /registry/reference` (the code lists).

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::enrolment::employee::RemovalReason;
use yibao_domain::enrolment::employer::EmployerKind;
use yibao_domain::enrolment::resident::ResidentCategory;
use yibao_domain::enrolment::DocumentType;
use yibao_service::enrolment::records::{
    self, employer_certificate, person_certificate, Certificate, EmployerRecord, PersonRecord,
};
use yibao_service::enrolment::{bulk, roster::RosterKind};
use yibao_service::records::EmployerRow;

use super::{dto, record_id, ApiQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person_record))
        .routes(routes!(person_cert))
        .routes(routes!(my_record))
        .routes(routes!(my_cert))
        .routes(routes!(employer_record))
        .routes(routes!(employer_cert))
        .routes(routes!(roster))
        .routes(routes!(arrears))
        .routes(routes!(template))
        .routes(routes!(reference))
}

/// 个人参保信息
#[derive(Serialize, ToSchema)]
pub struct PersonRecordAnswer {
    #[schema(value_type = dto::PersonRecord)]
    record: PersonRecord,
}

/// 本人参保信息（未参保时为 null）
#[derive(Serialize, ToSchema)]
pub struct MyRecord {
    #[schema(value_type = Option<dto::PersonRecord>)]
    record: Option<PersonRecord>,
}

/// 单位参保信息
#[derive(Serialize, ToSchema)]
pub struct EmployerRecordAnswer {
    #[schema(value_type = dto::EmployerRecord)]
    record: EmployerRecord,
}

/// 参保证明
#[derive(Serialize, ToSchema)]
pub struct CertificateAnswer {
    #[schema(value_type = dto::Certificate)]
    certificate: Certificate,
}

/// 名单检查通过（check=true，未提交）
#[derive(Serialize, ToSchema)]
pub struct RosterChecked {
    ok: bool,
    /// 名单行数
    rows: usize,
}

/// 名单（multipart/form-data）
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form `read_roster` reads field by field
struct RosterUpload {
    /// enrol（增员）或 remove（减员）
    kind: String,
    /// true 或 1：只检查不提交
    check: Option<String>,
    /// 名单文件（.xlsx 或 .csv，表头见 /api/v1/registry/roster-template）
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// 登记欠费后的参保单位
#[derive(Serialize, ToSchema)]
pub struct ArrearsRecorded {
    #[schema(value_type = dto::EmployerRow)]
    employer: EmployerRow,
}

/// 代码表
#[derive(Serialize, ToSchema)]
pub struct Reference {
    /// 证件类型
    document_types: Vec<CodeLabel>,
    /// 单位类型
    employer_kinds: Vec<CodeLabel>,
    /// 减员原因
    removal_reasons: Vec<CodeLabel>,
    /// 城乡居民参保类别
    resident_categories: Vec<CodeLabel>,
}

/// 代码及其中文名称
#[derive(Serialize, ToSchema)]
pub struct CodeLabel {
    key: String,
    label: String,
}

#[utoipa::path(get, path = "/persons/{id}/record", tag = "参保登记", params(("id" = String, Path)),
    responses((status = 200, description = "参保信息：人员、各险种参保记录及其状态历史、信息变更历史", body = PersonRecordAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn person_record(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<PersonRecordAnswer>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let record = records::person_record(&state.services, &auth.actor, id).await?;
    Ok(Json(PersonRecordAnswer { record }))
}

#[utoipa::path(get, path = "/persons/{id}/certificate", tag = "参保登记", params(("id" = String, Path)),
    responses((status = 200, description = "个人参保证明的内容及校验码", body = CertificateAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn person_cert(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<CertificateAnswer>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let r = records::person_record(&state.services, &auth.actor, id).await?;
    Ok(Json(CertificateAnswer {
        certificate: person_certificate(&r, state.services.clock().today()),
    }))
}

#[utoipa::path(get, path = "/me/record", tag = "参保登记",
    responses((status = 200, description = "本人参保信息（未参保时 record 为 null）", body = MyRecord), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn my_record(State(state): State<AppState>, auth: Auth) -> Result<Json<MyRecord>, ApiError> {
    let record = records::my_record(&state.services, &auth.actor).await?;
    Ok(Json(MyRecord { record }))
}

#[utoipa::path(get, path = "/me/certificate", tag = "参保登记",
    responses((status = 200, description = "本人参保证明", body = CertificateAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn my_cert(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<CertificateAnswer>, ApiError> {
    let r = records::my_record(&state.services, &auth.actor)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "person.not_found",
                "您尚未参保登记，无法出具参保证明",
            )
        })?;
    Ok(Json(CertificateAnswer {
        certificate: person_certificate(&r, state.services.clock().today()),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordQuery {
    /// 是否包括已在本单位停保的人员
    #[serde(default)]
    all: bool,
}

#[utoipa::path(get, path = "/employers/{id}/record", tag = "参保登记", params(("id" = String, Path), RecordQuery),
    responses((status = 200, description = "单位参保信息：单位、参保人员、变更历史", body = EmployerRecordAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn employer_record(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RecordQuery>,
) -> Result<Json<EmployerRecordAnswer>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let record = records::employer_record(&state.services, &auth.actor, id, q.all).await?;
    Ok(Json(EmployerRecordAnswer { record }))
}

#[utoipa::path(get, path = "/employers/{id}/certificate", tag = "参保登记", params(("id" = String, Path)),
    responses((status = 200, description = "单位参保证明的内容及校验码", body = CertificateAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn employer_cert(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<CertificateAnswer>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let r = records::employer_record(&state.services, &auth.actor, id, false).await?;
    Ok(Json(CertificateAnswer {
        certificate: employer_certificate(&r, state.services.clock().today()),
    }))
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

#[utoipa::path(post, path = "/employers/{id}/roster", tag = "参保登记", params(("id" = String, Path)),
    request_body(content = RosterUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "检查通过（check=true）", body = RosterChecked), (status = 201, description = "已生成并提交办件", body = dto::RosterAccepted), (status = "4XX", description = "名单有问题时 code=registry.roster.rejected，details.problems 逐行列出；未导入任何人员", body = crate::error::ErrorBody)),
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
        return Ok(Json(RosterChecked {
            ok: true,
            rows: rows.as_array().map(Vec::len).unwrap_or(0),
        })
        .into_response());
    }
    let accepted = bulk::submit_roster(&state.services, &auth.actor, id, kind, &bytes).await?;
    Ok((StatusCode::CREATED, Json(accepted)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TemplateQuery {
    /// enrol（增员）或 remove（减员）
    kind: String,
}

#[utoipa::path(get, path = "/registry/roster-template", tag = "参保登记", params(TemplateQuery),
    responses((status = 200, description = "名单模板（CSV，UTF-8 带 BOM）", content_type = "text/csv"), (status = "4XX", description = "请求有误：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
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
        yibao_service::enrolment::roster::template_csv(kind),
    )
        .into_response())
}

#[utoipa::path(get, path = "/registry/reference", tag = "参保登记",
    responses((status = 200, description = "代码表：证件类型、单位类型、减员原因、城乡居民参保类别", body = Reference), (status = "4XX", description = "请求有误：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn reference() -> Json<Reference> {
    let pairs = |v: Vec<(&str, &str)>| {
        v.into_iter()
            .map(|(k, l)| CodeLabel {
                key: k.to_string(),
                label: l.to_string(),
            })
            .collect::<Vec<_>>()
    };
    Json(Reference {
        document_types: pairs(
            DocumentType::ALL
                .iter()
                .map(|d| (d.key(), d.label()))
                .collect(),
        ),
        employer_kinds: pairs(
            EmployerKind::REGISTRABLE
                .iter()
                .map(|k| (k.key(), k.label()))
                .collect(),
        ),
        removal_reasons: pairs(
            RemovalReason::ALL
                .iter()
                .map(|r| (r.key(), r.label()))
                .collect(),
        ),
        resident_categories: pairs(
            ResidentCategory::ALL
                .iter()
                .map(|c| (c.key(), c.label()))
                .collect(),
        ),
    })
}

/// 登记欠费（税务部门核定）
#[derive(Debug, Deserialize, ToSchema)]
struct ArrearsInput {
    /// 欠费金额，单位：分
    arrears_fen: i64,
    /// 来源，如税务部门核定通知书编号
    note: String,
}

#[utoipa::path(post, path = "/employers/{id}/arrears", tag = "参保登记", params(("id" = String, Path)),
    request_body = ArrearsInput,
    responses((status = 200, description = "已登记欠费（财务人员）", body = ArrearsRecorded), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn arrears(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    super::ApiJson(input): super::ApiJson<ArrearsInput>,
) -> Result<Json<ArrearsRecorded>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let employer = yibao_service::enrolment::employer::record_arrears(
        &state.services,
        &auth.actor,
        id,
        yibao_domain::Fen(input.arrears_fen),
        &input.note,
    )
    .await?;
    Ok(Json(ArrearsRecorded { employer }))
}
