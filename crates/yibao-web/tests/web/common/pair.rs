//! Two instances in one test process (issue #18): each its own database of the same backend,
//! its own signing key and region, served on its own loopback port, each the other's peer.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use yibao_service::federation::{delivery, peers};
use yibao_service::identity::Actor;
use yibao_store::Backend;

use super::TestApp;

/// One instance and the server task that makes it reachable.
pub struct Instance {
    pub app: TestApp,
    pub addr: SocketAddr,
    server: Option<JoinHandle<()>>,
}

impl Instance {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts listening on `addr` (port 0: any free port).
    async fn listen(&mut self, addr: SocketAddr) {
        let listener = TcpListener::bind(addr).await.expect("bind loopback");
        self.addr = listener.local_addr().unwrap();
        let app = self
            .app
            .router
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        self.server = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }

    /// The instance goes down: its listener closes (connections are refused).
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.abort();
            let _ = s.await;
        }
    }

    /// The instance comes back on the same address.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.listen(self.addr).await;
    }

    /// One delivery round at `now` with a fresh client (no connection kept from a round before).
    pub async fn deliver(&self, now: chrono::DateTime<chrono::Utc>) -> delivery::Round {
        delivery::deliver_due(&self.app.services, &delivery::Sender::default(), now)
            .await
            .expect("delivery round")
    }

    pub async fn public_key(&self) -> String {
        self.app.services.instance_key().await.unwrap().public_hex()
    }
}

pub fn operator() -> Actor {
    Actor::System {
        label: "test:operator".into(),
    }
}

/// 重庆 (500000) and 四川 (510000), each the other's peer, both listening.
pub async fn chongqing_and_sichuan(backend: Backend, demo: bool) -> (Instance, Instance) {
    let mut pair = Vec::new();
    for (region, name) in [
        ("500000", "重庆市医疗保障局"),
        ("510000", "四川省医疗保障局"),
    ] {
        let app = if demo {
            TestApp::with_demo(backend).await
        } else {
            TestApp::new(backend).await
        };
        peers::set_identity(&app.services, &operator(), region, name)
            .await
            .unwrap();
        let mut i = Instance {
            app,
            addr: "127.0.0.1:0".parse().unwrap(),
            server: None,
        };
        i.listen(i.addr).await;
        pair.push(i);
    }
    let sc = pair.pop().unwrap();
    let cq = pair.pop().unwrap();
    for (me, other, regions, name) in [(&cq, &sc, "510000", "四川"), (&sc, &cq, "500000", "重庆")]
    {
        peers::add(
            &me.app.services,
            &operator(),
            &peers::NewPeer {
                name,
                regions,
                base_url: &other.url(),
                public_key: &other.public_key().await,
            },
        )
        .await
        .unwrap();
    }
    (cq, sc)
}

/// Declares one async test over a 重庆–四川 pair and runs it on both stores.
#[macro_export]
macro_rules! both_stores_pair {
    ($name:ident, demo = $demo:expr, |$cq:ident, $sc:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($cq: &mut $crate::common::pair::Instance, $sc: &mut $crate::common::pair::Instance) $body

            async fn on(backend: yibao_store::Backend) {
                let (mut cq, mut sc) = $crate::common::pair::chongqing_and_sichuan(backend, $demo).await;
                run(&mut cq, &mut sc).await;
                cq.stop().await;
                sc.stop().await;
                cq.app.finish().await;
                sc.app.finish().await;
            }

            #[tokio::test]
            async fn sqlite() {
                on(yibao_store::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                on(yibao_store::Backend::Postgres).await;
            }
        }
    };
}
