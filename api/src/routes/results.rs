//! Targets, measurements, their review, and progress of an indicator.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use domain::{
    measurement::ReviewStatus,
    period::Period,
    services::{ResultService, ReviewRequest, Upserted},
};

use super::{ReadErrors, WriteErrors, administrations::ListQuery, path_id};
use crate::{
    auth::{Auth, Reader},
    dto::{MeasurementList, MeasurementView, ProgressView, PutMeasurement, PutTarget, ReviewTransition, TargetView},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

fn created_or_ok(outcome: Upserted) -> StatusCode {
    if outcome == Upserted::Created { StatusCode::CREATED } else { StatusCode::OK }
}

/// The indicator's targets by period.
#[utoipa::path(get, path = "/indicators/{id}/targets", tag = "results", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Vec<TargetView>), ReadErrors), security((), ("bearer" = [])))]
pub async fn targets(State(service): State<ResultService>, Reader(who): Reader, Path(id): Path<String>) -> Result<Json<Vec<TargetView>>, ApiError> {
    let targets = service.targets(&who, path_id(&id, "indicator")?).await?;
    Ok(Json(targets.iter().map(TargetView::from).collect()))
}

/// Sets the target of a period (`2026`, `2025-Q4`, `2025-12`).
#[utoipa::path(put, path = "/indicators/{id}/targets/{period}", tag = "results", request_body = PutTarget,
    params(("id" = uuid::Uuid, Path), ("period" = String, Path, example = "2026"), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "Success", body = TargetView, description = "Replaced, or unchanged", headers(("ETag" = String))),
        (status = 201, body = TargetView, description = "Created", headers(("ETag" = String))),
        WriteErrors), security(("bearer" = [])))]
pub async fn put_target(
    State(service): State<ResultService>,
    Auth(who): Auth,
    Path((id, period)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PutTarget>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "indicator")?;
    let (t, outcome) = service.put_target(&who, id, &period, &body.value.text(), version).await?;
    Ok(with_etag(created_or_ok(outcome), t.version, TargetView::from(&t)))
}

/// The indicator's measurements by period. Outside the administration only approved values show.
#[utoipa::path(get, path = "/indicators/{id}/measurements", tag = "results", params(("id" = uuid::Uuid, Path), ListQuery),
    responses((status = 200, description = "Success", body = MeasurementList), ReadErrors), security((), ("bearer" = [])))]
pub async fn measurements(
    State(service): State<ResultService>,
    Reader(who): Reader,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<MeasurementList>, ApiError> {
    let id = path_id(&id, "indicator")?;
    let page = page_request(q.limit, q.after.as_deref(), Period::parse)?;
    let page = service.measurements(&who, id, &page).await?;
    Ok(Json(MeasurementList { items: page.items.iter().map(MeasurementView::from).collect(), next_cursor: page.next.map(|p| encode_cursor(&p.to_string())) }))
}

/// One measurement.
#[utoipa::path(get, path = "/indicators/{id}/measurements/{period}", tag = "results",
    params(("id" = uuid::Uuid, Path), ("period" = String, Path, example = "2024")),
    responses((status = 200, description = "Success", body = MeasurementView, headers(("ETag" = String))), ReadErrors), security((), ("bearer" = [])))]
pub async fn measurement(State(service): State<ResultService>, Reader(who): Reader, Path((id, period)): Path<(String, String)>) -> Result<Response, ApiError> {
    let id = path_id(&id, "indicator")?;
    let m = service.measurement(&who, id, &period).await?;
    Ok(with_etag(StatusCode::OK, m.version, MeasurementView::from(&m)))
}

/// Records the actual value of a period. A new value starts its review as `draft`; the approved
/// value stays in force until the new one is approved.
#[utoipa::path(put, path = "/indicators/{id}/measurements/{period}", tag = "results", request_body = PutMeasurement,
    params(("id" = uuid::Uuid, Path), ("period" = String, Path, example = "2024"), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "Success", body = MeasurementView, description = "Replaced, or unchanged", headers(("ETag" = String))),
        (status = 201, body = MeasurementView, description = "Created", headers(("ETag" = String))),
        WriteErrors), security(("bearer" = [])))]
pub async fn put_measurement(
    State(service): State<ResultService>,
    Auth(who): Auth,
    Path((id, period)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PutMeasurement>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "indicator")?;
    let (m, outcome) = service.put_measurement(&who, id, &period, &body.into(), version).await?;
    Ok(with_etag(created_or_ok(outcome), m.version, MeasurementView::from(&m)))
}

/// Moves a measurement through its review: `submitted`, then `approved` or `returned` (with a
/// reason) by an admin or another planner of the administration (four eyes).
#[utoipa::path(post, path = "/indicators/{id}/measurements/{period}/transitions", tag = "results", request_body = ReviewTransition,
    params(("id" = uuid::Uuid, Path), ("period" = String, Path, example = "2024"), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = MeasurementView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn review(
    State(service): State<ResultService>,
    Auth(who): Auth,
    Path((id, period)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReviewTransition>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "indicator")?;
    let to = ReviewStatus::parse(&body.to).map_err(|e| ApiError::from(e.under("to")))?;
    let m = service.review(&who, id, &period, &ReviewRequest { to, reason: body.reason }, version).await?;
    Ok(with_etag(StatusCode::OK, m.version, MeasurementView::from(&m)))
}

/// The indicator's series: per period the target, expected value, approved actual, progress and status.
#[utoipa::path(get, path = "/indicators/{id}/progress", tag = "results", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = ProgressView), ReadErrors), security((), ("bearer" = [])))]
pub async fn progress(State(service): State<ResultService>, Reader(who): Reader, Path(id): Path<String>) -> Result<Json<ProgressView>, ApiError> {
    let report = service.progress(&who, path_id(&id, "indicator")?).await?;
    Ok(Json(ProgressView::from(&report)))
}
