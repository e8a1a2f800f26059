//! The composition root: the only place that knows every concrete type. It reads settings,
//! connects storage, wires the use cases to the HTTP face, and runs the server or a command.

pub mod demo;
mod demo_library;
pub mod scale;
pub mod settings;
pub mod telemetry;

use std::{future::Future, net::SocketAddr, sync::Arc};

use api::{
    ApiState, HttpSettings,
    auth::{TokenSettings, Tokens},
    metrics::Metrics,
};
use domain::{
    DomainError, StoreError,
    ports::{Store, SystemClock},
    services::Services,
};
use infrastructure::{
    DatabaseSettings, SeaStore,
    change_listener::ChangeListener,
    metrics::{Meter, Sampler},
    webhook_worker::{WebhookWorker, WorkerSettings},
};
use tokio::net::TcpListener;

pub use settings::Settings;

use crate::settings::MetricsMode;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] StoreError),
    #[error("start-up data: {0}")]
    Data(#[from] DomainError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("{0}")]
    Posture(String),
}

/// Opens the database described by the settings and brings its schema up to date, with the
/// standard indicator catalogue installed.
///
/// # Errors
/// [`StartupError::Database`] when the database is unreachable or a migration fails.
pub async fn open_store(settings: &Settings) -> Result<(Arc<SeaStore>, Services), StartupError> {
    open_measured_store(settings, Meter::off()).await
}

/// [`open_store`], recording waits for connections with `meter`.
async fn open_measured_store(settings: &Settings, meter: Meter) -> Result<(Arc<SeaStore>, Services), StartupError> {
    let db = DatabaseSettings {
        url: settings.database_url.clone(),
        max_connections: settings.db_max_connections,
        min_connections: settings.db_min_connections,
        acquire_timeout: settings.db_acquire_timeout,
        ..DatabaseSettings::new(settings.database_url.clone())
    };
    let store = Arc::new(infrastructure::connect(&db).await?.with_meter(meter));
    store.migrate().await?;
    let services = Services::with_delivery_policy(store.clone() as Arc<dyn Store>, Arc::new(SystemClock), settings.delivery_policy())
        .idempotency_window(
            chrono::Duration::from_std(settings.idempotency_ttl).unwrap_or(chrono::Duration::hours(24)),
            // A request runs at most `request_timeout`; twice that, and its key is surely abandoned.
            chrono::Duration::from_std(settings.request_timeout * 2).unwrap_or(chrono::Duration::minutes(1)).max(chrono::Duration::seconds(10)),
        )
        .results_cache(settings.results_cache == crate::settings::Switch::On)
        .four_eyes_admin_override(settings.four_eyes_admin_override == crate::settings::Switch::On)
        .secret_hasher(Arc::new(infrastructure::secrets::Argon2Hasher));
    services.catalogue.install_standard().await?;
    Ok((store, services))
}

/// The token signer and verifier for these settings: the signing keys read from their files,
/// the HS256 secret (the configured one; the development one only while no key is configured),
/// and the external issuer.
///
/// # Errors
/// A key that cannot be read or is not a private key of its algorithm.
pub fn tokens(settings: &Settings) -> Result<Arc<Tokens>, String> {
    let keys = settings.jwt_keys.iter().map(|spec| api::keys::SigningKey::load(spec)).collect::<Result<Vec<_>, _>>()?;
    let secret = match &settings.jwt_secret {
        Some(s) => Some(s.0.clone()),
        None if keys.is_empty() => Some(settings::DEVELOPMENT_SECRET.to_owned()),
        None => None,
    };
    let external = settings.external_issuer.as_ref().map(|issuer| api::keys::ExternalIssuerSettings {
        issuer: issuer.clone(),
        jwks_url: settings.external_jwks_url.clone().unwrap_or_default(),
        audience: settings.external_audience.clone().unwrap_or_else(|| settings.jwt_audience.clone()),
        mapping: api::keys::ClaimMapping {
            role: settings.external_claim_role.clone(),
            role_prefix: settings.external_role_prefix.clone(),
            administration: settings.external_claim_administration.clone(),
            donor: settings.external_claim_donor.clone(),
            scope: settings.external_claim_scope.clone(),
        },
        refresh_min: settings.external_jwks_min_refresh,
    });
    Ok(Tokens::new(TokenSettings { secret, keys, issuer: settings.jwt_issuer.clone(), audience: settings.jwt_audience.clone(), external }))
}

/// A built server: storage open, listener bound, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Arc<SeaStore>,
    services: Services,
    worker: Option<WorkerSettings>,
    /// Feeds GraphQL subscriptions with the changes committed by any process.
    changes: ChangeListener,
    /// What `/metrics` reports (off: nothing), and the same recorder for the workers.
    metrics: Metrics,
    meter: Meter,
}

