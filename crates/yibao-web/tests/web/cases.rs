//! Case journeys through the API, as a citizen, a clerk and a reviewer take them: an immediate
//! item online with a one-time notice, a promised item with review, a cross-region window case
//! with its transit pause, a filing that becomes a filing; and the refusals: illegal moves,
//! repeated notices, disguised and oversized uploads, other people's cases.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::page::{assert_json_snapshot, assert_page_snapshot, count, one_text};
use common::{Reply, TestApp};
use serde_json::{json, Value};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

async fn upload(
    app: &TestApp,
    token: &str,
    number: &str,
    material: &str,
    how: &str,
    bytes: &[u8],
    name: &str,
) -> Reply {
    let boundary = "yibaoBOUNDARY";
    let mut body = Vec::new();
    for (k, v) in [("material_id", material), ("provided_as", how)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if !bytes.is_empty() {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/api/v1/cases/{number}/materials"))
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn act(app: &TestApp, token: &str, number: &str, action: &str, note: &str) -> Reply {
    app.post_json(
        &format!("/api/v1/cases/{number}/actions/{action}"),
        Some(token),
        json!({ "note": note }),
    )
    .await
    .log(action)
}

trait Log {
    fn log(self, what: &str) -> Self;
}

impl Log for Reply {
    /// Shows the body of a refusal in the test output (printed only when a test fails).
    fn log(self, what: &str) -> Self {
        if !self.status.is_success() {
            eprintln!("{what}: {} {}", self.status, self.body);
        }
        self
    }
}

async fn view(app: &TestApp, token: &str, number: &str) -> Value {
    let r = app
        .call("GET", &format!("/api/v1/cases/{number}"), Some(token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["view"].clone()
}

/// A browser logged in as demo citizen `n`.
async fn citizen_browser(app: &TestApp, n: usize) -> common::Browser<'_> {
    let demo = app.demo().await;
    let c = &demo.citizens[n];
    let mut b = app.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/citizen",
            &[("id_number", &c.login), ("password", &c.password)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b
}

async fn citizen(app: &TestApp, n: usize) -> (String, String) {
    let demo = app.demo().await;
    let c = &demo.citizens[n];
    let t = app
        .token(json!({"kind":"citizen","id_number": c.login,"password": c.password}))
        .await;
    (t, c.login.clone())
}

both_stores_with_demo!(an_immediate_item_online_with_a_one_time_notice, |app| {
    // 刘芳, Chengdu (510100): seed 001 item 3 城乡居民参保登记 — 即时办结, online where offered.
    let (me, id_number) = citizen(app, 3).await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&me),
            json!({"jurisdiction":"sichuan","item":"03","channel":"online"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let number = r.json()["case"]["number"].as_str().unwrap().to_string();
    assert!(
        number.starts_with("510100-20261122-"),
        "region and date in the number: {number}"
    );
    // The registration form is uploaded; the ID document is not.
    assert_eq!(
        upload(
            app,
            &me,
            &number,
            "resident_enrol_form",
            "upload",
            PDF,
            "form.pdf"
        )
        .await
        .status,
        StatusCode::CREATED
    );
    assert_eq!(
        act(app, &me, &number, "submit", "").await.status,
        StatusCode::OK
    );
    let clerk = app.staff_token("chengdu.clerk").await;
    // Accepting with a material missing is refused, naming it.
    let r = act(app, &clerk, &number, "accept_and_complete", "").await;
    assert_eq!(r.json()["code"], "case.materials_missing");
    let r = act(app, &clerk, &number, "issue_notice", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = view(app, &me, &number).await;
    assert_eq!(v["case"]["status"], "correction");
    assert_eq!(v["notices"][0]["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["notices"][0]["items"][0]["key"], "id_document");
    assert_eq!(v["clock"], Value::Null, "no clock before acceptance");
    // The case page says the same, each fact in its place.
    let mut b = citizen_browser(app, 3).await;
    let page = b.get(&format!("/cases/{number}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(one_text(&page.body, "main h1"), format!("办件 {number}"));
    assert_page_snapshot(
        "case-page-correction-summary",
        &page.body,
        "#summary tr",
        &[(&number, "[number]")],
    );
    assert_eq!(count(&page.body, "#clock"), 0, "no clock before acceptance");
    assert_eq!(count(&page.body, ".notice-doc ol li"), 1);
    assert!(
        one_text(&page.body, ".notice-doc ol li").starts_with("有效身份证件："),
        "the notice names the ID document"
    );
    assert_eq!(
        count(
            &page.body,
            "form#upload-form select[name='material_id'] option"
        ),
        2,
        "the applicant may add either material while correcting"
    );
    // A disguised upload (PNG bytes named .pdf is fine — content decides — but an EXE is not).
    let r = upload(
        app,
        &me,
        &number,
        "id_document",
        "upload",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
        "id.pdf",
    )
    .await;
    assert_eq!(r.json()["code"], "case.upload_format");
    let big = [PDF, &vec![b' '; 3 * 1024 * 1024][..]].concat();
    let r = upload(app, &me, &number, "id_document", "upload", &big, "id.pdf").await;
    assert_eq!(r.json()["code"], "case.upload_too_large", "{}", r.body);
    assert_eq!(
        upload(app, &me, &number, "id_document", "upload", PNG, "id.pdf")
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        act(app, &me, &number, "correct", "已补交身份证")
            .await
            .status,
        StatusCode::OK
    );
    // The clerk accepts and completes in one step; the person is registered.
    let r = act(app, &clerk, &number, "accept_and_complete", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = view(app, &me, &number).await;
    assert_eq!(v["case"]["status"], "completed");
    assert_eq!(v["outcome"]["status"], "registered");
    assert_eq!(v["can_evaluate"], true);
    // The whole view of the completed case, once for both stores.
    assert_json_snapshot("case-immediate-completed-view", &v, &[]);
    let page = b.get(&format!("/cases/{number}")).await;
    assert_eq!(one_text(&page.body, "#status"), "已办结");
    assert_eq!(count(&page.body, "#outcome"), 1);
    assert_eq!(count(&page.body, "#history tbody tr"), 7);
    assert_page_snapshot(
        "case-page-completed-history",
        &page.body,
        "#history tbody tr",
        &[(&number, "[number]")],
    );
    assert_eq!(count(&page.body, "form#evaluate-form"), 1);
    assert_eq!(
        count(&page.body, "form#upload-form"),
        0,
        "completed: no upload"
    );
    assert_eq!(count(&page.body, "#actions form"), 0, "nothing left to do");
    let events: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        vec![
            "create",
            "material",
            "submit",
            "issue_notice",
            "material",
            "correct",
            "accept_and_complete"
        ]
    );
    // Nothing moves a completed case; a second registration is refused by the effect.
    assert_eq!(
        act(app, &clerk, &number, "refuse", "理由").await.json()["code"],
        "case.transition_illegal"
    );
    // Evaluate once.
    let r = app
        .post_json(
            &format!("/api/v1/cases/{number}/evaluation"),
            Some(&me),
            json!({"level":"非常满意","comment":"一次办好"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post_json(
            &format!("/api/v1/cases/{number}/evaluation"),
            Some(&me),
            json!({"level":"满意"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // The public progress query answers the right pair only.
    let r = app
        .get(&format!(
            "/api/v1/progress?number={number}&id_number={id_number}"
        ))
        .await;
    assert_eq!(r.json()["progress"]["status_label"], "已办结");
    assert_json_snapshot(
        "case-progress-completed",
        &r.json(),
        &[(".progress.number", "[number]")],
    );
    let r = app
        .get(&format!(
            "/api/v1/progress?number={number}&id_number=11010519491231002X"
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Another citizen and another agency's clerk see nothing.
    let demo = app.demo().await;
    let other = app.token(json!({"kind":"citizen","id_number": demo.citizens[0].login,"password": demo.citizens[0].password})).await;
    assert_eq!(
        app.call(
            "GET",
            &format!("/api/v1/cases/{number}"),
            Some(&other),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let nanchuan = app.staff_token("nanchuan.clerk").await;
    assert_eq!(
        app.call(
            "GET",
            &format!("/api/v1/cases/{number}"),
            Some(&nanchuan),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        act(app, &nanchuan, &number, "issue_notice", "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

both_stores_with_demo!(
    a_promised_item_goes_through_review_and_a_later_notice_may_not_repeat,
    |app| {
        // 川渝通办 城乡居民参保登记 (seed 000 item 3): online, 2 working days, with a 审核 step.
        let (me, _) = citizen(app, 3).await;
        let form = json!({"name":"演示·刘芳","id_type":"居民身份证","phone":"13800000004"});
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&me),
                json!({"jurisdiction":"chuanyu","item":"03","channel":"online","form": form}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let number = r.json()["case"]["number"].as_str().unwrap().to_string();
        // This item takes Word, Excel, PDF and JPEG (not PNG).
        let r = upload(app, &me, &number, "id_document", "upload", PNG, "id.png").await;
        assert_eq!(r.json()["code"], "case.upload_format");
        upload(app, &me, &number, "id_document", "upload", JPEG, "id.jpg").await;
        act(app, &me, &number, "submit", "").await;
        let clerk = app.staff_token("chengdu.clerk").await;
        // Everything is there (the online form stands for the registration form): no notice.
        assert_eq!(
            act(app, &clerk, &number, "issue_notice", "").await.json()["code"],
            "case.nothing_missing"
        );
        // The applicant may not accept their own case; a refusal needs a reason.
        assert_eq!(
            act(app, &me, &number, "accept", "").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            act(app, &clerk, &number, "refuse", " ").await.json()["code"],
            "case.reason_required"
        );
        assert_eq!(
            act(app, &clerk, &number, "accept", "").await.status,
            StatusCode::OK
        );
        let v = view(app, &clerk, &number).await;
        // Accepted Sunday 2026-11-22: day 0; two working days → Tuesday 2026-11-24.
        assert_eq!(v["case"]["deadline"], "2026-11-24");
        assert_eq!(v["clock"]["level"], "due_soon");
        assert_eq!(v["clock"]["remaining_working_days"], 2);
        assert_json_snapshot("case-promised-accepted-view", &v, &[]);
        // The clerk cannot approve; the reviewer can, which completes (no payment step).
        assert_eq!(
            act(app, &clerk, &number, "approve", "").await.status,
            StatusCode::FORBIDDEN
        );
        let reviewer = app.staff_token("chengdu.reviewer").await;
        let r = act(app, &reviewer, &number, "approve", "符合条件").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["case"]["status"], "completed");

        // A dissatisfied evaluation opens a follow-up for the supervisor.
        let r = app
            .post_json(
                &format!("/api/v1/cases/{number}/evaluation"),
                Some(&me),
                json!({"level": "不满意", "comment": "等待时间长"}),
            )
            .await;
        assert_eq!(
            r.json()["evaluation"]["follow_up_status"],
            "open",
            "{}",
            r.body
        );
        assert_json_snapshot("case-evaluation-dissatisfied", &r.json(), &[]);
        let stats = app
            .call(
                "GET",
                "/api/v1/cases/evaluation-stats",
                Some(&reviewer),
                None,
            )
            .await
            .json();
        assert!(
            stats["stats"]["open_follow_ups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n == number.as_str()),
            "{stats}"
        );

        // A second application by another person: the first notice names the missing ID; once the ID
        // was there unchanged, a later notice may not raise it again.
        let demo = app.demo().await;
        let c = &demo.citizens[2];
        let t = app
            .token(json!({"kind":"citizen","id_number": c.login,"password": c.password}))
            .await;
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&t),
                json!({"jurisdiction":"chuanyu","item":"03","channel":"online"}),
            )
            .await;
        let n2 = r.json()["case"]["number"].as_str().unwrap().to_string();
        upload(app, &t, &n2, "id_document", "upload", PDF, "id.pdf").await;
        act(app, &t, &n2, "submit", "").await;
        // The clerk of the deciding agency (Youyang, 500242) handles it.
        let yy = app.staff_token("youyang.clerk").await;
        let r = act(app, &yy, &n2, "issue_notice", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = view(app, &t, &n2).await;
        assert_eq!(v["notices"][0]["items"][0]["key"], "enrolment_form");
        // 补正 answers the notice with what it lists: refused while the form is still absent
        // (issue #23: it used to close the upload form with nothing provided).
        let r = act(app, &t, &n2, "correct", "").await;
        assert_eq!(r.json()["code"], "case.correction_incomplete", "{}", r.body);
        upload(app, &t, &n2, "enrolment_form", "upload", PDF, "form.pdf").await;
        assert_eq!(
            act(app, &t, &n2, "correct", "").await.status,
            StatusCode::OK
        );
    }
);

both_stores_with_demo!(an_upload_must_be_smaller_than_3_mb, |app| {
    // Seed 000 (川渝通办) 三、城乡居民参保登记, 十二、办理方式 2. 网上办理: 「格式包括 Word、Excel、
    // PDF、JPEG,文件应小于 3M」 — strictly less than 3 MiB (the item's `upload.max_bytes`).
    let (me, _) = citizen(app, 2).await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&me),
            json!({"jurisdiction":"chuanyu","item":"03","channel":"online"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let number = r.json()["case"]["number"].as_str().unwrap().to_string();
    let pdf_of = |size: usize| {
        let mut v = PDF.to_vec();
        v.resize(size, b' ');
        v
    };
    const LIMIT: usize = 3 * 1024 * 1024;
    // Exactly 3 MiB: refused in the {code, message} shape, in Chinese.
    let r = upload(
        app,
        &me,
        &number,
        "id_document",
        "upload",
        &pdf_of(LIMIT),
        "id.pdf",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["code"], "case.upload_too_large", "{v}");
    assert_eq!(
        v["message"],
        "上传的文件为 3 MB（3145728 字节），本事项要求文件小于 3 MB（3145728 字节），请压缩或拆分后上传"
    );
    let v = view(app, &me, &number).await;
    assert_eq!(v["materials"], json!([]), "nothing stored");
    // One byte less: accepted.
    let r = upload(
        app,
        &me,
        &number,
        "id_document",
        "upload",
        &pdf_of(LIMIT - 1),
        "id.pdf",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = view(app, &me, &number).await;
    assert_eq!(
        v["materials"][0]["size_bytes"],
        LIMIT - 1,
        "{}",
        v["materials"]
    );
});

both_stores_with_demo!(
    a_window_case_received_in_one_region_is_decided_in_another_with_transit_excluded,
    |app| {
        let demo = app.demo().await;
        let liu = &demo.citizens[3];
        // At a Chongqing 川渝通办 window (the municipal centre) for a Chengdu resident.
        let cq = app.staff_token("cq.clerk").await;
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&cq),
                json!({"jurisdiction":"chuanyu","item":"03","channel":"window",
                   "form": {"name":"演示·刘芳"},
                   "applicant": {"id_number": liu.login, "name": "演示·刘芳"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let number = r.json()["case"]["number"].as_str().unwrap().to_string();
        assert!(
            number.starts_with("500000-"),
            "numbered by the receiving agency: {number}"
        );
        upload(app, &cq, &number, "id_document", "original", b"", "").await;
        act(app, &cq, &number, "submit", "").await;
        assert_eq!(
            act(app, &cq, &number, "accept", "").await.status,
            StatusCode::OK
        );
        let chengdu = app.staff_token("chengdu.reviewer").await;
        let v = view(app, &chengdu, &number).await;
        // Same-day limit at the window, plus 4 working days of transit (seed 000): accepted
        // Sunday 22 Nov, transit to Thursday 26 Nov, due that day.
        assert_eq!(v["pauses"][0]["reason"], "transit");
        assert_json_snapshot("case-cross-region-pauses", &v["pauses"], &[]);
        assert_eq!(v["case"]["deadline"], "2026-11-26");
        // The receiving clerk cannot decide; the deciding agency's reviewer does.
        assert_eq!(
            act(app, &cq, &number, "approve", "").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            act(app, &chengdu, &number, "approve", "").await.json()["case"]["status"],
            "completed"
        );
    }
);

both_stores_with_demo!(
    a_filing_case_records_the_filing_and_guide_only_items_cannot_be_applied_for,
    |app| {
        let demo = app.demo().await;
        let wang = &demo.citizens[0];
        let t = app
            .token(json!({"kind":"citizen","id_number": wang.login,"password": wang.password}))
            .await;
        let form = json!({
            "name":"演示·王建国","scheme":"职工医保","person_category":"异地安置退休人员",
            "registration_type":"新增","id_number": wang.login,"phone_1":"13800000001",
            "target_province":"460000","target_prefecture":"460100"
        });
        // Seed 000 item 2-1: a relocated retiree must be a retired member with normal
        // contributions (the facts the applicant declares and the clerk confirms). Without
        // them the reviewer cannot approve and refuses with the reasons.
        let file = |facts: Value| json!({"jurisdiction":"chuanyu","item":"02-1","channel":"online","form": form.clone(), "facts": facts});
        let reviewer = app.staff_token("nanchuan.reviewer").await;
        let clerk = app.staff_token("nanchuan.clerk").await;
        let mut numbers = Vec::new();
        for facts in [json!([]), json!(["retired", "contributions_normal"])] {
            let r = app.post_json("/api/v1/cases", Some(&t), file(facts)).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let number = r.json()["case"]["number"].as_str().unwrap().to_string();
            upload(app, &t, &number, "id_document", "upload", PDF, "id.pdf").await;
            // The relocation proof is replaced by the personal pledge (表6), which the item allows.
            let r = upload(app, &t, &number, "relocation_proof", "pledge", b"", "").await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            // The pledge is seed 000 表6 filled in for this person and proof.
            let mid = r.json()["material"]["id"].as_i64().unwrap();
            let doc = app
                .call(
                    "GET",
                    &format!("/api/v1/cases/{number}/materials/{mid}"),
                    Some(&t),
                    None,
                )
                .await;
            assert!(
                doc.body.contains("本人演示·王建国(身份证件号码:"),
                "{}",
                doc.body
            );
            assert!(doc.body.contains("因个人原因无法提供"), "{}", doc.body);
            act(app, &t, &number, "submit", "").await;
            assert_eq!(
                act(app, &clerk, &number, "accept", "").await.status,
                StatusCode::OK
            );
            numbers.push(number);
        }
        // He is retired by the registry, whatever he declared; normal contributions are his
        // to confirm (seed 000 二、1「正常缴费」).
        let r = act(app, &reviewer, &numbers[0], "approve", "").await;
        assert_eq!(r.json()["code"], "filing.not_entitled", "{}", r.body);
        let r = act(
            app,
            &reviewer,
            &numbers[0],
            "refuse",
            "未正常缴纳医疗保险费用，不符合异地安置退休人员备案条件",
        )
        .await;
        assert_eq!(r.json()["case"]["status"], "refused");
        let r = act(app, &reviewer, &numbers[1], "approve", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let filings = app
            .call("GET", "/api/v1/me/filings", Some(&t), None)
            .await
            .json();
        assert_eq!(filings["filings"].as_array().unwrap().len(), 1);
        assert_eq!(filings["filings"][0]["case_number"], numbers[1].as_str());
        assert_json_snapshot("case-relocated-retiree-filings", &filings, &[]);

        // The Sichuan guide's filing item (seed 001 item 17) names no form of its own; the
        // case records the same 表1. 刘芳 (Chengdu) files for Haikou, at the window. The filing
        // rules read her scheme and retirement from the registry: she is written there as a
        // retired employee (the Sichuan guides have no item that records a retirement).
        let liu = &demo.citizens[3];
        {
            let mut tx = app.services.store().begin().await.unwrap();
            let id: yibao_domain::CitizenId = liu.login.parse().unwrap();
            let p = yibao_store::enrolment::find_person(&mut tx, &id)
                .await
                .unwrap()
                .unwrap();
            yibao_store::coverage::insert(
                &mut tx,
                &yibao_store::coverage::CoverageRow {
                    id: 0,
                    person_id: p.id,
                    scheme: yibao_domain::enrolment::Scheme::Employee,
                    category: yibao_domain::enrolment::CoverageCategory::Retired,
                    employer_id: None,
                    region_code: "510100".into(),
                    status: yibao_domain::enrolment::CoverageStatus::Active,
                    registered_on: "2026-01-01".into(),
                    start_date: Some("2026-01-01".into()),
                    end_date: None,
                    case_number: None,
                    created_at: "2026-01-01T00:00:00Z".into(),
                    updated_at: "2026-01-01T00:00:00Z".into(),
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let form = json!({
            "name":"演示·刘芳","scheme":"职工医保","person_category":"异地安置退休人员",
            "registration_type":"新增","id_number": liu.login,"phone_1":"13800000004",
            "target_province":"460000","target_prefecture":"460100"
        });
        let chengdu = app.staff_token("chengdu.clerk").await;
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&chengdu),
                json!({"jurisdiction":"sichuan","item":"17","channel":"window","form": form,
                       "facts": ["retired", "contributions_normal"],
                       "applicant": {"id_number": liu.login, "name": "演示·刘芳"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let n = r.json()["case"]["number"].as_str().unwrap().to_string();
        for (m, how) in [("credential", "original"), ("relocation_proof", "pledge")] {
            let r = upload(app, &chengdu, &n, m, how, b"", "").await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        act(app, &chengdu, &n, "submit", "").await;
        let r = act(app, &chengdu, &n, "accept", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // This item lists no review step: the clerk completes it.
        let rv = app.staff_token("chengdu.reviewer").await;
        assert_eq!(
            act(app, &rv, &n, "approve", "").await.json()["code"],
            "case.transition_illegal"
        );
        let r = act(app, &chengdu, &n, "complete", "").await;
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let v = view(app, &rv, &n).await;
        assert!(
            v["outcome"]["target"].as_str().unwrap().contains("海南"),
            "{}",
            v["outcome"]
        );
        assert_json_snapshot("case-sichuan-filing-outcome", &v["outcome"], &[]);

        // An item whose effect is not built is guide only.
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&t),
                json!({"jurisdiction":"chongqing","item":"01","channel":"window"}),
            )
            .await;
        assert!(
            matches!(
                r.json()["code"].as_str(),
                Some("case.guide_only") | Some("case.channel_window")
            ),
            "{}",
            r.body
        );
    }
);

both_stores_with_demo!(
    an_online_temporary_filing_in_chongqing_completes_on_submission,
    |app| {
        // Seed 003 item 24 临时外出就医人员备案: online, 「提交后自动办结」.
        let (t, id_number) = citizen(app, 0).await;
        let form = json!({
            "name": "演示·王建国", "scheme": "职工医保", "person_category": "临时异地就医人员",
            "registration_type": "新增", "id_number": id_number, "phone_1": "13800000001",
            "target_province": "110000"
        });
        let r = app
        .post_json(
            "/api/v1/cases",
            Some(&t),
            json!({"jurisdiction": "chongqing", "item": "24", "channel": "online", "form": form, "facts": ["contributions_normal"]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let number = r.json()["case"]["number"].as_str().unwrap().to_string();
        upload(app, &t, &number, "id_document", "upload", PDF, "id.pdf").await;
        let r = act(app, &t, &number, "submit", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = view(app, &t, &number).await;
        assert_eq!(v["case"]["status"], "completed", "{}", v["events"]);
        assert_eq!(
            v["events"].as_array().unwrap().last().unwrap()["actor_label"],
            "system:auto"
        );
        let filings = app
            .call("GET", "/api/v1/me/filings", Some(&t), None)
            .await
            .json();
        assert_eq!(
            filings["filings"][0]["filing"]["target"]["code"], "110000",
            "{filings}"
        );
    }
);

both_stores_with_demo!(
    a_manual_reimbursement_is_entered_reviewed_paid_and_counted,
    |app| {
        // Seed 003 item 27 住院费用手工报销 (承诺件, 受理 → 拨付 → 办结): 王建国 was treated in Chengdu
        // without a filing, so the unfiled-care rule of Chongqing applies.
        let demo = app.demo().await;
        let wang = &demo.citizens[0];
        let clerk = app.staff_token("nanchuan.clerk").await;
        let r = app
            .post_json(
                "/api/v1/cases",
                Some(&clerk),
                json!({"jurisdiction":"chongqing","item":"27","channel":"window",
                   "applicant": {"id_number": wang.login, "name": "演示·王建国"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let number = r.json()["case"]["number"].as_str().unwrap().to_string();
        for m in [
            "id_document",
            "hospital_receipts",
            "expense_list",
            "diagnosis_certificate",
            "medical_records",
            "bank_account",
        ] {
            let r = upload(app, &clerk, &number, m, "original", b"", "").await;
            assert_eq!(r.status, StatusCode::CREATED, "{m}: {}", r.body);
        }
        upload(app, &clerk, &number, "accident_proof", "pledge", b"", "").await;
        let entry = json!({
            "care_region": "510104", "institution_code": "H51010400001", "ground": "non_networked_place", "payee": {"bank": "中国工商银行南川支行", "account": "6222021234567890", "holder": "王建国"},
            "bill": {"date": "2026-10-10", "visit": "inpatient", "hospital_level": "level_3", "admission_id": "CD-1",
                     "lines": [{"line_no": 1, "code": "S1", "amount": 500000, "category": "a"},
                               {"line_no": 2, "code": "D1", "amount": 20000, "category": "c"}]}
        });
        let r = app
            .post_json(
                &format!("/api/v1/cases/{number}/bill"),
                Some(&clerk),
                entry.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let preview = r.json()["view"]["reimbursement_preview"].clone();
        assert!(
            preview["care_rule"]
                .as_str()
                .unwrap()
                .contains("无有效的异地就医备案"),
            "{preview}"
        );
        assert_eq!(preview["total"], 520000);
        assert_eq!(preview["self_pay_out_of_catalogue"], 20000);
        // What the explanation says is what is computed (seed 004, 渝办发〔2011〕293号): a retired
        // employee at a level-3 hospital, Chongqing standard 880.00 元 and 95 % (example policy).
        // Deductible 880.00 × 105 % = 924.00 元; ratio 95 % − 5 points = 90 %;
        // (5,000.00 − 924.00) × 90 % = 3,668.40 元.
        assert!(
            preview["care_rule"]
                .as_str()
                .unwrap()
                .contains("起付线提高5%，报销比例下降5%"),
            "{preview}"
        );
        assert_eq!(preview["deductible"], 92400, "{preview}");
        assert_eq!(preview["ratio_bp"], 9000);
        assert_eq!(preview["fund"], 366840);
        assert_json_snapshot("case-reimbursement-preview-unfiled", &preview, &[]);
        let expected_fund = preview["fund"].as_i64().unwrap();
        // The citizen cannot enter a bill.
        let t = app
            .token(json!({"kind":"citizen","id_number": wang.login,"password": wang.password}))
            .await;
        assert_eq!(
            app.post_json(&format!("/api/v1/cases/{number}/bill"), Some(&t), entry)
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        act(app, &clerk, &number, "submit", "").await;
        assert_eq!(
            act(app, &clerk, &number, "accept", "").await.status,
            StatusCode::OK
        );
        // No review step in this guide, but four eyes on money: the clerk who entered the bill
        // may not approve it (nor is it offered on the page); the reviewer does, and the
        // payment waits for finance.
        let r = act(app, &clerk, &number, "complete", "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.json()["code"], "reimbursement.four_eyes");
        let actions = view(app, &clerk, &number).await["actions"].to_string();
        assert!(!actions.contains("\"complete\""), "{actions}");
        let reviewer = app.staff_token("nanchuan.reviewer").await;
        let r = act(app, &reviewer, &number, "complete", "").await;
        assert_eq!(r.json()["case"]["status"], "disbursement", "{}", r.body);
        assert_eq!(
            act(app, &clerk, &number, "disburse", "").await.status,
            StatusCode::FORBIDDEN
        );
        let finance = app.staff_token("nanchuan.finance").await;
        let r = act(app, &finance, &number, "disburse", "已拨付至银行卡").await;
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
        let v = view(app, &t, &number).await;
        assert_eq!(v["outcome"]["fund"], expected_fund);
        assert!(v["outcome"]["text"].as_str().unwrap().starts_with("报销"));
        assert_json_snapshot("case-reimbursement-outcome-unfiled", &v["outcome"], &[]);
        // The accumulators carry it: the admission's deductible is taken.
        let acc = yibao_service::settlement::accumulators(&app.services, &wang.login, 2026)
            .await
            .unwrap();
        assert!(acc.admissions.contains_key("CD-1"), "{acc:?}");
    }
);
