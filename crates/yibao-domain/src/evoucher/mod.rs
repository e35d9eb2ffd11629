//! The 医保电子凭证 (e-voucher, seed 000 item 01, 医保电子凭证申领): an insured person activates
//! (领取/激活) a voucher and presents it as a short-lived signed QR token, which a designated
//! institution's system sends as `mdtrt_cert_type` 01 with the token in `mdtrt_cert_no`.
//!
//! Conditions (seed 000 item 01, 办理条件): "已参加四川省、重庆市基本医疗保险的参保人员" — a person
//! with coverage on the books; no materials (申办材料: 无), done at once (即时办结), the output is
//! the voucher itself (出件材料: 医保电子凭证).
//!
//! The token is verified offline: its signature (the installation's ed25519 key, ADR 0010) and
//! its expiry say it was issued here for this person a moment ago, with no lookup. Only a
//! revocation (挂失/注销) needs one. This module is the token's format and the time rule; the
//! signing itself is the shell's (it holds the key).

#[cfg(test)]
mod tests;
mod token;

pub use token::*;

use crate::codes::coded;
use crate::error::Coded;

/// How long a token is valid after it is drawn (seconds). A QR code shown on a phone is scanned
/// at the counter within moments; a short life limits what a photographed code is good for.
pub const TOKEN_LIFETIME_SECS: i64 = 180;

/// How far a token's issue time may lie in the future (seconds): clocks of the issuing and the
/// verifying processes differ a little.
pub const CLOCK_SKEW_SECS: i64 = 60;

coded! {
    /// A voucher's state: active until revoked; a revoked voucher stays revoked (a new one is
    /// activated instead).
    VoucherStatus {
        Active = ("active", "有效"),
        Revoked = ("revoked", "已停用"),
    }
}

coded! {
    /// Why a voucher was revoked: reported lost (挂失: the phone or account is no longer the
    /// person's) or deregistered (注销: the person no longer wants it).
    RevokeReason {
        Lost = ("lost", "挂失"),
        Deregistered = ("deregistered", "注销"),
    }
}

/// Why a voucher is not issued or a token not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvoucherError {
    #[error("token malformed")]
    Malformed,
    #[error("token forged")]
    Forged,
    #[error("token expired at {expired_at}")]
    Expired { expired_at: i64 },
    #[error("token issued in the future")]
    FromTheFuture,
    #[error("voucher revoked")]
    Revoked,
    #[error("not insured")]
    NotInsured,
}

impl Coded for EvoucherError {
    fn code(&self) -> &'static str {
        match self {
            EvoucherError::Malformed => "evoucher.token_malformed",
            EvoucherError::Forged => "evoucher.token_forged",
            EvoucherError::Expired { .. } => "evoucher.token_expired",
            EvoucherError::FromTheFuture => "evoucher.token_time",
            EvoucherError::Revoked => "evoucher.revoked",
            EvoucherError::NotInsured => "evoucher.not_insured",
        }
    }

    fn message(&self) -> String {
        match self {
            EvoucherError::Malformed => {
                "医保电子凭证二维码无法识别，请参保人刷新二维码后重新扫码".into()
            }
            EvoucherError::Forged => "医保电子凭证二维码签名校验未通过，不予受理".into(),
            EvoucherError::Expired { .. } => {
                "医保电子凭证二维码已过期，请参保人刷新二维码后重新扫码".into()
            }
            EvoucherError::FromTheFuture => {
                "医保电子凭证二维码的生成时间晚于当前时间，请核对设备时间后重新扫码".into()
            }
            EvoucherError::Revoked => "该医保电子凭证已挂失或注销，请参保人重新领取后使用".into(),
            EvoucherError::NotInsured => {
                "未查到您的基本医疗保险参保记录：医保电子凭证限已参加基本医疗保险的参保人员申领"
                    .into()
            }
        }
    }
}
