//! What the engine is given: the person's facts, the year-to-date accumulators and the bill, and
//! the JSON request of `yibao benefit explain` that bundles them with the policy and catalogue.
//!
//! Amounts are integer fen. Field names follow DESIGN.md and the glossary; the national
//! interface's names (HOSPITAL-INTERFACE.md) are accepted as aliases where a field has one.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalogue::{CatalogueEntry, Category};
use super::error::BenefitError;
use super::explanation::{AccumulatorDeltas, Explanation};
use super::policy::{AidCategory, DeductibleScope, HospitalLevel, PolicySet, Scheme, VisitType};
use super::ratio::{Quantity, FULL_BP};
use crate::money::Fen;

fn yes() -> bool {
    true
}

/// Where the care happens relative to the insured region (参保地).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarePlace {
    /// 参保地就医
    #[default]
    Local,
    /// 省内异地就医
    InProvince,
    /// 跨省异地就医
    CrossProvince,
}

impl CarePlace {
    pub fn label(self) -> &'static str {
        match self {
            CarePlace::Local => "参保地就医",
            CarePlace::InProvince => "省内异地就医",
            CarePlace::CrossProvince => "跨省异地就医",
        }
    }
}

/// A reduction that the insured region's own rules state for care elsewhere without a filing
/// (未备案异地就医). For the visit types it covers it replaces the policy file's `adjustments`.
///
/// Chongqing, 渝办发〔2011〕293号 (quoted as legal basis of seed 004 items 20–24): 「未报经参保所在
/// 区县（自治县）医疗保险经办机构同意的，按我市同级定点医疗机构住院标准，起付线提高5%，同时报销比例
/// 下降5%」. Read as: the deductible *amount* is raised by 5 % of itself (an amount has no
/// percentage points), the ratio — itself a percentage — falls by 5 percentage points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnfiledPenalty {
    /// The deductible standard is raised by this share of itself, rounded half up to the fen
    /// (500 = 「起付线提高5%」: 880.00 元 → 924.00 元).
    pub deductible_increase_bp: u32,
    /// The ratio falls by this many basis points, never below 0 (500 = 「报销比例下降5%」 as 5
    /// percentage points: 95 % → 90 %).
    pub ratio_cut_bp: u32,
    /// Visit types the rule covers; empty = every type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<VisitType>,
    /// Where the rule is stated.
    pub source: String,
}

impl UnfiledPenalty {
    pub fn covers(&self, visit: VisitType) -> bool {
        self.visits.is_empty() || self.visits.contains(&visit)
    }

