//! The mutation root: every write of the REST face, through the same use cases. Optimistic
//! concurrency takes the `version` the client read (the REST `If-Match`).

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use domain::{
    assessment::AssessmentInput,
    donor::DonorInput,
    funding::{FundingInput, TransactionInput},
    ids::{AssessmentId, EngagementId, FundingId, IndicatorId, MilestoneId, ObjectiveId, PlanId, PortfolioId, PracticeId, ProjectId, RiskId, StakeholderId},
    indicator::IndicatorInput,
    measurement::MeasurementInput,
    objective::ObjectiveInput,
    plan::{AdministrationInput, PlanInput},
    portfolio::PortfolioInput,
    practice::PracticeInput,
    project::{MilestoneInput, ProjectInput},
    risk::{RiskInput, RiskSubject},
    services::{PlanTransition, ReviewRequest, Services, Upserted},
    stakeholder::{EngagementSubject, StakeholderInput},
};

use super::{
    errors::OrGql,
    types::{
        Administration, CapabilityAssessment, CapabilityDimension, Direction, Disclosure, Donor, EngagementRole, Frequency, Indicator, Measure, Measurement,
        Milestone, Objective, ObjectiveLevel, Plan, PlanStatus, Portfolio, Practice, PracticeKind, PracticeStatus, Project, ProjectStatus, ReviewStatus, Risk,
        RiskStatus, Stakeholder, StakeholderKind, Target, global_id, uuid_of, who,
    },
};

#[derive(Default)]
pub struct CoreMutation;

/// One translation of a multilingual text.
#[derive(InputObject)]
pub struct TranslationInput {
    /// BCP 47 language tag (`es`, `uk`, `es-BO`).
    pub lang: String,
    pub text: String,
}

fn pairs(v: Vec<TranslationInput>) -> Vec<(String, String)> {
    v.into_iter().map(|t| (t.lang, t.text)).collect()
}

/// `undefined` keeps, `null` clears, a value sets.
fn nullable<T, U>(v: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

#[derive(InputObject)]
pub struct CreateAdministrationInput {
    /// ISO 3166-1 alpha-3 code.
    pub code: String,
    pub name: Vec<TranslationInput>,
    pub default_language: String,
}

#[derive(InputObject)]
pub struct CreatePlanInput {
    /// Only admins name the administration; everyone else creates in their own.
    pub administration: Option<String>,
    pub title: Vec<TranslationInput>,
    pub vision: Option<Vec<TranslationInput>>,
    pub mission: Option<Vec<TranslationInput>>,
    pub start_year: i32,
    pub end_year: i32,
    pub disclosure: Option<Disclosure>,
    pub national_plan_ref: Option<String>,
    /// Decimal text (default `0.9`).
    pub on_track_threshold: Option<String>,
    pub at_risk_threshold: Option<String>,
    pub maintain_tolerance: Option<String>,
}

#[derive(InputObject)]
pub struct UpdatePlanInput {
    pub title: Option<Vec<TranslationInput>>,
    pub vision: MaybeUndefined<Vec<TranslationInput>>,
    pub mission: MaybeUndefined<Vec<TranslationInput>>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub disclosure: Option<Disclosure>,
    pub national_plan_ref: MaybeUndefined<String>,
    pub on_track_threshold: Option<String>,
    pub at_risk_threshold: Option<String>,
    pub maintain_tolerance: Option<String>,
}

impl From<UpdatePlanInput> for PlanInput {
    fn from(i: UpdatePlanInput) -> Self {
        Self {
            title: i.title.map(pairs),
            vision: nullable(i.vision, pairs),
            mission: nullable(i.mission, pairs),
            start_year: i.start_year,
            end_year: i.end_year,
            disclosure: i.disclosure.map(|v| v.text()),
            national_plan_ref: nullable(i.national_plan_ref, |s| s),
            on_track_threshold: i.on_track_threshold,
            at_risk_threshold: i.at_risk_threshold,
            maintain_tolerance: i.maintain_tolerance,
        }
    }
}

impl From<CreatePlanInput> for PlanInput {
    fn from(i: CreatePlanInput) -> Self {
        Self {
            title: Some(pairs(i.title)),
            vision: Some(i.vision.map(pairs)),
            mission: Some(i.mission.map(pairs)),
            start_year: Some(i.start_year),
            end_year: Some(i.end_year),
            disclosure: i.disclosure.map(|v| v.text()),
            national_plan_ref: Some(i.national_plan_ref),
            on_track_threshold: i.on_track_threshold,
            at_risk_threshold: i.at_risk_threshold,
            maintain_tolerance: i.maintain_tolerance,
        }
    }
}

#[derive(InputObject)]
pub struct CreateObjectiveInput {
    pub parent_id: Option<ID>,
    pub code: String,
    pub title: Vec<TranslationInput>,
    pub description: Option<Vec<TranslationInput>>,
    pub level: Option<ObjectiveLevel>,
    /// Decimal text, > 0 (default 1).
    pub weight: Option<String>,
    pub external_ref: Option<String>,
}

fn objective_key(id: &ID) -> Result<String> {
    Ok(uuid_of("Objective", id)?.to_string())
}

impl CreateObjectiveInput {
    fn into_input(self) -> Result<ObjectiveInput> {
        Ok(ObjectiveInput {
            parent_id: Some(self.parent_id.as_ref().map(objective_key).transpose()?),
            code: Some(self.code),
            title: Some(pairs(self.title)),
            description: Some(self.description.map(pairs)),
            level: self.level.map(|v| v.text()),
            weight: self.weight,
            external_ref: Some(self.external_ref),
        })
    }
}

#[derive(InputObject)]
pub struct UpdateObjectiveInput {
    pub parent_id: MaybeUndefined<ID>,
    pub code: Option<String>,
    pub title: Option<Vec<TranslationInput>>,
    pub description: MaybeUndefined<Vec<TranslationInput>>,
    pub level: Option<ObjectiveLevel>,
    pub weight: Option<String>,
    pub external_ref: MaybeUndefined<String>,
}

impl UpdateObjectiveInput {
    fn into_input(self) -> Result<ObjectiveInput> {
        let parent_id = match self.parent_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(id) => Some(Some(objective_key(&id)?)),
        };
        Ok(ObjectiveInput {
            parent_id,
            code: self.code,
            title: self.title.map(pairs),
            description: nullable(self.description, pairs),
            level: self.level.map(|v| v.text()),
            weight: self.weight,
            external_ref: nullable(self.external_ref, |s| s),
        })
    }
}

