//! Printed certificates and their verification (证明核验, issue #23).

use axum::http::StatusCode;

// 参保证明 (issue #23): the printed certificate carries a verification code that anyone can
// check at /verify, which shows what was issued with the name and ID number masked.
both_stores_with_demo!(a_printed_certificate_is_verified_by_its_code, |app| {
    let demo = app.demo().await;
    let me = &demo.citizens[0];
    let mut b = app.browser();
    b.get("/login").await;
    b.post_form(
        "/login/citizen",
        &[("id_number", &me.login), ("password", &me.password)],
    )
    .await;
    let cert = b.get("/account/record/certificate").await;
    assert_eq!(cert.status, StatusCode::OK, "{}", cert.body);
    let pat = "id=\"verification-code\">";
    let i = cert.body.find(pat).expect("a verification code") + pat.len();
    let code = cert.body[i..].split('<').next().unwrap().to_string();
    assert_eq!(code.len(), 19, "{code}");
    // The same certificate as a PDF, with the CJK font embedded; it carries the same code.
    let pdf = b.get("/account/record/certificate?format=pdf").await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert!(pdf.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".pdf"));
    // Printed again the same day: the same content keeps its code.
    let again = b.get("/account/record/certificate").await;
    assert!(again.body.contains(&code));

    // Anyone, not signed in, typing it in lower case with spaces.
    let typed = code.to_lowercase().replace('-', " ");
    let r = app
        .get(&format!("/verify?code={}", typed.replace(' ', "+")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("核验通过") && r.body.contains("基本医疗保险个人参保证明"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains(&me.login),
        "the ID number is masked: {}",
        r.body
    );
    let masked = yibao_domain::ids::mask_id_number(&me.login);
    assert!(r.body.contains(&masked), "{}", r.body);
    // A code nobody issued, and nonsense.
    let r = app.get("/verify?code=ABCD-EFGH-JKMN-PQRS").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("未找到该核验码"), "{}", r.body);
    let r = app.get("/verify?code=%00%E4%B8%AD").await;
    assert!(
        r.status == StatusCode::NOT_FOUND || r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.status
    );
    let r = app.get("/verify").await;
    assert_eq!(r.status, StatusCode::OK);
});
