//! Working days (工作日) and legal time limits, after the State Council's holiday schedules.
//!
//! Counting convention (docs/adr/0002-working-days.md): the day of acceptance is day 0; counting
//! starts on the next working day; an N-working-day limit ends at the end of the N-th working day so
//! counted. A case accepted on a non-working day counts from the next working day the same way.
//! A date whose year has no published schedule is computed from the statutory holidays that
//! 《全国年节及纪念日放假办法》 fixes (`statutory`) and the weekend rule, and carries an explicit
//! warning that the year's weekend swaps (调休) are unknown — never a silent guess.

mod clock;
mod data;
mod deadline;
pub mod statutory;

pub use clock::{CaseClock, ClockState, Pause, Thresholds, WarningLevel};
pub use data::{is_weekend, Holiday, ScheduleError, YearSchedule};
pub use deadline::{Deadline, LimitSpec};

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

/// What a day is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Weekend,
    /// A day off of a festival (放假).
    Holiday {
        name: String,
    },
    /// A weekend day worked because of a festival (调休上班).
    MakeUpWorkday {
        name: String,
    },
}

/// A warning attached to a computed date: some day it depends on lies in a year whose schedule
/// is not in the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarWarning {
    pub code: &'static str,
    pub year: i32,
    pub message: String,
}

impl CalendarWarning {
    fn missing_year(year: i32) -> CalendarWarning {
        let message = if statutory::covers(year) {
            format!(
                "{year}年的节假日安排尚未录入（或尚未发布）：该年已按《全国年节及纪念日放假办法》计入法定节假日，\
                 但调休上班日和补休日未知，暂按周六、周日休息推算，公布后结果可能变化"
            )
        } else {
            format!(
                "{year}年的节假日安排尚未录入（或尚未发布），该年日期暂按周六、周日休息推算，公布后结果可能变化"
            )
        };
        CalendarWarning {
            code: "calendar.year_missing",
            year,
            message,
        }
    }
}

/// A value computed from the calendar, with the warnings that apply to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted<T> {
    pub value: T,
    pub warnings: Vec<CalendarWarning>,
}

/// The working-day calendar built from yearly schedules.
#[derive(Debug, Clone, Default)]
pub struct HolidayCalendar {
    off: BTreeMap<NaiveDate, String>,
    work: BTreeMap<NaiveDate, String>,
    schedules: BTreeMap<i32, YearSchedule>,
}

/// From this day on, a date of year Y may still be changed by year Y+1's notice (元旦 arrangements
/// reach back into late December).
const LATE_DECEMBER: u32 = 20;

impl HolidayCalendar {
    /// Builds the calendar from schedules; a later schedule for the same year replaces an
    /// earlier one (an administrator's correction over the shipped data).
    pub fn new(schedules: impl IntoIterator<Item = YearSchedule>) -> HolidayCalendar {
        let mut cal = HolidayCalendar::default();
        for s in schedules {
            cal.schedules.insert(s.year, s);
        }
        for s in cal.schedules.values() {
            for h in &s.holidays {
                for d in h.from.iter_days().take_while(|d| *d <= h.to) {
                    cal.off.insert(d, h.name.clone());
                }
            }
        }
        for s in cal.schedules.values() {
            for h in &s.holidays {
                for w in &h.workdays {
                    cal.off.remove(w);
                    cal.work.insert(*w, h.name.clone());
                }
            }
        }
        cal
    }

    pub fn schedules(&self) -> impl Iterator<Item = &YearSchedule> {
        self.schedules.values()
    }

    pub fn schedule(&self, year: i32) -> Option<&YearSchedule> {
        self.schedules.get(&year)
    }

    pub fn years(&self) -> BTreeSet<i32> {
        self.schedules.keys().copied().collect()
    }

    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        if let Some(name) = self.work.get(&d) {
            DayKind::MakeUpWorkday { name: name.clone() }
        } else if let Some(name) = self.off.get(&d) {
            DayKind::Holiday { name: name.clone() }
        } else if let Some(festival) = self.unloaded_statutory(d) {
            DayKind::Holiday {
                name: festival.to_string(),
            }
        } else if is_weekend(d) {
            DayKind::Weekend
        } else {
            DayKind::Workday
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        matches!(
            self.day_kind(d),
            DayKind::Workday | DayKind::MakeUpWorkday { .. }
        )
    }

    /// A statutory day of a year with no schedule loaded: off whatever that year's notice will
    /// say about swaps. A loaded year's notice already contains its statutory days.
    fn unloaded_statutory(&self, d: NaiveDate) -> Option<&'static str> {
        if self.schedules.contains_key(&d.year()) {
            return None;
        }
        statutory::statutory_festival(d)
    }

    /// The year whose missing schedule makes `d` uncertain, if any.
    pub fn missing_year_for(&self, d: NaiveDate) -> Option<i32> {
        if !self.schedules.contains_key(&d.year()) {
            return Some(d.year());
        }
        if d.month() == 12
            && d.day() >= LATE_DECEMBER
            && !self.schedules.contains_key(&(d.year() + 1))
        {
            return Some(d.year() + 1);
        }
        None
    }

    fn warnings_for(&self, dates: impl IntoIterator<Item = NaiveDate>) -> Vec<CalendarWarning> {
        let years: BTreeSet<i32> = dates
            .into_iter()
            .filter_map(|d| self.missing_year_for(d))
            .collect();
        years
            .into_iter()
            .map(CalendarWarning::missing_year)
            .collect()
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        loop {
            day = day + Days::new(1);
            if self.is_working_day(day) {
                return day;
            }
        }
    }

    /// The first working day on or after `d`.
    pub fn working_day_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        if self.is_working_day(d) {
            d
        } else {
            self.next_working_day(d)
        }
    }

    /// The `n`-th working day after `start` (start is day 0). `n = 0` gives `start` itself when it
    /// is a working day, else the next working day.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Counted<NaiveDate> {
        let mut day = start;
        if n == 0 {
            day = self.working_day_on_or_after(start);
        }
        for _ in 0..n {
            day = self.next_working_day(day);
        }
        let warnings = self.warnings_for(start.iter_days().take_while(|d| *d <= day));
        Counted {
            value: day,
            warnings,
        }
    }

    /// Working days in `(a, b]` — how many working days after `a` up to and including `b`;
    /// negative when `b` is before `a`. `working_days_between(a, add_working_days(a, n)) == n`
    /// for every `n >= 1`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Counted<i64> {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let count = lo
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= hi)
            .filter(|d| self.is_working_day(*d))
            .count() as i64;
        Counted {
            value: sign * count,
            warnings: self.warnings_for(lo.iter_days().take_while(|d| *d <= hi)),
        }
    }
}

#[cfg(test)]
mod tests;
