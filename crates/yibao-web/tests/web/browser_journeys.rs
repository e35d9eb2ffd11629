//! The maternity and qualification journeys walked in a real browser (headless Chromium, issue
//! #23), each role at the width it works at: the clerk at a 1366 px window desk, the reviewer on
//! a 390 px phone, finance at a desk; every page fits its window. Screenshots land in the target
//! directory's `screenshots/`.

use crate::common;
use crate::maternity::{employer, ledger, person_id};

use common::browser::Browser;
use common::TestApp;
use yibao_store::Backend;

/// Chooses the option of `select` whose text is `label` (the form's choice lists have no
/// separate values).
async fn pick(b: &Browser, select: &str, label: &str) {
    b.run(&format!(
        "var s = document.querySelector({select:?}); \
         var o = Array.from(s.options).find(o => o.text === {label:?}); \
         if (!o) throw new Error('no option ' + {label:?}); s.value = o.value;"
    ))
    .await;
}

/// At the window: every material of the item presented in the original, one after another,
/// through the page's own form.
async fn present_everything(b: &Browser) {
    let count = b
        .number("return document.querySelector('#m-id').options.length;")
        .await as usize;
    for i in 0..count {
        b.run(&format!(
            "document.querySelector('#m-id').selectedIndex = {i}; \
             document.querySelector('#m-how').value = 'original';"
        ))
        .await;
        b.click("#upload").await;
    }
}

async fn has(b: &Browser, css: &str) -> bool {
    b.number(&format!("return document.querySelector({css:?}) ? 1 : 0;"))
        .await
        > 0.0
}

/// The clerk's part at 1366 px: the item's form filled as typed at the counter, materials
/// presented, submitted and accepted. Returns the case's path.
async fn open_at_window(
    b: &Browser,
    item: &str,
    id_number: &str,
    name: &str,
    fill: &[(&str, &str)],
    choose: &[(&str, &str)],
) -> String {
    b.resize(1366, 768).await;
    b.login_staff("cq.clerk", "demo-cq-clerk").await;
    b.goto(&format!("/cases/new?jurisdiction=chongqing&item={item}"))
        .await;
    b.assert_fits("1366 new case").await;
    b.fill("#a-id", id_number).await;
    b.fill("#a-name", name).await;
    for (css, text) in fill {
        b.fill(css, text).await;
    }
    for (css, label) in choose {
        pick(b, css, label).await;
    }
    b.click("#create").await;
    let path = b.path().await;
    assert!(
        path.starts_with("/cases/500000-"),
        "{path}: {}",
        b.text("main").await
    );
    present_everything(b).await;
    if has(b, "#act-submit").await {
        b.click("#act-submit").await;
    }
    b.click("#act-accept").await;
    assert!(
        b.text("#status").await.contains("已受理"),
        "{}",
        b.text("main").await
    );
    b.assert_fits("1366 accepted case").await;
    path
}

/// The step that decides the case: the clerk's 办结 where the guide has no review step (still at
/// the desk), else the reviewer's 审核通过 on a phone. Leaves the browser logged out at 390 px.
async fn decide(b: &Browser, path: &str, what: &str) {
    if has(b, "#act-complete").await {
        b.click("#act-complete").await;
        b.logout().await;
        b.resize(390, 844).await;
    } else {
        b.logout().await;
        b.resize(390, 844).await;
        b.login_staff("cq.reviewer", "demo-cq-reviewer").await;
        b.goto(path).await;
        b.assert_fits(&format!("390 {what} under review")).await;
        b.click("#act-approve").await;
        b.logout().await;
    }
}

