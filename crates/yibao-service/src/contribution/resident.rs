//! Residents' yearly contributions (城乡居民个人缴费): one ledger line per person and year at the
//! grade's yearly amount, assessed when the person registers and for every later year by the
//! yearly run; a registered coverage (已登记待缴费) comes into force when the tax authority's paid
//! records cover its year's line. The aid subsidy (资助参保) is its own case (四川 31).

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use yibao_domain::contribution::{resident_dues, PayerKind};
use yibao_domain::enrolment::flexible::Grade;
use yibao_domain::enrolment::resident::ResidentCategory;
use yibao_domain::enrolment::{CoverageCategory, CoverageStatus};
use yibao_domain::staff::StaffRole;
use yibao_domain::{Fen, RegionCode};
use yibao_store::contribution::{self as store, NewDue};
use yibao_store::enrolment::{self as records, StatusChange};
use yibao_store::{Conn, StoreError};

use super::policy_for;
use crate::identity::Actor;
use crate::{audit, ServiceError, Services};

/// What the yearly run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct YearRun {
    pub year: i32,
    /// Lines written by this run.
    pub written: u64,
    /// Lines already in the ledger (assessed at registration or by an earlier run).
    pub already: u64,
    /// People in a region with no contribution policy in force on 1 January.
    pub no_policy: u64,
    pub due_fen: i64,
    /// Lines computed from a policy figure marked 示例参数.
    pub example_lines: u64,
}

/// The ledger month of a resident's year (its first month; see `ledger_month`).
pub fn year_month(year: i32) -> String {
    format!("{year:04}-01")
}

fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), ServiceError> {
    let bad = || ServiceError::invalid("contribution.year", format!("{year}年不是有效的缴费年度"));
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?;
    Ok((first, last))
}

/// One resident's line for the year, from the policy in force in their region on 1 January:
/// `None` when no policy is in force there. The grade is the coverage's; a coverage without a
/// recorded grade is assessed at 一档 (the grade a resident who chooses none pays).
pub fn assess(
    region: &str,
    category: ResidentCategory,
    grade: &str,
    year: i32,
) -> Result<Option<(Fen, &'static str, bool)>, ServiceError> {
    let (first, _) = year_bounds(year)?;
    let Some(policy) = region
        .parse::<RegionCode>()
        .ok()
        .and_then(|r| policy_for(&r, first))
    else {
        return Ok(None);
    };
    let grade = if grade.trim().is_empty() {
        Grade::Tier1
    } else {
        Grade::parse(grade).ok_or_else(|| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "unknown resident grade {grade:?}"
            )))
        })?
    };
    let due = resident_dues(grade, category, policy).map_err(ServiceError::from_domain)?;
    let example = policy
        .resident_for(grade, category)
        .is_some_and(|r| r.example);
    Ok(Some((due, policy.name.as_str(), example)))
}

/// Writes the year's line unless it is there; true when written.
pub(crate) async fn write_year_line(
    conn: &mut Conn,
    person_id: i64,
    year: i32,
    due: Fen,
    policy_name: &str,
    example: bool,
    now: &str,
) -> Result<bool, ServiceError> {
    Ok(store::insert_due(
        conn,
        &NewDue {
            person_id,
            employer_id: None,
            kind: PayerKind::Resident,
            month: &year_month(year),
            base_fen: 0,
            employer_fen: 0,
            person_fen: due.0,
            total_fen: due.0,
            account_credit_fen: 0,
            policy_name,
            example,
            now,
        },
    )
    .await?)
}

/// The yearly run (finance, or the machine's operator; audited): every resident coverage
/// registered or in force during the year gets its line. Idempotent.
pub async fn run_resident_year(
    services: &Services,
    actor: &Actor,
    year: i32,
) -> Result<YearRun, ServiceError> {
    let (services, actor) = (services.clone(), actor.clone());
    crate::detached(async move { run_resident_year_now(&services, &actor, year).await }).await
}

async fn run_resident_year_now(
    services: &Services,
    actor: &Actor,
    year: i32,
) -> Result<YearRun, ServiceError> {
    if !matches!(actor, Actor::System { .. }) {
        actor.staff_with(StaffRole::Finance)?;
    }
    let (first, last) = year_bounds(year)?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let members = store::resident_members(&mut tx, &first.to_string(), &last.to_string()).await?;
    let mut out = YearRun {
        year,
        ..YearRun::default()
    };
    for m in &members {
        let CoverageCategory::Resident(category) = m.category else {
            continue;
        };
        let Some((due, policy_name, example)) = assess(&m.region_code, category, &m.grade, year)?
        else {
            out.no_policy += 1;
            continue;
        };
        if write_year_line(&mut tx, m.person_id, year, due, policy_name, example, &now).await? {
            out.written += 1;
            out.due_fen = out.due_fen.saturating_add(due.0);
            if example {
                out.example_lines += 1;
            }
        } else {
            out.already += 1;
        }
    }
    audit::record(
        &mut tx,
        services,
        actor,
        "contribution.run_resident_year",
        "contribution_year",
        &year.to_string(),
        None,
        Some(&json!(out)),
        &format!(
            "核定 {year} 年度城乡居民个人缴费：新增 {} 条，已有 {} 条",
            out.written, out.already
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(out)
}

/// After paid records were recorded: a registered resident coverage whose year's line is now
/// paid in full comes into force on its planned start (参保生效). Returns the coverages activated.
pub(crate) async fn activate_paid(
    conn: &mut Conn,
    person_id: i64,
    month: &str,
    now: &str,
) -> Result<Option<i64>, ServiceError> {
    let Some((due, paid)) =
        store::line_due_and_paid(conn, person_id, PayerKind::Resident, month).await?
    else {
        return Ok(None);
    };
    if paid < due {
        return Ok(None);
    }
    let Some(year) = month.get(..4).and_then(|y| y.parse::<i32>().ok()) else {
        return Ok(None);
    };
    let (first, last) = year_bounds(year)?;
    let Some((coverage_id, start)) =
        store::registered_resident_coverage(conn, person_id, &first.to_string(), &last.to_string())
            .await?
    else {
        return Ok(None);
    };
    records::change_coverage_status(
        conn,
        &StatusChange {
            coverage_id,
            from: CoverageStatus::Registered,
            to: CoverageStatus::Active,
            effective_on: &start,
            reason: "城乡居民个人缴费已到账，参保生效",
            detail_json: &json!({ "year": year, "due_fen": due, "paid_fen": paid }).to_string(),
            case_number: None,
            now,
        },
    )
    .await?;
    Ok(Some(coverage_id))
}
