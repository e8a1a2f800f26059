//! Where webhooks may be delivered. A subscription names a URL that Meridian's servers will
//! call: one pointing into the network Meridian runs in (loopback, private, link-local and
//! similar ranges) would let a client probe or reach internal services, so such targets are
//! refused unless the operator allows them (for a test receiver or an intranet deployment).
//! The address check is also what the delivery worker applies to the addresses a host name
//! resolves to, so a name that resolves inward is refused at delivery time too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};

use crate::{
    DomainError, FieldError,
    audit::{Change, ChangeRecord, EntityType, FeedScope, Operation},
    error::Errors,
    ids::{DeliveryId, SubscriptionId},
    plan::take_opt_string,
    values::{AdministrationCode, DonorCode},
};

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// shared (carrier-grade NAT), unspecified, broadcast, multicast, documentation or reserved,
/// also when written as an IPv4-mapped IPv6 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// A webhook target that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl(url::Url);

impl TargetUrl {
    /// An `https` URL (or `http` where private targets are allowed), without credentials, whose
    /// host is a public address or a name that is not obviously internal.
    ///
    /// # Errors
    /// `invalid_url`, `insecure_url` or `private_target`.
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, FieldError> {
        let url = url::Url::parse(raw.trim()).map_err(|e| FieldError::new("", "invalid_url", format!("not an absolute URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            "http" => return Err(FieldError::new("", "insecure_url", "webhooks are delivered over https")),
            _ => return Err(FieldError::new("", "invalid_url", "an https URL")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::new("", "invalid_url", "credentials do not belong in the URL; deliveries are signed instead"));
        }
        let inward = match url.host() {
            None => return Err(FieldError::new("", "invalid_url", "the URL names no host")),
            Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || [".localhost", ".local", ".internal", ".lan", ".home.arpa"].iter().any(|s| name.ends_with(s)) || !name.contains('.')
            }
        };
        if inward && !allow_private {
            return Err(FieldError::new("", "private_target", "the URL points into a private network; use a public address"));
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Who a subscription belongs to, and so which changes it may receive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum SubscriptionOwner {
    Administration(AdministrationCode),
    Donor(DonorCode),
}

impl SubscriptionOwner {
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Administration(_) => "administration",
            Self::Donor(_) => "donor",
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Administration(a) => a.as_str(),
            Self::Donor(d) => d.as_str(),
        }
    }

    /// The part of the change feed the owner may see: what its subscriptions receive.
    pub fn scope(&self) -> FeedScope {
        match self {
            Self::Administration(a) => FeedScope::Administration(*a),
            Self::Donor(d) => FeedScope::Donor(d.clone()),
        }
    }
}

/// What happened, as a webhook event type: `plan.created`, `objective.updated`,
/// `measurement.status_changed` (submitted, approved, returned), `project.deleted`, ...
pub fn event_type(change: &Change) -> String {
    let verb = match change.operation {
        Operation::Create => "created",
        Operation::Delete => "deleted",
        Operation::Update if change.action.starts_with("transition:") || change.action.starts_with("review:") => "status_changed",
        Operation::Update => "updated",
    };
    format!("{}.{verb}", change.entity_type.as_str())
}

/// The verbs of event types.
pub const VERBS: [&str; 4] = ["created", "updated", "deleted", "status_changed"];

/// The event a subscriber can send itself to try its receiver.
pub const PING: &str = "webhook.ping";

/// Checks one entry of a subscription's `event_types`: `*`, `plan.*` or `plan.created`.
///
/// # Errors
/// `invalid_value` naming what is accepted.
pub fn parse_event_pattern(raw: &str) -> Result<String, FieldError> {
    let raw = raw.trim();
    if raw == "*" {
        return Ok(raw.to_owned());
    }
    let bad = || FieldError::new("", "invalid_value", format!("`{raw}` is not `*`, `<type>.*` or `<type>.<{}>`", VERBS.join("|")));
    let (entity, verb) = raw.split_once('.').ok_or_else(bad)?;
    EntityType::parse(entity).map_err(|_| bad())?;
    if verb == "*" || VERBS.contains(&verb) { Ok(raw.to_owned()) } else { Err(bad()) }
}

/// Whether `event` is one of `patterns` (every event when there are none).
pub fn matches(patterns: &[String], event: &str) -> bool {
    patterns.is_empty()
        || event == PING
        || patterns.iter().any(|p| p == "*" || p == event || p.strip_suffix(".*").is_some_and(|t| event.split_once('.').is_some_and(|(e, _)| e == t)))
}

/// A partner's request to be called when something changes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub owner: SubscriptionOwner,
    pub url: String,
    pub description: Option<String>,
    /// Patterns of event types; empty for every event.
    pub event_types: Vec<String>,
    /// The signing secret (`whsec_...`); shown to the owner when created or rotated, never listed.
    #[serde(skip)]
    pub secret: String,
    pub active: bool,
    /// Why deliveries stopped (repeated failures, or the receiver answered 410 Gone).
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row, reset by a success.
    pub consecutive_failures: i32,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw subscription fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct SubscriptionInput {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub event_types: Option<Vec<String>>,
    /// `false` pauses deliveries; `true` resumes them (and forgets past failures).
    pub active: Option<bool>,
}

/// Validated subscription content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionDraft {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub active: bool,
}

impl SubscriptionDraft {
    /// Checks `input` over `base` (the stored subscription, for an update).
    ///
    /// # Errors
    /// Every invalid field: `url` (`required`, `invalid_url`, `insecure_url`, `private_target`),
    /// `event_types[i]` (`invalid_value`), `description` (`too_long`).
    pub fn parse(input: &SubscriptionInput, base: Option<&Subscription>, allow_private: bool) -> Result<Self, DomainError> {
        let mut e = Errors::new();
        let url = match (&input.url, base) {
            (Some(raw), _) => e.take("url", TargetUrl::parse(raw, allow_private)).map(|u| u.as_str().to_owned()),
            (None, Some(b)) => Some(b.url.clone()),
            (None, None) => {
                e.push(FieldError::new("url", "required", "the URL to deliver to"));
                None
            }
        };
        let description = match (&input.description, base) {
            (Some(d), _) => take_opt_string(&mut e, "description", d.as_deref(), 500),
            (None, b) => Some(b.and_then(|b| b.description.clone())),
        };
        let event_types = match (&input.event_types, base) {
            (Some(list), _) => {
                let mut out = Vec::new();
                for (i, raw) in list.iter().enumerate() {
                    if let Some(p) = e.take(&format!("event_types[{i}]"), parse_event_pattern(raw))
                        && !out.contains(&p)
                    {
                        out.push(p);
                    }
                }
                Some(out)
            }
            (None, b) => Some(b.map(|b| b.event_types.clone()).unwrap_or_default()),
        };
        e.finish()?;
        match (url, description, event_types) {
            (Some(url), Some(description), Some(event_types)) => {
                Ok(Self { url, description, event_types, active: input.active.or(base.map(|b| b.active)).unwrap_or(true) })
            }
            _ => Err(DomainError::validation("", "invalid", "invalid subscription")),
        }
    }
}

/// A new signing secret from 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("whsec_{}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key))
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    Delivered,
    /// Given up: out of attempts, or the receiver is gone.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Delivered, Self::Failed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// # Errors
    /// `invalid_value` for an unknown status.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| FieldError::new("", "invalid_value", "pending, delivered or failed"))
    }
}

