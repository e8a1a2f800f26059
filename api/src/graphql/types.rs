//! The GraphQL object types: thin views over domain entities whose relations resolve through
//! the request's DataLoaders and whose computed fields come from the domain.

use std::{collections::BTreeMap, sync::Arc};

use async_graphql::{Context, Enum, ID, Interface, Object, Result, SimpleObject, dataloader::DataLoader};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use domain::{
    ids::{IndicatorDefinitionId, IndicatorId, ObjectiveId, PlanId, PortfolioId, ProjectId, StakeholderId},
    indicator as di, measurement as dm, objective as dobj, plan as dp,
    principal::Principal,
    progress::{RagStatus as DRag, RollUp as DRollUp, SeriesPoint, Standing},
    services::{ObjectiveScore as DObjectiveScore, PlanResults},
    text::{LanguageTag, LocalizedText},
    values::{AdministrationCode, Disclosure as DDisclosure},
};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    errors::{invalid, unauthenticated},
    loaders::{
        AdministrationLoader, DefinitionLoader, EngagementsOfStakeholder, FundingsOfProject, IndicatorLoader, MeasurementsOfIndicator, MilestonesOfProject,
        ObjectiveLoader, Once, PlanLoader, PortfolioLoader, ProjectsOfPortfolio, ResultsOfPlan, RevisionsOfPlan, RisksOfObjective, RisksOfProject,
        SeriesOfIndicator, SummaryOfPortfolio, TargetsOfIndicator,
    },
};
use crate::extract::Lang;

// ------------------------------------------------------------------ request helpers

/// The verified caller, or `UNAUTHENTICATED`.
pub fn who<'a>(ctx: &Context<'a>) -> Result<&'a Arc<Principal>> {
    ctx.data_opt::<Arc<Principal>>().ok_or_else(|| unauthenticated("send `Authorization: Bearer <token>`"))
}

/// A loader of this request (present whenever the caller is).
pub fn loader<'a, T: Send + Sync + 'static>(ctx: &Context<'a>) -> Result<&'a DataLoader<T>> {
    who(ctx)?;
    Ok(ctx.data::<Arc<DataLoader<T>>>()?.as_ref())
}

/// The best text for the reader: the `lang` argument, else the request's `Accept-Language`,
/// then the administration's language (through the batched loader), then English.
async fn pick(ctx: &Context<'_>, lang: Option<&str>, administration: Option<AdministrationCode>, text: &LocalizedText) -> Result<String> {
    let mut wanted = Vec::new();
    if let Some(l) = lang {
        wanted.push(LanguageTag::parse(l).map_err(|e| invalid("lang", e.message))?);
    }
    wanted.extend(ctx.data::<Lang>()?.0.iter().cloned());
    let default = match administration {
        Some(code) => {
            let administrations = loader::<Once<AdministrationCode, AdministrationLoader>>(ctx)?;
            match administrations.loader().peek(&code) {
                Some(a) => Some(a.default_language),
                None => administrations.load_one(code).await?.map(|a| a.default_language),
            }
        }
        None => None,
    };
    Ok(text.best(&wanted, &default.unwrap_or_else(LanguageTag::english)).1.to_owned())
}

async fn opt_pick(ctx: &Context<'_>, lang: Option<&str>, administration: Option<AdministrationCode>, text: Option<&LocalizedText>) -> Result<Option<String>> {
    match text {
        Some(t) => pick(ctx, lang, administration, t).await.map(Some),
        None => Ok(None),
    }
}

/// One translation of a multilingual text.
#[derive(SimpleObject, Clone)]
pub struct Translation {
    /// BCP 47 language tag.
    pub lang: String,
    pub text: String,
}

fn translations(text: &LocalizedText) -> Vec<Translation> {
    text.iter().map(|(k, v)| Translation { lang: k.to_string(), text: v.to_owned() }).collect()
}

/// The results of a plan, read once per request with every other plan asked for.
async fn results_of(ctx: &Context<'_>, plan: PlanId) -> Result<Option<Arc<PlanResults>>> {
    let results = loader::<Once<PlanId, ResultsOfPlan>>(ctx)?;
    if let Some(loaded) = results.loader().peek(&plan) {
        return Ok(Some(loaded));
    }
    Ok(results.load_one(plan).await?)
}

/// The plan's objectives that `keep` keeps, in the order they were created.
async fn objectives_of(ctx: &Context<'_>, plan: PlanId, keep: impl Fn(&dobj::Objective) -> bool) -> Result<Vec<Objective>> {
    let results = results_of(ctx, plan).await?;
    let mut found: Vec<&dobj::Objective> =
        results.as_ref().map(|r| r.scorecard.objectives.iter().map(|s| &s.objective).filter(|o| keep(o)).collect()).unwrap_or_default();
    found.sort_by_key(|o| o.id);
    Ok(found.into_iter().cloned().map(Objective).collect())
}

fn dec(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

// ------------------------------------------------------------------ global ids

/// A Relay global id: opaque, naming the type and the key.
pub fn global_id(kind: &str, key: impl std::fmt::Display) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// Splits a global id into its type and key.
pub fn decode_global_id(id: &str) -> Option<(String, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, key) = text.split_once(':')?;
    Some((kind.to_owned(), key.to_owned()))
}

/// Accepts a global id of `kind` or a plain UUID.
pub fn uuid_of(kind: &str, id: &ID) -> Result<Uuid> {
    if let Ok(u) = Uuid::parse_str(id) {
        return Ok(u);
    }
    match decode_global_id(id) {
        Some((k, key)) if k == kind => Uuid::parse_str(&key).map_err(|_| invalid("id", "not an id of this API")),
        _ => Err(invalid("id", format!("not a {kind} id"))),
    }
}

// ------------------------------------------------------------------ enums

macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident = $domain:path { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
        pub enum $name { $($variant),+ }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => <$domain>::$variant),+ }
            }
        }

        impl $name {
            /// The name the domain parses (`under_review`).
            pub fn text(self) -> String {
                <$domain>::from(self).as_str().to_owned()
            }
        }
    };
}

