//! `/clients`: the machine-client registry. A client gets access tokens at `POST /oauth/token`
//! with its id and secret (OAuth 2.0 client credentials).

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use chrono::{DateTime, Utc};
use domain::{
    client::{ClientInput, MachineClient},
    ids::ClientId,
    services::{ClientService, IssuedSecret},
    values::AdministrationCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ReadErrors, WriteErrors, path_id};
use crate::{
    auth::Auth,
    dto::WebhookOwnerView,
    error::ApiError,
    extract::{ApiJson, ApiQuery, IfMatch, with_etag},
};

/// A new machine client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// The system the client is for, such as `SIPLAN production`.
    pub name: String,
    /// The administration its tokens act for (a planner's own by default).
    pub administration: Option<String>,
    /// Or the donor its tokens read as (admins only).
    pub donor: Option<String>,
    /// What its tokens may write: `plans:write`, `measurements:write`, `webhooks:manage`
    /// (administration clients only).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// After this instant the client gets no token and its tokens stop working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A secret rotation.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// How long the secrets valid until now stay valid, in seconds: 0 to 2,592,000 (30 days),
    /// default 86,400 (24 h).
    #[schema(minimum = 0, maximum = 2_592_000)]
    pub overlap_seconds: Option<i64>,
}

/// One secret of a client (never the secret itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientSecretView {
    pub id: uuid::Uuid,
    pub created_at: DateTime<Utc>,
    /// Set by a rotation: the secret is accepted until then.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A registered machine client.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    /// The `client_id` to send to the token endpoint.
    pub id: uuid::Uuid,
    pub name: String,
    pub owner: WebhookOwnerView,
    /// `integration` (an administration's client) or `donor`.
    pub role: String,
    pub scopes: Vec<String>,
    /// `active`, `revoked` or `expired`.
    pub status: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The secrets accepted now, newest last.
    pub secrets: Vec<ClientSecretView>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&MachineClient> for ClientView {
    fn from(c: &MachineClient) -> Self {
        let now = Utc::now();
        Self {
            id: c.id.as_uuid(),
            name: c.name.clone(),
            owner: WebhookOwnerView { kind: c.owner.kind().to_owned(), code: c.owner.code().to_owned() },
            role: c.owner.role().as_str().to_owned(),
            scopes: c.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            status: c.standing(now).as_str().to_owned(),
            expires_at: c.expires_at,
            revoked_at: c.revoked_at,
            secrets: c.valid_secrets(now).map(|s| ClientSecretView { id: s.id.as_uuid(), created_at: s.created_at, expires_at: s.expires_at }).collect(),
            version: c.version,
            created_by: c.created_by.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A client with a secret just made for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientWithSecret {
    pub client: ClientView,
    /// The secret (`mcs_...`): shown in this answer only; Meridian keeps a hash of it.
    pub client_secret: String,
}

impl From<&IssuedSecret> for ClientWithSecret {
    fn from(i: &IssuedSecret) -> Self {
        Self { client: ClientView::from(&i.client), client_secret: i.secret.clone() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// Only this administration's clients (admins; planners always read their own).
    pub administration: Option<String>,
}

/// The clients the caller manages (an admin's: every one; a planner's: their administration's),
/// oldest first, at most 500.
#[utoipa::path(get, path = "/clients", tag = "clients", params(ClientQuery),
    responses((status = 200, description = "Success", body = ClientList), ReadErrors,
        (status = 403, description = "Roles other than admin and planner", body = crate::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(State(service): State<ClientService>, Auth(who): Auth, ApiQuery(q): ApiQuery<ClientQuery>) -> Result<Json<ClientList>, ApiError> {
    let administration = q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?;
    let items = service.list(&who, administration).await?;
    Ok(Json(ClientList { items: items.iter().map(ClientView::from).collect() }))
}

/// Registers a machine client for an administration (admins; planners for their own) or a
/// donor (admins). The answer carries its secret, shown this once.
#[utoipa::path(post, path = "/clients", tag = "clients", request_body = CreateClient,
    responses((status = 201, description = "Created", body = ClientWithSecret, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn create(State(service): State<ClientService>, Auth(who): Auth, ApiJson(body): ApiJson<CreateClient>) -> Result<Response, ApiError> {
    let input =
        ClientInput { name: Some(body.name), administration: body.administration, donor: body.donor, scopes: Some(body.scopes), expires_at: body.expires_at };
    let issued = service.create(&who, &input).await?;
    Ok(with_etag(StatusCode::CREATED, issued.client.version, ClientWithSecret::from(&issued)))
}

#[utoipa::path(get, path = "/clients/{id}", tag = "clients", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = ClientView, headers(("ETag" = String))), ReadErrors), security(("bearer" = [])))]
pub async fn get(State(service): State<ClientService>, Auth(who): Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    let c = service.get(&who, path_id::<ClientId>(&id, "client")?).await?;
    Ok(with_etag(StatusCode::OK, c.version, ClientView::from(&c)))
}

/// Adds a new secret. The secrets accepted until now stay accepted for `overlap_seconds`
/// (default 24 h), so the partner can switch without a gap. The answer carries the new
/// secret, shown this once.
#[utoipa::path(post, path = "/clients/{id}/secrets", tag = "clients", request_body = RotateSecret,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 201, description = "Created", body = ClientWithSecret, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn rotate(
    State(service): State<ClientService>,
    Auth(who): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<RotateSecret>,
) -> Result<Response, ApiError> {
    let overlap = body.overlap_seconds.map(chrono::Duration::seconds);
    let issued = service.rotate(&who, path_id::<ClientId>(&id, "client")?, overlap, version).await?;
    Ok(with_etag(StatusCode::CREATED, issued.client.version, ClientWithSecret::from(&issued)))
}

/// Revokes the client: no new token, and the tokens it holds stop working within 30 seconds.
/// The record stays for the audit trail; revoking twice changes nothing.
#[utoipa::path(post, path = "/clients/{id}/revoke", tag = "clients", params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "Revoked", body = ClientView, headers(("ETag" = String))), WriteErrors), security(("bearer" = [])))]
pub async fn revoke(State(service): State<ClientService>, Auth(who): Auth, Path(id): Path<String>, IfMatch(version): IfMatch) -> Result<Response, ApiError> {
    let c = service.revoke(&who, path_id::<ClientId>(&id, "client")?, version).await?;
    Ok(with_etag(StatusCode::OK, c.version, ClientView::from(&c)))
}
