//! `/changes`: the change feed partners sync from.

use axum::{Json, extract::State};
use domain::services::{ChangeService, FeedRequest};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ReadErrors;
use crate::{
    auth::Auth,
    dto::{ChangeFeed, ChangeView, change_cursor},
    error::ApiError,
    extract::{ApiQuery, decode_cursor},
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// A `cursor` or `next_cursor` from an earlier read; from the beginning when absent, `latest`
    /// to start from now (the answer's `next_cursor` is the current end of the feed).
    pub after: Option<String>,
    /// Comma-separated entity types (`plan,objective,indicator,target,measurement`); all when absent.
    pub types: Option<String>,
    /// Page size, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Every create, update and delete the caller may see, in commit order. Deletions are tombstones
/// (`operation: delete`). Reading on from any cursor never skips nor repeats a change, even
/// while writes happen: poll with the last `next_cursor`.
#[utoipa::path(get, path = "/changes", tag = "sync", params(ChangeQuery),
    responses((status = 200, description = "Success", body = ChangeFeed), ReadErrors),
    security(("bearer" = [])))]
pub async fn feed(State(service): State<ChangeService>, Auth(who): Auth, ApiQuery(q): ApiQuery<ChangeQuery>) -> Result<Json<ChangeFeed>, ApiError> {
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some("latest") => service.latest().await?,
        Some(cursor) => decode_cursor(cursor, str::parse::<i64>)?,
    };
    let request = FeedRequest::parse(after, q.types.as_deref(), q.limit).map_err(ApiError::validation)?;
    let page = service.feed(&who, request).await?;
    Ok(Json(ChangeFeed { items: page.changes.iter().map(ChangeView::from).collect(), next_cursor: change_cursor(page.next), has_more: page.has_more }))
}
