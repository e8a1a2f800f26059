//! The machine-client registry (OAuth 2.0 client credentials): clients and their secrets, kept
//! as argon2id hashes only.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum MachineClients {
    Table,
    Id,
    Name,
    /// `administration` or `donor`.
    OwnerKind,
    OwnerCode,
    /// Space-separated scopes.
    Scopes,
    ExpiresAt,
    RevokedAt,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum MachineClientSecrets {
    Table,
    Id,
    ClientId,
    /// The PHC string of the argon2id hash.
    Hash,
    CreatedAt,
    /// Set by a rotation: the secret is valid until then.
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use MachineClients as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(ColumnDef::new(C::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(C::Name).text().not_null())
                    .col(ColumnDef::new(C::OwnerKind).text().not_null())
                    .col(ColumnDef::new(C::OwnerCode).text().not_null())
                    .col(ColumnDef::new(C::Scopes).text().not_null())
                    .col(ColumnDef::new(C::ExpiresAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(C::RevokedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(C::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(C::CreatedBy).text().not_null())
                    .col(ColumnDef::new(C::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(C::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_machine_clients_owner").table(C::Table).col(C::OwnerKind).col(C::OwnerCode).to_owned()).await?;
        use MachineClientSecrets as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(ColumnDef::new(S::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(S::ClientId).uuid().not_null())
                    .col(ColumnDef::new(S::Hash).text().not_null())
                    .col(ColumnDef::new(S::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(S::ExpiresAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_machine_client_secrets_client")
                            .from(S::Table, S::ClientId)
                            .to(C::Table, C::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_machine_client_secrets_client").table(S::Table).col(S::ClientId).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MachineClientSecrets::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MachineClients::Table).to_owned()).await
    }
}