/// One event on its way to one subscription: the outbox row, and its log.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Also the `webhook-id` header: the same on every attempt, so receivers can deduplicate.
    pub id: DeliveryId,
    pub subscription_id: SubscriptionId,
    /// The change it announces (0 for a ping).
    pub change_seq: i64,
    pub event_type: String,
    /// The exact body sent, fixed when the change was written.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    /// Set while a worker holds the delivery; another worker takes it over once this has passed.
    pub locked_until: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Delivery {
    /// A delivery of `change` to `subscription`, due now.
    pub fn of_change(subscription: SubscriptionId, change: &ChangeRecord, now: DateTime<Utc>) -> Self {
        let event = event_type(&change.change);
        let c = &change.change;
        let body = serde_json::json!({
            "type": event,
            "timestamp": c.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "data": {
                "seq": change.seq,
                "entity_type": c.entity_type.as_str(),
                "entity_id": c.entity_id,
                "operation": c.operation.as_str(),
                "action": c.action,
                "administration": c.administration.map(|a| a.to_string()),
            },
        });
        Self::new(subscription, change.seq, event, body.to_string(), now)
    }

    /// A ping: lets a subscriber try its receiver and its signature check.
    pub fn ping(subscription: SubscriptionId, now: DateTime<Utc>) -> Self {
        let body = serde_json::json!({
            "type": PING,
            "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "data": {"subscription_id": subscription.to_string()},
        });
        Self::new(subscription, 0, PING.to_owned(), body.to_string(), now)
    }

    fn new(subscription_id: SubscriptionId, change_seq: i64, event_type: String, payload: String, now: DateTime<Utc>) -> Self {
        Self {
            id: DeliveryId::generate(),
            subscription_id,
            change_seq,
            event_type,
            payload,
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            last_status_code: None,
            last_error: None,
            created_at: now,
            delivered_at: None,
        }
    }

    /// The `webhook-id` header.
    pub fn message_id(&self) -> String {
        format!("msg_{}", self.id)
    }
}

