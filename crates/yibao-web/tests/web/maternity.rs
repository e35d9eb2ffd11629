//! Maternity insurance (生育保险) through the case engine and the API, one journey per guide
//! (seed 003 items 29/31 重庆市, seed 001 item 30 四川, seed 002 items 17–19 酉阳), with the
//! issue's edge cases: twins by caesarean, the same birth claimed twice, a claim after the
//! 90-day window (and one on the window's last day, extended past a Sunday), one month short of
//! the six, the unemployed spouse's delivery costs, and a recalculation that lowers the amount.
//! Every amount is computed here from the policy file and the ledger rows the test writes.

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, provide_missing, view, window};
use common::{Reply, TestApp};
use serde_json::{json, Value};

const CHONGQING: &str = include_str!("../../../../data/policy/maternity/chongqing/2026.toml");
const SICHUAN: &str = include_str!("../../../../data/policy/maternity/sichuan/2026.toml");

fn policy(text: &str) -> toml::Value {
    toml::from_str(text).unwrap()
}

fn int(v: &toml::Value, path: &[&str]) -> i64 {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    x.as_integer().unwrap()
}

fn limit(v: &toml::Value, path: &[&str], level: usize) -> i64 {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    x.as_array().unwrap()[level].as_integer().unwrap()
}

/// The allowance as the guide states it: average monthly wage ÷ divisor × days, exact, then
/// rounded half up to the fen.
fn allowance(base_sum: i64, lines: i64, days: i64, divisor: i64) -> i64 {
    let num = i128::from(base_sum) * i128::from(days);
    let den = i128::from(lines) * i128::from(divisor);
    ((2 * num + den) / (2 * den)) as i64
}

pub(crate) async fn person_id(app: &TestApp, name: &str) -> (i64, String) {
    let mut tx = app.services.store().begin().await.unwrap();
    let p = yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap();
    (p.id, p.id_number.to_string())
}

pub(crate) async fn employer(app: &TestApp, index: usize) -> (i64, String) {
    let uscc = yibao_service::demo::demo_operators().unwrap()[index]
        .login
        .clone();
    let mut tx = app.services.store().begin().await.unwrap();
    let e = yibao_store::enrolment::find_employer_by_uscc(&mut tx, &uscc)
        .await
        .unwrap()
        .unwrap();
    (e.id, uscc)
}

async fn exec(app: &TestApp, sql: &str) {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::test_support::execute(&mut tx, sql)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Writes `n` months of employee lines from `year-month` at `base` (due 10 % of it), paid in
/// full when `paid`.
pub(crate) async fn ledger(
    app: &TestApp,
    person: i64,
    employer: i64,
    (year, month): (i32, u32),
    n: u32,
    base: i64,
    paid: bool,
) {
    let tag = format!("{person}-{employer}-{year}{month:02}-{n}");
    if paid {
        exec(
            app,
            &format!(
                "INSERT INTO contribution_import (file_name, sha256, row_count, total_fen, created_by, created_at) \
                 VALUES ('test-{tag}.csv', 'sha-{tag}', {n}, 0, 'test', '2026-11-01T00:00:00Z')"
            ),
        )
        .await;
    }
    for i in 0..n {
        let idx = month - 1 + i;
        let m = format!("{:04}-{:02}", year + (idx / 12) as i32, idx % 12 + 1);
        let due = base / 10;
        exec(
            app,
            &format!(
                "INSERT INTO contribution_due (person_id, employer_id, kind, month, base_fen, employer_fen, \
                 person_fen, total_fen, account_credit_fen, policy_name, example, created_at) VALUES \
                 ({person}, {employer}, 'employee', '{m}', {base}, {}, {}, {due}, 0, 'test', 1, '2026-11-01T00:00:00Z')",
                due - due / 4,
                due / 4
            ),
        )
        .await;
        if paid {
            exec(
                app,
                &format!(
                    "INSERT INTO contribution_paid (receipt_number, person_id, kind, month, amount_fen, paid_on, import_id, created_at) \
                     VALUES ('R-{person}-{m}', {person}, 'employee', '{m}', {due}, '{m}-15', \
                     (SELECT id FROM contribution_import WHERE sha256 = 'sha-{tag}'), '2026-11-01T00:00:00Z')"
                ),
            )
            .await;
        }
    }
}

fn bank(holder: &str) -> Value {
    json!({"bank": "中国工商银行", "bank_account": "6222 0212 3456 7890", "account_holder": holder})
}

fn form(pairs: Value, extra: Value) -> Value {
    let mut m = pairs.as_object().unwrap().clone();
    m.extend(extra.as_object().unwrap().clone());
    Value::Object(m)
}

async fn open_person(
    app: &TestApp,
    clerk: &str,
    jurisdiction: &str,
    item: &str,
    id_number: &str,
    name: &str,
    form: Value,
) -> String {
    window(
        app,
        clerk,
        json!({"jurisdiction": jurisdiction, "item": item, "channel": "window",
               "applicant": {"id_number": id_number, "name": name}, "form": form}),
    )
    .await
}

/// Presents what is missing, submits and accepts.
async fn accept(app: &TestApp, clerk: &str, n: &str) {
    let v = view(app, clerk, n).await;
    provide_missing(app, clerk, n, &v).await;
    let r = act(app, clerk, n, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "submit: {}", r.body);
    let v = view(app, clerk, n).await;
    provide_missing(app, clerk, n, &v).await;
    let r = act(app, clerk, n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "accept: {}", r.body);
}

/// The step that approves the case for payment (待拨付): the clerk's 办结 where the guide has
/// no review, else the reviewer's 审核通过.
async fn approve(app: &TestApp, clerk: &str, reviewer: &str, n: &str) -> Reply {
    let v = view(app, clerk, n).await;
    let has = |a: &str| {
        v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x[0].as_str() == Some(a))
    };
    if has("complete") {
        return act(app, clerk, n, "complete").await;
    }
    act(app, reviewer, n, "approve").await
}

