//! Administrations (the tenants) and their strategic plans.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::{
    FieldError,
    error::Errors,
    ids::{AdministrationId, PlanId},
    text::{LanguageTag, LocalizedText},
    values::{AdministrationCode, Disclosure, non_blank},
};

/// Longest text of a title, in characters.
pub const TITLE_MAX: usize = 300;
/// Longest text of a narrative (vision, mission, description), in characters.
pub const NARRATIVE_MAX: usize = 10_000;

/// A Customs administration: the tenant every plan belongs to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Administration {
    pub id: AdministrationId,
    pub code: AdministrationCode,
    pub name: LocalizedText,
    /// The language its people write in (`es` for Bolivia, `uk` for Ukraine).
    pub default_language: LanguageTag,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw fields of a new administration, as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct AdministrationInput {
    pub code: String,
    pub name: Vec<(String, String)>,
    pub default_language: String,
}

/// A validated new administration.
#[derive(Debug, Clone)]
pub struct AdministrationDraft {
    pub code: AdministrationCode,
    pub name: LocalizedText,
    pub default_language: LanguageTag,
}

impl AdministrationDraft {
    /// # Errors
    /// Field errors for every invalid field.
    pub fn parse(input: &AdministrationInput) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let code = e.take("code", AdministrationCode::parse(&input.code));
        let name = take_text(&mut e, "name", &input.name, TITLE_MAX);
        let default_language = e.take("default_language", LanguageTag::parse(&input.default_language));
        match (code, name, default_language, e.finish()) {
            (Some(code), Some(name), Some(default_language), Ok(())) => Ok(Self { code, name, default_language }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid administration")]),
        }
    }
}

/// Parses a multilingual field into `e`, returning it when valid.
pub(crate) fn take_text(e: &mut Errors, field: &str, pairs: &[(String, String)], max: usize) -> Option<LocalizedText> {
    match LocalizedText::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), max) {
        Ok(t) => Some(t),
        Err(errs) => {
            for err in errs {
                e.push(err.under(field));
            }
            None
        }
    }
}

/// Parses an optional single-language text field.
pub(crate) fn take_opt_string(e: &mut Errors, field: &str, value: Option<&str>, max: usize) -> Option<Option<String>> {
    match value {
        None => Some(None),
        Some(v) => e.take(field, non_blank(v, max)).map(Some),
    }
}

/// Lifecycle of a plan: `draft → under_review → approved → active → closed`, and back from
/// `under_review` to `draft`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    UnderReview,
    Approved,
    Active,
    Closed,
}

/// A move the plan lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a plan cannot move from {from} to {to}")]
pub struct InvalidTransition {
    pub from: &'static str,
    pub to: &'static str,
}

impl PlanStatus {
    pub const ALL: [Self; 5] = [Self::Draft, Self::UnderReview, Self::Approved, Self::Active, Self::Closed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::UnderReview => "under_review",
            Self::Approved => "approved",
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }

    /// # Errors
    /// `invalid_value` for an unknown status name.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| FieldError::new("", "invalid_value", "one of draft, under_review, approved, active, closed"))
    }

    /// The statuses this one may move to.
    pub const fn successors(self) -> &'static [Self] {
        match self {
            Self::Draft => &[Self::UnderReview],
            Self::UnderReview => &[Self::Draft, Self::Approved],
            Self::Approved => &[Self::Active],
            Self::Active => &[Self::Closed],
            Self::Closed => &[],
        }
    }

    /// # Errors
    /// [`InvalidTransition`] for any move not in [`Self::successors`].
    pub fn transition(self, to: Self) -> Result<Self, InvalidTransition> {
        if self.successors().contains(&to) { Ok(to) } else { Err(InvalidTransition { from: self.as_str(), to: to.as_str() }) }
    }

    /// Only active and closed plans are ever visible outside their administration.
    pub const fn is_published(self) -> bool {
        matches!(self, Self::Active | Self::Closed)
    }
}

/// The plan's settings for RAG status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Thresholds {
    /// `on_track` when progress ≥ this × expected progress (default 0.9).
    pub on_track: Decimal,
    /// `at_risk` when progress ≥ this × expected progress (default 0.6).
    pub at_risk: Decimal,
    /// Tolerance of `maintain` indicators, as a fraction of the target (default 0.05).
    pub tolerance: Decimal,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { on_track: Decimal::new(9, 1), at_risk: Decimal::new(6, 1), tolerance: Decimal::new(5, 2) }
    }
}

