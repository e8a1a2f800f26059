//! Who is asking: the verified identity a use case receives, and the rules of who may see and
//! do what, written once here for both faces.

use std::{collections::HashSet, sync::Arc};

use crate::{
    DomainError, FieldError,
    ids::{ObjectiveId, PlanId},
    indicator::Indicator,
    plan::StrategicPlan,
    values::{AdministrationCode, Disclosure, DonorCode},
};

/// A role from the verified token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Planner,
    Viewer,
    Donor,
    Integration,
    /// No token: the public read surface (never in a token).
    Anonymous,
}

impl Role {
    pub const ALL: [Self; 5] = [Self::Admin, Self::Planner, Self::Viewer, Self::Donor, Self::Integration];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Planner => "planner",
            Self::Viewer => "viewer",
            Self::Donor => "donor",
            Self::Integration => "integration",
            Self::Anonymous => "anonymous",
        }
    }

    /// # Errors
    /// `invalid_value` for an unknown role.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| FieldError::new("role", "invalid_value", "one of admin, planner, viewer, donor, integration"))
    }
}

/// What an integration client may write; other roles ignore scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Plans, objectives, indicators and targets.
    PlansWrite,
    /// Measurements and their review.
    MeasurementsWrite,
    /// The administration's webhook subscriptions.
    WebhooksManage,
}

impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Scope {
    pub const ALL: [Self; 3] = [Self::PlansWrite, Self::MeasurementsWrite, Self::WebhooksManage];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PlansWrite => "plans:write",
            Self::MeasurementsWrite => "measurements:write",
            Self::WebhooksManage => "webhooks:manage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "plans:write" => Some(Self::PlansWrite),
            "measurements:write" => Some(Self::MeasurementsWrite),
            "webhooks:manage" => Some(Self::WebhooksManage),
            _ => None,
        }
    }
}

/// What a donor funds: the objectives linked to projects it funds, and their plans. A donor
/// reads `restricted` plans and indicators there (as the administration shares them with its
/// funders).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Funded {
    pub objectives: HashSet<ObjectiveId>,
    pub plans: HashSet<PlanId>,
}

/// How a review met the four-eyes rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FourEyes {
    /// The reviewer is not an author.
    Held,
    /// An admin reviewed their own work where the deployment allows it.
    Overridden,
}

/// A caller whose token was verified. Built only through [`Principal::new`], which enforces
/// that tenant-bound roles name their tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    subject: String,
    role: Role,
    administration: Option<AdministrationCode>,
    donor: Option<DonorCode>,
    scopes: Vec<Scope>,
    /// The registered machine client the token was issued to, if any.
    client: Option<String>,
    /// For a donor: what it funds, as admission found it.
    funded: Option<Arc<Funded>>,
}

impl Principal {
    /// # Errors
    /// Planners, viewers and integrations need an administration; donors need a donor code.
    pub fn new(
        subject: impl Into<String>,
        role: Role,
        administration: Option<AdministrationCode>,
        donor: Option<DonorCode>,
        scopes: Vec<Scope>,
    ) -> Result<Self, FieldError> {
        let subject = subject.into();
        if role == Role::Anonymous {
            return Err(FieldError::new("role", "invalid_value", "one of admin, planner, viewer, donor, integration"));
        }
        if subject.trim().is_empty() {
            return Err(FieldError::new("sub", "required", "the token names no subject"));
        }
        // The subject is written to the audit trail as the actor.
        crate::values::storable(&subject).map_err(|e| e.under("sub"))?;
        // A claim set is honoured whole or not at all: a tenant the role does not have, or scopes
        // on a role that ignores them, mean the token was minted wrongly.
        match role {
            Role::Planner | Role::Viewer | Role::Integration if administration.is_none() => {
                return Err(FieldError::new("administration", "required", format!("a {} token must name its administration", role.as_str())));
            }
            Role::Donor if donor.is_none() => {
                return Err(FieldError::new("donor", "required", "a donor token must name its donor"));
            }
            Role::Admin | Role::Planner | Role::Viewer | Role::Integration if donor.is_some() => {
                return Err(FieldError::new("donor", "not_allowed", format!("a {} token may not name a donor", role.as_str())));
            }
            Role::Admin | Role::Donor if administration.is_some() => {
                return Err(FieldError::new(
                    "administration",
                    "not_allowed",
                    format!("{} token may not name an administration", if role == Role::Admin { "an admin" } else { "a donor" }),
                ));
            }
            Role::Admin | Role::Planner | Role::Viewer | Role::Donor if !scopes.is_empty() => {
                return Err(FieldError::new("scope", "not_allowed", format!("scopes are for integration tokens; a {} token carries none", role.as_str())));
            }
            _ => {}
        }
        Ok(Self { subject, role, administration, donor, scopes, client: None, funded: None })
    }

