//! The audit trail (who changed what, when, before and after) and the change feed entries that
//! partners sync from. Both are written in the same transaction as the change itself.

use chrono::{DateTime, Utc};

use crate::{
    ids::ProjectId,
    principal::{Principal, Role},
    values::{AdministrationCode, DonorCode},
};

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
    /// A registered machine client (audited, not in the change feed).
    Client,
    /// A webhook subscription (audited, not in the change feed).
    Webhook,
}

impl EntityType {
    pub const ALL: [Self; 19] = [
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
        Self::Client,
        Self::Webhook,
    ];

    /// # Errors
    /// `invalid_value` for an unknown type.
    pub fn parse(s: &str) -> Result<Self, crate::FieldError> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            crate::FieldError::new(
                "",
                "invalid_value",
                "one of administration, plan, objective, indicator, target, measurement, assessment, practice, donor, project, milestone, funding, transaction, risk, stakeholder, portfolio, engagement, client, webhook",
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
            Self::Client => "client",
            Self::Webhook => "webhook",
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
    pub const ALL: [Self; 3] = [Self::Create, Self::Update, Self::Delete];

    /// # Errors
    /// `invalid_value` for an unknown operation.
    pub fn parse(s: &str) -> Result<Self, crate::FieldError> {
        Self::ALL.into_iter().find(|o| o.as_str() == s).ok_or_else(|| crate::FieldError::new("", "invalid_value", "one of create, update, delete"))
    }

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
    /// The same action as the audit entry's (`create`, `transition:active`, `review:approved`).
    pub action: String,
    pub administration: Option<AdministrationCode>,
    pub audience: Audience,
}

/// Who may see a change (in the feed, and as a webhook): decided when the change is written, from
/// the object as it then stands (as it stood before, for a deletion). A tombstone therefore reaches
/// exactly those who could see the object, and nobody learns the id of an object private to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The object's own administration (and admins).
    Internal,
    /// Every authenticated caller: published plans and what they disclose, donors, published practices.
    Everyone,
    /// The administration and the donors funding this project.
    Funders(ProjectId),
    /// The administration and one donor (its fundings and their transactions).
    Donor(DonorCode),
}

impl Audience {
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Everyone => "everyone",
            Self::Funders(_) => "funders",
            Self::Donor(_) => "donor",
        }
    }

    /// `Everyone` when `shared`, else `Internal`.
    pub const fn shared_if(shared: bool) -> Self {
        if shared { Self::Everyone } else { Self::Internal }
    }
}

/// A stored change with its place in the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    /// Increases with every change, in commit order.
    pub seq: i64,
    pub change: Change,
}

/// Which changes a reader of the feed (or a webhook subscriber) receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    /// Admins: everything.
    All,
    /// People and clients of one administration: its changes, and everything shared with everyone.
    Administration(AdministrationCode),
    /// One donor: what is shared with everyone, and the changes to the projects it funds.
    Donor(DonorCode),
    /// Only what is shared with everyone (a principal with neither administration nor donor).
    Shared,
}

impl FeedScope {
    pub fn of(who: &Principal) -> Self {
        match (who.role(), who.administration(), who.donor()) {
            (Role::Admin, _, _) => Self::All,
            (Role::Donor, _, Some(donor)) => Self::Donor(donor.clone()),
            (_, Some(administration), _) => Self::Administration(administration),
            _ => Self::Shared,
        }
    }

    /// Whether this scope receives `change`; `funds` tells whether the scope's donor funds a project.
    pub fn admits(&self, change: &Change, funds: impl Fn(&DonorCode, ProjectId) -> bool) -> bool {
        match (self, &change.audience) {
            (Self::All, _) | (_, Audience::Everyone) => true,
            (Self::Administration(own), _) => change.administration == Some(*own),
            (Self::Donor(donor), Audience::Funders(project)) => funds(donor, *project),
            (Self::Donor(donor), Audience::Donor(to)) => donor == to,
            (Self::Donor(_), Audience::Internal) | (Self::Shared, _) => false,
        }
    }
}

/// What one read of the change feed returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedFilter {
    pub scope: FeedScope,
    /// For a donor's scope: the projects it funds (resolved by the use case).
    pub funded: Vec<ProjectId>,
    /// Only changes to these types; every type when empty.
    pub types: Vec<EntityType>,
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

#[cfg(test)]
mod feed_tests {
    use super::*;
    use crate::principal::Scope;

    fn change(administration: &str, audience: Audience) -> Change {
        Change {
            at: Utc::now(),
            entity_type: EntityType::Project,
            entity_id: "x".into(),
            operation: Operation::Delete,
            action: "delete".into(),
            administration: Some(AdministrationCode::parse(administration).unwrap()),
            audience,
        }
    }

    fn who(role: Role, administration: Option<&str>, donor: Option<&str>) -> Principal {
        let scopes: Vec<Scope> = Vec::new();
        Principal::new("x", role, administration.map(|a| AdministrationCode::parse(a).unwrap()), donor.map(|d| DonorCode::parse(d).unwrap()), scopes).unwrap()
    }

    #[test]
    fn each_reader_receives_what_it_may_see() {
        let project = ProjectId::generate();
        let seco_funds = |d: &DonorCode, p: ProjectId| d.as_str() == "SECO" && p == project;
        let internal = change("PER", Audience::Internal);
        let shared = change("PER", Audience::Everyone);
        let funded = change("PER", Audience::Funders(project));
        let to_seco = change("PER", Audience::Donor(DonorCode::parse("SECO").unwrap()));

        let admin = FeedScope::of(&who(Role::Admin, None, None));
        let peru = FeedScope::of(&who(Role::Viewer, Some("PER"), None));
        let bolivia = FeedScope::of(&who(Role::Integration, Some("BOL"), None));
        let seco = FeedScope::of(&who(Role::Donor, None, Some("SECO")));
        let wco = FeedScope::of(&who(Role::Donor, None, Some("WCO")));

        for c in [&internal, &shared, &funded, &to_seco] {
            assert!(admin.admits(c, seco_funds) && peru.admits(c, seco_funds), "{c:?}");
        }
        assert_eq!([&internal, &shared, &funded, &to_seco].map(|c| bolivia.admits(c, seco_funds)), [false, true, false, false]);
        assert_eq!([&internal, &shared, &funded, &to_seco].map(|c| seco.admits(c, seco_funds)), [false, true, true, true]);
        assert_eq!([&internal, &shared, &funded, &to_seco].map(|c| wco.admits(c, seco_funds)), [false, true, false, false]);
    }
}