/// Approved for payment (待拨付), then paid by finance; returns the outcome.
async fn complete_and_pay(app: &TestApp, staff: (&str, &str, &str), n: &str) -> Value {
    let (clerk, reviewer, finance) = staff;
    let r = approve(app, clerk, reviewer, n).await;
    assert_eq!(r.status, StatusCode::OK, "approve: {}", r.body);
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let r = act(app, finance, n, "disburse").await;
    assert_eq!(r.status, StatusCode::OK, "disburse: {}", r.body);
    assert_eq!(r.json()["case"]["status"], "completed");
    view(app, clerk, n).await["outcome"].clone()
}

fn refused(r: &Reply, code: &str) {
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
    assert_eq!(r.json()["code"], code, "{}", r.body);
}

async fn benefits(app: &TestApp, token: &str, person: i64) -> Value {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/persons/{person}/maternity"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

// Seed 003 item 31 生育津贴支付 (paid 「至个人银行账户」) and item 29 生育医疗费支付: twins by
// caesarean; the allowance on the employer's 2025 average wage (POLICY-FACTS §5); the same
// birth not paid twice; 「生育保险待遇需在生产之日起90日内进行申报」.
both_stores_with_demo!(chongqing_twins_by_caesarean, |app| {
    let p = policy(CHONGQING);
    let clerk = app.staff_token("cq.clerk").await;
    let finance = app.staff_token("cq.finance").await;
    let reviewer = app.staff_token("cq.reviewer").await;
    let (yang, yang_id) = person_id(app, "演示·杨丽").await;
    let (colleague, _) = person_id(app, "演示·陈小明").await;
    let (unit, _) = employer(app, 3).await;
    ledger(app, yang, unit, (2025, 1), 12, 800_000, true).await;
    ledger(app, yang, unit, (2026, 1), 7, 820_000, true).await;
    ledger(app, colleague, unit, (2025, 1), 6, 650_001, true).await;
    let (sum, lines) = (12 * 800_000 + 6 * 650_001, 18);

    // Born 2026-08-24: the 90th day after is Sunday 2026-11-22 (today), extended to Monday.
    let twins = json!({"event": "分娩", "event_date": "2026-08-24", "delivery_mode": "剖宫产",
                       "babies": "2", "networked_settlement": "否"});
    let n = open_person(
        app,
        &clerk,
        "chongqing",
        "31",
        &yang_id,
        "演示·杨丽",
        form(twins.clone(), bank("杨丽")),
    )
    .await;
    accept(app, &clerk, &n).await;
    let days = int(&p, &["leave", "base_days"])
        + int(&p, &["leave", "complication_days"])
        + int(&p, &["leave", "per_extra_baby_days"]);
    assert_eq!(days, 208);
    let expected = allowance(sum, lines, days, int(&p, &["allowance", "divisor_days"]));
    // The clerk sees what it will pay before approving it.
    let preview = view(app, &clerk, &n).await["reimbursement_preview"].clone();
    assert_eq!(preview["reimbursed"], expected, "{preview}");
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &n).await;
    assert_eq!(out["paid_fen"], expected, "{out}");
    assert_eq!(out["leave_days"], days);
    assert_eq!(out["payee"], "person");
    let text = out["text"].as_str().unwrap();
    assert!(
        text.contains("示例参数") && !text.contains("6222021234567890"),
        "{text}"
    );

    // The same birth again: refused, whoever applies.
    let again = open_person(
        app,
        &clerk,
        "chongqing",
        "31",
        &yang_id,
        "演示·杨丽",
        form(twins.clone(), bank("杨丽")),
    )
    .await;
    accept(app, &clerk, &again).await;
    refused(
        &approve(app, &clerk, &reviewer, &again).await,
        "maternity.already_paid",
    );

    // Delivery costs: 三级 caesarean + one extra baby, costs above the limit → the limit.
    let costs = form(
        twins.clone(),
        form(
            json!({"hospital_level": "三级", "costs": "5,000.00"}),
            bank("杨丽"),
        ),
    );
    let d = open_person(app, &clerk, "chongqing", "29", &yang_id, "演示·杨丽", costs).await;
    accept(app, &clerk, &d).await;
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &d).await;
    let lim = limit(&p, &["medical", "delivery", "caesarean"], 2)
        + limit(&p, &["medical", "delivery", "per_extra_baby"], 2);
    assert_eq!(out["paid_fen"], lim.min(500_000), "{out}");

    // Born 2026-08-21: the window ended Thursday 2026-11-19; today is too late.
    let late = json!({"event": "分娩", "event_date": "2026-08-21", "delivery_mode": "顺产",
                      "hospital_level": "一级", "costs": "800"});
    let l = open_person(
        app,
        &clerk,
        "chongqing",
        "29",
        &yang_id,
        "演示·杨丽",
        form(late, bank("杨丽")),
    )
    .await;
    accept(app, &clerk, &l).await;
    let preview = view(app, &clerk, &l).await["reimbursement_preview"].clone();
    assert_eq!(
        preview["code"], "maternity.claim_window_closed",
        "{preview}"
    );
    let r = approve(app, &clerk, &reviewer, &l).await;
    refused(&r, "maternity.claim_window_closed");
    assert!(
        r.json()["message"].as_str().unwrap().contains("2026-11-19"),
        "{}",
        r.body
    );

    // The API: both payments, newest event first, amounts as paid.
    let m = benefits(app, &clerk, yang).await;
    let list = m["benefits"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{m}");
    assert_eq!(m["total_paid_fen"], expected + lim.min(500_000));
    let a = list.iter().find(|b| b["benefit"] == "allowance").unwrap();
    assert_eq!(a["average_wage_fen"], (2 * sum + lines) / (2 * lines));
    assert_eq!(a["wage_year"], 2025);
    assert_eq!(a["example"], true);
    // Another citizen does not see them (the same answer as a missing person).
    let (_, zhang_id) = person_id(app, "演示·张伟").await;
    let zhang = app
        .token(json!({"kind": "citizen", "id_number": zhang_id, "password": "demo-citizen-3"}))
        .await;
    let r = app
        .call(
            "GET",
            &format!("/api/v1/persons/{yang}/maternity"),
            Some(&zhang),
            None,
        )
        .await;
    refused(&r, "person.not_found");
});

