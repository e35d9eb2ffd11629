//! Every role calls every endpoint and page (and so does nobody); each call is either allowed
//! or denied exactly as the access rules say (DESIGN §9). "Denied" is 401, 403, 404 (records
//! one may not see answer like missing ones) or, for pages, a redirect to the login page.

use axum::http::StatusCode;
use serde_json::{json, Value};

const STAFF: &[&str] = &[
    "clerk",
    "reviewer",
    "finance",
    "supervisor",
    "admin",
    "auditor",
];
const ALL: &[&str] = &[
    "anonymous",
    "citizen",
    "employer",
    "clerk",
    "reviewer",
    "finance",
    "supervisor",
    "admin",
    "auditor",
    "institution",
];

/// Who may call an endpoint.
enum Who {
    Everyone,
    LoggedIn,
    Only(&'static [&'static str]),
    StaffAnd(&'static [&'static str]),
}

impl Who {
    fn allows(&self, actor: &str) -> bool {
        match self {
            Who::Everyone => true,
            Who::LoggedIn => actor != "anonymous",
            Who::Only(list) => list.contains(&actor),
            Who::StaffAnd(list) => STAFF.contains(&actor) || list.contains(&actor),
        }
    }
}

struct Call {
    method: &'static str,
    path: String,
    body: Option<Value>,
    who: Who,
}

fn get(path: impl Into<String>, who: Who) -> Call {
    Call {
        method: "GET",
        path: path.into(),
        body: None,
        who,
    }
}

fn post(path: impl Into<String>, body: Value, who: Who) -> Call {
    Call {
        method: "POST",
        path: path.into(),
        body: Some(body),
        who,
    }
}

