//! The machine-client registry: admins register clients for any administration or donor;
//! planners for their own administration (a client can do no more than a planner of it).
//! Another administration's client is indistinguishable from a missing one.

use std::sync::Arc;

use chrono::Duration;

use crate::{
    DomainError, StoreError,
    audit::EntityType,
    client::{ClientDraft, ClientInput, ClientOwner, ClientSecret, DEFAULT_OVERLAP, MAX_OVERLAP, MachineClient, Standing, new_secret},
    ids::{ClientId, ClientSecretId},
    ports::SecretHasher,
    principal::{Principal, Role, Scope},
};

use super::{AuditOnly, Ctx, snapshot, stale_on_race};

/// Most clients a list returns (an administration registers a handful).
pub const LIST_MAX: u64 = 500;

#[derive(Clone)]
pub struct ClientService {
    pub(crate) ctx: Ctx,
    pub(crate) hasher: Arc<dyn SecretHasher>,
    /// Each client's standing as this process last read it, shared with admission.
    pub(crate) standing: Arc<StandingCache>,
}

/// How long a client's standing is trusted before it is read again: a client revoked by
/// another process stops working within this time (in this process, at once).
pub const STANDING_TTL: Duration = Duration::seconds(30);

/// Clients' standings as last read: active or not, and when read.
#[derive(Default)]
pub struct StandingCache(std::sync::RwLock<std::collections::HashMap<ClientId, (bool, chrono::DateTime<chrono::Utc>)>>);

impl StandingCache {
    fn get(&self, id: ClientId, now: chrono::DateTime<chrono::Utc>) -> Option<bool> {
        let map = self.0.read().ok()?;
        map.get(&id).filter(|(_, at)| now - *at < STANDING_TTL).map(|(active, _)| *active)
    }

    fn set(&self, id: ClientId, active: bool, now: chrono::DateTime<chrono::Utc>) {
        if let Ok(mut map) = self.0.write() {
            if map.len() >= 10_000 {
                map.retain(|_, (_, at)| now - *at < STANDING_TTL);
            }
            map.insert(id, (active, now));
        }
    }
}

/// A client with the secret just made for it: shown this once.
#[derive(Debug, Clone)]
pub struct IssuedSecret {
    pub client: MachineClient,
    pub secret: String,
}

/// Why a token request is refused (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Unknown client, wrong secret, revoked or expired client: the same answer for each.
    InvalidClient,
    /// A scope the client was not granted.
    InvalidScope(String),
}

/// Whether `who` may see and manage clients acting for `owner`.
fn manages(who: &Principal, owner: &ClientOwner) -> bool {
    match (who.role(), owner) {
        (Role::Admin, _) => true,
        (Role::Planner, ClientOwner::Administration(a)) => who.administration() == Some(*a),
        _ => false,
    }
}

fn ensure_registrar(who: &Principal) -> Result<(), DomainError> {
    match who.role() {
        Role::Admin | Role::Planner => Ok(()),
        role => Err(DomainError::Forbidden(format!("the {} role does not manage machine clients", role.as_str()))),
    }
}

fn audit<'a>(who: &'a Principal, c: &MachineClient, action: &'a str) -> AuditOnly<'a> {
    AuditOnly { who, at: c.updated_at, administration: c.owner.administration(), entity_type: EntityType::Client, entity_id: c.id.to_string(), action }
}