impl Thresholds {
    /// # Errors
    /// Field errors unless 0 < at_risk < on_track ≤ 1 and 0 < tolerance ≤ 1.
    pub fn new(on_track: Decimal, at_risk: Decimal, tolerance: Decimal) -> Result<Self, Vec<FieldError>> {
        let mut errs = Vec::new();
        if !(on_track > Decimal::ZERO && on_track <= Decimal::ONE) {
            errs.push(FieldError::new("on_track", "out_of_range", "must be greater than 0 and at most 1"));
        }
        if !(at_risk > Decimal::ZERO && at_risk < on_track) {
            errs.push(FieldError::new("at_risk", "out_of_range", "must be greater than 0 and less than on_track"));
        }
        if !(tolerance > Decimal::ZERO && tolerance <= Decimal::ONE) {
            errs.push(FieldError::new("tolerance", "out_of_range", "must be greater than 0 and at most 1"));
        }
        if errs.is_empty() { Ok(Self { on_track: on_track.normalize(), at_risk: at_risk.normalize(), tolerance: tolerance.normalize() }) } else { Err(errs) }
    }
}

/// A multi-annual strategic plan of one administration.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StrategicPlan {
    pub id: PlanId,
    pub administration: AdministrationCode,
    pub title: LocalizedText,
    pub vision: Option<LocalizedText>,
    pub mission: Option<LocalizedText>,
    pub start_year: i32,
    pub end_year: i32,
    pub status: PlanStatus,
    pub disclosure: Disclosure,
    /// The national development or competitiveness plan this plan stems from.
    pub national_plan_ref: Option<String>,
    pub thresholds: Thresholds,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StrategicPlan {
    /// Whether people outside the administration may see it: active or closed, and disclosed.
    pub fn is_disclosed(&self) -> bool {
        self.status.is_published() && self.disclosure.is_shared()
    }

    /// A closed plan is a record: nothing in it changes any more.
    pub fn is_read_only(&self) -> bool {
        self.status == PlanStatus::Closed
    }
}

/// The plan as it was when it reached a status: stored at every transition.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRevision {
    pub plan_id: PlanId,
    /// 1 for the first transition, then 2, 3, ...
    pub number: i32,
    /// The status the plan moved to.
    pub status: PlanStatus,
    pub at: DateTime<Utc>,
    /// Who moved it.
    pub actor: String,
    /// The plan with its objectives, indicators and targets at that moment.
    pub snapshot: serde_json::Value,
}

/// Raw plan fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub title: Option<Vec<(String, String)>>,
    pub vision: Option<Option<Vec<(String, String)>>>,
    pub mission: Option<Option<Vec<(String, String)>>>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub disclosure: Option<String>,
    pub national_plan_ref: Option<Option<String>>,
    /// Decimal text, like the two below.
    pub on_track_threshold: Option<String>,
    pub at_risk_threshold: Option<String>,
    pub maintain_tolerance: Option<String>,
}

/// Validated plan content (everything a planner edits; not status, tenant or version).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDraft {
    pub title: LocalizedText,
    pub vision: Option<LocalizedText>,
    pub mission: Option<LocalizedText>,
    pub start_year: i32,
    pub end_year: i32,
    pub disclosure: Disclosure,
    pub national_plan_ref: Option<String>,
    pub thresholds: Thresholds,
}

/// Longest span of a plan, in years.
pub const MAX_PLAN_YEARS: i32 = 15;

