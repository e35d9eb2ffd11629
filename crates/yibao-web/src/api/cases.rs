//! Cases under `/api/v1/cases`: apply, read, act, add materials, evaluate; the public progress
//! query `/api/v1/progress`.

use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::case::Action;
use yibao_service::cases::{
    self, ApplyInput, CaseRow, CaseSummary, CaseView, EvaluationRow, EvaluationStats,
    MaterialInput, MaterialRow, Progress,
};

use super::{dto, ApiJson, ApiQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, apply))
        .routes(routes!(overdue))
        .routes(routes!(stats))
        .routes(routes!(one))
        .routes(routes!(act))
        .routes(routes!(material))
        .routes(routes!(confirm_seal))
        .routes(routes!(download))
        .routes(routes!(evaluate))
        .routes(routes!(bill))
        .routes(routes!(
            institution_application,
            institution_application_step
        ))
        .routes(routes!(progress))
}

/// 办件
#[derive(Serialize, ToSchema)]
pub struct CaseAnswer {
    #[schema(value_type = dto::CaseRow)]
    case: CaseRow,
}

/// 办件列表
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    #[schema(value_type = Vec<dto::CaseSummary>)]
    cases: Vec<CaseSummary>,
    /// 工作人员的工作台：符合条件的办件总数（本页之外）；本人的办件不分页，为 null
    total: Option<i64>,
    /// 工作人员：第几页（每页 50 件）
    page: Option<i64>,
}

/// 好差评统计
#[derive(Serialize, ToSchema)]
pub struct EvaluationStatsAnswer {
    #[schema(value_type = dto::EvaluationStats)]
    stats: EvaluationStats,
}

/// 办件详情
#[derive(Serialize, ToSchema)]
pub struct CaseViewAnswer {
    #[schema(value_type = dto::CaseView)]
    view: CaseView,
}

/// 已添加的材料
#[derive(Serialize, ToSchema)]
pub struct MaterialAdded {
    #[schema(value_type = dto::MaterialRow)]
    material: MaterialRow,
}

/// 材料（multipart/form-data）
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form `read_material` reads field by field
struct MaterialUpload {
    /// 材料编号
    material_id: String,
    /// upload（上传）、original（原件）、copy（复印件）、pledge（告知承诺）；省略时有文件为 upload，否则 original
    provided_as: Option<String>,
    /// 上传的文件
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
    /// 经办人员已核验单位公章（true/false；仅经办人员、仅限指南要求加盖公章的材料）
    seal_confirmed: Option<bool>,
}

/// 好差评
#[derive(Serialize, ToSchema)]
pub struct EvaluationAdded {
    #[schema(value_type = dto::EvaluationRow)]
    evaluation: EvaluationRow,
}

/// 办理进度
#[derive(Serialize, ToSchema)]
pub struct ProgressAnswer {
    #[schema(value_type = dto::Progress)]
    progress: Progress,
}

