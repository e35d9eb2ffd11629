//! Three `yibao serve` processes' worth of apps on one database behave as one (issue 24,
//! docs/adr/0011-several-processes.md): each has its own pool, login limiter, token cache and
//! job locks, as separate processes would. On PostgreSQL they are three pools; a SQLite file
//! belongs to one process, so there the three share one pool and the tests show that nothing
//! else is per router.

use crate::common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Later, TestApp};
use serde_json::json;

/// Runs `f` as two multi-threaded tests, one per store, on the demo data.
macro_rules! both_stores_parallel {
    ($name:ident, $f:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = super::TestApp::with_demo(yibao_store::Backend::Sqlite).await;
                super::$f(&app).await;
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let app = super::TestApp::with_demo(yibao_store::Backend::Postgres).await;
                super::$f(&app).await;
                app.finish().await;
            }
        }
    };
}

async fn three(app: &TestApp) -> Vec<Arc<Later>> {
    let mut v = Vec::new();
    for _ in 0..3 {
        v.push(Arc::new(app.another_process().await));
    }
    v
}

async fn close(procs: Vec<Arc<Later>>, app: &TestApp) {
    for p in procs {
        if app.db.store.backend() == yibao_store::Backend::Postgres {
            p.services.store().close().await;
        }
    }
}

fn citizen_login(c: &yibao_service::demo::DemoLogin, password: &str) -> serde_json::Value {
    json!({"kind": "citizen", "id_number": c.login, "password": password})
}

