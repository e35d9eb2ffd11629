//! The deadline of each kind of time limit a catalog item states.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use super::{CalendarWarning, HolidayCalendar};

/// A time limit as a rule can compute it (from the catalog's `[[time_limits]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum LimitSpec {
    /// 即时办结: on the spot.
    Immediate,
    /// 当日办结: by the end of the day of acceptance (the next working day if accepted on a
    /// non-working day).
    SameDay,
    /// 不超过 N 个工作日.
    WorkingDays { days: u32 },
    /// N 日 meaning calendar days (e.g. "30日内"). By default the last day stays where it falls
    /// (SEED-NOTES D09); `roll_over_holidays` applies 民法典 art. 203 (a last day that is a
    /// holiday moves to the next working day).
    CalendarDays { days: u32, roll_over_holidays: bool },
    /// Before (and including) the N-th of the month: the next N-th on or after acceptance.
    DayOfMonth { day: u32 },
    /// Per application batch: N working days counted from the day the batch opens (or from
    /// acceptance, if later).
    Batch { working_days: u32, opens: NaiveDate },
    /// 及时办理: no computable date.
    Timely,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The last day (to its end) on which the case must be completed; `None` for 及时办理.
    pub due: Option<NaiveDate>,
    pub warnings: Vec<CalendarWarning>,
}

impl HolidayCalendar {
    pub fn deadline(&self, accepted_on: NaiveDate, spec: LimitSpec) -> Deadline {
        let counted = |d: NaiveDate, warnings| Deadline {
            due: Some(d),
            warnings,
        };
        match spec {
            LimitSpec::Immediate | LimitSpec::SameDay => {
                let c = self.add_working_days(accepted_on, 0);
                counted(c.value, c.warnings)
            }
            LimitSpec::WorkingDays { days } => {
                let c = self.add_working_days(accepted_on, days);
                counted(c.value, c.warnings)
            }
            LimitSpec::CalendarDays {
                days,
                roll_over_holidays,
            } => {
                let mut due = accepted_on + Days::new(u64::from(days));
                if roll_over_holidays {
                    due = self.working_day_on_or_after(due);
                }
                counted(
                    due,
                    self.warnings_for(accepted_on.iter_days().take_while(|d| *d <= due)),
                )
            }
            LimitSpec::DayOfMonth { day } => {
                let due = next_day_of_month(accepted_on, day);
                counted(due, self.warnings_for([accepted_on, due]))
            }
            LimitSpec::Batch {
                working_days,
                opens,
            } => {
                let c = self.add_working_days(accepted_on.max(opens), working_days);
                counted(c.value, c.warnings)
            }
            LimitSpec::Timely => Deadline {
                due: None,
                warnings: Vec::new(),
            },
        }
    }
}

/// The first date on or after `from` whose day of month is `day` (clamped to the month's end).
fn next_day_of_month(from: NaiveDate, day: u32) -> NaiveDate {
    let in_month = |first: NaiveDate| {
        let last = (first + Months::new(1)) - Days::new(1);
        first.with_day(day.min(last.day()).max(1)).unwrap_or(last)
    };
    let first = from.with_day(1).unwrap_or(from);
    let this = in_month(first);
    if this >= from {
        this
    } else {
        in_month(first + Months::new(1))
    }
}
