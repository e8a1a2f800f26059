//! Ports: what the core needs from the outside world, as traits the adapters implement.
//! Every repository method runs on one connection: the pool for plain reads, or the open
//! transaction of a [`UnitOfWork`] for a write and the reads it depends on.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    StoreError,
    assessment::CapabilityAssessment,
    audit::{AuditEntry, AuditFilter, AuditRecord, Change, ChangeRecord, FeedFilter},
    client::MachineClient,
    donor::Donor,
    funding::{Funding, FundingTransaction},
    idempotency::{IdempotencyKey, KeyRecord, StoredResponse},
    ids::{
        AssessmentId, ClientId, DeliveryId, EngagementId, FundingId, IndicatorDefinitionId, IndicatorId, MilestoneId, ObjectiveId, PlanId, PortfolioId,
        PracticeId, ProjectId, RiskId, StakeholderId, SubscriptionId,
    },
    indicator::{Indicator, IndicatorDefinition},
    measurement::{Measurement, Target, TargetPoint},
    objective::Objective,
    page::PageRequest,
    period::Period,
    plan::{Administration, PlanRevision, PlanStatus, StrategicPlan},
    portfolio::Portfolio,
    practice::{Practice, PracticeKind, PracticeStatus, Tag},
    project::{Milestone, Project, ProjectStatus},
    risk::Risk,
    stakeholder::{Engagement, Stakeholder},
    values::{AdministrationCode, DonorCode, ExternalRef},
    webhook::{Attempt, Delivery, DeliveryStatus, Subscription, SubscriptionOwner},
};

/// Which plans a list may return, decided by the use case from the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanVisibility {
    /// Every plan (admins).
    All,
    /// Every plan of this administration, and the disclosed plans of the others.
    InsiderOf(AdministrationCode),
    /// Disclosed plans only: active or closed, and not restricted.
    DisclosedOnly,
    /// Active or closed `public` plans (no token).
    PublicOnly,
    /// Disclosed plans, and the active or closed plans among these (a donor's funded ones,
    /// whatever their disclosure).
    DisclosedOrFunded(Vec<PlanId>),
}

/// Filters of the plan list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFilter {
    pub visibility: PlanVisibility,
    pub administration: Option<AdministrationCode>,
    pub status: Option<PlanStatus>,
}

#[async_trait]
pub trait AdministrationRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`] when storage fails.
    async fn administration(&self, code: AdministrationCode) -> Result<Option<Administration>, StoreError>;

    /// The administrations with these codes (missing ones are absent).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn administrations_by_codes(&self, codes: &[AdministrationCode]) -> Result<Vec<Administration>, StoreError>;

    /// Administrations ordered by code, after `page.after`, at most `page.fetch()` rows.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn list_administrations(&self, page: &PageRequest<AdministrationCode>) -> Result<Vec<Administration>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] when the code exists.
    async fn insert_administration(&self, administration: &Administration) -> Result<(), StoreError>;
}

#[async_trait]
pub trait PlanRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn plan(&self, id: PlanId) -> Result<Option<StrategicPlan>, StoreError>;

    /// The plans with these ids (missing ones are absent), in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn plans_by_ids(&self, ids: &[PlanId]) -> Result<Vec<StrategicPlan>, StoreError>;

    /// Plans matching `filter`, ordered by id, after `page.after`, at most `page.fetch()` rows.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_plans(&self, filter: &PlanFilter, page: &PageRequest<PlanId>) -> Result<Vec<StrategicPlan>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_plan(&self, plan: &StrategicPlan) -> Result<(), StoreError>;

    /// Stores `plan` (already at its new version) if the stored row is still at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::VersionMismatch`] when another write came first.
    async fn update_plan(&self, plan: &StrategicPlan, expected_version: i64) -> Result<(), StoreError>;

    /// Deletes the plan and, by cascade, everything in it.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_plan(&self, id: PlanId) -> Result<(), StoreError>;
}

