//! Connecting to SQLite or PostgreSQL with the settings each needs, running migrations, and
//! the [`Store`] that hands out repositories and write transactions.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use domain::{
    StoreError,
    ports::{Repositories, Store, UnitOfWork},
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use tokio::sync::Mutex;

use crate::{
    metrics::{Meter, PoolState},
    repo::{Repo, backend_error},
};

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `sqlite://meridian.db?mode=rwc` or `postgres://user@host/db`.
    pub url: String,
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// Connections kept open when idle.
    pub min_connections: u32,
    /// How long to wait for a pooled connection.
    pub acquire_timeout: Duration,
    /// How long SQLite waits for another process's write lock before failing.
    pub sqlite_busy_timeout: Duration,
}

impl DatabaseSettings {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            min_connections: 1,
            acquire_timeout: Duration::from_secs(30),
            sqlite_busy_timeout: Duration::from_secs(10),
        }
    }
}

/// Opens the pool with the backend's settings: on SQLite WAL, `busy_timeout`, foreign keys on.
///
/// # Errors
/// [`StoreError::Backend`] when the database cannot be reached or the URL is not understood.
pub async fn connect(settings: &DatabaseSettings) -> Result<SeaStore, StoreError> {
    let mut options = ConnectOptions::new(settings.url.clone());
    options.max_connections(settings.max_connections).min_connections(settings.min_connections).acquire_timeout(settings.acquire_timeout).sqlx_logging(false);
    // A connection in use a moment ago is alive: pinging it before every checkout cost a
    // round trip per request. Only one idle long enough to have been dropped by the server or
    // a firewall is checked first.
    options.test_before_acquire_if_idle_for(Duration::from_secs(30));
    let busy = settings.sqlite_busy_timeout;
    options.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal).busy_timeout(busy).foreign_keys(true).create_if_missing(true)
    });
    let mut conn = Database::connect(options).await.map_err(backend_error)?;
    let statements = StatementCounter::default();
    let counter = statements.clone();
    conn.set_metric_callback(move |info| counter.count(&info.statement.sql));
    let backend = conn.get_database_backend();
    Ok(SeaStore {
        statements,
        // A read that lost its connection is tried on each other pooled connection at most (a
        // restart kills them all) and then on a fresh one.
        repo: Repo { read_retries: settings.max_connections, ..Repo::new(conn, backend) },
        write_lock: (backend == DatabaseBackend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        meter: Meter::off(),
    })
}

/// Counts the SQL statements a store has executed (cheap enough to stay on in production,
/// and how tests show that a request's cost does not grow with the data). On demand it also
/// keeps their text, so a test can see which tables a request read.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<Counted>);

#[derive(Debug, Default)]
struct Counted {
    count: AtomicU64,
    recording: AtomicBool,
    recorded: std::sync::Mutex<Vec<String>>,
}

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }

    fn count(&self, sql: &str) {
        self.0.count.fetch_add(1, Ordering::Relaxed);
        if self.0.recording.load(Ordering::Relaxed)
            && let Ok(mut recorded) = self.0.recorded.lock()
        {
            recorded.push(sql.to_owned());
        }
    }

    /// Keeps the text of every statement from now on (until [`Self::take`]).
    pub fn record(&self) {
        if let Ok(mut recorded) = self.0.recorded.lock() {
            recorded.clear();
        }
        self.0.recording.store(true, Ordering::Relaxed);
    }

    /// The statements kept since [`Self::record`]; stops keeping them.
    pub fn take(&self) -> Vec<String> {
        self.0.recording.store(false, Ordering::Relaxed);
        self.0.recorded.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
    }
}

/// The storage: a pool for reads, transactions for writes.
pub struct SeaStore {
    statements: StatementCounter,
    pub(crate) repo: Repo<DatabaseConnection>,
    /// SQLite has one writer at a time: writers of this process queue here instead of
    /// contending for the file lock (which `busy_timeout` still covers across processes).
    pub(crate) write_lock: Option<Arc<Mutex<()>>>,
    /// Where waits for the writer slot and for a connection are recorded.
    meter: Meter,
}

impl SeaStore {
    /// Brings the schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when a migration fails.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.repo.conn, None).await.map_err(backend_error)
    }

    pub fn backend_name(&self) -> &'static str {
        match self.repo.backend {
            DatabaseBackend::Postgres => "postgresql",
            DatabaseBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// The connection pool, when the database is PostgreSQL (for `LISTEN`).
    pub(crate) fn postgres_pool(&self) -> Option<&sea_orm::sqlx::PgPool> {
        (self.repo.backend == DatabaseBackend::Postgres).then(|| self.repo.conn.get_postgres_connection_pool())
    }

    /// Records waits for the writer slot and for connections with `meter`.
    #[must_use]
    pub fn with_meter(mut self, meter: Meter) -> Self {
        self.meter = meter;
        self
    }

    /// The pool's connections now: open (in use or idle), idle, and the most it opens.
    pub(crate) fn pool_state(&self) -> Option<PoolState> {
        let (size, idle, max) = match self.repo.backend {
            DatabaseBackend::Postgres => {
                let pool = self.repo.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections())
            }
            DatabaseBackend::Sqlite => {
                let pool = self.repo.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections())
            }
            _ => return None,
        };
        Some(PoolState { size, idle: u32::try_from(idle).unwrap_or(u32::MAX), max })
    }

    /// The pool, for statements of the metrics sampler.
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        &self.repo.conn
    }

    /// The statements executed so far.
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }
}

#[async_trait]
impl Store for SeaStore {
    fn read(&self) -> &dyn Repositories {
        &self.repo
    }

    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError> {
        let guard = match &self.write_lock {
            Some(lock) => {
                let queued = Instant::now();
                let guard = lock.clone().lock_owned().await;
                self.meter.wait("meridian_db_write_queue_duration_seconds", queued.elapsed());
                Some(guard)
            }
            None => None,
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.repo.backend == DatabaseBackend::Sqlite).then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        // sea-orm takes the connection from the pool and sends BEGIN in one call; timed together,
        // that is the wait for a connection plus one round trip (recorded also when it times out).
        let acquiring = Instant::now();
        let tx = self.repo.conn.begin_with_options(options).await;
        self.meter.wait("meridian_db_acquire_duration_seconds", acquiring.elapsed());
        let tx = tx.map_err(backend_error)?;
        let mut repo = Repo::new(tx, self.repo.backend);
        repo.guard = guard;
        repo.changed = Some(Arc::new(AtomicBool::new(false)));
        Ok(Box::new(repo))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.repo.conn.ping().await.map_err(backend_error)
    }
}

#[async_trait]
impl UnitOfWork for Repo<sea_orm::DatabaseTransaction> {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let this = *self;
        if !this.nested && this.changed.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            this.notify_changes().await?;
        }
        let result = this.conn.commit().await.map_err(backend_error);
        drop(this.guard);
        result
    }

    async fn savepoint(&self) -> Result<Box<dyn UnitOfWork>, StoreError> {
        use sea_orm::TransactionTrait;
        let nested = self.conn.begin().await.map_err(backend_error)?;
        let mut repo = Repo::new(nested, self.backend);
        repo.changed.clone_from(&self.changed);
        repo.nested = true;
        Ok(Box::new(repo))
    }
}
