//! The inbox: a delivery is verified (the sender is an active peer serving the region it
//! claims, the signature over the exact envelope text is that peer's, the message is addressed
//! to this installation, its kind and version are known) and then applied exactly once: the
//! message id is recorded in the same transaction as the effect, so a second delivery finds it
//! and changes nothing. Refusals are kept (`federation_refusal`) and logged.

use serde_json::json;
use yibao_domain::federation::{signed_bytes, MessageKind};
use yibao_domain::Coded;
use yibao_store::federation::{self as store, InboxRow, PeerRow, RefusalRow};
use yibao_store::Conn;

use super::{Delivery, Envelope, Receipt};
use crate::identity::Actor;
use crate::{ErrorKind, ServiceError, Services};

fn refusal(kind: ErrorKind, code: &'static str, message: &str) -> ServiceError {
    ServiceError::Rule {
        kind,
        code,
        message: message.to_string(),
        details: None,
    }
}

/// Keeps a refusal (in its own transaction: the delivery itself changes nothing) and logs it.
async fn refuse(
    services: &Services,
    from_region: &str,
    message_id: &str,
    err: ServiceError,
) -> ServiceError {
    tracing::warn!(code = err.code(), from_region, message_id, error = %err, "federation delivery refused");
    let row = RefusalRow {
        at: services.clock().now_text(),
        code: err.code().to_string(),
        from_region: from_region.chars().take(64).collect(),
        message_id: message_id.chars().take(128).collect(),
        detail: err.message(),
    };
    match services.store().begin().await {
        Ok(mut tx) => {
            let kept = store::record_refusal(&mut tx, &row).await;
            if let Err(e) = kept.map_err(ServiceError::from) {
                tracing::error!(error = %e, "could not keep a federation refusal");
            } else if let Err(e) = tx.commit().await {
                tracing::error!(error = %e, "could not keep a federation refusal");
            }
        }
        Err(e) => tracing::error!(error = %e, "could not keep a federation refusal"),
    }
    err
}

/// Receives one delivery: verifies it and applies it once.
pub async fn receive(services: &Services, d: &Delivery) -> Result<Receipt, ServiceError> {
    let envelope: Envelope = match serde_json::from_str(&d.envelope) {
        Ok(e) => e,
        Err(_) => {
            let e = refusal(
                ErrorKind::Invalid,
                "federation.bad_envelope",
                "消息信封不是约定格式的 JSON",
            );
            return Err(refuse(services, "", "", e).await);
        }
    };
    let (peer, kind) = match verify(services, d, &envelope).await {
        Ok(v) => v,
        Err(e) => {
            return Err(refuse(services, &envelope.from_region, &envelope.message_id, e).await)
        }
    };
    // Read before the write transaction: a SQLite writer must not wait on its own reads. The
    // key signs what an effect answers with (a refusal back).
    let cal = crate::calendar::current(services).await?;
    let key = services.instance_key().await?;
    let mut tx = services.store().begin().await?;
    let first = store::receive(
        &mut tx,
        &InboxRow {
            message_id: envelope.message_id.clone(),
            peer_id: peer.id,
            kind: envelope.kind.clone(),
            version: i64::from(envelope.version),
            envelope: d.envelope.clone(),
            received_at: services.clock().now_text(),
            outcome: String::new(),
        },
    )
    .await?;
    if !first {
        tx.rollback().await.map_err(yibao_store::StoreError::from)?;
        tracing::info!(message_id = %envelope.message_id, "federation message delivered again; already applied");
        return Ok(Receipt {
            message_id: envelope.message_id,
            status: "duplicate".into(),
        });
    }
    let outcome = apply(&mut tx, services, key, &cal, &peer, kind, &envelope).await?;
    store::set_outcome(&mut tx, &envelope.message_id, &outcome).await?;
    crate::audit::record(
        &mut tx,
        services,
        &Actor::System {
            label: format!("peer:{}", peer.name),
        },
        "federation.receive",
        "message",
        &envelope.message_id,
        None,
        Some(&json!({"kind": envelope.kind, "version": envelope.version, "from": envelope.from_region})),
        &format!("收到{}：{outcome}", kind.label()),
    )
    .await?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    Ok(Receipt {
        message_id: envelope.message_id,
        status: "applied".into(),
    })
}

