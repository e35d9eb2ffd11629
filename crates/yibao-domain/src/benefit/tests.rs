//! Table tests of the formula (hand-computed), the example data and requests, and property
//! tests of the invariants.

use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::money::Fen;
use crate::{Coded, RegionCode};

const CHONGQING: &str = include_str!("../../../../data/policy/chongqing/2026.toml");
const CHENGDU: &str = include_str!("../../../../data/policy/chengdu/2026.toml");
const EX_EMPLOYEE: &str =
    include_str!("../../../../docs/examples/benefit/employee-inpatient-chongqing.json");
const EX_RESIDENT: &str =
    include_str!("../../../../docs/examples/benefit/resident-critical-illness-aid-chongqing.json");
const EX_CROSS: &str =
    include_str!("../../../../docs/examples/benefit/cross-province-outpatient-inline-policy.json");

fn policies() -> &'static [PolicySet; 2] {
    static P: OnceLock<[PolicySet; 2]> = OnceLock::new();
    P.get_or_init(|| {
        [
            toml::from_str(CHONGQING).expect("chongqing/2026.toml"),
            toml::from_str(CHENGDU).expect("chengdu/2026.toml"),
        ]
    })
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// What the CLI shell does with `policy_file`: read data/policy/<name> and fill `policy`.
fn resolve(json: &str) -> ExplainRequest {
    let mut req: ExplainRequest = serde_json::from_str(json).unwrap();
    if req.policy.is_none() {
        let text = match req.policy_file.as_deref() {
            Some("chongqing/2026.toml") => CHONGQING,
            Some("chengdu/2026.toml") => CHENGDU,
            other => panic!("unknown policy file {other:?}"),
        };
        req.policy = Some(toml::from_str(text).unwrap());
    }
    req
}

// ------------------------------------------------------------------------------------------
// Example data

#[test]
fn example_policy_files_load_validate_and_are_labelled() {
    for p in policies() {
        p.validate().unwrap();
        assert!(p.example, "{}", p.name);
        assert!(p.note.as_deref().unwrap().contains("示例参数"));
        for r in &p.rules {
            assert!(
                r.example && r.note.as_deref().unwrap().contains("示例参数"),
                "{r:?}"
            );
        }
        for c in &p.critical_illness {
            assert!(c.example && c.note.is_some());
        }
        for a in &p.medical_aid {
            assert!(a.example && a.note.is_some());
        }
        for a in &p.personal_account {
            assert!(a.example && a.note.is_some());
        }
        // Every scheme × visit × level has a rule, except maternity for retirees.
        let schemes = [
            Scheme::EmployeeInService,
            Scheme::EmployeeRetired,
            Scheme::Resident,
        ];
        let visits = [
            VisitType::GeneralOutpatient,
            VisitType::ChronicOutpatient,
            VisitType::Inpatient,
            VisitType::Maternity,
        ];
        let levels = [
            HospitalLevel::Primary,
            HospitalLevel::Level1,
            HospitalLevel::Level2,
            HospitalLevel::Level3,
        ];
        for s in schemes {
            for v in visits {
                for l in levels {
                    let found = p.rule(s, v, l).is_some();
                    let expected = !(s == Scheme::EmployeeRetired && v == VisitType::Maternity);
                    assert_eq!(found, expected, "{} {s:?} {v:?} {l:?}", p.name);
                }
            }
        }
        // The model serialises back to TOML and JSON and reads the same.
        let again: PolicySet = toml::from_str(&toml::to_string(p).unwrap()).unwrap();
        assert_eq!(&again, p);
        let again: PolicySet = serde_json::from_str(&serde_json::to_string(p).unwrap()).unwrap();
        assert_eq!(&again, p);
    }
}

#[test]
fn policy_for_picks_the_version_in_force() {
    let cq = &policies()[0];
    let mut v2 = cq.clone();
    v2.version = 2;
    v2.effective_from = d("2026-07-01");
    let mut next = cq.clone();
    next.effective_from = d("2027-01-01");
    next.effective_to = None;
    let sets = [cq.clone(), v2, next, policies()[1].clone()];
    let cq_code: RegionCode = "500000".parse().unwrap();
    let cd_code: RegionCode = "510100".parse().unwrap();
    assert_eq!(
        policy_for(&sets, &cq_code, d("2026-03-01"))
            .unwrap()
            .version,
        1
    );
    assert_eq!(
        policy_for(&sets, &cq_code, d("2026-07-01"))
            .unwrap()
            .version,
        2
    );
    assert_eq!(
        policy_for(&sets, &cq_code, d("2030-01-01"))
            .unwrap()
            .effective_from,
        d("2027-01-01")
    );
    assert!(policy_for(&sets, &cq_code, d("2025-12-31")).is_none());
    assert_eq!(
        policy_for(&sets, &cd_code, d("2026-03-01")).unwrap().region,
        cd_code
    );
}

#[test]
fn invalid_policies_are_refused() {
    let base = policies()[0].clone();
    let mut over = base.clone();
    over.rules[0].ratio_bp = Some(10_001);
    let mut both = base.clone();
    both.rules[0].bands = vec![Band {
        up_to: None,
        ratio_bp: 5000,
    }];
    let mut unordered = base.clone();
    unordered.rules[0].ratio_bp = None;
    unordered.rules[0].bands = vec![
        Band {
            up_to: Some(Fen(500)),
            ratio_bp: 5000,
        },
        Band {
            up_to: Some(Fen(100)),
            ratio_bp: 6000,
        },
        Band {
            up_to: None,
            ratio_bp: 7000,
        },
    ];
    let mut open_end = base.clone();
    open_end.critical_illness[0].bands = vec![Band {
        up_to: Some(Fen(100)),
        ratio_bp: 5000,
    }];
    let mut negative = base.clone();
    negative.rules[0].deductible = Fen(-1);
    for p in [over, both, unordered, open_end, negative] {
        assert_eq!(p.validate().unwrap_err().code(), "benefit.policy_invalid");
    }
}

// ------------------------------------------------------------------------------------------
// The documented examples (docs/benefits.md): numbers computed by hand there.

#[test]
fn worked_example_employee_inpatient() {
    let e = explain(&resolve(EX_EMPLOYEE)).unwrap();
    let got = [
        e.total,
        e.self_pay_out_of_catalogue,
        e.self_pay_over_price_cap,
        e.self_pay_category_b,
        e.in_scope,
        e.deductible,
        e.fund,
        e.critical_illness,
        e.aid,
        e.account,
        e.cash,
    ];
    let want = [
        357345, 5000, 8000, 1835, 342510, 88000, 216334, 0, 0, 100000, 41011,
    ]
    .map(Fen);
    assert_eq!(got, want);
    let per_line: Vec<_> = e
        .lines
        .iter()
        .map(|l| {
            (
                l.out_of_catalogue.0,
                l.over_price_cap.0,
                l.category_b.0,
                l.in_scope.0,
            )
        })
        .collect();
    assert_eq!(
        per_line,
        [
            (0, 0, 0, 300000),
            (0, 0, 1235, 11110),
            (5000, 0, 0, 0),
            (0, 5000, 0, 20000),
            (0, 3000, 600, 11400),
        ]
    );
    assert_eq!(e.account_balance_after, Fen(0));
    assert_eq!(e.deltas.admission_id.as_deref(), Some("ZY20260512001"));
    assert_eq!(e.deltas.deductible, Fen(88000));
    assert_eq!(e.deltas.fund, Fen(216334));
    assert_eq!(e.deltas.in_scope_self_pay, Fen(126176));
    // The output carries the field names the issue asks for and Chinese texts.
    let json = serde_json::to_value(&e).unwrap();
    for f in [
        "total",
        "self_pay_out_of_catalogue",
        "self_pay_category_b",
        "self_pay_over_price_cap",
        "deductible",
        "fund",
        "critical_illness",
        "aid",
        "account",
        "cash",
        "lines",
        "steps",
        "deltas",
    ] {
        assert!(json.get(f).is_some(), "{f}");
    }
    let ratio_text = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rule"] == "ratio")
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ratio_text.contains("2163.335"), "{ratio_text}");
    assert!(ratio_text.contains("2163.34元"), "{ratio_text}");
    assert!(json["lines"][4]["reason"]
        .as_str()
        .unwrap()
        .contains("超过限价金额 120.00元 的 30.00元 自费"));
}

