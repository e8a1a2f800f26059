//! Use cases. Each takes the verified [`Principal`], checks what the caller may see and do,
//! loads through the ports, applies the rules, and writes the change, its audit entry, its
//! change-feed entry and its webhook deliveries in one transaction. REST and GraphQL both call these and nothing else.

mod access;
mod administrations;
mod assessments;
mod audit;
mod catalogue;
mod changes;
mod clients;
mod donors;
mod fundings;
mod idempotency;
mod import;
mod indicators;
mod objectives;
mod plans;
mod portfolios;
mod practices;
mod projects;
mod results;
mod risks;
mod stakeholders;
mod webhooks;

use std::sync::Arc;

pub use access::AccessService;
pub use administrations::{AdministrationService, Directory};
pub use assessments::AssessmentService;
pub use audit::AuditService;
pub use catalogue::{CatalogueService, Comparison, ComparisonEntry};
pub use changes::{ChangeService, DEFAULT_FEED_LIMIT, FeedPage, FeedRequest, MAX_FEED_LIMIT};
pub use clients::{ClientService, IssuedSecret, TokenRefusal};
pub use donors::DonorService;
pub use fundings::{FundingReport, FundingService, FundingSummary};
pub use idempotency::IdempotencyService;
pub use import::{Counts, ImportLine, ImportMode, ImportRow, ImportService, ImportSummary, MAX_ROWS, Rejection, RowRef, Section};
pub use indicators::IndicatorService;
pub use objectives::{ObjectiveNode, ObjectiveService, Upserted};
pub use plans::{PlanService, PlanTransition};
pub use portfolios::{PortfolioReport, PortfolioService};
pub use practices::{PracticeQuery, PracticeService};
pub use projects::{ProjectReport, ProjectService};
pub use results::{IndicatorScore, ObjectiveScore, PlanResults, ProgressReport, ResultService, ReviewRequest, Scorecard};
pub use risks::RiskService;
pub use stakeholders::{StakeholderReport, StakeholderService};
pub use webhooks::{DeliveryRecord, Dispatch, WebhookService};

use crate::{
    DomainError, StoreError,
    audit::{Audience, AuditEntry, Change, ChangeRecord, EntityType, Operation},
    ports::{Clock, Repositories, Store},
    principal::Principal,
    values::AdministrationCode,
    webhook::DeliveryPolicy,
};

/// Every use case, sharing one store and clock. Cheap to clone (one shared set): the HTTP
/// layer clones it for every request.
#[derive(Clone)]
pub struct Services(Arc<ServiceSet>);

impl std::ops::Deref for Services {
    type Target = ServiceSet;

    fn deref(&self) -> &ServiceSet {
        &self.0
    }
}