    fn validate(&self) -> Result<(), BenefitError> {
        if self.deductible_increase_bp > FULL_BP || self.ratio_cut_bp > FULL_BP {
            return Err(BenefitError::PolicyInvalid {
                reason: format!(
                    "未备案异地就医的起付线提高比例 {} 基点或报销比例下降 {} 基点超出 0–10000",
                    self.deductible_increase_bp, self.ratio_cut_bp
                ),
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonFacts {
    pub scheme: Scheme,
    /// Medical-aid category if the person is an aid recipient (医疗救助对象).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aid_category: Option<AidCategory>,
    #[serde(default)]
    pub care_place: CarePlace,
    /// Remote-care filing (异地就医备案) in place; emergencies count as filed. Ignored for local
    /// care.
    #[serde(default = "yes")]
    pub filed: bool,
    /// The insured region's stated penalty for unfiled care elsewhere, if it states one
    /// (`CareRule::person_facts` fills it); used only when `filed` is false and the care is not
    /// local.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unfiled_penalty: Option<UnfiledPenalty>,
    /// The qualified disease a chronic/special outpatient visit is settled for (its code in the
    /// disease list, e.g. `employee/18`): a policy rule set for that disease applies before the
    /// general one (own deductible, ratio and annual cap via its own pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disease: Option<String>,
}

impl PersonFacts {
    /// The penalty that applies to a bill of `visit`, if any.
    pub fn penalty_for(&self, visit: VisitType) -> Option<&UnfiledPenalty> {
        if self.filed || self.care_place == CarePlace::Local {
            return None;
        }
        self.unfiled_penalty.as_ref().filter(|p| p.covers(visit))
    }

    pub(crate) fn validate(&self) -> Result<(), BenefitError> {
        self.unfiled_penalty
            .as_ref()
            .map_or(Ok(()), UnfiledPenalty::validate)
    }
}

/// Per-pool year totals (pools are named by the policy's rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolTotals {
    /// Deductible taken this year under per-year scope.
    #[serde(default)]
    pub deductible_used: Fen,
    /// Pooled fund paid this year (against the annual cap).
    #[serde(default)]
    pub fund_paid: Fen,
}

/// Year-to-date accumulators of one person, scheme and year (what the store keeps per person).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accumulators {
    /// The year these totals belong to; if given it must be the bill's year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pools: BTreeMap<String, PoolTotals>,
    /// Deductible already taken per admission id (per-admission scope, e.g. interim settlements).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub admissions: BTreeMap<String, Fen>,
    /// In-scope self-payment this year that counts for critical-illness insurance.
    #[serde(default)]
    pub in_scope_self_pay: Fen,
    #[serde(default)]
    pub critical_illness_paid: Fen,
    #[serde(default)]
    pub aid_paid: Fen,
    /// Personal-account balance (个人账户余额).
    #[serde(default)]
    pub account_balance: Fen,
}

impl Accumulators {
    pub fn pool(&self, name: &str) -> PoolTotals {
        self.pools.get(name).copied().unwrap_or_default()
    }

    pub fn admission_deductible(&self, admission_id: &str) -> Fen {
        self.admissions
            .get(admission_id)
            .copied()
            .unwrap_or_default()
    }

    pub(crate) fn validate(&self, bill_year: i32) -> Result<(), BenefitError> {
        if let Some(y) = self.year {
            if y != bill_year {
                return Err(BenefitError::AccumulatorYear {
                    accumulators: y,
                    bill: bill_year,
                });
            }
        }
        let neg = |field: &'static str, f: Fen| {
            if f.0 < 0 {
                Err(BenefitError::NegativeAccumulator { field })
            } else if f.0 > super::engine::MAX_AMOUNT {
                Err(BenefitError::AmountTooLarge {
                    what: format!("累计数 {field}"),
                })
            } else {
                Ok(())
            }
        };
        neg("in_scope_self_pay", self.in_scope_self_pay)?;
        neg("critical_illness_paid", self.critical_illness_paid)?;
        neg("aid_paid", self.aid_paid)?;
        neg("account_balance", self.account_balance)?;
        for p in self.pools.values() {
            neg("pools.deductible_used", p.deductible_used)?;
            neg("pools.fund_paid", p.fund_paid)?;
        }
        for a in self.admissions.values() {
            neg("admissions", *a)?;
        }
        Ok(())
    }

    /// The accumulators after a settlement (what the store writes in the same transaction).
    /// Refused, leaving `self` unchanged, when a counter would leave 0..=`MAX_INPUT`.
    pub fn apply(&mut self, d: &AccumulatorDeltas) -> Result<(), BenefitError> {
        let mut next = self.clone();
        next.year = Some(d.year);
        next.shift(d, 1)?;
        *self = next;
        Ok(())
    }

    /// Undoes `apply` exactly (reversal, 冲正). Counters that return to zero are removed, so
    /// `revert(apply(a)) == a` whenever `a` holds no explicit zero counters.
    pub fn revert(&mut self, d: &AccumulatorDeltas) -> Result<(), BenefitError> {
        let mut next = self.clone();
        next.shift(d, -1)?;
        *self = next;
        Ok(())
    }

    /// Adds the deltas with checked arithmetic; any counter outside 0..=`MAX_INPUT` afterwards is
    /// an error (a reversal never takes below zero what a settlement added).
    fn shift(&mut self, d: &AccumulatorDeltas, sign: i64) -> Result<(), BenefitError> {
        let mut bad: Option<&'static str> = None;
        let mut add = |field: &'static str, f: &mut Fen, by: Fen| match by
            .0
            .checked_mul(sign)
            .and_then(|b| f.0.checked_add(b))
        {
            Some(v) if Fen(v).is_input() => f.0 = v,
            _ => {
                bad.get_or_insert(field);
            }
        };
        if d.fund != Fen::ZERO
            || (d.deductible_scope == DeductibleScope::PerYear && d.deductible != Fen::ZERO)
        {
            let p = self.pools.entry(d.pool.clone()).or_default();
            add("pools.fund_paid", &mut p.fund_paid, d.fund);
            if d.deductible_scope == DeductibleScope::PerYear {
                add(
                    "pools.deductible_used",
                    &mut p.deductible_used,
                    d.deductible,
                );
            }
            if *p == PoolTotals::default() {
                self.pools.remove(&d.pool);
            }
        }
        if let (DeductibleScope::PerAdmission, Some(id)) = (d.deductible_scope, &d.admission_id) {
            if d.deductible != Fen::ZERO {
                let a = self.admissions.entry(id.clone()).or_default();
                add("admissions", a, d.deductible);
                if *a == Fen::ZERO {
                    self.admissions.remove(id);
                }
            }
        }
        add(
            "in_scope_self_pay",
            &mut self.in_scope_self_pay,
            d.in_scope_self_pay,
        );
        add(
            "critical_illness_paid",
            &mut self.critical_illness_paid,
            d.critical_illness,
        );
        add("aid_paid", &mut self.aid_paid, d.aid);
        add(
            "account_balance",
            &mut self.account_balance,
            Fen(-d.account.0),
        );
        match bad {
            None => Ok(()),
            Some(field) => Err(BenefitError::AmountTooLarge {
                what: format!("累计数 {field}"),
            }),
        }
    }
}

/// One fee line (费用明细). `amount` (det_item_fee_sumamt) is authoritative and in fen; quantity
/// and unit price are for the price cap and for display. Category, share and cap given on the
/// line are used only when the request's catalogue has no entry for the code on the bill date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillLine {
    #[serde(alias = "feedetl_sn")]
    pub line_no: u32,
    #[serde(alias = "med_list_codg")]
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(alias = "det_item_fee_sumamt")]
    pub amount: Fen,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "cnt")]
    pub quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "pric")]
    pub unit_price: Option<Fen>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "chrgitm_lv")]
    pub category: Option<Category>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "selfpay_prop_bp"
    )]
    pub self_pay_share_bp: Option<u32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "pric_uplmt_amt"
    )]
    pub price_cap: Option<Fen>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bill {
    /// Settlement date: chooses the policy version, catalogue entries and accumulator year.
    #[serde(deserialize_with = "crate::toml_date::date")]
    pub date: NaiveDate,
    #[serde(alias = "med_type")]
    pub visit: VisitType,
    pub hospital_level: HospitalLevel,
    /// Admission (visit) id (mdtrt_id); required when the deductible is per admission.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "mdtrt_id")]
    pub admission_id: Option<String>,
    /// The person agrees to pay from the personal account (default yes).
    #[serde(default = "yes")]
    pub use_account: bool,
    pub lines: Vec<BillLine>,
}

