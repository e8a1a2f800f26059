//! Fundings (a donor's commitment to a project) and their transactions.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{m20261128_000005_create_donors::Donors, m20261128_000006_create_projects::Projects};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Fundings {
    Table,
    Id,
    ProjectId,
    AdministrationCode,
    DonorCode,
    CommittedAmount,
    Currency,
    AllowOverDisbursement,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum FundingTransactions {
    Table,
    Id,
    FundingId,
    AdministrationCode,
    Kind,
    Date,
    Amount,
    Description,
    CreatedAt,
}

fn money(manager: &SchemaManager, name: impl IntoIden) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        c.custom(Alias::new("numeric"));
    } else {
        c.text();
    }
    c.not_null();
    c
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Fundings::Table)
                    .col(ColumnDef::new(Fundings::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Fundings::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(Fundings::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Fundings::DonorCode).text().not_null())
                    .col(money(manager, Fundings::CommittedAmount))
                    .col(ColumnDef::new(Fundings::Currency).text().not_null())
                    .col(ColumnDef::new(Fundings::AllowOverDisbursement).boolean().not_null().default(false))
                    .col(ColumnDef::new(Fundings::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Fundings::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Fundings::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_fundings_project")
                            .from(Fundings::Table, Fundings::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_fundings_donor")
                            .from(Fundings::Table, Fundings::DonorCode)
                            .to(Donors::Table, Donors::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_fundings_project").table(Fundings::Table).col(Fundings::ProjectId).to_owned()).await?;
        manager.create_index(Index::create().name("ix_fundings_donor").table(Fundings::Table).col(Fundings::DonorCode).to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table(FundingTransactions::Table)
                    .col(ColumnDef::new(FundingTransactions::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(FundingTransactions::FundingId).uuid().not_null())
                    .col(ColumnDef::new(FundingTransactions::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(FundingTransactions::Kind).text().not_null())
                    .col(ColumnDef::new(FundingTransactions::Date).date().not_null())
                    .col(money(manager, FundingTransactions::Amount))
                    .col(ColumnDef::new(FundingTransactions::Description).text().null())
                    .col(ColumnDef::new(FundingTransactions::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_funding_transactions_funding")
                            .from(FundingTransactions::Table, FundingTransactions::FundingId)
                            .to(Fundings::Table, Fundings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_funding_transactions_funding")
                    .table(FundingTransactions::Table)
                    .col(FundingTransactions::FundingId)
                    .col(FundingTransactions::Date)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FundingTransactions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Fundings::Table).to_owned()).await
    }
}
