//! Errors shared by every use case. Each variant maps to one outcome a client can act on; the
//! adapters translate them (problem+json in REST, `extensions.code` in GraphQL).

use std::fmt;

/// One problem with one input field, addressed by a JSON-pointer-like path (`title.en`,
/// `targets[2].value`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Path of the offending field in the request.
    pub field: String,
    /// Stable machine-readable code (`required`, `too_long`, `invalid_format`, ...).
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }

    /// The same error, reported under a parent path (`title` → `objective.title`).
    #[must_use]
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() { parent.to_owned() } else { format!("{parent}.{}", self.field) };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Collects field errors while parsing a whole request, so a client sees every problem at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Keeps the value when parsing succeeded, records the error under `field` otherwise.
    pub fn take<T>(&mut self, field: &str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e.under(field));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(())` when nothing was recorded, the collected validation error otherwise.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() { Ok(()) } else { Err(DomainError::Validation(self.0)) }
    }
}

/// What a use case can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The request is malformed; nothing was changed.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// The caller's credentials verify but cannot be honoured (they name an administration or
    /// donor that does not exist, or a client that was revoked): treated as no credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not perform this action on an object it can see.
    #[error("{0}")]
    Forbidden(String),
    /// No such object, or one the caller may not see (the two are indistinguishable).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// The request contradicts the current state (duplicate code, invalid transition, ...).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The client's copy is stale: the object is now at `current` version.
    #[error("the object was changed by someone else")]
    StaleVersion { current: Option<i64> },
    /// Storage failed; details are logged, never shown to the client.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DomainError {
    pub fn validation(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }

    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        Self::Validation(vec![e])
    }
}

/// Errors reported by storage adapters through the ports.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule of the schema was violated (names the constraint when known).
    #[error("unique constraint violated: {0}")]
    Duplicate(String),
    /// A reference between rows was violated: a row still referenced was deleted, or a
    /// referenced row was gone (a race with a concurrent delete).
    #[error("reference violated: {0}")]
    Referenced(String),
    /// An UPDATE found the row at another version than expected.
    #[error("version mismatch")]
    VersionMismatch,
    /// The database answered with an error the request or the code caused.
    #[error("storage error: {0}")]
    Backend(String),
    /// The database cannot serve the request now: unreachable, restarting, out of connections
    /// or busy. Retrying later may succeed.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Data in storage could not be turned back into domain values.
    #[error("corrupt row: {0}")]
    Corrupt(String),
}
