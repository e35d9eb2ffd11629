//! Password hashing (argon2id with a random salt per password). Accounts, sessions and roles
//! build on this.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::ServiceError;

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