#[derive(InputObject)]
pub struct CreateIndicatorInput {
    /// A catalogue entry to adopt (global id or UUID); it supplies name, measure, direction and unit.
    pub definition_id: Option<ID>,
    pub name: Option<Vec<TranslationInput>>,
    pub description: Option<Vec<TranslationInput>>,
    pub measure: Option<Measure>,
    pub unit: Option<String>,
    pub direction: Option<Direction>,
    /// Decimal text.
    pub baseline_value: String,
    pub baseline_period: String,
    pub frequency: Frequency,
    pub data_source: Option<String>,
    pub means_of_verification: Option<String>,
    pub weight: Option<String>,
    pub disclosure: Option<Disclosure>,
    pub external_ref: Option<String>,
}

fn definition_key(id: &ID) -> Result<String> {
    Ok(uuid_of("IndicatorDefinition", id)?.to_string())
}

impl CreateIndicatorInput {
    fn into_input(self) -> Result<IndicatorInput> {
        Ok(IndicatorInput {
            definition_id: Some(self.definition_id.as_ref().map(definition_key).transpose()?),
            name: self.name.map(pairs),
            description: Some(self.description.map(pairs)),
            measure: self.measure.map(|v| v.text()),
            unit: Some(self.unit),
            direction: self.direction.map(|v| v.text()),
            baseline_value: Some(self.baseline_value),
            baseline_period: Some(self.baseline_period),
            frequency: Some(self.frequency.text()),
            data_source: Some(self.data_source),
            means_of_verification: Some(self.means_of_verification),
            weight: self.weight,
            disclosure: self.disclosure.map(|v| v.text()),
            external_ref: Some(self.external_ref),
        })
    }
}

#[derive(InputObject)]
pub struct UpdateIndicatorInput {
    pub definition_id: MaybeUndefined<ID>,
    pub name: Option<Vec<TranslationInput>>,
    pub description: MaybeUndefined<Vec<TranslationInput>>,
    pub measure: Option<Measure>,
    pub unit: MaybeUndefined<String>,
    pub direction: Option<Direction>,
    pub baseline_value: Option<String>,
    pub baseline_period: Option<String>,
    pub frequency: Option<Frequency>,
    pub data_source: MaybeUndefined<String>,
    pub means_of_verification: MaybeUndefined<String>,
    pub weight: Option<String>,
    pub disclosure: Option<Disclosure>,
    pub external_ref: MaybeUndefined<String>,
}

impl UpdateIndicatorInput {
    fn into_input(self) -> Result<IndicatorInput> {
        let definition_id = match self.definition_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(id) => Some(Some(definition_key(&id)?)),
        };
        Ok(IndicatorInput {
            definition_id,
            name: self.name.map(pairs),
            description: nullable(self.description, pairs),
            measure: self.measure.map(|v| v.text()),
            unit: nullable(self.unit, |s| s),
            direction: self.direction.map(|v| v.text()),
            baseline_value: self.baseline_value,
            baseline_period: self.baseline_period,
            frequency: self.frequency.map(|v| v.text()),
            data_source: nullable(self.data_source, |s| s),
            means_of_verification: nullable(self.means_of_verification, |s| s),
            weight: self.weight,
            disclosure: self.disclosure.map(|v| v.text()),
            external_ref: nullable(self.external_ref, |s| s),
        })
    }
}

