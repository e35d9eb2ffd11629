//! The maternity rules against the shipped policy files and the guides' edge cases (seed 003
//! items 28–31, seed 001 items 27–30, seed 002 items 17–19; SEED-NOTES D15).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::calendar::HolidayCalendar;

const CHONGQING: &str = include_str!("../../../../data/policy/maternity/chongqing/2026.toml");
const SICHUAN: &str = include_str!("../../../../data/policy/maternity/sichuan/2026.toml");

fn policy(text: &str) -> MaternityPolicy {
    let p: MaternityPolicy = toml::from_str(text).expect("policy parses");
    p.validate().expect("policy valid");
    p
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Full months from (y, m) for `n` months.
fn paid_months(y: i32, m: u32, n: u32) -> Vec<LedgerMonth> {
    (0..n)
        .map(|i| {
            let idx = (m - 1 + i) as i32;
            LedgerMonth {
                year: y + idx / 12,
                month: (idx % 12) as u32 + 1,
                full: true,
            }
        })
        .collect()
}

fn calendar() -> HolidayCalendar {
    HolidayCalendar::new(Vec::new())
}

#[test]
fn both_shipped_policies_load() {
    let cq = policy(CHONGQING);
    let sc = policy(SICHUAN);
    assert_eq!(cq.eligibility.continuous_months, 6);
    assert_eq!(cq.claim_window.days, Some(90));
    assert_eq!(cq.allowance.payee, Payee::Person);
    assert_eq!(sc.allowance.payee, Payee::Employer);
    assert_eq!(sc.claim_window.days, None);
    let youyang: crate::RegionCode = "500242".parse().unwrap();
    let chengdu: crate::RegionCode = "510104".parse().unwrap();
    let policies = [cq, sc];
    assert_eq!(
        maternity_policy_for(&policies, &youyang, d(2026, 6, 1))
            .unwrap()
            .region
            .as_str(),
        "500000"
    );
    assert_eq!(
        maternity_policy_for(&policies, &chengdu, d(2026, 6, 1))
            .unwrap()
            .region
            .as_str(),
        "510000"
    );
    // Sichuan's file starts with the 2025-11-28 leave amendment.
    assert!(maternity_policy_for(&policies, &chengdu, d(2025, 11, 27)).is_none());
}

#[test]
fn a_policy_with_a_gap_in_the_bands_is_refused() {
    let bad = CHONGQING.replacen("from_weeks = 0", "from_weeks = 4", 1);
    let p: MaternityPolicy = toml::from_str(&bad).unwrap();
    assert_eq!(p.validate().unwrap_err().code(), "maternity.policy_invalid");
    let missing_op = CHONGQING.replacen(
        "operation = \"vasectomy\"",
        "operation = \"iud_removal\"",
        1,
    );
    let p: MaternityPolicy = toml::from_str(&missing_op).unwrap();
    assert!(p.validate().is_err());
}

// Seed 003 item 28 办理条件1: 「足额连续缴满6个月生育保险费的次月起」 — January to June paid, a
// birth in July qualifies; one month short (February to June) is refused with the rule cited.
#[test]
fn six_full_months_qualify_and_five_do_not() {
    let cq = policy(CHONGQING);
    assert_eq!(
        eligibility(&cq.eligibility, d(2026, 7, 3), &paid_months(2026, 1, 6)),
        Ok(6)
    );
    let e = eligibility(&cq.eligibility, d(2026, 7, 3), &paid_months(2026, 2, 5)).unwrap_err();
    assert_eq!(e.code(), "maternity.contribution_short");
    let m = e.message();
    assert!(m.contains("5 个月") && m.contains("不满 6 个月"), "{m}");
    assert!(m.contains("足额连续缴满6个月"), "{m}");
    // The event month itself does not count: paid February to July, birth in July.
    assert!(eligibility(&cq.eligibility, d(2026, 7, 31), &paid_months(2026, 2, 6)).is_err());
}

// Seed 003 item 28 办理条件2 and 令181 art. 13 (seed 004): arrears of up to 6 months are paid
// after they are made up; more, and the employer pays.
#[test]
fn arrears_stop_the_benefit_and_say_who_pays() {
    let cq = policy(CHONGQING);
    let mut months = paid_months(2025, 1, 18);
    for m in months.iter_mut().filter(|m| m.year == 2026 && m.month >= 4) {
        m.full = false;
    }
    let e = eligibility(&cq.eligibility, d(2026, 7, 1), &months).unwrap_err();
    assert_eq!(e.code(), "maternity.arrears");
    assert!(e.message().contains("补缴"), "{}", e.message());
    for m in months.iter_mut().filter(|m| m.year == 2025 && m.month >= 9) {
        m.full = false;
    }
    let e = eligibility(&cq.eligibility, d(2026, 7, 1), &months).unwrap_err();
    assert_eq!(e.code(), "maternity.arrears_employer_pays");
    assert!(e.message().contains("由该单位支付"), "{}", e.message());
    // Once made up, eligible.
    let e = eligibility(&cq.eligibility, d(2026, 7, 1), &paid_months(2025, 1, 18));
    assert_eq!(e, Ok(18));
}

// Seed 001 items 27–30 state no waiting period (SEED-NOTES D15): one paid month before the
// event is enough; an unpaid one is refused without the Chongqing employer rule.
#[test]
fn sichuan_asks_only_the_month_before() {
    let sc = policy(SICHUAN);
    assert_eq!(
        eligibility(&sc.eligibility, d(2026, 3, 1), &paid_months(2026, 2, 1)),
        Ok(1)
    );
    let unpaid = [LedgerMonth {
        year: 2026,
        month: 2,
        full: false,
    }];
    let e = eligibility(&sc.eligibility, d(2026, 3, 1), &unpaid).unwrap_err();
    assert_eq!(e.code(), "maternity.arrears");
    assert!(!e.message().contains("重庆"), "{}", e.message());
    assert_eq!(
        eligibility(&sc.eligibility, d(2026, 3, 1), &[])
            .unwrap_err()
            .code(),
        "maternity.contribution_short"
    );
}

// Seed 003 item 28 办理条件3 「生育保险待遇需在生产之日起90日内进行申报」: the day of birth not
// counted (民法典 art. 201), so a birth on 2026-03-02 (Monday) may be claimed until 2026-05-31,
// a Sunday, extended to Monday 2026-06-01 (art. 203); 2026-06-02 is refused. SEED-NOTES D15:
// birth 2024-03-01, claim 2024-06-15 refused in Chongqing, not in Sichuan.
#[test]
fn the_claim_window_and_its_last_day() {
    let cq = policy(CHONGQING);
    let sc = policy(SICHUAN);
    let cal = calendar();
    let birth = d(2026, 3, 2);
    let last = claim_deadline(&cq, BenefitKind::Allowance, birth, &cal).unwrap();
    assert_eq!(last, d(2026, 6, 1));
    assert!(check_claim_date(&cq, BenefitKind::Allowance, birth, last, &cal).is_ok());
    let e = check_claim_date(&cq, BenefitKind::Allowance, birth, d(2026, 6, 2), &cal).unwrap_err();
    assert_eq!(e.code(), "maternity.claim_window_closed");
    assert!(e.message().contains("90日内"), "{}", e.message());
    // A window ending on a working day is not moved: birth 2026-03-04 → 2026-06-02 (Tuesday).
    assert_eq!(
        claim_deadline(&cq, BenefitKind::DeliveryCosts, d(2026, 3, 4), &cal),
        Some(d(2026, 6, 2))
    );
    // Family-planning costs have no window (seed 003 item 30 lists no 90-day condition).
    assert_eq!(
        claim_deadline(&cq, BenefitKind::FamilyPlanningCosts, birth, &cal),
        None
    );
    let e = check_claim_date(
        &cq,
        BenefitKind::DeliveryCosts,
        d(2024, 3, 1),
        d(2024, 6, 15),
        &cal,
    );
    assert_eq!(e.unwrap_err().code(), "maternity.claim_window_closed");
    assert!(check_claim_date(
        &sc,
        BenefitKind::DeliveryCosts,
        d(2026, 3, 1),
        d(2026, 10, 15),
        &cal
    )
    .is_ok());
    // Not before the event.
    assert_eq!(
        check_claim_date(
            &sc,
            BenefitKind::DeliveryCosts,
            d(2026, 3, 2),
            d(2026, 3, 1),
            &cal
        )
        .unwrap_err()
        .code(),
        "maternity.event_in_future"
    );
}

#[test]
fn leave_days_stack_for_a_caesarean_and_twins() {
    let cq = policy(CHONGQING);
    let sc = policy(SICHUAN);
    let birth = |mode, babies| Event::Birth { mode, babies };
    assert_eq!(leave_days(&cq, &birth(DeliveryMode::Normal, 1)), Ok(178));
    assert_eq!(leave_days(&cq, &birth(DeliveryMode::Caesarean, 1)), Ok(193));
    assert_eq!(leave_days(&cq, &birth(DeliveryMode::Normal, 2)), Ok(193));
    assert_eq!(
        leave_days(&cq, &birth(DeliveryMode::Difficult, 3)),
        Ok(178 + 15 + 30)
    );
    assert_eq!(
        leave_days(&sc, &birth(DeliveryMode::Caesarean, 2)),
        Ok(188 + 15 + 15)
    );
    assert_eq!(leave_days(&cq, &Event::Miscarriage { weeks: 15 }), Ok(15));
    assert_eq!(leave_days(&cq, &Event::Miscarriage { weeks: 16 }), Ok(42));
    assert!(leave_days(
        &cq,
        &Event::FamilyPlanning {
            operation: FamilyPlanningOp::IudInsertion
        }
    )
    .is_err());
}

#[test]
fn medical_limits_by_event_and_level() {
    let cq = policy(CHONGQING);
    let twins = Event::Birth {
        mode: DeliveryMode::Caesarean,
        babies: 2,
    };
    // 剖宫产 三级 3100 元 + one extra baby 300 元.
    assert_eq!(
        medical_limit(
            &cq,
            BenefitKind::DeliveryCosts,
            &twins,
            HospitalLevel::Level3
        ),
        Ok(Fen(310_000 + 30_000))
    );
    assert_eq!(
        medical_limit(
            &cq,
            BenefitKind::DeliveryCosts,
            &Event::Miscarriage { weeks: 20 },
            HospitalLevel::Level2
        ),
        Ok(Fen(80_000))
    );
    assert_eq!(
        medical_limit(
            &cq,
            BenefitKind::PrenatalCare,
            &twins,
            HospitalLevel::Level1
        ),
        Ok(Fen(30_000))
    );
    // The fund pays the costs up to the limit.
    assert_eq!(medical_payment(Fen(150_000), Fen(98_765)), Fen(98_765));
    assert_eq!(medical_payment(Fen(150_000), Fen(298_765)), Fen(150_000));
}

// 生育津贴 = 单位上年度月平均工资 ÷ 30 × 产假天数, rounded once half up to the fen.
#[test]
fn the_allowance_is_the_employers_average_wage_by_day() {
    // Three employees all year at 6,000.00, 7,000.00 and 8,000.01: average 7,000.003…
    let wages = EmployerWages {
        year: 2025,
        base_sum: 12 * (600_000 + 700_000 + 800_001),
        lines: 36,
    };
    assert_eq!(wages.average(), Fen(700_000));
    // 2,100,001 × 12 × 178 / (36 × 30) = 4,153,335.31… → 4,153,335 fen.
    assert_eq!(allowance(&wages, 178, 30), Ok(Fen(4_153_335)));
    let exact = i128::from(wages.base_sum) * 178;
    let den = 36i128 * 30;
    assert_eq!(i128::from(4_153_335i64), (2 * exact + den) / (2 * den));
    // Half up: 1 fen × 15 days / 30 = 0.5 fen → 1 fen.
    let tiny = EmployerWages {
        year: 2025,
        base_sum: 1,
        lines: 1,
    };
    assert_eq!(allowance(&tiny, 15, 30), Ok(Fen(1)));
    let none = EmployerWages {
        year: 2025,
        base_sum: 0,
        lines: 0,
    };
    assert_eq!(
        allowance(&none, 178, 30).unwrap_err().code(),
        "maternity.no_wages"
    );
}

// Seed 002 item 19 生育津贴复算: only the difference is paid; a lowering pays nothing.
#[test]
fn a_recalculation_pays_only_the_difference() {
    let up = recalculate(Fen(4_300_000), Fen(4_153_335));
    assert_eq!(up.pays, Fen(146_665));
    let down = recalculate(Fen(4_000_000), Fen(4_153_335));
    assert_eq!(down.difference, Fen(-153_335));
    assert_eq!(down.pays, Fen(0));
}

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_claim_form_reads_every_event() {
    let c = Claim::parse(&form(&[
        ("event", "分娩"),
        ("event_date", "2026-09-01"),
        ("delivery_mode", "剖宫产"),
        ("babies", "2"),
        ("hospital_level", "三级"),
        ("costs", "4,321.09"),
    ]))
    .unwrap();
    assert_eq!(
        c.event,
        Event::Birth {
            mode: DeliveryMode::Caesarean,
            babies: 2
        }
    );
    assert_eq!(c.costs, Some(Fen(432_109)));
    let errors = Claim::parse(&form(&[("event", "分娩"), ("babies", "0")])).unwrap_err();
    let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
    assert!(codes.contains(&"maternity.field_invalid"), "{codes:?}");
    assert!(codes.contains(&"maternity.field_missing"), "{codes:?}");
    let c = Claim::parse(&form(&[
        ("event", "计划生育手术"),
        ("operation", "输精管结扎术"),
        ("event_date", "2026-09-01"),
    ]))
    .unwrap();
    assert_eq!(
        c.event,
        Event::FamilyPlanning {
            operation: FamilyPlanningOp::Vasectomy
        }
    );
}

#[test]
fn the_event_must_be_the_right_persons() {
    let woman: CitizenId = "500119199503010281".parse().unwrap();
    let man: CitizenId = "500119199001010134".parse().unwrap();
    assert_eq!(man.sex(), Sex::Male);
    assert_eq!(woman.sex(), Sex::Female);
    let birth = |beneficiary, spouse| Claim {
        insured: None,
        beneficiary,
        spouse,
        event: Event::Birth {
            mode: DeliveryMode::Normal,
            babies: 1,
        },
        event_date: d(2026, 9, 1),
        level: Some(HospitalLevel::Level2),
        costs: None,
        bank: None,
    };
    assert!(check_person(
        BenefitKind::DeliveryCosts,
        &birth(Beneficiary::Insured, None),
        &woman
    )
    .is_ok());
    {
        assert_eq!(
            check_person(
                BenefitKind::DeliveryCosts,
                &birth(Beneficiary::Insured, None),
                &man
            )
            .unwrap_err()
            .code(),
            "maternity.sex"
        );
        // The insured man's unemployed wife: delivery costs yes, allowance no.
        let spouse = birth(Beneficiary::Spouse, Some(woman.clone()));
        assert!(check_person(BenefitKind::DeliveryCosts, &spouse, &man).is_ok());
        assert_eq!(
            check_person(BenefitKind::Allowance, &spouse, &man)
                .unwrap_err()
                .code(),
            "maternity.spouse_not_entitled"
        );
    }
}

#[test]
fn family_planning_is_its_own_benefit_except_in_youyang_17() {
    let fp = Event::FamilyPlanning {
        operation: FamilyPlanningOp::TubalLigation,
    };
    let birth = Event::Birth {
        mode: DeliveryMode::Normal,
        babies: 1,
    };
    assert_eq!(
        benefit_of(BenefitKind::DeliveryCosts, &fp, true),
        Ok(BenefitKind::FamilyPlanningCosts)
    );
    assert!(benefit_of(BenefitKind::DeliveryCosts, &fp, false).is_err());
    assert!(benefit_of(BenefitKind::FamilyPlanningCosts, &birth, false).is_err());
    assert_eq!(
        benefit_of(BenefitKind::Allowance, &birth, false),
        Ok(BenefitKind::Allowance)
    );
}
