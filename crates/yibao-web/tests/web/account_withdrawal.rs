//! One-time withdrawal of a personal account (个人账户一次性支取) through the case engine, one
//! journey per guide item with its boundary cases (SEED-NOTES D12): Chongqing (seed 003 item
//! 17), Youyang (seed 002 item 09), Nanchuan (seed 004 item 17), Sichuan (seed 001 item 13).
//! The balance is paid out, the account closed (no credit, no draw), every change a line of the
//! statement whose sum is the balance.

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, provide_missing, view, window};
use common::{Reply, TestApp};
use serde_json::{json, Value};

async fn person(app: &TestApp, name: &str) -> yibao_store::enrolment::PersonRow {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name.contains(name))
        .unwrap()
}

async fn exec(app: &TestApp, sql: &str) {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::test_support::execute(&mut tx, sql)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The person's coverage stopped on `day` (停保).
async fn stop_coverage(app: &TestApp, person_id: i64, day: &str) {
    exec(
        app,
        &format!(
            "UPDATE coverage SET status = 'ended', end_date = '{day}' WHERE person_id = {person_id}"
        ),
    )
    .await;
}

async fn credit(app: &TestApp, finance: &str, person_id: i64, amount: i64) -> Reply {
    let t = app.staff_token(finance).await;
    app.post_json(
        &format!("/api/v1/persons/{person_id}/account-credits"),
        Some(&t),
        json!({"year": 2026, "amount_fen": amount, "note": "2026年11月划入"}),
    )
    .await
}

async fn balance(app: &TestApp, id_number: &str) -> i64 {
    yibao_service::settlement::accumulators(&app.services, id_number, 2026)
        .await
        .unwrap()
        .account_balance
        .fen()
}

/// The year's statement adds up to the balance, line by line (account::year_totals checks the
/// chain).
async fn statement_adds_up(app: &TestApp, id_number: &str) -> Vec<(String, i64)> {
    let mut tx = app.services.store().begin().await.unwrap();
    let rows = yibao_store::account::year(&mut tx, id_number, 2026)
        .await
        .unwrap();
    let entries: Vec<_> = rows
        .iter()
        .map(|r| yibao_domain::account::Entry {
            kind: r.kind,
            amount: yibao_domain::Fen(r.amount_fen),
            balance_after: yibao_domain::Fen(r.balance_after_fen),
        })
        .collect();
    let t = yibao_domain::account::year_totals(yibao_domain::Fen(0), &entries).unwrap();
    assert_eq!(t.closing.fen(), balance(app, id_number).await);
    rows.iter()
        .map(|r| (r.kind.key().to_string(), r.amount_fen))
        .collect()
}

fn bank(holder: &str) -> Value {
    json!({"bank": "中国工商银行南川支行", "bank_account": "6222 0212 3456 7890", "account_holder": holder})
}

fn form(pairs: Value, extra: Value) -> Value {
    let mut m = pairs.as_object().unwrap().clone();
    m.extend(extra.as_object().unwrap().clone());
    Value::Object(m)
}

async fn open(
    app: &TestApp,
    clerk: &str,
    jurisdiction: &str,
    item: &str,
    who: &yibao_store::enrolment::PersonRow,
    form: Value,
) -> String {
    window(
        app,
        clerk,
        json!({"jurisdiction": jurisdiction, "item": item, "channel": "window",
               "applicant": {"id_number": who.id_number, "name": who.name}, "form": form}),
    )
    .await
}

/// Presents what is missing, submits and accepts.
async fn accept(app: &TestApp, clerk: &str, n: &str) {
    let v = view(app, clerk, n).await;
    provide_missing(app, clerk, n, &v).await;
    let r = act(app, clerk, n, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "submit: {}", r.body);
    let r = act(app, clerk, n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "accept: {}", r.body);
}

fn refused(r: &Reply, code: &str) {
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
    assert_eq!(r.json()["code"], code, "{}", r.body);
}

fn missing_ids(v: &Value) -> Vec<String> {
    v["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap().to_string())
        .collect()
}

// Seed 003 医疗保险个人账户一次性支取: 「参保人死亡」; the applicant chooses 返还; 「停保当月仍会注入当月
// 账户资金，请于停保次月申请办理该业务」; paid (拨付) by finance; the account is then closed.
both_stores_with_demo!(
    chongqing_pays_a_deceased_holders_balance_to_the_heir,
    |app| {
        app.demo().await;
        let wang = person(app, "王建国").await;
        let li = person(app, "李秀英").await;
        let clerk = app.staff_token("nanchuan.clerk").await;
        let finance = app.staff_token("nanchuan.finance").await;
        let r = credit(app, "nanchuan.finance", wang.id, 123_456).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let death = form(
            json!({"ground": "参保人死亡", "method": "返还至银行账户", "heir_name": "演示·李秀英",
               "heir_id_number": li.id_number, "heir_relationship": "配偶"}),
            bank("李秀英"),
        );
        let n = open(app, &clerk, "chongqing", "17", &wang, death.clone()).await;
        // The death list of the guide is asked for (the form's ground sets the predicate), not
        // the emigration list.
        let missing = missing_ids(&view(app, &clerk, &n).await);
        for m in [
            "deceased_id_or_card",
            "heir_id",
            "death_certificate",
            "bank_account_death",
        ] {
            assert!(missing.contains(&m.to_string()), "{m}: {missing:?}");
        }
        assert!(!missing.iter().any(|m| m.contains("emigra")), "{missing:?}");
        accept(app, &clerk, &n).await;
        // Coverage still active: refused when approved for payment, the case stays accepted.
        refused(
            &act(app, &clerk, &n, "complete").await,
            "account.coverage_active",
        );
        // Stopped this month (2026-11-05; today 2026-11-22): not before 2026-12-01.
        stop_coverage(app, wang.id, "2026-11-05").await;
        let r = act(app, &clerk, &n, "complete").await;
        refused(&r, "account.too_early");
        assert!(
            r.json()["message"].as_str().unwrap().contains("2026-12-01"),
            "{}",
            r.body
        );
        // Stopped last month (2026-10-31): from 2026-11-01, so today is in time.
        stop_coverage(app, wang.id, "2026-10-31").await;
        let r = act(app, &clerk, &n, "complete").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["case"]["status"], "disbursement");
        let r = act(app, &finance, &n, "disburse").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["case"]["status"], "completed");
        let out: Value = view(app, &clerk, &n).await["outcome"].clone();
        assert_eq!(out["paid_fen"], 123_456, "{out}");
        assert_eq!(out["account_status"], "closed");
        let text = out["text"].as_str().unwrap();
        assert!(text.contains("1234.56") && text.contains("配偶"), "{text}");
        assert!(
            !text.contains("6222021234567890"),
            "account number masked: {text}"
        );
        assert_eq!(balance(app, &wang.id_number).await, 0);
        assert_eq!(
            statement_adds_up(app, &wang.id_number).await,
            [("credit".into(), 123_456), ("withdrawal".into(), -123_456)]
        );
        // Closed: no credit, and no second withdrawal.
        refused(
            &credit(app, "nanchuan.finance", wang.id, 100).await,
            "account.closed",
        );
        let again = open(app, &clerk, "chongqing", "17", &wang, death).await;
        accept(app, &clerk, &again).await;
        refused(
            &act(app, &clerk, &again, "complete").await,
            "account.closed",
        );
    }
);

