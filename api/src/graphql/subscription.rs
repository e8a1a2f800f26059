//! The subscription root: live updates over WebSocket (`/graphql/ws`, or `/graphql` with an
//! upgrade; protocols `graphql-transport-ws` and the older `graphql-ws`), fed from the change feed
//! as changes commit in any server process. Each change is checked against the feed's rule for
//! the caller, and its object is loaded through the same use case as a query, so a subscriber
//! receives exactly what it could read, as it stands when the event is sent.

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use async_graphql::{Context, Data, Executor, ID, Result, SimpleObject, Subscription as GqlSubscription};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{
        State, WebSocketUpgrade,
        ws::{WebSocket, rejection::WebSocketUpgradeRejection},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use domain::{
    DomainError,
    audit::ChangeRecord,
    ids::{IndicatorId, MeasurementId, PlanId, ProjectId},
    measurement as dm, plan as dp,
    ports::{ChangeFollower, ChangeStream},
    principal::Principal,
    project as dpr,
    services::Services,
    values::AdministrationCode,
    webhook::event_type,
};
use futures_util::{Stream, StreamExt, stream, stream::BoxStream};

use super::{
    GraphqlState, MeridianSchema,
    errors::{OrGql, domain_error, invalid, unauthenticated},
    graphql_error, label_errors, put_caller,
    types::{Measurement, Plan, PlanStatus, Project, ProjectStatus, ReviewStatus, uuid_of, who},
};
use crate::extract::Lang;

pub struct Subscription;

/// A measurement that changed, as the subscriber may read it now.
#[derive(SimpleObject)]
pub struct MeasurementEvent {
    /// The change's position in the feed (`GET /api/v1/changes`).
    pub seq: i64,
    /// What happened: `create` or `update` (a value recorded), `review:submitted`,
    /// `review:approved`, `review:returned`, `review:draft`.
    pub action: String,
    pub at: DateTime<Utc>,
    pub measurement: Measurement,
}

/// A plan whose status changed, as the subscriber may read it now.
#[derive(SimpleObject)]
pub struct PlanEvent {
    /// The change's position in the feed (`GET /api/v1/changes`).
    pub seq: i64,
    /// `transition:<status>`, e.g. `transition:active`.
    pub action: String,
    pub at: DateTime<Utc>,
    pub plan: Plan,
}

/// A project whose status changed, as the subscriber may read it now.
#[derive(SimpleObject)]
pub struct ProjectEvent {
    /// The change's position in the feed (`GET /api/v1/changes`).
    pub seq: i64,
    /// `transition:<status>`, e.g. `transition:in_progress`.
    pub action: String,
    pub at: DateTime<Utc>,
    pub project: Project,
}

/// Narrows measurement events to an indicator or a plan.
struct MeasurementScope {
    indicator: Option<IndicatorId>,
    plan: Option<PlanId>,
}

impl MeasurementScope {
    fn parse(indicator_id: Option<&ID>, plan_id: Option<&ID>) -> Result<Self> {
        Ok(Self {
            indicator: indicator_id.map(|id| uuid_of("Indicator", id).map(IndicatorId::from_uuid)).transpose()?,
            plan: plan_id.map(|id| uuid_of("Plan", id).map(PlanId::from_uuid)).transpose()?,
        })
    }
}

fn administration_arg(administration: Option<String>) -> Result<Option<AdministrationCode>> {
    administration.map(|a| AdministrationCode::parse(&a).map_err(|e| invalid("administration", e.message))).transpose()
}

/// When the connection's token expires: its subscriptions end then.
#[derive(Debug, Clone, Copy)]
struct Expiry(SystemTime);

/// What one subscription needs: the caller, the use cases, and its place in the stream.
struct Live {
    follower: Box<dyn ChangeFollower>,
    services: Services,
    who: Arc<Principal>,
    expires: Option<SystemTime>,
    /// Set once the token has expired: the next poll ends the stream.
    ended: bool,
}

impl Live {
    async fn start(ctx: &Context<'_>) -> Result<Self> {
        let who = who(ctx)?.clone();
        let services = ctx.data::<Services>()?.clone();
        let follower = ctx.data::<Arc<dyn ChangeStream>>()?.follow().await.map_err(DomainError::from).gql()?;
        let expires = ctx.data_opt::<Expiry>().map(|e| e.0);
        Ok(Self { follower, services, who, expires, ended: false })
    }

    /// The events `load` makes of the changes `wanted` picks and the caller may see. An object
    /// the caller may not read (or that is gone) is skipped; other failures are sent as errors.
    /// When the token expires, an `UNAUTHENTICATED` error is sent and the stream ends.
    fn events<T, W, F, Fut>(self, wanted: W, load: F) -> impl Stream<Item = Result<T>>
    where
        T: Send + 'static,
        W: Fn(&ChangeRecord) -> bool + Send + 'static,
        F: Fn(Services, Arc<Principal>, ChangeRecord) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<T>, DomainError>> + Send,
    {
        stream::unfold((self, wanted, load), |(mut live, wanted, load)| async move {
            if live.ended {
                return None;
            }
            loop {
                let left = live.expires.map(|at| at.duration_since(SystemTime::now()).unwrap_or_default());
                let next = live.follower.next();
                let change = match left {
                    Some(left) => match tokio::time::timeout(left, next).await {
                        Ok(change) => change?,
                        Err(_) => {
                            live.ended = true;
                            return Some((Err(unauthenticated("the token has expired: subscribe again with a new one")), (live, wanted, load)));
                        }
                    },
                    None => next.await?,
                };
                if !wanted(&change) {
                    continue;
                }
                let outcome = match live.services.changes.admits(&live.who, &change.change).await {
                    Ok(true) => load(live.services.clone(), live.who.clone(), change).await,
                    Ok(false) => Ok(None),
                    Err(e) => Err(e),
                };
                match outcome {
                    Ok(Some(event)) => return Some((Ok(event), (live, wanted, load))),
                    Ok(None) | Err(DomainError::NotFound { .. } | DomainError::Forbidden(_)) => {}
                    Err(e) => return Some((Err(domain_error(e)), (live, wanted, load))),
                }
            }
        })
    }
}

fn is_event(change: &ChangeRecord, event: &str) -> bool {
    event_type(&change.change) == event
}

async fn measurement_event(
    services: &Services,
    who: &Principal,
    change: ChangeRecord,
    scope: &MeasurementScope,
) -> Result<Option<MeasurementEvent>, DomainError> {
    let Ok(id) = change.change.entity_id.parse::<MeasurementId>() else { return Ok(None) };
    let (m, plan) = services.results.measurement_by_id(who, id).await?;
    if scope.indicator.is_some_and(|i| i != m.indicator_id) || scope.plan.is_some_and(|p| p != plan) {
        return Ok(None);
    }
    Ok(Some(MeasurementEvent { seq: change.seq, action: change.change.action, at: change.change.at, measurement: Measurement(m) }))
}

#[GqlSubscription]
impl Subscription {
    /// A value recorded for a measurement (a new period, or a value recorded again), once it
    /// commits. `indicatorId` or `planId` (global id or UUID) narrow it. Readers outside the
    /// measurement's administration see only disclosed measurements, with their approved value.
    async fn measurement_recorded(
        &self,
        ctx: &Context<'_>,
        indicator_id: Option<ID>,
        plan_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<MeasurementEvent>>> {
        let scope = Arc::new(MeasurementScope::parse(indicator_id.as_ref(), plan_id.as_ref())?);
        let live = Live::start(ctx).await?;
        Ok(live.events(
            |c| is_event(c, "measurement.created") || is_event(c, "measurement.updated"),
            move |services, who, change| {
                let scope = scope.clone();
                async move { measurement_event(&services, &who, change, &scope).await }
            },
        ))
    }

    /// A measurement that moved through its review (submitted, approved, returned, back to
    /// draft); `status` keeps the moves to that status. `indicatorId` or `planId` narrow it.
    async fn measurement_reviewed(
        &self,
        ctx: &Context<'_>,
        indicator_id: Option<ID>,
        plan_id: Option<ID>,
        status: Option<ReviewStatus>,
    ) -> Result<impl Stream<Item = Result<MeasurementEvent>>> {
        reviewed(ctx, indicator_id, plan_id, status).await
    }

    /// A measurement approved: `measurementReviewed(status: APPROVED)`, the value that now counts
    /// for progress.
    async fn measurement_approved(
        &self,
        ctx: &Context<'_>,
        indicator_id: Option<ID>,
        plan_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<MeasurementEvent>>> {
        reviewed(ctx, indicator_id, plan_id, Some(ReviewStatus::Approved)).await
    }

    /// A plan that moved to another status (`to` keeps the moves to that one). `planId` (global
    /// id or UUID) or `administration` narrow it. Readers outside the plan's administration
    /// receive published plans only.
    async fn plan_status_changed(
        &self,
        ctx: &Context<'_>,
        plan_id: Option<ID>,
        administration: Option<String>,
        to: Option<PlanStatus>,
    ) -> Result<impl Stream<Item = Result<PlanEvent>>> {
        let plan = plan_id.map(|id| uuid_of("Plan", &id).map(PlanId::from_uuid)).transpose()?;
        let administration = administration_arg(administration)?;
        let action = to.map(|s| format!("transition:{}", dp::PlanStatus::from(s).as_str()));
        let live = Live::start(ctx).await?;
        Ok(live.events(
            move |c| {
                is_event(c, "plan.status_changed")
                    && plan.is_none_or(|p| c.change.entity_id == p.to_string())
                    && administration.is_none_or(|a| c.change.administration == Some(a))
                    && action.as_ref().is_none_or(|a| &c.change.action == a)
            },
            |services, who, change| async move {
                let Ok(id) = change.change.entity_id.parse::<PlanId>() else { return Ok(None) };
                let plan = services.plans.get(&who, id).await?;
                Ok(Some(PlanEvent { seq: change.seq, action: change.change.action, at: change.change.at, plan: Plan(plan) }))
            },
        ))
    }

    /// A project that moved to another status (`to` keeps the moves to that one). `projectId`
    /// (global id or UUID) or `administration` narrow it. Donors receive the projects they fund.
    async fn project_status_changed(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        administration: Option<String>,
        to: Option<ProjectStatus>,
    ) -> Result<impl Stream<Item = Result<ProjectEvent>>> {
        let project = project_id.map(|id| uuid_of("Project", &id).map(ProjectId::from_uuid)).transpose()?;
        let administration = administration_arg(administration)?;
        let action = to.map(|s| format!("transition:{}", dpr::ProjectStatus::from(s).as_str()));
        let live = Live::start(ctx).await?;
        Ok(live.events(
            move |c| {
                is_event(c, "project.status_changed")
                    && project.is_none_or(|p| c.change.entity_id == p.to_string())
                    && administration.is_none_or(|a| c.change.administration == Some(a))
                    && action.as_ref().is_none_or(|a| &c.change.action == a)
            },
            |services, who, change| async move {
                let Ok(id) = change.change.entity_id.parse::<ProjectId>() else { return Ok(None) };
                let report = services.projects.get(&who, id).await?;
                Ok(Some(ProjectEvent { seq: change.seq, action: change.change.action, at: change.change.at, project: Project(report.project) }))
            },
        ))
    }
}

async fn reviewed(
    ctx: &Context<'_>,
    indicator_id: Option<ID>,
    plan_id: Option<ID>,
    status: Option<ReviewStatus>,
) -> Result<impl Stream<Item = Result<MeasurementEvent>>> {
    let scope = Arc::new(MeasurementScope::parse(indicator_id.as_ref(), plan_id.as_ref())?);
    let action = status.map(|s| format!("review:{}", dm::ReviewStatus::from(s).as_str()));
    let live = Live::start(ctx).await?;
    Ok(live.events(
        move |c| is_event(c, "measurement.status_changed") && action.as_ref().is_none_or(|a| &c.change.action == a),
        move |services, who, change| {
            let scope = scope.clone();
            async move { measurement_event(&services, &who, change, &scope).await }
        },
    ))
}

// ------------------------------------------------------------------ transport

/// The message of a connection refused for want of a token (a WebSocket close reason: short).
const NO_TOKEN: &str = "authentication required: send {\"Authorization\": \"Bearer <token>\"} in connection_init";

/// `GET /graphql/ws`: subscriptions over WebSocket. The bearer token comes from the upgrade
/// request's `Authorization` header or from the `connection_init` payload
/// (`{"Authorization": "Bearer <token>"}`); without one the connection is refused.
pub async fn ws(
    State(state): State<GraphqlState>,
    headers: HeaderMap,
    protocol: Result<GraphQLProtocol, StatusCode>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(upgrade) = upgrade else {
        return graphql_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "open a WebSocket (graphql-transport-ws) here to subscribe; queries go to POST /graphql");
    };
    serve(state, &headers, protocol, upgrade).await
}

/// Upgrades to a GraphQL WebSocket connection, refusing an invalid token in the header at once.
pub(super) async fn serve(state: GraphqlState, headers: &HeaderMap, protocol: Result<GraphQLProtocol, StatusCode>, upgrade: WebSocketUpgrade) -> Response {
    let Ok(protocol) = protocol else {
        return graphql_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "name the subprotocol graphql-transport-ws (or graphql-ws) in Sec-WebSocket-Protocol");
    };
    let from_header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => match state.auth.from_header(value).await {
            Ok(p) => Some(p),
            Err(e) => return super::refused(&e),
        },
    };
    let lang = Lang::from_headers(headers);
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket: WebSocket| {
            let schema = Labelled(state.schema.clone());
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move { connection_data(&state, &payload, from_header, lang).await })
                .serve()
        })
        .into_response()
}

