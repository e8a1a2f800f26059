//! `/indicator-definitions`: the shared catalogue of standard Customs KPIs.

use axum::{
    Json,
    extract::{Path, State},
};
use domain::services::CatalogueService;

use super::{ReadErrors, administrations::ListQuery, path_id};
use crate::{
    auth::Reader,
    dto::{ComparisonView, DefinitionList, DefinitionView, Localizer},
    error::ApiError,
    extract::{ApiQuery, encode_cursor, page_request},
};

/// Lists the catalogue by code, grouped by WCO PMM dimension through `dimension`.
#[utoipa::path(get, path = "/indicator-definitions", tag = "catalogue", params(ListQuery),
    responses((status = 200, description = "Success", body = DefinitionList), ReadErrors), security((), ("bearer" = [])))]
pub async fn list(
    State(service): State<CatalogueService>,
    Reader(who): Reader,
    l: Localizer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<DefinitionList>, ApiError> {
    let page = page_request(q.limit, q.after.as_deref(), |s| Ok::<_, ()>(s.to_owned()))?;
    let page = service.list(&who, &page).await?;
    Ok(Json(DefinitionList { items: page.items.iter().map(|d| DefinitionView::new(d, &l)).collect(), next_cursor: page.next.map(|c| encode_cursor(&c)) }))
}

/// Like with like: the latest approved value of every administration that adopted this
/// catalogue indicator and lets you see it, with its progress against its own targets.
#[utoipa::path(get, path = "/indicator-definitions/{id}/comparison", tag = "catalogue", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = ComparisonView), ReadErrors), security((), ("bearer" = [])))]
pub async fn comparison(
    State(service): State<CatalogueService>,
    Reader(who): Reader,
    l: Localizer,
    Path(id): Path<String>,
) -> Result<Json<ComparisonView>, ApiError> {
    let comparison = service.comparison(&who, path_id(&id, "indicator definition")?).await?;
    Ok(Json(ComparisonView::new(&comparison, &l)))
}
