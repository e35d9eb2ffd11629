//! Contributions (缴费): the policy per region and year, the dues of employers, employees,
//! individuals and residents, arrears, the monthly personal-account credit, the medical-aid
//! subsidy of contributions, and contribution years at retirement. See docs/contributions.md.
//!
//! Late fees (滞纳金) are not computed: the guides mention them only for maternity arrears
//! (seed 003 生育 items, seed 004 legal basis 令181 第十三条) and name no rate.

pub mod dues;
pub mod error;
pub mod items;
pub mod ledger;
pub mod policy;
pub mod years;

#[cfg(test)]
mod tests;

pub use dues::{
    account_credit, aid_subsidy, apply_rate, balance, clamp_base, employee_dues, flexible_dues,
    resident_dues, Balance, BaseAdjustment, ClampedBase, EmployeeDues, FlexibleDues, Member,
};
pub use error::ContributionError;
pub use ledger::{ledger_month, PayerKind, UnknownLedgerCode};
pub use policy::{contribution_policy_for, ContributionPolicy, SubsidyKind};
pub use years::{recognise_years, shortfall_payment, Recognition, WorkPeriod};
