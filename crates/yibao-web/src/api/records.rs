//! Registry records under the access rules: `GET /persons` (staff, masked), `GET /persons/{id}`,
//! `GET /me/person` (a citizen's own), `GET /employers`, `GET /employers/{id}`,
//! `GET|POST /employers/{id}/operators`, `GET /institution/me`, `GET /persons/{id}/account`
//! (the personal account's statement, docs/accounts.md).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::identity::{self, InstitutionActor, NewOperatorInput, OperatorRow};
use yibao_service::records::{self, EmployerListItem, EmployerRow, PersonListItem, PersonRow};

use super::{dto, record_id, ApiJson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(persons))
        .routes(routes!(person))
        .routes(routes!(account_statement))
        .routes(routes!(my_person))
        .routes(routes!(employers))
        .routes(routes!(employer))
        .routes(routes!(operators, add_operator))
        .routes(routes!(institution_me))
}

/// 参保人员列表（号码已遮蔽）
#[derive(Serialize, ToSchema)]
pub struct PersonList {
    #[schema(value_type = Vec<dto::PersonListItem>)]
    persons: Vec<PersonListItem>,
    /// 符合条件的人数（本页之外）
    total: i64,
    /// 第几页（每页 50 条）
    page: i64,
}

/// 列表查询：包含此文字（姓名、证件号码或统一社会信用代码），第几页（默认 1，每页 50 条）
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
}

/// 个人账户明细的查询条件：年度（默认当年），翻页用上一页的 next_before，每页条数（默认20，最多100）
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    pub year: Option<i64>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// 个人账户：状态、余额、年度合计、明细（最新在前，分页）、向他人提供与使用他人的关联
#[derive(Serialize, ToSchema)]
pub struct AccountStatementAnswer {
    #[schema(value_type = dto::AccountStatement)]
    account: yibao_service::account::Statement,
}

