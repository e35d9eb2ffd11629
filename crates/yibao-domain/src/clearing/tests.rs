use chrono::NaiveDate;

use super::*;
use crate::ids::RegionCode;
use crate::money::MAX_INPUT;
use crate::Coded;

fn r(code: &str) -> RegionCode {
    code.parse().unwrap()
}

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn m(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn amounts(total: i64, pooled: i64, cash: i64) -> Amounts {
    Amounts {
        total_fen: total,
        pooled_fen: pooled,
        cash_fen: cash,
        ..Amounts::default()
    }
}

/// A Sichuan-insured person's settlement at a Chongqing hospital on `day`.
fn entry(reference: &str, day: &str) -> LedgerEntry {
    LedgerEntry {
        settlement_ref: reference.into(),
        institution_code: "H50011900001".into(),
        person_id_number: "510104199001011234".into(),
        care_region: r("500119"),
        insured_region: r("510104"),
        ledger_month: Month::of(d(day)),
        settled_on: d(day),
        reversed_on: None,
        amounts: amounts(10_000, 7_000, 3_000),
        stated: false,
        reversal_stated: false,
    }
}

fn cq_sc() -> Pair {
    Pair {
        care: r("500000"),
        insured: r("510000"),
    }
}

#[test]
fn only_care_in_another_province_is_cleared() {
    // Seed 000 item 07: 川渝 are two provinces; two Sichuan cities, or two Chongqing districts, are one.
    assert_eq!(pair_of(&r("500119"), &r("510104")), Some(cq_sc()));
    assert_eq!(
        pair_of(&r("510104"), &r("500242")),
        Some(Pair {
            care: r("510000"),
            insured: r("500000")
        })
    );
    assert_eq!(pair_of(&r("510100"), &r("510700")), None);
    assert_eq!(pair_of(&r("500119"), &r("500103")), None);
}

#[test]
fn months_parse_strictly_and_know_their_days() {
    assert_eq!(m("2026-11").key(), "2026-11");
    assert_eq!(m("2024-02").last_day(), d("2024-02-29"));
    assert_eq!(m("2026-12").next(), m("2027-01"));
    assert_eq!(m("2027-01").previous(), m("2026-12"));
    for bad in [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-11",
        "2026/11",
        "",
        "2026-11-01",
        "１９９９-01",
    ] {
        assert!(Month::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_month_is_stated_only_after_its_last_day() {
    assert!(may_issue(m("2026-11"), d("2026-11-30")).is_err());
    assert!(may_issue(m("2026-11"), d("2026-12-01")).is_ok());
    let e = may_issue(m("2026-12"), d("2026-12-03")).unwrap_err();
    assert_eq!(e.code(), "clearing.month_not_ended");
    assert!(e.message().contains("2026-12-31"));
}

#[test]
fn a_month_states_its_standing_settlements_and_the_reversals_of_earlier_stated_ones() {
    let month = m("2026-11");
    let standing = entry("H1:a", "2026-11-30");
    let mut reversed_in_month = entry("H1:b", "2026-11-02");
    reversed_in_month.reversed_on = Some(d("2026-11-03"));
    let mut earlier_stated_reversed_now = entry("H1:c", "2026-10-31");
    earlier_stated_reversed_now.stated = true;
    earlier_stated_reversed_now.reversed_on = Some(d("2026-11-01"));
    let mut earlier_unstated_reversed_now = entry("H1:d", "2026-10-15");
    earlier_unstated_reversed_now.reversed_on = Some(d("2026-11-01"));
    let mut stated_already = entry("H1:e", "2026-11-10");
    stated_already.stated = true;
    let next_month = entry("H1:f", "2026-12-01");
    let mut local = entry("H1:g", "2026-11-10");
    local.insured_region = r("500103");
    let mut reversal_stated = entry("H1:h", "2026-10-01");
    reversal_stated.stated = true;
    reversal_stated.reversal_stated = true;
    reversal_stated.reversed_on = Some(d("2026-11-20"));

    let lines = statement_lines(
        month,
        &[
            standing,
            reversed_in_month,
            earlier_stated_reversed_now,
            earlier_unstated_reversed_now,
            stated_already,
            next_month,
            local,
            reversal_stated,
        ],
    );
    assert_eq!(lines.len(), 1);
    let got = &lines[&cq_sc()];
    let refs: Vec<_> = got
        .iter()
        .map(|l| (l.settlement_ref.as_str(), l.kind))
        .collect();
    assert_eq!(
        refs,
        [("H1:a", LineKind::Settlement), ("H1:c", LineKind::Reversal)]
    );
    assert_eq!(got[1].booked_on, d("2026-11-01"));
    assert_eq!(got[1].settled_on, d("2026-10-31"));
    let t = totals(got).unwrap();
    assert_eq!(t.line_count, 2);
    assert_eq!((t.settlement_count, t.reversal_count), (1, 1));
    assert_eq!(t.cleared_fen, 0);
    assert_eq!(t.total_fen, 0);
}

#[test]
fn the_cleared_amount_is_all_but_the_cash() {
    let mut a = amounts(10_000, 6_000, 2_500);
    a.account_fen = 1_000;
    a.aid_fen = 500;
    assert_eq!(a.cleared_fen(), 7_500);
    assert!(a.consistent());
    a.pooled_fen = 6_001;
    assert!(!a.consistent(), "funds above the non-cash part");
    assert!(!amounts(100, 0, 101).consistent());
    assert!(!amounts(-1, 0, 0).consistent());
    assert!(!amounts(MAX_INPUT.fen() + 1, 0, 0).consistent());
    assert!(amounts(MAX_INPUT.fen(), MAX_INPUT.fen(), 0).consistent());
}

#[test]
fn totals_overflow_is_an_error_not_a_wrap() {
    let mut l = statement_lines(m("2026-11"), &[entry("H1:a", "2026-11-01")])
        .remove(&cq_sc())
        .unwrap();
    l[0].amounts.total_fen = i64::MAX;
    l.push(l[0].clone());
    assert_eq!(totals(&l), Err(ClearingError::Overflow));
}

#[test]
fn the_canonical_text_changes_with_any_field_and_cannot_be_shifted() {
    let lines = statement_lines(m("2026-11"), &[entry("H1:a", "2026-11-01")])
        .remove(&cq_sc())
        .unwrap();
    let base = canonical_text(m("2026-11"), &cq_sc(), &lines);
    let mut changed = lines.clone();
    changed[0].amounts.pooled_fen += 1;
    assert_ne!(base, canonical_text(m("2026-11"), &cq_sc(), &changed));
    // A separator inside a field does not make another field list with the same text.
    let mut a = lines.clone();
    a[0].settlement_ref = "H1:a;".into();
    a[0].kind = LineKind::Settlement;
    let mut b = lines.clone();
    b[0].settlement_ref = "H1:a".into();
    b[0].institution_code = format!(";{}", b[0].institution_code);
    assert_ne!(
        canonical_text(m("2026-11"), &cq_sc(), &a),
        canonical_text(m("2026-11"), &cq_sc(), &b)
    );
    assert_ne!(base, canonical_text(m("2026-10"), &cq_sc(), &lines));
}

fn facts(insured: bool) -> LineFacts {
    LineFacts {
        insured_on_day: insured,
        ..LineFacts::default()
    }
}

#[test]
fn the_insured_side_accepts_what_it_can_vouch_for() {
    let month = m("2026-11");
    let mut lines = statement_lines(
        month,
        &[
            entry("H1:a", "2026-11-01"),
            entry("H1:b", "2026-11-02"),
            entry("H1:c", "2026-11-03"),
        ],
    )
    .remove(&cq_sc())
    .unwrap();
    // A line out of the province, one of a person not insured, one accepted before, one twice.
    let mut outside = lines[0].clone();
    outside.settlement_ref = "H1:x".into();
    outside.insured_region = "520100".into();
    let mut wrong_month = lines[0].clone();
    wrong_month.settlement_ref = "H1:y".into();
    wrong_month.booked_on = d("2026-12-01");
    let twice = lines[0].clone();
    lines.extend([outside, wrong_month, twice]);
    let mut f = vec![facts(true); lines.len()];
    f[1] = facts(false);
    f[2].settlement_accepted = true;
    let r = reconcile(month, &cq_sc(), &lines, &f).unwrap();
    assert_eq!(
        r.disputes,
        [
            (1, Dispute::NotInsured),
            (2, Dispute::Duplicate),
            (3, Dispute::OutsideProvince),
            (4, Dispute::OutsideMonth),
            (5, Dispute::Duplicate),
        ]
    );
    assert_eq!(r.accepted_count, 1);
    assert_eq!(r.accepted_fen, 7_000);
    assert_eq!(r.disputed_count, 5);
    assert_eq!(r.disputed_fen, 5 * 7_000);
}

#[test]
fn a_reversal_gives_back_only_what_was_accepted_and_only_once() {
    let month = m("2026-12");
    let mut e = entry("H1:a", "2026-11-20");
    e.stated = true;
    e.reversed_on = Some(d("2026-12-02"));
    let lines = statement_lines(month, &[e]).remove(&cq_sc()).unwrap();
    assert_eq!(lines[0].kind, LineKind::Reversal);
    assert_eq!(lines[0].cleared_fen(), -7_000);
    let accepted = LineFacts {
        insured_on_day: true,
        settlement_accepted: true,
        reversal_accepted: false,
    };
    let r = reconcile(month, &cq_sc(), &lines, &[accepted]).unwrap();
    assert_eq!((r.accepted_count, r.accepted_fen), (1, -7_000));
    let never = LineFacts {
        settlement_accepted: false,
        ..accepted
    };
    let r = reconcile(month, &cq_sc(), &lines, &[never]).unwrap();
    assert_eq!(r.disputes, [(0, Dispute::NoOriginal)]);
    let again = LineFacts {
        reversal_accepted: true,
        ..accepted
    };
    let r = reconcile(month, &cq_sc(), &lines, &[again]).unwrap();
    assert_eq!(r.disputes, [(0, Dispute::Duplicate)]);
    // A reversal does not need the person insured on the day: the money goes back regardless.
    let r = reconcile(
        month,
        &cq_sc(),
        &lines,
        &[LineFacts {
            insured_on_day: false,
            ..accepted
        }],
    )
    .unwrap();
    assert!(r.disputes.is_empty());
    assert_eq!(
        reconcile(month, &cq_sc(), &lines, &[]),
        Err(ClearingError::FactsMismatch)
    );
}

#[test]
fn dispute_codes_round_trip() {
    for d in [
        Dispute::InconsistentAmounts,
        Dispute::OutsideMonth,
        Dispute::OutsideProvince,
        Dispute::NotInsured,
        Dispute::Duplicate,
        Dispute::NoOriginal,
    ] {
        assert_eq!(Dispute::from_code(d.code()), Some(d));
        assert!(!d.reason().is_empty());
    }
    assert_eq!(Dispute::from_code("clearing.other"), None);
}

#[test]
fn insured_on_the_day_means_a_paid_period_in_the_province_around_it() {
    let period =
        |region: &str, from: &str, to: Option<&str>, registered_only: bool| CoveragePeriod {
            region: r(region),
            from: d(from),
            to: to.map(d),
            registered_only,
        };
    let sc = r("510000");
    let periods = [period("510104", "2020-01-01", Some("2026-06-30"), false)];
    assert!(insured_on(&periods, &sc, d("2020-01-01")));
    assert!(insured_on(&periods, &sc, d("2026-06-30")));
    assert!(!insured_on(&periods, &sc, d("2026-07-01")));
    assert!(!insured_on(&periods, &sc, d("2019-12-31")));
    assert!(!insured_on(&periods, &r("500000"), d("2024-01-01")));
    // Moved to Chongqing in July: insured in Sichuan before, in Chongqing after.
    let moved = [
        periods[0].clone(),
        period("500119", "2026-07-01", None, false),
    ];
    assert!(insured_on(&moved, &r("500000"), d("2026-11-01")));
    assert!(!insured_on(&moved, &sc, d("2026-11-01")));
    assert!(!insured_on(
        &[period("510104", "2020-01-01", None, true)],
        &sc,
        d("2024-01-01")
    ));
}
