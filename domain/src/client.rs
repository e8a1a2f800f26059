//! Machine clients: a national planning system or a donor portal that calls Meridian on its own
//! behalf (OAuth 2.0 client credentials). A client is bound to one administration (its tokens
//! act as an integration of that administration, within the scopes granted) or to one donor (its
//! tokens read as that donor). Its secrets are kept only as hashes; a rotation keeps the old
//! secret valid for an overlap window so that a partner can roll its configuration without a
//! gap; a revoked or expired client gets no new token and its tokens stop working.

use chrono::{DateTime, Duration, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::{ClientId, ClientSecretId},
    principal::{Principal, Role, Scope},
    values::{AdministrationCode, DonorCode, non_blank},
};

/// Longest client name, in characters.
pub const NAME_MAX: usize = 200;
/// Longest overlap a rotation may give the old secret.
pub const MAX_OVERLAP: Duration = Duration::days(30);
/// The overlap a rotation gives the old secret when none is asked for.
pub const DEFAULT_OVERLAP: Duration = Duration::hours(24);

/// Whom a client acts for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum ClientOwner {
    Administration(AdministrationCode),
    Donor(DonorCode),
}

impl ClientOwner {
    /// The role of the client's tokens.
    pub const fn role(&self) -> Role {
        match self {
            Self::Administration(_) => Role::Integration,
            Self::Donor(_) => Role::Donor,
        }
    }

    /// `administration` or `donor`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Administration(_) => "administration",
            Self::Donor(_) => "donor",
        }
    }

    /// The administration's or the donor's code.
    pub fn code(&self) -> &str {
        match self {
            Self::Administration(a) => a.as_str(),
            Self::Donor(d) => d.as_str(),
        }
    }

    pub const fn administration(&self) -> Option<AdministrationCode> {
        match self {
            Self::Administration(a) => Some(*a),
            Self::Donor(_) => None,
        }
    }
}

/// One secret of a client, kept as a hash only.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClientSecret {
    pub id: ClientSecretId,
    /// The PHC string of the secret's hash (argon2id); never shown, never audited.
    #[serde(skip)]
    pub hash: String,
    pub created_at: DateTime<Utc>,
    /// Set when a rotation replaced it: valid until then.
    pub expires_at: Option<DateTime<Utc>>,
}

impl ClientSecret {
    pub fn is_valid(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// A registered machine client.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MachineClient {
    pub id: ClientId,
    pub name: String,
    pub owner: ClientOwner,
    /// What its tokens may write (administration clients only).
    pub scopes: Vec<Scope>,
    /// After this, the client gets no token and its tokens stop working.
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub secrets: Vec<ClientSecret>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a client cannot get or use a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    Revoked,
    Expired,
}

impl Standing {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
}

impl MachineClient {
    pub fn standing(&self, now: DateTime<Utc>) -> Standing {
        if self.revoked_at.is_some() {
            Standing::Revoked
        } else if self.expires_at.is_some_and(|at| at <= now) {
            Standing::Expired
        } else {
            Standing::Active
        }
    }

    /// The secrets that authenticate the client now.
    pub fn valid_secrets(&self, now: DateTime<Utc>) -> impl Iterator<Item = &ClientSecret> {
        self.secrets.iter().filter(move |s| s.is_valid(now))
    }

    /// The subject of the client's tokens: the actor its writes are audited under.
    pub fn subject(&self) -> String {
        format!("client:{}", self.id)
    }

    /// The caller the client's tokens make, with `scopes` (a subset of its own).
    ///
    /// # Errors
    /// Never for a client built through [`ClientDraft`]; a field error for a corrupt one.
    pub fn principal(&self, scopes: Vec<Scope>) -> Result<Principal, FieldError> {
        let (administration, donor) = match &self.owner {
            ClientOwner::Administration(a) => (Some(*a), None),
            ClientOwner::Donor(d) => (None, Some(d.clone())),
        };
        Ok(Principal::new(self.subject(), self.owner.role(), administration, donor, scopes)?.through_client(self.id.to_string()))
    }

    /// The scopes a token request gets: all the client's when it names none, else the ones it
    /// names, each of which must be the client's.
    ///
    /// # Errors
    /// The first scope named that is unknown or not granted to the client.
    pub fn narrow(&self, requested: Option<&str>) -> Result<Vec<Scope>, String> {
        let Some(requested) = requested.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(self.scopes.clone());
        };
        let mut out = Vec::new();
        for name in requested.split_whitespace() {
            match Scope::parse(name) {
                Some(scope) if self.scopes.contains(&scope) => {
                    if !out.contains(&scope) {
                        out.push(scope);
                    }
                }
                Some(_) => return Err(format!("the scope `{name}` was not granted to this client")),
                None => return Err(format!("`{name}` is not a scope (plans:write, measurements:write, webhooks:manage)")),
            }
        }
        Ok(out)
    }
}

