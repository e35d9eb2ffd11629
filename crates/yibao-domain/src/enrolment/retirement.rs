//! The statutory retirement age (法定退休年龄) under the gradual reform in force since
//! 2025-01-01: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13) and its
//! annexed tables. Men 60 → 63 and women on managerial or technical posts 55 → 58 by one month
//! every four months of birth from January 1965 / January 1970; women on production posts
//! 50 → 55 by one month every two months from January 1975.
//!
//! Not in POLICY-FACTS.md: transcribed from the decision as published; verify against the
//! official text before production use (docs/enrolment.md says so too).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::Sex;

/// Which original retirement age applies: it depends on sex and, for women, on the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetirementCategory {
    /// 男职工, originally 60
    Male,
    /// 女职工 管理和专业技术岗位 (原55周岁)
    FemaleManagerial,
    /// 女职工 生产和操作岗位 (原50周岁)
    FemaleProduction,
}

impl RetirementCategory {
    /// Women whose post is not stated are taken as managerial: the later age refuses no one
    /// the law would still admit.
    pub fn of(sex: Sex, post: Option<&str>) -> RetirementCategory {
        match sex {
            Sex::Male => RetirementCategory::Male,
            Sex::Female => match post.map(str::trim) {
                Some(p) if p.contains("生产") || p.contains("操作") || p == "production" => {
                    RetirementCategory::FemaleProduction
                }
                _ => RetirementCategory::FemaleManagerial,
            },
        }
    }

    fn parameters(self) -> (u32, i32, u32, u32) {
        // (original age in years, first affected birth year, months of birth per month of
        // delay, maximum delay in months)
        match self {
            RetirementCategory::Male => (60, 1965, 4, 36),
            RetirementCategory::FemaleManagerial => (55, 1970, 4, 36),
            RetirementCategory::FemaleProduction => (50, 1975, 2, 60),
        }
    }
}

/// The statutory retirement age in months for someone born on `birth`.
pub fn retirement_age_months(birth: NaiveDate, category: RetirementCategory) -> u32 {
    let (years, first_year, step, max) = category.parameters();
    let since = (birth.year() - first_year) * 12 + birth.month0() as i32;
    let delay = if since < 0 {
        0
    } else {
        (since as u32 / step + 1).min(max)
    };
    years * 12 + delay
}

/// The day the person reaches the statutory retirement age.
pub fn retirement_date(birth: NaiveDate, category: RetirementCategory) -> NaiveDate {
    birth
        .checked_add_months(Months::new(retirement_age_months(birth, category)))
        .unwrap_or(NaiveDate::MAX)
}

/// Whole years of age on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// How the age is written in a refusal: 60周岁 or 60周岁3个月.
pub fn age_label(months: u32) -> String {
    if months.is_multiple_of(12) {
        format!("{}周岁", months / 12)
    } else {
        format!("{}周岁{}个月", months / 12, months % 12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // Rows of the decision's annexed tables (出生时间 → 改革后法定退休年龄).
    #[test]
    fn annex_table_rows() {
        use RetirementCategory::*;
        for (birth, cat, months) in [
            (d(1964, 12, 1), Male, 720),
            (d(1965, 1, 1), Male, 721),
            (d(1965, 4, 30), Male, 721),
            (d(1965, 5, 1), Male, 722),
            (d(1976, 8, 1), Male, 755),
            (d(1976, 9, 1), Male, 756),
            (d(1990, 1, 1), Male, 756),
            (d(1969, 12, 1), FemaleManagerial, 660),
            (d(1970, 1, 1), FemaleManagerial, 661),
            (d(1981, 9, 1), FemaleManagerial, 696),
            (d(1974, 12, 1), FemaleProduction, 600),
            (d(1975, 1, 1), FemaleProduction, 601),
            (d(1975, 3, 1), FemaleProduction, 602),
            (d(1984, 12, 1), FemaleProduction, 660),
            (d(1995, 1, 1), FemaleProduction, 660),
        ] {
            assert_eq!(retirement_age_months(birth, cat), months, "{birth} {cat:?}");
        }
    }

    #[test]
    fn reaching_day_and_age() {
        let birth = d(1965, 1, 15);
        assert_eq!(
            retirement_date(birth, RetirementCategory::Male),
            d(2025, 2, 15)
        );
        assert_eq!(age_on(d(2010, 3, 1), d(2026, 2, 28)), 15);
        assert_eq!(age_on(d(2010, 3, 1), d(2026, 3, 1)), 16);
        assert_eq!(age_label(721), "60周岁1个月");
        assert_eq!(age_label(720), "60周岁");
    }

    #[test]
    fn unstated_post_takes_the_later_age() {
        assert_eq!(
            RetirementCategory::of(Sex::Female, None),
            RetirementCategory::FemaleManagerial
        );
        assert_eq!(
            RetirementCategory::of(Sex::Female, Some("生产和操作岗位")),
            RetirementCategory::FemaleProduction
        );
    }
}
