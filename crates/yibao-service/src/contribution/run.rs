//! The monthly run: for every person liable in the month, what is due and the month's account
//! credit, from the policy in force in the person's region. Idempotent per month: a line already
//! written is left as it is, so a second run writes nothing.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use serde_json::json;
use yibao_domain::contribution::{account_credit, employee_dues, flexible_dues, Member, PayerKind};
use yibao_domain::enrolment::flexible::Grade;
use yibao_domain::staff::StaffRole;
use yibao_domain::{Fen, RegionCode};
use yibao_store::contribution::{self as store, NewDue};
use yibao_store::StoreError;

use super::policy_for;
use crate::identity::Actor;
use crate::{audit, ServiceError, Services};

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct MonthRun {
    pub month: String,
    /// Lines written by this run.
    pub written: u64,
    /// Lines a previous run had written.
    pub already: u64,
    /// In-service employees whose employer declared no base for the year (nothing is assumed).
    pub no_base: u64,
    /// People in a region with no contribution policy in force.
    pub no_policy: u64,
    pub due_fen: i64,
    pub account_credit_fen: i64,
    /// Lines computed from a policy section marked 示例参数.
    pub example_lines: u64,
}

fn month_bounds(year: i32, month: u32) -> Result<(NaiveDate, NaiveDate), ServiceError> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)
        .filter(|_| (2000..=2100).contains(&year))
        .ok_or_else(|| {
            ServiceError::invalid(
                "contribution.month",
                format!("{year}年{month}月不是有效的缴费月份"),
            )
        })?;
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .ok_or_else(|| ServiceError::invalid("contribution.month", "缴费月份超出范围"))?;
    Ok((first, last))
}

/// Writes the month's dues (finance staff, or the machine's operator on the command line;
/// audited).
pub async fn run_month(
    services: &Services,
    actor: &Actor,
    year: i32,
    month: u32,
) -> Result<MonthRun, ServiceError> {
    if !matches!(actor, Actor::System { .. }) {
        actor.staff_with(StaffRole::Finance)?;
    }
    let (first, last) = month_bounds(year, month)?;
    let month_text = format!("{:04}-{:02}", first.year(), first.month());
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let members = store::members(&mut tx, year, &first.to_string(), &last.to_string()).await?;
    let mut out = MonthRun {
        month: month_text.clone(),
        ..MonthRun::default()
    };
    for m in &members {
        let Some(policy) = m
            .region_code
            .parse::<RegionCode>()
            .ok()
            .and_then(|r| policy_for(&r, first))
        else {
            out.no_policy += 1;
            continue;
        };
        let (kind, base, employer, person, total, credit, example) = if m.category == "retired" {
            let credit =
                account_credit(Member::Retired, policy).map_err(ServiceError::from_domain)?;
            let z = Fen::ZERO;
            (
                PayerKind::Retired,
                z,
                z,
                z,
                z,
                credit,
                policy.account.example,
            )
        } else if m.category == "flexible" {
            // An individual coverage without a recorded grade is 一档, as the grade change reads it.
            let grade = Grade::parse(&m.grade).unwrap_or(Grade::Tier1);
            let d = flexible_dues(grade, policy).map_err(ServiceError::from_domain)?;
            let credit = account_credit(Member::Flexible { grade }, policy)
                .map_err(ServiceError::from_domain)?;
            let example =
                policy.flexible_grade(grade).is_some_and(|g| g.example) || policy.account.example;
            (
                PayerKind::Flexible,
                d.base,
                Fen::ZERO,
                d.total,
                d.total,
                credit,
                example,
            )
        } else {
            let Some(base) = m.base_fen else {
                out.no_base += 1;
                continue;
            };
            let d = employee_dues(Fen(base), policy).map_err(ServiceError::from_domain)?;
            let credit = account_credit(Member::InService { base: d.base.base }, policy)
                .map_err(ServiceError::from_domain)?;
            let example = policy.base.example || policy.employee.example || policy.account.example;
            (
                PayerKind::Employee,
                d.base.base,
                d.employer,
                d.employee,
                d.total,
                credit,
                example,
            )
        };
        let inserted = write_line(
            &mut tx,
            &Line {
                person_id: m.person_id,
                id_number: &m.id_number,
                employer_id: m.employer_id,
                kind,
                year,
                month: &month_text,
                base,
                employer,
                person,
                total,
                credit,
                policy_name: &policy.name,
                example,
            },
            &actor.label(),
            &now,
        )
        .await?;
        if inserted {
            out.written += 1;
            out.due_fen = out.due_fen.saturating_add(total.0);
            out.account_credit_fen = out.account_credit_fen.saturating_add(credit.0);
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
        "contribution.run_month",
        "contribution_month",
        &month_text,
        None,
        Some(&json!(out)),
        &format!(
            "核定 {month_text} 应缴：新增 {} 条，已有 {} 条，未申报基数 {} 人",
            out.written, out.already, out.no_base
        ),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(out)
}

/// One ledger line to write, with its account credit.
pub(crate) struct Line<'a> {
    pub person_id: i64,
    pub id_number: &'a str,
    pub employer_id: Option<i64>,
    pub kind: PayerKind,
    pub year: i32,
    pub month: &'a str,
    pub base: Fen,
    pub employer: Fen,
    pub person: Fen,
    pub total: Fen,
    pub credit: Fen,
    pub policy_name: &'a str,
    pub example: bool,
}

/// Writes the line unless the person already has one for the kind and month, and posts its
/// credit to the account with it: once, as the line is written once (manual credits by finance
/// stay for corrections). True when written.
pub(crate) async fn write_line(
    tx: &mut yibao_store::Conn,
    l: &Line<'_>,
    actor_label: &str,
    now: &str,
) -> Result<bool, ServiceError> {
    let inserted = store::insert_due(
        tx,
        &NewDue {
            person_id: l.person_id,
            employer_id: l.employer_id,
            kind: l.kind,
            month: l.month,
            base_fen: l.base.0,
            employer_fen: l.employer.0,
            person_fen: l.person.0,
            total_fen: l.total.0,
            account_credit_fen: l.credit.0,
            policy_name: l.policy_name,
            example: l.example,
            now,
        },
    )
    .await?;
    if inserted && l.credit.0 > 0 {
        crate::settlement::post_credit(
            tx,
            l.id_number,
            i64::from(l.year),
            l.credit,
            &format!(
                "{} 缴费核定划入{}",
                l.month,
                if l.example { "（示例参数）" } else { "" }
            ),
            actor_label,
            now,
        )
        .await?;
    }
    Ok(inserted)
}
