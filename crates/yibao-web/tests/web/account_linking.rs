//! Account linking (个人账户关联 / 家庭共济) through the case engine and at settlement: Youyang
//! (seed 002 医保个人账户长期关联) and Nanchuan (seed 004 item 37, 渝人社发〔2012〕106号). The user's
//! settlement draws on the holder's account what the own account does not cover, the
//! explanation says so, a reversal restores the holder's account, and racing settlements on
//! one shared account keep its balance equal to its statement (both stores).

use crate::common;

use axum::http::StatusCode;
use common::journey::{act, provide_missing, view, window};
use common::{Reply, TestApp};
use serde_json::{json, Value};

async fn person(app: &TestApp, name: &str) -> yibao_store::enrolment::PersonRow {
    let mut tx = app.services.store().begin().await.unwrap();
    yibao_store::enrolment::list_persons(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name.contains(name))
        .unwrap()
}

async fn institution(app: &TestApp) -> String {
    app.nanchuan_hospital_token("H50011900001", "演示医院")
        .await
}

fn bill(request_id: &str, id_number: &str) -> Value {
    json!({"request_id": request_id, "id_number": id_number,
           "bill": {"date": "2026-11-20", "visit": "inpatient", "hospital_level": "level_2",
                    "admission_id": format!("ZY-{request_id}"),
                    "lines": [{"line_no": 1, "code": "S001", "amount": 300000, "category": "a"},
                              {"line_no": 2, "code": "D002", "amount": 12345, "category": "b", "self_pay_share_bp": 1000}]}})
}

