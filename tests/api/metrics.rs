//! `GET /metrics`: what a Prometheus scrape shows after real requests (HTTP by route, GraphQL
//! operations, import rows, the pool, the webhook outbox and worker, the change listener), the
//! token that guards it, and the 404 when it is off. Each application has a recorder of its
//! own, so the values asserted here are exactly this test's, whatever runs alongside.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use meridian::settings::{MetricsMode, Secret};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::helpers::{Reply, TestApp, id};

const TOKEN: &str = "prometheus-scrape-token-0123";

/// The exposition text of `/metrics`; fails unless it answers 200.
async fn scrape(app: &TestApp) -> String {
    let reply = app.request(Method::GET, "/metrics", None, None, &[]).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert!(reply.content_type().starts_with("text/plain; version=0.0.4"), "{}", reply.content_type());
    reply.body.as_str().expect("a text body").to_owned()
}

/// The value of the sample `name` whose labels include `labels` (in any order).
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (series, v) = line.rsplit_once(' ')?;
        let (n, rest) = series.split_once('{').map_or((series, ""), |(n, r)| (n, r.trim_end_matches('}')));
        let pairs: Vec<&str> = rest.split(',').collect();
        (n == name && labels.iter().all(|(k, v)| pairs.contains(&format!("{k}=\"{v}\"").as_str()))).then(|| v.parse().ok()).flatten()
    })
}

/// [`value`], 0 when the series is absent (a counter nothing has incremented yet).
fn count(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    value(text, name, labels).unwrap_or(0.0)
}

/// Scrapes until `check` holds on the exposition (up to 15 s); returns that exposition.
async fn scrape_until(app: &TestApp, what: &str, check: impl Fn(&str) -> bool) -> String {
    for _ in 0..300 {
        let text = scrape(app).await;
        if check(&text) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}:\n{}", scrape(app).await);
}

