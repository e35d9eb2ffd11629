//! Cross-province settlement clearing (issue #18, docs/clearing.md). A 南川 hospital opened
//! for cross-province settlement (Sichuan 38; seed 000 item 07) treats Sichuan-insured people in
//! November; after the month, Chongqing's finance states what it paid per pair of provinces,
//! and the Sichuan side checks each line against its register and answers. On one installation
//! both sides are recorded at once; across two, statement and answer travel as signed messages,
//! through a peer that is down at first, and a statement whose lines do not match its digest is
//! refused.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use yibao_domain::federation::MessageKind;
use yibao_service::clearing::StatementBody;

use crate::both_stores_pair;
use crate::common::pair::{operator, Instance};
use crate::common::{Later, Reply, TestApp};
use crate::institutions::person_id;

const HOSPITAL: &str = "H50011900091";

/// A 南川 hospital registered by the city's admin (its agreement in force, cross-province
/// direct settlement opened, as `open_cross_province` confirms), and its API token.
async fn cross_province_hospital(app: &TestApp) -> String {
    let token = app
        .nanchuan_hospital_token(HOSPITAL, "南川跨省结算医院")
        .await;
    let admin = app.staff_token("cq.admin").await;
    let r = app
        .post_json(
            &format!("/api/v1/admin/institutions/{HOSPITAL}/agreement"),
            Some(&admin),
            json!({"action": "open_cross_province"}),
        )
        .await;
    assert_eq!(
        r.json()["message"],
        "本机构已开通跨省异地就医直接结算",
        "{}",
        r.body
    );
    token
}

