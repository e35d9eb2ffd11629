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