#[async_trait]
pub trait ObjectiveRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn objective(&self, id: ObjectiveId) -> Result<Option<Objective>, StoreError>;

    /// The objectives with these ids, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn objectives_by_ids(&self, ids: &[ObjectiveId]) -> Result<Vec<Objective>, StoreError>;

    /// Every objective of these plans, in creation order, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn objectives_of_plans(&self, plans: &[PlanId]) -> Result<Vec<Objective>, StoreError>;

    /// The objective an administration's national system knows by `external_ref`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn objective_by_ref(&self, administration: AdministrationCode, external_ref: &ExternalRef) -> Result<Option<Objective>, StoreError>;

    /// The objectives of an administration with any of these references (for bulk imports).
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn objectives_by_refs(&self, administration: AdministrationCode, external_refs: &[ExternalRef]) -> Result<Vec<Objective>, StoreError>;

    /// The indicator of `administration` that a partner system knows as `external_ref`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn indicator_by_ref(&self, administration: AdministrationCode, external_ref: &ExternalRef) -> Result<Option<Indicator>, StoreError>;

    /// The indicators of `administration` that a partner system knows by these references.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn indicators_by_refs(&self, administration: AdministrationCode, external_refs: &[ExternalRef]) -> Result<Vec<Indicator>, StoreError>;

    /// Every objective of a plan (a plan holds tens, not thousands), in creation order.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn objectives_of_plan(&self, plan: PlanId) -> Result<Vec<Objective>, StoreError>;

    /// A page of a plan's objectives ordered by id.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_objectives(&self, plan: PlanId, page: &PageRequest<ObjectiveId>) -> Result<Vec<Objective>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] for a code taken in the plan or an external ref taken in the
    /// administration.
    async fn insert_objective(&self, objective: &Objective) -> Result<(), StoreError>;

    /// Inserts many objectives at once (multi-row statements).
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when a code or reference is taken: then none is inserted.
    async fn insert_objectives(&self, objectives: &[Objective]) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`], [`StoreError::Duplicate`].
    async fn update_objective(&self, objective: &Objective, expected_version: i64) -> Result<(), StoreError>;

    /// Deletes objectives (and by cascade their indicators, targets and measurements).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_objectives(&self, ids: &[ObjectiveId]) -> Result<(), StoreError>;
}

/// Which indicators a list returns to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorVisibility {
    All,
    /// Only those not restricted.
    SharedOnly,
    /// Only `public` ones (no token).
    PublicOnly,
}

#[async_trait]
pub trait IndicatorRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn indicator(&self, id: IndicatorId) -> Result<Option<Indicator>, StoreError>;

    /// The indicators with these ids, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn indicators_by_ids(&self, ids: &[IndicatorId]) -> Result<Vec<Indicator>, StoreError>;

    /// Every indicator of these objectives, in creation order, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn indicators_of_objectives(&self, objectives: &[ObjectiveId]) -> Result<Vec<Indicator>, StoreError>;

    /// Every indicator that adopts a catalogue entry, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn indicators_of_definition(&self, definition: IndicatorDefinitionId) -> Result<Vec<Indicator>, StoreError>;

    /// Every indicator of a plan visible as asked, in creation order.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn indicators_of_plan(&self, plan: PlanId, visibility: IndicatorVisibility) -> Result<Vec<Indicator>, StoreError>;

    /// A page of an objective's indicators ordered by id.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_indicators(
        &self,
        objective: ObjectiveId,
        visibility: IndicatorVisibility,
        page: &PageRequest<IndicatorId>,
    ) -> Result<Vec<Indicator>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] for an external ref taken in the administration.
    async fn insert_indicator(&self, indicator: &Indicator) -> Result<(), StoreError>;

    /// Inserts many indicators at once (multi-row statements).
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when a reference is taken: then none is inserted.
    async fn insert_indicators(&self, indicators: &[Indicator]) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`], [`StoreError::Duplicate`].
    async fn update_indicator(&self, indicator: &Indicator, expected_version: i64) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_indicator(&self, id: IndicatorId) -> Result<(), StoreError>;
}