#[tokio::test]
async fn a_scrape_shows_requests_by_route_graphql_imports_the_pool_and_the_outbox() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    // A subscription with nobody delivering (the test harness runs no worker): its deliveries wait.
    app.post("/api/v1/webhooks", &per, json!({"url": "https://hooks.example.org/meridian", "event_types": ["objective.*"]})).await.assert(201);
    let plan = id(&app.create_plan(&per, json!({})).await);

    // REST: one read, three misses on the same route with other ids, one path no route matches.
    app.get(&format!("/api/v1/plans/{plan}"), &per).await.assert(200);
    for _ in 0..3 {
        app.get(&format!("/api/v1/plans/{}", uuid::Uuid::now_v7()), &per).await.assert_problem(404, "not_found");
    }
    app.get("/api/v1/no-such-thing/42", &per).await.assert_problem(404, "not_found");
    // GraphQL: a query that answers, one that fails validation, one that does not parse.
    let ok = app.gql(Some(&per), "{ plans(first: 5) { edges { node { title } } } }", json!({})).await;
    assert!(ok.body.get("errors").is_none(), "{}", ok.body);
    assert!(app.gql(Some(&per), "{ plans { noSuchField } }", json!({})).await.body["errors"].is_array());
    assert!(app.gql(Some(&per), "{ plans(", json!({})).await.body["errors"].is_array());
    // An import of two objectives (each queues a delivery for the subscription).
    let doc = json!({"objectives": [
        {"external_ref": "M-1", "plan_id": plan, "code": "SO1", "title": {"es": "Facilitar el comercio"}},
        {"external_ref": "M-2", "plan_id": plan, "code": "SO2", "title": {"es": "Recaudar"}}
    ]});
    let imported = app.request(Method::POST, "/api/v1/import", Some(&per), Some(doc), &[]).await;
    assert_eq!(imported.assert(200)["summary"]["objectives"]["created"], 2);
    let dry_run = json!({"objectives": [{"external_ref": "M-3", "plan_id": plan, "code": "SO3", "title": {"es": "Controlar"}}]});
    app.request(Method::POST, "/api/v1/import?mode=validate", Some(&per), Some(dry_run), &[]).await.assert(200);

    let text = scrape(&app).await;
    let plan_route = |status: &'static str| [("method", "GET"), ("route", "/api/v1/plans/{id}"), ("status", status)];
    assert_eq!(count(&text, "meridian_http_requests_total", &plan_route("200")), 1.0, "{text}");
    assert_eq!(count(&text, "meridian_http_requests_total", &plan_route("404")), 3.0, "ids never become labels:\n{text}");
    assert_eq!(count(&text, "meridian_http_request_duration_seconds_count", &plan_route("404")), 3.0);
    assert_eq!(count(&text, "meridian_http_requests_total", &[("route", "unmatched"), ("status", "404")]), 1.0);
    assert!(!text.contains("no-such-thing"), "raw paths never become labels");
    assert_eq!(count(&text, "meridian_http_requests_total", &[("method", "POST"), ("route", "/api/v1/import"), ("status", "200")]), 2.0);

    let operation = |op: &'static str, outcome: &'static str| [("operation", op), ("outcome", outcome)];
    assert_eq!(count(&text, "meridian_graphql_operation_duration_seconds_count", &operation("query", "ok")), 1.0, "{text}");
    assert_eq!(count(&text, "meridian_graphql_operation_duration_seconds_count", &operation("query", "error")), 1.0);
    assert_eq!(count(&text, "meridian_graphql_operation_duration_seconds_count", &operation("unknown", "error")), 1.0);

    let rows = |outcome: &'static str, committed: &'static str| [("section", "objectives"), ("outcome", outcome), ("committed", committed)];
    assert_eq!(count(&text, "meridian_import_rows_total", &rows("created", "true")), 2.0, "{text}");
    assert_eq!(count(&text, "meridian_import_rows_total", &rows("created", "false")), 1.0, "the dry run keeps nothing");
    assert_eq!(count(&text, "meridian_import_duration_seconds_count", &[("mode", "commit"), ("committed", "true")]), 1.0);
    assert_eq!(count(&text, "meridian_import_duration_seconds_count", &[("mode", "validate"), ("committed", "false")]), 1.0);

    // The pool the harness configures (5), and at least the connection that answered.
    assert_eq!(value(&text, "meridian_db_pool_max_connections", &[]), Some(5.0), "{text}");
    let open = value(&text, "meridian_db_pool_connections", &[("state", "in_use")]).unwrap()
        + value(&text, "meridian_db_pool_connections", &[("state", "idle")]).unwrap();
    assert!((1.0..=5.0).contains(&open), "{text}");
    assert!(count(&text, "meridian_db_acquire_duration_seconds_count", &[]) >= 4.0, "every write began a transaction:\n{text}");

    // The outbox: two objective deliveries, due and waiting for a worker.
    assert_eq!(app.count("webhook_deliveries").await, 2);
    assert_eq!(value(&text, "meridian_webhook_outbox_deliveries", &[("state", "pending")]), Some(2.0), "{text}");
    assert_eq!(value(&text, "meridian_webhook_outbox_deliveries", &[("state", "due")]), Some(2.0));
    let age = value(&text, "meridian_webhook_oldest_due_age_seconds", &[]).unwrap();
    assert!(age > 0.0, "the oldest due delivery has waited since it was queued: {age}");
    assert!((0.0..60.0).contains(&age), "{age}");
    // The change feed has the writes; nobody subscribes, so nothing is behind.
    assert!(value(&text, "meridian_change_feed_latest_seq", &[]).unwrap() >= 4.0, "{text}");
    assert_eq!(value(&text, "meridian_change_listener_lag_changes", &[]), Some(0.0));
    assert_eq!(value(&text, "meridian_change_listener_followers", &[]), Some(0.0));
    assert!(text.contains("# HELP meridian_db_acquire_duration_seconds "), "metrics say what they measure");
    assert!(text.contains("# TYPE meridian_http_request_duration_seconds histogram"), "{text}");
}

