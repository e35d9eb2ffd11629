//! The delivery worker: claims due messages from the outbox (a lease, so several processes can
//! run it: PostgreSQL claims with `FOR UPDATE SKIP LOCKED`), posts each to its peer's
//! `/api/v1/federation/inbox`, and marks it delivered on a 2xx answer or schedules the next
//! attempt with exponential backoff. A message whose worker dies mid-delivery is taken again
//! when its lease ends; the peer's inbox makes a second delivery harmless.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use yibao_domain::federation::retry_after_seconds;
use yibao_store::federation::{self as store, OutboxRow};

use super::Delivery;
use crate::{ServiceError, Services};

/// Messages one worker claims at a time.
const BATCH: i64 = 5;
/// One delivery's time limit (connect, send, answer).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claim keeps other workers off: longer than a whole batch can take.
const LEASE_SECONDS: i64 = 60;
/// The inbox path under a peer's base URL.
pub const INBOX_PATH: &str = "/api/v1/federation/inbox";

/// What one round of delivery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
}

/// An error and its causes in one line (a TLS failure is a cause of the client's "connect").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push('：');
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The client the worker posts with: HTTPS (rustls), or plain HTTP for an `http://` peer on a
/// private network. It trusts Mozilla's roots and any CA certificates the operator gives
/// (`YIBAO_FEDERATION_CA_FILE`, for a bureaus' own CA); docs/federation.md.
#[derive(Clone)]
pub struct Sender {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Default for Sender {
    /// Mozilla's roots only.
    fn default() -> Self {
        Sender::trusting(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
    }
}

impl Sender {
    /// Mozilla's roots and the certificates of `ca_pem` (one or more PEM `CERTIFICATE` blocks).
    pub fn with_ca(ca_pem: &[u8]) -> Result<Sender, String> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateDer;
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            let cert = cert.map_err(|e| format!("CA 文件不是有效的 PEM 证书：{e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("CA 证书无法使用：{e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err("CA 文件中没有 PEM 证书".into());
        }
        Ok(Sender::trusting(roots))
    }

    fn trusting(roots: rustls::RootCertStore) -> Sender {
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(Duration::from_secs(5)));
        // The TLS layer above takes `https://`; this one must let it through.
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Sender {
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }
}

impl Sender {
    /// Posts one message; Ok when the peer answered 2xx, else what went wrong, in words.
    async fn post(&self, base_url: &str, m: &OutboxRow) -> Result<(), String> {
        let body = serde_json::to_vec(&Delivery {
            envelope: m.envelope.clone(),
            signature: m.signature_hex.clone(),
        })
        .map_err(|e| e.to_string())?;
        let req = http::Request::post(format!("{base_url}{INBOX_PATH}"))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("请求无法构造：{e}"))?;
        let res = tokio::time::timeout(REQUEST_TIMEOUT, async {
            let res = self
                .client
                .request(req)
                .await
                .map_err(|e| format!("连接失败：{}", with_causes(&e)))?;
            let status = res.status();
            let body = res
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Ok::<_, String>((status, body))
        })
        .await
        .map_err(|_| "对端未在时限内应答".to_string())??;
        if res.0.is_success() {
            Ok(())
        } else {
            let answer: String = String::from_utf8_lossy(&res.1).chars().take(300).collect();
            Err(format!("对端拒收（HTTP {}）：{answer}", res.0.as_u16()))
        }
    }
}

/// One round: claims the messages due at `now` and delivers each once.
pub async fn deliver_due(
    services: &Services,
    sender: &Sender,
    now: DateTime<Utc>,
) -> Result<Round, ServiceError> {
    let lease = now + chrono::Duration::seconds(LEASE_SECONDS);
    let mut tx = services.store().begin().await?;
    let claimed = store::claim_due(&mut tx, &text(now), &text(lease), BATCH).await?;
    let mut peers = Vec::new();
    for m in &claimed {
        peers.push(store::peer(&mut tx, m.peer_id).await?);
    }
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    let mut round = Round::default();
    for (m, peer) in claimed.iter().zip(peers) {
        let result = match peer.filter(|p| p.removed_at.is_none()) {
            Some(p) => sender.post(&p.base_url, m).await,
            None => Err("对端已移除；重新添加该区划的对端后不会自动改投".to_string()),
        };
        let mut tx = services.store().begin().await?;
        match result {
            Ok(()) => {
                store::mark_delivered(&mut tx, m.id, &text(services.clock().now())).await?;
                round.delivered += 1;
                tracing::info!(message_id = %m.message_id, kind = %m.kind, "federation message delivered");
            }
            Err(error) => {
                let next = now + chrono::Duration::seconds(retry_after_seconds(m.attempts + 1));
                store::mark_failed(&mut tx, m.id, &text(next), &error).await?;
                round.failed += 1;
                tracing::warn!(message_id = %m.message_id, attempts = m.attempts + 1, %error, "federation delivery failed; will retry");
            }
        }
        tx.commit().await.map_err(yibao_store::StoreError::from)?;
    }
    Ok(round)
}

/// The worker `yibao serve` starts: a round every `every`, until the task is dropped.
pub async fn run(services: Services, every: Duration, sender: Sender) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = services.clock().now();
        match deliver_due(&services, &sender, now).await {
            Ok(r) if r.delivered + r.failed > 0 => {
                tracing::debug!(
                    delivered = r.delivered,
                    failed = r.failed,
                    "federation round"
                )
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "federation delivery round failed; retrying next tick")
            }
        }
    }
}
