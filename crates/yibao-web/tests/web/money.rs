//! Four eyes on money (issue #23): a bill whose calculation refuses it cannot be approved for
//! payment. (Entering and approving by different people, and finance confirming the listed
//! amounts, are walked in cases.rs and disbursement.rs.) Both stores.

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, provide_missing, view};
use serde_json::json;

both_stores_with_demo!(a_refused_calculation_cannot_be_approved, |app| {
    // 刘芳 (Chengdu) holds no coverage: seed 001 item 26 住院费用报销 at the Chengdu window.
    let demo = app.demo().await;
    let liu = demo.citizens[3].login.clone();
    let clerk = app.staff_token("chengdu.clerk").await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&clerk),
            json!({"jurisdiction":"sichuan","item":"26","channel":"window",
                   "applicant": {"id_number": liu, "name": "演示·刘芳"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    let r = app
        .post_json(
            &format!("/api/v1/cases/{n}/bill"),
            Some(&clerk),
            json!({"care_region": "510104", "institution_code": "H51010400001",
                   "ground": "not_settled_at_institution",
                   "payee": {"bank": "中国银行成都分行", "account": "6216 6100 0000 0001", "holder": "刘芳"},
                   "bill": {"date": "2026-11-10", "visit": "inpatient", "hospital_level": "level_3",
                            "admission_id": "ZY-LF-1",
                            "lines": [{"line_no": 1, "code": "S1", "amount": 200000, "category": "a"}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = view(app, &clerk, &n).await;
    let refusal = v["reimbursement_preview"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(v["reimbursement_preview"]["code"].is_string(), "{v}");
    assert_eq!(act(app, &clerk, &n, "submit").await.status, StatusCode::OK);
    let v = view(app, &clerk, &n).await;
    provide_missing(app, &clerk, &n, &v).await;
    let r = act(app, &clerk, &n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The reviewer (not the clerk who entered it) would approve: refused with the reason.
    let reviewer = app.staff_token("chengdu.reviewer").await;
    let v = view(app, &reviewer, &n).await;
    let step = v["actions"][0][0].as_str().unwrap_or("").to_string();
    assert!(step == "approve" || step == "complete", "{}", v["actions"]);
    let r = act(app, &reviewer, &n, &step).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "reimbursement.calculation_refused");
    assert!(
        r.json()["message"].as_str().unwrap().contains(&refusal),
        "{} / {refusal}",
        r.body
    );
    assert_eq!(view(app, &reviewer, &n).await["case"]["status"], "accepted");
});
