//! The journey of issue #5 in a real browser (headless Chromium): a citizen applies online for
//! 城乡居民参保登记 (seed 001 item 3) with a material missing, the clerk issues the one-time
//! notice, the citizen corrects, the clerk accepts and completes (即办件), and the citizen sees
//! it completed and evaluates it.

use crate::common;

use common::browser::Browser;
use common::TestApp;
use yibao_store::Backend;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n";

async fn login(b: &Browser, kind: &str, user: &str, password: &str) {
    b.goto("/login").await;
    match kind {
        "citizen" => {
            b.fill("#c-id", user).await;
            b.fill("#c-pw", password).await;
            b.click("form[action='/login/citizen'] button").await;
        }
        _ => {
            b.fill("#s-user", user).await;
            b.fill("#s-pw", password).await;
            b.click("form[action='/login/staff'] button").await;
        }
    }
}

async fn logout(b: &Browser) {
    b.click("form[action='/logout'] button").await;
}

async fn choose(b: &Browser, select: &str, value: &str) {
    b.click(&format!("{select} option[value='{value}']")).await;
}

async fn upload(b: &Browser, material: &str, file: &std::path::Path) {
    choose(b, "#m-id", material).await;
    choose(b, "#m-how", "upload").await;
    b.fill_file("#m-file", file).await;
    b.click("#upload").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_online_corrects_after_a_notice_and_evaluates() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let demo = app.demo().await;
    let liu = &demo.citizens[3];
    let dir = std::env::temp_dir().join(format!("yibao-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let form_pdf = dir.join("登记表.pdf");
    let id_pdf = dir.join("身份证.pdf");
    std::fs::write(&form_pdf, PDF).unwrap();
    std::fs::write(&id_pdf, [PDF, b"% id\n"].concat()).unwrap();

    let b = Browser::open(&app).await;
    login(&b, "citizen", &liu.login, &liu.password).await;
    b.goto("/guide/sichuan/03").await;
    b.click("#apply").await;
    assert_eq!(b.path().await, "/cases/new");
    b.click("#create").await;
    let case_path = b.path().await;
    assert!(case_path.starts_with("/cases/510100-"), "{case_path}");
    // Only the registration form; the identity document is missing.
    upload(&b, "resident_enrol_form", &form_pdf).await;
    assert!(b.text("#notice").await.contains("材料已提交"));
    b.click("#act-submit").await;
    assert!(b.text("#status").await.contains("已提交待受理"));
    logout(&b).await;

    login(&b, "staff", "chengdu.clerk", "demo-chengdu-clerk").await;
    b.goto("/cases").await;
    assert!(b.text("#cases").await.contains("城乡居民参保登记"));
    b.goto(&case_path).await;
    assert!(b.text("#missing").await.contains("有效身份证件"));
    b.click("#act-issue_notice").await;
    assert!(b.text("#status").await.contains("待补正"));
    logout(&b).await;

    login(&b, "citizen", &liu.login, &liu.password).await;
    b.goto(&case_path).await;
    assert!(
        b.text(".notice-doc").await.contains("有效身份证件"),
        "the notice is shown online"
    );
    upload(&b, "id_document", &id_pdf).await;
    b.click("#act-correct").await;
    assert!(b.text("#status").await.contains("已提交待受理"));
    logout(&b).await;

    login(&b, "staff", "chengdu.clerk", "demo-chengdu-clerk").await;
    b.goto(&case_path).await;
    b.click("#act-accept_and_complete").await;
    assert!(b.text("#status").await.contains("已办结"));
    logout(&b).await;

    login(&b, "citizen", &liu.login, &liu.password).await;
    b.goto("/cases").await;
    assert!(b.text("#cases").await.contains("已办结"));
    b.goto(&case_path).await;
    assert!(b.text("#outcome").await.contains("参保登记"));
    choose(&b, "#e-level", "very_satisfied").await;
    b.fill("#e-comment", "网上办理很方便").await;
    b.click("#evaluate").await;
    assert!(b.text("#evaluation").await.contains("非常满意"));
    b.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    app.finish().await;
}
