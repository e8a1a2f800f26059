//! Abuse limits: budgets of requests per caller and per client address, and a stricter one for
//! failed authentication. Over budget, a request is answered 429 (problem+json, or a GraphQL
//! error `RATE_LIMITED`) with `Retry-After`, before anything else runs.
//!
//! The accounting is `governor`'s (GCRA, keyed); this layer only picks the keys:
//!
//! - the **client address** is the TCP peer, or, when the peer is a configured trusted proxy, the
//!   last address in `X-Forwarded-For` that is not itself a trusted proxy (a client cannot
//!   choose its key by sending the header itself);
//! - the **caller** is the whole identity of a bearer token whose signature verifies (role,
//!   tenant, client and subject), so one partner's traffic does not spend another's budget;
//! - every **401** answered to an address spends its failed-authentication budget; once it is
//!   spent, the address gets 429 on everything until the budget has room again;
//! - the **token endpoint** has a budget of its own per address, smaller than the general one.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use ipnet::IpNet;

use crate::{auth::Tokens, error::ApiError};

/// A budget: `count` requests per `per`, spent at once or spread out (it refills evenly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub count: NonZeroU32,
    pub per: Duration,
}

impl Budget {
    /// Parses `off` (no limit) or `<count>/<s|min|h>`, such as `600/min`.
    ///
    /// # Errors
    /// What the text should look like.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let input = input.trim();
        if input.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let wrong = || format!("`{input}` is not a budget: write `off` or a count per unit, such as `600/min` (units: s, min, h)");
        let (count, unit) = input.split_once('/').ok_or_else(wrong)?;
        let count = count.trim().parse::<NonZeroU32>().map_err(|_| wrong())?;
        let per = match unit.trim() {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(wrong()),
        };
        Ok(Some(Self { count, per }))
    }

    fn quota(self) -> Quota {
        // `count` cells refilled over `per`, all of which may be spent at once.
        let every = self.per / self.count.get();
        Quota::with_period(every.max(Duration::from_nanos(1))).map_or_else(|| Quota::per_second(self.count), |q| q.allow_burst(self.count))
    }
}

impl std::fmt::Display for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// A budget as configured: one, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub Option<Budget>);

impl Limit {
    /// # Errors
    /// As [`Budget::parse`].
    pub fn parse(input: &str) -> Result<Self, String> {
        Budget::parse(input).map(Self)
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(b) => b.fmt(f),
            None => f.write_str("off"),
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed, as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// # Errors
    /// As [`parse_networks`].
    pub fn parse(input: &str) -> Result<Self, String> {
        parse_networks(input).map(Self)
    }
}

/// The limits of a deployment; `None` switches a budget off.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Requests of one caller (a verified token's identity).
    pub per_caller: Option<Budget>,
    /// Requests from one client address, with or without a token.
    pub per_address: Option<Budget>,
    /// 401 answers to one client address.
    pub failed_auth: Option<Budget>,
    /// Token requests (`POST /oauth/token`) from one client address.
    pub token: Option<Budget>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for RateLimits {
    fn default() -> Self {
        let budget = |count: u32| NonZeroU32::new(count).map(|count| Budget { count, per: Duration::from_secs(60) });
        Self { per_caller: budget(1200), per_address: budget(3000), failed_auth: budget(30), token: budget(60), trusted_proxies: Vec::new() }
    }
}

/// Parses a comma-separated list of addresses or networks (`10.0.0.1, 10.1.0.0/16, ::1`).
///
/// # Errors
/// The entry that is neither.
pub fn parse_networks(input: &str) -> Result<Vec<IpNet>, String> {
    input
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<IpNet>().or_else(|_| s.parse::<IpAddr>().map(IpNet::from)).map_err(|_| format!("`{s}` is not an IP address or network")))
        .collect()
}

/// The limiters of one running application.
#[derive(Clone)]
pub struct Limiter(Arc<Inner>);

struct Inner {
    per_caller: Option<DefaultKeyedRateLimiter<String>>,
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    failed_auth: Option<DefaultKeyedRateLimiter<IpAddr>>,
    token: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses that spent their failed-authentication budget, until when.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    trusted_proxies: Vec<IpNet>,
    tokens: Arc<Tokens>,
    clock: DefaultClock,
}

/// Most addresses kept in the blocked list; beyond, the expired ones are dropped first.
const BLOCKED_MAX: usize = 100_000;

impl Limiter {
    pub fn new(limits: &RateLimits, tokens: Arc<Tokens>) -> Self {
        Self(Arc::new(Inner {
            per_caller: limits.per_caller.map(|b| RateLimiter::dashmap(b.quota())),
            per_address: limits.per_address.map(|b| RateLimiter::dashmap(b.quota())),
            failed_auth: limits.failed_auth.map(|b| RateLimiter::dashmap(b.quota())),
            token: limits.token.map(|b| RateLimiter::dashmap(b.quota())),
            blocked: Mutex::default(),
            trusted_proxies: limits.trusted_proxies.clone(),
            tokens,
            clock: DefaultClock::default(),
        }))
    }

