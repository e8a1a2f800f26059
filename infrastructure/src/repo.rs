//! The repositories, written once over any sea-orm connection: the pool for plain reads and an
//! open transaction for writes. Queries are built with sea-query on the schema's own names.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    StoreError,
    assessment::CapabilityAssessment,
    audit::{Audience, AuditEntry, AuditFilter, AuditRecord, Change, ChangeRecord, FeedFilter, FeedScope},
    donor::Donor,
    funding::{Funding, FundingTransaction},
    idempotency::{IdempotencyKey, KeyRecord, StoredResponse},
    ids::{
        AssessmentId, DeliveryId, EngagementId, FundingId, IndicatorDefinitionId, IndicatorId, MilestoneId, ObjectiveId, PlanId, PortfolioId, PracticeId,
        ProjectId, RiskId, StakeholderId, SubscriptionId,
    },
    indicator::{Indicator, IndicatorDefinition},
    measurement::{Measurement, Target, TargetPoint},
    objective::Objective,
    page::PageRequest,
    period::Period,
    plan::{Administration, PlanRevision, PlanStatus, StrategicPlan},
    portfolio::Portfolio,
    ports::{
        AdministrationRepository, AssessmentRepository, DefinitionRepository, DonorRepository, FundingRepository, IdempotencyRepository, IndicatorRepository,
        IndicatorVisibility, JournalRepository, ObjectiveRepository, PlanFilter, PlanRepository, PlanVisibility, PortfolioRepository, PracticeFilter,
        PracticeRepository, PracticeVisibility, ProjectRepository, ResultRepository, RevisionRepository, RiskRepository, StakeholderRepository,
        WebhookRepository,
    },
    practice::{Practice, PracticeStatus},
    project::{Milestone, Project, ProjectStatus},
    risk::{Risk, RiskSubject},
    stakeholder::{Engagement, EngagementSubject, Stakeholder},
    values::{AdministrationCode, Disclosure, DonorCode, ExternalRef},
    webhook::{Attempt, Delivery, DeliveryStatus, Subscription, SubscriptionOwner},
};
use migration::tables::{
    Administrations, AuditLog, CapabilityAssessments, ChangeAudience, Changes, Donors, Engagements, FundingTransactions, Fundings, IdempotencyKeys,
    IndicatorDefinitions, Indicators, Measurements, Milestones, Objectives, PlanRevisions, Plans, Portfolios, PracticeTerms, Practices, Projects, Risks,
    Stakeholders, Targets, WebhookAttempts, WebhookDeliveries, WebhookSubscriptions,
};
use rust_decimal::Decimal;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DbErr, QueryResult, SqlErr,
    sea_query::{
        Asterisk, Condition, DeleteStatement, Expr, ExprTrait, Iden, InsertStatement, IntoIden, LockBehavior, LockType, OnConflict, Order, Query,
        SelectStatement, UpdateStatement, Value,
    },
};
use std::sync::{Arc, atomic::AtomicBool};

use tokio::sync::OwnedMutexGuard;

use crate::rows::{self, Row, text_json};

mod clients;

/// Repositories on one connection (`C` is the pool or a transaction).
pub(crate) struct Repo<C> {
    pub(crate) conn: C,
    pub(crate) backend: DatabaseBackend,
    /// Held by SQLite write transactions: the process-wide writer slot.
    pub(crate) guard: Option<OwnedMutexGuard<()>>,
    /// In a transaction (shared with its savepoints): whether it recorded a change, so that its
    /// commit wakes the change listeners once, however many changes it holds.
    pub(crate) changed: Option<Arc<AtomicBool>>,
    /// Whether this is a savepoint inside another transaction (its commit is not the real one).
    pub(crate) nested: bool,
    /// For the pool's plain reads: how many more times a read that lost its connection (a
    /// server restart, a killed backend) is tried, each time on another connection. Zero in a
    /// transaction, whose work would be lost with its connection.
    pub(crate) read_retries: u32,
}

impl<C> Repo<C> {
    pub(crate) fn new(conn: C, backend: DatabaseBackend) -> Self {
        Self { conn, backend, guard: None, changed: None, nested: false, read_retries: 0 }
    }
}

pub(crate) fn backend_error(e: DbErr) -> StoreError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(what)) => StoreError::Duplicate(what),
        Some(SqlErr::ForeignKeyConstraintViolation(what)) => StoreError::Referenced(what),
        _ if unavailable(&e) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Whether the database could not serve a statement now, rather than refused it: no connection
