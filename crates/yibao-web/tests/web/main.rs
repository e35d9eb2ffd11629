//! The web crate's integration tests, one module per subject, in one test binary: each binary
//! is linked separately against the whole application (seconds and hundreds of MB each), and one
//! process builds the database templates (`yibao_store::test_support`) once for every test.
//! A new subject is a module here (`use crate::common;`), not a new file under `tests/`.

#[macro_use]
mod common;

mod access_matrix;
mod account_linking;
mod account_statement;
mod account_withdrawal;
mod bill_page;
mod browser_accounts;
mod browser_case;
mod browser_complaint;
mod browser_institution;
mod browser_institution_cases;
mod browser_journeys;
mod browser_layout;
mod calendar;
mod cases;
mod catalog;
mod clearing;
mod cluster;
mod complaints;
mod concurrency;
mod contribution_run;
mod contributions;
mod dashboard;
mod dead_ends;
mod disbursement;
mod edge;
mod enrolment;
mod enrolment_pages;
mod federation;
mod federation_https;
mod federation_tongban;
mod federation_transfer;
mod filing_cases;
mod filings;
mod finance_page;
mod forms;
mod foundation;
mod identity;
mod institution_cases;
mod institution_pages;
mod institution_year_end;
mod institutions;
mod internal_words;
mod lists;
mod login_return;
mod materials;
mod maternity;
mod money;
mod national_flows;
mod preconditions;
mod qualifications;
mod reimbursement;
mod settlement;
mod settlement_list;
mod verification;
