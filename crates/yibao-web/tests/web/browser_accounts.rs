//! A citizen registers, logs in and sees their record in a real browser (headless Chromium):
//! the forms, their CSRF tokens, the cookies and the CSP work together without JavaScript.

use crate::common;

use common::browser::Browser;
use common::TestApp;
use yibao_store::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_registers_logs_in_and_sees_their_record() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    app.demo().await;
    let mut tx = app.services.store().begin().await.unwrap();
    let yang = yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name.contains("杨丽"))
        .unwrap();
    drop(tx);

    let b = Browser::open(&app).await;
    b.goto("/register").await;
    b.fill("#r-phone1", "13987654321").await;
    b.click("form[action='/register/code'] button").await;
    assert!(b.text("#notice").await.contains("验证码已发送"));
    let code = app.phone.last_code("13987654321").expect("a code was sent");

    b.fill("#r-id", &yang.id_number).await;
    b.fill("#r-name", "演示·杨丽").await;
    b.fill("#r-phone", "13987654321").await;
    b.fill("#r-code", &code).await;
    b.fill("#r-pw", "Browser123").await;
    b.click("form[action='/register'] button").await;
    assert!(b.text("#notice").await.contains("注册成功"));

    b.fill("#c-id", &yang.id_number).await;
    b.fill("#c-pw", "Browser123").await;
    b.click("form[action='/login/citizen'] button").await;
    assert_eq!(b.path().await, "/account");
    let record = b.text("#person").await;
    assert!(
        record.contains(&yang.id_number),
        "the own record shows the full ID number: {record}"
    );

    b.click("form[action='/logout'] button").await;
    assert_eq!(b.path().await, "/");
    b.goto("/account").await;
    assert_eq!(
        b.path().await,
        "/login",
        "logged out: the account page sends to the login page"
    );
    b.close().await;
    app.finish().await;
}
