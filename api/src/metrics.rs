//! `GET /metrics` in the Prometheus text format, and the HTTP and GraphQL measurements behind it.
//!
//! Each application has a recorder of its own ([`Metrics`]) instead of the process-wide one
//! the `metrics` macros use by default: several applications run in one test process, and each
//! must report its own requests, pool and queues. Code that records runs the `metrics` macros
//! inside [`Metrics::record`] (synchronous, so the recorder never leaks across an `.await`).
//! Gauges that describe shared state (pool, outbox, change feed) are read when `/metrics` is
//! scraped, by the collectors the composition root registers with [`Metrics::on_scrape`].

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use async_graphql::{
    Response as GqlResponse, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextSubscribe},
    parser::types::{DocumentOperations, ExecutableDocument, OperationType},
};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures_util::{FutureExt, Stream, StreamExt, future::BoxFuture, stream::BoxStream};
use metrics::{Recorder, Unit, counter, describe_counter, describe_histogram, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// The `route` of a request that matched no route (so raw paths never become labels).
pub const UNMATCHED: &str = "unmatched";

/// How long the collectors may take before `/metrics` answers with what it has.
const COLLECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Request latencies, in seconds.
const LATENCY: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// GraphQL operations: request latencies, and the lifetimes of subscriptions.
const OPERATION: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0];
/// Waits for a database connection or the writer's turn, in seconds.
const WAIT: &[f64] = &[0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 10.0, 30.0];
/// Bulk imports, in seconds.
const IMPORT: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// Work done before each scrape: sampling gauges that live elsewhere (pool, outbox, workers).
pub type Collector = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// A [`Collector`] running `f` before each scrape.
pub fn collector<F, Fut>(f: F) -> Collector
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    Arc::new(move || f().boxed())
}

/// The metrics of one application, or none (metrics off): every method is then a no-op.
#[derive(Clone, Default)]
pub struct Metrics(Option<Arc<Inner>>);

struct Inner {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    /// SHA-256 of the bearer token `/metrics` requires, if any (compared digest to digest, in
    /// constant time, so neither the token nor its length leaks through timing).
    token: Option<[u8; 32]>,
    collectors: Mutex<Vec<Collector>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").field("enabled", &self.enabled()).field("token", &self.0.as_ref().is_some_and(|i| i.token.is_some())).finish()
    }
}

impl Metrics {
    /// Metrics off: nothing is recorded and `/metrics` is not routed.
    pub fn off() -> Self {
        Self(None)
    }

    /// A fresh recorder; `token`, when given, is required as `Authorization: Bearer <token>`.
    ///
    /// # Errors
    /// The exporter refused the histogram buckets (never with the buckets used here).
    pub fn new(token: Option<&str>) -> Result<Self, BuildError> {
        let recorder = PrometheusBuilder::new()
            .set_buckets(LATENCY)?
            .set_buckets_for_metric(Matcher::Prefix("meridian_graphql_".into()), OPERATION)?
            .set_buckets_for_metric(Matcher::Prefix("meridian_db_".into()), WAIT)?
            .set_buckets_for_metric(Matcher::Prefix("meridian_import_".into()), IMPORT)?
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Self(Some(Arc::new(Inner {
            recorder: Arc::new(recorder),
            handle,
            token: token.map(|t| Sha256::digest(t.as_bytes()).into()),
            collectors: Mutex::new(Vec::new()),
        })));
        metrics.record(describe);
        Ok(metrics)
    }

    pub fn enabled(&self) -> bool {
        self.0.is_some()
    }

    /// The recorder, for the other layers to record into (none when metrics are off).
    pub fn recorder(&self) -> Option<Arc<dyn Recorder + Send + Sync>> {
        self.0.as_ref().map(|i| i.recorder.clone() as Arc<dyn Recorder + Send + Sync>)
    }