/// The use cases [`Services`] shares.
#[derive(Clone)]
pub struct ServiceSet {
    pub access: AccessService,
    pub administrations: AdministrationService,
    pub audit: AuditService,
    pub assessments: AssessmentService,
    pub practices: PracticeService,
    pub donors: DonorService,
    pub projects: ProjectService,
    pub portfolios: PortfolioService,
    pub fundings: FundingService,
    pub risks: RiskService,
    pub stakeholders: StakeholderService,
    pub plans: PlanService,
    pub objectives: ObjectiveService,
    pub indicators: IndicatorService,
    pub results: ResultService,
    pub catalogue: CatalogueService,
    pub clients: ClientService,
    pub changes: ChangeService,
    pub webhooks: WebhookService,
    pub idempotency: IdempotencyService,
    pub import: ImportService,
    store: Arc<dyn Store>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self::with_delivery_policy(store, clock, DeliveryPolicy::default())
    }

    /// As [`Self::new`], with the webhook delivery policy of this deployment.
    pub fn with_delivery_policy(store: Arc<dyn Store>, clock: Arc<dyn Clock>, policy: DeliveryPolicy) -> Self {
        let ctx = Ctx { store: store.clone(), clock };
        let administrations = AdministrationService { ctx: ctx.clone(), cache: Arc::default() };
        let clients = ClientService { ctx: ctx.clone(), hasher: Arc::new(clients::NoHasher), standing: Arc::default() };
        Self(Arc::new(ServiceSet {
            access: AccessService {
                ctx: ctx.clone(),
                administrations: administrations.clone(),
                known_donors: Arc::default(),
                clients: clients.clone(),
                funded: Arc::default(),
            },
            clients,
            administrations,
            audit: AuditService { ctx: ctx.clone() },
            assessments: AssessmentService { ctx: ctx.clone() },
            practices: PracticeService { ctx: ctx.clone() },
            donors: DonorService { ctx: ctx.clone() },
            projects: ProjectService { ctx: ctx.clone() },
            portfolios: PortfolioService { ctx: ctx.clone() },
            fundings: FundingService { ctx: ctx.clone() },
            risks: RiskService { ctx: ctx.clone() },
            stakeholders: StakeholderService { ctx: ctx.clone() },
            plans: PlanService { ctx: ctx.clone(), admin_override: false },
            objectives: ObjectiveService { ctx: ctx.clone() },
            indicators: IndicatorService { ctx: ctx.clone() },
            results: ResultService { ctx: ctx.clone(), cache: Some(Arc::default()), admin_override: false },
            catalogue: CatalogueService { ctx: ctx.clone() },
            changes: ChangeService { ctx: ctx.clone() },
            webhooks: WebhookService { ctx: ctx.clone(), policy: Arc::new(policy) },
            import: ImportService { ctx: ctx.clone() },
            idempotency: IdempotencyService { ctx, ttl: chrono::Duration::hours(24), stale_after: chrono::Duration::minutes(5) },
            store,
        }))
    }

    /// Sets how long an `Idempotency-Key` replays its answer, and after how long a key whose
    /// request never finished is freed (at least the longest a request may run).
    #[must_use]
    pub fn idempotency_window(mut self, ttl: chrono::Duration, stale_after: chrono::Duration) -> Self {
        let set = Arc::make_mut(&mut self.0);
        set.idempotency.ttl = ttl;
        set.idempotency.stale_after = stale_after;
        self
    }

    /// Whether plan results are reused while their administration has no newer change (the
    /// default), or computed for every request.
    #[must_use]
    pub fn results_cache(mut self, on: bool) -> Self {
        Arc::make_mut(&mut self.0).results.cache = on.then(Arc::default);
        self
    }

    /// Whether an admin may approve a measurement or a plan they recorded, submitted or sent to
    /// review (off by default: four eyes hold for everyone). Every override is audited.
    #[must_use]
    pub fn four_eyes_admin_override(mut self, on: bool) -> Self {
        let set = Arc::make_mut(&mut self.0);
        set.plans.admin_override = on;
        set.results.admin_override = on;
        self
    }

    /// The hasher of machine-client secrets (the registry refuses writes without one).
    #[must_use]
    pub fn secret_hasher(mut self, hasher: Arc<dyn crate::ports::SecretHasher>) -> Self {
        let set = Arc::make_mut(&mut self.0);
        set.clients.hasher = hasher;
        set.access.clients.hasher = set.clients.hasher.clone();
        self
    }

    /// Whether storage answers (for readiness probes).
    ///
    /// # Errors
    /// [`DomainError::Store`] when it does not.
    pub async fn ready(&self) -> Result<(), DomainError> {
        Ok(self.store.ping().await?)
    }
}

/// What every use case holds.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
}

/// Fails with [`DomainError::StaleVersion`] when the client named a version (`If-Match`) that is
/// not the stored one.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<(), DomainError> {
    match expected {
        Some(v) if v != current => Err(DomainError::StaleVersion { current: Some(current) }),
        _ => Ok(()),
    }
}

/// Which administration's internal objects (projects, portfolios, stakeholders, assessments)
/// a list may return: `Some(None)` for all (an admin without a filter), `Some(Some(a))` for one,
/// `None` when the caller may see none (a donor, or someone naming another administration).
pub(crate) fn internal_scope(who: &Principal, administration: Option<AdministrationCode>) -> Option<Option<AdministrationCode>> {
    if who.is_admin() {
        return Some(administration);
    }
    match who.administration() {
        Some(own) if who.is_insider(own) && administration.is_none_or(|a| a == own) => Some(Some(own)),
        _ => None,
    }
}

/// Turns a lost optimistic-concurrency race into the client-facing error.
pub(crate) fn stale_on_race(e: StoreError) -> DomainError {
    match e {
        StoreError::VersionMismatch => DomainError::StaleVersion { current: None },
        other => DomainError::Store(other),
    }
}