/// The schema, with the codes `POST /graphql` gives to errors raised before any resolver ran.
#[derive(Clone)]
struct Labelled(MeridianSchema);

impl Executor for Labelled {
    fn execute(&self, request: async_graphql::Request) -> impl Future<Output = async_graphql::Response> + Send {
        let schema = self.0.clone();
        async move {
            let mut response = schema.execute(request).await;
            label_errors(&mut response);
            response
        }
    }

    fn execute_stream(&self, request: async_graphql::Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, async_graphql::Response> {
        Executor::execute_stream(&self.0, request, session_data)
            .map(|mut response| {
                label_errors(&mut response);
                response
            })
            .boxed()
    }
}

/// The connection's caller (from `connection_init`, else from the upgrade request) and loaders.
async fn connection_data(state: &GraphqlState, payload: &serde_json::Value, from_header: Option<(Principal, u64)>, lang: Lang) -> Result<Data> {
    let token = payload.as_object().and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization"))).map(|(_, v)| v.as_str().unwrap_or_default());
    let (who, exp) = match (token, from_header) {
        (Some(value), _) => match crate::auth::bearer(value) {
            Some(t) => state.auth.authenticate_until(t).await.map_err(|e| async_graphql::Error::new(e.detail()))?,
            None => return Err(async_graphql::Error::new("the authorization must use the Bearer scheme")),
        },
        (None, Some(p)) => p,
        (None, None) => return Err(async_graphql::Error::new(NO_TOKEN)),
    };
    let mut data = Data::default();
    data.insert(lang);
    data.insert(Expiry(SystemTime::UNIX_EPOCH + Duration::from_secs(exp)));
    data.insert(state.live.clone());
    put_caller(&mut data, &state.services, Arc::new(who), false);
    Ok(data)
}

impl super::DataSink for Data {
    fn put<T: std::any::Any + Clone + Send + Sync>(&mut self, value: T) {
        self.insert(value);
    }
}
