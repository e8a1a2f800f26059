//! Meridian's driving adapters: the REST face under `/api/v1` with its OpenAPI document and
//! Swagger UI, bearer-token authentication, problem+json errors, and the HTTP layer stack
//! (request ids, tracing, body limit, timeout, CORS), and `/metrics` for Prometheus.

pub mod auth;
pub mod dto;
pub mod error;
pub mod extract;
pub mod graphql;
pub mod iati;
pub mod idempotency;
pub mod keys;
pub mod limits;
pub mod metrics;
pub mod oauth;
mod routes;
pub mod state;

use std::time::Duration;

use axum::{
    Router,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{HeaderName, HeaderValue, StatusCode},
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

pub use state::ApiState;

/// HTTP limits.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest request body accepted, in bytes (413 beyond), REST and GraphQL alike.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 408.
    pub request_timeout: Duration,
    /// Longest a bulk import (`POST /api/v1/import`) may take.
    pub import_timeout: Duration,
    /// Limits of the GraphQL endpoint.
    pub graphql: graphql::GraphqlLimits,
    /// Which web origins may call the API from a browser.
    pub cors: CorsOrigins,
    /// Whether Swagger UI is served at `/docs` (the OpenAPI document is served either way).
    pub swagger_ui: bool,
    /// Request budgets (429 beyond).
    pub limits: limits::RateLimits,
}

/// The web origins a browser may call the API from (CORS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// None: browsers refuse cross-origin calls (Swagger UI and GraphiQL, served by Meridian
    /// itself, need no CORS).
    #[default]
    None,
    /// Any origin (`*`), for development.
    Any,
    /// These origins exactly (`https://portal.example.org`).
    List(Vec<String>),
}

impl CorsOrigins {
    /// Parses `*`, or a comma-separated list of origins (`scheme://host[:port]`, no path), or
    /// nothing.
    ///
    /// # Errors
    /// A message naming the entry that is not an origin.
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(Self::None);
        }
        if input == "*" {
            return Ok(Self::Any);
        }
        let mut origins = Vec::new();
        for raw in input.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
            let host_ok = rest.is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')));
            if !host_ok {
                return Err(format!("`{raw}` is not an origin such as https://portal.example.org (scheme, host and port only)"));
            }
            origins.push(raw.to_ascii_lowercase());
        }
        Ok(Self::List(origins))
    }
}

/// The CORS layer for `origins`, if any: the methods and headers the API uses, and the
/// response headers a browser client needs to read.
fn cors_layer(origins: &CorsOrigins) -> Option<CorsLayer> {
    use axum::http::{Method, header};
    let allowed = match origins {
        CorsOrigins::None => return None,
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok())),
    };
    Some(
        CorsLayer::new()
            .allow_origin(allowed)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::ACCEPT_LANGUAGE,
                header::IF_MATCH,
                header::IF_NONE_MATCH,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("x-request-id"),
            ])
            .expose_headers([
                header::ETAG,
                header::LOCATION,
                header::RETRY_AFTER,
                HeaderName::from_static("x-request-id"),
                HeaderName::from_static("idempotent-replayed"),
            ])
            .max_age(Duration::from_secs(3600)),
    )
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            import_timeout: Duration::from_secs(300),
            graphql: graphql::GraphqlLimits::default(),
            cors: CorsOrigins::None,
            swagger_ui: true,
            limits: limits::RateLimits::default(),
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Meridian",
        description = "System of record for the strategic plans of Customs administrations: plans, objectives, \
indicators, targets and measurements, with progress computed from them.\n\n\
Authenticate with `Authorization: Bearer <JWT>`. Lists use cursor pagination (`limit`, `after`, `next_cursor`). \
Every resource carries an `ETag`; send it back in `If-Match` to update safely (412 when it changed meanwhile). \
Multilingual fields are returned as the best match for `Accept-Language` next to the full `*_translations` map. \
Errors are RFC 9457 `application/problem+json`. \
Every POST takes an `Idempotency-Key` (1–255 visible ASCII characters): a retry with the same key and body gets the first \
answer again (with `Idempotent-Replayed: true`) for 24 hours; the same key with another body is 422 `idempotency_key_reused`; \
a retry while the first request still runs is 409 `idempotency_key_in_use`. Keys are the client's own.",
        license(name = "Apache-2.0"),
        version = "1.0.0"
    ),
    servers((url = "/", description = "This server")),
    components(schemas(error::Problem, error::ProblemField)),
    modifiers(&SecurityAddon),
    tags(
        (name = "administrations", description = "Customs administrations, the tenants"),
        (name = "plans", description = "Strategic plans and their lifecycle"),
        (name = "objectives", description = "The objective tree of a plan"),
        (name = "indicators", description = "Performance indicators of objectives"),
        (name = "results", description = "Targets, measurements, review and progress"),
        (name = "catalogue", description = "Standard Customs KPIs shared by every administration"),
        (name = "assessments", description = "Capability assessments: the starting point of an administration"),
        (name = "practices", description = "The practice library: best practices, challenges, opportunities, lessons learned"),
        (name = "projects", description = "Projects, the things to do, their milestones, and the portfolios that group them"),
        (name = "stakeholders", description = "Stakeholders and their roles on objectives and projects"),
        (name = "donors", description = "Donors and international organisations"),
        (name = "funding", description = "Donors' commitments to projects and their IATI-typed transactions"),
        (name = "audit", description = "Who changed what, and when"),
        (name = "clients", description = "Machine clients of partner systems, and the OAuth 2.0 token endpoint they get tokens from"),
        (name = "sync", description = "The change feed and webhooks that partner systems sync from"),
        (name = "exports", description = "Read-only exports: IATI 2.03 activities, and everything you may read as NDJSON"),
        (name = "health", description = "Probes")
    )
)]
struct ApiDoc;

