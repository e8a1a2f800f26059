//! `/portfolios`: how an administration groups its projects, with the roll-up of each group.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{ids::PortfolioId, portfolio::PortfolioInput, services::PortfolioService, values::AdministrationCode};

use super::{ReadErrors, WriteErrors, assessments::AssessmentQuery, path_id};
use crate::{
    auth::Auth,
    dto::{CreatePortfolio, Localizer, PatchPortfolio, PortfolioList, PortfolioSummaryView, PortfolioView},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

/// Your administration's portfolios (admins: all). `GET /projects?portfolio=` lists the
/// projects of one.
#[utoipa::path(get, path = "/portfolios", tag = "projects", params(AssessmentQuery),
    responses((status = 200, description = "Success", body = PortfolioList), ReadErrors), security(("bearer" = [])))]
pub async fn list(
    State(service): State<PortfolioService>,
    Auth(who): Auth,
    l: Localizer,
    ApiQuery(q): ApiQuery<AssessmentQuery>,
) -> Result<Json<PortfolioList>, ApiError> {
    let administration = q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?;
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<PortfolioId>)?;
    let page = service.list(&who, administration, &page).await?;
    Ok(Json(PortfolioList {
        items: page.items.iter().map(|p| PortfolioView::new(p, None, &l)).collect(),
        next_cursor: page.next.map(|c| encode_cursor(&c.to_string())),
    }))
}

/// Creates a portfolio.
#[utoipa::path(post, path = "/portfolios", tag = "projects", request_body = CreatePortfolio,
    responses((status = 201, description = "Created", body = PortfolioView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(
    State(service): State<PortfolioService>,
    Auth(who): Auth,
    l: Localizer,
    ApiJson(body): ApiJson<CreatePortfolio>,
) -> Result<Response, ApiError> {
    let (administration, input): (Option<String>, PortfolioInput) = body.into();
    let p = service.create(&who, administration.as_deref(), &input).await?;
    Ok(with_etag(StatusCode::CREATED, p.version, PortfolioView::new(&p, None, &l)))
}

/// A portfolio with the roll-up of its projects: counts by status, budgets per currency,
/// overdue milestones.
#[utoipa::path(get, path = "/portfolios/{id}", tag = "projects", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = PortfolioView, headers(("ETag" = String))), ReadErrors), security(("bearer" = [])))]
pub async fn get(State(service): State<PortfolioService>, Auth(who): Auth, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = service.get(&who, path_id(&id, "portfolio")?).await?;
    let summary = PortfolioSummaryView::new(&r.summary, r.as_of);
    Ok(with_etag(StatusCode::OK, r.portfolio.version, PortfolioView::new(&r.portfolio, Some(summary), &l)))
}

/// Changes the given fields.
#[utoipa::path(patch, path = "/portfolios/{id}", tag = "projects", request_body = PatchPortfolio, params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = PortfolioView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<PortfolioService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchPortfolio>,
) -> Result<Response, ApiError> {
    let p = service.update(&who, path_id(&id, "portfolio")?, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, p.version, PortfolioView::new(&p, None, &l)))
}

/// Deletes an empty portfolio (409 `portfolio_not_empty` while projects belong to it).
#[utoipa::path(delete, path = "/portfolios/{id}", tag = "projects", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<PortfolioService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "portfolio")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
