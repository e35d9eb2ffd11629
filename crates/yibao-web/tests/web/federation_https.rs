//! Delivery over HTTPS (issue #18, docs/federation.md): 四川 listens behind TLS with a
//! certificate of the bureaus' own CA. 重庆's worker that trusts only Mozilla's roots cannot
//! deliver: the message stays in the outbox with the certificate error and is retried. Given
//! the CA (`YIBAO_FEDERATION_CA_FILE`), it delivers the same message, once.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use yibao_service::federation::delivery::Sender;
use yibao_service::federation::{inbox, outbox, peers};

use crate::both_stores_pair;
use crate::common::pair::operator;

/// A TLS listener for `axum::serve`: a failed handshake is dropped and the next one accepted.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// A CA of the bureaus' own and a certificate it signed for 127.0.0.1: (CA PEM, server config).
fn bureau_ca_and_server() -> (String, rustls::ServerConfig) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "川渝医保联网测试 CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let server = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    (ca.pem(), server)
}

both_stores_pair!(
    a_peer_behind_tls_is_reached_with_its_ca,
    demo = false,
    |cq, sc| {
        let (ca_pem, server) = bureau_ca_and_server();
        let listener = TlsListener {
            tcp: TcpListener::bind("127.0.0.1:0").await.unwrap(),
            acceptor: TlsAcceptor::from(Arc::new(server)),
        };
        let addr = axum::serve::Listener::local_addr(&listener).unwrap();
        // The client's address as the app reads it (a TLS stream brings no `connect_info`).
        let app = sc
            .app
            .router
            .clone()
            .layer(axum::Extension(axum::extract::ConnectInfo(
                SocketAddr::from(([127, 0, 0, 1], 0)),
            )))
            .into_make_service();
        let tls_server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });

        // 重庆 now reaches 四川 at its https:// address.
        let old = peers::list(&cq.app.services).await.unwrap();
        peers::remove(&cq.app.services, &operator(), old[0].id)
            .await
            .unwrap();
        peers::add(
            &cq.app.services,
            &operator(),
            &peers::NewPeer {
                name: "四川",
                regions: "510000",
                base_url: &format!("https://127.0.0.1:{}/", addr.port()),
                public_key: &sc.public_key().await,
            },
        )
        .await
        .unwrap();
        let id = outbox::ping(&cq.app.services, &operator(), "510000")
            .await
            .unwrap();
        let now = cq.app.services.clock().now();

        // Mozilla's roots alone do not vouch for the bureaus' CA: refused at the handshake, kept.
        let round = yibao_service::federation::delivery::deliver_due(
            &cq.app.services,
            &Sender::default(),
            now,
        )
        .await
        .unwrap();
        assert_eq!((round.delivered, round.failed), (0, 1));
        let row = outbox::status(&cq.app.services, &id)
            .await
            .unwrap()
            .unwrap();
        assert!(row.delivered_at.is_none());
        assert!(
            row.last_error.to_lowercase().contains("certificate"),
            "{}",
            row.last_error
        );
        assert!(inbox::received(&sc.app.services, &id)
            .await
            .unwrap()
            .is_none());

        // With the CA file: delivered, once.
        let trusting = Sender::with_ca(ca_pem.as_bytes()).unwrap();
        let round = yibao_service::federation::delivery::deliver_due(
            &cq.app.services,
            &trusting,
            now + Duration::seconds(10),
        )
        .await
        .unwrap();
        assert_eq!((round.delivered, round.failed), (1, 0), "{round:?}");
        assert!(inbox::received(&sc.app.services, &id)
            .await
            .unwrap()
            .is_some());
        let row = outbox::status(&cq.app.services, &id)
            .await
            .unwrap()
            .unwrap();
        assert!(row.delivered_at.is_some());

        // A CA file without a certificate is a configuration error, said at start-up.
        assert!(Sender::with_ca(b"not a certificate").is_err());
        assert!(Sender::with_ca(b"").is_err());
        tls_server.abort();
    }
);