/// The request of `yibao benefit explain`: everything the pure engine needs, no database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainRequest {
    /// Inline policy parameters (one version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySet>,
    /// Name of a policy file (e.g. `chongqing/2026.toml`); the shell reads it and fills `policy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_file: Option<String>,
    /// Catalogue entries (of the care region) for the bill's codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogue: Vec<CatalogueEntry>,
    pub person: PersonFacts,
    #[serde(default)]
    pub accumulators: Accumulators,
    pub bill: Bill,
}

/// Validates the request and runs the engine.
pub fn explain(req: &ExplainRequest) -> Result<Explanation, BenefitError> {
    let policy = req
        .policy
        .as_ref()
        .ok_or_else(|| BenefitError::PolicyMissing {
            policy_file: req.policy_file.clone(),
        })?;
    policy.validate()?;
    for e in &req.catalogue {
        e.validate()
            .map_err(|reason| BenefitError::CatalogueInvalid { reason })?;
    }
    // The same rule as an import: no two versions of one code in force on one day.
    super::catalogue::check_entries(&req.catalogue)?;
    super::engine::compute(
        policy,
        super::engine::CatalogueRef::Entries(&req.catalogue),
        &req.person,
        &req.accumulators,
        &req.bill,
    )
}

#[cfg(test)]
mod bounds {
    //! Accumulators at the edge of the shared input limit (issue 16: a credit of i64::MAX once
    //! wrapped the balance).
    use proptest::prelude::*;

    use super::*;
    use crate::benefit::explanation::AccumulatorDeltas;
    use crate::benefit::policy::DeductibleScope;
    use crate::money::MAX_INPUT;

    fn deltas(fund: i64, aid: i64, account: i64) -> AccumulatorDeltas {
        AccumulatorDeltas {
            year: 2026,
            pool: "basic".into(),
            deductible_scope: DeductibleScope::PerYear,
            admission_id: None,
            deductible: Fen(0),
            fund: Fen(fund),
            in_scope_self_pay: Fen(0),
            critical_illness: Fen(0),
            aid: Fen(aid),
            account: Fen(account),
            mutual_aid: None,
        }
    }

    #[test]
    fn a_counter_past_the_limit_is_refused_and_nothing_changes() {
        let mut acc = Accumulators {
            aid_paid: MAX_INPUT,
            account_balance: Fen(500),
            ..Accumulators::default()
        };
        let before = acc.clone();
        let e = acc.apply(&deltas(100, 1, 0)).unwrap_err();
        assert_eq!(crate::error::Coded::code(&e), "benefit.amount_too_large");
        assert_eq!(
            acc, before,
            "a refused settlement leaves the accumulators as they were"
        );
        // More taken from the account than it holds would go below zero: refused too.
        assert!(acc.apply(&deltas(0, 0, 501)).is_err());
        assert_eq!(acc, before);
    }

    proptest! {
        #[test]
        fn apply_then_revert_is_exact_or_refused_whole(
            fund0 in 0..=MAX_INPUT.0, aid0 in 0..=MAX_INPUT.0, bal0 in 0..=MAX_INPUT.0,
            fund in 0..=i64::MAX, aid in 0..=i64::MAX, account in 0..=i64::MAX,
        ) {
            let mut acc = Accumulators {
                aid_paid: Fen(aid0),
                account_balance: Fen(bal0),
                ..Accumulators::default()
            };
            acc.pools.insert("basic".into(), PoolTotals { deductible_used: Fen(0), fund_paid: Fen(fund0) });
            let before = acc.clone();
            let d = deltas(fund, aid, account);
            match acc.apply(&d) {
                Ok(()) => {
                    for f in [acc.pool("basic").fund_paid, acc.aid_paid, acc.account_balance] {
                        prop_assert!(f.is_input());
                    }
                    acc.revert(&d).unwrap();
                    let mut expected = before.clone();
                    expected.year = Some(2026);
                    prop_assert_eq!(acc, expected);
                }
                Err(_) => prop_assert_eq!(acc, before),
            }
        }
    }
}
