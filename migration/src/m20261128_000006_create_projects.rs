//! Projects and their milestones.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::m20261128_000001_create_planning::Administrations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Projects {
    Table,
    Id,
    AdministrationCode,
    Code,
    Title,
    Description,
    Status,
    PlannedStart,
    PlannedEnd,
    ActualStart,
    ActualEnd,
    BudgetAmount,
    BudgetCurrency,
    ObjectiveIds,
    ExternalRef,
    Version,
    CreatedAt,
    UpdatedAt,
    /// Added by the portfolios migration.
    PortfolioId,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Milestones {
    Table,
    Id,
    ProjectId,
    AdministrationCode,
    Title,
    DueOn,
    CompletedOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut budget = ColumnDef::new(Projects::BudgetAmount);
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            budget.custom(Alias::new("numeric"));
        } else {
            budget.text();
        }
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(ColumnDef::new(Projects::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Projects::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Projects::Code).text().not_null())
                    .col(ColumnDef::new(Projects::Title).json_binary().not_null())
                    .col(ColumnDef::new(Projects::Description).json_binary().null())
                    .col(ColumnDef::new(Projects::Status).text().not_null())
                    .col(ColumnDef::new(Projects::PlannedStart).date().not_null())
                    .col(ColumnDef::new(Projects::PlannedEnd).date().not_null())
                    .col(ColumnDef::new(Projects::ActualStart).date().null())
                    .col(ColumnDef::new(Projects::ActualEnd).date().null())
                    .col(budget.null())
                    .col(ColumnDef::new(Projects::BudgetCurrency).text().null())
                    .col(ColumnDef::new(Projects::ObjectiveIds).json_binary().not_null())
                    .col(ColumnDef::new(Projects::ExternalRef).text().null())
                    .col(ColumnDef::new(Projects::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Projects::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Projects::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_projects_administration")
                            .from(Projects::Table, Projects::AdministrationCode)
                            .to(Administrations::Table, Administrations::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_projects_administration").table(Projects::Table).col(Projects::AdministrationCode).to_owned()).await?;
        manager.create_index(Index::create().name("ix_projects_status").table(Projects::Table).col(Projects::Status).to_owned()).await?;
        manager
            .create_index(
                Index::create().name("ux_projects_code").table(Projects::Table).col(Projects::AdministrationCode).col(Projects::Code).unique().to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_projects_external_ref")
                    .table(Projects::Table)
                    .col(Projects::AdministrationCode)
                    .col(Projects::ExternalRef)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Milestones::Table)
                    .col(ColumnDef::new(Milestones::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Milestones::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(Milestones::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Milestones::Title).json_binary().not_null())
                    .col(ColumnDef::new(Milestones::DueOn).date().not_null())
                    .col(ColumnDef::new(Milestones::CompletedOn).date().null())
                    .col(ColumnDef::new(Milestones::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Milestones::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Milestones::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_milestones_project")
                            .from(Milestones::Table, Milestones::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_milestones_project").table(Milestones::Table).col(Milestones::ProjectId).col(Milestones::DueOn).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Milestones::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Projects::Table).to_owned()).await
    }
}