#[test]
fn worked_example_resident_critical_illness_and_aid() {
    let e = explain(&resolve(EX_RESIDENT)).unwrap();
    assert_eq!(
        (
            e.total,
            e.self_pay_out_of_catalogue,
            e.self_pay_category_b,
            e.in_scope
        ),
        (Fen(2530000), Fen(30000), Fen(50000), Fen(2450000))
    );
    assert_eq!((e.deductible, e.fund), (Fen(80000), Fen(1185000)));
    assert_eq!(e.in_scope_self_pay, Fen(1265000));
    assert_eq!(e.critical_illness, Fen(707640));
    assert_eq!(e.aid, Fen(390152));
    assert_eq!((e.account, e.cash), (Fen(0), Fen(247208)));
    assert_eq!(e.deltas.in_scope_self_pay, Fen(1265000));
    assert_eq!(e.deltas.critical_illness, Fen(707640));
    assert_eq!(e.deltas.aid, Fen(390152));
}

#[test]
fn worked_example_cross_province_unfiled_outpatient() {
    let e = explain(&resolve(EX_CROSS)).unwrap();
    assert_eq!(
        (e.total, e.self_pay_category_b, e.in_scope),
        (Fen(32345), Fen(4000), Fen(28345))
    );
    // Per-year deductible 150 元 of which 100 元 used: 50 元 left.
    assert_eq!(e.deductible, Fen(5000));
    // 60 % × 90 % = 54 %; 233.45 × 54 % = 126.063 → 126.06, but only 100 元 of the cap is left.
    assert_eq!(e.ratio_bp, 5400);
    assert!(e.steps.iter().any(|s| matches!(
        s,
        Step::Ratio {
            rounded: Fen(12606),
            ..
        }
    )));
    assert_eq!(e.fund, Fen(10000));
    assert_eq!((e.account, e.cash), (Fen(20000), Fen(2345)));
    assert_eq!(e.deltas.pool, "outpatient");
    assert_eq!(e.deltas.admission_id, None);
}

// ------------------------------------------------------------------------------------------
// Table tests on a small hand-built case

fn line(
    no: u32,
    amount: i64,
    cat: Category,
    share: u32,
    cap: Option<i64>,
    qty: Option<&str>,
) -> BillLine {
    BillLine {
        line_no: no,
        code: format!("L{no}"),
        name: None,
        amount: Fen(amount),
        quantity: qty.map(|q| Quantity::parse(q).unwrap()),
        unit_price: None,
        category: Some(cat),
        self_pay_share_bp: (share > 0).then_some(share),
        price_cap: cap.map(Fen),
    }
}

fn bill(visit: VisitType, level: HospitalLevel, lines: Vec<BillLine>) -> Bill {
    Bill {
        date: d("2026-06-01"),
        visit,
        hospital_level: level,
        admission_id: Some("A1".into()),
        use_account: true,
        lines,
    }
}

fn person(scheme: Scheme) -> PersonFacts {
    PersonFacts {
        scheme,
        aid_category: None,
        care_place: CarePlace::Local,
        filed: true,
        unfiled_penalty: None,
        disease: None,
    }
}

#[test]
fn formula_table() {
    use Category::*;
    use HospitalLevel::*;
    use VisitType::*;
    let cq = &policies()[0];
    let cd = &policies()[1];
    struct Case {
        what: &'static str,
        policy: &'static PolicySet,
        scheme: Scheme,
        visit: VisitType,
        level: HospitalLevel,
        lines: Vec<BillLine>,
        acc: Accumulators,
        // deductible, fund, critical illness, account, cash
        want: [i64; 5],
    }
    let pools = |name: &str, ded: i64, fund: i64| {
        let mut a = Accumulators::default();
        a.pools.insert(
            name.into(),
            PoolTotals {
                deductible_used: Fen(ded),
                fund_paid: Fen(fund),
            },
        );
        a
    };
    let cases = vec![
        Case {
            // 100 元 in scope below the 220 元 deductible: no fund at all.
            what: "below deductible",
            policy: cq,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 9000, A, 0, None, None)],
            acc: Accumulators::default(),
            want: [9000, 0, 0, 0, 9000],
        },
        Case {
            // 1000 元 − 100 元 deductible = 900 元 × 80 % = 720 元.
            what: "resident level 1",
            policy: cq,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 100000, A, 0, None, None)],
            acc: Accumulators::default(),
            want: [10000, 72000, 0, 0, 28000],
        },
        Case {
            // Interim settlement of admission A1, whose 100 元 deductible is already taken.
            what: "per admission deductible already taken",
            policy: cq,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 100000, A, 0, None, None)],
            acc: {
                let mut a = Accumulators::default();
                a.admissions.insert("A1".into(), Fen(10000));
                a
            },
            want: [0, 80000, 0, 0, 20000],
        },
        Case {
            // Another admission's deductible does not count for A1.
            what: "other admission",
            policy: cq,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 100000, A, 0, None, None)],
            acc: {
                let mut a = Accumulators::default();
                a.admissions.insert("A0".into(), Fen(10000));
                a
            },
            want: [10000, 72000, 0, 0, 28000],
        },
        Case {
            // Resident 三级 general outpatient pays nothing (ratio 0).
            what: "zero ratio",
            policy: cq,
            scheme: Scheme::Resident,
            visit: GeneralOutpatient,
            level: Level3,
            lines: vec![line(1, 5000, A, 0, None, None)],
            acc: Accumulators::default(),
            want: [0, 0, 0, 0, 5000],
        },
        Case {
            // Chengdu resident outpatient bands: 100 元 × 60 % + 150 元 × 50 % = 135 元.
            what: "bands",
            policy: cd,
            scheme: Scheme::Resident,
            visit: GeneralOutpatient,
            level: Level2,
            lines: vec![line(1, 25000, A, 0, None, None)],
            acc: Accumulators::default(),
            want: [0, 13500, 0, 0, 11500],
        },
        Case {
            // Bands restart each bill; cap 400 元 with 390 元 paid leaves 10 元.
            what: "bands under cap",
            policy: cd,
            scheme: Scheme::Resident,
            visit: GeneralOutpatient,
            level: Level2,
            lines: vec![line(1, 25000, A, 0, None, None)],
            acc: pools("outpatient", 0, 39000),
            want: [0, 1000, 0, 0, 24000],
        },
        Case {
            // Employee outpatient: per-year deductible 200 元 with 150 元 used → 50 元 open;
            // (333.33 − 50) × 60 % = 169.998 → 170.00 元; account (no balance) pays nothing.
            what: "per year deductible partly used, rounding",
            policy: cq,
            scheme: Scheme::EmployeeInService,
            visit: GeneralOutpatient,
            level: Level2,
            lines: vec![line(1, 33333, A, 0, None, None)],
            acc: pools("outpatient", 15000, 0),
            want: [5000, 17000, 0, 0, 16333],
        },
        Case {
            // Category B 0.05 元 with 10 % share: 0.5 fen rounds half up to 1 fen.
            // In scope 4 fen, all under the 100 元 deductible.
            what: "B share half up",
            policy: cq,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 5, B, 1000, None, None)],
            acc: Accumulators::default(),
            want: [4, 0, 0, 0, 5],
        },
        Case {
            // Price cap 3.33 元 × 0.5 = 1.665 → 1.67 元 allowed of 2.00 元; 0.33 元 over.
            // In scope 1.67 元 under the deductible.
            what: "fractional quantity cap",
            policy: cq,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 200, A, 0, Some(333), Some("0.5"))],
            acc: Accumulators::default(),
            want: [167, 0, 0, 0, 200],
        },
        Case {
            // Chengdu resident critical illness: 18,000 元 threshold, 40,000 元 already
            // accumulated (22,000 above), this bill's self-pay falls across the 50,000 band edge.
            // Level 1 inpatient 100,000 元: deductible 100 元, fund 99,900 × 87 % = 86,913 元,
            // self-pay 13,087 元: above-threshold 22,000 → 35,087 (all in the 60 % band)
            // = 7,852.20 元.
            what: "critical illness band",
            policy: cd,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 10000000, A, 0, None, None)],
            acc: Accumulators {
                in_scope_self_pay: Fen(4000000),
                ..Default::default()
            },
            want: [10000, 8691300, 785220, 0, 523480],
        },
        Case {
            // Same bill with 63,000 元 accumulated (45,000 above): 45,000–50,000 at 60 % = 3,000;
            // 50,000–58,087 at 70 % = 5,660.90; CI 8,660.90 元.
            what: "critical illness across bands",
            policy: cd,
            scheme: Scheme::Resident,
            visit: Inpatient,
            level: Level1,
            lines: vec![line(1, 10000000, A, 0, None, None)],
            acc: Accumulators {
                in_scope_self_pay: Fen(6300000),
                ..Default::default()
            },
            want: [10000, 8691300, 866090, 0, 442610],
        },
    ];
    for c in cases {
        let b = bill(c.visit, c.level, c.lines);
        let e = compute(c.policy, CatalogueRef::None, &person(c.scheme), &c.acc, &b)
            .unwrap_or_else(|err| panic!("{}: {}", c.what, err.message()));
        let got = [e.deductible, e.fund, e.critical_illness, e.account, e.cash].map(|f| f.0);
        assert_eq!(got, c.want, "{}", c.what);
        assert_eq!(
            e.total.0,
            e.fund.0 + e.critical_illness.0 + e.aid.0 + e.account.0 + e.cash.0,
            "{}",
            c.what
        );
    }
}

