//! Risks and crisis scenarios on a project or an objective: likelihood × impact, mitigation,
//! owner and status.

use chrono::{DateTime, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::{ObjectiveId, ProjectId, RiskId},
    plan::{NARRATIVE_MAX, TITLE_MAX, take_opt_string, take_text},
    text::LocalizedText,
    values::AdministrationCode,
};

/// What a risk is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum RiskSubject {
    Project(ProjectId),
    Objective(ObjectiveId),
}

/// Where a risk stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskStatus {
    Open,
    Mitigated,
    Occurred,
    Closed,
}

impl RiskStatus {
    pub const ALL: [Self; 4] = [Self::Open, Self::Mitigated, Self::Occurred, Self::Closed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Mitigated => "mitigated",
            Self::Occurred => "occurred",
            Self::Closed => "closed",
        }
    }

    /// # Errors
    /// `invalid_value` naming the statuses.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| FieldError::new("", "invalid_value", "one of open, mitigated, occurred, closed"))
    }
}

/// A level from 1 to 5 of likelihood or impact.
fn level(e: &mut Errors, field: &str, given: Option<i64>, current: Option<u8>) -> Option<u8> {
    match (given, current) {
        (Some(l), _) => match u8::try_from(l).ok().filter(|l| (1..=5).contains(l)) {
            Some(l) => Some(l),
            None => {
                e.push(FieldError::new(field, "out_of_range", "a level from 1 to 5"));
                None
            }
        },
        (None, Some(c)) => Some(c),
        (None, None) => {
            e.push(FieldError::new(field, "required", "a level from 1 to 5"));
            None
        }
    }
}

/// A risk on a project or an objective.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Risk {
    pub id: RiskId,
    pub administration: AdministrationCode,
    pub subject: RiskSubject,
    pub title: LocalizedText,
    pub likelihood: u8,
    pub impact: u8,
    pub mitigation: Option<LocalizedText>,
    pub owner: Option<String>,
    pub status: RiskStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Risk {
    /// Likelihood × impact, 1 to 25.
    pub fn score(&self) -> u8 {
        self.likelihood * self.impact
    }
}

/// Raw risk fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct RiskInput {
    pub title: Option<Vec<(String, String)>>,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub mitigation: Option<Option<Vec<(String, String)>>>,
    pub owner: Option<Option<String>>,
    pub status: Option<String>,
}

/// Validated risk content.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskDraft {
    pub title: LocalizedText,
    pub likelihood: u8,
    pub impact: u8,
    pub mitigation: Option<LocalizedText>,
    pub owner: Option<String>,
    pub status: RiskStatus,
}

impl RiskDraft {
    /// # Errors
    /// Every invalid or missing field (title, likelihood and impact on create).
    pub fn parse(input: &RiskInput, base: Option<&Risk>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let title = match (&input.title, base) {
            (Some(t), _) => take_text(&mut e, "title", t, TITLE_MAX),
            (None, Some(b)) => Some(b.title.clone()),
            (None, None) => {
                e.push(FieldError::new("title", "required", "describe the risk"));
                None
            }
        };
        let likelihood = level(&mut e, "likelihood", input.likelihood, base.map(|b| b.likelihood));
        let impact = level(&mut e, "impact", input.impact, base.map(|b| b.impact));
        let mitigation = match &input.mitigation {
            Some(Some(t)) => take_text(&mut e, "mitigation", t, NARRATIVE_MAX).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.mitigation.clone())),
        };
        let owner = match &input.owner {
            Some(o) => take_opt_string(&mut e, "owner", o.as_deref(), 200),
            None => Some(base.and_then(|b| b.owner.clone())),
        };
        let status = match &input.status {
            Some(s) => e.take("status", RiskStatus::parse(s)),
            None => Some(base.map_or(RiskStatus::Open, |b| b.status)),
        };
        let finished = e.finish();
        match (title, likelihood, impact, mitigation, owner, status, finished) {
            (Some(title), Some(likelihood), Some(impact), Some(mitigation), Some(owner), Some(status), Ok(())) => {
                Ok(Self { title, likelihood, impact, mitigation, owner, status })
            }
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid risk")]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_one_to_five_and_required() {
        let err = RiskDraft::parse(&RiskInput { likelihood: Some(6), ..Default::default() }, None).unwrap_err();
        let got: Vec<(&str, &str)> = err.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, [("title", "required"), ("likelihood", "out_of_range"), ("impact", "required")]);
    }
}