#[derive(InputObject)]
pub struct RecordMeasurementInput {
    /// Decimal text.
    pub value: String,
    pub source: Option<String>,
    pub evidence_url: Option<String>,
    pub comment: Option<String>,
}

/// A maturity level of one dimension.
#[derive(InputObject)]
pub struct MaturityInput {
    pub dimension: CapabilityDimension,
    /// 1 (initial) to 5 (optimised).
    pub level: i32,
}

/// An exact amount in one currency.
#[derive(InputObject)]
pub struct MoneyInput {
    /// Decimal text.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

#[derive(InputObject)]
pub struct CreateAssessmentInput {
    /// Only admins name the administration.
    pub administration: Option<String>,
    /// `YYYY-MM-DD`.
    pub assessed_on: String,
    pub maturity: Vec<MaturityInput>,
    pub staff: Option<i64>,
    pub annual_budget: Option<MoneyInput>,
    pub notes: Option<Vec<TranslationInput>>,
}

#[derive(InputObject)]
pub struct UpdateAssessmentInput {
    pub assessed_on: Option<String>,
    /// Replaces the whole set of levels.
    pub maturity: Option<Vec<MaturityInput>>,
    pub staff: MaybeUndefined<i64>,
    pub annual_budget: MaybeUndefined<MoneyInput>,
    pub notes: MaybeUndefined<Vec<TranslationInput>>,
}

fn levels(v: Vec<MaturityInput>) -> Vec<(String, i64)> {
    v.into_iter().map(|m| (m.dimension.text(), i64::from(m.level))).collect()
}

#[derive(InputObject)]
pub struct CreatePracticeInput {
    /// Only admins name the administration.
    pub administration: Option<String>,
    pub kind: PracticeKind,
    pub title: Vec<TranslationInput>,
    pub body: Vec<TranslationInput>,
    pub tags: Option<Vec<String>>,
    /// Objectives of your administration (global ids or UUIDs).
    pub objective_ids: Option<Vec<ID>>,
    /// Who reads it once published (default `PROGRAMME`).
    pub disclosure: Option<Disclosure>,
}

#[derive(InputObject)]
pub struct UpdatePracticeInput {
    pub kind: Option<PracticeKind>,
    pub title: Option<Vec<TranslationInput>>,
    pub body: Option<Vec<TranslationInput>>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
    /// Replaces the linked objectives.
    pub objective_ids: Option<Vec<ID>>,
    pub disclosure: Option<Disclosure>,
}

fn objective_keys(ids: Option<Vec<ID>>) -> Result<Option<Vec<String>>> {
    ids.map(|v| v.iter().map(objective_key).collect()).transpose()
}

#[derive(InputObject)]
pub struct CreateDonorInput {
    pub code: String,
    pub name: Vec<TranslationInput>,
    pub iati_org_id: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateDonorInput {
    pub name: Option<Vec<TranslationInput>>,
    pub iati_org_id: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CreateProjectInput {
    /// Only admins name the administration.
    pub administration: Option<String>,
    pub code: String,
    pub title: Vec<TranslationInput>,
    pub description: Option<Vec<TranslationInput>>,
    /// `YYYY-MM-DD`.
    pub planned_start: String,
    pub planned_end: String,
    pub budget: Option<MoneyInput>,
    /// Objectives of your administration (at least one).
    pub objective_ids: Vec<ID>,
    /// The portfolio of your administration it belongs to.
    pub portfolio_id: Option<ID>,
    pub external_ref: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateProjectInput {
    pub code: Option<String>,
    pub title: Option<Vec<TranslationInput>>,
    pub description: MaybeUndefined<Vec<TranslationInput>>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub budget: MaybeUndefined<MoneyInput>,
    pub objective_ids: Option<Vec<ID>>,
    /// Moves the project into this portfolio; null takes it out of any.
    pub portfolio_id: MaybeUndefined<ID>,
    pub external_ref: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct PortfolioInputGql {
    /// Only admins name the administration (on create).
    pub administration: Option<String>,
    pub code: Option<String>,
    pub title: Option<Vec<TranslationInput>>,
    pub description: MaybeUndefined<Vec<TranslationInput>>,
}

#[derive(InputObject)]
pub struct MilestoneInputGql {
    pub title: Option<Vec<TranslationInput>>,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// The date it was completed; null reopens it.
    pub completed_on: MaybeUndefined<String>,
}

/// A portfolio's global id as the domain's raw input.
fn portfolio_key(id: Option<ID>) -> Result<Option<String>> {
    id.map(|id| uuid_of("Portfolio", &id).map(|u| u.to_string())).transpose()
}

fn money_parts(m: MaybeUndefined<MoneyInput>) -> (Option<Option<String>>, Option<Option<String>>) {
    match m {
        MaybeUndefined::Undefined => (None, None),
        MaybeUndefined::Null => (Some(None), Some(None)),
        MaybeUndefined::Value(m) => (Some(Some(m.amount)), Some(Some(m.currency))),
    }
}

#[derive(InputObject)]
pub struct RiskInputGql {
    pub title: Option<Vec<TranslationInput>>,
    /// 1 to 5.
    pub likelihood: Option<i32>,
    /// 1 to 5.
    pub impact: Option<i32>,
    pub mitigation: MaybeUndefined<Vec<TranslationInput>>,
    pub owner: MaybeUndefined<String>,
    pub status: Option<RiskStatus>,
}

impl From<RiskInputGql> for RiskInput {
    fn from(i: RiskInputGql) -> Self {
        Self {
            title: i.title.map(pairs),
            likelihood: i.likelihood.map(i64::from),
            impact: i.impact.map(i64::from),
            mitigation: nullable(i.mitigation, pairs),
            owner: nullable(i.owner, |s| s),
            status: i.status.map(|s| s.text()),
        }
    }
}

#[derive(InputObject)]
pub struct StakeholderInputGql {
    /// Only admins name the administration (on create).
    pub administration: Option<String>,
    pub name: Option<Vec<TranslationInput>>,
    pub kind: Option<StakeholderKind>,
    pub contact: MaybeUndefined<String>,
}

impl StakeholderInputGql {
    fn raw(self) -> (Option<String>, StakeholderInput) {
        (self.administration, StakeholderInput { name: self.name.map(pairs), kind: self.kind.map(|k| k.text()), contact: nullable(self.contact, |s| s) })
    }
}

/// What an upsert did.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum UpsertOutcome {
    Created,
    Updated,
    Unchanged,
}

impl From<Upserted> for UpsertOutcome {
    fn from(u: Upserted) -> Self {
        match u {
            Upserted::Created => Self::Created,
            Upserted::Updated => Self::Updated,
            Upserted::Unchanged => Self::Unchanged,
        }
    }
}

#[derive(SimpleObject)]
pub struct UpsertProjectPayload {
    pub project: Project,
    pub outcome: UpsertOutcome,
}

#[derive(SimpleObject)]
pub struct UpsertObjectivePayload {
    pub objective: Objective,
    pub outcome: UpsertOutcome,
}

fn services<'a>(ctx: &Context<'a>) -> Result<&'a Services> {
    ctx.data::<Services>()
}

#[Object]
impl CoreMutation {
    /// Registers an administration (admins only).
    async fn create_administration(&self, ctx: &Context<'_>, input: CreateAdministrationInput) -> Result<Administration> {
        let input = AdministrationInput { code: input.code, name: pairs(input.name), default_language: input.default_language };
        Ok(Administration(services(ctx)?.administrations.create(who(ctx)?, &input).await.gql()?))
    }

