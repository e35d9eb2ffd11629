//! Contributions (缴费), for staff: `POST /contributions/months` (finance: the month's dues and
//! account credits, idempotent), `POST /contributions/paid` (finance: the tax authority's paid
//! records, all rows or none), `GET /persons/{id}/contributions` and
//! `GET /employers/{id}/contributions` (the ledger, paged, with the year's totals and arrears; the
//! person themself, the unit's operators, or staff serving the region).

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_domain::staff::StaffRole;
use yibao_service::contribution::{self, Ledger, MonthRun, YearRun};

use super::{record_id, ApiJson, ApiQuery};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(run_month))
        .routes(routes!(run_resident_year))
        .routes(routes!(import_paid))
        .routes(routes!(person_ledger))
        .routes(routes!(employer_ledger))
}

/// 核定月份
#[derive(Debug, Deserialize, ToSchema)]
struct MonthInput {
    year: i32,
    /// 1–12
    month: u32,
}

/// 月度核定结果
#[derive(Serialize, ToSchema)]
pub struct MonthRunAnswer {
    /// YYYY-MM
    month: String,
    /// 本次新写入的应缴记录数
    written: u64,
    /// 此前已核定的记录数（重复核定不再写入）
    already: u64,
    /// 单位未申报当年缴费基数的在职职工人数（不作推定，未核定）
    no_base: u64,
    /// 所在统筹区无有效缴费政策的人数
    no_policy: u64,
    /// 本次应缴合计（分）
    due_fen: i64,
    /// 本次个人账户划入合计（分），已随应缴记录划入个人账户
    account_credit_fen: i64,
    /// 依据示例参数计算的记录数（页面须标明“示例参数”）
    example_lines: u64,
}

impl From<MonthRun> for MonthRunAnswer {
    fn from(r: MonthRun) -> Self {
        MonthRunAnswer {
            month: r.month,
            written: r.written,
            already: r.already,
            no_base: r.no_base,
            no_policy: r.no_policy,
            due_fen: r.due_fen,
            account_credit_fen: r.account_credit_fen,
            example_lines: r.example_lines,
        }
    }
}

