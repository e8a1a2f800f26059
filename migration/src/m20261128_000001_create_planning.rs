//! The planning core: administrations, plans, objectives, the indicator catalogue, indicators,
//! targets, measurements, and the audit log and change feed written alongside every change.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Administrations {
    Table,
    Id,
    Code,
    Name,
    DefaultLanguage,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Plans {
    Table,
    Id,
    AdministrationCode,
    Title,
    Vision,
    Mission,
    StartYear,
    EndYear,
    Status,
    Disclosure,
    NationalPlanRef,
    OnTrackThreshold,
    AtRiskThreshold,
    MaintainTolerance,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Objectives {
    Table,
    Id,
    PlanId,
    AdministrationCode,
    ParentId,
    Code,
    Title,
    Description,
    Level,
    Weight,
    ExternalRef,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum IndicatorDefinitions {
    Table,
    Id,
    Code,
    Dimension,
    Name,
    Description,
    Measure,
    Direction,
    Unit,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Indicators {
    Table,
    Id,
    ObjectiveId,
    PlanId,
    AdministrationCode,
    DefinitionId,
    Name,
    Description,
    Measure,
    Unit,
    Direction,
    BaselineValue,
    BaselinePeriod,
    Frequency,
    DataSource,
    MeansOfVerification,
    Weight,
    Disclosure,
    ExternalRef,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Targets {
    Table,
    Id,
    IndicatorId,
    AdministrationCode,
    Period,
    PeriodKey,
    Value,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Measurements {
    Table,
    Id,
    IndicatorId,
    AdministrationCode,
    Period,
    PeriodKey,
    Value,
    Source,
    EvidenceUrl,
    Comment,
    Status,
    ReturnReason,
    RecordedBy,
    SubmittedBy,
    ReviewedBy,
    ApprovedValue,
    ApprovedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    ActorRole,
    AdministrationCode,
    EntityType,
    EntityId,
    Action,
    Before,
    After,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Changes {
    Table,
    Seq,
    At,
    EntityType,
    EntityId,
    Operation,
    AdministrationCode,
}

/// Column builders that differ by backend.
struct Cols {
    backend: DatabaseBackend,
}

impl Cols {
    /// An exact decimal: `numeric` on PostgreSQL, decimal text on SQLite.
    fn decimal<T: IntoIden>(&self, name: T) -> ColumnDef {
        let mut c = ColumnDef::new(name);
        if self.backend == DatabaseBackend::Postgres {
            c.custom(Alias::new("numeric"));
        } else {
            c.text();
        }
        c
    }
}

fn id<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.uuid().not_null().primary_key();
    c
}

fn uuid_ref<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.uuid().not_null();
    c
}

fn text<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.text().not_null();
    c
}

fn text_null<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.text().null();
    c
}

fn json<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.json_binary().not_null();
    c
}

fn json_null<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.json_binary().null();
    c
}

fn version<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.big_integer().not_null().default(1);
    c
}

fn timestamp<T: IntoIden>(name: T) -> ColumnDef {
    let mut c = ColumnDef::new(name);
    c.timestamp_with_time_zone().not_null();
    c
}

