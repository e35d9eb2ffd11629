//! Who is acting: password hashing (argon2id, a random salt per password), staff login with
//! throttling and lock-out, server-side sessions with a CSRF token, and roles.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use yibao_store::identity::{self as store, SessionRow};
use yibao_store::{staff, StoreError};

use crate::{ErrorKind, ServiceError, Services};

/// Failures in a row before an account is locked, and for how long.
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
/// How long a session lasts without a new login.
pub const SESSION_HOURS: i64 = 8;

/// A logged-in staff member.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StaffActor {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub agency_id: i64,
    pub roles: Vec<String>,
}

impl StaffActor {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    pub fn require(&self, role: &str) -> Result<(), ServiceError> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(ServiceError::Rule {
                kind: ErrorKind::Forbidden,
                code: "auth.forbidden",
                message: format!("此操作需要“{}”角色", role_label(role)),
                details: None,
            })
        }
    }
}

/// A new session: the token goes into the cookie (never stored), the CSRF token into forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: StaffActor,
}

/// The session behind a cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub csrf_token: String,
    pub actor: StaffActor,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn unauthenticated(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Rule {
        kind: ErrorKind::Unauthenticated,
        code,
        message: message.into(),
        details: None,
    }
}

fn actor_of(row: &staff::StaffRow) -> StaffActor {
    StaffActor {
        id: row.id,
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        agency_id: row.agency_id,
        roles: row
            .roles
            .split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
    }
}

/// Staff login. The same message for an unknown user and a wrong password; after
/// `MAX_FAILURES` failures in a row the login is locked for `LOCK_MINUTES`.
pub async fn login_staff(
    services: &Services,
    username: &str,
    password: &str,
) -> Result<NewSession, ServiceError> {
    let now = services.clock().now();
    let login = format!("staff:{}", username.trim());
    let mut tx = services.store().begin().await?;
    let failure = store::login_failure(&mut tx, &login).await?;
    if let Some(until) = failure.as_ref().and_then(|f| f.locked_until.clone()) {
        if until > ts(now) {
            return Err(unauthenticated(
                "auth.locked",
                format!(
                    "连续登录失败次数过多，账户已锁定至 {}（UTC），请稍后再试",
                    &until[..16]
                ),
            ));
        }
    }
    let row = staff::find_by_username(&mut tx, username.trim()).await?;
    let ok = match &row {
        Some(r) => r.active == 1 && verify_password(password, &r.password_hash),
        // Spend the same time on an unknown user, so timing does not reveal who exists.
        None => {
            let _ = verify_password(password, DUMMY_HASH);
            false
        }
    };
    let Some(row) = row.filter(|_| ok) else {
        let failures = failure.map(|f| f.failures).unwrap_or(0) + 1;
        let locked = (failures >= MAX_FAILURES).then(|| ts(now + Duration::minutes(LOCK_MINUTES)));
        store::record_failure(&mut tx, &login, failures, &ts(now), locked.as_deref()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        tracing::warn!(failures, "staff login failed");
        return Err(unauthenticated(
            "auth.invalid_credentials",
            "用户名或密码不正确",
        ));
    };
    store::clear_failures(&mut tx, &login).await?;
    let token = random_hex(32);
    let csrf_token = random_hex(16);
    store::insert_session(
        &mut tx,
        &SessionRow {
            token_sha256: sha256_hex(&token),
            actor_kind: "staff".into(),
            actor_id: row.id,
            csrf_token: csrf_token.clone(),
            created_at: ts(now),
            expires_at: ts(now + Duration::hours(SESSION_HOURS)),
            revoked_at: None,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(NewSession {
        token,
        csrf_token,
        actor: actor_of(&row),
    })
}

/// The live session for a cookie token, or an error saying to log in.
pub async fn session(services: &Services, token: &str) -> Result<Session, ServiceError> {
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    let row = store::find_session(&mut tx, &sha256_hex(token)).await?;
    let Some(s) = row.filter(|s| s.revoked_at.is_none() && s.expires_at > now) else {
        return Err(unauthenticated(
            "auth.session_expired",
            "登录已失效，请重新登录",
        ));
    };
    let staff = match s.actor_kind.as_str() {
        "staff" => staff::find_by_id(&mut tx, s.actor_id).await?,
        _ => None,
    };
    let Some(staff) = staff.filter(|r| r.active == 1) else {
        return Err(unauthenticated(
            "auth.session_expired",
            "登录已失效，请重新登录",
        ));
    };
    Ok(Session {
        csrf_token: s.csrf_token,
        actor: actor_of(&staff),
    })
}

pub async fn logout(services: &Services, token: &str) -> Result<(), ServiceError> {
    let now = ts(services.clock().now());
    let mut tx = services.store().begin().await?;
    store::revoke_session(&mut tx, &sha256_hex(token), &now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A valid argon2id hash of a random password, used to spend equal time on unknown users.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$N0RZkP3Wm4N3I0uVv1Gf2Hq2bGQ0t0l2v8oQp7b0R1k";

/// Staff roles (DESIGN §9), each scoped to one agency.
pub const ROLES: &[(&str, &str)] = &[
    ("clerk", "受理"),
    ("reviewer", "审核"),
    ("finance", "拨付"),
    ("supervisor", "监督"),
    ("admin", "管理员"),
    ("auditor", "审计"),
];

pub fn role_label(role: &str) -> &'static str {
    ROLES
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, l)| *l)
        .unwrap_or("未知角色")
}

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Rule {
            kind: crate::ErrorKind::Internal,
            code: "identity.hash",
            message: "密码处理失败，请稍后重试".into(),
            details: Some(serde_json::json!({ "reason": e.to_string() })),
        })
}

/// True when `password` matches `hash`. A malformed stored hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &a));
        assert!(!verify_password("wrong", &a));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