mirror_enum!(
    /// Lifecycle of a plan.
    PlanStatus = dp::PlanStatus { Draft, UnderReview, Approved, Active, Closed }
);
mirror_enum!(
    /// Who may read an object outside its administration.
    Disclosure = DDisclosure { Public, Programme, Restricted }
);
mirror_enum!(
    /// Results level.
    ObjectiveLevel = dobj::ObjectiveLevel { Impact, Outcome, Output }
);
mirror_enum!(
    /// What an indicator's values mean.
    Measure = di::Measure { Unit, Percentage, Currency, DurationHours, Ordinal, Qualitative }
);
mirror_enum!(
    /// Which way is better.
    Direction = di::Direction { Increase, Decrease, Maintain }
);
mirror_enum!(
    /// How often an indicator is measured.
    Frequency = di::Frequency { Annual, Quarterly, Monthly }
);
mirror_enum!(
    /// WCO Performance Measurement Mechanism dimension.
    PmmDimension = di::PmmDimension { TradeFacilitation, RevenueCollection, Enforcement, OrganisationalDevelopment }
);
mirror_enum!(
    /// Review status of a measurement.
    ReviewStatus = dm::ReviewStatus { Draft, Submitted, Approved, Returned }
);
mirror_enum!(
    /// A capability assessed in a capability assessment.
    CapabilityDimension = domain::assessment::CapabilityDimension {
        StrategicManagement,
        RiskManagement,
        InformationTechnology,
        HumanResources,
        Integrity,
        TradeFacilitation,
        StakeholderCooperation
    }
);
mirror_enum!(
    /// What kind of knowledge a practice shares.
    PracticeKind = domain::practice::PracticeKind { BestPractice, Challenge, Opportunity, LessonLearned }
);
mirror_enum!(
    /// Whether a practice is shared yet.
    PracticeStatus = domain::practice::PracticeStatus { Draft, Published }
);
mirror_enum!(
    /// Lifecycle of a project.
    ProjectStatus = domain::project::ProjectStatus { Proposed, Approved, InProgress, OnHold, Completed, Cancelled }
);
mirror_enum!(
    /// Where a risk stands.
    RiskStatus = domain::risk::RiskStatus { Open, Mitigated, Occurred, Closed }
);
mirror_enum!(
    /// What kind of party a stakeholder is.
    StakeholderKind = domain::stakeholder::StakeholderKind { PrivateSector, GovernmentAgency, InternationalOrganisation, CivilSociety, Academia, Other }
);
mirror_enum!(
    /// A stakeholder's role on an objective or a project.
    EngagementRole = domain::stakeholder::EngagementRole { Owner, Involved, Consulted, Informed, Beneficiary }
);
mirror_enum!(
    /// RAG status.
    RagStatus = DRag { OnTrack, AtRisk, OffTrack, NoData }
);

// ------------------------------------------------------------------ Node

/// An object with a global id (Relay).
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id"))]
pub enum Node {
    Administration(Administration),
    Plan(Plan),
    Objective(Objective),
    Indicator(Indicator),
    IndicatorDefinition(IndicatorDefinition),
}

// ------------------------------------------------------------------ Administration

pub struct Administration(pub dp::Administration);

