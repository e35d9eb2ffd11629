//! The calendar against the official schedules: table tests around Spring Festival and National
//! Day of several years, the worked examples of SEED-NOTES §2, and property tests.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The shipped schedules, read once from `data/calendar/`.
fn shipped() -> HolidayCalendar {
    static CAL: std::sync::OnceLock<HolidayCalendar> = std::sync::OnceLock::new();
    CAL.get_or_init(read_shipped).clone()
}

fn read_shipped() -> HolidayCalendar {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/calendar");
    let mut schedules = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let s =
                YearSchedule::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let stem: i32 = path.file_stem().unwrap().to_str().unwrap().parse().unwrap();
            assert_eq!(s.year, stem, "{}", path.display());
            schedules.push(s);
        }
    }
    HolidayCalendar::new(schedules)
}

#[test]
fn every_year_2004_to_2026_is_present() {
    let cal = shipped();
    let years = cal.years();
    for y in 2004..=2026 {
        assert!(years.contains(&y), "missing {y}");
    }
}

#[test]
fn festivals_and_make_up_days_are_classified() {
    let cal = shipped();
    // 2026: 春节 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) worked (国办发明电〔2025〕7号).
    assert!(matches!(
        cal.day_kind(d("2026-02-16")),
        DayKind::Holiday { .. }
    ));
    assert!(matches!(
        cal.day_kind(d("2026-02-14")),
        DayKind::MakeUpWorkday { .. }
    ));
    assert!(cal.is_working_day(d("2026-02-28")));
    assert_eq!(cal.day_kind(d("2026-03-07")), DayKind::Weekend);
    assert_eq!(cal.day_kind(d("2026-03-09")), DayKind::Workday);
    // 2020-02-01 was to be worked, then the extension made it a day off.
    assert!(!cal.is_working_day(d("2020-02-01")));
    // 2005-12-31 (Sat) was worked for 2006's 元旦, set by the 2006 notice.
    assert!(cal.is_working_day(d("2005-12-31")));
    // 2015-09-03: 抗战胜利70周年纪念日, with 9/6 (Sun) worked.
    assert!(!cal.is_working_day(d("2015-09-03")));
    assert!(cal.is_working_day(d("2015-09-06")));
}

/// (accepted on, working days, deadline) — each checked by hand against the year's notice.
const TABLE: &[(&str, u32, &str)] = &[
    // 2008 春节: 2/6–2/12 off; 2/2 (Sat) and 2/3 (Sun) worked.
    ("2008-02-01", 1, "2008-02-02"),
    ("2008-02-01", 2, "2008-02-03"),
    ("2008-02-01", 5, "2008-02-13"),
    // 2019 国庆: 10/1–10/7 off; 9/29 (Sun) and 10/12 (Sat) worked.
    ("2019-09-27", 1, "2019-09-29"),
    ("2019-09-27", 3, "2019-10-08"),
    ("2019-10-10", 2, "2019-10-12"),
    // 2020 春节, extended to 2/2: accepted the day before the break.
    ("2020-01-23", 1, "2020-02-03"),
    // 2023 中秋、国庆: 9/29–10/6 off; 10/7 (Sat) and 10/8 (Sun) worked.
    ("2023-09-28", 1, "2023-10-07"),
    ("2023-09-28", 2, "2023-10-08"),
    ("2023-09-28", 3, "2023-10-09"),
    // 2024 春节: 2/10–2/17 off; 2/4 (Sun) and 2/18 (Sun) worked.
    ("2024-02-08", 1, "2024-02-09"),
    ("2024-02-08", 2, "2024-02-18"),
    ("2024-02-10", 1, "2024-02-18"),
    // 2025 春节: 1/28–2/4 off; 1/26 (Sun) and 2/8 (Sat) worked.
    ("2025-01-24", 1, "2025-01-26"),
    ("2025-01-24", 3, "2025-02-05"),
    ("2025-02-07", 1, "2025-02-08"),
    // 2026 春节 and 国庆 (9/20 Sun and 10/10 Sat worked).
    ("2026-02-12", 2, "2026-02-14"),
    ("2026-02-12", 3, "2026-02-24"),
    ("2026-09-30", 1, "2026-10-08"),
    ("2026-09-30", 3, "2026-10-10"),
    ("2026-09-30", 4, "2026-10-12"),
    // SEED-NOTES D08 (3 / 5 WD), D04 (10 / 20 WD), D05 (2 WD), D19 (30 WD), from 2024-03-04.
    ("2024-03-04", 3, "2024-03-07"),
    ("2024-03-04", 5, "2024-03-11"),
    ("2024-03-04", 10, "2024-03-18"),
    ("2024-03-04", 20, "2024-04-01"),
    ("2024-03-04", 2, "2024-03-06"),
    ("2024-03-04", 30, "2024-04-16"),
];

