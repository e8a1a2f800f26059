//! The change feed learns who may see each change (decided when it is written) and which action
//! made it, so that the feed and webhooks can be filtered and named without loading the objects.

use sea_orm_migration::prelude::*;

use crate::m20261128_000001_create_planning::Changes;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum ChangeAudience {
    /// `create`, `update`, `delete` or a named action such as `transition:active`.
    Action,
    /// `internal`, `everyone`, `funders` or `donor`.
    Audience,
    /// The project (for `funders`) or the donor code (for `donor`).
    AudienceKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let columns = [
            ColumnDef::new(ChangeAudience::Action).text().not_null().default("").to_owned(),
            ColumnDef::new(ChangeAudience::Audience).text().not_null().default("internal").to_owned(),
            ColumnDef::new(ChangeAudience::AudienceKey).text().null().to_owned(),
        ];
        for mut c in columns {
            manager.alter_table(Table::alter().table(Changes::Table).add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for c in [ChangeAudience::Action, ChangeAudience::Audience, ChangeAudience::AudienceKey] {
            manager.alter_table(Table::alter().table(Changes::Table).drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}
