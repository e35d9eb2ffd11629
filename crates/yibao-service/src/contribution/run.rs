//! The monthly run: for every person liable in the month, what is due and the month's account
//! credit, from the policy in force in the person's region. Idempotent per month: a line already
//! written is left as it is, so a second run writes nothing.

use std::sync::atomic::{AtomicBool, Ordering};

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

/// Lines written per transaction by `run_month` (see `run_month_in_chunks`).
pub const RUN_CHUNK: usize = 10_000;

/// Writes the month's dues (finance staff, or the machine's operator on the command line;
/// audited), `RUN_CHUNK` lines per transaction.
pub async fn run_month(
    services: &Services,
    actor: &Actor,
    year: i32,
    month: u32,
) -> Result<MonthRun, ServiceError> {
    // On its own task: a million lines take most of a minute, and a caller that goes away (an
    // HTTP request timing out, a closed page) must not stop it between two chunks.
    let (services, actor) = (services.clone(), actor.clone());
    crate::detached(
        async move { run_month_in_chunks(&services, &actor, year, month, RUN_CHUNK).await },
    )
    .await
}

/// The monthly run, `chunk` lines per transaction (at least one).
///
/// Every line is computed first, in memory, with the pure rules; then each chunk is written in
/// its own transaction, two at a time (two lanes): the lines not yet in the ledger (one
/// statement on PostgreSQL), their credits posted under the accumulator row locks
/// (`settlement::post_credits`: set-based), and an audit entry. So a settlement of one of the
/// chunk's people waits at most for one chunk, never for the whole run. A crash or a refusal
/// part way leaves the chunks already committed written and credited, each with its audit
/// entry; running the month again writes the rest, since a line already written is kept and
/// counted `already`, and a line's credit is posted only in the transaction that writes it. The
/// last chunk's transaction holds the run's entry with the whole answer (earlier chunks that
/// wrote something have an entry of their own).
pub async fn run_month_in_chunks(
    services: &Services,
    actor: &Actor,
    year: i32,
    month: u32,
    chunk: usize,
) -> Result<MonthRun, ServiceError> {
    if !matches!(actor, Actor::System { .. }) {
        actor.staff_with(StaffRole::Finance)?;
    }
    let (first, last) = month_bounds(year, month)?;
    let month_text = format!("{:04}-{:02}", first.year(), first.month());
    let now = services.clock().now_text();
    let members = {
        let mut tx = services.store().begin_read().await?;
        let m = store::members(&mut tx, year, &first.to_string(), &last.to_string()).await?;
        tx.rollback().await.map_err(StoreError::from)?;
        m
    };
    let mut out = MonthRun {
        month: month_text.clone(),
        ..MonthRun::default()
    };
    let mut lines = Vec::with_capacity(members.len());
    // One line per person, kind and month: a second coverage of the same kind finds the first's
    // line written, as it did when lines were written one at a time.
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    for m in &members {
        let Some(line) = line_for(m, year, &month_text, first, &mut out)? else {
            continue;
        };
        if seen.insert((line.person_id, line.kind)) {
            lines.push(line);
        } else {
            out.already += 1;
        }
    }
    drop(seen);
    let ctx = Chunks {
        services,
        actor,
        month: &month_text,
        label: actor.label(),
        now: &now,
        count: lines.len().div_ceil(chunk.max(1)).max(1),
    };
    let mut parts: Vec<&[Line<'_>]> = lines.chunks(chunk.max(1)).collect();
    let last = parts.pop().unwrap_or(&[]);
    // Two lanes write the chunks before the last, alternately (on PostgreSQL two connections,
    // so the database uses both cores). Their people are disjoint but for one person whose lines
    // straddle a boundary, whom the later chunk waits for under the row lock. A lane that fails
    // stops the other at its next chunk.
    let stop = AtomicBool::new(false);
    let (ctx, parts_ref, stop_ref) = (&ctx, &parts, &stop);
    let lane = |first: usize| async move {
        let mut sum = MonthRun::default();
        for (i, part) in parts_ref.iter().enumerate().skip(first).step_by(RUN_LANES) {
            if stop_ref.load(Ordering::Relaxed) {
                break;
            }
            match ctx.write(part, i, None).await {
                Ok(this) => sum.add(&this),
                Err(e) => {
                    stop_ref.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok::<MonthRun, ServiceError>(sum)
    };
    let (a, b) = tokio::join!(lane(0), lane(1));
    out.add(&a?);
    out.add(&b?);
    ctx.write(last, parts.len(), Some(out)).await
}

/// Lanes writing chunks at the same time (`run_month_in_chunks`).
const RUN_LANES: usize = 2;

/// What every chunk of a run shares.
struct Chunks<'a> {
    services: &'a Services,
    actor: &'a Actor,
    month: &'a str,
    label: String,
    now: &'a str,
    count: usize,
}

impl Chunks<'_> {
    /// Writes one chunk in its own transaction with its audit entry and answers what it wrote;
    /// the last chunk (`run` = the run's answer so far) records the run's entry and answers the
    /// whole run.
    async fn write(
        &self,
        part: &[Line<'_>],
        index: usize,
        run: Option<MonthRun>,
    ) -> Result<MonthRun, ServiceError> {
        let mut tx = self.services.store().begin().await?;
        let inserted = write_lines(&mut tx, part, &self.label, self.now).await?;
        let mut this = MonthRun {
            month: self.month.to_string(),
            ..MonthRun::default()
        };
        for (l, ins) in part.iter().zip(inserted) {
            if ins {
                this.written += 1;
                this.due_fen = this.due_fen.saturating_add(l.total.0);
                this.account_credit_fen = this.account_credit_fen.saturating_add(l.credit.0);
                if l.example {
                    this.example_lines += 1;
                }
            } else {
                this.already += 1;
            }
        }
        let month = self.month;
        let answer = if let Some(mut out) = run {
            out.add(&this);
            audit::record(
                &mut tx,
                self.services,
                self.actor,
                "contribution.run_month",
                "contribution_month",
                month,
                None,
                Some(&json!(out)),
                &format!(
                    "核定 {month} 应缴：新增 {} 条，已有 {} 条，未申报基数 {} 人",
                    out.written, out.already, out.no_base
                ),
            )
            .await?;
            out
        } else {
            if this.written > 0 {
                audit::record(
                    &mut tx,
                    self.services,
                    self.actor,
                    "contribution.run_month",
                    "contribution_month",
                    month,
                    None,
                    Some(&json!(this)),
                    &format!(
                        "核定 {month} 应缴（第 {} 批，共 {} 批）：新增 {} 条，已有 {} 条",
                        index + 1,
                        self.count,
                        this.written,
                        this.already
                    ),
                )
                .await?;
            }
            this
        };
        tx.commit().await.map_err(StoreError::from)?;
        Ok(answer)
    }
}

impl MonthRun {
    /// Adds a chunk's counts and sums.
    fn add(&mut self, o: &MonthRun) {
        self.written += o.written;
        self.already += o.already;
        self.no_base += o.no_base;
        self.no_policy += o.no_policy;
        self.due_fen = self.due_fen.saturating_add(o.due_fen);
        self.account_credit_fen = self.account_credit_fen.saturating_add(o.account_credit_fen);
        self.example_lines += o.example_lines;
    }
}

/// The member's line from the policy in force in their region on the month's first day; none
/// (and counted) without a policy or, in service, without a declared base.
fn line_for<'a>(
    m: &'a store::MemberRow,
    year: i32,
    month_text: &'a str,
    first: NaiveDate,
    out: &mut MonthRun,
) -> Result<Option<Line<'a>>, ServiceError> {
    let Some(policy) = m
        .region_code
        .parse::<RegionCode>()
        .ok()
        .and_then(|r| policy_for(&r, first))
    else {
        out.no_policy += 1;
        return Ok(None);
    };
    let (kind, base, employer, person, total, credit, example) = if m.category == "retired" {
        let credit = account_credit(Member::Retired, policy).map_err(ServiceError::from_domain)?;
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
            return Ok(None);
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
    Ok(Some(Line {
        person_id: m.person_id,
        id_number: &m.id_number,
        employer_id: m.employer_id,
        kind,
        year,
        month: month_text,
        base,
        employer,
        person,
        total,
        credit,
        policy_name: &policy.name,
        example,
    }))
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
/// stay for corrections). True when written. The one-line case of `write_lines`.
pub(crate) async fn write_line(
    tx: &mut yibao_store::Conn,
    l: &Line<'_>,
    actor_label: &str,
    now: &str,
) -> Result<bool, ServiceError> {
    let written = write_lines(tx, std::slice::from_ref(l), actor_label, now).await?;
    Ok(written.first().copied().unwrap_or(false))
}

/// Writes the lines not yet in the ledger and posts the credit of each line written, in the
/// caller's transaction: the lines in one statement (PostgreSQL), then every credit with
/// `settlement::post_credits`. Answers, per line, whether it was written.
pub(crate) async fn write_lines(
    tx: &mut yibao_store::Conn,
    lines: &[Line<'_>],
    actor_label: &str,
    now: &str,
) -> Result<Vec<bool>, ServiceError> {
    let dues: Vec<NewDue<'_>> = lines
        .iter()
        .map(|l| NewDue {
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
        })
        .collect();
    let inserted = store::insert_dues(tx, &dues).await?;
    let credited: Vec<&Line<'_>> = lines
        .iter()
        .zip(&inserted)
        .filter(|(l, ins)| **ins && l.credit.0 > 0)
        .map(|(l, _)| l)
        .collect();
    let notes: Vec<String> = credited
        .iter()
        .map(|l| {
            format!(
                "{} 缴费核定划入{}",
                l.month,
                if l.example { "（示例参数）" } else { "" }
            )
        })
        .collect();
    let postings: Vec<crate::account::Posting<'_>> = credited
        .iter()
        .zip(&notes)
        .map(|(l, note)| crate::account::Posting {
            person: l.id_number,
            year: i64::from(l.year),
            kind: yibao_domain::account::EntryKind::Credit,
            amount: l.credit,
            reference: "contribution",
            note,
            created_by: actor_label,
            now,
        })
        .collect();
    crate::settlement::post_credits(tx, &postings).await?;
    Ok(inserted)
}
