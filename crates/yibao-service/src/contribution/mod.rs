//! Contributions (缴费): the shipped policy versions, the monthly run that writes what is due and
//! the account credit with it, the import of the tax authority's paid records, and the ledger
//! with arrears. Rules are in `yibao_domain::contribution`; see docs/contributions.md.

pub mod effect;
mod import;
mod policies;
pub mod resident;
mod run;

pub use import::{import_paid, ImportReport, MAX_PAID_ROWS, PAID_COLUMNS_HELP};
pub use policies::{policies, policy_for};
pub use resident::{run_resident_year, YearRun};
pub use run::{run_month, run_month_in_chunks, MonthRun, RUN_CHUNK};

use serde::Serialize;
use yibao_store::contribution::{self as store, LedgerRow, YearTotals};
use yibao_store::enrolment as records;

use crate::identity::Actor;
use crate::records::{may_see_employer, may_see_person};
use crate::{ServiceError, Services};

/// Lines per page of a ledger.
pub const PAGE: i64 = 50;

/// One page of a ledger with the year's totals.
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub lines: Vec<LedgerRow>,
    pub page: i64,
    pub year: i32,
    pub year_totals: YearTotals,
    /// Over the whole ledger: what is still owed.
    pub arrears_fen: i64,
}

/// A person's contributions (the person or staff serving their region), newest month first, with the year's totals and the arrears.
pub async fn person_ledger(
    services: &Services,
    actor: &Actor,
    person_id: i64,
    year: i32,
    page: i64,
) -> Result<Ledger, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let person = records::find_person_by_id(&mut tx, person_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("person.not_found", "参保人员不存在或无权查看"))?;
    // The person themself, or staff serving their region (as their record).
    may_see_person(actor, &person)?;
    let page = page.max(1);
    let lines = store::person_ledger(&mut tx, person.id, PAGE, (page - 1) * PAGE).await?;
    let year_totals = store::person_totals(&mut tx, person.id, Some(year)).await?;
    let all = store::person_totals(&mut tx, person.id, None).await?;
    Ok(Ledger {
        lines,
        page,
        year,
        year_totals,
        arrears_fen: all.arrears_fen,
    })
}

/// An employer's contributions (its employees' lines) with the year's totals and the arrears.
pub async fn employer_ledger(
    services: &Services,
    actor: &Actor,
    employer_id: i64,
    year: i32,
    page: i64,
) -> Result<Ledger, ServiceError> {
    actor.require_login()?;
    let mut tx = services.store().begin_read().await?;
    let employer = records::find_employer(&mut tx, employer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("employer.not_found", "参保单位不存在或无权查看"))?;
    // The unit's own operators, or staff serving its region (as its record).
    may_see_employer(actor, &employer)?;
    let page = page.max(1);
    let lines = store::employer_ledger(&mut tx, employer_id, PAGE, (page - 1) * PAGE).await?;
    let year_totals = store::employer_totals(&mut tx, employer_id, Some(year)).await?;
    let all = store::employer_totals(&mut tx, employer_id, None).await?;
    Ok(Ledger {
        lines,
        page,
        year,
        year_totals,
        arrears_fen: all.arrears_fen,
    })
}
