//! GraphQL subscriptions over WebSocket (graphql-transport-ws): live measurement, plan and
//! project events, filtered to what the subscriber may read, across server processes on one
//! database (LISTEN/NOTIFY on PostgreSQL, the poll on SQLite), and refused without a token.

use std::time::Duration;

use api::auth::TokenRequest;
use domain::principal::Role;
use futures_util::{SinkExt, StreamExt};
use meridian::{Application, Settings, settings::DemoMode};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::helpers::{SECRET, TestApp, id};

/// How long a test waits for an event before it fails.
const WAIT: Duration = Duration::from_secs(10);
/// Time for the server to start following the changes after `subscribe` (the protocol has no
/// acknowledgement of a subscription).
const SETTLE: Duration = Duration::from_millis(600);

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// A graphql-transport-ws client.
struct Client {
    socket: Socket,
}

impl Client {
    /// Opens `path` with `header` as the upgrade's `Authorization` and `init` as the
    /// `connection_init` payload; returns the socket without waiting for the answer.
    async fn open(base: &str, path: &str, header: Option<&str>, init: Value) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("{}{path}", base.replacen("http://", "ws://", 1)).into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
        if let Some(token) = header {
            request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
        }
        let (mut socket, _) = connect_async(request).await?;
        socket.send(Message::text(json!({"type": "connection_init", "payload": init}).to_string())).await.unwrap();
        Ok(socket)
    }

    /// Connects as `token` (sent in `connection_init`) and waits for the acknowledgement.
    async fn connect(app: &TestApp, token: &str) -> Self {
        Self::connect_to(&app.base, "/graphql/ws", token).await
    }

    async fn connect_to(base: &str, path: &str, token: &str) -> Self {
        let socket = Self::open(base, path, None, json!({"Authorization": format!("Bearer {token}")})).await.unwrap();
        let mut client = Self { socket };
        let ack = client.message().await.expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        client
    }

    /// The next text message (answering pings), or `None` when the server closes.
    async fn message(&mut self) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.socket.next()).await.expect("the server answers in time")?.ok()?;
            match msg {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] == "ping" {
                        self.socket.send(Message::text(json!({"type": "pong"}).to_string())).await.unwrap();
                        continue;
                    }
                    return Some(value);
                }
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// Starts the subscription `id`.
    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let msg = json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}});
        self.socket.send(Message::text(msg.to_string())).await.unwrap();
    }

    /// Lets the subscriptions just sent start following the changes.
    async fn settle(&self) {
        tokio::time::sleep(SETTLE).await;
    }

    /// The next event's data, with the id of the subscription it belongs to.
    async fn event(&mut self) -> (String, Value) {
        let msg = self.message().await.expect("an event, not the end of the connection");
        assert_eq!(msg["type"], "next", "{msg}");
        assert!(msg["payload"]["errors"].is_null(), "{msg}");
        (msg["id"].as_str().unwrap().to_owned(), msg["payload"]["data"].clone())
    }
}

const RECORDED: &str =
    "subscription($indicator: ID) { measurementRecorded(indicatorId: $indicator) { seq action measurement { uuid period value status indicator { uuid } } } }";
const APPROVED: &str = "subscription($plan: ID) { measurementApproved(planId: $plan) { seq action measurement { uuid period value approvedValue status indicator { uuid latestApprovedMeasurement { period } } } } }";
const PLANS: &str = "subscription($plan: ID) { planStatusChanged(planId: $plan) { seq action plan { uuid status title } } }";
const PROJECTS: &str = "subscription { projectStatusChanged { action project { uuid status } } }";

/// Fast enough on SQLite, where the poll is the only signal.
fn fast_poll(s: &mut Settings) {
    s.live_poll_interval = Duration::from_millis(100);
}

