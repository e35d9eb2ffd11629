//! The institution services in headless Chromium (issue #21): a Chongqing designation entered
//! at the window and taken through evaluation, publicity and the agreement's terms on the case
//! page at 1366 px (and the same page on a 390 px phone); the year-end reconciliation's pages
//! at 390 px (the agency's list, the statement, the institution's confirmation). No page is
//! wider than its window.

use crate::common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::browser::Browser;
use common::journey::{act, provide_missing, view};
use common::TestApp;
use yibao_domain::ids::uscc_check_char;
use yibao_store::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_designation_is_entered_evaluated_and_publicised_on_its_pages() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    app.demo().await;
    let first17 = "5250010800MA5U0077".get(..17).unwrap().to_string();
    let uscc = format!("{first17}{}", uscc_check_char(first17.as_bytes()).unwrap());
    let b = Browser::open(&app).await;
    b.resize(1366, 768).await;
    b.login_staff("cq.clerk", "demo-cq-clerk").await;
    b.goto("/cases/new?jurisdiction=chongqing&item=33").await;
    b.assert_fits("1366 designation form").await;
    b.fill("#a-uscc", &uscc).await;
    b.fill("#a-name", "南岸浏览器医院").await;
    b.fill("#f-name", "南岸浏览器医院").await;
    b.run("document.querySelector('#f-category').value = '专科医院'; document.querySelector('#f-inpatient').value = '是';")
        .await;
    b.fill("#f-level", "一级").await;
    b.fill("#f-region_code", "500108").await;
    b.fill("#f-address", "重庆市南岸区示例路9号").await;
    b.fill("#f-licence_number", "PDY00077").await;
    // 29 beds: Chongqing 33 asks a specialist hospital for 30.
    b.fill("#f-beds", "29").await;
    b.fill("#f-services", "普通门诊、住院").await;
    b.click("#create").await;
    assert!(b.text("#err-beds").await.contains("30张以上"));
    b.assert_fits("1366 designation form refused").await;
    b.fill("#f-beds", "30").await;
    b.click("#create").await;
    let path = b.path().await;
    let number = path.trim_start_matches("/cases/").to_string();
    assert!(number.starts_with("500000-"), "{path}");
    b.screenshot("1366-designation-case").await;

    // Materials and acceptance through the API (the upload walk has its own browser test).
    let clerk = app.staff_token("cq.clerk").await;
    let v = view(&app, &clerk, &number).await;
    provide_missing(&app, &clerk, &number, &v).await;
    assert_eq!(
        act(&app, &clerk, &number, "submit").await.status,
        StatusCode::OK
    );
    assert_eq!(
        act(&app, &clerk, &number, "accept").await.status,
        StatusCode::OK
    );
    b.logout().await;

    // The reviewer evaluates, publicises and records the terms on the case page.
    b.login_staff("cq.reviewer", "demo-cq-reviewer").await;
    b.goto(&format!("/cases/{number}")).await;
    assert_eq!(b.text("#inst-stage").await, "已受理申请");
    b.assert_fits("1366 designation before evaluation").await;
    b.fill("#ie-note", "实地查看符合").await;
    b.click("#inst-evaluate-submit").await;
    assert!(b.text("#notice").await.contains("H50010800001"));
    b.fill("#ip-from", "2026-11-23").await;
    b.click("#inst-publicise-submit").await;
    assert!(b.text("#inst-publicity").await.contains("2026-12-01"));
    b.fill("#it-from", "2026-12-02").await;
    b.fill("#it-until", "2028-12-31").await;
    b.fill("#it-level", "一级").await;
    b.fill("#it-services", "普通门诊、住院").await;
    b.click("#inst-terms-submit").await;
    assert!(b.text("#inst-terms").await.contains("2028-12-31"));
    assert!(b.text("#inst-outstanding").await.contains("2026-12-01"));
    b.assert_fits("1366 designation publicised").await;
    b.screenshot("1366-designation-publicised").await;
    b.resize(390, 844).await;
    b.assert_fits("390 designation publicised").await;
    b.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_year_end_pages_fit_a_phone() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    app.demo().await;
    let code = "H50011900063";
    let token = crate::institution_year_end::november_paid_in_january(
        &app,
        code,
        "南川浏览器年终清算医院",
        "Q",
    )
    .await;
    let jan = app.later(Utc.with_ymd_and_hms(2027, 1, 11, 2, 0, 0).unwrap());
    let b = Browser::open_router(jan.router.clone()).await;
    b.resize(390, 844).await;
    b.login_staff("cq.reviewer", "demo-cq-reviewer").await;
    b.goto("/staff/monthly?month=2026-11").await;
    b.click("#year-end-link").await;
    assert_eq!(b.path().await, "/staff/year-end");
    b.assert_fits("390 year-end list").await;
    b.fill(
        &format!("form[action='/staff/year-end/2026/{code}/issue'] input[name='score']"),
        "90",
    )
    .await;
    b.click(&format!("#issue-{code}")).await;
    assert!(b.text("#notice").await.contains(code));
    b.assert_fits("390 year-end issued").await;
    b.screenshot("390-year-end-list").await;
    b.click(&format!("#year-end a[href='/staff/year-end/2026/{code}']"))
        .await;
    assert_eq!(b.text("#ye-status").await, "待机构确认");
    b.assert_fits("390 year-end statement").await;
    b.logout().await;

    // The institution confirms on the phone.
    b.goto("/login").await;
    b.fill("#i-code", code).await;
    b.fill("#i-token", &token).await;
    b.click("form[action='/login/institution'] button").await;
    b.goto("/institution/year-end?year=2026").await;
    b.assert_fits("390 institution year-end").await;
    b.click("#confirm").await;
    assert_eq!(b.text("#ye-status").await, "待拨付");
    b.assert_fits("390 institution year-end confirmed").await;
    b.screenshot("390-institution-year-end").await;
    b.resize(1366, 768).await;
    b.assert_fits("1366 institution year-end confirmed").await;
    b.close().await;
    app.finish().await;
}