/// An emergency stay (treated as filed, so settled at the counter) of `id_number` for `amount`.
async fn settle(
    app: &TestApp,
    token: &str,
    request_id: &str,
    id_number: &str,
    amount: i64,
) -> Value {
    let r = app
        .post_json(
            "/api/v1/settlements",
            Some(token),
            json!({
                "request_id": request_id,
                "id_number": id_number,
                "emergency": true,
                "bill": {
                    "date": "2026-11-20",
                    "visit": "inpatient",
                    "hospital_level": "level_2",
                    "admission_id": format!("ZY-{request_id}"),
                    "lines": [
                        {"line_no": 1, "code": "S001", "amount": amount, "category": "a"},
                        {"line_no": 2, "code": "D002", "amount": 2345, "category": "b", "self_pay_share_bp": 1000},
                        {"line_no": 3, "code": "D003", "amount": 500, "category": "c"}
                    ]
                }
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{request_id}: {}", r.body);
    r.json()
}

/// Finance issues `month`'s statements through the API on that day.
async fn issue_month(day: &Later, token: &str, month: &str) -> Reply {
    day.call(
        "POST",
        "/api/v1/clearing/statements",
        Some(token),
        Some(json!({ "month": month })),
    )
    .await
}

/// What the insured side owes for one settlement: all but the cash.
fn cleared(answer: &Value) -> i64 {
    answer["total"].as_i64().unwrap() - answer["cash"].as_i64().unwrap()
}

both_stores_with_demo!(one_installation_states_and_reconciles_both_sides, |app| {
    app.demo().await;
    let his = cross_province_hospital(app).await;
    let chen = person_id(app, "陈小明").await;
    let wang = person_id(app, "王建国").await;
    let a = settle(app, &his, "C1", &chen, 100_000).await;
    let b = settle(app, &his, "C2", &chen, 40_000).await;
    // Care in the insured province is on no statement; a stay reversed within the month neither.
    settle(app, &his, "C3", &wang, 30_000).await;
    settle(app, &his, "C4", &chen, 20_000).await;
    let r = app
        .post_json("/api/v1/settlements/C4/reverse", Some(&his), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // 22 November: the month has not ended.
    let finance = app.staff_token("cq.finance").await;
    let r = app
        .post_json(
            "/api/v1/clearing/statements",
            Some(&finance),
            json!({"month": "2026-11"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "clearing.month_not_ended");
    let r = app
        .post_json(
            "/api/v1/clearing/statements",
            Some(&finance),
            json!({"month": "2026-13"}),
        )
        .await;
    assert_eq!(r.json()["code"], "clearing.bad_month", "{}", r.body);

    // 2 December: stated and, both provinces being served here, reconciled at once.
    let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap());
    let finance = dec.staff_token("cq.finance").await;
    let r = issue_month(&dec, &finance, "2026-11").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let issued = r.json()["issued"].as_array().unwrap().clone();
    assert_eq!(issued.len(), 1, "{issued:?}");
    let s = &issued[0];
    assert_eq!(s["role"], "care");
    assert_eq!(
        (s["care_region"].as_str(), s["insured_region"].as_str()),
        (Some("500000"), Some("510000"))
    );
    assert_eq!(s["counterpart"], "本机");
    assert_eq!(s["line_count"], 2);
    let owed = cleared(&a) + cleared(&b);
    assert!(owed > 0);
    assert_eq!(s["cleared_fen"], owed);
    assert_eq!(s["status"], "reconciled");
    assert_eq!(s["accepted_count"], 2);
    assert_eq!(s["accepted_fen"], owed);
    assert_eq!(s["disputed_count"], 0);

    // Both sides hold the same statement; Sichuan's finance (成都) sees it too, a clerk does not.
    let r = dec
        .call("GET", "/api/v1/clearing/statements", Some(&finance), None)
        .await;
    let list = r.json()["statements"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["digest"], list[1]["digest"]);
    let roles: Vec<_> = list.iter().map(|s| s["role"].as_str().unwrap()).collect();
    assert!(
        roles.contains(&"care") && roles.contains(&"insured"),
        "{roles:?}"
    );
    let chengdu = dec.staff_token("chengdu.finance").await;
    let r = dec
        .call("GET", "/api/v1/clearing/statements", Some(&chengdu), None)
        .await;
    assert_eq!(
        r.json()["statements"].as_array().unwrap().len(),
        2,
        "{}",
        r.body
    );
    let clerk = dec.staff_token("cq.clerk").await;
    let r = dec
        .call("GET", "/api/v1/clearing/statements", Some(&clerk), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = issue_month(&dec, &chengdu, "2026-11").await;
    assert_eq!(
        r.json()["issued"].as_array().unwrap().len(),
        0,
        "成都 is no care side here: {}",
        r.body
    );

    // Its lines, in ledger order, with the settlement's reference and amounts.
    let id = s["id"].as_i64().unwrap();
    let r = dec
        .call(
            "GET",
            &format!("/api/v1/clearing/statements/{id}"),
            Some(&finance),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let lines = r.json()["lines"].as_array().unwrap().clone();
    let refs: Vec<_> = lines
        .iter()
        .map(|l| l["settlement_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [format!("{HOSPITAL}:C1"), format!("{HOSPITAL}:C2")]);
    assert_eq!(lines[0]["person_id_number"], chen.as_str());
    assert_eq!(lines[0]["cleared_fen"], cleared(&a));
    assert_eq!(lines[0]["settled_on"], "2026-11-22");

    // Issued again: nothing new.
    let r = issue_month(&dec, &finance, "2026-11").await;
    assert_eq!(
        r.json()["issued"].as_array().unwrap().len(),
        0,
        "{}",
        r.body
    );

    // 5 December the hospital reverses C1: December's statement gives it back.
    let later = app.later(Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap());
    let r = later
        .call(
            "POST",
            "/api/v1/settlements/C1/reverse",
            Some(&his),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let jan = app.later(Utc.with_ymd_and_hms(2027, 1, 4, 2, 0, 0).unwrap());
    // December is issued from the page's form (it proposes the last ended month).
    let mut b = jan.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login/staff",
            &[("username", "cq.finance"), ("password", "demo-cq-finance")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get("/staff/clearing").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("value=\"2026-12\""), "{}", page.body);
    let r = b
        .post_form("/staff/clearing", &[("month", "2026-12")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = b
        .post_form("/staff/clearing", &[("month", "2027-01")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("尚未结束"), "{}", r.body);
    let finance = jan.staff_token("cq.finance").await;
    let r = jan
        .call("GET", "/api/v1/clearing/statements", Some(&finance), None)
        .await;
    let list = r.json()["statements"].as_array().unwrap().clone();
    let december: Vec<_> = list
        .iter()
        .filter(|s| s["month"] == "2026-12" && s["role"] == "care")
        .collect();
    assert_eq!(december.len(), 1, "{list:?}");
    let s = december[0];
    assert_eq!(s["line_count"], 1);
    assert_eq!(s["cleared_fen"], -cleared(&a));
    assert_eq!(
        s["accepted_fen"],
        -cleared(&a),
        "the insured side gives back what it accepted"
    );
    let id = s["id"].as_i64().unwrap();
    let r = jan
        .call(
            "GET",
            &format!("/api/v1/clearing/statements/{id}"),
            Some(&finance),
            None,
        )
        .await;
    let line = &r.json()["lines"][0];
    assert_eq!(line["kind"], "reversal");
    assert_eq!(line["booked_on"], "2026-12-05");

    // The list shows both sides of both months; the statement's page shows its lines.
    let page = b.get("/staff/clearing").await;
    assert_eq!(
        page.body.matches("id=\"statement-").count(),
        4,
        "{}",
        page.body
    );
    assert!(page.body.contains("本机"), "{}", page.body);
    let page = b.get(&format!("/staff/clearing/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("撤销") && page.body.contains(&format!("{HOSPITAL}:C1")),
        "{}",
        page.body
    );
    let page = b.get("/staff/clearing/999999").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
});

/// The Sichuan side's statement of `month`, if it has one.
async fn insured_statement(app: &TestApp) -> Option<Value> {
    let list = yibao_service::clearing::list(&app.services, &operator())
        .await
        .unwrap();
    list.into_iter()
        .find(|s| s.role == "insured")
        .map(|s| serde_json::to_value(s).unwrap())
}

/// Queues a `clearing.statement` with `body` from 重庆 to 四川, signed; returns its message id.
async fn queue_statement(cq: &Instance, body: StatementBody) -> String {
    let key = cq.app.services.instance_key().await.unwrap();
    let mut tx = cq.app.services.store().begin().await.unwrap();
    let id = yibao_service::federation::outbox::send(
        &mut tx,
        &cq.app.services,
        key,
        "510000",
        MessageKind::ClearingStatement,
        serde_json::to_value(body).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The error a message kept in 重庆's outbox, undelivered, last met.
async fn kept_with_error(cq: &Instance, id: &str) -> String {
    let row = yibao_service::federation::outbox::status(&cq.app.services, id)
        .await
        .unwrap()
        .expect("the message is kept");
    assert!(row.delivered_at.is_none());
    row.last_error
}

both_stores_pair!(
    two_installations_exchange_statement_and_answer,
    demo = true,
    |cq, sc| {
        let his = cross_province_hospital(&cq.app).await;
        let chen = person_id(&cq.app, "陈小明").await;
        let liu = person_id(&cq.app, "刘芳").await;
        // Chongqing's copy of the register holds a coverage of 刘芳 in 成都 that Sichuan's does
        // not (she never registered there): her stay is settled here and disputed there.
        let mut tx = cq.app.services.store().begin().await.unwrap();
        // (ID numbers are digits and X: nothing to escape.)
        yibao_store::test_support::execute(
            &mut tx,
            &format!(
                "INSERT INTO coverage (person_id, scheme, category, employer_id, region_code, \
                 status, registered_on, start_date, end_date, case_number, created_at, updated_at) \
                 SELECT (SELECT id FROM person WHERE id_number = '{liu}'), scheme, category, \
                 employer_id, '510100', status, registered_on, start_date, end_date, NULL, \
                 created_at, updated_at FROM coverage \
                 WHERE person_id = (SELECT id FROM person WHERE id_number = '{chen}')"
            ),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let a = settle(&cq.app, &his, "F1", &chen, 100_000).await;
        let b = settle(&cq.app, &his, "F2", &liu, 40_000).await;

        // Sichuan is down when Chongqing issues November's statement.
        sc.stop().await;
        let dec = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
        let cq_dec = cq.app.later(dec);
        let done = yibao_service::clearing::issue(&cq_dec.services, &operator(), "2026-11")
            .await
            .unwrap();
        assert_eq!(done.issued.len(), 1);
        let s = &done.issued[0];
        assert_eq!(s.status, "awaiting");
        assert_eq!(s.counterpart, "对端 四川");
        assert_eq!(s.cleared_fen, cleared(&a) + cleared(&b));
        let round = cq.deliver(dec).await;
        assert_eq!(round.delivered, 0, "{round:?}");
        assert!(insured_statement(&sc.app).await.is_none());

        // Back up: the statement arrives once, is checked, and the answer comes back.
        sc.restart().await;
        let round = cq.deliver(dec + chrono::Duration::minutes(5)).await;
        assert_eq!(round.delivered, 1, "{round:?}");
        let got = insured_statement(&sc.app)
            .await
            .expect("Sichuan holds the statement");
        assert_eq!(got["digest"], s.digest.as_str());
        assert_eq!(got["status"], "reconciled");
        assert_eq!(got["accepted_count"], 1);
        assert_eq!(got["accepted_fen"], cleared(&a));
        assert_eq!(got["disputed_count"], 1);
        assert_eq!(got["disputed_fen"], cleared(&b));
        let round = sc.deliver(dec + chrono::Duration::minutes(6)).await;
        assert_eq!(round.delivered, 1, "{round:?}");
        let mine = yibao_service::clearing::detail(&cq.app.services, &operator(), s.id)
            .await
            .unwrap();
        assert_eq!(mine.statement.status, "reconciled");
        assert_eq!(mine.statement.accepted_fen, Some(cleared(&a)));
        assert_eq!(mine.statement.disputed_count, Some(1));
        assert_eq!(mine.lines[0].dispute_code, None);
        assert_eq!(
            mine.lines[1].dispute_code.as_deref(),
            Some("clearing.not_insured")
        );
        let theirs = yibao_service::clearing::detail(
            &sc.app.services,
            &operator(),
            got["id"].as_i64().unwrap(),
        )
        .await
        .unwrap();
        let codes = |d: &yibao_service::clearing::StatementDetail| {
            d.lines
                .iter()
                .map(|l| (l.settlement_ref.clone(), l.dispute_code.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(&mine),
            codes(&theirs),
            "both sides record the same disputes"
        );

        // A statement whose lines do not match its digest is refused, and nothing is recorded.
        let forged_id = queue_statement(
            cq,
            StatementBody {
                month: "2026-10".into(),
                care_region: "500000".into(),
                insured_region: "510000".into(),
                digest: s.digest.clone(),
                totals: Default::default(),
                lines: Vec::new(),
            },
        )
        .await;
        let round = cq.deliver(dec + chrono::Duration::minutes(10)).await;
        assert_eq!(round.delivered, 0, "{round:?}");
        let error = kept_with_error(cq, &forged_id).await;
        assert!(error.contains("clearing.digest_mismatch"), "{error}");
        // A whole statement (digest and totals right) of another insured province than 四川's:
        // refused, not recorded.
        let month = yibao_domain::clearing::Month::parse("2026-09").unwrap();
        let pair = yibao_domain::clearing::Pair {
            care: "500000".parse().unwrap(),
            insured: "520000".parse().unwrap(),
        };
        let elsewhere_id = queue_statement(
            cq,
            StatementBody {
                month: month.key(),
                care_region: "500000".into(),
                insured_region: "520000".into(),
                digest: yibao_service::clearing::statement_digest(month, &pair, &[]),
                totals: Default::default(),
                lines: Vec::new(),
            },
        )
        .await;
        cq.deliver(dec + chrono::Duration::minutes(20)).await;
        let error = kept_with_error(cq, &elsewhere_id).await;
        assert!(error.contains("clearing.not_insured_here"), "{error}");
        let all = yibao_service::clearing::list(&sc.app.services, &operator())
            .await
            .unwrap();
        assert_eq!(all.len(), 1, "only November's statement is held in Sichuan");
    }
);

// The finance pages in a real browser at a phone's and a desktop's width: the list and a
// statement with its lines fit (wide tables scroll inside their box).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_pages_fit_a_phone_and_a_desktop() {
    let app = TestApp::with_demo(yibao_store::Backend::Sqlite).await;
    app.demo().await;
    let his = cross_province_hospital(&app).await;
    let chen = person_id(&app, "陈小明").await;
    for (i, amount) in [100_000, 40_000, 2_500].into_iter().enumerate() {
        settle(&app, &his, &format!("B{i}"), &chen, amount).await;
    }
    let dec = app.later(Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap());
    yibao_service::clearing::issue(&dec.services, &operator(), "2026-11")
        .await
        .unwrap();
    let b = crate::common::browser::Browser::open(&app).await;
    b.login_staff("cq.finance", "demo-cq-finance").await;
    for (w, h) in [(390, 844), (1366, 768)] {
        b.resize(w, h).await;
        b.goto("/staff/clearing").await;
        b.assert_fits(&format!("{w} clearing")).await;
        assert!(b.text("#statements").await.contains("四川"));
        b.screenshot(&format!("{w}-clearing")).await;
        b.click("#statements tbody tr a").await;
        assert!(b.path().await.starts_with("/staff/clearing/"));
        b.assert_fits(&format!("{w} clearing statement")).await;
        assert!(b.text("#lines").await.contains(HOSPITAL));
        assert!(b.text("#status").await.contains("已对账"));
        b.screenshot(&format!("{w}-clearing-statement")).await;
    }
    b.close().await;
    app.finish().await;
}
