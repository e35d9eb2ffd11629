//! A designated institution's month walked in headless Chromium (issue #21): it declares
//! November on a 390 px phone with an amount a fen off, sees the mismatch line by line,
//! corrects it; the reviewer issues the 结算单 at 1366 px; the institution confirms it. No page
//! is wider than its window at either width.

use crate::common;

use chrono::{TimeZone, Utc};
use common::browser::Browser;
use common::TestApp;
use yibao_store::Backend;

use crate::institution_pages::{form_fields, november};
use crate::institutions::declaration_from;

/// Both widths, on the page shown.
async fn fits_both(b: &Browser, what: &str) {
    for (w, h) in [(390, 844), (1366, 768)] {
        b.resize(w, h).await;
        b.assert_fits(&format!("{w} {what}")).await;
    }
}

async fn declare(b: &Browser, fields: &[(String, String)]) {
    for (name, value) in fields {
        b.fill(&format!("#declare-form input[name='{name}']"), value)
            .await;
    }
    b.click("#declare-submit").await;
}

async fn log_in_institution(b: &Browser, code: &str, token: &str) {
    b.goto("/login").await;
    b.fill("#i-code", code).await;
    b.fill("#i-token", token).await;
    b.click("form[action='/login/institution'] button").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_institution_declares_reconciles_and_confirms_its_month() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    app.demo().await;
    let code = "H50011900051";
    let token = app
        .nanchuan_hospital_token(code, "南川浏览器月结算医院")
        .await;
    let answers = november(&app, &token, "B").await;
    let honest = form_fields(&declaration_from(&answers));
    let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap());
    let b = Browser::open_router(dec.router.clone()).await;

    // Declared on a phone, one amount a fen off.
    b.resize(390, 844).await;
    log_in_institution(&b, code, &token).await;
    assert_eq!(b.path().await, "/institution/months/2026-11");
    b.assert_fits("390 month before declaring").await;
    let mut wrong = honest.clone();
    let i = wrong
        .iter()
        .position(|(k, _)| k.ends_with("_total"))
        .unwrap();
    let total: yibao_domain::Fen = wrong[i].1.parse().unwrap();
    wrong[i].1 = yibao_domain::Fen(total.fen() + 1).yuan_string();
    declare(&b, &wrong).await;
    assert_eq!(b.path().await, "/institution/months/2026-11");
    assert!(b.text("#recon-summary").await.contains("不一致 1 处"));
    assert!(b
        .text("#recon-table tr.recon-bad")
        .await
        .contains("医疗费用总额"));
    b.screenshot("390-institution-mismatch").await;
    fits_both(&b, "reconciliation with a mismatch").await;

    // Corrected on the phone: every line matches.
    b.resize(390, 844).await;
    declare(&b, &honest).await;
    assert!(b.text("#recon-summary").await.contains("逐项一致"));
    fits_both(&b, "reconciliation matched").await;
    b.click("form[action='/logout'] button").await;

    // The reviewer issues the statement at a desktop.
    b.resize(1366, 768).await;
    b.goto("/login").await;
    b.fill("#s-user", "cq.reviewer").await;
    b.fill("#s-pw", "demo-cq-reviewer").await;
    b.click("form[action='/login/staff'] button").await;
    b.click("nav.sub a[href='/staff/monthly']").await;
    b.goto("/staff/monthly?month=2026-11").await;
    b.click("#issue").await;
    assert!(b
        .text("#notice")
        .await
        .contains("已生成 1 家机构的月结算单"));
    fits_both(&b, "agency month").await;
    b.resize(1366, 768).await;
    b.click(&format!("#monthly a[href='/staff/monthly/2026-11/{code}']"))
        .await;
    assert_eq!(b.text("#statement-status").await, "待机构确认");
    fits_both(&b, "agency statement detail").await;
    b.click("form[action='/logout'] button").await;

    // The institution confirms on the phone, and reads it at a desktop.
    b.resize(390, 844).await;
    log_in_institution(&b, code, &token).await;
    b.assert_fits("390 statement to confirm").await;
    b.screenshot("390-institution-confirm").await;
    b.click("#confirm").await;
    assert_eq!(b.text("#statement-status").await, "待拨付");
    fits_both(&b, "statement confirmed").await;
    b.screenshot("1366-institution-confirmed").await;
    b.close().await;
    app.finish().await;
}
