//! Staff's settlement list (/staff/settlements): the region's settlements, newest first, found by
//! request id, ID number or institution, paged and exported; amounts from the stored answer;
//! finance, supervisors and auditors only, and only their region.

use crate::common;

use axum::http::StatusCode;
use common::page::{count, table_rows};
use serde_json::json;

both_stores_with_demo!(the_region_sees_its_settlements, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let token = app
        .nanchuan_hospital_token("H50011900007", "演示列表医院")
        .await;
    let mut totals = Vec::new();
    for (rid, amount) in [("LIST-1", 10_000), ("LIST-2", 25_050)] {
        let r = app
            .post_json(
                "/api/v1/settlements",
                Some(&token),
                json!({"request_id": rid, "id_number": wang,
                    "bill": {"date": "2026-11-20", "visit": "general_outpatient", "hospital_level": "level_2",
                             "lines": [{"line_no": 1, "code": "S001", "amount": amount, "category": "a"}]}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        totals.push(r.json()["funds_total"].as_i64().unwrap());
    }
    let r = app
        .post_json(
            "/api/v1/settlements/LIST-1/reverse",
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let mut b = app.browser();
    b.get("/login").await;
    b.post_form(
        "/login/staff",
        &[
            ("username", "nanchuan.finance"),
            ("password", "demo-nanchuan-finance"),
        ],
    )
    .await;
    let page = b.get("/staff/settlements").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rows = table_rows(&page.body, "#settlements tbody");
    assert_eq!(rows.len(), 2, "{rows:?}");
    // Newest first; the amounts are the answers'; the person masked; the reversal shown.
    assert_eq!(rows[0][2], "LIST-2");
    assert_eq!(rows[0][4], "250.50");
    assert_eq!(rows[0][5], yibao_domain::Fen(totals[1]).yuan_string());
    assert!(rows[0][3].contains('*'), "{rows:?}");
    assert!(rows[1][7].starts_with("已撤销"), "{rows:?}");
    // Found by request id; exported whole.
    let one = b.get("/staff/settlements?q=list-1").await;
    assert_eq!(count(&one.body, "#settlements tbody tr"), 1);
    let x = b.get("/staff/settlements?format=xlsx").await;
    assert_eq!(
        x.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(&x.bytes[..2], b"PK");

    // Another region's finance sees none of them; a clerk has no such list.
    let mut c = app.browser();
    c.get("/login").await;
    c.post_form(
        "/login/staff",
        &[
            ("username", "chengdu.finance"),
            ("password", "demo-chengdu-finance"),
        ],
    )
    .await;
    assert_eq!(
        count(
            &c.get("/staff/settlements").await.body,
            "#settlements tbody tr"
        ),
        0
    );
    let mut d = app.browser();
    d.get("/login").await;
    d.post_form(
        "/login/staff",
        &[
            ("username", "nanchuan.clerk"),
            ("password", "demo-nanchuan-clerk"),
        ],
    )
    .await;
    assert_eq!(
        d.get("/staff/settlements").await.status,
        StatusCode::FORBIDDEN
    );
});