/// free in time, the connection lost (a server restart, a network cut), the server shutting down,
/// starting or out of connections (PostgreSQL classes 08, 57P01–57P03, 53300), or SQLite busy or
/// locked beyond its timeout.
fn unavailable(e: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error};
    let runtime = match e {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    let RuntimeErr::SqlxError(error) = runtime else { return matches!(e, DbErr::Conn(_)) };
    match error.as_ref() {
        Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
        // SQLite's extended result codes: the primary code is the low byte (5 busy, 6 locked).
        Error::Database(db) if db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>().is_some() => {
            db.code().and_then(|code| code.parse::<u32>().ok()).is_some_and(|n| matches!(n & 0xff, 5 | 6))
        }
        Error::Database(db) => db.code().is_some_and(|code| code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")),
        _ => matches!(e, DbErr::Conn(_)),
    }
}

/// Whether the connection a statement ran on is gone (the server closed it: restart, killed
/// backend, network): unlike a pool that is out of connections, another connection may serve.
fn connection_lost(e: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error};
    let (DbErr::Conn(RuntimeErr::SqlxError(error)) | DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error))) = e else {
        return false;
    };
    match error.as_ref() {
        Error::Io(_) | Error::WorkerCrashed => true,
        Error::Database(db) => db.code().is_some_and(|code| code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

pub(crate) fn build_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("query could not be built: {e}"))
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    /// An exact decimal as the backend stores it.
    fn dec(&self, d: Decimal) -> Expr {
        if self.backend == DatabaseBackend::Postgres { Expr::val(Value::Decimal(Some(d))) } else { Expr::val(d.normalize().to_string()) }
    }

    fn opt_dec(&self, d: Option<Decimal>) -> Expr {
        match d {
            Some(d) => self.dec(d),
            None if self.backend == DatabaseBackend::Postgres => Expr::val(Value::Decimal(None)),
            None => Expr::val(Option::<String>::None),
        }
    }

    async fn all<T>(&self, stmt: &SelectStatement, map: fn(&Row<'_>) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
        let rows = self.rows(self.backend.build(stmt)).await?;
        rows.iter().map(|r| map(&Row { r, backend: self.backend })).collect()
    }

    async fn one<T>(&self, stmt: &SelectStatement, map: fn(&Row<'_>) -> Result<T, StoreError>) -> Result<Option<T>, StoreError> {
        let row = self.row(self.backend.build(stmt)).await?;
        row.as_ref().map(|r| map(&Row { r, backend: self.backend })).transpose()
    }

    /// The rows of a read, tried again on another connection when the connection was lost
    /// (see [`Repo::read_retries`]): reads change nothing, so running one twice is harmless.
    async fn rows(&self, stmt: sea_orm::Statement) -> Result<Vec<QueryResult>, StoreError> {
        let mut left = self.read_retries;
        loop {
            match self.conn.query_all_raw(stmt.clone()).await {
                Err(e) if left > 0 && connection_lost(&e) => {
                    tracing::warn!(error = %e, "a read lost its database connection; trying another");
                    left -= 1;
                }
                other => return other.map_err(backend_error),
            }
        }
    }

    /// As [`Self::rows`], for a statement of at most one row.
    async fn row(&self, stmt: sea_orm::Statement) -> Result<Option<QueryResult>, StoreError> {
        Ok(self.rows(stmt).await?.into_iter().next())
    }

    /// `n` one-column rows of parameters for a `VALUES` list: `($1), ($2)` or `(?), (?)`.
    fn value_rows(&self, n: usize) -> Vec<String> {
        match self.backend {
            DatabaseBackend::Postgres => (1..=n).map(|i| format!("(${i})")).collect(),
            _ => vec!["(?)".to_owned(); n],
        }
    }

    /// The rows of `table` (with its administration and reference columns) whose reference is
    /// one of `external_refs` in `administration`, in chunks that stay within the backends'
    /// parameter limits.
    async fn by_refs<R, Tbl, K>(
        &self,
        (table, administration_col, ref_col): (Tbl, K, K),
        administration: AdministrationCode,
        external_refs: &[ExternalRef],
        map: fn(&Row<'_>) -> Result<R, StoreError>,
    ) -> Result<Vec<R>, StoreError>
    where
        Tbl: sea_orm::sea_query::IntoTableRef + Copy,
        K: IntoIden + Copy,
    {
        let mut found = Vec::new();
        for chunk in external_refs.chunks(5_000) {
            let refs: Vec<&str> = chunk.iter().map(ExternalRef::as_str).collect();
            let q = select_all(table).and_where(Expr::col(administration_col).eq(administration.as_str())).and_where(Expr::col(ref_col).is_in(refs)).to_owned();
            found.extend(self.all(&q, map).await?);
        }
        Ok(found)
    }

    async fn insert(&self, stmt: &InsertStatement) -> Result<(), StoreError> {
        self.conn.execute(stmt).await.map_err(backend_error)?;
        Ok(())
    }

    /// Runs a versioned UPDATE: exactly one row must match id and expected version.
    async fn update_versioned(&self, stmt: &UpdateStatement) -> Result<(), StoreError> {
        let result = self.conn.execute(stmt).await.map_err(backend_error)?;
        if result.rows_affected() == 1 { Ok(()) } else { Err(StoreError::VersionMismatch) }
    }

    /// Wakes the change listeners of every server process (PostgreSQL delivers it on commit only;
    /// listeners read the feed from where they are, so one wake-up covers many changes).
    pub(crate) async fn notify_changes(&self) -> Result<(), StoreError> {
        if self.backend == DatabaseBackend::Postgres {
            self.conn.execute_unprepared(&format!("SELECT pg_notify('{}', '')", crate::change_listener::CHANNEL)).await.map_err(backend_error)?;
        }
        Ok(())
    }

    async fn delete(&self, stmt: &DeleteStatement) -> Result<(), StoreError> {
        self.conn.execute(stmt).await.map_err(backend_error)?;
        Ok(())
    }
}

/// Every column of an audit entry's row.
fn audit_row(e: &AuditEntry) -> Vec<(AuditLog, Expr)> {
    vec![
        (AuditLog::At, Expr::val(e.at)),
        (AuditLog::Actor, Expr::val(e.actor.clone())),
        (AuditLog::ActorRole, Expr::val(e.actor_role)),
        (AuditLog::AdministrationCode, Expr::val(e.administration.map(|a| a.as_str().to_owned()))),
        (AuditLog::EntityType, Expr::val(e.entity_type.as_str())),
        (AuditLog::EntityId, Expr::val(e.entity_id.clone())),
        (AuditLog::Action, Expr::val(e.action.clone())),
        (AuditLog::Before, Expr::val(e.before.clone())),
        (AuditLog::After, Expr::val(e.after.clone())),
    ]
}

fn select_all<T: sea_orm::sea_query::IntoTableRef>(table: T) -> SelectStatement {
    Query::select().column(Asterisk).from(table).to_owned()
}

fn status_names(pred: fn(PlanStatus) -> bool) -> Vec<&'static str> {
    PlanStatus::ALL.into_iter().filter(|s| pred(*s)).map(PlanStatus::as_str).collect()
}

fn shared_disclosures() -> Vec<&'static str> {
    [Disclosure::Public, Disclosure::Programme, Disclosure::Restricted].into_iter().filter(|d| d.is_shared()).map(Disclosure::as_str).collect()
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> AdministrationRepository for Repo<C> {
    async fn administration(&self, code: AdministrationCode) -> Result<Option<Administration>, StoreError> {
        let q = select_all(Administrations::Table).and_where(Expr::col(Administrations::Code).eq(code.as_str())).to_owned();
        self.one(&q, rows::administration).await
    }

    async fn administrations_by_codes(&self, codes: &[AdministrationCode]) -> Result<Vec<Administration>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let codes: Vec<&str> = codes.iter().map(AdministrationCode::as_str).collect();
        let q =
            select_all(Administrations::Table).and_where(Expr::col(Administrations::Code).is_in(codes)).order_by(Administrations::Code, Order::Asc).to_owned();
        self.all(&q, rows::administration).await
    }

    async fn list_administrations(&self, page: &PageRequest<AdministrationCode>) -> Result<Vec<Administration>, StoreError> {
        let mut q = select_all(Administrations::Table);
        if let Some(after) = page.after {
            q.and_where(Expr::col(Administrations::Code).gt(after.as_str()));
        }
        q.order_by(Administrations::Code, Order::Asc).limit(page.fetch());
        self.all(&q, rows::administration).await
    }

    async fn insert_administration(&self, a: &Administration) -> Result<(), StoreError> {
        self.insert(&insert_of(Administrations::Table, administration_row(a))?).await
    }
}

/// Every column of a new administration's row.
pub(crate) fn administration_row(a: &Administration) -> Vec<(Administrations, Expr)> {
    vec![
        (Administrations::Id, Expr::val(a.id.as_uuid())),
        (Administrations::Code, Expr::val(a.code.as_str())),
        (Administrations::Name, Expr::val(text_json(&a.name))),
        (Administrations::DefaultLanguage, Expr::val(a.default_language.as_str())),
        (Administrations::Version, Expr::val(a.version)),
        (Administrations::CreatedAt, Expr::val(a.created_at)),
        (Administrations::UpdatedAt, Expr::val(a.updated_at)),
    ]
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    fn plan_values(&self, p: &StrategicPlan) -> Vec<(Plans, Expr)> {
        vec![
            (Plans::Title, Expr::val(text_json(&p.title))),
            (Plans::Vision, Expr::val(p.vision.as_ref().map(text_json))),
            (Plans::Mission, Expr::val(p.mission.as_ref().map(text_json))),
            (Plans::StartYear, Expr::val(p.start_year)),
            (Plans::EndYear, Expr::val(p.end_year)),
            (Plans::Status, Expr::val(p.status.as_str())),
            (Plans::Disclosure, Expr::val(p.disclosure.as_str())),
            (Plans::NationalPlanRef, Expr::val(p.national_plan_ref.clone())),
            (Plans::OnTrackThreshold, self.dec(p.thresholds.on_track)),
            (Plans::AtRiskThreshold, self.dec(p.thresholds.at_risk)),
            (Plans::MaintainTolerance, self.dec(p.thresholds.tolerance)),
            (Plans::Version, Expr::val(p.version)),
            (Plans::UpdatedAt, Expr::val(p.updated_at)),
        ]
    }

    /// Every column of a new plan's row.
    pub(crate) fn plan_row(&self, p: &StrategicPlan) -> Vec<(Plans, Expr)> {
        let mut pairs = self.plan_values(p);
        pairs.extend([
            (Plans::Id, Expr::val(p.id.as_uuid())),
            (Plans::AdministrationCode, Expr::val(p.administration.as_str())),
            (Plans::CreatedAt, Expr::val(p.created_at)),
        ]);
        pairs
    }
}

/// Builds an INSERT from (column, value) pairs.
fn insert_of<T, K>(table: T, pairs: Vec<(K, Expr)>) -> Result<InsertStatement, StoreError>
where
    T: sea_orm::sea_query::IntoTableRef,
    K: sea_orm::sea_query::IntoIden,
{
    let (cols, vals): (Vec<K>, Vec<Expr>) = pairs.into_iter().unzip();
    Ok(Query::insert().into_table(table).columns(cols).values(vals).map_err(build_error)?.to_owned())
}

/// Builds `UPDATE table SET pairs WHERE id = $id AND version = $expected`.
fn update_of<T, K>(table: T, pairs: Vec<(K, Expr)>, id_col: K, id: uuid::Uuid, version_col: K, expected: i64) -> UpdateStatement
where
    T: sea_orm::sea_query::IntoTableRef,
    K: sea_orm::sea_query::IntoIden + Copy + 'static,
{
    let mut q = Query::update();
    q.table(table);
    for (k, v) in pairs {
        q.value(k, v);
    }
    q.and_where(Expr::col(id_col).eq(id)).and_where(Expr::col(version_col).eq(expected));
    q.to_owned()
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PlanRepository for Repo<C> {
    async fn plan(&self, id: PlanId) -> Result<Option<StrategicPlan>, StoreError> {
        let q = select_all(Plans::Table).and_where(Expr::col(Plans::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::plan).await
    }

    async fn plans_by_ids(&self, ids: &[PlanId]) -> Result<Vec<StrategicPlan>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(PlanId::as_uuid).collect();
        let q = select_all(Plans::Table).and_where(Expr::col(Plans::Id).is_in(ids)).order_by(Plans::Id, Order::Asc).to_owned();
        self.all(&q, rows::plan).await
    }

    async fn list_plans(&self, filter: &PlanFilter, page: &PageRequest<PlanId>) -> Result<Vec<StrategicPlan>, StoreError> {
        let mut q = select_all(Plans::Table);
        let disclosed = Condition::all()
            .add(Expr::col(Plans::Status).is_in(status_names(PlanStatus::is_published)))
            .add(Expr::col(Plans::Disclosure).is_in(shared_disclosures()));
        match filter.visibility {
            PlanVisibility::All => {}
            PlanVisibility::InsiderOf(code) => {
                q.cond_where(Condition::any().add(Expr::col(Plans::AdministrationCode).eq(code.as_str())).add(disclosed));
            }
            PlanVisibility::DisclosedOnly => {
                q.cond_where(disclosed);
            }
            PlanVisibility::DisclosedOrFunded(ref funded) => {
                let funded: Vec<uuid::Uuid> = funded.iter().map(PlanId::as_uuid).collect();
                let published_funded =
                    Condition::all().add(Expr::col(Plans::Status).is_in(status_names(PlanStatus::is_published))).add(Expr::col(Plans::Id).is_in(funded));
                q.cond_where(Condition::any().add(disclosed).add(published_funded));
            }
            PlanVisibility::PublicOnly => {
                q.and_where(Expr::col(Plans::Status).is_in(status_names(PlanStatus::is_published)))
                    .and_where(Expr::col(Plans::Disclosure).eq(Disclosure::Public.as_str()));
            }
        }
        if let Some(code) = filter.administration {
            q.and_where(Expr::col(Plans::AdministrationCode).eq(code.as_str()));
        }
        if let Some(status) = filter.status {
            q.and_where(Expr::col(Plans::Status).eq(status.as_str()));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(Plans::Id).gt(after.as_uuid()));
        }
        q.order_by(Plans::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::plan).await
    }

    async fn insert_plan(&self, p: &StrategicPlan) -> Result<(), StoreError> {
        self.insert(&insert_of(Plans::Table, self.plan_row(p))?).await
    }

    async fn update_plan(&self, p: &StrategicPlan, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Plans::Table, self.plan_values(p), Plans::Id, p.id.as_uuid(), Plans::Version, expected_version)).await
    }

    async fn delete_plan(&self, id: PlanId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Plans::Table).and_where(Expr::col(Plans::Id).eq(id.as_uuid())).to_owned()).await
    }
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    fn objective_values(&self, o: &Objective) -> Vec<(Objectives, Expr)> {
        vec![
            (Objectives::ParentId, Expr::val(o.parent_id.map(|p| p.as_uuid()))),
            (Objectives::Code, Expr::val(o.code.as_str())),
            (Objectives::Title, Expr::val(text_json(&o.title))),
            (Objectives::Description, Expr::val(o.description.as_ref().map(text_json))),
            (Objectives::Level, Expr::val(o.level.as_str())),
            (Objectives::Weight, self.dec(o.weight.get())),
            (Objectives::ExternalRef, Expr::val(o.external_ref.as_ref().map(|r| r.as_str().to_owned()))),
            (Objectives::Version, Expr::val(o.version)),
            (Objectives::UpdatedAt, Expr::val(o.updated_at)),
        ]
    }

    /// Every column of a new objective's row.
    pub(crate) fn objective_row(&self, o: &Objective) -> Vec<(Objectives, Expr)> {
        let mut pairs = self.objective_values(o);
        pairs.extend([
            (Objectives::Id, Expr::val(o.id.as_uuid())),
            (Objectives::PlanId, Expr::val(o.plan_id.as_uuid())),
            (Objectives::AdministrationCode, Expr::val(o.administration.as_str())),
            (Objectives::CreatedAt, Expr::val(o.created_at)),
        ]);
        pairs
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ObjectiveRepository for Repo<C> {
    async fn objective(&self, id: ObjectiveId) -> Result<Option<Objective>, StoreError> {
        let q = select_all(Objectives::Table).and_where(Expr::col(Objectives::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::objective).await
    }

    async fn objectives_by_ids(&self, ids: &[ObjectiveId]) -> Result<Vec<Objective>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(ObjectiveId::as_uuid).collect();
        let q = select_all(Objectives::Table).and_where(Expr::col(Objectives::Id).is_in(ids)).order_by(Objectives::Id, Order::Asc).to_owned();
        self.all(&q, rows::objective).await
    }

    async fn objectives_of_plans(&self, plans: &[PlanId]) -> Result<Vec<Objective>, StoreError> {
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = plans.iter().map(PlanId::as_uuid).collect();
        let q = select_all(Objectives::Table).and_where(Expr::col(Objectives::PlanId).is_in(ids)).order_by(Objectives::Id, Order::Asc).to_owned();
        self.all(&q, rows::objective).await
    }

    async fn objectives_by_refs(&self, administration: AdministrationCode, external_refs: &[ExternalRef]) -> Result<Vec<Objective>, StoreError> {
        self.by_refs((Objectives::Table, Objectives::AdministrationCode, Objectives::ExternalRef), administration, external_refs, rows::objective).await
    }

    async fn objective_by_ref(&self, administration: AdministrationCode, external_ref: &ExternalRef) -> Result<Option<Objective>, StoreError> {
        let q = select_all(Objectives::Table)
            .and_where(Expr::col(Objectives::AdministrationCode).eq(administration.as_str()))
            .and_where(Expr::col(Objectives::ExternalRef).eq(external_ref.as_str()))
            .to_owned();
        self.one(&q, rows::objective).await
    }

    async fn indicators_by_refs(&self, administration: AdministrationCode, external_refs: &[ExternalRef]) -> Result<Vec<Indicator>, StoreError> {
        self.by_refs((Indicators::Table, Indicators::AdministrationCode, Indicators::ExternalRef), administration, external_refs, rows::indicator).await
    }

    async fn indicator_by_ref(&self, administration: AdministrationCode, external_ref: &ExternalRef) -> Result<Option<Indicator>, StoreError> {
        let q = select_all(Indicators::Table)
            .and_where(Expr::col(Indicators::AdministrationCode).eq(administration.as_str()))
            .and_where(Expr::col(Indicators::ExternalRef).eq(external_ref.as_str()))
            .to_owned();
        self.one(&q, rows::indicator).await
    }

    async fn objectives_of_plan(&self, plan: PlanId) -> Result<Vec<Objective>, StoreError> {
        let q = select_all(Objectives::Table).and_where(Expr::col(Objectives::PlanId).eq(plan.as_uuid())).order_by(Objectives::Id, Order::Asc).to_owned();
        self.all(&q, rows::objective).await
    }

    async fn list_objectives(&self, plan: PlanId, page: &PageRequest<ObjectiveId>) -> Result<Vec<Objective>, StoreError> {
        let mut q = select_all(Objectives::Table);
        q.and_where(Expr::col(Objectives::PlanId).eq(plan.as_uuid()));
        if let Some(after) = page.after {
            q.and_where(Expr::col(Objectives::Id).gt(after.as_uuid()));
        }
        q.order_by(Objectives::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::objective).await
    }

    async fn insert_objective(&self, o: &Objective) -> Result<(), StoreError> {
        self.insert(&insert_of(Objectives::Table, self.objective_row(o))?).await
    }

    async fn insert_objectives(&self, objectives: &[Objective]) -> Result<(), StoreError> {
        crate::bulk::insert_many(self, Objectives::Table, objectives, Repo::objective_row).await.map(|_| ())
    }

    async fn update_objective(&self, o: &Objective, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Objectives::Table, self.objective_values(o), Objectives::Id, o.id.as_uuid(), Objectives::Version, expected_version))
            .await
    }

    async fn delete_objectives(&self, ids: &[ObjectiveId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(ObjectiveId::as_uuid).collect();
        self.delete(&Query::delete().from_table(Objectives::Table).and_where(Expr::col(Objectives::Id).is_in(ids)).to_owned()).await
    }
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    fn indicator_values(&self, i: &Indicator) -> Vec<(Indicators, Expr)> {
        vec![
            (Indicators::ObjectiveId, Expr::val(i.objective_id.as_uuid())),
            (Indicators::DefinitionId, Expr::val(i.definition_id.map(|d| d.as_uuid()))),
            (Indicators::Name, Expr::val(text_json(&i.name))),
            (Indicators::Description, Expr::val(i.description.as_ref().map(text_json))),
            (Indicators::Measure, Expr::val(i.measure.as_str())),
            (Indicators::Unit, Expr::val(i.unit.clone())),
            (Indicators::Direction, Expr::val(i.direction.as_str())),
            (Indicators::BaselineValue, self.dec(i.baseline.value.get())),
            (Indicators::BaselinePeriod, Expr::val(i.baseline.period.to_string())),
            (Indicators::Frequency, Expr::val(i.frequency.as_str())),
            (Indicators::DataSource, Expr::val(i.data_source.clone())),
            (Indicators::MeansOfVerification, Expr::val(i.means_of_verification.clone())),
            (Indicators::Weight, self.dec(i.weight.get())),
            (Indicators::Disclosure, Expr::val(i.disclosure.as_str())),
            (Indicators::ExternalRef, Expr::val(i.external_ref.as_ref().map(|r| r.as_str().to_owned()))),
            (Indicators::Version, Expr::val(i.version)),
            (Indicators::UpdatedAt, Expr::val(i.updated_at)),
        ]
    }

    /// Every column of a new indicator's row.
    pub(crate) fn indicator_row(&self, i: &Indicator) -> Vec<(Indicators, Expr)> {
        let mut pairs = self.indicator_values(i);
        pairs.extend([
            (Indicators::Id, Expr::val(i.id.as_uuid())),
            (Indicators::PlanId, Expr::val(i.plan_id.as_uuid())),
            (Indicators::AdministrationCode, Expr::val(i.administration.as_str())),
            (Indicators::CreatedAt, Expr::val(i.created_at)),
        ]);
        pairs
    }
}

