//! Complaints and reports (投诉、举报受理, seed 004 item 36, 南川): received online or at the
//! window (incl. 12345 handovers), decided (受理 / 不予受理 / 移交 per 《社会保险法》第八十二条),
//! assigned, answered, evaluated; the reporter's identity shown only to those handling it.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

async fn citizen(app: &TestApp, index: usize) -> String {
    let c = &yibao_service::demo::demo_citizens().unwrap()[index];
    app.token(json!({"kind": "citizen", "id_number": c.login, "password": c.password}))
        .await
}

fn report(anonymous: bool) -> Value {
    json!({
        "kind": "report", "region_code": "500119", "subject_kind": "institution",
        "subject_name": "南川演示医院", "institution_code": "H50011900001",
        "content": "该医院为住院病人虚记药品费用，出院清单与实际用药不符。",
        "anonymous": anonymous, "reporter_phone": "13800138000"
    })
}

both_stores_with_demo!(
    an_online_report_is_decided_assigned_answered_and_evaluated,
    |app| {
        app.demo().await;
        let me = citizen(app, 0).await;
        let r = app
            .post_json("/api/v1/complaints", Some(&me), report(false))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let c = r.json()["complaint"].clone();
        let number = c["number"].as_str().unwrap().to_string();
        assert!(number.starts_with("TS500119"), "{number}");
        assert_eq!(c["status"], "received");
        assert_eq!(c["channel"], "online");
        assert_eq!(c["agency_name"], "重庆市南川区医疗保障事务中心（演示）");
        assert_eq!(c["limits_example"], true);
        // The reporter sees their own identity in full.
        assert_eq!(c["reporter_phone"], "13800138000");
        assert_eq!(c["reporter_masked"], false);

        // A clerk of the agency sees it, the reporter masked; a supervisor in full.
        let clerk = app.staff_token("nanchuan.clerk").await;
        let r = app
            .call(
                "GET",
                &format!("/api/v1/complaints/{number}"),
                Some(&clerk),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["complaint"]["reporter_phone"], "138****8000");
        assert_eq!(r.json()["complaint"]["reporter_masked"], true);
        assert!(r.json()["complaint"]["actions"]
            .as_array()
            .unwrap()
            .is_empty());
        let sup = app.staff_token("nanchuan.supervisor").await;
        let r = app
            .call(
                "GET",
                &format!("/api/v1/complaints/{number}"),
                Some(&sup),
                None,
            )
            .await;
        assert_eq!(r.json()["complaint"]["reporter_phone"], "13800138000");
        assert_eq!(r.json()["complaint"]["actions"], json!(["decide"]));
        // The city agency supervises it but its lists carry no identity; 酉阳 does not see it at all.
        let city = app.staff_token("cq.supervisor").await;
        let r = app
            .call(
                "GET",
                "/api/v1/complaints?q=南川演示医院",
                Some(&city),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["total"], 1);
        assert!(!r.body.contains("13800138000"), "{}", r.body);
        let yy = app.staff_token("youyang.clerk").await;
        let r = app
            .call(
                "GET",
                &format!("/api/v1/complaints/{number}"),
                Some(&yy),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        // Only the agency's own staff decide: the city's supervisor may not.
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/decision"),
                Some(&city),
                json!({"decision": "accept"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // A clerk may not decide either.
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/decision"),
                Some(&clerk),
                json!({"decision": "accept"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/decision"),
                Some(&sup),
                json!({"decision": "accept"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["complaint"]["status"], "accepted");
        assert!(r.json()["complaint"]["answer_by"].is_string());
        // Deciding twice is refused.
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/decision"),
                Some(&sup),
                json!({"decision": "refuse", "reason": "重复"}),
            )
            .await;
        assert_eq!(r.json()["code"], "complaint.status", "{}", r.body);

        // Assigned to a reviewer of the agency (not to another agency's staff).
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/assign"),
                Some(&sup),
                json!({"handler": "youyang.clerk"}),
            )
            .await;
        assert_eq!(r.json()["code"], "complaint.handler", "{}", r.body);
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/assign"),
                Some(&sup),
                json!({"handler": "nanchuan.reviewer"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let reviewer = app.staff_token("nanchuan.reviewer").await;
        let r = app
            .call(
                "GET",
                &format!("/api/v1/complaints/{number}"),
                Some(&reviewer),
                None,
            )
            .await;
        assert_eq!(
            r.json()["complaint"]["reporter_phone"],
            "13800138000",
            "the handler sees who reported"
        );
        assert_eq!(r.json()["complaint"]["actions"], json!(["answer"]));
        // The reporter cannot evaluate before the answer; the supervisor cannot answer for the handler.
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/evaluation"),
                Some(&me),
                json!({"evaluation": "satisfied"}),
            )
            .await;
        assert_eq!(r.json()["code"], "complaint.status", "{}", r.body);
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/answer"),
                Some(&sup),
                json!({"text": "已核查"}),
            )
            .await;
        assert_eq!(r.json()["code"], "complaint.not_handler", "{}", r.body);
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/answer"),
                Some(&reviewer),
                json!({"text": "经核查，该院虚记药品费用属实，已追回并按协议处理。"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["complaint"]["status"], "answered");

        let r = app.call("GET", "/api/v1/complaints", Some(&me), None).await;
        assert_eq!(
            r.json()["complaints"][0]["number"],
            number.as_str(),
            "{}",
            r.body
        );
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{number}/evaluation"),
                Some(&me),
                json!({"evaluation": "basically_satisfied", "comment": "处理及时"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = r.json()["complaint"].clone();
        assert_eq!(c["status"], "closed");
        assert_eq!(c["evaluation_label"], "基本满意");
        let labels: Vec<&str> = c["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action_label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["登记", "受理", "分派承办人", "答复", "评价"]);

        // Linked to the institution it is about.
        let r = app
            .call(
                "GET",
                "/api/v1/institutions/H50011900001/complaints",
                Some(&sup),
                None,
            )
            .await;
        assert_eq!(
            r.json()["complaints"][0]["number"],
            number.as_str(),
            "{}",
            r.body
        );
        // Another citizen does not see it.
        let other = citizen(app, 1).await;
        let r = app
            .call(
                "GET",
                &format!("/api/v1/complaints/{number}"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
);

both_stores_with_demo!(
    anonymous_reports_complaints_and_handovers_follow_the_rules,
    |app| {
        app.demo().await;
        let me = citizen(app, 0).await;
        // An anonymous report carries no identity to anyone but the reporter's own list.
        let r = app
            .post_json("/api/v1/complaints", Some(&me), report(true))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let number = r.json()["complaint"]["number"]
            .as_str()
            .unwrap()
            .to_string();
        let sup = app.staff_token("nanchuan.supervisor").await;
        let r = app
            .call(
                "GET",
                &format!("/api/v1/complaints/{number}"),
                Some(&sup),
                None,
            )
            .await;
        assert_eq!(r.json()["complaint"]["anonymous"], true);
        assert!(r.json()["complaint"]["reporter_name"].is_null());
        assert!(r.json()["complaint"]["reporter_id_number"].is_null());

        // A 投诉 must be real-name; every wrong field is named at once.
        let r = app
            .post_json(
                "/api/v1/complaints",
                Some(&me),
                json!({
                    "kind": "complaint", "region_code": "500119", "subject_kind": "agency",
                    "subject_name": "", "content": "太短", "anonymous": true
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let body = r.json();
        let fields: Vec<&str> = body["details"]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["content", "subject_name", "reporter_name"],
            "{}",
            r.body
        );

        // Not signed in: told to sign in or call.
        let r = app
            .post_json("/api/v1/complaints", None, report(true))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

        // A clerk enters a 12345 handover: the work order is required.
        let clerk = app.staff_token("nanchuan.clerk").await;
        let handover = |ticket: Option<&str>| {
            json!({
                "kind": "complaint", "channel": "hotline_12345", "ticket": ticket,
                "subject_kind": "agency", "subject_name": "南川区医保服务窗口",
                "content": "窗口工作人员未一次性告知需补正的材料，往返三次。",
                "reporter_name": "李四", "reporter_phone": "13900139000"
            })
        };
        let r = app
            .post_json("/api/v1/complaints", Some(&clerk), handover(None))
            .await;
        assert_eq!(r.json()["code"], "complaint.ticket", "{}", r.body);
        let r = app
            .post_json(
                "/api/v1/complaints",
                Some(&clerk),
                handover(Some("12345-2026-000981")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let n2 = r.json()["complaint"]["number"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(r.json()["complaint"]["channel_label"], "12345热线转办");
        assert!(r.json()["complaint"]["events"][0]["note"]
            .as_str()
            .unwrap()
            .contains("12345-2026-000981"));

        // 社会保险法第八十二条: not within the remit → transferred, with the department named.
        let r = app
            .post_json(
                &format!("/api/v1/complaints/{n2}/decision"),
                Some(&sup),
                json!({"decision": "transfer", "reason": "属于卫生健康部门职责"}),
            )
            .await;
        assert_eq!(
            r.json()["code"],
            "complaint.department_required",
            "{}",
            r.body
        );
        let r = app
        .post_json(&format!("/api/v1/complaints/{n2}/decision"), Some(&sup), json!({"decision": "transfer", "department": "南川区卫生健康委员会", "reason": "属于医疗服务管理"}))
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["complaint"]["status"], "transferred");
        assert_eq!(
            r.json()["complaint"]["transferred_to"],
            "南川区卫生健康委员会"
        );
        assert_eq!(r.json()["complaint"]["timeliness"], "done");

        // The staff list: open ones first, filtered by status; nothing of the reporters.
        let r = app
            .call(
                "GET",
                "/api/v1/complaints?status=received",
                Some(&sup),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 1, "{}", r.body);
        assert_eq!(r.json()["complaints"][0]["number"], number.as_str());
        assert!(!r.body.contains("李四"));
        let r = app
            .call(
                "GET",
                "/api/v1/complaints?status=nonsense",
                Some(&sup),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        // An institution's own token may not read complaints.
        let inst = app
            .nanchuan_hospital_token("H50011900001", "南川演示医院")
            .await;
        let r = app
            .call(
                "GET",
                &format!("/api/v1/complaints/{number}"),
                Some(&inst),
                None,
            )
            .await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
            "{}",
            r.body
        );
    }
);

async fn staff_browser<'a>(app: &'a TestApp, user: &str) -> common::Browser<'a> {
    let mut b = app.browser();
    b.get("/login").await;
    let (prefix, role) = user.split_once('.').unwrap();
    let r = b
        .post_form(
            "/login/staff",
            &[
                ("username", user),
                ("password", &format!("demo-{prefix}-{role}")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b
}

both_stores_with_demo!(the_pages_keep_what_was_typed_and_walk_every_step, |app| {
    let demo = app.demo().await;
    let me = &demo.citizens[0];
    let mut b = app.browser();
    b.get("/login").await;
    b.post_form(
        "/login/citizen",
        &[("id_number", &me.login), ("password", &me.password)],
    )
    .await;
    // The guide's item 36 leads to the complaint form.
    let guide = b.get("/guide/nanchuan/36").await;
    assert!(
        guide.body.contains("href=\"/complaints/new\""),
        "{}",
        guide.body
    );
    let form = b.get("/complaints/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("示例参数"),
        "the limits are labelled an example"
    );
    // A wrong field comes back marked, with everything typed kept.
    let typed = "该药店以日用品冒充药品刷医保卡结算。";
    let r = b
        .post_form(
            "/complaints/new",
            &[
                ("kind", "report"),
                ("region_code", "500119"),
                ("subject_kind", "institution"),
                ("subject_name", "南川演示药房"),
                ("institution_code", "X12"),
                ("content", typed),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"err-institution_code\""), "{}", r.body);
    assert!(
        r.body.contains(typed) && r.body.contains("南川演示药房"),
        "{}",
        r.body
    );
    let r = b
        .post_form(
            "/complaints/new",
            &[
                ("kind", "report"),
                ("region_code", "500119"),
                ("subject_kind", "institution"),
                ("subject_name", "南川演示药房"),
                ("institution_code", "P50011900002"),
                ("content", typed),
                ("reporter_phone", "13800138000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap().to_string();
    let number = location.trim_start_matches("/complaints/").to_string();
    let page = b.get(&location).await;
    assert!(page.body.contains("已登记，待受理"), "{}", page.body);
    assert!(!page.body.contains("decide-form"));
    let mine = b.get("/complaints").await;
    assert!(mine.body.contains(&number), "{}", mine.body);

    // The supervisor decides and assigns; the reviewer answers; the citizen evaluates.
    let mut sup = staff_browser(app, "nanchuan.supervisor").await;
    let list = sup.get("/complaints?status=received").await;
    assert!(list.body.contains(&number), "{}", list.body);
    assert!(!list.body.contains("13800138000"), "no identity in lists");
    let page = sup.get(&location).await;
    assert!(
        page.body.contains("13800138000"),
        "the supervisor sees the reporter"
    );
    let r = sup
        .post_form(
            &format!("{location}/decision"),
            &[("decision", "refuse"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("请写明理由"), "{}", r.body);
    let r = sup
        .post_form(&format!("{location}/decision"), &[("decision", "accept")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = sup
        .post_form(
            &format!("{location}/assign"),
            &[("handler", "nanchuan.reviewer")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut clerk = staff_browser(app, "nanchuan.clerk").await;
    let page = clerk.get(&location).await;
    assert!(
        page.body.contains("138****8000") && page.body.contains("已保密"),
        "{}",
        page.body
    );
    let mut rev = staff_browser(app, "nanchuan.reviewer").await;
    let page = rev.get(&location).await;
    assert!(page.body.contains("answer-form"), "{}", page.body);
    let r = rev
        .post_form(
            &format!("{location}/answer"),
            &[("text", "经核查属实，已责令该药店整改并追回基金。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get(&location).await;
    assert!(
        page.body.contains("evaluate-form") && page.body.contains("已责令该药店整改"),
        "{}",
        page.body
    );
    let r = b
        .post_form(
            &format!("{location}/evaluation"),
            &[("evaluation", "satisfied"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get(&location).await;
    assert!(
        page.body.contains("已办结") && page.body.contains("满意"),
        "{}",
        page.body
    );

    // The staff list exports to Excel.
    let x = sup.get("/complaints?format=xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.bytes.starts_with(b"PK"), "an xlsx is a zip");
});