/// A Customs administration, the tenant.
#[Object]
impl Administration {
    async fn id(&self) -> ID {
        global_id("Administration", self.0.code)
    }
    /// ISO 3166-1 alpha-3 code.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn name(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.code), &self.0.name).await
    }
    async fn name_translations(&self) -> Vec<Translation> {
        translations(&self.0.name)
    }
    async fn default_language(&self) -> String {
        self.0.default_language.to_string()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

// ------------------------------------------------------------------ Plan

pub struct Plan(pub dp::StrategicPlan);

/// Thresholds of the RAG status.
#[derive(SimpleObject)]
pub struct Thresholds {
    pub on_track: String,
    pub at_risk: String,
    pub maintain_tolerance: String,
}

/// A multi-annual strategic plan of one administration.
#[Object]
impl Plan {
    async fn id(&self) -> ID {
        global_id("Plan", self.0.id)
    }
    /// The id used by the REST API.
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn administration_code(&self) -> &str {
        self.0.administration.as_str()
    }
    async fn administration(&self, ctx: &Context<'_>) -> Result<Option<Administration>> {
        Ok(loader::<Once<AdministrationCode, AdministrationLoader>>(ctx)?.load_one(self.0.administration).await?.map(Administration))
    }
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.title).await
    }
    async fn title_translations(&self) -> Vec<Translation> {
        translations(&self.0.title)
    }
    async fn vision(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<Option<String>> {
        opt_pick(ctx, lang.as_deref(), Some(self.0.administration), self.0.vision.as_ref()).await
    }
    async fn vision_translations(&self) -> Vec<Translation> {
        self.0.vision.as_ref().map(translations).unwrap_or_default()
    }
    async fn mission(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<Option<String>> {
        opt_pick(ctx, lang.as_deref(), Some(self.0.administration), self.0.mission.as_ref()).await
    }
    async fn mission_translations(&self) -> Vec<Translation> {
        self.0.mission.as_ref().map(translations).unwrap_or_default()
    }
    async fn start_year(&self) -> i32 {
        self.0.start_year
    }
    async fn end_year(&self) -> i32 {
        self.0.end_year
    }
    async fn status(&self) -> PlanStatus {
        self.0.status.into()
    }
    /// The statuses this plan may move to next.
    async fn allowed_transitions(&self) -> Vec<PlanStatus> {
        self.0.status.successors().iter().map(|s| (*s).into()).collect()
    }
    async fn disclosure(&self) -> Disclosure {
        self.0.disclosure.into()
    }
    async fn national_plan_ref(&self) -> Option<&str> {
        self.0.national_plan_ref.as_deref()
    }
    async fn thresholds(&self) -> Thresholds {
        let t = self.0.thresholds;
        Thresholds { on_track: t.on_track.to_string(), at_risk: t.at_risk.to_string(), maintain_tolerance: t.tolerance.to_string() }
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Every objective of the plan, flat (with `parent`); `topLevelOnly` keeps the roots.
    #[graphql(complexity = "super::cost::list(super::cost::OBJECTIVES, child_complexity)")]
    async fn objectives(&self, ctx: &Context<'_>, top_level_only: Option<bool>) -> Result<Vec<Objective>> {
        let top_level_only = top_level_only.unwrap_or(false);
        objectives_of(ctx, self.0.id, |o| !top_level_only || o.parent_id.is_none()).await
    }
    /// The plan as it was at each status transition, oldest first (empty outside its
    /// administration).
    #[graphql(complexity = "super::cost::list(super::cost::REVISIONS, child_complexity)")]
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<PlanRevision>> {
        Ok(loader::<Once<PlanId, RevisionsOfPlan>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default().into_iter().map(PlanRevision).collect())
    }
    /// Plan and objective roll-ups, status counts and indicators without data.
    async fn scorecard(&self, ctx: &Context<'_>) -> Result<Option<Scorecard>> {
        Ok(results_of(ctx, self.0.id).await?.map(Scorecard))
    }
    /// The plan's progress: the weighted roll-up of its top-level objectives.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<RollUp>> {
        Ok(results_of(ctx, self.0.id).await?.map(|r| RollUp(r.scorecard.rollup.clone())))
    }
}

// ------------------------------------------------------------------ Objective

pub struct Objective(pub dobj::Objective);

/// A strategic or specific objective of a plan.
#[Object]
impl Objective {
    async fn id(&self) -> ID {
        global_id("Objective", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        Ok(loader::<Once<PlanId, PlanLoader>>(ctx)?.load_one(self.0.plan_id).await?.map(Plan))
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Objective>> {
        match self.0.parent_id {
            Some(p) => Ok(loader::<Once<ObjectiveId, ObjectiveLoader>>(ctx)?.load_one(p).await?.map(Objective)),
            None => Ok(None),
        }
    }
    #[graphql(complexity = "super::cost::list(super::cost::OBJECTIVES, child_complexity)")]
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Objective>> {
        objectives_of(ctx, self.0.plan_id, |o| o.parent_id == Some(self.0.id)).await
    }
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.title).await
    }
    async fn title_translations(&self) -> Vec<Translation> {
        translations(&self.0.title)
    }
    async fn description(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<Option<String>> {
        opt_pick(ctx, lang.as_deref(), Some(self.0.administration), self.0.description.as_ref()).await
    }
    async fn description_translations(&self) -> Vec<Translation> {
        self.0.description.as_ref().map(translations).unwrap_or_default()
    }
    async fn level(&self) -> ObjectiveLevel {
        self.0.level.into()
    }
    async fn weight(&self) -> String {
        self.0.weight.get().to_string()
    }
    async fn external_ref(&self) -> Option<String> {
        self.0.external_ref.as_ref().map(ToString::to_string)
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    #[graphql(complexity = "super::cost::list(super::cost::INDICATORS, child_complexity)")]
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        let results = results_of(ctx, self.0.plan_id).await?;
        let scores = results.as_ref().and_then(|r| r.scorecard.objective(self.0.id)).map(|o| o.indicators.as_slice()).unwrap_or_default();
        Ok(scores.iter().map(|s| Indicator(s.indicator.clone())).collect())
    }
    /// The risks on the objective, highest score first (its administration only).
    #[graphql(complexity = "super::cost::list(super::cost::SMALL, child_complexity)")]
    async fn risks(&self, ctx: &Context<'_>) -> Result<Vec<Risk>> {
        let mut list = loader::<Once<ObjectiveId, RisksOfObjective>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        list.sort_by_key(|r| std::cmp::Reverse(r.score()));
        Ok(list.into_iter().map(Risk).collect())
    }
    /// The objective's roll-up over its indicators and child objectives.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<RollUp>> {
        let results = results_of(ctx, self.0.plan_id).await?;
        Ok(results.as_ref().and_then(|r| r.scorecard.objective(self.0.id)).map(|o| RollUp(o.rollup.clone())))
    }
}

// ------------------------------------------------------------------ Indicator

pub struct Indicator(pub di::Indicator);

#[derive(SimpleObject)]
pub struct Baseline {
    pub value: String,
    pub period: String,
}

/// A performance indicator measuring an objective.
#[Object]
impl Indicator {
    async fn id(&self) -> ID {
        global_id("Indicator", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn objective(&self, ctx: &Context<'_>) -> Result<Option<Objective>> {
        Ok(loader::<Once<ObjectiveId, ObjectiveLoader>>(ctx)?.load_one(self.0.objective_id).await?.map(Objective))
    }
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        Ok(loader::<Once<PlanId, PlanLoader>>(ctx)?.load_one(self.0.plan_id).await?.map(Plan))
    }
    /// The catalogue entry it adopts.
    async fn definition(&self, ctx: &Context<'_>) -> Result<Option<IndicatorDefinition>> {
        match self.0.definition_id {
            Some(d) => Ok(loader::<Once<IndicatorDefinitionId, DefinitionLoader>>(ctx)?.load_one(d).await?.map(IndicatorDefinition)),
            None => Ok(None),
        }
    }
    async fn name(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.name).await
    }
    async fn name_translations(&self) -> Vec<Translation> {
        translations(&self.0.name)
    }
    async fn description(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<Option<String>> {
        opt_pick(ctx, lang.as_deref(), Some(self.0.administration), self.0.description.as_ref()).await
    }
    async fn description_translations(&self) -> Vec<Translation> {
        self.0.description.as_ref().map(translations).unwrap_or_default()
    }
    async fn measure(&self) -> Measure {
        self.0.measure.into()
    }
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    async fn direction(&self) -> Direction {
        self.0.direction.into()
    }
    async fn baseline(&self) -> Baseline {
        Baseline { value: self.0.baseline.value.to_string(), period: self.0.baseline.period.to_string() }
    }
    async fn frequency(&self) -> Frequency {
        self.0.frequency.into()
    }
    async fn data_source(&self) -> Option<&str> {
        self.0.data_source.as_deref()
    }
    async fn means_of_verification(&self) -> Option<&str> {
        self.0.means_of_verification.as_deref()
    }
    async fn weight(&self) -> String {
        self.0.weight.get().to_string()
    }
    async fn disclosure(&self) -> Disclosure {
        self.0.disclosure.into()
    }
    async fn external_ref(&self) -> Option<String> {
        self.0.external_ref.as_ref().map(ToString::to_string)
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    #[graphql(complexity = "super::cost::list(super::cost::PERIODS, child_complexity)")]
    async fn targets(&self, ctx: &Context<'_>) -> Result<Vec<Target>> {
        let mut t = loader::<Once<IndicatorId, TargetsOfIndicator>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        t.sort_by_key(|t| t.period);
        Ok(t.into_iter().map(Target).collect())
    }
    /// Measurements by period (outside the administration: approved values only).
    #[graphql(complexity = "super::cost::list(super::cost::PERIODS, child_complexity)")]
    async fn measurements(&self, ctx: &Context<'_>) -> Result<Vec<Measurement>> {
        let mut m = loader::<Once<IndicatorId, MeasurementsOfIndicator>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        m.sort_by_key(|m| m.period);
        Ok(m.into_iter().map(Measurement).collect())
    }
    /// The approved measurement of the latest period.
    async fn latest_approved_measurement(&self, ctx: &Context<'_>) -> Result<Option<Measurement>> {
        let results = results_of(ctx, self.0.plan_id).await?;
        Ok(results
            .as_ref()
            .and_then(|r| r.latest_approved.get(&self.0.id))
            .map(|m| Measurement(dm::Measurement { value: m.approved_value.unwrap_or(m.value), status: dm::ReviewStatus::Approved, ..m.clone() })))
    }
    /// Progress computed from the approved measurements.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<Progress>> {
        let results = results_of(ctx, self.0.plan_id).await?;
        Ok(results.as_ref().and_then(|r| r.scorecard.indicator(self.0.id)).map(|s| Progress { indicator: self.0.id, standing: s.standing.clone() }))
    }
}

// ------------------------------------------------------------------ catalogue, results

pub struct IndicatorDefinition(pub di::IndicatorDefinition);

/// A standard Customs KPI of the shared catalogue.
#[Object]
impl IndicatorDefinition {
    async fn id(&self) -> ID {
        global_id("IndicatorDefinition", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn dimension(&self) -> PmmDimension {
        self.0.dimension.into()
    }
    async fn name(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), None, &self.0.name).await
    }
    async fn name_translations(&self) -> Vec<Translation> {
        translations(&self.0.name)
    }
    async fn description(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), None, &self.0.description).await
    }
    async fn description_translations(&self) -> Vec<Translation> {
        translations(&self.0.description)
    }
    async fn measure(&self) -> Measure {
        self.0.measure.into()
    }
    async fn direction(&self) -> Direction {
        self.0.direction.into()
    }
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
}