fn indicator_visibility(q: &mut SelectStatement, visibility: IndicatorVisibility) {
    if visibility == IndicatorVisibility::PublicOnly {
        q.and_where(Expr::col(Indicators::Disclosure).eq(Disclosure::Public.as_str()));
    }
    if visibility == IndicatorVisibility::SharedOnly {
        q.and_where(Expr::col(Indicators::Disclosure).is_in(shared_disclosures()));
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> IndicatorRepository for Repo<C> {
    async fn indicator(&self, id: IndicatorId) -> Result<Option<Indicator>, StoreError> {
        let q = select_all(Indicators::Table).and_where(Expr::col(Indicators::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::indicator).await
    }

    async fn indicators_by_ids(&self, ids: &[IndicatorId]) -> Result<Vec<Indicator>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = select_all(Indicators::Table).and_where(Expr::col(Indicators::Id).is_in(uuids(ids))).order_by(Indicators::Id, Order::Asc).to_owned();
        self.all(&q, rows::indicator).await
    }

    async fn indicators_of_objectives(&self, objectives: &[ObjectiveId]) -> Result<Vec<Indicator>, StoreError> {
        if objectives.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = objectives.iter().map(ObjectiveId::as_uuid).collect();
        let q = select_all(Indicators::Table).and_where(Expr::col(Indicators::ObjectiveId).is_in(ids)).order_by(Indicators::Id, Order::Asc).to_owned();
        self.all(&q, rows::indicator).await
    }

    async fn indicators_of_definition(&self, definition: IndicatorDefinitionId) -> Result<Vec<Indicator>, StoreError> {
        let q = select_all(Indicators::Table)
            .and_where(Expr::col(Indicators::DefinitionId).eq(definition.as_uuid()))
            .order_by(Indicators::Id, Order::Asc)
            .to_owned();
        self.all(&q, rows::indicator).await
    }

    async fn indicators_of_plan(&self, plan: PlanId, visibility: IndicatorVisibility) -> Result<Vec<Indicator>, StoreError> {
        let mut q = select_all(Indicators::Table);
        q.and_where(Expr::col(Indicators::PlanId).eq(plan.as_uuid()));
        indicator_visibility(&mut q, visibility);
        q.order_by(Indicators::Id, Order::Asc);
        self.all(&q, rows::indicator).await
    }

    async fn list_indicators(
        &self,
        objective: ObjectiveId,
        visibility: IndicatorVisibility,
        page: &PageRequest<IndicatorId>,
    ) -> Result<Vec<Indicator>, StoreError> {
        let mut q = select_all(Indicators::Table);
        q.and_where(Expr::col(Indicators::ObjectiveId).eq(objective.as_uuid()));
        indicator_visibility(&mut q, visibility);
        if let Some(after) = page.after {
            q.and_where(Expr::col(Indicators::Id).gt(after.as_uuid()));
        }
        q.order_by(Indicators::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::indicator).await
    }

    async fn insert_indicator(&self, i: &Indicator) -> Result<(), StoreError> {
        self.insert(&insert_of(Indicators::Table, self.indicator_row(i))?).await
    }

    async fn insert_indicators(&self, indicators: &[Indicator]) -> Result<(), StoreError> {
        crate::bulk::insert_many(self, Indicators::Table, indicators, Repo::indicator_row).await.map(|_| ())
    }

    async fn update_indicator(&self, i: &Indicator, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Indicators::Table, self.indicator_values(i), Indicators::Id, i.id.as_uuid(), Indicators::Version, expected_version))
            .await
    }

    async fn delete_indicator(&self, id: IndicatorId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Indicators::Table).and_where(Expr::col(Indicators::Id).eq(id.as_uuid())).to_owned()).await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> DefinitionRepository for Repo<C> {
    async fn definition(&self, id: IndicatorDefinitionId) -> Result<Option<IndicatorDefinition>, StoreError> {
        let q = select_all(IndicatorDefinitions::Table).and_where(Expr::col(IndicatorDefinitions::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::definition).await
    }

    async fn definitions_by_ids(&self, ids: &[IndicatorDefinitionId]) -> Result<Vec<IndicatorDefinition>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(IndicatorDefinitionId::as_uuid).collect();
        let q = select_all(IndicatorDefinitions::Table)
            .and_where(Expr::col(IndicatorDefinitions::Id).is_in(ids))
            .order_by(IndicatorDefinitions::Code, Order::Asc)
            .to_owned();
        self.all(&q, rows::definition).await
    }

    async fn list_definitions(&self, page: &PageRequest<String>) -> Result<Vec<IndicatorDefinition>, StoreError> {
        let mut q = select_all(IndicatorDefinitions::Table);
        if let Some(after) = &page.after {
            q.and_where(Expr::col(IndicatorDefinitions::Code).gt(after.as_str()));
        }
        q.order_by(IndicatorDefinitions::Code, Order::Asc).limit(page.fetch());
        self.all(&q, rows::definition).await
    }

    async fn ensure_definitions(&self, definitions: &[IndicatorDefinition]) -> Result<(), StoreError> {
        for d in definitions {
            if self.definition(d.id).await?.is_some() {
                continue;
            }
            let q = insert_of(
                IndicatorDefinitions::Table,
                vec![
                    (IndicatorDefinitions::Id, Expr::val(d.id.as_uuid())),
                    (IndicatorDefinitions::Code, Expr::val(d.code.clone())),
                    (IndicatorDefinitions::Dimension, Expr::val(d.dimension.as_str())),
                    (IndicatorDefinitions::Name, Expr::val(text_json(&d.name))),
                    (IndicatorDefinitions::Description, Expr::val(text_json(&d.description))),
                    (IndicatorDefinitions::Measure, Expr::val(d.measure.as_str())),
                    (IndicatorDefinitions::Direction, Expr::val(d.direction.as_str())),
                    (IndicatorDefinitions::Unit, Expr::val(d.unit.clone())),
                ],
            )?;
            self.insert(&q).await?;
        }
        Ok(())
    }
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    fn target_values(&self, t: &Target) -> Vec<(Targets, Expr)> {
        vec![(Targets::Value, self.dec(t.value.get())), (Targets::Version, Expr::val(t.version)), (Targets::UpdatedAt, Expr::val(t.updated_at))]
    }

    fn measurement_values(&self, m: &Measurement) -> Vec<(Measurements, Expr)> {
        vec![
            (Measurements::Value, self.dec(m.value.get())),
            (Measurements::Source, Expr::val(m.source.clone())),
            (Measurements::EvidenceUrl, Expr::val(m.evidence_url.clone())),
            (Measurements::Comment, Expr::val(m.comment.clone())),
            (Measurements::Status, Expr::val(m.status.as_str())),
            (Measurements::ReturnReason, Expr::val(m.return_reason.clone())),
            (Measurements::RecordedBy, Expr::val(m.recorded_by.clone())),
            (Measurements::SubmittedBy, Expr::val(m.submitted_by.clone())),
            (Measurements::ReviewedBy, Expr::val(m.reviewed_by.clone())),
            (Measurements::ApprovedValue, self.opt_dec(m.approved_value.map(|v| v.get()))),
            (Measurements::ApprovedAt, Expr::val(m.approved_at)),
            (Measurements::Version, Expr::val(m.version)),
            (Measurements::UpdatedAt, Expr::val(m.updated_at)),
        ]
    }

    /// Every column of a new target's row.
    pub(crate) fn target_row(&self, t: &Target) -> Vec<(Targets, Expr)> {
        let mut pairs = self.target_values(t);
        pairs.extend([
            (Targets::Id, Expr::val(t.id.as_uuid())),
            (Targets::IndicatorId, Expr::val(t.indicator_id.as_uuid())),
            (Targets::AdministrationCode, Expr::val(t.administration.as_str())),
            (Targets::Period, Expr::val(t.period.to_string())),
            (Targets::PeriodKey, Expr::val(t.period.sort_key())),
            (Targets::CreatedAt, Expr::val(t.created_at)),
        ]);
        pairs
    }

    /// Every column of a new measurement's row.
    pub(crate) fn measurement_row(&self, m: &Measurement) -> Vec<(Measurements, Expr)> {
        let mut pairs = self.measurement_values(m);
        pairs.extend([
            (Measurements::Id, Expr::val(m.id.as_uuid())),
            (Measurements::IndicatorId, Expr::val(m.indicator_id.as_uuid())),
            (Measurements::AdministrationCode, Expr::val(m.administration.as_str())),
            (Measurements::Period, Expr::val(m.period.to_string())),
            (Measurements::PeriodKey, Expr::val(m.period.sort_key())),
            (Measurements::CreatedAt, Expr::val(m.created_at)),
        ]);
        pairs
    }
}

fn in_plan(plan: PlanId) -> SelectStatement {
    Query::select().column(Indicators::Id).from(Indicators::Table).and_where(Expr::col(Indicators::PlanId).eq(plan.as_uuid())).to_owned()
}

