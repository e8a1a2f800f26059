//! The JSON shapes of the REST face: request bodies (unknown fields refused, so no client can
//! assign a tenant, an author or a version) and views. Views render each multilingual field as
//! the best match for the reader's languages plus the whole translations map.

use std::{collections::BTreeMap, sync::Arc};

use chrono::{DateTime, Utc};
use domain::{
    indicator::{Indicator, IndicatorDefinition, IndicatorInput},
    measurement::{Measurement, MeasurementInput, Target},
    objective::{Objective, ObjectiveInput},
    plan::{self as dp, Administration, AdministrationInput, PlanInput, StrategicPlan},
    progress::{IndicatorProgress, RollUp, SeriesPoint},
    services::{Directory, ObjectiveNode, ObjectiveScore, ProgressReport, Scorecard},
    text::{LanguageTag, LocalizedText},
    values::AdministrationCode,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Text per BCP 47 language tag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(example = json!({"es": "Modernizar la aduana", "en": "Modernise Customs"}))]
pub struct Translations(pub BTreeMap<String, String>);

/// Renders multilingual text for one reader.
#[derive(Clone)]
pub struct Localizer {
    wanted: Vec<LanguageTag>,
    administrations: Arc<Directory>,
}

impl Localizer {
    pub fn new(wanted: Vec<LanguageTag>, administrations: Arc<Directory>) -> Self {
        Self { wanted, administrations }
    }

    /// The best text for the reader, falling back to the administration's language, then English.
    pub fn text(&self, administration: Option<AdministrationCode>, text: &LocalizedText) -> String {
        let english = LanguageTag::english();
        let default = administration.and_then(|a| self.administrations.get(&a)).map_or(&english, |a| &a.default_language);
        text.best(&self.wanted, default).1.to_owned()
    }
}

pub fn translations(text: &LocalizedText) -> Translations {
    Translations(text.iter().map(|(k, v)| (k.to_string(), v.to_owned())).collect())
}

fn pairs(map: Translations) -> Vec<(String, String)> {
    map.0.into_iter().collect()
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// An exact decimal: send it as a string (`"12345678901234.56789"`) to keep every digit; a
/// JSON number is accepted too.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DecimalInput {
    Text(String),
    Number(serde_json::Number),
}

impl DecimalInput {
    pub fn text(&self) -> String {
        match self {
            Self::Text(t) => t.trim().to_owned(),
            Self::Number(n) => n.to_string(),
        }
    }
}

// ---------------------------------------------------------------- administrations

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAdministration {
    /// ISO 3166-1 alpha-3 code.
    #[schema(example = "BOL", min_length = 3, max_length = 3)]
    pub code: String,
    pub name: Translations,
    /// BCP 47 tag of the administration's working language.
    #[schema(example = "es")]
    pub default_language: String,
}

