//! Indicators: `/objectives/{id}/indicators` and `/indicators/{id}`.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{ids::IndicatorId, indicator::IndicatorInput, services::IndicatorService};

use super::{ReadErrors, WriteErrors, administrations::ListQuery, path_id};
use crate::{
    auth::{Auth, Reader},
    dto::{CreateIndicator, IndicatorList, IndicatorView, Localizer, PatchIndicator},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

/// The objective's indicators the caller may see.
#[utoipa::path(get, path = "/objectives/{id}/indicators", tag = "indicators", params(("id" = uuid::Uuid, Path), ListQuery),
    responses((status = 200, description = "Success", body = IndicatorList), ReadErrors), security((), ("bearer" = [])))]
pub async fn list(
    State(service): State<IndicatorService>,
    Reader(who): Reader,
    l: Localizer,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<IndicatorList>, ApiError> {
    let objective = path_id(&id, "objective")?;
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<IndicatorId>)?;
    let page = service.list(&who, objective, &page).await?;
    Ok(Json(IndicatorList {
        items: page.items.iter().map(|i| IndicatorView::new(i, &l)).collect(),
        next_cursor: page.next.map(|c| encode_cursor(&c.to_string())),
    }))
}

/// Adds an indicator to an objective.
#[utoipa::path(post, path = "/objectives/{id}/indicators", tag = "indicators", request_body = CreateIndicator, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = IndicatorView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(
    State(service): State<IndicatorService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateIndicator>,
) -> Result<Response, ApiError> {
    let objective = path_id(&id, "objective")?;
    let input = IndicatorInput::from(body);
    let i = service.create(&who, objective, &input).await?;
    Ok(with_etag(StatusCode::CREATED, i.version, IndicatorView::new(&i, &l)))
}

/// One indicator.
#[utoipa::path(get, path = "/indicators/{id}", tag = "indicators", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = IndicatorView, headers(("ETag" = String))), ReadErrors), security((), ("bearer" = [])))]
pub async fn get(State(service): State<IndicatorService>, Reader(who): Reader, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let i = service.get(&who, path_id(&id, "indicator")?).await?;
    Ok(with_etag(StatusCode::OK, i.version, IndicatorView::new(&i, &l)))
}

/// Changes the given fields.
#[utoipa::path(patch, path = "/indicators/{id}", tag = "indicators", request_body = PatchIndicator,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = IndicatorView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<IndicatorService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchIndicator>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "indicator")?;
    let input = IndicatorInput::from(body);
    let i = service.update(&who, id, &input, version).await?;
    Ok(with_etag(StatusCode::OK, i.version, IndicatorView::new(&i, &l)))
}

/// Deletes an indicator with its targets and measurements.
#[utoipa::path(delete, path = "/indicators/{id}", tag = "indicators",
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<IndicatorService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "indicator")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
