//! Plan revisions: the plan as it was at each status transition.

use sea_orm_migration::prelude::*;

use crate::m20261128_000001_create_planning::Plans;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum PlanRevisions {
    Table,
    PlanId,
    Number,
    Status,
    At,
    Actor,
    Snapshot,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanRevisions::Table)
                    .col(ColumnDef::new(PlanRevisions::PlanId).uuid().not_null())
                    .col(ColumnDef::new(PlanRevisions::Number).integer().not_null())
                    .col(ColumnDef::new(PlanRevisions::Status).text().not_null())
                    .col(ColumnDef::new(PlanRevisions::At).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(PlanRevisions::Actor).text().not_null())
                    .col(ColumnDef::new(PlanRevisions::Snapshot).json_binary().not_null())
                    .primary_key(Index::create().col(PlanRevisions::PlanId).col(PlanRevisions::Number))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_revisions_plan")
                            .from(PlanRevisions::Table, PlanRevisions::PlanId)
                            .to(Plans::Table, Plans::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PlanRevisions::Table).to_owned()).await
    }
}
