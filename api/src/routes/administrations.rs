//! `/administrations`: the Programme's members.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use domain::{services::AdministrationService, values::AdministrationCode};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReadErrors, WriteErrors};
use crate::{
    auth::{Auth, Reader},
    dto::{AdministrationList, AdministrationView, CreateAdministration, Localizer},
    error::ApiError,
    extract::{ApiJson, ApiQuery, encode_cursor, page_request, with_etag},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// Lists administrations by code.
#[utoipa::path(get, path = "/administrations", tag = "administrations", params(ListQuery),
    responses((status = 200, description = "Success", body = AdministrationList), ReadErrors), security((), ("bearer" = [])))]
pub async fn list(
    State(service): State<AdministrationService>,
    Reader(who): Reader,
    l: Localizer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<AdministrationList>, ApiError> {
    let page = page_request(q.limit, q.after.as_deref(), AdministrationCode::parse)?;
    let page = service.list(&who, &page).await?;
    Ok(Json(AdministrationList {
        items: page.items.iter().map(|a| AdministrationView::new(a, &l)).collect(),
        next_cursor: page.next.map(|c| encode_cursor(c.as_str())),
    }))
}

/// One administration.
#[utoipa::path(get, path = "/administrations/{code}", tag = "administrations",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code", example = "BOL")),
    responses((status = 200, description = "Success", body = AdministrationView, headers(("ETag" = String))), ReadErrors), security((), ("bearer" = [])))]
pub async fn get(State(service): State<AdministrationService>, Reader(who): Reader, l: Localizer, Path(code): Path<String>) -> Result<Response, ApiError> {
    let code = AdministrationCode::parse(&code).map_err(|_| ApiError::not_found("administration"))?;
    let a = service.get(&who, code).await?;
    Ok(with_etag(StatusCode::OK, a.version, AdministrationView::new(&a, &l)))
}

/// Registers an administration (admins only).
#[utoipa::path(post, path = "/administrations", tag = "administrations", request_body = CreateAdministration,
    responses((status = 201, description = "Created", body = AdministrationView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(
    State(service): State<AdministrationService>,
    Auth(who): Auth,
    l: Localizer,
    ApiJson(body): ApiJson<CreateAdministration>,
) -> Result<Response, ApiError> {
    let a = service.create(&who, &body.into()).await?;
    Ok(with_etag(StatusCode::CREATED, a.version, AdministrationView::new(&a, &l)))
}
