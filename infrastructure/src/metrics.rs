//! What the driven adapters report to `/metrics`: the connection pool, waits for a connection,
//! the webhook outbox and worker, and the change listener.
//!
//! Counters and histograms are recorded where things happen (a transaction begins, a webhook
//! attempt ends). Gauges of shared state are read by [`Sampler::sample`] when `/metrics` is
//! scraped: the outbox is the database's, not this process's (a process without a worker still
//! shows the queue, and a stuck worker cannot hide it), and two indexed aggregate queries per
//! scrape cost nothing next to the work they describe.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use domain::ports::Store;
use metrics::{Recorder, Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use migration::tables::{WebhookDeliveries, WebhookSubscriptions};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Condition, Expr, ExprTrait, Func, Query},
};

use crate::{SeaStore, change_listener::ChangeHub, repo::backend_error};

/// Where this crate records: the application's own recorder, or nowhere (metrics off).
#[derive(Clone, Default)]
pub struct Meter(Option<Arc<dyn Recorder + Send + Sync>>);

impl std::fmt::Debug for Meter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Meter").field(&self.0.is_some()).finish()
    }
}

impl Meter {
    /// Records into `recorder` (none: metrics off).
    pub fn new(recorder: Option<Arc<dyn Recorder + Send + Sync>>) -> Self {
        let meter = Self(recorder);
        meter.record(describe);
        meter
    }

    pub fn off() -> Self {
        Self(None)
    }

    /// Runs `f`, whose `metrics` macros record into the application's recorder.
    pub fn record(&self, f: impl FnOnce()) {
        if let Some(recorder) = &self.0 {
            metrics::with_local_recorder(recorder.as_ref(), f);
        }
    }

    /// Records `waited` in the histogram `name` (a `'static` name: no allocation).
    pub(crate) fn wait(&self, name: &'static str, waited: Duration) {
        self.record(|| histogram!(name).record(waited.as_secs_f64()));
    }
}

/// The help texts of the metrics this crate records.
fn describe() {
    describe_gauge!("meridian_db_pool_connections", "Pooled database connections by state: in_use (including the one held for LISTEN on PostgreSQL) or idle");
    describe_gauge!("meridian_db_pool_max_connections", "The largest number of pooled database connections (MERIDIAN_DB_MAX_CONNECTIONS)");
    describe_histogram!(
        "meridian_db_acquire_duration_seconds",
        Unit::Seconds,
        "Time to obtain a pooled connection for a write transaction and open it (BEGIN; on SQLite BEGIN IMMEDIATE, which also waits for another process's write lock); under load, mostly the wait for a free connection. Reads take their connections inside the driver and are not timed"
    );
    describe_histogram!(
        "meridian_db_write_queue_duration_seconds",
        Unit::Seconds,
        "SQLite only: time a write transaction waited for this process's single writer slot before asking for a connection"
    );
    describe_gauge!(
        "meridian_webhook_outbox_deliveries",
        "Webhook deliveries in the outbox by state, read from the database at scrape time: pending (not yet delivered nor given up, including retries waiting for their time and paused subscriptions) and due (pending, due now, not held by a worker, subscription active)"
    );
    describe_gauge!(
        "meridian_webhook_oldest_due_age_seconds",
        "How long the oldest due webhook delivery has been due, read at scrape time (0 when none is due): how far the workers are behind"
    );
    describe_counter!(
        "meridian_webhook_attempts_total",
        "Webhook delivery attempts by this process's worker, by outcome: success (2xx), rejected (another status), unreachable"
    );
    describe_gauge!(
        "meridian_webhook_worker_last_poll_timestamp_seconds",
        "Unix time at which this process's webhook worker last read the outbox (absent when it does not run)"
    );
    describe_gauge!("meridian_change_feed_latest_seq", "The newest change sequence number in the database, read at scrape time");
    describe_gauge!(
        "meridian_change_listener_position_seq",
        "The last change sequence number this process's listener has read and published to GraphQL subscriptions"
    );
    describe_gauge!(
        "meridian_change_listener_lag_changes",
        "Changes committed but not yet published to this process's GraphQL subscriptions (latest minus position; 0 while nobody subscribes, since the listener then reads nothing)"
    );
    describe_gauge!("meridian_change_listener_followers", "GraphQL subscriptions following the change feed in this process");
    describe_gauge!(
        "meridian_change_listener_last_poll_timestamp_seconds",
        "Unix time at which this process's change listener last woke up (poll or notification)"
    );
    describe_counter!(
        "meridian_metrics_sample_failures_total",
        "Scrape-time database reads that failed or timed out, by source (outbox, changes); their gauges keep their last values"
    );
}

/// Unix time in seconds, as a gauge value.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn timestamp(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

/// The longest a scrape-time query may take (a scrape times out after 10 s by default).
const QUERY_TIMEOUT: Duration = Duration::from_secs(3);

/// Reads the gauges of shared state when `/metrics` is scraped.
pub struct Sampler {
    store: Arc<SeaStore>,
    hub: Arc<ChangeHub>,
    meter: Meter,
}

/// What the outbox holds now.
struct Outbox {
    pending: i64,
    due: i64,
    oldest_due: Option<DateTime<Utc>>,
}

impl Sampler {
    pub fn new(store: Arc<SeaStore>, hub: Arc<ChangeHub>, meter: Meter) -> Self {
        Self { store, hub, meter }
    }

