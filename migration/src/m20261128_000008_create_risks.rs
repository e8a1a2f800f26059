//! Risks on projects and objectives.

use sea_orm_migration::prelude::*;

use crate::{m20261128_000001_create_planning::Objectives, m20261128_000006_create_projects::Projects};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Risks {
    Table,
    Id,
    AdministrationCode,
    ProjectId,
    ObjectiveId,
    Title,
    Likelihood,
    Impact,
    Mitigation,
    Owner,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Risks::Table)
                    .col(ColumnDef::new(Risks::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Risks::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Risks::ProjectId).uuid().null())
                    .col(ColumnDef::new(Risks::ObjectiveId).uuid().null())
                    .col(ColumnDef::new(Risks::Title).json_binary().not_null())
                    .col(ColumnDef::new(Risks::Likelihood).small_integer().not_null())
                    .col(ColumnDef::new(Risks::Impact).small_integer().not_null())
                    .col(ColumnDef::new(Risks::Mitigation).json_binary().null())
                    .col(ColumnDef::new(Risks::Owner).text().null())
                    .col(ColumnDef::new(Risks::Status).text().not_null())
                    .col(ColumnDef::new(Risks::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Risks::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Risks::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_risks_project")
                            .from(Risks::Table, Risks::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_risks_objective")
                            .from(Risks::Table, Risks::ObjectiveId)
                            .to(Objectives::Table, Objectives::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_risks_project").table(Risks::Table).col(Risks::ProjectId).to_owned()).await?;
        manager.create_index(Index::create().name("ix_risks_objective").table(Risks::Table).col(Risks::ObjectiveId).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Risks::Table).to_owned()).await
    }
}
