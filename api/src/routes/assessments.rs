//! `/assessments`: capability assessments, the administration's starting point.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{assessment::AssessmentInput, ids::AssessmentId, services::AssessmentService, values::AdministrationCode};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::Auth,
    dto::{AssessmentComparisonView, AssessmentList, AssessmentView, CreateAssessment, Localizer, PatchAssessment},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// Only this administration's (admins; others always read their own).
    pub administration: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// One assessment.
    pub from: String,
    /// Another assessment of the same administration (the order does not matter).
    pub to: String,
}

/// The caller's administration's assessments (all, for admins).
#[utoipa::path(get, path = "/assessments", tag = "assessments", params(AssessmentQuery),
    responses((status = 200, description = "Success", body = AssessmentList), ReadErrors), security(("bearer" = [])))]
pub async fn list(
    State(service): State<AssessmentService>,
    Auth(who): Auth,
    l: Localizer,
    ApiQuery(q): ApiQuery<AssessmentQuery>,
) -> Result<Json<AssessmentList>, ApiError> {
    let administration = q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?;
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<AssessmentId>)?;
    let page = service.list(&who, administration, &page).await?;
    Ok(Json(AssessmentList {
        items: page.items.iter().map(|a| AssessmentView::new(a, &l)).collect(),
        next_cursor: page.next.map(|c| encode_cursor(&c.to_string())),
    }))
}

/// Records an assessment: maturity 1–5 per dimension at a date, and the resources available.
#[utoipa::path(post, path = "/assessments", tag = "assessments", request_body = CreateAssessment,
    responses((status = 201, description = "Created", body = AssessmentView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(
    State(service): State<AssessmentService>,
    Auth(who): Auth,
    l: Localizer,
    ApiJson(body): ApiJson<CreateAssessment>,
) -> Result<Response, ApiError> {
    let (administration, input): (Option<String>, AssessmentInput) = body.into();
    let a = service.create(&who, administration.as_deref(), &input).await?;
    Ok(with_etag(StatusCode::CREATED, a.version, AssessmentView::new(&a, &l)))
}

/// What improved between two assessments of one administration.
#[utoipa::path(get, path = "/assessments/compare", tag = "assessments", params(CompareQuery),
    responses((status = 200, description = "Success", body = AssessmentComparisonView), ReadErrors), security(("bearer" = [])))]
pub async fn compare(
    State(service): State<AssessmentService>,
    Auth(who): Auth,
    l: Localizer,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> Result<Json<AssessmentComparisonView>, ApiError> {
    let c = service.compare(&who, path_id(&q.from, "assessment")?, path_id(&q.to, "assessment")?).await?;
    Ok(Json(AssessmentComparisonView::new(&c, &l)))
}

/// One assessment.
#[utoipa::path(get, path = "/assessments/{id}", tag = "assessments", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = AssessmentView, headers(("ETag" = String))), ReadErrors), security(("bearer" = [])))]
pub async fn get(State(service): State<AssessmentService>, Auth(who): Auth, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let a = service.get(&who, path_id(&id, "assessment")?).await?;
    Ok(with_etag(StatusCode::OK, a.version, AssessmentView::new(&a, &l)))
}

/// Changes the given fields.
#[utoipa::path(patch, path = "/assessments/{id}", tag = "assessments", request_body = PatchAssessment,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = AssessmentView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<AssessmentService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchAssessment>,
) -> Result<Response, ApiError> {
    let a = service.update(&who, path_id(&id, "assessment")?, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, a.version, AssessmentView::new(&a, &l)))
}

/// Deletes an assessment.
#[utoipa::path(delete, path = "/assessments/{id}", tag = "assessments", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(
    State(service): State<AssessmentService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "assessment")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