#[test]
fn table_of_deadlines_matches_the_notices() {
    let cal = shipped();
    for (from, n, due) in TABLE {
        let got = cal.add_working_days(d(from), *n);
        assert_eq!(got.value, d(due), "{from} + {n} working days");
        assert!(got.warnings.is_empty(), "{from}: {:?}", got.warnings);
    }
}

#[test]
fn same_day_on_a_holiday_moves_to_the_next_working_day() {
    let cal = shipped();
    let r = cal.deadline(d("2024-02-12"), LimitSpec::SameDay);
    assert_eq!(r.due, Some(d("2024-02-18")));
    let r = cal.deadline(d("2024-03-04"), LimitSpec::Immediate);
    assert_eq!(r.due, Some(d("2024-03-04")));
}

#[test]
fn calendar_day_limits_follow_seed_notes_d08_and_d09() {
    let cal = shipped();
    let plain = |days| LimitSpec::CalendarDays {
        days,
        roll_over_holidays: false,
    };
    // D08: the law's 十五日内 from 2024-03-04.
    assert_eq!(
        cal.deadline(d("2024-03-04"), plain(15)).due,
        Some(d("2024-03-19"))
    );
    // D09: started 2024-03-01 — 15 days: late from 3/17; 30 days: late from 4/1.
    assert_eq!(
        cal.deadline(d("2024-03-01"), plain(15)).due,
        Some(d("2024-03-16"))
    );
    assert_eq!(
        cal.deadline(d("2024-03-01"), plain(30)).due,
        Some(d("2024-03-31"))
    );
    // With 民法典 art. 203 the Sunday moves to Monday.
    let rolled = LimitSpec::CalendarDays {
        days: 30,
        roll_over_holidays: true,
    };
    assert_eq!(
        cal.deadline(d("2024-03-01"), rolled).due,
        Some(d("2024-04-01"))
    );
}

#[test]
fn day_of_month_and_batch_limits() {
    let cal = shipped();
    // D19: Chongqing settles last month's costs by the 15th.
    let r = cal.deadline(d("2024-03-04"), LimitSpec::DayOfMonth { day: 15 });
    assert_eq!(r.due, Some(d("2024-03-15")));
    let r = cal.deadline(d("2024-03-16"), LimitSpec::DayOfMonth { day: 15 });
    assert_eq!(r.due, Some(d("2024-04-15")));
    // D17: a batch opening later starts the clock then, not at acceptance.
    let r = cal.deadline(
        d("2024-05-06"),
        LimitSpec::Batch {
            working_days: 5,
            opens: d("2024-09-02"),
        },
    );
    assert_eq!(r.due, Some(d("2024-09-09")));
    assert_eq!(cal.deadline(d("2024-05-06"), LimitSpec::Timely).due, None);
}

#[test]
fn a_year_without_data_is_a_warning_not_a_silent_guess() {
    let cal = shipped();
    let r = cal.add_working_days(d("2026-12-28"), 5);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].year, 2027);
    assert_eq!(r.warnings[0].code, "calendar.year_missing");
    // Late December already depends on next year's 元旦 arrangement.
    assert_eq!(cal.missing_year_for(d("2026-12-21")), Some(2027));
    assert_eq!(cal.missing_year_for(d("2026-12-19")), None);
    let r = cal.add_working_days(d("2003-06-02"), 1);
    assert_eq!(r.warnings[0].year, 2003);
}

// ------------------------------------------------------------------------------------------
// Statutory holidays of a year whose schedule is not loaded (《全国年节及纪念日放假办法》)

fn festival_days(year: i32) -> Vec<(NaiveDate, &'static str)> {
    statutory::statutory_days(year)
        .iter()
        .map(|s| (s.date, s.festival))
        .collect()
}

