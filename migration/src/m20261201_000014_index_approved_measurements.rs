//! An index of approved values only, by indicator and period: "the latest approved
//! measurement of each indicator" is then one index probe per indicator, whatever the length
//! of its history (donor portals ask for it on every page).

use sea_orm_migration::prelude::*;

use crate::tables::Measurements;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_measurements_approved";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A partial index (both databases have them; sea-query's index builder does not).
        let sql = format!(
            "CREATE INDEX {NAME} ON {table} ({indicator}, {key}) WHERE {approved} IS NOT NULL",
            table = Measurements::Table.to_string(),
            indicator = Measurements::IndicatorId.to_string(),
            key = Measurements::PeriodKey.to_string(),
            approved = Measurements::ApprovedValue.to_string(),
        );
        manager.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(Measurements::Table).to_owned()).await
    }
}
