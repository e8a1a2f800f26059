//! Targets and measurements of an indicator, one of each per period, and the review workflow
//! that makes a measured value official.

use chrono::{DateTime, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::{IndicatorId, MeasurementId, TargetId},
    period::Period,
    plan::take_opt_string,
    values::{AdministrationCode, Quantity},
};

/// The value an indicator should reach in a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Target {
    pub id: TargetId,
    pub indicator_id: IndicatorId,
    pub administration: AdministrationCode,
    pub period: Period,
    pub value: Quantity,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A target as progress sees it: the indicator, the period and the value, without the
/// bookkeeping of the stored record (what a read computing progress loads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetPoint {
    pub indicator_id: IndicatorId,
    pub period: Period,
    pub value: rust_decimal::Decimal,
}

impl From<&Target> for TargetPoint {
    fn from(t: &Target) -> Self {
        Self { indicator_id: t.indicator_id, period: t.period, value: t.value.get() }
    }
}

/// Review status of a measurement: `draft → submitted → approved`, or `submitted → returned`
/// (with a reason), and a returned value goes back to `draft` when it is corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Draft,
    Submitted,
    Approved,
    Returned,
}

/// A review move the workflow does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a measurement cannot move from {from} to {to}")]
pub struct InvalidReview {
    pub from: &'static str,
    pub to: &'static str,
}

impl ReviewStatus {
    pub const ALL: [Self; 4] = [Self::Draft, Self::Submitted, Self::Approved, Self::Returned];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Returned => "returned",
        }
    }

    /// # Errors
    /// `invalid_value` for an unknown status.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| FieldError::new("", "invalid_value", "one of draft, submitted, approved, returned"))
    }

    /// The moves a client may ask for through the transitions endpoint. (Recording a new value
    /// also moves any status back to `draft`.)
    ///
    /// # Errors
    /// [`InvalidReview`] for anything else.
    pub fn transition(self, to: Self) -> Result<Self, InvalidReview> {
        use ReviewStatus::*;
        match (self, to) {
            (Draft | Returned, Submitted) | (Submitted, Approved | Returned) => Ok(to),
            _ => Err(InvalidReview { from: self.as_str(), to: to.as_str() }),
        }
    }
}

/// An actual value observed in a period. Recording again replaces the working value and
/// starts a new review; the approved value stays in force until the new one is approved.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measurement {
    pub id: MeasurementId,
    pub indicator_id: IndicatorId,
    pub administration: AdministrationCode,
    pub period: Period,
    /// The value last recorded (under review unless `status` is approved).
    pub value: Quantity,
    pub source: Option<String>,
    pub evidence_url: Option<String>,
    pub comment: Option<String>,
    pub status: ReviewStatus,
    pub return_reason: Option<String>,
    pub recorded_by: String,
    pub submitted_by: Option<String>,
    pub reviewed_by: Option<String>,
    /// The official value: the last approved one, if any.
    pub approved_value: Option<Quantity>,
    pub approved_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Measurement {
    /// Whether people outside the administration see it: its indicator is disclosed, and it has
    /// an approved value (outsiders read approved values only).
    pub const fn is_disclosed(&self, indicator_disclosed: bool) -> bool {
        indicator_disclosed && self.approved_value.is_some()
    }
}

/// Raw measurement fields as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct MeasurementInput {
    pub value: Option<String>,
    pub source: Option<String>,
    pub evidence_url: Option<String>,
    pub comment: Option<String>,
}

/// A validated measurement to record.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementDraft {
    pub value: Quantity,
    pub source: Option<String>,
    pub evidence_url: Option<String>,
    pub comment: Option<String>,
}

impl MeasurementDraft {
    /// # Errors
    /// Field errors: `value` required and exact; `evidence_url` must be an http(s) URL.
    pub fn parse(input: &MeasurementInput) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let value = match &input.value {
            Some(v) => e.take("value", Quantity::parse(v)),
            None => {
                e.push(FieldError::new("value", "required", "a measurement needs a value"));
                None
            }
        };
        let source = take_opt_string(&mut e, "source", input.source.as_deref(), 500);
        let evidence_url = match input.evidence_url.as_deref().map(str::trim) {
            Some(u)
                if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 2000 || u.contains(|c: char| c.is_whitespace() || c.is_control()) =>
            {
                e.push(FieldError::new("evidence_url", "invalid_url", "an http(s) URL of at most 2000 characters"));
                None
            }
            other => Some(other.map(str::to_owned)),
        };
        let comment = take_opt_string(&mut e, "comment", input.comment.as_deref(), 4000);
        let finished = e.finish();
        match (value, source, evidence_url, comment, finished) {
            (Some(value), Some(source), Some(evidence_url), Some(comment), Ok(())) => Ok(Self { value, source, evidence_url, comment }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid measurement")]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_moves() {
        use ReviewStatus::*;
        let allowed = [(Draft, Submitted), (Returned, Submitted), (Submitted, Approved), (Submitted, Returned)];
        for from in ReviewStatus::ALL {
            for to in ReviewStatus::ALL {
                assert_eq!(from.transition(to).is_ok(), allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn measurement_needs_an_exact_value_and_a_web_link() {
        let err =
            MeasurementDraft::parse(&MeasurementInput { value: Some("1e3".into()), evidence_url: Some("ftp://x".into()), ..Default::default() }).unwrap_err();
        let got: Vec<(&str, &str)> = err.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, [("value", "invalid_number"), ("evidence_url", "invalid_url")]);
        let ok = MeasurementDraft::parse(&MeasurementInput { value: Some("14.25".into()), ..Default::default() }).unwrap();
        assert_eq!(ok.value.to_string(), "14.25");
    }
}
