//! Unit tests of the contribution rules, each citing the guide or the policy figure it checks,
//! with both sides of every boundary; and a property test against a straightforward computation.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::items::*;
use super::*;
use crate::benefit::AidCategory;
use crate::enrolment::flexible::Grade;
use crate::enrolment::resident::ResidentCategory;
use crate::enrolment::Jurisdiction;
use crate::ids::{RegionCode, Sex};
use crate::money::Fen;

const CQ_2025: &str = include_str!("../../../../data/policy/contribution/chongqing/2025.toml");
const CQ_2026: &str = include_str!("../../../../data/policy/contribution/chongqing/2026.toml");
const CD_2025: &str = include_str!("../../../../data/policy/contribution/chengdu/2025.toml");
const CD_2026: &str = include_str!("../../../../data/policy/contribution/chengdu/2026.toml");

fn load(text: &str) -> ContributionPolicy {
    let p: ContributionPolicy = toml::from_str(text).unwrap();
    p.validate().unwrap();
    p
}

fn cq() -> ContributionPolicy {
    load(CQ_2025)
}

fn cd() -> ContributionPolicy {
    load(CD_2025)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn shipped_policies_parse_validate_and_label_their_placeholders() {
    for text in [CQ_2025, CQ_2026, CD_2025, CD_2026] {
        let p = load(text);
        assert!(p.has_example(), "{}", p.name);
    }
    // The 2026 files carry 2025 figures forward: every section is a placeholder.
    for text in [CQ_2026, CD_2026] {
        let p = load(text);
        assert!(p.base.example && p.employee.example && p.account.example && p.years.example);
        assert!(p.flexible.iter().all(|g| g.example));
        assert!(p.aid_subsidy.iter().all(|r| r.example));
    }
    // The 2025 base limits are secondary-sourced figures, not placeholders.
    assert!(!cq().base.example);
    assert!(!cd().base.example);
}

#[test]
fn policy_lookup_takes_the_most_specific_region_in_force() {
    let sets = vec![load(CQ_2025), load(CQ_2026), load(CD_2025), load(CD_2026)];
    let youyang = "500242".parse::<RegionCode>().unwrap();
    let p = contribution_policy_for(&sets, &youyang, d(2025, 12, 31)).unwrap();
    assert_eq!(p.effective_from, d(2025, 1, 1));
    let p = contribution_policy_for(&sets, &youyang, d(2026, 1, 1)).unwrap();
    assert_eq!(p.effective_from, d(2026, 1, 1));
    let jinjiang = "510104".parse::<RegionCode>().unwrap();
    assert_eq!(
        contribution_policy_for(&sets, &jinjiang, d(2025, 6, 1))
            .unwrap()
            .region
            .as_str(),
        "510100"
    );
    assert!(contribution_policy_for(&sets, &jinjiang, d(2024, 12, 31)).is_none());
}

#[test]
fn invalid_policies_are_refused() {
    let mut p = cq();
    p.base.monthly_floor = Fen(p.base.monthly_ceiling.0 + 1);
    assert_eq!(
        p.validate().unwrap_err().code,
        "contribution.policy_invalid"
    );
    let mut p = cq();
    p.employee.employer_rate_bp = 10_001;
    assert!(p.validate().is_err());
    let mut p = cq();
    p.aid_subsidy[0].amount = Some(Fen(1));
    assert!(p.validate().is_err(), "a full subsidy names no amount");
    let mut p = cq();
    p.flexible[1].grade = Grade::Tier1;
    assert!(p.validate().is_err(), "one entry per grade");
    assert!(
        toml::from_str::<ContributionPolicy>(&CQ_2025.replace("[base]", "[base]\ntypo = 1"))
            .is_err()
    );
}

/// 重庆 2025 base limits 4,404–22,017 元 (POLICY-FACTS §1); seed 001 九 「核定应缴纳的医保费数额」.
#[test]
fn base_is_clamped_to_floor_and_ceiling_both_sides_of_each_limit() {
    let p = cq();
    let c = clamp_base(Fen(440_399), &p).unwrap();
    assert_eq!(
        (c.base, c.adjustment),
        (Fen(440_400), BaseAdjustment::RaisedToFloor)
    );
    let c = clamp_base(Fen(440_400), &p).unwrap();
    assert_eq!(
        (c.base, c.adjustment),
        (Fen(440_400), BaseAdjustment::AsDeclared)
    );
    let c = clamp_base(Fen(2_201_700), &p).unwrap();
    assert_eq!(
        (c.base, c.adjustment),
        (Fen(2_201_700), BaseAdjustment::AsDeclared)
    );
    let c = clamp_base(Fen(2_201_701), &p).unwrap();
    assert_eq!(
        (c.base, c.adjustment),
        (Fen(2_201_700), BaseAdjustment::LoweredToCeiling)
    );
    assert_eq!(clamp_base(Fen(0), &p).unwrap().base, Fen(440_400));
    assert_eq!(
        clamp_base(Fen(-1), &p).unwrap_err().code,
        "contribution.negative_wage"
    );
    // 四川 2025: 4,588–22,938 元 (POLICY-FACTS §3).
    let p = cd();
    assert_eq!(clamp_base(Fen(458_799), &p).unwrap().base, Fen(458_800));
    assert_eq!(clamp_base(Fen(2_293_801), &p).unwrap().base, Fen(2_293_800));
}

#[test]
fn employee_dues_split_between_employer_and_employee() {
    let p = cq();
    // 6,000.00 元 at 8 % + 2 % (示例参数): 480.00 + 120.00.
    let dues = employee_dues(Fen(600_000), &p).unwrap();
    assert_eq!(
        (dues.employer, dues.employee, dues.total),
        (Fen(48_000), Fen(12_000), Fen(60_000))
    );
    // Below the floor the floor is the base: 4,404 × 8 % = 352.32, × 2 % = 88.08.
    let dues = employee_dues(Fen(100_000), &p).unwrap();
    assert_eq!((dues.employer, dues.employee), (Fen(35_232), Fen(8_808)));
}

/// Half up once per product: 0.5 fen rounds up, 0.49 down.
#[test]
fn rates_round_half_up_to_the_fen() {
    assert_eq!(apply_rate(Fen(50), 100).unwrap(), Fen(1)); // 0.5 → 1
    assert_eq!(apply_rate(Fen(49), 100).unwrap(), Fen(0)); // 0.49 → 0
    assert_eq!(apply_rate(Fen(150), 100).unwrap(), Fen(2)); // 1.5 → 2
    assert!(apply_rate(Fen(-1), 100).is_err());
    assert!(apply_rate(Fen(1), 10_001).is_err());
}

/// 重庆 个人身份参保 2025: 一档 3,075 元/年 = 256.25 元/月, 二档 6,765 元/年 = 563.75 元/月
/// (渝医保发〔2024〕47号 via POLICY-FACTS §1).
#[test]
fn chongqing_flexible_grades_match_the_published_yearly_amounts() {
    let p = cq();
    let t1 = flexible_dues(Grade::Tier1, &p).unwrap();
    let t2 = flexible_dues(Grade::Tier2, &p).unwrap();
    assert_eq!(t1.total, Fen(25_625));
    assert_eq!(t2.total, Fen(56_375));
    assert_eq!(t1.total.0 * 12, 307_500);
    assert_eq!(t2.total.0 * 12, 676_500);
}

/// 成都 灵活就业 9.5 % = 8.75 % + 0.75 % 大病互助, each part rounded: 2025 base 6,117 元 →
/// 535.24 + 45.88 元 (POLICY-FACTS §3; the earlier base 6,015 gave the published 526.31 + 45.11).
#[test]
fn chengdu_flexible_dues_round_each_part_as_published() {
    let mut p = cd();
    let dues = flexible_dues(Grade::Tier1, &p).unwrap();
    assert_eq!(
        (dues.basic, dues.supplementary, dues.total),
        (Fen(53_524), Fen(4_588), Fen(58_112))
    );
    p.flexible[0].monthly_base = Fen(601_500);
    let dues = flexible_dues(Grade::Tier1, &p).unwrap();
    assert_eq!((dues.basic, dues.supplementary), (Fen(52_631), Fen(4_511)));
    // Chengdu has one grade: asking for 二档 is an error, not a zero.
    assert_eq!(
        flexible_dues(Grade::Tier2, &cd()).unwrap_err().code,
        "contribution.no_grade"
    );
}

#[test]
fn resident_dues_per_grade() {
    let p = cq();
    assert_eq!(
        resident_dues(Grade::Tier1, ResidentCategory::LocalResident, &p).unwrap(),
        Fen(40_000)
    );
    assert_eq!(
        resident_dues(Grade::Tier2, ResidentCategory::UniversityStudent, &p).unwrap(),
        Fen(80_000)
    );
}

#[test]
fn arrears_are_due_minus_paid_and_never_negative() {
    assert_eq!(
        balance(Fen(60_000), Fen(0)).unwrap(),
        Balance {
            arrears: Fen(60_000),
            overpaid: Fen(0)
        }
    );
    assert_eq!(balance(Fen(60_000), Fen(59_999)).unwrap().arrears, Fen(1));
    assert_eq!(
        balance(Fen(60_000), Fen(60_000)).unwrap(),
        Balance::default()
    );
    assert_eq!(
        balance(Fen(60_000), Fen(60_001)).unwrap(),
        Balance {
            arrears: Fen(0),
            overpaid: Fen(1)
        }
    );
}

#[test]
fn account_credit_per_member_kind() {
    let p = cq();
    // 在职: 2 % of the own base (示例参数) — 6,000 元 → 120.00 元.
    assert_eq!(
        account_credit(Member::InService { base: Fen(600_000) }, &p).unwrap(),
        Fen(12_000)
    );
    assert_eq!(
        account_credit(
            Member::Flexible {
                grade: Grade::Tier1
            },
            &p
        )
        .unwrap(),
        Fen(0)
    );
    assert_eq!(
        account_credit(
            Member::Flexible {
                grade: Grade::Tier2
            },
            &p
        )
        .unwrap(),
        Fen(10_250)
    );
    assert_eq!(account_credit(Member::Retired, &p).unwrap(), Fen(6_000));
}

/// seed 001 三十一; 国办发〔2021〕42号: 特困 full, 低保 fixed (never above the contribution).
#[test]
fn aid_subsidy_full_for_extreme_poverty_fixed_for_others() {
    let p = cq();
    assert_eq!(
        aid_subsidy(AidCategory::ExtremePoverty, Fen(40_000), &p).unwrap(),
        Fen(40_000)
    );
    assert_eq!(
        aid_subsidy(AidCategory::MinimumLiving, Fen(40_000), &p).unwrap(),
        Fen(24_000)
    );
    assert_eq!(
        aid_subsidy(AidCategory::MinimumLiving, Fen(23_999), &p).unwrap(),
        Fen(23_999)
    );
    assert_eq!(
        aid_subsidy(AidCategory::MonitoredRural, Fen(40_000), &p).unwrap(),
        Fen(12_000)
    );
    assert_eq!(
        aid_subsidy(AidCategory::IllnessImpoverished, Fen(40_000), &p)
            .unwrap_err()
            .code,
        "contribution.subsidy.not_eligible"
    );
}

/// seed 002 退休人员缴费年限认定: only after retirement approval; work before the policy's
/// `deemed_before` (2001-01-01, 示例参数) is deemed; the month of the date is not.
#[test]
fn years_recognition_counts_deemed_months_before_the_cutoff_only() {
    let p = cq();
    let period = |a, b| WorkPeriod { from: a, to: b };
    assert_eq!(
        recognise_years(Sex::Male, false, &[], 0, &p)
            .unwrap_err()
            .code,
        "contribution.years.not_retired"
    );
    // 1995-01..2000-12 = 72 months, all before 2001-01.
    let r = recognise_years(
        Sex::Male,
        true,
        &[period(d(1995, 1, 1), d(2000, 12, 31))],
        200,
        &p,
    )
    .unwrap();
    assert_eq!((r.deemed_months, r.total_months), (72, 272));
    // Running into January 2001: that month is not deemed.
    let r = recognise_years(
        Sex::Male,
        true,
        &[period(d(1995, 1, 1), d(2001, 1, 31))],
        0,
        &p,
    )
    .unwrap();
    assert_eq!(r.deemed_months, 72);
    // Entirely after the cutoff: nothing deemed.
    let r = recognise_years(
        Sex::Female,
        true,
        &[period(d(2001, 1, 1), d(2003, 1, 1))],
        0,
        &p,
    )
    .unwrap();
    assert_eq!(r.deemed_months, 0);
    // Required 25 years (men) / 20 (women), 示例参数: one month short and exactly complete.
    let r = recognise_years(Sex::Male, true, &[], 299, &p).unwrap();
    assert_eq!(r.shortfall_months, 1);
    let r = recognise_years(Sex::Male, true, &[], 300, &p).unwrap();
    assert_eq!(r.shortfall_months, 0);
    let r = recognise_years(Sex::Female, true, &[], 240, &p).unwrap();
    assert_eq!(r.shortfall_months, 0);
    assert!(recognise_years(
        Sex::Male,
        true,
        &[period(d(2000, 2, 1), d(2000, 1, 1))],
        0,
        &p
    )
    .is_err());
}

/// 不足年限补缴 / 趸缴: each missing month at 10 % of the 4,404 元 floor (示例参数) = 440.40 元.
#[test]
fn shortfall_payment_per_missing_month() {
    let p = cq();
    assert_eq!(shortfall_payment(0, &p).unwrap(), Fen(0));
    assert_eq!(shortfall_payment(1, &p).unwrap(), Fen(44_040));
    assert_eq!(shortfall_payment(12, &p).unwrap(), Fen(528_480));
}

/// seed 002 单位补缴「补缴时间不得早于2005年1月1日」: 2004-12 refused, 2005-01 accepted; only 酉阳.
#[test]
fn employer_back_pay_reaches_back_to_january_2005_in_youyang() {
    let today = d(2026, 3, 10);
    let e = check_employer_back_pay(Jurisdiction::Youyang, d(2004, 12, 1), d(2005, 6, 1), today)
        .unwrap_err();
    assert_eq!(e[0].code, "contribution.back_pay.too_early");
    assert!(
        check_employer_back_pay(Jurisdiction::Youyang, d(2005, 1, 1), d(2005, 6, 1), today).is_ok()
    );
    assert!(
        check_employer_back_pay(Jurisdiction::Sichuan, d(2004, 12, 1), d(2005, 6, 1), today)
            .is_ok()
    );
    // Up to the current month, not beyond.
    assert!(
        check_employer_back_pay(Jurisdiction::Youyang, d(2026, 1, 1), d(2026, 3, 1), today).is_ok()
    );
    let e = check_employer_back_pay(Jurisdiction::Youyang, d(2026, 1, 1), d(2026, 4, 1), today)
        .unwrap_err();
    assert_eq!(e[0].code, "contribution.back_pay.future");
}

/// seed 002 个人参保补缴「需先对历年和当年年度欠费信息进行核销」.
#[test]
fn personal_back_pay_needs_verified_arrears() {
    assert!(check_personal_back_pay(true).is_ok());
    assert_eq!(
        check_personal_back_pay(false).unwrap_err().code,
        "contribution.personal_back_pay.unverified"
    );
}

/// seed 002 个人参保一次性趸缴「2022年1月开始由税务办理」: 2021-12-31 taken, 2022-01-01 sent to tax.
#[test]
fn youyang_lump_sum_goes_to_the_tax_office_from_2022() {
    assert!(check_lump_sum(Jurisdiction::Youyang, d(2021, 12, 31)).is_ok());
    assert_eq!(
        check_lump_sum(Jurisdiction::Youyang, d(2022, 1, 1))
            .unwrap_err()
            .code,
        "contribution.lump_sum.tax"
    );
    assert!(check_lump_sum(Jurisdiction::Sichuan, d(2026, 6, 1)).is_ok());
}

/// seed 002 年度工资申报「每年3月底前」: 31 March on time, 1 April late; no date elsewhere.
#[test]
fn youyang_wage_declaration_is_due_by_the_end_of_march() {
    assert_eq!(
        declaration_timing(Jurisdiction::Youyang, 2025, d(2026, 3, 31)),
        DeclarationTiming::OnTime
    );
    assert_eq!(
        declaration_timing(Jurisdiction::Youyang, 2025, d(2026, 4, 1)),
        DeclarationTiming::Late
    );
    assert_eq!(
        declaration_timing(Jurisdiction::Sichuan, 2025, d(2026, 4, 1)),
        DeclarationTiming::OnTime
    );
}

/// The straightforward computation, written independently: decimals as yuan strings would be
/// too slow, so integer arithmetic with explicit floor/ceiling comparisons and half-up division.
fn reference_dues(
    wage: i64,
    floor: i64,
    ceiling: i64,
    employer_bp: i64,
    employee_bp: i64,
) -> (i64, i64) {
    let base = if wage < floor {
        floor
    } else if wage > ceiling {
        ceiling
    } else {
        wage
    };
    let part = |bp: i64| {
        let x = base * bp; // fen × bp
        let q = x / 10_000;
        if x % 10_000 >= 5_000 {
            q + 1
        } else {
            q
        }
    };
    (part(employer_bp), part(employee_bp))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn employee_dues_equal_the_reference(
        wage in 0i64..5_000_000,
        floor in 100_000i64..600_000,
        span in 0i64..3_000_000,
        employer_bp in 0u32..=2_000,
        employee_bp in 0u32..=1_000,
    ) {
        let mut p = cq();
        p.base.monthly_floor = Fen(floor);
        p.base.monthly_ceiling = Fen(floor + span);
        p.employee.employer_rate_bp = employer_bp;
        p.employee.employee_rate_bp = employee_bp;
        p.validate().unwrap();
        let got = employee_dues(Fen(wage), &p).unwrap();
        let (er, ee) = reference_dues(wage, floor, floor + span, i64::from(employer_bp), i64::from(employee_bp));
        prop_assert_eq!(got.employer.0, er);
        prop_assert_eq!(got.employee.0, ee);
        prop_assert_eq!(got.total.0, er + ee);
        prop_assert!(got.base.base.0 >= floor && got.base.base.0 <= floor + span);
    }

    #[test]
    fn arrears_plus_paid_cover_the_due(due in 0i64..10_000_000, paid in 0i64..10_000_000) {
        let b = balance(Fen(due), Fen(paid)).unwrap();
        prop_assert_eq!(b.arrears.0, (due - paid).max(0));
        prop_assert_eq!(b.overpaid.0, (paid - due).max(0));
        prop_assert_eq!(paid + b.arrears.0 - b.overpaid.0, due);
    }
}
