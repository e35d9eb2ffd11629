//! The registry (参保登记): employers and insured persons, from enrolment to deregistration.
//!
//! Each rule is a pure function of what the agency knows and of "today"; each refusal names
//! the rule and the guide (seed file and item) it comes from. Where the guides disagree
//! (SEED-NOTES §2: D09, D10, D11, D20, D22) the deciding jurisdiction's rule applies, so the
//! rules take the jurisdiction as a parameter.

pub mod coverage;
pub mod documents;
pub mod employee;
pub mod employer;
pub mod error;
pub mod event;
pub mod flexible;
pub mod person_change;
pub mod resident;
pub mod retirement;

pub use crate::filing::FilingJurisdiction as Jurisdiction;
pub use coverage::{CoverageCategory, CoverageStatus, Scheme};
pub use documents::{DocumentType, IdentityDocument};
pub use error::EnrolmentError;
pub use event::EnrolmentEvent;

/// Seed file names, cited in refusals and catalog data.
pub const SEED_000: &str = "seed 000（川渝通办）";
pub const SEED_001: &str = "seed 001（四川省）";
pub const SEED_002: &str = "seed 002（酉阳）";
pub const SEED_003: &str = "seed 003（重庆市）";
pub const SEED_004: &str = "seed 004（南川）";

/// The guide whose text a jurisdiction's rule comes from.
pub fn seed_of(j: Jurisdiction) -> &'static str {
    match j {
        Jurisdiction::Chuanyu => SEED_000,
        Jurisdiction::Sichuan => SEED_001,
        Jurisdiction::Youyang => SEED_002,
        Jurisdiction::Chongqing => SEED_003,
        Jurisdiction::Nanchuan => SEED_004,
    }
}
