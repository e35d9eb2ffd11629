//! Maternity insurance (生育保险): `GET /persons/{id}/maternity` — the person's claims and
//! allowances as paid (docs/maternity.md); the person themself or staff serving their region.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yibao_service::maternity::{self, BenefitRow, PersonMaternity};

use super::record_id;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(person_maternity))
}

/// 一项生育保险待遇（一个办件支付的）
#[derive(Serialize, ToSchema)]
pub struct MaternityBenefit {
    /// 办件编号
    case_number: String,
    /// 待遇：prenatal_care 产前检查费、delivery_costs 生育医疗费、family_planning_costs 计划生育医疗费、allowance 生育津贴、allowance_recalculation 生育津贴复算
    benefit: String,
    /// 待遇名称
    benefit_label: String,
    /// 待遇享受人：insured 参保人本人、spouse 参保职工的未就业配偶
    beneficiary: String,
    /// 生育类别：birth 分娩、miscarriage 流产（引产）、family_planning 计划生育手术
    event: String,
    /// 生育情况（生产方式、胎数、孕周或手术项目）
    event_text: String,
    /// 生产（手术）日期 YYYY-MM-DD
    event_date: String,
    /// 生育津贴的计发单位（参保单位 id）
    employer_id: Option<i64>,
    /// 计发工资年度
    wage_year: Option<i64>,
    /// 单位月平均缴费工资（分，四舍五入到分，仅供显示）
    average_wage_fen: Option<i64>,
    /// 产假天数（生育津贴）
    leave_days: Option<i64>,
    /// 医疗费用合计（分，医疗费待遇）
    costs_fen: Option<i64>,
    /// 限额（分，医疗费待遇）
    limit_fen: Option<i64>,
    /// 按规定计算的金额（分）：医疗费为支付额，生育津贴为津贴总额，复算为复算后的津贴总额
    amount_fen: i64,
    /// 复算前已发放的生育津贴（分）
    paid_before_fen: i64,
    /// 差额（分）：复算降低时为负数，不予发放也不追回
    difference_fen: i64,
    /// 本次支付（分）
    paid_fen: i64,
    /// 收款方：person 参保人个人银行账户、employer 参保单位银行账户
    payee: String,
    /// 收款账户（账号已遮蔽）
    payee_text: String,
    /// 依据的政策参数
    policy_name: String,
    /// 政策参数含示例参数（页面须标明“示例参数”）
    example: bool,
    created_at: String,
}

/// 参保人员的生育保险待遇
#[derive(Serialize, ToSchema)]
pub struct MaternityAnswer {
    person_id: i64,
    /// 生产（手术）日期由近及远
    benefits: Vec<MaternityBenefit>,
    /// 已支付合计（分）
    total_paid_fen: i64,
}

impl From<BenefitRow> for MaternityBenefit {
    fn from(r: BenefitRow) -> Self {
        MaternityBenefit {
            case_number: r.case_number,
            benefit: r.benefit.key().to_string(),
            benefit_label: r.benefit.label().to_string(),
            beneficiary: r.beneficiary.key().to_string(),
            event: r.event.key().to_string(),
            event_text: r.event_text,
            event_date: r.event_date,
            employer_id: r.employer_id,
            wage_year: r.wage_year,
            average_wage_fen: r.average_wage_fen,
            leave_days: r.leave_days,
            costs_fen: r.costs_fen,
            limit_fen: r.limit_fen,
            amount_fen: r.amount_fen,
            paid_before_fen: r.paid_before_fen,
            difference_fen: r.difference_fen,
            paid_fen: r.paid_fen,
            payee: r.payee.key().to_string(),
            payee_text: r.payee_text,
            policy_name: r.policy_name,
            example: r.example != 0,
            created_at: r.created_at,
        }
    }
}

impl From<PersonMaternity> for MaternityAnswer {
    fn from(p: PersonMaternity) -> Self {
        MaternityAnswer {
            person_id: p.person_id,
            benefits: p.benefits.into_iter().map(Into::into).collect(),
            total_paid_fen: p.total_paid_fen,
        }
    }
}

#[utoipa::path(get, path = "/persons/{id}/maternity", tag = "生育保险", params(("id" = String, Path)),
    responses((status = 200, description = "参保人员的生育保险待遇：产前检查费、生育医疗费、计划生育医疗费、生育津贴及其复算（本人或经办人员）", body = MaternityAnswer), (status = "4XX", description = "请求有误、未登录、无权或不存在：{code, message, details}", body = crate::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
async fn person_maternity(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<MaternityAnswer>, ApiError> {
    let id = record_id(&id, "参保人员")?;
    let m = maternity::for_person(&state.services, &auth.actor, id).await?;
    Ok(Json(m.into()))
}
