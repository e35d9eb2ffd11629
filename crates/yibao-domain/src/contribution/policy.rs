//! Contribution policy (缴费政策参数) of one region and contribution year, as versioned,
//! effective-dated data (`data/policy/contribution/<region>/<year>.toml`).
//!
//! Units: amounts are integer fen; rates are basis points (`*_bp`, 10_000 = 100 %). Every
//! section carries `source` (where the figure comes from, with its POLICY-FACTS confidence) and
//! `example` (true = 示例参数: not found in an official source, shown so on every screen).
//! Unknown keys are refused, so a typo in an administrator's file is an error.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ContributionError;
use crate::benefit::AidCategory;
use crate::enrolment::flexible::Grade;
use crate::enrolment::resident::ResidentCategory;
use crate::ids::RegionCode;
use crate::money::Fen;

/// 100 % in basis points.
pub const FULL_BP: u32 = 10_000;

/// Amounts in a policy are bounded (10^10 fen = 100 million yuan) so that arithmetic on them
/// cannot overflow.
pub const MAX_POLICY_FEN: i64 = 10_000_000_000;

/// Monthly contribution base limits (缴费基数上下限) for employees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseLimits {
    pub monthly_floor: Fen,
    pub monthly_ceiling: Fen,
    pub source: String,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Rates of the employee scheme for employers' staff (单位缴费比例、个人缴费比例).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployeeRates {
    pub employer_rate_bp: u32,
    pub employee_rate_bp: u32,
    pub source: String,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One contribution grade (缴费档次) of individuals in the employee scheme (灵活就业人员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlexibleGrade {
    pub grade: Grade,
    pub monthly_base: Fen,
    pub rate_bp: u32,
    /// A supplementary rate collected with it (成都 大病医疗互助补充保险), rounded on its own.
    #[serde(default)]
    pub supplementary_rate_bp: u32,
    /// Part of the base credited to the personal account each month (0 = no account credit).
    pub account_rate_bp: u32,
    pub source: String,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The yearly individual contribution of the resident scheme for a grade and some categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentContribution {
    pub grade: Grade,
    /// Categories this amount is for; empty = every category not named by an earlier entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<ResidentCategory>,
    pub annual: Fen,
    pub source: String,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Monthly crediting of personal accounts (个人账户划入).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountCrediting {
    /// In-service employees: this part of their own contribution base a month.
    pub in_service_rate_bp: u32,
    /// Retirees: a fixed amount a month from the pooled fund.
    pub retiree_monthly: Fen,
    pub source: String,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How medical aid helps recipients with the resident contribution (资助参保).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyKind {
    /// 全额资助: the whole individual contribution.
    Full,
    /// 定额资助: a fixed amount, never more than the contribution.
    Fixed,
}

impl SubsidyKind {
    pub fn label(self) -> &'static str {
        match self {
            SubsidyKind::Full => "全额资助",
            SubsidyKind::Fixed => "定额资助",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AidSubsidyRule {
    pub categories: Vec<AidCategory>,
    pub kind: SubsidyKind,
    /// The fixed amount a year (`kind = "fixed"` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Fen>,
    pub source: String,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Contribution years at retirement (缴费年限) and what is paid for missing years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearsRule {
    pub required_years_male: u32,
    pub required_years_female: u32,
    /// Work before this date counts as deemed contribution years (视同缴费年限).
    #[serde(deserialize_with = "crate::toml_date::date")]
    pub deemed_before: NaiveDate,
    /// A missing month is paid (趸缴, 不足年限补缴) at this rate of the monthly base floor.
    pub shortfall_rate_bp: u32,
    pub source: String,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One version of a region's contribution parameters for a period (normally a contribution year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionPolicy {
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub base: BaseLimits,
    pub employee: EmployeeRates,
    pub flexible: Vec<FlexibleGrade>,
    pub resident: Vec<ResidentContribution>,
    pub account: AccountCrediting,
    pub aid_subsidy: Vec<AidSubsidyRule>,
    pub years: YearsRule,
}

impl ContributionPolicy {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_to.is_none_or(|to| date <= to)
    }

    pub fn flexible_grade(&self, grade: Grade) -> Option<&FlexibleGrade> {
        self.flexible.iter().find(|g| g.grade == grade)
    }

    /// The first entry for `grade` naming `category`, else the first for `grade` naming none.
    pub fn resident_for(
        &self,
        grade: Grade,
        category: ResidentCategory,
    ) -> Option<&ResidentContribution> {
        let of_grade = || self.resident.iter().filter(move |r| r.grade == grade);
        of_grade()
            .find(|r| r.categories.contains(&category))
            .or_else(|| of_grade().find(|r| r.categories.is_empty()))
    }

    pub fn aid_subsidy_for(&self, category: AidCategory) -> Option<&AidSubsidyRule> {
        self.aid_subsidy
            .iter()
            .find(|r| r.categories.contains(&category))
    }

    /// True when any figure of this version is a demo placeholder (示例参数).
    pub fn has_example(&self) -> bool {
        self.base.example
            || self.employee.example
            || self.flexible.iter().any(|g| g.example)
            || self.resident.iter().any(|r| r.example)
            || self.account.example
            || self.aid_subsidy.iter().any(|r| r.example)
            || self.years.example
    }

    /// Checks what serde cannot: dates in order, amounts in range, rates within 0–100 %,
    /// floor ≤ ceiling, one entry per grade, the fixed subsidy amount given exactly when fixed.
    pub fn validate(&self) -> Result<(), ContributionError> {
        let bad = |r: String| Err(ContributionError::policy(r));
        if self.effective_to.is_some_and(|to| to < self.effective_from) {
            return bad(format!(
                "生效日期 {} 晚于失效日期 {:?}",
                self.effective_from, self.effective_to
            ));
        }
        let amount = |what: &str, f: Fen| {
            if f.0 < 0 || f.0 > MAX_POLICY_FEN {
                return Err(ContributionError::policy(format!(
                    "{what} {} 分超出范围",
                    f.0
                )));
            }
            Ok(())
        };
        let rate = |what: &str, bp: u32| {
            if bp > FULL_BP {
                return Err(ContributionError::policy(format!(
                    "{what} {bp} 基点超过 100%（10000 基点）"
                )));
            }
            Ok(())
        };
        amount("缴费基数下限", self.base.monthly_floor)?;
        amount("缴费基数上限", self.base.monthly_ceiling)?;
        if self.base.monthly_floor > self.base.monthly_ceiling {
            return bad("缴费基数下限高于上限".to_string());
        }
        rate("单位缴费比例", self.employee.employer_rate_bp)?;
        rate("个人缴费比例", self.employee.employee_rate_bp)?;
        for (i, g) in self.flexible.iter().enumerate() {
            amount("灵活就业缴费基数", g.monthly_base)?;
            rate("灵活就业缴费比例", g.rate_bp)?;
            rate("灵活就业补充保险费率", g.supplementary_rate_bp)?;
            rate("灵活就业个人账户划入比例", g.account_rate_bp)?;
            if self.flexible[..i].iter().any(|o| o.grade == g.grade) {
                return bad(format!("灵活就业{}重复", g.grade.label()));
            }
        }
        for r in &self.resident {
            amount("城乡居民个人缴费", r.annual)?;
        }
        rate("在职职工个人账户划入比例", self.account.in_service_rate_bp)?;
        amount("退休人员个人账户月划入额", self.account.retiree_monthly)?;
        for (i, r) in self.aid_subsidy.iter().enumerate() {
            match (r.kind, r.amount) {
                (SubsidyKind::Full, None) => {}
                (SubsidyKind::Fixed, Some(a)) => amount("定额资助金额", a)?,
                _ => return bad("全额资助不写 amount，定额资助必须写 amount".to_string()),
            }
            for c in &r.categories {
                if self.aid_subsidy[..i]
                    .iter()
                    .any(|o| o.categories.contains(c))
                {
                    return bad(format!("资助参保对象“{}”出现在两条规则中", c.label()));
                }
            }
        }
        rate("不足年限补缴比例", self.years.shortfall_rate_bp)?;
        if self.years.required_years_male > 60 || self.years.required_years_female > 60 {
            return bad("规定缴费年限超过 60 年".to_string());
        }
        Ok(())
    }
}

/// The contribution policy of the most specific region containing `region`, in force on `date`;
/// among versions of that region the highest `version` (a corrected republication supersedes).
pub fn contribution_policy_for<'a>(
    sets: &'a [ContributionPolicy],
    region: &RegionCode,
    date: NaiveDate,
) -> Option<&'a ContributionPolicy> {
    sets.iter()
        .filter(|p| p.region.contains(region) && p.in_force_on(date))
        .max_by_key(|p| (!p.region.is_province_level(), p.version, p.effective_from))
}
