//! Idempotency keys: a client that sends a POST with `Idempotency-Key` may send it again (after a
//! timeout, a dropped connection) and get the first answer instead of a second effect. The key is
//! the client's own: the same key from another client is another key.

use chrono::{DateTime, Utc};

use crate::FieldError;

/// Longest key accepted.
pub const KEY_MAX: usize = 255;

/// A client's key for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1–255 visible ASCII characters (a UUID is the usual choice).
    ///
    /// # Errors
    /// `invalid_idempotency_key`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let ok = (1..=KEY_MAX).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("Idempotency-Key", "invalid_idempotency_key", format!("1 to {KEY_MAX} visible ASCII characters, such as a UUID")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The first answer, kept to be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// The headers that matter to a client: content type, `ETag`, `Location`.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Where a key stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// The first request is still running.
    InFlight,
    Done(StoredResponse),
}

/// A key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The client (token subject) the key belongs to.
    pub client: String,
    pub key: IdempotencyKey,
    /// The request it was first used for (`POST /api/v1/plans`), for messages.
    pub request: String,
    /// Identifies the request (method, path and body): the same key for another request is refused.
    pub fingerprint: String,
    pub state: KeyState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Run it; its answer is kept under the key.
    Proceed,
    /// Answer with the first answer again.
    Replay(StoredResponse),
    /// The first request with this key is still running.
    InFlight,
    /// The key was used for another request (named).
    Mismatch { first_used_for: String },
}

impl KeyRecord {
    /// Whether the key no longer binds: expired, or held by a request that cannot be running any
    /// more (older than `stale_after`, the longest a request may run).
    pub fn is_free(&self, now: DateTime<Utc>, stale_after: chrono::Duration) -> bool {
        self.expires_at <= now || (self.state == KeyState::InFlight && self.created_at + stale_after <= now)
    }

    /// What a request with `fingerprint` gets under this (binding) key.
    pub fn decide(&self, fingerprint: &str) -> Claim {
        match &self.state {
            _ if self.fingerprint != fingerprint => Claim::Mismatch { first_used_for: self.request.clone() },
            KeyState::InFlight => Claim::InFlight,
            KeyState::Done(response) => Claim::Replay(response.clone()),
        }
    }
}

/// Whether an answer is kept for replay: every answer but a server error, which a retry should
/// run again rather than see again.
pub const fn keeps(status: u16) -> bool {
    status < 500
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: KeyState, age_secs: i64, now: DateTime<Utc>) -> KeyRecord {
        KeyRecord {
            client: "c".into(),
            key: IdempotencyKey::parse("k").unwrap(),
            request: "POST /api/v1/plans".into(),
            fingerprint: "f1".into(),
            state,
            created_at: now - chrono::Duration::seconds(age_secs),
            expires_at: now - chrono::Duration::seconds(age_secs) + chrono::Duration::hours(24),
        }
    }

    #[test]
    fn a_key_replays_its_request_refuses_another_and_frees_itself_in_time() {
        let now = Utc::now();
        let done = StoredResponse { status: 201, headers: vec![], body: "{}".into() };
        let stale = chrono::Duration::seconds(60);
        assert_eq!(record(KeyState::Done(done.clone()), 5, now).decide("f1"), Claim::Replay(done.clone()));
        assert_eq!(record(KeyState::Done(done.clone()), 5, now).decide("f2"), Claim::Mismatch { first_used_for: "POST /api/v1/plans".into() });
        assert_eq!(record(KeyState::InFlight, 5, now).decide("f1"), Claim::InFlight);
        assert_eq!(record(KeyState::InFlight, 5, now).decide("f2"), Claim::Mismatch { first_used_for: "POST /api/v1/plans".into() });
        assert!(!record(KeyState::InFlight, 5, now).is_free(now, stale));
        assert!(record(KeyState::InFlight, 61, now).is_free(now, stale), "its request cannot still be running");
        assert!(!record(KeyState::Done(done.clone()), 3600, now).is_free(now, stale));
        assert!(record(KeyState::Done(done), 24 * 3600, now).is_free(now, stale), "expired after 24 h");
        assert!(keeps(422) && keeps(201) && !keeps(500) && !keeps(503));
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(IdempotencyKey::parse("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        for bad in ["", " ", "with space", "ключ", &"x".repeat(256)] {
            assert_eq!(IdempotencyKey::parse(bad).unwrap_err().code, "invalid_idempotency_key", "{bad:?}");
        }
    }
}
