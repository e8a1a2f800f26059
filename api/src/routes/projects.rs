//! `/projects` and `/milestones`: the things to do that implement objectives.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{
    ids::{PortfolioId, ProjectId},
    project::{MilestoneInput, ProjectInput, ProjectStatus},
    services::{ProjectService, Upserted},
    values::AdministrationCode,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::Auth,
    dto::{
        CreateMilestone, CreateProject, Localizer, MilestoneView, PatchMilestone, PatchProject, ProjectDetailView, ProjectList, ProjectView, Transition,
        UpsertProject,
    },
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Only this administration's (admins; others read their own).
    pub administration: Option<String>,
    /// Only projects in this status.
    pub status: Option<String>,
    /// Only projects of this portfolio.
    pub portfolio: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// Your administration's projects (admins: all).
#[utoipa::path(get, path = "/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, description = "Success", body = ProjectList), ReadErrors), security(("bearer" = [])))]
pub async fn list(
    State(service): State<ProjectService>,
    Auth(who): Auth,
    l: Localizer,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> Result<Json<ProjectList>, ApiError> {
    let administration = q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?;
    let status = q.status.as_deref().map(ProjectStatus::parse).transpose().map_err(|e| ApiError::from(e.under("status")))?;
    let portfolio = q.portfolio.as_deref().map(str::parse::<PortfolioId>).transpose().map_err(|e| ApiError::from(e.under("portfolio")))?;
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<ProjectId>)?;
    let page = service.list(&who, administration, status, portfolio, &page).await?;
    Ok(Json(ProjectList { items: page.items.iter().map(|p| ProjectView::new(p, &l)).collect(), next_cursor: page.next.map(|c| encode_cursor(&c.to_string())) }))
}

/// Proposes a project contributing to objectives of your administration.
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = CreateProject,
    responses((status = 201, description = "Created", body = ProjectView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(State(service): State<ProjectService>, Auth(who): Auth, l: Localizer, ApiJson(body): ApiJson<CreateProject>) -> Result<Response, ApiError> {
    let (administration, input): (Option<String>, ProjectInput) = body.into();
    let p = service.create(&who, administration.as_deref(), &input).await?;
    Ok(with_etag(StatusCode::CREATED, p.version, ProjectView::new(&p, &l)))
}

/// Creates or updates the project your national system knows as `external_ref` (idempotent:
/// the same body twice leaves one unchanged project).
#[utoipa::path(put, path = "/projects/by-ref/{external_ref}", tag = "projects", request_body = UpsertProject,
    params(("external_ref" = String, Path, description = "Your system's id for the project")),
    responses(
        (status = 200, description = "Updated, or unchanged", body = ProjectView, headers(("ETag" = String))),
        (status = 201, description = "Created", body = ProjectView, headers(("ETag" = String))),
        WriteErrors), security(("bearer" = [])))]
pub async fn upsert(
    State(service): State<ProjectService>,
    Auth(who): Auth,
    l: Localizer,
    Path(external_ref): Path<String>,
    ApiJson(body): ApiJson<UpsertProject>,
) -> Result<Response, ApiError> {
    let (administration, input): (Option<String>, ProjectInput) = body.into();
    let (p, outcome) = service.upsert_by_ref(&who, &external_ref, administration.as_deref(), &input).await?;
    let status = if outcome == Upserted::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(with_etag(status, p.version, ProjectView::new(&p, &l)))
}

/// A project with its milestones and schedule health.
#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = ProjectDetailView, headers(("ETag" = String))), ReadErrors), security(("bearer" = [])))]
pub async fn get(State(service): State<ProjectService>, Auth(who): Auth, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = service.get(&who, path_id(&id, "project")?).await?;
    Ok(with_etag(StatusCode::OK, r.project.version, ProjectDetailView::new(&r, &l)))
}

/// Changes the given fields.
#[utoipa::path(patch, path = "/projects/{id}", tag = "projects", request_body = PatchProject,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = ProjectView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<ProjectService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchProject>,
) -> Result<Response, ApiError> {
    let p = service.update(&who, path_id(&id, "project")?, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, p.version, ProjectView::new(&p, &l)))
}

/// Deletes a project with its milestones.
#[utoipa::path(delete, path = "/projects/{id}", tag = "projects", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<ProjectService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "project")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Moves a project: `proposed → approved → in_progress ⇄ on_hold → completed`, or `cancelled`.
#[utoipa::path(post, path = "/projects/{id}/transitions", tag = "projects", request_body = Transition,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = ProjectView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn transition(
    State(service): State<ProjectService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<Transition>,
) -> Result<Response, ApiError> {
    let to = ProjectStatus::parse(&body.to).map_err(|e| ApiError::from(e.under("to")))?;
    let p = service.transition(&who, path_id(&id, "project")?, to, version).await?;
    Ok(with_etag(StatusCode::OK, p.version, ProjectView::new(&p, &l)))
}

/// Adds a milestone to an open project.
#[utoipa::path(post, path = "/projects/{id}/milestones", tag = "projects", request_body = CreateMilestone, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = MilestoneView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn add_milestone(
    State(service): State<ProjectService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateMilestone>,
) -> Result<Response, ApiError> {
    let input: MilestoneInput = body.into();
    let m = service.add_milestone(&who, path_id(&id, "project")?, &input).await?;
    let today = m.updated_at.date_naive();
    Ok(with_etag(StatusCode::CREATED, m.version, MilestoneView::new(&m, today, &l)))
}

/// Changes a milestone; set `completed_on` when it is done.
#[utoipa::path(patch, path = "/milestones/{id}", tag = "projects", request_body = PatchMilestone,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = MilestoneView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch_milestone(
    State(service): State<ProjectService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchMilestone>,
) -> Result<Response, ApiError> {
    let input: MilestoneInput = body.into();
    let m = service.update_milestone(&who, path_id(&id, "milestone")?, &input, version).await?;
    let today = m.updated_at.date_naive();
    Ok(with_etag(StatusCode::OK, m.version, MilestoneView::new(&m, today, &l)))
}

/// Deletes a milestone.
#[utoipa::path(delete, path = "/milestones/{id}", tag = "projects", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete_milestone(
    State(service): State<ProjectService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> Result<Response, ApiError> {
    service.delete_milestone(&who, path_id(&id, "milestone")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
