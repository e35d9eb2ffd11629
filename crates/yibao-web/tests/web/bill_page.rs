//! The bill of a manual reimbursement entered on the case page line by line (issue #23: it was a
//! raw JSON textarea answering «expected value at line 1 column 1»). Seed 003 item 27 住院费用报销
//! at the Nanchuan window; both stores.

use crate::common;

use axum::http::StatusCode;
use common::journey::{provide, view};
use common::page::{attrs, count, one_text};
use serde_json::json;

both_stores_with_demo!(the_clerk_enters_a_bill_line_by_line, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let clerk = app.staff_token("nanchuan.clerk").await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&clerk),
            json!({"jurisdiction":"chongqing","item":"27","channel":"window",
                   "applicant": {"id_number": wang, "name": "演示·王建国"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    provide(app, &clerk, &n, "id_document").await;

    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[
                ("username", "nanchuan.clerk"),
                ("password", "demo-nanchuan-clerk"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = b.get(&format!("/cases/{n}")).await;
    assert_eq!(
        count(&page.body, "#bill-form textarea"),
        0,
        "no JSON to type"
    );
    assert_eq!(count(&page.body, "#bill-lines tbody tr"), 12);
    assert_eq!(
        count(
            &page.body,
            "#bill-lines select[name='line.1.category'] option"
        ),
        4,
        "按目录, 甲类, 乙类, 丙类"
    );

    let header = [
        ("care_region", "500119"),
        ("institution_code", "H50011900001"),
        ("ground", "network_failure"),
        ("visit", "inpatient"),
        ("hospital_level", "level_2"),
        ("date", "2026年11月20日"),
        ("admission_id", "ZY-PAGE-1"),
        ("use_account", "on"),
        ("payee_bank", "中国工商银行南川支行"),
        ("payee_account", "6222 0212 3456 7890"),
        ("payee_holder", "王建国"),
    ];
    // A price with three decimals: refused, and everything typed comes back.
    let mut fields: Vec<(&str, &str)> = header.to_vec();
    fields.extend([
        ("line.1.code", "S1"),
        ("line.1.name", "床位费"),
        ("line.1.quantity", "3"),
        ("line.1.price", "45.505"),
        ("line.1.category", "a"),
        ("line.2.code", "D2"),
        ("line.2.amount", "1200"),
    ]);
    let r = b.post_form(&format!("/cases/{n}/bill"), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        one_text(&r.body, "#error").starts_with("第 1 行单价"),
        "{}",
        one_text(&r.body, "#error")
    );
    assert_eq!(
        attrs(&r.body, "input[name='line.1.price']", "value"),
        vec!["45.505"]
    );
    assert_eq!(
        attrs(&r.body, "input[name='line.2.code']", "value"),
        vec!["D2"]
    );
    assert_eq!(attrs(&r.body, "#b-payee_holder", "value"), vec!["王建国"]);
    assert_eq!(
        one_text(&r.body, "select[name='line.1.category'] option[selected]"),
        "甲类"
    );
    // Corrected: saved in the API's shape, amounts in fen, the date as YYYY-MM-DD.
    for f in fields.iter_mut() {
        if f.0 == "line.1.price" {
            f.1 = "45.50";
        }
    }
    let r = b.post_form(&format!("/cases/{n}/bill"), &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(one_text(&r.body, "#notice"), "费用明细已录入");
    let v = view(app, &clerk, &n).await;
    let form = &v["case"]["form"];
    let entry: serde_json::Value =
        serde_json::from_str(form["bill_entry"].as_str().unwrap()).unwrap();
    let lines = entry["bill"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["amount"], 13650, "3 × 45.50 元");
    assert_eq!(lines[1]["amount"], 120000);
    assert_eq!(entry["bill"]["date"], "2026-11-20");
    assert_eq!(entry["payee"]["account"], "6222021234567890");
});
