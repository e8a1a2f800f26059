//! The GraphQL face at `/graphql`: the same use cases as REST, read through per-request
//! DataLoaders, with depth, complexity, recursion, directive, batch and page limits; and
//! subscriptions over WebSocket at `/graphql/ws`.

mod clients;
mod cost;
mod errors;
mod loaders;
mod mutation;
mod public;
pub use public::PUBLIC_QUERIES;
mod query;
mod subscription;
mod types;

use std::sync::Arc;

use async_graphql::{BatchRequest, Schema, dataloader::DataLoader};
use async_graphql_axum::GraphQLResponse;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use domain::{ports::ChangeStream, principal::Principal, services::Services};

use self::{
    loaders::{
        AdministrationLoader, Batch, DefinitionLoader, EngagementsOfStakeholder, FundingsOfProject, IndicatorLoader, MeasurementsOfIndicator,
        MilestonesOfProject, ObjectiveLoader, Once, PlanLoader, PortfolioLoader, ProjectsOfPortfolio, ResultsOfPlan, RevisionsOfPlan, RisksOfObjective,
        RisksOfProject, SeriesOfIndicator, SummaryOfPortfolio, TargetsOfIndicator,
    },
    mutation::CoreMutation,
    query::CoreQuery,
    subscription::Subscription,
};
use crate::{auth::Authenticator, error::ApiError, extract::Lang};
pub use subscription::ws;

/// Every query field: the planning core's and the client registry's.
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(CoreQuery, clients::ClientQuery);

/// Every mutation.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(CoreMutation, clients::ClientMutation);

pub type MeridianSchema = Schema<Query, Mutation, Subscription>;

/// Limits of the GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct GraphqlLimits {
    /// Deepest nesting of a query.
    pub max_depth: usize,
    /// Largest cost of a query (see `cost`: a list costs its size times its children).
    pub max_complexity: usize,
    /// Deepest recursion of the parser (fragments, nested lists).
    pub max_recursive_depth: usize,
    /// Most directives on one field.
    pub max_directives: usize,
    /// Most operations in one batch.
    pub max_batch: usize,
    /// Largest `first` of a connection.
    pub max_page_size: u32,
    /// Whether introspection (`__schema`, `__type`) answers.
    pub introspection: bool,
    /// Whether errors suggest the field or type the client probably meant.
    pub suggestions: bool,
    /// Whether `GET /graphql` serves the GraphiQL explorer.
    pub explorer: bool,
}

impl Default for GraphqlLimits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_complexity: 1_000_000,
            max_recursive_depth: 32,
            max_directives: 8,
            max_batch: 10,
            max_page_size: 100,
            introspection: true,
            suggestions: true,
            explorer: true,
        }
    }
}

/// Builds the schema; `services` is absent only when printing the SDL.
pub fn schema(services: Option<Services>, limits: &GraphqlLimits) -> MeridianSchema {
    measured_schema(services, limits, &crate::metrics::Metrics::off())
}

/// [`schema`], with the duration and outcome of each operation recorded in `metrics`.
pub fn measured_schema(services: Option<Services>, limits: &GraphqlLimits, metrics: &crate::metrics::Metrics) -> MeridianSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(limits.max_recursive_depth)
        .limit_directives(limits.max_directives)
        .data(limits.clone());
    if let Some(services) = services {
        builder = builder.data(services);
    }
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    builder = builder.extension(public::PublicSurface);
    if metrics.enabled() {
        builder = builder.extension(crate::metrics::GraphqlMetrics::new(metrics));
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema(None, &GraphqlLimits::default()).sdl()
}

/// What the GraphQL handlers need.
#[derive(Clone)]
pub struct GraphqlState {
    pub schema: MeridianSchema,
    pub services: Services,
    pub auth: Authenticator,
    pub limits: GraphqlLimits,
    /// The changes subscriptions follow.
    pub live: Arc<dyn ChangeStream>,
}

fn graphql_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"errors": [{"message": message, "extensions": {"code": code}}]});
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"meridian\", error=\"invalid_token\""));
    }
    response
}

/// A caller refused before the operation runs, in GraphQL's shape: 401 `UNAUTHENTICATED` with
/// the reason and a `WWW-Authenticate` challenge, or 503 `UNAVAILABLE` with `Retry-After`.
fn refused(e: &ApiError) -> Response {
    match e.status() {
        StatusCode::UNAUTHORIZED => graphql_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", e.detail()),
        StatusCode::SERVICE_UNAVAILABLE => {
            let body = serde_json::json!({"errors": [{"message": e.detail(), "extensions": {"code": "UNAVAILABLE", "retryAfter": crate::error::STORAGE_RETRY_AFTER}}]});
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(crate::error::STORAGE_RETRY_AFTER));
            response
        }
        status => graphql_error(status, "INTERNAL", e.detail()),
    }
}

/// `POST /graphql`: one operation or a batch, as `application/json`.
pub async fn post(State(state): State<GraphqlState>, headers: HeaderMap, body: Bytes) -> Response {
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return graphql_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "BAD_REQUEST", "send operations as application/json");
    }
    let who = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => match state.auth.from_header(value).await {
            Ok((p, _)) => Some(Arc::new(p)),
            Err(e) => return refused(&e),
        },
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return graphql_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &format!("the body is not a GraphQL request: {e}")),
    };
    if let BatchRequest::Batch(list) = &batch
        && list.len() > state.limits.max_batch
    {
        return graphql_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &format!("a batch holds at most {} operations", state.limits.max_batch));
    }
    let mut batch = batch.data(Lang::from_headers(&headers));
    // Without a token the caller is the public reader (see `public`).
    put_caller(&mut batch, &state.services, who.unwrap_or_else(|| Arc::new(Principal::anonymous())), true);
    let mut response = state.schema.execute_batch(batch).await;
    match &mut response {
        async_graphql::BatchResponse::Single(r) => label_errors(r),
        async_graphql::BatchResponse::Batch(list) => list.iter_mut().for_each(label_errors),
    }
    GraphQLResponse::from(response).into_response()
}

