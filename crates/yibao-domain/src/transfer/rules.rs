use chrono::{Datelike, NaiveDate};

use crate::calendar::{Counted, HolidayCalendar};

/// A step one side owes the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// 发出《联系函》: the joining side, after accepting a complete application.
    Letter,
    /// 发出《信息表》并划转个人账户余额: the leaving side, after receiving the letter.
    Sheet,
    /// 完成转入: the joining side, after receiving the sheet and the balance.
    Completion,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Letter, Step::Sheet, Step::Completion];

    pub fn key(self) -> &'static str {
        match self {
            Step::Letter => "letter",
            Step::Sheet => "sheet",
            Step::Completion => "completion",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Letter => "发出《联系函》",
            Step::Sheet => "发出《信息表》并划转个人账户余额",
            Step::Completion => "完成转入",
        }
    }

    /// Working days allowed, counted from the day the step became owed (that day is day 0).
    pub fn working_days(self) -> u32 {
        match self {
            Step::Letter => 5,
            Step::Sheet => 10,
            Step::Completion => 5,
        }
    }

    /// Which side owes it.
    pub fn owed_by(self) -> Side {
        match self {
            Step::Letter | Step::Completion => Side::Joining,
            Step::Sheet => Side::Leaving,
        }
    }

    pub fn from_key(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|k| k.key() == s)
    }
}

impl TryFrom<String> for Step {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Step::from_key(&s).ok_or(s)
    }
}

/// The two sides of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// 转入地: where the person now works or lives; receives the application.
    Joining,
    /// 转出地: where the person was insured; issued the 参保凭证.
    Leaving,
}

impl Side {
    pub fn key(self) -> &'static str {
        match self {
            Side::Joining => "joining",
            Side::Leaving => "leaving",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Side::Joining => "转入地",
            Side::Leaving => "转出地",
        }
    }

    pub fn from_key(s: &str) -> Option<Side> {
        [Side::Joining, Side::Leaving]
            .into_iter()
            .find(|k| k.key() == s)
    }
}

impl TryFrom<String> for Side {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Side::from_key(&s).ok_or(s)
    }
}

/// The last day `step` may be done on when it became owed on `owed_on`, with the calendar's
/// warnings (a year without a loaded schedule is said, not silently guessed).
pub fn due_on(cal: &HolidayCalendar, step: Step, owed_on: NaiveDate) -> Counted<NaiveDate> {
    cal.add_working_days(owed_on, step.working_days())
}

/// Whether a step owed until `due` and not done is overdue on `today`.
pub fn overdue(due: NaiveDate, today: NaiveDate) -> bool {
    today > due
}

/// Whole months of coverage in the periods `(start, end)`, an open end counted to `today`,
/// overlaps counted once: the 缴费年限 the information sheet carries to the joining side.
pub fn covered_months(periods: &[(NaiveDate, Option<NaiveDate>)], today: NaiveDate) -> u32 {
    let index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let mut months: Vec<i32> = Vec::new();
    for (start, end) in periods {
        let end = end.unwrap_or(today).min(today);
        if end < *start {
            continue;
        }
        months.extend(index(*start)..=index(end));
    }
    months.sort_unstable();
    months.dedup();
    u32::try_from(months.len()).unwrap_or(u32::MAX)
}