    /// A caller without a token: reads what is `public`, and nothing else.
    pub fn anonymous() -> Self {
        Self { subject: "anonymous".into(), role: Role::Anonymous, administration: None, donor: None, scopes: Vec::new(), client: None, funded: None }
    }

    pub fn is_anonymous(&self) -> bool {
        self.role == Role::Anonymous
    }

    /// Whether the caller reads objects of this disclosure outside their administration:
    /// `public` ones always, `programme` ones with a token.
    pub fn reaches(&self, disclosure: Disclosure) -> bool {
        match disclosure {
            Disclosure::Public => true,
            Disclosure::Programme => !self.is_anonymous(),
            Disclosure::Restricted => false,
        }
    }

    /// Which of three audiences the caller is for `administration`'s data: its own (0), another
    /// authenticated caller (1), the public (2). Callers of one audience see the same things.
    pub fn audience_of(&self, administration: AdministrationCode) -> u8 {
        if self.is_insider(administration) {
            0
        } else if self.is_anonymous() {
            2
        } else {
            1
        }
    }

    /// The same donor, knowing what it funds.
    #[must_use]
    pub fn funding(mut self, funded: Funded) -> Self {
        self.funded = Some(Arc::new(funded));
        self
    }

    /// The plans the caller funds something in.
    pub fn funded_plans(&self) -> Vec<PlanId> {
        self.funded.as_ref().map(|f| f.plans.iter().copied().collect()).unwrap_or_default()
    }

    /// Whether the caller funds a project linked to an objective of `plan`.
    pub fn funds_plan(&self, plan: PlanId) -> bool {
        self.funded.as_ref().is_some_and(|f| f.plans.contains(&plan))
    }

    /// Whether the caller funds a project linked to `objective`.
    pub fn funds_objective(&self, objective: ObjectiveId) -> bool {
        self.funded.as_ref().is_some_and(|f| f.objectives.contains(&objective))
    }

    /// Whether the caller may see an indicator inside a plan it can read: insiders always,
    /// others at their disclosure level, and a donor the `restricted` ones of objectives whose
    /// projects it funds.
    pub fn can_read_indicator(&self, indicator: &Indicator) -> bool {
        self.can_read_within(indicator.administration, indicator.disclosure)
            || (indicator.disclosure == Disclosure::Restricted && self.funds_objective(indicator.objective_id))
    }

    /// The same caller, acting through the registered machine client `id`.
    #[must_use]
    pub fn through_client(mut self, id: impl Into<String>) -> Self {
        self.client = Some(id.into());
        self
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The registered machine client the token was issued to, if any.
    pub fn client(&self) -> Option<&str> {
        self.client.as_deref()
    }

    /// Everything that tells this caller from another, as one string: role, tenant, client and
    /// subject. Two tokens with the same subject but another role or tenant are different
    /// callers (what one stored for an `Idempotency-Key` is never replayed to the other).
    pub fn identity(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.role.as_str(),
            self.administration.as_ref().map_or("", AdministrationCode::as_str),
            self.donor.as_ref().map_or("", |d| d.as_str()),
            self.client.as_deref().unwrap_or_default(),
            self.subject
        )
    }

    pub const fn role(&self) -> Role {
        self.role
    }

    pub const fn administration(&self) -> Option<AdministrationCode> {
        self.administration
    }

    pub const fn donor(&self) -> Option<&DonorCode> {
        self.donor.as_ref()
    }

    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the caller works inside `administration` (its own data) or is an admin.
    pub fn is_insider(&self, administration: AdministrationCode) -> bool {
        self.is_admin() || (self.administration == Some(administration) && self.role != Role::Donor)
    }

    /// Whether the caller may see a plan: insiders always, others only disclosed plans.
    pub fn can_read_plan(&self, plan: &StrategicPlan) -> bool {
        self.is_insider(plan.administration)
            || (plan.status.is_published() && (self.reaches(plan.disclosure) || (plan.disclosure == Disclosure::Restricted && self.funds_plan(plan.id))))
    }