fn uuids(ids: &[IndicatorId]) -> Vec<uuid::Uuid> {
    ids.iter().map(IndicatorId::as_uuid).collect()
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ResultRepository for Repo<C> {
    async fn target(&self, indicator: IndicatorId, period: Period) -> Result<Option<Target>, StoreError> {
        let q = select_all(Targets::Table)
            .and_where(Expr::col(Targets::IndicatorId).eq(indicator.as_uuid()))
            .and_where(Expr::col(Targets::Period).eq(period.to_string()))
            .to_owned();
        self.one(&q, rows::target).await
    }

    async fn targets_of(&self, indicators: &[IndicatorId]) -> Result<Vec<Target>, StoreError> {
        if indicators.is_empty() {
            return Ok(Vec::new());
        }
        let q =
            select_all(Targets::Table).and_where(Expr::col(Targets::IndicatorId).is_in(uuids(indicators))).order_by(Targets::PeriodKey, Order::Asc).to_owned();
        self.all(&q, rows::target).await
    }

    async fn target_points_of(&self, indicators: &[IndicatorId]) -> Result<Vec<TargetPoint>, StoreError> {
        if indicators.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns([Targets::IndicatorId, Targets::Period, Targets::Value])
            .from(Targets::Table)
            .and_where(Expr::col(Targets::IndicatorId).is_in(uuids(indicators)))
            .to_owned();
        self.all(&q, rows::target_point).await
    }

    async fn targets_of_plan(&self, plan: PlanId) -> Result<Vec<Target>, StoreError> {
        let q = select_all(Targets::Table)
            .and_where(Expr::col(Targets::IndicatorId).in_subquery(in_plan(plan)))
            .order_by(Targets::PeriodKey, Order::Asc)
            .to_owned();
        self.all(&q, rows::target).await
    }

    async fn insert_target(&self, t: &Target) -> Result<(), StoreError> {
        self.insert(&insert_of(Targets::Table, self.target_row(t))?).await
    }

    async fn update_target(&self, t: &Target, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Targets::Table, self.target_values(t), Targets::Id, t.id.as_uuid(), Targets::Version, expected_version)).await
    }

    async fn measurement(&self, indicator: IndicatorId, period: Period) -> Result<Option<Measurement>, StoreError> {
        let q = select_all(Measurements::Table)
            .and_where(Expr::col(Measurements::IndicatorId).eq(indicator.as_uuid()))
            .and_where(Expr::col(Measurements::Period).eq(period.to_string()))
            .to_owned();
        self.one(&q, rows::measurement).await
    }

    async fn measurement_by_id(&self, id: domain::ids::MeasurementId) -> Result<Option<Measurement>, StoreError> {
        let q = select_all(Measurements::Table).and_where(Expr::col(Measurements::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::measurement).await
    }

    async fn measurements_of(&self, indicators: &[IndicatorId]) -> Result<Vec<Measurement>, StoreError> {
        if indicators.is_empty() {
            return Ok(Vec::new());
        }
        let q = select_all(Measurements::Table)
            .and_where(Expr::col(Measurements::IndicatorId).is_in(uuids(indicators)))
            .order_by(Measurements::PeriodKey, Order::Asc)
            .to_owned();
        self.all(&q, rows::measurement).await
    }

    async fn latest_approved_of(&self, indicators: &[IndicatorId]) -> Result<Vec<Measurement>, StoreError> {
        if indicators.is_empty() {
            return Ok(Vec::new());
        }
        // One probe per indicator into the partial index of approved values
        // (`ix_measurements_approved`): the cost follows the number of indicators, not the
        // length of their histories. The wanted ids are a list of values, so that no other
        // table is read.
        let placeholders = self.value_rows(indicators.len());
        let m = Measurements::Table.to_string();
        let (id, indicator_id, approved, key) =
            (Measurements::Id.to_string(), Measurements::IndicatorId.to_string(), Measurements::ApprovedValue.to_string(), Measurements::PeriodKey.to_string());
        let wanted = format!("WITH wanted (id) AS (VALUES {})", placeholders.join(", "));
        let latest =
            |columns: &str| format!("SELECT {columns} FROM {m} WHERE {indicator_id} = wanted.id AND {approved} IS NOT NULL ORDER BY {key} DESC LIMIT 1");
        let sql = match self.backend {
            DatabaseBackend::Postgres => format!("{wanted} SELECT latest.* FROM wanted CROSS JOIN LATERAL ({}) latest", latest("*")),
            // SQLite has no LATERAL: a correlated scalar subquery names each indicator's row.
            _ => format!("{wanted} SELECT * FROM {m} WHERE {id} IN (SELECT ({}) FROM wanted)", latest(&id)),
        };
        let values: Vec<Value> = indicators.iter().map(|i| Value::from(i.as_uuid())).collect();
        let rows = self.rows(sea_orm::Statement::from_sql_and_values(self.backend, sql, values)).await?;
        rows.iter().map(|r| rows::measurement(&Row { r, backend: self.backend })).collect()
    }

    async fn measurements_of_plan(&self, plan: PlanId) -> Result<Vec<Measurement>, StoreError> {
        let q = select_all(Measurements::Table)
            .and_where(Expr::col(Measurements::IndicatorId).in_subquery(in_plan(plan)))
            .order_by(Measurements::PeriodKey, Order::Asc)
            .to_owned();
        self.all(&q, rows::measurement).await
    }

    async fn list_measurements(&self, indicator: IndicatorId, approved_only: bool, page: &PageRequest<Period>) -> Result<Vec<Measurement>, StoreError> {
        let mut q = select_all(Measurements::Table);
        q.and_where(Expr::col(Measurements::IndicatorId).eq(indicator.as_uuid()));
        if approved_only {
            q.and_where(Expr::col(Measurements::ApprovedValue).is_not_null());
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(Measurements::PeriodKey).gt(after.sort_key()));
        }
        q.order_by(Measurements::PeriodKey, Order::Asc).limit(page.fetch());
        self.all(&q, rows::measurement).await
    }

    async fn measurements_at(&self, keys: &[(IndicatorId, Period)]) -> Result<Vec<Measurement>, StoreError> {
        // The rows of these indicators in these periods (a superset of the pairs, read in one
        // statement through the (indicator, period) index), then the pairs themselves.
        let wanted: std::collections::HashSet<(IndicatorId, Period)> = keys.iter().copied().collect();
        let mut indicators: Vec<IndicatorId> = keys.iter().map(|(i, _)| *i).collect();
        indicators.sort_unstable();
        indicators.dedup();
        let mut periods: Vec<i64> = keys.iter().map(|(_, p)| p.sort_key()).collect();
        periods.sort_unstable();
        periods.dedup();
        let mut found = Vec::new();
        for chunk in indicators.chunks(2_000) {
            let q = select_all(Measurements::Table)
                .and_where(Expr::col(Measurements::IndicatorId).is_in(uuids(chunk)))
                .and_where(Expr::col(Measurements::PeriodKey).is_in(periods.clone()))
                .to_owned();
            found.extend(self.all(&q, rows::measurement).await?.into_iter().filter(|m| wanted.contains(&(m.indicator_id, m.period))));
        }
        Ok(found)
    }

    async fn insert_measurements(&self, measurements: &[Measurement]) -> Result<(), StoreError> {
        crate::bulk::insert_many(self, Measurements::Table, measurements, Repo::measurement_row).await.map(|_| ())
    }

    async fn insert_measurement(&self, m: &Measurement) -> Result<(), StoreError> {
        self.insert(&insert_of(Measurements::Table, self.measurement_row(m))?).await
    }

    async fn update_measurement(&self, m: &Measurement, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(
            Measurements::Table,
            self.measurement_values(m),
            Measurements::Id,
            m.id.as_uuid(),
            Measurements::Version,
            expected_version,
        ))
        .await
    }
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    fn assessment_values(&self, a: &CapabilityAssessment) -> Vec<(CapabilityAssessments, Expr)> {
        let maturity: serde_json::Map<String, serde_json::Value> =
            a.maturity.iter().map(|(d, m)| (d.as_str().to_owned(), serde_json::Value::from(m.get()))).collect();
        vec![
            (CapabilityAssessments::AssessedOn, Expr::val(a.assessed_on)),
            (CapabilityAssessments::Maturity, Expr::val(serde_json::Value::Object(maturity))),
            (CapabilityAssessments::Staff, Expr::val(a.staff)),
            (CapabilityAssessments::BudgetAmount, self.opt_dec(a.annual_budget.as_ref().map(|m| m.amount.get()))),
            (CapabilityAssessments::BudgetCurrency, Expr::val(a.annual_budget.as_ref().map(|m| m.currency.as_str().to_owned()))),
            (CapabilityAssessments::Notes, Expr::val(a.notes.as_ref().map(text_json))),
            (CapabilityAssessments::Version, Expr::val(a.version)),
            (CapabilityAssessments::UpdatedAt, Expr::val(a.updated_at)),
        ]
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> AssessmentRepository for Repo<C> {
    async fn assessment(&self, id: AssessmentId) -> Result<Option<CapabilityAssessment>, StoreError> {
        let q = select_all(CapabilityAssessments::Table).and_where(Expr::col(CapabilityAssessments::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::assessment).await
    }

    async fn list_assessments(
        &self,
        administration: Option<AdministrationCode>,
        page: &PageRequest<AssessmentId>,
    ) -> Result<Vec<CapabilityAssessment>, StoreError> {
        let mut q = select_all(CapabilityAssessments::Table);
        if let Some(a) = administration {
            q.and_where(Expr::col(CapabilityAssessments::AdministrationCode).eq(a.as_str()));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(CapabilityAssessments::Id).gt(after.as_uuid()));
        }
        q.order_by(CapabilityAssessments::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::assessment).await
    }

    async fn insert_assessment(&self, a: &CapabilityAssessment) -> Result<(), StoreError> {
        let mut pairs = self.assessment_values(a);
        pairs.extend([
            (CapabilityAssessments::Id, Expr::val(a.id.as_uuid())),
            (CapabilityAssessments::AdministrationCode, Expr::val(a.administration.as_str())),
            (CapabilityAssessments::CreatedAt, Expr::val(a.created_at)),
        ]);
        self.insert(&insert_of(CapabilityAssessments::Table, pairs)?).await
    }

    async fn update_assessment(&self, a: &CapabilityAssessment, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(
            CapabilityAssessments::Table,
            self.assessment_values(a),
            CapabilityAssessments::Id,
            a.id.as_uuid(),
            CapabilityAssessments::Version,
            expected_version,
        ))
        .await
    }

    async fn delete_assessment(&self, id: AssessmentId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(CapabilityAssessments::Table).and_where(Expr::col(CapabilityAssessments::Id).eq(id.as_uuid())).to_owned()).await
    }
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    fn practice_values(p: &Practice) -> Vec<(Practices, Expr)> {
        let tags: Vec<serde_json::Value> = p.tags.iter().map(|t| serde_json::Value::from(t.as_str())).collect();
        let objectives: Vec<serde_json::Value> = p.objective_ids.iter().map(|o| serde_json::Value::from(o.to_string())).collect();
        vec![
            (Practices::Kind, Expr::val(p.kind.as_str())),
            (Practices::Title, Expr::val(text_json(&p.title))),
            (Practices::Body, Expr::val(text_json(&p.body))),
            (Practices::Tags, Expr::val(serde_json::Value::Array(tags))),
            (Practices::ObjectiveIds, Expr::val(serde_json::Value::Array(objectives))),
            (Practices::Status, Expr::val(p.status.as_str())),
            (Practices::Disclosure, Expr::val(p.disclosure.as_str())),
            (Practices::PublishedAt, Expr::val(p.published_at)),
            (Practices::Version, Expr::val(p.version)),
            (Practices::UpdatedAt, Expr::val(p.updated_at)),
        ]
    }

    /// Replaces the search terms of a practice: its words, and its tags as `tag:<tag>`.
    async fn index_practice(&self, p: &Practice) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(PracticeTerms::Table).and_where(Expr::col(PracticeTerms::PracticeId).eq(p.id.as_uuid())).to_owned()).await?;
        let mut terms = p.search_terms();
        terms.extend(p.tags.iter().map(|t| format!("tag:{}", t.as_str())));
        if terms.is_empty() {
            return Ok(());
        }
        let mut q = Query::insert();
        q.into_table(PracticeTerms::Table).columns([PracticeTerms::PracticeId, PracticeTerms::Term]);
        for term in terms {
            q.values([Expr::val(p.id.as_uuid()), Expr::val(term)]).map_err(build_error)?;
        }
        self.insert(&q).await
    }
}

