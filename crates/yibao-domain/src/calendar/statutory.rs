//! The statutory holidays (法定节假日) that 《全国年节及纪念日放假办法》 fixes for every year, by
//! their solar or lunar dates. Used for a year whose State Council schedule (the yearly notice
//! with its weekend swaps, 调休) is not loaded: those days are off whatever the notice will say,
//! so a deadline must not count them; only the swaps stay unknown (the caller warns).
//!
//! The version in force decides the days (data/calendar/README.md, "Statutory days per law"):
//! - 1999 revision (国务院令第270号), years 2000–2007: 元旦 1, 春节 3 (正月初一至初三),
//!   劳动节 3 (5月1日至3日), 国庆节 3 — 10 days;
//! - 2007 revision (国务院令第513号), 2008–2013: 元旦, 春节 (除夕、正月初一、初二), 清明节,
//!   劳动节 (5月1日), 端午节, 中秋节, 国庆节 (10月1日至3日) — 11 days;
//! - 2013 revision (国务院令第644号), 2014–2024: as 2007 but 春节 正月初一至初三 — 11 days;
//! - 2024 revision (国务院令第795号), 2025 on: 春节 4 (农历除夕、正月初一至初三), 劳动节 2
//!   (5月1日、2日) — 13 days.
//!
//! Lunar dates and the Qingming solar term come from `tyme4rs` (ShouXing astronomical
//! algorithms, Beijing time). Tests check the result against every loaded year 2004–2026.

use std::sync::OnceLock;

use chrono::{Days, NaiveDate};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// First and last year computed. Before 2000 an older regulation applied; 2200 is the last year
/// a schedule file may have.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2200;

/// One statutory day off and its festival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatutoryDay {
    pub date: NaiveDate,
    pub festival: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Regime {
    Rev1999,
    Rev2007,
    Rev2013,
    Rev2024,
}

fn regime(year: i32) -> Option<Regime> {
    match year {
        FIRST_YEAR..=2007 => Some(Regime::Rev1999),
        2008..=2013 => Some(Regime::Rev2007),
        2014..=2024 => Some(Regime::Rev2013),
        2025..=LAST_YEAR => Some(Regime::Rev2024),
        _ => None,
    }
}

/// True if `statutory_days(year)` knows the year.
pub fn covers(year: i32) -> bool {
    regime(year).is_some()
}

const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;

/// The statutory days of `year`, in date order (a day two festivals share, such as 2020-10-01
/// for 国庆节 and 中秋节, appears once per festival). Empty outside `FIRST_YEAR..=LAST_YEAR`.
/// Computed once per year and kept: the calendar asks for every day it counts.
pub fn statutory_days(year: i32) -> &'static [StatutoryDay] {
    static CACHE: [OnceLock<Vec<StatutoryDay>>; YEARS] = [const { OnceLock::new() }; YEARS];
    let Some(r) = regime(year) else {
        return &[];
    };
    let Some(slot) = usize::try_from(year - FIRST_YEAR)
        .ok()
        .and_then(|i| CACHE.get(i))
    else {
        return &[];
    };
    slot.get_or_init(|| compute(year, r))
}

/// The festival of `date` if it is a statutory day of its year.
pub fn statutory_festival(date: NaiveDate) -> Option<&'static str> {
    use chrono::Datelike;
    statutory_days(date.year())
        .iter()
        .find(|d| d.date == date)
        .map(|d| d.festival)
}

fn compute(year: i32, r: Regime) -> Vec<StatutoryDay> {
    let mut out = Vec::with_capacity(14);
    let mut push = |date: Option<NaiveDate>, festival: &'static str| {
        if let Some(date) = date {
            out.push(StatutoryDay { date, festival });
        }
    };
    let solar = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    push(solar(1, 1), "元旦");
    // 正月初一; 除夕 is the day before it (the last day of the twelfth month, 29th or 30th).
    let new_year = lunar(year, 1, 1);
    let spring: &[i64] = match r {
        Regime::Rev1999 | Regime::Rev2013 => &[0, 1, 2],
        Regime::Rev2007 => &[-1, 0, 1],
        Regime::Rev2024 => &[-1, 0, 1, 2],
    };
    for offset in spring {
        push(new_year.and_then(|d| shift(d, *offset)), "春节");
    }
    if r != Regime::Rev1999 {
        push(qingming(year), "清明节");
    }
    let labour: &[u32] = match r {
        Regime::Rev1999 => &[1, 2, 3],
        Regime::Rev2007 | Regime::Rev2013 => &[1],
        Regime::Rev2024 => &[1, 2],
    };
    for d in labour {
        push(solar(5, *d), "劳动节");
    }
    if r != Regime::Rev1999 {
        push(lunar(year, 5, 5), "端午节");
        push(lunar(year, 8, 15), "中秋节");
    }
    for d in 1..=3 {
        push(solar(10, d), "国庆节");
    }
    out.sort_by_key(|d| d.date);
    out
}

fn shift(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days < 0 {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    }
}

/// The solar date of a day of the lunar year `year` (a positive month is the ordinary, not the
/// leap, month).
fn lunar(year: i32, month: isize, day: usize) -> Option<NaiveDate> {
    let d = LunarDay::new(isize::try_from(year).ok()?, month, day).ok()?;
    to_date(&d.get_solar_day())
}

/// The day of the Qingming solar term (清明) in `year`, Beijing time.
fn qingming(year: i32) -> Option<NaiveDate> {
    let t = SolarTerm::new(isize::try_from(year).ok()?, "清明").ok()?;
    to_date(&t.get_solar_day())
}

fn to_date(d: &SolarDay) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(d.get_year()).ok()?,
        u32::try_from(d.get_month()).ok()?,
        u32::try_from(d.get_day()).ok()?,
    )
}