    /// Creates a draft plan.
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> Result<Plan> {
        let administration = input.administration.clone();
        let plan = services(ctx)?.plans.create(who(ctx)?, administration.as_deref(), &input.into()).await.gql()?;
        Ok(Plan(plan))
    }

    /// Changes the given fields; `version` makes it fail with `CONFLICT` if someone changed it since.
    async fn update_plan(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: UpdatePlanInput) -> Result<Plan> {
        let id = PlanId::from_uuid(uuid_of("Plan", &id)?);
        Ok(Plan(services(ctx)?.plans.update(who(ctx)?, id, &input.into(), version).await.gql()?))
    }

    /// Deletes a draft plan with everything in it; returns its id.
    async fn delete_plan(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = PlanId::from_uuid(uuid_of("Plan", &id)?);
        services(ctx)?.plans.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Plan", uuid))
    }

    /// Moves a plan through its lifecycle.
    async fn transition_plan(&self, ctx: &Context<'_>, id: ID, to: PlanStatus, version: Option<i64>) -> Result<Plan> {
        let id = PlanId::from_uuid(uuid_of("Plan", &id)?);
        Ok(Plan(services(ctx)?.plans.transition(who(ctx)?, id, PlanTransition { to: to.into() }, version).await.gql()?))
    }

    async fn create_objective(&self, ctx: &Context<'_>, plan_id: ID, input: CreateObjectiveInput) -> Result<Objective> {
        let plan = PlanId::from_uuid(uuid_of("Plan", &plan_id)?);
        Ok(Objective(services(ctx)?.objectives.create(who(ctx)?, plan, &input.into_input()?).await.gql()?))
    }

