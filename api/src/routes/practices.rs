//! `/practices`: the practice library shared across the Programme.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{
    ids::PracticeId,
    practice::{PracticeInput, PracticeStatus},
    services::{PracticeQuery, PracticeService},
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::{Auth, Reader},
    dto::{CreatePractice, Localizer, PatchPractice, PracticeList, PracticeView, Transition},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PracticeListQuery {
    /// Words to find in any language of title, body or tags (accents ignored, prefixes match).
    pub q: Option<String>,
    /// `best_practice`, `challenge`, `opportunity` or `lesson_learned`.
    pub kind: Option<String>,
    pub tag: Option<String>,
    /// `draft` or `published`.
    pub status: Option<String>,
    /// The writing administration.
    pub administration: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// Searches the library: published practices of every administration, and your own drafts.
#[utoipa::path(get, path = "/practices", tag = "practices", params(PracticeListQuery),
    responses((status = 200, description = "Success", body = PracticeList), ReadErrors), security((), ("bearer" = [])))]
pub async fn list(
    State(service): State<PracticeService>,
    Reader(who): Reader,
    l: Localizer,
    ApiQuery(q): ApiQuery<PracticeListQuery>,
) -> Result<Json<PracticeList>, ApiError> {
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<PracticeId>)?;
    let query = PracticeQuery { q: q.q, kind: q.kind, tag: q.tag, status: q.status, administration: q.administration };
    let page = service.list(&who, &query, &page).await?;
    Ok(Json(PracticeList {
        items: page.items.iter().map(|p| PracticeView::new(p, &l)).collect(),
        next_cursor: page.next.map(|c| encode_cursor(&c.to_string())),
    }))
}

/// Writes a draft practice.
#[utoipa::path(post, path = "/practices", tag = "practices", request_body = CreatePractice,
    responses((status = 201, description = "Created", body = PracticeView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(
    State(service): State<PracticeService>,
    Auth(who): Auth,
    l: Localizer,
    ApiJson(body): ApiJson<CreatePractice>,
) -> Result<Response, ApiError> {
    let (administration, input): (Option<String>, PracticeInput) = body.into();
    let p = service.create(&who, administration.as_deref(), &input).await?;
    Ok(with_etag(StatusCode::CREATED, p.version, PracticeView::new(&p, &l)))
}

/// One practice.
#[utoipa::path(get, path = "/practices/{id}", tag = "practices", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = PracticeView, headers(("ETag" = String))), ReadErrors), security((), ("bearer" = [])))]
pub async fn get(State(service): State<PracticeService>, Reader(who): Reader, l: Localizer, Path(id): Path<String>) -> Result<Response, ApiError> {
    let p = service.get(&who, path_id(&id, "practice")?).await?;
    Ok(with_etag(StatusCode::OK, p.version, PracticeView::new(&p, &l)))
}

/// Changes the given fields.
#[utoipa::path(patch, path = "/practices/{id}", tag = "practices", request_body = PatchPractice,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = PracticeView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<PracticeService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchPractice>,
) -> Result<Response, ApiError> {
    let p = service.update(&who, path_id(&id, "practice")?, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, p.version, PracticeView::new(&p, &l)))
}

/// Deletes a practice.
#[utoipa::path(delete, path = "/practices/{id}", tag = "practices", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<PracticeService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "practice")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `{"to": "published"}` shares the practice with every administration and donor;
/// `{"to": "draft"}` withdraws it.
#[utoipa::path(post, path = "/practices/{id}/transitions", tag = "practices", request_body = Transition,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = PracticeView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn transition(
    State(service): State<PracticeService>,
    Auth(who): Auth,
    l: Localizer,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<Transition>,
) -> Result<Response, ApiError> {
    let to = PracticeStatus::parse(&body.to).map_err(|e| ApiError::from(e.under("to")))?;
    let p = service.transition(&who, path_id(&id, "practice")?, to, version).await?;
    Ok(with_etag(StatusCode::OK, p.version, PracticeView::new(&p, &l)))
}
