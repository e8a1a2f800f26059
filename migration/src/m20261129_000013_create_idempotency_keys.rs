//! Idempotency keys: the first answer to a POST, kept so that a retry with the same key replays it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum IdempotencyKeys {
    Table,
    /// The caller the key belongs to (its whole identity: role, tenant, client and subject):
    /// keys never cross callers.
    Client,
    Key,
    Method,
    Path,
    /// SHA-256 of method, path and body: another request under the same key is refused.
    Fingerprint,
    /// `in_flight` while the first request runs, then `done`.
    State,
    StatusCode,
    ContentType,
    Headers,
    Body,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use IdempotencyKeys as K;
        manager
            .create_table(
                Table::create()
                    .table(K::Table)
                    .col(ColumnDef::new(K::Client).text().not_null())
                    .col(ColumnDef::new(K::Key).text().not_null())
                    .col(ColumnDef::new(K::Method).text().not_null())
                    .col(ColumnDef::new(K::Path).text().not_null())
                    .col(ColumnDef::new(K::Fingerprint).text().not_null())
                    .col(ColumnDef::new(K::State).text().not_null())
                    .col(ColumnDef::new(K::StatusCode).integer().null())
                    .col(ColumnDef::new(K::ContentType).text().null())
                    .col(ColumnDef::new(K::Headers).json_binary().null())
                    .col(ColumnDef::new(K::Body).text().null())
                    .col(ColumnDef::new(K::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(K::ExpiresAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(K::Client).col(K::Key))
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_idempotency_keys_expiry").table(K::Table).col(K::ExpiresAt).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned()).await
    }
}
