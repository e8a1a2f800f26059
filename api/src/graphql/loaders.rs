//! DataLoaders: every relation is fetched in batches through the domain's batch use cases, so
//! the statements a request costs depend on the shape of the query, not on the number of rows.
//! Loaders live for one request and carry its caller: what a batch returns is what that caller
//! may see.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use async_graphql::dataloader::{DataLoader, Loader};
use domain::{
    ids::{IndicatorDefinitionId, IndicatorId, ObjectiveId, PlanId, PortfolioId, ProjectId, StakeholderId},
    indicator::{Indicator, IndicatorDefinition},
    measurement::{Measurement, Target},
    objective::Objective,
    plan::{Administration, PlanRevision, StrategicPlan},
    portfolio::{Portfolio, PortfolioSummary},
    principal::Principal,
    progress::IndicatorProgress,
    project::{Milestone, Project},
    risk::{Risk, RiskSubject},
    services::{FundingReport, PlanResults, Services},
    stakeholder::Engagement,
    values::AdministrationCode,
};

use super::errors::GqlError;

/// What every loader needs.
#[derive(Clone)]
pub struct Batch {
    pub services: Services,
    pub who: Arc<Principal>,
}

macro_rules! by_key_loader {
    ($(#[$doc:meta])* $name:ident, $key:ty, $value:ty, |$b:ident, $keys:ident| $fetch:expr, |$v:ident| $key_of:expr) => {
        $(#[$doc])*
        pub struct $name(pub Batch);

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = GqlError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let $b = &self.0;
                let $keys = keys;
                let values: Vec<$value> = $fetch.await?;
                Ok(values.into_iter().map(|$v| ($key_of, $v)).collect())
            }
        }
    };
}

