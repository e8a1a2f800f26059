//! Bulk loading of generated data (`meridian seed --scale`): many rows per INSERT, one
//! transaction per call, the same columns and encodings as the single-row inserts of the
//! repositories. No audit entry or change is written: these rows are not anybody's change.

use domain::{
    StoreError,
    indicator::Indicator,
    measurement::{Measurement, Target},
    objective::Objective,
    plan::{Administration, StrategicPlan},
};
use migration::tables::{Administrations, Indicators, Measurements, Objectives, Plans, Targets};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sea_query::{Expr, IntoIden, IntoTableRef, Query},
};

use crate::{
    db::SeaStore,
    repo::{Repo, administration_row, backend_error, build_error},
};

/// Most bound parameters one statement may carry: SQLite's `SQLITE_MAX_VARIABLE_NUMBER`
/// (32766 since 3.32) and PostgreSQL's protocol limit (65535).
const fn max_parameters(backend: DatabaseBackend) -> usize {
    match backend {
        DatabaseBackend::Postgres => 65_535,
        _ => 32_766,
    }
}

/// Rows to insert together, parents before children (objectives parents first).
#[derive(Debug, Default, Clone, Copy)]
pub struct BulkRows<'a> {
    pub administrations: &'a [Administration],
    pub plans: &'a [StrategicPlan],
    pub objectives: &'a [Objective],
    pub indicators: &'a [Indicator],
    pub targets: &'a [Target],
    pub measurements: &'a [Measurement],
}

impl BulkRows<'_> {
    /// How many rows there are in all.
    pub fn len(&self) -> usize {
        self.administrations.len() + self.plans.len() + self.objectives.len() + self.indicators.len() + self.targets.len() + self.measurements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SeaStore {
    /// Inserts every row in one transaction (all or nothing), with as many rows per statement
    /// as the backend's parameter limit allows. Returns the number of statements executed.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when a row already exists, [`StoreError::Backend`] otherwise.
    pub async fn bulk_insert(&self, rows: &BulkRows<'_>) -> Result<usize, StoreError> {
        let _guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let backend = self.repo.backend;
        let options = TransactionOptions {
            sqlite_transaction_mode: (backend == DatabaseBackend::Sqlite).then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let tx = self.repo.conn.begin_with_options(options).await.map_err(backend_error)?;
        let repo = Repo::new(tx, backend);
        let mut statements = 0;
        statements += insert_many(&repo, Administrations::Table, rows.administrations, |_, a| administration_row(a)).await?;
        statements += insert_many(&repo, Plans::Table, rows.plans, Repo::plan_row).await?;
        statements += insert_many(&repo, Objectives::Table, rows.objectives, Repo::objective_row).await?;
        statements += insert_many(&repo, Indicators::Table, rows.indicators, Repo::indicator_row).await?;
        statements += insert_many(&repo, Targets::Table, rows.targets, Repo::target_row).await?;
        statements += insert_many(&repo, Measurements::Table, rows.measurements, Repo::measurement_row).await?;
        repo.conn.commit().await.map_err(backend_error)?;
        Ok(statements)
    }
}

/// `INSERT INTO table (...) VALUES (...), (...), ...` in as few statements as the parameter
/// limit allows.
pub(crate) async fn insert_many<C, T, K, X>(repo: &Repo<C>, table: T, items: &[X], row: impl Fn(&Repo<C>, &X) -> Vec<(K, Expr)>) -> Result<usize, StoreError>
where
    C: ConnectionTrait + Send + Sync,
    T: IntoTableRef + Copy,
    K: IntoIden,
{
    let Some(first) = items.first() else {
        return Ok(0);
    };
    let per_statement = (max_parameters(repo.backend) / row(repo, first).len().max(1)).max(1);
    let mut statements = 0;
    for chunk in items.chunks(per_statement) {
        let mut q = Query::insert();
        q.into_table(table);
        for (n, item) in chunk.iter().enumerate() {
            let (cols, vals): (Vec<K>, Vec<Expr>) = row(repo, item).into_iter().unzip();
            if n == 0 {
                q.columns(cols);
            }
            q.values(vals).map_err(build_error)?;
        }
        repo.conn.execute(&q).await.map_err(backend_error)?;
        statements += 1;
    }
    Ok(statements)
}