#[async_trait]
pub trait DefinitionRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn definition(&self, id: IndicatorDefinitionId) -> Result<Option<IndicatorDefinition>, StoreError>;

    /// The catalogue entries with these ids, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn definitions_by_ids(&self, ids: &[IndicatorDefinitionId]) -> Result<Vec<IndicatorDefinition>, StoreError>;

    /// Catalogue entries ordered by code, after `page.after`, at most `page.fetch()` rows.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_definitions(&self, page: &PageRequest<String>) -> Result<Vec<IndicatorDefinition>, StoreError>;

    /// Inserts entries whose id is not stored yet; leaves the others.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn ensure_definitions(&self, definitions: &[IndicatorDefinition]) -> Result<(), StoreError>;
}

#[async_trait]
pub trait ResultRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn target(&self, indicator: IndicatorId, period: Period) -> Result<Option<Target>, StoreError>;

    /// Every target of the given indicators.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn targets_of(&self, indicators: &[IndicatorId]) -> Result<Vec<Target>, StoreError>;

    /// The period and value of every target of the given indicators: what progress needs,
    /// without the rest of the record.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn target_points_of(&self, indicators: &[IndicatorId]) -> Result<Vec<TargetPoint>, StoreError>;

    /// Every target of a plan's indicators.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn targets_of_plan(&self, plan: PlanId) -> Result<Vec<Target>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] when the period already has a target.
    async fn insert_target(&self, target: &Target) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_target(&self, target: &Target, expected_version: i64) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn measurement(&self, indicator: IndicatorId, period: Period) -> Result<Option<Measurement>, StoreError>;

    /// One measurement by its id (the id the change feed names it by).
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn measurement_by_id(&self, id: crate::ids::MeasurementId) -> Result<Option<Measurement>, StoreError>;

    /// Every measurement of the given indicators.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn measurements_of(&self, indicators: &[IndicatorId]) -> Result<Vec<Measurement>, StoreError>;

    /// The latest approved measurement (the one with an approved value and the latest period)
    /// of each of the given indicators that has one: one row per indicator, whatever the
    /// length of its history.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn latest_approved_of(&self, indicators: &[IndicatorId]) -> Result<Vec<Measurement>, StoreError>;

    /// The measurements of these (indicator, period) pairs that exist.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn measurements_at(&self, keys: &[(IndicatorId, Period)]) -> Result<Vec<Measurement>, StoreError>;

    /// Inserts many new measurements at once (a bulk import).
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when a period already has a measurement.
    async fn insert_measurements(&self, measurements: &[Measurement]) -> Result<(), StoreError>;

    /// Every measurement of a plan's indicators.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn measurements_of_plan(&self, plan: PlanId) -> Result<Vec<Measurement>, StoreError>;

    /// A page of an indicator's measurements ordered by period; `approved_only` keeps those
    /// with an approved value.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_measurements(&self, indicator: IndicatorId, approved_only: bool, page: &PageRequest<Period>) -> Result<Vec<Measurement>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] when the period already has a measurement.
    async fn insert_measurement(&self, measurement: &Measurement) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_measurement(&self, measurement: &Measurement, expected_version: i64) -> Result<(), StoreError>;
}

#[async_trait]
pub trait AssessmentRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn assessment(&self, id: AssessmentId) -> Result<Option<CapabilityAssessment>, StoreError>;

    /// Assessments (of one administration, or all), by date then id, after `page.after`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_assessments(
        &self,
        administration: Option<AdministrationCode>,
        page: &PageRequest<AssessmentId>,
    ) -> Result<Vec<CapabilityAssessment>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_assessment(&self, assessment: &CapabilityAssessment) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_assessment(&self, assessment: &CapabilityAssessment, expected_version: i64) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_assessment(&self, id: AssessmentId) -> Result<(), StoreError>;
}

/// Which practices a list may return, decided by the use case from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PracticeVisibility {
    All,
    /// Published ones, and this administration's drafts.
    InsiderOf(AdministrationCode),
    PublishedOnly,
    /// Published `public` practices (no token).
    PublicOnly,
    /// Every published practice, whatever its disclosure (checked one by one afterwards).
    Published,
}