pub struct Target(pub dm::Target);

/// The value an indicator should reach in a period.
#[Object]
impl Target {
    async fn period(&self) -> String {
        self.0.period.to_string()
    }
    async fn value(&self) -> String {
        self.0.value.to_string()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

pub struct Measurement(pub dm::Measurement);

/// An actual value observed in a period.
#[Object]
impl Measurement {
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn indicator(&self, ctx: &Context<'_>) -> Result<Option<Indicator>> {
        Ok(loader::<Once<IndicatorId, IndicatorLoader>>(ctx)?.load_one(self.0.indicator_id).await?.map(Indicator))
    }
    async fn period(&self) -> String {
        self.0.period.to_string()
    }
    /// The value last recorded (the approved one for readers outside the administration).
    async fn value(&self) -> String {
        self.0.value.to_string()
    }
    async fn status(&self) -> ReviewStatus {
        self.0.status.into()
    }
    async fn approved_value(&self) -> Option<String> {
        self.0.approved_value.map(|v| v.to_string())
    }
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    async fn evidence_url(&self) -> Option<&str> {
        self.0.evidence_url.as_deref()
    }
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    async fn return_reason(&self) -> Option<&str> {
        self.0.return_reason.as_deref()
    }
    async fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }
    async fn submitted_by(&self) -> Option<&str> {
        self.0.submitted_by.as_deref()
    }
    async fn reviewed_by(&self) -> Option<&str> {
        self.0.reviewed_by.as_deref()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

/// One period of an indicator's series.
#[derive(SimpleObject)]
pub struct SeriesPointGql {
    pub period: String,
    pub target: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub progress: Option<String>,
    pub expected_progress: Option<String>,
    pub status: Option<RagStatus>,
}

impl From<&SeriesPoint> for SeriesPointGql {
    fn from(p: &SeriesPoint) -> Self {
        Self {
            period: p.period.to_string(),
            target: dec(p.target),
            expected: dec(p.expected),
            actual: dec(p.actual),
            progress: dec(p.progress),
            expected_progress: dec(p.expected_progress),
            status: p.status.map(Into::into),
        }
    }
}

/// An indicator's standing; its series is read only when asked for.
pub struct Progress {
    pub indicator: IndicatorId,
    pub standing: Standing,
}

/// An indicator's progress, computed by the rules of results-based management.
#[Object]
impl Progress {
    /// `(actual - baseline) / (final target - baseline)` at the latest approved period.
    async fn progress(&self) -> Option<String> {
        dec(self.standing.progress)
    }
    async fn expected_progress(&self) -> Option<String> {
        dec(self.standing.expected_progress)
    }
    async fn status(&self) -> RagStatus {
        self.standing.status.into()
    }
    async fn latest_period(&self) -> Option<String> {
        self.standing.latest_period.map(|p| p.to_string())
    }
    async fn final_target(&self) -> Option<Target2> {
        self.standing.final_target.map(|(p, v)| Target2 { period: p.to_string(), value: v.to_string() })
    }
    /// Per period: target, expected value, approved actual, progress and status.
    #[graphql(complexity = "super::cost::list(super::cost::PERIODS, child_complexity)")]
    async fn series(&self, ctx: &Context<'_>) -> Result<Vec<SeriesPointGql>> {
        let progress = loader::<Once<IndicatorId, SeriesOfIndicator>>(ctx)?.load_one(self.indicator).await?;
        Ok(progress.map(|p| p.points.iter().map(SeriesPointGql::from).collect()).unwrap_or_default())
    }
}

/// A period and a value.
#[derive(SimpleObject)]
#[graphql(name = "PeriodValue")]
pub struct Target2 {
    pub period: String,
    pub value: String,
}

pub struct RollUp(pub DRollUp);

/// A weighted roll-up over what has data; what has none is counted, never taken as 0.
#[Object]
impl RollUp {
    async fn progress(&self) -> Option<String> {
        dec(self.0.progress)
    }
    async fn expected_progress(&self) -> Option<String> {
        dec(self.0.expected_progress)
    }
    async fn status(&self) -> RagStatus {
        self.0.status.into()
    }
    async fn indicators_with_data(&self) -> u32 {
        self.0.indicators_with_data
    }
    async fn indicators_without_data(&self) -> u32 {
        self.0.indicators_without_data
    }
}

/// How many indicators are in a status.
#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: RagStatus,
    pub count: u32,
}

pub struct Scorecard(pub Arc<PlanResults>);

/// A plan's results at a glance.
#[Object]
impl Scorecard {
    async fn plan(&self) -> Plan {
        Plan(self.0.scorecard.plan.clone())
    }
    async fn progress(&self) -> RollUp {
        RollUp(self.0.scorecard.rollup.clone())
    }
    async fn status_counts(&self) -> Vec<StatusCount> {
        let counts: BTreeMap<&str, u32> = self.0.scorecard.status_counts.iter().map(|(k, v)| (*k, *v)).collect();
        DRag::ALL.iter().map(|s| StatusCount { status: (*s).into(), count: counts.get(s.as_str()).copied().unwrap_or(0) }).collect()
    }
    /// Objectives in tree order (parents before children).
    #[graphql(complexity = "super::cost::list(super::cost::OBJECTIVES, child_complexity)")]
    async fn objectives(&self) -> Vec<ObjectiveScore> {
        self.0.scorecard.objectives.iter().cloned().map(ObjectiveScore).collect()
    }
    #[graphql(complexity = "super::cost::list(super::cost::INDICATORS, child_complexity)")]
    async fn indicators_without_data(&self) -> Vec<Indicator> {
        let card = &self.0.scorecard;
        card.indicators_without_data.iter().filter_map(|id| card.indicator(*id)).map(|s| Indicator(s.indicator.clone())).collect()
    }
}

pub struct ObjectiveScore(pub DObjectiveScore);

/// One objective in a scorecard.
#[Object]
impl ObjectiveScore {
    async fn objective(&self) -> Objective {
        Objective(self.0.objective.clone())
    }
    async fn progress(&self) -> RollUp {
        RollUp(self.0.rollup.clone())
    }
    #[graphql(complexity = "super::cost::list(super::cost::INDICATORS, child_complexity)")]
    async fn indicators(&self) -> Vec<IndicatorScore> {
        self.0.indicators.iter().map(|s| IndicatorScore { indicator: s.indicator.clone(), standing: s.standing.clone() }).collect()
    }
}

/// One indicator in a scorecard.
pub struct IndicatorScore {
    indicator: di::Indicator,
    standing: Standing,
}

#[Object]
impl IndicatorScore {
    async fn indicator(&self) -> Indicator {
        Indicator(self.indicator.clone())
    }
    async fn progress(&self) -> Progress {
        Progress { indicator: self.indicator.id, standing: self.standing.clone() }
    }
}

/// Who is asking.
#[derive(SimpleObject)]
pub struct Me {
    pub subject: String,
    pub role: String,
    pub administration: Option<String>,
    pub donor: Option<String>,
}

pub struct AuditEntry(pub domain::audit::AuditRecord);

/// One entry of the audit trail: who changed what, when, before and after.
#[Object]
impl AuditEntry {
    /// Position in the log (increasing).
    async fn sequence(&self) -> i64 {
        self.0.id
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.entry.at
    }
    async fn actor(&self) -> &str {
        &self.0.entry.actor
    }
    async fn actor_role(&self) -> &str {
        self.0.entry.actor_role
    }
    async fn administration_code(&self) -> Option<String> {
        self.0.entry.administration.map(|a| a.to_string())
    }
    async fn entity_type(&self) -> &str {
        self.0.entry.entity_type.as_str()
    }
    async fn entity_id(&self) -> &str {
        &self.0.entry.entity_id
    }
    /// `create`, `update`, `delete`, `transition:<status>` or `review:<status>`.
    async fn action(&self) -> &str {
        &self.0.entry.action
    }
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.entry.before.clone().map(async_graphql::Json)
    }
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.entry.after.clone().map(async_graphql::Json)
    }
}

