//! Donors and international organisations (global).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Donors {
    Table,
    Id,
    Code,
    Name,
    IatiOrgId,
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
                    .table(Donors::Table)
                    .col(ColumnDef::new(Donors::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Donors::Code).text().not_null().unique_key())
                    .col(ColumnDef::new(Donors::Name).json_binary().not_null())
                    .col(ColumnDef::new(Donors::IatiOrgId).text().null())
                    .col(ColumnDef::new(Donors::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Donors::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Donors::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Donors::Table).to_owned()).await
    }
}