    async fn update_objective(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: UpdateObjectiveInput) -> Result<Objective> {
        let id = ObjectiveId::from_uuid(uuid_of("Objective", &id)?);
        Ok(Objective(services(ctx)?.objectives.update(who(ctx)?, id, &input.into_input()?, version).await.gql()?))
    }

    /// Deletes an objective with what is below it; returns its id.
    async fn delete_objective(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = ObjectiveId::from_uuid(uuid_of("Objective", &id)?);
        services(ctx)?.objectives.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Objective", uuid))
    }

    /// Creates or updates the objective your national system knows as `externalRef` (idempotent).
    async fn upsert_objective_by_ref(
        &self,
        ctx: &Context<'_>,
        external_ref: String,
        plan_id: ID,
        input: CreateObjectiveInput,
    ) -> Result<UpsertObjectivePayload> {
        let plan = uuid_of("Plan", &plan_id)?.to_string();
        let mut input = input.into_input()?;
        input.external_ref = None;
        let (o, outcome) = services(ctx)?.objectives.upsert_by_ref(who(ctx)?, &external_ref, &plan, &input).await.gql()?;
        Ok(UpsertObjectivePayload { objective: Objective(o), outcome: outcome.into() })
    }

    async fn create_indicator(&self, ctx: &Context<'_>, objective_id: ID, input: CreateIndicatorInput) -> Result<Indicator> {
        let objective = ObjectiveId::from_uuid(uuid_of("Objective", &objective_id)?);
        Ok(Indicator(services(ctx)?.indicators.create(who(ctx)?, objective, &input.into_input()?).await.gql()?))
    }

    async fn update_indicator(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: UpdateIndicatorInput) -> Result<Indicator> {
        let id = IndicatorId::from_uuid(uuid_of("Indicator", &id)?);
        Ok(Indicator(services(ctx)?.indicators.update(who(ctx)?, id, &input.into_input()?, version).await.gql()?))
    }

    async fn delete_indicator(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = IndicatorId::from_uuid(uuid_of("Indicator", &id)?);
        services(ctx)?.indicators.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Indicator", uuid))
    }

    /// Records a capability assessment of the caller's administration.
    async fn create_assessment(&self, ctx: &Context<'_>, input: CreateAssessmentInput) -> Result<CapabilityAssessment> {
        let administration = input.administration.clone();
        let (amount, currency) = match input.annual_budget {
            Some(m) => (Some(m.amount), Some(m.currency)),
            None => (None, None),
        };
        let raw = AssessmentInput {
            assessed_on: Some(input.assessed_on),
            maturity: Some(levels(input.maturity)),
            staff: Some(input.staff),
            annual_budget_amount: Some(amount),
            annual_budget_currency: Some(currency),
            notes: Some(input.notes.map(pairs)),
        };
        Ok(CapabilityAssessment(services(ctx)?.assessments.create(who(ctx)?, administration.as_deref(), &raw).await.gql()?))
    }

    async fn update_assessment(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: UpdateAssessmentInput) -> Result<CapabilityAssessment> {
        let id = AssessmentId::from_uuid(uuid_of("CapabilityAssessment", &id)?);
        let (amount, currency) = match input.annual_budget {
            MaybeUndefined::Undefined => (None, None),
            MaybeUndefined::Null => (Some(None), Some(None)),
            MaybeUndefined::Value(m) => (Some(Some(m.amount)), Some(Some(m.currency))),
        };
        let raw = AssessmentInput {
            assessed_on: input.assessed_on,
            maturity: input.maturity.map(levels),
            staff: nullable(input.staff, |s| s),
            annual_budget_amount: amount,
            annual_budget_currency: currency,
            notes: nullable(input.notes, pairs),
        };
        Ok(CapabilityAssessment(services(ctx)?.assessments.update(who(ctx)?, id, &raw, version).await.gql()?))
    }

    /// Deletes an assessment; returns its id.
    async fn delete_assessment(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = AssessmentId::from_uuid(uuid_of("CapabilityAssessment", &id)?);
        services(ctx)?.assessments.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("CapabilityAssessment", uuid))
    }

    /// Writes a draft practice for the library.
    async fn create_practice(&self, ctx: &Context<'_>, input: CreatePracticeInput) -> Result<Practice> {
        let raw = PracticeInput {
            kind: Some(input.kind.text()),
            title: Some(pairs(input.title)),
            body: Some(pairs(input.body)),
            tags: input.tags,
            objective_ids: objective_keys(input.objective_ids)?,
            disclosure: input.disclosure.map(|v| v.text()),
        };
        Ok(Practice(services(ctx)?.practices.create(who(ctx)?, input.administration.as_deref(), &raw).await.gql()?))
    }