#[utoipa::path(
    get,
    path = "/persons/{id}/account",
    tag = "参保登记记录",
    params(("id" = String, Path), StatementQuery),
    responses((status = 200, description = "个人账户明细", body = AccountStatementAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn account_statement(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    super::ApiQuery(q): super::ApiQuery<StatementQuery>,
) -> Result<Json<AccountStatementAnswer>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let year = q
        .year
        .unwrap_or_else(|| i64::from(chrono::Datelike::year(&state.services.clock().today())));
    let account = yibao_service::account::statement(
        &state.services,
        &auth.actor,
        id,
        year,
        q.before,
        q.limit.unwrap_or(20),
    )
    .await?;
    Ok(Json(AccountStatementAnswer { account }))
}

/// 参保人员
#[derive(Serialize, ToSchema)]
pub struct PersonAnswer {
    #[schema(value_type = dto::PersonRow)]
    person: PersonRow,
}

/// 本人的参保人员信息（未参保时为 null）
#[derive(Serialize, ToSchema)]
pub struct MyPerson {
    #[schema(value_type = Option<dto::PersonRow>)]
    person: Option<PersonRow>,
}

/// 参保单位列表
#[derive(Serialize, ToSchema)]
pub struct EmployerList {
    #[schema(value_type = Vec<dto::EmployerListItem>)]
    employers: Vec<EmployerListItem>,
    /// 符合条件的单位数（本页之外）
    total: i64,
    /// 第几页（每页 50 条）
    page: i64,
}

/// 参保单位
#[derive(Serialize, ToSchema)]
pub struct EmployerAnswer {
    #[schema(value_type = dto::EmployerRow)]
    employer: EmployerRow,
}

/// 单位经办人
#[derive(Serialize, ToSchema)]
pub struct OperatorList {
    #[schema(value_type = Vec<dto::OperatorRow>)]
    operators: Vec<OperatorRow>,
}

/// 新添加的经办人
#[derive(Serialize, ToSchema)]
pub struct OperatorAdded {
    #[schema(value_type = dto::OperatorRow)]
    operator: OperatorRow,
}

/// 调用接口的定点医药机构
#[derive(Serialize, ToSchema)]
pub struct InstitutionMe {
    #[schema(value_type = dto::InstitutionActor)]
    institution: InstitutionActor,
}

#[utoipa::path(
    get,
    path = "/persons",
    tag = "参保登记记录",
    params(SearchQuery),
    responses((status = 200, description = "本机构区划内的参保人员（号码已遮蔽）", body = PersonList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn persons(
    State(state): State<AppState>,
    auth: Auth,
    super::ApiQuery(q): super::ApiQuery<SearchQuery>,
) -> Result<Json<PersonList>, ApiError> {
    let found = records::list_persons(
        &state.services,
        &auth.actor,
        &yibao_service::paging::search_text(q.q.as_deref()),
        yibao_service::paging::Span::page(q.page.as_deref()),
    )
    .await?;
    Ok(Json(PersonList {
        total: found.total,
        page: found.page,
        persons: found.items,
    }))
}

#[utoipa::path(
    get,
    path = "/persons/{id}",
    tag = "参保登记记录",
    params(("id" = String, Path)),
    responses((status = 200, description = "参保人员", body = PersonAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<PersonAnswer>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let person = records::person(&state.services, &auth.actor, id).await?;
    Ok(Json(PersonAnswer { person }))
}

#[utoipa::path(
    get,
    path = "/me/person",
    tag = "参保登记记录",
    responses((status = 200, description = "本人的参保人员信息", body = MyPerson), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn my_person(State(state): State<AppState>, auth: Auth) -> Result<Json<MyPerson>, ApiError> {
    let person = records::my_person(&state.services, &auth.actor).await?;
    Ok(Json(MyPerson { person }))
}

#[utoipa::path(
    get,
    path = "/employers",
    tag = "参保登记记录",
    params(SearchQuery),
    responses((status = 200, description = "参保单位", body = EmployerList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn employers(
    State(state): State<AppState>,
    auth: Auth,
    super::ApiQuery(q): super::ApiQuery<SearchQuery>,
) -> Result<Json<EmployerList>, ApiError> {
    let found = records::list_employers(
        &state.services,
        &auth.actor,
        &yibao_service::paging::search_text(q.q.as_deref()),
        yibao_service::paging::Span::page(q.page.as_deref()),
    )
    .await?;
    Ok(Json(EmployerList {
        total: found.total,
        page: found.page,
        employers: found.items,
    }))
}

#[utoipa::path(
    get,
    path = "/employers/{id}",
    tag = "参保登记记录",
    params(("id" = String, Path)),
    responses((status = 200, description = "参保单位", body = EmployerAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn employer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<EmployerAnswer>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let employer = records::employer(&state.services, &auth.actor, id).await?;
    Ok(Json(EmployerAnswer { employer }))
}

#[utoipa::path(
    get,
    path = "/employers/{id}/operators",
    tag = "参保登记记录",
    params(("id" = String, Path)),
    responses((status = 200, description = "单位经办人", body = OperatorList), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn operators(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<OperatorList>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let operators = identity::list_operators(&state.services, &auth.actor, id).await?;
    Ok(Json(OperatorList { operators }))
}

#[utoipa::path(
    post,
    path = "/employers/{id}/operators",
    tag = "参保登记记录", request_body = dto::NewOperatorInput,
    params(("id" = String, Path)),
    responses((status = 201, description = "已添加", body = OperatorAdded), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn add_operator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewOperatorInput>,
) -> Result<(StatusCode, Json<OperatorAdded>), ApiError> {
    let id = record_id(&id, "参保单位")?;
    let operator = identity::add_operator(&state.services, &auth.actor, id, &body).await?;
    Ok((StatusCode::CREATED, Json(OperatorAdded { operator })))
}

#[utoipa::path(
    get,
    path = "/institution/me",
    tag = "参保登记记录",
    responses((status = 200, description = "调用接口的定点医药机构", body = InstitutionMe), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn institution_me(auth: Auth) -> Result<Json<InstitutionMe>, ApiError> {
    let institution = auth.actor.institution()?.clone();
    Ok(Json(InstitutionMe { institution }))
}