#[utoipa::path(post, path = "/contributions/months", tag = "缴费", request_body = MonthInput,
    responses((status = 201, description = "已核定该月应缴及个人账户划入额（同一月份重复核定不重复写入）", body = MonthRunAnswer), (status = "4XX", description = "请求有误、未登录、无权：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn run_month(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<MonthInput>,
) -> Result<(StatusCode, Json<MonthRunAnswer>), ApiError> {
    let r = contribution::run_month(&state.services, &auth.actor, input.year, input.month).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// 核定年度（城乡居民个人缴费）
#[derive(Debug, Deserialize, ToSchema)]
struct YearInput {
    year: i32,
}

/// 城乡居民年度核定结果
#[derive(Serialize, ToSchema)]
pub struct YearRunAnswer {
    year: i32,
    /// 本次新写入的应缴记录数
    written: u64,
    /// 此前已核定的记录数（参保登记时或此前的年度核定）
    already: u64,
    /// 所在统筹区 1 月 1 日无有效缴费政策的人数
    no_policy: u64,
    /// 本次应缴合计（分）
    due_fen: i64,
    /// 依据示例参数计算的记录数（页面须标明“示例参数”）
    example_lines: u64,
}

impl From<YearRun> for YearRunAnswer {
    fn from(r: YearRun) -> Self {
        YearRunAnswer {
            year: r.year,
            written: r.written,
            already: r.already,
            no_policy: r.no_policy,
            due_fen: r.due_fen,
            example_lines: r.example_lines,
        }
    }
}

#[utoipa::path(post, path = "/contributions/resident-years", tag = "缴费", request_body = YearInput,
    responses((status = 201, description = "已核定该年度城乡居民个人缴费（重复核定不重复写入）", body = YearRunAnswer), (status = "4XX", description = "请求有误、未登录、无权：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn run_resident_year(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<YearInput>,
) -> Result<(StatusCode, Json<YearRunAnswer>), ApiError> {
    let r = contribution::run_resident_year(&state.services, &auth.actor, input.year).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// 税务实缴记录文件（multipart/form-data）
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form `import_paid` reads
struct PaidUpload {
    /// .xlsx 或 .csv；列：票据号、证件号码、缴费类型（单位职工/灵活就业人员/城乡居民）、费款所属期（YYYY-MM；城乡居民为年度，如 2026）、金额（元）、缴费日期
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// 导入结果
#[derive(Serialize, ToSchema)]
pub struct ImportAnswer {
    import_id: i64,
    rows: i64,
    total_fen: i64,
    /// 因当年个人缴费已足额到账而参保生效的城乡居民人数
    activated: u64,
}

#[utoipa::path(post, path = "/contributions/paid", tag = "缴费",
    request_body(content = PaidUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "已导入全部记录", body = ImportAnswer), (status = "4XX", description = "文件有问题时为 422，code=contribution.import.invalid，details.problems 逐行列出；未导入任何记录", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn import_paid(
    State(state): State<AppState>,
    auth: Auth,
    request: axum::extract::Request,
) -> Result<(StatusCode, Json<ImportAnswer>), ApiError> {
    // Who may import is settled before the body is read.
    auth.actor.staff_with(StaffRole::Finance)?;
    let bad = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, "http.bad_multipart", m.to_string());
    let mut multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|_| bad("请以 multipart/form-data 上传实缴记录文件（字段名 file）"))?;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad("上传内容格式不正确或超过大小限制"))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| bad("文件读取失败或超过大小限制"))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| bad("请上传实缴记录文件（.xlsx 或 .csv），字段名 file"))?;
    let r = contribution::import_paid(&state.services, &auth.actor, &name, &bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportAnswer {
            import_id: r.import_id,
            rows: r.rows,
            total_fen: r.total_fen,
            activated: r.activated,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LedgerQuery {
    /// 合计的年度（省略为今年）
    year: Option<i32>,
    /// 页码，从 1 开始，每页 50 条
    page: Option<i64>,
}

/// 缴费台账的一行
#[derive(Serialize, ToSchema)]
pub struct LedgerLine {
    person_id: i64,
    employer_id: Option<i64>,
    /// employee（单位职工）、flexible（灵活就业人员）或 retired（退休人员：无应缴，仅个人账户划入）
    kind: String,
    kind_label: String,
    /// YYYY-MM
    month: String,
    base_fen: i64,
    employer_fen: i64,
    person_fen: i64,
    total_fen: i64,
    paid_fen: i64,
    /// 欠费 = 应缴 − 实缴（不小于零）
    arrears_fen: i64,
    account_credit_fen: i64,
    /// 依据示例参数计算
    example: bool,
}

/// 年度合计
#[derive(Serialize, ToSchema)]
pub struct Totals {
    due_fen: i64,
    paid_fen: i64,
    arrears_fen: i64,
    account_credit_fen: i64,
}

/// 缴费台账（分页）
#[derive(Serialize, ToSchema)]
pub struct LedgerAnswer {
    lines: Vec<LedgerLine>,
    page: i64,
    year: i32,
    year_totals: Totals,
    /// 全部台账的欠费合计
    arrears_fen: i64,
}

impl From<Ledger> for LedgerAnswer {
    fn from(l: Ledger) -> Self {
        LedgerAnswer {
            lines: l
                .lines
                .into_iter()
                .map(|r| LedgerLine {
                    person_id: r.person_id,
                    employer_id: r.employer_id,
                    kind: r.kind.key().to_string(),
                    kind_label: r.kind.label().to_string(),
                    month: r.month,
                    base_fen: r.base_fen,
                    employer_fen: r.employer_fen,
                    person_fen: r.person_fen,
                    total_fen: r.total_fen,
                    paid_fen: r.paid_fen,
                    arrears_fen: (r.total_fen - r.paid_fen).max(0),
                    account_credit_fen: r.account_credit_fen,
                    example: r.example != 0,
                })
                .collect(),
            page: l.page,
            year: l.year,
            year_totals: Totals {
                due_fen: l.year_totals.due_fen,
                paid_fen: l.year_totals.paid_fen,
                arrears_fen: l.year_totals.arrears_fen,
                account_credit_fen: l.year_totals.account_credit_fen,
            },
            arrears_fen: l.arrears_fen,
        }
    }
}

#[utoipa::path(get, path = "/persons/{id}/contributions", tag = "缴费", params(("id" = String, Path), LedgerQuery),
    responses((status = 200, description = "参保人员的缴费台账：应缴、实缴、欠费、个人账户划入（本人或经办人员）", body = LedgerAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn person_ledger(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Json<LedgerAnswer>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let year = q
        .year
        .unwrap_or_else(|| state.services.clock().today().year());
    let l =
        contribution::person_ledger(&state.services, &auth.actor, id, year, q.page.unwrap_or(1))
            .await?;
    Ok(Json(l.into()))
}

#[utoipa::path(get, path = "/employers/{id}/contributions", tag = "缴费", params(("id" = String, Path), LedgerQuery),
    responses((status = 200, description = "参保单位的缴费台账：其职工的应缴、实缴、欠费（本单位经办人或经办人员）", body = LedgerAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn employer_ledger(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Json<LedgerAnswer>, ApiError> {
    let id = record_id(&id, "参保单位")?;
    let year = q
        .year
        .unwrap_or_else(|| state.services.clock().today().year());
    let l =
        contribution::employer_ledger(&state.services, &auth.actor, id, year, q.page.unwrap_or(1))
            .await?;
    Ok(Json(l.into()))
}