#[utoipa::path(
    post,
    path = "/cases",
    tag = "办件", request_body = dto::ApplyInput,
    responses((status = 201, description = "已新建办件（草稿）", body = CaseAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ApplyInput>,
) -> Result<(StatusCode, Json<CaseAnswer>), ApiError> {
    let case = cases::apply(&state.services, &auth.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(CaseAnswer { case })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 工作人员：只列此状态的办件
    status: Option<String>,
    /// 工作人员：办件编号、申请人姓名或证件号码包含此文字
    q: Option<String>,
    /// 工作人员：第几页，默认 1，每页 50 件
    page: Option<String>,
}

#[utoipa::path(
    get,
    path = "/cases",
    tag = "办件", params(ListQuery),
    responses((status = 200, description = "本人的办件；工作人员为本机构的待办", body = CaseList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CaseList>, ApiError> {
    Ok(Json(match &auth.actor {
        yibao_service::identity::Actor::Staff(_) => {
            let found = cases::queue(
                &state.services,
                &auth.actor,
                q.status.as_deref(),
                &yibao_service::paging::search_text(q.q.as_deref()),
                yibao_service::paging::Span::page(q.page.as_deref()),
            )
            .await?;
            CaseList {
                total: Some(found.total),
                page: Some(found.page),
                cases: found.items,
            }
        }
        _ => CaseList {
            cases: cases::list_mine(&state.services, &auth.actor).await?,
            total: None,
            page: None,
        },
    }))
}

#[utoipa::path(
    get,
    path = "/cases/overdue",
    tag = "办件",
    responses((status = 200, description = "已超期或将超期的办件", body = CaseList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn overdue(State(state): State<AppState>, auth: Auth) -> Result<Json<CaseList>, ApiError> {
    let cases = cases::overdue(&state.services, &auth.actor).await?;
    Ok(Json(CaseList {
        cases,
        total: None,
        page: None,
    }))
}

#[utoipa::path(
    get,
    path = "/cases/evaluation-stats",
    tag = "办件",
    responses((status = 200, description = "好差评统计", body = EvaluationStatsAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn stats(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<EvaluationStatsAnswer>, ApiError> {
    let stats = cases::evaluation_stats(&state.services, &auth.actor).await?;
    Ok(Json(EvaluationStatsAnswer { stats }))
}

#[utoipa::path(
    get,
    path = "/cases/{number}",
    tag = "办件",
    params(("number" = String, Path)),
    responses((status = 200, description = "办件详情", body = CaseViewAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<CaseViewAnswer>, ApiError> {
    let view = cases::view(&state.services, &auth.actor, &number).await?;
    Ok(Json(CaseViewAnswer { view }))
}

/// 办理意见
#[derive(Debug, Default, Deserialize, ToSchema)]
struct ActBody {
    /// 意见；拒绝时为理由
    #[serde(default)]
    #[schema(required = false)]
    note: String,
}

#[utoipa::path(
    post,
    path = "/cases/{number}/actions/{action}",
    tag = "办件", request_body(content = ActBody, description = "可整个省略；拒绝（refuse）时须写明理由"),
    params(("number" = String, Path), ("action" = String, Path)),
    responses((status = 200, description = "办理后的办件", body = CaseAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<CaseAnswer>, ApiError> {
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
    let case = cases::transition(&state.services, &auth.actor, &number, action, &note).await?;
    Ok(Json(CaseAnswer { case }))
}

/// Multipart: `material_id`, `provided_as` (upload|original|copy|pledge), and for uploads `file`.
#[utoipa::path(
    post,
    path = "/cases/{number}/materials",
    tag = "办件", request_body(content = MaterialUpload, content_type = "multipart/form-data"),
    params(("number" = String, Path)),
    responses((status = 201, description = "已添加材料", body = MaterialAdded), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn material(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<MaterialAdded>), ApiError> {
    let (input, bytes) = read_material(multipart).await?;
    let material =
        cases::add_material(&state.services, &auth.actor, &number, &input, &bytes).await?;
    Ok((StatusCode::CREATED, Json(MaterialAdded { material })))
}

/// A clerk confirms the unit's seal (加盖单位公章) on a material already on the case.
#[utoipa::path(
    post,
    path = "/cases/{number}/materials/{id}/seal",
    tag = "办件",
    params(("number" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "已核验单位公章", body = MaterialAdded), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn confirm_seal(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Json<MaterialAdded>, ApiError> {
    let material = cases::confirm_seal(&state.services, &auth.actor, &number, id).await?;
    Ok(Json(MaterialAdded { material }))
}

/// Reads the material form; shared with the page.
pub async fn read_material(mut multipart: Multipart) -> Result<(MaterialInput, Vec<u8>), ApiError> {
    let bad = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, "http.bad_multipart", m.to_string());
    let mut input = MaterialInput {
        material_id: String::new(),
        provided_as: String::new(),
        file_name: String::new(),
        seal_confirmed: false,
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
            "seal_confirmed" => {
                let v = field.text().await.map_err(|_| bad("公章核验标记无效"))?;
                input.seal_confirmed = match v.trim() {
                    "true" | "1" | "on" => true,
                    "false" | "0" | "" => false,
                    _ => return Err(bad("公章核验标记应为 true 或 false")),
                };
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
    path = "/cases/{number}/materials/{id}",
    tag = "办件",
    params(("number" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "材料文件（一律作为附件下载）", content_type = "application/octet-stream"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
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

/// 好差评
#[derive(Debug, Deserialize, ToSchema)]
struct EvaluationBody {
    /// 评价等级
    level: String,
    #[serde(default)]
    #[schema(required = false)]
    comment: String,
}

#[utoipa::path(
    post,
    path = "/cases/{number}/evaluation",
    tag = "办件", request_body = EvaluationBody,
    params(("number" = String, Path)),
    responses((status = 201, description = "已评价", body = EvaluationAdded), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn evaluate(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(b): ApiJson<EvaluationBody>,
) -> Result<(StatusCode, Json<EvaluationAdded>), ApiError> {
    let evaluation =
        cases::evaluate(&state.services, &auth.actor, &number, &b.level, &b.comment).await?;
    Ok((StatusCode::CREATED, Json(EvaluationAdded { evaluation })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ProgressQuery {
    /// 办件编号
    number: Option<String>,
    /// 申请人公民身份号码
    id_number: Option<String>,
}

#[utoipa::path(
    get,
    path = "/progress",
    tag = "办件", params(ProgressQuery),
    responses((status = 200, description = "办理进度", body = ProgressAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    // Public: no login needed.
    security(())
)]
async fn progress(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<Json<ProgressAnswer>, ApiError> {
    let progress = cases::progress(
        &state.services,
        q.number.as_deref().unwrap_or_default(),
        q.id_number.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(ProgressAnswer { progress }))
}

/// The itemised bill of a reimbursement case, entered by the clerk from the receipts.
#[utoipa::path(
    post,
    path = "/cases/{number}/bill",
    tag = "办件", request_body = dto::BillEntry,
    params(("number" = String, Path)),
    responses((status = 200, description = "录入费用后的办件详情（含待遇测算）", body = CaseViewAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn bill(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(entry): ApiJson<yibao_service::reimbursement::BillEntry>,
) -> Result<Json<CaseViewAnswer>, ApiError> {
    yibao_service::reimbursement::enter_bill(&state.services, &auth.actor, &number, &entry).await?;
    let view = cases::view(&state.services, &auth.actor, &number).await?;
    Ok(Json(CaseViewAnswer { view }))
}

/// 定点申请办件的评估、公示与协议条款
#[derive(Serialize, ToSchema)]
pub struct ApplicationAnswer {
    #[schema(value_type = Option<dto::ApplicationView>)]
    application: Option<yibao_service::institution::case_effect::ApplicationView>,
}

/// The evaluation, publicity and negotiated terms of a designation case (null for other cases).
#[utoipa::path(
    get,
    path = "/cases/{number}/institution-application",
    tag = "办件",
    params(("number" = String, Path)),
    responses((status = 200, description = "定点申请的评估、公示与协议条款；其他事项为 null", body = ApplicationAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institution_application(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<ApplicationAnswer>, ApiError> {
    let application =
        yibao_service::institution::case_effect::application(&state.services, &auth.actor, &number)
            .await?;
    Ok(Json(ApplicationAnswer { application }))
}

/// A step of a designation case while it is accepted (reviewer of the deciding agency):
/// evaluation (Chongqing 33/34: within 10 days of acceptance), publicity (Chongqing: 7 working
/// days), an objection, the negotiated terms.
#[utoipa::path(
    post,
    path = "/cases/{number}/institution-application",
    tag = "办件", request_body = dto::ApplicationStepInput,
    params(("number" = String, Path)),
    responses((status = 200, description = "办理后的评估、公示与协议条款", body = ApplicationAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institution_application_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<yibao_service::institution::case_effect::ApplicationStepInput>,
) -> Result<Json<ApplicationAnswer>, ApiError> {
    let view = yibao_service::institution::case_effect::step_application(
        &state.services,
        &auth.actor,
        &number,
        &input,
    )
    .await?;
    Ok(Json(ApplicationAnswer {
        application: Some(view),
    }))
}
