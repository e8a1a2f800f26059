//! Funding: donors' commitments to projects, and the transactions against them.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{funding::TransactionInput, services::FundingService};

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::Auth,
    dto::{CreateFunding, CreateTransaction, FundingSummaryView, FundingView, TransactionView},
    error::ApiError,
    extract::ApiJson,
};

/// A project's fundings with their transactions and totals per currency (a donor sees its own).
#[utoipa::path(get, path = "/projects/{id}/fundings", tag = "funding", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = FundingSummaryView), ReadErrors), security(("bearer" = [])))]
pub async fn of_project(State(service): State<FundingService>, Auth(who): Auth, Path(id): Path<String>) -> Result<Json<FundingSummaryView>, ApiError> {
    let summary = service.of_project(&who, path_id(&id, "project")?).await?;
    Ok(Json(FundingSummaryView::from(&summary)))
}

/// Records a donor's commitment to a project.
#[utoipa::path(post, path = "/projects/{id}/fundings", tag = "funding", request_body = CreateFunding, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = FundingView), WriteErrors), security(("bearer" = [])))]
pub async fn commit(
    State(service): State<FundingService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateFunding>,
) -> Result<Response, ApiError> {
    let f = service.commit(&who, path_id(&id, "project")?, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(FundingView::new(&f, &[]))).into_response())
}

/// Records a transaction (IATI type) against a funding. A disbursement may not take the total
/// past the commitment unless the funding allows it.
#[utoipa::path(post, path = "/fundings/{id}/transactions", tag = "funding", request_body = CreateTransaction, params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Created", body = TransactionView), WriteErrors), security(("bearer" = [])))]
pub async fn record(
    State(service): State<FundingService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateTransaction>,
) -> Result<Response, ApiError> {
    let input: TransactionInput = body.into();
    let funding = path_id(&id, "funding")?;
    let (f, t) = service.record(&who, funding, &input).await?;
    Ok((StatusCode::CREATED, Json(TransactionView::new(&t, &f))).into_response())
}

/// A donor's fundings across projects and administrations, with totals per currency (admins
/// and that donor).
#[utoipa::path(get, path = "/donors/{code}/fundings", tag = "funding", params(("code" = String, Path, example = "SECO")),
    responses((status = 200, description = "Success", body = FundingSummaryView), ReadErrors), security(("bearer" = [])))]
pub async fn of_donor(State(service): State<FundingService>, Auth(who): Auth, Path(code): Path<String>) -> Result<Json<FundingSummaryView>, ApiError> {
    let summary = service.of_donor(&who, &code).await?;
    Ok(Json(FundingSummaryView::from(&summary)))
}
