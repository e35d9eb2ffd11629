//! Manual reimbursement pays a bill once (issue 15): a bill the settlement ledger shows settled
//! in real time (same institution, same admission number, not reversed) or that another manual
//! case has paid is refused — when the bill is entered, when the case is approved for payment,
//! and in the paying transaction itself. Seed 003 item 27 住院费用报销 (Chongqing, 南川 window).

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, provide, provide_missing, view};
use common::page::assert_json_snapshot;
use common::{Reply, TestApp};
use serde_json::{json, Value};

const HOSPITAL: &str = "H50011900001";

async fn institution(app: &TestApp, code: &str, region: &str) -> String {
    let a = app.staff_token("cq.admin").await;
    let r = app
        .post_json("/api/v1/admin/institutions", Some(&a), json!({"code": code, "name": format!("演示医院{code}"), "kind": "hospital", "level": "二级", "region_code": region}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post_json(
            &format!("/api/v1/admin/institutions/{code}/tokens"),
            Some(&a),
            json!({"label": "HIS"}),
        )
        .await;
    r.json()["token"]["token"].as_str().unwrap().to_string()
}

fn lines() -> Value {
    json!([{"line_no": 1, "code": "S1", "amount": 300000, "category": "a"}])
}

/// The institution settles the admission in real time.
async fn settle(app: &TestApp, token: &str, request_id: &str, id_number: &str, admission: &str) {
    let r = app
        .post_json(
            "/api/v1/settlements",
            Some(token),
            json!({"request_id": request_id, "id_number": id_number,
                   "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2",
                            "admission_id": admission, "lines": lines()}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// A manual reimbursement case of 王建国 with its materials.
async fn new_case(app: &TestApp, clerk: &str, id_number: &str) -> String {
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(clerk),
            json!({"jurisdiction":"chongqing","item":"27","channel":"window",
                   "applicant": {"id_number": id_number, "name": "演示·王建国"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    for m in [
        "id_document",
        "hospital_receipts",
        "expense_list",
        "diagnosis_certificate",
        "medical_records",
        "bank_account",
    ] {
        provide(app, clerk, &n, m).await;
    }
    n
}

fn entry(institution: &str, admission: &str) -> Value {
    json!({"care_region": "500119", "institution_code": institution,
           "ground": "network_failure",
           "payee": {"bank": "中国工商银行南川支行", "account": "6222 0212 3456 7890", "holder": "王建国"},
           "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2",
                    "admission_id": admission, "lines": lines()}})
}

async fn post_entry(app: &TestApp, clerk: &str, n: &str, entry: Value) -> Reply {
    app.post_json(&format!("/api/v1/cases/{n}/bill"), Some(clerk), entry)
        .await
}

async fn enter(app: &TestApp, clerk: &str, n: &str, institution: &str, admission: &str) -> Reply {
    post_entry(app, clerk, n, entry(institution, admission)).await
}

/// Submit, accept and approve for payment (→ 待拨付).
async fn approve(app: &TestApp, clerk: &str, n: &str) -> Reply {
    assert_eq!(act(app, clerk, n, "submit").await.status, StatusCode::OK);
    let v = view(app, clerk, n).await;
    provide_missing(app, clerk, n, &v).await;
    let r = act(app, clerk, n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Four eyes: the reviewer approves the bill the clerk entered.
    let reviewer = app.staff_token("nanchuan.reviewer").await;
    act(app, &reviewer, n, "complete").await
}

fn refused(r: &Reply, code: &str) {
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["code"], code, "{}", r.body);
}

both_stores_with_demo!(a_bill_settled_in_real_time_is_not_reimbursed, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let his = institution(app, HOSPITAL, "500119").await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    settle(app, &his, "R1", &wang, "ZY-1").await;

    let n = new_case(app, &clerk, &wang).await;
    let r = enter(app, &clerk, &n, HOSPITAL, "ZY-1").await;
    refused(&r, "reimbursement.already_settled");
    assert_json_snapshot("reimbursement-error-already-settled", &r.json(), &[]);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(msg.contains("联网直接结算") && msg.contains("R1"), "{msg}");
    // Leading/trailing blanks do not hide the admission number.
    refused(
        &enter(app, &clerk, &n, HOSPITAL, " ZY-1 ").await,
        "reimbursement.already_settled",
    );
    // Another admission at the same hospital, or the same number at another hospital: allowed.
    let r = enter(app, &clerk, &n, "H50011900002", "ZY-1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = enter(app, &clerk, &n, HOSPITAL, "ZY-2").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = approve(app, &clerk, &n).await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let finance = app.staff_token("nanchuan.finance").await;
    let r = act(app, &finance, &n, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);

    // The bill entry is typed: no institution code, a malformed one, or no admission number.
    let m = new_case(app, &clerk, &wang).await;
    let mut e = entry(HOSPITAL, "ZY-3");
    e.as_object_mut().unwrap().remove("institution_code");
    let r = post_entry(app, &clerk, &m, e).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = enter(app, &clerk, &m, "X123", "ZY-3").await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = enter(app, &clerk, &m, HOSPITAL, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "reimbursement.visit_number", "{}", r.body);
    assert_json_snapshot("reimbursement-error-visit-number", &r.json(), &[]);
});

both_stores_with_demo!(a_reversed_settlement_can_be_reimbursed, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let his = institution(app, HOSPITAL, "500119").await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    settle(app, &his, "R1", &wang, "ZY-1").await;
    let r = app
        .post_json("/api/v1/settlements/R1/reverse", Some(&his), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let n = new_case(app, &clerk, &wang).await;
    let r = enter(app, &clerk, &n, HOSPITAL, "ZY-1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = approve(app, &clerk, &n).await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    let finance = app.staff_token("nanchuan.finance").await;
    let r = act(app, &finance, &n, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    assert!(
        view(app, &clerk, &n).await["outcome"]["reimbursed"]
            .as_i64()
            .unwrap()
            > 0
    );
});

both_stores_with_demo!(
    a_settlement_after_the_entry_stops_approval_and_payment,
    |app| {
        let demo = app.demo().await;
        let wang = demo.citizens[0].login.clone();
        let his = institution(app, HOSPITAL, "500119").await;
        let clerk = app.staff_token("nanchuan.clerk").await;
        let finance = app.staff_token("nanchuan.finance").await;

        // Settled after the bill was entered: approval refuses.
        let a = new_case(app, &clerk, &wang).await;
        assert_eq!(
            enter(app, &clerk, &a, HOSPITAL, "ZY-A").await.status,
            StatusCode::OK
        );
        settle(app, &his, "RA", &wang, "ZY-A").await;
        refused(
            &approve(app, &clerk, &a).await,
            "reimbursement.already_settled",
        );
        assert_eq!(view(app, &clerk, &a).await["case"]["status"], "accepted");

        // Settled after approval: the payment (in its own transaction) refuses, nothing is counted.
        let b = new_case(app, &clerk, &wang).await;
        assert_eq!(
            enter(app, &clerk, &b, HOSPITAL, "ZY-B").await.status,
            StatusCode::OK
        );
        let r = approve(app, &clerk, &b).await;
        assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
        settle(app, &his, "RB", &wang, "ZY-B").await;
        let acc = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
            .await
            .unwrap();
        refused(
            &act(app, &finance, &b, "disburse").await,
            "reimbursement.already_settled",
        );
        let v = view(app, &clerk, &b).await;
        assert_eq!(v["case"]["status"], "disbursement");
        assert!(v["outcome"].is_null(), "{v}");
        let after = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
            .await
            .unwrap();
        assert_eq!(
            acc, after,
            "a refused payment leaves the accumulators alone"
        );
    }
);

both_stores_with_demo!(two_cases_with_one_bill_pay_once, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let clerk = app.staff_token("nanchuan.clerk").await;
    let finance = app.staff_token("nanchuan.finance").await;

    // Both entered and approved before either is paid: the second payment is refused.
    let a = new_case(app, &clerk, &wang).await;
    let b = new_case(app, &clerk, &wang).await;
    for n in [&a, &b] {
        assert_eq!(
            enter(app, &clerk, n, HOSPITAL, "ZY-9").await.status,
            StatusCode::OK
        );
        let r = approve(app, &clerk, n).await;
        assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    }
    let r = act(app, &finance, &a, "disburse").await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let r = act(app, &finance, &b, "disburse").await;
    refused(&r, "reimbursement.already_reimbursed");
    assert!(
        r.json()["message"].as_str().unwrap().contains(&a),
        "{}",
        r.body
    );
    assert_json_snapshot(
        "reimbursement-error-already-reimbursed",
        &r.json(),
        &[(".message", "[names the paid case]")],
    );

    // A third case naming the paid bill is refused at entry; the same bill at another hospital
    // is another bill.
    let c = new_case(app, &clerk, &wang).await;
    let r = enter(app, &clerk, &c, HOSPITAL, "ZY-9").await;
    refused(&r, "reimbursement.already_reimbursed");
    let r = enter(app, &clerk, &c, "H50011900002", "ZY-9").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
});

both_stores_with_demo!(the_ground_and_the_payee_are_recorded_and_shown, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let clerk = app.staff_token("nanchuan.clerk").await;
    let n = new_case(app, &clerk, &wang).await;
    // The ground is one of the guide's; the payee account is checked.
    let mut e = entry(HOSPITAL, "ZY-1");
    e["ground"] = json!("because");
    assert!(post_entry(app, &clerk, &n, e)
        .await
        .status
        .is_client_error());
    let mut e = entry(HOSPITAL, "ZY-1");
    e.as_object_mut().unwrap().remove("payee");
    assert!(post_entry(app, &clerk, &n, e)
        .await
        .status
        .is_client_error());
    for (account, ok) in [
        ("12345678901", false),
        ("123456789012", true),
        ("1234567890123456789012345678901", false),
        ("6222-0212-3456-7890", false),
    ] {
        let mut e = entry(HOSPITAL, "ZY-1");
        e["payee"]["account"] = json!(account);
        let r = post_entry(app, &clerk, &n, e).await;
        if ok {
            assert_eq!(r.status, StatusCode::OK, "{account}: {}", r.body);
        } else {
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{account}: {}",
                r.body
            );
            assert_eq!(
                r.json()["code"],
                "reimbursement.payee_account",
                "{}",
                r.body
            );
        }
    }
    let mut e = entry(HOSPITAL, "ZY-1");
    e["payee"]["holder"] = json!("  ");
    let r = post_entry(app, &clerk, &n, e).await;
    assert_eq!(r.json()["code"], "reimbursement.payee_holder", "{}", r.body);

    let r = enter(app, &clerk, &n, HOSPITAL, "ZY-1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = view(app, &clerk, &n).await["reimbursement_preview"].clone();
    assert_eq!(p["ground"]["key"], "network_failure", "{p}");
    assert_eq!(
        p["ground"]["label"],
        "联网医疗机构计算机网络故障时发生的未进行网络结算的医疗费用"
    );
    assert!(p["ground"]["source"].as_str().unwrap().contains("种子003"));
    assert_eq!(p["payee"]["bank"], "中国工商银行南川支行");
    assert_eq!(p["payee"]["holder"], "王建国");
    assert_eq!(p["payee"]["account"], "************7890");
    let text = p["text"].as_str().unwrap();
    assert!(
        text.starts_with("报销") && text.contains("网络故障") && text.contains("7890"),
        "{text}"
    );
    // The whole preview: every amount of the split to the fen, the rule, ground and payee.
    assert_json_snapshot("reimbursement-preview-network-failure", &p, &[]);
    // The same on the outcome once paid.
    approve(app, &clerk, &n).await;
    let finance = app.staff_token("nanchuan.finance").await;
    act(app, &finance, &n, "disburse").await;
    let o = view(app, &clerk, &n).await["outcome"].clone();
    assert_eq!(o["ground"]["key"], "network_failure", "{o}");
    assert_eq!(o["payee"]["account"], "************7890");
    assert_json_snapshot("reimbursement-outcome-network-failure", &o, &[]);
});

both_stores_with_demo!(an_excluded_bill_cannot_be_approved, |app| {
    // 社会保险法第三十条 (seed 004): work injury, a liable third party, public health, abroad.
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let clerk = app.staff_token("nanchuan.clerk").await;
    for (i, x) in ["work_injury", "third_party", "public_health", "abroad"]
        .iter()
        .enumerate()
    {
        let n = new_case(app, &clerk, &wang).await;
        let mut e = entry(HOSPITAL, &format!("EX-{i}"));
        e["exclusion"] = json!(x);
        let r = post_entry(app, &clerk, &n, e).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = approve(app, &clerk, &n).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{x}: {}",
            r.body
        );
        assert_eq!(r.json()["code"], "reimbursement.excluded", "{}", r.body);
        assert!(r.json()["message"].as_str().unwrap().contains("第三十条"));
        assert_json_snapshot(&format!("reimbursement-error-excluded-{x}"), &r.json(), &[]);
        assert_eq!(view(app, &clerk, &n).await["case"]["status"], "accepted");
    }
    // A third party that does not pay or cannot be found: the fund pays first.
    let n = new_case(app, &clerk, &wang).await;
    let mut e = entry(HOSPITAL, "EX-9");
    e["exclusion"] = json!("third_party");
    e["third_party_unpaid"] = json!(true);
    assert_eq!(post_entry(app, &clerk, &n, e).await.status, StatusCode::OK);
    let r = approve(app, &clerk, &n).await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
});
