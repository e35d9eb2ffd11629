//! Which rule a visit settles under: local, cross-region with a filing, emergency treated as
//! filed, or cross-region without a filing — with a Chinese explanation for the clerk.
//!
//! Sources: seed 000 表1 温馨提示 1 (「跨省异地就医执行就医地目录、参保地起付线、封顶线及支付比例」)
//! and 4 (「未按规定办理登记备案手续…按参保地现有规定办理」); seed 003 items 20–24 注意事项 (same
//! rule); POLICY-FACTS §6 (emergency rescue 视同已备案, secondary); seed 004's legal basis
//! 渝办发〔2011〕293号 for Chongqing's unfiled-care reduction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::benefit::{AidCategory, CarePlace, PersonFacts, Scheme, UnfiledPenalty, VisitType};
use crate::ids::RegionCode;

use super::kind::FilingKind;
use super::target::filing_target;
use super::validity::Filing;

/// In-province (same first two digits) or cross-province care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    InProvince,
    CrossProvince,
}

impl Scope {
    pub fn of(insured: &RegionCode, care: &RegionCode) -> Scope {
        if insured.province_prefix() == care.province_prefix() {
            Scope::InProvince
        } else {
            Scope::CrossProvince
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::InProvince => "省内异地",
            Scope::CrossProvince => "跨省异地",
        }
    }
}

/// The insured region's rule for care elsewhere without a filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum UnfiledCareRule {
    /// A stated reduction: the engine computes exactly this (`CareRule::person_facts`), and the
    /// explanation is rendered from the same value, so the two cannot disagree.
    Reduced { penalty: UnfiledPenalty },
    /// No figure stated: the insured region's existing rules (the policy file's `adjustments`),
    /// by manual reimbursement.
    InsuredRegionRules { source: String },
}

impl UnfiledCareRule {
    /// The rule of the insured region, as far as the seeds state one.
    ///
    /// Chongqing (prefix 50): 渝办发〔2011〕293号, quoted as legal basis of seed 004 items 20–24:
    /// 「未报经参保所在区县（自治县）医疗保险经办机构同意的，按我市同级定点医疗机构住院标准，起付线提高
    /// 5%，同时报销比例下降5%」. Chongqing files to the municipality (seed 000 表1 温馨提示 3), so
    /// unfiled care elsewhere is always 市外, the case this sentence governs. Our reading:
    /// - 「起付线提高5%」 raises the deductible *amount* by 5 % of itself (×105 %, half up to the
    ///   fen): percentage points mean nothing for an amount;
    /// - 「报销比例下降5%」 lowers the ratio by 5 percentage points (95 % → 90 %), the usual sense
    ///   of a change to a ratio that is itself a percentage (SEED-NOTES D06: "5 %/5 % penalty");
    /// - it covers inpatient care only: the sentence sets the terms by 「同级定点医疗机构住院标准」
    ///   and its paragraph is about admissions (「入院后5个工作日内…报告」); other visits follow
    ///   the insured region's existing rules (the policy file's adjustments).
    ///
    /// Elsewhere (Sichuan included: seed 001 states no figure, POLICY-FACTS §6 "NOT FOUND") only
    /// seed 000 表1 温馨提示 4 applies.
    pub fn for_insured_region(insured: &RegionCode) -> UnfiledCareRule {
        match insured.province_prefix() {
            "50" => UnfiledCareRule::Reduced {
                penalty: UnfiledPenalty {
                    deductible_increase_bp: 500,
                    ratio_cut_bp: 500,
                    visits: vec![VisitType::Inpatient],
                    source: "渝办发〔2011〕293号（南川区事项清单设定依据）".into(),
                },
            },
            _ => UnfiledCareRule::InsuredRegionRules {
                source: "异地就医登记备案表温馨提示第4条".into(),
            },
        }
    }
}

/// The rule a visit settles under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "applies", rename_all = "snake_case")]
pub enum CareRule {
    /// Care inside the insured pooling region (same filing target): local rules, no filing needed.
    Local { region: RegionCode },
    /// Care elsewhere under a filing in force: the care region's catalogue (就医地目录) with the
    /// insured region's deductible, ratios and cap (参保地政策).
    CrossRegionFiled {
        scope: Scope,
        kind: FilingKind,
        filing_id: String,
        catalogue_region: RegionCode,
        policy_region: RegionCode,
    },
    /// Emergency or rescue elsewhere without a filing: treated as filed (视同已备案).
    EmergencyTreatedAsFiled {
        scope: Scope,
        catalogue_region: RegionCode,
        policy_region: RegionCode,
    },
    /// Care elsewhere without a filing: the insured region's unfiled-care rule.
    CrossRegionUnfiled {
        scope: Scope,
        policy_region: RegionCode,
        rule: UnfiledCareRule,
    },
}

impl CareRule {
    /// Whether the hospital may settle the visit directly (直接结算); otherwise the person pays
    /// and claims manual reimbursement in the insured region.
    pub fn direct_settlement(&self) -> bool {
        !matches!(self, CareRule::CrossRegionUnfiled { .. })
    }

