//! The 医保电子凭证 (e-voucher, seed 000 item 01 医保电子凭证申领; issue #22, docs/national.md
//! "Certificates"). A service handled by its own record, not a case (ADR 0009's pattern): the
//! guide gives no materials, no review and 即时办结, so the person activates it online and has
//! it at once. The voucher presents short-lived QR tokens signed with the installation's key
//! (ADR 0010); `verify` is what the national interface calls for `mdtrt_cert_type` 01.

use chrono::{DateTime, Utc};
use serde::Serialize;
use yibao_domain::evoucher::{self as domain, Claims, EvoucherError, RevokeReason};
use yibao_domain::CitizenId;
use yibao_store::evoucher as store;
pub use yibao_store::evoucher::VoucherRow;
use yibao_store::StoreError;

use crate::identity::{Actor, StaffRole};
use crate::{ServiceError, Services};

/// A QR token drawn for the person's active voucher.
#[derive(Debug, Clone, Serialize)]
pub struct Drawn {
    pub voucher: i64,
    pub token: String,
    /// Beijing time, to the second, when the token stops being valid.
    pub expires_at: String,
}

fn refused(e: EvoucherError) -> ServiceError {
    ServiceError::from_domain(e)
}

fn not_found() -> ServiceError {
    ServiceError::not_found("evoucher.not_found", "医保电子凭证不存在或无权查看")
}

fn beijing_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&crate::clock::beijing())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// 领取/激活: the citizen's active voucher, activated now if they hold none. The condition of
/// seed 000 item 01 (办理条件: 已参加基本医疗保险的参保人员) is coverage on the books.
pub async fn activate(services: &Services, actor: &Actor) -> Result<VoucherRow, ServiceError> {
    let c = actor.citizen()?;
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    if let Some(v) = store::find_active(&mut tx, &c.id_number).await? {
        return Ok(v);
    }
    let person = yibao_store::enrolment::find_person(&mut tx, &c.id_number.parse::<CitizenId>()?)
        .await?
        .ok_or_else(|| refused(EvoucherError::NotInsured))?;
    let covered = yibao_store::coverage::list_for_person(&mut tx, person.id)
        .await?
        .iter()
        .any(|cv| cv.status.on_books());
    if !covered {
        return Err(refused(EvoucherError::NotInsured));
    }
    let v = match store::insert(&mut tx, &c.id_number, &actor.label(), &now).await {
        Ok(v) => v,
        // A simultaneous activation won (one active voucher per person): that one is theirs.
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut tx = services.store().begin_read().await?;
            return store::find_active(&mut tx, &c.id_number)
                .await?
                .ok_or_else(not_found);
        }
        Err(e) => return Err(e.into()),
    };
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "evoucher.activate",
        "evoucher",
        &v.id.to_string(),
        None,
        Some(&serde_json::json!({ "status": v.status.key() })),
        "领取医保电子凭证",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(v)
}

/// The citizen's vouchers, newest first (the active one, if any, and those revoked).
pub async fn mine(services: &Services, actor: &Actor) -> Result<Vec<VoucherRow>, ServiceError> {
    let c = actor.citizen()?;
    let mut tx = services.store().begin_read().await?;
    Ok(store::list_for_person(&mut tx, &c.id_number).await?)
}

/// A person's vouchers for staff of the person's region (to revoke one at the window).
pub async fn of_person(
    services: &Services,
    actor: &Actor,
    person_id: i64,
) -> Result<(yibao_store::enrolment::PersonRow, Vec<VoucherRow>), ServiceError> {
    actor.staff()?;
    let mut tx = services.store().begin_read().await?;
    let person = yibao_store::enrolment::find_person_by_id(&mut tx, person_id)
        .await?
        .ok_or_else(not_found)?;
    crate::records::may_see_person(actor, &person)?;
    let list = store::list_for_person(&mut tx, &person.id_number).await?;
    Ok((person, list))
}