    /// Whether the caller may see an object with its own disclosure inside a plan it can read.
    pub fn can_read_within(&self, administration: AdministrationCode, disclosure: Disclosure) -> bool {
        self.is_insider(administration) || self.reaches(disclosure)
    }

    /// Whether the caller sees values still under review (insiders) or only approved ones.
    pub fn sees_unapproved(&self, administration: AdministrationCode) -> bool {
        self.is_insider(administration)
    }

    /// Checks that the caller's role writes at all (viewers and donors only read).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for read-only roles.
    pub fn ensure_writer(&self) -> Result<(), DomainError> {
        match self.role {
            Role::Viewer | Role::Donor | Role::Anonymous => Err(DomainError::Forbidden(format!("the {} role is read-only", self.role.as_str()))),
            Role::Admin | Role::Planner | Role::Integration => Ok(()),
        }
    }

    /// Checks that the caller may write data of `administration` needing `scope`. Call it only
    /// after the object was found readable, so that a private object stays a 404.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for viewers, donors, other administrations and integrations
    /// without the scope.
    pub fn ensure_can_write(&self, administration: AdministrationCode, scope: Scope) -> Result<(), DomainError> {
        self.ensure_writer()?;
        match self.role {
            Role::Admin => Ok(()),
            Role::Viewer | Role::Donor | Role::Anonymous => Err(DomainError::Forbidden(format!("the {} role is read-only", self.role.as_str()))),
            Role::Planner | Role::Integration if self.administration != Some(administration) => {
                Err(DomainError::Forbidden("you may only change your own administration's data".into()))
            }
            Role::Integration if !self.scopes.contains(&scope) => Err(DomainError::Forbidden(format!("this client lacks the `{}` scope", scope.as_str()))),
            Role::Planner | Role::Integration => Ok(()),
        }
    }

