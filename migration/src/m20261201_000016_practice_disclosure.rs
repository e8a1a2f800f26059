//! Practices carry a disclosure level like plans and indicators: `public` ones are read without
//! a token, `restricted` ones by their administration only. Existing practices keep what they
//! had: shared with the Programme once published.

use sea_orm_migration::prelude::*;

use crate::tables::Practices;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Practices::Table).add_column(ColumnDef::new(Practices::Disclosure).text().not_null().default("programme")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Practices::Table).drop_column(Practices::Disclosure).to_owned()).await
    }
}
