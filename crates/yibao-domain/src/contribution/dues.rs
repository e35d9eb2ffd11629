//! What is due each month (应缴), what remains unpaid (欠费), and what the personal account is
//! credited (个人账户划入), as pure functions of the policy and the facts.
//!
//! One rounding rule: an amount times a rate is rounded half up to the fen, once per product.

use serde::{Deserialize, Serialize};

use super::error::ContributionError;
use super::policy::{ContributionPolicy, SubsidyKind, FULL_BP};
use crate::benefit::AidCategory;
use crate::enrolment::flexible::Grade;
use crate::enrolment::resident::ResidentCategory;
use crate::money::Fen;

/// `amount × rate_bp / 10_000`, rounded half up to the fen. Negative amounts are refused.
pub fn apply_rate(amount: Fen, rate_bp: u32) -> Result<Fen, ContributionError> {
    if amount.0 < 0 || rate_bp > FULL_BP {
        return Err(ContributionError::overflow());
    }
    let product = i128::from(amount.0) * i128::from(rate_bp);
    let rounded = (product + 5_000) / 10_000;
    i64::try_from(rounded)
        .map(Fen)
        .map_err(|_| ContributionError::overflow())
}

/// How a declared wage became the contribution base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseAdjustment {
    /// Within the limits: the declared wage is the base.
    AsDeclared,
    /// Below the floor: raised to it (按下限核定).
    RaisedToFloor,
    /// Above the ceiling: lowered to it (按上限核定).
    LoweredToCeiling,
}

impl BaseAdjustment {
    pub fn label(self) -> &'static str {
        match self {
            BaseAdjustment::AsDeclared => "按申报工资核定",
            BaseAdjustment::RaisedToFloor => "低于下限，按下限核定",
            BaseAdjustment::LoweredToCeiling => "高于上限，按上限核定",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClampedBase {
    pub declared: Fen,
    pub base: Fen,
    pub adjustment: BaseAdjustment,
}

/// The monthly contribution base of an employee from the declared average monthly wage:
/// clamped to the policy's floor and ceiling (seed 001 九、参保单位缴费基数申报「核定应缴纳的医保费
/// 数额」; seed 002 年度工资申报). A wage equal to a limit is taken as declared.
pub fn clamp_base(
    declared: Fen,
    policy: &ContributionPolicy,
) -> Result<ClampedBase, ContributionError> {
    if declared.0 < 0 {
        return Err(ContributionError::new(
            "contribution.negative_wage",
            "申报的月平均工资不能为负数",
            "",
        ));
    }
    let (floor, ceiling) = (policy.base.monthly_floor, policy.base.monthly_ceiling);
    let (base, adjustment) = if declared < floor {
        (floor, BaseAdjustment::RaisedToFloor)
    } else if declared > ceiling {
        (ceiling, BaseAdjustment::LoweredToCeiling)
    } else {
        (declared, BaseAdjustment::AsDeclared)
    };
    Ok(ClampedBase {
        declared,
        base,
        adjustment,
    })
}

/// One month's dues of an employer's employee: the employer's and the employee's part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeDues {
    pub base: ClampedBase,
    pub employer: Fen,
    pub employee: Fen,
    pub total: Fen,
}

pub fn employee_dues(
    declared: Fen,
    policy: &ContributionPolicy,
) -> Result<EmployeeDues, ContributionError> {
    let base = clamp_base(declared, policy)?;
    let employer = apply_rate(base.base, policy.employee.employer_rate_bp)?;
    let employee = apply_rate(base.base, policy.employee.employee_rate_bp)?;
    let total = employer
        .checked_add(employee)
        .map_err(|_| ContributionError::overflow())?;
    Ok(EmployeeDues {
        base,
        employer,
        employee,
        total,
    })
}

fn no_grade(grade: Grade) -> ContributionError {
    ContributionError::new(
        "contribution.no_grade",
        format!("缴费政策中没有{}的缴费标准", grade.label()),
        "",
    )
}

/// One month's dues of an individual in the employee scheme (灵活就业人员) at a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlexibleDues {
    pub base: Fen,
    pub basic: Fen,
    /// 大病医疗互助补充保险 where the policy collects it with the basic contribution.
    pub supplementary: Fen,
    pub total: Fen,
}

