//! Contribution years at retirement (退休人员缴费年限认定, seed 002 酉阳) and the payment for missing
//! years (单位退休人员不足年限补缴, seed 002; 职工基本医疗保险费趸缴, seed 001 十).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::dues::apply_rate;
use super::error::ContributionError;
use super::policy::ContributionPolicy;
use crate::ids::Sex;
use crate::money::Fen;

/// A period of work (first and last month, inclusive; the day of month is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// Months of a period that fall before `cutoff`'s month.
fn months_before(p: WorkPeriod, cutoff: NaiveDate) -> i64 {
    let last = month_index(p.to).min(month_index(cutoff) - 1);
    (last - month_index(p.from) + 1).max(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    /// 视同缴费年限: months of work before the policy's `deemed_before` date.
    pub deemed_months: u32,
    /// 实际缴费年限: months paid, as the ledger and transfers show.
    pub paid_months: u32,
    pub total_months: u32,
    pub required_months: u32,
    /// Months missing to the required years (0 when complete).
    pub shortfall_months: u32,
}

/// Recognises a retiree's contribution years: deemed months (work before `deemed_before`; work
/// from that month on counts only where paid) plus paid months, against the years the policy
/// requires for the person's sex. Only after retirement approval (seed 002 退休人员缴费年限认定
/// 办理条件「办理完退休审批手续后」).
pub fn recognise_years(
    sex: Sex,
    retired: bool,
    work_before_scheme: &[WorkPeriod],
    paid_months: u32,
    policy: &ContributionPolicy,
) -> Result<Recognition, ContributionError> {
    if !retired {
        return Err(ContributionError::new(
            "contribution.years.not_retired",
            "尚未办理完退休审批手续，不能认定缴费年限",
            "seed 002 退休人员缴费年限认定 办理条件「办理完退休审批手续后」",
        ));
    }
    let mut deemed: i64 = 0;
    for p in work_before_scheme {
        if p.to < p.from {
            return Err(ContributionError::new(
                "contribution.years.period",
                format!("工作时段 {} 至 {} 的结束早于开始", p.from, p.to),
                "",
            ));
        }
        deemed += months_before(*p, policy.years.deemed_before);
    }
    let deemed_months = u32::try_from(deemed).map_err(|_| ContributionError::overflow())?;
    let required_years = match sex {
        Sex::Male => policy.years.required_years_male,
        Sex::Female => policy.years.required_years_female,
    };
    let required_months = required_years * 12;
    let total_months = deemed_months
        .checked_add(paid_months)
        .ok_or_else(ContributionError::overflow)?;
    Ok(Recognition {
        deemed_months,
        paid_months,
        total_months,
        required_months,
        shortfall_months: required_months.saturating_sub(total_months),
    })
}

/// What the missing months cost, paid in one sum: per month the policy's shortfall rate of the
/// monthly base floor (the rate and base are 示例参数 unless the policy file says otherwise).
pub fn shortfall_payment(
    shortfall_months: u32,
    policy: &ContributionPolicy,
) -> Result<Fen, ContributionError> {
    let monthly = apply_rate(policy.base.monthly_floor, policy.years.shortfall_rate_bp)?;
    monthly
        .0
        .checked_mul(i64::from(shortfall_months))
        .map(Fen)
        .ok_or_else(ContributionError::overflow)
}
