//! Portfolios: groups of one administration's projects, and the roll-up of what is in them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::{
    FieldError,
    error::Errors,
    ids::PortfolioId,
    objective::ObjectiveCode,
    plan::{NARRATIVE_MAX, TITLE_MAX, take_text},
    project::{Milestone, Project, ProjectStatus},
    text::LocalizedText,
    values::AdministrationCode,
};

/// A group of projects of one administration (a programme, a reform area).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Portfolio {
    pub id: PortfolioId,
    pub administration: AdministrationCode,
    /// Unique in the administration, such as `DIGITAL`.
    pub code: ObjectiveCode,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw portfolio fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct PortfolioInput {
    pub code: Option<String>,
    pub title: Option<Vec<(String, String)>>,
    pub description: Option<Option<Vec<(String, String)>>>,
}

/// Validated portfolio content.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioDraft {
    pub code: ObjectiveCode,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
}

impl PortfolioDraft {
    /// Validates a whole portfolio; `base` supplies what `input` leaves out (PATCH).
    ///
    /// # Errors
    /// Every invalid or missing field (code and title on create).
    pub fn parse(input: &PortfolioInput, base: Option<&Portfolio>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let code = match (&input.code, base) {
            (Some(c), _) => e.take("code", ObjectiveCode::parse(c)),
            (None, Some(b)) => Some(b.code.clone()),
            (None, None) => {
                e.push(FieldError::new("code", "required", "a portfolio needs a code such as DIGITAL"));
                None
            }
        };
        let title = match (&input.title, base) {
            (Some(t), _) => take_text(&mut e, "title", t, TITLE_MAX),
            (None, Some(b)) => Some(b.title.clone()),
            (None, None) => {
                e.push(FieldError::new("title", "required", "a portfolio needs a title"));
                None
            }
        };
        let description = match &input.description {
            Some(Some(t)) => take_text(&mut e, "description", t, NARRATIVE_MAX).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.description.clone())),
        };
        let finished = e.finish();
        match (code, title, description, finished) {
            (Some(code), Some(title), Some(description), Ok(())) => Ok(Self { code, title, description }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid portfolio")]),
        }
    }
}

/// What a portfolio holds, at a glance: its projects by status, their budgets per currency
/// (never summed across currencies) and their milestones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioSummary {
    pub projects: u32,
    /// Every status, in lifecycle order, with how many projects are in it (zeros included).
    pub by_status: Vec<(ProjectStatus, u32)>,
    /// The sum of the projects' budgets per ISO 4217 code; projects without a budget add nothing.
    pub budget_by_currency: BTreeMap<String, Decimal>,
    pub milestones: u32,
    pub overdue_milestones: u32,
    /// Open projects (not completed or cancelled) with at least one overdue milestone.
    pub projects_behind_schedule: u32,
}

impl PortfolioSummary {
    /// Rolls up `projects` (those of one portfolio) and `milestones` (theirs) as of `today`.
    pub fn of(projects: &[Project], milestones: &[Milestone], today: NaiveDate) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let by_status = ProjectStatus::ALL.into_iter().map(|s| (s, count(projects.iter().filter(|p| p.status == s).count()))).collect();
        let mut budget_by_currency = BTreeMap::new();
        for money in projects.iter().filter_map(|p| p.budget.as_ref()) {
            *budget_by_currency.entry(money.currency.as_str().to_owned()).or_insert(Decimal::ZERO) += money.amount.get();
        }
        let overdue: Vec<&Milestone> = milestones.iter().filter(|m| m.is_overdue(today)).collect();
        let behind = projects.iter().filter(|p| p.status.is_open() && overdue.iter().any(|m| m.project_id == p.id)).count();
        Self {
            projects: count(projects.len()),
            by_status,
            budget_by_currency,
            milestones: count(milestones.len()),
            overdue_milestones: count(overdue.len()),
            projects_behind_schedule: count(behind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        assessment::{Currency, Money},
        ids::{MilestoneId, ObjectiveId, ProjectId},
        text::LanguageTag,
        values::Quantity,
    };

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn project(status: ProjectStatus, budget: Option<(&str, &str)>) -> Project {
        let now = Utc::now();
        Project {
            id: ProjectId::generate(),
            administration: AdministrationCode::parse("PER").unwrap(),
            code: ObjectiveCode::parse("P1").unwrap(),
            title: LocalizedText::single(LanguageTag::english(), "p"),
            description: None,
            status,
            planned_start: d("2025-01-01"),
            planned_end: d("2027-12-31"),
            actual_start: None,
            actual_end: None,
            budget: budget.map(|(a, c)| Money { amount: Quantity::parse(a).unwrap(), currency: Currency::parse(c).unwrap() }),
            objective_ids: vec![ObjectiveId::generate()],
            portfolio_id: None,
            external_ref: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn milestone(p: &Project, due: &str, done: Option<&str>) -> Milestone {
        let now = Utc::now();
        Milestone {
            id: MilestoneId::generate(),
            project_id: p.id,
            administration: p.administration,
            title: LocalizedText::single(LanguageTag::english(), "m"),
            due_on: d(due),
            completed_on: done.map(d),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn summary_counts_statuses_keeps_currencies_apart_and_finds_late_projects() {
        let a = project(ProjectStatus::InProgress, Some(("1000.50", "USD")));
        let b = project(ProjectStatus::InProgress, Some(("250", "USD")));
        let c = project(ProjectStatus::Cancelled, Some(("900", "PEN")));
        let e = project(ProjectStatus::Proposed, None);
        let ms = [milestone(&a, "2026-01-31", None), milestone(&a, "2026-03-31", Some("2026-03-01")), milestone(&c, "2026-02-28", None)];
        let s = PortfolioSummary::of(&[a, b, c, e], &ms, d("2026-11-28"));
        assert_eq!(s.projects, 4);
        assert_eq!(s.by_status.len(), ProjectStatus::ALL.len());
        assert!(s.by_status.contains(&(ProjectStatus::InProgress, 2)));
        assert!(s.by_status.contains(&(ProjectStatus::Completed, 0)));
        assert_eq!(s.budget_by_currency.get("USD"), Some(&Decimal::new(125_050, 2)));
        assert_eq!(s.budget_by_currency.get("PEN"), Some(&Decimal::from(900)));
        assert_eq!((s.milestones, s.overdue_milestones), (3, 2));
        // The cancelled project's overdue milestone does not make it "behind".
        assert_eq!(s.projects_behind_schedule, 1);
    }

    #[test]
    fn a_portfolio_needs_a_code_and_a_title() {
        let err = PortfolioDraft::parse(&PortfolioInput { code: Some("no spaces allowed".into()), ..Default::default() }, None).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "title"]);
    }
}