#[test]
fn catalogue_wins_over_line_and_dates_matter() {
    let cq = &policies()[0];
    let entries = parse_catalogue_csv(
        "code,name,kind,category,self_pay_share_bp,price_cap,effective_from,effective_to\n\
         L1,旧版,drug,c,,,2025-01-01,2026-05-31\n\
         L1,新版,drug,b,2000,,2026-06-01,\n",
    )
    .unwrap();
    let cat = Catalogue::new(7, entries).unwrap();
    let mut b = bill(
        VisitType::Inpatient,
        HospitalLevel::Level1,
        vec![line(1, 10000, Category::A, 0, None, None)],
    );
    let p = person(Scheme::Resident);
    let acc = Accumulators::default();
    let e = compute(cq, CatalogueRef::Indexed(&cat), &p, &acc, &b).unwrap();
    assert_eq!(e.lines[0].source, LineSource::Catalogue);
    assert_eq!(e.self_pay_category_b, Fen(2000));
    b.date = d("2026-05-31");
    let e = compute(cq, CatalogueRef::Indexed(&cat), &p, &acc, &b).unwrap();
    assert_eq!(e.self_pay_out_of_catalogue, Fen(10000));
    // Not in the catalogue and no category on the line: unknown code.
    b.lines[0].code = "NOPE".into();
    b.lines[0].category = None;
    let err = compute(cq, CatalogueRef::Indexed(&cat), &p, &acc, &b).unwrap_err();
    assert_eq!(err.code(), "benefit.unknown_code");
    assert!(err.message().contains("NOPE"));
}

#[test]
fn coded_errors() {
    let base = resolve(EX_EMPLOYEE);
    let check = |f: &dyn Fn(&mut ExplainRequest), code: &str| {
        let mut r = base.clone();
        f(&mut r);
        let e = explain(&r).unwrap_err();
        assert_eq!(e.code(), code);
        assert!(!e.message().is_empty());
    };
    check(
        &|r| r.bill.lines[1].amount = Fen(-1),
        "benefit.negative_amount",
    );
    check(&|r| r.bill.lines.clear(), "benefit.empty_bill");
    check(&|r| r.bill.lines[3].line_no = 1, "benefit.duplicate_line");
    check(
        &|r| r.bill.lines[0].code = "X".into(),
        "benefit.unknown_code",
    );
    check(&|r| r.bill.admission_id = None, "benefit.admission_missing");
    check(
        &|r| r.accumulators.year = Some(2025),
        "benefit.accumulator_year",
    );
    check(
        &|r| r.accumulators.aid_paid = Fen(-3),
        "benefit.negative_accumulator",
    );
    check(
        &|r| {
            r.accumulators.year = None;
            r.bill.date = d("2027-01-02");
        },
        "benefit.policy_not_in_force",
    );
    check(&|r| r.policy = None, "benefit.policy_missing");
    check(
        &|r| {
            r.person.scheme = Scheme::EmployeeRetired;
            r.bill.visit = VisitType::Maternity;
        },
        "benefit.no_rule",
    );
    check(
        &|r| {
            // Not in the catalogue: the line's own category A with a share is refused.
            r.bill.lines[2].code = "ZZZ".into();
            r.bill.lines[2].category = Some(Category::A);
            r.bill.lines[2].self_pay_share_bp = Some(100);
        },
        "benefit.invalid_line",
    );
}

// ------------------------------------------------------------------------------------------
// Properties

const SCHEMES: [Scheme; 3] = [
    Scheme::EmployeeInService,
    Scheme::EmployeeRetired,
    Scheme::Resident,
];
const VISITS: [VisitType; 4] = [
    VisitType::GeneralOutpatient,
    VisitType::ChronicOutpatient,
    VisitType::Inpatient,
    VisitType::Maternity,
];
const LEVELS: [HospitalLevel; 4] = [
    HospitalLevel::Primary,
    HospitalLevel::Level1,
    HospitalLevel::Level2,
    HospitalLevel::Level3,
];
const AID: [Option<AidCategory>; 4] = [
    None,
    Some(AidCategory::MinimumLiving),
    Some(AidCategory::IllnessImpoverished),
    Some(AidCategory::PovertyRelapse),
];
const PLACES: [CarePlace; 3] = [
    CarePlace::Local,
    CarePlace::InProvince,
    CarePlace::CrossProvince,
];