    /// Four eyes: whoever approves (or returns) a value or a plan is none of the people who
    /// wrote it or sent it for review, admins included. Where the deployment lets admins
    /// override the rule, an admin passes, and the answer says the rule was overridden so that
    /// the override can be audited.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] when the caller is one of `authors`.
    pub fn ensure_second_pair_of_eyes<'a>(&self, authors: impl IntoIterator<Item = &'a str>, admin_override: bool) -> Result<FourEyes, DomainError> {
        if !authors.into_iter().any(|a| a == self.subject) {
            return Ok(FourEyes::Held);
        }
        if self.is_admin() && admin_override {
            return Ok(FourEyes::Overridden);
        }
        Err(DomainError::Forbidden("four eyes: someone other than the person who recorded or submitted this must review it".into()))
    }

    /// # Errors
    /// [`DomainError::Forbidden`] unless the caller is an admin.
    pub fn ensure_admin(&self) -> Result<(), DomainError> {
        if self.is_admin() { Ok(()) } else { Err(DomainError::Forbidden("only an admin may do this".into())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AdministrationCode {
        AdministrationCode::parse(s).unwrap()
    }

    fn principal(role: Role, adm: Option<&str>, scopes: Vec<Scope>) -> Principal {
        let donor = (role == Role::Donor).then(|| DonorCode::parse("SECO").unwrap());
        Principal::new("alice", role, adm.map(code), donor, scopes).unwrap()
    }

    #[test]
    fn tenant_bound_roles_need_their_tenant() {
        assert!(Principal::new("a", Role::Planner, None, None, vec![]).is_err());
        assert!(Principal::new("a", Role::Donor, None, None, vec![]).is_err());
        assert!(Principal::new("", Role::Admin, None, None, vec![]).is_err());
        assert!(Principal::new("a", Role::Admin, None, None, vec![]).is_ok());
    }

    #[test]
    fn claims_the_role_does_not_have_are_refused_whole() {
        let seco = || Some(DonorCode::parse("SECO").unwrap());
        let refused = |role, adm: Option<&str>, donor, scopes| Principal::new("a", role, adm.map(code), donor, scopes).unwrap_err().field;
        assert_eq!(refused(Role::Planner, Some("BOL"), seco(), vec![]), "donor");
        assert_eq!(refused(Role::Admin, None, seco(), vec![]), "donor");
        assert_eq!(refused(Role::Donor, Some("BOL"), seco(), vec![]), "administration");
        assert_eq!(refused(Role::Admin, Some("BOL"), None, vec![]), "administration");
        assert_eq!(refused(Role::Viewer, Some("BOL"), None, vec![Scope::PlansWrite]), "scope");
        assert!(Principal::new("a", Role::Integration, Some(code("BOL")), None, vec![Scope::PlansWrite]).is_ok());
    }

    #[test]
    fn nobody_reviews_their_own_work_unless_an_admin_may_override() {
        let planner = Principal::new("alice", Role::Planner, Some(code("BOL")), None, vec![]).unwrap();
        let admin = Principal::new("alice", Role::Admin, None, None, vec![]).unwrap();
        assert_eq!(planner.ensure_second_pair_of_eyes(["bob", "carol"], false).unwrap(), FourEyes::Held);
        for authors in [["alice", "bob"], ["bob", "alice"]] {
            assert!(planner.ensure_second_pair_of_eyes(authors, true).is_err(), "{authors:?}");
            assert!(admin.ensure_second_pair_of_eyes(authors, false).is_err(), "{authors:?}");
            assert_eq!(admin.ensure_second_pair_of_eyes(authors, true).unwrap(), FourEyes::Overridden);
        }
    }

    #[test]
    fn the_public_reads_public_objects_only_and_writes_nothing() {
        let public = Principal::anonymous();
        let bol = code("BOL");
        assert!(public.can_read_within(bol, Disclosure::Public));
        assert!(!public.can_read_within(bol, Disclosure::Programme));
        assert!(!public.can_read_within(bol, Disclosure::Restricted));
        assert!(public.ensure_writer().is_err());
        assert_eq!(public.audience_of(bol), 2);
        assert!(Principal::new("x", Role::Anonymous, None, None, vec![]).is_err(), "no token carries it");
        assert!(Role::parse("anonymous").is_err());
    }

    #[test]
    fn the_identity_tells_apart_callers_sharing_a_subject() {
        let planner = Principal::new("alice", Role::Planner, Some(code("BOL")), None, vec![]).unwrap();
        let viewer = Principal::new("alice", Role::Viewer, Some(code("BOL")), None, vec![]).unwrap();
        let elsewhere = Principal::new("alice", Role::Planner, Some(code("PER")), None, vec![]).unwrap();
        let client = planner.clone().through_client("c1");
        let all = [planner.identity(), viewer.identity(), elsewhere.identity(), client.identity()];
        assert_eq!(all.iter().collect::<std::collections::HashSet<_>>().len(), all.len());
    }

    #[test]
    fn write_permissions_follow_the_table() {
        let bol = code("BOL");
        let per = code("PER");
        assert!(principal(Role::Admin, None, vec![]).ensure_can_write(bol, Scope::PlansWrite).is_ok());
        assert!(principal(Role::Planner, Some("BOL"), vec![]).ensure_can_write(bol, Scope::PlansWrite).is_ok());
        assert!(principal(Role::Planner, Some("BOL"), vec![]).ensure_can_write(per, Scope::PlansWrite).is_err());
        assert!(principal(Role::Viewer, Some("BOL"), vec![]).ensure_can_write(bol, Scope::PlansWrite).is_err());
        assert!(principal(Role::Donor, None, vec![]).ensure_can_write(bol, Scope::PlansWrite).is_err());
        let integ = principal(Role::Integration, Some("BOL"), vec![Scope::MeasurementsWrite]);
        assert!(integ.ensure_can_write(bol, Scope::MeasurementsWrite).is_ok());
        assert!(integ.ensure_can_write(bol, Scope::PlansWrite).is_err());
    }

    #[test]
    fn insiders_see_everything_of_their_administration_only() {
        let bol = code("BOL");
        assert!(principal(Role::Viewer, Some("BOL"), vec![]).is_insider(bol));
        assert!(!principal(Role::Viewer, Some("PER"), vec![]).is_insider(bol));
        assert!(!principal(Role::Donor, None, vec![]).is_insider(bol));
        assert!(principal(Role::Admin, None, vec![]).is_insider(bol));
        assert!(!principal(Role::Planner, Some("PER"), vec![]).can_read_within(bol, Disclosure::Restricted));
        assert!(principal(Role::Planner, Some("PER"), vec![]).can_read_within(bol, Disclosure::Programme));
    }
}