    /// Samples the pool, the outbox and the change feed into the gauges. The pool and the
    /// listener are read first, without the database: when the pool is exhausted, they are
    /// what matters, and the two queries may then wait (at most [`QUERY_TIMEOUT`]).
    pub async fn sample(&self) {
        let pool = self.store.pool_state();
        let (followers, position, polled) = (self.hub.followers(), self.hub.position(), self.hub.last_poll());
        self.meter.record(|| {
            if let Some(pool) = pool {
                gauge!("meridian_db_pool_connections", "state" => "in_use").set(f64::from(pool.size.saturating_sub(pool.idle)));
                gauge!("meridian_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
                gauge!("meridian_db_pool_max_connections").set(f64::from(pool.max));
            }
            #[allow(clippy::cast_precision_loss)]
            gauge!("meridian_change_listener_followers").set(followers as f64);
            if let Some(p) = position {
                #[allow(clippy::cast_precision_loss)]
                gauge!("meridian_change_listener_position_seq").set(p as f64);
            }
            if let Some(at) = polled {
                gauge!("meridian_change_listener_last_poll_timestamp_seconds").set(timestamp(at));
            }
        });
        let now = Utc::now();
        let timed_out = || domain::StoreError::Backend(format!("no answer within {} s", QUERY_TIMEOUT.as_secs()));
        let outbox = async { tokio::time::timeout(QUERY_TIMEOUT, self.outbox(now)).await.unwrap_or_else(|_| Err(timed_out())) };
        let latest = async { tokio::time::timeout(QUERY_TIMEOUT, self.store.read().latest_change()).await.unwrap_or_else(|_| Err(timed_out())) };
        let (outbox, latest) = tokio::join!(outbox, latest);
        self.meter.record(|| {
            match outbox {
                Ok(o) => {
                    #[allow(clippy::cast_precision_loss)]
                    let (pending, due) = (o.pending as f64, o.due as f64);
                    gauge!("meridian_webhook_outbox_deliveries", "state" => "pending").set(pending);
                    gauge!("meridian_webhook_outbox_deliveries", "state" => "due").set(due);
                    let age = o.oldest_due.map_or(0.0, |at| (now - at).to_std().map_or(0.0, |d| d.as_secs_f64()));
                    gauge!("meridian_webhook_oldest_due_age_seconds").set(age);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: cannot read the webhook outbox");
                    counter!("meridian_metrics_sample_failures_total", "source" => "outbox").increment(1);
                }
            }
            match latest {
                Ok(latest) => {
                    // The position was read first: a change committed meanwhile shows as lag.
                    #[allow(clippy::cast_precision_loss)]
                    let lag = match position {
                        Some(p) if followers > 0 => Ord::max(latest.saturating_sub(p), 0) as f64,
                        _ => 0.0,
                    };
                    #[allow(clippy::cast_precision_loss)]
                    gauge!("meridian_change_feed_latest_seq").set(latest as f64);
                    gauge!("meridian_change_listener_lag_changes").set(lag);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: cannot read the change feed position");
                    counter!("meridian_metrics_sample_failures_total", "source" => "changes").increment(1);
                }
            }
        });
    }

    /// Counts the pending and the due deliveries (due as the worker's claim selects them) and
    /// finds the oldest due, on the `(status, next_attempt_at)` index.
    async fn outbox(&self, now: DateTime<Utc>) -> Result<Outbox, domain::StoreError> {
        let conn = self.store.connection();
        let pending = Query::select()
            .expr_as(Expr::col(WebhookDeliveries::Id).count(), "n")
            .from(WebhookDeliveries::Table)
            .and_where(Expr::col(WebhookDeliveries::Status).eq(domain::webhook::DeliveryStatus::Pending.as_str()))
            .to_owned();
        let active = Query::select()
            .column(WebhookSubscriptions::Id)
            .from(WebhookSubscriptions::Table)
            .and_where(Expr::col(WebhookSubscriptions::Active).eq(true))
            .to_owned();
        let due = Query::select()
            .expr_as(Expr::col(WebhookDeliveries::Id).count(), "n")
            .expr_as(Func::min(Expr::col(WebhookDeliveries::NextAttemptAt)), "oldest")
            .from(WebhookDeliveries::Table)
            .and_where(Expr::col(WebhookDeliveries::Status).eq(domain::webhook::DeliveryStatus::Pending.as_str()))
            .and_where(Expr::col(WebhookDeliveries::NextAttemptAt).lte(now))
            .cond_where(Condition::any().add(Expr::col(WebhookDeliveries::LockedUntil).is_null()).add(Expr::col(WebhookDeliveries::LockedUntil).lt(now)))
            .and_where(Expr::col(WebhookDeliveries::SubscriptionId).in_subquery(active))
            .to_owned();
        let pending = conn.query_one(&pending).await.map_err(backend_error)?;
        let due = conn.query_one(&due).await.map_err(backend_error)?;
        let count = |row: &Option<sea_orm::QueryResult>| row.as_ref().and_then(|r| r.try_get::<i64>("", "n").ok()).unwrap_or(0);
        let oldest = due.as_ref().and_then(|r| r.try_get::<Option<DateTime<Utc>>>("", "oldest").ok().flatten());
        Ok(Outbox { pending: count(&pending), due: count(&due), oldest_due: oldest })
    }
}

/// The pool's connections at one instant.
pub(crate) struct PoolState {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}
