//! Conditions of the contribution items that are not amounts: when back pay may reach, who
//! handles lump sums, when the annual declaration is due. Each cites its guide and item.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::ContributionError;
use crate::enrolment::Jurisdiction;

/// seed 002 单位补缴 办理条件 (1)「补缴时间不得早于2005年1月1日」.
pub const YOUYANG_BACK_PAY_EARLIEST: (i32, u32) = (2005, 1);

/// A month of contributions (缴费所属期), first day of the month.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// An employer's back pay (单位补缴) for the months `from`..=`to`: not before January 2005 in
/// 酉阳 (seed 002 单位补缴 办理条件 1), not after the current month, in order.
pub fn check_employer_back_pay(
    jurisdiction: Jurisdiction,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<(), Vec<ContributionError>> {
    let mut errors = Vec::new();
    if to < from {
        errors.push(ContributionError::new(
            "contribution.back_pay.order",
            "补缴止月早于起月",
            "",
        ));
    }
    if month_start(to) > month_start(today) {
        errors.push(ContributionError::new(
            "contribution.back_pay.future",
            format!(
                "补缴止月 {} 晚于本月，未到期的月份不能补缴",
                to.format("%Y-%m")
            ),
            "",
        ));
    }
    if jurisdiction == Jurisdiction::Youyang {
        let (y, m) = YOUYANG_BACK_PAY_EARLIEST;
        if (from.year(), from.month()) < (y, m) {
            errors.push(ContributionError::new(
                "contribution.back_pay.too_early",
                format!("补缴起月 {} 早于 2005 年 1 月", from.format("%Y-%m")),
                "seed 002 单位补缴 办理条件(1)「补缴时间不得早于2005年1月1日」",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A person's back pay of arrears (个人参保补缴, seed 002): the arrears of past years and of the
/// current year must first be verified (核销) before they can be paid.
pub fn check_personal_back_pay(arrears_verified: bool) -> Result<(), ContributionError> {
    if arrears_verified {
        Ok(())
    } else {
        Err(ContributionError::new(
            "contribution.personal_back_pay.unverified",
            "须先核销历年和当年的欠费信息，才能办理欠费补缴",
            "seed 002 个人参保补缴 办理条件「需先对历年和当年年度欠费信息进行核销，才能进行欠费补缴」",
        ))
    }
}

/// seed 002 个人参保一次性趸缴「2022年1月开始由税务办理」: from 2022-01-01 the 酉阳 agency no
/// longer takes lump-sum payments; the applicant goes to the tax office.
pub const YOUYANG_LUMP_SUM_TO_TAX: (i32, u32, u32) = (2022, 1, 1);

pub fn check_lump_sum(
    jurisdiction: Jurisdiction,
    today: NaiveDate,
) -> Result<(), ContributionError> {
    let (y, m, d) = YOUYANG_LUMP_SUM_TO_TAX;
    let handover = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    if jurisdiction == Jurisdiction::Youyang && today >= handover {
        return Err(ContributionError::new(
            "contribution.lump_sum.tax",
            "个人参保一次性趸缴自 2022 年 1 月起由税务部门办理，请到税务部门申请",
            "seed 002 个人参保一次性趸缴 办理条件「2022年1月开始由税务办理」",
        ));
    }
    Ok(())
}

/// When an annual wage declaration (年度工资申报) was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclarationTiming {
    OnTime,
    /// After the end of March of the year following the wages (酉阳 only).
    Late,
}

/// seed 002 年度工资申报「参保单位应于每年3月底前…申报上年度本单位职工工资总额」: the declaration of
/// `wage_year`'s wages is on time until 31 March of the next year. Other guides state no date.
pub fn declaration_timing(
    jurisdiction: Jurisdiction,
    wage_year: i32,
    today: NaiveDate,
) -> DeclarationTiming {
    let deadline = NaiveDate::from_ymd_opt(wage_year + 1, 3, 31).unwrap_or(NaiveDate::MAX);
    if jurisdiction == Jurisdiction::Youyang && today > deadline {
        DeclarationTiming::Late
    } else {
        DeclarationTiming::OnTime
    }
}