#[tokio::test]
async fn a_subscriber_receives_measurements_recorded_and_approved_and_plan_and_project_transitions_live() {
    let app = TestApp::spawn_with(fast_poll).await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let indicator = id(&app.create_indicator(&per, &objective, json!({})).await);

    let mut ws = Client::connect(&app, &app.viewer("PER")).await;
    ws.subscribe("recorded", RECORDED, json!({"indicator": indicator})).await;
    ws.subscribe("approved", APPROVED, json!({"plan": plan})).await;
    ws.subscribe("plans", PLANS, json!({"plan": plan})).await;
    ws.subscribe("projects", PROJECTS, json!({})).await;
    ws.settle().await;

    app.put(&format!("/api/v1/indicators/{indicator}/measurements/2023"), &per, json!({"value": "42.5"})).await.assert(201);
    let (sub, data) = ws.event().await;
    assert_eq!(sub, "recorded");
    let event = &data["measurementRecorded"];
    assert_eq!(event["action"], "create");
    assert_eq!(event["measurement"]["period"], "2023");
    assert_eq!(event["measurement"]["value"], "42.5");
    assert_eq!(event["measurement"]["status"], "DRAFT");
    assert_eq!(event["measurement"]["indicator"]["uuid"], indicator.as_str());

    let transitions = format!("/api/v1/indicators/{indicator}/measurements/2023/transitions");
    app.post(&transitions, &per, json!({"to": "submitted"})).await.assert(200);
    app.post(&transitions, &app.admin(), json!({"to": "approved"})).await.assert(200);
    let (sub, data) = ws.event().await;
    assert_eq!(sub, "approved", "a submission is no approval: {data}");
    let event = &data["measurementApproved"];
    assert_eq!(event["action"], "review:approved");
    assert_eq!(event["measurement"]["status"], "APPROVED");
    assert_eq!(event["measurement"]["approvedValue"], "42.5");
    assert_eq!(event["measurement"]["indicator"]["latestApprovedMeasurement"]["period"], "2023");

    // Relations are loaded afresh for each event, not kept from the first one.
    app.approved_measurement(&per, &indicator, "2024", "50").await;
    let (mut recorded, mut approved) = (None, None);
    while recorded.is_none() || approved.is_none() {
        let (sub, data) = ws.event().await;
        let slot = if sub == "recorded" { &mut recorded } else { &mut approved };
        assert!(slot.replace(data).is_none(), "one event each");
    }
    assert_eq!(recorded.unwrap()["measurementRecorded"]["measurement"]["period"], "2024");
    let approved = approved.unwrap();
    assert_eq!(approved["measurementApproved"]["measurement"]["indicator"]["latestApprovedMeasurement"]["period"], "2024", "{approved}");

    app.advance_plan(&plan, "active").await;
    let (mut seen, mut seqs) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let (sub, data) = ws.event().await;
        assert_eq!(sub, "plans");
        let event = &data["planStatusChanged"];
        assert_eq!(event["plan"]["uuid"], plan.as_str());
        assert_eq!(event["plan"]["title"], "Plan Estratégico", "loaded as the subscriber reads it");
        seen.push((event["action"].as_str().unwrap().to_owned(), event["plan"]["status"].as_str().unwrap().to_owned()));
        seqs.push(event["seq"].as_i64().unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in feed order: {seqs:?}");
    // The action names each move; the plan is sent as it stands when the event goes out.
    assert_eq!(seen.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["transition:under_review", "transition:approved", "transition:active"]);
    assert_eq!(seen[2].1, "ACTIVE");

    let body =
        json!({"code": "P1", "title": {"es": "Ventanilla única"}, "planned_start": "2024-01-15", "planned_end": "2026-06-30", "objective_ids": [objective]});
    let project = id(&app.post("/api/v1/projects", &per, body).await.assert(201).clone());
    app.post(&format!("/api/v1/projects/{project}/transitions"), &per, json!({"to": "approved"})).await.assert(200);
    let (sub, data) = ws.event().await;
    assert_eq!(sub, "projects");
    assert_eq!(data["projectStatusChanged"], json!({"action": "transition:approved", "project": {"uuid": project, "status": "APPROVED"}}));
}

#[tokio::test]
async fn another_administrations_viewer_does_not_receive_private_objects() {
    let app = TestApp::spawn_with(fast_poll).await;
    let per = app.planner("PER");
    let draft = id(&app.create_plan(&per, json!({})).await);
    let draft_objective = id(&app.create_objective(&per, &draft, json!({"code": "SO1", "title": {"es": "Privado"}})).await);
    let draft_indicator = id(&app.create_indicator(&per, &draft_objective, json!({})).await);
    let public = id(&app.create_plan(&per, json!({})).await);
    let public_objective = id(&app.create_objective(&per, &public, json!({"code": "SO1", "title": {"es": "Público"}})).await);
    let public_indicator = id(&app.create_indicator(&per, &public_objective, json!({})).await);

    let mut outsider = Client::connect(&app, &app.viewer("BOL")).await;
    let mut insider = Client::connect(&app, &app.viewer("PER")).await;
    for ws in [&mut outsider, &mut insider] {
        ws.subscribe("plans", PLANS, json!({})).await;
        ws.subscribe("approved", APPROVED, json!({})).await;
    }
    outsider.settle().await;

    // Private: a plan under review and a measurement approved in it.
    app.advance_plan(&draft, "under_review").await;
    app.approved_measurement(&per, &draft_indicator, "2023", "10").await;
    // Public: a plan made active, then a measurement approved in it.
    app.advance_plan(&public, "active").await;
    app.approved_measurement(&per, &public_indicator, "2023", "20").await;

    let mut insider_plans = Vec::new();
    let mut insider_approved = Vec::new();
    while insider_plans.len() < 4 || insider_approved.len() < 2 {
        let (sub, data) = insider.event().await;
        match sub.as_str() {
            "plans" => insider_plans.push(data["planStatusChanged"]["plan"]["uuid"].as_str().unwrap().to_owned()),
            _ => insider_approved.push(data["measurementApproved"]["measurement"]["indicator"]["uuid"].as_str().unwrap().to_owned()),
        }
    }
    assert_eq!(insider_plans, [draft.clone(), public.clone(), public.clone(), public.clone()], "the administration's own viewer sees every transition");
    assert_eq!(insider_approved, [draft_indicator.clone(), public_indicator.clone()]);

    // Each subscription's events arrive in commit order, so private ones would have come first.
    let (mut plan_event, mut approved_event) = (None, None);
    while plan_event.is_none() || approved_event.is_none() {
        let (sub, data) = outsider.event().await;
        let slot = if sub == "plans" { &mut plan_event } else { &mut approved_event };
        slot.get_or_insert(data);
    }
    let (plan_event, approved_event) = (plan_event.unwrap(), approved_event.unwrap());
    assert_eq!(plan_event["planStatusChanged"]["plan"]["uuid"], public.as_str(), "{plan_event}");
    assert_eq!(plan_event["planStatusChanged"]["action"], "transition:active", "a plan is shared once published: {plan_event}");
    assert_eq!(approved_event["measurementApproved"]["measurement"]["indicator"]["uuid"], public_indicator.as_str(), "{approved_event}");
    assert_eq!(approved_event["measurementApproved"]["measurement"]["value"], "20");
}

#[tokio::test]
async fn a_change_written_through_another_server_process_reaches_the_subscriber() {
    // On PostgreSQL only the notification can deliver within the wait: the poll is too slow.
    let postgres = std::env::var("MERIDIAN_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"));
    let poll = if postgres { Duration::from_secs(600) } else { Duration::from_millis(200) };
    let app = TestApp::spawn_with(|s| s.live_poll_interval = poll).await;
    assert_eq!(app.database_url.starts_with("postgres"), postgres);

    let mut settings = Settings::from_env().unwrap();
    settings.database_url = app.database_url.clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.jwt_secret = Some(SECRET.parse().unwrap());
    settings.demo = DemoMode::Off;
    settings.db_max_connections = 5;
    settings.webhook_worker = false;
    let other = Application::build(&settings).await.unwrap();
    let other_base = format!("http://127.0.0.1:{}", other.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let other = tokio::spawn(other.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    // Subscribed on the first process, on the `/graphql` path itself.
    let mut ws = Client::connect_to(&app.base, "/graphql", &app.viewer("PER")).await;
    ws.subscribe("plans", PLANS, json!({"plan": plan})).await;
    ws.settle().await;

    let moved = app
        .client
        .post(format!("{other_base}/api/v1/plans/{plan}/transitions"))
        .bearer_auth(app.admin())
        .json(&json!({"to": "under_review"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let (sub, data) = ws.event().await;
    assert_eq!(sub, "plans");
    assert_eq!(data["planStatusChanged"]["action"], "transition:under_review");
    assert_eq!(data["planStatusChanged"]["plan"]["status"], "UNDER_REVIEW");

    let _ = stop.send(());
    tokio::time::timeout(WAIT, other).await.expect("the second process stops").unwrap().unwrap();
}

#[tokio::test]
async fn a_connection_without_a_valid_token_is_refused() {
    let app = TestApp::spawn().await;
    // No token anywhere: the connection is closed with the reason.
    let socket = Client::open(&app.base, "/graphql/ws", None, json!({})).await.unwrap();
    let mut client = Client { socket };
    let close = loop {
        match tokio::time::timeout(WAIT, client.socket.next()).await.expect("the server answers in time") {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(Message::Text(text))) => panic!("no acknowledgement without a token: {text}"),
            Some(Ok(_)) => {}
            other => panic!("the server closes the connection with a reason: {other:?}"),
        }
    };
    let frame = close.expect("a close frame with a reason");
    assert!(frame.reason.contains("authentication required"), "{frame:?}");

    // A token that does not verify, in `connection_init`: refused too.
    let socket = Client::open(&app.base, "/graphql/ws", None, json!({"Authorization": "Bearer nope"})).await.unwrap();
    let mut client = Client { socket };
    assert_eq!(client.message().await, None, "closed without an acknowledgement");

    // One in the upgrade request's header: refused before the upgrade.
    match Client::open(&app.base, "/graphql/ws", Some("nope"), json!({})).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("a 401 before the upgrade: {:?}", other.map(|_| ())),
    }

    // A valid token in the header is enough.
    let socket = Client::open(&app.base, "/graphql/ws", Some(&app.viewer("BOL")), json!({})).await.unwrap();
    let mut client = Client { socket };
    assert_eq!(client.message().await.unwrap()["type"], "connection_ack");

    // Plain HTTP on the WebSocket path says what to do.
    let plain = app.get("/graphql/ws", &app.viewer("BOL")).await;
    assert_eq!(plain.status, 400);
    assert_eq!(plain.body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn subscriptions_end_when_the_token_expires() {
    let app = TestApp::spawn().await;
    let mut settings = Settings::from_env().unwrap();
    settings.jwt_secret = Some(SECRET.parse().unwrap());
    let request = TokenRequest {
        subject: "brief".into(),
        role: Role::Viewer,
        administration: Some("PER".into()),
        donor: None,
        scopes: vec![],
        ttl: Duration::from_secs(2),
    };
    let brief = meridian::tokens(&settings).expect("the keys load").issue(&request).unwrap();
    let mut ws = Client::connect(&app, &brief).await;
    ws.subscribe("plans", PLANS, json!({})).await;
    let expired = ws.message().await.expect("an error when the token expires");
    assert_eq!(expired["type"], "next", "{expired}");
    assert_eq!(expired["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{expired}");
    let done = ws.message().await.expect("the end of the subscription");
    assert_eq!(done, json!({"type": "complete", "id": "plans"}));
}

#[tokio::test]
async fn a_subscription_is_held_to_the_query_limits() {
    let app = TestApp::spawn_with(|s| s.graphql_max_depth = 3).await;
    let mut ws = Client::connect(&app, &app.viewer("PER")).await;
    ws.subscribe("deep", "subscription { measurementRecorded { measurement { indicator { objective { plan { uuid } } } } } }", json!({})).await;
    let refused = ws.message().await.expect("an answer");
    assert_eq!((&refused["type"], &refused["id"]), (&json!("next"), &json!("deep")), "{refused}");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{refused}");
    assert_eq!(ws.message().await.expect("the end of it"), json!({"type": "complete", "id": "deep"}));
}
