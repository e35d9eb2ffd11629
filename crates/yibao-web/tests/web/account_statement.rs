//! The personal account's statement (个人账户明细) under settlement: every draw and every
//! reversal is a line, written in the settlement's transaction, so that racing settlements on
//! one account still leave the balance equal to the sum of the statement (both stores).

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

async fn institution(app: &TestApp) -> String {
    app.nanchuan_hospital_token("H50011900001", "演示医院")
        .await
}

fn bill(request_id: &str, id_number: &str) -> Value {
    json!({"request_id": request_id, "id_number": id_number,
           "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2",
                    "admission_id": format!("ZY-{request_id}"),
                    "lines": [{"line_no": 1, "code": "S001", "amount": 300000, "category": "a"}]}})
}

/// (kind, amount) of the year's lines; asserts they add up to the balance.
async fn statement(app: &TestApp, id_number: &str) -> Vec<(String, i64)> {
    let mut tx = app.services.store().begin().await.unwrap();
    let rows = yibao_store::account::year(&mut tx, id_number, 2026)
        .await
        .unwrap();
    let entries: Vec<_> = rows
        .iter()
        .map(|r| yibao_domain::account::Entry {
            kind: r.kind,
            amount: yibao_domain::Fen(r.amount_fen),
            balance_after: yibao_domain::Fen(r.balance_after_fen),
        })
        .collect();
    let totals = yibao_domain::account::year_totals(yibao_domain::Fen(0), &entries).unwrap();
    let acc = yibao_service::settlement::accumulators(&app.services, id_number, 2026)
        .await
        .unwrap();
    assert_eq!(totals.closing, acc.account_balance, "{rows:?}");
    rows.iter()
        .map(|r| (r.kind.key().to_string(), r.amount_fen))
        .collect()
}

