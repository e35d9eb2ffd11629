//! The app in-process against a fresh database of either backend, and requests to it.

#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{TimeZone, Utc};
use tower::ServiceExt;
use yibao_service::{FixedClock, Services};
use yibao_store::test_support::TestDb;
use yibao_store::Backend;
use yibao_web::AppState;

pub struct TestApp {
    pub router: Router,
    pub services: Services,
    pub db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        let db = TestDb::new(backend).await.expect("test database");
        let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let catalog = yibao_service::catalog::embedded().expect("embedded catalog is valid");
        let services = Services::new(db.store.clone(), Arc::new(clock), catalog);
        let router = yibao_web::app(AppState::new(services.clone()));
        TestApp {
            router,
            services,
            db,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        let req = Request::get(path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn finish(self) {
        self.db.cleanup().await;
    }
}

/// Declares one async test body and runs it as two tests, `<name>::sqlite` and
/// `<name>::postgres`, so the output shows both stores ran.
#[macro_export]
macro_rules! both_stores {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: &$crate::common::TestApp) $body

            #[tokio::test]
            async fn sqlite() {
                let app = $crate::common::TestApp::new(yibao_store::Backend::Sqlite).await;
                run(&app).await;
                app.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let app = $crate::common::TestApp::new(yibao_store::Backend::Postgres).await;
                run(&app).await;
                app.finish().await;
            }
        }
    };
}
