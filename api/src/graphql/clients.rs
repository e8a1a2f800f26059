//! Machine clients in GraphQL: the same registry as `/api/v1/clients`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::{
    client::ClientInput,
    ids::ClientId,
    services::{IssuedSecret, Services},
    values::AdministrationCode,
};

use super::{
    errors::OrGql,
    types::{global_id, uuid_of, who},
};

pub struct MachineClient(pub domain::client::MachineClient);

/// Whom a client acts for.
#[derive(SimpleObject)]
pub struct ClientOwnerRef {
    /// `administration` or `donor`.
    pub kind: String,
    pub code: String,
}

/// One secret of a client (never the secret itself).
#[derive(SimpleObject)]
pub struct ClientSecretInfo {
    pub id: ID,
    pub created_at: DateTime<Utc>,
    /// Set by a rotation: accepted until then.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A machine client of a partner system; it gets tokens at `POST /oauth/token`.
#[Object]
impl MachineClient {
    async fn id(&self) -> ID {
        global_id("MachineClient", self.0.id)
    }
    /// The `client_id` to send to the token endpoint.
    async fn client_id(&self) -> String {
        self.0.id.to_string()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn owner(&self) -> ClientOwnerRef {
        ClientOwnerRef { kind: self.0.owner.kind().into(), code: self.0.owner.code().into() }
    }
    /// `integration` (an administration's client) or `donor`.
    async fn role(&self) -> &str {
        self.0.owner.role().as_str()
    }
    async fn scopes(&self) -> Vec<&str> {
        self.0.scopes.iter().map(|s| s.as_str()).collect()
    }
    /// `active`, `revoked` or `expired`.
    async fn status(&self) -> &str {
        self.0.standing(Utc::now()).as_str()
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// The secrets accepted now, newest last.
    async fn secrets(&self) -> Vec<ClientSecretInfo> {
        self.0.valid_secrets(Utc::now()).map(|s| ClientSecretInfo { id: ID(s.id.to_string()), created_at: s.created_at, expires_at: s.expires_at }).collect()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A client with a secret just made for it, shown this once.
#[derive(SimpleObject)]
pub struct ClientWithSecret {
    pub client: MachineClient,
    /// The secret (`mcs_...`): Meridian keeps only a hash of it.
    pub client_secret: String,
}

impl From<IssuedSecret> for ClientWithSecret {
    fn from(i: IssuedSecret) -> Self {
        Self { client: MachineClient(i.client), client_secret: i.secret }
    }
}

#[derive(InputObject)]
pub struct CreateClientInput {
    /// The system the client is for, such as `SIPLAN production`.
    pub name: String,
    /// The administration its tokens act for (a planner's own by default).
    pub administration: Option<String>,
    /// Or the donor its tokens read as (admins only).
    pub donor: Option<String>,
    /// `plans:write`, `measurements:write`, `webhooks:manage` (administration clients only).
    #[graphql(default)]
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

fn client_id(id: &ID) -> Result<ClientId> {
    Ok(ClientId::from_uuid(uuid_of("MachineClient", id)?))
}

#[derive(Default)]
pub struct ClientQuery;

#[Object]
impl ClientQuery {
    /// The machine clients the caller manages (admins: all, or one administration's; planners:
    /// their administration's).
    #[graphql(complexity = "super::cost::list(super::cost::PAGE, child_complexity)")]
    async fn machine_clients(&self, ctx: &Context<'_>, administration: Option<String>) -> Result<Vec<MachineClient>> {
        let administration = administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| async_graphql::Error::new(e.message))?;
        let list = ctx.data::<Services>()?.clients.list(who(ctx)?, administration).await.gql()?;
        Ok(list.into_iter().map(MachineClient).collect())
    }

    async fn machine_client(&self, ctx: &Context<'_>, id: ID) -> Result<MachineClient> {
        Ok(MachineClient(ctx.data::<Services>()?.clients.get(who(ctx)?, client_id(&id)?).await.gql()?))
    }
}

#[derive(Default)]
pub struct ClientMutation;

#[Object]
impl ClientMutation {
    /// Registers a machine client; the answer carries its secret, shown this once.
    async fn create_machine_client(&self, ctx: &Context<'_>, input: CreateClientInput) -> Result<ClientWithSecret> {
        let raw = ClientInput {
            name: Some(input.name),
            administration: input.administration,
            donor: input.donor,
            scopes: Some(input.scopes),
            expires_at: input.expires_at,
        };
        Ok(ctx.data::<Services>()?.clients.create(who(ctx)?, &raw).await.gql()?.into())
    }

    /// Adds a new secret; the earlier ones stay accepted for `overlapSeconds` (default 86400,
    /// at most 30 days, 0 to end them now).
    async fn rotate_machine_client_secret(&self, ctx: &Context<'_>, id: ID, overlap_seconds: Option<i64>, version: Option<i64>) -> Result<ClientWithSecret> {
        let overlap = overlap_seconds.map(chrono::Duration::seconds);
        Ok(ctx.data::<Services>()?.clients.rotate(who(ctx)?, client_id(&id)?, overlap, version).await.gql()?.into())
    }

    /// Revokes the client: no new token, and the tokens it holds stop working.
    async fn revoke_machine_client(&self, ctx: &Context<'_>, id: ID, version: Option<i64>) -> Result<MachineClient> {
        Ok(MachineClient(ctx.data::<Services>()?.clients.revoke(who(ctx)?, client_id(&id)?, version).await.gql()?))
    }
}
