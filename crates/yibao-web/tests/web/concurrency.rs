//! Many users at once on either store (issue 16): concurrent logins, case creations and
//! settlements all succeed (SQLite used to answer 500 "database is locked"), and parallel
//! password guesses get exactly the allowed number of real checks.

use crate::common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

const CLIENTS: usize = 32;

/// Runs `f` as two multi-threaded tests, one per store, on the demo data: real parallelism, not
/// interleaving.
macro_rules! both_stores_parallel {
    ($name:ident, $f:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = std::sync::Arc::new(
                    super::TestApp::with_demo(yibao_store::Backend::Sqlite).await,
                );
                super::$f(app.clone()).await;
                if let Ok(app) = std::sync::Arc::try_unwrap(app) {
                    app.finish().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let app = std::sync::Arc::new(
                    super::TestApp::with_demo(yibao_store::Backend::Postgres).await,
                );
                super::$f(app.clone()).await;
                if let Ok(app) = std::sync::Arc::try_unwrap(app) {
                    app.finish().await;
                }
            }
        }
    };
}

async fn institution_token(app: &TestApp) -> String {
    app.nanchuan_hospital_token("H50011900009", "演示医院并发")
        .await
}

fn bill(request_id: &str, id_number: &str) -> serde_json::Value {
    json!({
        "request_id": request_id,
        "id_number": id_number,
        "bill": {
            "date": "2026-11-20",
            "visit": "general_outpatient",
            "hospital_level": "level_2",
            "lines": [{"line_no": 1, "code": "S001", "amount": 12000, "category": "a"}]
        }
    })
}

async fn logins_cases_and_settlements_at_once(app: Arc<TestApp>) {
    let demo = app.demo().await;
    let settle_with = institution_token(&app).await;
    let persons: Vec<String> = {
        let mut tx = app.services.store().begin_read().await.unwrap();
        yibao_store::enrolment::list_persons(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.region_code.starts_with("50"))
            .map(|p| p.id_number)
            .collect()
    };
    assert!(!persons.is_empty());
    let citizen = demo.citizens[3].clone();
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        // A login, an application and a settlement per client, all at the same time.
        let (app1, app2, app3) = (app.clone(), app.clone(), app.clone());
        let c = citizen.clone();
        tasks.push(tokio::spawn(async move {
            app1.post_json(
                "/api/v1/auth/login",
                None,
                json!({"kind":"citizen","id_number": c.login,"password": c.password}),
            )
            .await
        }));
        let c = citizen.clone();
        tasks.push(tokio::spawn(async move {
            let t = app2
                .post_json(
                    "/api/v1/auth/login",
                    None,
                    json!({"kind":"citizen","id_number": c.login,"password": c.password}),
                )
                .await;
            if t.status != StatusCode::OK {
                return t;
            }
            let token = t.json()["token"].as_str().unwrap().to_string();
            app2.post_json(
                "/api/v1/cases",
                Some(&token),
                json!({"jurisdiction":"sichuan","item":"03","channel":"online"}),
            )
            .await
        }));
        let (token, person) = (settle_with.clone(), persons[i % persons.len()].clone());
        tasks.push(tokio::spawn(async move {
            app3.post_json(
                "/api/v1/settlements",
                Some(&token),
                bill(&format!("C{i}"), &person),
            )
            .await
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        if !r.status.is_success() {
            failures.push(format!("{} {}", r.status, r.body));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    // Every settlement is in its person's audit chain, the chains intact although several
    // persons' settlements raced (ADR 0006).
    let v = yibao_service::audit::verify(&app.services).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.chain_entries, CLIENTS as i64);
}

both_stores_parallel!(
    logins_cases_and_settlements_at_once_all_succeed,
    logins_cases_and_settlements_at_once
);

async fn parallel_guesses(app: Arc<TestApp>) {
    let demo = app.demo().await;
    let victim = demo.citizens[0].clone();
    let guesses: Vec<_> = (0..64)
        .map(|i| {
            let (app, login) = (app.clone(), victim.login.clone());
            tokio::spawn(async move {
                app.post_json(
                    "/api/v1/auth/login",
                    None,
                    json!({"kind":"citizen","id_number": login,"password": format!("wrong-{i}")}),
                )
                .await
            })
        })
        .collect();
    let mut codes = Vec::new();
    for g in guesses {
        codes.push(
            g.await.unwrap().json()["code"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let checked = codes
        .iter()
        .filter(|c| *c == "auth.invalid_credentials")
        .count();
    assert_eq!(
        checked,
        yibao_service::identity::MAX_FAILURES as usize,
        "only the allowed number of guesses reach a password check: {codes:?}"
    );
    assert!(codes.iter().all(|c| c == "auth.invalid_credentials"
        || c == "auth.locked"
        || c == "auth.rate_limited"));
    // The right password from the same source is refused now…
    let r = app
        .post_json(
            "/api/v1/auth/login",
            None,
            json!({"kind":"citizen","id_number": victim.login,"password": victim.password}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "auth.locked");
    // …while the person, from elsewhere, still logs in.
    let elsewhere = yibao_service::identity::login(
        &app.services,
        &yibao_service::identity::Credentials::Citizen {
            id_number: victim.login.clone(),
            password: victim.password.clone(),
        },
        "203.0.113.7",
    )
    .await;
    assert!(elsewhere.is_ok(), "{:?}", elsewhere.err());
}

both_stores_parallel!(
    parallel_guesses_get_only_the_allowed_checks,
    parallel_guesses
);
