//! The webhook delivery worker: takes due deliveries from the outbox, sends each signed as the
//! Standard Webhooks specification says, and records what came of it. Any number of workers,
//! in one process or many, may run against one database: a delivery is held by one worker at a
//! time (a lease, taken with `SKIP LOCKED` on PostgreSQL), and a worker that dies mid-delivery
//! loses its lease, so another sends the delivery again: at least once, never lost.

use std::{
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};

use domain::{
    DomainError,
    services::{Dispatch, WebhookService},
    webhook::{AttemptOutcome, is_public},
};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::{metrics::Meter, webhook_signature::WebhookSecret};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// How long an idle worker waits before looking for due deliveries again.
    pub poll_interval: Duration,
    /// How long a receiver may take to answer.
    pub timeout: Duration,
    /// How long a worker holds a delivery; longer than `timeout`.
    pub lease: Duration,
    /// Deliveries taken at once.
    pub batch: u64,
    /// Whether targets may resolve to loopback, private or link-local addresses.
    pub allow_private: bool,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self { poll_interval: Duration::from_secs(1), timeout: Duration::from_secs(10), lease: Duration::from_secs(60), batch: 20, allow_private: false }
    }
}

/// Resolves target host names, keeping only public addresses unless private ones are allowed:
/// the check that a subscription's URL passed when it was saved is applied again to what the
/// name resolves to now.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// Delivers webhooks until told to stop.
pub struct WebhookWorker {
    service: WebhookService,
    client: reqwest::Client,
    settings: WorkerSettings,
    meter: Meter,
}

impl WebhookWorker {
    /// # Errors
    /// The HTTP client could not be built (TLS roots unavailable).
    pub fn new(service: WebhookService, settings: WorkerSettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Meridian-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicOnly { allow_private: settings.allow_private }))
            .build()?;
        Ok(Self { service, client, settings, meter: Meter::off() })
    }

    /// Records attempts and polls with `meter`.
    #[must_use]
    pub fn with_meter(mut self, meter: Meter) -> Self {
        self.meter = meter;
        self
    }

    /// Sends what is due now, once; returns how many deliveries were attempted.
    ///
    /// # Errors
    /// [`DomainError::Store`] when the outbox cannot be read or written.
    pub async fn run_once(&self) -> Result<usize, DomainError> {
        let lease = chrono::Duration::from_std(self.settings.lease).unwrap_or(chrono::Duration::seconds(60));
        let due = self.service.claim(self.settings.batch, lease).await?;
        self.meter.record(|| metrics::gauge!("meridian_webhook_worker_last_poll_timestamp_seconds").set(crate::metrics::timestamp(chrono::Utc::now())));
        let count = due.len();
        let results = futures_util::future::join_all(due.iter().map(|d| self.deliver(d))).await;
        for (dispatch, (outcome, millis)) in due.iter().zip(results) {
            let label = match outcome {
                AttemptOutcome::Answered(status) if (200..300).contains(&status) => "success",
                AttemptOutcome::Answered(_) => "rejected",
                AttemptOutcome::Unreachable(_) => "unreachable",
            };
            self.meter.record(|| metrics::counter!("meridian_webhook_attempts_total", "outcome" => label).increment(1));
            match self.service.settle(dispatch, &outcome, millis, jitter()).await? {
                Some(settlement) => tracing::debug!(delivery = %dispatch.delivery.id, ?outcome, ?settlement, "webhook attempt"),
                None => tracing::warn!(delivery = %dispatch.delivery.id, "webhook lease passed before the attempt was recorded; another worker has it"),
            }
        }
        Ok(count)
    }

    /// Delivers until `shutdown` completes; a failing database is logged and retried.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        loop {
            let idle = tokio::select! {
                () = &mut shutdown => return,
                result = self.run_once() => match result {
                    Ok(n) => n == 0,
                    Err(e) => {
                        tracing::error!(error = %e, "webhook worker could not reach the outbox");
                        true
                    }
                },
            };
            if idle {
                tokio::select! {
                    () = &mut shutdown => return,
                    () = tokio::time::sleep(self.settings.poll_interval) => {}
                }
            }
        }
    }

    /// One attempt: the outcome and how long it took.
    async fn deliver(&self, d: &Dispatch) -> (AttemptOutcome, i64) {
        let started = Instant::now();
        let outcome = self.attempt(d).await;
        (outcome, i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX))
    }

    async fn attempt(&self, d: &Dispatch) -> AttemptOutcome {
        let secret = match WebhookSecret::parse(&d.secret) {
            Ok(s) => s,
            Err(e) => return AttemptOutcome::Unreachable(format!("the subscription's secret is unusable: {e}")),
        };
        if let Ok(url) = url::Url::parse(&d.url)
            && let Some(ip) = match url.host() {
                Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                _ => None,
            }
            && !self.settings.allow_private
            && !is_public(ip)
        {
            return AttemptOutcome::Unreachable(format!("{ip} is not a public address"));
        }
        let id = d.delivery.message_id();
        let timestamp = chrono::Utc::now().timestamp();
        let signature = secret.sign(&id, timestamp, d.delivery.payload.as_bytes());
        let sent = self
            .client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.delivery.payload.clone())
            .send()
            .await;
        match sent {
            Ok(response) => AttemptOutcome::Answered(response.status().as_u16()),
            Err(e) if e.is_timeout() => AttemptOutcome::Unreachable(format!("no answer within {} s", self.settings.timeout.as_secs_f32())),
            Err(e) => AttemptOutcome::Unreachable(describe(&e)),
        }
    }
}

/// The error and its causes on one line.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A random fraction in `0..1` for backoff jitter.
fn jitter() -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let fraction = (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1_u64 << 53) as f64;
    fraction
}