async fn credit(app: &TestApp, person_id: i64, amount: i64) {
    let t = app.staff_token("cq.finance").await;
    let r = app
        .post_json(
            &format!("/api/v1/persons/{person_id}/account-credits"),
            Some(&t),
            json!({"year": 2026, "amount_fen": amount, "note": "2026年11月划入"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn balance(app: &TestApp, id_number: &str) -> i64 {
    yibao_service::settlement::accumulators(&app.services, id_number, 2026)
        .await
        .unwrap()
        .account_balance
        .fen()
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
    let t = yibao_domain::account::year_totals(yibao_domain::Fen(0), &entries).unwrap();
    assert_eq!(t.closing.fen(), balance(app, id_number).await, "{rows:?}");
    rows.iter()
        .map(|r| (r.kind.key().to_string(), r.amount_fen))
        .collect()
}

/// Opens, accepts and completes a linking case; returns the last reply.
async fn linking(
    app: &TestApp,
    clerk: &str,
    jurisdiction: &str,
    item: &str,
    holder: &yibao_store::enrolment::PersonRow,
    form: Value,
) -> Reply {
    let n = window(
        app,
        clerk,
        json!({"jurisdiction": jurisdiction, "item": item, "channel": "window",
               "applicant": {"id_number": holder.id_number, "name": holder.name}, "form": form}),
    )
    .await;
    let v = view(app, clerk, &n).await;
    provide_missing(app, clerk, &n, &v).await;
    assert_eq!(act(app, clerk, &n, "submit").await.status, StatusCode::OK);
    let r = act(app, clerk, &n, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    act(app, clerk, &n, "complete").await
}

fn link_form(user: &yibao_store::enrolment::PersonRow, relationship: &str) -> Value {
    json!({"action": "建立关联", "user_name": user.name, "user_id_number": user.id_number,
           "relationship": relationship})
}

fn refused(r: &Reply, code: &str) {
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
    assert_eq!(r.json()["code"], code, "{}", r.body);
}

both_stores_with_demo!(a_linked_account_pays_and_a_reversal_restores_it, |app| {
    app.demo().await;
    let zhang = person(app, "张伟").await; // holder, 酉阳
    let yang = person(app, "杨丽").await; // user, own account empty
    let wang = person(app, "王建国").await;
    let li = person(app, "李秀英").await;
    let his = institution(app).await;
    let youyang = app.staff_token("youyang.clerk").await;
    let nanchuan = app.staff_token("nanchuan.clerk").await;
    credit(app, zhang.id, 50_000).await;

    // Before any link: the account share is left to cash.
    let pre = app
        .post_json(
            "/api/v1/settlements/pre",
            Some(&his),
            bill("P0", &yang.id_number),
        )
        .await
        .json();
    assert!(pre.get("account_mutual_aid").is_none(), "{pre}");

    let r = linking(
        app,
        &youyang,
        "youyang",
        "08",
        &zhang,
        link_form(&yang, "指定人"),
    )
    .await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);

    // One holder per user; no chains (a holder does not draw, a user does not provide); not
    // oneself (Nanchuan's item, holders insured in Nanchuan).
    refused(
        &linking(
            app,
            &nanchuan,
            "nanchuan",
            "37",
            &wang,
            link_form(&yang, "配偶"),
        )
        .await,
        "account.link_exists",
    );
    refused(
        &linking(
            app,
            &nanchuan,
            "nanchuan",
            "37",
            &li,
            link_form(&zhang, "子女"),
        )
        .await,
        "account.link_chain",
    );
    refused(
        &linking(
            app,
            &nanchuan,
            "nanchuan",
            "37",
            &wang,
            link_form(&wang, "配偶"),
        )
        .await,
        "account.link_self",
    );

    let settled = app
        .post_json(
            "/api/v1/settlements",
            Some(&his),
            bill("L1", &yang.id_number),
        )
        .await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    let s = settled.json();
    let mutual = s["account_mutual_aid"].as_i64().unwrap();
    assert!(mutual > 0 && mutual <= 50_000, "{s}");
    let parts: i64 = [
        "fund",
        "critical_illness",
        "aid",
        "account",
        "account_mutual_aid",
        "cash",
    ]
    .iter()
    .map(|k| s[k].as_i64().unwrap_or(0))
    .sum();
    assert_eq!(parts, s["total"].as_i64().unwrap(), "{s}");
    let texts: Vec<&str> = s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["text"].as_str())
        .collect();
    assert!(texts.iter().any(|t| t.contains("共济支付")), "{texts:?}");
    assert_eq!(balance(app, &zhang.id_number).await, 50_000 - mutual);
    assert_eq!(
        statement(app, &zhang.id_number).await,
        [("credit".into(), 50_000), ("settlement".into(), -mutual)]
    );
    // The national envelope names it acct_mulaid_pay.
    let r = app
        .post_json("/api/v1/settlements/L1/reverse", Some(&his), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(balance(app, &zhang.id_number).await, 50_000);
    assert_eq!(
        statement(app, &zhang.id_number).await,
        [
            ("credit".into(), 50_000),
            ("settlement".into(), -mutual),
            ("reversal".into(), mutual)
        ]
    );

    // Revoked: the next settlement does not draw on it; revoking twice is refused.
    let revoke =
        json!({"action": "解除关联", "user_name": yang.name, "user_id_number": yang.id_number});
    let r = linking(app, &youyang, "youyang", "08", &zhang, revoke.clone()).await;
    assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    let s = app
        .post_json(
            "/api/v1/settlements",
            Some(&his),
            bill("L2", &yang.id_number),
        )
        .await
        .json();
    assert!(s.get("account_mutual_aid").is_none(), "{s}");
    assert_eq!(balance(app, &zhang.id_number).await, 50_000);
    refused(
        &linking(app, &youyang, "youyang", "08", &zhang, revoke).await,
        "account.link_not_found",
    );
});

// Two users on one holder's account, settling at once: the holder's row lock serialises them,
// the account never goes below zero, and its balance equals its statement.
both_stores_with_demo!(racing_users_of_one_shared_account_keep_it_whole, |app| {
    app.demo().await;
    let zhang = person(app, "张伟").await;
    let yang = person(app, "杨丽").await;
    let wang = person(app, "王建国").await;
    let his = institution(app).await;
    let youyang = app.staff_token("youyang.clerk").await;
    credit(app, zhang.id, 30_000).await;
    for (user, rel) in [(&yang, "指定人"), (&wang, "父母")] {
        let r = linking(app, &youyang, "youyang", "08", &zhang, link_form(user, rel)).await;
        assert_eq!(r.json()["case"]["status"], "completed", "{}", r.body);
    }
    let mut tasks = Vec::new();
    for n in 0..8 {
        let who = if n % 2 == 0 { &yang } else { &wang };
        let body = bill(&format!("S{n}"), &who.id_number);
        let router = app.router.clone();
        let token = his.clone();
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
    let mut mutual = 0;
    for t in tasks {
        let (status, v) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{v}");
        mutual += v["account_mutual_aid"].as_i64().unwrap_or(0);
    }
    assert!(mutual > 0, "the shared account paid something");
    assert_eq!(balance(app, &zhang.id_number).await, 30_000 - mutual);
    let lines = statement(app, &zhang.id_number).await;
    let drawn: i64 = lines
        .iter()
        .filter(|(k, _)| k == "settlement")
        .map(|(_, a)| -a)
        .sum();
    assert_eq!(drawn, mutual, "{lines:?}");
});
