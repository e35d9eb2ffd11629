//! Preconditions the guides state before an item can complete (issue #15), each on both sides:
//! a resident change is for a person in the resident scheme (seed 003 item 14 「已完成居民参保登记」);
//! a filing's 人员类别 must be the item's kind (one item per kind in seeds 000/001/003); the
//! long-term stay and posting of seed 003 items 21–22 「原则上不低于6个月」 is asked; the district
//! guides' manual reimbursement items (seed 002 手工报销费用结算, seed 004 items 26–27) are applied
//! for at their agency's window.

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, drive, provide_missing, view, window};
use common::TestApp;
use serde_json::{json, Value};

/// 杨丽: 500000, employee in service (no online account; built from the demo's data).
fn yang() -> (String, String) {
    let first17 = "50000019880229066";
    (
        format!(
            "{first17}{}",
            yibao_domain::ids::citizen_id_check_char(first17.as_bytes())
        ),
        "演示·杨丽".to_string(),
    )
}

fn citizen(index: usize) -> (String, String) {
    let c = &yibao_service::demo::demo_citizens().unwrap()[index];
    (c.login.clone(), c.name.clone())
}

fn table1(who: &(String, String), category: &str, province: &str, city: &str) -> Value {
    json!({
        "name": who.1, "scheme": "职工医保", "person_category": category, "registration_type": "新增",
        "id_number": who.0, "phone_1": "13800000009", "target_province": province,
        "target_prefecture": city
    })
}

both_stores_with_demo!(a_resident_change_needs_the_resident_scheme, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    let who = yang();
    let apply = |item: &'static str| {
        json!({"jurisdiction": "chongqing", "item": item, "channel": "window",
               "form": {"new_address": "重庆市渝中区解放碑街道1号"},
               "applicant": {"id_number": who.0, "name": who.1}})
    };
    // seed 003 item 14: 城乡居民参保信息变更 for an employee in service is refused, naming the
    // item she should use.
    let n = window(app, &clerk, apply("14")).await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(
        r.json()["code"],
        "registry.change.wrong_scheme",
        "{}",
        r.body
    );
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("城乡居民") && msg.contains("职工参保信息变更"),
        "{msg}"
    );
    // The same change through 职工参保信息变更 (item 13) completes.
    let n = window(app, &clerk, apply("13")).await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
});

both_stores_with_demo!(a_filing_form_must_name_the_items_kind, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    let who = yang();
    // A referral item (seed 003 item 23) whose 表1 says 异地长期居住人员 is refused at once, on
    // the field, instead of completing as a long-term filing without its proof.
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&clerk),
            json!({"jurisdiction": "chongqing", "item": "23", "channel": "window",
                   "form": table1(&who, "异地长期居住人员", "110000", "110100"),
                   "facts": ["contributions_normal", "referral_certificate"],
                   "applicant": {"id_number": who.0, "name": who.1}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errors = r.json()["details"]["errors"].clone();
    assert_eq!(errors[0]["field"], "person_category", "{errors}");
    assert_eq!(errors[0]["code"], "filing.kind_not_of_item", "{errors}");
    // The same form through the long-term item (seed 003 item 21) is accepted.
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": "chongqing", "item": "21", "channel": "window",
               "form": table1(&who, "异地长期居住人员", "110000", "110100"),
               "facts": ["contributions_normal", "min_stay"],
               "applicant": {"id_number": who.0, "name": who.1}}),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
});

both_stores_with_demo!(a_long_term_stay_of_six_months_is_asked, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    let who = yang();
    // The item states the condition with its predicate, so the application page asks it.
    let posted = |facts: Value| {
        json!({"jurisdiction": "chongqing", "item": "22", "channel": "window",
               "form": table1(&who, "常驻异地工作人员", "440000", "440300"),
               "facts": facts, "applicant": {"id_number": who.0, "name": who.1}})
    };
    let item = app.get("/api/v1/catalog/chongqing/22").await.json();
    let conditions = item["conditions"].to_string();
    assert!(conditions.contains("原则上不低于6个月"), "{conditions}");
    assert!(conditions.contains("min_stay"), "{conditions}");
    // Not declared: refused at completion with the rule and the item to use instead.
    let n = window(app, &clerk, posted(json!(["contributions_normal"]))).await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.json()["code"], "filing.stay_too_short", "{}", r.body);
    assert!(r.body.contains("临时异地就医备案"), "{}", r.body);
    // Declared and confirmed: recorded.
    let n = window(
        app,
        &clerk,
        posted(json!(["contributions_normal", "min_stay"])),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
});

