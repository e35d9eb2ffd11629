//! The transactional outbox: a message is signed and queued inside the transaction of the
//! change that causes it, so either both are committed or neither; the delivery worker sends it
//! afterwards (`delivery`).

use rand::RngCore;
use serde_json::{json, Value};
use yibao_domain::federation::{signed_bytes, MessageKind};
use yibao_store::federation::{self as store, OutboxRow};
use yibao_store::Conn;

use super::Envelope;
use crate::identity::Actor;
use crate::signing::InstanceKey;
use crate::{ErrorKind, ServiceError, Services};

fn new_message_id() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Signs a `kind` message with `body` to the peer serving `to_region` and queues it in the
/// caller's transaction; returns its message id. `key` is the installation's key, loaded by the
/// caller before it opened the transaction (loading it may write, and a SQLite writer must not
/// wait for itself).
pub async fn send(
    conn: &mut Conn,
    services: &Services,
    key: &InstanceKey,
    to_region: &str,
    kind: MessageKind,
    body: Value,
) -> Result<String, ServiceError> {
    let from_region = super::peers::own_region(conn).await?;
    let peer = super::peers::serving(conn, to_region)
        .await?
        .ok_or_else(|| ServiceError::Rule {
            kind: ErrorKind::Invalid,
            code: "federation.no_peer_for_region",
            message: format!("没有服务区划 {to_region} 的对端，请先运行 yibao peer add"),
            details: None,
        })?;
    let now = services.clock().now_text();
    let envelope = Envelope {
        message_id: new_message_id(),
        kind: kind.key().to_string(),
        version: kind.version(),
        from_region,
        to_region: to_region.to_string(),
        sent_at: now.clone(),
        body,
    };
    let text = serde_json::to_string(&envelope)
        .map_err(|e| ServiceError::internal("federation.encode", format!("消息无法编码：{e}")))?;
    let signature_hex = key.sign_hex(&signed_bytes(&text));
    store::enqueue(
        conn,
        &OutboxRow {
            id: 0,
            message_id: envelope.message_id.clone(),
            peer_id: peer.id,
            kind: envelope.kind.clone(),
            version: i64::from(envelope.version),
            envelope: text,
            signature_hex,
            created_at: now.clone(),
            attempts: 0,
            next_attempt_at: now,
            last_error: String::new(),
            delivered_at: None,
        },
    )
    .await?;
    Ok(envelope.message_id)
}

/// `yibao peer ping`: queues a connectivity check to the peer serving `to_region` (audited).
pub async fn ping(
    services: &Services,
    actor: &Actor,
    to_region: &str,
) -> Result<String, ServiceError> {
    let key = services.instance_key().await?;
    let mut tx = services.store().begin().await?;
    let id = send(
        &mut tx,
        services,
        key,
        to_region,
        MessageKind::Ping,
        json!({ "note": "连通检查" }),
    )
    .await?;
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "federation.ping",
        "message",
        &id,
        None,
        None,
        &format!("向区划 {to_region} 的对端发出连通检查"),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(id)
}

/// Where a sent message stands (tests, `yibao peer list`).
pub async fn status(
    services: &Services,
    message_id: &str,
) -> Result<Option<OutboxRow>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    Ok(store::outbox_message(&mut tx, message_id).await?)
}
