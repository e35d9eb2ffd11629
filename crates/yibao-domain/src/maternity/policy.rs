//! Maternity policy as data (`data/policy/maternity/<region>/<year>.toml`): who is eligible, the
//! claim window, the limits of the medical benefits, the leave days the allowance pays and who
//! receives it. Every figure carries its source; a figure no official source gives is marked
//! `example = true` (示例参数) in the file and on the pages.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{BenefitKind, FamilyPlanningOp, HospitalLevel, MaternityError, Payee};
use crate::{Fen, RegionCode};

/// The largest amount a policy file may state (1,000,000 元), so sums stay far inside i64.
const MAX_POLICY_FEN: i64 = 100_000_000;

/// One amount per hospital level: 一级, 二级, 三级 (fen).
pub type Limits = [i64; 3];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaternityPolicy {
    pub region: RegionCode,
    pub name: String,
    pub version: u32,
    #[serde(deserialize_with = "crate::toml_date::date")]
    pub effective_from: NaiveDate,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub effective_to: Option<NaiveDate>,
    /// True when any figure of the file is an example (示例参数).
    pub example: bool,
    #[serde(default)]
    pub sources: Vec<String>,
    pub eligibility: EligibilityRule,
    pub claim_window: ClaimWindow,
    pub allowance: AllowanceRule,
    pub leave: LeaveRule,
    pub medical: MedicalLimits,
}

/// 「足额连续缴满6个月生育保险费的次月起」 and what arrears do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRule {
    /// Months of full, continuous contributions immediately before the month of the event.
    pub continuous_months: u32,
    /// Arrears of at most this many months: paid after the arrears are made up (补缴后补发);
    /// more: the employer pays the benefit of the arrears period.
    pub arrears_back_pay_months: u32,
    /// Longer arrears: the employer pays the benefit of the arrears period (令181 art. 13).
    pub employer_pays_beyond: bool,
    pub source: String,
    pub example: bool,
}

/// 「生育保险待遇需在生产之日起90日内进行申报」.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimWindow {
    /// Calendar days after the event (the event's day not counted); `None`: no window stated.
    #[serde(default)]
    pub days: Option<u32>,
    /// The benefits the window applies to (seed 003: not 计划生育医疗费).
    #[serde(default)]
    pub benefits: Vec<BenefitKind>,
    /// A window ending on a non-working day ends on the next working day.
    pub extend_to_working_day: bool,
    pub source: String,
    pub example: bool,
}

/// 生育津贴 = 单位上年度职工月平均工资 ÷ `divisor_days` × leave days, paid to `payee`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowanceRule {
    pub payee: Payee,
    pub divisor_days: u32,
    pub source: String,
    pub payee_source: String,
    pub example: bool,
}

/// Leave days the allowance pays.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveRule {
    pub base_days: u32,
    /// Added once for a difficult birth or a caesarean (难产、剖宫产).
    pub complication_days: u32,
    /// Added for each baby beyond the first (多胞胎).
    pub per_extra_baby_days: u32,
    pub source: String,
    pub example: bool,
}

/// A miscarriage or induced termination from `from_weeks` of pregnancy: its leave days and its
/// limits. The band with the largest `from_weeks` not above the pregnancy's weeks applies.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeksBand {
    pub from_weeks: u32,
    pub leave_days: u32,
    pub limits: Limits,
    pub source: String,
    pub example: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryLimits {
    pub normal: Limits,
    pub difficult: Limits,
    pub caesarean: Limits,
    /// Added to the limit for each baby beyond the first.
    pub per_extra_baby: Limits,
    pub source: String,
    pub example: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationLimit {
    pub operation: FamilyPlanningOp,
    pub limits: Limits,
}

/// The medical benefits: the fund pays the costs up to the limit (限额内据实支付).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedicalLimits {
    pub prenatal_care: Limits,
    pub prenatal_source: String,
    pub prenatal_example: bool,
    pub delivery: DeliveryLimits,
    pub miscarriage: Vec<WeeksBand>,
    pub family_planning: Vec<OperationLimit>,
    pub family_planning_source: String,
    pub family_planning_example: bool,
}