fn arb_line() -> impl Strategy<Value = BillLine> {
    (
        0i64..3_000_000,
        0usize..3,
        0u32..=5000,
        proptest::option::of(0i64..400_000),
        proptest::option::of(1i64..5_000),
    )
        .prop_map(|(amount, c, share, cap, qty)| {
            let category = [Category::A, Category::B, Category::C][c];
            BillLine {
                line_no: 0,
                code: "X".into(),
                name: None,
                amount: Fen(amount),
                quantity: qty.map(Quantity::from_milli),
                unit_price: None,
                category: Some(category),
                self_pay_share_bp: (category == Category::B).then_some(share),
                price_cap: cap.map(Fen),
            }
        })
}

fn numbered(mut lines: Vec<BillLine>) -> Vec<BillLine> {
    for (i, l) in lines.iter_mut().enumerate() {
        l.line_no = i as u32 + 1;
        l.code = format!("X{}", i + 1);
    }
    lines
}

fn arb_acc() -> impl Strategy<Value = Accumulators> {
    (
        (0i64..150_000, 0i64..60_000_000, 0i64..500_000),
        (0i64..150_000, 0i64..6_000_000),
        (0i64..6_000_000, 0i64..6_000_000, 0i64..800_000),
    )
        .prop_map(
            |((ded_in, fund_in, fund_out), (ded_out, adm), (self_pay, aid, bal))| {
                let mut a = Accumulators {
                    year: Some(2026),
                    in_scope_self_pay: Fen(self_pay),
                    aid_paid: Fen(aid),
                    account_balance: Fen(bal),
                    ..Default::default()
                };
                for (name, ded, fund) in [
                    ("inpatient", ded_in, fund_in),
                    ("outpatient", ded_out, fund_out),
                ] {
                    if ded > 0 || fund > 0 {
                        a.pools.insert(
                            name.into(),
                            PoolTotals {
                                deductible_used: Fen(ded),
                                fund_paid: Fen(fund),
                            },
                        );
                    }
                }
                if adm > 0 {
                    a.admissions.insert("ADM".into(), Fen(adm % 100_000));
                    a.admissions.retain(|_, v| v.0 > 0);
                }
                a
            },
        )
}

/// A random request against one of the two example policies; `None` if no rule covers it.
#[derive(Debug, Clone)]
struct Case {
    policy: usize,
    person: PersonFacts,
    acc: Accumulators,
    bill: Bill,
}

fn arb_case() -> impl Strategy<Value = Case> {
    (
        (0usize..2, 0usize..3, 0usize..4, 0usize..4),
        (0usize..4, 0usize..3, any::<bool>(), any::<bool>()),
        arb_acc(),
        proptest::collection::vec(arb_line(), 1..25),
    )
        .prop_map(
            |((p, s, v, l), (aid, place, filed, use_account), acc, lines)| Case {
                policy: p,
                person: PersonFacts {
                    scheme: SCHEMES[s],
                    aid_category: AID[aid],
                    care_place: PLACES[place],
                    filed,
                    unfiled_penalty: None,
                    disease: None,
                },
                acc,
                bill: Bill {
                    date: d("2026-08-08"),
                    visit: VISITS[v],
                    hospital_level: LEVELS[l],
                    admission_id: Some("ADM".into()),
                    use_account,
                    lines: numbered(lines),
                },
            },
        )
        .prop_filter("a rule covers the visit", |c| {
            policies()[c.policy]
                .rule(c.person.scheme, c.bill.visit, c.bill.hospital_level)
                .is_some()
        })
}

fn run(c: &Case, acc: &Accumulators, bill: &Bill) -> Explanation {
    compute(
        &policies()[c.policy],
        CatalogueRef::None,
        &c.person,
        acc,
        bill,
    )
    .unwrap()
}

fn open_deductible(c: &Case, acc: &Accumulators) -> i64 {
    let r = policies()[c.policy]
        .rule(c.person.scheme, c.bill.visit, c.bill.hospital_level)
        .unwrap();
    let used = match r.deductible_scope {
        DeductibleScope::PerYear => acc.pool(&r.pool).deductible_used,
        DeductibleScope::PerAdmission => acc.admission_deductible("ADM"),
    };
    r.deductible.remaining_after(used).0
}

