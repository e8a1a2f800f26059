//! `Idempotency-Key` on every POST (REST and GraphQL): the first answer is kept for the client
//! and replayed to a retry with the same key and the same request; the same key with another
//! request is refused (422), and a retry while the first request still runs gets 409.
//! The rules are the domain's (`domain::idempotency`); this layer reads and writes HTTP.

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use domain::{
    idempotency::{Claim, IdempotencyKey, StoredResponse},
    principal::Principal,
    services::IdempotencyService,
};
use sha2::{Digest, Sha256};

use crate::{auth::Authenticator, error::ApiError};

pub const HEADER: &str = "idempotency-key";
/// Set on a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// What the layer needs.
#[derive(Clone)]
pub struct IdempotencyLayer {
    pub service: IdempotencyService,
    pub auth: Authenticator,
    pub body_limit: usize,
}

/// The headers of an answer worth replaying.
const KEPT_HEADERS: [header::HeaderName; 3] = [header::CONTENT_TYPE, header::ETAG, header::LOCATION];

/// Frees the key if the request is abandoned (timed out, client gone) before its answer is kept.
struct Hold {
    service: IdempotencyService,
    who: Principal,
    key: IdempotencyKey,
    settled: bool,
}

impl Drop for Hold {
    fn drop(&mut self) {
        if !self.settled {
            let (service, who, key) = (self.service.clone(), self.who.clone(), self.key.clone());
            tokio::spawn(async move {
                if let Err(e) = service.release(&who, &key).await {
                    tracing::warn!(error = %e, "an abandoned idempotency key could not be freed; it frees itself later");
                }
            });
        }
    }
}

pub async fn layer(State(layer): State<std::sync::Arc<IdempotencyLayer>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(raw) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    let graphql = request.uri().path().starts_with("/graphql");
    let refuse = |e: ApiError| if graphql { e.into_graphql_response() } else { e.into_response() };
    let key = match raw.to_str().map_err(|_| ()).and_then(|r| IdempotencyKey::parse(r).map_err(|_| ())) {
        Ok(key) => key,
        Err(()) => {
            return refuse(ApiError::bad_request(
                "Idempotency-Key",
                "invalid_idempotency_key",
                "an Idempotency-Key is 1 to 255 visible ASCII characters, such as a UUID",
            ));
        }
    };
    // A key belongs to a verified client; without one the handler answers 401 as usual.
    let who = match request.headers().get(header::AUTHORIZATION) {
        Some(value) => match layer.auth.from_header(value).await {
            Ok((who, _)) => who,
            Err(_) => return next.run(request).await,
        },
        None => return next.run(request).await,
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, layer.body_limit).await else {
        return refuse(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            format!("the body exceeds {} bytes", layer.body_limit),
        ));
    };
    let target = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
    let described = format!("{} {target}", parts.method);
    let fingerprint = {
        let mut h = Sha256::new();
        h.update(described.as_bytes());
        h.update(b"\n");
        h.update(&bytes);
        h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    match layer.service.claim(&who, &key, &described, &fingerprint).await {
        Err(e) => refuse(ApiError::from(e)),
        Ok(Claim::Replay(stored)) => replay(&stored),
        Ok(Claim::InFlight) => {
            let mut r = refuse(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "Conflict",
                "a request with this Idempotency-Key is still being processed; retry shortly to get its answer",
            ));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
        Ok(Claim::Mismatch { first_used_for }) => refuse(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "Idempotency-Key reused",
            format!("this Idempotency-Key was first used for {first_used_for} with another body; use a new key for a new request"),
        )),
        Ok(Claim::Proceed) => {
            let mut hold = Hold { service: layer.service.clone(), who, key, settled: false };
            let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (mut head, body) = response.into_parts();
            let Ok(body) = to_bytes(body, usize::MAX).await else {
                return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "the answer could not be read").into_response();
            };
            if let Ok(text) = std::str::from_utf8(&body) {
                let stored = StoredResponse {
                    status: head.status.as_u16(),
                    headers: KEPT_HEADERS
                        .iter()
                        .filter_map(|h| head.headers.get(h).and_then(|v| v.to_str().ok()).map(|v| (h.as_str().to_owned(), v.to_owned())))
                        .collect(),
                    body: text.to_owned(),
                };
                match layer.service.finish(&hold.who, &hold.key, &stored).await {
                    Ok(()) => hold.settled = true,
                    Err(e) => tracing::error!(error = %e, "the answer could not be kept for its Idempotency-Key"),
                }
            }
            head.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(head, Body::from(body))
        }
    }
}

fn replay(stored: &StoredResponse) -> Response {
    let mut response = (StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK), stored.body.clone()).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (name, value) in &stored.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.insert(n, v);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