struct SecurityAddon;

/// Declares the `Idempotency-Key` header on every POST operation (applied to the finished
/// document: the routes are added after `ApiDoc`'s own modifiers run).
struct IdempotencyAddon;

impl Modify for IdempotencyAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        for item in openapi.paths.paths.values_mut() {
            if let Some(post) = item.post.as_mut() {
                let parameter = ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(utoipa::openapi::Required::False)
                    .description(Some("Makes a retry safe: the same key and body replay the first answer for 24 hours"))
                    .schema(Some(
                        utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String).min_length(Some(1)).max_length(Some(255)),
                    ))
                    .build();
                post.parameters.get_or_insert_with(Vec::new).push(parameter);
            }
        }
    }
}

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT (ES256 or RS256 with a `kid` published at `/.well-known/jwks.json`, or HS256 in development) with `sub`, \
                         `role`, `administration` or `donor`, `iss`, `aud` and `exp`; machine clients get one at `/oauth/token`",
                    ))
                    .build(),
            ),
        );
        use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Scopes};
        let scopes = Scopes::from_iter([
            ("plans:write", "plans, objectives, indicators and targets"),
            ("measurements:write", "measurements and their review"),
            ("webhooks:manage", "the administration's webhook subscriptions"),
        ]);
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new("/oauth/token", scopes))],
                "How a machine client gets the bearer token (OAuth 2.0 client credentials)",
            )),
        );
    }
}