// 重庆市 item 31 生育津贴支付 (seed 003): the clerk takes the claim at the window, the reviewer
// approves it on a phone seeing the computed allowance, finance pays it at a desk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maternity_allowance_from_the_window_to_payment() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    app.demo().await;
    let (yang, yang_id) = person_id(&app, "演示·杨丽").await;
    let (unit, _) = employer(&app, 3).await;
    ledger(&app, yang, unit, (2025, 1), 12, 800_000, true).await;
    ledger(&app, yang, unit, (2026, 1), 7, 820_000, true).await;
    let b = Browser::open(&app).await;

    let path = open_at_window(
        &b,
        "31",
        &yang_id,
        "演示·杨丽",
        &[
            ("#f-event_date", "2026年8月24日"),
            ("#f-babies", "1"),
            ("#f-bank", "中国工商银行"),
            ("#f-bank_account", "6222 0212 3456 7890"),
            ("#f-account_holder", "杨丽"),
        ],
        &[("#f-event", "分娩"), ("#f-delivery_mode", "顺产")],
    )
    .await;

    let preview = b.text("#preview").await;
    assert!(preview.contains("生育津贴"), "{preview}");
    decide(&b, &path, "maternity claim").await;
    // The person's own case record on a phone, as the counter shows it to them.
    b.login_staff("cq.clerk", "demo-cq-clerk").await;
    b.goto(&path).await;
    assert!(
        b.text("#status").await.contains("待拨付"),
        "{}",
        b.text("main").await
    );
    b.assert_fits("390 claim approved").await;
    b.screenshot("390-maternity-approved").await;
    b.logout().await;

    b.resize(1366, 768).await;
    b.login_staff("cq.finance", "demo-cq-finance").await;
    b.goto(&path).await;
    b.click("#act-disburse").await;
    assert!(
        b.text("#status").await.contains("已办结"),
        "{}",
        b.text("main").await
    );
    assert!(b.text("#outcome").await.contains("生育津贴"));
    b.assert_fits("1366 claim paid").await;
    b.screenshot("1366-maternity-paid").await;
    b.logout().await;
    // The person's record shows what was paid, with the case.
    b.resize(390, 844).await;
    b.login_staff("cq.clerk", "demo-cq-clerk").await;
    b.goto(&format!("/staff/persons/{yang}")).await;
    let paid = b.text("#maternity").await;
    assert!(
        paid.contains("生育津贴") && paid.contains("2026-08-24"),
        "{paid}"
    );
    b.assert_fits("390 person with maternity benefits").await;
    b.screenshot("390-person-maternity").await;
    b.close().await;
    app.finish().await;
}

// 重庆市 item 25 特病资格认定 (seed 003): taken at the window with the certification, approved by
// the reviewer on a phone; the person's record then shows the qualification.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qualification_from_the_window_to_the_record() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    app.demo().await;
    let (yang, yang_id) = person_id(&app, "演示·杨丽").await;
    let b = Browser::open(&app).await;

    let path = open_at_window(
        &b,
        "25",
        &yang_id,
        "演示·杨丽",
        &[
            ("#f-disease", "employee/18"),
            ("#f-certifier", "重庆市人民医院（特病鉴定）"),
            ("#f-certified_on", "2026-11-20"),
        ],
        &[
            ("#f-result", "符合准入标准"),
            ("#f-document_1", "已提供"),
            ("#f-document_2", "已提供"),
            ("#f-document_3", "已提供"),
        ],
    )
    .await;

    decide(&b, &path, "qualification").await;
    b.login_staff("cq.clerk", "demo-cq-clerk").await;
    b.goto(&path).await;
    assert!(
        b.text("#status").await.contains("已办结"),
        "{}",
        b.text("main").await
    );
    assert!(
        b.text("#outcome").await.contains("资格"),
        "{}",
        b.text("#outcome").await
    );
    b.screenshot("390-qualification-completed").await;
    b.goto(&format!("/staff/persons/{yang}")).await;
    assert!(
        b.text("#qualifications").await.contains("有效"),
        "{}",
        b.text("main").await
    );
    b.assert_fits("390 person with qualification").await;
    b.close().await;
    app.finish().await;
}