/// Errors raised before any resolver ran (parse, validation, limits) get a code too.
fn label_errors(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let too_complex = error.message == "Query is too complex.";
        if too_complex {
            error.message = "the query asks for too much at once: a list costs its page size (or its assumed size) times its fields, \
                and the total is over this server's limit; ask for fewer items, fewer fields, or fewer aliases"
                .into();
        }
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if too_complex {
            extensions.set("code", "QUERY_TOO_COMPLEX");
        } else if extensions.get("code").is_none() {
            extensions.set("code", "GRAPHQL_VALIDATION_FAILED");
        }
    }
}

/// Where the data of a caller goes: a request (or batch), or a WebSocket connection.
pub(crate) trait DataSink {
    fn put<T: std::any::Any + Clone + Send + Sync>(&mut self, value: T);
}

impl DataSink for BatchRequest {
    fn put<T: std::any::Any + Clone + Send + Sync>(&mut self, value: T) {
        for request in self.iter_mut() {
            request.data.insert(value.clone());
        }
    }
}

/// Puts the caller and a fresh set of its loaders into `sink`; `keep` as in [`Once`]: a request
/// keeps what it loaded, a subscription forgets it after each event.
fn put_caller(sink: &mut impl DataSink, services: &Services, who: Arc<Principal>, keep: bool) {
    let b = Batch { services: services.clone(), who: who.clone() };
    sink.put(who);
    sink.put(loader(AdministrationLoader(b.clone()), keep));
    let plans = loader(PlanLoader(b.clone()), keep);
    sink.put(plans.clone());
    sink.put(loader(ObjectiveLoader(b.clone()), keep));
    sink.put(loader(IndicatorLoader(b.clone()), keep));
    sink.put(loader(DefinitionLoader(b.clone()), keep));
    sink.put(loader(RevisionsOfPlan(b.clone()), keep));
    sink.put(loader(MilestonesOfProject(b.clone()), keep));
    sink.put(loader(FundingsOfProject(b.clone()), keep));
    sink.put(loader(RisksOfProject(b.clone()), keep));
    sink.put(loader(RisksOfObjective(b.clone()), keep));
    sink.put(loader(EngagementsOfStakeholder(b.clone()), keep));
    sink.put(loader(PortfolioLoader(b.clone()), keep));
    sink.put(loader(SummaryOfPortfolio(b.clone()), keep));
    sink.put(loader(ProjectsOfPortfolio(b.clone()), keep));
    sink.put(loader(MeasurementsOfIndicator(b.clone()), keep));
    sink.put(loader(TargetsOfIndicator(b.clone()), keep));
    sink.put(loader(SeriesOfIndicator(b.clone()), keep));
    sink.put(loader(ResultsOfPlan { batch: b, plans }, keep));
}

/// A loader that loads each key once per request (`keep`) or once at a time, batching the
/// keys asked together.
fn loader<K, T>(l: T, keep: bool) -> Arc<DataLoader<Once<K, T>>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    T: async_graphql::dataloader::Loader<K, Error = errors::GqlError>,
{
    Arc::new(DataLoader::new(if keep { Once::new(l) } else { Once::forgetful(l) }, tokio::spawn))
}

/// `GET /graphql`: the GraphiQL explorer, or subscriptions when the request is a WebSocket upgrade.
pub async fn explorer(
    State(state): State<GraphqlState>,
    headers: HeaderMap,
    protocol: Result<async_graphql_axum::GraphQLProtocol, StatusCode>,
    upgrade: Result<axum::extract::WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    if let Ok(upgrade) = upgrade {
        return subscription::serve(state, &headers, protocol, upgrade).await;
    }
    if !state.limits.explorer {
        return graphql_error(StatusCode::NOT_FOUND, "NOT_FOUND", "the explorer is switched off");
    }
    Html(include_str!("graphiql.html")).into_response()
}

/// `GET /graphql/assets/{file}`: the explorer's scripts and styles, served from the binary.
pub async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, kind): (&'static [u8], &'static str) = match file.as_str() {
        "graphiql.min.js" => (include_bytes!("../../assets/graphiql/graphiql.min.js"), "text/javascript; charset=utf-8"),
        "graphiql.min.css" => (include_bytes!("../../assets/graphiql/graphiql.min.css"), "text/css; charset=utf-8"),
        "react.production.min.js" => (include_bytes!("../../assets/graphiql/react.production.min.js"), "text/javascript; charset=utf-8"),
        "react-dom.production.min.js" => (include_bytes!("../../assets/graphiql/react-dom.production.min.js"), "text/javascript; charset=utf-8"),
        _ => return graphql_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such asset"),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

#[cfg(test)]
mod contract {
    /// The committed `schema.graphql` is what the code generates. To accept a change, run
    /// `MERIDIAN_UPDATE_CONTRACTS=1 cargo test -p api contract` and commit the file.
    #[test]
    fn committed_schema_matches_the_code() {
        let generated = super::sdl();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
        if std::env::var_os("MERIDIAN_UPDATE_CONTRACTS").is_some() {
            std::fs::write(path, &generated).expect("schema.graphql is writable");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(committed == generated, "schema.graphql differs from the code: run `MERIDIAN_UPDATE_CONTRACTS=1 cargo test -p api contract` and commit it");
    }
}
