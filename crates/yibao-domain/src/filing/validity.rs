//! A recorded filing, how long it is in force, its change and cancellation, and which filing
//! applies to a visit.
//!
//! None of the five guides states a validity period or a minimum period before a change: a
//! filing completes (即时办结 …) and then simply exists. `ValidityPolicy::per_seeds` says exactly
//! that (in force until changed or cancelled). The national figures often quoted from
//! 医保发〔2022〕22号 (temporary filings valid at least 6 months; long-term filings not changed
//! within 6 months) are **not** in the seeds nor in POLICY-FACTS, so they exist here only as the
//! labelled example `ValidityPolicy::example_national_2022`.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::{CitizenId, RegionCode};

use super::error::FilingError;
use super::jurisdiction::FilingJurisdiction;
use super::kind::FilingKind;
use super::target::FilingTarget;

/// How long a filing of one kind stays in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", content = "months", rename_all = "snake_case")]
pub enum ValidityRule {
    /// Until changed or cancelled (长期有效).
    UntilChanged,
    /// N calendar months from the day it takes effect (the last day is the day before the same
    /// date N months later).
    Months(u32),
}

/// Validity per kind, and the minimum time before a long-term filing may be changed or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityPolicy {
    pub long_term: ValidityRule,
    pub referral: ValidityRule,
    pub temporary: ValidityRule,
    pub emergency: ValidityRule,
    /// Months a long-term filing must have been in force before a change or cancellation.
    pub min_months_before_change: Option<u32>,
    /// Where the figures come from, for the explanation shown to clerks.
    pub source: &'static str,
    /// True when the figures are an unverified example, not a published rule.
    pub example: bool,
}

impl ValidityPolicy {
    /// What the five seed guides say: nothing about validity, so every filing is in force until
    /// it is changed or cancelled, with no waiting period.
    pub fn per_seeds() -> ValidityPolicy {
        ValidityPolicy {
            long_term: ValidityRule::UntilChanged,
            referral: ValidityRule::UntilChanged,
            temporary: ValidityRule::UntilChanged,
            emergency: ValidityRule::UntilChanged,
            min_months_before_change: None,
            source: "五份办事指南均未规定备案有效期，备案长期有效，直至变更或取消",
            example: false,
        }
    }

    /// **Example only (uncertain):** figures commonly attributed to 医保发〔2022〕22号 — temporary,
    /// referral and emergency filings valid 6 months, long-term filings until changed with no
    /// change or cancellation within 6 months. Not verified against the document.
    pub fn example_national_2022() -> ValidityPolicy {
        ValidityPolicy {
            long_term: ValidityRule::UntilChanged,
            referral: ValidityRule::Months(6),
            temporary: ValidityRule::Months(6),
            emergency: ValidityRule::Months(6),
            min_months_before_change: Some(6),
            source: "示例（未核实）：按医保发〔2022〕22号常见表述，临时外出就医备案有效期6个月，长期备案6个月内不得变更或取消",
            example: true,
        }
    }

    pub fn rule(&self, kind: FilingKind) -> ValidityRule {
        match kind {
            k if k.is_long_term() => self.long_term,
            FilingKind::Referral => self.referral,
            FilingKind::Temporary => self.temporary,
            _ => self.emergency,
        }
    }
}

/// Why a filing stopped before its own end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EndReason {
    /// Replaced by a changed filing (登记类别 变更).
    Changed { by: String },
    /// Cancelled (取消备案).
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingEnd {
    /// The last day the filing was in force.
    pub last_day: NaiveDate,
    pub reason: EndReason,
}

/// A filing's standing on a day (`Filing::status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    /// Recorded, starting on a later day (待生效).
    Pending,
    InForce,
    /// Changed or cancelled (已终止).
    Ended,
    /// Past its own last day (已过期).
    Expired,
}

impl FilingStatus {
    pub fn label(self) -> &'static str {
        match self {
            FilingStatus::Pending => "待生效",
            FilingStatus::InForce => "有效",
            FilingStatus::Ended => "已终止",
            FilingStatus::Expired => "已过期",
        }
    }
}

/// What a completed filing case records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingRequest {
    pub id: String,
    pub person: CitizenId,
    pub kind: FilingKind,
    pub jurisdiction: FilingJurisdiction,
    pub insured_region: RegionCode,
    pub target: FilingTarget,
    /// The day the filing case completed (备案日期).
    pub recorded_on: NaiveDate,
    /// When cover starts if not on `recorded_on`: the admission day of an emergency filed after
    /// admission (seed 001 item 21), or the first day of a planned stay.
    pub starts_on: Option<NaiveDate>,
    /// The last day the applicant asked for (e.g. the end of a trip), if any.
    pub requested_end: Option<NaiveDate>,
}

/// A filing as stored: in force from `effective_from` to its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    pub id: String,
    pub person: CitizenId,
    pub kind: FilingKind,
    pub jurisdiction: FilingJurisdiction,
    pub insured_region: RegionCode,
    pub target: FilingTarget,
    pub recorded_on: NaiveDate,
    pub effective_from: NaiveDate,
    /// The last day of its own validity; `None` = until changed or cancelled.
    pub effective_to: Option<NaiveDate>,
    /// Set by a change or a cancellation.
    pub end: Option<FilingEnd>,
}

fn add_months(d: NaiveDate, months: u32) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(months))
}

