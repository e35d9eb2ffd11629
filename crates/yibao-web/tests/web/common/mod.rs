//! The app in-process against a fresh database of either backend, and requests to it.

#![allow(dead_code)]

pub mod browser;
pub mod journey;
pub mod page;
pub mod pair;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{TimeZone, Utc};
use tower::ServiceExt;
use yibao_service::identity::RecordingPhoneSender;
use yibao_service::{FixedClock, Services};
use yibao_store::test_support::{Seed, SeedFuture, TestDb};
use yibao_store::{Backend, Store};
use yibao_web::AppState;

pub struct TestApp {
    pub router: Router,
    pub services: Services,
    pub db: TestDb,
    /// Phone codes the app "sent" (registration, reset).
    pub phone: RecordingPhoneSender,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (downloads that are not text).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The day every test app lives on.
fn clock() -> FixedClock {
    FixedClock(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

fn services(store: Store) -> Services {
    let catalog = yibao_service::catalog::embedded().expect("embedded catalog is valid");
    Services::new(store, Arc::new(clock()), catalog)
}

/// The demo data, loaded once into a template (hashing its 27 passwords with argon2 is most of
/// the cost of loading it), on the same clock as the apps, so a copy holds exactly what
/// `TestApp::demo` would have written.
const DEMO: Seed = Seed {
    name: "demo",
    load: load_demo,
};

fn load_demo(store: Store) -> SeedFuture {
    Box::pin(async move {
        yibao_service::demo::load(&services(store))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

impl TestApp {
    /// The app on an empty, migrated database.
    pub async fn new(backend: Backend) -> TestApp {
        TestApp::on(TestDb::new(backend).await.expect("test database"))
    }

    /// The app on a database that already holds the demo data (a copy of the demo template):
    /// `demo()` then only reads the report. For tests that load the demo before anything else.
    pub async fn with_demo(backend: Backend) -> TestApp {
        TestApp::on(
            TestDb::seeded(backend, DEMO)
                .await
                .expect("test database with the demo data"),
        )
    }

    fn on(db: TestDb) -> TestApp {
        let phone = RecordingPhoneSender::default();
        let services = services(db.store.clone()).with_phone_sender(Arc::new(phone.clone()));
        let router = yibao_web::app(AppState::new(services.clone()));
        TestApp {
            router,
            services,
            db,
            phone,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        let req = Request::get(path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// A request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = bearer {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        self.send(req).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        bearer: Option<&str>,
        body: serde_json::Value,
    ) -> Reply {
        self.call("POST", path, bearer, Some(body)).await
    }

    /// Loads the demo data (agencies, staff, employers with operators, persons with accounts).
    pub async fn demo(&self) -> yibao_service::demo::DemoReport {
        yibao_service::demo::load(&self.services)
            .await
            .expect("demo data")
    }

    /// Logs in over the API and returns the bearer token.
    pub async fn token(&self, login: serde_json::Value) -> String {
        let r = self
            .post_json("/api/v1/auth/login", None, login.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {login}: {}", r.body);
        r.json()["token"].as_str().unwrap().to_string()
    }

    pub async fn staff_token(&self, username: &str) -> String {
        let (prefix, role) = username.split_once('.').unwrap();
        self.token(serde_json::json!({
            "kind": "staff", "username": username, "password": format!("demo-{prefix}-{role}")
        }))
        .await
    }

    /// A browser: keeps cookies, and fills in the CSRF token of the last page it saw.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            router: &self.router,
            cookies: Vec::new(),
            csrf: None,
        }
    }

    /// A 二级 hospital of 南川 (500119) registered by the city's admin, and an API token for it.
    pub async fn nanchuan_hospital_token(&self, code: &str, name: &str) -> String {
        let admin = self.staff_token("cq.admin").await;
        let r = self
            .post_json(
                "/api/v1/admin/institutions",
                Some(&admin),
                serde_json::json!({"code": code, "name": name, "kind": "hospital", "level": "二级", "region_code": "500119"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = self
            .post_json(
                &format!("/api/v1/admin/institutions/{code}/tokens"),
                Some(&admin),
                serde_json::json!({"label": "HIS"}),
            )
            .await;
        r.json()["token"]["token"].as_str().unwrap().to_string()
    }

    /// The same database seen on another day (its own clock and services), e.g. after a month
    /// has ended.
    pub fn later(&self, at: chrono::DateTime<Utc>) -> Later {
        let catalog = yibao_service::catalog::embedded().expect("embedded catalog is valid");
        let services = Services::new(self.db.store.clone(), Arc::new(FixedClock(at)), catalog);
        Later {
            router: yibao_web::app(AppState::new(services.clone())),
            services,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        send_to(&self.router, req).await
    }

    /// Another `yibao serve` process on the same database: its own pool, limiter, caches and
    /// job locks, the same clock. (On SQLite, whose file belongs to one process, the same pool.)
    pub async fn another_process(&self) -> Later {
        let store = match self.db.store.backend() {
            Backend::Postgres => Store::connect(&self.db.url).await.expect("connect"),
            Backend::Sqlite => self.db.store.clone(),
        };
        let services = services(store).with_phone_sender(Arc::new(self.phone.clone()));
        Later {
            router: yibao_web::app(AppState::new(services.clone())),
            services,
        }
    }

    pub async fn finish(self) {
        self.db.cleanup().await;
    }
}

/// The app on another day over the same database (`TestApp::later`).
pub struct Later {
    pub router: Router,
    pub services: Services,
}

impl Later {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = bearer {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        send_to(&self.router, req).await
    }

    /// A browser on this day (`TestApp::browser`).
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            router: &self.router,
            cookies: Vec::new(),
            csrf: None,
        }
    }

    /// A staff member's token on this day (sessions expire: one from another day may not do).
    pub async fn staff_token(&self, username: &str) -> String {
        let (prefix, role) = username.split_once('.').unwrap();
        let login = serde_json::json!({
            "kind": "staff", "username": username, "password": format!("demo-{prefix}-{role}")
        });
        let r = self
            .call("POST", "/api/v1/auth/login", None, Some(login))
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.body);
        r.json()["token"].as_str().unwrap().to_string()
    }
}

async fn send_to(router: &Router, req: Request<Body>) -> Reply {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// Declares one async test body and runs it as two tests, `<name>::sqlite` and
/// `<name>::postgres`, so the output shows both stores ran.
#[macro_export]
macro_rules! both_stores {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::both_stores!(@on new, $name, |$app| $body);
    };
    // `$make`: the `TestApp` constructor.
    (@on $make:ident, $name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: &$crate::common::TestApp) $body

            #[tokio::test]
            async fn sqlite() {
                let app = $crate::common::TestApp::$make(yibao_store::Backend::Sqlite).await;
                run(&app).await;
                app.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let app = $crate::common::TestApp::$make(yibao_store::Backend::Postgres).await;
                run(&app).await;
                app.finish().await;
            }
        }
    };
}

/// `both_stores!` on a database that already holds the demo data (`TestApp::with_demo`), for
/// bodies that load the demo before anything else.
#[macro_export]
macro_rules! both_stores_with_demo {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::both_stores!(@on with_demo, $name, |$app| $body);
    };
}

pub struct Browser<'a> {
    router: &'a Router,
    pub cookies: Vec<(String, String)>,
    pub csrf: Option<String>,
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, reply: &Reply) {
        for v in reply.headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !attrs.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), val.to_string()));
            }
        }
        let pat = "name=\"csrf_token\" value=\"";
        if let Some(i) = reply.body.find(pat) {
            let rest = &reply.body[i + pat.len()..];
            self.csrf = rest.split('"').next().map(str::to_string);
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let req = Request::get(path)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let r = send_to(self.router, req).await;
        self.absorb(&r);
        r
    }

    /// Posts a form with the CSRF token of the last page seen (unless `csrf` is given).
    pub async fn post_form_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        csrf: Option<&str>,
    ) -> Reply {
        let token = csrf
            .map(str::to_string)
            .or(self.csrf.clone())
            .unwrap_or_default();
        let mut ser = form_urlencoded::Serializer::new(String::new());
        if !token.is_empty() {
            ser.append_pair("csrf_token", &token);
        }
        for (k, v) in fields {
            ser.append_pair(k, v);
        }
        let req = Request::post(path)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(ser.finish()))
            .unwrap();
        let r = send_to(self.router, req).await;
        self.absorb(&r);
        r
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_form_with(path, fields, None).await
    }
    /// Posts a multipart form (text fields and one file) with the CSRF token of the last page
    /// seen, the way a browser sends a form with `enctype="multipart/form-data"`.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Reply {
        let boundary = "yibaoPAGEBOUNDARY";
        let mut body = Vec::new();
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        for (k, v) in all {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header("cookie", self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        let r = send_to(self.router, req).await;
        self.absorb(&r);
        r
    }
}
