//! Performance indicators and the shared catalogue of standard Customs KPIs they may adopt.

use chrono::{DateTime, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::{IndicatorDefinitionId, IndicatorId, ObjectiveId, PlanId},
    period::{Granularity, Period},
    plan::{NARRATIVE_MAX, StrategicPlan, TITLE_MAX, take_opt_string, take_text},
    text::LocalizedText,
    values::{AdministrationCode, Disclosure, ExternalRef, Quantity, Weight},
};

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// # Errors
            /// `invalid_value` naming the accepted values.
            pub fn parse(s: &str) -> Result<Self, FieldError> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(FieldError::new("", "invalid_value", concat!("one of: ", $($text, " "),+))),
                }
            }
        }
    };
}

str_enum!(
    /// What an indicator's values mean.
    Measure {
        Unit => "unit",
        Percentage => "percentage",
        Currency => "currency",
        DurationHours => "duration_hours",
        Ordinal => "ordinal",
        Qualitative => "qualitative",
    }
);

str_enum!(
    /// Which way is better.
    Direction {
        Increase => "increase",
        Decrease => "decrease",
        Maintain => "maintain",
    }
);

str_enum!(
    /// How often an indicator is measured; measurements use periods of this length.
    Frequency {
        Annual => "annual",
        Quarterly => "quarterly",
        Monthly => "monthly",
    }
);

impl Frequency {
    pub const fn granularity(self) -> Granularity {
        match self {
            Self::Annual => Granularity::Year,
            Self::Quarterly => Granularity::Quarter,
            Self::Monthly => Granularity::Month,
        }
    }
}

str_enum!(
    /// The four dimensions of the WCO Performance Measurement Mechanism.
    PmmDimension {
        TradeFacilitation => "trade_facilitation",
        RevenueCollection => "revenue_collection",
        Enforcement => "enforcement",
        OrganisationalDevelopment => "organisational_development",
    }
);

/// A catalogue entry: a standard Customs KPI shared by every administration, so that
/// administrations can compare like with like.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorDefinition {
    pub id: IndicatorDefinitionId,
    /// Stable short code (`TF-RELEASE-TIME`).
    pub code: String,
    pub dimension: PmmDimension,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub measure: Measure,
    pub direction: Direction,
    /// Unit label shown next to values (`hours`, `%`, `USD`).
    pub unit: Option<String>,
}

/// The starting value of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Baseline {
    pub value: Quantity,
    pub period: Period,
}

/// A performance indicator measuring an objective.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Indicator {
    pub id: IndicatorId,
    pub objective_id: ObjectiveId,
    pub plan_id: PlanId,
    pub administration: AdministrationCode,
    pub definition_id: Option<IndicatorDefinitionId>,
    pub name: LocalizedText,
    pub description: Option<LocalizedText>,
    pub measure: Measure,
    pub unit: Option<String>,
    pub direction: Direction,
    pub baseline: Baseline,
    pub frequency: Frequency,
    pub data_source: Option<String>,
    pub means_of_verification: Option<String>,
    /// Weight in its objective's roll-up.
    pub weight: Weight,
    pub disclosure: Disclosure,
    pub external_ref: Option<ExternalRef>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Indicator {
    /// Whether people outside the administration see it: its plan is disclosed and it is not restricted.
    pub fn is_disclosed_in(&self, plan: &StrategicPlan) -> bool {
        plan.is_disclosed() && self.disclosure.is_shared()
    }
}

/// Raw indicator fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct IndicatorInput {
    pub definition_id: Option<Option<String>>,
    pub name: Option<Vec<(String, String)>>,
    pub description: Option<Option<Vec<(String, String)>>>,
    pub measure: Option<String>,
    pub unit: Option<Option<String>>,
    pub direction: Option<String>,
    pub baseline_value: Option<String>,
    pub baseline_period: Option<String>,
    pub frequency: Option<String>,
    pub data_source: Option<Option<String>>,
    pub means_of_verification: Option<Option<String>>,
    /// Decimal text, > 0.
    pub weight: Option<String>,
    pub disclosure: Option<String>,
    pub external_ref: Option<Option<String>>,
}

/// Validated indicator content.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorDraft {
    pub definition_id: Option<IndicatorDefinitionId>,
    pub name: LocalizedText,
    pub description: Option<LocalizedText>,
    pub measure: Measure,
    pub unit: Option<String>,
    pub direction: Direction,
    pub baseline: Baseline,
    pub frequency: Frequency,
    pub data_source: Option<String>,
    pub means_of_verification: Option<String>,
    pub weight: Weight,
    pub disclosure: Disclosure,
    pub external_ref: Option<ExternalRef>,
}

