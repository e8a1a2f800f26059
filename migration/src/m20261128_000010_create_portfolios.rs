//! Portfolios: groups of one administration's projects. A project belongs to at most one.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{m20261128_000001_create_planning::Administrations, m20261128_000006_create_projects::Projects};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Portfolios {
    Table,
    Id,
    AdministrationCode,
    Code,
    Title,
    Description,
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
                    .table(Portfolios::Table)
                    .col(ColumnDef::new(Portfolios::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Portfolios::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Portfolios::Code).text().not_null())
                    .col(ColumnDef::new(Portfolios::Title).json_binary().not_null())
                    .col(ColumnDef::new(Portfolios::Description).json_binary().null())
                    .col(ColumnDef::new(Portfolios::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Portfolios::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Portfolios::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_portfolios_administration")
                            .from(Portfolios::Table, Portfolios::AdministrationCode)
                            .to(Administrations::Table, Administrations::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_portfolios_code")
                    .table(Portfolios::Table)
                    .col(Portfolios::AdministrationCode)
                    .col(Portfolios::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // SQLite cannot add a constraint to an existing table, but accepts a column that
        // references another table inline; PostgreSQL takes the column, then the constraint.
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared(r#"ALTER TABLE "projects" ADD COLUMN "portfolio_id" uuid_text NULL REFERENCES "portfolios" ("id") ON DELETE RESTRICT"#)
                .await?;
        } else {
            manager.alter_table(Table::alter().table(Projects::Table).add_column(ColumnDef::new(Projects::PortfolioId).uuid().null()).to_owned()).await?;
            manager
                .create_foreign_key(
                    ForeignKey::create()
                        .name("fk_projects_portfolio")
                        .from(Projects::Table, Projects::PortfolioId)
                        .to(Portfolios::Table, Portfolios::Id)
                        .on_delete(ForeignKeyAction::Restrict)
                        .to_owned(),
                )
                .await?;
        }
        manager.create_index(Index::create().name("ix_projects_portfolio").table(Projects::Table).col(Projects::PortfolioId).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_projects_portfolio").table(Projects::Table).to_owned()).await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.drop_foreign_key(ForeignKey::drop().name("fk_projects_portfolio").table(Projects::Table).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Projects::Table).drop_column(Projects::PortfolioId).to_owned()).await?;
        manager.drop_table(Table::drop().table(Portfolios::Table).to_owned()).await
    }
}
