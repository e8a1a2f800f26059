//! `/stakeholders` and `/engagements`: the parties an administration works with.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{
    FieldError,
    ids::StakeholderId,
    services::StakeholderService,
    stakeholder::{EngagementRole, EngagementSubject, StakeholderInput},
    values::AdministrationCode,
};

use super::{ReadErrors, WriteErrors, assessments::AssessmentQuery, path_id};
use crate::{
    auth::Auth,
    dto::{CreateEngagement, CreateStakeholder, EngagementView, Localizer, PatchStakeholder, StakeholderList, StakeholderView},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

/// Your administration's stakeholders (admins: all).
#[utoipa::path(get, path = "/stakeholders", tag = "stakeholders", params(AssessmentQuery),
    responses((status = 200, description = "Success", body = StakeholderList), ReadErrors), security(("bearer" = [])))]
pub async fn list(
    State(service): State<StakeholderService>,
    Auth(who): Auth,
    l: Localizer,
    ApiQuery(q): ApiQuery<AssessmentQuery>,
) -> Result<Json<StakeholderList>, ApiError> {
    let administration = q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?;
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<StakeholderId>)?;
    let page = service.list(&who, administration, &page).await?;
    Ok(Json(StakeholderList {
        items: page.items.iter().map(|s| StakeholderView::new(s, None, &l)).collect(),
        next_cursor: page.next.map(|c| encode_cursor(&c.to_string())),
    }))
}

/// Registers a stakeholder.
#[utoipa::path(post, path = "/stakeholders", tag = "stakeholders", request_body = CreateStakeholder,
    responses((status = 201, description = "Created", body = StakeholderView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(
    State(service): State<StakeholderService>,
    Auth(who): Auth,
    l: Localizer,
    ApiJson(body): ApiJson<CreateStakeholder>,
) -> Result<Response, ApiError> {
    let (administration, input): (Option<String>, StakeholderInput) = body.into();
    let s = service.create(&who, administration.as_deref(), &input).await?;
    Ok(with_etag(StatusCode::CREATED, s.version, StakeholderView::new(&s, Some(&[]), &l)))
}

/// A stakeholder with its engagements.
#[utoipa::path(get, path = "/stakeholders/{id}", tag = "stakeholders", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = StakeholderView, headers(("ETag" = String))), ReadErrors), security(("bearer" = [])))]
pub async fn get(State(service): State<StakeholderService>, Auth(who): Auth, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = service.get(&who, path_id(&id, "stakeholder")?).await?;
    Ok(with_etag(StatusCode::OK, r.stakeholder.version, StakeholderView::new(&r.stakeholder, Some(&r.engagements), &l)))
}

/// Changes the given fields.
#[utoipa::path(patch, path = "/stakeholders/{id}", tag = "stakeholders", request_body = PatchStakeholder, params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = StakeholderView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<StakeholderService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchStakeholder>,
) -> Result<Response, ApiError> {
    let s = service.update(&who, path_id(&id, "stakeholder")?, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, s.version, StakeholderView::new(&s, None, &l)))
}

/// Deletes a stakeholder with its engagements.
#[utoipa::path(delete, path = "/stakeholders/{id}", tag = "stakeholders", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(
    State(service): State<StakeholderService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "stakeholder")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Gives the stakeholder a role on an objective or a project of its administration.
#[utoipa::path(post, path = "/stakeholders/{id}/engagements", tag = "stakeholders", request_body = CreateEngagement, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = EngagementView), WriteErrors), security(("bearer" = [])))]
pub async fn engage(
    State(service): State<StakeholderService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateEngagement>,
) -> Result<Response, ApiError> {
    let subject = match (body.objective_id, body.project_id) {
        (Some(o), None) => EngagementSubject::Objective(domain::ids::ObjectiveId::from_uuid(o)),
        (None, Some(p)) => EngagementSubject::Project(domain::ids::ProjectId::from_uuid(p)),
        _ => return Err(ApiError::validation(vec![FieldError::new("objective_id", "required", "name either objective_id or project_id")])),
    };
    let role = EngagementRole::parse(&body.role).map_err(|e| ApiError::from(e.under("role")))?;
    let e = service.engage(&who, path_id(&id, "stakeholder")?, subject, role).await?;
    Ok((StatusCode::CREATED, Json(EngagementView::from(&e))).into_response())
}

/// Ends an engagement.
#[utoipa::path(delete, path = "/engagements/{id}", tag = "stakeholders", params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn disengage(State(service): State<StakeholderService>, Auth(who): Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    service.disengage(&who, path_id(&id, "engagement")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
