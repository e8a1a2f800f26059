//! `/webhooks`: subscriptions to changes, delivered signed (Standard Webhooks), with their log.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use domain::{
    ids::{DeliveryId, SubscriptionId},
    services::WebhookService,
    webhook::DeliveryStatus,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::Auth,
    dto::{CreateWebhook, DeliveryList, DeliveryView, PatchWebhook, WebhookList, WebhookView},
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, encode_cursor, page_request, with_etag},
};

/// The caller's subscriptions (an admin's: every one). Secrets are never listed.
#[utoipa::path(get, path = "/webhooks", tag = "sync",
    responses((status = 200, description = "Success", body = WebhookList), ReadErrors), security(("bearer" = [])))]
pub async fn list(State(service): State<WebhookService>, Auth(who): Auth) -> Result<Json<WebhookList>, ApiError> {
    let items = service.list(&who).await?;
    Ok(Json(WebhookList { items: items.iter().map(|s| WebhookView::new(s, false)).collect(), next_cursor: None }))
}

/// Subscribes the caller's administration (planners, and integrations with `webhooks:manage`) or
/// donor to changes it may see. The answer carries the signing secret, shown this once.
#[utoipa::path(post, path = "/webhooks", tag = "sync", request_body = CreateWebhook,
    responses((status = 201, description = "Created", body = WebhookView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(State(service): State<WebhookService>, Auth(who): Auth, ApiJson(body): ApiJson<CreateWebhook>) -> Result<Response, ApiError> {
    let s = service.create(&who, body.administration.as_deref(), body.donor.as_deref(), &(&body).into()).await?;
    Ok(with_etag(StatusCode::CREATED, s.version, WebhookView::new(&s, true)))
}

#[utoipa::path(get, path = "/webhooks/{id}", tag = "sync", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = WebhookView, headers(("ETag" = String))), ReadErrors), security(("bearer" = [])))]
pub async fn get(State(service): State<WebhookService>, Auth(who): Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = service.get(&who, path_id(&id, "webhook")?).await?;
    Ok(with_etag(StatusCode::OK, s.version, WebhookView::new(&s, false)))
}

#[utoipa::path(patch, path = "/webhooks/{id}", tag = "sync", request_body = PatchWebhook, params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Success", body = WebhookView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn patch(
    State(service): State<WebhookService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PatchWebhook>,
) -> Result<Response, ApiError> {
    let s = service.update(&who, path_id(&id, "webhook")?, &body.into(), version).await?;
    Ok(with_etag(StatusCode::OK, s.version, WebhookView::new(&s, false)))
}

/// Deletes the subscription and its delivery log.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "sync", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"), WriteErrors), security(("bearer" = [])))]
pub async fn delete(State(service): State<WebhookService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    service.delete(&who, path_id(&id, "webhook")?, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Replaces the signing secret; the answer carries the new one, shown this once.
#[utoipa::path(post, path = "/webhooks/{id}/rotate-secret", tag = "sync", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = WebhookView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn rotate_secret(State(service): State<WebhookService>, Auth(who): Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = service.rotate_secret(&who, path_id(&id, "webhook")?).await?;
    Ok(with_etag(StatusCode::OK, s.version, WebhookView::new(&s, true)))
}

/// Queues a `webhook.ping` event, to try the receiver and its signature check.
#[utoipa::path(post, path = "/webhooks/{id}/ping", tag = "sync", params(("id" = uuid::Uuid, Path)),
    responses((status = 202, description = "Queued", body = DeliveryView), WriteErrors), security(("bearer" = [])))]
pub async fn ping(State(service): State<WebhookService>, Auth(who): Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    let d = service.ping(&who, path_id(&id, "webhook")?).await?;
    let view = DeliveryView::from(&domain::services::DeliveryRecord { delivery: d, attempts: Vec::new() });
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// The delivery log, newest first: each event with its status and every attempt (status code,
/// error, duration).
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "sync", params(("id" = uuid::Uuid, Path), DeliveryQuery),
    responses((status = 200, description = "Success", body = DeliveryList), ReadErrors), security(("bearer" = [])))]
pub async fn deliveries(
    State(service): State<WebhookService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    let id: SubscriptionId = path_id(&id, "webhook")?;
    let status = q.status.as_deref().map(DeliveryStatus::parse).transpose().map_err(|e| ApiError::from(e.under("status")))?;
    let page = page_request(q.limit, q.after.as_deref(), str::parse::<DeliveryId>)?;
    let page = service.deliveries(&who, id, status, &page).await?;
    Ok(Json(DeliveryList { items: page.items.iter().map(DeliveryView::from).collect(), next_cursor: page.next.map(|c| encode_cursor(&c.to_string())) }))
}
