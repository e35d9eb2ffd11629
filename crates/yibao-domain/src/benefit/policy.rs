//! Policy parameters (待遇参数) of one pooling region, as versioned, effective-dated data.
//!
//! Units: every amount is integer fen (分); every ratio is basis points (`*_bp`, 10_000 = 100 %).
//! Every struct refuses unknown keys, so a typo in an administrator's file is an error.
//! `example = true` plus a `note` marks a value that is a demo placeholder, not official policy.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::BenefitError;
use super::ratio::FULL_BP;
use crate::ids::RegionCode;
use crate::money::Fen;

/// Insurance scheme and status of the person (险种 + 人员类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// 职工基本医疗保险（在职）, insutype 310
    EmployeeInService,
    /// 职工基本医疗保险（退休）, insutype 310
    EmployeeRetired,
    /// 城乡居民基本医疗保险, insutype 390
    Resident,
}

impl Scheme {
    pub const ALL: [Scheme; 3] = [
        Scheme::EmployeeInService,
        Scheme::EmployeeRetired,
        Scheme::Resident,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Scheme::EmployeeInService => "职工医保在职",
            Scheme::EmployeeRetired => "职工医保退休",
            Scheme::Resident => "城乡居民医保",
        }
    }
}

/// Visit type (医疗类别, med_type). The national codes are accepted as aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitType {
    /// 普通门诊, med_type 11
    #[serde(alias = "11")]
    GeneralOutpatient,
    /// 门诊慢特病 (特病门诊), med_type 14
    #[serde(alias = "14", alias = "special_disease_outpatient")]
    ChronicOutpatient,
    /// 住院, med_type 21
    #[serde(alias = "21")]
    Inpatient,
    /// 生育, med_type 51–53
    #[serde(alias = "51", alias = "52", alias = "53")]
    Maternity,
}

impl VisitType {
    pub const ALL: [VisitType; 4] = [
        VisitType::GeneralOutpatient,
        VisitType::ChronicOutpatient,
        VisitType::Inpatient,
        VisitType::Maternity,
    ];

    pub fn label(self) -> &'static str {
        match self {
            VisitType::GeneralOutpatient => "普通门诊",
            VisitType::ChronicOutpatient => "门诊慢特病",
            VisitType::Inpatient => "住院",
            VisitType::Maternity => "生育",
        }
    }
}

/// Hospital level (医疗机构等级). `primary` is 基层 (community health centres, township hospitals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HospitalLevel {
    #[serde(rename = "primary")]
    Primary,
    #[serde(rename = "level_1")]
    Level1,
    #[serde(rename = "level_2")]
    Level2,
    #[serde(rename = "level_3")]
    Level3,
}

impl HospitalLevel {
    pub fn label(self) -> &'static str {
        match self {
            HospitalLevel::Primary => "基层医疗机构",
            HospitalLevel::Level1 => "一级医疗机构",
            HospitalLevel::Level2 => "二级医疗机构",
            HospitalLevel::Level3 => "三级医疗机构",
        }
    }
}

/// Where the deductible (起付线) is counted: once per admission or once per calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductibleScope {
    PerAdmission,
    PerYear,
}

impl DeductibleScope {
    pub fn label(self) -> &'static str {
        match self {
            DeductibleScope::PerAdmission => "每次住院",
            DeductibleScope::PerYear => "每年度",
        }
    }
}

/// One segment of a banded ratio: applies to the part of the amount up to `up_to` (cumulative,
/// fen) not covered by earlier bands; the last band has no `up_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<Fen>,
    pub ratio_bp: u32,
}

/// Ratio change for care elsewhere: first `multiplier_bp` (rounded half up to a basis point),
/// then `points_bp` added (negative = a cut of that many basis points; -1000 = 10 percentage
/// points), clamped to 0–100 %.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatioAdjustment {
    #[serde(default)]
    pub points_bp: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier_bp: Option<u32>,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl RatioAdjustment {
    pub fn apply(&self, ratio_bp: u32) -> u32 {
        let mut r = i64::from(ratio_bp);
        if let Some(m) = self.multiplier_bp {
            r = (r * i64::from(m) + 5_000) / 10_000;
        }
        (r + i64::from(self.points_bp)).clamp(0, i64::from(FULL_BP)) as u32
    }
}

