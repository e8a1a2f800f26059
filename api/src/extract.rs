//! Request extractors whose failures answer problem+json: JSON bodies (unknown fields refused),
//! query strings, `If-Match`, `Accept-Language`, and opaque pagination cursors.

use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use domain::{page::PageRequest, text::LanguageTag};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body; malformed JSON is a 400, a body of the wrong shape (including unknown fields)
/// a 422 naming the field, a missing JSON content type a 415.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    use axum::http::StatusCode;
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // "Failed to deserialize the JSON body into the target type: title.es: invalid type ..."
            let text = e.body_text();
            let detail = text.split_once("target type: ").map_or(text.as_str(), |(_, rest)| rest).to_owned();
            let (field, message) = match detail.split_once(": ") {
                Some((path, msg)) if !path.contains(' ') => (path.to_owned(), msg.to_owned()),
                _ => (String::new(), detail.clone()),
            };
            let field = if field.is_empty() {
                message
                    .split('`')
                    .nth(1)
                    .filter(|_| message.starts_with("unknown field") || message.starts_with("missing field"))
                    .unwrap_or_default()
                    .to_owned()
            } else {
                field
            };
            ApiError::validation(vec![domain::FieldError::new(field, "invalid_field", message)])
        }
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request("", "invalid_json", "the body is not valid JSON"),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported media type", "send the body as application/json")
        }
        JsonRejection::BytesRejection(_) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", "the body is too large or could not be read")
        }
        _ => ApiError::bad_request("", "invalid_body", "the body could not be read"),
    }
}

/// A query string; a value of the wrong type is a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded_from_str(query).map(Self)
    }
}

fn serde_urlencoded_from_str<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}").parse().map_err(|_| ApiError::bad_request("", "invalid_query", "the query string is malformed"))?,
    )
    .map(|q| q.0)
    .map_err(|e| {
        let text = e.body_text();
        let detail = text.split_once("Failed to deserialize query string: ").map_or(text.as_str(), |(_, rest)| rest).to_owned();
        let field = detail.split('`').nth(1).unwrap_or_default().to_owned();
        ApiError::bad_request(&field, "invalid_query", detail)
    })
}

/// The version named by `If-Match` (`"3"`), if any; `*` names none.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(Self(None));
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(Self(None));
        }
        let version = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).and_then(|t| t.parse::<i64>().ok());
        match version {
            Some(v) => Ok(Self(Some(v))),
            None => Err(ApiError::new(
                axum::http::StatusCode::PRECONDITION_FAILED,
                "stale_version",
                "Precondition failed",
                "If-Match must carry an ETag returned by this API, such as \"3\"",
            )),
        }
    }
}

/// The reader's languages from `Accept-Language`, most preferred first.
#[derive(Debug, Clone, Default)]
pub struct Lang(pub Vec<LanguageTag>);

impl Lang {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Self::default();
        };
        let mut weighted: Vec<(u16, usize, LanguageTag)> = value
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.trim().split(';');
                let tag = LanguageTag::parse(pieces.next()?.trim()).ok()?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1000), |q| q.parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16))?;
                (q > 0).then_some((q, i, tag))
            })
            .collect();
        weighted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Self(weighted.into_iter().map(|(_, _, t)| t).collect())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

/// Encodes a list key as an opaque cursor.
pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{key}"))
}

/// Decodes a cursor made by [`encode_cursor`] and parses its key.
///
/// # Errors
/// 400 naming `after` when the cursor was not made by this API.
pub fn decode_cursor<K, E>(cursor: &str, parse: impl Fn(&str) -> Result<K, E>) -> Result<K, ApiError> {
    let bad = || ApiError::bad_request("after", "invalid_cursor", "`after` must be a next_cursor returned by this API");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let key = text.strip_prefix("v1:").ok_or_else(bad)?;
    parse(key).map_err(|_| bad())
}

/// Builds the page request of a list from `limit` and `after`.
///
/// # Errors
/// 400 for a bad cursor, 422 for a limit out of range.
pub fn page_request<K, E>(limit: Option<u32>, after: Option<&str>, parse: impl Fn(&str) -> Result<K, E>) -> Result<PageRequest<K>, ApiError> {
    let after = after.map(|a| decode_cursor(a, parse)).transpose()?;
    PageRequest::new(limit, after).map_err(ApiError::from)
}

/// The ETag of a resource at `version`.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// A JSON answer carrying the resource's ETag.
pub fn with_etag<T: serde::Serialize>(status: axum::http::StatusCode, version: i64, body: T) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::ETAG, etag(version));
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_ordered_by_quality() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en;q=0.5, es-BO, fr;q=0.8, *;q=0.1, xx_bad"));
        let tags: Vec<String> = Lang::from_headers(&h).0.iter().map(ToString::to_string).collect();
        assert_eq!(tags, ["es-BO", "fr", "en"]);
    }

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let c = encode_cursor("BOL");
        assert_eq!(decode_cursor(&c, |s| Ok::<_, ()>(s.to_owned())).unwrap(), "BOL");
        assert!(decode_cursor("not-base64!", |s| Ok::<_, ()>(s.to_owned())).is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("BOL"), |s| Ok::<_, ()>(s.to_owned())).is_err());
    }
}
