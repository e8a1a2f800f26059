//! Driven adapters: the storage ports implemented with sea-orm for SQLite and PostgreSQL.

mod bulk;
pub mod change_listener;
mod db;
pub mod metrics;
mod repo;
mod rows;
pub mod secrets;
pub mod webhook_signature;
pub mod webhook_worker;

pub use bulk::BulkRows;
pub use db::{DatabaseSettings, SeaStore, StatementCounter, connect};