// Seed 001 item 30 生育津贴支付: the unit applies and is paid (「将生育津贴划入参保单位的银行账户」);
// no 90-day window (SEED-NOTES D15: no stated bar in SC); without 2025 wages the employer's 2026
// months before the birth are averaged (POLICY-FACTS §5).
both_stores_with_demo!(sichuan_unit_claims_the_allowance, |app| {
    let p = policy(SICHUAN);
    let clerk = app.staff_token("chengdu.clerk").await;
    let finance = app.staff_token("chengdu.finance").await;
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let (liu, liu_id) = person_id(app, "演示·刘芳").await;
    let (unit, uscc) = employer(app, 2).await;
    ledger(app, liu, unit, (2026, 3), 4, 500_000, true).await;
    let birth = json!({"id_number": liu_id, "event": "分娩", "event_date": "2026-07-20",
                       "delivery_mode": "顺产", "babies": "1"});
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": "sichuan", "item": "30", "channel": "window",
               "applicant": {"uscc": uscc, "name": ""}, "form": birth}),
    )
    .await;
    accept(app, &clerk, &n).await;
    let days = int(&p, &["leave", "base_days"]);
    let expected = allowance(
        4 * 500_000,
        4,
        days,
        int(&p, &["allowance", "divisor_days"]),
    );
    // Paid in finance's batch: the waiting list shows the amount, the batch line pays it.
    let r = approve(app, &clerk, &reviewer, &n).await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let w = app
        .call("GET", "/api/v1/disbursement/waiting", Some(&finance), None)
        .await
        .json();
    let line = w["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["number"] == n.as_str())
        .unwrap()
        .clone();
    assert_eq!(line["amount_fen"], expected, "{w}");
    let r = app
        .post_json(
            "/api/v1/disbursement/batches",
            Some(&finance),
            json!({"cases": [n]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let b = r.json();
    assert_eq!(b["lines"][0]["result"], "paid", "{b}");
    assert_eq!(b["lines"][0]["amount_fen"], expected, "{b}");
    assert_eq!(b["batch"]["total_fen"], expected, "{b}");
    let out = view(app, &clerk, &n).await["outcome"].clone();
    assert_eq!(out["paid_fen"], expected, "{out}");
    assert_eq!(out["payee"], "employer");
    assert_eq!(out["wage_year"], 2026);
    assert!(
        out["text"]
            .as_str()
            .unwrap()
            .contains("成都演示软件有限公司"),
        "{out}"
    );
    let m = benefits(app, &clerk, liu).await;
    assert_eq!(m["benefits"][0]["payee"], "employer");
});

// Seed 002 酉阳: item 18 one month short of 令181's six (seed 004 legal basis), then paid;
// item 19 生育津贴复算 after the base changed: a lowering pays nothing (and recovers nothing), a
// raise pays only the difference; item 17 the insured husband's claim for his unemployed wife's
// delivery costs (社会保险法 art. 54).
both_stores_with_demo!(youyang_short_month_recalculation_and_spouse, |app| {
    let p = policy(CHONGQING);
    let clerk = app.staff_token("youyang.clerk").await;
    let finance = app.staff_token("youyang.finance").await;
    let reviewer = app.staff_token("youyang.reviewer").await;
    let (unit, _) = employer(app, 1).await;
    let (zhang, zhang_id) = person_id(app, "演示·张伟").await;
    let he_id = "500242199406100225";
    let he = {
        let mut tx = app.services.store().begin().await.unwrap();
        let id = yibao_store::enrolment::insert_person(
            &mut tx,
            &yibao_store::enrolment::NewPerson {
                id_number: &he_id.parse().unwrap(),
                name: "演示·何敏",
                region_code: &"500242".parse().unwrap(),
                phone: "",
            },
            "2026-01-01T00:00:00Z",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    };
    ledger(app, zhang, unit, (2025, 1), 12, 700_000, true).await;
    ledger(app, zhang, unit, (2026, 1), 9, 700_000, true).await;
    // March to July 2026: five months before an August birth.
    ledger(app, he, unit, (2026, 3), 5, 600_000, true).await;
    let birth = form(
        json!({"event": "分娩", "event_date": "2026-08-31", "delivery_mode": "顺产", "babies": "1"}),
        bank("何敏"),
    );
    let n = open_person(
        app,
        &clerk,
        "youyang",
        "18",
        he_id,
        "演示·何敏",
        birth.clone(),
    )
    .await;
    accept(app, &clerk, &n).await;
    let r = approve(app, &clerk, &reviewer, &n).await;
    refused(&r, "maternity.contribution_short");
    assert!(
        r.json()["message"].as_str().unwrap().contains("5 个月"),
        "{}",
        r.body
    );
    // February paid too: six months, and the case goes through.
    ledger(app, he, unit, (2026, 2), 1, 600_000, true).await;
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &n).await;
    let days = int(&p, &["leave", "base_days"]);
    let divisor = int(&p, &["allowance", "divisor_days"]);
    let first = allowance(12 * 700_000, 12, days, divisor);
    assert_eq!(out["paid_fen"], first, "{out}");

    // 2025 bases lowered: the recalculation pays nothing and records the negative difference.
    exec(app, &format!("UPDATE contribution_due SET base_fen = 600000 WHERE person_id = {zhang} AND month LIKE '2025-%'")).await;
    let r1 = open_person(
        app,
        &clerk,
        "youyang",
        "19",
        he_id,
        "演示·何敏",
        birth.clone(),
    )
    .await;
    accept(app, &clerk, &r1).await;
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &r1).await;
    let lower = allowance(12 * 600_000, 12, days, divisor);
    assert_eq!(out["paid_fen"], 0, "{out}");
    assert_eq!(out["difference_fen"], lower - first);
    // Raised: only the difference to what was paid.
    exec(app, &format!("UPDATE contribution_due SET base_fen = 720000 WHERE person_id = {zhang} AND month LIKE '2025-%'")).await;
    let r2 = open_person(
        app,
        &clerk,
        "youyang",
        "19",
        he_id,
        "演示·何敏",
        birth.clone(),
    )
    .await;
    accept(app, &clerk, &r2).await;
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &r2).await;
    let higher = allowance(12 * 720_000, 12, days, divisor);
    assert_eq!(out["paid_fen"], higher - first, "{out}");
    let m = benefits(app, &clerk, he).await;
    assert_eq!(m["benefits"].as_array().unwrap().len(), 3);
    assert_eq!(m["total_paid_fen"], higher);

    // 张伟 (male) for his unemployed wife: delivery costs below the 二级 limit paid as billed;
    // the allowance is not hers to claim through him.
    let wife = "500242199303030463";
    let spouse = form(
        json!({"beneficiary": "参保职工的未就业配偶", "spouse_id_number": wife, "spouse_name": "演示·周琳",
               "event": "分娩", "event_date": "2026-10-01", "delivery_mode": "顺产",
               "hospital_level": "二级", "costs": "1000"}),
        bank("张伟"),
    );
    let s = open_person(app, &clerk, "youyang", "17", &zhang_id, "演示·张伟", spouse).await;
    accept(app, &clerk, &s).await;
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &s).await;
    assert_eq!(
        out["paid_fen"],
        100_000.min(limit(&p, &["medical", "delivery", "normal"], 1)),
        "{out}"
    );
    // A man's own birth claim is refused by the ID number's sex.
    let own = form(
        json!({"event": "分娩", "event_date": "2026-10-02", "delivery_mode": "顺产", "babies": "1"}),
        bank("张伟"),
    );
    let x = open_person(app, &clerk, "youyang", "18", &zhang_id, "演示·张伟", own).await;
    accept(app, &clerk, &x).await;
    refused(&approve(app, &clerk, &reviewer, &x).await, "maternity.sex");
});

