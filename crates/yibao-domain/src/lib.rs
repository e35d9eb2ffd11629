//! yibao-domain: the pure rules of the medical-security agency (医保经办).
//!
//! No I/O, no async, no clock: every function takes what it needs (including "today") as a
//! parameter, so each rule can be tested as a table of inputs and outputs.

pub mod account;
pub mod aid;
pub mod benefit;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod clearing;
pub mod codes;
pub mod complaint;
pub mod contribution;
pub mod enrolment;
pub mod error;
pub mod evoucher;
pub mod federation;
pub mod filing;
#[cfg(test)]
mod fuzz_support;
pub mod ids;
pub mod institution;
pub mod maternity;
pub mod money;
pub mod national;
pub mod qualification;
pub mod reimbursement;
pub mod staff;
mod toml_date;
pub mod transfer;

pub use error::{Coded, DomainError};
pub use ids::{CitizenId, RegionCode, Uscc};
pub use money::Fen;