impl PlanDraft {
    /// Validates a whole plan: `base` supplies the fields `input` leaves out (the current plan
    /// on PATCH, nothing on create, where title and years are then required).
    ///
    /// # Errors
    /// Every invalid or missing field, at once.
    pub fn parse(input: &PlanInput, base: Option<&StrategicPlan>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let title = match (&input.title, base) {
            (Some(t), _) => take_text(&mut e, "title", t, TITLE_MAX),
            (None, Some(b)) => Some(b.title.clone()),
            (None, None) => {
                e.push(FieldError::new("title", "required", "a plan needs a title"));
                None
            }
        };
        let mut opt_text = |field: &str, given: &Option<Option<Vec<(String, String)>>>, current: Option<&LocalizedText>| match given {
            Some(Some(t)) => take_text(&mut e, field, t, NARRATIVE_MAX).map(Some),
            Some(None) => Some(None),
            None => Some(current.cloned()),
        };
        let vision = opt_text("vision", &input.vision, base.and_then(|b| b.vision.as_ref()));
        let mission = opt_text("mission", &input.mission, base.and_then(|b| b.mission.as_ref()));
        let mut year = |field: &str, given: Option<i32>, current: Option<i32>| match given.or(current) {
            Some(y) if (2000..=2100).contains(&y) => Some(y),
            Some(_) => {
                e.push(FieldError::new(field, "out_of_range", "a year between 2000 and 2100"));
                None
            }
            None => {
                e.push(FieldError::new(field, "required", "a plan needs its first and last year"));
                None
            }
        };
        let start_year = year("start_year", input.start_year, base.map(|b| b.start_year));
        let end_year = year("end_year", input.end_year, base.map(|b| b.end_year));
        if let (Some(s), Some(en)) = (start_year, end_year) {
            if en < s {
                e.push(FieldError::new("end_year", "before_start", "end_year must not be before start_year"));
            } else if en - s + 1 > MAX_PLAN_YEARS {
                e.push(FieldError::new("end_year", "out_of_range", format!("a plan spans at most {MAX_PLAN_YEARS} years")));
            }
        }
        let disclosure = match &input.disclosure {
            Some(d) => e.take("disclosure", Disclosure::parse(d)),
            None => Some(base.map_or(Disclosure::Programme, |b| b.disclosure)),
        };
        let national_plan_ref = match &input.national_plan_ref {
            Some(Some(r)) => take_opt_string(&mut e, "national_plan_ref", Some(r), 300).flatten().map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.national_plan_ref.clone())),
        };
        let current = base.map(|b| b.thresholds).unwrap_or_default();
        let mut number = |field: &str, given: &Option<String>, current: Decimal| match given {
            Some(text) => e.take(field, crate::values::parse_decimal(text)),
            None => Some(current),
        };
        let on_track = number("on_track_threshold", &input.on_track_threshold, current.on_track);
        let at_risk = number("at_risk_threshold", &input.at_risk_threshold, current.at_risk);
        let tolerance = number("maintain_tolerance", &input.maintain_tolerance, current.tolerance);
        let thresholds = match (on_track, at_risk, tolerance) {
            (Some(on_track), Some(at_risk), Some(tolerance)) => match Thresholds::new(on_track, at_risk, tolerance) {
                Ok(t) => Some(t),
                Err(errs) => {
                    for err in errs {
                        let field = match err.field.as_str() {
                            "on_track" => "on_track_threshold",
                            "at_risk" => "at_risk_threshold",
                            _ => "maintain_tolerance",
                        };
                        e.push(FieldError { field: field.to_owned(), ..err });
                    }
                    None
                }
            },
            _ => None,
        };
        let finished = e.finish();
        match (title, vision, mission, start_year, end_year, disclosure, national_plan_ref, thresholds, finished) {
            (
                Some(title),
                Some(vision),
                Some(mission),
                Some(start_year),
                Some(end_year),
                Some(disclosure),
                Some(national_plan_ref),
                Some(thresholds),
                Ok(()),
            ) => Ok(Self { title, vision, mission, start_year, end_year, disclosure, national_plan_ref, thresholds }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid plan")]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn status_machine_allows_only_the_documented_moves() {
        use PlanStatus::*;
        let allowed = [(Draft, UnderReview), (UnderReview, Draft), (UnderReview, Approved), (Approved, Active), (Active, Closed)];
        for from in PlanStatus::ALL {
            for to in PlanStatus::ALL {
                assert_eq!(from.transition(to).is_ok(), allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn a_new_plan_needs_title_and_years_and_reports_all_errors() {
        let err = PlanDraft::parse(&PlanInput::default(), None).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "start_year", "end_year"]);
    }

    #[test]
    fn years_must_be_ordered_and_bounded() {
        let input = PlanInput { title: Some(pairs(&[("en", "Plan")])), start_year: Some(2026), end_year: Some(2022), ..PlanInput::default() };
        assert_eq!(PlanDraft::parse(&input, None).unwrap_err()[0].code, "before_start");
        let input = PlanInput { start_year: Some(2000), end_year: Some(2030), ..input };
        assert_eq!(PlanDraft::parse(&input, None).unwrap_err()[0].code, "out_of_range");
    }

    #[test]
    fn thresholds_must_be_ordered() {
        assert!(Thresholds::new(Decimal::new(9, 1), Decimal::new(6, 1), Decimal::new(5, 2)).is_ok());
        let err = Thresholds::new(Decimal::new(5, 1), Decimal::new(6, 1), Decimal::ZERO).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["at_risk", "tolerance"]);
    }
}