/// One try at delivering.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attempt {
    pub delivery_id: DeliveryId,
    /// 1 for the first attempt.
    pub number: i32,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i32>,
    /// Why there was no answer, or what the answer was.
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// What an attempt came to, as the worker saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered with this status.
    Answered(u16),
    /// No answer: refused, timed out, or the target resolved to a private address.
    Unreachable(String),
}

/// How deliveries are retried and when a subscription is switched off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// The wait before the second attempt; each further wait doubles, up to `max_delay`.
    pub first_delay: chrono::Duration,
    pub max_delay: chrono::Duration,
    /// Attempts before a delivery is given up.
    pub max_attempts: i32,
    /// Failed attempts in a row (over all its deliveries) that disable a subscription.
    pub disable_after: i32,
    /// Whether subscriptions may target loopback, private and link-local addresses.
    pub allow_private: bool,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self { first_delay: chrono::Duration::seconds(30), max_delay: chrono::Duration::hours(6), max_attempts: 10, disable_after: 20, allow_private: false }
    }
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Delivered,
    Retry {
        at: DateTime<Utc>,
    },
    /// Out of attempts.
    GaveUp,
    /// The receiver answered 410 Gone: the subscription is disabled.
    Gone,
}

impl DeliveryPolicy {
    /// The wait after `attempts` failed attempts: exponential, capped, with "equal jitter"
    /// (half fixed, half random, `jitter` in `0..1`) so that failed receivers are not hit in waves.
    pub fn delay(&self, attempts: i32, jitter: f64) -> chrono::Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(0);
        let first = self.first_delay.num_milliseconds().max(1);
        let base = first.saturating_mul(1_i64 << doublings).min(self.max_delay.num_milliseconds().max(first));
        let half = base / 2;
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let random = (half as f64 * jitter.clamp(0.0, 1.0)) as i64;
        chrono::Duration::milliseconds(half + random)
    }

    /// What follows an attempt that was the `attempts`-th.
    pub fn settle(&self, attempts: i32, outcome: &AttemptOutcome, now: DateTime<Utc>, jitter: f64) -> Settlement {
        match outcome {
            AttemptOutcome::Answered(s) if (200..300).contains(s) => Settlement::Delivered,
            AttemptOutcome::Answered(410) => Settlement::Gone,
            _ if attempts >= self.max_attempts => Settlement::GaveUp,
            _ => Settlement::Retry { at: now + self.delay(attempts, jitter) },
        }
    }

    /// The subscription after a settled attempt: failures counted, disabled when gone or failing too long.
    pub fn after(&self, subscription: &Subscription, settlement: Settlement, now: DateTime<Utc>) -> Subscription {
        let mut s = subscription.clone();
        match settlement {
            Settlement::Delivered => s.consecutive_failures = 0,
            Settlement::Gone => {
                s.active = false;
                s.disabled_reason = Some("the receiver answered 410 Gone".into());
            }
            Settlement::Retry { .. } | Settlement::GaveUp => {
                s.consecutive_failures += 1;
                if s.consecutive_failures >= self.disable_after {
                    s.active = false;
                    s.disabled_reason = Some(format!("{} attempts in a row failed", s.consecutive_failures));
                }
            }
        }
        if s != *subscription {
            s.updated_at = now;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> &'static str {
        TargetUrl::parse(raw, false).unwrap_err().code
    }

    #[test]
    fn inward_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn targets_are_public_https_urls_unless_the_operator_allows_more() {
        assert_eq!(TargetUrl::parse("https://hooks.aduana.gob.bo/meridian", false).unwrap().as_str(), "https://hooks.aduana.gob.bo/meridian");
        assert!(TargetUrl::parse("https://8.8.8.8/hook", false).is_ok());
        assert_eq!(refused("http://hooks.example.org/"), "insecure_url");
        assert_eq!(refused("ftp://hooks.example.org/"), "invalid_url");
        assert_eq!(refused("not a url"), "invalid_url");
        assert_eq!(refused("https://user:pw@hooks.example.org/"), "invalid_url");
        for inward in [
            "https://127.0.0.1/",
            "https://localhost:8080/",
            "https://api.localhost/",
            "https://[::1]/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.5/",
            "https://[::ffff:7f00:1]/",
            "https://intranet/",
            "https://printer.local/",
            "https://2130706433/",
        ] {
            assert_eq!(refused(inward), "private_target", "{inward}");
        }
        assert!(TargetUrl::parse("http://127.0.0.1:9000/hook", true).is_ok(), "a test receiver, when configured");
    }

    #[test]
    fn event_types_name_the_object_and_what_happened() {
        let change = |operation, action: &str| Change {
            at: Utc::now(),
            entity_type: EntityType::Measurement,
            entity_id: "m".into(),
            operation,
            action: action.into(),
            administration: None,
            audience: crate::audit::Audience::Internal,
        };
        assert_eq!(event_type(&change(Operation::Create, "create")), "measurement.created");
        assert_eq!(event_type(&change(Operation::Update, "update")), "measurement.updated");
        assert_eq!(event_type(&change(Operation::Update, "review:approved")), "measurement.status_changed");
        assert_eq!(event_type(&change(Operation::Delete, "delete")), "measurement.deleted");
        let patterns: Vec<String> = ["plan.*", "measurement.status_changed"].map(String::from).to_vec();
        assert!(matches(&patterns, "plan.deleted") && matches(&patterns, "measurement.status_changed") && matches(&patterns, PING));
        assert!(!matches(&patterns, "measurement.created") && !matches(&patterns, "planet.created"));
        assert!(matches(&[], "anything.created") && matches(&["*".into()], "plan.created"));
        assert!(parse_event_pattern(" plan.* ").is_ok() && parse_event_pattern("*").is_ok());
        for bad in ["plan", "planet.created", "plan.eaten", ".created", "*.created"] {
            assert_eq!(parse_event_pattern(bad).unwrap_err().code, "invalid_value", "{bad}");
        }
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_a_cap() {
        let policy = DeliveryPolicy { first_delay: chrono::Duration::seconds(30), max_delay: chrono::Duration::minutes(10), ..Default::default() };
        let secs = |attempts, jitter| policy.delay(attempts, jitter).num_milliseconds() as f64 / 1000.0;
        assert_eq!([secs(1, 0.0), secs(1, 1.0)], [15.0, 30.0], "half fixed, half random");
        assert_eq!([secs(2, 1.0), secs(3, 1.0), secs(4, 1.0)], [60.0, 120.0, 240.0]);
        assert_eq!([secs(9, 1.0), secs(60, 0.5)], [600.0, 450.0], "capped");
        let now = Utc::now();
        assert_eq!(policy.settle(1, &AttemptOutcome::Answered(204), now, 0.5), Settlement::Delivered);
        assert_eq!(policy.settle(1, &AttemptOutcome::Answered(410), now, 0.5), Settlement::Gone);
        assert_eq!(policy.settle(3, &AttemptOutcome::Answered(500), now, 1.0), Settlement::Retry { at: now + chrono::Duration::seconds(120) });
        assert_eq!(policy.settle(10, &AttemptOutcome::Unreachable("refused".into()), now, 0.5), Settlement::GaveUp);
    }

    #[test]
    fn a_subscription_is_disabled_when_gone_or_failing_too_long_and_a_success_resets_it() {
        let policy = DeliveryPolicy { disable_after: 3, ..Default::default() };
        let now = Utc::now();
        let s = Subscription {
            id: SubscriptionId::generate(),
            owner: SubscriptionOwner::Administration(AdministrationCode::parse("PER").unwrap()),
            url: "https://hooks.example.org/".into(),
            description: None,
            event_types: vec![],
            secret: new_secret(),
            active: true,
            disabled_reason: None,
            consecutive_failures: 1,
            version: 1,
            created_by: "x".into(),
            created_at: now,
            updated_at: now,
        };
        let failed = policy.after(&s, Settlement::Retry { at: now }, now);
        assert_eq!((failed.consecutive_failures, failed.active), (2, true));
        let off = policy.after(&failed, Settlement::GaveUp, now);
        assert_eq!((off.active, off.disabled_reason.as_deref()), (false, Some("3 attempts in a row failed")));
        assert_eq!(policy.after(&failed, Settlement::Delivered, now).consecutive_failures, 0);
        let gone = policy.after(&s, Settlement::Gone, now);
        assert!(!gone.active && gone.disabled_reason.unwrap().contains("410"));
        assert!(s.secret.starts_with("whsec_") && s.secret.len() > 40);
    }
}