fn index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static>(name: &str, table: T, cols: &[C]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let cols = Cols { backend: manager.get_database_backend() };

        manager
            .create_table(
                Table::create()
                    .table(Administrations::Table)
                    .col(id(Administrations::Id))
                    .col(text(Administrations::Code).unique_key())
                    .col(json(Administrations::Name))
                    .col(text(Administrations::DefaultLanguage))
                    .col(version(Administrations::Version))
                    .col(timestamp(Administrations::CreatedAt))
                    .col(timestamp(Administrations::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Plans::Table)
                    .col(id(Plans::Id))
                    .col(text(Plans::AdministrationCode))
                    .col(json(Plans::Title))
                    .col(json_null(Plans::Vision))
                    .col(json_null(Plans::Mission))
                    .col(ColumnDef::new(Plans::StartYear).integer().not_null())
                    .col(ColumnDef::new(Plans::EndYear).integer().not_null())
                    .col(text(Plans::Status))
                    .col(text(Plans::Disclosure))
                    .col(text_null(Plans::NationalPlanRef))
                    .col(cols.decimal(Plans::OnTrackThreshold).not_null())
                    .col(cols.decimal(Plans::AtRiskThreshold).not_null())
                    .col(cols.decimal(Plans::MaintainTolerance).not_null())
                    .col(version(Plans::Version))
                    .col(timestamp(Plans::CreatedAt))
                    .col(timestamp(Plans::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plans_administration")
                            .from(Plans::Table, Plans::AdministrationCode)
                            .to(Administrations::Table, Administrations::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_plans_administration", Plans::Table, &[Plans::AdministrationCode])).await?;
        manager.create_index(index("ix_plans_status", Plans::Table, &[Plans::Status])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Objectives::Table)
                    .col(id(Objectives::Id))
                    .col(uuid_ref(Objectives::PlanId))
                    .col(text(Objectives::AdministrationCode))
                    .col(ColumnDef::new(Objectives::ParentId).uuid().null())
                    .col(text(Objectives::Code))
                    .col(json(Objectives::Title))
                    .col(json_null(Objectives::Description))
                    .col(text(Objectives::Level))
                    .col(cols.decimal(Objectives::Weight).not_null())
                    .col(text_null(Objectives::ExternalRef))
                    .col(version(Objectives::Version))
                    .col(timestamp(Objectives::CreatedAt))
                    .col(timestamp(Objectives::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objectives_plan")
                            .from(Objectives::Table, Objectives::PlanId)
                            .to(Plans::Table, Plans::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objectives_parent")
                            .from(Objectives::Table, Objectives::ParentId)
                            .to(Objectives::Table, Objectives::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_objectives_plan", Objectives::Table, &[Objectives::PlanId])).await?;
        manager.create_index(index("ix_objectives_parent", Objectives::Table, &[Objectives::ParentId])).await?;
        manager.create_index(index("ux_objectives_plan_code", Objectives::Table, &[Objectives::PlanId, Objectives::Code]).unique().to_owned()).await?;
        manager
            .create_index(
                index("ux_objectives_external_ref", Objectives::Table, &[Objectives::AdministrationCode, Objectives::ExternalRef]).unique().to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IndicatorDefinitions::Table)
                    .col(id(IndicatorDefinitions::Id))
                    .col(text(IndicatorDefinitions::Code).unique_key())
                    .col(text(IndicatorDefinitions::Dimension))
                    .col(json(IndicatorDefinitions::Name))
                    .col(json(IndicatorDefinitions::Description))
                    .col(text(IndicatorDefinitions::Measure))
                    .col(text(IndicatorDefinitions::Direction))
                    .col(text_null(IndicatorDefinitions::Unit))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_indicator_definitions_dimension", IndicatorDefinitions::Table, &[IndicatorDefinitions::Dimension])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Indicators::Table)
                    .col(id(Indicators::Id))
                    .col(uuid_ref(Indicators::ObjectiveId))
                    .col(uuid_ref(Indicators::PlanId))
                    .col(text(Indicators::AdministrationCode))
                    .col(ColumnDef::new(Indicators::DefinitionId).uuid().null())
                    .col(json(Indicators::Name))
                    .col(json_null(Indicators::Description))
                    .col(text(Indicators::Measure))
                    .col(text_null(Indicators::Unit))
                    .col(text(Indicators::Direction))
                    .col(cols.decimal(Indicators::BaselineValue).not_null())
                    .col(text(Indicators::BaselinePeriod))
                    .col(text(Indicators::Frequency))
                    .col(text_null(Indicators::DataSource))
                    .col(text_null(Indicators::MeansOfVerification))
                    .col(cols.decimal(Indicators::Weight).not_null())
                    .col(text(Indicators::Disclosure))
                    .col(text_null(Indicators::ExternalRef))
                    .col(version(Indicators::Version))
                    .col(timestamp(Indicators::CreatedAt))
                    .col(timestamp(Indicators::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicators_objective")
                            .from(Indicators::Table, Indicators::ObjectiveId)
                            .to(Objectives::Table, Objectives::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicators_plan")
                            .from(Indicators::Table, Indicators::PlanId)
                            .to(Plans::Table, Plans::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicators_definition")
                            .from(Indicators::Table, Indicators::DefinitionId)
                            .to(IndicatorDefinitions::Table, IndicatorDefinitions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_indicators_objective", Indicators::Table, &[Indicators::ObjectiveId])).await?;
        manager.create_index(index("ix_indicators_plan", Indicators::Table, &[Indicators::PlanId])).await?;
        manager.create_index(index("ix_indicators_definition", Indicators::Table, &[Indicators::DefinitionId])).await?;
        manager
            .create_index(
                index("ux_indicators_external_ref", Indicators::Table, &[Indicators::AdministrationCode, Indicators::ExternalRef]).unique().to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Targets::Table)
                    .col(id(Targets::Id))
                    .col(uuid_ref(Targets::IndicatorId))
                    .col(text(Targets::AdministrationCode))
                    .col(text(Targets::Period))
                    .col(ColumnDef::new(Targets::PeriodKey).big_integer().not_null())
                    .col(cols.decimal(Targets::Value).not_null())
                    .col(version(Targets::Version))
                    .col(timestamp(Targets::CreatedAt))
                    .col(timestamp(Targets::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_targets_indicator")
                            .from(Targets::Table, Targets::IndicatorId)
                            .to(Indicators::Table, Indicators::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ux_targets_indicator_period", Targets::Table, &[Targets::IndicatorId, Targets::Period]).unique().to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(Measurements::Table)
                    .col(id(Measurements::Id))
                    .col(uuid_ref(Measurements::IndicatorId))
                    .col(text(Measurements::AdministrationCode))
                    .col(text(Measurements::Period))
                    .col(ColumnDef::new(Measurements::PeriodKey).big_integer().not_null())
                    .col(cols.decimal(Measurements::Value).not_null())
                    .col(text_null(Measurements::Source))
                    .col(text_null(Measurements::EvidenceUrl))
                    .col(text_null(Measurements::Comment))
                    .col(text(Measurements::Status))
                    .col(text_null(Measurements::ReturnReason))
                    .col(text(Measurements::RecordedBy))
                    .col(text_null(Measurements::SubmittedBy))
                    .col(text_null(Measurements::ReviewedBy))
                    .col(cols.decimal(Measurements::ApprovedValue).null())
                    .col(ColumnDef::new(Measurements::ApprovedAt).timestamp_with_time_zone().null())
                    .col(version(Measurements::Version))
                    .col(timestamp(Measurements::CreatedAt))
                    .col(timestamp(Measurements::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measurements_indicator")
                            .from(Measurements::Table, Measurements::IndicatorId)
                            .to(Indicators::Table, Indicators::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_measurements_indicator_period", Measurements::Table, &[Measurements::IndicatorId, Measurements::Period]).unique().to_owned(),
            )
            .await?;
        manager.create_index(index("ix_measurements_indicator_key", Measurements::Table, &[Measurements::IndicatorId, Measurements::PeriodKey])).await?;
        manager.create_index(index("ix_measurements_status", Measurements::Table, &[Measurements::Status])).await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(ColumnDef::new(AuditLog::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(timestamp(AuditLog::At))
                    .col(text(AuditLog::Actor))
                    .col(text(AuditLog::ActorRole))
                    .col(text_null(AuditLog::AdministrationCode))
                    .col(text(AuditLog::EntityType))
                    .col(text(AuditLog::EntityId))
                    .col(text(AuditLog::Action))
                    .col(json_null(AuditLog::Before))
                    .col(json_null(AuditLog::After))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_audit_administration", AuditLog::Table, &[AuditLog::AdministrationCode, AuditLog::Id])).await?;
        manager.create_index(index("ix_audit_entity", AuditLog::Table, &[AuditLog::EntityType, AuditLog::EntityId])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(ColumnDef::new(Changes::Seq).big_integer().not_null().auto_increment().primary_key())
                    .col(timestamp(Changes::At))
                    .col(text(Changes::EntityType))
                    .col(text(Changes::EntityId))
                    .col(text(Changes::Operation))
                    .col(text_null(Changes::AdministrationCode))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_changes_administration", Changes::Table, &[Changes::AdministrationCode, Changes::Seq])).await?;
        manager.create_index(index("ix_changes_entity", Changes::Table, &[Changes::EntityType, Changes::Seq])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Changes::Table.into_iden(),
            AuditLog::Table.into_iden(),
            Measurements::Table.into_iden(),
            Targets::Table.into_iden(),
            Indicators::Table.into_iden(),
            IndicatorDefinitions::Table.into_iden(),
            Objectives::Table.into_iden(),
            Plans::Table.into_iden(),
            Administrations::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