#[test]
fn computed_statutory_days_of_2025_and_2026_are_those_of_the_notices() {
    // 2024 revision: 元旦 1; 春节 4 (除夕, 初一–初三); 清明 1; 劳动节 2; 端午 1; 中秋 1; 国庆 3.
    // 2025: 除夕 1/28 (the notice: 「1月28日（农历除夕、周二）」), 清明 4/4, 端午 5/31, 中秋 10/6.
    let want = |rows: &[(&str, &'static str)]| -> Vec<(NaiveDate, &'static str)> {
        rows.iter().map(|(day, f)| (d(day), *f)).collect()
    };
    assert_eq!(
        festival_days(2025),
        want(&[
            ("2025-01-01", "元旦"),
            ("2025-01-28", "春节"),
            ("2025-01-29", "春节"),
            ("2025-01-30", "春节"),
            ("2025-01-31", "春节"),
            ("2025-04-04", "清明节"),
            ("2025-05-01", "劳动节"),
            ("2025-05-02", "劳动节"),
            ("2025-05-31", "端午节"),
            ("2025-10-01", "国庆节"),
            ("2025-10-02", "国庆节"),
            ("2025-10-03", "国庆节"),
            ("2025-10-06", "中秋节"),
        ])
    );
    // 2026: 除夕 2/16, 清明 4/5 (a Sunday), 端午 6/19, 中秋 9/25.
    assert_eq!(
        festival_days(2026),
        want(&[
            ("2026-01-01", "元旦"),
            ("2026-02-16", "春节"),
            ("2026-02-17", "春节"),
            ("2026-02-18", "春节"),
            ("2026-02-19", "春节"),
            ("2026-04-05", "清明节"),
            ("2026-05-01", "劳动节"),
            ("2026-05-02", "劳动节"),
            ("2026-06-19", "端午节"),
            ("2026-09-25", "中秋节"),
            ("2026-10-01", "国庆节"),
            ("2026-10-02", "国庆节"),
            ("2026-10-03", "国庆节"),
        ])
    );
    // Without their schedules, 2025 and 2026 fall back to the computation, and every
    // statutory day is off just as the loaded notices made it.
    let cal = shipped();
    let partial = HolidayCalendar::new(
        cal.schedules()
            .filter(|s| s.year != 2025 && s.year != 2026)
            .cloned(),
    );
    for (day, festival) in festival_days(2025).into_iter().chain(festival_days(2026)) {
        assert_eq!(
            partial.day_kind(day),
            DayKind::Holiday {
                name: festival.into()
            },
            "{day}"
        );
        assert!(
            matches!(cal.day_kind(day), DayKind::Holiday { .. }),
            "{day}"
        );
        assert_eq!(partial.missing_year_for(day), Some(day.year()));
    }
}

#[test]
fn computed_statutory_days_lie_in_the_breaks_of_every_loaded_year() {
    // Each computed day is inside a statutory break of that festival in the year's notice, and
    // the count per year is the law's (data/calendar/README.md, "Statutory days per law").
    let cal = shipped();
    for year in 2004..=2026 {
        let schedule = cal.schedule(year).unwrap();
        let days = festival_days(year);
        let count = match year {
            ..=2007 => 10,
            2008..=2024 => 11,
            _ => 13,
        };
        assert_eq!(days.len(), count, "{year}: {days:?}");
        for (day, festival) in days {
            let inside = schedule
                .holidays
                .iter()
                .any(|h| h.statutory && h.name.contains(festival) && h.from <= day && day <= h.to);
            assert!(inside, "{year}: {festival} {day} is not in its break");
            assert!(!cal.is_working_day(day), "{day}");
        }
    }
    // 正月初一 of every loaded year and of 2027 (Hong Kong Observatory and 紫金山天文台 tables).
    let new_years = [
        "2004-01-22",
        "2005-02-09",
        "2006-01-29",
        "2007-02-18",
        "2008-02-07",
        "2009-01-26",
        "2010-02-14",
        "2011-02-03",
        "2012-01-23",
        "2013-02-10",
        "2014-01-31",
        "2015-02-19",
        "2016-02-08",
        "2017-01-28",
        "2018-02-16",
        "2019-02-05",
        "2020-01-25",
        "2021-02-12",
        "2022-02-01",
        "2023-01-22",
        "2024-02-10",
        "2025-01-29",
        "2026-02-17",
        "2027-02-06",
    ];
    for day in new_years.map(d) {
        // 初一 is a statutory day under every version of the regulation since 1999.
        let spring: Vec<NaiveDate> = festival_days(day.year())
            .into_iter()
            .filter(|(_, f)| *f == "春节")
            .map(|(x, _)| x)
            .collect();
        let first = match day.year() {
            2008..=2013 | 2025.. => spring[1],
            _ => spring[0],
        };
        assert_eq!(first, day, "{}", day.year());
    }
    assert!(festival_days(1999).is_empty());
    assert!(festival_days(2201).is_empty());
    assert!(statutory::covers(2100));
}

#[test]
fn a_deadline_crossing_into_an_unloaded_year_skips_its_statutory_days() {
    let cal = shipped();
    assert!(cal.schedule(2027).is_none(), "2027 is not loaded yet");
    // Wed 2026-12-30 + 2 WD: Thu 12-31 (1); Fri 2027-01-01 元旦 is off; Mon 01-04 (2).
    let r = cal.add_working_days(d("2026-12-30"), 2);
    assert_eq!(r.value, d("2027-01-04"));
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "calendar.year_missing");
    assert_eq!(r.warnings[0].year, 2027);
    assert!(
        r.warnings[0].message.contains("调休"),
        "{}",
        r.warnings[0].message
    );
    assert!(r.warnings[0].message.contains("法定节假日"));
    assert_eq!(
        cal.day_kind(d("2027-01-01")),
        DayKind::Holiday {
            name: "元旦".into()
        }
    );
    // 2027 春节 (正月初一 = Sat 02-06): 除夕 Fri 02-05 to 初三 Mon 02-08 are off.
    // Wed 02-03 + 3 WD: Thu 02-04 (1), Tue 02-09 (2), Wed 02-10 (3).
    let r = cal.add_working_days(d("2027-02-03"), 3);
    assert_eq!(r.value, d("2027-02-10"));
    for day in ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"] {
        assert_eq!(
            cal.day_kind(d(day)),
            DayKind::Holiday {
                name: "春节".into()
            },
            "{day}"
        );
    }
    assert_eq!(
        cal.working_days_between(d("2027-02-04"), d("2027-02-09"))
            .value,
        1
    );
    // The other statutory days of 2027 (POLICY-FACTS §7 anchors): 清明 Mon 04-05, 劳动节
    // 05-01/02, 端午 Wed 06-09, 中秋 Wed 09-15, 国庆 10-01/02/03.
    for (day, name) in [
        ("2027-04-05", "清明节"),
        ("2027-05-01", "劳动节"),
        ("2027-05-02", "劳动节"),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"),
        ("2027-10-03", "国庆节"),
    ] {
        assert_eq!(
            cal.day_kind(d(day)),
            DayKind::Holiday { name: name.into() },
            "{day}"
        );
    }
    // The swaps stay unknown: a weekday next to a festival is still a working day.
    assert!(cal.is_working_day(d("2027-10-04")));
    assert!(cal.is_working_day(d("2027-02-09")));
}