pub struct ComparisonEntry(pub domain::services::ComparisonEntry);

/// One administration's latest approved figure for a catalogue indicator.
#[Object]
impl ComparisonEntry {
    async fn administration_code(&self) -> &str {
        self.0.administration.as_str()
    }
    async fn indicator(&self) -> Indicator {
        Indicator(self.0.indicator.clone())
    }
    async fn period(&self) -> String {
        self.0.period.to_string()
    }
    async fn value(&self) -> String {
        self.0.value.to_string()
    }
    /// Progress against the administration's own baseline and targets.
    async fn progress(&self) -> Progress {
        Progress { indicator: self.0.indicator.id, standing: self.0.progress.clone() }
    }
}

pub struct PlanRevision(pub dp::PlanRevision);

/// The plan as it was when it reached a status.
#[Object]
impl PlanRevision {
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn status(&self) -> PlanStatus {
        self.0.status.into()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The plan with its objectives, indicators and targets at that moment.
    async fn snapshot(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.snapshot.clone())
    }
}

/// A maturity level of one dimension.
#[derive(SimpleObject)]
pub struct MaturityLevel {
    pub dimension: CapabilityDimension,
    /// 1 (initial) to 5 (optimised).
    pub level: i32,
}

/// An exact amount in one currency.
#[derive(SimpleObject)]
pub struct Money {
    pub amount: String,
    pub currency: String,
}

