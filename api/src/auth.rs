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

use crate::{
    error::ApiError,
    keys::{ClaimMapping, ExternalIssuer, ExternalIssuerSettings, SigningKey},
};

/// Signing settings shared by the server and the token command.
pub struct TokenSettings {
    /// The HS256 secret; `None` when only keys sign and verify.
    pub secret: Option<String>,
    /// RS256/ES256 keys: the first signs, all verify and are published.
    pub keys: Vec<SigningKey>,
    pub issuer: String,
    pub audience: String,
    /// An identity provider whose tokens are accepted too.
    pub external: Option<ExternalIssuerSettings>,
}

impl std::fmt::Debug for TokenSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSettings")
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("keys", &self.keys)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("external", &self.external)
            .finish()
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

/// Why a token was not verified.
enum Refusal {
    Invalid(ApiError),
    /// Signed by the external issuer with a key not in the cached set: worth fetching its keys.
    UnknownExternalKey,
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Self::Invalid(e)
    }
}

fn invalid(why: impl Into<String>) -> ApiError {
    ApiError::unauthenticated("invalid_token", why)
}

/// Verifies and issues tokens.
pub struct Tokens {
    settings: TokenSettings,
    hs: Option<(EncodingKey, DecodingKey)>,
    external: Option<ExternalIssuer>,
    jwks: jsonwebtoken::jwk::JwkSet,
}

impl Tokens {
    pub fn new(settings: TokenSettings) -> Arc<Self> {
        Arc::new(Self {
            hs: settings.secret.as_ref().map(|s| (EncodingKey::from_secret(s.as_bytes()), DecodingKey::from_secret(s.as_bytes()))),
            external: settings.external.clone().map(ExternalIssuer::new),
            jwks: crate::keys::public_set(&settings.keys),
            settings,
        })
    }

    /// The public keys of this server's signing keys (`/.well-known/jwks.json`).
    pub fn jwks(&self) -> &jsonwebtoken::jwk::JwkSet {
        &self.jwks
    }

    /// The `iss` of the tokens this server signs.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// Signs claims with the first key, or with the HS256 secret when no key is configured.
    fn sign(&self, claims: &Claims) -> Result<String, FieldError> {
        let failed = |e: jsonwebtoken::errors::Error| FieldError::new("token", "signing_failed", e.to_string());
        if let Some(key) = self.settings.keys.first() {
            let mut header = Header::new(key.algorithm);
            header.kid = Some(key.kid.clone());
            return encode(&header, claims, &key.encoding).map_err(failed);
        }
        match &self.hs {
            Some((encoding, _)) => encode(&Header::new(Algorithm::HS256), claims, encoding).map_err(failed),
            None => Err(FieldError::new("token", "no_signing_key", "no signing key or secret is configured")),
        }
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
        self.sign(&claims)
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
        Ok((self.sign(&claims)?, ttl.as_secs()))
    }

    /// # Errors
    /// 401 problem when the token does not verify or names an impossible principal.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        self.verify_until(token).map(|(principal, _)| principal)
    }

    /// As [`Self::verify`], with the token's `exp` (seconds since the epoch), for connections
    /// that outlive a request. An external issuer's token is checked against its keys as last
    /// fetched.
    ///
    /// # Errors
    /// As [`Self::verify`].
    pub fn verify_until(&self, token: &str) -> Result<(Principal, u64), ApiError> {
        self.check(token).map_err(|r| match r {
            Refusal::Invalid(e) => e,
            Refusal::UnknownExternalKey => invalid("the token is signed with a key its issuer does not publish"),
        })
    }

    fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        validation
    }

    fn check(&self, token: &str) -> Result<(Principal, u64), Refusal> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("the token is not a valid JWT"))?;
        let (ours, iss, aud) = (&self.settings, self.settings.issuer.as_str(), self.settings.audience.as_str());
        match header.alg {
            Algorithm::HS256 => {
                let (_, key) = self.hs.as_ref().ok_or_else(|| invalid("HS256 tokens are not accepted by this server"))?;
                let data = decode::<Claims>(token, key, &Self::validation(Algorithm::HS256, iss, aud)).map_err(rejection)?;
                own_principal(&data.claims)
            }
            Algorithm::RS256 | Algorithm::ES256 => {
                if let Some(key) = ours.keys.iter().find(|k| k.algorithm == header.alg && header.kid.as_deref() == Some(k.kid.as_str())) {
                    let data = decode::<Claims>(token, &key.decoding, &Self::validation(header.alg, iss, aud)).map_err(rejection)?;
                    return own_principal(&data.claims);
                }
                let Some(external) = &self.external else {
                    return Err(invalid("the token is signed with a key this server does not know").into());
                };
                let (Some(key), _) = external.key(header.kid.as_deref(), header.alg) else {
                    return Err(Refusal::UnknownExternalKey);
                };
                let s = &external.settings;
                let data = decode::<serde_json::Value>(token, &key, &Self::validation(header.alg, &s.issuer, &s.audience)).map_err(rejection)?;
                external_principal(&data.claims, &s.mapping).map_err(Refusal::Invalid)
            }
            other => Err(invalid(format!("{other:?} tokens are not accepted: RS256, ES256 or HS256")).into()),
        }
    }
}