/// Adjustments for care outside the pooling region (异地就医). Cross-province care uses the care
/// region's catalogue and the insured region's deductible, ratio and cap (医保发〔2022〕22号), so
/// only the ratio is adjusted here. Emergency care counts as filed (视同已备案): the caller sets
/// `filed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustments {
    /// 跨省异地就医，已备案
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_province_filed: Option<RatioAdjustment>,
    /// 跨省异地就医，未备案
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_province_unfiled: Option<RatioAdjustment>,
    /// 省内异地就医，未备案
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_province_unfiled: Option<RatioAdjustment>,
}

/// The basic-insurance rule for one scheme, one visit type and some hospital levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitRule {
    pub scheme: Scheme,
    pub visit: VisitType,
    /// Levels this rule covers; empty = every level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<HospitalLevel>,
    /// Diseases (codes of the disease lists, data/diseases/) this rule is for; empty = the
    /// general rule. A disease's own rule comes before the general one for a visit settled under
    /// a qualification for that disease; give it its own `pool` for its own deductible and cap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diseases: Vec<String>,
    /// Name of the annual-cap and per-year-deductible counter this rule uses (e.g. `inpatient`
    /// shared by inpatient and chronic outpatient, `outpatient` for 门诊共济).
    pub pool: String,
    pub deductible: Fen,
    pub deductible_scope: DeductibleScope,
    /// A single ratio, or …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_bp: Option<u32>,
    /// … bands over the amount above the deductible in one bill.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
    /// Annual cap of the pooled fund for `pool`; absent = no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cap: Option<Fen>,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl BenefitRule {
    pub fn covers(&self, scheme: Scheme, visit: VisitType, level: HospitalLevel) -> bool {
        self.scheme == scheme
            && self.visit == visit
            && (self.levels.is_empty() || self.levels.contains(&level))
    }
}

/// Critical-illness insurance (大病保险; for employees 职工大额医疗补助): pays `bands` on the
/// person's in-scope self-payment of the year above `threshold`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticalIllnessRule {
    pub schemes: Vec<Scheme>,
    /// Visit types whose in-scope self-payment counts and is paid; empty = all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<VisitType>,
    pub threshold: Fen,
    /// Bands over the yearly amount above the threshold (`up_to` measured from the threshold).
    pub bands: Vec<Band>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cap: Option<Fen>,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CriticalIllnessRule {
    pub fn counts(&self, visit: VisitType) -> bool {
        self.visits.is_empty() || self.visits.contains(&visit)
    }
}

/// Medical-aid recipient categories (医疗救助对象, 国办发〔2021〕42号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AidCategory {
    /// 特困人员
    ExtremePoverty,
    /// 低保对象
    MinimumLiving,
    /// 返贫致贫人口
    PovertyRelapse,
    /// 低保边缘家庭成员
    MarginalLowIncome,
    /// 纳入监测范围的农村易返贫致贫人口
    MonitoredRural,
    /// 因病致贫重病患者
    IllnessImpoverished,
}

impl AidCategory {
    pub fn label(self) -> &'static str {
        match self {
            AidCategory::ExtremePoverty => "特困人员",
            AidCategory::MinimumLiving => "低保对象",
            AidCategory::PovertyRelapse => "返贫致贫人口",
            AidCategory::MarginalLowIncome => "低保边缘家庭成员",
            AidCategory::MonitoredRural => "农村易返贫致贫人口",
            AidCategory::IllnessImpoverished => "因病致贫重病患者",
        }
    }

    /// Every category, in the order of 国办发〔2021〕42号 (also the order of precedence when a
    /// person holds more than one: the first is the most favourable).
    pub const ALL: [AidCategory; 6] = [
        AidCategory::ExtremePoverty,
        AidCategory::MinimumLiving,
        AidCategory::PovertyRelapse,
        AidCategory::MarginalLowIncome,
        AidCategory::MonitoredRural,
        AidCategory::IllnessImpoverished,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AidCategory::ExtremePoverty => "extreme_poverty",
            AidCategory::MinimumLiving => "minimum_living",
            AidCategory::PovertyRelapse => "poverty_relapse",
            AidCategory::MarginalLowIncome => "marginal_low_income",
            AidCategory::MonitoredRural => "monitored_rural",
            AidCategory::IllnessImpoverished => "illness_impoverished",
        }
    }

    /// By key or Chinese label (特困人员 / 特困 …).
    pub fn parse(text: &str) -> Option<AidCategory> {
        let t = text.trim();
        AidCategory::ALL
            .into_iter()
            .find(|c| c.key() == t || c.label() == t || c.short() == t)
    }

    /// The short name the issue and clerks use (特困, 低保, 返贫致贫, 低保边缘, 易返贫致贫, 因病致贫).
    pub fn short(self) -> &'static str {
        match self {
            AidCategory::ExtremePoverty => "特困",
            AidCategory::MinimumLiving => "低保",
            AidCategory::PovertyRelapse => "返贫致贫",
            AidCategory::MarginalLowIncome => "低保边缘",
            AidCategory::MonitoredRural => "易返贫致贫",
            AidCategory::IllnessImpoverished => "因病致贫",
        }
    }
}