async fn sessions_csrf_and_lockouts(app: &TestApp) {
    let demo = app.demo().await;
    let p = three(app).await;
    let me = &demo.citizens[3];
    // A session made by one process is known to the others, CSRF token included.
    let r = p[0]
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(citizen_login(me, &me.password)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_string();
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
    for q in &p[1..] {
        let r = q.call("GET", "/api/v1/auth/me", Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["actor"]["id_number"], me.login);
    }
    // A browser's cookie on another process: without the token refused, with it accepted.
    let cookie_post = |csrf: Option<&str>| {
        let mut req =
            Request::post("/api/v1/auth/logout").header("cookie", format!("yibao_session={token}"));
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        req.body(Body::empty()).unwrap()
    };
    let r = p[1].router.clone().oneshot_reply(cookie_post(None)).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    assert!(r.1.contains("auth.csrf"), "{}", r.1);
    let r = p[1]
        .router
        .clone()
        .oneshot_reply(cookie_post(Some(&csrf)))
        .await;
    assert!(r.0.is_success(), "{} {}", r.0, r.1);
    // Logged out on one process: the session is gone on every one.
    for q in &p {
        let r = q.call("GET", "/api/v1/auth/me", Some(&token), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }

    // Parallel guesses spread over the three processes: the allowed number are checked in all.
    let victim = demo.citizens[0].clone();
    let guesses: Vec<_> = (0..48)
        .map(|i| {
            let (q, v) = (p[i % 3].clone(), victim.clone());
            tokio::spawn(async move {
                q.call(
                    "POST",
                    "/api/v1/auth/login",
                    None,
                    Some(citizen_login(&v, &format!("wrong-{i}"))),
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
        "{codes:?}"
    );
    assert!(codes
        .iter()
        .all(|c| c == "auth.invalid_credentials" || c == "auth.locked"));
    // Locked on every process, the right password too.
    for q in &p {
        let r = q
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(citizen_login(&victim, &victim.password)),
            )
            .await;
        assert_eq!(r.json()["code"], "auth.locked", "{}", r.body);
    }
    close(p, app).await;
}

both_stores_parallel!(
    sessions_csrf_and_lockouts_are_shared,
    sessions_csrf_and_lockouts
);

async fn source_limit(app: &TestApp) {
    let p = three(app).await;
    // One source failing on many accounts, its attempts landing on the three processes in turn:
    // the source's burst is counted once for all of them, not once per process.
    let burst = yibao_service::identity::LOGIN_FAILURE_BURST as usize;
    let mut codes = Vec::new();
    for i in 0..(burst + 10) {
        let r = p[i % 3]
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({"kind": "staff", "username": format!("nobody-{i}"), "password": "x"})),
            )
            .await;
        codes.push(r.json()["code"].as_str().unwrap().to_string());
    }
    // The burst, plus the attempt that went past it, reach a password check; then the source
    // waits, on every process.
    let checked = codes
        .iter()
        .filter(|c| *c == "auth.invalid_credentials")
        .count();
    assert_eq!(checked, burst + 1, "{codes:?}");
    assert!(
        codes[burst + 1..].iter().all(|c| c == "auth.rate_limited"),
        "{codes:?}"
    );
    close(p, app).await;
}

both_stores_parallel!(the_source_limit_is_counted_once, source_limit);

async fn case_numbers(app: &TestApp) {
    let demo = app.demo().await;
    let p = three(app).await;
    let me = &demo.citizens[3];
    let mut tokens = Vec::new();
    for q in &p {
        let r = q
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(citizen_login(me, &me.password)),
            )
            .await;
        tokens.push(r.json()["token"].as_str().unwrap().to_string());
    }
    let n = 30;
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (q, t) = (p[i % 3].clone(), tokens[i % 3].clone());
            tokio::spawn(async move {
                q.call(
                    "POST",
                    "/api/v1/cases",
                    Some(&t),
                    Some(json!({"jurisdiction":"sichuan","item":"03","channel":"online"})),
                )
                .await
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        numbers.push(r.json()["case"]["number"].as_str().unwrap().to_string());
    }
    // One sequence for all processes: every number once, with no gaps.
    let mut seqs: Vec<u32> = numbers
        .iter()
        .map(|n| n.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=n as u32).collect::<Vec<_>>(), "{numbers:?}");
    close(p, app).await;
}

both_stores_parallel!(case_numbers_are_one_sequence, case_numbers);

async fn timed_jobs(app: &TestApp) {
    app.demo().await;
    let token = app
        .nanchuan_hospital_token("H50011900019", "演示医院多进程")
        .await;
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
    let p = three(app).await;
    // Settlements through all three: each person's chain gets entries from several processes.
    for (i, person) in persons.iter().enumerate() {
        let r = p[i % 3]
            .call(
                "POST",
                "/api/v1/settlements",
                Some(&token),
                Some(json!({
                    "request_id": format!("J{i}"),
                    "id_number": person,
                    "bill": {
                        "date": "2026-11-20",
                        "visit": "general_outpatient",
                        "hospital_level": "level_2",
                        "lines": [{"line_no": 1, "code": "S001", "amount": 12000, "category": "a"}]
                    }
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // The three processes' timers fire at once; the seal job runs under one lock, so no chain
    // is sealed twice and the main chain stays one line.
    let turns: Vec<_> = p
        .iter()
        .map(|q| {
            let q = q.clone();
            tokio::spawn(async move { yibao_service::jobs::turn(&q.services).await })
        })
        .collect();
    let mut chains = 0;
    let mut ran = 0;
    for t in turns {
        if let Some(r) = t.await.unwrap().sealed {
            ran += 1;
            chains += r.chains;
        }
    }
    assert!(ran >= 1);
    assert_eq!(
        chains,
        persons.len() as i64,
        "every chain sealed exactly once"
    );
    let v = yibao_service::audit::verify(&app.services).await.unwrap();
    assert!(v.ok, "{v:?}");
    close(p, app).await;
}

both_stores_parallel!(timed_jobs_seal_each_chain_once, timed_jobs);

/// `oneshot` on a router, answering status and body (requests with headers `Later` does not set).
trait OneshotReply {
    async fn oneshot_reply(self, req: Request<Body>) -> (StatusCode, String);
}

impl OneshotReply for axum::Router {
    async fn oneshot_reply(self, req: Request<Body>) -> (StatusCode, String) {
        use tower::ServiceExt;
        let res = self.oneshot(req).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}