#[test]
fn a_later_schedule_for_a_year_replaces_the_shipped_one() {
    let mut schedules: Vec<YearSchedule> = shipped().schedules().cloned().collect();
    let correction = YearSchedule::parse(
        "year = 2026\nnotice = \"更正\"\n[[holidays]]\nname = \"测试\"\nfrom = 2026-03-09\nto = 2026-03-09\n",
    )
    .unwrap();
    schedules.push(correction);
    let cal = HolidayCalendar::new(schedules);
    assert!(!cal.is_working_day(d("2026-03-09")));
    // The replaced schedule's 春节 no longer applies.
    assert!(cal.is_working_day(d("2026-02-16")));
}

#[test]
fn schedule_files_are_checked() {
    let bad = "year = 2030\nnotice = \"x\"\n[[holidays]]\nname = \"春节\"\nfrom = 2030-02-05\nto = 2030-02-01\n";
    assert!(matches!(
        YearSchedule::parse(bad),
        Err(ScheduleError::Range { .. })
    ));
    let bad = "year = 2030\nnotice = \"x\"\n[[holidays]]\nname = \"春节\"\nfrom = 2030-02-01\nto = 2030-02-05\nworkdays = [2030-02-06]\n";
    assert!(matches!(
        YearSchedule::parse(bad),
        Err(ScheduleError::WeekdayWorkday { .. })
    ));
    let bad = "year = 2030\nnotice = \"x\"\nholidays = []\nextra = 1\n";
    assert!(matches!(
        YearSchedule::parse(bad),
        Err(ScheduleError::Syntax(_))
    ));
}

