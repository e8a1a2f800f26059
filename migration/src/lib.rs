//! Meridian's schema: one migration set that runs on SQLite and on PostgreSQL.
//! Exact decimals are `numeric` on PostgreSQL and canonical decimal text on SQLite (where a
//! `decimal` column would silently become a float).

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_planning;
mod m20261128_000002_create_plan_revisions;
mod m20261128_000003_create_capability_assessments;
mod m20261128_000004_create_practices;
mod m20261128_000005_create_donors;
mod m20261128_000006_create_projects;
mod m20261128_000007_create_fundings;
mod m20261128_000008_create_risks;
mod m20261128_000009_create_stakeholders;
mod m20261128_000010_create_portfolios;
mod m20261129_000011_change_audience;
mod m20261129_000012_create_webhooks;
mod m20261129_000013_create_idempotency_keys;
mod m20261201_000014_index_approved_measurements;
mod m20261201_000015_create_machine_clients;
mod m20261201_000016_practice_disclosure;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_planning::Migration),
            Box::new(m20261128_000002_create_plan_revisions::Migration),
            Box::new(m20261128_000003_create_capability_assessments::Migration),
            Box::new(m20261128_000004_create_practices::Migration),
            Box::new(m20261128_000005_create_donors::Migration),
            Box::new(m20261128_000006_create_projects::Migration),
            Box::new(m20261128_000007_create_fundings::Migration),
            Box::new(m20261128_000008_create_risks::Migration),
            Box::new(m20261128_000009_create_stakeholders::Migration),
            Box::new(m20261128_000010_create_portfolios::Migration),
            Box::new(m20261129_000011_change_audience::Migration),
            Box::new(m20261129_000012_create_webhooks::Migration),
            Box::new(m20261129_000013_create_idempotency_keys::Migration),
            Box::new(m20261201_000014_index_approved_measurements::Migration),
            Box::new(m20261201_000015_create_machine_clients::Migration),
            Box::new(m20261201_000016_practice_disclosure::Migration),
        ]
    }
}

pub mod tables {
    //! Table and column names, shared with the repositories so that each is spelt once.
    pub use crate::{
        m20261128_000001_create_planning::{Administrations, AuditLog, Changes, IndicatorDefinitions, Indicators, Measurements, Objectives, Plans, Targets},
        m20261128_000002_create_plan_revisions::PlanRevisions,
        m20261128_000003_create_capability_assessments::CapabilityAssessments,
        m20261128_000004_create_practices::{PracticeTerms, Practices},
        m20261128_000005_create_donors::Donors,
        m20261128_000006_create_projects::{Milestones, Projects},
        m20261128_000007_create_fundings::{FundingTransactions, Fundings},
        m20261128_000008_create_risks::Risks,
        m20261128_000009_create_stakeholders::{Engagements, Stakeholders},
        m20261128_000010_create_portfolios::Portfolios,
        m20261129_000011_change_audience::ChangeAudience,
        m20261129_000012_create_webhooks::{WebhookAttempts, WebhookDeliveries, WebhookSubscriptions},
        m20261129_000013_create_idempotency_keys::IdempotencyKeys,
        m20261201_000015_create_machine_clients::{MachineClientSecrets, MachineClients},
    };
}
