//! The audit trail (who changed what, when, before and after) and the change feed entries that
//! partners sync from. Both are written in the same transaction as the change itself.

use chrono::{DateTime, Utc};

use crate::values::AdministrationCode;

/// The kinds of object that appear in the audit trail and the change feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Administration,
    Plan,
    Objective,
    Indicator,
    Target,
    Measurement,
    Assessment,
    Practice,
    Donor,
    Project,
    Milestone,
    Funding,
    Transaction,
    Risk,
    Stakeholder,
    Portfolio,
    Engagement,
}

impl EntityType {
    pub const ALL: [Self; 17] = [
        Self::Administration,
        Self::Plan,
        Self::Objective,
        Self::Indicator,
        Self::Target,
        Self::Measurement,
        Self::Assessment,
        Self::Practice,
        Self::Donor,
        Self::Project,
        Self::Milestone,
        Self::Funding,
        Self::Transaction,
        Self::Risk,
        Self::Stakeholder,
        Self::Portfolio,
        Self::Engagement,
    ];

    /// # Errors
    /// `invalid_value` for an unknown type.
    pub fn parse(s: &str) -> Result<Self, crate::FieldError> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            crate::FieldError::new(
                "",
                "invalid_value",
                "one of administration, plan, objective, indicator, target, measurement, assessment, practice, donor, project, milestone, funding, transaction, risk, stakeholder, portfolio, engagement",
            )
        })
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Administration => "administration",
            Self::Plan => "plan",
            Self::Objective => "objective",
            Self::Indicator => "indicator",
            Self::Target => "target",
            Self::Measurement => "measurement",
            Self::Assessment => "assessment",
            Self::Practice => "practice",
            Self::Donor => "donor",
            Self::Project => "project",
            Self::Milestone => "milestone",
            Self::Funding => "funding",
            Self::Transaction => "transaction",
            Self::Risk => "risk",
            Self::Stakeholder => "stakeholder",
            Self::Portfolio => "portfolio",
            Self::Engagement => "engagement",
        }
    }
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// One append-only audit record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// The token subject of the caller.
    pub actor: String,
    pub actor_role: &'static str,
    /// The administration the object belongs to (none for global objects).
    pub administration: Option<AdministrationCode>,
    pub entity_type: EntityType,
    pub entity_id: String,
    /// `create`, `update`, `delete`, or a named action such as `transition:approved`.
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// One entry of the change feed; storage assigns the increasing sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub entity_type: EntityType,
    pub entity_id: String,
    pub operation: Operation,
    pub administration: Option<AdministrationCode>,
}

/// A stored audit entry with its position in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Increases with every entry: the order of the log.
    pub id: i64,
    pub entry: AuditEntry,
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub administration: Option<AdministrationCode>,
    pub entity_type: Option<EntityType>,
    pub entity_id: Option<String>,
}
