use super::*;
use crate::calendar::YearSchedule;

fn group(scheme: Scheme, visit: VisitType, count: i64, total: i64, pooled: i64) -> LedgerGroup {
    LedgerGroup {
        scheme,
        visit,
        count,
        total,
        pooled,
        critical_illness: 0,
        aid: 0,
        account: 0,
        cash: total - pooled,
    }
}

fn ledger() -> Vec<LedgerGroup> {
    vec![
        group(
            Scheme::EmployeeInService,
            VisitType::GeneralOutpatient,
            10,
            50_000,
            30_000,
        ),
        group(
            Scheme::EmployeeInService,
            VisitType::Inpatient,
            2,
            1_000_000,
            800_000,
        ),
        LedgerGroup {
            critical_illness: 12_345,
            aid: 678,
            account: 900,
            cash: 10_000 - 12_345 - 678 - 900 + 13_923,
            ..group(Scheme::Resident, VisitType::Inpatient, 1, 20_000, 10_000)
        },
    ]
}

#[test]
fn an_exact_declaration_matches_every_line() {
    let lines = ledger_lines(&ledger());
    assert_eq!(lines.len(), 3 * 6);
    let r = reconcile(&lines, &lines).unwrap();
    assert!(r.matched());
    assert_eq!(r.lines.len(), 18);
}

#[test]
fn mismatches_are_listed_line_by_line() {
    let ledger = ledger_lines(&ledger());
    let mut declared = ledger.clone();
    // One amount off by a fen, one count off, one line left out, one line invented.
    declared[1].amount_fen += 1;
    declared[7].count -= 1;
    let dropped = declared.remove(12);
    declared.push(LedgerLine {
        key: LineKey {
            scheme: Scheme::EmployeeRetired,
            visit: VisitType::Maternity,
            fund: Fund::Pooled,
        },
        count: 1,
        amount_fen: 100,
    });
    let r = reconcile(&declared, &ledger).unwrap();
    assert_eq!(r.mismatches, 4);
    let bad: Vec<(LineKey, LineStatus)> = r
        .lines
        .iter()
        .filter(|l| l.status != LineStatus::Matched)
        .map(|l| (l.key, l.status))
        .collect();
    assert!(bad.contains(&(ledger[1].key, LineStatus::Mismatched)));
    assert!(bad.contains(&(ledger[7].key, LineStatus::Mismatched)));
    assert!(bad.contains(&(dropped.key, LineStatus::NotDeclared)));
    assert!(bad
        .iter()
        .any(|(k, s)| k.scheme == Scheme::EmployeeRetired && *s == LineStatus::NotInLedger));
    let line = r.lines.iter().find(|l| l.key == ledger[1].key).unwrap();
    assert_eq!(line.declared_fen - line.ledger_fen, 1);
}

#[test]
fn a_zero_line_matches_an_absent_one_and_duplicates_are_refused() {
    let zero = LedgerLine {
        key: LineKey {
            scheme: Scheme::Resident,
            visit: VisitType::Maternity,
            fund: Fund::Aid,
        },
        count: 0,
        amount_fen: 0,
    };
    assert!(reconcile(&[zero], &[]).unwrap().matched());
    assert!(reconcile(&[zero, zero], &[]).is_err());
    let neg = LedgerLine { count: -1, ..zero };
    assert!(reconcile(&[neg], &[]).is_err());
}

fn rules() -> MonthRules {
    MonthRules::parse(include_str!(
        "../../../../../data/institution/monthly-rules.toml"
    ))
    .unwrap()
}

#[test]
fn the_shipped_rules_read_and_are_labelled_examples() {
    let r = rules();
    assert!(r.label.contains("示例参数"));
    assert!(r.point_budget("500118").is_some());
    assert!(r.point_budget("510104").is_some());
    assert!(!r.disease_groups.is_empty());
}

#[test]
fn rules_refuse_bad_values() {
    let mut r = rules();
    r.reserve_bp = 10_001;
    assert!(r.check().is_err());
    let mut r = rules();
    let g = r.disease_groups[0].clone();
    r.disease_groups.push(g);
    assert!(r.check().is_err());
}

#[test]
fn points_must_account_for_every_inpatient_case() {
    let r = rules();
    let a = r.disease_groups[0].clone();
    let b = r.disease_groups[1].clone();
    let groups = vec![
        GroupCases {
            group: a.code.clone(),
            cases: 2,
        },
        GroupCases {
            group: b.code.clone(),
            cases: 1,
        },
    ];
    assert_eq!(points_of(&r, &groups, 3).unwrap(), 2 * a.points + b.points);
    assert!(points_of(&r, &groups, 4).is_err());
    let unknown = vec![GroupCases {
        group: "ZZZ".into(),
        cases: 3,
    }];
    assert!(points_of(&r, &unknown, 3).is_err());
}