    /// Runs `f`, whose `metrics` macros record into this application's recorder.
    pub fn record(&self, f: impl FnOnce()) {
        if let Some(inner) = &self.0 {
            metrics::with_local_recorder(inner.recorder.as_ref(), f);
        }
    }

    /// Registers work to run before each scrape.
    pub fn on_scrape(&self, collector: Collector) {
        if let Some(inner) = &self.0 {
            inner.collectors.lock().unwrap_or_else(PoisonError::into_inner).push(collector);
        }
    }

    /// Folds recorded histogram samples into their buckets, so memory stays bounded between
    /// scrapes (or when nobody scrapes); run it every few seconds.
    pub fn run_upkeep(&self) {
        if let Some(inner) = &self.0 {
            inner.handle.run_upkeep();
        }
    }

    /// Runs the collectors (each within [`COLLECT_TIMEOUT`]), then renders everything.
    pub async fn render(&self) -> String {
        let Some(inner) = &self.0 else { return String::new() };
        let collectors = inner.collectors.lock().unwrap_or_else(PoisonError::into_inner).clone();
        futures_util::future::join_all(collectors.iter().map(|c| async move {
            if tokio::time::timeout(COLLECT_TIMEOUT, c()).await.is_err() {
                tracing::warn!("metrics: a collector took longer than {} s; its gauges keep their last values", COLLECT_TIMEOUT.as_secs());
            }
        }))
        .await;
        inner.handle.render()
    }

    /// Whether `headers` carry the token (always, when none is required).
    fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = self.0.as_ref().and_then(|i| i.token) else { return true };
        let Some(given) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(crate::auth::bearer) else { return false };
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        given.ct_eq(&expected).into()
    }
}

/// The help texts of the metrics this crate records.
fn describe() {
    describe_counter!("meridian_http_requests_total", "HTTP requests answered, by method, route (the route template, or `unmatched`) and status");
    describe_histogram!(
        "meridian_http_request_duration_seconds",
        Unit::Seconds,
        "Time from receiving an HTTP request until its response head is ready (streamed bodies such as /api/v1/export go on after), by method, route and status"
    );
    describe_histogram!(
        "meridian_graphql_operation_duration_seconds",
        Unit::Seconds,
        "GraphQL operations by type (query, mutation, subscription; unknown when the document does not parse) and outcome (ok, or error when the answer carries errors): the time to answer, or for a subscription how long it lived"
    );
    describe_counter!(
        "meridian_import_rows_total",
        "Bulk-import rows processed, by section, outcome (created, updated, unchanged, rejected) and committed (false: a dry run, or an atomic import refused as a whole, so nothing was kept)"
    );
    describe_histogram!(
        "meridian_import_duration_seconds",
        Unit::Seconds,
        "Time to run a bulk import (after its body was read and parsed), by mode and committed"
    );
}

/// The method label: the standard methods by name, anything else as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts and times every request by method, matched route and status.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics.record(|| {
        let labels = [("method", method.to_owned()), ("route", route), ("status", status)];
        counter!("meridian_http_requests_total", &labels).increment(1);
        histogram!("meridian_http_request_duration_seconds", &labels).record(elapsed);
    });
    response
}