/// One write to journal: the audit entry, the change-feed entry and the webhook deliveries it
/// causes, in the caller's transaction.
pub(crate) struct Journal<'a> {
    pub(crate) who: &'a Principal,
    pub(crate) at: chrono::DateTime<chrono::Utc>,
    pub(crate) administration: Option<AdministrationCode>,
    pub(crate) entity_type: EntityType,
    pub(crate) entity_id: String,
    pub(crate) operation: Operation,
    /// `create`, `update`, `delete` or a named action (`transition:approved`).
    pub(crate) action: String,
    /// Who may see the change in the feed and receive it as a webhook.
    pub(crate) audience: Audience,
}

impl Journal<'_> {
    pub(crate) async fn write(self, tx: &dyn Repositories, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> Result<(), DomainError> {
        let at = self.at;
        let (audit, change) = self.entries(before, after);
        tx.record_audit(&audit).await?;
        let seq = tx.record_change(&change).await?;
        webhooks::enqueue(tx, &ChangeRecord { seq, change }, at).await
    }

    /// The audit entry and the change-feed entry of this write.
    fn entries(self, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> (AuditEntry, Change) {
        let audit = AuditEntry {
            at: self.at,
            actor: self.who.subject().to_owned(),
            actor_role: self.who.role().as_str(),
            administration: self.administration,
            entity_type: self.entity_type,
            entity_id: self.entity_id.clone(),
            action: self.action.clone(),
            before,
            after,
        };
        let change = Change {
            at: self.at,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            operation: self.operation,
            action: self.action,
            administration: self.administration,
            audience: self.audience,
        };
        (audit, change)
    }
}

/// An audit entry with no change-feed entry: for writes that are not planning data (the client
/// registry, webhook subscriptions, an override of the four-eyes rule), which feed readers and
/// webhook receivers have no use for but an auditor needs.
pub(crate) struct AuditOnly<'a> {
    pub(crate) who: &'a Principal,
    pub(crate) at: chrono::DateTime<chrono::Utc>,
    pub(crate) administration: Option<AdministrationCode>,
    pub(crate) entity_type: EntityType,
    pub(crate) entity_id: String,
    pub(crate) action: &'a str,
}

impl AuditOnly<'_> {
    pub(crate) async fn write(self, tx: &dyn Repositories, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> Result<(), DomainError> {
        let entry = AuditEntry {
            at: self.at,
            actor: self.who.subject().to_owned(),
            actor_role: self.who.role().as_str(),
            administration: self.administration,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            action: self.action.to_owned(),
            before,
            after,
        };
        Ok(tx.record_audit(&entry).await?)
    }
}

/// Audits an admin's override of the four-eyes rule, beside the review it let through: an
/// entry of its own (`four_eyes_override`), naming the authors the reviewer was one of.
pub(crate) async fn record_override(
    tx: &dyn Repositories,
    who: &Principal,
    at: chrono::DateTime<chrono::Utc>,
    administration: Option<AdministrationCode>,
    entity_type: EntityType,
    entity_id: String,
    authors: serde_json::Value,
) -> Result<(), DomainError> {
    AuditOnly { who, at, administration, entity_type, entity_id, action: "four_eyes_override" }.write(tx, Some(authors), None).await
}

/// Journals many writes at once, as [`Journal::write`] does each (a bulk import): audit entries
/// and changes in as few statements as storage allows, webhook deliveries per change.
pub(crate) async fn write_journals(
    tx: &dyn Repositories,
    entries: Vec<(Journal<'_>, Option<serde_json::Value>, Option<serde_json::Value>)>,
) -> Result<(), DomainError> {
    if entries.is_empty() {
        return Ok(());
    }
    let at: Vec<_> = entries.iter().map(|(j, _, _)| j.at).collect();
    let (audits, changes): (Vec<AuditEntry>, Vec<Change>) = entries.into_iter().map(|(j, before, after)| j.entries(before, after)).unzip();
    tx.record_audits(&audits).await?;
    let seqs = tx.record_changes(&changes).await?;
    let records: Vec<ChangeRecord> = seqs.into_iter().zip(changes).map(|(seq, change)| ChangeRecord { seq, change }).collect();
    webhooks::enqueue_many(tx, &records, &at).await
}

/// A JSON snapshot for the audit trail.
pub(crate) fn snapshot<T: serde::Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}
