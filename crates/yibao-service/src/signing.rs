//! This installation's ed25519 signing key. What it signs is verified offline by anyone holding
//! the public key: peer instances verify federation messages, a hospital's settlement verifies
//! an e-voucher token without a round trip to the issuer. One key per installation, kept in the
//! store so that every `yibao serve` process of it signs alike (migration 0028).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use yibao_store::instance_key::{self as store, KeyRow};

use crate::{ServiceError, Services};

const ALGORITHM: &str = "ed25519";

/// The installation's key pair.
pub struct InstanceKey {
    signing: SigningKey,
}

impl std::fmt::Debug for InstanceKey {
    // Never print the secret half.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceKey")
            .field("public", &self.public_hex())
            .finish()
    }
}

impl InstanceKey {
    /// A fresh random key (first start of an installation; tests).
    pub fn generate() -> InstanceKey {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        InstanceKey {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    fn from_row(row: &KeyRow) -> Result<InstanceKey, ServiceError> {
        let corrupt = |what: &str| {
            ServiceError::Store(yibao_store::StoreError::Corrupt(format!(
                "instance_key: {what}"
            )))
        };
        if row.algorithm != ALGORITHM {
            return Err(corrupt("unknown algorithm"));
        }
        let secret: [u8; 32] = hex::decode(&row.secret_hex)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| corrupt("secret is not 32 hex bytes"))?;
        let key = InstanceKey {
            signing: SigningKey::from_bytes(&secret),
        };
        if key.public_hex() != row.public_hex {
            return Err(corrupt("public key does not match the secret"));
        }
        Ok(key)
    }

    /// The public key as 64 hex characters (what peers are given).
    pub fn public_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().as_bytes())
    }

    /// The signature of `message` as 128 hex characters.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.signing.sign(message).to_bytes())
    }
}

/// Whether `signature_hex` is `public_hex`'s signature of `message`. Malformed keys or
/// signatures are simply not valid.
pub fn verify_hex(public_hex: &str, message: &[u8], signature_hex: &str) -> bool {
    let Some(public) = parse_public(public_hex) else {
        return false;
    };
    let Some(sig) = hex::decode(signature_hex)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    public
        .verify_strict(message, &Signature::from_bytes(&sig))
        .is_ok()
}

/// A public key given as 64 hex characters, if it is one (a valid curve point).
pub fn parse_public(public_hex: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(public_hex.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

pub(crate) async fn load_or_create(services: &Services) -> Result<InstanceKey, ServiceError> {
    let mut tx = services.store().begin_read().await?;
    let found = store::get(&mut tx).await?;
    drop(tx);
    if let Some(row) = found {
        return InstanceKey::from_row(&row);
    }
    let fresh = InstanceKey::generate();
    let row = KeyRow {
        algorithm: ALGORITHM.into(),
        secret_hex: hex::encode(fresh.signing.to_bytes()),
        public_hex: fresh.public_hex(),
        created_at: services.clock().now_text(),
    };
    let mut tx = services.store().begin().await?;
    store::insert_if_absent(&mut tx, &row).await?;
    // Another process may have created one first: everyone uses the stored key.
    let stored = store::get(&mut tx)
        .await?
        .ok_or_else(|| ServiceError::internal("signing.key_missing", "本机签名密钥未能生成"))?;
    tx.commit().await.map_err(yibao_store::StoreError::from)?;
    tracing::info!(public = %stored.public_hex, "instance signing key ready");
    InstanceKey::from_row(&stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_public_key_only() {
        let key = InstanceKey::generate();
        let sig = key.sign_hex(b"message");
        assert!(verify_hex(&key.public_hex(), b"message", &sig));
        assert!(!verify_hex(&key.public_hex(), b"messagf", &sig));
        let other = InstanceKey::generate();
        assert!(!verify_hex(&other.public_hex(), b"message", &sig));
        assert!(!verify_hex("zz", b"message", &sig));
        assert!(!verify_hex(&key.public_hex(), b"message", "00"));
    }

    #[test]
    fn a_stored_key_reads_back_and_a_tampered_one_is_refused() {
        let key = InstanceKey::generate();
        let mut row = KeyRow {
            algorithm: ALGORITHM.into(),
            secret_hex: hex::encode(key.signing.to_bytes()),
            public_hex: key.public_hex(),
            created_at: String::new(),
        };
        assert_eq!(
            InstanceKey::from_row(&row).map(|k| k.public_hex()).ok(),
            Some(key.public_hex())
        );
        row.public_hex = InstanceKey::generate().public_hex();
        assert!(InstanceKey::from_row(&row).is_err());
    }
}