both_stores_with_demo!(
    racing_settlements_keep_the_statement_equal_to_the_balance,
    |app| {
        let demo = app.demo().await;
        let wang = demo.citizens[0].login.clone();
        let token = institution(app).await;
        let finance = app.staff_token("nanchuan.finance").await;
        let pid = {
            let mut tx = app.services.store().begin().await.unwrap();
            let id: yibao_domain::CitizenId = wang.parse().unwrap();
            yibao_store::enrolment::find_person(&mut tx, &id)
                .await
                .unwrap()
                .unwrap()
                .id
        };
        let r = app
            .post_json(
                &format!("/api/v1/persons/{pid}/account-credits"),
                Some(&finance),
                json!({"year": 2026, "amount_fen": 100_000, "note": "2026年11月划入"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut tasks = Vec::new();
        for n in 0..8 {
            let body = bill(&format!("R{n}"), &wang);
            let router = app.router.clone();
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                use tower::ServiceExt;
                let req = axum::http::Request::post("/api/v1/settlements")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap();
                let res = router.oneshot(req).await.unwrap();
                let status = res.status();
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
                    .await
                    .unwrap();
                (status, serde_json::from_slice::<Value>(&bytes).unwrap())
            }));
        }
        let mut paid = 0;
        for t in tasks {
            let (status, v) = t.await.unwrap();
            assert_eq!(status, StatusCode::OK, "{v}");
            paid += v["account"].as_i64().unwrap();
        }
        assert!(paid > 0 && paid <= 100_000, "{paid}");
        let lines = statement(app, &wang).await;
        assert_eq!(lines[0], ("credit".to_string(), 100_000));
        let drawn: i64 = lines
            .iter()
            .filter(|(k, _)| k == "settlement")
            .map(|(_, a)| -a)
            .sum();
        assert_eq!(drawn, paid, "{lines:?}");
        // Reversals give back to the same account, each a line (which of the racing settlements
        // drew on it depends on their order: all are reversed).
        for n in 0..8 {
            let r = app
                .post_json(
                    &format!("/api/v1/settlements/R{n}/reverse"),
                    Some(&token),
                    json!({}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let lines = statement(app, &wang).await;
        let back: i64 = lines
            .iter()
            .filter(|(k, _)| k == "reversal")
            .map(|(_, a)| a)
            .sum();
        assert_eq!(back, paid, "{lines:?}");
        let acc = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
            .await
            .unwrap();
        assert_eq!(acc.account_balance.fen(), 100_000);
    }
);

// The person's record shows the statement: paged (newest first, `next_before`), with the
// year's totals, to the person and to staff of the area; nobody else.
both_stores_with_demo!(the_statement_is_paged_with_the_years_totals, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let finance = app.staff_token("nanchuan.finance").await;
    let pid = {
        let mut tx = app.services.store().begin().await.unwrap();
        let id: yibao_domain::CitizenId = wang.parse().unwrap();
        yibao_store::enrolment::find_person(&mut tx, &id)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    for amount in [100, 200, 300, 400, 500] {
        let r = app
            .post_json(
                &format!("/api/v1/persons/{pid}/account-credits"),
                Some(&finance),
                json!({"year": 2026, "amount_fen": amount, "note": "划入"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let citizen = app
        .token(json!({"kind": "citizen", "id_number": wang, "password": demo.citizens[0].password}))
        .await;
    let page = |before: Option<i64>| {
        let path = match before {
            Some(b) => format!("/api/v1/persons/{pid}/account?year=2026&limit=2&before={b}"),
            None => format!("/api/v1/persons/{pid}/account?year=2026&limit=2"),
        };
        let citizen = citizen.clone();
        async move {
            let r = app.call("GET", &path, Some(&citizen), None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()["account"].clone()
        }
    };
    let first = page(None).await;
    assert_eq!(first["balance_fen"], 1500);
    assert_eq!(first["status"], "open");
    assert_eq!(first["totals"]["credited"], 1500);
    assert_eq!(first["totals"]["closing"], 1500);
    assert_eq!(first["totals"]["entries"], 5);
    let amounts = |p: &Value| -> Vec<i64> {
        p["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["amount_fen"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(amounts(&first), [500, 400]);
    assert_eq!(first["entries"][0]["kind_label"], "划入");
    assert_eq!(first["entries"][0]["balance_after_fen"], 1500);
    let second = page(first["next_before"].as_i64()).await;
    assert_eq!(amounts(&second), [300, 200]);
    let third = page(second["next_before"].as_i64()).await;
    assert_eq!(amounts(&third), [100]);
    assert!(third["next_before"].is_null());
    // The staff page of the person shows the year's balance, totals and latest lines.
    let mut staff = app.browser();
    staff.get("/login").await;
    let r = staff
        .post_form(
            "/login/staff",
            &[
                ("username", "nanchuan.clerk"),
                ("password", "demo-nanchuan-clerk"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = staff.get(&format!("/staff/persons/{pid}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let account = common::page::table_rows(&page.body, "#account");
    assert_eq!(account[0], ["账户状态", "正常"], "{account:?}");
    assert_eq!(account[1], ["2026年度余额", "15.00元"], "{account:?}");
    let lines = common::page::table_rows(&page.body, "#account-lines");
    assert_eq!(lines.len(), 6, "a header and five lines: {lines:?}");
    assert_eq!(lines[1][1..4], ["划入", "5.00元", "15.00元"], "{lines:?}");
    assert_eq!(common::page::count(&page.body, "#no-account-links"), 1);
    // Another citizen's account is not found; a bad year is refused.
    let other = app
        .call(
            "GET",
            "/api/v1/persons/999999/account",
            Some(&citizen),
            None,
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    let bad = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/account?year=1900"),
            Some(&citizen),
            None,
        )
        .await;
    assert_eq!(bad.json()["code"], "account.year", "{}", bad.body);
});

/// (kind, amount) of a year's lines, checked to add up from zero.
async fn year_lines(app: &TestApp, id_number: &str, year: i64) -> Vec<(String, i64)> {
    let mut tx = app.services.store().begin_read().await.unwrap();
    let rows = yibao_store::account::year(&mut tx, id_number, year)
        .await
        .unwrap();
    let entries: Vec<_> = rows
        .iter()
        .map(|r| yibao_domain::account::Entry {
            kind: r.kind,
            amount: yibao_domain::Fen(r.amount_fen),
            balance_after: yibao_domain::Fen(r.balance_after_fen),
        })
        .collect();
    yibao_domain::account::year_totals(yibao_domain::Fen(0), &entries).unwrap();
    rows.iter()
        .map(|r| (r.kind.key().to_string(), r.amount_fen))
        .collect()
}

// The year-end carry-over (年度结转): a finished year's balance leaves it and opens the next, so
// a settlement in the new year pays from it; the current year cannot be carried; a second run
// moves nothing; only finance runs it.
both_stores_with_demo!(year_end_carry_over_moves_the_balance_once, |app| {
    let demo = app.demo().await;
    let wang = demo.citizens[0].login.clone();
    let finance = app.staff_token("nanchuan.finance").await;
    let clerk = app.staff_token("nanchuan.clerk").await;
    let pid = {
        let mut tx = app.services.store().begin_read().await.unwrap();
        let id: yibao_domain::CitizenId = wang.parse().unwrap();
        yibao_store::enrolment::find_person(&mut tx, &id)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let r = app
        .post_json(
            &format!("/api/v1/persons/{pid}/account-credits"),
            Some(&finance),
            json!({"year": 2025, "amount_fen": 50_000, "note": "2025年12月划入"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let before = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
        .await
        .unwrap()
        .account_balance
        .fen();
    // Today is in 2026: 2026 has not ended.
    let r = app
        .post_json(
            "/api/v1/accounts/carry-over",
            Some(&finance),
            json!({"year": 2026}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "account.carry_over.year_open");
    let r = app
        .post_json(
            "/api/v1/accounts/carry-over",
            Some(&clerk),
            json!({"year": 2025}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post_json(
            "/api/v1/accounts/carry-over",
            Some(&finance),
            json!({"year": 2025}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (
            r.json()["accounts"].as_u64(),
            r.json()["total_fen"].as_i64()
        ),
        (Some(1), Some(50_000)),
        "{}",
        r.body
    );
    assert_eq!(
        year_lines(app, &wang, 2025).await,
        [
            ("credit".to_string(), 50_000),
            ("carry_out".to_string(), -50_000)
        ]
    );
    assert_eq!(
        year_lines(app, &wang, 2026).await.last().cloned(),
        Some(("carry_in".to_string(), 50_000))
    );
    let after = yibao_service::settlement::accumulators(&app.services, &wang, 2026)
        .await
        .unwrap()
        .account_balance
        .fen();
    assert_eq!(after, before + 50_000);
    // Run again: nothing left to move.
    let r = app
        .post_json(
            "/api/v1/accounts/carry-over",
            Some(&finance),
            json!({"year": 2025}),
        )
        .await;
    assert_eq!(r.json()["accounts"], 0, "{}", r.body);
    // A 2026 settlement pays from what 2025 left.
    let token = institution(app).await;
    let r = app
        .post_json("/api/v1/settlements", Some(&token), bill("CARRY-1", &wang))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["account"].as_i64().unwrap() > 0, "{}", r.body);
});
