//! Capability assessments: an administration's starting point at a date.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::m20261128_000001_create_planning::Administrations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum CapabilityAssessments {
    Table,
    Id,
    AdministrationCode,
    AssessedOn,
    Maturity,
    Staff,
    BudgetAmount,
    BudgetCurrency,
    Notes,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut budget = ColumnDef::new(CapabilityAssessments::BudgetAmount);
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            budget.custom(Alias::new("numeric"));
        } else {
            budget.text();
        }
        manager
            .create_table(
                Table::create()
                    .table(CapabilityAssessments::Table)
                    .col(ColumnDef::new(CapabilityAssessments::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(CapabilityAssessments::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(CapabilityAssessments::AssessedOn).date().not_null())
                    .col(ColumnDef::new(CapabilityAssessments::Maturity).json_binary().not_null())
                    .col(ColumnDef::new(CapabilityAssessments::Staff).big_integer().null())
                    .col(budget.null())
                    .col(ColumnDef::new(CapabilityAssessments::BudgetCurrency).text().null())
                    .col(ColumnDef::new(CapabilityAssessments::Notes).json_binary().null())
                    .col(ColumnDef::new(CapabilityAssessments::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(CapabilityAssessments::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(CapabilityAssessments::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_capability_assessments_administration")
                            .from(CapabilityAssessments::Table, CapabilityAssessments::AdministrationCode)
                            .to(Administrations::Table, Administrations::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_capability_assessments_administration_date")
                    .table(CapabilityAssessments::Table)
                    .col(CapabilityAssessments::AdministrationCode)
                    .col(CapabilityAssessments::AssessedOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CapabilityAssessments::Table).to_owned()).await
    }
}
