//! yibao-store: persistence over SQLite (embedded default) and PostgreSQL (production), with one
//! set of repository code for both (see docs/adr/0001-storage.md).
//!
//! Repositories are plain async functions over `&mut AnyConnection`, so a use case composes
//! several of them inside one transaction.

pub mod account;
pub mod agency;
pub mod audit;
pub mod backup;
pub mod benefit_data;
pub mod calendar;
pub mod case_forwarding;
pub mod cases;
pub mod clearing;
pub mod complaint;
pub mod contribution;
pub mod coverage;
mod db;
pub mod disbursement;
pub mod document;
pub mod enrolment;
mod error;
pub mod evoucher;
mod failover;
pub mod federation;
pub mod filing;
pub mod identity;
pub mod instance_key;
pub mod institution;
pub mod json_text;
mod kept;
pub mod leader;
pub mod logins;
pub mod maternity;
pub mod meta;
pub mod monthly;
pub mod national;
pub mod national_file;
pub mod national_mapping;
pub mod national_sign_in;
pub mod partition;
pub mod qualification;
pub mod year_end;

pub mod search;
pub mod settlement;
pub mod social_security_card;
pub mod staff;
pub mod test_support;
pub mod transfer;
pub mod volume;

pub use db::{Backend, Store, Tx};
pub use error::StoreError;
pub use kept::Autocommit;
pub use sqlx::AnyConnection as Conn;
