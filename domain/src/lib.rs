//! Meridian's core: the model of strategic plans, objectives, indicators and results, the rules
//! that compute progress, the use cases that enforce who may do what, and the ports the
//! adapters implement. Nothing here performs I/O.

pub mod assessment;
pub mod audit;
pub mod catalogue;
pub mod client;
pub mod donor;
pub mod error;
pub mod funding;
pub mod idempotency;
pub mod ids;
pub mod indicator;
pub mod measurement;
pub mod objective;
pub mod page;
pub mod period;
pub mod plan;
pub mod portfolio;
pub mod ports;
pub mod practice;
pub mod principal;
pub mod progress;
pub mod project;
pub mod risk;
pub mod services;
pub mod stakeholder;
pub mod text;
pub mod values;
pub mod webhook;

pub use error::{DomainError, FieldError, StoreError};
