use chrono::NaiveDate;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn each_step_has_the_guides_limit_and_its_side() {
    assert_eq!(Step::Letter.working_days(), 5);
    assert_eq!(Step::Sheet.working_days(), 10);
    assert_eq!(Step::Completion.working_days(), 5);
    assert_eq!(Step::Letter.owed_by(), Side::Joining);
    assert_eq!(Step::Sheet.owed_by(), Side::Leaving);
    assert_eq!(Step::Completion.owed_by(), Side::Joining);
    for s in Step::ALL {
        assert_eq!(Step::from_key(s.key()), Some(s));
    }
}

#[test]
fn limits_count_working_days_across_the_national_day() {
    let cal = crate::calendar::HolidayCalendar::new([crate::calendar::YearSchedule::parse(
        include_str!("../../../../data/calendar/2026.toml"),
    )
    .unwrap()]);
    // Friday 2026-11-20: 5 working days → Friday 2026-11-27.
    assert_eq!(
        due_on(&cal, Step::Letter, d("2026-11-20")).value,
        d("2026-11-27")
    );
    // 2026-09-29 (Tuesday), 10 working days across 国庆 (Oct 1–7 off, make-up days).
    let counted = due_on(&cal, Step::Sheet, d("2026-09-29"));
    assert!(counted.warnings.is_empty());
    let due = counted.value;
    assert!(due > d("2026-10-12"), "{due}");
    assert!(overdue(d("2026-11-27"), d("2026-11-30")));
    assert!(!overdue(d("2026-11-27"), d("2026-11-27")));
}

#[test]
fn months_are_counted_once_and_up_to_today() {
    let today = d("2026-11-22");
    assert_eq!(
        covered_months(&[(d("2026-01-15"), Some(d("2026-03-01")))], today),
        3
    );
    assert_eq!(
        covered_months(
            &[
                (d("2025-01-01"), Some(d("2025-12-31"))),
                (d("2025-06-01"), None)
            ],
            today
        ),
        23
    );
    assert_eq!(covered_months(&[(d("2027-01-01"), None)], today), 0);
}
