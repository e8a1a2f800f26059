//! Connecting to SQLite or PostgreSQL with the settings each needs, running migrations, and
//! the [`Store`] that hands out repositories and write transactions.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
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

use crate::repo::{Repo, backend_error};

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
    let busy = settings.sqlite_busy_timeout;
    options.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal).busy_timeout(busy).foreign_keys(true).create_if_missing(true)
    });
    let mut conn = Database::connect(options).await.map_err(backend_error)?;
    let statements = StatementCounter::default();
    let counter = statements.clone();
    conn.set_metric_callback(move |_| {
        counter.0.fetch_add(1, Ordering::Relaxed);
    });
    let backend = conn.get_database_backend();
    Ok(SeaStore { statements, repo: Repo::new(conn, backend), write_lock: (backend == DatabaseBackend::Sqlite).then(|| Arc::new(Mutex::new(()))) })
}

/// Counts the SQL statements a store has executed (cheap enough to stay on in production,
/// and how tests show that a request's cost does not grow with the data).
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The storage: a pool for reads, transactions for writes.
pub struct SeaStore {
    statements: StatementCounter,
    pub(crate) repo: Repo<DatabaseConnection>,
    /// SQLite has one writer at a time: writers of this process queue here instead of
    /// contending for the file lock (which `busy_timeout` still covers across processes).
    pub(crate) write_lock: Option<Arc<Mutex<()>>>,
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
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.repo.backend == DatabaseBackend::Sqlite).then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let tx = self.repo.conn.begin_with_options(options).await.map_err(backend_error)?;
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