/// Raw client fields as a caller sent them.
#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    pub name: Option<String>,
    pub administration: Option<String>,
    pub donor: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Validated client content.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientDraft {
    pub name: String,
    pub owner: ClientOwner,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl ClientDraft {
    /// `default_administration` is the caller's own, used when the input names no owner.
    ///
    /// # Errors
    /// Every invalid or missing field.
    pub fn parse(input: &ClientInput, default_administration: Option<AdministrationCode>, now: DateTime<Utc>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let name = match &input.name {
            Some(n) => e.take("name", non_blank(n, NAME_MAX)),
            None => {
                e.push(FieldError::new("name", "required", "name the system the client is for, such as `SIPLAN production`"));
                None
            }
        };
        let owner = match (&input.administration, &input.donor) {
            (Some(_), Some(_)) => {
                e.push(FieldError::new("donor", "not_allowed", "a client acts for an administration or for a donor, not both"));
                None
            }
            (Some(a), None) => e.take("administration", AdministrationCode::parse(a)).map(ClientOwner::Administration),
            (None, Some(d)) => e.take("donor", DonorCode::parse(d)).map(ClientOwner::Donor),
            (None, None) => match default_administration {
                Some(a) => Some(ClientOwner::Administration(a)),
                None => {
                    e.push(FieldError::new("administration", "required", "name the administration or the donor the client acts for"));
                    None
                }
            },
        };
        let mut scopes = Vec::new();
        for (i, name) in input.scopes.iter().flatten().enumerate() {
            match Scope::parse(name) {
                Some(s) if !scopes.contains(&s) => scopes.push(s),
                Some(_) => {}
                None => e.push(FieldError::new(format!("scopes[{i}]"), "invalid_value", "one of plans:write, measurements:write, webhooks:manage")),
            }
        }
        if matches!(owner, Some(ClientOwner::Donor(_))) && !scopes.is_empty() {
            e.push(FieldError::new("scopes", "not_allowed", "a donor's client reads; scopes are for an administration's clients"));
        }
        if input.expires_at.is_some_and(|at| at <= now) {
            e.push(FieldError::new("expires_at", "in_the_past", "an expiry lies in the future"));
        }
        match (e.is_empty(), name, owner) {
            (true, Some(name), Some(owner)) => Ok(Self { name, owner, scopes, expires_at: input.expires_at }),
            _ => Err(e.into_vec()),
        }
    }
}

/// A fresh client secret: `mcs_` and 256 random bits (two UUIDv4s, from the system's secure
/// random source), URL-safe.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("mcs_{}", base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, administration: Option<&str>, donor: Option<&str>, scopes: &[&str]) -> ClientInput {
        ClientInput {
            name: Some(name.into()),
            administration: administration.map(Into::into),
            donor: donor.map(Into::into),
            scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
            expires_at: None,
        }
    }

    fn client(scopes: Vec<Scope>) -> MachineClient {
        let now = Utc::now();
        MachineClient {
            id: ClientId::generate(),
            name: "SIPLAN".into(),
            owner: ClientOwner::Administration(AdministrationCode::parse("BOL").unwrap()),
            scopes,
            expires_at: None,
            revoked_at: None,
            secrets: vec![],
            version: 1,
            created_by: "root".into(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_client_acts_for_one_administration_or_one_donor() {
        let now = Utc::now();
        let ok = ClientDraft::parse(&input("SIPLAN", Some("BOL"), None, &["plans:write", "plans:write"]), None, now).unwrap();
        assert_eq!(ok.scopes, [Scope::PlansWrite]);
        let field = |i: &ClientInput, own| ClientDraft::parse(i, own, now).unwrap_err().into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(field(&input("x", Some("BOL"), Some("SECO"), &[]), None), ["donor"]);
        assert_eq!(field(&input("x", None, Some("SECO"), &["plans:write"]), None), ["scopes"]);
        assert_eq!(field(&input("x", None, None, &["root"]), None), ["administration", "scopes[0]"]);
        assert_eq!(field(&input(" ", Some("BOL"), None, &[]), None), ["name"]);
        let own = ClientDraft::parse(&input("x", None, None, &[]), AdministrationCode::parse("PER").ok(), now).unwrap();
        assert_eq!(own.owner, ClientOwner::Administration(AdministrationCode::parse("PER").unwrap()));
        let past = ClientInput { expires_at: Some(now - Duration::seconds(1)), ..input("x", Some("BOL"), None, &[]) };
        assert_eq!(field(&past, None), ["expires_at"]);
    }

    #[test]
    fn a_token_request_narrows_the_scopes_never_widens_them() {
        let c = client(vec![Scope::PlansWrite, Scope::MeasurementsWrite]);
        assert_eq!(c.narrow(None).unwrap(), c.scopes);
        assert_eq!(c.narrow(Some(" ")).unwrap(), c.scopes);
        assert_eq!(c.narrow(Some("measurements:write")).unwrap(), [Scope::MeasurementsWrite]);
        assert!(c.narrow(Some("webhooks:manage")).is_err());
        assert!(c.narrow(Some("admin")).is_err());
    }

    #[test]
    fn revoked_or_expired_clients_stand_still() {
        let now = Utc::now();
        let mut c = client(vec![]);
        assert_eq!(c.standing(now), Standing::Active);
        c.expires_at = Some(now);
        assert_eq!(c.standing(now), Standing::Expired);
        c.revoked_at = Some(now);
        assert_eq!(c.standing(now), Standing::Revoked);
        let p = client(vec![Scope::PlansWrite]).principal(vec![Scope::PlansWrite]).unwrap();
        assert_eq!(p.role(), Role::Integration);
        assert!(p.client().is_some() && p.subject().starts_with("client:"));
    }

    #[test]
    fn secrets_are_long_random_and_distinct() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("mcs_") && a.len() == 4 + 43, "{a}");
    }
}
