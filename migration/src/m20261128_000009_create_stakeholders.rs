//! Stakeholders and their engagements on objectives and projects.

use sea_orm_migration::prelude::*;

use crate::{
    m20261128_000001_create_planning::{Administrations, Objectives},
    m20261128_000006_create_projects::Projects,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Stakeholders {
    Table,
    Id,
    AdministrationCode,
    Name,
    Kind,
    Contact,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Engagements {
    Table,
    Id,
    StakeholderId,
    AdministrationCode,
    ObjectiveId,
    ProjectId,
    Role,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Stakeholders::Table)
                    .col(ColumnDef::new(Stakeholders::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Stakeholders::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Stakeholders::Name).json_binary().not_null())
                    .col(ColumnDef::new(Stakeholders::Kind).text().not_null())
                    .col(ColumnDef::new(Stakeholders::Contact).text().null())
                    .col(ColumnDef::new(Stakeholders::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Stakeholders::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Stakeholders::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stakeholders_administration")
                            .from(Stakeholders::Table, Stakeholders::AdministrationCode)
                            .to(Administrations::Table, Administrations::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_stakeholders_administration").table(Stakeholders::Table).col(Stakeholders::AdministrationCode).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Engagements::Table)
                    .col(ColumnDef::new(Engagements::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Engagements::StakeholderId).uuid().not_null())
                    .col(ColumnDef::new(Engagements::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Engagements::ObjectiveId).uuid().null())
                    .col(ColumnDef::new(Engagements::ProjectId).uuid().null())
                    .col(ColumnDef::new(Engagements::Role).text().not_null())
                    .col(ColumnDef::new(Engagements::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_engagements_stakeholder")
                            .from(Engagements::Table, Engagements::StakeholderId)
                            .to(Stakeholders::Table, Stakeholders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_engagements_objective")
                            .from(Engagements::Table, Engagements::ObjectiveId)
                            .to(Objectives::Table, Objectives::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_engagements_project")
                            .from(Engagements::Table, Engagements::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_engagements_objective")
                    .table(Engagements::Table)
                    .col(Engagements::StakeholderId)
                    .col(Engagements::ObjectiveId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_engagements_project")
                    .table(Engagements::Table)
                    .col(Engagements::StakeholderId)
                    .col(Engagements::ProjectId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_engagements_objective").table(Engagements::Table).col(Engagements::ObjectiveId).to_owned()).await?;
        manager.create_index(Index::create().name("ix_engagements_project").table(Engagements::Table).col(Engagements::ProjectId).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Engagements::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Stakeholders::Table).to_owned()).await
    }
}