macro_rules! grouped_loader {
    ($(#[$doc:meta])* $name:ident, $key:ty, $item:ty, |$b:ident, $keys:ident| $fetch:expr, |$v:ident| $key_of:expr) => {
        $(#[$doc])*
        pub struct $name(pub Batch);

        impl Loader<$key> for $name {
            type Value = Vec<$item>;
            type Error = GqlError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let $b = &self.0;
                let $keys = keys;
                let items: Vec<$item> = $fetch.await?;
                let mut out: HashMap<$key, Vec<$item>> = keys.iter().map(|k| (*k, Vec::new())).collect();
                for $v in items {
                    out.entry($key_of).or_default().push($v);
                }
                Ok(out)
            }
        }
    };
}

by_key_loader!(
    /// Administrations by code.
    AdministrationLoader, AdministrationCode, Administration,
    |b, keys| b.services.administrations.by_codes(&b.who, keys), |a| a.code
);
by_key_loader!(
    /// Plans the caller may see, by id.
    PlanLoader, PlanId, StrategicPlan,
    |b, keys| b.services.plans.by_ids(&b.who, keys), |p| p.id
);
by_key_loader!(
    /// Objectives the caller may see, by id.
    ObjectiveLoader, ObjectiveId, Objective,
    |b, keys| b.services.objectives.by_ids(&b.who, keys), |o| o.id
);
by_key_loader!(
    /// Indicators the caller may see, by id.
    IndicatorLoader, IndicatorId, Indicator,
    |b, keys| b.services.indicators.by_ids(&b.who, keys), |i| i.id
);
by_key_loader!(
    /// Catalogue entries by id.
    DefinitionLoader, IndicatorDefinitionId, IndicatorDefinition,
    |b, keys| b.services.catalogue.by_ids(&b.who, keys), |d| d.id
);
by_key_loader!(
    /// Portfolios the caller may see, by id.
    PortfolioLoader, PortfolioId, Portfolio,
    |b, keys| b.services.portfolios.by_ids(&b.who, keys), |p| p.id
);
by_key_loader!(
    /// The roll-up of each portfolio.
    SummaryOfPortfolio, PortfolioId, (PortfolioId, PortfolioSummary),
    |b, keys| b.services.portfolios.summaries(&b.who, keys), |s| s.0
);
grouped_loader!(
    /// The projects of each portfolio.
    ProjectsOfPortfolio, PortfolioId, Project,
    |b, keys| b.services.portfolios.projects_of(&b.who, keys), |p| p.portfolio_id.unwrap_or_else(|| PortfolioId::from_uuid(uuid::Uuid::nil()))
);
grouped_loader!(
    /// The revisions of each plan (for its administration only).
    RevisionsOfPlan, PlanId, PlanRevision,
    |b, keys| b.services.plans.revisions_of(&b.who, keys), |r| r.plan_id
);
grouped_loader!(
    /// The fundings of each project (a donor's own only, for donors).
    FundingsOfProject, ProjectId, FundingReport,
    |b, keys| b.services.fundings.of_projects(&b.who, keys), |r| r.funding.project_id
);
grouped_loader!(
    /// The risks on each project.
    RisksOfProject, ProjectId, Risk,
    |b, keys| b.services.risks.of_projects(&b.who, keys), |r| match r.subject { RiskSubject::Project(p) => p, RiskSubject::Objective(_) => ProjectId::from_uuid(uuid::Uuid::nil()) }
);
grouped_loader!(
    /// The risks on each objective (its administration only).
    RisksOfObjective, ObjectiveId, Risk,
    |b, keys| b.services.risks.of_objectives(&b.who, keys), |r| match r.subject { RiskSubject::Objective(o) => o, RiskSubject::Project(_) => ObjectiveId::from_uuid(uuid::Uuid::nil()) }
);
grouped_loader!(
    /// The engagements of each stakeholder.
    EngagementsOfStakeholder, StakeholderId, Engagement,
    |b, keys| b.services.stakeholders.engagements_of(&b.who, keys), |e| e.stakeholder_id
);
grouped_loader!(
    /// The milestones of each project.
    MilestonesOfProject, ProjectId, Milestone,
    |b, keys| b.services.projects.milestones_of(&b.who, keys), |m| m.project_id
);
grouped_loader!(
    /// The measurements of each indicator (approved values only, for outsiders).
    MeasurementsOfIndicator, IndicatorId, Measurement,
    |b, keys| b.services.results.measurements_of(&b.who, keys), |m| m.indicator_id
);
grouped_loader!(
    /// The targets of each indicator.
    TargetsOfIndicator, IndicatorId, Target,
    |b, keys| b.services.results.targets_of(&b.who, keys), |t| t.indicator_id
);

/// The results of each plan: its objectives, the indicators the caller may see with their
/// standings and latest approved values, and the roll-ups, read together once (the plans
/// themselves come from the request's [`PlanLoader`], which the root fields prime).
pub struct ResultsOfPlan {
    pub batch: Batch,
    pub plans: Arc<DataLoader<Once<PlanId, PlanLoader>>>,
}

impl Loader<PlanId> for ResultsOfPlan {
    type Value = Arc<PlanResults>;
    type Error = GqlError;

    async fn load(&self, keys: &[PlanId]) -> Result<HashMap<PlanId, Self::Value>, Self::Error> {
        let plans = self.plans.load_many(keys.iter().copied()).await?;
        let results = self.batch.services.results.plan_results(&self.batch.who, plans.into_values().collect()).await?;
        Ok(results)
    }
}

/// The progress of each indicator with its whole series (only where the series is asked for:
/// it reads every approved value).
pub struct SeriesOfIndicator(pub Batch);

impl Loader<IndicatorId> for SeriesOfIndicator {
    type Value = Arc<IndicatorProgress>;
    type Error = GqlError;

    async fn load(&self, keys: &[IndicatorId]) -> Result<HashMap<IndicatorId, Self::Value>, Self::Error> {
        Ok(self.0.services.results.progress_of(&self.0.who, keys).await?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

type Flight<K, V> = Shared<BoxFuture<'static, Result<Arc<HashMap<K, V>>, GqlError>>>;

/// Loads each key at most once per request, also while an earlier load of it is still in
/// flight (a cache alone only helps once a load has completed). With it, the statements a
/// query costs depend on its shape alone, not on timing.
pub struct Once<K, L: Loader<K>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
{
    inner: Arc<L>,
    flights: Mutex<HashMap<K, Flight<K, L::Value>>>,
    /// Whether finished loads are kept (a request) or forgotten (a subscription, which lives
    /// long and must show each event's objects as they are now).
    keep: bool,
}

impl<K, L> Once<K, L>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    L: Loader<K, Error = GqlError>,
{
    pub fn new(inner: L) -> Self {
        Self { inner: Arc::new(inner), flights: Mutex::new(HashMap::new()), keep: true }
    }

    /// Records a value read elsewhere in the request (a root list), so that asking for its key
    /// reads nothing. A key already loaded or in flight keeps what it has.
    pub fn prime(&self, key: K, value: L::Value) {
        if let Ok(mut map) = self.flights.lock()
            && !map.contains_key(&key)
        {
            let loaded = Arc::new(HashMap::from([(key.clone(), value)]));
            map.insert(key, futures_util::future::ready(Ok(loaded)).boxed().shared());
        }
    }

    /// The value of a key whose load has finished, without going through the batching queue
    /// (which waits for more keys before it loads): most fields of a large answer ask for what
    /// an earlier batch already read.
    pub fn peek(&self, key: &K) -> Option<L::Value> {
        let map = self.flights.lock().ok()?;
        match map.get(key)?.peek()? {
            Ok(loaded) => loaded.get(key).cloned(),
            Err(_) => None,
        }
    }

    /// Shares loads in flight only: what has finished is loaded again when asked again.
    pub fn forgetful(inner: L) -> Self {
        Self { keep: false, ..Self::new(inner) }
    }
}

impl<K, L> Loader<K> for Once<K, L>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    L: Loader<K, Error = GqlError>,
{
    type Value = L::Value;
    type Error = GqlError;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Self::Value>, Self::Error> {
        let flights: Vec<Flight<K, L::Value>> = {
            let mut map = self.flights.lock().map_err(|_| GqlError(async_graphql::Error::new("loader poisoned")))?;
            let fresh: Vec<K> = keys.iter().filter(|k| !map.contains_key(*k)).cloned().collect();
            if !fresh.is_empty() {
                let inner = self.inner.clone();
                let batch = fresh.clone();
                let flight: Flight<K, L::Value> = async move { inner.load(&batch).await.map(Arc::new) }.boxed().shared();
                for k in fresh {
                    map.insert(k, flight.clone());
                }
            }
            let mut distinct: Vec<Flight<K, L::Value>> = Vec::new();
            for k in keys {
                if let Some(f) = map.get(k)
                    && !distinct.iter().any(|d| d.ptr_eq(f))
                {
                    distinct.push(f.clone());
                }
            }
            distinct
        };
        let mut out = HashMap::new();
        let mut failed = None;
        for flight in &flights {
            match flight.clone().await {
                Ok(loaded) => {
                    for k in keys {
                        if let Some(v) = loaded.get(k) {
                            out.insert(k.clone(), v.clone());
                        }
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if !self.keep {
            let mut map = self.flights.lock().map_err(|_| GqlError(async_graphql::Error::new("loader poisoned")))?;
            map.retain(|_, f| !flights.iter().any(|done| done.ptr_eq(f)));
        }
        failed.map_or(Ok(out), Err)
    }
}
