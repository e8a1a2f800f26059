//! Risks on projects and objectives.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{risk::RiskSubject, services::RiskService};

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::Auth,
    dto::{CreateRisk, Localizer, PatchRisk, RiskView},
    error::ApiError,
    extract::{ApiJson, IfMatch, with_etag},
};

/// The risks on a project, highest score first.
#[utoipa::path(get, path = "/projects/{id}/risks", tag = "projects", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Vec<RiskView>), ReadErrors), security(("bearer" = [])))]
pub async fn of_project(State(service): State<RiskService>, Auth(who): Auth, l: Localizer, Path(id): Path<String>) -> Result<Json<Vec<RiskView>>, ApiError> {
    let risks = service.of(&who, RiskSubject::Project(path_id(&id, "project")?)).await?;
    Ok(Json(risks.iter().map(|r| RiskView::new(r, &l)).collect()))
}

/// Records a risk on a project.
#[utoipa::path(post, path = "/projects/{id}/risks", tag = "projects", request_body = CreateRisk, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = RiskView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn add_to_project(
    State(service): State<RiskService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateRisk>,
) -> Result<Response, ApiError> {
    let r = service.add(&who, RiskSubject::Project(path_id(&id, "project")?), &body.into()).await?;
    Ok(with_etag(StatusCode::CREATED, r.version, RiskView::new(&r, &l)))
}

/// The risks on an objective, highest score first (its administration only).
#[utoipa::path(get, path = "/objectives/{id}/risks", tag = "objectives", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Vec<RiskView>), ReadErrors), security(("bearer" = [])))]
pub async fn of_objective(State(service): State<RiskService>, Auth(who): Auth, l: Localizer, Path(id): Path<String>) -> Result<Json<Vec<RiskView>>, ApiError> {
    let risks = service.of(&who, RiskSubject::Objective(path_id(&id, "objective")?)).await?;
    Ok(Json(risks.iter().map(|r| RiskView::new(r, &l)).collect()))
}

/// Records a risk (or crisis scenario) on an objective.
#[utoipa::path(post, path = "/objectives/{id}/risks", tag = "objectives", request_body = CreateRisk, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = RiskView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn add_to_objective(
    State(service): State<RiskService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateRisk>,
) -> Result<Response, ApiError> {
    let r = service.add(&who, RiskSubject::Objective(path_id(&id, "objective")?), &body.into()).await?;
    Ok(with_etag(StatusCode::CREATED, r.version, RiskView::new(&r, &l)))
}

/// Changes a risk (levels, mitigation, owner, status).
#[utoipa::path(patch, path = "/risks/{id}", tag = "projects", request_body = PatchRisk, params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = RiskView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<RiskService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchRisk>,
) -> Result<Response, ApiError> {
    let r = service.update(&who, path_id(&id, "risk")?, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, r.version, RiskView::new(&r, &l)))
}

/// Deletes a risk.
#[utoipa::path(delete, path = "/risks/{id}", tag = "projects", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<RiskService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "risk")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
