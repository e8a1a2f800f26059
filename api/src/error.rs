//! One mapping from domain errors (and from malformed requests) to RFC 9457
//! `application/problem+json`. Internals never reach the client: storage failures are logged
//! by the trace layer and answered with a generic 500; storage that cannot answer now (unreachable,
//! restarting, out of connections, busy) is a 503 with `Retry-After`.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Identifies the kind of problem (`urn:meridian:problem:validation`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// Stable machine-readable code (`validation`, `not_found`, `code_taken`, ...).
    pub code: String,
    /// One entry per invalid field, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// Path of the field in the request (`title.es`, `period`, `limit`).
    pub field: String,
    /// Machine-readable code (`required`, `too_long`, `invalid_period`, ...).
    pub code: String,
    pub message: String,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self { field: e.field, code: e.code.to_owned(), message: e.message }
    }
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    title: &'static str,
    detail: String,
    errors: Vec<ProblemField>,
    /// Adds `WWW-Authenticate` to 401 answers.
    authenticate: Option<&'static str>,
    /// Adds `Retry-After` (seconds).
    retry_after: Option<u32>,
}

/// Seconds a client is asked to wait before retrying when storage is unavailable.
pub const STORAGE_RETRY_AFTER: u32 = 2;

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, title: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code: code.into(), title, detail: detail.into(), errors: Vec::new(), authenticate: None, retry_after: None }
    }

    /// 503 with `Retry-After`: the database cannot serve the request now.
    pub fn unavailable() -> Self {
        Self {
            retry_after: Some(STORAGE_RETRY_AFTER),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable", "the database cannot answer right now; retry in a moment")
        }
    }

    /// 401 with a `WWW-Authenticate: Bearer` challenge.
    pub fn unauthenticated(error: &'static str, detail: impl Into<String>) -> Self {
        Self { authenticate: Some(error), ..Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required", detail) }
    }

    /// 400 for a request the server cannot read.
    pub fn bad_request(field: &str, code: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self {
            errors: vec![ProblemField { field: field.to_owned(), code: code.to_owned(), message: detail.clone() }],
            ..Self::new(StatusCode::BAD_REQUEST, "bad_request", "Malformed request", detail)
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self {
            errors: errors.into_iter().map(ProblemField::from).collect(),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid request", detail)
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found", format!("{what} not found"))
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(errors) => Self::validation(errors),
            DomainError::Unauthenticated(detail) => Self::unauthenticated("invalid_token", detail),
            DomainError::Forbidden(detail) => Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail),
            DomainError::NotFound { entity } => Self::not_found(entity),
            DomainError::Conflict { code, message } => Self::new(StatusCode::CONFLICT, code, "Conflict", message),
            DomainError::StaleVersion { .. } => Self::new(
                StatusCode::PRECONDITION_FAILED,
                "stale_version",
                "Precondition failed",
                "the object was changed since you read it: fetch it again and retry with its new ETag",
            ),
            DomainError::Store(err @ domain::StoreError::Unavailable(_)) => {
                tracing::warn!(error = %err, "storage unavailable");
                Self::unavailable()
            }
            DomainError::Store(err) => {
                tracing::error!(error = %err, "storage failure");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "the request could not be completed; it was logged")
            }
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::validation(vec![e])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: format!("urn:meridian:problem:{}", self.code),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code,
            errors: self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(error) = self.authenticate {
            let challenge = format!("Bearer realm=\"meridian\", error=\"{error}\"");
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}

impl ApiError {
    /// The same error in GraphQL's shape (`errors[].extensions.code`), for refusals made before
    /// the GraphQL endpoint runs.
    pub fn into_graphql_response(self) -> Response {
        let body = serde_json::json!({"errors": [{"message": self.detail, "extensions": {"code": self.code}}]});
        (self.status, axum::Json(body)).into_response()
    }
}

/// Answers unknown routes with problem+json.
pub async fn fallback() -> ApiError {
    ApiError::not_found("resource")
}