#[test]
fn the_clock_stops_while_paused_and_warns() {
    let cal = shipped();
    // Accepted Mon 2024-03-04 with 5 WD: due Mon 3/11.
    let mut clock = CaseClock {
        accepted_on: d("2024-03-04"),
        limit_working_days: 5,
        pauses: vec![],
    };
    let t = Thresholds::default();
    let s = clock.state(&cal, d("2024-03-05"), t);
    assert_eq!(s.due, Some(d("2024-03-11")));
    assert_eq!((s.used_working_days, s.remaining_working_days), (1, 4));
    assert_eq!(s.level, WarningLevel::Normal);
    assert_eq!(
        clock.state(&cal, d("2024-03-07"), t).level,
        WarningLevel::DueSoon
    );
    assert_eq!(
        clock.state(&cal, d("2024-03-12"), t).level,
        WarningLevel::Overdue
    );

    // A deficiency notice on Tue 3/5, answered Fri 3/8: 3/6, 3/7, 3/8 do not count.
    clock.pauses.push(Pause {
        from: d("2024-03-05"),
        to: None,
        reason: "一次性告知".into(),
    });
    let s = clock.state(&cal, d("2024-03-07"), t);
    assert_eq!(s.level, WarningLevel::Paused);
    assert_eq!(s.due, None);
    assert_eq!(s.used_working_days, 1);
    clock.pauses[0].to = Some(d("2024-03-08"));
    let s = clock.state(&cal, d("2024-03-08"), t);
    assert_eq!(s.due, Some(d("2024-03-14")));
    assert_eq!((s.used_working_days, s.remaining_working_days), (1, 4));
}

#[test]
fn transit_time_is_excluded_like_any_pause() {
    let cal = shipped();
    // 通办 (seed 000): received at the window Mon 2024-03-04, 4 working days in the post, then
    // 当日办结 at the insured region's agency: due the day the materials arrive.
    let clock = CaseClock {
        accepted_on: d("2024-03-04"),
        limit_working_days: 0,
        pauses: vec![Pause {
            from: d("2024-03-04"),
            to: Some(d("2024-03-08")),
            reason: "材料寄递".into(),
        }],
    };
    let s = clock.state(&cal, d("2024-03-08"), Thresholds::default());
    assert_eq!(s.due, Some(d("2024-03-08")));
    let without_transit = CaseClock {
        pauses: vec![],
        ..clock
    };
    let s = without_transit.state(&cal, d("2024-03-04"), Thresholds::default());
    assert_eq!(s.due, Some(d("2024-03-04")));
}

fn date_in_range() -> impl Strategy<Value = NaiveDate> {
    (2004i32..=2026, 1u32..=366).prop_filter_map("valid day", |(y, doy)| {
        NaiveDate::from_yo_opt(y, doy).filter(|dt| dt.month() < 12 || dt.day() < 15)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_deadline_is_always_a_working_day(start in date_in_range(), n in 0u32..120) {
        let cal = shipped();
        let due = cal.add_working_days(start, n).value;
        prop_assert!(cal.is_working_day(due));
    }

    #[test]
    fn adding_then_counting_back_gives_n(start in date_in_range(), n in 1u32..120) {
        let cal = shipped();
        let due = cal.add_working_days(start, n).value;
        prop_assert_eq!(cal.working_days_between(start, due).value, i64::from(n));
        prop_assert_eq!(cal.working_days_between(due, start).value, -i64::from(n));
    }

    #[test]
    fn deadlines_are_monotonic_in_n(start in date_in_range(), n in 0u32..120) {
        let cal = shipped();
        let a = cal.add_working_days(start, n).value;
        let b = cal.add_working_days(start, n + 1).value;
        // Same-day (n = 0) on a non-working day and 1 working day both land on the next
        // working day; from n = 1 on every extra day moves the deadline.
        if n == 0 {
            prop_assert!(a <= b);
        } else {
            prop_assert!(a < b);
        }
    }

    #[test]
    fn a_pause_never_brings_the_deadline_forward(
        start in date_in_range(), n in 1u32..40, pause_at in 0u64..20, pause_len in 0u64..20
    ) {
        let cal = shipped();
        let from = start + chrono::Days::new(pause_at);
        let plain = CaseClock { accepted_on: start, limit_working_days: n, pauses: vec![] };
        let paused = CaseClock {
            accepted_on: start,
            limit_working_days: n,
            pauses: vec![Pause { from, to: Some(from + chrono::Days::new(pause_len)), reason: String::new() }],
        };
        let t = Thresholds::default();
        let a = plain.state(&cal, start, t).due.unwrap();
        let b = paused.state(&cal, start, t).due.unwrap();
        prop_assert!(b >= a);
        prop_assert!(cal.is_working_day(b));
    }
}