#[tokio::test]
async fn a_token_guards_the_metrics_when_set() {
    let app = TestApp::spawn_with(|s| s.metrics_token = Some(Secret(TOKEN.into()))).await;
    let without = app.request(Method::GET, "/metrics", None, None, &[]).await;
    without.assert_problem(401, "unauthenticated");
    assert!(without.headers.contains_key("www-authenticate"));
    app.request(Method::GET, "/metrics", Some("prometheus-scrape-token-0124"), None, &[]).await.assert_problem(401, "unauthenticated");
    app.request(Method::GET, "/metrics", Some(&app.admin()), None, &[]).await.assert_problem(401, "unauthenticated");
    let with = app.request(Method::GET, "/metrics", Some(TOKEN), None, &[]).await;
    assert_eq!(with.status.as_u16(), 200);
    let text = with.body.as_str().unwrap();
    assert_eq!(count(text, "meridian_http_requests_total", &[("route", "/metrics"), ("status", "401")]), 3.0, "{text}");
}

#[tokio::test]
async fn metrics_off_is_a_404_like_any_unknown_path() {
    let app = TestApp::spawn_with(|s| s.metrics = MetricsMode::Off).await;
    let reply: Reply = app.request(Method::GET, "/metrics", None, None, &[]).await;
    reply.assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_worker_and_the_listener_report_how_far_behind_they_are() {
    let app = TestApp::spawn_with(|s| {
        s.webhook_worker = true;
        s.webhook_allow_private = true;
        s.webhook_poll_interval = Duration::from_millis(50);
        s.live_poll_interval = Duration::from_millis(50);
    })
    .await;
    // A receiver that accepts everything.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        let _ = axum::serve(listener, axum::Router::new().route("/hook", axum::routing::post(|| async { "ok" }))).await;
    });
    let per = app.planner("PER");
    app.post("/api/v1/webhooks", &per, json!({"url": url, "event_types": ["plan.*"]})).await.assert(201);

    // A GraphQL subscription: the listener now has a follower.
    let mut request = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1)).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
    let (mut socket, _) = connect_async(request).await.unwrap();
    let send = |v: Value| Message::text(v.to_string());
    socket.send(send(json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {per}")}}))).await.unwrap();
    socket.send(send(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { planStatusChanged { seq action } }"}}))).await.unwrap();
    scrape_until(&app, "the subscription to follow the changes", |t| value(t, "meridian_change_listener_followers", &[]) == Some(1.0)).await;

    let plan = id(&app.create_plan(&per, json!({})).await);
    app.post(&format!("/api/v1/plans/{plan}/transitions"), &per, json!({"to": "under_review"})).await.assert(200);
    let event = loop {
        let Message::Text(text) = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap() else { continue };
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["type"] == "next" {
            break v;
        }
    };
    let seq = event["payload"]["data"]["planStatusChanged"]["seq"].as_f64().unwrap();

    // Both deliveries sent, the queue empty; the listener caught up with the feed.
    let text = scrape_until(&app, "the deliveries and the listener", |t| {
        count(t, "meridian_webhook_attempts_total", &[("outcome", "success")]) == 2.0
            && value(t, "meridian_webhook_outbox_deliveries", &[("state", "pending")]) == Some(0.0)
            && value(t, "meridian_change_listener_position_seq", &[]) == value(t, "meridian_change_feed_latest_seq", &[])
    })
    .await;
    assert_eq!(value(&text, "meridian_change_listener_lag_changes", &[]), Some(0.0));
    assert!(value(&text, "meridian_change_listener_position_seq", &[]).unwrap() >= seq);
    assert_eq!(value(&text, "meridian_webhook_oldest_due_age_seconds", &[]), Some(0.0));
    let now = chrono::Utc::now().timestamp() as f64;
    for polled in ["meridian_webhook_worker_last_poll_timestamp_seconds", "meridian_change_listener_last_poll_timestamp_seconds"] {
        let at = value(&text, polled, &[]).unwrap();
        assert!((now - 10.0..=now + 1.0).contains(&at), "{polled} = {at}, now {now}");
    }

    // Ending the subscription records how long it lived.
    socket.send(send(json!({"id": "1", "type": "complete"}))).await.unwrap();
    scrape_until(&app, "the subscription's duration", |t| {
        count(t, "meridian_graphql_operation_duration_seconds_count", &[("operation", "subscription"), ("outcome", "ok")]) == 1.0
    })
    .await;
}