fn api_routes() -> OpenApiRouter<ApiState> {
    use routes::{
        administrations, assessments, audit, catalogue, changes, clients, donors, export, fundings, health, iati, import, indicators, objectives, plans,
        portfolios, practices, projects, results, risks, stakeholders, webhooks,
    };
    let v1 = OpenApiRouter::new()
        .routes(routes!(administrations::list, administrations::create))
        .routes(routes!(administrations::get))
        .routes(routes!(plans::list, plans::create))
        .routes(routes!(plans::get, plans::patch, plans::delete))
        .routes(routes!(plans::transition))
        .routes(routes!(plans::scorecard))
        .routes(routes!(plans::revisions))
        .routes(routes!(plans::revision))
        .routes(routes!(objectives::list, objectives::create))
        .routes(routes!(objectives::get, objectives::patch, objectives::delete))
        .routes(routes!(objectives::upsert))
        .routes(routes!(indicators::list, indicators::create))
        .routes(routes!(indicators::get, indicators::patch, indicators::delete))
        .routes(routes!(results::targets))
        .routes(routes!(results::put_target))
        .routes(routes!(results::measurements))
        .routes(routes!(results::measurement, results::put_measurement))
        .routes(routes!(results::review))
        .routes(routes!(results::progress))
        .routes(routes!(catalogue::list))
        .routes(routes!(catalogue::comparison))
        .routes(routes!(audit::list))
        .routes(routes!(changes::feed))
        .routes(routes!(import::import))
        .routes(routes!(clients::list, clients::create))
        .routes(routes!(clients::get))
        .routes(routes!(clients::rotate))
        .routes(routes!(clients::revoke))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::get, webhooks::patch, webhooks::delete))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::ping))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(assessments::list, assessments::create))
        .routes(routes!(assessments::compare))
        .routes(routes!(assessments::get, assessments::patch, assessments::delete))
        .routes(routes!(practices::list, practices::create))
        .routes(routes!(practices::get, practices::patch, practices::delete))
        .routes(routes!(practices::transition))
        .routes(routes!(donors::list, donors::create))
        .routes(routes!(donors::get, donors::patch))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::get, projects::patch, projects::delete))
        .routes(routes!(projects::transition))
        .routes(routes!(projects::upsert))
        .routes(routes!(projects::add_milestone))
        .routes(routes!(projects::patch_milestone, projects::delete_milestone))
        .routes(routes!(portfolios::list, portfolios::create))
        .routes(routes!(portfolios::get, portfolios::patch, portfolios::delete))
        .routes(routes!(fundings::of_project, fundings::commit))
        .routes(routes!(fundings::record))
        .routes(routes!(fundings::of_donor))
        .routes(routes!(risks::of_project, risks::add_to_project))
        .routes(routes!(risks::of_objective, risks::add_to_objective))
        .routes(routes!(risks::patch, risks::delete))
        .routes(routes!(stakeholders::list, stakeholders::create))
        .routes(routes!(stakeholders::get, stakeholders::patch, stakeholders::delete))
        .routes(routes!(stakeholders::engage))
        .routes(routes!(stakeholders::disengage))
        .routes(routes!(iati::activities))
        .routes(routes!(export::export));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(crate::oauth::token))
        .routes(routes!(crate::oauth::metadata))
        .routes(routes!(crate::oauth::jwks))
}

/// The OpenAPI document, as served at `/api/v1/openapi.json` and committed as `api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api_routes().split_for_parts().1;
    IdempotencyAddon.modify(&mut doc);
    doc
}

/// The whole HTTP application.
pub fn router(state: ApiState, http: &HttpSettings) -> Router {
    let (api, mut openapi) = api_routes().split_for_parts();
    IdempotencyAddon.modify(&mut openapi);
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let route = req.extensions().get::<MatchedPath>().map_or("-", MatchedPath::as_str).to_owned();
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
            tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    let graphql_state = graphql::GraphqlState {
        schema: graphql::measured_schema(Some(state.services.clone()), &http.graphql, &state.metrics),
        services: state.services.clone(),
        auth: state.auth.clone(),
        limits: http.graphql.clone(),
        live: state.live.clone(),
    };
    let graphql = Router::new()
        .route("/graphql", axum::routing::post(graphql::post).get(graphql::explorer))
        .route("/graphql/assets/{file}", axum::routing::get(graphql::asset))
        .route("/graphql/ws", axum::routing::get(graphql::ws))
        .with_state(graphql_state);
    let (state_services, state_auth, metrics) = (state.services.clone(), state.auth.clone(), state.metrics.clone());
    let limiter = limits::Limiter::new(&http.limits, state_auth.tokens.clone());
    limiter.forget_idle_every_minute();
    let rest: Router = if http.swagger_ui {
        api.merge(SwaggerUi::new("/docs").url("/api/v1/openapi.json", openapi)).with_state(state)
    } else {
        // The document alone, rendered once: partners generate clients from it.
        let document = openapi.to_json().unwrap_or_default();
        let serve = move || std::future::ready(([(axum::http::header::CONTENT_TYPE, "application/json")], document.clone()));
        api.route("/api/v1/openapi.json", axum::routing::get(serve)).with_state(state)
    };
    // An import may be larger than other bodies; its own handler enforces its limit.
    let idempotency = idempotency::IdempotencyLayer {
        service: state_services.idempotency.clone(),
        auth: state_auth,
        body_limit: http.body_limit.max(routes::import::IMPORT_BODY_LIMIT),
    };
    // Off, `/metrics` is not routed: it answers 404 like any unknown path.
    let scrape =
        if metrics.enabled() { Router::new().route("/metrics", axum::routing::get(metrics::scrape)).with_state(metrics.clone()) } else { Router::new() };
    let app = rest
        .merge(graphql)
        .merge(scrape)
        .fallback(error::fallback)
        .layer(axum::middleware::from_fn_with_state(std::sync::Arc::new(idempotency), idempotency::layer))
        .layer(DefaultBodyLimit::max(http.body_limit))
        .layer(tower::util::option_layer(cors_layer(&http.cors)))
        .layer(axum::middleware::from_fn_with_state((http.request_timeout, http.import_timeout), time_limit))
        // One middleware for both edge concerns (each layer costs an allocation per request).
        .layer(axum::middleware::from_fn_with_state(limiter, edge))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid));
    if metrics.enabled() { app.layer(axum::middleware::from_fn_with_state(metrics, metrics::track)) } else { app }
}