async fn verify(
    services: &Services,
    d: &Delivery,
    envelope: &Envelope,
) -> Result<(PeerRow, MessageKind), ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let own = super::peers::own_region(&mut tx).await?;
    let peer = super::peers::serving(&mut tx, &envelope.from_region)
        .await?
        .ok_or_else(|| {
            refusal(
                ErrorKind::Forbidden,
                "federation.unknown_peer",
                "发送方不是本机登记的对端",
            )
        })?;
    drop(tx);
    if !crate::signing::verify_hex(&peer.public_hex, &signed_bytes(&d.envelope), &d.signature) {
        return Err(refusal(
            ErrorKind::Unauthenticated,
            "federation.bad_signature",
            "消息签名与对端公钥不符",
        ));
    }
    if envelope.to_region != own {
        return Err(refusal(
            ErrorKind::Invalid,
            "federation.wrong_recipient",
            "消息的收件区划不是本机",
        ));
    }
    if envelope.message_id.is_empty() || envelope.message_id.len() > 128 {
        return Err(refusal(
            ErrorKind::Invalid,
            "federation.bad_envelope",
            "消息编号缺失或过长",
        ));
    }
    let kind = MessageKind::parse(&envelope.kind, envelope.version)
        .map_err(|e| refusal(ErrorKind::Invalid, e.code(), &e.message()))?;
    Ok((peer, kind))
}

fn body<T: serde::de::DeserializeOwned>(envelope: &Envelope) -> Result<T, ServiceError> {
    serde_json::from_value(envelope.body.clone()).map_err(|e| ServiceError::Rule {
        kind: ErrorKind::Invalid,
        code: "federation.bad_body",
        message: format!(
            "消息内容不符合{}第 {} 版的格式",
            envelope.kind, envelope.version
        ),
        details: Some(json!({ "reason": e.to_string() })),
    })
}

/// The effect of a message, in the inbox's transaction; returns the outcome in words.
async fn apply(
    conn: &mut Conn,
    services: &Services,
    key: &crate::signing::InstanceKey,
    cal: &yibao_domain::calendar::HolidayCalendar,
    peer: &PeerRow,
    kind: MessageKind,
    envelope: &Envelope,
) -> Result<String, ServiceError> {
    use crate::transfer;
    match kind {
        MessageKind::Ping => Ok(format!("已收到 {} 的连通检查", peer.name)),
        MessageKind::TransferContactLetter => {
            transfer::receive_letter(
                conn,
                services,
                key,
                cal,
                &envelope.from_region,
                body(envelope)?,
            )
            .await
        }
        MessageKind::TransferInformationSheet => {
            transfer::receive_sheet(conn, services, cal, body(envelope)?).await
        }
        MessageKind::TransferCompleted => {
            transfer::receive_completed(conn, services, body(envelope)?).await
        }
        MessageKind::TransferRefused => {
            transfer::receive_refused(conn, services, body(envelope)?).await
        }
        MessageKind::CaseForwarded => {
            crate::cases::receive_forwarded(
                conn,
                services,
                key,
                cal,
                peer,
                &envelope.from_region,
                &envelope.message_id,
                body(envelope)?,
            )
            .await
        }
        MessageKind::CaseStatusReport => {
            crate::cases::receive_status(conn, services, peer, body(envelope)?).await
        }
        MessageKind::ClearingStatement => {
            crate::clearing::receive_statement(
                conn,
                services,
                key,
                peer,
                &envelope.from_region,
                body(envelope)?,
            )
            .await
        }
        MessageKind::ClearingReconciled => {
            crate::clearing::receive_reconciled(conn, services, peer, body(envelope)?).await
        }
    }
}

/// Whether `message_id` was received and applied (tests, operators).
pub async fn received(
    services: &Services,
    message_id: &str,
) -> Result<Option<InboxRow>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    Ok(store::inbox_message(&mut tx, message_id).await?)
}

pub async fn refusals(services: &Services) -> Result<Vec<RefusalRow>, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    Ok(store::refusals(&mut tx).await?)
}
