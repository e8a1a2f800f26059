//! Bearer tokens: HS256 JWTs whose `exp`, `iss` and `aud` are required and checked, turned into
//! the domain's verified [`Principal`]. The same settings sign tokens for `meridian token issue`.

use std::{sync::Arc, time::Duration};

use axum::{extract::FromRequestParts, http::request::Parts};
use domain::{
    FieldError,
    principal::{Principal, Role, Scope},
    services::AccessService,
    values::{AdministrationCode, DonorCode},
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Signing settings shared by the server and the token command.
#[derive(Clone)]
pub struct TokenSettings {
    pub secret: String,
    pub issuer: String,
    pub audience: String,
}

impl std::fmt::Debug for TokenSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSettings").field("secret", &"[redacted]").field("issuer", &self.issuer).field("audience", &self.audience).finish()
    }
}

/// The claims Meridian reads.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donor: Option<String>,
    /// Space-separated scopes (`plans:write measurements:write`), for integrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The registered machine client the token was issued to (RFC 9068), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    pub iat: u64,
}

/// What a token is issued for.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub subject: String,
    pub role: Role,
    pub administration: Option<String>,
    pub donor: Option<String>,
    pub scopes: Vec<String>,
    pub ttl: Duration,
}

/// Verifies and issues tokens.
pub struct Tokens {
    settings: TokenSettings,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Tokens {
    pub fn new(settings: TokenSettings) -> Arc<Self> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Arc::new(Self {
            encoding: EncodingKey::from_secret(settings.secret.as_bytes()),
            decoding: DecodingKey::from_secret(settings.secret.as_bytes()),
            validation,
            settings,
        })
    }

    /// Signs a token after checking that it would verify (a planner names its administration, ...).
    ///
    /// # Errors
    /// A field error describing what the request lacks.
    pub fn issue(&self, request: &TokenRequest) -> Result<String, FieldError> {
        let claims_now = now();
        let claims = Claims {
            sub: request.subject.clone(),
            role: request.role.as_str().to_owned(),
            administration: request.administration.clone(),
            donor: request.donor.clone(),
            scope: (!request.scopes.is_empty()).then(|| request.scopes.join(" ")),
            client_id: None,
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            exp: claims_now + request.ttl.as_secs(),
            iat: claims_now,
        };
        principal_of(&claims)?;
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| FieldError::new("token", "signing_failed", e.to_string()))
    }

    /// Signs a token for a caller already verified (a machine client at the token endpoint):
    /// the token and its lifetime in seconds.
    ///
    /// # Errors
    /// A field error when signing fails.
    pub fn issue_for(&self, who: &Principal, ttl: Duration) -> Result<(String, u64), FieldError> {
        let claims_now = now();
        let scopes: Vec<&str> = who.scopes().iter().map(|s| s.as_str()).collect();
        let claims = Claims {
            sub: who.subject().to_owned(),
            role: who.role().as_str().to_owned(),
            administration: who.administration().map(|a| a.to_string()),
            donor: who.donor().map(ToString::to_string),
            scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
            client_id: who.client().map(str::to_owned),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            exp: claims_now + ttl.as_secs(),
            iat: claims_now,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| FieldError::new("token", "signing_failed", e.to_string()))?;
        Ok((token, ttl.as_secs()))
    }

    /// The `iss` of the tokens this server signs.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// # Errors
    /// 401 problem when the token does not verify or names an impossible principal.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        self.verify_until(token).map(|(principal, _)| principal)
    }

    /// As [`Self::verify`], with the token's `exp` (seconds since the epoch), for connections
    /// that outlive a request.
    ///
    /// # Errors
    /// As [`Self::verify`].
    pub fn verify_until(&self, token: &str) -> Result<(Principal, u64), ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            let why = match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "the token has expired",
                jsonwebtoken::errors::ErrorKind::InvalidIssuer => "the token was issued by someone else",
                jsonwebtoken::errors::ErrorKind::InvalidAudience => "the token is meant for another audience",
                jsonwebtoken::errors::ErrorKind::InvalidSignature => "the token signature does not verify",
                jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(_) => "the token lacks exp, iss, aud or sub",
                _ => "the token is not a valid JWT",
            };
            ApiError::unauthenticated("invalid_token", why)
        })?;
        let principal =
            principal_of(&data.claims).map_err(|e| ApiError::unauthenticated("invalid_token", format!("the token's claims are invalid: {}", e.message)))?;
        Ok((principal, data.claims.exp))
    }
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn principal_of(claims: &Claims) -> Result<Principal, FieldError> {
    let role = Role::parse(&claims.role)?;
    let administration = claims.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| e.under("administration"))?;
    let donor = claims.donor.as_deref().map(DonorCode::parse).transpose().map_err(|e| e.under("donor"))?;
    let mut scopes = Vec::new();
    for s in claims.scope.as_deref().unwrap_or_default().split_whitespace() {
        match Scope::parse(s) {
            Some(scope) => scopes.push(scope),
            None => return Err(FieldError::new("scope", "invalid_value", format!("unknown scope `{s}`"))),
        }
    }
    let principal = Principal::new(claims.sub.clone(), role, administration, donor, scopes)?;
    Ok(match &claims.client_id {
        Some(client) => principal.through_client(client.clone()),
        None => principal,
    })
}

