//! Remote-care filings of each kind, in each guide that offers them, through the case engine at
//! the window: the refusals the guides name (wrong scheme, not retired, no referral
//! certificate, not an emergency admission, trauma outside Sichuan) and the filings they record.
//! The registry, not the form, says which scheme a person is in and whether retired.

use crate::common;

use axum::http::StatusCode;
use common::journey::{drive, outcome, window};
use common::page::assert_json_snapshot;
use common::TestApp;
use serde_json::{json, Value};

/// Seed 000 表1 for one person.
fn table1(name: &str, id: &str, scheme: &str, category: &str, province: &str, city: &str) -> Value {
    json!({
        "name": name, "scheme": scheme, "person_category": category, "registration_type": "新增",
        "id_number": id, "phone_1": "13800000009", "target_province": province, "target_prefecture": city
    })
}

fn login_of(index: usize) -> (String, String) {
    let c = &yibao_service::demo::demo_citizens().unwrap()[index];
    (c.login.clone(), c.name.clone())
}

/// Files at the window of `staff` (clerk, reviewer if the item has a review step) for `item`
/// (jurisdiction, id) and takes the case to its end.
async fn file(
    app: &TestApp,
    staff: (&str, Option<&str>),
    item: (&str, &str),
    who: &(String, String),
    form: Value,
    facts: Value,
) -> (String, common::Reply) {
    let (clerk, reviewer) = staff;
    let (jurisdiction, item) = item;
    let n = window(
        app,
        clerk,
        json!({"jurisdiction": jurisdiction, "item": item, "channel": "window", "form": form,
               "facts": facts, "applicant": {"id_number": who.0, "name": who.1}}),
    )
    .await;
    let r = drive(app, clerk, reviewer, &n).await;
    (n, r)
}