    /// Forgets, every minute while the limiter lives, the callers and addresses whose budget
    /// is full again, so memory stays bounded by the callers of the last minutes.
    pub fn forget_idle_every_minute(&self) {
        let weak = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            tick.tick().await;
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(inner) => Self(inner).forget_idle(),
                    None => break,
                }
            }
        });
    }

    fn forget_idle(&self) {
        for limiter in [&self.0.per_address, &self.0.failed_auth, &self.0.token].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.0.per_caller {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let now = Instant::now();
        if let Ok(mut blocked) = self.0.blocked.lock() {
            blocked.retain(|_, until| *until > now);
        }
    }

    /// The address a request comes from.
    fn client_address(&self, peer: Option<IpAddr>, forwarded: Option<&HeaderValue>) -> Option<IpAddr> {
        let peer = peer?;
        let trusted = |ip: &IpAddr| self.0.trusted_proxies.iter().any(|n| n.contains(ip));
        if !trusted(&peer) {
            return Some(peer);
        }
        // Hops are appended left to right: the last one no trusted proxy added is the client.
        let hops = forwarded.and_then(|v| v.to_str().ok()).unwrap_or_default();
        let client = hops.rsplit(',').map(str::trim).filter_map(|h| h.parse::<IpAddr>().ok()).find(|ip| !trusted(ip));
        Some(client.unwrap_or(peer))
    }

    /// How long `address` is still blocked for failed authentication.
    fn blocked_for(&self, address: IpAddr) -> Option<Duration> {
        let until = *self.0.blocked.lock().ok()?.get(&address)?;
        until.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
    }

    /// Spends one failed authentication of `address`; blocks it once the budget is spent.
    fn failed(&self, address: IpAddr) {
        let Some(limiter) = &self.0.failed_auth else { return };
        if let Err(not_until) = limiter.check_key(&address) {
            let wait = not_until.wait_time_from(self.0.clock.now());
            if let Ok(mut blocked) = self.0.blocked.lock() {
                if blocked.len() >= BLOCKED_MAX {
                    let now = Instant::now();
                    blocked.retain(|_, until| *until > now);
                }
                if blocked.len() < BLOCKED_MAX {
                    blocked.insert(address, Instant::now() + wait);
                }
            }
        }
    }

    fn wait<K: std::hash::Hash + Eq + Clone>(&self, limiter: Option<&DefaultKeyedRateLimiter<K>>, key: &K) -> Option<Duration> {
        let not_until = limiter?.check_key(key).err()?;
        Some(not_until.wait_time_from(self.0.clock.now()))
    }
}

/// The middleware. Health probes and `/metrics` are not limited (they have their own callers).
pub async fn layer(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/health/") || path == "/metrics" {
        return next.run(request).await;
    }
    let graphql = path.starts_with("/graphql");
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let address = limiter.client_address(peer, request.headers().get("x-forwarded-for"));
    if let Some(address) = address {
        if let Some(wait) = limiter.blocked_for(address) {
            return too_many(graphql, wait, "too many failed authentications from your address");
        }
        if let Some(wait) = limiter.wait(limiter.0.per_address.as_ref(), &address) {
            return too_many(graphql, wait, "too many requests from your address");
        }
        if path == crate::oauth::TOKEN_PATH
            && let Some(wait) = limiter.wait(limiter.0.token.as_ref(), &address)
        {
            return too_many(false, wait, "too many token requests from your address");
        }
    }
    // Only when a caller budget is set: verifying the token costs a signature check.
    let caller = match limiter.0.per_caller {
        Some(_) => request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::auth::bearer)
            .and_then(|t| limiter.0.tokens.verify(t).ok())
            .map(|who| who.identity()),
        None => None,
    };
    if let Some(caller) = caller
        && let Some(wait) = limiter.wait(limiter.0.per_caller.as_ref(), &caller)
    {
        return too_many(graphql, wait, "too many requests for your credentials");
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED
        && let Some(address) = address
    {
        limiter.failed(address);
    }
    response
}

/// 429 with `Retry-After` (whole seconds, at least 1).
fn too_many(graphql: bool, wait: Duration, why: &str) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let detail = format!("{why}; retry in {seconds} s");
    let mut response = if graphql {
        let body = serde_json::json!({"errors": [{"message": detail, "extensions": {"code": "RATE_LIMITED", "retryAfter": seconds}}]});
        (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
    } else {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests", detail).into_response()
    };
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_as_operators_write_them() {
        assert_eq!(Budget::parse("off").unwrap(), None);
        let b = Budget::parse("600/min").unwrap().unwrap();
        assert_eq!((b.count.get(), b.per), (600, Duration::from_secs(60)));
        assert_eq!(b.to_string(), "600/min");
        assert_eq!(Budget::parse(" 5/s ").unwrap().unwrap().per, Duration::from_secs(1));
        for bad in ["", "0/min", "ten/min", "5/day", "5"] {
            assert!(Budget::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn networks_are_addresses_or_prefixes() {
        let n = parse_networks("10.0.0.1, 192.168.0.0/16,::1").unwrap();
        assert_eq!(n.len(), 3);
        assert!(n[1].contains(&"192.168.4.2".parse::<IpAddr>().unwrap()));
        assert!(parse_networks("10.0.0.300").is_err());
        assert!(parse_networks("").unwrap().is_empty());
    }
}