#[test]
fn fee_for_service_pays_the_ledgers_funds_less_deductions_and_reserve() {
    let l = ledger();
    let s = compute_statement(&StatementInput {
        month: 11,
        methods: &[PaymentMethod::FeeForService],
        annual_budget_fen: None,
        ledger: &l,
        points: None,
        deductions: &[Deduction {
            reason: "审核扣款：超标准收费".into(),
            amount_fen: 5_000,
        }],
        reserve_bp: 500,
    })
    .unwrap();
    let pooled = 30_000 + 800_000 + 10_000;
    let due = pooled + 12_345 + 678 + 900;
    assert_eq!(s.due_fen, due);
    assert_eq!(s.deductions_fen, 5_000);
    // 5 % of (853_923 − 5_000) = 42_446.15 → 42_446
    assert_eq!(s.reserve_fen, 42_446);
    assert_eq!(s.net_fen, due - 5_000 - 42_446);
    assert_eq!(s.lines.iter().map(|l| l.amount_fen).sum::<i64>(), s.due_fen);
}

#[test]
fn disease_points_pay_inpatient_by_point_value_and_the_rest_by_items() {
    let l = ledger();
    let share = PointShare {
        points: 3_000,
        region_points: 7_000,
        region_budget_fen: 1_000_000,
    };
    let s = compute_statement(&StatementInput {
        month: 11,
        methods: &[PaymentMethod::DiseasePoints, PaymentMethod::FeeForService],
        annual_budget_fen: None,
        ledger: &l,
        points: Some(share),
        deductions: &[],
        reserve_bp: 0,
    })
    .unwrap();
    // 3000 × 1_000_000 / 7000 = 428_571.43 → 428_571
    assert_eq!(s.lines[0].amount_fen, 428_571);
    assert_eq!(s.lines[1].amount_fen, 30_000);
    assert_eq!(s.due_fen, 428_571 + 30_000 + 12_345 + 678 + 900);
    // Without the points the statement cannot be made.
    let e = compute_statement(&StatementInput {
        points: None,
        month: 11,
        methods: &[PaymentMethod::DiseasePoints],
        annual_budget_fen: None,
        ledger: &l,
        deductions: &[],
        reserve_bp: 0,
    });
    assert!(e.is_err());
}

#[test]
fn the_point_value_shares_the_whole_budget_among_institutions() {
    let budget = 1_000_000;
    let pts = [1, 1, 1];
    let paid: i64 = pts
        .iter()
        .map(|p| mul_div_half_up(*p, budget, 3).unwrap())
        .sum();
    // Each rounded to the fen: at most half a fen each away from the exact share.
    assert!((paid - budget).abs() <= 2);
    assert_eq!(mul_div_half_up(1, 1, 2).unwrap(), 1);
    assert_eq!(mul_div_half_up(1, 1, 3).unwrap(), 0);
    assert!(mul_div_half_up(1, 1, 0).is_err());
}

#[test]
fn the_global_budget_advances_add_up_to_the_year() {
    let annual = 1_000_000_007;
    let months: Vec<i64> = (1..=12)
        .map(|m| monthly_advance(annual, m).unwrap())
        .collect();
    assert_eq!(months.iter().sum::<i64>(), annual);
    assert!(months.iter().all(|m| (m - annual / 12).abs() <= 1));
    assert!(monthly_advance(annual, 13).is_err());
    let l = ledger();
    let s = compute_statement(&StatementInput {
        month: 3,
        methods: &[PaymentMethod::GlobalBudget],
        annual_budget_fen: Some(1_200_000),
        ledger: &l,
        points: None,
        deductions: &[],
        reserve_bp: 0,
    })
    .unwrap();
    assert_eq!(s.lines[0].amount_fen, 100_000);
}

#[test]
fn deductions_beyond_what_is_due_are_refused() {
    let l = ledger();
    let e = compute_statement(&StatementInput {
        month: 1,
        methods: &[PaymentMethod::FeeForService],
        annual_budget_fen: None,
        ledger: &l,
        points: None,
        deductions: &[Deduction {
            reason: "x".into(),
            amount_fen: 10_000_000,
        }],
        reserve_bp: 0,
    });
    assert_eq!(e, Err(InstitutionError::DeductionsExceedDue));
}

#[test]
fn payment_is_due_by_the_guides_dates() {
    let cal = HolidayCalendar::new([YearSchedule::parse(include_str!(
        "../../../../../data/calendar/2026.toml"
    ))
    .unwrap()]);
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    // Chongqing 35: by the 15th of the next month; December rolls over the year.
    assert_eq!(
        payment_due("chongqing", 2026, 11, d("2026-12-03"), &cal),
        Some(d("2026-12-15"))
    );
    assert_eq!(
        payment_due("nanchuan", 2025, 12, d("2026-01-05"), &cal),
        Some(d("2026-01-15"))
    );
    // Sichuan 39: 30 working days from acceptance (国庆 skipped).
    let due = payment_due("sichuan", 2026, 9, d("2026-09-28"), &cal).unwrap();
    assert_eq!(cal.working_days_between(d("2026-09-28"), due).value, 30);
    assert!(due > d("2026-11-03"));
}

#[test]
fn months_parse_strictly() {
    assert_eq!(parse_month("2026-11").unwrap(), (2026, 11));
    for bad in ["2026-13", "2026-1", "26-11", "x", ""] {
        assert!(parse_month(bad).is_err(), "{bad}");
    }
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert!(month_ended(2026, 11, d("2026-12-01")));
    assert!(!month_ended(2026, 11, d("2026-11-30")));
}