both_stores_with_demo!(sichuan_emergency_and_trauma_filings, |app| {
    app.demo().await;
    let clerk = app.staff_token("chengdu.clerk").await;
    // 陈小明 (Chengdu, resident scheme). seed 001 item 21 is the emergency-admission filing: 表1
    // has no such category, so the item decides the kind.
    let kid = login_of(4);
    let form = |province: &str, city: &str| {
        table1(
            &kid.1,
            &kid.0,
            "城乡居民医保",
            "临时异地就医人员",
            province,
            city,
        )
    };
    let (_, r) = file(
        app,
        (&clerk, None),
        ("sichuan", "21"),
        &kid,
        form("500000", "500100"),
        json!([]),
    )
    .await;
    assert_eq!(
        r.json()["code"],
        "filing.not_emergency_admission",
        "{}",
        r.body
    );
    let (n, r) = file(
        app,
        (&clerk, None),
        ("sichuan", "21"),
        &kid,
        form("500000", "500100"),
        json!(["emergency_admission"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let out = outcome(app, &clerk, &n).await;
    assert!(
        out["text"].as_str().unwrap().contains("异地急诊、抢救住院"),
        "{out}"
    );
    assert_json_snapshot("filing-sichuan-emergency-outcome", &out, &[]);
    // Trauma (the item's 备注): its registration form is asked for, and only inside Sichuan.
    let (n, r) = file(
        app,
        (&clerk, None),
        ("sichuan", "21"),
        &kid,
        form("510000", "510700"),
        json!(["trauma_admission"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = common::journey::view(app, &clerk, &n).await;
    let materials: Vec<&str> = v["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["material_id"].as_str().unwrap())
        .collect();
    assert!(
        materials.contains(&"trauma_admission_form"),
        "{materials:?}"
    );
    assert!(
        v["outcome"]["text"].as_str().unwrap().contains("外伤"),
        "{}",
        v["outcome"]
    );
    assert_json_snapshot("filing-sichuan-trauma-outcome", &v["outcome"], &[]);
    let (_, r) = file(
        app,
        (&clerk, None),
        ("sichuan", "21"),
        &kid,
        form("500000", "500100"),
        json!(["trauma_admission"]),
    )
    .await;
    assert_eq!(
        r.json()["code"],
        "filing.trauma_cross_province",
        "{}",
        r.body
    );
    assert_json_snapshot("filing-error-trauma-cross-province", &r.json(), &[]);
    // A posted worker must be in the employee scheme: the registry says he is a resident,
    // whatever the form claims (seed 001 item 19).
    let posted = table1(
        &kid.1,
        &kid.0,
        "职工医保",
        "常驻异地工作人员",
        "440000",
        "440300",
    );
    let (_, r) = file(
        app,
        (&clerk, None),
        ("sichuan", "19"),
        &kid,
        posted,
        json!(["contributions_normal"]),
    )
    .await;
    assert_eq!(r.json()["code"], "filing.wrong_scheme", "{}", r.body);
    assert_json_snapshot("filing-error-wrong-scheme", &r.json(), &[]);
});

both_stores_with_demo!(chongqing_referral_retiree_and_posted_worker, |app| {
    app.demo().await;
    let clerk = app.staff_token("cq.clerk").await;
    // 杨丽 (500000, employee in service; no online account, so built from the demo's data).
    let first17 = "50000019880229066";
    let yang = (
        format!(
            "{first17}{}",
            yibao_domain::ids::citizen_id_check_char(first17.as_bytes())
        ),
        "演示·杨丽".to_string(),
    );
    // seed 003 item 23: a referral needs the certificate of a designated hospital qualified to
    // refer.
    let referral = table1(
        &yang.1,
        &yang.0,
        "职工医保",
        "异地转诊人员",
        "110000",
        "110100",
    );
    let (_, r) = file(
        app,
        (&clerk, None),
        ("chongqing", "23"),
        &yang,
        referral.clone(),
        json!(["contributions_normal"]),
    )
    .await;
    assert_eq!(
        r.json()["code"],
        "filing.referral_certificate_missing",
        "{}",
        r.body
    );
    let (n, r) = file(
        app,
        (&clerk, None),
        ("chongqing", "23"),
        &yang,
        referral,
        json!(["contributions_normal", "referral_certificate"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(outcome(app, &clerk, &n).await["target"]
        .as_str()
        .unwrap()
        .contains("北京"));
    // She declares herself retired; the registry holds her in service: not a relocated retiree.
    let retiree = table1(
        &yang.1,
        &yang.0,
        "职工医保",
        "异地安置退休人员",
        "460000",
        "460100",
    );
    let (_, r) = file(
        app,
        (&clerk, None),
        ("chongqing", "20"),
        &yang,
        retiree,
        json!(["retired", "contributions_normal", "hukou_moved"]),
    )
    .await;
    assert!(r.body.contains("filing.not_retired"), "{}", r.body);
    assert_eq!(r.json()["code"], "filing.not_retired", "{}", r.body);
    assert_json_snapshot("filing-error-not-retired", &r.json(), &[]);
    // A posted worker in the employee scheme, posted for a year: recorded.
    let posted = table1(
        &yang.1,
        &yang.0,
        "职工医保",
        "常驻异地工作人员",
        "440000",
        "440300",
    );
    let (n, r) = file(
        app,
        (&clerk, None),
        ("chongqing", "22"),
        &yang,
        posted,
        json!(["contributions_normal", "works_elsewhere", "min_stay"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let out = outcome(app, &clerk, &n).await;
    assert!(out["text"].as_str().unwrap().contains("常驻异地工作"));
    assert_json_snapshot("filing-chongqing-posted-worker-outcome", &out, &[]);
});

// The district guides (seed 002 酉阳, seed 004 南川) file at their agency's window; Youyang's one
// 市外异地就医备案 item takes every kind it offers, including temporary filings (D07).
both_stores_with_demo!(district_guides_file_at_their_window, |app| {
    app.demo().await;
    let zhang = login_of(2); // 500242, employee in service
    let yy = app.staff_token("youyang.clerk").await;
    let yr = app.staff_token("youyang.reviewer").await;
    let temp = table1(
        &zhang.1,
        &zhang.0,
        "职工医保",
        "临时异地就医人员",
        "510000",
        "510100",
    );
    let (n, r) = file(
        app,
        (&yy, Some(&yr)),
        ("youyang", "21"),
        &zhang,
        temp,
        json!(["contributions_normal"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let out = outcome(app, &yy, &n).await;
    assert!(out["text"].as_str().unwrap().contains("临时"));
    assert_json_snapshot("filing-youyang-temporary-outcome", &out, &[]);
    let wang = login_of(0); // 500119, retired employee
    let nc = app.staff_token("nanchuan.clerk").await;
    let nr = app.staff_token("nanchuan.reviewer").await;
    let temp = table1(
        &wang.1,
        &wang.0,
        "职工医保",
        "临时异地就医人员",
        "110000",
        "110100",
    );
    let (n, r) = file(
        app,
        (&nc, Some(&nr)),
        ("nanchuan", "24"),
        &wang,
        temp,
        json!(["contributions_normal"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(outcome(app, &nc, &n).await["target"]
        .as_str()
        .unwrap()
        .contains("北京"));
});
