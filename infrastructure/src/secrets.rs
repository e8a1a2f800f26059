//! Client secrets hashed with argon2id (RFC 9106), with the `argon2` crate's default parameters
//! (19 MiB, 2 passes, 1 lane: OWASP's recommendation), off the async runtime's threads.

use std::sync::OnceLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use async_trait::async_trait;
use domain::{StoreError, ports::SecretHasher};

#[derive(Debug, Default, Clone, Copy)]
pub struct Argon2Hasher;

fn hash_blocking(secret: &str) -> Result<String, StoreError> {
    // 128 random bits from the system's secure source (what a UUIDv4 is made of).
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes()).map_err(|e| StoreError::Backend(format!("salting a secret: {e}")))?;
    Argon2::default().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| StoreError::Backend(format!("hashing a secret: {e}")))
}

/// A hash nothing matches, checked against when a client is unknown so that the answer takes as
/// long as for a wrong secret.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_blocking(&domain::client::new_secret()).unwrap_or_default())
}

fn matches(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

#[async_trait]
impl SecretHasher for Argon2Hasher {
    async fn hash(&self, secret: String) -> Result<String, StoreError> {
        tokio::task::spawn_blocking(move || hash_blocking(&secret)).await.map_err(|e| StoreError::Backend(format!("hashing a secret: {e}")))?
    }

    async fn verify_any(&self, secret: String, hashes: Vec<String>) -> bool {
        tokio::task::spawn_blocking(move || {
            if hashes.is_empty() {
                let _ = matches(&secret, decoy());
                return false;
            }
            // Every hash is checked, so that the time does not tell which one matched.
            hashes.iter().fold(false, |found, hash| matches(&secret, hash) | found)
        })
        .await
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_secret_matches_its_own_hash_only() {
        let h = Argon2Hasher;
        let hash = h.hash("mcs_right".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert_ne!(hash, h.hash("mcs_right".into()).await.unwrap(), "salted");
        assert!(h.verify_any("mcs_right".into(), vec!["garbage".into(), hash.clone()]).await);
        assert!(!h.verify_any("mcs_wrong".into(), vec![hash]).await);
        assert!(!h.verify_any("mcs_right".into(), vec![]).await);
    }
}
