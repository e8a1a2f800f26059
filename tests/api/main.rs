//! End-to-end tests over HTTP, on SQLite by default and on PostgreSQL when
//! `MERIDIAN_TEST_DATABASE_URL` is set (see README).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assessments;
mod audit;
mod changes;
mod cli;
mod comparison;
mod concurrency;
mod contract;
mod cors;
mod demo;
mod donor_walk;
mod donors;
mod exports;
mod funding;
mod graphql;
mod helpers;
mod idempotency;
mod import;
mod limits;
mod metrics;
mod oauth;
mod permissions;
mod planning;
mod portfolios;
mod practices;
mod projects;
mod results;
mod revisions;
mod risks;
mod security;
mod stakeholders;
mod subscriptions;
mod typed_client;
mod validation;
mod webhooks;
