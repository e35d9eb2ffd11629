//! The case clock: a working-day limit that runs from acceptance, stops while the case is paused
//! (deficiency notice outstanding, materials in transit between regions), and tells how much is
//! left and how urgent it is.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CalendarWarning, HolidayCalendar};

/// An interval during which the clock stands still. Working days in `(from, to]` do not count:
/// the day the pause starts was used, and the day it ends is day 0 again (like acceptance).
/// `to = None` means the pause is still going on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub reason: String,
}

impl Pause {
    fn covers(&self, d: NaiveDate) -> bool {
        d > self.from && self.to.is_none_or(|to| d <= to)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// "Due soon" when this many working days or fewer remain.
    pub due_soon_working_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            due_soon_working_days: 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Normal,
    DueSoon,
    Overdue,
    /// The clock stands still (a pause is open).
    Paused,
}

impl WarningLevel {
    pub fn label(self) -> &'static str {
        match self {
            WarningLevel::Normal => "正常",
            WarningLevel::DueSoon => "即将到期",
            WarningLevel::Overdue => "已超期",
            WarningLevel::Paused => "暂停计时",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseClock {
    pub accepted_on: NaiveDate,
    pub limit_working_days: u32,
    pub pauses: Vec<Pause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockState {
    /// The deadline with the pauses so far taken out; `None` while a pause is open.
    pub due: Option<NaiveDate>,
    /// Counting working days used up to and including `today`.
    pub used_working_days: u32,
    /// Counting working days left after `today` (0 when overdue).
    pub remaining_working_days: u32,
    /// Counting working days past the deadline, when overdue.
    pub overdue_working_days: u32,
    pub level: WarningLevel,
    pub warnings: Vec<CalendarWarning>,
}

impl CaseClock {
    fn counts(&self, cal: &HolidayCalendar, d: NaiveDate) -> bool {
        cal.is_working_day(d) && !self.pauses.iter().any(|p| p.covers(d))
    }

    /// The clock as it stands at the end of `today`.
    pub fn state(&self, cal: &HolidayCalendar, today: NaiveDate, t: Thresholds) -> ClockState {
        let open_pause = self.pauses.iter().any(|p| p.to.is_none());
        let start = self.accepted_on;
        let used = start
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= today)
            .filter(|d| self.counts(cal, *d))
            .count() as u32;
        let mut due = None;
        if !open_pause {
            // The limit-th counting day after acceptance.
            let mut n = 0;
            let mut day = start;
            if self.limit_working_days == 0 {
                // Same day (当日办结): due on day 0, and a pause's last day is day 0 again
                // (e.g. the day materials in transit arrive at the deciding agency).
                day = self
                    .pauses
                    .iter()
                    .filter_map(|p| p.to.filter(|to| *to >= start))
                    .fold(start, |d, to| d.max(to));
                day = cal.working_day_on_or_after(day);
            }
            while n < self.limit_working_days {
                day = cal.next_working_day(day);
                if self.counts(cal, day) {
                    n += 1;
                }
            }
            due = Some(day);
        }
        let (remaining, overdue) = (
            self.limit_working_days.saturating_sub(used),
            used.saturating_sub(self.limit_working_days),
        );
        let level = if open_pause {
            WarningLevel::Paused
        } else if due.is_some_and(|d| today > d) {
            WarningLevel::Overdue
        } else if remaining <= t.due_soon_working_days {
            WarningLevel::DueSoon
        } else {
            WarningLevel::Normal
        };
        let last = due.unwrap_or(today).max(today);
        ClockState {
            due,
            used_working_days: used,
            remaining_working_days: remaining,
            overdue_working_days: overdue,
            level,
            warnings: cal.warnings_for(start.iter_days().take_while(|d| *d <= last)),
        }
    }
}
