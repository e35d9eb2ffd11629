//! Disbursement in batches: manual reimbursements (seed 003 item 27 住院费用手工报销) approved
//! and waiting for payment are paid together by finance, one line per case, the total the sum
//! of what each case reimburses; the batch belongs to the agency that decides the cases.

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, provide, provide_missing, view};
use common::page::one_text;
use common::TestApp;
use serde_json::json;

async fn waiting_case(
    app: &TestApp,
    clerk: &str,
    id_number: &str,
    name: &str,
    admission: &str,
) -> String {
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(clerk),
            json!({"jurisdiction":"chongqing","item":"27","channel":"window",
                   "applicant": {"id_number": id_number, "name": name}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let n = r.json()["case"]["number"].as_str().unwrap().to_string();
    for m in [
        "id_document",
        "hospital_receipts",
        "expense_list",
        "diagnosis_certificate",
        "medical_records",
        "bank_account",
    ] {
        provide(app, clerk, &n, m).await;
    }
    let bill = json!({
        "care_region": "510104", "institution_code": "H51010400001", "ground": "non_networked_place", "payee": {"bank": "中国工商银行南川支行", "account": "6222021234567890", "holder": "王建国"},
        "bill": {"date": "2026-10-10", "visit": "inpatient", "hospital_level": "level_3", "admission_id": admission,
                 "lines": [{"line_no": 1, "code": "S1", "amount": 300000, "category": "a"}]}
    });
    let r = app
        .post_json(&format!("/api/v1/cases/{n}/bill"), Some(clerk), bill)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(act(app, clerk, &n, "submit").await.status, StatusCode::OK);
    let v = view(app, clerk, &n).await;
    provide_missing(app, clerk, &n, &v).await;
    let r = act(app, clerk, &n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Four eyes: the district's reviewer, not the clerk who entered the bill, approves it.
    let reviewer = app.staff_token("nanchuan.reviewer").await;
    let r = act(app, &reviewer, &n, "complete").await;
    assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
    n
}

both_stores_with_demo!(finance_pays_waiting_cases_in_one_batch, |app| {
    let demo = app.demo().await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    let wang = &demo.citizens[0];
    let li = &demo.citizens[1];
    let a = waiting_case(app, &clerk, &wang.login, "演示·王建国", "BF-1").await;
    let b = waiting_case(app, &clerk, &li.login, "演示·李秀英", "BF-2").await;
    let finance = app.staff_token("nanchuan.finance").await;
    let w = app
        .call("GET", "/api/v1/disbursement/waiting", Some(&finance), None)
        .await;
    let numbers: Vec<&str> = w.json()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|s| {
            if s == a {
                "a"
            } else if s == b {
                "b"
            } else {
                "?"
            }
        })
        .collect();
    assert_eq!(numbers.len(), 2, "{}", w.body);
    assert!(numbers.contains(&"a") && numbers.contains(&"b"));
    // Only finance pays; a case of another agency or not waiting cannot be named.
    let r = app
        .post_json("/api/v1/disbursement/batches", Some(&clerk), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post_json(
            "/api/v1/disbursement/batches",
            Some(&finance),
            json!({"cases": ["500119-20261122-999999"]}),
        )
        .await;
    assert_eq!(
        r.json()["code"],
        "disbursement.case_not_waiting",
        "{}",
        r.body
    );
    let r = app
        .post_json("/api/v1/disbursement/batches", Some(&finance), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let batch = r.json();
    assert!(
        batch["batch"]["number"]
            .as_str()
            .unwrap()
            .starts_with("500119-BF-20261122-"),
        "{batch}"
    );
    assert_eq!(batch["batch"]["status"], "closed");
    assert_eq!(batch["batch"]["paid_count"], 2);
    let lines = batch["lines"].as_array().unwrap();
    assert!(lines.iter().all(|l| l["result"] == "paid"), "{batch}");
    // The total is what the two cases reimburse, each as its own outcome says.
    let mut sum = 0;
    for n in [&a, &b] {
        let v = view(app, &finance, n).await;
        assert_eq!(v["case"]["status"], "completed");
        sum += v["outcome"]["reimbursed"].as_i64().unwrap();
    }
    assert!(sum > 0);
    assert_eq!(batch["batch"]["total_fen"], sum);
    // Nothing left to pay; the batch is listed and readable in its agency only.
    let r = app
        .post_json("/api/v1/disbursement/batches", Some(&finance), json!({}))
        .await;
    assert_eq!(r.json()["code"], "disbursement.nothing");
    let id = batch["batch"]["id"].as_i64().unwrap();
    let r = app
        .call("GET", "/api/v1/disbursement/batches", Some(&finance), None)
        .await;
    assert_eq!(r.json()["batches"][0]["id"], id);
    let sup = app.staff_token("nanchuan.supervisor").await;
    assert_eq!(
        app.call(
            "GET",
            &format!("/api/v1/disbursement/batches/{id}"),
            Some(&sup),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    let cq = app.staff_token("cq.finance").await;
    assert_eq!(
        app.call(
            "GET",
            &format!("/api/v1/disbursement/batches/{id}"),
            Some(&cq),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
});

both_stores_with_demo!(finance_pays_from_the_page, |app| {
    let demo = app.demo().await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    let wang = &demo.citizens[0];
    let n = waiting_case(app, &clerk, &wang.login, "演示·王建国", "BF-P").await;
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[
                ("username", "nanchuan.finance"),
                ("password", "demo-nanchuan-finance"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = b.get("/cases/disbursement").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&n), "{}", page.body);
    // Finance sees each case's calculated payment and the total before paying …
    let finance = app.staff_token("nanchuan.finance").await;
    let due = view(app, &finance, &n).await["reimbursement_preview"]["reimbursed"]
        .as_i64()
        .unwrap();
    assert!(due > 0);
    let shown = yibao_domain::Fen(due).to_string();
    assert_eq!(one_text(&page.body, "#waiting tbody td.amount"), shown);
    assert_eq!(one_text(&page.body, "#waiting-total"), shown);
    // … and pays only after confirming what was listed.
    let r = b
        .post_form("/cases/disbursement", &[("cases", n.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("勾选确认"));
    assert!(view(app, &finance, &n).await["case"]["status"] == "disbursement");
    let r = b
        .post_form(
            "/cases/disbursement",
            &[("cases", n.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap().to_string();
    let page = b.get(&location).await;
    assert!(page.body.contains("已拨付"), "{}", page.body);
    let paid = view(app, &finance, &n).await["outcome"]["reimbursed"]
        .as_i64()
        .unwrap();
    assert!(
        page.body.contains(&yibao_domain::Fen(paid).to_string()),
        "{}",
        page.body
    );
    // The batch downloads as a PDF for finance's files (issue #23).
    let pdf = b.get(&format!("{location}?format=pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    // Paying the same list again: nothing of it waits any more.
    let r = b
        .post_form(
            "/cases/disbursement",
            &[("cases", n.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是本机构待拨付的办件"), "{}", r.body);
});