impl From<CreateAdministration> for AdministrationInput {
    fn from(b: CreateAdministration) -> Self {
        Self { code: b.code, name: pairs(b.name), default_language: b.default_language }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdministrationView {
    #[schema(example = "BOL")]
    pub code: String,
    pub name: String,
    pub name_translations: Translations,
    pub default_language: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AdministrationView {
    pub fn new(a: &Administration, l: &Localizer) -> Self {
        Self {
            code: a.code.to_string(),
            name: l.text(Some(a.code), &a.name),
            name_translations: translations(&a.name),
            default_language: a.default_language.to_string(),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

// ---------------------------------------------------------------- plans

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    /// Only admins name the administration; everyone else creates in their own.
    #[schema(example = "BOL")]
    pub administration: Option<String>,
    pub title: Translations,
    pub vision: Option<Translations>,
    pub mission: Option<Translations>,
    #[schema(example = 2022, minimum = 2000, maximum = 2100)]
    pub start_year: i32,
    #[schema(example = 2026, minimum = 2000, maximum = 2100)]
    pub end_year: i32,
    /// `public`, `programme` (default) or `restricted`.
    pub disclosure: Option<String>,
    pub national_plan_ref: Option<String>,
    /// Share of expected progress that is `on_track` (default 0.9).
    #[schema(value_type = Option<String>, example = "0.9")]
    pub on_track_threshold: Option<DecimalInput>,
    /// Share of expected progress that is `at_risk` (default 0.6).
    #[schema(value_type = Option<String>, example = "0.6")]
    pub at_risk_threshold: Option<DecimalInput>,
    /// Tolerance of `maintain` indicators (default 0.05).
    #[schema(value_type = Option<String>, example = "0.05")]
    pub maintain_tolerance: Option<DecimalInput>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchPlan {
    pub title: Option<Translations>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub vision: Option<Option<Translations>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub mission: Option<Option<Translations>>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub disclosure: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub national_plan_ref: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    pub on_track_threshold: Option<DecimalInput>,
    #[schema(value_type = Option<String>)]
    pub at_risk_threshold: Option<DecimalInput>,
    #[schema(value_type = Option<String>)]
    pub maintain_tolerance: Option<DecimalInput>,
}

impl From<PatchPlan> for PlanInput {
    fn from(b: PatchPlan) -> Self {
        Self {
            title: b.title.map(pairs),
            vision: b.vision.map(|v| v.map(pairs)),
            mission: b.mission.map(|v| v.map(pairs)),
            start_year: b.start_year,
            end_year: b.end_year,
            disclosure: b.disclosure,
            national_plan_ref: b.national_plan_ref,
            on_track_threshold: b.on_track_threshold.map(|d| d.text()),
            at_risk_threshold: b.at_risk_threshold.map(|d| d.text()),
            maintain_tolerance: b.maintain_tolerance.map(|d| d.text()),
        }
    }
}

impl CreatePlan {
    pub fn into_input(self) -> (Option<String>, PlanInput) {
        let patch = PatchPlan {
            title: Some(self.title),
            vision: Some(self.vision),
            mission: Some(self.mission),
            start_year: Some(self.start_year),
            end_year: Some(self.end_year),
            disclosure: self.disclosure,
            national_plan_ref: Some(self.national_plan_ref),
            on_track_threshold: self.on_track_threshold,
            at_risk_threshold: self.at_risk_threshold,
            maintain_tolerance: self.maintain_tolerance,
        };
        (self.administration, PlanInput::from(patch))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// The status to move to.
    #[schema(example = "under_review")]
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThresholdsView {
    #[schema(example = "0.9")]
    pub on_track: String,
    #[schema(example = "0.6")]
    pub at_risk: String,
    #[schema(example = "0.05")]
    pub maintain_tolerance: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: Uuid,
    #[schema(example = "BOL")]
    pub administration: String,
    pub title: String,
    pub title_translations: Translations,
    pub vision: Option<String>,
    pub vision_translations: Option<Translations>,
    pub mission: Option<String>,
    pub mission_translations: Option<Translations>,
    pub start_year: i32,
    pub end_year: i32,
    /// `draft`, `under_review`, `approved`, `active` or `closed`.
    pub status: String,
    /// The statuses this plan may move to next.
    pub allowed_transitions: Vec<String>,
    pub disclosure: String,
    pub national_plan_ref: Option<String>,
    pub thresholds: ThresholdsView,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PlanView {
    pub fn new(p: &StrategicPlan, l: &Localizer) -> Self {
        let a = Some(p.administration);
        Self {
            id: p.id.as_uuid(),
            administration: p.administration.to_string(),
            title: l.text(a, &p.title),
            title_translations: translations(&p.title),
            vision: p.vision.as_ref().map(|t| l.text(a, t)),
            vision_translations: p.vision.as_ref().map(translations),
            mission: p.mission.as_ref().map(|t| l.text(a, t)),
            mission_translations: p.mission.as_ref().map(translations),
            start_year: p.start_year,
            end_year: p.end_year,
            status: p.status.as_str().to_owned(),
            allowed_transitions: p.status.successors().iter().map(|s| s.as_str().to_owned()).collect(),
            disclosure: p.disclosure.as_str().to_owned(),
            national_plan_ref: p.national_plan_ref.clone(),
            thresholds: ThresholdsView {
                on_track: p.thresholds.on_track.to_string(),
                at_risk: p.thresholds.at_risk.to_string(),
                maintain_tolerance: p.thresholds.tolerance.to_string(),
            },
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A plan revision: the plan as it was when it reached a status.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// 1 for the first transition, then 2, 3, ...
    pub number: i32,
    /// The status the plan moved to.
    pub status: String,
    pub at: DateTime<Utc>,
    /// Who moved it.
    pub actor: String,
    /// The plan, its objectives, indicators and targets at that moment (only in
    /// `GET /plans/{id}/revisions/{n}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<serde_json::Value>,
}

impl RevisionView {
    pub fn new(r: &dp::PlanRevision, with_snapshot: bool) -> Self {
        Self { number: r.number, status: r.status.as_str().to_owned(), at: r.at, actor: r.actor.clone(), snapshot: with_snapshot.then(|| r.snapshot.clone()) }
    }
}

/// A plan's revisions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<RevisionView>,
}

// ---------------------------------------------------------------- objectives

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateObjective {
    pub parent_id: Option<Uuid>,
    #[schema(example = "SO1.2")]
    pub code: String,
    pub title: Translations,
    pub description: Option<Translations>,
    /// `impact`, `outcome` (default) or `output`.
    pub level: Option<String>,
    /// Weight in roll-ups, > 0 (default 1).
    #[schema(value_type = Option<String>, example = "1")]
    pub weight: Option<DecimalInput>,
    /// The id of this objective in your national planning system.
    pub external_ref: Option<String>,
}

impl From<CreateObjective> for ObjectiveInput {
    fn from(b: CreateObjective) -> Self {
        Self {
            parent_id: Some(b.parent_id.map(|p| p.to_string())),
            code: Some(b.code),
            title: Some(pairs(b.title)),
            description: Some(b.description.map(pairs)),
            level: b.level,
            weight: b.weight.map(|w| w.text()),
            external_ref: Some(b.external_ref),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchObjective {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub parent_id: Option<Option<Uuid>>,
    pub code: Option<String>,
    pub title: Option<Translations>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub description: Option<Option<Translations>>,
    pub level: Option<String>,
    #[schema(value_type = Option<String>)]
    pub weight: Option<DecimalInput>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub external_ref: Option<Option<String>>,
}

impl From<PatchObjective> for ObjectiveInput {
    fn from(b: PatchObjective) -> Self {
        Self {
            parent_id: b.parent_id.map(|p| p.map(|p| p.to_string())),
            code: b.code,
            title: b.title.map(pairs),
            description: b.description.map(|d| d.map(pairs)),
            level: b.level,
            weight: b.weight.map(|w| w.text()),
            external_ref: b.external_ref,
        }
    }
}

/// The body of an upsert by external reference: the objective, and the plan it belongs to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpsertObjective {
    pub plan_id: Uuid,
    pub parent_id: Option<Uuid>,
    #[schema(example = "SO1")]
    pub code: String,
    pub title: Translations,
    pub description: Option<Translations>,
    pub level: Option<String>,
    #[schema(value_type = Option<String>)]
    pub weight: Option<DecimalInput>,
}

impl UpsertObjective {
    pub fn into_input(self) -> (Uuid, ObjectiveInput) {
        let plan = self.plan_id;
        let create = CreateObjective {
            parent_id: self.parent_id,
            code: self.code,
            title: self.title,
            description: self.description,
            level: self.level,
            weight: self.weight,
            external_ref: None,
        };
        let mut input = ObjectiveInput::from(create);
        input.external_ref = None;
        (plan, input)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveView {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub title: String,
    pub title_translations: Translations,
    pub description: Option<String>,
    pub description_translations: Option<Translations>,
    /// `impact`, `outcome` or `output`.
    pub level: String,
    pub weight: String,
    pub external_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ObjectiveView {
    pub fn new(o: &Objective, l: &Localizer) -> Self {
        let a = Some(o.administration);
        Self {
            id: o.id.as_uuid(),
            plan_id: o.plan_id.as_uuid(),
            parent_id: o.parent_id.map(|p| p.as_uuid()),
            code: o.code.as_str().to_owned(),
            title: l.text(a, &o.title),
            title_translations: translations(&o.title),
            description: o.description.as_ref().map(|t| l.text(a, t)),
            description_translations: o.description.as_ref().map(translations),
            level: o.level.as_str().to_owned(),
            weight: o.weight.get().to_string(),
            external_ref: o.external_ref.as_ref().map(ToString::to_string),
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// An objective with the objectives below it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveNodeView {
    pub objective: ObjectiveView,
    #[schema(no_recursion)]
    pub children: Vec<ObjectiveNodeView>,
}

impl ObjectiveNodeView {
    pub fn new(n: &ObjectiveNode, l: &Localizer) -> Self {
        Self { objective: ObjectiveView::new(&n.objective, l), children: n.children.iter().map(|c| Self::new(c, l)).collect() }
    }
}

/// A plan's objective tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveTree {
    pub items: Vec<ObjectiveNodeView>,
}

/// The objectives of a plan: a flat page, or the whole tree (`?tree=true`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ObjectiveListing {
    Flat(ObjectiveList),
    Tree(ObjectiveTree),
}

// ---------------------------------------------------------------- indicators

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIndicator {
    /// A catalogue entry to adopt; it supplies name, measure, direction and unit when omitted.
    pub definition_id: Option<Uuid>,
    pub name: Option<Translations>,
    pub description: Option<Translations>,
    /// `unit`, `percentage`, `currency`, `duration_hours`, `ordinal` or `qualitative`.
    pub measure: Option<String>,
    pub unit: Option<String>,
    /// `increase`, `decrease` or `maintain`.
    pub direction: Option<String>,
    #[schema(value_type = String, example = "72")]
    pub baseline_value: DecimalInput,
    #[schema(example = "2021")]
    pub baseline_period: String,
    /// `annual`, `quarterly` or `monthly`.
    #[schema(example = "annual")]
    pub frequency: String,
    pub data_source: Option<String>,
    pub means_of_verification: Option<String>,
    #[schema(value_type = Option<String>, example = "1")]
    pub weight: Option<DecimalInput>,
    /// `public`, `programme` (default) or `restricted`.
    pub disclosure: Option<String>,
    pub external_ref: Option<String>,
}

impl From<CreateIndicator> for IndicatorInput {
    fn from(b: CreateIndicator) -> Self {
        Self {
            definition_id: Some(b.definition_id.map(|d| d.to_string())),
            name: b.name.map(pairs),
            description: Some(b.description.map(pairs)),
            measure: b.measure,
            unit: Some(b.unit),
            direction: b.direction,
            baseline_value: Some(b.baseline_value.text()),
            baseline_period: Some(b.baseline_period),
            frequency: Some(b.frequency),
            data_source: Some(b.data_source),
            means_of_verification: Some(b.means_of_verification),
            weight: b.weight.map(|w| w.text()),
            disclosure: b.disclosure,
            external_ref: Some(b.external_ref),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchIndicator {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub definition_id: Option<Option<Uuid>>,
    pub name: Option<Translations>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub description: Option<Option<Translations>>,
    pub measure: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub unit: Option<Option<String>>,
    pub direction: Option<String>,
    #[schema(value_type = Option<String>)]
    pub baseline_value: Option<DecimalInput>,
    pub baseline_period: Option<String>,
    pub frequency: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub data_source: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub means_of_verification: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    pub weight: Option<DecimalInput>,
    pub disclosure: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub external_ref: Option<Option<String>>,
}

impl From<PatchIndicator> for IndicatorInput {
    fn from(b: PatchIndicator) -> Self {
        Self {
            definition_id: b.definition_id.map(|d| d.map(|d| d.to_string())),
            name: b.name.map(pairs),
            description: b.description.map(|d| d.map(pairs)),
            measure: b.measure,
            unit: b.unit,
            direction: b.direction,
            baseline_value: b.baseline_value.map(|v| v.text()),
            baseline_period: b.baseline_period,
            frequency: b.frequency,
            data_source: b.data_source,
            means_of_verification: b.means_of_verification,
            weight: b.weight.map(|w| w.text()),
            disclosure: b.disclosure,
            external_ref: b.external_ref,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineView {
    #[schema(example = "72")]
    pub value: String,
    #[schema(example = "2021")]
    pub period: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorView {
    pub id: Uuid,
    pub objective_id: Uuid,
    pub plan_id: Uuid,
    pub definition_id: Option<Uuid>,
    pub name: String,
    pub name_translations: Translations,
    pub description: Option<String>,
    pub description_translations: Option<Translations>,
    pub measure: String,
    pub unit: Option<String>,
    pub direction: String,
    pub baseline: BaselineView,
    pub frequency: String,
    pub data_source: Option<String>,
    pub means_of_verification: Option<String>,
    pub weight: String,
    pub disclosure: String,
    pub external_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl IndicatorView {
    pub fn new(i: &Indicator, l: &Localizer) -> Self {
        let a = Some(i.administration);
        Self {
            id: i.id.as_uuid(),
            objective_id: i.objective_id.as_uuid(),
            plan_id: i.plan_id.as_uuid(),
            definition_id: i.definition_id.map(|d| d.as_uuid()),
            name: l.text(a, &i.name),
            name_translations: translations(&i.name),
            description: i.description.as_ref().map(|t| l.text(a, t)),
            description_translations: i.description.as_ref().map(translations),
            measure: i.measure.as_str().to_owned(),
            unit: i.unit.clone(),
            direction: i.direction.as_str().to_owned(),
            baseline: BaselineView { value: i.baseline.value.to_string(), period: i.baseline.period.to_string() },
            frequency: i.frequency.as_str().to_owned(),
            data_source: i.data_source.clone(),
            means_of_verification: i.means_of_verification.clone(),
            weight: i.weight.get().to_string(),
            disclosure: i.disclosure.as_str().to_owned(),
            external_ref: i.external_ref.as_ref().map(ToString::to_string),
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DefinitionView {
    pub id: Uuid,
    #[schema(example = "TF-RELEASE-TIME")]
    pub code: String,
    /// WCO PMM dimension.
    pub dimension: String,
    pub name: String,
    pub name_translations: Translations,
    pub description: String,
    pub description_translations: Translations,
    pub measure: String,
    pub direction: String,
    pub unit: Option<String>,
}

impl DefinitionView {
    pub fn new(d: &IndicatorDefinition, l: &Localizer) -> Self {
        Self {
            id: d.id.as_uuid(),
            code: d.code.clone(),
            dimension: d.dimension.as_str().to_owned(),
            name: l.text(None, &d.name),
            name_translations: translations(&d.name),
            description: l.text(None, &d.description),
            description_translations: translations(&d.description),
            measure: d.measure.as_str().to_owned(),
            direction: d.direction.as_str().to_owned(),
            unit: d.unit.clone(),
        }
    }
}

// ---------------------------------------------------------------- results

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutTarget {
    #[schema(value_type = String, example = "24")]
    pub value: DecimalInput,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    pub id: Uuid,
    pub indicator_id: Uuid,
    #[schema(example = "2026")]
    pub period: String,
    pub value: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Target> for TargetView {
    fn from(t: &Target) -> Self {
        Self {
            id: t.id.as_uuid(),
            indicator_id: t.indicator_id.as_uuid(),
            period: t.period.to_string(),
            value: t.value.to_string(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutMeasurement {
    #[schema(value_type = String, example = "41.5")]
    pub value: DecimalInput,
    pub source: Option<String>,
    /// An http(s) link to the evidence.
    pub evidence_url: Option<String>,
    pub comment: Option<String>,
}

impl From<PutMeasurement> for MeasurementInput {
    fn from(b: PutMeasurement) -> Self {
        Self { value: Some(b.value.text()), source: b.source, evidence_url: b.evidence_url, comment: b.comment }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewTransition {
    /// `submitted`, `approved` or `returned`.
    #[schema(example = "submitted")]
    pub to: String,
    /// Why the value is returned (required for `returned`).
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasurementView {
    pub id: Uuid,
    pub indicator_id: Uuid,
    #[schema(example = "2024")]
    pub period: String,
    /// The value last recorded (the approved one for readers outside the administration).
    pub value: String,
    pub source: Option<String>,
    pub evidence_url: Option<String>,
    pub comment: Option<String>,
    /// `draft`, `submitted`, `approved` or `returned`.
    pub status: String,
    pub return_reason: Option<String>,
    pub recorded_by: String,
    pub submitted_by: Option<String>,
    pub reviewed_by: Option<String>,
    /// The official value: the last approved one.
    pub approved_value: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Measurement> for MeasurementView {
    fn from(m: &Measurement) -> Self {
        Self {
            id: m.id.as_uuid(),
            indicator_id: m.indicator_id.as_uuid(),
            period: m.period.to_string(),
            value: m.value.to_string(),
            source: m.source.clone(),
            evidence_url: m.evidence_url.clone(),
            comment: m.comment.clone(),
            status: m.status.as_str().to_owned(),
            return_reason: m.return_reason.clone(),
            recorded_by: m.recorded_by.clone(),
            submitted_by: m.submitted_by.clone(),
            reviewed_by: m.reviewed_by.clone(),
            approved_value: m.approved_value.map(|v| v.to_string()),
            approved_at: m.approved_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn dec(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPointView {
    pub period: String,
    pub target: Option<String>,
    /// The explicit target, else the value interpolated between baseline and targets.
    pub expected: Option<String>,
    /// The approved actual.
    pub actual: Option<String>,
    pub progress: Option<String>,
    pub expected_progress: Option<String>,
    /// `on_track`, `at_risk`, `off_track` or `no_data`; set where there is an actual.
    pub status: Option<String>,
}

impl From<&SeriesPoint> for SeriesPointView {
    fn from(p: &SeriesPoint) -> Self {
        Self {
            period: p.period.to_string(),
            target: dec(p.target),
            expected: dec(p.expected),
            actual: dec(p.actual),
            progress: dec(p.progress),
            expected_progress: dec(p.expected_progress),
            status: p.status.map(|s| s.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinalTargetView {
    pub period: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    pub indicator_id: Uuid,
    pub direction: String,
    pub baseline: BaselineView,
    pub final_target: Option<FinalTargetView>,
    /// The latest period with an approved actual.
    pub latest_period: Option<String>,
    /// `(actual - baseline) / (final_target - baseline)` at the latest period; not clamped.
    pub progress: Option<String>,
    pub expected_progress: Option<String>,
    pub status: String,
    pub series: Vec<SeriesPointView>,
}

impl From<&ProgressReport> for ProgressView {
    fn from(r: &ProgressReport) -> Self {
        let p: &IndicatorProgress = &r.progress;
        Self {
            indicator_id: r.indicator.id.as_uuid(),
            direction: r.indicator.direction.as_str().to_owned(),
            baseline: BaselineView { value: r.indicator.baseline.value.to_string(), period: r.indicator.baseline.period.to_string() },
            final_target: p.final_target.map(|(period, value)| FinalTargetView { period: period.to_string(), value: value.to_string() }),
            latest_period: p.latest_period.map(|x| x.to_string()),
            progress: dec(p.progress),
            expected_progress: dec(p.expected_progress),
            status: p.status.as_str().to_owned(),
            series: p.points.iter().map(SeriesPointView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RollUpView {
    pub progress: Option<String>,
    pub expected_progress: Option<String>,
    pub status: String,
    pub indicators_with_data: u32,
    pub indicators_without_data: u32,
}

impl From<&RollUp> for RollUpView {
    fn from(r: &RollUp) -> Self {
        Self {
            progress: dec(r.progress),
            expected_progress: dec(r.expected_progress),
            status: r.status.as_str().to_owned(),
            indicators_with_data: r.indicators_with_data,
            indicators_without_data: r.indicators_without_data,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorScoreView {
    pub indicator_id: Uuid,
    pub name: String,
    pub weight: String,
    pub latest_period: Option<String>,
    pub progress: Option<String>,
    pub expected_progress: Option<String>,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveScoreView {
    pub objective_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub title: String,
    pub weight: String,
    pub rollup: RollUpView,
    pub indicators: Vec<IndicatorScoreView>,
}

impl ObjectiveScoreView {
    fn new(s: &ObjectiveScore, l: &Localizer) -> Self {
        let a = Some(s.objective.administration);
        Self {
            objective_id: s.objective.id.as_uuid(),
            parent_id: s.objective.parent_id.map(|p| p.as_uuid()),
            code: s.objective.code.as_str().to_owned(),
            title: l.text(a, &s.objective.title),
            weight: s.objective.weight.get().to_string(),
            rollup: RollUpView::from(&s.rollup),
            indicators: s
                .indicators
                .iter()
                .map(|i| IndicatorScoreView {
                    indicator_id: i.indicator.id.as_uuid(),
                    name: l.text(a, &i.indicator.name),
                    weight: i.indicator.weight.get().to_string(),
                    latest_period: i.standing.latest_period.map(|p| p.to_string()),
                    progress: dec(i.standing.progress),
                    expected_progress: dec(i.standing.expected_progress),
                    status: i.standing.status.as_str().to_owned(),
                })
                .collect(),
        }
    }
}

/// A plan's results at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardView {
    pub plan_id: Uuid,
    pub title: String,
    pub status: String,
    /// The plan's roll-up over its top-level objectives.
    pub rollup: RollUpView,
    /// Indicators per status: `on_track`, `at_risk`, `off_track`, `no_data`.
    pub status_counts: BTreeMap<String, u32>,
    /// Objectives in tree order (parents before children).
    pub objectives: Vec<ObjectiveScoreView>,
    /// Indicators with no progress to report (no approved actual, or no target).
    pub indicators_without_data: Vec<Uuid>,
}

impl ScorecardView {
    pub fn new(s: &Scorecard, l: &Localizer) -> Self {
        Self {
            plan_id: s.plan.id.as_uuid(),
            title: l.text(Some(s.plan.administration), &s.plan.title),
            status: s.plan.status.as_str().to_owned(),
            rollup: RollUpView::from(&s.rollup),
            status_counts: s.status_counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            objectives: s.objectives.iter().map(|o| ObjectiveScoreView::new(o, l)).collect(),
            indicators_without_data: s.indicators_without_data.iter().map(|i| i.as_uuid()).collect(),
        }
    }
}

/// One administration's latest approved figure for a catalogue indicator.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonEntryView {
    pub administration: String,
    pub plan_id: Uuid,
    pub indicator_id: Uuid,
    /// The indicator's name in the reader's language.
    pub indicator_name: String,
    pub unit: Option<String>,
    pub period: String,
    pub value: String,
    /// Progress against the administration's own baseline and targets.
    pub progress: Option<String>,
    pub status: String,
}

/// A catalogue indicator across the administrations that adopted and disclosed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonView {
    pub definition: DefinitionView,
    /// One entry per administration that has an approved value, by code.
    pub entries: Vec<ComparisonEntryView>,
}

impl ComparisonView {
    pub fn new(c: &domain::services::Comparison, l: &Localizer) -> Self {
        Self {
            definition: DefinitionView::new(&c.definition, l),
            entries: c
                .entries
                .iter()
                .map(|e| ComparisonEntryView {
                    administration: e.administration.to_string(),
                    plan_id: e.plan_id.as_uuid(),
                    indicator_id: e.indicator.id.as_uuid(),
                    indicator_name: l.text(Some(e.administration), &e.indicator.name),
                    unit: e.indicator.unit.clone(),
                    period: e.period.to_string(),
                    value: e.value.to_string(),
                    progress: dec(e.progress.progress),
                    status: e.progress.status.as_str().to_owned(),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- capability assessments

/// An exact amount in one currency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    #[schema(value_type = String, example = "1250000.00")]
    pub amount: DecimalInput,
    /// ISO 4217 code.
    #[schema(example = "USD")]
    pub currency: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyView {
    pub amount: String,
    pub currency: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssessment {
    /// Only admins name the administration.
    pub administration: Option<String>,
    /// The date the assessment describes.
    #[schema(example = "2022-02-08")]
    pub assessed_on: String,
    /// Maturity 1–5 per dimension: `strategic_management`, `risk_management`,
    /// `information_technology`, `human_resources`, `integrity`, `trade_facilitation`,
    /// `stakeholder_cooperation`.
    #[schema(example = json!({"risk_management": 2, "integrity": 3}))]
    pub maturity: BTreeMap<String, i64>,
    /// Staff working in the administration.
    pub staff: Option<i64>,
    pub annual_budget: Option<MoneyInput>,
    pub notes: Option<Translations>,
}

impl From<CreateAssessment> for (Option<String>, domain::assessment::AssessmentInput) {
    fn from(b: CreateAssessment) -> Self {
        let (amount, currency) = match b.annual_budget {
            Some(m) => (Some(m.amount.text()), Some(m.currency)),
            None => (None, None),
        };
        (
            b.administration,
            domain::assessment::AssessmentInput {
                assessed_on: Some(b.assessed_on),
                maturity: Some(b.maturity.into_iter().collect()),
                staff: Some(b.staff),
                annual_budget_amount: Some(amount),
                annual_budget_currency: Some(currency),
                notes: Some(b.notes.map(pairs)),
            },
        )
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchAssessment {
    pub assessed_on: Option<String>,
    /// Replaces the whole set of levels.
    pub maturity: Option<BTreeMap<String, i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub staff: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub annual_budget: Option<Option<MoneyInput>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub notes: Option<Option<Translations>>,
}

impl From<PatchAssessment> for domain::assessment::AssessmentInput {
    fn from(b: PatchAssessment) -> Self {
        let (amount, currency) = match b.annual_budget {
            Some(Some(m)) => (Some(Some(m.amount.text())), Some(Some(m.currency))),
            Some(None) => (Some(None), Some(None)),
            None => (None, None),
        };
        Self {
            assessed_on: b.assessed_on,
            maturity: b.maturity.map(|m| m.into_iter().collect()),
            staff: b.staff,
            annual_budget_amount: amount,
            annual_budget_currency: currency,
            notes: b.notes.map(|n| n.map(pairs)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentView {
    pub id: Uuid,
    pub administration: String,
    pub assessed_on: String,
    /// Maturity 1–5 per assessed dimension.
    pub maturity: BTreeMap<String, u8>,
    pub staff: Option<i64>,
    pub annual_budget: Option<MoneyView>,
    pub notes: Option<String>,
    pub notes_translations: Option<Translations>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AssessmentView {
    pub fn new(a: &domain::assessment::CapabilityAssessment, l: &Localizer) -> Self {
        Self {
            id: a.id.as_uuid(),
            administration: a.administration.to_string(),
            assessed_on: a.assessed_on.to_string(),
            maturity: a.maturity.iter().map(|(d, m)| (d.as_str().to_owned(), m.get())).collect(),
            staff: a.staff,
            annual_budget: a.annual_budget.as_ref().map(|m| MoneyView { amount: m.amount.to_string(), currency: m.currency.as_str().to_owned() }),
            notes: a.notes.as_ref().map(|t| l.text(Some(a.administration), t)),
            notes_translations: a.notes.as_ref().map(translations),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// How one dimension moved between two assessments.
#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionChangeView {
    pub dimension: String,
    pub before: Option<u8>,
    pub after: Option<u8>,
    /// After minus before, where both were assessed.
    pub delta: Option<i8>,
}

/// What changed from the earlier assessment to the later one.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentComparisonView {
    pub from: AssessmentView,
    pub to: AssessmentView,
    pub dimensions: Vec<DimensionChangeView>,
    pub improved: Vec<String>,
    pub worsened: Vec<String>,
}

impl AssessmentComparisonView {
    pub fn new(c: &domain::assessment::AssessmentComparison, l: &Localizer) -> Self {
        Self {
            from: AssessmentView::new(&c.from, l),
            to: AssessmentView::new(&c.to, l),
            dimensions: c
                .dimensions
                .iter()
                .map(|d| DimensionChangeView {
                    dimension: d.dimension.as_str().to_owned(),
                    before: d.before.map(|m| m.get()),
                    after: d.after.map(|m| m.get()),
                    delta: d.delta(),
                })
                .collect(),
            improved: c.improved().iter().map(|d| d.as_str().to_owned()).collect(),
            worsened: c.worsened().iter().map(|d| d.as_str().to_owned()).collect(),
        }
    }
}

// ---------------------------------------------------------------- practice library

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePractice {
    /// Only admins name the administration.
    pub administration: Option<String>,
    /// `best_practice`, `challenge`, `opportunity` or `lesson_learned`.
    #[schema(example = "best_practice")]
    pub kind: String,
    pub title: Translations,
    pub body: Translations,
    /// Up to 20 tags of letters, digits or `-`.
    #[schema(example = json!(["risk-management", "aeo"]))]
    pub tags: Option<Vec<String>>,
    /// Objectives of your administration this practice relates to.
    pub objective_ids: Option<Vec<Uuid>>,
    /// Who reads it once published: `public` (also without a token), `programme` (default) or
    /// `restricted` (your administration only).
    pub disclosure: Option<String>,
}

impl From<CreatePractice> for (Option<String>, domain::practice::PracticeInput) {
    fn from(b: CreatePractice) -> Self {
        (
            b.administration,
            domain::practice::PracticeInput {
                kind: Some(b.kind),
                title: Some(pairs(b.title)),
                body: Some(pairs(b.body)),
                tags: b.tags,
                objective_ids: b.objective_ids.map(|v| v.iter().map(ToString::to_string).collect()),
                disclosure: b.disclosure,
            },
        )
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchPractice {
    pub kind: Option<String>,
    pub title: Option<Translations>,
    pub body: Option<Translations>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
    /// Replaces the linked objectives.
    pub objective_ids: Option<Vec<Uuid>>,
    /// `public`, `programme` or `restricted`.
    pub disclosure: Option<String>,
}

impl From<PatchPractice> for domain::practice::PracticeInput {
    fn from(b: PatchPractice) -> Self {
        Self {
            kind: b.kind,
            title: b.title.map(pairs),
            body: b.body.map(pairs),
            tags: b.tags,
            objective_ids: b.objective_ids.map(|v| v.iter().map(ToString::to_string).collect()),
            disclosure: b.disclosure,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PracticeView {
    pub id: Uuid,
    /// The administration that wrote it.
    pub administration: String,
    pub kind: String,
    pub title: String,
    pub title_translations: Translations,
    pub body: String,
    pub body_translations: Translations,
    pub tags: Vec<String>,
    pub objective_ids: Vec<Uuid>,
    /// `draft` (its administration only) or `published` (readers its disclosure allows).
    pub status: String,
    /// `public`, `programme` or `restricted`.
    pub disclosure: String,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PracticeView {
    pub fn new(p: &domain::practice::Practice, l: &Localizer) -> Self {
        let a = Some(p.administration);
        Self {
            id: p.id.as_uuid(),
            administration: p.administration.to_string(),
            kind: p.kind.as_str().to_owned(),
            title: l.text(a, &p.title),
            title_translations: translations(&p.title),
            body: l.text(a, &p.body),
            body_translations: translations(&p.body),
            tags: p.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            objective_ids: p.objective_ids.iter().map(|o| o.as_uuid()).collect(),
            status: p.status.as_str().to_owned(),
            disclosure: p.disclosure.as_str().to_owned(),
            published_at: p.published_at,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

// ---------------------------------------------------------------- donors

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDonor {
    /// 2–16 upper-case letters, digits, `-` or `_`.
    #[schema(example = "SECO")]
    pub code: String,
    pub name: Translations,
    /// IATI organisation identifier.
    #[schema(example = "CH-4")]
    pub iati_org_id: Option<String>,
}

impl From<CreateDonor> for domain::donor::DonorInput {
    fn from(b: CreateDonor) -> Self {
        Self { code: Some(b.code), name: Some(pairs(b.name)), iati_org_id: Some(b.iati_org_id) }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchDonor {
    pub name: Option<Translations>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub iati_org_id: Option<Option<String>>,
}

impl From<PatchDonor> for domain::donor::DonorInput {
    fn from(b: PatchDonor) -> Self {
        Self { code: None, name: b.name.map(pairs), iati_org_id: b.iati_org_id }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DonorView {
    pub code: String,
    pub name: String,
    pub name_translations: Translations,
    pub iati_org_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl DonorView {
    pub fn new(d: &domain::donor::Donor, l: &Localizer) -> Self {
        Self {
            code: d.code.to_string(),
            name: l.text(None, &d.name),
            name_translations: translations(&d.name),
            iati_org_id: d.iati_org_id.as_ref().map(|i| i.as_str().to_owned()),
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

// ---------------------------------------------------------------- projects

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    /// Only admins name the administration.
    pub administration: Option<String>,
    #[schema(example = "P1")]
    pub code: String,
    pub title: Translations,
    pub description: Option<Translations>,
    #[schema(example = "2024-01-15")]
    pub planned_start: String,
    #[schema(example = "2026-06-30")]
    pub planned_end: String,
    pub budget: Option<MoneyInput>,
    /// Objectives of your administration's plans it contributes to (at least one).
    pub objective_ids: Vec<Uuid>,
    /// The portfolio of your administration it belongs to.
    pub portfolio_id: Option<Uuid>,
    pub external_ref: Option<String>,
}

impl From<CreateProject> for (Option<String>, domain::project::ProjectInput) {
    fn from(b: CreateProject) -> Self {
        let (amount, currency) = match b.budget {
            Some(m) => (Some(m.amount.text()), Some(m.currency)),
            None => (None, None),
        };
        (
            b.administration,
            domain::project::ProjectInput {
                code: Some(b.code),
                title: Some(pairs(b.title)),
                description: Some(b.description.map(pairs)),
                planned_start: Some(b.planned_start),
                planned_end: Some(b.planned_end),
                budget_amount: Some(amount),
                budget_currency: Some(currency),
                objective_ids: Some(b.objective_ids.iter().map(ToString::to_string).collect()),
                portfolio_id: Some(b.portfolio_id.map(|f| f.to_string())),
                external_ref: Some(b.external_ref),
            },
        )
    }
}

/// The body of a project upsert by your system's reference.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpsertProject {
    /// Only admins name the administration.
    pub administration: Option<String>,
    #[schema(example = "P1")]
    pub code: String,
    pub title: Translations,
    pub description: Option<Translations>,
    pub planned_start: String,
    pub planned_end: String,
    pub budget: Option<MoneyInput>,
    pub objective_ids: Vec<Uuid>,
    /// The portfolio it belongs to; leaving it out takes the project out of any portfolio.
    pub portfolio_id: Option<Uuid>,
}

impl From<UpsertProject> for (Option<String>, domain::project::ProjectInput) {
    fn from(b: UpsertProject) -> Self {
        let create = CreateProject {
            administration: b.administration,
            code: b.code,
            title: b.title,
            description: b.description,
            planned_start: b.planned_start,
            planned_end: b.planned_end,
            budget: b.budget,
            objective_ids: b.objective_ids,
            portfolio_id: b.portfolio_id,
            external_ref: None,
        };
        create.into()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchProject {
    pub code: Option<String>,
    pub title: Option<Translations>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub description: Option<Option<Translations>>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub budget: Option<Option<MoneyInput>>,
    pub objective_ids: Option<Vec<Uuid>>,
    /// Moves the project into this portfolio; `null` takes it out of any.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub portfolio_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub external_ref: Option<Option<String>>,
}

impl From<PatchProject> for domain::project::ProjectInput {
    fn from(b: PatchProject) -> Self {
        let (amount, currency) = match b.budget {
            Some(Some(m)) => (Some(Some(m.amount.text())), Some(Some(m.currency))),
            Some(None) => (Some(None), Some(None)),
            None => (None, None),
        };
        Self {
            code: b.code,
            title: b.title.map(pairs),
            description: b.description.map(|d| d.map(pairs)),
            planned_start: b.planned_start,
            planned_end: b.planned_end,
            budget_amount: amount,
            budget_currency: currency,
            objective_ids: b.objective_ids.map(|v| v.iter().map(ToString::to_string).collect()),
            portfolio_id: b.portfolio_id.map(|f| f.map(|f| f.to_string())),
            external_ref: b.external_ref,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: Uuid,
    pub administration: String,
    pub code: String,
    pub title: String,
    pub title_translations: Translations,
    pub description: Option<String>,
    pub description_translations: Option<Translations>,
    /// `proposed`, `approved`, `in_progress`, `on_hold`, `completed` or `cancelled`.
    pub status: String,
    pub allowed_transitions: Vec<String>,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub budget: Option<MoneyView>,
    pub objective_ids: Vec<Uuid>,
    pub portfolio_id: Option<Uuid>,
    pub external_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProjectView {
    pub fn new(p: &domain::project::Project, l: &Localizer) -> Self {
        let a = Some(p.administration);
        Self {
            id: p.id.as_uuid(),
            administration: p.administration.to_string(),
            code: p.code.as_str().to_owned(),
            title: l.text(a, &p.title),
            title_translations: translations(&p.title),
            description: p.description.as_ref().map(|t| l.text(a, t)),
            description_translations: p.description.as_ref().map(translations),
            status: p.status.as_str().to_owned(),
            allowed_transitions: p.status.successors().iter().map(|s| s.as_str().to_owned()).collect(),
            planned_start: p.planned_start.to_string(),
            planned_end: p.planned_end.to_string(),
            actual_start: p.actual_start.map(|d| d.to_string()),
            actual_end: p.actual_end.map(|d| d.to_string()),
            budget: p.budget.as_ref().map(|m| MoneyView { amount: m.amount.to_string(), currency: m.currency.as_str().to_owned() }),
            objective_ids: p.objective_ids.iter().map(|o| o.as_uuid()).collect(),
            portfolio_id: p.portfolio_id.map(|f| f.as_uuid()),
            external_ref: p.external_ref.as_ref().map(ToString::to_string),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMilestone {
    pub title: Translations,
    #[schema(example = "2025-03-31")]
    pub due_on: String,
    pub completed_on: Option<String>,
}

impl From<CreateMilestone> for domain::project::MilestoneInput {
    fn from(b: CreateMilestone) -> Self {
        Self { title: Some(pairs(b.title)), due_on: Some(b.due_on), completed_on: Some(b.completed_on) }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchMilestone {
    pub title: Option<Translations>,
    pub due_on: Option<String>,
    /// The date it was completed; `null` reopens it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub completed_on: Option<Option<String>>,
}

impl From<PatchMilestone> for domain::project::MilestoneInput {
    fn from(b: PatchMilestone) -> Self {
        Self { title: b.title.map(pairs), due_on: b.due_on, completed_on: b.completed_on }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneView {
    pub id: Uuid,
    pub project_id: Uuid,
    pub title: String,
    pub title_translations: Translations,
    pub due_on: String,
    pub completed_on: Option<String>,
    /// Due date passed and not completed.
    pub overdue: bool,
    pub version: i64,
}

impl MilestoneView {
    pub fn new(m: &domain::project::Milestone, today: chrono::NaiveDate, l: &Localizer) -> Self {
        Self {
            id: m.id.as_uuid(),
            project_id: m.project_id.as_uuid(),
            title: l.text(Some(m.administration), &m.title),
            title_translations: translations(&m.title),
            due_on: m.due_on.to_string(),
            completed_on: m.completed_on.map(|d| d.to_string()),
            overdue: m.is_overdue(today),
            version: m.version,
        }
    }
}

/// A project's schedule health from its milestones.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    pub milestones: u32,
    pub completed: u32,
    pub overdue: u32,
    /// Completed over all; absent without milestones.
    pub completed_share: Option<String>,
}

/// A project with its milestones and schedule health.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDetailView {
    #[serde(flatten)]
    pub project: ProjectView,
    pub milestones: Vec<MilestoneView>,
    pub schedule: ScheduleView,
}

impl ProjectDetailView {
    pub fn new(r: &domain::services::ProjectReport, l: &Localizer) -> Self {
        Self {
            project: ProjectView::new(&r.project, l),
            milestones: r.milestones.iter().map(|m| MilestoneView::new(m, r.as_of, l)).collect(),
            schedule: ScheduleView {
                milestones: r.health.milestones,
                completed: r.health.completed,
                overdue: r.health.overdue,
                completed_share: dec(r.health.completed_share),
            },
        }
    }
}

// ---------------------------------------------------------------- funding

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFunding {
    /// The donor's code.
    #[schema(example = "SECO")]
    pub donor: String,
    pub committed: MoneyInput,
    /// Lets disbursements exceed the commitment (an explicit, audited override).
    pub allow_over_disbursement: Option<bool>,
}

impl From<CreateFunding> for domain::funding::FundingInput {
    fn from(b: CreateFunding) -> Self {
        Self {
            donor: Some(b.donor),
            committed_amount: Some(b.committed.amount.text()),
            currency: Some(b.committed.currency),
            allow_over_disbursement: b.allow_over_disbursement,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTransaction {
    /// IATI transaction type: `incoming_funds`, `outgoing_commitment`, `disbursement`,
    /// `expenditure` or `incoming_commitment`.
    #[schema(example = "disbursement")]
    pub kind: String,
    #[schema(example = "2025-03-31")]
    pub date: String,
    /// In the funding's currency.
    #[schema(value_type = String, example = "250000")]
    pub amount: DecimalInput,
    pub description: Option<String>,
}

impl From<CreateTransaction> for domain::funding::TransactionInput {
    fn from(b: CreateTransaction) -> Self {
        Self { kind: Some(b.kind), date: Some(b.date), amount: Some(b.amount.text()), description: b.description }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionView {
    pub id: Uuid,
    pub funding_id: Uuid,
    pub kind: String,
    /// The IATI `TransactionType` code.
    pub iati_code: u8,
    pub date: String,
    pub amount: String,
    pub currency: String,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingView {
    pub id: Uuid,
    pub project_id: Uuid,
    pub administration: String,
    pub donor: String,
    pub committed: MoneyView,
    pub allow_over_disbursement: bool,
    pub transactions: Vec<TransactionView>,
    pub created_at: DateTime<Utc>,
}

impl FundingView {
    pub fn new(f: &domain::funding::Funding, transactions: &[domain::funding::FundingTransaction]) -> Self {
        Self {
            id: f.id.as_uuid(),
            project_id: f.project_id.as_uuid(),
            administration: f.administration.to_string(),
            donor: f.donor.to_string(),
            committed: MoneyView { amount: f.committed.amount.to_string(), currency: f.committed.currency.as_str().to_owned() },
            allow_over_disbursement: f.allow_over_disbursement,
            transactions: transactions.iter().map(|t| TransactionView::new(t, f)).collect(),
            created_at: f.created_at,
        }
    }
}

impl TransactionView {
    pub fn new(t: &domain::funding::FundingTransaction, f: &domain::funding::Funding) -> Self {
        Self {
            id: t.id.as_uuid(),
            funding_id: t.funding_id.as_uuid(),
            kind: t.kind.as_str().to_owned(),
            iati_code: t.kind.iati_code(),
            date: t.date.to_string(),
            amount: t.amount.to_string(),
            currency: f.committed.currency.as_str().to_owned(),
            description: t.description.clone(),
        }
    }
}

/// What fundings add up to in one currency (currencies are never summed together).
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyTotalsView {
    pub currency: String,
    pub committed: String,
    pub disbursed: String,
    pub spent: String,
}

/// Fundings with their transactions, and totals per currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundingSummaryView {
    pub fundings: Vec<FundingView>,
    pub totals: Vec<CurrencyTotalsView>,
}

impl From<&domain::services::FundingSummary> for FundingSummaryView {
    fn from(s: &domain::services::FundingSummary) -> Self {
        Self {
            fundings: s.fundings.iter().map(|r| FundingView::new(&r.funding, &r.transactions)).collect(),
            totals: s
                .totals
                .by_currency
                .iter()
                .map(|(c, t)| CurrencyTotalsView {
                    currency: c.clone(),
                    committed: t.committed.normalize().to_string(),
                    disbursed: t.disbursed.normalize().to_string(),
                    spent: t.spent.normalize().to_string(),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- risks

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRisk {
    pub title: Translations,
    /// 1 (rare) to 5 (almost certain).
    #[schema(minimum = 1, maximum = 5)]
    pub likelihood: i64,
    /// 1 (minor) to 5 (severe).
    #[schema(minimum = 1, maximum = 5)]
    pub impact: i64,
    pub mitigation: Option<Translations>,
    pub owner: Option<String>,
    /// `open` (default), `mitigated`, `occurred` or `closed`.
    pub status: Option<String>,
}

impl From<CreateRisk> for domain::risk::RiskInput {
    fn from(b: CreateRisk) -> Self {
        Self {
            title: Some(pairs(b.title)),
            likelihood: Some(b.likelihood),
            impact: Some(b.impact),
            mitigation: Some(b.mitigation.map(pairs)),
            owner: Some(b.owner),
            status: b.status,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchRisk {
    pub title: Option<Translations>,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub mitigation: Option<Option<Translations>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub owner: Option<Option<String>>,
    pub status: Option<String>,
}

impl From<PatchRisk> for domain::risk::RiskInput {
    fn from(b: PatchRisk) -> Self {
        Self {
            title: b.title.map(pairs),
            likelihood: b.likelihood,
            impact: b.impact,
            mitigation: b.mitigation.map(|m| m.map(pairs)),
            owner: b.owner,
            status: b.status,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskView {
    pub id: Uuid,
    /// The project it is on, if on a project.
    pub project_id: Option<Uuid>,
    /// The objective it is on, if on an objective.
    pub objective_id: Option<Uuid>,
    pub title: String,
    pub title_translations: Translations,
    pub likelihood: u8,
    pub impact: u8,
    /// Likelihood × impact, 1 to 25.
    pub score: u8,
    pub mitigation: Option<String>,
    pub owner: Option<String>,
    pub status: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl RiskView {
    pub fn new(r: &domain::risk::Risk, l: &Localizer) -> Self {
        let (project_id, objective_id) = match r.subject {
            domain::risk::RiskSubject::Project(p) => (Some(p.as_uuid()), None),
            domain::risk::RiskSubject::Objective(o) => (None, Some(o.as_uuid())),
        };
        Self {
            id: r.id.as_uuid(),
            project_id,
            objective_id,
            title: l.text(Some(r.administration), &r.title),
            title_translations: translations(&r.title),
            likelihood: r.likelihood,
            impact: r.impact,
            score: r.score(),
            mitigation: r.mitigation.as_ref().map(|t| l.text(Some(r.administration), t)),
            owner: r.owner.clone(),
            status: r.status.as_str().to_owned(),
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}

// ---------------------------------------------------------------- portfolios

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePortfolio {
    /// Only admins name the administration.
    pub administration: Option<String>,
    #[schema(example = "DIGITAL")]
    pub code: String,
    pub title: Translations,
    pub description: Option<Translations>,
}

impl From<CreatePortfolio> for (Option<String>, domain::portfolio::PortfolioInput) {
    fn from(b: CreatePortfolio) -> Self {
        (b.administration, domain::portfolio::PortfolioInput { code: Some(b.code), title: Some(pairs(b.title)), description: Some(b.description.map(pairs)) })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchPortfolio {
    pub code: Option<String>,
    pub title: Option<Translations>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub description: Option<Option<Translations>>,
}

impl From<PatchPortfolio> for domain::portfolio::PortfolioInput {
    fn from(b: PatchPortfolio) -> Self {
        Self { code: b.code, title: b.title.map(pairs), description: b.description.map(|d| d.map(pairs)) }
    }
}

/// How many projects of a portfolio are in one status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectStatusCount {
    pub status: String,
    pub projects: u32,
}

/// The roll-up of a portfolio's projects.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioSummaryView {
    pub projects: u32,
    /// Every status in lifecycle order, zeros included.
    pub by_status: Vec<ProjectStatusCount>,
    /// Summed budgets, one entry per currency (never converted or added across currencies).
    pub budgets: Vec<MoneyView>,
    pub milestones: u32,
    pub overdue_milestones: u32,
    /// Open projects with at least one overdue milestone.
    pub projects_behind_schedule: u32,
    /// The day "overdue" was judged on.
    pub as_of: String,
}

impl PortfolioSummaryView {
    pub fn new(s: &domain::portfolio::PortfolioSummary, as_of: chrono::NaiveDate) -> Self {
        Self {
            projects: s.projects,
            by_status: s.by_status.iter().map(|(status, n)| ProjectStatusCount { status: status.as_str().to_owned(), projects: *n }).collect(),
            budgets: s.budget_by_currency.iter().map(|(c, a)| MoneyView { amount: a.normalize().to_string(), currency: c.clone() }).collect(),
            milestones: s.milestones,
            overdue_milestones: s.overdue_milestones,
            projects_behind_schedule: s.projects_behind_schedule,
            as_of: as_of.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioView {
    pub id: Uuid,
    pub administration: String,
    pub code: String,
    pub title: String,
    pub title_translations: Translations,
    pub description: Option<String>,
    pub description_translations: Option<Translations>,
    /// The roll-up of its projects (only in `GET /portfolios/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<PortfolioSummaryView>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PortfolioView {
    pub fn new(p: &domain::portfolio::Portfolio, summary: Option<PortfolioSummaryView>, l: &Localizer) -> Self {
        let a = Some(p.administration);
        Self {
            id: p.id.as_uuid(),
            administration: p.administration.to_string(),
            code: p.code.as_str().to_owned(),
            title: l.text(a, &p.title),
            title_translations: translations(&p.title),
            description: p.description.as_ref().map(|t| l.text(a, t)),
            description_translations: p.description.as_ref().map(translations),
            summary,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

// ---------------------------------------------------------------- stakeholders

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStakeholder {
    /// Only admins name the administration.
    pub administration: Option<String>,
    pub name: Translations,
    /// `private_sector`, `government_agency`, `international_organisation`, `civil_society`,
    /// `academia` or `other`.
    #[schema(example = "private_sector")]
    pub kind: String,
    pub contact: Option<String>,
}

impl From<CreateStakeholder> for (Option<String>, domain::stakeholder::StakeholderInput) {
    fn from(b: CreateStakeholder) -> Self {
        (b.administration, domain::stakeholder::StakeholderInput { name: Some(pairs(b.name)), kind: Some(b.kind), contact: Some(b.contact) })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchStakeholder {
    pub name: Option<Translations>,
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub contact: Option<Option<String>>,
}

impl From<PatchStakeholder> for domain::stakeholder::StakeholderInput {
    fn from(b: PatchStakeholder) -> Self {
        Self { name: b.name.map(pairs), kind: b.kind, contact: b.contact }
    }
}

/// A stakeholder's role: on an objective (`objective_id`) or a project (`project_id`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEngagement {
    pub objective_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// `owner`, `involved`, `consulted`, `informed` or `beneficiary`.
    #[schema(example = "consulted")]
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EngagementView {
    pub id: Uuid,
    pub stakeholder_id: Uuid,
    pub objective_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl From<&domain::stakeholder::Engagement> for EngagementView {
    fn from(e: &domain::stakeholder::Engagement) -> Self {
        let (objective_id, project_id) = match e.subject {
            domain::stakeholder::EngagementSubject::Objective(o) => (Some(o.as_uuid()), None),
            domain::stakeholder::EngagementSubject::Project(p) => (None, Some(p.as_uuid())),
        };
        Self {
            id: e.id.as_uuid(),
            stakeholder_id: e.stakeholder_id.as_uuid(),
            objective_id,
            project_id,
            role: e.role.as_str().to_owned(),
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StakeholderView {
    pub id: Uuid,
    pub administration: String,
    pub name: String,
    pub name_translations: Translations,
    pub kind: String,
    pub contact: Option<String>,
    /// Its roles on objectives and projects (only in `GET /stakeholders/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engagements: Option<Vec<EngagementView>>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl StakeholderView {
    pub fn new(s: &domain::stakeholder::Stakeholder, engagements: Option<&[domain::stakeholder::Engagement]>, l: &Localizer) -> Self {
        Self {
            id: s.id.as_uuid(),
            administration: s.administration.to_string(),
            name: l.text(Some(s.administration), &s.name),
            name_translations: translations(&s.name),
            kind: s.kind.as_str().to_owned(),
            contact: s.contact.clone(),
            engagements: engagements.map(|e| e.iter().map(EngagementView::from).collect()),
            version: s.version,
            updated_at: s.updated_at,
        }
    }
}

// ---------------------------------------------------------------- audit

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Position in the log (increasing).
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The token subject of who made the change.
    pub actor: String,
    pub actor_role: String,
    pub administration: Option<String>,
    pub entity_type: String,
    pub entity_id: String,
    /// `create`, `update`, `delete`, `transition:<status>` or `review:<status>`.
    pub action: String,
    /// The object before the change (absent on create).
    pub before: Option<serde_json::Value>,
    /// The object after the change (absent on delete).
    pub after: Option<serde_json::Value>,
}

impl From<&domain::audit::AuditRecord> for AuditView {
    fn from(r: &domain::audit::AuditRecord) -> Self {
        let e = &r.entry;
        Self {
            id: r.id,
            at: e.at,
            actor: e.actor.clone(),
            actor_role: e.actor_role.to_owned(),
            administration: e.administration.map(|a| a.to_string()),
            entity_type: e.entity_type.as_str().to_owned(),
            entity_id: e.entity_id.clone(),
            action: e.action.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
        }
    }
}

// ---------------------------------------------------------------- webhooks

/// Who a subscription belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOwnerView {
    /// `administration` or `donor`.
    pub kind: String,
    pub code: String,
}

/// A webhook subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: uuid::Uuid,
    pub owner: WebhookOwnerView,
    pub url: String,
    pub description: Option<String>,
    /// Event types delivered (`plan.created`, `measurement.*`, `*`); empty for every event.
    pub event_types: Vec<String>,
    /// The signing secret (`whsec_...`): present only in the answer that created or rotated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Deliveries stop while false (paused by the owner, or disabled after failures or a 410).
    pub active: bool,
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row (reset by a success).
    pub consecutive_failures: i32,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookView {
    pub fn new(s: &domain::webhook::Subscription, with_secret: bool) -> Self {
        Self {
            id: s.id.as_uuid(),
            owner: WebhookOwnerView { kind: s.owner.kind().to_owned(), code: s.owner.code().to_owned() },
            url: s.url.clone(),
            description: s.description.clone(),
            event_types: s.event_types.clone(),
            secret: with_secret.then(|| s.secret.clone()),
            active: s.active,
            disabled_reason: s.disabled_reason.clone(),
            consecutive_failures: s.consecutive_failures,
            version: s.version,
            created_by: s.created_by.clone(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where to deliver: a public `https` URL.
    #[schema(example = "https://planning.aduana.gob.bo/hooks/meridian")]
    pub url: String,
    /// `*`, `<type>.*` or `<type>.<created|updated|deleted|status_changed>`; every event when absent or empty.
    #[schema(example = json!(["measurement.status_changed", "plan.*"]))]
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    /// Admins only: the administration the subscription is for.
    pub administration: Option<String>,
    /// Admins only: the donor the subscription is for.
    pub donor: Option<String>,
    /// Start paused with `false`.
    pub active: Option<bool>,
}

impl From<&CreateWebhook> for domain::webhook::SubscriptionInput {
    fn from(b: &CreateWebhook) -> Self {
        Self { url: Some(b.url.clone()), description: Some(b.description.clone()), event_types: b.event_types.clone(), active: b.active }
    }
}

/// Changes to a subscription; `active: true` resumes a disabled one and forgets its failures.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchWebhook {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
}

impl From<PatchWebhook> for domain::webhook::SubscriptionInput {
    fn from(b: PatchWebhook) -> Self {
        Self { url: b.url, description: b.description, event_types: b.event_types, active: b.active }
    }
}

/// One try at delivering.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub number: i32,
    pub at: DateTime<Utc>,
    /// The receiver's status, when it answered.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One event on its way to a subscription, with its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// The `webhook-id` header: the same on every attempt.
    pub id: String,
    pub event_type: String,
    /// The change it announces (0 for a ping).
    pub change_seq: i64,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body sent.
    pub payload: serde_json::Value,
    pub attempts: Vec<AttemptView>,
}

impl From<&domain::services::DeliveryRecord> for DeliveryView {
    fn from(r: &domain::services::DeliveryRecord) -> Self {
        let d = &r.delivery;
        Self {
            id: d.message_id(),
            event_type: d.event_type.clone(),
            change_seq: d.change_seq,
            status: d.status.as_str().to_owned(),
            next_attempt_at: (d.status == domain::webhook::DeliveryStatus::Pending).then_some(d.next_attempt_at),
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            attempts: r
                .attempts
                .iter()
                .map(|a| AttemptView { number: a.number, at: a.at, status_code: a.status_code, error: a.error.clone(), duration_ms: a.duration_ms })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- change feed

/// One change: what happened to which object. Fetch the object itself (`href`) for its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    /// Resume after this change by passing it as `after`.
    pub cursor: String,
    /// The change's position in the feed (increasing in commit order).
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `plan`, `objective`, `indicator`, `target`, `measurement`, `project`, ...
    pub entity_type: String,
    pub entity_id: String,
    /// `create`, `update` or `delete` (a tombstone: remove your copy).
    pub operation: String,
    /// `create`, `update`, `delete`, `transition:<status>`, `review:<status>`, or a transaction kind.
    pub action: String,
    pub administration: Option<String>,
    /// Where the object is read in this API, when it has its own address and still exists.
    pub href: Option<String>,
}

impl From<&domain::audit::ChangeRecord> for ChangeView {
    fn from(r: &domain::audit::ChangeRecord) -> Self {
        let c = &r.change;
        Self {
            cursor: change_cursor(r.seq),
            seq: r.seq,
            at: c.at,
            entity_type: c.entity_type.as_str().to_owned(),
            entity_id: c.entity_id.clone(),
            operation: c.operation.as_str().to_owned(),
            action: c.action.clone(),
            administration: c.administration.map(|a| a.to_string()),
            href: href_of(c.entity_type, &c.entity_id).filter(|_| c.operation != domain::audit::Operation::Delete),
        }
    }
}

/// The opaque cursor of a position in the change feed.
pub fn change_cursor(seq: i64) -> String {
    crate::extract::encode_cursor(&seq.to_string())
}

/// The REST address of an object that has one of its own.
pub fn href_of(entity_type: domain::audit::EntityType, id: &str) -> Option<String> {
    use domain::audit::EntityType as T;
    let collection = match entity_type {
        T::Administration => "administrations",
        T::Plan => "plans",
        T::Objective => "objectives",
        T::Indicator => "indicators",
        T::Assessment => "assessments",
        T::Practice => "practices",
        T::Donor => "donors",
        T::Project => "projects",
        T::Stakeholder => "stakeholders",
        T::Portfolio => "portfolios",
        T::Client => "clients",
        T::Webhook => "webhooks",
        T::Target | T::Measurement | T::Milestone | T::Funding | T::Transaction | T::Risk | T::Engagement => return None,
    };
    Some(format!("/api/v1/{collection}/{id}"))
}

/// A page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeFeed {
    /// Oldest first.
    pub items: Vec<ChangeView>,
    /// Always present: pass it as `after` to read on, now or later (an empty page keeps the position).
    pub next_cursor: String,
    /// Whether more changes can be read right away.
    pub has_more: bool,
}

// ---------------------------------------------------------------- lists and misc

macro_rules! list_type {
    ($name:ident, $item:ty) => {
        /// A page of a list; pass `next_cursor` as `after` to read on.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Absent on the last page.
            pub next_cursor: Option<String>,
        }
    };
}

list_type!(AdministrationList, AdministrationView);
list_type!(PlanList, PlanView);
list_type!(ObjectiveList, ObjectiveView);
list_type!(IndicatorList, IndicatorView);
list_type!(MeasurementList, MeasurementView);
list_type!(DefinitionList, DefinitionView);
list_type!(AuditList, AuditView);
list_type!(WebhookList, WebhookView);
list_type!(DeliveryList, DeliveryView);
list_type!(AssessmentList, AssessmentView);
list_type!(PracticeList, PracticeView);
list_type!(DonorList, DonorView);
list_type!(ProjectList, ProjectView);
list_type!(StakeholderList, StakeholderView);
list_type!(PortfolioList, PortfolioView);

/// Health of the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
}