/// Applies for a manual reimbursement at `staff`'s window, enters a bill and takes the case to
/// payment (待拨付) with the district's reviewer.
async fn reimburse(app: &TestApp, prefix: &str, item: (&str, &str), who: &(String, String)) {
    let clerk = app.staff_token(&format!("{prefix}.clerk")).await;
    let reviewer = app.staff_token(&format!("{prefix}.reviewer")).await;
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": item.0, "item": item.1, "channel": "window",
               "applicant": {"id_number": who.0, "name": who.1}}),
    )
    .await;
    let r = app
        .post_json(
            &format!("/api/v1/cases/{n}/bill"),
            Some(&clerk),
            json!({"care_region": "510104", "institution_code": "H51010400001",
                   "ground": "network_failure",
                   "payee": {"bank": "中国农业银行", "account": "6228 4801 2345 6789", "holder": who.1},
                   "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2",
                            "admission_id": format!("ZY-{}", item.0),
                            "lines": [{"line_no": 1, "code": "S1", "amount": 300000, "category": "a"}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{item:?}: {}", r.body);
    assert_eq!(act(app, &clerk, &n, "submit").await.status, StatusCode::OK);
    let v = view(app, &clerk, &n).await;
    provide_missing(app, &clerk, &n, &v).await;
    let r = act(app, &clerk, &n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{item:?}: {}", r.body);
    let actions = view(app, &reviewer, &n).await["actions"].to_string();
    let step = if actions.contains("\"approve\"") {
        "approve"
    } else {
        "complete"
    };
    let r = act(app, &reviewer, &n, step).await;
    assert_eq!(
        r.json()["case"]["status"],
        "disbursement",
        "{item:?}: {}",
        r.body
    );
}

both_stores_with_demo!(district_manual_reimbursement_at_their_window, |app| {
    app.demo().await;
    // seed 002 手工报销费用结算 「参保人将申报材料提交至医保经办机构」: 张 (酉阳, employee).
    reimburse(app, "youyang", ("youyang", "22"), &citizen(2)).await;
    // seed 004 item 27 「到参保区县（自治县）申请报销」: 王建国 (南川, retired employee).
    reimburse(app, "nanchuan", ("nanchuan", "27"), &citizen(0)).await;
});

// The case's documents (受理回执, 办结通知书) download as PDFs too (issue #23).
both_stores_with_demo!(a_completed_cases_documents_download_as_pdf, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    let who = yang();
    let n = window(
        app,
        &clerk,
        json!({"jurisdiction": "chongqing", "item": "22", "channel": "window",
               "form": table1(&who, "常驻异地工作人员", "440000", "440300"),
               "facts": ["contributions_normal", "min_stay"],
               "applicant": {"id_number": who.0, "name": who.1}}),
    )
    .await;
    let r = drive(app, &clerk, None, &n).await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let mut b = app.browser();
    b.get("/login").await;
    b.post_form(
        "/login/staff",
        &[("username", "cq.clerk"), ("password", "demo-cq-clerk")],
    )
    .await;
    for doc in ["receipt", "completion"] {
        let page = b.get(&format!("/cases/{n}/print/{doc}")).await;
        assert!(page.body.contains("下载 PDF"), "{}", page.body);
        let pdf = b.get(&format!("/cases/{n}/print/{doc}?format=pdf")).await;
        assert_eq!(pdf.status, StatusCode::OK, "{doc}: {}", pdf.body);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.bytes.starts_with(b"%PDF-"));
    }
    let r = b.get(&format!("/cases/{n}/print/other?format=pdf")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});