// Seed 004 南川 item 28 生育保险产前检查费待遇核准支付 (legal basis 令181 art. 13: six months) at the
// district window: prenatal costs below the 二级 limit paid as billed, above it the limit; item 30
// 计划生育医疗费 has no 90-day window (seed 003 item 30 states none), so an operation in May is
// still paid in November.
both_stores_with_demo!(nanchuan_prenatal_care_and_family_planning, |app| {
    let p = policy(CHONGQING);
    let clerk = app.staff_token("nanchuan.clerk").await;
    let reviewer = app.staff_token("nanchuan.reviewer").await;
    let finance = app.staff_token("nanchuan.finance").await;
    let (li, li_id) = person_id(app, "演示·李秀英").await;
    let (unit, _) = employer(app, 0).await;
    ledger(app, li, unit, (2025, 10), 12, 450_000, true).await;
    let prenatal = |costs: &str, date: &str| {
        form(
            json!({"event": "分娩", "event_date": date, "delivery_mode": "顺产",
                   "hospital_level": "二级", "costs": costs}),
            bank("李秀英"),
        )
    };
    let n = open_person(
        app,
        &clerk,
        "nanchuan",
        "28",
        &li_id,
        "演示·李秀英",
        prenatal("350.50", "2026-10-08"),
    )
    .await;
    accept(app, &clerk, &n).await;
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &n).await;
    let level2 = limit(&p, &["medical", "prenatal_care"], 1);
    assert_eq!(out["paid_fen"], 35_050.min(level2), "{out}");
    let op = form(
        json!({"event": "计划生育手术", "event_date": "2026-05-06", "operation": "放置宫内节育器",
               "hospital_level": "一级", "costs": "900"}),
        bank("李秀英"),
    );
    let f = open_person(app, &clerk, "nanchuan", "30", &li_id, "演示·李秀英", op).await;
    accept(app, &clerk, &f).await;
    let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &f).await;
    let iud = p["medical"]["family_planning"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"].as_str() == Some("iud_insertion"))
        .unwrap()["limits"][0]
        .as_integer()
        .unwrap();
    assert_eq!(out["paid_fen"], 90_000.min(iud), "{out}");
    // A birth claimed under the family-planning item is the wrong item.
    let wrong = open_person(
        app,
        &clerk,
        "nanchuan",
        "30",
        &li_id,
        "演示·李秀英",
        prenatal("100", "2026-10-09"),
    )
    .await;
    accept(app, &clerk, &wrong).await;
    refused(
        &approve(app, &clerk, &reviewer, &wrong).await,
        "maternity.event_not_of_benefit",
    );
    let m = benefits(app, &clerk, li).await;
    assert_eq!(m["total_paid_fen"], 35_050.min(level2) + 90_000.min(iud));
});

