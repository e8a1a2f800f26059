//! Signing keys and trusted issuers.
//!
//! - **Own keys**: RS256 or ES256 private keys from PEM files, each with a `kid`. The first signs;
//!   all verify and are published at `/.well-known/jwks.json`, so a key can be rotated by adding
//!   the new one first and removing the old one once its tokens have expired. HS256 with a shared
//!   secret stays for development (and is off once keys are configured, unless a secret is set).
//! - **An external issuer** (an administration's Keycloak, Entra ID, ...): its tokens are verified
//!   with the keys of its JWKS URL, fetched from configuration only (never from a URL a token
//!   names), cached, and fetched again when a token names a `kid` not seen yet (at most once per
//!   configured interval, 30 s by default). Its claims are mapped to Meridian's through configured claim names.

use std::{
    sync::RwLock,
    time::{Duration, Instant},
};

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey,
    jwk::{Jwk, JwkSet, KeyAlgorithm},
};

/// One configured private key.
pub struct SigningKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public half, as published.
    pub jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Parses `<kid>:<RS256|ES256>:<path to a PEM private key>` and reads the key.
    ///
    /// # Errors
    /// What is wrong with the specification or the key.
    pub fn load(spec: &str) -> Result<Self, String> {
        let mut parts = spec.trim().splitn(3, ':');
        let (Some(kid), Some(alg), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("`{spec}`: write <kid>:<RS256|ES256>:<path to a PEM private key>"));
        };
        let kid = kid.trim();
        if kid.is_empty() || !kid.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return Err(format!("`{kid}`: a key id is letters, digits, `-`, `_` or `.`"));
        }
        let pem = std::fs::read(path.trim()).map_err(|e| format!("key {kid}: cannot read {path}: {e}"))?;
        Self::from_pem(kid, alg.trim(), &pem)
    }

    /// A key from its PEM text.
    ///
    /// # Errors
    /// An unsupported algorithm, or a PEM that is not a private key of that kind.
    pub fn from_pem(kid: &str, alg: &str, pem: &[u8]) -> Result<Self, String> {
        let bad = |e: jsonwebtoken::errors::Error| format!("key {kid}: {e}");
        let (algorithm, encoding) = match alg {
            "RS256" => (Algorithm::RS256, EncodingKey::from_rsa_pem(pem).map_err(bad)?),
            "ES256" => (Algorithm::ES256, EncodingKey::from_ec_pem(pem).map_err(bad)?),
            other => return Err(format!("key {kid}: `{other}` is not supported; use RS256 or ES256")),
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, algorithm).map_err(bad)?;
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(bad)?;
        Ok(Self { kid: kid.to_owned(), algorithm, encoding, decoding, jwk })
    }
}

/// The public keys of `keys`, as `/.well-known/jwks.json` serves them.
pub fn public_set(keys: &[SigningKey]) -> JwkSet {
    JwkSet { keys: keys.iter().map(|k| k.jwk.clone()).collect() }
}

/// How an external issuer's claims become Meridian's. Each names a claim (a dotted path for a
/// nested one, such as `realm_access.roles`); a list claim gives its first value Meridian knows.
#[derive(Debug, Clone)]
pub struct ClaimMapping {
    pub role: String,
    /// Stripped from role values before they are read (`meridian-` for `meridian-planner`).
    pub role_prefix: String,
    pub administration: String,
    pub donor: String,
    pub scope: String,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        Self { role: "role".into(), role_prefix: String::new(), administration: "administration".into(), donor: "donor".into(), scope: "scope".into() }
    }
}

/// An identity provider whose tokens Meridian accepts.
#[derive(Debug, Clone)]
pub struct ExternalIssuerSettings {
    /// The `iss` of its tokens.
    pub issuer: String,
    /// Where its public keys are published.
    pub jwks_url: String,
    /// The `aud` its tokens must carry for Meridian.
    pub audience: String,
    pub mapping: ClaimMapping,
    /// Shortest time between two fetches of its keys, whatever tokens arrive.
    pub refresh_min: Duration,
}