fn having_term(term: Expr) -> SelectStatement {
    Query::select().column(PracticeTerms::PracticeId).from(PracticeTerms::Table).and_where(term).to_owned()
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PracticeRepository for Repo<C> {
    async fn practice(&self, id: PracticeId) -> Result<Option<Practice>, StoreError> {
        let q = select_all(Practices::Table).and_where(Expr::col(Practices::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::practice).await
    }

    async fn list_practices(&self, f: &PracticeFilter, page: &PageRequest<PracticeId>) -> Result<Vec<Practice>, StoreError> {
        let mut q = select_all(Practices::Table);
        // Published, and shared beyond the administration.
        let published = Condition::all()
            .add(Expr::col(Practices::Status).eq(PracticeStatus::Published.as_str()))
            .add(Expr::col(Practices::Disclosure).is_in(shared_disclosures()));
        match f.visibility {
            PracticeVisibility::All => {}
            PracticeVisibility::InsiderOf(code) => {
                q.cond_where(Condition::any().add(published).add(Expr::col(Practices::AdministrationCode).eq(code.as_str())));
            }
            PracticeVisibility::PublishedOnly => {
                q.cond_where(published);
            }
            PracticeVisibility::Published => {
                q.and_where(Expr::col(Practices::Status).eq(PracticeStatus::Published.as_str()));
            }
            PracticeVisibility::PublicOnly => {
                q.and_where(Expr::col(Practices::Status).eq(PracticeStatus::Published.as_str()))
                    .and_where(Expr::col(Practices::Disclosure).eq(Disclosure::Public.as_str()));
            }
        }
        if let Some(a) = f.administration {
            q.and_where(Expr::col(Practices::AdministrationCode).eq(a.as_str()));
        }
        if let Some(k) = f.kind {
            q.and_where(Expr::col(Practices::Kind).eq(k.as_str()));
        }
        if let Some(s) = f.status {
            q.and_where(Expr::col(Practices::Status).eq(s.as_str()));
        }
        if let Some(t) = &f.tag {
            q.and_where(Expr::col(Practices::Id).in_subquery(having_term(Expr::col(PracticeTerms::Term).eq(format!("tag:{}", t.as_str())))));
        }
        for term in &f.terms {
            // Terms are letters and digits only (see domain::practice::search_terms): no LIKE wildcard inside.
            q.and_where(Expr::col(Practices::Id).in_subquery(having_term(Expr::col(PracticeTerms::Term).like(format!("{term}%")))));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(Practices::Id).gt(after.as_uuid()));
        }
        q.order_by(Practices::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::practice).await
    }

    async fn insert_practice(&self, p: &Practice) -> Result<(), StoreError> {
        let mut pairs = Self::practice_values(p);
        pairs.extend([
            (Practices::Id, Expr::val(p.id.as_uuid())),
            (Practices::AdministrationCode, Expr::val(p.administration.as_str())),
            (Practices::CreatedAt, Expr::val(p.created_at)),
        ]);
        self.insert(&insert_of(Practices::Table, pairs)?).await?;
        self.index_practice(p).await
    }

    async fn update_practice(&self, p: &Practice, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Practices::Table, Self::practice_values(p), Practices::Id, p.id.as_uuid(), Practices::Version, expected_version))
            .await?;
        self.index_practice(p).await
    }

    async fn delete_practice(&self, id: PracticeId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Practices::Table).and_where(Expr::col(Practices::Id).eq(id.as_uuid())).to_owned()).await
    }
}

fn donor_values(d: &Donor) -> Vec<(Donors, Expr)> {
    vec![
        (Donors::Name, Expr::val(text_json(&d.name))),
        (Donors::IatiOrgId, Expr::val(d.iati_org_id.as_ref().map(|i| i.as_str().to_owned()))),
        (Donors::Version, Expr::val(d.version)),
        (Donors::UpdatedAt, Expr::val(d.updated_at)),
    ]
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> DonorRepository for Repo<C> {
    async fn donor(&self, code: &DonorCode) -> Result<Option<Donor>, StoreError> {
        let q = select_all(Donors::Table).and_where(Expr::col(Donors::Code).eq(code.as_str())).to_owned();
        self.one(&q, rows::donor).await
    }

    async fn list_donors(&self, page: &PageRequest<DonorCode>) -> Result<Vec<Donor>, StoreError> {
        let mut q = select_all(Donors::Table);
        if let Some(after) = &page.after {
            q.and_where(Expr::col(Donors::Code).gt(after.as_str()));
        }
        q.order_by(Donors::Code, Order::Asc).limit(page.fetch());
        self.all(&q, rows::donor).await
    }

    async fn insert_donor(&self, d: &Donor) -> Result<(), StoreError> {
        let mut pairs = donor_values(d);
        pairs.extend([(Donors::Id, Expr::val(d.id.as_uuid())), (Donors::Code, Expr::val(d.code.as_str())), (Donors::CreatedAt, Expr::val(d.created_at))]);
        self.insert(&insert_of(Donors::Table, pairs)?).await
    }

    async fn update_donor(&self, d: &Donor, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Donors::Table, donor_values(d), Donors::Id, d.id.as_uuid(), Donors::Version, expected_version)).await
    }
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    fn project_values(&self, p: &Project) -> Vec<(Projects, Expr)> {
        let objectives: Vec<serde_json::Value> = p.objective_ids.iter().map(|o| serde_json::Value::from(o.to_string())).collect();
        vec![
            (Projects::Code, Expr::val(p.code.as_str())),
            (Projects::Title, Expr::val(text_json(&p.title))),
            (Projects::Description, Expr::val(p.description.as_ref().map(text_json))),
            (Projects::Status, Expr::val(p.status.as_str())),
            (Projects::PlannedStart, Expr::val(p.planned_start)),
            (Projects::PlannedEnd, Expr::val(p.planned_end)),
            (Projects::ActualStart, Expr::val(p.actual_start)),
            (Projects::ActualEnd, Expr::val(p.actual_end)),
            (Projects::BudgetAmount, self.opt_dec(p.budget.as_ref().map(|m| m.amount.get()))),
            (Projects::BudgetCurrency, Expr::val(p.budget.as_ref().map(|m| m.currency.as_str().to_owned()))),
            (Projects::ObjectiveIds, Expr::val(serde_json::Value::Array(objectives))),
            (Projects::PortfolioId, Expr::val(p.portfolio_id.map(|f| f.as_uuid()))),
            (Projects::ExternalRef, Expr::val(p.external_ref.as_ref().map(|r| r.as_str().to_owned()))),
            (Projects::Version, Expr::val(p.version)),
            (Projects::UpdatedAt, Expr::val(p.updated_at)),
        ]
    }
}

