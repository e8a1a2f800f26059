//! The practice library and its search terms (one row per word, the same on both databases).

use sea_orm_migration::prelude::*;

use crate::m20261128_000001_create_planning::Administrations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Practices {
    Table,
    Id,
    AdministrationCode,
    Kind,
    Title,
    Body,
    Tags,
    ObjectiveIds,
    Status,
    /// Added by `m20261201_000016_practice_disclosure`.
    Disclosure,
    PublishedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum PracticeTerms {
    Table,
    PracticeId,
    Term,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Practices::Table)
                    .col(ColumnDef::new(Practices::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Practices::AdministrationCode).text().not_null())
                    .col(ColumnDef::new(Practices::Kind).text().not_null())
                    .col(ColumnDef::new(Practices::Title).json_binary().not_null())
                    .col(ColumnDef::new(Practices::Body).json_binary().not_null())
                    .col(ColumnDef::new(Practices::Tags).json_binary().not_null())
                    .col(ColumnDef::new(Practices::ObjectiveIds).json_binary().not_null())
                    .col(ColumnDef::new(Practices::Status).text().not_null())
                    .col(ColumnDef::new(Practices::PublishedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Practices::Version).big_integer().not_null().default(1))
                    .col(ColumnDef::new(Practices::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Practices::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_practices_administration")
                            .from(Practices::Table, Practices::AdministrationCode)
                            .to(Administrations::Table, Administrations::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in
            [("ix_practices_administration", Practices::AdministrationCode), ("ix_practices_status", Practices::Status), ("ix_practices_kind", Practices::Kind)]
        {
            manager.create_index(Index::create().name(name).table(Practices::Table).col(col).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PracticeTerms::Table)
                    .col(ColumnDef::new(PracticeTerms::PracticeId).uuid().not_null())
                    .col(ColumnDef::new(PracticeTerms::Term).text().not_null())
                    .primary_key(Index::create().col(PracticeTerms::PracticeId).col(PracticeTerms::Term))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_practice_terms_practice")
                            .from(PracticeTerms::Table, PracticeTerms::PracticeId)
                            .to(Practices::Table, Practices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_practice_terms_term").table(PracticeTerms::Table).col(PracticeTerms::Term).col(PracticeTerms::PracticeId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PracticeTerms::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Practices::Table).to_owned()).await
    }
}