impl TryFrom<String> for AidCategory {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AidCategory::parse(&s).ok_or_else(|| format!("unknown aid category {s}"))
    }
}

/// Medical aid (医疗救助): `ratio_bp` of the in-scope self-payment left after basic and
/// critical-illness insurance, up to `annual_cap` a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AidRule {
    pub categories: Vec<AidCategory>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<VisitType>,
    pub ratio_bp: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cap: Option<Fen>,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the personal account (个人账户) may pay for, per scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRule {
    pub schemes: Vec<Scheme>,
    /// The in-scope self-payment left after the funds (deductible, co-payment, above the cap).
    pub pays_in_scope_self_pay: bool,
    /// The category-B self-pay share (乙类先自付).
    pub pays_category_b: bool,
    /// Category-C amounts and the part above price caps (全自费、超限价).
    pub pays_out_of_scope: bool,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One version of a region's policy parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySet {
    /// Insured region (参保地) whose policy this is.
    pub region: RegionCode,
    pub name: String,
    pub version: u32,
    #[serde(deserialize_with = "crate::toml_date::date")]
    pub effective_from: NaiveDate,
    /// Last day in force (inclusive); absent = open-ended.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub effective_to: Option<NaiveDate>,
    #[serde(default)]
    pub example: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub rules: Vec<BenefitRule>,
    #[serde(default)]
    pub adjustments: Adjustments,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub critical_illness: Vec<CriticalIllnessRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub medical_aid: Vec<AidRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personal_account: Vec<AccountRule>,
}

/// Amounts in a policy are bounded so that engine arithmetic cannot overflow.
const MAX_POLICY_FEN: i64 = 10_000_000_000_000;