fn milestone_values(m: &Milestone) -> Vec<(Milestones, Expr)> {
    vec![
        (Milestones::Title, Expr::val(text_json(&m.title))),
        (Milestones::DueOn, Expr::val(m.due_on)),
        (Milestones::CompletedOn, Expr::val(m.completed_on)),
        (Milestones::Version, Expr::val(m.version)),
        (Milestones::UpdatedAt, Expr::val(m.updated_at)),
    ]
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ProjectRepository for Repo<C> {
    async fn project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        let q = select_all(Projects::Table).and_where(Expr::col(Projects::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::project).await
    }

    async fn list_projects(
        &self,
        administration: Option<AdministrationCode>,
        status: Option<ProjectStatus>,
        portfolio: Option<PortfolioId>,
        page: &PageRequest<ProjectId>,
    ) -> Result<Vec<Project>, StoreError> {
        let mut q = select_all(Projects::Table);
        if let Some(f) = portfolio {
            q.and_where(Expr::col(Projects::PortfolioId).eq(f.as_uuid()));
        }
        if let Some(a) = administration {
            q.and_where(Expr::col(Projects::AdministrationCode).eq(a.as_str()));
        }
        if let Some(s) = status {
            q.and_where(Expr::col(Projects::Status).eq(s.as_str()));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(Projects::Id).gt(after.as_uuid()));
        }
        q.order_by(Projects::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::project).await
    }

    async fn project_by_ref(&self, administration: AdministrationCode, external_ref: &ExternalRef) -> Result<Option<Project>, StoreError> {
        let q = select_all(Projects::Table)
            .and_where(Expr::col(Projects::AdministrationCode).eq(administration.as_str()))
            .and_where(Expr::col(Projects::ExternalRef).eq(external_ref.as_str()))
            .to_owned();
        self.one(&q, rows::project).await
    }

    async fn insert_project(&self, p: &Project) -> Result<(), StoreError> {
        let mut pairs = self.project_values(p);
        pairs.extend([
            (Projects::Id, Expr::val(p.id.as_uuid())),
            (Projects::AdministrationCode, Expr::val(p.administration.as_str())),
            (Projects::CreatedAt, Expr::val(p.created_at)),
        ]);
        self.insert(&insert_of(Projects::Table, pairs)?).await
    }

    async fn update_project(&self, p: &Project, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Projects::Table, self.project_values(p), Projects::Id, p.id.as_uuid(), Projects::Version, expected_version)).await
    }

    async fn delete_project(&self, id: ProjectId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Projects::Table).and_where(Expr::col(Projects::Id).eq(id.as_uuid())).to_owned()).await
    }

    async fn milestones_of(&self, projects: &[ProjectId]) -> Result<Vec<Milestone>, StoreError> {
        if projects.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = projects.iter().map(ProjectId::as_uuid).collect();
        let q = select_all(Milestones::Table)
            .and_where(Expr::col(Milestones::ProjectId).is_in(ids))
            .order_by(Milestones::DueOn, Order::Asc)
            .order_by(Milestones::Id, Order::Asc)
            .to_owned();
        self.all(&q, rows::milestone).await
    }

    async fn milestone(&self, id: MilestoneId) -> Result<Option<Milestone>, StoreError> {
        let q = select_all(Milestones::Table).and_where(Expr::col(Milestones::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::milestone).await
    }

    async fn insert_milestone(&self, m: &Milestone) -> Result<(), StoreError> {
        let mut pairs = milestone_values(m);
        pairs.extend([
            (Milestones::Id, Expr::val(m.id.as_uuid())),
            (Milestones::ProjectId, Expr::val(m.project_id.as_uuid())),
            (Milestones::AdministrationCode, Expr::val(m.administration.as_str())),
            (Milestones::CreatedAt, Expr::val(m.created_at)),
        ]);
        self.insert(&insert_of(Milestones::Table, pairs)?).await
    }

    async fn update_milestone(&self, m: &Milestone, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Milestones::Table, milestone_values(m), Milestones::Id, m.id.as_uuid(), Milestones::Version, expected_version)).await
    }

    async fn delete_milestone(&self, id: MilestoneId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Milestones::Table).and_where(Expr::col(Milestones::Id).eq(id.as_uuid())).to_owned()).await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> FundingRepository for Repo<C> {
    async fn objectives_funded_by(&self, donor: &DonorCode) -> Result<Vec<ObjectiveId>, StoreError> {
        let q = Query::select()
            .column((Projects::Table, Projects::ObjectiveIds))
            .from(Projects::Table)
            .and_where(Expr::col((Projects::Table, Projects::Id)).in_subquery(
                Query::select().column(Fundings::ProjectId).from(Fundings::Table).and_where(Expr::col(Fundings::DonorCode).eq(donor.as_str())).to_owned(),
            ))
            .to_owned();
        let mut ids: Vec<ObjectiveId> = self.all(&q, rows::objective_ids).await?.into_iter().flatten().collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    async fn funding(&self, id: FundingId) -> Result<Option<Funding>, StoreError> {
        let q = select_all(Fundings::Table).and_where(Expr::col(Fundings::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::funding).await
    }

    async fn fundings_of_projects(&self, projects: &[ProjectId]) -> Result<Vec<Funding>, StoreError> {
        if projects.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = projects.iter().map(ProjectId::as_uuid).collect();
        let q = select_all(Fundings::Table).and_where(Expr::col(Fundings::ProjectId).is_in(ids)).order_by(Fundings::Id, Order::Asc).to_owned();
        self.all(&q, rows::funding).await
    }

    async fn fundings_of_donor(&self, donor: &DonorCode) -> Result<Vec<Funding>, StoreError> {
        let q = select_all(Fundings::Table).and_where(Expr::col(Fundings::DonorCode).eq(donor.as_str())).order_by(Fundings::Id, Order::Asc).to_owned();
        self.all(&q, rows::funding).await
    }

    async fn insert_funding(&self, f: &Funding) -> Result<(), StoreError> {
        let q = insert_of(
            Fundings::Table,
            vec![
                (Fundings::Id, Expr::val(f.id.as_uuid())),
                (Fundings::ProjectId, Expr::val(f.project_id.as_uuid())),
                (Fundings::AdministrationCode, Expr::val(f.administration.as_str())),
                (Fundings::DonorCode, Expr::val(f.donor.as_str())),
                (Fundings::CommittedAmount, self.dec(f.committed.amount.get())),
                (Fundings::Currency, Expr::val(f.committed.currency.as_str())),
                (Fundings::AllowOverDisbursement, Expr::val(f.allow_over_disbursement)),
                (Fundings::Version, Expr::val(f.version)),
                (Fundings::CreatedAt, Expr::val(f.created_at)),
                (Fundings::UpdatedAt, Expr::val(f.updated_at)),
            ],
        )?;
        self.insert(&q).await
    }

    async fn transactions_of(&self, fundings: &[FundingId]) -> Result<Vec<FundingTransaction>, StoreError> {
        if fundings.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = fundings.iter().map(FundingId::as_uuid).collect();
        let q = select_all(FundingTransactions::Table)
            .and_where(Expr::col(FundingTransactions::FundingId).is_in(ids))
            .order_by(FundingTransactions::Date, Order::Asc)
            .order_by(FundingTransactions::Id, Order::Asc)
            .to_owned();
        self.all(&q, rows::transaction).await
    }

    async fn insert_transaction(&self, t: &FundingTransaction) -> Result<(), StoreError> {
        let q = insert_of(
            FundingTransactions::Table,
            vec![
                (FundingTransactions::Id, Expr::val(t.id.as_uuid())),
                (FundingTransactions::FundingId, Expr::val(t.funding_id.as_uuid())),
                (FundingTransactions::AdministrationCode, Expr::val(t.administration.as_str())),
                (FundingTransactions::Kind, Expr::val(t.kind.as_str())),
                (FundingTransactions::Date, Expr::val(t.date)),
                (FundingTransactions::Amount, self.dec(t.amount.get())),
                (FundingTransactions::Description, Expr::val(t.description.clone())),
                (FundingTransactions::CreatedAt, Expr::val(t.created_at)),
            ],
        )?;
        self.insert(&q).await
    }
}

fn risk_values(r: &Risk) -> Vec<(Risks, Expr)> {
    vec![
        (Risks::Title, Expr::val(text_json(&r.title))),
        (Risks::Likelihood, Expr::val(i16::from(r.likelihood))),
        (Risks::Impact, Expr::val(i16::from(r.impact))),
        (Risks::Mitigation, Expr::val(r.mitigation.as_ref().map(text_json))),
        (Risks::Owner, Expr::val(r.owner.clone())),
        (Risks::Status, Expr::val(r.status.as_str())),
        (Risks::Version, Expr::val(r.version)),
        (Risks::UpdatedAt, Expr::val(r.updated_at)),
    ]
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RiskRepository for Repo<C> {
    async fn risk(&self, id: RiskId) -> Result<Option<Risk>, StoreError> {
        let q = select_all(Risks::Table).and_where(Expr::col(Risks::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::risk).await
    }

    async fn risks_of_projects(&self, projects: &[ProjectId]) -> Result<Vec<Risk>, StoreError> {
        if projects.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = projects.iter().map(ProjectId::as_uuid).collect();
        let q = select_all(Risks::Table).and_where(Expr::col(Risks::ProjectId).is_in(ids)).order_by(Risks::Id, Order::Asc).to_owned();
        self.all(&q, rows::risk).await
    }

    async fn risks_of_objectives(&self, objectives: &[ObjectiveId]) -> Result<Vec<Risk>, StoreError> {
        if objectives.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = objectives.iter().map(ObjectiveId::as_uuid).collect();
        let q = select_all(Risks::Table).and_where(Expr::col(Risks::ObjectiveId).is_in(ids)).order_by(Risks::Id, Order::Asc).to_owned();
        self.all(&q, rows::risk).await
    }

    async fn insert_risk(&self, r: &Risk) -> Result<(), StoreError> {
        let (project, objective) = match r.subject {
            RiskSubject::Project(p) => (Some(p.as_uuid()), None),
            RiskSubject::Objective(o) => (None, Some(o.as_uuid())),
        };
        let mut pairs = risk_values(r);
        pairs.extend([
            (Risks::Id, Expr::val(r.id.as_uuid())),
            (Risks::AdministrationCode, Expr::val(r.administration.as_str())),
            (Risks::ProjectId, Expr::val(project)),
            (Risks::ObjectiveId, Expr::val(objective)),
            (Risks::CreatedAt, Expr::val(r.created_at)),
        ]);
        self.insert(&insert_of(Risks::Table, pairs)?).await
    }

    async fn update_risk(&self, r: &Risk, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Risks::Table, risk_values(r), Risks::Id, r.id.as_uuid(), Risks::Version, expected_version)).await
    }

    async fn delete_risk(&self, id: RiskId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Risks::Table).and_where(Expr::col(Risks::Id).eq(id.as_uuid())).to_owned()).await
    }
}

fn stakeholder_values(s: &Stakeholder) -> Vec<(Stakeholders, Expr)> {
    vec![
        (Stakeholders::Name, Expr::val(text_json(&s.name))),
        (Stakeholders::Kind, Expr::val(s.kind.as_str())),
        (Stakeholders::Contact, Expr::val(s.contact.clone())),
        (Stakeholders::Version, Expr::val(s.version)),
        (Stakeholders::UpdatedAt, Expr::val(s.updated_at)),
    ]
}

