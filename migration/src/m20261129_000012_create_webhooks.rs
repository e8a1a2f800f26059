//! Webhook subscriptions, and their deliveries: the outbox (written in the change's own
//! transaction) that doubles as the delivery log, with one row per attempt.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum WebhookSubscriptions {
    Table,
    Id,
    /// `administration` or `donor`.
    OwnerKind,
    OwnerCode,
    Url,
    Description,
    /// JSON array of event types; empty means every event.
    EventTypes,
    Secret,
    Active,
    DisabledReason,
    ConsecutiveFailures,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum WebhookDeliveries {
    Table,
    Id,
    SubscriptionId,
    ChangeSeq,
    EventType,
    Payload,
    /// `pending`, `delivered`, `failed` (gave up) or `cancelled` (subscription disabled).
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastStatusCode,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    Number,
    At,
    StatusCode,
    Error,
    DurationMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use WebhookSubscriptions as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(ColumnDef::new(S::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(S::OwnerKind).text().not_null())
                    .col(ColumnDef::new(S::OwnerCode).text().not_null())
                    .col(ColumnDef::new(S::Url).text().not_null())
                    .col(ColumnDef::new(S::Description).text().null())
                    .col(ColumnDef::new(S::EventTypes).json_binary().not_null())
                    .col(ColumnDef::new(S::Secret).text().not_null())
                    .col(ColumnDef::new(S::Active).boolean().not_null().default(true))
                    .col(ColumnDef::new(S::DisabledReason).text().null())
                    .col(ColumnDef::new(S::ConsecutiveFailures).integer().not_null().default(0))
                    .col(ColumnDef::new(S::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(S::CreatedBy).text().not_null())
                    .col(ColumnDef::new(S::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(S::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_webhook_subscriptions_owner").table(S::Table).col(S::OwnerKind).col(S::OwnerCode).to_owned()).await?;

        use WebhookDeliveries as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(D::SubscriptionId).uuid().not_null())
                    .col(ColumnDef::new(D::ChangeSeq).big_integer().not_null())
                    .col(ColumnDef::new(D::EventType).text().not_null())
                    .col(ColumnDef::new(D::Payload).text().not_null())
                    .col(ColumnDef::new(D::Status).text().not_null())
                    .col(ColumnDef::new(D::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(D::NextAttemptAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(D::LockedUntil).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(D::LastStatusCode).integer().null())
                    .col(ColumnDef::new(D::LastError).text().null())
                    .col(ColumnDef::new(D::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(D::DeliveredAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_subscription")
                            .from(D::Table, D::SubscriptionId)
                            .to(S::Table, S::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_webhook_deliveries_due").table(D::Table).col(D::Status).col(D::NextAttemptAt).to_owned()).await?;
        manager
            .create_index(Index::create().name("ix_webhook_deliveries_subscription").table(D::Table).col(D::SubscriptionId).col(D::ChangeSeq).to_owned())
            .await?;

        use WebhookAttempts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(ColumnDef::new(A::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(A::DeliveryId).uuid().not_null())
                    .col(ColumnDef::new(A::Number).integer().not_null())
                    .col(ColumnDef::new(A::At).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(A::StatusCode).integer().null())
                    .col(ColumnDef::new(A::Error).text().null())
                    .col(ColumnDef::new(A::DurationMs).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_delivery")
                            .from(A::Table, A::DeliveryId)
                            .to(D::Table, D::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_webhook_attempts_delivery").table(A::Table).col(A::DeliveryId).col(A::Number).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookSubscriptions::Table).to_owned()).await
    }
}
