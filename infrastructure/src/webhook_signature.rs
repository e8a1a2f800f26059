//! Signatures of webhook deliveries as the Standard Webhooks specification defines them
//! (<https://www.standardwebhooks.com>): the signed content is `{webhook-id}.{webhook-timestamp}.{body}`,
//! signed with HMAC-SHA256 under the subscription's secret (`whsec_` followed by the key in
//! base64), and sent in `webhook-signature` as `v1,{base64 signature}`; several signatures,
//! separated by spaces, let a receiver accept the old and the new secret during a rotation.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far a delivery's timestamp may be from the receiver's clock (either way), against replays.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Why a secret or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a webhook secret is `whsec_` followed by 24 to 64 bytes in base64")]
    InvalidSecret,
    #[error("the timestamp is more than five minutes away from now")]
    OutsideTolerance,
    #[error("no signature in the header matches the content")]
    NoMatch,
}

/// A subscription's signing key, keyed once.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
    keyed: HmacSha256,
}

impl PartialEq for WebhookSecret {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// # Errors
    /// [`SignatureError::InvalidSecret`] without the `whsec_` prefix, with bad base64, or with
    /// a key shorter than 24 or longer than 64 bytes.
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let key = text.strip_prefix("whsec_").and_then(|b| STANDARD.decode(b).ok()).ok_or(SignatureError::InvalidSecret)?;
        Self::from_key(&key)
    }

    /// A secret from `key` (such as 32 random bytes).
    ///
    /// # Errors
    /// [`SignatureError::InvalidSecret`] for a key shorter than 24 or longer than 64 bytes.
    pub fn from_key(key: &[u8]) -> Result<Self, SignatureError> {
        if !(24..=64).contains(&key.len()) {
            return Err(SignatureError::InvalidSecret);
        }
        let keyed = HmacSha256::new_from_slice(key).map_err(|_| SignatureError::InvalidSecret)?;
        Ok(Self { key: key.to_vec(), keyed })
    }

    /// The form subscribers are given: `whsec_` and the key in base64.
    pub fn expose(&self) -> String {
        format!("whsec_{}", STANDARD.encode(&self.key))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` header value for one delivery.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.mac(id, timestamp, body).finalize().into_bytes()))
    }

    /// Checks a delivery as a receiver does: the timestamp within [`TOLERANCE_SECONDS`] of
    /// `now`, and one `v1` signature of the header matching (compared in constant time).
    ///
    /// # Errors
    /// [`SignatureError::OutsideTolerance`], [`SignatureError::NoMatch`].
    pub fn verify(&self, id: &str, timestamp: i64, body: &[u8], header: &str, now: i64) -> Result<(), SignatureError> {
        if (now - timestamp).abs() > TOLERANCE_SECONDS {
            return Err(SignatureError::OutsideTolerance);
        }
        let matches = header
            .split(' ')
            .filter_map(|s| s.strip_prefix("v1,"))
            .filter_map(|s| STANDARD.decode(s).ok())
            .any(|sig| self.mac(id, timestamp, body).verify_slice(&sig).is_ok());
        if matches { Ok(()) } else { Err(SignatureError::NoMatch) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector published with the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_the_specifications_test_vector() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        assert_eq!(secret.sign(ID, TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(secret.expose(), SECRET);
        assert_eq!(secret.verify(ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP + 10), Ok(()));
    }

    #[test]
    fn refuses_tampering_replays_and_other_secrets() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        let now = TIMESTAMP + 60;
        assert_eq!(secret.verify(ID, TIMESTAMP, br#"{"test": 2432232315}"#, SIGNATURE, now), Err(SignatureError::NoMatch));
        assert_eq!(secret.verify("msg_other", TIMESTAMP, BODY, SIGNATURE, now), Err(SignatureError::NoMatch));
        assert_eq!(secret.verify(ID, TIMESTAMP + 1, BODY, SIGNATURE, now), Err(SignatureError::NoMatch));
        assert_eq!(secret.verify(ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP + TOLERANCE_SECONDS + 1), Err(SignatureError::OutsideTolerance));
        assert_eq!(secret.verify(ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP - TOLERANCE_SECONDS - 1), Err(SignatureError::OutsideTolerance));
        let other = WebhookSecret::from_key(&[7; 32]).unwrap();
        assert_eq!(other.verify(ID, TIMESTAMP, BODY, SIGNATURE, now), Err(SignatureError::NoMatch));
        // During a rotation the header carries both signatures; either secret accepts it.
        let both = format!("{} {SIGNATURE}", other.sign(ID, TIMESTAMP, BODY));
        assert_eq!(secret.verify(ID, TIMESTAMP, BODY, &both, now), Ok(()));
        assert_eq!(other.verify(ID, TIMESTAMP, BODY, &both, now), Ok(()));
        assert_eq!(secret.verify(ID, TIMESTAMP, BODY, "v2,abc v1,not-base64!", now), Err(SignatureError::NoMatch));
    }

    #[test]
    fn secrets_are_whsec_and_24_to_64_bytes() {
        assert_eq!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), Err(SignatureError::InvalidSecret));
        assert_eq!(WebhookSecret::parse("whsec_not base64"), Err(SignatureError::InvalidSecret));
        assert_eq!(WebhookSecret::parse("whsec_c2hvcnQ="), Err(SignatureError::InvalidSecret));
        assert!(WebhookSecret::from_key(&[1; 65]).is_err());
        assert_eq!(format!("{:?}", WebhookSecret::from_key(&[1; 32]).unwrap()), "WebhookSecret(..)");
    }
}