/// Longest a fetched JWKS is used before it is fetched again.
pub const REFRESH_MAX: Duration = Duration::from_secs(600);

/// An external issuer with its cached keys.
pub struct ExternalIssuer {
    pub settings: ExternalIssuerSettings,
    http: reqwest::Client,
    cache: RwLock<Cached>,
}

#[derive(Default)]
struct Cached {
    keys: Vec<(Option<String>, Algorithm, DecodingKey)>,
    fetched: Option<Instant>,
}

impl ExternalIssuer {
    pub fn new(settings: ExternalIssuerSettings) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap_or_default();
        Self { settings, http, cache: RwLock::default() }
    }

    /// The cached key for `kid`, if any (and whether the cache is due for a refresh).
    pub fn key(&self, kid: Option<&str>, alg: Algorithm) -> (Option<DecodingKey>, bool) {
        let Ok(cache) = self.cache.read() else { return (None, true) };
        let stale = cache.fetched.is_none_or(|at| at.elapsed() > REFRESH_MAX);
        let key = cache.keys.iter().find(|(k, a, _)| *a == alg && (kid.is_none() || k.as_deref() == kid)).map(|(_, _, key)| key.clone());
        (key, stale)
    }

    /// Whether a fetch now would respect the configured shortest interval.
    pub fn may_refresh(&self) -> bool {
        self.cache.read().map(|c| c.fetched.is_none_or(|at| at.elapsed() >= self.settings.refresh_min)).unwrap_or(true)
    }

    /// Fetches the JWKS from the configured URL and keeps its RS256 and ES256 keys.
    ///
    /// # Errors
    /// Why the keys could not be fetched (the previous keys stay in use).
    pub async fn refresh(&self) -> Result<(), String> {
        let set: JwkSet = self
            .http
            .get(&self.settings.jwks_url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("fetching {}: {e}", self.settings.jwks_url))?
            .json()
            .await
            .map_err(|e| format!("reading {}: {e}", self.settings.jwks_url))?;
        let keys = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let alg = match jwk.common.key_algorithm {
                    Some(KeyAlgorithm::RS256) => Algorithm::RS256,
                    Some(KeyAlgorithm::ES256) => Algorithm::ES256,
                    None => match &jwk.algorithm {
                        jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                        jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                        _ => return None,
                    },
                    _ => return None,
                };
                DecodingKey::from_jwk(jwk).ok().map(|key| (jwk.common.key_id.clone(), alg, key))
            })
            .collect();
        if let Ok(mut cache) = self.cache.write() {
            *cache = Cached { keys, fetched: Some(Instant::now()) };
        }
        Ok(())
    }
}

/// Reads a claim by dotted path.
pub fn claim<'a>(claims: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(claims, |v, part| v.get(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifications_name_a_kid_an_algorithm_and_a_file() {
        assert!(SigningKey::load("k1:RS256").unwrap_err().contains("<kid>"));
        assert!(SigningKey::load("bad kid:RS256:/x").unwrap_err().contains("key id"));
        assert!(SigningKey::load("k1:RS256:/nonexistent.pem").unwrap_err().contains("cannot read"));
        assert!(SigningKey::from_pem("k1", "HS256", b"x").unwrap_err().contains("RS256 or ES256"));
        assert!(SigningKey::from_pem("k1", "ES256", b"not a pem").is_err());
    }

    #[test]
    fn claims_are_read_by_dotted_path() {
        let v = serde_json::json!({"realm_access": {"roles": ["x", "planner"]}, "role": "admin"});
        assert_eq!(claim(&v, "role"), Some(&serde_json::json!("admin")));
        assert_eq!(claim(&v, "realm_access.roles").and_then(|r| r.as_array()).map(Vec::len), Some(2));
        assert_eq!(claim(&v, "realm_access.missing"), None);
    }
}