/// How long shared caches may keep a public answer (read without a token).
pub const PUBLIC_MAX_AGE: u32 = 60;

/// The request budgets, then the answer's `Cache-Control`.
async fn edge(state: axum::extract::State<limits::Limiter>, request: Request, next: axum::middleware::Next) -> axum::response::Response {
    let read = request.method() == axum::http::Method::GET;
    let anonymous = !request.headers().contains_key(axum::http::header::AUTHORIZATION);
    let probe = request.uri().path().starts_with("/health/") || request.uri().path() == "/metrics";
    let response = limits::layer(state, request, next).await;
    cache_control(response, read && !probe, anonymous)
}

/// `Cache-Control` of reads that do not set their own: a successful read without a token is the
/// same for everyone, so caches and CDNs may keep it a minute; with a token it is the caller's
/// alone. Either way the answer varies with `Authorization`.
fn cache_control(mut response: axum::response::Response, cacheable_read: bool, anonymous: bool) -> axum::response::Response {
    if cacheable_read && !response.headers().contains_key(axum::http::header::CACHE_CONTROL) {
        let value = if anonymous && response.status() == StatusCode::OK {
            axum::http::HeaderValue::from_str(&format!("public, max-age={PUBLIC_MAX_AGE}")).unwrap_or(axum::http::HeaderValue::from_static("public"))
        } else {
            axum::http::HeaderValue::from_static("private")
        };
        response.headers_mut().insert(axum::http::header::CACHE_CONTROL, value);
        response.headers_mut().append(axum::http::header::VARY, axum::http::HeaderValue::from_static("Authorization"));
    }
    response
}

/// Answers 408 when a request runs past its limit: the import's own, or the general one.
async fn time_limit(
    axum::extract::State((general, import)): axum::extract::State<(Duration, Duration)>,
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let limit = if request.uri().path() == "/api/v1/import" { import } else { general };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::response::IntoResponse::into_response(error::ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "Request timeout",
            format!("the request took longer than {} s and was stopped; a write it made is rolled back unless it had committed", limit.as_secs()),
        )),
    }
}

#[cfg(test)]
mod contract {
    /// The committed OpenAPI document is what the code generates. To accept a change, run
    /// `MERIDIAN_UPDATE_CONTRACTS=1 cargo test -p api contract` and commit `api/openapi.json`.
    #[test]
    fn committed_openapi_document_matches_the_code() {
        let generated = super::openapi().to_pretty_json().expect("the document serialises") + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        if std::env::var_os("MERIDIAN_UPDATE_CONTRACTS").is_some() {
            std::fs::write(path, &generated).expect("api/openapi.json is writable");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(committed == generated, "api/openapi.json differs from the code: run `MERIDIAN_UPDATE_CONTRACTS=1 cargo test -p api contract` and commit it");
    }
}