    async fn update_practice(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: UpdatePracticeInput) -> Result<Practice> {
        let id = PracticeId::from_uuid(uuid_of("Practice", &id)?);
        let raw = PracticeInput {
            kind: input.kind.map(|k| k.text()),
            title: input.title.map(pairs),
            body: input.body.map(pairs),
            tags: input.tags,
            objective_ids: objective_keys(input.objective_ids)?,
            disclosure: input.disclosure.map(|v| v.text()),
        };
        Ok(Practice(services(ctx)?.practices.update(who(ctx)?, id, &raw, version).await.gql()?))
    }

    /// Publishes a practice (`PUBLISHED`) or withdraws it (`DRAFT`).
    async fn transition_practice(&self, ctx: &Context<'_>, id: ID, to: PracticeStatus, version: Option<i64>) -> Result<Practice> {
        let id = PracticeId::from_uuid(uuid_of("Practice", &id)?);
        Ok(Practice(services(ctx)?.practices.transition(who(ctx)?, id, to.into(), version).await.gql()?))
    }

    async fn delete_practice(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = PracticeId::from_uuid(uuid_of("Practice", &id)?);
        services(ctx)?.practices.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Practice", uuid))
    }

    /// Proposes a project contributing to objectives of your administration.
    async fn create_project(&self, ctx: &Context<'_>, input: CreateProjectInput) -> Result<Project> {
        let (amount, currency) = match input.budget {
            Some(m) => (Some(m.amount), Some(m.currency)),
            None => (None, None),
        };
        let raw = ProjectInput {
            code: Some(input.code),
            title: Some(pairs(input.title)),
            description: Some(input.description.map(pairs)),
            planned_start: Some(input.planned_start),
            planned_end: Some(input.planned_end),
            budget_amount: Some(amount),
            budget_currency: Some(currency),
            objective_ids: objective_keys(Some(input.objective_ids))?,
            portfolio_id: Some(portfolio_key(input.portfolio_id)?),
            external_ref: Some(input.external_ref),
        };
        Ok(Project(services(ctx)?.projects.create(who(ctx)?, input.administration.as_deref(), &raw).await.gql()?))
    }

    async fn update_project(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: UpdateProjectInput) -> Result<Project> {
        let id = ProjectId::from_uuid(uuid_of("Project", &id)?);
        let (amount, currency) = money_parts(input.budget);
        let raw = ProjectInput {
            code: input.code,
            title: input.title.map(pairs),
            description: nullable(input.description, pairs),
            planned_start: input.planned_start,
            planned_end: input.planned_end,
            budget_amount: amount,
            budget_currency: currency,
            objective_ids: objective_keys(input.objective_ids)?,
            portfolio_id: match input.portfolio_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(portfolio_key(Some(id))?),
            },
            external_ref: nullable(input.external_ref, |s| s),
        };
        Ok(Project(services(ctx)?.projects.update(who(ctx)?, id, &raw, version).await.gql()?))
    }

    /// Creates or updates the project your national system knows as `externalRef` (idempotent).
    async fn upsert_project_by_ref(&self, ctx: &Context<'_>, external_ref: String, input: CreateProjectInput) -> Result<UpsertProjectPayload> {
        let (amount, currency) = match input.budget {
            Some(m) => (Some(m.amount), Some(m.currency)),
            None => (None, None),
        };
        let raw = ProjectInput {
            code: Some(input.code),
            title: Some(pairs(input.title)),
            description: Some(input.description.map(pairs)),
            planned_start: Some(input.planned_start),
            planned_end: Some(input.planned_end),
            budget_amount: Some(amount),
            budget_currency: Some(currency),
            objective_ids: objective_keys(Some(input.objective_ids))?,
            portfolio_id: Some(portfolio_key(input.portfolio_id)?),
            external_ref: None,
        };
        let (p, outcome) = services(ctx)?.projects.upsert_by_ref(who(ctx)?, &external_ref, input.administration.as_deref(), &raw).await.gql()?;
        Ok(UpsertProjectPayload { project: Project(p), outcome: outcome.into() })
    }

    /// Moves a project through its lifecycle.
    async fn transition_project(&self, ctx: &Context<'_>, id: ID, to: ProjectStatus, version: Option<i64>) -> Result<Project> {
        let id = ProjectId::from_uuid(uuid_of("Project", &id)?);
        Ok(Project(services(ctx)?.projects.transition(who(ctx)?, id, to.into(), version).await.gql()?))
    }

    async fn delete_project(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = ProjectId::from_uuid(uuid_of("Project", &id)?);
        services(ctx)?.projects.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Project", uuid))
    }

    /// Adds a milestone to an open project.
    async fn add_milestone(&self, ctx: &Context<'_>, project_id: ID, input: MilestoneInputGql) -> Result<Milestone> {
        let id = ProjectId::from_uuid(uuid_of("Project", &project_id)?);
        let raw = MilestoneInput { title: input.title.map(pairs), due_on: input.due_on, completed_on: nullable(input.completed_on, |s| s) };
        let s = services(ctx)?;
        Ok(Milestone(s.projects.add_milestone(who(ctx)?, id, &raw).await.gql()?, s.projects.today()))
    }

