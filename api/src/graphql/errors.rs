//! Domain errors as GraphQL errors with `extensions.code`: `UNAUTHENTICATED`, `FORBIDDEN`,
//! `NOT_FOUND`, `VALIDATION` (with the invalid fields), `CONFLICT`, `UNAVAILABLE` (storage cannot
//! answer now; `retryAfter` seconds), `INTERNAL`.

use async_graphql::{Error, ErrorExtensions, Value};
use domain::DomainError;

/// A GraphQL error that loaders can share between the fields waiting on one batch.
#[derive(Debug, Clone)]
pub struct GqlError(pub Error);

impl From<DomainError> for GqlError {
    fn from(e: DomainError) -> Self {
        Self(domain_error(e))
    }
}

impl From<GqlError> for Error {
    fn from(e: GqlError) -> Self {
        e.0
    }
}

fn coded(message: impl Into<String>, code: &'static str) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", code))
}

/// The error of a request without a valid token, for fields that need a caller.
pub fn unauthenticated(detail: &str) -> Error {
    coded(format!("authentication required: {detail}"), "UNAUTHENTICATED")
}

/// A field-level input error found before reaching the domain (an id that is not one).
pub fn invalid(field: &str, message: impl Into<String>) -> Error {
    domain_error(DomainError::validation(field, "invalid_value", message))
}

/// Maps a domain error to its GraphQL form.
pub fn domain_error(e: DomainError) -> Error {
    match e {
        DomainError::Validation(fields) => {
            let message = match fields.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                many => format!("{} fields are invalid", many.len()),
            };
            Error::new(message).extend_with(|_, ext| {
                ext.set("code", "VALIDATION");
                let list: Vec<Value> = fields
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(async_graphql::Name::new("field"), Value::from(f.field.clone()));
                        m.insert(async_graphql::Name::new("code"), Value::from(f.code));
                        m.insert(async_graphql::Name::new("message"), Value::from(f.message.clone()));
                        Value::Object(m)
                    })
                    .collect();
                ext.set("fields", Value::List(list));
            })
        }
        DomainError::Unauthenticated(detail) => coded(detail, "UNAUTHENTICATED"),
        DomainError::Forbidden(detail) => coded(detail, "FORBIDDEN"),
        DomainError::NotFound { entity } => coded(format!("{entity} not found"), "NOT_FOUND"),
        DomainError::Conflict { code, message } => Error::new(message).extend_with(|_, ext| {
            ext.set("code", "CONFLICT");
            ext.set("reason", code);
        }),
        DomainError::StaleVersion { current } => Error::new("the object was changed since you read it: fetch it again and retry with its new version")
            .extend_with(|_, ext| {
                ext.set("code", "CONFLICT");
                ext.set("reason", "stale_version");
                if let Some(v) = current {
                    ext.set("currentVersion", v);
                }
            }),
        DomainError::Store(err @ domain::StoreError::Unavailable(_)) => {
            tracing::warn!(error = %err, "storage unavailable");
            Error::new("the database cannot answer right now; retry in a moment").extend_with(|_, ext| {
                ext.set("code", "UNAVAILABLE");
                ext.set("retryAfter", crate::error::STORAGE_RETRY_AFTER);
            })
        }
        DomainError::Store(err) => {
            tracing::error!(error = %err, "storage failure");
            coded("the request could not be completed; it was logged", "INTERNAL")
        }
    }
}

/// `?` for domain results inside resolvers.
pub trait OrGql<T> {
    /// # Errors
    /// The domain error in its GraphQL form.
    fn gql(self) -> Result<T, Error>;
}

impl<T> OrGql<T> for Result<T, DomainError> {
    fn gql(self) -> Result<T, Error> {
        self.map_err(domain_error)
    }
}
