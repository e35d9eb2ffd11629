//! Who is acting and what they may do: accounts of citizens, employer operators, staff and
//! institutions; server-side sessions with a CSRF token; throttled logins; phone codes.
//! Authorization is decided here (and in each domain service), never only in routes.

mod actor;
mod citizen;
mod codes;
mod employer;
mod institution;
mod limiter;
mod login;
mod password;
mod staff_admin;
mod token_cache;

pub use actor::{actor_text, Actor, CitizenActor, EmployerActor, InstitutionActor, StaffActor};
pub use citizen::{register_citizen, reset_password, CitizenRegistration, PasswordReset};
pub use codes::{send_code, CodePurpose, DevPhoneSender, PhoneSender, RecordingPhoneSender};
pub use employer::{add_operator, list_operators, NewOperatorInput};
pub use institution::{
    create_institution, create_token, institution_for_token, list_institutions, list_tokens,
    login_institution, revoke_token, IssuedToken, NewInstitutionInput, TOKEN_PREFIX,
};
pub use limiter::{LoginLimiter, LOGIN_FAILURES_PER_MINUTE, LOGIN_FAILURE_BURST};
pub use login::{
    change_password, login, logout, session, Credentials, NewSession, Session, LOCK_MINUTES,
    MAX_FAILURES, SESSION_HOURS,
};
pub use password::{check_strength, hash_password, verify_password};
pub use staff_admin::{
    create_staff, deactivate_staff, list_staff, reset_staff_password, NewStaffInput,
};
pub use token_cache::{TokenCache, TOKEN_CACHE_TTL};
pub use yibao_store::institution::{InstitutionRow, TokenRow};
pub use yibao_store::logins::OperatorRow;
pub use yibao_store::staff::StaffRow;

use chrono::{DateTime, SecondsFormat, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{ErrorKind, ServiceError};

pub use yibao_domain::staff::StaffRole;

/// The label of a stored role key (a list shows an unknown one as such rather than failing).
pub fn role_label(role: &str) -> &'static str {
    StaffRole::from_key(role).map_or("未知角色", StaffRole::label)
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex(&buf)
}

/// A fresh CSRF token (32 hex characters) for a visitor who has no session yet.
pub fn new_csrf_token() -> String {
    random_hex(16)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Rule {
        kind: ErrorKind::Unauthenticated,
        code,
        message: message.into(),
        details: None,
    }
}

pub fn forbidden(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Rule {
        kind: ErrorKind::Forbidden,
        code,
        message: message.into(),
        details: None,
    }
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Mainland mobile numbers: 11 digits starting 1[3-9].
pub fn parse_mobile(phone: &str) -> Result<String, ServiceError> {
    let p = phone.trim();
    let ok = p.len() == 11
        && p.bytes().all(|b| b.is_ascii_digit())
        && p.starts_with('1')
        && matches!(p.as_bytes()[1], b'3'..=b'9');
    if ok {
        Ok(p.to_string())
    } else {
        Err(ServiceError::invalid(
            "identity.phone_invalid",
            "手机号码应为11位数字，以13至19开头",
        ))
    }
}
