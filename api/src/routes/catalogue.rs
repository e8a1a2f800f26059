//! `/indicator-definitions`: the shared catalogue of standard Customs KPIs.

use axum::{Json, extract::State};
use domain::services::CatalogueService;

use super::{ReadErrors, administrations::ListQuery};
use crate::{
    auth::Auth,
    dto::{DefinitionList, DefinitionView, Localizer},
    error::ApiError,
    extract::{ApiQuery, encode_cursor, page_request},
};

/// Lists the catalogue by code, grouped by WCO PMM dimension through `dimension`.
#[utoipa::path(get, path = "/indicator-definitions", tag = "catalogue", params(ListQuery),
    responses((status = 200, description = "Success", body = DefinitionList), ReadErrors), security(("bearer" = [])))]
pub async fn list(
    State(service): State<CatalogueService>,
    Auth(who): Auth,
    l: Localizer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<DefinitionList>, ApiError> {
    let page = page_request(q.limit, q.after.as_deref(), |s| Ok::<_, ()>(s.to_owned()))?;
    let page = service.list(&who, &page).await?;
    Ok(Json(DefinitionList { items: page.items.iter().map(|d| DefinitionView::new(d, &l)).collect(), next_cursor: page.next.map(|c| encode_cursor(&c)) }))
}
