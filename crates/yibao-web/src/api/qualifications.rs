//! Qualifications and medical aid (issue #19, docs/qualifications.md):
//! `GET /persons/{id}/qualifications` (the person's 门诊慢特病/特病 qualifications, aid
//! recognitions and the year's aid total; the person and staff serving their region) and
//! `POST /persons/{id}/aid-statuses` (a clerk records an aid recognition).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::aid::{self, AidStatusInput, PersonQualifications};

use super::{dto, record_id, ApiJson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person_qualifications))
        .routes(routes!(record_aid_status))
}

/// 参保人的门诊慢特病（特病）资格、医疗救助身份及本年度医疗救助合计
#[derive(Serialize, ToSchema)]
pub struct QualificationsAnswer {
    #[schema(value_type = dto::PersonQualifications)]
    person: PersonQualifications,
}

#[utoipa::path(
    get,
    path = "/persons/{id}/qualifications",
    tag = "待遇资格",
    params(("id" = String, Path)),
    responses((status = 200, description = "资格认定记录与医疗救助身份", body = QualificationsAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn person_qualifications(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<QualificationsAnswer>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let person = aid::person_view(&state.services, &auth.actor, id).await?;
    Ok(Json(QualificationsAnswer { person }))
}

/// 医疗救助身份认定（由认定部门作出，窗口据认定结果登记）
#[derive(Deserialize, ToSchema)]
pub struct AidStatusBody {
    /// 救助类别：特困、低保、返贫致贫、低保边缘、易返贫致贫、因病致贫（或 extreme_poverty 等代码）
    category: String,
    /// 认定部门及依据
    source: String,
    /// 起始日期
    #[schema(value_type = String, format = Date)]
    valid_from: chrono::NaiveDate,
    /// 终止日期（含）；到期须重新认定
    #[schema(value_type = String, format = Date)]
    valid_to: chrono::NaiveDate,
}

/// 已登记的医疗救助身份
#[derive(Serialize, ToSchema)]
pub struct AidStatusRecorded {
    /// 类别代码
    category: String,
    /// 类别名称
    category_label: String,
    source: String,
    #[schema(value_type = String, format = Date)]
    valid_from: chrono::NaiveDate,
    #[schema(value_type = String, format = Date)]
    valid_to: chrono::NaiveDate,
}

#[utoipa::path(
    post,
    path = "/persons/{id}/aid-statuses",
    tag = "待遇资格",
    params(("id" = String, Path)),
    request_body = AidStatusBody,
    responses((status = 200, description = "已登记（窗口受理人员）", body = AidStatusRecorded), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
async fn record_aid_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AidStatusBody>,
) -> Result<Json<AidStatusRecorded>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let s = aid::record_status(
        &state.services,
        &auth.actor,
        id,
        &AidStatusInput {
            category: body.category,
            source: body.source,
            valid_from: body.valid_from,
            valid_to: body.valid_to,
        },
    )
    .await?;
    Ok(Json(AidStatusRecorded {
        category: s.category.key().to_string(),
        category_label: s.category.label().to_string(),
        source: s.source,
        valid_from: s.valid_from,
        valid_to: s.valid_to,
    }))
}