fn cap_left(c: &Case, acc: &Accumulators) -> Option<i64> {
    let r = policies()[c.policy]
        .rule(c.person.scheme, c.bill.visit, c.bill.hospital_level)
        .unwrap();
    r.annual_cap
        .map(|cap| cap.remaining_after(acc.pool(&r.pool).fund_paid).0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The split sums to the total, per line and for the bill, no part is negative, and no
    /// payer exceeds its remaining limit.
    #[test]
    fn split_sums_and_limits(c in arb_case()) {
        let e = run(&c, &c.acc, &c.bill);
        let parts = [e.fund, e.critical_illness, e.aid, e.account, e.cash];
        prop_assert!(parts.iter().all(|p| p.0 >= 0), "{parts:?}");
        prop_assert_eq!(e.total.0, parts.iter().map(|p| p.0).sum::<i64>());
        prop_assert_eq!(e.total.0, c.bill.lines.iter().map(|l| l.amount.0).sum::<i64>());
        prop_assert_eq!(
            e.total.0,
            e.self_pay_out_of_catalogue.0 + e.self_pay_over_price_cap.0 + e.self_pay_category_b.0 + e.in_scope.0
        );
        for l in &e.lines {
            prop_assert!(l.out_of_catalogue.0 >= 0 && l.over_price_cap.0 >= 0 && l.category_b.0 >= 0 && l.in_scope.0 >= 0);
            prop_assert_eq!(l.amount.0, l.out_of_catalogue.0 + l.over_price_cap.0 + l.category_b.0 + l.in_scope.0);
        }
        prop_assert!(e.deductible.0 <= open_deductible(&c, &c.acc));
        prop_assert!(e.fund.0 <= e.in_scope.0 - e.deductible.0);
        if let Some(left) = cap_left(&c, &c.acc) {
            prop_assert!(e.fund.0 <= left);
        }
        prop_assert!(e.account.0 <= c.acc.account_balance.0);
        prop_assert_eq!(e.person_share.0, e.account.0 + e.cash.0);
        let p = &policies()[c.policy];
        if let Some(cap) = p.critical_illness_for(c.person.scheme).and_then(|r| r.annual_cap) {
            prop_assert!(e.critical_illness.0 <= cap.remaining_after(c.acc.critical_illness_paid).0);
        }
        if let Some(cap) = c.person.aid_category.and_then(|a| p.aid_for(a, c.bill.visit)).and_then(|r| r.annual_cap) {
            prop_assert!(e.aid.0 <= cap.remaining_after(c.acc.aid_paid).0);
        }
        prop_assert!(e.critical_illness.0 + e.aid.0 <= e.in_scope_self_pay.0);
        // Serialises with a text for every step and line.
        let json = serde_json::to_value(&e).unwrap();
        prop_assert!(json["steps"].as_array().unwrap().iter().all(|s| s["text"].as_str().is_some_and(|t| !t.is_empty())));
    }

    /// Two successive bills in the same year (same admission), accumulators carried between
    /// them: the deductible is taken at most once in its scope, and the fund, critical illness,
    /// aid and account together stay within what was left before the first bill.
    #[test]
    fn deductible_never_taken_twice(c in arb_case(), second in proptest::collection::vec(arb_line(), 1..10)) {
        let e1 = run(&c, &c.acc, &c.bill);
        let mut acc1 = c.acc.clone();
        acc1.apply(&e1.deltas).unwrap();
        let mut bill2 = c.bill.clone();
        bill2.lines = numbered(second);
        let e2 = run(&c, &acc1, &bill2);
        prop_assert!(e1.deductible.0 + e2.deductible.0 <= open_deductible(&c, &c.acc));
        if let Some(left) = cap_left(&c, &c.acc) {
            prop_assert!(e1.fund.0 + e2.fund.0 <= left);
        }
        prop_assert!(e1.account.0 + e2.account.0 <= c.acc.account_balance.0);
        let p = &policies()[c.policy];
        if let Some(cap) = c.person.aid_category.and_then(|a| p.aid_for(a, c.bill.visit)).and_then(|r| r.annual_cap) {
            prop_assert!(e1.aid.0 + e2.aid.0 <= cap.remaining_after(c.acc.aid_paid).0);
        }
        // If the first bill's in-scope amount reached the open deductible, the second takes none.
        if e1.in_scope.0 >= open_deductible(&c, &c.acc) {
            prop_assert_eq!(e2.deductible.0, 0);
        }
    }

    /// Adding a line to a bill (same person, accumulators, policy) never decreases: the total
    /// (it grows by exactly the line's amount), each self-pay part, the in-scope amount, the
    /// deductible taken, the fund, the in-scope self-payment, critical illness, aid, the
    /// person's share (account + cash) and the total self-payment (total − fund). Account and
    /// cash alone are not monotonic: a larger fund share can move money between them.
    #[test]
    fn monotonic_in_the_bill(c in arb_case(), extra in arb_line()) {
        let e = run(&c, &c.acc, &c.bill);
        let mut bigger = c.bill.clone();
        let mut l = extra;
        l.line_no = bigger.lines.len() as u32 + 1;
        l.code = format!("X{}", l.line_no);
        bigger.lines.push(l.clone());
        let f = run(&c, &c.acc, &bigger);
        prop_assert_eq!(f.total.0, e.total.0 + l.amount.0);
        let pairs = [
            ("out_of_catalogue", e.self_pay_out_of_catalogue, f.self_pay_out_of_catalogue),
            ("over_price_cap", e.self_pay_over_price_cap, f.self_pay_over_price_cap),
            ("category_b", e.self_pay_category_b, f.self_pay_category_b),
            ("in_scope", e.in_scope, f.in_scope),
            ("deductible", e.deductible, f.deductible),
            ("fund", e.fund, f.fund),
            ("in_scope_self_pay", e.in_scope_self_pay, f.in_scope_self_pay),
            ("critical_illness", e.critical_illness, f.critical_illness),
            ("aid", e.aid, f.aid),
            ("person_share", e.person_share, f.person_share),
            ("self_pay_total", Fen(e.total.0 - e.fund.0), Fen(f.total.0 - f.fund.0)),
        ];
        for (name, before, after) in pairs {
            prop_assert!(after >= before, "{name}: {before:?} → {after:?}");
        }
    }

    /// A reversal restores the accumulators exactly.
    #[test]
    fn reversal_restores_accumulators(c in arb_case()) {
        let e = run(&c, &c.acc, &c.bill);
        let mut a = c.acc.clone();
        a.apply(&e.deltas).unwrap();
        prop_assert_eq!(a.account_balance, e.account_balance_after);
        a.revert(&e.deltas).unwrap();
        prop_assert_eq!(a, c.acc);
    }

    /// Catalogue CSV written with quotes, commas and line breaks parses back to the same entries.
    #[test]
    fn catalogue_csv_round_trips(rows in proptest::collection::vec(
        ("[A-Z0-9]{1,8}", "[a-z中,\"]{1,6}", "[a-z中,\"]{0,4}", 0usize..3, 0usize..3, 0u32..=10000, proptest::option::of(0i64..1_000_000)),
        1..12,
    )) {
        let mut csv = String::from("code,name,kind,category,self_pay_share_bp,price_cap\r\n");
        let mut want = Vec::new();
        for (i, (code, a, b, kind, cat, share, cap)) in rows.into_iter().enumerate() {
            let code = format!("{code}-{i}");
            let name = if b.is_empty() { a } else { format!("{a}\n{b}") };
            let category = [Category::A, Category::B, Category::C][cat];
            let share = if category == Category::B { share } else { 0 };
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            csv += &format!(
                "{code},{quoted},{},{},{},{}\r\n",
                ["drug", "service", "material"][kind],
                ["a", "b", "c"][cat],
                if share > 0 { share.to_string() } else { String::new() },
                cap.map(|c| c.to_string()).unwrap_or_default(),
            );
            want.push(CatalogueEntry {
                code,
                name,
                kind: [ItemKind::Drug, ItemKind::Service, ItemKind::Material][kind],
                category,
                self_pay_share_bp: share,
                price_cap: cap.map(Fen),
                effective_from: None,
                effective_to: None,
            });
        }
        prop_assert_eq!(parse_catalogue_csv(&csv).unwrap(), want);
    }

    #[test]
    fn csv_parser_never_panics(text in "\\PC{0,200}") {
        let _ = parse_catalogue_csv(&text);
    }
}

// ------------------------------------------------------------------------------------------
// Extreme quantities and price caps (issue 15): refused with a code, or split exactly

/// Quantities around every edge: none, zero, the smallest, the limit and just past it, the
/// 10,000,000 that once wrapped to negative amounts, and i64::MAX thousandths.
fn extreme_quantity() -> impl Strategy<Value = Option<Quantity>> {
    let q = |m: i64| Some(Quantity::from_milli(m));
    prop_oneof![
        2 => Just(None),
        1 => Just(q(0)),
        1 => Just(q(1)),
        1 => Just(Some(MAX_QUANTITY)),
        1 => Just(q(MAX_QUANTITY.milli() + 1)),
        1 => Just(q(10_000_000_000)),
        1 => Just(q(i64::MAX)),
        8 => (1..=MAX_QUANTITY.milli()).prop_map(q),
    ]
}

/// Amounts and caps around the input limit, including negative and i64::MAX.
fn extreme_fen() -> impl Strategy<Value = i64> {
    use crate::money::MAX_INPUT;
    prop_oneof![
        1 => Just(0),
        1 => Just(1),
        2 => Just(MAX_INPUT.0),
        1 => Just(MAX_INPUT.0 + 1),
        1 => Just(i64::MAX),
        1 => Just(-1),
        1 => Just(i64::MIN),
        4 => 0..=MAX_INPUT.0,
        4 => 0i64..10_000,
    ]
}

fn extreme_line() -> impl Strategy<Value = BillLine> {
    (
        extreme_fen(),
        extreme_quantity(),
        proptest::option::of(extreme_fen()),
        0usize..3,
        prop_oneof![Just(0u32), Just(FULL_BP), 0..=FULL_BP],
        any::<bool>(),
    )
        .prop_map(|(amount, quantity, cap, c, share, from_catalogue)| {
            let category = [Category::A, Category::B, Category::C][c];
            BillLine {
                line_no: 0,
                // Codes "C…" are in the request's catalogue with a cap of their own.
                code: if from_catalogue {
                    "C".into()
                } else {
                    "X".into()
                },
                name: None,
                amount: Fen(amount),
                quantity,
                unit_price: None,
                category: Some(category),
                self_pay_share_bp: (category == Category::B).then_some(share),
                price_cap: cap.map(Fen),
            }
        })
}

fn in_input_range(l: &BillLine) -> bool {
    l.amount.is_input()
        && l.price_cap.is_none_or(Fen::is_input)
        && l.quantity.is_none_or(Quantity::in_range)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever the quantities and caps, the engine never panics (debug builds panic on any
    /// overflow), and either refuses the bill with a benefit code or splits it with no negative
    /// part, every line and the whole adding up exactly. Bills inside the input limits are never
    /// refused.
    #[test]
    fn extreme_quantities_and_caps_never_wrap(
        lines in proptest::collection::vec(extreme_line(), 1..5),
        catalogue_cap in extreme_fen(),
        scheme in 0usize..3,
        level in 0usize..4,
        acc in arb_acc(),
    ) {
        let mut lines = numbered(lines);
        for l in &mut lines {
            if l.code.starts_with("XC") || l.line_no % 2 == 0 {
                l.code = format!("C{}", l.line_no);
            }
        }
        let catalogue: Vec<CatalogueEntry> = lines
            .iter()
            .filter(|l| l.code.starts_with('C'))
            .map(|l| CatalogueEntry {
                code: l.code.clone(),
                name: "极端限价".into(),
                kind: ItemKind::Drug,
                category: Category::A,
                self_pay_share_bp: 0,
                price_cap: Some(Fen(catalogue_cap)),
                effective_from: None,
                effective_to: None,
            })
            .collect();
        let valid = lines.iter().all(in_input_range)
            && catalogue.iter().all(|e| e.validate().is_ok());
        let req = ExplainRequest {
            policy: Some(policies()[0].clone()),
            policy_file: None,
            catalogue,
            person: person(SCHEMES[scheme]),
            accumulators: acc,
            bill: Bill {
                date: d("2026-08-08"),
                visit: VisitType::Inpatient,
                hospital_level: LEVELS[level],
                admission_id: Some("ADM".into()),
                use_account: true,
                lines: lines.clone(),
            },
        };
        match explain(&req) {
            Ok(e) => {
                prop_assert!(valid, "accepted out-of-range input: {lines:?}");
                let parts = [e.fund, e.critical_illness, e.aid, e.account, e.cash];
                prop_assert!(parts.iter().all(|p| p.0 >= 0), "{parts:?}");
                let sum = |xs: &[Fen]| xs.iter().map(|f| i128::from(f.0)).sum::<i128>();
                prop_assert_eq!(i128::from(e.total.0), sum(&parts));
                prop_assert_eq!(
                    i128::from(e.total.0),
                    lines.iter().map(|l| i128::from(l.amount.0)).sum::<i128>()
                );
                prop_assert_eq!(
                    i128::from(e.total.0),
                    sum(&[e.self_pay_out_of_catalogue, e.self_pay_over_price_cap, e.self_pay_category_b, e.in_scope])
                );
                for l in &e.lines {
                    let parts = [l.out_of_catalogue, l.over_price_cap, l.category_b, l.in_scope];
                    prop_assert!(parts.iter().all(|p| p.0 >= 0), "{l:?}");
                    prop_assert_eq!(i128::from(l.amount.0), sum(&parts));
                    prop_assert!(l.allowed.is_none_or(|a| a.0 >= 0), "{l:?}");
                }
                prop_assert!(e.deductible.0 >= 0 && e.in_scope_self_pay.0 >= 0);
                prop_assert!(e.account_balance_after.0 >= 0);
            }
            Err(err) => {
                prop_assert!(!valid, "refused in-range input with {}: {lines:?}", err.code());
                prop_assert!(err.code().starts_with("benefit."), "{}", err.code());
                prop_assert!(!err.message().is_empty());
            }
        }
    }
}

#[test]
fn large_quantities_with_a_cap_split_exactly_or_are_refused() {
    let cq = &policies()[0];
    let run = |qty: Option<Quantity>, cap: i64, amount: i64| {
        let mut l = line(1, amount, Category::A, 0, Some(cap), None);
        l.quantity = qty;
        compute(
            cq,
            CatalogueRef::None,
            &person(Scheme::EmployeeInService),
            &Accumulators::default(),
            &bill(VisitType::Inpatient, HospitalLevel::Level3, vec![l]),
        )
    };
    // 10,000,000 units under the largest cap once gave negative amounts: refused now.
    let e = run(
        Some(Quantity::from_milli(10_000_000_000)),
        crate::money::MAX_INPUT.0,
        1_000_000,
    )
    .unwrap_err();
    assert_eq!(e.code(), "benefit.quantity_out_of_range");
    assert!(e.message().contains("第 1 条"), "{}", e.message());
    // The largest quantity with the largest cap: allowed 10^18 fen, nothing above the cap.
    let x = run(
        Some(MAX_QUANTITY),
        crate::money::MAX_INPUT.0,
        crate::money::MAX_INPUT.0,
    )
    .unwrap();
    assert_eq!(x.lines[0].allowed, Some(Fen(1_000_000_000_000_000_000)));
    assert_eq!(x.self_pay_over_price_cap, Fen(0));
    assert_eq!(x.in_scope, crate::money::MAX_INPUT);
    // A large plausible case: 2,000 units at 12.34 元 cap, billed 30,000 元 → 24,680 元 allowed.
    let x = run(Some(Quantity::parse("2000").unwrap()), 1234, 3_000_000).unwrap();
    assert_eq!(x.lines[0].allowed, Some(Fen(2_468_000)));
    assert_eq!(x.self_pay_over_price_cap, Fen(532_000));
    // Quantity 0 with a cap would put the whole line above the cap: refused as invalid input.
    let e = run(Some(Quantity::from_milli(0)), 1234, 5000).unwrap_err();
    assert_eq!(e.code(), "benefit.quantity_out_of_range");
    assert!(e.message().contains("须大于 0"), "{}", e.message());
    // Without a cap quantity 0 is refused just the same (a charged line of nothing).
    let mut l = line(1, 5000, Category::A, 0, None, None);
    l.quantity = Some(Quantity::from_milli(0));
    let b = bill(VisitType::Inpatient, HospitalLevel::Level3, vec![l]);
    let e = compute(
        cq,
        CatalogueRef::None,
        &person(Scheme::EmployeeInService),
        &Accumulators::default(),
        &b,
    )
    .unwrap_err();
    assert_eq!(e.code(), "benefit.quantity_out_of_range");
}

#[test]
fn two_catalogue_versions_in_force_on_one_day_are_an_error() {
    let entry = |cap: i64, from: Option<&str>| CatalogueEntry {
        code: "D1".into(),
        name: "药".into(),
        kind: ItemKind::Drug,
        category: Category::A,
        self_pay_share_bp: 0,
        price_cap: Some(Fen(cap)),
        effective_from: from.map(d),
        effective_to: None,
    };
    let overlapping = vec![
        entry(100, Some("2026-01-01")),
        entry(200, Some("2026-06-01")),
    ];
    let b = bill(
        VisitType::Inpatient,
        HospitalLevel::Level3,
        vec![line(1, 5000, Category::A, 0, None, None)],
    );
    let mut b = b;
    b.lines[0].code = "D1".into();
    // In the engine's lookup: refused, not "the first".
    let e = compute(
        &policies()[0],
        CatalogueRef::Entries(&overlapping),
        &person(Scheme::EmployeeInService),
        &Accumulators::default(),
        &b,
    )
    .unwrap_err();
    assert_eq!(e.code(), "benefit.catalogue_overlap");
    // In a request: refused as an import would refuse it.
    let req = ExplainRequest {
        policy: Some(policies()[0].clone()),
        policy_file: None,
        catalogue: overlapping.clone(),
        person: person(Scheme::EmployeeInService),
        accumulators: Accumulators::default(),
        bill: b.clone(),
    };
    assert_eq!(
        explain(&req).unwrap_err().code(),
        "benefit.catalogue_invalid"
    );
    // At import.
    assert_eq!(
        Catalogue::new(1, overlapping).unwrap_err().code(),
        "benefit.catalogue_invalid"
    );
    // Consecutive versions: the one in force applies.
    let mut first = entry(100, Some("2026-01-01"));
    first.effective_to = Some(d("2026-05-31"));
    let ok = vec![first, entry(200, Some("2026-06-01"))];
    let e = compute(
        &policies()[0],
        CatalogueRef::Entries(&ok),
        &person(Scheme::EmployeeInService),
        &Accumulators::default(),
        &b,
    )
    .unwrap();
    assert_eq!(e.lines[0].allowed, Some(Fen(200)));
}

// ------------------------------------------------------------------------------------------
// Unfiled care elsewhere: the insured region's stated penalty, computed as explained

/// The facts of a visit in Chengdu (510104) or Shenzhen (440305) without a filing, as the
/// services build them: from the care rule, so that computation and explanation share one value.
fn unfiled(insured: &str, care: &str, scheme: Scheme) -> (PersonFacts, String) {
    let rule = crate::filing::care_rule(
        &insured.parse::<RegionCode>().unwrap(),
        &care.parse::<RegionCode>().unwrap(),
        d("2026-06-01"),
        None,
        false,
    );
    (rule.person_facts(scheme, None), rule.explanation())
}

#[test]
fn chongqing_unfiled_inpatient_care_raises_the_deductible_5_percent_and_cuts_the_ratio_5_points() {
    // Seed 004 (南川区), legal basis of items 20–24, 渝办发〔2011〕293号: 「未报经…同意的，按我市
    // 同级定点医疗机构住院标准，起付线提高5%，同时报销比例下降5%」. A Nanchuan (500119) employee
    // admitted to a level-3 hospital in Chengdu without a filing.
    let cq = &policies()[0];
    let (facts, text) = unfiled("500119", "510104", Scheme::EmployeeInService);
    assert!(text.contains("起付线提高5%，报销比例下降5%"), "{text}");
    let bill3 = bill(
        VisitType::Inpatient,
        HospitalLevel::Level3,
        vec![
            line(1, 500_000, Category::A, 0, None, None),
            line(2, 20_000, Category::C, 0, None, None),
        ],
    );
    let e = compute(
        cq,
        CatalogueRef::None,
        &facts,
        &Accumulators::default(),
        &bill3,
    )
    .unwrap();
    // Hand calculation. Chongqing level 3, employee: deductible 880.00 元, ratio 85 %.
    // Deductible 880.00 × 105 % = 924.00 元; ratio 85 % − 5 points = 80 %.
    // In scope 5,000.00 − 924.00 = 4,076.00 × 80 % = 3,260.80 元 from the fund.
    assert_eq!(e.deductible, Fen(92_400));
    assert_eq!(e.ratio_bp, 8_000);
    assert_eq!(e.fund, Fen(326_080));
    assert_eq!(e.in_scope_self_pay, Fen(500_000 - 326_080));
    // Not also the policy file's example adjustment (−10 points): the stated rule replaces it.
    assert!(!e.steps.iter().any(|s| matches!(s, Step::Adjustment { .. })));
    let penalty = e
        .steps
        .iter()
        .find(|s| matches!(s, Step::UnfiledPenalty { .. }))
        .unwrap();
    assert_eq!(
        penalty.text(),
        "跨省异地就医未备案，按参保地规定（渝办发〔2011〕293号（南川区事项清单设定依据））：起付线提高 5%（880.00元 → 924.00元，四舍五入到分），支付比例降低 5 个百分点"
    );
    assert!(e.steps.iter().any(|s| matches!(
        s,
        Step::Deductible {
            standard: Fen(92_400),
            ..
        }
    )));

    // Level 2 and a resident at level 1, the same way.
    let mut b2 = bill3.clone();
    b2.hospital_level = HospitalLevel::Level2;
    b2.lines.truncate(1);
    b2.lines[0].amount = Fen(100_000);
    let e = compute(
        cq,
        CatalogueRef::None,
        &facts,
        &Accumulators::default(),
        &b2,
    )
    .unwrap();
    // 440.00 × 105 % = 462.00; 87 % − 5 = 82 %; (1,000.00 − 462.00) × 82 % = 441.16 元.
    assert_eq!(
        (e.deductible, e.ratio_bp, e.fund),
        (Fen(46_200), 8_200, Fen(44_116))
    );
    let (resident, _) = unfiled("500119", "510104", Scheme::Resident);
    b2.hospital_level = HospitalLevel::Level1;
    let e = compute(
        cq,
        CatalogueRef::None,
        &resident,
        &Accumulators::default(),
        &b2,
    )
    .unwrap();
    // 100.00 × 105 % = 105.00; 80 % − 5 = 75 %; (1,000.00 − 105.00) × 75 % = 671.25 元.
    assert_eq!(
        (e.deductible, e.ratio_bp, e.fund),
        (Fen(10_500), 7_500, Fen(67_125))
    );

    // The raised deductible is the standard of the admission: an interim bill of the same
    // admission after 900.00 元 of it was taken takes the remaining 24.00 元.
    let mut acc = Accumulators::default();
    acc.admissions.insert("A1".into(), Fen(90_000));
    let e = compute(cq, CatalogueRef::None, &facts, &acc, &bill3).unwrap();
    assert_eq!(e.deductible, Fen(2_400));
    // (5,000.00 − 24.00) × 80 % = 3,980.80 元.
    assert_eq!(e.fund, Fen(398_080));

    // The same visit filed, or in Chongqing itself: no penalty.
    let filed = person(Scheme::EmployeeInService);
    let e = compute(
        cq,
        CatalogueRef::None,
        &filed,
        &Accumulators::default(),
        &bill3,
    )
    .unwrap();
    assert_eq!((e.deductible, e.ratio_bp), (Fen(88_000), 8_500));
}

#[test]
fn the_chongqing_penalty_covers_inpatient_care_only() {
    // The sentence sets the terms by 「住院标准」; a general outpatient bill without a filing
    // follows the insured region's existing rules: here the policy file's example adjustment.
    let cq = &policies()[0];
    let (facts, _) = unfiled("500119", "510104", Scheme::EmployeeInService);
    let b = bill(
        VisitType::GeneralOutpatient,
        HospitalLevel::Level3,
        vec![line(1, 100_000, Category::A, 0, None, None)],
    );
    let e = compute(cq, CatalogueRef::None, &facts, &Accumulators::default(), &b).unwrap();
    assert!(!e
        .steps
        .iter()
        .any(|s| matches!(s, Step::UnfiledPenalty { .. })));
    // Deductible 200.00 元 unchanged; 50 % − 10 points (example) = 40 %; 800.00 × 40 % = 320.00.
    assert_eq!(
        (e.deductible, e.ratio_bp, e.fund),
        (Fen(20_000), 4_000, Fen(32_000))
    );
}

#[test]
fn sichuan_states_no_unfiled_penalty_so_the_policy_file_applies() {
    // Seed 001 (四川) and seed 000 表1 温馨提示4 state no figure: 「按参保地现有规定办理」. A Chengdu
    // employee in a level-3 hospital in Shenzhen without a filing: the deductible stays 800.00 元
    // and the policy file's (example) adjustment applies, 85 % × 90 % = 76.5 %:
    // (5,000.00 − 800.00) × 76.5 % = 3,213.00 元.
    let cd = &policies()[1];
    let (facts, text) = unfiled("510104", "440305", Scheme::EmployeeInService);
    assert!(facts.unfiled_penalty.is_none());
    assert!(!text.contains("起付线提高"), "{text}");
    let b = bill(
        VisitType::Inpatient,
        HospitalLevel::Level3,
        vec![line(1, 500_000, Category::A, 0, None, None)],
    );
    let e = compute(cd, CatalogueRef::None, &facts, &Accumulators::default(), &b).unwrap();
    assert_eq!(
        (e.deductible, e.ratio_bp, e.fund),
        (Fen(80_000), 7_650, Fen(321_300))
    );
}

#[test]
fn a_penalty_in_a_request_is_checked() {
    let mut facts = person(Scheme::EmployeeInService);
    facts.care_place = CarePlace::CrossProvince;
    facts.filed = false;
    facts.unfiled_penalty = Some(UnfiledPenalty {
        deductible_increase_bp: 10_001,
        ratio_cut_bp: 500,
        visits: vec![],
        source: "测试".into(),
    });
    let b = bill(
        VisitType::Inpatient,
        HospitalLevel::Level3,
        vec![line(1, 500_000, Category::A, 0, None, None)],
    );
    let e = compute(
        &policies()[0],
        CatalogueRef::None,
        &facts,
        &Accumulators::default(),
        &b,
    )
    .unwrap_err();
    assert_eq!(e.code(), "benefit.policy_invalid");
    // A cut larger than the ratio stops at 0 %.
    facts.unfiled_penalty = Some(UnfiledPenalty {
        deductible_increase_bp: 0,
        ratio_cut_bp: 10_000,
        visits: vec![VisitType::Inpatient],
        source: "测试".into(),
    });
    let e = compute(
        &policies()[0],
        CatalogueRef::None,
        &facts,
        &Accumulators::default(),
        &b,
    )
    .unwrap();
    assert_eq!((e.ratio_bp, e.fund), (0, Fen(0)));
    // It round-trips through the explain request's JSON.
    let json = serde_json::to_value(&facts).unwrap();
    assert_eq!(json["unfiled_penalty"]["ratio_cut_bp"], 10_000);
    assert_eq!(serde_json::from_value::<PersonFacts>(json).unwrap(), facts);
}

// Seed 004 item 37 (渝人社发〔2012〕106号): when the own account 「资金不足或无余额」, the linked
// family member's account pays what the policy lets an account pay, up to its balance; the
// split still adds up and the deltas say whose account gives it back on reversal.
#[test]
fn a_linked_account_pays_what_the_own_account_could_not() {
    use crate::account::{draw_on_linked, linked_need};
    let e = explain(&resolve(EX_EMPLOYEE)).unwrap();
    let first17 = "50011919680705042";
    let holder: crate::CitizenId = format!(
        "{first17}{}",
        crate::ids::citizen_id_check_char(first17.as_bytes())
    )
    .parse()
    .unwrap();
    let need = linked_need(&e);
    assert!(need.fen() > 0 && need <= e.cash, "{need}");
    let parts = |x: &Explanation| {
        x.fund.0 + x.critical_illness.0 + x.aid.0 + x.account.0 + x.account_mutual_aid.0 + x.cash.0
    };
    // A balance below the need: all of it.
    let mut x = e.clone();
    assert_eq!(
        draw_on_linked(&mut x, &holder, Fen(1_000)).unwrap(),
        Fen(1_000)
    );
    assert_eq!(x.cash.0, e.cash.0 - 1_000);
    assert_eq!(parts(&x), x.total.0);
    assert_eq!(x.person_share, e.person_share);
    assert_eq!(x.deltas.mutual_aid.as_ref().unwrap().amount, Fen(1_000));
    let kinds: Vec<_> = x
        .steps
        .iter()
        .rev()
        .take(2)
        .map(|s| matches!(s, Step::MutualAid { .. }))
        .collect();
    assert_eq!(kinds, [false, true], "共济 explained just before cash");
    assert!(x
        .steps
        .iter()
        .any(|s| s.text().contains("共济支付 10.00元")));
    // A balance above it: exactly the need.
    let mut y = e.clone();
    assert_eq!(
        draw_on_linked(&mut y, &holder, Fen(10_000_000)).unwrap(),
        need
    );
    assert_eq!(parts(&y), y.total.0);
    // An empty linked account changes nothing.
    let mut z = e.clone();
    assert_eq!(draw_on_linked(&mut z, &holder, Fen(0)).unwrap(), Fen(0));
    assert_eq!(z, e);
}

/// A policy rule set for one disease (its own deductible, ratio and cap through its own pool)
/// applies to a visit settled for that disease; other diseases and visits without one take the
/// general rule (issue #19). The figures are the test's own.
#[test]
fn a_disease_rule_comes_before_the_general_rule() {
    let mut p: PolicySet =
        toml::from_str(include_str!("../../../../data/policy/chongqing/2026.toml")).unwrap();
    let general = p
        .rule(
            Scheme::EmployeeInService,
            VisitType::ChronicOutpatient,
            HospitalLevel::Level2,
        )
        .unwrap()
        .clone();
    let mut own = general.clone();
    own.diseases = vec!["employee/18".into()];
    own.pool = "chronic:employee/18".into();
    own.deductible = Fen(0);
    own.ratio_bp = Some(9500);
    own.bands = Vec::new();
    own.annual_cap = Some(Fen(100_000));
    p.rules.insert(0, own);
    p.validate().unwrap();
    // `rule` (no disease) never picks a disease's rule.
    assert_eq!(
        p.rule(
            Scheme::EmployeeInService,
            VisitType::ChronicOutpatient,
            HospitalLevel::Level2
        ),
        Some(&general)
    );
    let lines = vec![BillLine {
        line_no: 1,
        code: "M1".into(),
        name: None,
        amount: Fen(200_000),
        quantity: None,
        unit_price: None,
        category: Some(Category::A),
        self_pay_share_bp: None,
        price_cap: None,
    }];
    let b = bill(VisitType::ChronicOutpatient, HospitalLevel::Level2, lines);
    let mut who = person(Scheme::EmployeeInService);
    who.disease = Some("employee/18".into());
    let x = compute(&p, CatalogueRef::None, &who, &Accumulators::default(), &b).unwrap();
    assert_eq!(x.deltas.pool, "chronic:employee/18");
    // 95 % of 2,000 元 = 1,900 元, capped at the disease's 1,000 元.
    assert_eq!(x.fund, Fen(100_000));
    who.disease = Some("employee/3".into());
    let y = compute(&p, CatalogueRef::None, &who, &Accumulators::default(), &b).unwrap();
    assert_eq!(y.deltas.pool, general.pool);
    who.disease = None;
    let z = compute(&p, CatalogueRef::None, &who, &Accumulators::default(), &b).unwrap();
    assert_eq!(z, y);
}