pub struct CapabilityAssessment(pub domain::assessment::CapabilityAssessment);

/// The starting point of an administration at a date.
#[Object]
impl CapabilityAssessment {
    async fn id(&self) -> ID {
        global_id("CapabilityAssessment", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn administration_code(&self) -> &str {
        self.0.administration.as_str()
    }
    async fn assessed_on(&self) -> String {
        self.0.assessed_on.to_string()
    }
    async fn maturity(&self) -> Vec<MaturityLevel> {
        self.0.maturity.iter().map(|(d, m)| MaturityLevel { dimension: (*d).into(), level: i32::from(m.get()) }).collect()
    }
    async fn staff(&self) -> Option<i64> {
        self.0.staff
    }
    async fn annual_budget(&self) -> Option<Money> {
        self.0.annual_budget.as_ref().map(|m| Money { amount: m.amount.to_string(), currency: m.currency.as_str().to_owned() })
    }
    async fn notes(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<Option<String>> {
        opt_pick(ctx, lang.as_deref(), Some(self.0.administration), self.0.notes.as_ref()).await
    }
    async fn notes_translations(&self) -> Vec<Translation> {
        self.0.notes.as_ref().map(translations).unwrap_or_default()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

/// How one dimension moved between two assessments.
#[derive(SimpleObject)]
pub struct DimensionChange {
    pub dimension: CapabilityDimension,
    pub before: Option<i32>,
    pub after: Option<i32>,
    /// After minus before, where both were assessed.
    pub delta: Option<i32>,
}

pub struct AssessmentComparison(pub domain::assessment::AssessmentComparison);

/// What changed from the earlier assessment to the later one.
#[Object]
impl AssessmentComparison {
    async fn from(&self) -> CapabilityAssessment {
        CapabilityAssessment(self.0.from.clone())
    }
    async fn to(&self) -> CapabilityAssessment {
        CapabilityAssessment(self.0.to.clone())
    }
    async fn dimensions(&self) -> Vec<DimensionChange> {
        self.0
            .dimensions
            .iter()
            .map(|d| DimensionChange {
                dimension: d.dimension.into(),
                before: d.before.map(|m| i32::from(m.get())),
                after: d.after.map(|m| i32::from(m.get())),
                delta: d.delta().map(i32::from),
            })
            .collect()
    }
    async fn improved(&self) -> Vec<CapabilityDimension> {
        self.0.improved().into_iter().map(Into::into).collect()
    }
    async fn worsened(&self) -> Vec<CapabilityDimension> {
        self.0.worsened().into_iter().map(Into::into).collect()
    }
}

pub struct Practice(pub domain::practice::Practice);

/// A best practice, challenge, opportunity or lesson learned shared across the Programme.
#[Object]
impl Practice {
    async fn id(&self) -> ID {
        global_id("Practice", self.0.id)
    }
    /// Who reads it once published.
    async fn disclosure(&self) -> Disclosure {
        self.0.disclosure.into()
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    /// The administration that wrote it.
    async fn administration_code(&self) -> &str {
        self.0.administration.as_str()
    }
    async fn kind(&self) -> PracticeKind {
        self.0.kind.into()
    }
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.title).await
    }
    async fn title_translations(&self) -> Vec<Translation> {
        translations(&self.0.title)
    }
    async fn body(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.body).await
    }
    async fn body_translations(&self) -> Vec<Translation> {
        translations(&self.0.body)
    }
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|t| t.as_str()).collect()
    }
    /// The linked objectives the caller may see.
    #[graphql(complexity = "super::cost::list(super::cost::SMALL, child_complexity)")]
    async fn objectives(&self, ctx: &Context<'_>) -> Result<Vec<Objective>> {
        let found = loader::<Once<ObjectiveId, ObjectiveLoader>>(ctx)?.load_many(self.0.objective_ids.iter().copied()).await?;
        Ok(self.0.objective_ids.iter().filter_map(|id| found.get(id).cloned()).map(Objective).collect())
    }
    async fn status(&self) -> PracticeStatus {
        self.0.status.into()
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

pub struct Donor(pub domain::donor::Donor);

/// A donor or international organisation.
#[Object]
impl Donor {
    async fn id(&self) -> ID {
        global_id("Donor", self.0.code.as_str())
    }
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn name(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), None, &self.0.name).await
    }
    async fn name_translations(&self) -> Vec<Translation> {
        translations(&self.0.name)
    }
    /// IATI organisation identifier.
    async fn iati_org_id(&self) -> Option<&str> {
        self.0.iati_org_id.as_ref().map(|i| i.as_str())
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

pub struct Project(pub domain::project::Project);

/// A project's schedule health from its milestones.
#[derive(SimpleObject)]
pub struct Schedule {
    pub milestones: u32,
    pub completed: u32,
    pub overdue: u32,
    /// Completed over all; null without milestones.
    pub completed_share: Option<String>,
}

/// A reform or modernisation project ("thing to do").
#[Object]
impl Project {
    async fn id(&self) -> ID {
        global_id("Project", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn administration_code(&self) -> &str {
        self.0.administration.as_str()
    }
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.title).await
    }
    async fn title_translations(&self) -> Vec<Translation> {
        translations(&self.0.title)
    }
    async fn status(&self) -> ProjectStatus {
        self.0.status.into()
    }
    async fn allowed_transitions(&self) -> Vec<ProjectStatus> {
        self.0.status.successors().into_iter().map(Into::into).collect()
    }
    async fn planned_start(&self) -> String {
        self.0.planned_start.to_string()
    }
    async fn planned_end(&self) -> String {
        self.0.planned_end.to_string()
    }
    async fn actual_start(&self) -> Option<String> {
        self.0.actual_start.map(|d| d.to_string())
    }
    async fn actual_end(&self) -> Option<String> {
        self.0.actual_end.map(|d| d.to_string())
    }
    async fn budget(&self) -> Option<Money> {
        self.0.budget.as_ref().map(|m| Money { amount: m.amount.to_string(), currency: m.currency.as_str().to_owned() })
    }
    /// The objectives it contributes to that the caller may see.
    #[graphql(complexity = "super::cost::list(super::cost::SMALL, child_complexity)")]
    async fn objectives(&self, ctx: &Context<'_>) -> Result<Vec<Objective>> {
        let found = loader::<Once<ObjectiveId, ObjectiveLoader>>(ctx)?.load_many(self.0.objective_ids.iter().copied()).await?;
        Ok(self.0.objective_ids.iter().filter_map(|id| found.get(id).cloned()).map(Objective).collect())
    }
    async fn external_ref(&self) -> Option<String> {
        self.0.external_ref.as_ref().map(ToString::to_string)
    }
    /// The portfolio it belongs to (null when none, or for readers outside the administration).
    async fn portfolio(&self, ctx: &Context<'_>) -> Result<Option<Portfolio>> {
        match self.0.portfolio_id {
            Some(id) => Ok(loader::<Once<PortfolioId, PortfolioLoader>>(ctx)?.load_one(id).await?.map(Portfolio)),
            None => Ok(None),
        }
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    #[graphql(complexity = "super::cost::list(super::cost::SMALL, child_complexity)")]
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<Milestone>> {
        let today = ctx.data::<domain::services::Services>()?.projects.today();
        let list = loader::<Once<ProjectId, MilestonesOfProject>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(|m| Milestone(m, today)).collect())
    }
    /// The risks on the project, highest score first.
    #[graphql(complexity = "super::cost::list(super::cost::SMALL, child_complexity)")]
    async fn risks(&self, ctx: &Context<'_>) -> Result<Vec<Risk>> {
        let mut list = loader::<Once<ProjectId, RisksOfProject>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        list.sort_by_key(|r| std::cmp::Reverse(r.score()));
        Ok(list.into_iter().map(Risk).collect())
    }
    /// The donors' commitments and transactions (a donor sees its own).
    #[graphql(complexity = "super::cost::list(super::cost::SMALL, child_complexity)")]
    async fn fundings(&self, ctx: &Context<'_>) -> Result<Vec<Funding>> {
        let list = loader::<Once<ProjectId, FundingsOfProject>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(Funding).collect())
    }
    /// Schedule health from the milestones (overdue: due date passed, not completed).
    async fn schedule(&self, ctx: &Context<'_>) -> Result<Schedule> {
        let today = ctx.data::<domain::services::Services>()?.projects.today();
        let list = loader::<Once<ProjectId, MilestonesOfProject>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        let h = domain::project::ScheduleHealth::of(&list, today);
        Ok(Schedule { milestones: h.milestones, completed: h.completed, overdue: h.overdue, completed_share: dec(h.completed_share) })
    }
}

pub struct Milestone(pub domain::project::Milestone, pub chrono::NaiveDate);

/// A dated deliverable of a project.
#[Object]
impl Milestone {
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.title).await
    }
    async fn due_on(&self) -> String {
        self.0.due_on.to_string()
    }
    async fn completed_on(&self) -> Option<String> {
        self.0.completed_on.map(|d| d.to_string())
    }
    async fn overdue(&self) -> bool {
        self.0.is_overdue(self.1)
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

pub struct Funding(pub domain::services::FundingReport);

/// One IATI-typed flow of money against a funding.
#[derive(SimpleObject)]
pub struct FundingTransaction {
    /// `incoming_funds`, `outgoing_commitment`, `disbursement`, `expenditure`, `incoming_commitment`.
    pub kind: String,
    /// The IATI `TransactionType` code.
    pub iati_code: i32,
    pub date: String,
    pub amount: String,
    pub description: Option<String>,
}

/// A donor's commitment to a project.
#[Object]
impl Funding {
    async fn id(&self) -> ID {
        global_id("Funding", self.0.funding.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.funding.id.as_uuid()
    }
    async fn donor_code(&self) -> &str {
        self.0.funding.donor.as_str()
    }
    async fn committed(&self) -> Money {
        Money { amount: self.0.funding.committed.amount.to_string(), currency: self.0.funding.committed.currency.as_str().to_owned() }
    }
    async fn allow_over_disbursement(&self) -> bool {
        self.0.funding.allow_over_disbursement
    }
    #[graphql(complexity = "super::cost::list(super::cost::PERIODS, child_complexity)")]
    async fn transactions(&self) -> Vec<FundingTransaction> {
        self.0
            .transactions
            .iter()
            .map(|t| FundingTransaction {
                kind: t.kind.as_str().to_owned(),
                iati_code: i32::from(t.kind.iati_code()),
                date: t.date.to_string(),
                amount: t.amount.to_string(),
                description: t.description.clone(),
            })
            .collect()
    }
}

pub struct Risk(pub domain::risk::Risk);

/// A risk or crisis scenario on a project or an objective.
#[Object]
impl Risk {
    async fn id(&self) -> ID {
        global_id("Risk", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.title).await
    }
    /// 1 (rare) to 5 (almost certain).
    async fn likelihood(&self) -> i32 {
        i32::from(self.0.likelihood)
    }
    /// 1 (minor) to 5 (severe).
    async fn impact(&self) -> i32 {
        i32::from(self.0.impact)
    }
    /// Likelihood × impact, 1 to 25.
    async fn score(&self) -> i32 {
        i32::from(self.0.score())
    }
    async fn mitigation(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<Option<String>> {
        opt_pick(ctx, lang.as_deref(), Some(self.0.administration), self.0.mitigation.as_ref()).await
    }
    async fn owner(&self) -> Option<&str> {
        self.0.owner.as_deref()
    }
    async fn status(&self) -> RiskStatus {
        self.0.status.into()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
}

pub struct Portfolio(pub domain::portfolio::Portfolio);

/// How many projects of a portfolio are in one status.
#[derive(SimpleObject)]
pub struct ProjectStatusCount {
    pub status: ProjectStatus,
    pub projects: u32,
}

/// The roll-up of a portfolio's projects.
#[derive(SimpleObject)]
pub struct PortfolioSummary {
    pub projects: u32,
    /// Every status in lifecycle order, zeros included.
    pub by_status: Vec<ProjectStatusCount>,
    /// Summed budgets, one per currency (never added across currencies).
    pub budgets: Vec<Money>,
    pub milestones: u32,
    pub overdue_milestones: u32,
    /// Open projects with at least one overdue milestone.
    pub projects_behind_schedule: u32,
}

/// A group of projects of one administration.
#[Object]
impl Portfolio {
    async fn id(&self) -> ID {
        global_id("Portfolio", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn administration_code(&self) -> &str {
        self.0.administration.as_str()
    }
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.title).await
    }
    async fn title_translations(&self) -> Vec<Translation> {
        translations(&self.0.title)
    }
    async fn description(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<Option<String>> {
        opt_pick(ctx, lang.as_deref(), Some(self.0.administration), self.0.description.as_ref()).await
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    /// Its projects, by id.
    #[graphql(complexity = "super::cost::list(super::cost::PAGE, child_complexity)")]
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Project>> {
        let list = loader::<Once<PortfolioId, ProjectsOfPortfolio>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(Project).collect())
    }
    /// Counts by status, budgets per currency and overdue milestones of its projects.
    async fn summary(&self, ctx: &Context<'_>) -> Result<Option<PortfolioSummary>> {
        let Some((_, s)) = loader::<Once<PortfolioId, SummaryOfPortfolio>>(ctx)?.load_one(self.0.id).await? else { return Ok(None) };
        Ok(Some(PortfolioSummary {
            projects: s.projects,
            by_status: s.by_status.iter().map(|(status, n)| ProjectStatusCount { status: (*status).into(), projects: *n }).collect(),
            budgets: s.budget_by_currency.iter().map(|(c, a)| Money { amount: a.normalize().to_string(), currency: c.clone() }).collect(),
            milestones: s.milestones,
            overdue_milestones: s.overdue_milestones,
            projects_behind_schedule: s.projects_behind_schedule,
        }))
    }
}

pub struct Stakeholder(pub domain::stakeholder::Stakeholder);

/// One role of a stakeholder.
#[derive(SimpleObject)]
pub struct Engagement {
    pub id: ID,
    pub role: EngagementRole,
    /// The objective it is on, if on an objective.
    pub objective_id: Option<ID>,
    /// The project it is on, if on a project.
    pub project_id: Option<ID>,
}

impl From<domain::stakeholder::Engagement> for Engagement {
    fn from(e: domain::stakeholder::Engagement) -> Self {
        let (objective_id, project_id) = match e.subject {
            domain::stakeholder::EngagementSubject::Objective(o) => (Some(global_id("Objective", o)), None),
            domain::stakeholder::EngagementSubject::Project(p) => (None, Some(global_id("Project", p))),
        };
        Self { id: global_id("Engagement", e.id), role: e.role.into(), objective_id, project_id }
    }
}

/// A party the administration works with.
#[Object]
impl Stakeholder {
    async fn id(&self) -> ID {
        global_id("Stakeholder", self.0.id)
    }
    async fn uuid(&self) -> Uuid {
        self.0.id.as_uuid()
    }
    async fn name(&self, ctx: &Context<'_>, lang: Option<String>) -> Result<String> {
        pick(ctx, lang.as_deref(), Some(self.0.administration), &self.0.name).await
    }
    async fn kind(&self) -> StakeholderKind {
        self.0.kind.into()
    }
    async fn contact(&self) -> Option<&str> {
        self.0.contact.as_deref()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    #[graphql(complexity = "super::cost::list(super::cost::SMALL, child_complexity)")]
    async fn engagements(&self, ctx: &Context<'_>) -> Result<Vec<Engagement>> {
        let list = loader::<Once<StakeholderId, EngagementsOfStakeholder>>(ctx)?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(Engagement::from).collect())
    }
}