impl ClientService {
    /// Registers a client; the answer carries its first secret, shown this once.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] (roles other than admin and planner, a planner naming another
    /// administration or a donor), [`DomainError::Validation`] (including an administration or
    /// donor that does not exist).
    pub async fn create(&self, who: &Principal, input: &ClientInput) -> Result<IssuedSecret, DomainError> {
        ensure_registrar(who)?;
        let now = self.ctx.clock.now();
        let own = if who.is_admin() { None } else { who.administration() };
        let draft = ClientDraft::parse(input, own, now).map_err(DomainError::Validation)?;
        if !manages(who, &draft.owner) {
            return Err(DomainError::Forbidden("a planner registers clients for their own administration only".into()));
        }
        let secret = new_secret();
        let hash = self.hasher.hash(secret.clone()).await?;
        let client = MachineClient {
            id: ClientId::generate(),
            name: draft.name,
            owner: draft.owner,
            scopes: draft.scopes,
            expires_at: draft.expires_at,
            revoked_at: None,
            secrets: vec![ClientSecret { id: ClientSecretId::generate(), hash, created_at: now, expires_at: None }],
            version: 1,
            created_by: who.subject().to_owned(),
            created_at: now,
            updated_at: now,
        };
        let tx = self.ctx.store.begin().await?;
        let exists = match &client.owner {
            ClientOwner::Administration(a) => !tx.administrations_by_codes(&[*a]).await?.is_empty(),
            ClientOwner::Donor(d) => tx.donor(d).await?.is_some(),
        };
        if !exists {
            let field = if client.owner.administration().is_some() { "administration" } else { "donor" };
            return Err(DomainError::validation(field, "unknown", format!("no {field} has this code")));
        }
        tx.insert_client(&client).await?;
        audit(who, &client, "create").write(tx.as_ref(), None, snapshot(&client)).await?;
        tx.commit().await?;
        Ok(IssuedSecret { client, secret })
    }

    /// The clients the caller manages: an admin's all (or one administration's), a planner's
    /// their administration's.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for other roles.
    pub async fn list(&self, who: &Principal, administration: Option<crate::values::AdministrationCode>) -> Result<Vec<MachineClient>, DomainError> {
        ensure_registrar(who)?;
        let scope = if who.is_admin() { administration } else { who.administration() };
        if !who.is_admin() && administration.is_some_and(|a| Some(a) != who.administration()) {
            return Ok(Vec::new());
        }
        let clients = self.ctx.store.read().list_clients(scope, LIST_MAX).await?;
        Ok(clients.into_iter().filter(|c| manages(who, &c.owner)).collect())
    }

    /// # Errors
    /// [`DomainError::NotFound`] for a client the caller does not manage.
    pub async fn get(&self, who: &Principal, id: ClientId) -> Result<MachineClient, DomainError> {
        let client = self.ctx.store.read().client(id).await?;
        client.filter(|c| manages(who, &c.owner)).ok_or(DomainError::not_found("client"))
    }

    /// Adds a new secret; the secrets valid until now stay valid for `overlap` (default 24 h,
    /// at most 30 days, zero to end them at once). The answer carries the new secret, shown
    /// this once.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Validation`] (overlap out of range),
    /// [`DomainError::Conflict`] (`client_revoked`), [`DomainError::StaleVersion`].
    pub async fn rotate(&self, who: &Principal, id: ClientId, overlap: Option<Duration>, expected_version: Option<i64>) -> Result<IssuedSecret, DomainError> {
        let overlap = overlap.unwrap_or(DEFAULT_OVERLAP);
        if overlap < Duration::zero() || overlap > MAX_OVERLAP {
            return Err(DomainError::validation("overlap_seconds", "out_of_range", format!("0 to {} seconds", MAX_OVERLAP.num_seconds())));
        }
        let secret = new_secret();
        let hash = self.hasher.hash(secret.clone()).await?;
        let tx = self.ctx.store.begin().await?;
        let before = tx.client(id).await?.filter(|c| manages(who, &c.owner)).ok_or(DomainError::not_found("client"))?;
        super::check_version(expected_version, before.version)?;
        let now = self.ctx.clock.now();
        if before.standing(now) == Standing::Revoked {
            return Err(DomainError::conflict("client_revoked", "a revoked client gets no new secret; register a new client"));
        }
        let until = now + overlap;
        let mut secrets: Vec<ClientSecret> = before
            .valid_secrets(now)
            .map(|s| ClientSecret { expires_at: Some(s.expires_at.map_or(until, |at| at.min(until))), ..s.clone() })
            .filter(|s| s.is_valid(now))
            .collect();
        secrets.push(ClientSecret { id: ClientSecretId::generate(), hash, created_at: now, expires_at: None });
        let client = MachineClient { secrets, version: before.version + 1, updated_at: now, ..before.clone() };
        tx.update_client(&client, before.version).await.map_err(stale_on_race)?;
        audit(who, &client, "rotate_secret").write(tx.as_ref(), snapshot(&before), snapshot(&client)).await?;
        tx.commit().await?;
        Ok(IssuedSecret { client, secret })
    }

