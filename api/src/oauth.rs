//! The OAuth 2.0 token endpoint for machine clients (RFC 6749 §4.4, client credentials) and the
//! authorization server's metadata (RFC 8414).
//!
//! Written here rather than with `oxide-auth`: that crate models every grant around a registered
//! redirect URI (its `Grant` requires one, which machine clients do not have), its core is
//! synchronous while our registry lives in the database, and it hashes with `rust-argon2` beside
//! the `argon2` crate the registry uses. The protocol surface of this one grant is small: a form
//! body, HTTP Basic or `client_secret_post` authentication, and the §5.1/§5.2 JSON answers.

use std::time::Duration;

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::Engine;
use domain::services::TokenRefusal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::state::ApiState;

/// The token endpoint's settings.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// Lifetime of an access token.
    pub token_ttl: Duration,
    /// The server's public base URL (`https://meridian.example.org`), for the metadata; without
    /// it, the URL the request came to.
    pub public_url: Option<String>,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self { token_ttl: Duration::from_secs(15 * 60), public_url: None }
    }
}

pub const TOKEN_PATH: &str = "/oauth/token";

/// A token request (`application/x-www-form-urlencoded`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenForm {
    /// `client_credentials`.
    pub grant_type: Option<String>,
    /// Space-separated scopes, a subset of the client's; all of them when absent.
    pub scope: Option<String>,
    /// With `client_secret_post` (or send both in HTTP Basic instead).
    pub client_id: Option<String>,
    /// With `client_secret_post`.
    pub client_secret: Option<String>,
}

/// RFC 6749 §5.1.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds the token is valid.
    pub expires_in: u64,
    /// The scopes granted, space-separated (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// RFC 6749 §5.2.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenError {
    /// `invalid_request`, `invalid_client`, `invalid_scope` or `unsupported_grant_type`.
    pub error: &'static str,
    pub error_description: String,
}

/// Token answers are never cached (RFC 6749 §5.1).
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn refuse(error: &'static str, description: impl Into<String>) -> Response {
    let status = if error == "invalid_client" { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
    let mut response = (status, Json(TokenError { error, error_description: description.into() })).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"meridian\""));
    }
    no_store(response)
}

/// Decodes one `application/x-www-form-urlencoded` value (RFC 6749 §2.3.1 encodes the id and
/// secret so before Basic-encoding them).
fn form_decoded(raw: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={raw}")).ok()?.pop().map(|(_, v)| v)
}

/// The client's id and secret from `Authorization: Basic`, if sent that way; `Err` when the
/// header is there but is not that.
fn basic(headers: &HeaderMap) -> Result<Option<(String, String)>, ()> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let credentials = || -> Option<(String, String)> {
        let (scheme, encoded) = value.to_str().ok()?.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        Some((form_decoded(id)?, form_decoded(secret)?))
    };
    credentials().map(Some).ok_or(())
}

/// Exchanges a machine client's credentials for a short-lived access token (OAuth 2.0 client
/// credentials grant). Authenticate with HTTP Basic (`client_secret_basic`) or with
/// `client_id` and `client_secret` in the form (`client_secret_post`), not both. Errors follow
/// RFC 6749 §5.2: `invalid_client` (401 with `WWW-Authenticate`: unknown client, wrong secret,
/// revoked or expired client), `invalid_scope`, `unsupported_grant_type`, `invalid_request`.
#[utoipa::path(post, path = "/oauth/token", tag = "clients",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A bearer token", body = TokenResponse, headers(("Cache-Control" = String))),
        (status = 400, description = "`invalid_request`, `invalid_scope` or `unsupported_grant_type`", body = TokenError),
        (status = 401, description = "`invalid_client`", body = TokenError, headers(("WWW-Authenticate" = String))),
        (status = 429, description = "Too many requests from this address", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot answer right now", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn token(State(state): State<ApiState>, headers: HeaderMap, body: Bytes) -> Response {
    let form_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return refuse("invalid_request", "send the request as application/x-www-form-urlencoded");
    }
    let Ok(form) = serde_urlencoded::from_bytes::<TokenForm>(&body) else {
        return refuse("invalid_request", "the form cannot be read (each parameter at most once)");
    };
    let Ok(from_header) = basic(&headers) else {
        return refuse("invalid_client", "the Authorization header is not `Basic base64(client_id:client_secret)`");
    };
    let (client_id, secret) = match (from_header, form.client_id, form.client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return refuse("invalid_request", "authenticate the client one way: HTTP Basic or client_id and client_secret in the form");
        }
        (Some(credentials), None, None) => credentials,
        (None, Some(id), Some(secret)) => (id, secret),
        (None, _, _) => return refuse("invalid_client", "authenticate the client with HTTP Basic, or client_id and client_secret in the form"),
    };
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(other) => return refuse("unsupported_grant_type", format!("`{other}` is not supported: use client_credentials")),
        None => return refuse("invalid_request", "grant_type is required (client_credentials)"),
    }
    let outcome = match state.services.clients.authenticate(&client_id, &secret, form.scope.as_deref()).await {
        Ok(outcome) => outcome,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (client, scopes) = match outcome {
        Ok(granted) => granted,
        Err(TokenRefusal::InvalidClient) => return refuse("invalid_client", "the client is unknown, its secret is wrong, or it was revoked or has expired"),
        Err(TokenRefusal::InvalidScope(why)) => return refuse("invalid_scope", why),
    };
    let issued = client.principal(scopes).map_err(|e| e.message).and_then(|who| {
        let (token, expires_in) = state.auth.tokens.issue_for(&who, state.oauth.token_ttl).map_err(|e| e.message)?;
        Ok(TokenResponse {
            access_token: token,
            token_type: "Bearer",
            expires_in,
            scope: (!who.scopes().is_empty()).then(|| who.scopes().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
        })
    });
    match issued {
        Ok(answer) => no_store(Json(answer).into_response()),
        Err(why) => {
            tracing::error!(error = %why, "a token could not be signed");
            crate::error::ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "the token could not be signed").into_response()
        }
    }
}

/// The public keys of this server's signing keys (RFC 7517), for verifying its tokens.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "clients",
    responses((status = 200, description = "A JWK set; empty while tokens are HS256-signed", body = Object)))]
pub async fn jwks(State(state): State<ApiState>) -> Response {
    let mut response = Json(state.auth.tokens.jwks().clone()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

/// RFC 8414 metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerMetadata {
    /// The `iss` of Meridian's tokens.
    pub issuer: String,
    pub token_endpoint: String,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    /// None: Meridian issues tokens to machine clients only (no authorization endpoint).
    pub response_types_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
    pub service_documentation: String,
    /// Where the public keys of Meridian's tokens are (when they are signed with RS256 or ES256).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
}

/// Where standard OAuth client libraries find the token endpoint (RFC 8414).
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "clients",
    responses((status = 200, description = "The authorization server's metadata", body = ServerMetadata)))]
pub async fn metadata(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    let base = match &state.oauth.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost")),
    };
    let body = ServerMetadata {
        issuer: state.auth.tokens.issuer().to_owned(),
        token_endpoint: format!("{base}{TOKEN_PATH}"),
        token_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
        grant_types_supported: vec!["client_credentials"],
        response_types_supported: Vec::new(),
        scopes_supported: domain::principal::Scope::ALL.iter().map(|s| s.as_str()).collect(),
        service_documentation: format!("{base}/docs"),
        jwks_uri: (!state.auth.tokens.jwks().keys.is_empty()).then(|| format!("{base}/.well-known/jwks.json")),
    };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
