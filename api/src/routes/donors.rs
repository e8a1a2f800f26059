//! `/donors`: donors and international organisations.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use domain::{services::DonorService, values::DonorCode};

use super::{ReadErrors, WriteErrors, administrations::ListQuery};
use crate::{
    auth::Auth,
    dto::{CreateDonor, DonorList, DonorView, Localizer, PatchDonor},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

/// Donors by code.
#[utoipa::path(get, path = "/donors", tag = "donors", params(ListQuery),
    responses((status = 200, description = "Success", body = DonorList), ReadErrors), security(("bearer" = [])))]
pub async fn list(State(service): State<DonorService>, Auth(who): Auth, l: Localizer, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<DonorList>, ApiError> {
    let page = page_request(q.limit, q.after.as_deref(), DonorCode::parse)?;
    let page = service.list(&who, &page).await?;
    Ok(Json(DonorList { items: page.items.iter().map(|d| DonorView::new(d, &l)).collect(), next_cursor: page.next.map(|c| encode_cursor(c.as_str())) }))
}

/// Registers a donor (admins only).
#[utoipa::path(post, path = "/donors", tag = "donors", request_body = CreateDonor,
    responses((status = 201, description = "Created", body = DonorView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(State(service): State<DonorService>, Auth(who): Auth, l: Localizer, ApiJson(body): ApiJson<CreateDonor>) -> Result<Response, ApiError> {
    let d = service.create(&who, &body.into()).await?;
    Ok(with_etag(StatusCode::CREATED, d.version, DonorView::new(&d, &l)))
}

/// One donor.
#[utoipa::path(get, path = "/donors/{code}", tag = "donors", params(("code" = String, Path, example = "SECO")),
    responses((status = 200, description = "Success", body = DonorView, headers(("ETag" = String))), ReadErrors), security(("bearer" = [])))]
pub async fn get(State(service): State<DonorService>, Auth(who): Auth, l: Localizer, Path(code): Path<String>) -> Result<Response, ApiError> {
    let d = service.get(&who, &code).await?;
    Ok(with_etag(StatusCode::OK, d.version, DonorView::new(&d, &l)))
}

/// Changes a donor's name or IATI identifier (admins only); the code never changes.
#[utoipa::path(patch, path = "/donors/{code}", tag = "donors", request_body = PatchDonor,
    params(("code" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = DonorView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<DonorService>,
    Auth(who): Auth,
    l: Localizer,
    Path(code): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchDonor>,
) -> Result<Response, ApiError> {
    let d = service.update(&who, &code, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, d.version, DonorView::new(&d, &l)))
}