fn rejection(e: jsonwebtoken::errors::Error) -> Refusal {
    use jsonwebtoken::errors::ErrorKind as K;
    let why = match e.kind() {
        K::ExpiredSignature => "the token has expired",
        K::ImmatureSignature => "the token is not valid yet (nbf)",
        K::InvalidIssuer => "the token was issued by someone else",
        K::InvalidAudience => "the token is meant for another audience",
        K::InvalidSignature => "the token signature does not verify",
        K::InvalidAlgorithm => "the token's algorithm does not match its key",
        K::MissingRequiredClaim(_) => "the token lacks exp, iss, aud or sub",
        _ => "the token is not a valid JWT",
    };
    Refusal::Invalid(invalid(why))
}

fn own_principal(claims: &Claims) -> Result<(Principal, u64), Refusal> {
    let principal = principal_of(claims).map_err(|e| invalid(format!("the token's claims are invalid: {}", e.message)))?;
    Ok((principal, claims.exp))
}

/// An external issuer's claims, read through the configured mapping.
fn external_principal(claims: &serde_json::Value, mapping: &ClaimMapping) -> Result<(Principal, u64), ApiError> {
    let text = |path: &str| crate::keys::claim(claims, path).and_then(serde_json::Value::as_str).map(str::to_owned);
    let values = |path: &str| -> Vec<String> {
        match crate::keys::claim(claims, path) {
            Some(serde_json::Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
            Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    };
    let role = values(&mapping.role)
        .iter()
        .find_map(|r| Role::parse(r.strip_prefix(mapping.role_prefix.as_str()).unwrap_or(r)).ok())
        .ok_or_else(|| invalid(format!("the token's `{}` claim names no Meridian role", mapping.role)))?;
    let claims_of_ours = Claims {
        sub: text("sub").unwrap_or_default(),
        role: role.as_str().to_owned(),
        administration: text(&mapping.administration),
        donor: text(&mapping.donor),
        scope: Some(values(&mapping.scope).into_iter().filter(|s| Scope::parse(s).is_some()).collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty()),
        client_id: None,
        iss: text("iss").unwrap_or_default(),
        aud: String::new(),
        exp: crate::keys::claim(claims, "exp").and_then(serde_json::Value::as_u64).unwrap_or_default(),
        iat: 0,
    };
    let principal = principal_of(&claims_of_ours).map_err(|e| invalid(format!("the token's claims are invalid: {}", e.message)))?;
    Ok((principal, claims_of_ours.exp))
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
///
/// A cheap handle (one shared allocation): the router clones it for every request.
#[derive(Clone)]
pub struct Authenticator(Arc<AuthenticatorParts>);

/// What an [`Authenticator`] holds.
pub struct AuthenticatorParts {
    pub tokens: Arc<Tokens>,
    pub access: AccessService,
}

impl std::ops::Deref for Authenticator {
    type Target = AuthenticatorParts;

    fn deref(&self) -> &AuthenticatorParts {
        &self.0
    }
}

impl Authenticator {
    pub fn new(tokens: Arc<Tokens>, access: AccessService) -> Self {
        Self(Arc::new(AuthenticatorParts { tokens, access }))
    }

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
        let (principal, exp) = match self.tokens.check(token) {
            Ok(verified) => verified,
            Err(Refusal::Invalid(e)) => return Err(e),
            Err(Refusal::UnknownExternalKey) => {
                // The issuer may have rotated its keys: fetch them (not too often) and try again.
                if let Some(external) = &self.tokens.external
                    && external.may_refresh()
                    && let Err(e) = external.refresh().await
                {
                    tracing::warn!(error = %e, "the external issuer's keys could not be fetched");
                }
                self.tokens.verify_until(token)?
            }
        };
        let principal = self.access.admitted(principal).await?;
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

/// The caller of a route that also serves the public: the verified caller, or the anonymous
/// reader when the request has no `Authorization` header (one that does not verify is still
/// 401). The domain decides what the anonymous reader sees: `public` data only.
pub struct Reader(pub Principal);

impl<S> FromRequestParts<S> for Reader
where
    Authenticator: axum::extract::FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(axum::http::header::AUTHORIZATION) {
            Auth::from_request_parts(parts, state).await.map(|Auth(who)| Self(who))
        } else {
            Ok(Self(Principal::anonymous()))
        }
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
        Tokens::new(TokenSettings { secret: Some(secret.into()), keys: vec![], issuer: iss.into(), audience: "meridian".into(), external: None })
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
