//! Administration inside one agency (admin role): staff accounts, designated institutions and
//! their API tokens, the holiday calendar. Every change lands in the audit chain.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::staff::StaffRole;
use yibao_service::benefit_data::{CatalogueRow, ImportResult, PolicySummary};
use yibao_service::calendar::{self, CalendarOverview, ImportReport};
use yibao_service::identity::{
    self, InstitutionRow, IssuedToken, NewInstitutionInput, NewStaffInput, StaffRow, TokenRow,
};

use super::{dto, ApiJson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(staff_list, staff_create))
        .routes(routes!(staff_reset))
        .routes(routes!(staff_deactivate))
        .routes(routes!(institutions, institution_create))
        .routes(routes!(tokens, token_create))
        .routes(routes!(token_revoke))
        .routes(routes!(calendar_years, calendar_import))
        .routes(routes!(benefit_overview))
        .routes(routes!(policy_import))
        .routes(routes!(catalogue_import))
}

/// 工作人员列表
#[derive(Serialize, ToSchema)]
pub struct StaffList {
    #[schema(value_type = Vec<dto::StaffRow>)]
    staff: Vec<StaffRow>,
}

/// 新建的工作人员
#[derive(Serialize, ToSchema)]
pub struct StaffCreated {
    #[schema(value_type = dto::StaffRow)]
    staff: StaffRow,
}

/// 定点医药机构列表
#[derive(Serialize, ToSchema)]
pub struct InstitutionList {
    #[schema(value_type = Vec<dto::InstitutionRow>)]
    institutions: Vec<InstitutionRow>,
}

/// 新建的定点医药机构
#[derive(Serialize, ToSchema)]
pub struct InstitutionCreated {
    #[schema(value_type = dto::InstitutionRow)]
    institution: InstitutionRow,
}

/// 机构的接口令牌
#[derive(Serialize, ToSchema)]
pub struct TokenList {
    #[schema(value_type = Vec<dto::TokenRow>)]
    tokens: Vec<TokenRow>,
}

/// 新签发的接口令牌（只显示这一次）
#[derive(Serialize, ToSchema)]
pub struct TokenIssued {
    #[schema(value_type = dto::IssuedToken)]
    token: IssuedToken,
}

/// 工作日历导入结果
#[derive(Serialize, ToSchema)]
pub struct CalendarImported {
    #[schema(value_type = dto::CalendarImportReport)]
    import: ImportReport,
}

/// 待遇政策或目录的导入结果
#[derive(Serialize, ToSchema)]
pub struct BenefitImported {
    #[schema(value_type = dto::BenefitImportResult)]
    import: ImportResult,
}

/// 待遇政策版本与医保目录版本
#[derive(Serialize, ToSchema)]
pub struct BenefitOverview {
    #[schema(value_type = Vec<dto::PolicySummary>)]
    policies: Vec<PolicySummary>,
    #[schema(value_type = Vec<dto::CatalogueRow>)]
    catalogues: Vec<CatalogueRow>,
}

fn id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "http.not_found", "记录不存在"))
}