both_stores_with_demo!(every_role_on_every_endpoint, |app| {
    let demo = app.demo().await;
    let admin = app.staff_token("cq.admin").await;
    // Setup: an institution with two tokens (one to use, one to revoke) and a staff member to
    // reset and deactivate.
    app.post_json("/api/v1/admin/institutions", Some(&admin), json!({"code":"H50011900001","name":"南川演示医院","kind":"hospital","region_code":"500119"})).await;
    let mut inst_tokens = Vec::new();
    for label in ["矩阵测试", "待吊销"] {
        let r = app
            .post_json(
                "/api/v1/admin/institutions/H50011900001/tokens",
                Some(&admin),
                json!({"label": label}),
            )
            .await;
        inst_tokens.push(r.json()["token"].clone());
    }
    let target = app
        .post_json("/api/v1/admin/staff", Some(&admin), json!({"username":"cq.target","display_name":"目标","roles":["clerk"],"password":"Target123"}))
        .await
        .json()["staff"]["id"]
        .as_i64()
        .unwrap();

    // Tokens for every actor (None = anonymous).
    let citizen = &demo.citizens[0];
    let operator = &demo.employer_operators[0];
    let mut tokens: Vec<(&str, Option<String>)> = vec![("anonymous", None)];
    tokens.push((
        "citizen",
        Some(
            app.token(
                json!({"kind":"citizen","id_number": citizen.login,"password": citizen.password}),
            )
            .await,
        ),
    ));
    tokens.push(("employer", Some(app.token(json!({"kind":"employer","uscc": operator.login,"username":"admin","password": operator.password})).await)));
    for role in STAFF {
        tokens.push((role, Some(app.staff_token(&format!("cq.{role}")).await)));
    }
    tokens.push((
        "institution",
        Some(inst_tokens[0]["token"].as_str().unwrap().to_string()),
    ));

    let me = |t: &str| {
        let t = t.to_string();
        async move {
            app.call("GET", "/api/v1/auth/me", Some(&t), None)
                .await
                .json()
        }
    };
    let citizen_token = tokens[1].1.clone().unwrap();
    let employer_token = tokens[2].1.clone().unwrap();
    let employer_id = me(&employer_token).await["actor"]["employer_id"]
        .as_i64()
        .unwrap();
    let own_person = app
        .call("GET", "/api/v1/me/person", Some(&citizen_token), None)
        .await
        .json()["person"]["id"]
        .as_i64()
        .unwrap();
    let other_person = if own_person == 1 { 2 } else { 1 };
    let revoke_id = inst_tokens[1]["id"].as_i64().unwrap();
    let calendar = "year = 2027\nnotice = \"矩阵测试\"\n\n[[holidays]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\nworkdays = []\n";

    // A case of the citizen's (decided in Nanchuan, not by the municipal staff in the matrix).
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&citizen_token),
            json!({"jurisdiction":"chuanyu","item":"03","channel":"online"}),
        )
        .await;
    let case_number = r.json()["case"]["number"].as_str().unwrap().to_string();
    // A Nanchuan report by the citizen: the city's staff see it, only Nanchuan's decide it.
    let complaint_body = json!({"kind": "report", "channel": "phone", "region_code": "500119",
        "subject_kind": "institution", "subject_name": "南川演示医院",
        "institution_code": "H50011900001", "content": "矩阵测试：虚记费用的举报内容。", "anonymous": true});
    let r = app
        .post_json(
            "/api/v1/complaints",
            Some(&citizen_token),
            complaint_body.clone(),
        )
        .await;
    let complaint = r.json()["complaint"]["number"]
        .as_str()
        .unwrap()
        .to_string();
    let calls = vec![
        post(
            "/api/v1/complaints",
            complaint_body,
            Who::Only(&["citizen", "clerk"]),
        ),
        get("/api/v1/complaints", Who::StaffAnd(&["citizen"])),
        get(
            format!("/api/v1/complaints/{complaint}"),
            Who::StaffAnd(&["citizen"]),
        ),
        post(
            format!("/api/v1/complaints/{complaint}/decision"),
            json!({"decision": "accept"}),
            Who::Only(&[]),
        ),
        post(
            format!("/api/v1/complaints/{complaint}/assign"),
            json!({"handler": "nanchuan.reviewer"}),
            Who::Only(&[]),
        ),
        post(
            format!("/api/v1/complaints/{complaint}/answer"),
            json!({"text": "矩阵测试"}),
            Who::Only(&[]),
        ),
        post(
            format!("/api/v1/complaints/{complaint}/evaluation"),
            json!({"evaluation": "satisfied"}),
            // The reporter (refused for the step: not answered yet).
            Who::Only(&["citizen"]),
        ),
        get(
            "/api/v1/institutions/H50011900001/complaints",
            Who::StaffAnd(&[]),
        ),
        get("/healthz", Who::Everyone),
        get("/", Who::Everyone),
        get("/guide", Who::Everyone),
        get("/api/v1/catalog?jurisdiction=chongqing", Who::Everyone),
        get(
            "/api/v1/calendar/deadline?from=2026-11-23&working_days=5",
            Who::Everyone,
        ),
        get("/api/v1/check/id/11010519491231002X", Who::Everyone),
        // Peers deliver without a login: the signature is checked, not the caller (a malformed
        // envelope is refused with 422 for everyone alike).
        post(
            "/api/v1/federation/inbox",
            json!({"envelope": "{}", "signature": "00"}),
            Who::Everyone,
        ),
        get("/api/v1/auth/me", Who::LoggedIn),
        post(
            "/api/v1/auth/password",
            json!({"old_password":"wrong-old-1","new_password":"Whatever123"}),
            Who::Only(&[
                "citizen",
                "employer",
                "clerk",
                "reviewer",
                "finance",
                "supervisor",
                "admin",
                "auditor",
            ]),
        ),
        get("/api/v1/persons", Who::StaffAnd(&[])),
        get(
            format!("/api/v1/persons/{own_person}"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!("/api/v1/persons/{other_person}"),
            Who::StaffAnd(&[]),
        ),
        get("/api/v1/me/person", Who::Only(&["citizen"])),
        get(
            format!("/api/v1/persons/{own_person}/qualifications"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!("/api/v1/persons/{other_person}/qualifications"),
            Who::StaffAnd(&[]),
        ),
        // Not a category: the clerk is let in and told so (422).
        post(
            format!("/api/v1/persons/{own_person}/aid-statuses"),
            json!({"category": "矩阵", "source": "矩阵测试", "valid_from": "2026-01-01", "valid_to": "2026-12-31"}),
            Who::Only(&["clerk"]),
        ),
        get(
            format!("/api/v1/persons/{own_person}/record"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!("/api/v1/persons/{other_person}/record"),
            Who::StaffAnd(&[]),
        ),
        get(
            format!("/api/v1/persons/{own_person}/certificate"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!("/api/v1/persons/{own_person}/account"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!("/api/v1/persons/{other_person}/account"),
            Who::StaffAnd(&[]),
        ),
        get("/api/v1/me/record", Who::Only(&["citizen"])),
        get("/api/v1/me/certificate", Who::Only(&["citizen"])),
        get(
            format!("/api/v1/employers/{employer_id}/record"),
            Who::StaffAnd(&["employer"]),
        ),
        get(
            format!("/api/v1/employers/{employer_id}/certificate"),
            Who::StaffAnd(&["employer"]),
        ),
        // The body is not a roster: those allowed get past the access check to a 400.
        post(
            format!("/api/v1/employers/{employer_id}/roster"),
            json!({}),
            Who::Only(&["clerk", "employer"]),
        ),
        post(
            format!("/api/v1/employers/{employer_id}/arrears"),
            json!({"arrears_fen": 0, "note": "矩阵测试"}),
            Who::Only(&["finance"]),
        ),
        get("/api/v1/registry/roster-template?kind=enrol", Who::Everyone),
        get("/api/v1/registry/reference", Who::Everyone),
        get("/api/v1/disbursement/waiting", Who::Only(&["finance"])),
        post(
            "/api/v1/contributions/months",
            json!({"year": 2026, "month": 1}),
            Who::Only(&["finance"]),
        ),
        // Not a multipart body: finance is let in and told so (400).
        post(
            "/api/v1/contributions/paid",
            json!({}),
            Who::Only(&["finance"]),
        ),
        get(
            format!("/api/v1/persons/{own_person}/contributions"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!("/api/v1/employers/{employer_id}/contributions"),
            Who::StaffAnd(&["employer"]),
        ),
        get(
            format!("/api/v1/persons/{own_person}/maternity"),
            Who::StaffAnd(&["citizen"]),
        ),
        // Not an envelope: the institution is let in and answered infcode -1.
        post("/api/v1/national", json!({}), Who::Only(&["institution"])),
        post(
            format!("/api/v1/persons/{own_person}/account-credits"),
            json!({"year": 2026, "amount_fen": 100, "note": "矩阵测试"}),
            Who::Only(&["finance"]),
        ),
        get(
            "/api/v1/disbursement/batches",
            Who::Only(&["finance", "supervisor", "auditor"]),
        ),
        // Nothing waits in the matrix's agency: finance is let in and told so (422).
        post(
            "/api/v1/disbursement/batches",
            json!({}),
            Who::Only(&["finance"]),
        ),
        get("/api/v1/employers", Who::StaffAnd(&[])),
        // The transfers this installation takes part in (none yet: an empty list).
        get("/api/v1/transfers", Who::StaffAnd(&[])),
        get("/staff/transfers", Who::StaffAnd(&[])),
        get(
            format!("/api/v1/employers/{employer_id}"),
            Who::StaffAnd(&["employer"]),
        ),
        get(
            format!("/api/v1/employers/{employer_id}/operators"),
            Who::StaffAnd(&["employer"]),
        ),
        post(
            format!("/api/v1/employers/{employer_id}/operators"),
            json!({"username":"{actor}","display_name":"矩阵","phone":"13900001111","password":"Matrix123"}),
            Who::Only(&["clerk", "employer"]),
        ),
        get("/api/v1/institution/me", Who::Only(&["institution"])),
        get("/api/v1/admin/staff", Who::Only(&["admin"])),
        post(
            "/api/v1/admin/staff",
            json!({"username":"cq.m-{actor}","display_name":"矩阵","roles":["clerk"],"password":"Matrix123"}),
            Who::Only(&["admin"]),
        ),
        post(
            format!("/api/v1/admin/staff/{target}/reset-password"),
            json!({"temporary_password":"Reset1234"}),
            Who::Only(&["admin"]),
        ),
        get("/api/v1/admin/institutions", Who::Only(&["admin"])),
        post(
            "/api/v1/admin/institutions",
            json!({"code":"P50011900009","name":"矩阵药店","kind":"pharmacy","region_code":"500119"}),
            Who::Only(&["admin"]),
        ),
        get(
            "/api/v1/admin/institutions/H50011900001/tokens",
            Who::Only(&["admin"]),
        ),
        post(
            "/api/v1/admin/institutions/H50011900001/tokens",
            json!({"label":"矩阵"}),
            Who::Only(&["admin"]),
        ),
        get("/api/v1/admin/calendar", Who::Only(&["admin"])),
        post(
            "/api/v1/admin/calendar",
            json!({"text": calendar}),
            Who::Only(&["admin"]),
        ),
        get("/api/v1/audit", Who::Only(&["auditor", "supervisor"])),
        get("/api/v1/audit/verify", Who::Only(&["auditor"])),
        get("/staff/persons", Who::StaffAnd(&[])),
        get(
            format!("/staff/persons/{own_person}"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!("/staff/persons/{own_person}/certificate"),
            Who::StaffAnd(&["citizen"]),
        ),
        get("/staff/employers", Who::StaffAnd(&[])),
        get(
            format!("/staff/employers/{employer_id}/certificate"),
            Who::StaffAnd(&["employer"]),
        ),
        // Not a multipart body: allowed callers get the page back with the problem (422).
        post(
            format!("/staff/employers/{employer_id}/roster"),
            json!({}),
            Who::Only(&["clerk", "employer"]),
        ),
        post("/employer/roster", json!({}), Who::Only(&["employer"])),
        get("/employer/certificate", Who::Only(&["employer"])),
        get("/account/record", Who::Only(&["citizen"])),
        get("/account/record/certificate", Who::Only(&["citizen"])),
        get(
            format!("/staff/employers/{employer_id}"),
            Who::StaffAnd(&["employer"]),
        ),
        get("/employer", Who::Only(&["employer"])),
        get(
            "/account",
            Who::Only(&[
                "citizen",
                "employer",
                "clerk",
                "reviewer",
                "finance",
                "supervisor",
                "admin",
                "auditor",
            ]),
        ),
        get("/admin/staff", Who::Only(&["admin"])),
        get("/admin/institutions", Who::Only(&["admin"])),
        get("/admin/calendar", Who::Only(&["admin"])),
        get("/admin/benefit", Who::Only(&["admin"])),
        get("/api/v1/admin/benefit", Who::Only(&["admin"])),
        get("/audit", Who::Only(&["auditor", "supervisor"])),
        post(
            "/api/v1/settlements/pre",
            json!({"request_id": "M1", "id_number": demo.citizens[0].login, "bill": {"date": "2026-11-20", "visit": "general_outpatient", "hospital_level": "level_1", "lines": [{"line_no": 1, "code": "X", "amount": 1000, "category": "a"}]}}),
            Who::Only(&["institution"]),
        ),
        get("/api/v1/settlements/none", Who::Only(&[])),
        // Agreements (admin) and the monthly settlement: the institution its own month;
        // reviewers deduct and issue; finance pays; reviewers, finance, supervisors,
        // auditors and admins read the agency's month.
        get(
            "/api/v1/admin/institutions/H50011900001/agreement",
            Who::Only(&["admin"]),
        ),
        post(
            "/api/v1/admin/institutions/H50011900001/agreement",
            json!({"action": "evaluate", "passed": true}),
            Who::Only(&["admin"]),
        ),
        get(
            "/api/v1/institution/months/2026-10",
            Who::Only(&["institution"]),
        ),
        post(
            "/api/v1/institution/months/2026-10/declaration",
            json!({"lines": []}),
            Who::Only(&["institution"]),
        ),
        post(
            "/api/v1/institution/months/2026-10/confirm",
            json!({}),
            Who::Only(&["institution"]),
        ),
        get(
            "/api/v1/monthly/2026-10",
            Who::Only(&["reviewer", "finance", "supervisor", "admin", "auditor"]),
        ),
        get(
            "/api/v1/monthly/2026-10/institutions/H50011900001",
            Who::Only(&["reviewer", "finance", "supervisor", "admin", "auditor"]),
        ),
        post(
            "/api/v1/monthly/2026-10/deductions",
            json!({"institution": "H50011900001", "reason": "矩阵测试", "amount_fen": 100}),
            Who::Only(&["reviewer"]),
        ),
        post(
            "/api/v1/monthly/2026-10/statements",
            json!({}),
            Who::Only(&["reviewer"]),
        ),
        post(
            "/api/v1/monthly/2026-10/payments",
            json!({}),
            Who::Only(&["finance"]),
        ),
        // The year-end reconciliation: reviewers issue (2026 has not ended: refused as a rule,
        // not as access), finance pays.
        post(
            "/api/v1/year-end/2026/institutions/H50011900001",
            json!({"score": 90}),
            Who::Only(&["reviewer"]),
        ),
        post(
            "/api/v1/year-end/2026/payments",
            json!({}),
            Who::Only(&["finance"]),
        ),
        // The month's pages: the institution its own, the agency's readers the rest.
        get("/institution/months/2026-10", Who::Only(&["institution"])),
        get(
            "/staff/monthly/2026-10/H50011900001",
            Who::Only(&["reviewer", "finance", "supervisor", "admin", "auditor"]),
        ),
        get("/api/v1/cases", Who::StaffAnd(&["citizen", "employer"])),
        get(
            "/api/v1/cases/overdue",
            Who::Only(&["supervisor", "auditor"]),
        ),
        get("/api/v1/cases/evaluation-stats", Who::StaffAnd(&[])),
        // A Nanchuan case: the applicant and the city's staff, who see their districts' cases.
        get(
            format!("/api/v1/cases/{case_number}"),
            Who::StaffAnd(&["citizen"]),
        ),
        // A designation case's steps: whoever sees the case (null for other cases).
        get(
            format!("/api/v1/cases/{case_number}/institution-application"),
            Who::StaffAnd(&["citizen"]),
        ),
        get(
            format!(
                "/api/v1/progress?number={case_number}&id_number={}",
                citizen.login
            ),
            Who::Everyone,
        ),
        get("/api/v1/me/filings", Who::Only(&["citizen"])),
        get("/cases", Who::StaffAnd(&["citizen", "employer"])),
        get(format!("/cases/{case_number}"), Who::StaffAnd(&["citizen"])),
        get("/cases/overdue", Who::Only(&["supervisor", "auditor"])),
        get("/cases/evaluations", Who::StaffAnd(&[])),
        get(
            "/cases/disbursement",
            Who::Only(&["finance", "supervisor", "auditor"]),
        ),
        get("/progress", Who::Everyone),
        get("/verify", Who::Everyone),
        get("/complaints", Who::StaffAnd(&["citizen"])),
        get(
            format!("/complaints/{complaint}"),
            Who::StaffAnd(&["citizen"]),
        ),
        get("/account/filings", Who::Only(&["citizen"])),
        get("/account/evoucher", Who::Only(&["citizen"])),
        // Last: these change other accounts.
        post(
            format!("/api/v1/admin/tokens/{revoke_id}/revoke"),
            json!({}),
            Who::Only(&["admin"]),
        ),
        post(
            format!("/api/v1/admin/staff/{target}/deactivate"),
            json!({}),
            Who::Only(&["admin"]),
        ),
    ];

    let mut failures = Vec::new();
    let mut count = 0;
    for call in &calls {
        for (actor, token) in &tokens {
            assert!(ALL.contains(actor));
            let body = call
                .body
                .as_ref()
                .map(|b| serde_json::from_str(&b.to_string().replace("{actor}", actor)).unwrap());
            let r = app
                .call(call.method, &call.path, token.as_deref(), body)
                .await;
            // A page sends an anonymous browser to log in (and back afterwards).
            let to_login = r.status == StatusCode::SEE_OTHER
                && r.headers.get("location").is_some_and(|l| {
                    l == "/login" || l.to_str().is_ok_and(|l| l.starts_with("/login?next=%2F"))
                });
            let denied = to_login
                || matches!(
                    r.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                );
            let allowed = call.who.allows(actor);
            if allowed == denied || r.status.is_server_error() {
                failures.push(format!(
                    "{} {} as {actor}: {} (expected {}) {}",
                    call.method,
                    call.path,
                    r.status,
                    if allowed { "allowed" } else { "denied" },
                    r.body.chars().take(160).collect::<String>()
                ));
            }
            count += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} calls wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(count, calls.len() * ALL.len());
});