impl MaternityPolicy {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_to.is_none_or(|to| date <= to)
    }

    pub fn limit(limits: &Limits, level: HospitalLevel) -> Fen {
        Fen(limits[level.index()])
    }

    /// The band of a miscarriage at `weeks` of pregnancy.
    pub fn miscarriage_band(&self, weeks: u32) -> Option<&WeeksBand> {
        self.medical
            .miscarriage
            .iter()
            .filter(|b| b.from_weeks <= weeks)
            .max_by_key(|b| b.from_weeks)
    }

    pub fn operation(&self, op: FamilyPlanningOp) -> Option<&OperationLimit> {
        self.medical
            .family_planning
            .iter()
            .find(|o| o.operation == op)
    }

    /// Every figure in range, the bands ordered from week 0, every operation priced once.
    pub fn validate(&self) -> Result<(), MaternityError> {
        let bad = |r: String| Err(MaternityError::Policy(r));
        if self.effective_to.is_some_and(|to| to < self.effective_from) {
            return bad(format!(
                "生效日期 {} 晚于失效日期 {:?}",
                self.effective_from, self.effective_to
            ));
        }
        let limits = |what: &str, l: &Limits| -> Result<(), MaternityError> {
            if l.iter().any(|f| *f < 0 || *f > MAX_POLICY_FEN) {
                return Err(MaternityError::Policy(format!(
                    "{what} 的限额 {l:?} 分超出范围（0 至 {MAX_POLICY_FEN} 分）"
                )));
            }
            Ok(())
        };
        limits("产前检查费", &self.medical.prenatal_care)?;
        let d = &self.medical.delivery;
        limits("顺产", &d.normal)?;
        limits("难产", &d.difficult)?;
        limits("剖宫产", &d.caesarean)?;
        limits("多胞胎每增加一胎", &d.per_extra_baby)?;
        if self.eligibility.continuous_months > 36 || self.eligibility.arrears_back_pay_months > 36
        {
            return bad("连续缴费月数或欠费月数超过 36 个月".into());
        }
        if self.allowance.divisor_days == 0 || self.allowance.divisor_days > 31 {
            return bad(format!(
                "生育津贴日工资折算天数 {} 不在 1 至 31 之间",
                self.allowance.divisor_days
            ));
        }
        let l = &self.leave;
        if l.base_days == 0 || l.base_days > 400 || l.complication_days > 100 {
            return bad(format!("产假天数 {} 超出范围", l.base_days));
        }
        if l.per_extra_baby_days > 100 {
            return bad("多胞胎增加的产假天数超出范围".into());
        }
        if self.claim_window.days.is_some_and(|d| d == 0 || d > 3650) {
            return bad("申报期限天数超出范围".into());
        }
        let bands = &self.medical.miscarriage;
        if bands.first().map(|b| b.from_weeks) != Some(0) {
            return bad("流产（引产）分段应从孕 0 周开始".into());
        }
        for w in bands.windows(2) {
            if w[1].from_weeks <= w[0].from_weeks {
                return bad("流产（引产）分段的起始孕周应递增".into());
            }
        }
        for b in bands {
            limits(&format!("孕{}周起的流产（引产）", b.from_weeks), &b.limits)?;
            if b.leave_days > 200 {
                return bad(format!("孕{}周起的流产假天数超出范围", b.from_weeks));
            }
        }
        for op in FamilyPlanningOp::ALL {
            let n = self
                .medical
                .family_planning
                .iter()
                .filter(|o| o.operation == *op)
                .count();
            if n != 1 {
                return bad(format!("计划生育手术“{}”应恰好列出一次", op.label()));
            }
        }
        for o in &self.medical.family_planning {
            limits(o.operation.label(), &o.limits)?;
        }
        Ok(())
    }
}

/// The version in force for `region` on `date`: the most specific region containing it, then
/// the highest version.
pub fn maternity_policy_for<'a>(
    policies: &'a [MaternityPolicy],
    region: &RegionCode,
    date: NaiveDate,
) -> Option<&'a MaternityPolicy> {
    policies
        .iter()
        .filter(|p| p.region.contains(region) && p.in_force_on(date))
        .max_by_key(|p| (!p.region.is_province_level(), p.version, p.effective_from))
}