/// The grade's base times its rate, and the supplementary rate rounded on its own (seed 001
/// 八、灵活就业人员缴纳职工医疗保险费「符合条件的出具缴费通知单」).
pub fn flexible_dues(
    grade: Grade,
    policy: &ContributionPolicy,
) -> Result<FlexibleDues, ContributionError> {
    let g = policy
        .flexible_grade(grade)
        .ok_or_else(|| no_grade(grade))?;
    let basic = apply_rate(g.monthly_base, g.rate_bp)?;
    let supplementary = apply_rate(g.monthly_base, g.supplementary_rate_bp)?;
    let total = basic
        .checked_add(supplementary)
        .map_err(|_| ContributionError::overflow())?;
    Ok(FlexibleDues {
        base: g.monthly_base,
        basic,
        supplementary,
        total,
    })
}

/// A resident's individual contribution for the year at a grade and category.
pub fn resident_dues(
    grade: Grade,
    category: ResidentCategory,
    policy: &ContributionPolicy,
) -> Result<Fen, ContributionError> {
    policy
        .resident_for(grade, category)
        .map(|r| r.annual)
        .ok_or_else(|| no_grade(grade))
}

/// Due against paid for one ledger line: arrears (欠费) when less was paid, an overpayment
/// when more. Never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Balance {
    pub arrears: Fen,
    pub overpaid: Fen,
}

pub fn balance(due: Fen, paid: Fen) -> Result<Balance, ContributionError> {
    let diff = due
        .checked_sub(paid)
        .map_err(|_| ContributionError::overflow())?;
    Ok(if diff.0 >= 0 {
        Balance {
            arrears: diff,
            overpaid: Fen::ZERO,
        }
    } else {
        Balance {
            arrears: Fen::ZERO,
            overpaid: Fen(diff
                .0
                .checked_neg()
                .ok_or_else(ContributionError::overflow)?),
        }
    })
}

/// Who a monthly account credit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Member {
    /// An employer's in-service employee, with the month's contribution base.
    InService { base: Fen },
    /// An individual in the employee scheme at a grade.
    Flexible { grade: Grade },
    /// A retiree of the employee scheme.
    Retired,
}

/// The month's personal-account credit (个人账户划入): in service, a part of the person's own
/// base; individuals, their grade's account rate on its base; retirees, a fixed amount.
pub fn account_credit(
    member: Member,
    policy: &ContributionPolicy,
) -> Result<Fen, ContributionError> {
    match member {
        Member::InService { base } => apply_rate(base, policy.account.in_service_rate_bp),
        Member::Flexible { grade } => {
            let g = policy
                .flexible_grade(grade)
                .ok_or_else(|| no_grade(grade))?;
            apply_rate(g.monthly_base, g.account_rate_bp)
        }
        Member::Retired => Ok(policy.account.retiree_monthly),
    }
}

/// The medical-aid subsidy of a recipient's resident contribution (seed 001 三十一、符合资助条件的
/// 救助对象参加城乡居民基本医疗保险个人缴费补贴; 国办发〔2021〕42号「全额资助特困人员，定额资助低保
/// 对象、返贫致贫人口」): the whole contribution, or the fixed amount but never more than was due.
pub fn aid_subsidy(
    category: AidCategory,
    contribution: Fen,
    policy: &ContributionPolicy,
) -> Result<Fen, ContributionError> {
    let rule = policy.aid_subsidy_for(category).ok_or_else(|| {
        ContributionError::new(
            "contribution.subsidy.not_eligible",
            format!("“{}”不在资助参保对象范围内", category.label()),
            "seed 001 三十一 服务对象「符合资助条件的城乡居民基本医疗保险参保人员」",
        )
    })?;
    Ok(match (rule.kind, rule.amount) {
        (SubsidyKind::Fixed, Some(a)) => a.min(contribution),
        _ => contribution,
    })
}
