//! Projects: the "things to do" that implement objectives, with their lifecycle and the
//! milestones whose dates give a project its schedule health.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::{
    FieldError,
    assessment::{Currency, Money},
    error::Errors,
    ids::{MilestoneId, ObjectiveId, PortfolioId, ProjectId},
    objective::ObjectiveCode,
    plan::{NARRATIVE_MAX, TITLE_MAX, take_text},
    text::LocalizedText,
    values::{AdministrationCode, ExternalRef, Quantity},
};

/// Lifecycle of a project: `proposed → approved → in_progress ⇄ on_hold → completed`, and
/// `cancelled` from any open state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Proposed,
    Approved,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
}

impl ProjectStatus {
    pub const ALL: [Self; 6] = [Self::Proposed, Self::Approved, Self::InProgress, Self::OnHold, Self::Completed, Self::Cancelled];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Approved => "approved",
            Self::InProgress => "in_progress",
            Self::OnHold => "on_hold",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// # Errors
    /// `invalid_value` naming the statuses.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| FieldError::new("", "invalid_value", "one of proposed, approved, in_progress, on_hold, completed, cancelled"))
    }

    pub const fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Cancelled)
    }

    /// The statuses this one may move to.
    pub fn successors(self) -> Vec<Self> {
        let mut next = match self {
            Self::Proposed => vec![Self::Approved],
            Self::Approved => vec![Self::InProgress],
            Self::InProgress => vec![Self::OnHold, Self::Completed],
            Self::OnHold => vec![Self::InProgress],
            Self::Completed | Self::Cancelled => vec![],
        };
        if self.is_open() {
            next.push(Self::Cancelled);
        }
        next
    }

    /// # Errors
    /// `invalid_transition` message for a move the lifecycle forbids.
    pub fn transition(self, to: Self) -> Result<Self, String> {
        if self.successors().contains(&to) { Ok(to) } else { Err(format!("a project cannot move from {} to {}", self.as_str(), to.as_str())) }
    }
}

/// A reform or modernisation project of one administration.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Project {
    pub id: ProjectId,
    pub administration: AdministrationCode,
    pub code: ObjectiveCode,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub status: ProjectStatus,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub budget: Option<Money>,
    /// The objectives (of its administration's plans) it contributes to: at least one.
    pub objective_ids: Vec<ObjectiveId>,
    /// The portfolio (of the same administration) it belongs to, if any.
    pub portfolio_id: Option<PortfolioId>,
    pub external_ref: Option<ExternalRef>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw project fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    pub code: Option<String>,
    pub title: Option<Vec<(String, String)>>,
    pub description: Option<Option<Vec<(String, String)>>>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub budget_amount: Option<Option<String>>,
    pub budget_currency: Option<Option<String>>,
    pub objective_ids: Option<Vec<String>>,
    pub portfolio_id: Option<Option<String>>,
    pub external_ref: Option<Option<String>>,
}

/// Validated project content.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDraft {
    pub code: ObjectiveCode,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub budget: Option<Money>,
    pub objective_ids: Vec<ObjectiveId>,
    pub portfolio_id: Option<PortfolioId>,
    pub external_ref: Option<ExternalRef>,
}

fn date(e: &mut Errors, field: &str, given: &Option<String>, current: Option<NaiveDate>) -> Option<NaiveDate> {
    match (given, current) {
        (Some(d), _) => e.take(field, NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| FieldError::new("", "invalid_date", "a date such as 2024-03-31"))),
        (None, Some(c)) => Some(c),
        (None, None) => {
            e.push(FieldError::new(field, "required", "a date such as 2024-03-31"));
            None
        }
    }
}