// A maternity visit settled in real time (national 医疗类别 52 生育住院 → visit `maternity`) asks
// the same eligibility as the manual claims: refused one month short of the six, settled once the
// sixth month is paid (seed 003 items 28–31 「足额连续缴满6个月…的次月起」).
both_stores_with_demo!(realtime_maternity_settlement_asks_the_six_months, |app| {
    let token = app
        .nanchuan_hospital_token("H50011900077", "南川演示妇幼保健院")
        .await;
    let (yang, yang_id) = person_id(app, "演示·杨丽").await;
    let (unit, _) = employer(app, 3).await;
    let bill = |request: &str| {
        json!({
            "request_id": request,
            "id_number": yang_id,
            "maternity": {"benefit": "delivery_costs", "stay_from": "2026-11-16"},
            "bill": {
                "date": "2026-11-20",
                "visit": "maternity",
                "hospital_level": "level_2",
                "admission_id": "SC1",
                "lines": [{"line_no": 1, "code": "S001", "amount": 250000, "category": "a"}]
            }
        })
    };
    // June to October: five months before November.
    ledger(app, yang, unit, (2026, 6), 5, 700_000, true).await;
    let r = app
        .post_json("/api/v1/settlements", Some(&token), bill("M1"))
        .await;
    refused(&r, "maternity.contribution_short");
    assert!(
        r.json()["message"].as_str().unwrap().contains("5 个月"),
        "{}",
        r.body
    );
    ledger(app, yang, unit, (2026, 5), 1, 700_000, true).await;
    let r = app
        .post_json("/api/v1/settlements", Some(&token), bill("M2"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["total"], 250000);
});

// One birth, one payment of its medical costs (seed 003 item 29 备注 (一) 「生育医疗费可直接联网
// 结算」; seed 001 items 25/26 服务对象 「未在定点医疗机构联网结算…费用的」): a birth whose stay
// the hospital settled in real time is not claimed again by hand; once that settlement is
// reversed it may be; a birth paid by hand is not settled again at a hospital.
both_stores_with_demo!(
    a_birth_settled_at_the_hospital_is_not_claimed_by_hand,
    |app| {
        let token = app
            .nanchuan_hospital_token("H50011900077", "南川演示妇幼保健院")
            .await;
        let clerk = app.staff_token("cq.clerk").await;
        let reviewer = app.staff_token("cq.reviewer").await;
        let finance = app.staff_token("cq.finance").await;
        let (yang, yang_id) = person_id(app, "演示·杨丽").await;
        let (unit, _) = employer(app, 3).await;
        ledger(app, yang, unit, (2026, 1), 10, 700_000, true).await;
        let bill = |request: &str, maternity: Value| {
            let mut v = json!({
                "request_id": request,
                "id_number": yang_id,
                "bill": {
                    "date": "2026-11-20",
                    "visit": "maternity",
                    "hospital_level": "level_2",
                    "admission_id": request,
                    "lines": [{"line_no": 1, "code": "S001", "amount": 250000, "category": "a"}]
                }
            });
            if !maternity.is_null() {
                v["maternity"] = maternity;
            }
            v
        };
        // A maternity visit says what it pays for.
        let r = app
            .post_json("/api/v1/settlements", Some(&token), bill("M0", Value::Null))
            .await;
        refused(&r, "settlement.maternity_missing");
        let stay = json!({"benefit": "delivery_costs", "stay_from": "2026-11-16"});
        let r = app
            .post_json(
                "/api/v1/settlements",
                Some(&token),
                bill("M1", stay.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let birth = |date: &str| {
            form(
                json!({"event": "分娩", "event_date": date, "delivery_mode": "顺产",
                   "hospital_level": "二级", "costs": "2500"}),
                bank("杨丽"),
            )
        };
        // Born on the stay's first day: the hospital settled it.
        let n = open_person(
            app,
            &clerk,
            "chongqing",
            "29",
            &yang_id,
            "演示·杨丽",
            birth("2026-11-16"),
        )
        .await;
        accept(app, &clerk, &n).await;
        let r = approve(app, &clerk, &reviewer, &n).await;
        refused(&r, "maternity.settled_at_hospital");
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("H50011900077/M1"),
            "{}",
            r.body
        );

        // Reversed at the hospital: the costs are claimed by hand, and paid.
        let r = app
            .post_json("/api/v1/settlements/M1/reverse", Some(&token), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &n).await;
        assert!(out["paid_fen"].as_i64().unwrap() > 0, "{out}");

        // The birth paid by hand is not settled again, by its date or by a stay that holds it.
        for (request, m) in [
            (
                "M2",
                json!({"benefit": "delivery_costs", "event_date": "2026-11-16"}),
            ),
            ("M3", stay),
        ] {
            let r = app
                .post_json("/api/v1/settlements", Some(&token), bill(request, m))
                .await;
            refused(&r, "maternity.already_paid");
        }
        // A stay after that birth is another event.
        let r = app
            .post_json(
                "/api/v1/settlements",
                Some(&token),
                bill(
                    "M4",
                    json!({"benefit": "delivery_costs", "stay_from": "2026-11-17"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
);

/// One national envelope (FIELDS §1.1) from the Nanchuan demo maternity hospital.
async fn national(app: &TestApp, token: &str, infno: &str, seq: u32, input: Value) -> Value {
    let env = json!({
        "infno": infno, "msgid": format!("H5001190007720261120090000{seq:04}"),
        "mdtrtarea_admvs": "500119", "insuplc_admdvs": "500000", "infver": "V1.0",
        "opter_type": "1", "opter": "0001", "opter_name": "收费员甲", "sign_no": null,
        "inf_time": "2026-11-20 09:30:00", "fixmedins_code": "H50011900077", "input": input
    });
    let r = app.post_json("/api/v1/national", Some(token), env).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

// The same rule through the national interface as a HIS sends it: 2401 生育住院 (med_type 52)
// naming the birth date (birctrl_matn_date, FIELDS §2.11), 2301 the fees, 2304 the settlement;
// the birth's costs are then not claimed by hand (seed 003 item 29 备注 (一)).
both_stores_with_demo!(
    a_birth_settled_through_the_national_interface_is_not_claimed_by_hand,
    |app| {
        let token = app
            .nanchuan_hospital_token("H50011900077", "南川演示妇幼保健院")
            .await;
        let clerk = app.staff_token("cq.clerk").await;
        let reviewer = app.staff_token("cq.reviewer").await;
        let (yang, yang_id) = person_id(app, "演示·杨丽").await;
        let (unit, _) = employer(app, 3).await;
        ledger(app, yang, unit, (2026, 1), 10, 700_000, true).await;
        let disease = json!([{"psn_no": yang_id, "diag_type": "1", "maindiag_flag": "1",
        "diag_srt_no": 1, "diag_code": "O80.000", "diag_name": "单胎顺产", "diag_dept": "产科",
        "dise_dor_no": "D001", "dise_dor_name": "医生甲", "diag_time": "2026-11-16 08:00:00"}]);
        let out = national(app, &token, "2401", 1, json!({
        "mdtrtinfo": {"psn_no": yang_id, "insutype": "310", "begntime": "2026-11-16 08:00:00",
            "mdtrt_cert_type": "02", "mdtrt_cert_no": yang_id, "med_type": "52",
            "ipt_no": "ZY20261116001", "atddr_no": "D001", "chfpdr_name": "医生甲",
            "adm_diag_dscr": "孕39周", "adm_dept_codg": "CK", "adm_dept_name": "产科", "adm_bed": "3",
            "dscg_maindiag_code": "O80.000", "dscg_maindiag_name": "单胎顺产", "matn_type": "1",
            "birctrl_type": null, "geso_val": 39, "fetts": 1, "fetus_cnt": 1,
            "birctrl_matn_date": "2026-11-18"},
        "diseinfo": disease
    })).await;
        assert_eq!(out["infcode"], 0, "{out}");
        let mdtrt_id = out["output"]["result"]["mdtrt_id"]
            .as_str()
            .unwrap()
            .to_string();
        let out = national(app, &token, "2301", 2, json!({"feedetail": [{
        "feedetl_sn": "ZY0001", "mdtrt_id": mdtrt_id, "psn_no": yang_id, "med_type": "52",
        "fee_ocur_time": "2026-11-18 10:00:00", "med_list_codg": "S001", "medins_list_codg": "HIS-S001",
        "det_item_fee_sumamt": "2500.00", "cnt": "1", "pric": "2500.00", "bilg_dept_codg": "CK",
        "bilg_dept_name": "产科", "bilg_dr_codg": "D001", "bilg_dr_name": "医生甲", "chrgitm_lv": "01"}]})).await;
        assert_eq!(out["infcode"], 0, "{out}");
        let out = national(
            app,
            &token,
            "2304",
            3,
            json!({"data": {"psn_no": yang_id,
        "mdtrt_cert_type": "02", "mdtrt_cert_no": yang_id, "medfee_sumamt": 2500.0,
        "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "310", "acct_used_flag": "0",
        "mid_setl_flag": "0"}}),
        )
        .await;
        assert_eq!(out["infcode"], 0, "{out}");
        assert_eq!(out["output"]["setlinfo"]["med_type"], "52", "{out}");

        let birth = form(
            json!({"event": "分娩", "event_date": "2026-11-18", "delivery_mode": "顺产",
               "hospital_level": "二级", "costs": "2500"}),
            bank("杨丽"),
        );
        let n = open_person(app, &clerk, "chongqing", "29", &yang_id, "演示·杨丽", birth).await;
        accept(app, &clerk, &n).await;
        refused(
            &approve(app, &clerk, &reviewer, &n).await,
            "maternity.settled_at_hospital",
        );
    }
);

// Seed 001 items 27–29 办结 「单位代办的可划入单位银行账户，由单位划入参保人银行账户」: in Sichuan
// the unit applies for the medical benefits on its employee's behalf and is paid; Chongqing's guide (seed 003 item 29) has no such provision, so a unit
// cannot open that item at all.
both_stores_with_demo!(
    a_unit_claims_the_medical_benefits_where_the_guide_lets_it,
    |app| {
        let p = policy(SICHUAN);
        let clerk = app.staff_token("chengdu.clerk").await;
        let finance = app.staff_token("chengdu.finance").await;
        let reviewer = app.staff_token("chengdu.reviewer").await;
        let (liu, liu_id) = person_id(app, "演示·刘芳").await;
        let (unit, uscc) = employer(app, 2).await;
        ledger(app, liu, unit, (2026, 3), 4, 500_000, true).await;
        let prenatal = json!({"id_number": liu_id, "event": "分娩", "event_date": "2026-07-20",
                          "delivery_mode": "顺产", "babies": "1", "hospital_level": "三级",
                          "costs": "180"});
        let by = |uscc: &str| {
            json!({"jurisdiction": "sichuan", "item": "27", "channel": "window",
               "applicant": {"uscc": uscc, "name": ""}, "form": prenatal.clone()})
        };
        let n = window(app, &clerk, by(&uscc)).await;
        accept(app, &clerk, &n).await;
        let out = complete_and_pay(app, (&clerk, &reviewer, &finance), &n).await;
        let lim = limit(&p, &["medical", "prenatal_care"], 2);
        assert_eq!(out["paid_fen"], 18_000.min(lim), "{out}");
        assert_eq!(out["payee"], "employer", "{out}");
        assert!(
            out["text"]
                .as_str()
                .unwrap()
                .contains("由单位划入参保人银行账户"),
            "{out}"
        );

        // Chongqing item 29 is the person's own.
        let clerk = app.staff_token("cq.clerk").await;
        let (_, yang_id) = person_id(app, "演示·杨丽").await;
        let (_, cq_uscc) = employer(app, 3).await;
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&clerk),
                json!({"jurisdiction": "chongqing", "item": "29", "channel": "window",
                   "applicant": {"uscc": cq_uscc, "name": ""},
                   "form": {"id_number": yang_id, "event": "分娩", "event_date": "2026-11-01",
                            "delivery_mode": "顺产", "hospital_level": "二级", "costs": "2000"}}),
            )
            .await;
        assert!(r.status.is_client_error(), "{}", r.body);
    }
);
