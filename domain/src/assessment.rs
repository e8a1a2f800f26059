//! Capability assessments: an administration's starting point at a date (maturity 1–5 per
//! dimension and the resources it has), and what changed between two of them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::AssessmentId,
    plan::{NARRATIVE_MAX, take_text},
    text::LocalizedText,
    values::{AdministrationCode, Quantity},
};

/// The capabilities assessed (after the WCO capacity-building diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapabilityDimension {
    StrategicManagement,
    RiskManagement,
    InformationTechnology,
    HumanResources,
    Integrity,
    TradeFacilitation,
    StakeholderCooperation,
}

impl CapabilityDimension {
    pub const ALL: [Self; 7] = [
        Self::StrategicManagement,
        Self::RiskManagement,
        Self::InformationTechnology,
        Self::HumanResources,
        Self::Integrity,
        Self::TradeFacilitation,
        Self::StakeholderCooperation,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::StrategicManagement => "strategic_management",
            Self::RiskManagement => "risk_management",
            Self::InformationTechnology => "information_technology",
            Self::HumanResources => "human_resources",
            Self::Integrity => "integrity",
            Self::TradeFacilitation => "trade_facilitation",
            Self::StakeholderCooperation => "stakeholder_cooperation",
        }
    }

    /// # Errors
    /// `invalid_value` naming the dimensions.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| {
            FieldError::new(
                "",
                "invalid_value",
                "one of strategic_management, risk_management, information_technology, human_resources, integrity, trade_facilitation, stakeholder_cooperation",
            )
        })
    }
}

/// A maturity level from 1 (initial) to 5 (optimised).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Maturity(u8);

impl Maturity {
    /// # Errors
    /// `out_of_range` outside 1..=5.
    pub fn new(level: i64) -> Result<Self, FieldError> {
        u8::try_from(level).ok().filter(|l| (1..=5).contains(l)).map(Self).ok_or_else(|| FieldError::new("", "out_of_range", "a maturity level from 1 to 5"))
    }

    pub const fn get(self) -> u8 {
        self.0
    }
}

/// An ISO 4217 currency code (`USD`, `BOB`): three upper-case letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Currency(String);

impl Currency {
    /// # Errors
    /// `invalid_currency` for another shape.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        if input.len() == 3 && input.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(FieldError::new("", "invalid_currency", "an ISO 4217 code such as USD or BOB"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An exact amount of money in one currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Money {
    pub amount: Quantity,
    pub currency: Currency,
}

/// The starting point of an administration at a date.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CapabilityAssessment {
    pub id: AssessmentId,
    pub administration: AdministrationCode,
    pub assessed_on: NaiveDate,
    /// Maturity per assessed dimension (not every dimension need be assessed).
    pub maturity: BTreeMap<CapabilityDimension, Maturity>,
    /// Staff working in the administration.
    pub staff: Option<i64>,
    /// The yearly budget available.
    pub annual_budget: Option<Money>,
    /// Other resources and remarks (systems, infrastructure, partners).
    pub notes: Option<LocalizedText>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw assessment fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub assessed_on: Option<String>,
    pub maturity: Option<Vec<(String, i64)>>,
    pub staff: Option<Option<i64>>,
    pub annual_budget_amount: Option<Option<String>>,
    pub annual_budget_currency: Option<Option<String>>,
    pub notes: Option<Option<Vec<(String, String)>>>,
}

/// Validated assessment content.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentDraft {
    pub assessed_on: NaiveDate,
    pub maturity: BTreeMap<CapabilityDimension, Maturity>,
    pub staff: Option<i64>,
    pub annual_budget: Option<Money>,
    pub notes: Option<LocalizedText>,
}

impl AssessmentDraft {
    /// Validates a whole assessment; `base` supplies what `input` leaves out (PATCH). On create,
    /// the date and at least one dimension are required. The date may not lie in the future
    /// (`today`).
    ///
    /// # Errors
    /// Every invalid or missing field, at once.
    pub fn parse(input: &AssessmentInput, base: Option<&CapabilityAssessment>, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let assessed_on = match (&input.assessed_on, base) {
            (Some(d), _) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) if date > today => {
                    e.push(FieldError::new("assessed_on", "in_future", "an assessment describes a date that has come"));
                    None
                }
                Ok(date) => Some(date),
                Err(_) => {
                    e.push(FieldError::new("assessed_on", "invalid_date", "a date such as 2024-03-31"));
                    None
                }
            },
            (None, Some(b)) => Some(b.assessed_on),
            (None, None) => {
                e.push(FieldError::new("assessed_on", "required", "the date of the assessment"));
                None
            }
        };
        let maturity = match (&input.maturity, base) {
            (Some(levels), _) => {
                let mut map = BTreeMap::new();
                for (dimension, level) in levels {
                    let field = format!("maturity.{dimension}");
                    match (CapabilityDimension::parse(dimension), Maturity::new(*level)) {
                        (Ok(d), Ok(m)) => {
                            if map.insert(d, m).is_some() {
                                e.push(FieldError::new(field, "duplicate", "the same dimension is given twice"));
                            }
                        }
                        (Err(err), _) | (_, Err(err)) => e.push(err.under(&field)),
                    }
                }
                if levels.is_empty() {
                    e.push(FieldError::new("maturity", "required", "assess at least one dimension"));
                }
                Some(map)
            }
            (None, Some(b)) => Some(b.maturity.clone()),
            (None, None) => {
                e.push(FieldError::new("maturity", "required", "assess at least one dimension"));
                None
            }
        };
        let staff = match input.staff {
            Some(Some(n)) if !(0..=10_000_000).contains(&n) => {
                e.push(FieldError::new("staff", "out_of_range", "a head count from 0"));
                None
            }
            Some(v) => Some(v),
            None => Some(base.and_then(|b| b.staff)),
        };
        let amount = match &input.annual_budget_amount {
            Some(Some(a)) => e.take("annual_budget_amount", Quantity::parse(a)).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.annual_budget.as_ref().map(|m| m.amount))),
        };
        let currency = match &input.annual_budget_currency {
            Some(Some(c)) => e.take("annual_budget_currency", Currency::parse(c)).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.annual_budget.as_ref().map(|m| m.currency.clone()))),
        };
        let annual_budget = match (amount, currency) {
            (Some(Some(amount)), Some(Some(currency))) => Some(Some(Money { amount, currency })),
            (Some(None), Some(None)) => Some(None),
            (Some(_), Some(_)) => {
                e.push(FieldError::new("annual_budget_currency", "required", "give the budget as an amount with its currency"));
                None
            }
            _ => None,
        };
        let notes = match &input.notes {
            Some(Some(t)) => take_text(&mut e, "notes", t, NARRATIVE_MAX).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.notes.clone())),
        };
        let finished = e.finish();
        match (assessed_on, maturity, staff, annual_budget, notes, finished) {
            (Some(assessed_on), Some(maturity), Some(staff), Some(annual_budget), Some(notes), Ok(())) => {
                Ok(Self { assessed_on, maturity, staff, annual_budget, notes })
            }
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid assessment")]),
        }
    }
}