impl ProjectDraft {
    /// Validates a whole project; `base` supplies what `input` leaves out (PATCH).
    ///
    /// # Errors
    /// Every invalid or missing field, at once.
    pub fn parse(input: &ProjectInput, base: Option<&Project>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let code = match (&input.code, base) {
            (Some(c), _) => e.take("code", ObjectiveCode::parse(c)),
            (None, Some(b)) => Some(b.code.clone()),
            (None, None) => {
                e.push(FieldError::new("code", "required", "a project needs a code such as P1"));
                None
            }
        };
        let title = match (&input.title, base) {
            (Some(t), _) => take_text(&mut e, "title", t, TITLE_MAX),
            (None, Some(b)) => Some(b.title.clone()),
            (None, None) => {
                e.push(FieldError::new("title", "required", "a project needs a title"));
                None
            }
        };
        let description = match &input.description {
            Some(Some(t)) => take_text(&mut e, "description", t, NARRATIVE_MAX).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.description.clone())),
        };
        let planned_start = date(&mut e, "planned_start", &input.planned_start, base.map(|b| b.planned_start));
        let planned_end = date(&mut e, "planned_end", &input.planned_end, base.map(|b| b.planned_end));
        if let (Some(s), Some(en)) = (planned_start, planned_end)
            && en < s
        {
            e.push(FieldError::new("planned_end", "before_start", "planned_end must not be before planned_start"));
        }
        let amount = match &input.budget_amount {
            Some(Some(a)) => e
                .take(
                    "budget_amount",
                    Quantity::parse(a)
                        .and_then(|q| if q.get() < Decimal::ZERO { Err(FieldError::new("", "out_of_range", "a budget is not negative")) } else { Ok(q) }),
                )
                .map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.budget.as_ref().map(|m| m.amount))),
        };
        let currency = match &input.budget_currency {
            Some(Some(c)) => e.take("budget_currency", Currency::parse(c)).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.budget.as_ref().map(|m| m.currency.clone()))),
        };
        let budget = match (amount, currency) {
            (Some(Some(amount)), Some(Some(currency))) => Some(Some(Money { amount, currency })),
            (Some(None), Some(None)) => Some(None),
            (Some(_), Some(_)) => {
                e.push(FieldError::new("budget_currency", "required", "give the budget as an amount with its currency"));
                None
            }
            _ => None,
        };
        let objective_ids = match (&input.objective_ids, base) {
            (Some(list), _) => {
                let mut ids = Vec::new();
                for (i, raw) in list.iter().enumerate() {
                    if let Some(id) = e.take(&format!("objective_ids[{i}]"), raw.parse::<ObjectiveId>())
                        && !ids.contains(&id)
                    {
                        ids.push(id);
                    }
                }
                if list.is_empty() {
                    e.push(FieldError::new("objective_ids", "required", "a project contributes to at least one objective"));
                }
                Some(ids)
            }
            (None, Some(b)) => Some(b.objective_ids.clone()),
            (None, None) => {
                e.push(FieldError::new("objective_ids", "required", "a project contributes to at least one objective"));
                None
            }
        };
        let portfolio_id = match &input.portfolio_id {
            Some(Some(raw)) => e.take("portfolio_id", raw.parse::<PortfolioId>()).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.portfolio_id)),
        };
        let external_ref = match &input.external_ref {
            Some(Some(r)) => e.take("external_ref", ExternalRef::parse(r)).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.external_ref.clone())),
        };
        let finished = e.finish();
        match (code, title, description, planned_start, planned_end, budget, objective_ids, portfolio_id, external_ref, finished) {
            (
                Some(code),
                Some(title),
                Some(description),
                Some(planned_start),
                Some(planned_end),
                Some(budget),
                Some(objective_ids),
                Some(portfolio_id),
                Some(external_ref),
                Ok(()),
            ) => Ok(Self { code, title, description, planned_start, planned_end, budget, objective_ids, portfolio_id, external_ref }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid project")]),
        }
    }
}

/// A dated deliverable of a project.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Milestone {
    pub id: MilestoneId,
    pub project_id: ProjectId,
    pub administration: AdministrationCode,
    pub title: LocalizedText,
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Milestone {
    /// Due date passed and not completed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.completed_on.is_none() && self.due_on < today
    }
}

/// Raw milestone fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct MilestoneInput {
    pub title: Option<Vec<(String, String)>>,
    pub due_on: Option<String>,
    pub completed_on: Option<Option<String>>,
}

/// Validated milestone content.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneDraft {
    pub title: LocalizedText,
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

