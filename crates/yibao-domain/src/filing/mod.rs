//! Remote-care filings (异地就医备案): the kinds, the filing form (seed 000 表1), where a filing
//! points, who may file under which guide, how long a filing lasts, and the rule a visit settles
//! under. Pure: "today" and every fact come in as parameters.

mod application;
mod care_rule;
mod eligibility;
mod error;
mod jurisdiction;
mod kind;
mod target;
mod validity;

#[cfg(test)]
mod tests;

pub use application::{FilingApplication, Phone, RegistrationType, Signer};
pub use care_rule::{care_rule, CareRule, Scope, UnfiledCareRule};
pub use eligibility::{
    check_filing, ApplicantFacts, Provided, ReferralCertificate, Submitted,
    CHONGQING_MIN_STAY_MONTHS, TRAUMA_FORM_MATERIAL,
};
pub use error::FilingError;
pub use jurisdiction::{Completion, FilingJurisdiction};
pub use kind::{FilingKind, Scheme};
pub use target::{filing_target, is_xpcc, FilingTarget, PROVINCE_LEVEL_TARGETS};
pub use validity::{
    active_filing, cancel_filing, change_filing, EndReason, Filing, FilingEnd, FilingRequest,
    FilingStatus, ValidityPolicy, ValidityRule,
};