impl Application {
    /// Connects and migrates the database, then binds the listener (port 0 picks a free port).
    ///
    /// # Errors
    /// [`StartupError`] when the database or the address is unusable.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        settings.check_posture().map_err(StartupError::Posture)?;
        // A recorder per application, not the process-wide one: tests run several applications
        // in one process, and each reports its own requests, pool and queues.
        let metrics = match settings.metrics {
            MetricsMode::Off => Metrics::off(),
            MetricsMode::On => Metrics::new(settings.metrics_token.as_ref().map(|t| t.0.as_str())).map_err(|e| StartupError::Metrics(e.to_string()))?,
        };
        let meter = Meter::new(metrics.recorder());
        let (store, services) = open_measured_store(settings, meter.clone()).await?;
        let (live, changes) = ChangeListener::new(store.clone(), settings.live_poll_interval);
        if metrics.enabled() {
            let sampler = Arc::new(Sampler::new(store.clone(), live.clone(), meter.clone()));
            metrics.on_scrape(api::metrics::collector(move || {
                let sampler = sampler.clone();
                async move { sampler.sample().await }
            }));
            if settings.metrics_token.is_none() && !settings.bind.ip().is_loopback() {
                tracing::warn!(bind = %settings.bind, "/metrics is open to anyone who reaches this address: set MERIDIAN_METRICS_TOKEN, or MERIDIAN_METRICS=off");
            }
        }
        let auth = api::auth::Authenticator::new(tokens(settings).map_err(StartupError::Posture)?, services.access.clone());
        let oauth = Arc::new(api::oauth::OAuthSettings { token_ttl: settings.oauth_token_ttl, public_url: settings.public_url.clone() });
        let state = ApiState { services: services.clone(), auth, live, metrics: metrics.clone(), oauth };
        let http = HttpSettings {
            body_limit: settings.body_limit,
            request_timeout: settings.request_timeout,
            import_timeout: settings.import_timeout,
            graphql: settings.graphql_limits(),
            cors: settings.cors_origins.clone(),
            swagger_ui: settings.exposes(settings.swagger_ui),
            limits: api::limits::RateLimits {
                per_caller: settings.rate_limit_caller.0,
                per_address: settings.rate_limit_address.0,
                failed_auth: settings.rate_limit_failed_auth.0,
                token: settings.rate_limit_token.0,
                trusted_proxies: settings.trusted_proxies.0.clone(),
            },
        };
        let router = api::router(state, &http);
        let listener = TcpListener::bind(settings.bind).await.map_err(|source| StartupError::Bind { addr: settings.bind, source })?;
        Ok(Self { listener, router, store, services, worker: settings.webhook_worker.then(|| settings.worker_settings()), changes, metrics, meter })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map_or(0, |a| a.port())
    }

    /// The use cases this application serves (for seeding at start-up).
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Counts the SQL statements the application has executed.
    pub fn statements(&self) -> infrastructure::StatementCounter {
        self.store.statements()
    }

    /// Which database backs it: `sqlite` or `postgresql`.
    pub fn backend(&self) -> &'static str {
        self.store.backend_name()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    ///
    /// # Errors
    /// The I/O error that stopped the server.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
        let mut changes_stopped = worker_stopped.clone();
        let changes = tokio::spawn(self.changes.run(async move {
            let _ = changes_stopped.wait_for(|s| *s).await;
        }));
        let upkeep = self.metrics.enabled().then(|| {
            let (metrics, mut stopped) = (self.metrics.clone(), worker_stopped.clone());
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = stopped.wait_for(|s| *s) => break,
                        () = tokio::time::sleep(std::time::Duration::from_secs(5)) => metrics.run_upkeep(),
                    }
                }
            })
        });
        let worker = match self.worker.map(|w| WebhookWorker::new(self.services.webhooks.clone(), w).map(|w| w.with_meter(self.meter.clone()))) {
            Some(Ok(worker)) => {
                let mut stopped = worker_stopped;
                Some(tokio::spawn(worker.run(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })))
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "webhooks will not be delivered: the HTTP client could not be built");
                None
            }
            None => None,
        };
        // The peer address feeds the per-address request budgets.
        let router = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, router).with_graceful_shutdown(shutdown).await;
        let _ = stop_worker.send(true);
        if let Some(w) = worker {
            let _ = w.await;
        }
        let _ = changes.await;
        if let Some(u) = upkeep {
            let _ = u.await;
        }
        served
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
