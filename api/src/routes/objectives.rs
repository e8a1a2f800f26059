//! Objectives: `/plans/{id}/objectives`, `/objectives/{id}` and the upsert by external reference.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{
    ids::{ObjectiveId, PlanId},
    objective::ObjectiveInput,
    services::{ObjectiveService, Upserted},
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::{Auth, Reader},
    dto::{CreateObjective, Localizer, ObjectiveList, ObjectiveListing, ObjectiveNodeView, ObjectiveTree, ObjectiveView, PatchObjective, UpsertObjective},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectiveQuery {
    /// `true`: the whole tree, nested (`limit` and `after` do not apply).
    pub tree: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// The plan's objectives: a flat page with `parent_id` ([`ObjectiveList`]), or with `?tree=true`
/// the nested tree ([`ObjectiveTree`]).
#[utoipa::path(get, path = "/plans/{id}/objectives", tag = "objectives", params(("id" = uuid::Uuid, Path), ObjectiveQuery),
    responses((status = 200, description = "A flat page, or the tree with `tree=true`", body = ObjectiveListing), ReadErrors), security((), ("bearer" = [])))]
pub async fn list(
    State(service): State<ObjectiveService>,
    Reader(who): Reader,
    l: Localizer,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ObjectiveQuery>,
) -> Result<Json<ObjectiveListing>, ApiError> {
    let plan: PlanId = path_id(&id, "plan")?;
    if q.tree.unwrap_or(false) {
        let tree = service.tree(&who, plan).await?;
        return Ok(Json(ObjectiveListing::Tree(ObjectiveTree { items: tree.iter().map(|n| ObjectiveNodeView::new(n, &l)).collect() })));
    }
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<ObjectiveId>)?;
    let page = service.list(&who, plan, &page).await?;
    Ok(Json(ObjectiveListing::Flat(ObjectiveList {
        items: page.items.iter().map(|o| ObjectiveView::new(o, &l)).collect(),
        next_cursor: page.next.map(|c| encode_cursor(&c.to_string())),
    })))
}

/// Adds an objective to a plan.
#[utoipa::path(post, path = "/plans/{id}/objectives", tag = "objectives", request_body = CreateObjective, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = ObjectiveView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(
    State(service): State<ObjectiveService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateObjective>,
) -> Result<Response, ApiError> {
    let plan = path_id(&id, "plan")?;
    let input = ObjectiveInput::from(body);
    let o = service.create(&who, plan, &input).await?;
    Ok(with_etag(StatusCode::CREATED, o.version, ObjectiveView::new(&o, &l)))
}

/// One objective.
#[utoipa::path(get, path = "/objectives/{id}", tag = "objectives", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = ObjectiveView, headers(("ETag" = String))), ReadErrors), security((), ("bearer" = [])))]
pub async fn get(State(service): State<ObjectiveService>, Reader(who): Reader, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let o = service.get(&who, path_id(&id, "objective")?).await?;
    Ok(with_etag(StatusCode::OK, o.version, ObjectiveView::new(&o, &l)))
}

/// Changes the given fields; moving it (`parent_id`) keeps the tree within three levels.
#[utoipa::path(patch, path = "/objectives/{id}", tag = "objectives", request_body = PatchObjective,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = ObjectiveView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<ObjectiveService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchObjective>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "objective")?;
    let input = ObjectiveInput::from(body);
    let o = service.update(&who, id, &input, version).await?;
    Ok(with_etag(StatusCode::OK, o.version, ObjectiveView::new(&o, &l)))
}

/// Deletes an objective with the objectives and indicators below it.
#[utoipa::path(delete, path = "/objectives/{id}", tag = "objectives",
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<ObjectiveService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "objective")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Creates or updates the objective your national planning system knows as `external_ref`
/// (idempotent: the same body twice leaves one objective, unchanged the second time).
#[utoipa::path(put, path = "/objectives/by-ref/{external_ref}", tag = "objectives", request_body = UpsertObjective,
    params(("external_ref" = String, Path, description = "Your system's id for the objective")),
    responses(
        (status = 200, description = "Success", body = ObjectiveView, description = "Updated, or unchanged", headers(("ETag" = String))),
        (status = 201, body = ObjectiveView, description = "Created", headers(("ETag" = String))),
        WriteErrors), security(("bearer" = [])))]
pub async fn upsert(
    State(service): State<ObjectiveService>,
    Auth(who): Auth,
    l: Localizer,
    Path(external_ref): Path<String>,
    ApiJson(body): ApiJson<UpsertObjective>,
) -> Result<Response, ApiError> {
    let (plan, input) = body.into_input();
    let (o, outcome) = service.upsert_by_ref(&who, &external_ref, &plan.to_string(), &input).await?;
    let status = if outcome == Upserted::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(with_etag(status, o.version, ObjectiveView::new(&o, &l)))
}
