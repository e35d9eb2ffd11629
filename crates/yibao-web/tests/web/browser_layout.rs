//! The layout in a real browser (headless Chromium) at a 390 px phone and a 1366 px desktop
//! (issue #23): no page wider than the screen, header links never one character per line, the
//! staff's links on one row at 1366 px, wide tables scrolling inside their box, and print
//! buttons that work under the site's CSP (a same-origin script, no inline handler). Screenshots
//! land in the target directory's `screenshots/`.

use crate::common;

use common::browser::Browser;
use common::TestApp;
use yibao_store::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fit_a_phone_and_a_desktop() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let demo = app.demo().await;
    let wang = &demo.citizens[0];
    let b = Browser::open(&app).await;

    // A citizen on a phone: guide, a window-only item, the application form refused and kept.
    b.resize(390, 844).await;
    b.goto("/login").await;
    b.fill("#c-id", &wang.login).await;
    b.fill("#c-pw", &wang.password).await;
    b.click("form[action='/login/citizen'] button").await;
    b.assert_fits("390 account").await;
    let header = b
        .number("return document.querySelector('header.site').getBoundingClientRect().height;")
        .await;
    assert!(header < 160.0, "390: header {header} px tall");
    // The e-voucher (seed 000 item 01): activated on the phone, its QR code drawn inline and
    // whole on the screen.
    b.goto("/account/evoucher").await;
    b.click("#activate").await;
    assert_eq!(b.path().await, "/account/evoucher");
    b.assert_fits("390 e-voucher").await;
    let qr = b
        .number("const r = document.querySelector('#qr svg').getBoundingClientRect(); return r.right <= window.innerWidth && r.width >= 200 ? r.width : -1;")
        .await;
    assert!(
        qr >= 200.0,
        "390: the QR code is {qr} px wide or off the screen"
    );
    b.screenshot("390-evoucher").await;
    b.goto("/guide/nanchuan/11").await;
    b.assert_fits("390 guide").await;
    assert!(b.text("#guide-only").await.contains("窗口"));
    b.screenshot("390-guide-window-only").await;
    b.goto("/cases/new?jurisdiction=chongqing&item=24").await;
    b.fill("#f-target_province", "火星").await;
    b.fill("#f-care_region_address", "海口市美兰区演示路1号")
        .await;
    b.run("document.querySelector('#f-scheme').value = '职工医保'; document.querySelector('#f-person_category').value = '临时异地就医人员'; document.querySelector('#f-registration_type').value = '新增';").await;
    b.click("#create").await;
    b.assert_fits("390 refused form").await;
    assert!(b.text("#err-target_province").await.contains("火星"));
    let kept = b
        .client
        .execute(
            "return document.querySelector('#f-care_region_address').value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, "海口市美兰区演示路1号");
    b.screenshot("390-form-refused-and-kept").await;
    b.fill("#f-target_province", "海南省").await;
    b.click("#create").await;
    let path = b.path().await;
    assert!(path.starts_with("/cases/"), "{path}");
    b.assert_fits("390 case").await;
    b.screenshot("390-case").await;
    // The receipt prints through the same-origin script (the CSP blocks inline handlers).
    b.goto(&format!("{path}/print/completion")).await;
    b.run("window.__printed = false; window.print = function () { window.__printed = true; };")
        .await;
    b.click("#print").await;
    let printed = b
        .client
        .execute("return window.__printed;", vec![])
        .await
        .unwrap();
    assert_eq!(printed, true, "the print button works under the CSP");

    // Staff at 1366 px: the city's administrator has the most links; one row, no wrapping.
    b.click("form[action='/logout'] button").await;
    b.resize(1366, 768).await;
    b.goto("/login").await;
    b.fill("#s-user", "cq.admin").await;
    b.fill("#s-pw", "demo-cq-admin").await;
    b.click("form[action='/login/staff'] button").await;
    b.goto("/cases").await;
    b.assert_fits("1366 workbench").await;
    // The city sees the case its Nanchuan district holds (it used to say 暂无办件).
    let number = path.trim_start_matches("/cases/").to_string();
    assert!(b.text("main table").await.contains(&number), "{number}");
    b.click(&format!("a[href='/cases/{number}']")).await;
    assert_eq!(b.path().await, format!("/cases/{number}"));
    b.goto("/cases").await;
    let sub = b
        .number("return document.querySelector('nav.sub').getBoundingClientRect().height;")
        .await;
    assert!(
        sub < 50.0,
        "1366: the staff links take {sub} px (more than one row)"
    );
    let header = b
        .number("return document.querySelector('header.site').getBoundingClientRect().height;")
        .await;
    assert!(header < 70.0, "1366: header {header} px tall");
    b.screenshot("1366-workbench").await;
    // The same account on a phone: the links scroll sideways in one row.
    b.resize(390, 844).await;
    b.goto("/staff/persons").await;
    b.assert_fits("390 persons").await;
    let sub = b
        .number("return document.querySelector('nav.sub').getBoundingClientRect().height;")
        .await;
    assert!(sub < 50.0, "390: the staff links take {sub} px");
    b.screenshot("390-persons").await;
    // Finance's contribution page, with its four forms and the policy table, on both widths.
    b.click("form[action='/logout'] button").await;
    b.goto("/login").await;
    b.fill("#s-user", "cq.finance").await;
    b.fill("#s-pw", "demo-cq-finance").await;
    b.click("form[action='/login/staff'] button").await;
    b.goto("/staff/contributions").await;
    b.assert_fits("390 contributions").await;
    b.resize(1366, 768).await;
    b.goto("/staff/contributions").await;
    b.assert_fits("1366 contributions").await;
    b.screenshot("1366-contributions").await;
    // The supervisor's dashboard: its charts fit both widths.
    b.click("form[action='/logout'] button").await;
    b.goto("/login").await;
    b.fill("#s-user", "cq.supervisor").await;
    b.fill("#s-pw", "demo-cq-supervisor").await;
    b.click("form[action='/login/staff'] button").await;
    b.goto("/staff/dashboard").await;
    b.assert_fits("1366 dashboard").await;
    b.screenshot("1366-dashboard").await;
    b.resize(390, 844).await;
    b.goto("/staff/dashboard").await;
    b.assert_fits("390 dashboard").await;
    b.screenshot("390-dashboard").await;
    b.close().await;
    app.finish().await;
}