// Seed 003 / D12: giving up the scheme is not a Chongqing ground; a sibling inherits only when
// there is no first-order heir (declared); 继承 puts the balance into the heir's own account.
both_stores_with_demo!(chongqing_inheritance_and_the_order_of_heirs, |app| {
    app.demo().await;
    let wang = person(app, "王建国").await;
    let zhang = person(app, "张伟").await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    let finance = app.staff_token("nanchuan.finance").await;
    credit(app, "nanchuan.finance", wang.id, 80_000).await;
    stop_coverage(app, wang.id, "2026-09-30").await;
    let leave = form(
        json!({"ground": "主动放弃参加职工基本医疗保险"}),
        bank("王建国"),
    );
    let n = open(app, &clerk, "chongqing", "17", &wang, leave).await;
    accept(app, &clerk, &n).await;
    refused(
        &act(app, &clerk, &n, "complete").await,
        "account.ground_not_allowed",
    );

    let sibling = json!({"ground": "参保人死亡", "method": "继承（转入继承人个人账户）",
                         "heir_name": "演示·张伟", "heir_id_number": zhang.id_number,
                         "heir_relationship": "兄弟姐妹"});
    let n = open(app, &clerk, "chongqing", "17", &wang, sibling.clone()).await;
    accept(app, &clerk, &n).await;
    refused(
        &act(app, &clerk, &n, "complete").await,
        "account.heir_order",
    );
    let declared = form(sibling, json!({"no_first_order_heir": "是"}));
    let n = open(app, &clerk, "chongqing", "17", &wang, declared).await;
    accept(app, &clerk, &n).await;
    let r = act(app, &clerk, &n, "complete").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = act(app, &finance, &n, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    assert_eq!(balance(app, &wang.id_number).await, 0);
    assert_eq!(balance(app, &zhang.id_number).await, 80_000);
    assert_eq!(
        statement_adds_up(app, &zhang.id_number).await,
        [("inheritance".into(), 80_000)]
    );
});

// Seed 002 个人账户一次性支取 (酉阳): 出国人员 with the emigration papers; Chongqing's rule 「出国
// （境）定居并注销户籍」 — refused while the hukou is not cancelled. No payment step in the guide:
// the clerk completes it.
both_stores_with_demo!(youyang_pays_out_an_emigrant, |app| {
    app.demo().await;
    let zhang = person(app, "张伟").await;
    let clerk = app.staff_token("youyang.clerk").await;
    let r = credit(app, "cq.finance", zhang.id, 5_000).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    stop_coverage(app, zhang.id, "2026-10-20").await;
    let abroad = form(json!({"ground": "出国（境）定居"}), bank("张伟"));
    let n = open(app, &clerk, "youyang", "09", &zhang, abroad.clone()).await;
    let missing = missing_ids(&view(app, &clerk, &n).await);
    assert!(
        missing.contains(&"emigration_proof".to_string()),
        "{missing:?}"
    );
    assert!(!missing.contains(&"death_proof".to_string()), "{missing:?}");
    accept(app, &clerk, &n).await;
    refused(
        &act(app, &clerk, &n, "complete").await,
        "account.hukou_not_cancelled",
    );
    let n = open(
        app,
        &clerk,
        "youyang",
        "09",
        &zhang,
        form(abroad, json!({"hukou_cancelled": "是"})),
    )
    .await;
    accept(app, &clerk, &n).await;
    let r = act(app, &clerk, &n, "complete").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // seed 002 lists no payment step; the balance still leaves through finance's disbursement.
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let yf = app.staff_token("youyang.finance").await;
    let r = act(app, &yf, &n, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    assert_eq!(balance(app, &zhang.id_number).await, 0);
    assert_eq!(
        statement_adds_up(app, &zhang.id_number).await,
        [("credit".into(), 5_000), ("withdrawal".into(), -5_000)]
    );
});

// Seed 004 item 17 (南川): the list gives the legal basis only (社会保险法第十四条 「个人死亡的，
// 个人账户余额可以继承」); the municipality's rules apply; the heir must be named.
both_stores_with_demo!(nanchuan_requires_the_heir_on_death, |app| {
    app.demo().await;
    let li = person(app, "李秀英").await;
    let wang = person(app, "王建国").await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    credit(app, "nanchuan.finance", li.id, 7_700).await;
    stop_coverage(app, li.id, "2026-08-31").await;
    let no_heir = form(json!({"ground": "death"}), bank("王建国"));
    let n = open(app, &clerk, "nanchuan", "17", &li, no_heir).await;
    accept(app, &clerk, &n).await;
    refused(
        &act(app, &clerk, &n, "complete").await,
        "account.heir_required",
    );
    let with_heir = form(
        json!({"ground": "death", "heir_name": "演示·王建国",
               "heir_id_number": wang.id_number, "heir_relationship": "spouse"}),
        bank("王建国"),
    );
    let n = open(app, &clerk, "nanchuan", "17", &li, with_heir).await;
    accept(app, &clerk, &n).await;
    let r = act(app, &clerk, &n, "complete").await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let nf = app.staff_token("nanchuan.finance").await;
    let r = act(app, &nf, &n, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    assert_eq!(balance(app, &li.id_number).await, 0);
});

// Seed 001 十三、参保人员个人账户资金一次性支取 (四川): giving up employee insurance is a ground
// (with 「主动放弃基本医疗保险的情况说明」), with no wait after coverage stops; settling abroad
// is not named; review (审核), then payment (拨付) by finance.
both_stores_with_demo!(sichuan_pays_out_on_leaving_the_scheme, |app| {
    app.demo().await;
    let liu = person(app, "刘芳").await;
    {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::coverage::insert(
            &mut tx,
            &yibao_store::coverage::CoverageRow {
                id: 0,
                person_id: liu.id,
                scheme: yibao_domain::enrolment::Scheme::Employee,
                category: yibao_domain::enrolment::CoverageCategory::InService,
                employer_id: None,
                region_code: "510100".into(),
                status: yibao_domain::enrolment::CoverageStatus::Active,
                registered_on: "2026-01-01".into(),
                start_date: Some("2026-01-01".into()),
                end_date: None,
                case_number: None,
                created_at: "2026-01-01T00:00:00Z".into(),
                updated_at: "2026-01-01T00:00:00Z".into(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let clerk = app.staff_token("chengdu.clerk").await;
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let finance = app.staff_token("chengdu.finance").await;
    let r = credit(app, "chengdu.finance", liu.id, 31_415).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let abroad = form(
        json!({"ground": "出国（境）定居", "hukou_cancelled": "是"}),
        bank("刘芳"),
    );
    let n = open(app, &clerk, "sichuan", "13", &liu, abroad).await;
    accept(app, &clerk, &n).await;
    refused(
        &act(app, &reviewer, &n, "approve").await,
        "account.ground_not_allowed",
    );

    let leave = form(
        json!({"ground": "主动放弃参加职工基本医疗保险"}),
        bank("刘芳"),
    );
    let n = open(app, &clerk, "sichuan", "13", &liu, leave).await;
    let missing = missing_ids(&view(app, &clerk, &n).await);
    assert!(
        missing.contains(&"waiver_statement".to_string()),
        "{missing:?}"
    );
    assert!(
        !missing.contains(&"death_documents".to_string()),
        "{missing:?}"
    );
    accept(app, &clerk, &n).await;
    let r = act(app, &reviewer, &n, "approve").await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let r = act(app, &finance, &n, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let out = view(app, &clerk, &n).await["outcome"].clone();
    assert_eq!(out["paid_fen"], 31_415, "{out}");
    assert_eq!(out["ground"], "leaving_scheme");
    assert_eq!(balance(app, &liu.id_number).await, 0);
    refused(
        &credit(app, "chengdu.finance", liu.id, 1).await,
        "account.closed",
    );
});

/// A filing of 刘芳 (成都) of `kind` to `target`, recorded 2026-03-01, as the filing effect
/// stores it.
async fn file(app: &TestApp, id: &str, kind: yibao_domain::filing::FilingKind, target: &str) {
    use yibao_domain::filing::{Filing, FilingJurisdiction, FilingRequest, FilingTarget};
    let liu = person(app, "刘芳").await;
    let code: yibao_domain::RegionCode = target.parse().unwrap();
    let target = if code.is_province_level() {
        FilingTarget::Province(code)
    } else {
        FilingTarget::City(code)
    };
    let f = Filing::open(
        FilingRequest {
            id: id.into(),
            person: liu.id_number.parse().unwrap(),
            kind,
            jurisdiction: FilingJurisdiction::Sichuan,
            insured_region: "510100".parse().unwrap(),
            target: target.clone(),
            recorded_on: "2026-03-01".parse().unwrap(),
            starts_on: None,
            requested_end: None,
        },
        &yibao_domain::filing::ValidityPolicy::per_seeds(),
    );
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::filing::insert(
        &mut tx,
        &yibao_store::filing::FilingRow {
            id: id.into(),
            person_id_number: liu.id_number.clone(),
            kind: format!("{kind:?}"),
            target_code: target.code().as_str().into(),
            case_number: None,
            filing_json: serde_json::to_string(&f).unwrap(),
            application_json: "{}".into(),
            created_at: "2026-03-01T00:00:00Z".into(),
            updated_at: "2026-03-01T00:00:00Z".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

// Seed 001 十四、跨省异地长期备案人员个人账户资金划转: only for a cross-province long-term filer;
// review (审核), payment (拨付) to the person's social-security-card account; the account stays
// open (credits go on).
both_stores_with_demo!(sichuan_transfers_a_cross_province_filers_balance, |app| {
    use yibao_domain::filing::FilingKind;
    app.demo().await;
    let liu = person(app, "刘芳").await;
    {
        let mut tx = app.services.store().begin().await.unwrap();
        yibao_store::coverage::insert(
            &mut tx,
            &yibao_store::coverage::CoverageRow {
                id: 0,
                person_id: liu.id,
                scheme: yibao_domain::enrolment::Scheme::Employee,
                category: yibao_domain::enrolment::CoverageCategory::InService,
                employer_id: None,
                region_code: "510100".into(),
                status: yibao_domain::enrolment::CoverageStatus::Active,
                registered_on: "2026-01-01".into(),
                start_date: Some("2026-01-01".into()),
                end_date: None,
                case_number: None,
                created_at: "2026-01-01T00:00:00Z".into(),
                updated_at: "2026-01-01T00:00:00Z".into(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let clerk = app.staff_token("chengdu.clerk").await;
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let finance = app.staff_token("chengdu.finance").await;
    let r = credit(app, "chengdu.finance", liu.id, 27_182).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let card = json!({"bank": "中国建设银行成都分行", "bank_account": "6217 0031 2345 6789"});
    // No filing, a temporary one, a long-term one inside Sichuan: refused at review.
    file(app, "F-TMP", FilingKind::Temporary, "500000").await;
    file(app, "F-SC", FilingKind::LongTermResident, "510700").await;
    let n = open(app, &clerk, "sichuan", "14", &liu, card.clone()).await;
    accept(app, &clerk, &n).await;
    refused(
        &act(app, &reviewer, &n, "approve").await,
        "account.no_cross_province_filing",
    );
    // A long-term filing to Chongqing: approved, paid, the card account masked.
    file(app, "F-CQ", FilingKind::RelocatedRetiree, "500000").await;
    let r = act(app, &reviewer, &n, "approve").await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let r = act(app, &finance, &n, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let out = view(app, &clerk, &n).await["outcome"].clone();
    assert_eq!(out["paid_fen"], 27_182, "{out}");
    assert_eq!(out["filing"], "F-CQ");
    assert!(
        !out["text"].as_str().unwrap().contains("6217003123456789"),
        "{out}"
    );
    assert_eq!(
        statement_adds_up(app, &liu.id_number).await,
        [("credit".into(), 27_182), ("transfer".into(), -27_182)]
    );
    // Still open: the next credit is taken.
    let r = credit(app, "chengdu.finance", liu.id, 100).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
});