/// The token of an `Authorization: Bearer <token>` header value (the scheme is
/// case-insensitive).
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The one place a bearer token becomes a caller, for REST, GraphQL, subscriptions and the
/// idempotency layer alike: the signature and claims are verified, then the administration or
/// donor the token names must exist.
#[derive(Clone)]
pub struct Authenticator {
    pub tokens: Arc<Tokens>,
    pub access: AccessService,
}

impl Authenticator {
    /// # Errors
    /// 401 problem when the token does not verify or cannot be honoured; 503 when storage
    /// cannot tell.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, ApiError> {
        self.authenticate_until(token).await.map(|(principal, _)| principal)
    }

    /// As [`Self::authenticate`], with the token's `exp` (seconds since the epoch), for
    /// connections that outlive a request.
    ///
    /// # Errors
    /// As [`Self::authenticate`].
    pub async fn authenticate_until(&self, token: &str) -> Result<(Principal, u64), ApiError> {
        let (principal, exp) = self.tokens.verify_until(token)?;
        self.access.admit(&principal).await?;
        Ok((principal, exp))
    }

    /// The caller of a request from its `Authorization` header value (`Bearer <token>`).
    ///
    /// # Errors
    /// As [`Self::authenticate`], and 401 for a header of another scheme.
    pub async fn from_header(&self, value: &axum::http::HeaderValue) -> Result<(Principal, u64), ApiError> {
        let value = value.to_str().map_err(|_| ApiError::unauthenticated("invalid_request", "the Authorization header is not text"))?;
        let token = bearer(value).ok_or_else(|| ApiError::unauthenticated("invalid_request", "the Authorization header must use the Bearer scheme"))?;
        self.authenticate_until(token).await
    }
}

/// The verified caller of a request.
pub struct Auth(pub Principal);

impl<S> FromRequestParts<S> for Auth
where
    Authenticator: axum::extract::FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth: Authenticator = axum::extract::FromRef::from_ref(state);
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthenticated("invalid_request", "send `Authorization: Bearer <token>`"))?;
        auth.from_header(header).await.map(|(principal, _)| Auth(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(secret: &str, iss: &str) -> Arc<Tokens> {
        Tokens::new(TokenSettings { secret: secret.into(), issuer: iss.into(), audience: "meridian".into() })
    }

    fn request(role: Role, adm: Option<&str>) -> TokenRequest {
        TokenRequest { subject: "alice".into(), role, administration: adm.map(Into::into), donor: None, scopes: vec![], ttl: Duration::from_secs(60) }
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_required() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("BEARER abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn issued_tokens_verify_into_the_principal() {
        let t = tokens("s3cret", "meridian");
        let token = t.issue(&request(Role::Planner, Some("BOL"))).unwrap();
        let p = t.verify(&token).unwrap();
        assert_eq!(p.role(), Role::Planner);
        assert_eq!(p.administration().unwrap().as_str(), "BOL");
    }

    #[test]
    fn wrong_secret_issuer_or_claims_are_refused() {
        let token = tokens("s3cret", "meridian").issue(&request(Role::Admin, None)).unwrap();
        assert_eq!(tokens("other", "meridian").verify(&token).unwrap_err().status(), 401);
        assert_eq!(tokens("s3cret", "someone-else").verify(&token).unwrap_err().status(), 401);
        assert!(tokens("s3cret", "meridian").issue(&request(Role::Planner, None)).is_err());
    }
}
