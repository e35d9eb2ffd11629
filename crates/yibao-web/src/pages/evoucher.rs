//! The 医保电子凭证 pages (seed 000 item 01; docs/national.md "Certificates"): the citizen
//! activates a voucher, sees its QR code (a fresh signed token on every visit; the refresh link
//! draws a new one) and may revoke it (挂失/注销); staff see a person's vouchers and revoke one.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use yibao_domain::evoucher::{RevokeReason, VoucherStatus};
use yibao_service::evoucher::{self, Drawn, VoucherRow};

use super::chrome::Chrome;
use super::{html, record_id};
use crate::auth::Auth;
use crate::{AppState, PageError};

/// One voucher as a list line.
pub struct Line {
    pub id: i64,
    pub status: &'static str,
    pub active: bool,
    pub issued: String,
    pub revoked: String,
}

fn line(v: &VoucherRow) -> Line {
    Line {
        id: v.id,
        status: v.status.label(),
        active: v.status == VoucherStatus::Active,
        issued: yibao_service::clock::local_text(&v.issued_at),
        revoked: match (&v.revoked_at, v.revoke_reason.0) {
            (Some(at), Some(r)) => {
                format!("{}（{}）", yibao_service::clock::local_text(at), r.label())
            }
            _ => String::new(),
        },
    }
}

/// The token as an inline SVG QR code (no image file, no script). Level M: a phone screen
/// scanned at a counter.
fn qr_svg(token: &str) -> Result<String, PageError> {
    let code = QrCode::with_error_correction_level(token.as_bytes(), EcLevel::M).map_err(|_| {
        PageError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "evoucher.qr",
            "二维码生成失败，请刷新重试",
        )
    })?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the XML declaration is not wanted.
    Ok(match image.find("<svg") {
        Some(i) => image[i..].to_string(),
        None => image,
    })
}

fn reasons() -> Vec<(&'static str, &'static str)> {
    RevokeReason::ALL
        .iter()
        .map(|r| (r.key(), r.label()))
        .collect()
}

#[derive(Template)]
#[template(path = "evoucher.html")]
struct MinePage {
    chrome: Chrome,
    drawn: Option<Drawn>,
    qr: String,
    lines: Vec<Line>,
    reasons: Vec<(&'static str, &'static str)>,
    message: Option<String>,
}

/// `/account/evoucher`: the citizen's voucher and a fresh QR code, or the activation form.
pub async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    mine_page(&state, &auth, None).await
}

async fn mine_page(
    state: &AppState,
    auth: &Auth,
    message: Option<String>,
) -> Result<Response, PageError> {
    let list = evoucher::mine(&state.services, &auth.actor).await?;
    let active = list.iter().any(|v| v.status == VoucherStatus::Active);
    let drawn = if active {
        Some(evoucher::draw(&state.services, &auth.actor).await?)
    } else {
        None
    };
    let qr = match &drawn {
        Some(d) => qr_svg(&d.token)?,
        None => String::new(),
    };
    let mut r = html(&MinePage {
        chrome: Chrome::of(auth),
        drawn,
        qr,
        lines: list.iter().map(line).collect(),
        reasons: reasons(),
        message,
    });
    // A token is short-lived and personal: no cache keeps it.
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

/// 领取: activates the citizen's voucher (or finds the one they hold).
pub async fn activate(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    match evoucher::activate(&state.services, &auth.actor).await {
        Ok(_) => Ok(Redirect::to("/account/evoucher").into_response()),
        Err(e) if e.kind() == yibao_service::ErrorKind::Invalid => {
            let mut r = mine_page(&state, &auth, Some(e.message())).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// The revocation form's fields: the reason and the confirmation.
fn revoke_form(body: &[u8]) -> Option<RevokeReason> {
    let mut reason = None;
    let mut confirmed = false;
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "reason" => reason = RevokeReason::from_key(&v),
            "confirm" => confirmed = v == "yes",
            _ => {}
        }
    }
    reason.filter(|_| confirmed)
}

/// 挂失/注销 by the holder.
pub async fn revoke_mine(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let id = record_id(&id)?;
    let Some(reason) = revoke_form(&body) else {
        let mut r = mine_page(
            &state,
            &auth,
            Some("请选择挂失或注销，并勾选确认：停用后原二维码立即失效".into()),
        )
        .await?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    evoucher::revoke(&state.services, &auth.actor, id, reason).await?;
    mine_page(
        &state,
        &auth,
        Some(format!("医保电子凭证已{}，原二维码已失效", reason.label())),
    )
    .await
}

#[derive(Template)]
#[template(path = "evoucher_staff.html")]
struct StaffPage {
    chrome: Chrome,
    person_id: i64,
    name: String,
    id_number: String,
    lines: Vec<Line>,
    reasons: Vec<(&'static str, &'static str)>,
    message: Option<String>,
}

async fn staff_page(
    state: &AppState,
    auth: &Auth,
    person_id: i64,
    message: Option<String>,
) -> Result<Response, PageError> {
    let (person, list) = evoucher::of_person(&state.services, &auth.actor, person_id).await?;
    Ok(html(&StaffPage {
        chrome: Chrome::of(auth),
        person_id,
        name: person.name,
        id_number: yibao_domain::ids::mask_id_number(&person.id_number),
        lines: list.iter().map(line).collect(),
        reasons: reasons(),
        message,
    }))
}

/// `/staff/persons/{id}/evoucher`: a person's vouchers, for staff of the person's region.
pub async fn of_person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    staff_page(&state, &auth, record_id(&id)?, None).await
}

/// 挂失/注销 at the window (a clerk of the person's region).
pub async fn revoke_staff(
    State(state): State<AppState>,
    auth: Auth,
    Path((person, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let person = record_id(&person)?;
    let id = record_id(&id)?;
    // The voucher must be this person's: the page names both.
    let (_, list) = evoucher::of_person(&state.services, &auth.actor, person).await?;
    if !list.iter().any(|v| v.id == id) {
        return Err(PageError::not_found());
    }
    let Some(reason) = revoke_form(&body) else {
        let mut r = staff_page(
            &state,
            &auth,
            person,
            Some("请选择挂失或注销，并勾选确认".into()),
        )
        .await?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    evoucher::revoke(&state.services, &auth.actor, id, reason).await?;
    staff_page(
        &state,
        &auth,
        person,
        Some(format!("已为参保人{}医保电子凭证", reason.label())),
    )
    .await
}
