//! REST handlers, registered together with their OpenAPI operations.

pub mod administrations;
pub mod assessments;
pub mod audit;
pub mod catalogue;
pub mod changes;
pub mod clients;
pub mod donors;
pub mod export;
pub mod fundings;
pub mod health;
pub mod iati;
pub mod import;
pub mod indicators;
pub mod objectives;
pub mod plans;
pub mod portfolios;
pub mod practices;
pub mod projects;
pub mod results;
pub mod risks;
pub mod stakeholders;
pub mod webhooks;

use axum::{extract::FromRequestParts, http::request::Parts};
use domain::services::AdministrationService;
use utoipa::IntoResponses;

use crate::{
    dto::Localizer,
    error::{ApiError, Problem},
    extract::Lang,
};

impl<S> FromRequestParts<S> for Localizer
where
    AdministrationService: axum::extract::FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let administrations: AdministrationService = axum::extract::FromRef::from_ref(state);
        let directory = administrations.directory().await?;
        Ok(Self::new(Lang::from_headers(&parts.headers).0, directory))
    }
}

/// Error answers of reads.
#[derive(IntoResponses)]
#[expect(dead_code, reason = "describes error answers in the OpenAPI document; never built")]
pub enum ReadErrors {
    /// A query parameter or cursor is malformed.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthenticated(Problem),
    /// Not found, or not visible to the caller (the two are indistinguishable).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// A field is invalid (e.g. `limit` out of range).
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// Over a request budget (of the caller, of the client address, or of failed
    /// authentications): retry after `Retry-After` seconds.
    #[response(status = 429, content_type = "application/problem+json", headers(("Retry-After" = u32, description = "Seconds to wait before retrying")))]
    RateLimited(Problem),
    /// The database cannot answer right now (unreachable, restarting, out of connections):
    /// retry after `Retry-After` seconds.
    #[response(status = 503, content_type = "application/problem+json", headers(("Retry-After" = u32, description = "Seconds to wait before retrying")))]
    Unavailable(Problem),
}

/// Error answers of writes.
#[derive(IntoResponses)]
#[expect(dead_code, reason = "describes error answers in the OpenAPI document; never built")]
pub enum WriteErrors {
    /// The body is not JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthenticated(Problem),
    /// The caller may see the object but not change it.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Not found, or not visible to the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The change contradicts the current state (duplicate code, transition not allowed, closed plan).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` names another version than the current one.
    #[response(status = 412, content_type = "application/problem+json")]
    Stale(Problem),
    /// The body is larger than the configured limit.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Fields are invalid; `errors` lists each.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// Over a request budget (of the caller, of the client address, or of failed
    /// authentications): retry after `Retry-After` seconds.
    #[response(status = 429, content_type = "application/problem+json", headers(("Retry-After" = u32, description = "Seconds to wait before retrying")))]
    RateLimited(Problem),
    /// The database cannot answer right now (unreachable, restarting, out of connections):
    /// retry after `Retry-After` seconds.
    #[response(status = 503, content_type = "application/problem+json", headers(("Retry-After" = u32, description = "Seconds to wait before retrying")))]
    Unavailable(Problem),
}

/// Parses an id from the path; a malformed id names nothing, so it is "not found".
pub(crate) fn path_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}
