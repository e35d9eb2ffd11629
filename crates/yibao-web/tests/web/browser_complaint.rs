//! A complaint walked in a real browser (headless Chromium, issue #23): a citizen reports on a
//! phone, a wrong field comes back marked with everything typed kept; the district's supervisor
//! accepts and assigns at a desktop; the reviewer answers; the citizen evaluates on the phone.

use crate::common;

use common::browser::Browser;
use common::TestApp;
use yibao_store::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_from_a_phone_to_its_evaluation() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let demo = app.demo().await;
    let wang = &demo.citizens[0];
    let b = Browser::open(&app).await;

    b.resize(390, 844).await;
    b.goto("/login").await;
    b.fill("#c-id", &wang.login).await;
    b.fill("#c-pw", &wang.password).await;
    b.click("form[action='/login/citizen'] button").await;
    // From the guide's item 36 to the form.
    b.goto("/guide/nanchuan/36").await;
    b.click("#apply").await;
    assert_eq!(b.path().await, "/complaints/new");
    b.assert_fits("390 complaint form").await;
    b.run("document.querySelector('#kind').value = 'report'; document.querySelector('#region_code').value = '500119'; document.querySelector('#subject_kind').value = 'institution';").await;
    b.fill("#subject_name", "南川演示医院").await;
    b.fill("#institution_code", "H12").await;
    b.fill(
        "#content",
        "该医院为住院病人虚记药品费用，出院清单与实际用药不符。",
    )
    .await;
    b.fill("#reporter_phone", "13800138000").await;
    b.click("#submit-complaint").await;
    // Refused for the code: marked beside it, the rest kept.
    assert!(
        b.text("#err-institution_code").await.contains("H"),
        "the code's error is shown"
    );
    assert!(
        b.text("#content").await.contains("虚记药品费用")
            || b.number("return document.querySelector('#content').value.length;")
                .await
                > 10.0
    );
    b.fill("#institution_code", "H50011900001").await;
    b.click("#submit-complaint").await;
    let path = b.path().await;
    assert!(path.starts_with("/complaints/TS500119"), "{path}");
    assert!(b.text("#status").await.contains("待受理"));
    b.assert_fits("390 complaint").await;
    b.screenshot("390-complaint-received").await;
    b.click("form[action='/logout'] button").await;

    // The district supervisor accepts and assigns at a desktop.
    b.resize(1366, 768).await;
    b.login_staff("nanchuan.supervisor", "demo-nanchuan-supervisor")
        .await;
    b.goto("/complaints").await;
    assert!(b.text("#complaints").await.contains("南川演示医院"));
    b.goto(&path).await;
    assert!(b.text("#reporter").await.contains("13800138000"));
    b.click("#decide").await;
    assert!(b.text("#status").await.contains("办理中"));
    b.fill("#handler", "nanchuan.reviewer").await;
    b.click("#assign").await;
    b.screenshot("1366-complaint-assigned").await;
    b.click("form[action='/logout'] button").await;

    // The handler answers.
    b.login_staff("nanchuan.reviewer", "demo-nanchuan-reviewer")
        .await;
    b.goto(&path).await;
    b.fill("#text", "经核查属实，已追回基金并按协议处理。")
        .await;
    b.click("#send-answer").await;
    assert!(b.text("#status").await.contains("已答复"));
    b.click("form[action='/logout'] button").await;

    // The citizen evaluates on the phone.
    b.resize(390, 844).await;
    b.goto("/login").await;
    b.fill("#c-id", &wang.login).await;
    b.fill("#c-pw", &wang.password).await;
    b.click("form[action='/login/citizen'] button").await;
    b.goto(&path).await;
    assert!(b.text("#answer").await.contains("已追回基金"));
    b.click("#evaluate").await;
    assert!(b.text("#status").await.contains("已办结"));
    b.assert_fits("390 complaint closed").await;
    b.screenshot("390-complaint-closed").await;
    b.close().await;
    app.finish().await;
}
