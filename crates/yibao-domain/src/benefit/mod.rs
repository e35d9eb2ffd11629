//! The benefit engine (待遇计算): policy parameters, the benefit catalogue, and the pure function
//! that splits a bill between the pooled fund, critical-illness insurance, medical aid, the
//! personal account and cash, with a line-by-line explanation. See docs/benefits.md.
//!
//! Units: money is integer fen (`Fen`); ratios are integer basis points (`*_bp`, 10_000 = 100 %);
//! quantities are exact thousandths. One rounding rule: half up to the fen, applied once per
//! product (each category-B share, the fund's band sum, the critical-illness band sum, the aid).

mod catalogue;
mod catalogue_changes;
mod engine;
mod error;
mod explanation;
#[cfg(test)]
mod fuzz;
mod policy;
mod ratio;
mod request;

#[cfg(test)]
mod tests;

pub use catalogue::{
    parse_catalogue_csv, Catalogue, CatalogueEntry, Category, ItemKind, CSV_COLUMNS,
};
pub use catalogue_changes::{catalogue_changes, CatalogueChange};
pub use engine::{compute, CatalogueRef, MAX_LINES};
pub use error::BenefitError;
pub use explanation::{
    AccumulatorDeltas, Explanation, LineSource, LineSplit, MutualAidDelta, NotApplicable, Step,
};
pub use policy::{
    policy_for, AccountRule, Adjustments, AidCategory, AidRule, Band, BenefitRule,
    CriticalIllnessRule, DeductibleScope, HospitalLevel, PolicySet, RatioAdjustment, Scheme,
    VisitType,
};
pub use ratio::{apply_ratio, Quantity, FULL_BP, MAX_QUANTITY};
pub use request::{
    explain, Accumulators, Bill, BillLine, CarePlace, ExplainRequest, PersonFacts, PoolTotals,
    UnfiledPenalty,
};