#[utoipa::path(
    get,
    path = "/admin/staff",
    tag = "管理",
    responses((status = 200, description = "本机构的工作人员", body = StaffList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_list(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<StaffList>, ApiError> {
    let staff = identity::list_staff(&state.services, &auth.actor).await?;
    Ok(Json(StaffList { staff }))
}

#[utoipa::path(
    post,
    path = "/admin/staff",
    tag = "管理", request_body = dto::NewStaffInput,
    responses((status = 201, description = "已新建", body = StaffCreated), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewStaffInput>,
) -> Result<(StatusCode, Json<StaffCreated>), ApiError> {
    let staff = identity::create_staff(&state.services, &auth.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(StaffCreated { staff })))
}

#[derive(Debug, Deserialize, ToSchema)]
struct ResetBody {
    /// 临时密码（下次登录须修改）
    temporary_password: String,
}

#[utoipa::path(
    post,
    path = "/admin/staff/{id}/reset-password",
    tag = "管理", request_body = ResetBody,
    params(("id" = String, Path)),
    responses((status = 204, description = "已重置，下次登录须修改密码"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_reset(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<StatusCode, ApiError> {
    identity::reset_staff_password(
        &state.services,
        &auth.actor,
        id(&raw)?,
        &body.temporary_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/admin/staff/{id}/deactivate",
    tag = "管理",
    params(("id" = String, Path)),
    responses((status = 204, description = "已停用"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn staff_deactivate(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    identity::deactivate_staff(&state.services, &auth.actor, id(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/admin/institutions",
    tag = "管理",
    responses((status = 200, description = "本机构的定点医药机构", body = InstitutionList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institutions(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<InstitutionList>, ApiError> {
    let institutions = identity::list_institutions(&state.services, &auth.actor).await?;
    Ok(Json(InstitutionList { institutions }))
}

#[utoipa::path(
    post,
    path = "/admin/institutions",
    tag = "管理", request_body = dto::NewInstitutionInput,
    responses((status = 201, description = "已新建", body = InstitutionCreated), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institution_create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewInstitutionInput>,
) -> Result<(StatusCode, Json<InstitutionCreated>), ApiError> {
    let institution = identity::create_institution(&state.services, &auth.actor, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(InstitutionCreated { institution }),
    ))
}

#[utoipa::path(
    get,
    path = "/admin/institutions/{code}/tokens",
    tag = "管理",
    params(("code" = String, Path)),
    responses((status = 200, description = "机构的接口令牌（不含令牌本身）", body = TokenList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn tokens(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = identity::list_tokens(&state.services, &auth.actor, &code).await?;
    Ok(Json(TokenList { tokens }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct TokenBody {
    /// 用途说明
    label: String,
    /// 有效天数，默认 90
    #[serde(default = "default_days")]
    #[schema(required = false, default = 90)]
    days: i64,
}

fn default_days() -> i64 {
    90
}

#[utoipa::path(
    post,
    path = "/admin/institutions/{code}/tokens",
    tag = "管理", request_body = TokenBody,
    params(("code" = String, Path)),
    responses((status = 201, description = "已签发；令牌只显示这一次", body = TokenIssued), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn token_create(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Json<TokenIssued>), ApiError> {
    let token =
        identity::create_token(&state.services, &auth.actor, &code, &body.label, body.days).await?;
    Ok((StatusCode::CREATED, Json(TokenIssued { token })))
}

#[utoipa::path(
    post,
    path = "/admin/tokens/{id}/revoke",
    tag = "管理",
    params(("id" = String, Path)),
    responses((status = 204, description = "已吊销"), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn token_revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    identity::revoke_token(&state.services, &auth.actor, id(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/admin/calendar",
    tag = "管理",
    responses((status = 200, description = "各年度节假日安排的来源与导入记录", body = dto::CalendarOverview), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn calendar_years(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<CalendarOverview>, ApiError> {
    auth.actor.staff_with(StaffRole::Admin)?;
    Ok(Json(calendar::admin_overview(&state.services).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct ImportBody {
    /// 该年度的节假日安排，格式同 data/calendar/（TOML）
    text: String,
    /// 导入说明（记入审计）
    #[serde(default)]
    #[schema(required = false)]
    note: String,
}

#[utoipa::path(
    post,
    path = "/admin/calendar",
    tag = "管理", request_body = ImportBody,
    responses((status = 200, description = "已导入", body = CalendarImported), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn calendar_import(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ImportBody>,
) -> Result<Json<CalendarImported>, ApiError> {
    let import = calendar::import(&state.services, &body.text, &auth.actor, &body.note).await?;
    Ok(Json(CalendarImported { import }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct PolicyBody {
    /// 一个政策版本，格式同 data/policy/（TOML）
    text: String,
}

#[utoipa::path(
    post,
    path = "/admin/benefit/policies",
    tag = "管理", request_body = PolicyBody,
    responses((status = 200, description = "已导入", body = BenefitImported), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn policy_import(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<Json<BenefitImported>, ApiError> {
    let import =
        yibao_service::benefit_data::import_policy(&state.services, &auth.actor, &body.text)
            .await?;
    Ok(Json(BenefitImported { import }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct CatalogueBody {
    region_code: String,
    version: u32,
    /// 目录 CSV，列见 docs/benefits.md（`yibao_domain::benefit::CSV_COLUMNS`）
    csv: String,
}

#[utoipa::path(
    post,
    path = "/admin/benefit/catalogues",
    tag = "管理", request_body = CatalogueBody,
    responses((status = 200, description = "已导入", body = BenefitImported), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn catalogue_import(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CatalogueBody>,
) -> Result<Json<BenefitImported>, ApiError> {
    let import = yibao_service::benefit_data::import_catalogue(
        &state.services,
        &auth.actor,
        &body.region_code,
        body.version,
        &body.csv,
    )
    .await?;
    Ok(Json(BenefitImported { import }))
}

#[utoipa::path(
    get,
    path = "/admin/benefit",
    tag = "管理",
    responses((status = 200, description = "待遇政策与医保目录的版本", body = BenefitOverview), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn benefit_overview(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<BenefitOverview>, ApiError> {
    let (policies, catalogues) =
        yibao_service::benefit_data::overview(&state.services, &auth.actor).await?;
    Ok(Json(BenefitOverview {
        policies,
        catalogues,
    }))
}
