//! The machine-client registry's storage: a client row and its secrets' rows, written together.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{StoreError, client::MachineClient, ids::ClientId, ports::ClientRepository, values::AdministrationCode};
use migration::tables::{MachineClientSecrets, MachineClients};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Expr, ExprTrait, Order, Query},
};

use super::{Repo, insert_of, select_all, update_of};
use crate::rows;

/// The columns a client's changes touch.
fn state(c: &MachineClient) -> Vec<(MachineClients, Expr)> {
    vec![
        (MachineClients::Name, Expr::val(c.name.clone())),
        (MachineClients::Scopes, Expr::val(c.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))),
        (MachineClients::ExpiresAt, Expr::val(c.expires_at)),
        (MachineClients::RevokedAt, Expr::val(c.revoked_at)),
        (MachineClients::Version, Expr::val(c.version)),
        (MachineClients::UpdatedAt, Expr::val(c.updated_at)),
    ]
}

impl<C: ConnectionTrait + Send + Sync> Repo<C> {
    /// Fills in the secrets of `clients` with one query.
    async fn with_secrets(&self, mut clients: Vec<MachineClient>) -> Result<Vec<MachineClient>, StoreError> {
        if clients.is_empty() {
            return Ok(clients);
        }
        let ids: Vec<uuid::Uuid> = clients.iter().map(|c| c.id.as_uuid()).collect();
        let q = select_all(MachineClientSecrets::Table)
            .and_where(Expr::col(MachineClientSecrets::ClientId).is_in(ids))
            .order_by(MachineClientSecrets::CreatedAt, Order::Asc)
            .to_owned();
        let mut by_client: HashMap<ClientId, Vec<_>> = HashMap::new();
        for (client, secret) in self.all(&q, rows::client_secret).await? {
            by_client.entry(client).or_default().push(secret);
        }
        for c in &mut clients {
            c.secrets = by_client.remove(&c.id).unwrap_or_default();
        }
        Ok(clients)
    }

    async fn insert_secrets(&self, c: &MachineClient) -> Result<(), StoreError> {
        for s in &c.secrets {
            let pairs = vec![
                (MachineClientSecrets::Id, Expr::val(s.id.as_uuid())),
                (MachineClientSecrets::ClientId, Expr::val(c.id.as_uuid())),
                (MachineClientSecrets::Hash, Expr::val(s.hash.clone())),
                (MachineClientSecrets::CreatedAt, Expr::val(s.created_at)),
                (MachineClientSecrets::ExpiresAt, Expr::val(s.expires_at)),
            ];
            self.insert(&insert_of(MachineClientSecrets::Table, pairs)?).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ClientRepository for Repo<C> {
    async fn client(&self, id: ClientId) -> Result<Option<MachineClient>, StoreError> {
        let q = select_all(MachineClients::Table).and_where(Expr::col(MachineClients::Id).eq(id.as_uuid())).to_owned();
        let found = self.one(&q, rows::machine_client).await?;
        Ok(self.with_secrets(found.into_iter().collect()).await?.pop())
    }

    async fn list_clients(&self, administration: Option<AdministrationCode>, limit: u64) -> Result<Vec<MachineClient>, StoreError> {
        let mut q = select_all(MachineClients::Table);
        if let Some(a) = administration {
            q.and_where(Expr::col(MachineClients::OwnerKind).eq("administration")).and_where(Expr::col(MachineClients::OwnerCode).eq(a.as_str()));
        }
        q.order_by(MachineClients::Id, Order::Asc).limit(limit);
        let clients = self.all(&q, rows::machine_client).await?;
        self.with_secrets(clients).await
    }

    async fn insert_client(&self, c: &MachineClient) -> Result<(), StoreError> {
        let mut pairs = state(c);
        pairs.extend([
            (MachineClients::Id, Expr::val(c.id.as_uuid())),
            (MachineClients::OwnerKind, Expr::val(c.owner.kind())),
            (MachineClients::OwnerCode, Expr::val(c.owner.code().to_owned())),
            (MachineClients::CreatedBy, Expr::val(c.created_by.clone())),
            (MachineClients::CreatedAt, Expr::val(c.created_at)),
        ]);
        self.insert(&insert_of(MachineClients::Table, pairs)?).await?;
        self.insert_secrets(c).await
    }

    async fn update_client(&self, c: &MachineClient, expected: i64) -> Result<(), StoreError> {
        self.update_versioned(&update_of(MachineClients::Table, state(c), MachineClients::Id, c.id.as_uuid(), MachineClients::Version, expected)).await?;
        self.delete(
            &Query::delete().from_table(MachineClientSecrets::Table).and_where(Expr::col(MachineClientSecrets::ClientId).eq(c.id.as_uuid())).to_owned(),
        )
        .await?;
        self.insert_secrets(c).await
    }
}
