//! `/audit`: the audit trail.

use axum::{Json, extract::State};
use domain::{
    audit::{AuditFilter, EntityType},
    services::AuditService,
    values::AdministrationCode,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ReadErrors;
use crate::{
    auth::Auth,
    dto::{AuditList, AuditView},
    error::ApiError,
    extract::{ApiQuery, encode_cursor, page_request},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries of this administration (admins; others always read their own).
    pub administration: Option<String>,
    /// `administration`, `plan`, `objective`, `indicator`, `target` or `measurement`.
    pub entity_type: Option<String>,
    /// Only entries about this object.
    pub entity_id: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// Who changed what and when, newest first, with the object before and after the change.
/// Admins read everything; others read their own administration's entries; donors none.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "Success", body = AuditList), ReadErrors,
        (status = 403, description = "Donors, or another administration", body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(State(service): State<AuditService>, Auth(who): Auth, ApiQuery(q): ApiQuery<AuditQuery>) -> Result<Json<AuditList>, ApiError> {
    let filter = AuditFilter {
        administration: q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?,
        entity_type: q.entity_type.as_deref().map(EntityType::parse).transpose().map_err(|e| ApiError::from(e.under("entity_type")))?,
        entity_id: q.entity_id,
    };
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<i64>)?;
    let page = service.list(&who, &filter, &page).await?;
    Ok(Json(AuditList { items: page.items.iter().map(AuditView::from).collect(), next_cursor: page.next.map(|c| encode_cursor(&c.to_string())) }))
}