/// A fresh token for the citizen's active voucher (the QR code the page shows).
pub async fn draw(services: &Services, actor: &Actor) -> Result<Drawn, ServiceError> {
    let c = actor.citizen()?;
    let v = {
        let mut tx = services.store().begin_read().await?;
        store::find_active(&mut tx, &c.id_number)
            .await?
            .ok_or_else(|| {
                ServiceError::not_found("evoucher.none", "您尚未领取医保电子凭证，请先领取")
            })?
    };
    let now = services.clock().now();
    let claims = Claims::drawn(v.id, c.id_number.parse()?, now.timestamp());
    let key = services.instance_key().await?;
    let signature: [u8; 64] = hex::decode(key.sign_hex(claims.signed_text().as_bytes()))
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ServiceError::internal("evoucher.sign", "电子凭证签名失败，请稍后重试"))?;
    let expires = DateTime::<Utc>::from_timestamp(claims.expires, 0).unwrap_or(now);
    Ok(Drawn {
        voucher: v.id,
        token: claims.token(&signature),
        expires_at: beijing_text(expires),
    })
}

/// 挂失/注销: the holder online, or a clerk of the person's region. Tokens drawn before are
/// refused from now on (`verify` looks the voucher up).
pub async fn revoke(
    services: &Services,
    actor: &Actor,
    id: i64,
    reason: RevokeReason,
) -> Result<VoucherRow, ServiceError> {
    let now = services.clock().now_text();
    let mut tx = services.store().begin().await?;
    let v = store::find(&mut tx, id).await?.ok_or_else(not_found)?;
    match actor {
        Actor::Citizen(c) if c.id_number == v.person_id_number => {}
        Actor::Staff(s) => {
            let person = yibao_store::enrolment::find_person(
                &mut tx,
                &v.person_id_number.parse::<CitizenId>()?,
            )
            .await?
            .ok_or_else(not_found)?;
            crate::records::may_see_person(actor, &person)?;
            s.require(StaffRole::Clerk)?;
        }
        Actor::Anonymous => actor.require_login()?,
        _ => return Err(not_found()),
    }
    if !store::revoke(&mut tx, id, reason, &actor.label(), &now).await? {
        return Err(ServiceError::invalid(
            "evoucher.not_active",
            "该医保电子凭证已停用，无需重复操作",
        ));
    }
    crate::audit::record(
        &mut tx,
        services,
        actor,
        "evoucher.revoke",
        "evoucher",
        &id.to_string(),
        Some(&serde_json::json!({ "status": "active" })),
        Some(&serde_json::json!({ "status": "revoked", "reason": reason.key() })),
        &format!("医保电子凭证{}", reason.label()),
    )
    .await?;
    let after = store::find(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(after)
}

/// The holder of a presented token: the format, then the signature with this installation's
/// public key and the expiry — all offline — and last whether the voucher was revoked since
/// (the one lookup). Each refusal has its own code (`evoucher.token_malformed`,
/// `.token_forged`, `.token_expired`, `.token_time`, `.revoked`).
pub async fn verify(services: &Services, token: &str) -> Result<CitizenId, ServiceError> {
    let presented = domain::parse(token).map_err(refused)?;
    let key = services.instance_key().await?;
    if !crate::signing::verify_hex(
        &key.public_hex(),
        presented.signed_text.as_bytes(),
        &hex::encode(presented.signature),
    ) {
        return Err(refused(EvoucherError::Forged));
    }
    presented
        .claims
        .check_time(services.clock().now().timestamp())
        .map_err(refused)?;
    let mut tx = services.store().begin_read().await?;
    let v = store::find(&mut tx, presented.claims.voucher).await?;
    match v {
        Some(v)
            if v.status == domain::VoucherStatus::Active
                && v.person_id_number == presented.claims.person.as_str() =>
        {
            Ok(presented.claims.person)
        }
        _ => Err(refused(EvoucherError::Revoked)),
    }
}
