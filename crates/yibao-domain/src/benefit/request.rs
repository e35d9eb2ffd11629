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
use super::ratio::Quantity;
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
    pub fn apply(&mut self, d: &AccumulatorDeltas) {
        self.year = Some(d.year);
        self.shift(d, 1);
    }

    /// Undoes `apply` exactly (reversal, 冲正). Counters that return to zero are removed, so
    /// `revert(apply(a)) == a` whenever `a` holds no explicit zero counters.
    pub fn revert(&mut self, d: &AccumulatorDeltas) {
        self.shift(d, -1);
    }

    fn shift(&mut self, d: &AccumulatorDeltas, sign: i64) {
        let add = |f: &mut Fen, by: Fen| f.0 += sign * by.0;
        if d.fund != Fen::ZERO
            || (d.deductible_scope == DeductibleScope::PerYear && d.deductible != Fen::ZERO)
        {
            let p = self.pools.entry(d.pool.clone()).or_default();
            add(&mut p.fund_paid, d.fund);
            if d.deductible_scope == DeductibleScope::PerYear {
                add(&mut p.deductible_used, d.deductible);
            }
            if *p == PoolTotals::default() {
                self.pools.remove(&d.pool);
            }
        }
        if let (DeductibleScope::PerAdmission, Some(id)) = (d.deductible_scope, &d.admission_id) {
            if d.deductible != Fen::ZERO {
                let a = self.admissions.entry(id.clone()).or_default();
                add(a, d.deductible);
                if *a == Fen::ZERO {
                    self.admissions.remove(id);
                }
            }
        }
        add(&mut self.in_scope_self_pay, d.in_scope_self_pay);
        add(&mut self.critical_illness_paid, d.critical_illness);
        add(&mut self.aid_paid, d.aid);
        add(&mut self.account_balance, Fen(-d.account.0));
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
    super::engine::compute(
        policy,
        super::engine::CatalogueRef::Entries(&req.catalogue),
        &req.person,
        &req.accumulators,
        &req.bill,
    )
}
