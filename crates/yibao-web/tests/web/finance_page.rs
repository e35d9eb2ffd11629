//! Finance's contribution page (/staff/contributions): the month's run, the residents' yearly
//! run, the paid-record import with every problem by line, and the year-end carry-over, each
//! answered on the page; policies with placeholder figures are marked; only finance sees it.

use crate::common;

use axum::http::StatusCode;
use common::page::{count, one_text};
use common::TestApp;

async fn finance_browser(app: &TestApp) -> common::Browser<'_> {
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[("username", "cq.finance"), ("password", "demo-cq-finance")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b
}

both_stores_with_demo!(finance_runs_imports_and_carries_over_from_the_page, |app| {
    let mut b = finance_browser(app).await;
    let page = b.get("/staff/contributions").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for form in ["#month-form", "#resident-form", "#paid-form", "#carry-form"] {
        assert_eq!(count(&page.body, form), 1, "{form}");
    }
    // Every shipped 2026 and 2027 policy carries placeholders: the page says so.
    assert!(
        count(&page.body, "#policies tbody tr") >= 6,
        "{}",
        page.body
    );
    assert!(page.body.contains("含示例参数，仅供演示"));

    let r = b
        .post_form(
            "/staff/contributions/month",
            &[("year", "2026"), ("month", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(one_text(&r.body, "#result strong"), "2026-03 月度核定完成");
    assert!(r.body.contains("依据示例参数计算"), "{}", r.body);
    // The same month again writes nothing.
    let r = b
        .post_form(
            "/staff/contributions/month",
            &[("year", "2026"), ("month", "3")],
        )
        .await;
    assert!(r.body.contains("新写入应缴记录 0 条"), "{}", r.body);
    // A month that is not one: back on the page with the reason.
    let r = b
        .post_form(
            "/staff/contributions/month",
            &[("year", "二〇二六"), ("month", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(one_text(&r.body, "#error").contains("应为四位数字"));

    let r = b
        .post_form("/staff/contributions/resident-year", &[("year", "2027")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        one_text(&r.body, "#result strong"),
        "2027 年度城乡居民个人缴费核定完成"
    );

    // A file with two bad rows: nothing imported, each problem by line.
    let demo = app.demo().await;
    let who = demo.citizens[0].login.clone();
    let csv = format!(
        "票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\n\
         P-1,{who},灵活就业人员,2026-13,100,2026-11-20\n\
         P-2,110101199001011234,灵活就业人员,2026-03,100,2026-11-20\n"
    );
    let r = b
        .post_multipart(
            "/staff/contributions/paid",
            &[],
            ("file", "paid.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(count(&r.body, "#problems tbody tr"), 2, "{}", r.body);
    assert!(r.body.contains("第 2 行"), "{}", r.body);
    assert!(r.body.contains("第 3 行"), "{}", r.body);
    let r = b
        .post_multipart(
            "/staff/contributions/paid",
            &[],
            (
                "file",
                "paid.csv",
                format!(
                    "票据号,证件号码,缴费类型,费款所属期,金额,缴费日期\n\
                     P-3,{who},灵活就业人员,2026-03,100,2026-11-20\n"
                )
                .as_bytes(),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("实缴记录 1 条，合计 100.00元"),
        "{}",
        r.body
    );

    // The current year cannot be carried over; the last one can.
    let r = b
        .post_form("/staff/contributions/carry-over", &[("year", "2026")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(one_text(&r.body, "#error").contains("2026年度尚未结束"));
    let r = b
        .post_form("/staff/contributions/carry-over", &[("year", "2025")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("2025 年度个人账户余额已结转至 2026 年度"));
});

both_stores_with_demo!(only_finance_sees_the_contribution_page, |app| {
    let mut b = app.browser();
    b.get("/login").await;
    b.post_form(
        "/login/staff",
        &[("username", "cq.clerk"), ("password", "demo-cq-clerk")],
    )
    .await;
    let page = b.get("/staff/contributions").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(!page.body.contains("month-form"));
    let r = b
        .post_form(
            "/staff/contributions/month",
            &[("year", "2026"), ("month", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Nobody logged in: sent to log in, nothing run.
    let mut anon = app.browser();
    let page = anon.get("/staff/contributions").await;
    assert_ne!(page.status, StatusCode::OK);
});