    async fn update_milestone(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: MilestoneInputGql) -> Result<Milestone> {
        let id = MilestoneId::from_uuid(uuid_of("Milestone", &id)?);
        let raw = MilestoneInput { title: input.title.map(pairs), due_on: input.due_on, completed_on: nullable(input.completed_on, |s| s) };
        let s = services(ctx)?;
        Ok(Milestone(s.projects.update_milestone(who(ctx)?, id, &raw, version).await.gql()?, s.projects.today()))
    }

    async fn delete_milestone(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = MilestoneId::from_uuid(uuid_of("Milestone", &id)?);
        services(ctx)?.projects.delete_milestone(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Milestone", uuid))
    }

    /// Records a donor's commitment to a project.
    async fn commit_funding(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        donor: String,
        committed: MoneyInput,
        allow_over_disbursement: Option<bool>,
    ) -> Result<ID> {
        let id = ProjectId::from_uuid(uuid_of("Project", &project_id)?);
        let raw = FundingInput { donor: Some(donor), committed_amount: Some(committed.amount), currency: Some(committed.currency), allow_over_disbursement };
        let f = services(ctx)?.fundings.commit(who(ctx)?, id, &raw).await.gql()?;
        Ok(global_id("Funding", f.id))
    }

    /// Records an IATI-typed transaction against a funding (`kind`: `disbursement`, ...).
    async fn record_transaction(
        &self,
        ctx: &Context<'_>,
        funding_id: ID,
        kind: String,
        date: String,
        amount: String,
        description: Option<String>,
    ) -> Result<ID> {
        let id = FundingId::from_uuid(uuid_of("Funding", &funding_id)?);
        let raw = TransactionInput { kind: Some(kind), date: Some(date), amount: Some(amount), description };
        let (_, t) = services(ctx)?.fundings.record(who(ctx)?, id, &raw).await.gql()?;
        Ok(global_id("Transaction", t.id))
    }

    /// Records a risk on a project (`projectId`) or an objective (`objectiveId`).
    async fn add_risk(&self, ctx: &Context<'_>, project_id: Option<ID>, objective_id: Option<ID>, input: RiskInputGql) -> Result<Risk> {
        let subject = match (project_id, objective_id) {
            (Some(p), None) => RiskSubject::Project(ProjectId::from_uuid(uuid_of("Project", &p)?)),
            (None, Some(o)) => RiskSubject::Objective(ObjectiveId::from_uuid(uuid_of("Objective", &o)?)),
            _ => return Err(super::errors::invalid("projectId", "name either a project or an objective")),
        };
        Ok(Risk(services(ctx)?.risks.add(who(ctx)?, subject, &input.into()).await.gql()?))
    }

    async fn update_risk(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: RiskInputGql) -> Result<Risk> {
        let id = RiskId::from_uuid(uuid_of("Risk", &id)?);
        Ok(Risk(services(ctx)?.risks.update(who(ctx)?, id, &input.into(), version).await.gql()?))
    }

    async fn delete_risk(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = RiskId::from_uuid(uuid_of("Risk", &id)?);
        services(ctx)?.risks.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Risk", uuid))
    }

    /// Creates a portfolio of the caller's administration.
    async fn create_portfolio(&self, ctx: &Context<'_>, input: PortfolioInputGql) -> Result<Portfolio> {
        let raw = PortfolioInput { code: input.code, title: input.title.map(pairs), description: nullable(input.description, pairs) };
        Ok(Portfolio(services(ctx)?.portfolios.create(who(ctx)?, input.administration.as_deref(), &raw).await.gql()?))
    }

    async fn update_portfolio(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: PortfolioInputGql) -> Result<Portfolio> {
        let id = PortfolioId::from_uuid(uuid_of("Portfolio", &id)?);
        let raw = PortfolioInput { code: input.code, title: input.title.map(pairs), description: nullable(input.description, pairs) };
        Ok(Portfolio(services(ctx)?.portfolios.update(who(ctx)?, id, &raw, version).await.gql()?))
    }

    /// Deletes an empty portfolio (`CONFLICT` while projects belong to it); returns its id.
    async fn delete_portfolio(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = PortfolioId::from_uuid(uuid_of("Portfolio", &id)?);
        services(ctx)?.portfolios.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Portfolio", uuid))
    }

    /// Registers a stakeholder of the caller's administration.
    async fn create_stakeholder(&self, ctx: &Context<'_>, input: StakeholderInputGql) -> Result<Stakeholder> {
        let (administration, raw) = input.raw();
        Ok(Stakeholder(services(ctx)?.stakeholders.create(who(ctx)?, administration.as_deref(), &raw).await.gql()?))
    }

    async fn update_stakeholder(&self, ctx: &Context<'_>, id: ID, version: Option<i64>, input: StakeholderInputGql) -> Result<Stakeholder> {
        let id = StakeholderId::from_uuid(uuid_of("Stakeholder", &id)?);
        let (_, raw) = input.raw();
        Ok(Stakeholder(services(ctx)?.stakeholders.update(who(ctx)?, id, &raw, version).await.gql()?))
    }

    async fn delete_stakeholder(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<ID> {
        let uuid = StakeholderId::from_uuid(uuid_of("Stakeholder", &id)?);
        services(ctx)?.stakeholders.delete(who(ctx)?, uuid, version).await.gql()?;
        Ok(global_id("Stakeholder", uuid))
    }

    /// Gives a stakeholder a role on an objective (`objectiveId`) or a project (`projectId`).
    async fn engage_stakeholder(
        &self,
        ctx: &Context<'_>,
        stakeholder_id: ID,
        objective_id: Option<ID>,
        project_id: Option<ID>,
        role: EngagementRole,
    ) -> Result<ID> {
        let stakeholder = StakeholderId::from_uuid(uuid_of("Stakeholder", &stakeholder_id)?);
        let subject = match (objective_id, project_id) {
            (Some(o), None) => EngagementSubject::Objective(ObjectiveId::from_uuid(uuid_of("Objective", &o)?)),
            (None, Some(p)) => EngagementSubject::Project(ProjectId::from_uuid(uuid_of("Project", &p)?)),
            _ => return Err(super::errors::invalid("objectiveId", "name either an objective or a project")),
        };
        let e = services(ctx)?.stakeholders.engage(who(ctx)?, stakeholder, subject, role.into()).await.gql()?;
        Ok(global_id("Engagement", e.id))
    }

    /// Ends an engagement.
    async fn disengage_stakeholder(&self, ctx: &Context<'_>, engagement_id: ID) -> Result<ID> {
        let id = EngagementId::from_uuid(uuid_of("Engagement", &engagement_id)?);
        services(ctx)?.stakeholders.disengage(who(ctx)?, id).await.gql()?;
        Ok(global_id("Engagement", id))
    }

    /// Registers a donor (admins only).
    async fn create_donor(&self, ctx: &Context<'_>, input: CreateDonorInput) -> Result<Donor> {
        let raw = DonorInput { code: Some(input.code), name: Some(pairs(input.name)), iati_org_id: Some(input.iati_org_id) };
        Ok(Donor(services(ctx)?.donors.create(who(ctx)?, &raw).await.gql()?))
    }

    /// Changes a donor's name or IATI identifier (admins only).
    async fn update_donor(&self, ctx: &Context<'_>, code: String, version: Option<i64>, input: UpdateDonorInput) -> Result<Donor> {
        let raw = DonorInput { code: None, name: input.name.map(pairs), iati_org_id: nullable(input.iati_org_id, |s| s) };
        Ok(Donor(services(ctx)?.donors.update(who(ctx)?, &code, &raw, version).await.gql()?))
    }

    /// Sets the target of a period (`2026`, `2026-Q2`, `2026-05`).
    async fn set_target(&self, ctx: &Context<'_>, indicator_id: ID, period: String, value: String, version: Option<i64>) -> Result<Target> {
        let id = IndicatorId::from_uuid(uuid_of("Indicator", &indicator_id)?);
        Ok(Target(services(ctx)?.results.put_target(who(ctx)?, id, &period, &value, version).await.gql()?.0))
    }

    /// Records the actual value of a period; a new value starts its review as draft.
    async fn record_measurement(
        &self,
        ctx: &Context<'_>,
        indicator_id: ID,
        period: String,
        input: RecordMeasurementInput,
        version: Option<i64>,
    ) -> Result<Measurement> {
        let id = IndicatorId::from_uuid(uuid_of("Indicator", &indicator_id)?);
        let input = MeasurementInput { value: Some(input.value), source: input.source, evidence_url: input.evidence_url, comment: input.comment };
        Ok(Measurement(services(ctx)?.results.put_measurement(who(ctx)?, id, &period, &input, version).await.gql()?.0))
    }

    /// Moves a measurement through its review (four eyes for approving and returning).
    async fn review_measurement(
        &self,
        ctx: &Context<'_>,
        indicator_id: ID,
        period: String,
        to: ReviewStatus,
        reason: Option<String>,
        version: Option<i64>,
    ) -> Result<Measurement> {
        let id = IndicatorId::from_uuid(uuid_of("Indicator", &indicator_id)?);
        let request = ReviewRequest { to: to.into(), reason };
        Ok(Measurement(services(ctx)?.results.review(who(ctx)?, id, &period, &request, version).await.gql()?))
    }
}
