//! Stakeholders an administration works with, and their engagements: a role on an objective
//! or a project.

use chrono::{DateTime, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::{EngagementId, ObjectiveId, ProjectId, StakeholderId},
    plan::{TITLE_MAX, take_opt_string, take_text},
    text::LocalizedText,
    values::AdministrationCode,
};

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
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

named_enum!(
    /// What kind of party a stakeholder is.
    StakeholderKind {
        PrivateSector => "private_sector",
        GovernmentAgency => "government_agency",
        InternationalOrganisation => "international_organisation",
        CivilSociety => "civil_society",
        Academia => "academia",
        Other => "other",
    }
);

named_enum!(
    /// A stakeholder's role on an objective or a project.
    EngagementRole {
        Owner => "owner",
        Involved => "involved",
        Consulted => "consulted",
        Informed => "informed",
        Beneficiary => "beneficiary",
    }
);

/// A party the administration works with.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stakeholder {
    pub id: StakeholderId,
    pub administration: AdministrationCode,
    pub name: LocalizedText,
    pub kind: StakeholderKind,
    /// How to reach them (a person, an address): free text.
    pub contact: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw stakeholder fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct StakeholderInput {
    pub name: Option<Vec<(String, String)>>,
    pub kind: Option<String>,
    pub contact: Option<Option<String>>,
}

/// Validated stakeholder content.
#[derive(Debug, Clone, PartialEq)]
pub struct StakeholderDraft {
    pub name: LocalizedText,
    pub kind: StakeholderKind,
    pub contact: Option<String>,
}

impl StakeholderDraft {
    /// # Errors
    /// Every invalid or missing field (name and kind on create).
    pub fn parse(input: &StakeholderInput, base: Option<&Stakeholder>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let name = match (&input.name, base) {
            (Some(n), _) => take_text(&mut e, "name", n, TITLE_MAX),
            (None, Some(b)) => Some(b.name.clone()),
            (None, None) => {
                e.push(FieldError::new("name", "required", "a stakeholder needs a name"));
                None
            }
        };
        let kind = match (&input.kind, base) {
            (Some(k), _) => e.take("kind", StakeholderKind::parse(k)),
            (None, Some(b)) => Some(b.kind),
            (None, None) => {
                e.push(FieldError::new("kind", "required", "what kind of party it is"));
                None
            }
        };
        let contact = match &input.contact {
            Some(c) => take_opt_string(&mut e, "contact", c.as_deref(), 500),
            None => Some(base.and_then(|b| b.contact.clone())),
        };
        let finished = e.finish();
        match (name, kind, contact, finished) {
            (Some(name), Some(kind), Some(contact), Ok(())) => Ok(Self { name, kind, contact }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid stakeholder")]),
        }
    }
}

/// What an engagement is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum EngagementSubject {
    Objective(ObjectiveId),
    Project(ProjectId),
}

/// A stakeholder's role on an objective or a project.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Engagement {
    pub id: EngagementId,
    pub stakeholder_id: StakeholderId,
    pub administration: AdministrationCode,
    pub subject: EngagementSubject,
    pub role: EngagementRole,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_roles_parse_their_names_only() {
        assert_eq!(StakeholderKind::parse("private_sector").unwrap(), StakeholderKind::PrivateSector);
        assert_eq!(EngagementRole::parse("beneficiary").unwrap(), EngagementRole::Beneficiary);
        assert!(EngagementRole::parse("boss").is_err());
        let err = StakeholderDraft::parse(&StakeholderInput { kind: Some("friends".into()), ..Default::default() }, None).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind"]);
    }
}
