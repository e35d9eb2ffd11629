//! The supervisor's dashboard (/staff/dashboard): counts by status, item and agency, open and
//! overdue cases, time to completion, evaluations and settlements per day, each with its
//! number beside a bar; the numbers agree with the workbench and the ledger.

use crate::common;

use axum::http::StatusCode;
use common::page::{count, one_text, table_rows};
use serde_json::json;

both_stores_with_demo!(the_dashboard_counts_what_the_workbench_shows, |app| {
    use common::journey::window;
    let demo = app.demo().await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    let wang = demo.citizens[0].login.clone();
    // One more open case (南川 17, 个人账户一次性支取).
    window(
        app,
        &clerk,
        json!({"jurisdiction": "nanchuan", "item": "17", "channel": "window",
            "applicant": {"id_number": wang, "name": ""}, "form": {}}),
    )
    .await;
    // A settlement today at a 南川 institution.
    let token = app
        .nanchuan_hospital_token("H50011900009", "演示看板医院")
        .await;
    let r = app
        .post_json(
            "/api/v1/settlements",
            Some(&token),
            json!({"request_id": "DASH-1", "id_number": wang,
                "bill": {"date": "2026-11-20", "visit": "general_outpatient", "hospital_level": "level_2",
                         "lines": [{"line_no": 1, "code": "S001", "amount": 10000, "category": "a"}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let mut b = app.browser();
    b.get("/login").await;
    b.post_form(
        "/login/staff",
        &[
            ("username", "cq.supervisor"),
            ("password", "demo-cq-supervisor"),
        ],
    )
    .await;
    let page = b.get("/staff/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for id in [
        "by-status",
        "by-item",
        "by-agency",
        "completion",
        "evaluations",
        "settlements",
    ] {
        assert_eq!(count(&page.body, &format!("table#{id}")), 1, "{id}");
    }
    // Every bar has its number beside it.
    assert_eq!(
        count(&page.body, "table.chart tbody tr"),
        count(&page.body, "table.chart tbody svg.bar")
    );
    // The counts agree with the workbench: all cases, and the open ones.
    let sup = app.staff_token("cq.supervisor").await;
    let all = app
        .call("GET", "/api/v1/cases", Some(&sup), None)
        .await
        .json();
    let total = all["total"].as_i64().unwrap();
    let statuses: i64 = table_rows(&page.body, "table#by-status tbody")
        .iter()
        .map(|r| r[1].parse::<i64>().unwrap())
        .sum();
    assert_eq!(statuses, total);
    let open_here: i64 = one_text(&page.body, "#open").parse().unwrap();
    assert!(open_here >= 1);
    assert!(
        table_rows(&page.body, "table#by-item tbody")
            .iter()
            .any(|r| r[0].contains("个人账户一次性支取")),
        "{}",
        page.body
    );
    // Today (22 November in the tests' clock) has the settlement.
    let days = table_rows(&page.body, "table#settlements tbody");
    assert_eq!(days.len(), 14);
    assert_eq!(days[13][0], "11-22");
    assert!(days[13][1].parse::<i64>().unwrap() >= 1, "{days:?}");

    // A clerk has no dashboard.
    let mut c = app.browser();
    c.get("/login").await;
    c.post_form(
        "/login/staff",
        &[
            ("username", "nanchuan.clerk"),
            ("password", "demo-nanchuan-clerk"),
        ],
    )
    .await;
    assert_eq!(
        c.get("/staff/dashboard").await.status,
        StatusCode::FORBIDDEN
    );
});