impl IndicatorDraft {
    /// Validates a whole indicator; `base` supplies what `input` leaves out (PATCH). On create,
    /// `name`, `measure`, `direction`, `baseline_value`, `baseline_period` and `frequency` are
    /// required, unless a catalogue `definition` supplies name, measure, direction and unit.
    ///
    /// # Errors
    /// Every invalid or missing field, at once.
    pub fn parse(input: &IndicatorInput, base: Option<&Indicator>, definition: Option<&IndicatorDefinition>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let definition_id = match &input.definition_id {
            Some(Some(d)) => e.take("definition_id", d.parse::<IndicatorDefinitionId>()).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.definition_id)),
        };
        let name = match (&input.name, base, definition) {
            (Some(n), ..) => take_text(&mut e, "name", n, TITLE_MAX),
            (None, Some(b), _) => Some(b.name.clone()),
            (None, None, Some(d)) => Some(d.name.clone()),
            (None, None, None) => {
                e.push(FieldError::new("name", "required", "an indicator needs a name"));
                None
            }
        };
        let description = match &input.description {
            Some(Some(t)) => take_text(&mut e, "description", t, NARRATIVE_MAX).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.description.clone()).or_else(|| definition.map(|d| d.description.clone()))),
        };
        let mut required_enum =
            |field: &str, given: &Option<String>, current: Option<&str>, parse: &dyn Fn(&str) -> Result<(), FieldError>| -> Option<String> {
                match given.as_deref().or(current) {
                    Some(v) => e.take(field, parse(v)).map(|()| v.to_owned()),
                    None => {
                        e.push(FieldError::new(field, "required", format!("{field} is required")));
                        None
                    }
                }
            };
        let measure = required_enum("measure", &input.measure, base.map(|b| b.measure.as_str()).or(definition.map(|d| d.measure.as_str())), &|s| {
            Measure::parse(s).map(|_| ())
        })
        .and_then(|s| Measure::parse(&s).ok());
        let direction = required_enum("direction", &input.direction, base.map(|b| b.direction.as_str()).or(definition.map(|d| d.direction.as_str())), &|s| {
            Direction::parse(s).map(|_| ())
        })
        .and_then(|s| Direction::parse(&s).ok());
        let frequency = required_enum("frequency", &input.frequency, base.map(|b| b.frequency.as_str()), &|s| Frequency::parse(s).map(|_| ()))
            .and_then(|s| Frequency::parse(&s).ok());
        let unit = match &input.unit {
            Some(u) => take_opt_string(&mut e, "unit", u.as_deref(), 30),
            None => Some(base.and_then(|b| b.unit.clone()).or_else(|| definition.and_then(|d| d.unit.clone()))),
        };
        let baseline_value = match (&input.baseline_value, base) {
            (Some(v), _) => e.take("baseline_value", Quantity::parse(v)),
            (None, Some(b)) => Some(b.baseline.value),
            (None, None) => {
                e.push(FieldError::new("baseline_value", "required", "an indicator needs a baseline value"));
                None
            }
        };
        let baseline_period = match (&input.baseline_period, base) {
            (Some(p), _) => e.take("baseline_period", Period::parse(p)),
            (None, Some(b)) => Some(b.baseline.period),
            (None, None) => {
                e.push(FieldError::new("baseline_period", "required", "an indicator needs the period of its baseline"));
                None
            }
        };
        let data_source = match &input.data_source {
            Some(s) => take_opt_string(&mut e, "data_source", s.as_deref(), 500),
            None => Some(base.and_then(|b| b.data_source.clone())),
        };
        let means_of_verification = match &input.means_of_verification {
            Some(s) => take_opt_string(&mut e, "means_of_verification", s.as_deref(), 2000),
            None => Some(base.and_then(|b| b.means_of_verification.clone())),
        };
        let weight = match &input.weight {
            Some(w) => e.take("weight", Weight::parse(w)),
            None => Some(base.map_or_else(Weight::one, |b| b.weight)),
        };
        let disclosure = match &input.disclosure {
            Some(d) => e.take("disclosure", Disclosure::parse(d)),
            None => Some(base.map_or(Disclosure::Programme, |b| b.disclosure)),
        };
        let external_ref = match &input.external_ref {
            Some(Some(r)) => e.take("external_ref", ExternalRef::parse(r)).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.external_ref.clone())),
        };
        let finished = e.finish();
        match (
            definition_id,
            name,
            description,
            measure,
            unit,
            direction,
            baseline_value,
            baseline_period,
            frequency,
            data_source,
            means_of_verification,
            weight,
            disclosure,
            external_ref,
            finished,
        ) {
            (
                Some(definition_id),
                Some(name),
                Some(description),
                Some(measure),
                Some(unit),
                Some(direction),
                Some(value),
                Some(period),
                Some(frequency),
                Some(data_source),
                Some(means_of_verification),
                Some(weight),
                Some(disclosure),
                Some(external_ref),
                Ok(()),
            ) => Ok(Self {
                definition_id,
                name,
                description,
                measure,
                unit,
                direction,
                baseline: Baseline { value, period },
                frequency,
                data_source,
                means_of_verification,
                weight,
                disclosure,
                external_ref,
            }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid indicator")]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_their_text() {
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.as_str()).unwrap(), *m);
        }
        assert_eq!(Direction::parse("sideways").unwrap_err().code, "invalid_value");
        assert_eq!(Frequency::Quarterly.granularity(), Granularity::Quarter);
    }

    #[test]
    fn create_lists_every_missing_field() {
        let err = IndicatorDraft::parse(&IndicatorInput::default(), None, None).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "measure", "direction", "frequency", "baseline_value", "baseline_period"]);
    }

    #[test]
    fn a_definition_supplies_name_measure_and_direction() {
        let def = IndicatorDefinition {
            id: IndicatorDefinitionId::generate(),
            code: "TF-RELEASE-TIME".into(),
            dimension: PmmDimension::TradeFacilitation,
            name: LocalizedText::single(crate::text::LanguageTag::english(), "Average release time"),
            description: LocalizedText::single(crate::text::LanguageTag::english(), "Hours"),
            measure: Measure::DurationHours,
            direction: Direction::Decrease,
            unit: Some("hours".into()),
        };
        let input = IndicatorInput {
            baseline_value: Some("48".into()),
            baseline_period: Some("2021".into()),
            frequency: Some("quarterly".into()),
            ..Default::default()
        };
        let d = IndicatorDraft::parse(&input, None, Some(&def)).unwrap();
        assert_eq!(d.direction, Direction::Decrease);
        assert_eq!(d.measure, Measure::DurationHours);
        assert_eq!(d.unit.as_deref(), Some("hours"));
    }
}