/// Filters of the practice library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeFilter {
    pub visibility: PracticeVisibility,
    pub administration: Option<AdministrationCode>,
    pub kind: Option<PracticeKind>,
    pub status: Option<PracticeStatus>,
    pub tag: Option<Tag>,
    /// Every term must start a word of the practice (see [`crate::practice::search_terms`]).
    pub terms: Vec<String>,
}

#[async_trait]
pub trait PracticeRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn practice(&self, id: PracticeId) -> Result<Option<Practice>, StoreError>;

    /// Practices matching `filter`, by id, after `page.after`, at most `page.fetch()` rows.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_practices(&self, filter: &PracticeFilter, page: &PageRequest<PracticeId>) -> Result<Vec<Practice>, StoreError>;

    /// Stores a new practice with its search terms.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_practice(&self, practice: &Practice) -> Result<(), StoreError>;

    /// Stores `practice` and its search terms if the row is still at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_practice(&self, practice: &Practice, expected_version: i64) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_practice(&self, id: PracticeId) -> Result<(), StoreError>;
}

#[async_trait]
pub trait DonorRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn donor(&self, code: &DonorCode) -> Result<Option<Donor>, StoreError>;

    /// Donors by code, after `page.after`, at most `page.fetch()` rows.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_donors(&self, page: &PageRequest<DonorCode>) -> Result<Vec<Donor>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] when the code is taken.
    async fn insert_donor(&self, donor: &Donor) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_donor(&self, donor: &Donor, expected_version: i64) -> Result<(), StoreError>;
}

#[async_trait]
pub trait ProjectRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn project(&self, id: ProjectId) -> Result<Option<Project>, StoreError>;

    /// Projects (of one administration, or all) with an optional status and portfolio, by id.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_projects(
        &self,
        administration: Option<AdministrationCode>,
        status: Option<ProjectStatus>,
        portfolio: Option<PortfolioId>,
        page: &PageRequest<ProjectId>,
    ) -> Result<Vec<Project>, StoreError>;

    /// The project an administration's system knows by `external_ref`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn project_by_ref(&self, administration: AdministrationCode, external_ref: &ExternalRef) -> Result<Option<Project>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] for a code or external ref taken in the administration.
    async fn insert_project(&self, project: &Project) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`], [`StoreError::Duplicate`].
    async fn update_project(&self, project: &Project, expected_version: i64) -> Result<(), StoreError>;

    /// Deletes the project and its milestones.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_project(&self, id: ProjectId) -> Result<(), StoreError>;

    /// Every milestone of these projects, by due date, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn milestones_of(&self, projects: &[ProjectId]) -> Result<Vec<Milestone>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn milestone(&self, id: MilestoneId) -> Result<Option<Milestone>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_milestone(&self, milestone: &Milestone) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_milestone(&self, milestone: &Milestone, expected_version: i64) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_milestone(&self, id: MilestoneId) -> Result<(), StoreError>;
}

#[async_trait]
pub trait FundingRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn funding(&self, id: FundingId) -> Result<Option<Funding>, StoreError>;

    /// Every funding of these projects, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn fundings_of_projects(&self, projects: &[ProjectId]) -> Result<Vec<Funding>, StoreError>;

    /// The objectives linked to the projects `donor` funds (each once).
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn objectives_funded_by(&self, donor: &DonorCode) -> Result<Vec<ObjectiveId>, StoreError>;

    /// Every funding of a donor.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn fundings_of_donor(&self, donor: &DonorCode) -> Result<Vec<Funding>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_funding(&self, funding: &Funding) -> Result<(), StoreError>;

    /// Every transaction of these fundings, by date, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn transactions_of(&self, fundings: &[FundingId]) -> Result<Vec<FundingTransaction>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_transaction(&self, transaction: &FundingTransaction) -> Result<(), StoreError>;
}

#[async_trait]
pub trait RiskRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn risk(&self, id: RiskId) -> Result<Option<Risk>, StoreError>;

    /// Every risk on these projects, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn risks_of_projects(&self, projects: &[ProjectId]) -> Result<Vec<Risk>, StoreError>;

    /// Every risk on these objectives, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn risks_of_objectives(&self, objectives: &[ObjectiveId]) -> Result<Vec<Risk>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_risk(&self, risk: &Risk) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_risk(&self, risk: &Risk, expected_version: i64) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_risk(&self, id: RiskId) -> Result<(), StoreError>;
}

#[async_trait]
pub trait StakeholderRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn stakeholder(&self, id: StakeholderId) -> Result<Option<Stakeholder>, StoreError>;

    /// Stakeholders (of one administration, or all), by id, after `page.after`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_stakeholders(&self, administration: Option<AdministrationCode>, page: &PageRequest<StakeholderId>) -> Result<Vec<Stakeholder>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_stakeholder(&self, stakeholder: &Stakeholder) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`].
    async fn update_stakeholder(&self, stakeholder: &Stakeholder, expected_version: i64) -> Result<(), StoreError>;

    /// Deletes a stakeholder and its engagements.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_stakeholder(&self, id: StakeholderId) -> Result<(), StoreError>;

    /// Every engagement of these stakeholders, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn engagements_of(&self, stakeholders: &[StakeholderId]) -> Result<Vec<Engagement>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn engagement(&self, id: EngagementId) -> Result<Option<Engagement>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] when the stakeholder is engaged on that subject already.
    async fn insert_engagement(&self, engagement: &Engagement) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_engagement(&self, id: EngagementId) -> Result<(), StoreError>;
}

