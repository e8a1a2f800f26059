//! `/plans`: strategic plans, their lifecycle and their scorecard.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{
    ids::PlanId,
    plan::{PlanInput, PlanStatus},
    services::{PlanService, PlanTransition, ResultService},
    values::AdministrationCode,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::{Auth, Reader},
    dto::{CreatePlan, Localizer, PatchPlan, PlanList, PlanView, RevisionList, RevisionView, ScorecardView, Transition},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Only plans of this administration (ISO 3166-1 alpha-3).
    pub administration: Option<String>,
    /// Only plans in this status.
    pub status: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// Lists the plans the caller may see: its own administration's, and the active or closed
/// plans others disclose.
#[utoipa::path(get, path = "/plans", tag = "plans", params(PlanQuery),
    responses((status = 200, description = "Success", body = PlanList), ReadErrors), security((), ("bearer" = [])))]
pub async fn list(State(service): State<PlanService>, Reader(who): Reader, l: Localizer, ApiQuery(q): ApiQuery<PlanQuery>) -> Result<Json<PlanList>, ApiError> {
    let administration = q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?;
    let status = q.status.as_deref().map(PlanStatus::parse).transpose().map_err(|e| ApiError::from(e.under("status")))?;
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<PlanId>)?;
    let page = service.list(&who, administration, status, &page).await?;
    Ok(Json(PlanList { items: page.items.iter().map(|p| PlanView::new(p, &l)).collect(), next_cursor: page.next.map(|c| encode_cursor(&c.to_string())) }))
}

/// Creates a draft plan.
#[utoipa::path(post, path = "/plans", tag = "plans", request_body = CreatePlan,
    responses((status = 201, description = "Created", body = PlanView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(State(service): State<PlanService>, Auth(who): Auth, l: Localizer, ApiJson(body): ApiJson<CreatePlan>) -> Result<Response, ApiError> {
    let (administration, input) = body.into_input();
    let plan = service.create(&who, administration.as_deref(), &input).await?;
    Ok(with_etag(StatusCode::CREATED, plan.version, PlanView::new(&plan, &l)))
}

/// One plan.
#[utoipa::path(get, path = "/plans/{id}", tag = "plans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = PlanView, headers(("ETag" = String))), ReadErrors), security((), ("bearer" = [])))]
pub async fn get(State(service): State<PlanService>, Reader(who): Reader, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let plan = service.get(&who, path_id(&id, "plan")?).await?;
    Ok(with_etag(StatusCode::OK, plan.version, PlanView::new(&plan, &l)))
}

/// Changes the given fields (JSON merge semantics: `null` clears an optional field).
#[utoipa::path(patch, path = "/plans/{id}", tag = "plans", request_body = PatchPlan,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you edit")),
    responses((status = 200, description = "Success", body = PlanView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<PlanService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchPlan>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "plan")?;
    let input = PlanInput::from(body);
    let plan = service.update(&who, id, &input, version).await?;
    Ok(with_etag(StatusCode::OK, plan.version, PlanView::new(&plan, &l)))
}

/// Deletes a draft plan with everything in it.
#[utoipa::path(delete, path = "/plans/{id}", tag = "plans",
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<PlanService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "plan")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Moves the plan through `draft → under_review → approved → active → closed` (or back to draft from review).
#[utoipa::path(post, path = "/plans/{id}/transitions", tag = "plans", request_body = Transition,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = PlanView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn transition(
    State(service): State<PlanService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<Transition>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "plan")?;
    let to = PlanStatus::parse(&body.to).map_err(|e| ApiError::from(e.under("to")))?;
    let plan = service.transition(&who, id, PlanTransition { to }, version).await?;
    Ok(with_etag(StatusCode::OK, plan.version, PlanView::new(&plan, &l)))
}

/// Plan and objective roll-ups, status counts and the indicators without data.
#[utoipa::path(get, path = "/plans/{id}/scorecard", tag = "results", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = ScorecardView), ReadErrors), security((), ("bearer" = [])))]
pub async fn scorecard(
    State(service): State<ResultService>,
    Reader(who): Reader,
    l: Localizer,
    Path(id): Path<String>,
) -> Result<Json<ScorecardView>, ApiError> {
    let card = service.scorecard(&who, path_id(&id, "plan")?).await?;
    Ok(Json(ScorecardView::new(&card, &l)))
}

/// The plan's revisions, oldest first: one per status transition. Read by the plan's
/// administration and admins only.
#[utoipa::path(get, path = "/plans/{id}/revisions", tag = "plans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = RevisionList), ReadErrors,
        (status = 403, description = "Outside the plan's administration", body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn revisions(State(service): State<PlanService>, Auth(who): Auth, Path(id): Path<String>) -> Result<Json<RevisionList>, ApiError> {
    let revisions = service.revisions(&who, path_id(&id, "plan")?).await?;
    Ok(Json(RevisionList { items: revisions.iter().map(|r| RevisionView::new(r, false)).collect() }))
}

/// The plan as it was at revision `n`, with its objectives, indicators and targets.
#[utoipa::path(get, path = "/plans/{id}/revisions/{n}", tag = "plans", params(("id" = uuid::Uuid, Path), ("n" = i32, Path, minimum = 1)),
    responses((status = 200, description = "Success", body = RevisionView), ReadErrors,
        (status = 403, description = "Outside the plan's administration", body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn revision(State(service): State<PlanService>, Auth(who): Auth, Path((id, n)): Path<(String, String)>) -> Result<Json<RevisionView>, ApiError> {
    let n: i32 = n.parse().map_err(|_| ApiError::not_found("revision"))?;
    let revision = service.revision(&who, path_id(&id, "plan")?, n).await?;
    Ok(Json(RevisionView::new(&revision, true)))
}