/// `GET /metrics`: the Prometheus text exposition (0.0.4). Not part of the partner API, so not
/// in the OpenAPI document; guarded by `MERIDIAN_METRICS_TOKEN` when set.
pub async fn scrape(State(metrics): State<Metrics>, headers: HeaderMap) -> Response {
    if !metrics.admits(&headers) {
        return ApiError::unauthenticated("invalid_token", "/metrics requires `Authorization: Bearer <MERIDIAN_METRICS_TOKEN>`").into_response();
    }
    let body = metrics.render().await;
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// Records the rows and the duration of a bulk import.
pub fn record_import(metrics: &Metrics, summary: &domain::services::ImportSummary, mode: domain::services::ImportMode, elapsed: Duration) {
    let mode = if mode == domain::services::ImportMode::Validate { "validate" } else { "commit" };
    let committed = if summary.committed { "true" } else { "false" };
    metrics.record(|| {
        for (section, counts) in &summary.counts {
            for (outcome, n) in [("created", counts.created), ("updated", counts.updated), ("unchanged", counts.unchanged), ("rejected", counts.rejected)] {
                if n > 0 {
                    counter!("meridian_import_rows_total", "section" => section.as_str(), "outcome" => outcome, "committed" => committed).increment(n as u64);
                }
            }
        }
        histogram!("meridian_import_duration_seconds", "mode" => mode, "committed" => committed).record(elapsed.as_secs_f64());
    });
}

// ------------------------------------------------------------------ GraphQL

/// The async-graphql extension that times each operation (the operation name is left out: it
/// is chosen by clients, so unbounded).
pub struct GraphqlMetrics(Metrics);

impl GraphqlMetrics {
    pub fn new(metrics: &Metrics) -> Self {
        Self(metrics.clone())
    }
}

impl ExtensionFactory for GraphqlMetrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationMetrics { metrics: self.0.clone(), kind: Arc::new(Mutex::new("unknown")) })
    }
}

/// One operation (an extension is created per request, and per operation of a batch).
struct OperationMetrics {
    metrics: Metrics,
    /// `query`, `mutation`, `subscription`, or `unknown` until the document parsed.
    kind: Arc<Mutex<&'static str>>,
}

fn record_operation(metrics: &Metrics, kind: &Mutex<&'static str>, elapsed: Duration, ok: bool) {
    let kind = *kind.lock().unwrap_or_else(PoisonError::into_inner);
    metrics.record(|| {
        histogram!("meridian_graphql_operation_duration_seconds", "operation" => kind, "outcome" => if ok { "ok" } else { "error" })
            .record(elapsed.as_secs_f64());
    });
}

fn kind_name(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for OperationMetrics {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> GqlResponse {
        let started = Instant::now();
        let response = next.run(ctx).await;
        record_operation(&self.metrics, &self.kind, started.elapsed(), response.errors.is_empty());
        response
    }

    fn subscribe<'s>(&self, ctx: &ExtensionContext<'_>, stream: BoxStream<'s, GqlResponse>, next: NextSubscribe<'_>) -> BoxStream<'s, GqlResponse> {
        let watched = Watched { inner: next.run(ctx, stream), metrics: self.metrics.clone(), kind: self.kind.clone(), started: Instant::now(), ok: true };
        watched.boxed()
    }

    async fn parse_query(&self, ctx: &ExtensionContext<'_>, query: &str, variables: &Variables, next: NextParseQuery<'_>) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        // Several operations of different types: the one that runs is named by the request,
        // which this hook does not see; such documents are rare enough to count as `unknown`.
        let kind = match &document.operations {
            DocumentOperations::Single(op) => Some(op.node.ty),
            DocumentOperations::Multiple(ops) => {
                let mut types = ops.values().map(|op| op.node.ty);
                let first = types.next();
                first.filter(|t| types.all(|other| other == *t))
            }
        };
        if let Some(ty) = kind {
            *self.kind.lock().unwrap_or_else(PoisonError::into_inner) = kind_name(ty);
        }
        Ok(document)
    }
}

/// A subscription's stream, recorded when it ends (or its client goes away).
struct Watched<'s> {
    inner: BoxStream<'s, GqlResponse>,
    metrics: Metrics,
    kind: Arc<Mutex<&'static str>>,
    started: Instant,
    ok: bool,
}

impl Stream for Watched<'_> {
    type Item = GqlResponse;

    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        if let std::task::Poll::Ready(Some(response)) = &polled
            && !response.errors.is_empty()
        {
            self.ok = false;
        }
        polled
    }
}

impl Drop for Watched<'_> {
    fn drop(&mut self) {
        record_operation(&self.metrics, &self.kind, self.started.elapsed(), self.ok);
    }
}