#[async_trait]
pub trait PortfolioRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn portfolio(&self, id: PortfolioId) -> Result<Option<Portfolio>, StoreError>;

    /// These portfolios, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn portfolios_by_ids(&self, ids: &[PortfolioId]) -> Result<Vec<Portfolio>, StoreError>;

    /// Portfolios (of one administration, or all), by id, after `page.after`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_portfolios(&self, administration: Option<AdministrationCode>, page: &PageRequest<PortfolioId>) -> Result<Vec<Portfolio>, StoreError>;

    /// # Errors
    /// [`StoreError::Duplicate`] when the code is taken in the administration.
    async fn insert_portfolio(&self, portfolio: &Portfolio) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::VersionMismatch`], [`StoreError::Duplicate`].
    async fn update_portfolio(&self, portfolio: &Portfolio, expected_version: i64) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`] (also while a project still belongs to it).
    async fn delete_portfolio(&self, id: PortfolioId) -> Result<(), StoreError>;

    /// Every project of these portfolios, by id, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn projects_in_portfolios(&self, portfolios: &[PortfolioId]) -> Result<Vec<Project>, StoreError>;
}

#[async_trait]
pub trait RevisionRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Duplicate`] when the number is taken.
    async fn insert_revision(&self, revision: &PlanRevision) -> Result<(), StoreError>;

    /// Every revision of these plans, by plan and number, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn revisions_of_plans(&self, plans: &[PlanId]) -> Result<Vec<PlanRevision>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn revision(&self, plan: PlanId, number: i32) -> Result<Option<PlanRevision>, StoreError>;
}

#[async_trait]
pub trait JournalRepository: Send + Sync {
    /// Appends an audit entry.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// Audit entries matching `filter`, newest first, before `page.after`, at most
    /// `page.fetch()` rows.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_audit(&self, filter: &AuditFilter, page: &PageRequest<i64>) -> Result<Vec<AuditRecord>, StoreError>;

    /// Appends a change-feed entry and returns its sequence number. Sequence numbers become
    /// visible in increasing order: a reader never sees a change while an earlier-numbered one
    /// can still commit (storage serialises the writers of the feed).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn record_change(&self, change: &Change) -> Result<i64, StoreError>;

    /// Appends many audit entries at once (a bulk import), in order.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn record_audits(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;

    /// Appends many change-feed entries at once, in order, and returns their sequence numbers
    /// in the same order (as [`Self::record_change`] for each).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn record_changes(&self, changes: &[Change]) -> Result<Vec<i64>, StoreError>;

    /// Changes after sequence number `after` that `filter` admits, in sequence order, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn changes_after(&self, filter: &FeedFilter, after: i64, limit: u64) -> Result<Vec<ChangeRecord>, StoreError>;

    /// The sequence number of the latest change (0 when there is none).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn latest_change(&self) -> Result<i64, StoreError>;

    /// The sequence number of the latest change of each of these administrations (0 for one
    /// without any): what a cache of their data is checked against.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn latest_changes_of(&self, administrations: &[AdministrationCode]) -> Result<Vec<(AdministrationCode, i64)>, StoreError>;
}

#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn subscription(&self, id: SubscriptionId) -> Result<Option<Subscription>, StoreError>;

    /// The subscriptions of one owner (every one when `None`), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn subscriptions(&self, owner: Option<&SubscriptionOwner>) -> Result<Vec<Subscription>, StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_subscription(&self, s: &Subscription) -> Result<(), StoreError>;

    /// Saves `s` if the stored version is still `expected`.
    ///
    /// # Errors
    /// [`StoreError::VersionMismatch`], [`StoreError::Backend`].
    async fn update_subscription(&self, s: &Subscription, expected: i64) -> Result<(), StoreError>;

    /// Deletes a subscription with its deliveries and their attempts.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn delete_subscription(&self, id: SubscriptionId) -> Result<(), StoreError>;

    /// Puts a delivery in the outbox.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_delivery(&self, d: &Delivery) -> Result<(), StoreError>;

    /// Takes up to `limit` pending deliveries of active subscriptions that are due at `now` and
    /// held by no worker (or whose holder's lease has passed), and holds them until `until`.
    /// Concurrent callers never take the same delivery (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn claim_deliveries(&self, now: DateTime<Utc>, until: DateTime<Utc>, limit: u64) -> Result<Vec<Delivery>, StoreError>;

    /// Saves a delivery's state if it is still held with the lease `held_until` (a worker whose
    /// lease passed and was taken over does not overwrite its successor).
    ///
    /// # Errors
    /// [`StoreError::VersionMismatch`] when the lease was lost, [`StoreError::Backend`].
    async fn settle_delivery(&self, d: &Delivery, held_until: DateTime<Utc>) -> Result<(), StoreError>;

    /// # Errors
    /// [`StoreError::Backend`].
    async fn record_attempt(&self, a: &Attempt) -> Result<(), StoreError>;

    /// A subscription's deliveries, newest first, before `page.after`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn deliveries_of(
        &self,
        subscription: SubscriptionId,
        status: Option<DeliveryStatus>,
        page: &PageRequest<DeliveryId>,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// The attempts at these deliveries, in order.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn attempts_of(&self, deliveries: &[DeliveryId]) -> Result<Vec<Attempt>, StoreError>;
}

/// The machine-client registry.
#[async_trait]
pub trait ClientRepository: Send + Sync {
    /// The client with its secrets.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn client(&self, id: ClientId) -> Result<Option<MachineClient>, StoreError>;

    /// The clients of one administration (`Some`), or every client (`None`), oldest first, at
    /// most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn list_clients(&self, administration: Option<AdministrationCode>, limit: u64) -> Result<Vec<MachineClient>, StoreError>;

    /// Inserts the client and its secrets.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn insert_client(&self, client: &MachineClient) -> Result<(), StoreError>;

    /// Stores the client's new state and replaces its secrets with `client.secrets`.
    ///
    /// # Errors
    /// [`StoreError::VersionMismatch`] when the stored row is not at `expected_version`.
    async fn update_client(&self, client: &MachineClient, expected_version: i64) -> Result<(), StoreError>;
}

/// Hashes and checks secrets (slow on purpose: a stolen hash must be costly to guess from).
#[async_trait]
pub trait SecretHasher: Send + Sync {
    /// The PHC string of a fresh salted hash of `secret`.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when hashing fails.
    async fn hash(&self, secret: String) -> Result<String, StoreError>;

    /// Whether `secret` matches one of `hashes`; spends the same time when `hashes` is empty,
    /// so that an unknown client cannot be told from a wrong secret by timing.
    async fn verify_any(&self, secret: String, hashes: Vec<String>) -> bool;
}

#[async_trait]
pub trait IdempotencyRepository: Send + Sync {
    /// Stores `record` (a new key, in flight) unless the client already has this key; then
    /// returns the stored one and changes nothing.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    async fn claim_key(&self, record: &KeyRecord) -> Result<Option<KeyRecord>, StoreError>;

    /// Replaces a key that no longer binds (`stale`, as read) with `record`.
    ///
    /// # Errors
    /// [`StoreError::VersionMismatch`] when another request replaced it first, [`StoreError::Backend`].
    async fn replace_key(&self, stale: &KeyRecord, record: &KeyRecord) -> Result<(), StoreError>;

    /// Keeps the answer of the request that holds the key.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn finish_key(&self, client: &str, key: &IdempotencyKey, response: &StoredResponse) -> Result<(), StoreError>;

    /// Forgets a key whose request ended without an answer worth keeping.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn release_key(&self, client: &str, key: &IdempotencyKey) -> Result<(), StoreError>;

    /// Deletes the keys that expired before `now`.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn purge_keys(&self, now: DateTime<Utc>) -> Result<(), StoreError>;
}

/// Every repository, on one connection.
pub trait Repositories:
    AdministrationRepository
    + PlanRepository
    + ObjectiveRepository
    + IndicatorRepository
    + DefinitionRepository
    + ResultRepository
    + RevisionRepository
    + AssessmentRepository
    + PracticeRepository
    + DonorRepository
    + ProjectRepository
    + FundingRepository
    + RiskRepository
    + StakeholderRepository
    + PortfolioRepository
    + JournalRepository
    + WebhookRepository
    + IdempotencyRepository
    + ClientRepository
{
}

impl<T> Repositories for T where
    T: AdministrationRepository
        + PlanRepository
        + ObjectiveRepository
        + IndicatorRepository
        + DefinitionRepository
        + ResultRepository
        + RevisionRepository
        + AssessmentRepository
        + PracticeRepository
        + DonorRepository
        + ProjectRepository
        + FundingRepository
        + RiskRepository
        + StakeholderRepository
        + PortfolioRepository
        + JournalRepository
        + WebhookRepository
        + IdempotencyRepository
        + ClientRepository
{
}

/// An open write transaction: dropped without [`UnitOfWork::commit`], it rolls back.
#[async_trait]
pub trait UnitOfWork: Repositories {
    /// # Errors
    /// [`StoreError::Backend`] when the commit fails; nothing was written then.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;

    /// A transaction inside this one (a savepoint): committing it keeps its writes in this
    /// transaction; dropping it undoes them and leaves this transaction usable.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn savepoint(&self) -> Result<Box<dyn UnitOfWork>, StoreError>;
}

/// The storage as a whole.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Repositories for plain reads.
    fn read(&self) -> &dyn Repositories;

    /// Opens a write transaction (on SQLite, one that holds the write lock from its start).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError>;

    /// Checks that the database answers.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn ping(&self) -> Result<(), StoreError>;
}

/// The current time, injectable so tests control it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The changes of the feed as they commit, in this process or in any other on the same database:
/// what live updates (GraphQL subscriptions) follow. Nothing is filtered here; readers apply the
/// feed's visibility rule to each change.
#[async_trait]
pub trait ChangeStream: Send + Sync + 'static {
    /// Follows the changes committed from now on, in sequence order.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the current position cannot be read.
    async fn follow(&self) -> Result<Box<dyn ChangeFollower>, StoreError>;
}

/// One reader of a [`ChangeStream`].
#[async_trait]
pub trait ChangeFollower: Send {
    /// The next change; `None` once the stream has ended (the server is stopping). A reader
    /// too slow to keep up skips the changes it fell behind on rather than holding others up.
    async fn next(&mut self) -> Option<ChangeRecord>;
}
