//! Sign-in sessions (9001 / 9002, FIELDS §2.1): 9001 issues a `sign_no` and keeps it; a later
//! call that carries a `sign_no` must carry a live one of its institution; 9002 closes it.
//! A call without `sign_no` is accepted: clients differ (GZ signs in with a local variant, SZ
//! makes 9002's `sign_no` optional, retries and batch jobs often send none), and the bearer
//! token already names the institution (docs/national.md "Sign-in sessions").

use serde_json::{json, Value};
use yibao_store::national_sign_in::{self as store, NewSignIn};
use yibao_store::StoreError;

use super::{check_len, text, Call};
use crate::ServiceError;

fn draw(c: &Call<'_>) -> String {
    let t = c
        .now
        .with_timezone(&crate::clock::beijing())
        .format("%Y%m%d%H%M%S");
    let region: String = c.inst.region_code.chars().take(6).collect();
    format!(
        "{region:0>6}{t}{:010}",
        rand::random::<u64>() % 10_000_000_000
    )
}

/// 9001: a new session under a fresh 30-character `sign_no` (region + time + sequence).
pub(super) async fn sign_in(c: &Call<'_>) -> Result<Value, ServiceError> {
    let d = c.env.node(&["signIn", "data"]);
    let opter = text(d, &["opter_no"]);
    let mac = text(d, &["mac"]);
    let ip = text(d, &["ip"]);
    for (what, field, v) in [
        ("操作员编号", "opter_no", &opter),
        ("签到MAC地址", "mac", &mac),
        ("签到IP地址", "ip", &ip),
    ] {
        if let Some(v) = v {
            check_len(what, field, v, 50)?;
        }
    }
    let now = c.stored_now();
    // A sequence drawn twice (one in ten billion per second) is drawn again.
    for _ in 0..3 {
        let sign_no = draw(c);
        let mut tx = c.services.store().begin().await?;
        match store::insert(
            &mut tx,
            &NewSignIn {
                institution_id: c.inst.institution_id,
                sign_no: &sign_no,
                opter_no: opter.as_deref(),
                mac: mac.as_deref(),
                ip: ip.as_deref(),
            },
            &now,
        )
        .await
        {
            Ok(()) => {
                tx.commit().await.map_err(StoreError::from)?;
                return Ok(json!({ "signinoutb": {
                    "sign_time": c.wire_time(), "sign_no": sign_no,
                }}));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(super::conflict(
        "national.sign_in_busy",
        "签到繁忙，请稍后重试",
    ))
}

fn unknown(sign_no: &str) -> ServiceError {
    super::invalid(
        "national.sign_no_unknown",
        format!("签到编号 {sign_no} 不是本机构的签到，请重新签到（9001）"),
    )
}

/// 9002: closes the session named by `signOut.sign_no` (or the envelope's). Closing a closed
/// session again answers success (a retried 9002); without any `sign_no` there is nothing to
/// close and the answer is the sign-out time.
pub(super) async fn sign_out(c: &Call<'_>) -> Result<Value, ServiceError> {
    let named = text(c.env.node(&["signOut", "data"]), &["sign_no"]).or(c.env.sign_no.clone());
    if let Some(sign_no) = named {
        let mut tx = c.services.store().begin().await?;
        let s = store::find(&mut tx, c.inst.institution_id, &sign_no)
            .await?
            .ok_or_else(|| unknown(&sign_no))?;
        store::sign_out(&mut tx, s.id, &c.stored_now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
    }
    Ok(json!({ "signoutoutb": { "sign_time": c.wire_time() } }))
}

/// Any other transaction: a `sign_no` it carries must be a live session of its institution.
pub(super) async fn check(c: &Call<'_>) -> Result<(), ServiceError> {
    let Some(sign_no) = &c.env.sign_no else {
        return Ok(());
    };
    let mut tx = c.services.store().begin_read().await?;
    let s = store::find(&mut tx, c.inst.institution_id, sign_no)
        .await?
        .ok_or_else(|| unknown(sign_no))?;
    if s.signed_out_at.is_some() {
        return Err(super::invalid(
            "national.signed_out",
            format!("签到编号 {sign_no} 已签退，请重新签到（9001）"),
        ));
    }
    Ok(())
}