/// How one dimension moved between two assessments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DimensionChange {
    pub dimension: CapabilityDimension,
    pub before: Option<Maturity>,
    pub after: Option<Maturity>,
}

impl DimensionChange {
    /// After minus before, where both were assessed.
    pub fn delta(&self) -> Option<i8> {
        match (self.before, self.after) {
            (Some(b), Some(a)) => i8::try_from(a.get()).ok().zip(i8::try_from(b.get()).ok()).map(|(a, b)| a - b),
            _ => None,
        }
    }
}

/// What changed from one assessment to a later one.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentComparison {
    pub from: CapabilityAssessment,
    pub to: CapabilityAssessment,
    /// Every dimension assessed in either, in a stable order.
    pub dimensions: Vec<DimensionChange>,
}

impl AssessmentComparison {
    /// Compares the earlier and the later assessment (whatever order they are given in).
    pub fn new(a: CapabilityAssessment, b: CapabilityAssessment) -> Self {
        let (from, to) = if (a.assessed_on, a.created_at) <= (b.assessed_on, b.created_at) { (a, b) } else { (b, a) };
        let dimensions = CapabilityDimension::ALL
            .into_iter()
            .filter(|d| from.maturity.contains_key(d) || to.maturity.contains_key(d))
            .map(|d| DimensionChange { dimension: d, before: from.maturity.get(&d).copied(), after: to.maturity.get(&d).copied() })
            .collect();
        Self { from, to, dimensions }
    }

    pub fn improved(&self) -> Vec<CapabilityDimension> {
        self.dimensions.iter().filter(|c| c.delta().is_some_and(|d| d > 0)).map(|c| c.dimension).collect()
    }

    pub fn worsened(&self) -> Vec<CapabilityDimension> {
        self.dimensions.iter().filter(|c| c.delta().is_some_and(|d| d < 0)).map(|c| c.dimension).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AssessmentId;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn assessment(date: &str, levels: &[(&str, i64)]) -> CapabilityAssessment {
        let input = AssessmentInput {
            assessed_on: Some(date.into()),
            maturity: Some(levels.iter().map(|(d, l)| ((*d).to_owned(), *l)).collect()),
            ..Default::default()
        };
        let d = AssessmentDraft::parse(&input, None, today()).unwrap();
        let now = Utc::now();
        CapabilityAssessment {
            id: AssessmentId::generate(),
            administration: AdministrationCode::parse("BOL").unwrap(),
            assessed_on: d.assessed_on,
            maturity: d.maturity,
            staff: d.staff,
            annual_budget: d.annual_budget,
            notes: d.notes,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn levels_are_one_to_five_on_known_dimensions() {
        let input = AssessmentInput {
            assessed_on: Some("2027-01-01".into()),
            maturity: Some(vec![("integrity".into(), 6), ("magic".into(), 3), ("integrity".into(), 2)]),
            annual_budget_amount: Some(Some("1000".into())),
            ..Default::default()
        };
        let err = AssessmentDraft::parse(&input, None, today()).unwrap_err();
        let got: Vec<(&str, &str)> = err.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [("assessed_on", "in_future"), ("maturity.integrity", "out_of_range"), ("maturity.magic", "invalid_value"), ("annual_budget_currency", "required"),]
        );
    }

    #[test]
    fn comparison_orders_by_date_and_names_what_improved() {
        let later = assessment("2025-06-30", &[("risk_management", 3), ("integrity", 2), ("information_technology", 4)]);
        let earlier = assessment("2022-02-08", &[("risk_management", 2), ("integrity", 3), ("human_resources", 2)]);
        let c = AssessmentComparison::new(later, earlier);
        assert_eq!(c.from.assessed_on.to_string(), "2022-02-08");
        assert_eq!(c.improved(), [CapabilityDimension::RiskManagement]);
        assert_eq!(c.worsened(), [CapabilityDimension::Integrity]);
        let it = c.dimensions.iter().find(|d| d.dimension == CapabilityDimension::InformationTechnology).unwrap();
        assert_eq!((it.before, it.delta()), (None, None));
        assert_eq!(c.dimensions.len(), 4);
    }
}