fn portfolio_values(p: &Portfolio) -> Vec<(Portfolios, Expr)> {
    vec![
        (Portfolios::Code, Expr::val(p.code.as_str())),
        (Portfolios::Title, Expr::val(text_json(&p.title))),
        (Portfolios::Description, Expr::val(p.description.as_ref().map(text_json))),
        (Portfolios::Version, Expr::val(p.version)),
        (Portfolios::UpdatedAt, Expr::val(p.updated_at)),
    ]
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PortfolioRepository for Repo<C> {
    async fn portfolio(&self, id: PortfolioId) -> Result<Option<Portfolio>, StoreError> {
        let q = select_all(Portfolios::Table).and_where(Expr::col(Portfolios::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::portfolio).await
    }

    async fn portfolios_by_ids(&self, ids: &[PortfolioId]) -> Result<Vec<Portfolio>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(PortfolioId::as_uuid).collect();
        let q = select_all(Portfolios::Table).and_where(Expr::col(Portfolios::Id).is_in(ids)).to_owned();
        self.all(&q, rows::portfolio).await
    }

    async fn list_portfolios(&self, administration: Option<AdministrationCode>, page: &PageRequest<PortfolioId>) -> Result<Vec<Portfolio>, StoreError> {
        let mut q = select_all(Portfolios::Table);
        if let Some(a) = administration {
            q.and_where(Expr::col(Portfolios::AdministrationCode).eq(a.as_str()));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(Portfolios::Id).gt(after.as_uuid()));
        }
        q.order_by(Portfolios::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::portfolio).await
    }

    async fn insert_portfolio(&self, p: &Portfolio) -> Result<(), StoreError> {
        let mut pairs = portfolio_values(p);
        pairs.extend([
            (Portfolios::Id, Expr::val(p.id.as_uuid())),
            (Portfolios::AdministrationCode, Expr::val(p.administration.as_str())),
            (Portfolios::CreatedAt, Expr::val(p.created_at)),
        ]);
        self.insert(&insert_of(Portfolios::Table, pairs)?).await
    }

    async fn update_portfolio(&self, p: &Portfolio, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Portfolios::Table, portfolio_values(p), Portfolios::Id, p.id.as_uuid(), Portfolios::Version, expected_version)).await
    }

    async fn delete_portfolio(&self, id: PortfolioId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Portfolios::Table).and_where(Expr::col(Portfolios::Id).eq(id.as_uuid())).to_owned()).await
    }

    async fn projects_in_portfolios(&self, portfolios: &[PortfolioId]) -> Result<Vec<Project>, StoreError> {
        if portfolios.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = portfolios.iter().map(PortfolioId::as_uuid).collect();
        let q = select_all(Projects::Table).and_where(Expr::col(Projects::PortfolioId).is_in(ids)).order_by(Projects::Id, Order::Asc).to_owned();
        self.all(&q, rows::project).await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> StakeholderRepository for Repo<C> {
    async fn stakeholder(&self, id: StakeholderId) -> Result<Option<Stakeholder>, StoreError> {
        let q = select_all(Stakeholders::Table).and_where(Expr::col(Stakeholders::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::stakeholder).await
    }

    async fn list_stakeholders(&self, administration: Option<AdministrationCode>, page: &PageRequest<StakeholderId>) -> Result<Vec<Stakeholder>, StoreError> {
        let mut q = select_all(Stakeholders::Table);
        if let Some(a) = administration {
            q.and_where(Expr::col(Stakeholders::AdministrationCode).eq(a.as_str()));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(Stakeholders::Id).gt(after.as_uuid()));
        }
        q.order_by(Stakeholders::Id, Order::Asc).limit(page.fetch());
        self.all(&q, rows::stakeholder).await
    }

    async fn insert_stakeholder(&self, s: &Stakeholder) -> Result<(), StoreError> {
        let mut pairs = stakeholder_values(s);
        pairs.extend([
            (Stakeholders::Id, Expr::val(s.id.as_uuid())),
            (Stakeholders::AdministrationCode, Expr::val(s.administration.as_str())),
            (Stakeholders::CreatedAt, Expr::val(s.created_at)),
        ]);
        self.insert(&insert_of(Stakeholders::Table, pairs)?).await
    }

    async fn update_stakeholder(&self, s: &Stakeholder, expected_version: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(Stakeholders::Table, stakeholder_values(s), Stakeholders::Id, s.id.as_uuid(), Stakeholders::Version, expected_version))
            .await
    }

    async fn delete_stakeholder(&self, id: StakeholderId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Stakeholders::Table).and_where(Expr::col(Stakeholders::Id).eq(id.as_uuid())).to_owned()).await
    }

    async fn engagements_of(&self, stakeholders: &[StakeholderId]) -> Result<Vec<Engagement>, StoreError> {
        if stakeholders.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = stakeholders.iter().map(StakeholderId::as_uuid).collect();
        let q = select_all(Engagements::Table).and_where(Expr::col(Engagements::StakeholderId).is_in(ids)).order_by(Engagements::Id, Order::Asc).to_owned();
        self.all(&q, rows::engagement).await
    }

    async fn engagement(&self, id: EngagementId) -> Result<Option<Engagement>, StoreError> {
        let q = select_all(Engagements::Table).and_where(Expr::col(Engagements::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::engagement).await
    }

    async fn insert_engagement(&self, e: &Engagement) -> Result<(), StoreError> {
        let (objective, project) = match e.subject {
            EngagementSubject::Objective(o) => (Some(o.as_uuid()), None),
            EngagementSubject::Project(p) => (None, Some(p.as_uuid())),
        };
        let q = insert_of(
            Engagements::Table,
            vec![
                (Engagements::Id, Expr::val(e.id.as_uuid())),
                (Engagements::StakeholderId, Expr::val(e.stakeholder_id.as_uuid())),
                (Engagements::AdministrationCode, Expr::val(e.administration.as_str())),
                (Engagements::ObjectiveId, Expr::val(objective)),
                (Engagements::ProjectId, Expr::val(project)),
                (Engagements::Role, Expr::val(e.role.as_str())),
                (Engagements::CreatedAt, Expr::val(e.created_at)),
            ],
        )?;
        self.insert(&q).await
    }

    async fn delete_engagement(&self, id: EngagementId) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(Engagements::Table).and_where(Expr::col(Engagements::Id).eq(id.as_uuid())).to_owned()).await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RevisionRepository for Repo<C> {
    async fn insert_revision(&self, r: &PlanRevision) -> Result<(), StoreError> {
        let q = insert_of(
            PlanRevisions::Table,
            vec![
                (PlanRevisions::PlanId, Expr::val(r.plan_id.as_uuid())),
                (PlanRevisions::Number, Expr::val(r.number)),
                (PlanRevisions::Status, Expr::val(r.status.as_str())),
                (PlanRevisions::At, Expr::val(r.at)),
                (PlanRevisions::Actor, Expr::val(r.actor.clone())),
                (PlanRevisions::Snapshot, Expr::val(r.snapshot.clone())),
            ],
        )?;
        self.insert(&q).await
    }

    async fn revisions_of_plans(&self, plans: &[PlanId]) -> Result<Vec<PlanRevision>, StoreError> {
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = plans.iter().map(PlanId::as_uuid).collect();
        let q = select_all(PlanRevisions::Table)
            .and_where(Expr::col(PlanRevisions::PlanId).is_in(ids))
            .order_by(PlanRevisions::PlanId, Order::Asc)
            .order_by(PlanRevisions::Number, Order::Asc)
            .to_owned();
        self.all(&q, rows::revision).await
    }

    async fn revision(&self, plan: PlanId, number: i32) -> Result<Option<PlanRevision>, StoreError> {
        let q = select_all(PlanRevisions::Table)
            .and_where(Expr::col(PlanRevisions::PlanId).eq(plan.as_uuid()))
            .and_where(Expr::col(PlanRevisions::Number).eq(number))
            .to_owned();
        self.one(&q, rows::revision).await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> JournalRepository for Repo<C> {
    async fn record_audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.insert(&insert_of(AuditLog::Table, audit_row(e))?).await
    }

    async fn record_audits(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        crate::bulk::insert_many(self, AuditLog::Table, entries, |_, e| audit_row(e)).await.map(|_| ())
    }

    async fn list_audit(&self, filter: &AuditFilter, page: &PageRequest<i64>) -> Result<Vec<AuditRecord>, StoreError> {
        let mut q = select_all(AuditLog::Table);
        if let Some(a) = filter.administration {
            q.and_where(Expr::col(AuditLog::AdministrationCode).eq(a.as_str()));
        }
        if let Some(t) = filter.entity_type {
            q.and_where(Expr::col(AuditLog::EntityType).eq(t.as_str()));
        }
        if let Some(id) = &filter.entity_id {
            q.and_where(Expr::col(AuditLog::EntityId).eq(id.as_str()));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(AuditLog::Id).lt(after));
        }
        q.order_by(AuditLog::Id, Order::Desc).limit(page.fetch());
        self.all(&q, rows::audit).await
    }

    async fn record_change(&self, c: &Change) -> Result<i64, StoreError> {
        let seqs = self.record_changes(std::slice::from_ref(c)).await?;
        seqs.first().copied().ok_or_else(|| StoreError::Backend("the change got no sequence number".into()))
    }

    async fn record_changes(&self, changes: &[Change]) -> Result<Vec<i64>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        if self.backend == DatabaseBackend::Postgres {
            // Sequence numbers are drawn when a transaction writes its change but become visible
            // when it commits; two writers could commit out of order and a reader that had moved
            // past the later number would never see the earlier one. One writer of the feed at a
            // time (until its commit) makes numbering order and commit order the same. SQLite
            // already has one writer at a time.
            self.conn.execute_unprepared("SELECT pg_advisory_xact_lock(7261129)").await.map_err(backend_error)?;
        }
        let mut seqs = Vec::with_capacity(changes.len());
        // 8 parameters a row: well under either database's limit.
        for chunk in changes.chunks(2_000) {
            let mut q = Query::insert();
            q.into_table(Changes::Table).columns([
                Changes::At.into_iden(),
                Changes::EntityType.into_iden(),
                Changes::EntityId.into_iden(),
                Changes::Operation.into_iden(),
                Changes::AdministrationCode.into_iden(),
                ChangeAudience::Action.into_iden(),
                ChangeAudience::Audience.into_iden(),
                ChangeAudience::AudienceKey.into_iden(),
            ]);
            for c in chunk {
                let key = match &c.audience {
                    Audience::Funders(project) => Some(project.to_string()),
                    Audience::Donor(donor) => Some(donor.to_string()),
                    Audience::Internal | Audience::Everyone => None,
                };
                q.values([
                    Expr::val(c.at),
                    Expr::val(c.entity_type.as_str()),
                    Expr::val(c.entity_id.clone()),
                    Expr::val(c.operation.as_str()),
                    Expr::val(c.administration.map(|a| a.as_str().to_owned())),
                    Expr::val(c.action.clone()),
                    Expr::val(c.audience.as_str()),
                    Expr::val(key),
                ])
                .map_err(build_error)?;
            }
            q.returning_col(Changes::Seq);
            let rows = self.conn.query_all(&q).await.map_err(backend_error)?;
            let mut numbers =
                rows.iter().map(|r| r.try_get::<i64>("", "seq").map_err(|e| StoreError::Backend(e.to_string()))).collect::<Result<Vec<_>, _>>()?;
            if numbers.len() != chunk.len() {
                return Err(StoreError::Backend("a change got no sequence number".into()));
            }
            // Rows are numbered in the order they are listed (the feed's writers are
            // serialised); RETURNING need not list them in that order.
            numbers.sort_unstable();
            seqs.extend(numbers);
        }
        match &self.changed {
            // The transaction's commit wakes the listeners.
            Some(changed) => changed.store(true, std::sync::atomic::Ordering::Relaxed),
            None => self.notify_changes().await?,
        }
        Ok(seqs)
    }

    async fn changes_after(&self, filter: &FeedFilter, after: i64, limit: u64) -> Result<Vec<ChangeRecord>, StoreError> {
        let mut q = select_all(Changes::Table);
        q.and_where(Expr::col(Changes::Seq).gt(after));
        let shared = Expr::col(ChangeAudience::Audience).eq(Audience::Everyone.as_str());
        match &filter.scope {
            FeedScope::All => {}
            FeedScope::Administration(own) => {
                q.cond_where(Condition::any().add(Expr::col(Changes::AdministrationCode).eq(own.as_str())).add(shared));
            }
            FeedScope::Donor(donor) => {
                let funded: Vec<String> = filter.funded.iter().map(ToString::to_string).collect();
                q.cond_where(
                    Condition::any()
                        .add(shared)
                        .add(Expr::col(ChangeAudience::Audience).eq("donor").and(Expr::col(ChangeAudience::AudienceKey).eq(donor.as_str())))
                        .add(Expr::col(ChangeAudience::Audience).eq("funders").and(Expr::col(ChangeAudience::AudienceKey).is_in(funded))),
                );
            }
            FeedScope::Shared => {
                q.and_where(shared);
            }
        }
        if !filter.types.is_empty() {
            q.and_where(Expr::col(Changes::EntityType).is_in(filter.types.iter().map(|t| t.as_str())));
        }
        q.order_by(Changes::Seq, Order::Asc).limit(limit);
        self.all(&q, rows::change).await
    }

    async fn latest_change(&self) -> Result<i64, StoreError> {
        let q = Query::select().expr_as(Expr::col(Changes::Seq).max(), "seq").from(Changes::Table).to_owned();
        let row = self.row(self.backend.build(&q)).await?;
        Ok(row.and_then(|r| r.try_get::<Option<i64>>("", "seq").ok().flatten()).unwrap_or(0))
    }

    async fn latest_changes_of(&self, administrations: &[AdministrationCode]) -> Result<Vec<(AdministrationCode, i64)>, StoreError> {
        if administrations.is_empty() {
            return Ok(Vec::new());
        }
        // One probe per administration into `ix_changes_administration` (administration, seq):
        // the cost follows the number of administrations asked for, not the length of the feed.
        let placeholders = self.value_rows(administrations.len());
        let (changes, code, seq) = (Changes::Table.to_string(), Changes::AdministrationCode.to_string(), Changes::Seq.to_string());
        let sql = format!(
            "WITH wanted (code) AS (VALUES {}) SELECT wanted.code AS code, (SELECT MAX({seq}) FROM {changes} WHERE {code} = wanted.code) AS seq FROM wanted",
            placeholders.join(", ")
        );
        let values: Vec<Value> = administrations.iter().map(|a| Value::from(a.as_str())).collect();
        let rows = self.rows(sea_orm::Statement::from_sql_and_values(self.backend, sql, values)).await?;
        rows.iter()
            .map(|r| {
                let row = Row { r, backend: self.backend };
                Ok((row.code("code")?, r.try_get::<Option<i64>>("", "seq").map_err(|e| StoreError::Corrupt(format!("seq: {e}")))?.unwrap_or(0)))
            })
            .collect()
    }
}

fn subscription_values(s: &Subscription) -> Vec<(WebhookSubscriptions, Expr)> {
    vec![
        (WebhookSubscriptions::Url, Expr::val(s.url.clone())),
        (WebhookSubscriptions::Description, Expr::val(s.description.clone())),
        (WebhookSubscriptions::EventTypes, Expr::val(serde_json::Value::from(s.event_types.clone()))),
        (WebhookSubscriptions::Secret, Expr::val(s.secret.clone())),
        (WebhookSubscriptions::Active, Expr::val(s.active)),
        (WebhookSubscriptions::DisabledReason, Expr::val(s.disabled_reason.clone())),
        (WebhookSubscriptions::ConsecutiveFailures, Expr::val(s.consecutive_failures)),
        (WebhookSubscriptions::Version, Expr::val(s.version)),
        (WebhookSubscriptions::UpdatedAt, Expr::val(s.updated_at)),
    ]
}

