//! The QR token's format: `EV1.<voucher>.<person>.<issued>.<expires>.<signature>`.
//!
//! - `EV1` names the purpose (e-voucher) and the format's version; it is inside the signed text,
//!   so a signature made for another purpose (federation messages, ADR 0010) never verifies as a
//!   token, and a later format gets a new tag.
//! - `voucher` the voucher's id (what a revocation names), `person` the holder's 公民身份号码,
//!   `issued` / `expires` Unix seconds.
//! - `signature` ed25519 over everything before the last `.`, in URL-safe base64 without
//!   padding (86 characters). A token is about 140 characters: a version 7 QR code at level M.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::{EvoucherError, CLOCK_SKEW_SECS, TOKEN_LIFETIME_SECS};
use crate::CitizenId;

/// The purpose and version tag that opens every token.
pub const TAG: &str = "EV1";

/// What a token says: whose voucher, and when it was drawn and stops being valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub voucher: i64,
    pub person: CitizenId,
    pub issued: i64,
    pub expires: i64,
}

impl Claims {
    /// The claims of a token drawn at `now` (Unix seconds), valid for `TOKEN_LIFETIME_SECS`.
    pub fn drawn(voucher: i64, person: CitizenId, now: i64) -> Claims {
        Claims {
            voucher,
            person,
            issued: now,
            expires: now.saturating_add(TOKEN_LIFETIME_SECS),
        }
    }

    /// The text the signature covers.
    pub fn signed_text(&self) -> String {
        format!(
            "{TAG}.{}.{}.{}.{}",
            self.voucher,
            self.person.as_str(),
            self.issued,
            self.expires
        )
    }

    /// The token: the signed text and its signature.
    pub fn token(&self, signature: &[u8; 64]) -> String {
        format!(
            "{}.{}",
            self.signed_text(),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// Whether the token is valid at `now` (Unix seconds): not expired, not drawn in the future
    /// beyond the clocks' tolerated difference.
    pub fn check_time(&self, now: i64) -> Result<(), EvoucherError> {
        if self.issued > now.saturating_add(CLOCK_SKEW_SECS) {
            return Err(EvoucherError::FromTheFuture);
        }
        if now >= self.expires {
            return Err(EvoucherError::Expired {
                expired_at: self.expires,
            });
        }
        Ok(())
    }
}

/// A token as presented: its claims, the exact text that was signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub claims: Claims,
    pub signed_text: String,
    pub signature: [u8; 64],
}

/// Reads a token. Anything not in the format is `Malformed` (the signature is not looked at
/// here: `Presented::signed_text` and `signature` go to the verifier).
pub fn parse(token: &str) -> Result<Presented, EvoucherError> {
    let token = token.trim();
    let (signed_text, sig) = token.rsplit_once('.').ok_or(EvoucherError::Malformed)?;
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(sig)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(EvoucherError::Malformed)?;
    let parts: Vec<&str> = signed_text.split('.').collect();
    let [tag, voucher, person, issued, expires] = parts.as_slice() else {
        return Err(EvoucherError::Malformed);
    };
    if *tag != TAG {
        return Err(EvoucherError::Malformed);
    }
    let number = |s: &str| -> Result<i64, EvoucherError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EvoucherError::Malformed);
        }
        s.parse().map_err(|_| EvoucherError::Malformed)
    };
    let claims = Claims {
        voucher: number(voucher)?,
        person: person.parse().map_err(|_| EvoucherError::Malformed)?,
        issued: number(issued)?,
        expires: number(expires)?,
    };
    // The claims must print back to exactly the signed text (no leading zeros, no lower-case x):
    // one token has one spelling.
    if claims.signed_text() != signed_text {
        return Err(EvoucherError::Malformed);
    }
    Ok(Presented {
        claims,
        signed_text: signed_text.to_string(),
        signature,
    })
}