    /// Revokes the client: it gets no new token, and the tokens it holds stop working within
    /// the time the server caches a client's standing. The record stays, for the audit trail.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::StaleVersion`].
    pub async fn revoke(&self, who: &Principal, id: ClientId, expected_version: Option<i64>) -> Result<MachineClient, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = tx.client(id).await?.filter(|c| manages(who, &c.owner)).ok_or(DomainError::not_found("client"))?;
        super::check_version(expected_version, before.version)?;
        if before.revoked_at.is_some() {
            return Ok(before);
        }
        let now = self.ctx.clock.now();
        let client = MachineClient { revoked_at: Some(now), version: before.version + 1, updated_at: now, ..before.clone() };
        tx.update_client(&client, before.version).await.map_err(stale_on_race)?;
        audit(who, &client, "revoke").write(tx.as_ref(), snapshot(&before), snapshot(&client)).await?;
        tx.commit().await?;
        self.standing.set(id, false, now);
        Ok(client)
    }

    /// Checks a token request's client credentials and scope: the caller the token is for.
    ///
    /// # Errors
    /// [`TokenRefusal`]; [`DomainError`] when storage fails.
    pub async fn authenticate(
        &self,
        client_id: &str,
        secret: &str,
        scope: Option<&str>,
    ) -> Result<Result<(MachineClient, Vec<Scope>), TokenRefusal>, DomainError> {
        let now = self.ctx.clock.now();
        let client = match client_id.parse::<ClientId>() {
            Ok(id) => self.ctx.store.read().client(id).await?,
            Err(_) => None,
        };
        let hashes: Vec<String> = client.iter().flat_map(|c| c.valid_secrets(now).map(|s| s.hash.clone())).collect();
        // Hashed whatever the client, so that timing tells nothing.
        let matches = self.hasher.verify_any(secret.to_owned(), hashes).await;
        let Some(client) = client.filter(|c| matches && c.standing(now) == Standing::Active) else {
            return Ok(Err(TokenRefusal::InvalidClient));
        };
        Ok(match client.narrow(scope) {
            Ok(scopes) => Ok((client, scopes)),
            Err(why) => Err(TokenRefusal::InvalidScope(why)),
        })
    }

    /// Whether the client may still act (for checking the tokens it holds).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn is_active(&self, id: ClientId) -> Result<bool, DomainError> {
        let now = self.ctx.clock.now();
        if let Some(active) = self.standing.get(id, now) {
            // A cached standing may be up to STANDING_TTL old; expiry is checked against it too.
            return Ok(active);
        }
        let client = self.ctx.store.read().client(id).await?;
        let active = client.as_ref().is_some_and(|c| c.standing(now) == Standing::Active);
        let active_until = client.and_then(|c| c.expires_at);
        // An expiry within the cache time is not cached past it.
        if active_until.is_none_or(|at| at - now > STANDING_TTL) {
            self.standing.set(id, active, now);
        }
        Ok(active)
    }
}

/// Stands in until the application provides a hasher: every registry write fails.
pub(crate) struct NoHasher;

#[async_trait::async_trait]
impl SecretHasher for NoHasher {
    async fn hash(&self, _: String) -> Result<String, StoreError> {
        Err(StoreError::Backend("no secret hasher is configured for the client registry".into()))
    }

    async fn verify_any(&self, _: String, _: Vec<String>) -> bool {
        false
    }
}