    /// What the benefit engine needs to know of this rule: where the care is, whether it counts
    /// as filed, and the insured region's stated penalty for unfiled care — the very value the
    /// explanation is rendered from.
    pub fn person_facts(&self, scheme: Scheme, aid_category: Option<AidCategory>) -> PersonFacts {
        let place = |s: &Scope| match s {
            Scope::InProvince => CarePlace::InProvince,
            Scope::CrossProvince => CarePlace::CrossProvince,
        };
        let (care_place, filed, unfiled_penalty) = match self {
            CareRule::Local { .. } => (CarePlace::Local, true, None),
            CareRule::CrossRegionFiled { scope, .. }
            | CareRule::EmergencyTreatedAsFiled { scope, .. } => (place(scope), true, None),
            CareRule::CrossRegionUnfiled { scope, rule, .. } => {
                let penalty = match rule {
                    UnfiledCareRule::Reduced { penalty } => Some(penalty.clone()),
                    UnfiledCareRule::InsuredRegionRules { .. } => None,
                };
                (place(scope), false, penalty)
            }
        };
        PersonFacts {
            scheme,
            aid_category,
            care_place,
            filed,
            unfiled_penalty,
            disease: None,
        }
    }

    /// The explanation a clerk reads to the citizen.
    pub fn explanation(&self) -> String {
        match self {
            CareRule::Local { region } => format!(
                "就医地（{region}）与参保地属同一统筹区，按参保地本地规定结算，无需异地就医备案。"
            ),
            CareRule::CrossRegionFiled {
                scope,
                kind,
                filing_id,
                catalogue_region,
                policy_region,
            } => format!(
                "{}就医，已办理“{}”备案（备案编号{filing_id}）且在有效期内：执行就医地（{catalogue_region}）医保目录，\
                 参保地（{policy_region}）起付线、支付比例和最高支付限额，可直接结算。",
                scope.label(),
                kind.label()
            ),
            CareRule::EmergencyTreatedAsFiled {
                scope,
                catalogue_region,
                policy_region,
            } => format!(
                "{}急诊、抢救，未办理备案，视同已备案：执行就医地（{catalogue_region}）医保目录，\
                 参保地（{policy_region}）起付线、支付比例和最高支付限额。",
                scope.label()
            ),
            CareRule::CrossRegionUnfiled {
                scope,
                policy_region,
                rule,
            } => {
                let head = format!(
                    "{}就医，就医日无有效的异地就医备案，按参保地（{policy_region}）现有规定办理，不能直接结算，须回参保地手工报销",
                    scope.label()
                );
                match rule {
                    UnfiledCareRule::Reduced { penalty: p } => {
                        let visits = if p.visits.is_empty() {
                            String::new()
                        } else {
                            p.visits
                                .iter()
                                .map(|v| v.label())
                                .collect::<Vec<_>>()
                                .join("、")
                        };
                        let percent = |bp: u32| {
                            if bp.is_multiple_of(100) {
                                format!("{}", bp / 100)
                            } else {
                                format!("{}.{:02}", bp / 100, bp % 100)
                            }
                        };
                        let rest = if p.visits.is_empty() {
                            ""
                        } else {
                            "；其他费用按参保地现有规定"
                        };
                        format!(
                            "{head}：{visits}按参保地同级定点医疗机构标准，起付线提高{}%，报销比例下降{}%（即{}个百分点）（{}）{rest}。",
                            percent(p.deductible_increase_bp),
                            percent(p.ratio_cut_bp),
                            percent(p.ratio_cut_bp),
                            p.source
                        )
                    }
                    UnfiledCareRule::InsuredRegionRules { source } => {
                        format!("{head}（{source}；参保地未规定具体降低比例）。")
                    }
                }
            }
        }
    }
}

/// Decides the rule for a visit on `date`. `filing` is the person's active filing, if any (see
/// `active_filing`); a filing that is not in force that day or does not cover the care place is
/// ignored. Pass the settlement date: a filing completed before discharge settlement counts
/// (POLICY-FACTS §6).
pub fn care_rule(
    insured_region: &RegionCode,
    care_region: &RegionCode,
    date: NaiveDate,
    filing: Option<&Filing>,
    emergency: bool,
) -> CareRule {
    let local = match (filing_target(insured_region), filing_target(care_region)) {
        (Ok(a), Ok(b)) => a == b,
        _ => insured_region == care_region,
    };
    if local {
        return CareRule::Local {
            region: care_region.clone(),
        };
    }
    let scope = Scope::of(insured_region, care_region);
    let applies = filing.filter(|f| f.in_force_on(date) && f.target.covers(care_region));
    if let Some(f) = applies {
        return CareRule::CrossRegionFiled {
            scope,
            kind: f.kind,
            filing_id: f.id.clone(),
            catalogue_region: care_region.clone(),
            policy_region: insured_region.clone(),
        };
    }
    if emergency {
        return CareRule::EmergencyTreatedAsFiled {
            scope,
            catalogue_region: care_region.clone(),
            policy_region: insured_region.clone(),
        };
    }
    CareRule::CrossRegionUnfiled {
        scope,
        policy_region: insured_region.clone(),
        rule: UnfiledCareRule::for_insured_region(insured_region),
    }
}
