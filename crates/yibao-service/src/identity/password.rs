//! Password hashing (argon2id, a random salt per password) and the strength rule.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::{ErrorKind, ServiceError};

/// Hashes on the blocking pool: argon2 takes tens of milliseconds of CPU and must not hold up
/// the async workers (or a transaction: hash before opening one).
pub async fn hash_password(password: &str) -> Result<String, ServiceError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| hash_failed(e.to_string()))?
}

/// True when `password` matches `hash`, checked on the blocking pool (see `hash_password`).
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
        .await
        .unwrap_or(false)
}

fn hash_failed(reason: String) -> ServiceError {
    ServiceError::Rule {
        kind: ErrorKind::Internal,
        code: "identity.hash",
        message: "密码处理失败，请稍后重试".into(),
        details: Some(serde_json::json!({ "reason": reason })),
    }
}

fn hash_blocking(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| hash_failed(e.to_string()))
}

/// A malformed stored hash never matches.
fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// At least 8 characters with letters and digits; at most 128 (argon2 cost stays bounded).
pub fn check_strength(password: &str) -> Result<(), ServiceError> {
    let n = password.chars().count();
    let letters = password.chars().any(|c| c.is_ascii_alphabetic());
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if !(8..=128).contains(&n) || !letters || !digits {
        return Err(ServiceError::invalid(
            "identity.password_weak",
            "密码须为8至128位，且同时包含字母和数字",
        ));
    }
    Ok(())
}

/// A valid argon2id hash of a random password, used to spend equal time on unknown users.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$N0RZkP3Wm4N3I0uVv1Gf2Hq2bGQ0t0l2v8oQp7b0R1k";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_blocking("correct horse 1").unwrap();
        let b = hash_blocking("correct horse 1").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_blocking("correct horse 1", &a));
        assert!(!verify_blocking("wrong", &a));
        assert!(!verify_blocking("correct horse 1", "not a hash"));
    }

    #[test]
    fn strength_needs_length_letters_and_digits() {
        assert!(check_strength("abc12345").is_ok());
        assert_eq!(
            check_strength("abc1234").unwrap_err().code(),
            "identity.password_weak"
        );
        assert!(check_strength("abcdefgh").is_err());
        assert!(check_strength("12345678").is_err());
        assert!(check_strength(&"a1".repeat(65)).is_err());
    }
}