impl PolicySet {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_to.is_none_or(|to| date <= to)
    }

    /// The general basic-insurance rule for a visit: the first rule for no particular disease
    /// that covers it.
    pub fn rule(
        &self,
        scheme: Scheme,
        visit: VisitType,
        level: HospitalLevel,
    ) -> Option<&BenefitRule> {
        self.rule_for(scheme, visit, level, None)
    }

    /// The rule for a visit settled for `disease`: the first covering rule set for that disease,
    /// else the general rule.
    pub fn rule_for(
        &self,
        scheme: Scheme,
        visit: VisitType,
        level: HospitalLevel,
        disease: Option<&str>,
    ) -> Option<&BenefitRule> {
        disease
            .and_then(|d| {
                self.rules
                    .iter()
                    .find(|r| r.covers(scheme, visit, level) && r.diseases.iter().any(|x| x == d))
            })
            .or_else(|| {
                self.rules
                    .iter()
                    .find(|r| r.covers(scheme, visit, level) && r.diseases.is_empty())
            })
    }

    pub fn critical_illness_for(&self, scheme: Scheme) -> Option<&CriticalIllnessRule> {
        self.critical_illness
            .iter()
            .find(|c| c.schemes.contains(&scheme))
    }

    pub fn aid_for(&self, category: AidCategory, visit: VisitType) -> Option<&AidRule> {
        self.medical_aid.iter().find(|a| {
            a.categories.contains(&category) && (a.visits.is_empty() || a.visits.contains(&visit))
        })
    }

    pub fn account_for(&self, scheme: Scheme) -> Option<&AccountRule> {
        self.personal_account
            .iter()
            .find(|a| a.schemes.contains(&scheme))
    }

    /// Checks what serde cannot: ratios within 0–100 %, bands ordered, one ratio form per rule,
    /// non-negative amounts, dates in order.
    pub fn validate(&self) -> Result<(), BenefitError> {
        let bad = |reason: String| Err(BenefitError::PolicyInvalid { reason });
        if self.effective_to.is_some_and(|to| to < self.effective_from) {
            return bad(format!(
                "生效日期 {} 晚于失效日期 {:?}",
                self.effective_from, self.effective_to
            ));
        }
        let amount = |what: &str, f: Fen| -> Result<(), BenefitError> {
            if f.0 < 0 || f.0 > MAX_POLICY_FEN {
                return Err(BenefitError::PolicyInvalid {
                    reason: format!("{what}金额 {} 分超出范围", f.0),
                });
            }
            Ok(())
        };
        for (i, r) in self.rules.iter().enumerate() {
            let at = format!(
                "第 {} 条支付规则（{}·{}）",
                i + 1,
                r.scheme.label(),
                r.visit.label()
            );
            amount(&format!("{at}起付线"), r.deductible)?;
            if let Some(cap) = r.annual_cap {
                amount(&format!("{at}封顶线"), cap)?;
            }
            match (r.ratio_bp, r.bands.is_empty()) {
                (Some(bp), true) => check_ratio(&at, bp)?,
                (None, false) => check_bands(&at, &r.bands)?,
                _ => return bad(format!("{at}须且只能给出 ratio_bp 或 bands 之一")),
            }
            if r.pool.trim().is_empty() {
                return bad(format!("{at}缺少 pool（累计池名称）"));
            }
        }
        for adj in [
            &self.adjustments.cross_province_filed,
            &self.adjustments.cross_province_unfiled,
            &self.adjustments.in_province_unfiled,
        ]
        .into_iter()
        .flatten()
        {
            if adj.points_bp.unsigned_abs() > FULL_BP
                || adj.multiplier_bp.is_some_and(|m| m > FULL_BP)
            {
                return bad("异地就医比例调整超出 0–100%".to_string());
            }
        }
        for c in &self.critical_illness {
            amount("大病保险起付线", c.threshold)?;
            if let Some(cap) = c.annual_cap {
                amount("大病保险封顶线", cap)?;
            }
            check_bands("大病保险", &c.bands)?;
        }
        for a in &self.medical_aid {
            check_ratio("医疗救助", a.ratio_bp)?;
            if let Some(cap) = a.annual_cap {
                amount("医疗救助年度限额", cap)?;
            }
        }
        Ok(())
    }
}

fn check_ratio(at: &str, bp: u32) -> Result<(), BenefitError> {
    if bp > FULL_BP {
        return Err(BenefitError::PolicyInvalid {
            reason: format!("{at}的比例 {bp} 基点超过 100%（10000 基点）"),
        });
    }
    Ok(())
}

fn check_bands(at: &str, bands: &[Band]) -> Result<(), BenefitError> {
    let bad = |reason: String| Err(BenefitError::PolicyInvalid { reason });
    let Some(last) = bands.last() else {
        return bad(format!("{at}缺少比例分段"));
    };
    if last.up_to.is_some() {
        return bad(format!(
            "{at}的最后一个分段不能有 up_to（须覆盖其余全部金额）"
        ));
    }
    let mut prev = 0i64;
    for b in bands {
        check_ratio(at, b.ratio_bp)?;
        if let Some(up) = b.up_to {
            if up.0 <= prev || up.0 > MAX_POLICY_FEN {
                return bad(format!("{at}的分段上限须严格递增且为正数"));
            }
            prev = up.0;
        } else if !std::ptr::eq(b, last) {
            return bad(format!("{at}只有最后一个分段可以不写 up_to"));
        }
    }
    Ok(())
}

/// The parameter set of `region` in force on `date`: among the versions in force, the highest
/// `version` (a correction republished for the same period supersedes the earlier one).
pub fn policy_for<'a>(
    sets: &'a [PolicySet],
    region: &RegionCode,
    date: NaiveDate,
) -> Option<&'a PolicySet> {
    sets.iter()
        .filter(|p| &p.region == region && p.in_force_on(date))
        .max_by_key(|p| (p.version, p.effective_from))
}