fn delivery_state(d: &Delivery) -> Vec<(WebhookDeliveries, Expr)> {
    vec![
        (WebhookDeliveries::Status, Expr::val(d.status.as_str())),
        (WebhookDeliveries::Attempts, Expr::val(d.attempts)),
        (WebhookDeliveries::NextAttemptAt, Expr::val(d.next_attempt_at)),
        (WebhookDeliveries::LockedUntil, Expr::val(d.locked_until)),
        (WebhookDeliveries::LastStatusCode, Expr::val(d.last_status_code)),
        (WebhookDeliveries::LastError, Expr::val(d.last_error.clone())),
        (WebhookDeliveries::DeliveredAt, Expr::val(d.delivered_at)),
    ]
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> WebhookRepository for Repo<C> {
    async fn subscription(&self, id: SubscriptionId) -> Result<Option<Subscription>, StoreError> {
        let q = select_all(WebhookSubscriptions::Table).and_where(Expr::col(WebhookSubscriptions::Id).eq(id.as_uuid())).to_owned();
        self.one(&q, rows::subscription).await
    }

    async fn subscriptions(&self, owner: Option<&SubscriptionOwner>) -> Result<Vec<Subscription>, StoreError> {
        let mut q = select_all(WebhookSubscriptions::Table);
        if let Some(o) = owner {
            q.and_where(Expr::col(WebhookSubscriptions::OwnerKind).eq(o.kind())).and_where(Expr::col(WebhookSubscriptions::OwnerCode).eq(o.code()));
        }
        q.order_by(WebhookSubscriptions::Id, Order::Asc);
        self.all(&q, rows::subscription).await
    }

    async fn insert_subscription(&self, s: &Subscription) -> Result<(), StoreError> {
        let mut pairs = subscription_values(s);
        pairs.extend([
            (WebhookSubscriptions::Id, Expr::val(s.id.as_uuid())),
            (WebhookSubscriptions::OwnerKind, Expr::val(s.owner.kind())),
            (WebhookSubscriptions::OwnerCode, Expr::val(s.owner.code().to_owned())),
            (WebhookSubscriptions::CreatedBy, Expr::val(s.created_by.clone())),
            (WebhookSubscriptions::CreatedAt, Expr::val(s.created_at)),
        ]);
        self.insert(&insert_of(WebhookSubscriptions::Table, pairs)?).await
    }

    async fn update_subscription(&self, s: &Subscription, expected: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(
            WebhookSubscriptions::Table,
            subscription_values(s),
            WebhookSubscriptions::Id,
            s.id.as_uuid(),
            WebhookSubscriptions::Version,
            expected,
        ))
        .await
    }

    async fn delete_subscription(&self, id: SubscriptionId) -> Result<(), StoreError> {
        // Children first: SQLite enforces the cascade only with foreign keys on, so do not rely on it.
        let deliveries = Query::select()
            .column(WebhookDeliveries::Id)
            .from(WebhookDeliveries::Table)
            .and_where(Expr::col(WebhookDeliveries::SubscriptionId).eq(id.as_uuid()))
            .to_owned();
        self.delete(&Query::delete().from_table(WebhookAttempts::Table).and_where(Expr::col(WebhookAttempts::DeliveryId).in_subquery(deliveries)).to_owned())
            .await?;
        self.delete(&Query::delete().from_table(WebhookDeliveries::Table).and_where(Expr::col(WebhookDeliveries::SubscriptionId).eq(id.as_uuid())).to_owned())
            .await?;
        self.delete(&Query::delete().from_table(WebhookSubscriptions::Table).and_where(Expr::col(WebhookSubscriptions::Id).eq(id.as_uuid())).to_owned()).await
    }

    async fn insert_delivery(&self, d: &Delivery) -> Result<(), StoreError> {
        let mut pairs = delivery_state(d);
        pairs.extend([
            (WebhookDeliveries::Id, Expr::val(d.id.as_uuid())),
            (WebhookDeliveries::SubscriptionId, Expr::val(d.subscription_id.as_uuid())),
            (WebhookDeliveries::ChangeSeq, Expr::val(d.change_seq)),
            (WebhookDeliveries::EventType, Expr::val(d.event_type.clone())),
            (WebhookDeliveries::Payload, Expr::val(d.payload.clone())),
            (WebhookDeliveries::CreatedAt, Expr::val(d.created_at)),
        ]);
        self.insert(&insert_of(WebhookDeliveries::Table, pairs)?).await
    }

    async fn claim_deliveries(&self, now: DateTime<Utc>, until: DateTime<Utc>, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        let active = Query::select()
            .column(WebhookSubscriptions::Id)
            .from(WebhookSubscriptions::Table)
            .and_where(Expr::col(WebhookSubscriptions::Active).eq(true))
            .to_owned();
        let mut due = Query::select();
        due.column(WebhookDeliveries::Id)
            .from(WebhookDeliveries::Table)
            .and_where(Expr::col(WebhookDeliveries::Status).eq(DeliveryStatus::Pending.as_str()))
            .and_where(Expr::col(WebhookDeliveries::NextAttemptAt).lte(now))
            .cond_where(Condition::any().add(Expr::col(WebhookDeliveries::LockedUntil).is_null()).add(Expr::col(WebhookDeliveries::LockedUntil).lt(now)))
            .and_where(Expr::col(WebhookDeliveries::SubscriptionId).in_subquery(active))
            .order_by(WebhookDeliveries::NextAttemptAt, Order::Asc)
            .order_by(WebhookDeliveries::Id, Order::Asc)
            .limit(limit);
        if self.backend == DatabaseBackend::Postgres {
            // Another worker's claimed rows are skipped, not waited for: no delivery is taken twice.
            due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let ids: Vec<uuid::Uuid> =
            self.conn.query_all(&due).await.map_err(backend_error)?.iter().filter_map(|r| r.try_get::<uuid::Uuid>("", "id").ok()).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let claim = Query::update()
            .table(WebhookDeliveries::Table)
            .value(WebhookDeliveries::LockedUntil, until)
            .and_where(Expr::col(WebhookDeliveries::Id).is_in(ids.clone()))
            .to_owned();
        self.conn.execute(&claim).await.map_err(backend_error)?;
        let q = select_all(WebhookDeliveries::Table)
            .and_where(Expr::col(WebhookDeliveries::Id).is_in(ids))
            .order_by(WebhookDeliveries::NextAttemptAt, Order::Asc)
            .order_by(WebhookDeliveries::Id, Order::Asc)
            .to_owned();
        self.all(&q, rows::delivery).await
    }

    async fn settle_delivery(&self, d: &Delivery, held_until: DateTime<Utc>) -> Result<(), StoreError> {
        let mut q = Query::update();
        q.table(WebhookDeliveries::Table)
            .values(delivery_state(d))
            .and_where(Expr::col(WebhookDeliveries::Id).eq(d.id.as_uuid()))
            .and_where(Expr::col(WebhookDeliveries::LockedUntil).eq(held_until));
        self.update_versioned(&q).await
    }

    async fn record_attempt(&self, a: &Attempt) -> Result<(), StoreError> {
        let q = insert_of(
            WebhookAttempts::Table,
            vec![
                (WebhookAttempts::DeliveryId, Expr::val(a.delivery_id.as_uuid())),
                (WebhookAttempts::Number, Expr::val(a.number)),
                (WebhookAttempts::At, Expr::val(a.at)),
                (WebhookAttempts::StatusCode, Expr::val(a.status_code)),
                (WebhookAttempts::Error, Expr::val(a.error.clone())),
                (WebhookAttempts::DurationMs, Expr::val(a.duration_ms)),
            ],
        )?;
        self.insert(&q).await
    }

    async fn deliveries_of(
        &self,
        subscription: SubscriptionId,
        status: Option<DeliveryStatus>,
        page: &PageRequest<DeliveryId>,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut q = select_all(WebhookDeliveries::Table);
        q.and_where(Expr::col(WebhookDeliveries::SubscriptionId).eq(subscription.as_uuid()));
        if let Some(s) = status {
            q.and_where(Expr::col(WebhookDeliveries::Status).eq(s.as_str()));
        }
        if let Some(after) = page.after {
            q.and_where(Expr::col(WebhookDeliveries::Id).lt(after.as_uuid()));
        }
        q.order_by(WebhookDeliveries::Id, Order::Desc).limit(page.fetch());
        self.all(&q, rows::delivery).await
    }

    async fn attempts_of(&self, deliveries: &[DeliveryId]) -> Result<Vec<Attempt>, StoreError> {
        if deliveries.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = deliveries.iter().map(DeliveryId::as_uuid).collect();
        let q = select_all(WebhookAttempts::Table)
            .and_where(Expr::col(WebhookAttempts::DeliveryId).is_in(ids))
            .order_by(WebhookAttempts::DeliveryId, Order::Asc)
            .order_by(WebhookAttempts::Number, Order::Asc)
            .to_owned();
        self.all(&q, rows::attempt).await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> IdempotencyRepository for Repo<C> {
    async fn claim_key(&self, r: &KeyRecord) -> Result<Option<KeyRecord>, StoreError> {
        let (method, path) = r.request.split_once(' ').unwrap_or((r.request.as_str(), ""));
        let q = insert_of(
            IdempotencyKeys::Table,
            vec![
                (IdempotencyKeys::Client, Expr::val(r.client.clone())),
                (IdempotencyKeys::Key, Expr::val(r.key.as_str().to_owned())),
                (IdempotencyKeys::Method, Expr::val(method.to_owned())),
                (IdempotencyKeys::Path, Expr::val(path.to_owned())),
                (IdempotencyKeys::Fingerprint, Expr::val(r.fingerprint.clone())),
                (IdempotencyKeys::State, Expr::val("in_flight")),
                (IdempotencyKeys::CreatedAt, Expr::val(r.created_at)),
                (IdempotencyKeys::ExpiresAt, Expr::val(r.expires_at)),
            ],
        )?
        .on_conflict(OnConflict::columns([IdempotencyKeys::Client, IdempotencyKeys::Key]).do_nothing().to_owned())
        .to_owned();
        let inserted = self.conn.execute(&q).await.map_err(backend_error)?.rows_affected();
        if inserted == 1 {
            return Ok(None);
        }
        let q = select_all(IdempotencyKeys::Table)
            .and_where(Expr::col(IdempotencyKeys::Client).eq(r.client.clone()))
            .and_where(Expr::col(IdempotencyKeys::Key).eq(r.key.as_str()))
            .to_owned();
        self.one(&q, rows::key_record).await
    }

    async fn replace_key(&self, stale: &KeyRecord, r: &KeyRecord) -> Result<(), StoreError> {
        let q = Query::update()
            .table(IdempotencyKeys::Table)
            .values([
                (IdempotencyKeys::Fingerprint, Expr::val(r.fingerprint.clone())),
                (IdempotencyKeys::Method, Expr::val(r.request.split_once(' ').map_or(r.request.as_str(), |(m, _)| m).to_owned())),
                (IdempotencyKeys::Path, Expr::val(r.request.split_once(' ').map_or("", |(_, p)| p).to_owned())),
                (IdempotencyKeys::State, Expr::val("in_flight")),
                (IdempotencyKeys::StatusCode, Expr::val(Option::<i32>::None)),
                (IdempotencyKeys::Headers, Expr::val(Option::<serde_json::Value>::None)),
                (IdempotencyKeys::Body, Expr::val(Option::<String>::None)),
                (IdempotencyKeys::CreatedAt, Expr::val(r.created_at)),
                (IdempotencyKeys::ExpiresAt, Expr::val(r.expires_at)),
            ])
            .and_where(Expr::col(IdempotencyKeys::Client).eq(stale.client.clone()))
            .and_where(Expr::col(IdempotencyKeys::Key).eq(stale.key.as_str()))
            .and_where(Expr::col(IdempotencyKeys::CreatedAt).eq(stale.created_at))
            .to_owned();
        self.update_versioned(&q).await
    }

    async fn finish_key(&self, client: &str, key: &IdempotencyKey, response: &StoredResponse) -> Result<(), StoreError> {
        let headers = serde_json::to_value(&response.headers).map_err(|e| StoreError::Backend(e.to_string()))?;
        let q = Query::update()
            .table(IdempotencyKeys::Table)
            .values([
                (IdempotencyKeys::State, Expr::val("done")),
                (IdempotencyKeys::StatusCode, Expr::val(i32::from(response.status))),
                (IdempotencyKeys::Headers, Expr::val(headers)),
                (IdempotencyKeys::Body, Expr::val(response.body.clone())),
            ])
            .and_where(Expr::col(IdempotencyKeys::Client).eq(client))
            .and_where(Expr::col(IdempotencyKeys::Key).eq(key.as_str()))
            .to_owned();
        self.conn.execute(&q).await.map_err(backend_error)?;
        Ok(())
    }

    async fn release_key(&self, client: &str, key: &IdempotencyKey) -> Result<(), StoreError> {
        self.delete(
            &Query::delete()
                .from_table(IdempotencyKeys::Table)
                .and_where(Expr::col(IdempotencyKeys::Client).eq(client))
                .and_where(Expr::col(IdempotencyKeys::Key).eq(key.as_str()))
                .to_owned(),
        )
        .await
    }

    async fn purge_keys(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.delete(&Query::delete().from_table(IdempotencyKeys::Table).and_where(Expr::col(IdempotencyKeys::ExpiresAt).lt(now)).to_owned()).await
    }
}
