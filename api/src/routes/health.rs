//! Liveness and readiness probes (no authentication).

use axum::{Json, extract::State, http::StatusCode};
use domain::services::Services;

use crate::dto::Health;

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, description = "Success", body = Health)))]
pub async fn live() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// The process can serve: the database answers.
#[utoipa::path(get, path = "/health/ready", tag = "health", responses((status = 200, description = "Success", body = Health), (status = 503, body = Health)))]
pub async fn ready(State(services): State<Services>) -> (StatusCode, Json<Health>) {
    match services.ready().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok".into() })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable".into() }))
        }
    }
}
