//! The holiday schedule files (`data/calendar/YYYY.toml`, format in `data/calendar/README.md`):
//! what one State Council notice set — days off per festival and the weekend days worked instead.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name: String,
    #[serde(deserialize_with = "crate::toml_date::date")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "crate::toml_date::date")]
    pub to: NaiveDate,
    #[serde(default, deserialize_with = "crate::toml_date::dates")]
    pub workdays: Vec<NaiveDate>,
    /// False for days off that are not statutory festivals (e.g. 2015-09-03).
    #[serde(default = "yes")]
    pub statutory: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub published: Option<NaiveDate>,
    /// Working days a later notice took back (kept for the record; they are days off).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::toml_date::dates"
    )]
    pub cancelled_workdays: Vec<NaiveDate>,
}

fn yes() -> bool {
    true
}

/// One year's schedule, as its notice published it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct YearSchedule {
    pub year: i32,
    pub notice: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::toml_date::opt_date"
    )]
    pub published: Option<NaiveDate>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0}")]
    Syntax(String),
    #[error("year {0} is outside 1949–2200")]
    Year(i32),
    #[error("{name}: from {from} is after to {to}")]
    Range {
        name: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    #[error("{name}: {date} is not within a year of the schedule's year")]
    FarDate { name: String, date: NaiveDate },
    #[error("{name}: make-up working day {date} is not a Saturday or Sunday")]
    WeekdayWorkday { name: String, date: NaiveDate },
    #[error("{date} is both a day off and a working day")]
    Conflict { date: NaiveDate },
}

impl ScheduleError {
    pub fn message_zh(&self) -> String {
        match self {
            ScheduleError::Syntax(s) => format!("节假日安排文件格式错误：{s}"),
            ScheduleError::Year(y) => format!("年份 {y} 不在 1949–2200 之间"),
            ScheduleError::Range { name, from, to } => {
                format!("{name}：放假开始日 {from} 晚于结束日 {to}")
            }
            ScheduleError::FarDate { name, date } => {
                format!("{name}：日期 {date} 与本年度安排相距超过一年")
            }
            ScheduleError::WeekdayWorkday { name, date } => {
                format!("{name}：调休上班日 {date} 不是周六或周日")
            }
            ScheduleError::Conflict { date } => format!("{date} 既是放假日又是上班日"),
        }
    }
}

pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl YearSchedule {
    /// Parses and checks one file's text.
    pub fn parse(text: &str) -> Result<YearSchedule, ScheduleError> {
        let s: YearSchedule =
            toml::from_str(text).map_err(|e| ScheduleError::Syntax(e.message().to_string()))?;
        s.check()?;
        Ok(s)
    }

    /// The structural rules every schedule obeys.
    pub fn check(&self) -> Result<(), ScheduleError> {
        if !(1949..=2200).contains(&self.year) {
            return Err(ScheduleError::Year(self.year));
        }
        let near = |d: NaiveDate| (self.year - 1..=self.year).contains(&d.year());
        let mut off = std::collections::BTreeSet::new();
        for h in &self.holidays {
            if h.from > h.to {
                return Err(ScheduleError::Range {
                    name: h.name.clone(),
                    from: h.from,
                    to: h.to,
                });
            }
            for d in [h.from, h.to].iter().chain(&h.workdays) {
                if !near(*d) {
                    return Err(ScheduleError::FarDate {
                        name: h.name.clone(),
                        date: *d,
                    });
                }
            }
            for w in &h.workdays {
                if !is_weekend(*w) {
                    return Err(ScheduleError::WeekdayWorkday {
                        name: h.name.clone(),
                        date: *w,
                    });
                }
            }
            off.extend(h.from.iter_days().take_while(|d| *d <= h.to));
        }
        for h in &self.holidays {
            if let Some(w) = h.workdays.iter().find(|w| off.contains(*w)) {
                return Err(ScheduleError::Conflict { date: *w });
            }
        }
        Ok(())
    }
}