impl Filing {
    /// Records a completed filing under `policy`.
    pub fn open(req: FilingRequest, policy: &ValidityPolicy) -> Filing {
        let effective_from = req.starts_on.unwrap_or(req.recorded_on);
        let own_end = match policy.rule(req.kind) {
            ValidityRule::UntilChanged => None,
            ValidityRule::Months(n) => {
                add_months(effective_from, n).and_then(|d| d.checked_sub_days(Days::new(1)))
            }
        };
        let effective_to = match (own_end, req.requested_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Filing {
            id: req.id,
            person: req.person,
            kind: req.kind,
            jurisdiction: req.jurisdiction,
            insured_region: req.insured_region,
            target: req.target,
            recorded_on: req.recorded_on,
            effective_from,
            effective_to,
            end: None,
        }
    }

    /// The last day in force, if there is one.
    pub fn last_day(&self) -> Option<NaiveDate> {
        match (self.effective_to, &self.end) {
            (Some(a), Some(e)) => Some(a.min(e.last_day)),
            (a, e) => a.or(e.as_ref().map(|e| e.last_day)),
        }
    }

    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.last_day().is_none_or(|l| date <= l)
    }

    /// Not ended and not expired by `today` (it may still start later).
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.end.is_none() && self.effective_to.is_none_or(|t| today <= t)
    }

    /// Where the filing stands on `today`, as the person's list shows it.
    pub fn status(&self, today: NaiveDate) -> FilingStatus {
        if self.end.is_some() {
            FilingStatus::Ended
        } else if !self.is_current(today) {
            FilingStatus::Expired
        } else if self.effective_from > today {
            FilingStatus::Pending
        } else {
            FilingStatus::InForce
        }
    }

    /// The first day a change or cancellation is allowed under `policy`.
    pub fn earliest_change(&self, policy: &ValidityPolicy) -> NaiveDate {
        match policy.min_months_before_change {
            Some(m) if self.kind.is_long_term() => {
                add_months(self.effective_from, m).unwrap_or(NaiveDate::MAX)
            }
            _ => self.effective_from,
        }
    }

    fn check_may_end(&self, today: NaiveDate, policy: &ValidityPolicy) -> Result<(), FilingError> {
        if !self.is_current(today) {
            return Err(FilingError::NotInForce {
                id: self.id.clone(),
                date: today,
            });
        }
        // A filing that has not started yet may always be withdrawn.
        let earliest = self.earliest_change(policy);
        if today >= self.effective_from && today < earliest {
            return Err(FilingError::TooEarlyToChange {
                id: self.id.clone(),
                earliest,
            });
        }
        Ok(())
    }
}

/// A change (登记类别 变更): the old filing ends the day before `today`, the new one is recorded
/// `today`. Returns the closed old filing and the new one. The same person only, and the kind
/// stays within its group (long-term to long-term, or the same temporary kind).
pub fn change_filing(
    old: &Filing,
    new: FilingRequest,
    today: NaiveDate,
    policy: &ValidityPolicy,
) -> Result<(Filing, Filing), Vec<FilingError>> {
    let mut errors = Vec::new();
    if let Err(e) = old.check_may_end(today, policy) {
        errors.push(e);
    }
    let same_group = new.kind == old.kind || (new.kind.is_long_term() && old.kind.is_long_term());
    if new.person != old.person || !same_group {
        errors.push(FilingError::ChangeIncompatible);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut closed = old.clone();
    closed.end = Some(FilingEnd {
        last_day: today.pred_opt().unwrap_or(today),
        reason: EndReason::Changed { by: new.id.clone() },
    });
    let new = Filing::open(
        FilingRequest {
            recorded_on: today,
            ..new
        },
        policy,
    );
    Ok((closed, new))
}

/// A cancellation (取消备案): the filing no longer applies from `today` on.
pub fn cancel_filing(
    old: &Filing,
    today: NaiveDate,
    policy: &ValidityPolicy,
) -> Result<Filing, FilingError> {
    old.check_may_end(today, policy)?;
    let mut closed = old.clone();
    closed.end = Some(FilingEnd {
        last_day: today.pred_opt().unwrap_or(today),
        reason: EndReason::Cancelled,
    });
    Ok(closed)
}

/// Preference when several filings cover the same visit: long-term over referral over emergency
/// over plain temporary; then the most recent.
fn priority(kind: FilingKind) -> u8 {
    match kind {
        k if k.is_long_term() => 4,
        FilingKind::Referral => 3,
        FilingKind::EmergencyAdmission | FilingKind::SichuanTrauma => 2,
        _ => 1,
    }
}

/// The filing of `person` that applies to care in `care_region` on `date`: in force that day and
/// targeting the care place (province match for the province-level targets, city match
/// otherwise — `FilingTarget::covers`).
pub fn active_filing<'a>(
    filings: &'a [Filing],
    person: &CitizenId,
    care_region: &RegionCode,
    date: NaiveDate,
) -> Option<&'a Filing> {
    filings
        .iter()
        .filter(|f| &f.person == person && f.in_force_on(date) && f.target.covers(care_region))
        .max_by(|a, b| {
            (priority(a.kind), a.effective_from, a.recorded_on, &a.id).cmp(&(
                priority(b.kind),
                b.effective_from,
                b.recorded_on,
                &b.id,
            ))
        })
}