impl MilestoneDraft {
    /// # Errors
    /// Every invalid or missing field; a completion date cannot lie in the future.
    pub fn parse(input: &MilestoneInput, base: Option<&Milestone>, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let title = match (&input.title, base) {
            (Some(t), _) => take_text(&mut e, "title", t, TITLE_MAX),
            (None, Some(b)) => Some(b.title.clone()),
            (None, None) => {
                e.push(FieldError::new("title", "required", "a milestone needs a title"));
                None
            }
        };
        let due_on = date(&mut e, "due_on", &input.due_on, base.map(|b| b.due_on));
        let completed_on = match &input.completed_on {
            Some(Some(d)) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) if d > today => {
                    e.push(FieldError::new("completed_on", "in_future", "a milestone is completed on a date that has come"));
                    None
                }
                Ok(d) => Some(Some(d)),
                Err(_) => {
                    e.push(FieldError::new("completed_on", "invalid_date", "a date such as 2024-03-31"));
                    None
                }
            },
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.completed_on)),
        };
        let finished = e.finish();
        match (title, due_on, completed_on, finished) {
            (Some(title), Some(due_on), Some(completed_on), Ok(())) => Ok(Self { title, due_on, completed_on }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid milestone")]),
        }
    }
}

/// A project's schedule health from its milestones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleHealth {
    pub milestones: u32,
    pub completed: u32,
    pub overdue: u32,
    /// Completed over all, `None` without milestones.
    pub completed_share: Option<Decimal>,
}

impl ScheduleHealth {
    pub fn of(milestones: &[Milestone], today: NaiveDate) -> Self {
        let total = u32::try_from(milestones.len()).unwrap_or(u32::MAX);
        let completed = u32::try_from(milestones.iter().filter(|m| m.completed_on.is_some()).count()).unwrap_or(u32::MAX);
        let overdue = u32::try_from(milestones.iter().filter(|m| m.is_overdue(today)).count()).unwrap_or(u32::MAX);
        let completed_share = (total > 0).then(|| (Decimal::from(completed) / Decimal::from(total)).round_dp(4).normalize());
        Self { milestones: total, completed, overdue, completed_share }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn lifecycle_allows_only_the_documented_moves() {
        use ProjectStatus::*;
        let allowed = [
            (Proposed, Approved),
            (Approved, InProgress),
            (InProgress, OnHold),
            (OnHold, InProgress),
            (InProgress, Completed),
            (Proposed, Cancelled),
            (Approved, Cancelled),
            (InProgress, Cancelled),
            (OnHold, Cancelled),
        ];
        for from in ProjectStatus::ALL {
            for to in ProjectStatus::ALL {
                assert_eq!(from.transition(to).is_ok(), allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn schedule_health_counts_overdue_and_completed() {
        let now = Utc::now();
        let m = |due: &str, done: Option<&str>| Milestone {
            id: MilestoneId::generate(),
            project_id: ProjectId::generate(),
            administration: AdministrationCode::parse("BOL").unwrap(),
            title: LocalizedText::single(crate::text::LanguageTag::english(), "m"),
            due_on: d(due),
            completed_on: done.map(d),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let list = [m("2025-01-31", Some("2025-02-10")), m("2025-06-30", None), m("2027-01-31", None), m("2026-11-28", None)];
        let h = ScheduleHealth::of(&list, d("2026-11-28"));
        assert_eq!((h.milestones, h.completed, h.overdue), (4, 1, 1));
        assert_eq!(h.completed_share, Some(Decimal::new(25, 2)));
        assert_eq!(ScheduleHealth::of(&[], d("2026-11-28")).completed_share, None);
    }

    #[test]
    fn projects_need_dates_in_order_an_objective_and_money_with_its_currency() {
        let input = ProjectInput {
            code: Some("P1".into()),
            title: Some(vec![("es".into(), "Ventanilla única".into())]),
            planned_start: Some("2024-06-01".into()),
            planned_end: Some("2024-01-01".into()),
            budget_amount: Some(Some("-5".into())),
            objective_ids: Some(vec![]),
            ..Default::default()
        };
        let err = ProjectDraft::parse(&input, None).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["planned_end", "budget_amount", "objective_ids"]);
    }
}
