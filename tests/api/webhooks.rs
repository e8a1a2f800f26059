//! Webhooks: subscriptions, signed deliveries from the outbox, retries with backoff, disabling,
//! the delivery log, private targets, and workers that die or run side by side.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{extract::State, http::HeaderMap, routing::post};
use domain::{ports::Store, services::Services};
use infrastructure::{
    webhook_signature::WebhookSecret,
    webhook_worker::{WebhookWorker, WorkerSettings},
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

/// What the receiver does with the next request.
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    /// Holds the request open (a receiver that hangs, or a worker killed meanwhile).
    Hang,
}

#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: i64,
    signature: String,
    body: String,
}

/// A webhook receiver on a random local port: records what arrives, answers as scripted.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    /// Requests being answered now, per webhook-id, and the most ever seen at once for one id.
    in_flight: Arc<Mutex<(HashMap<String, u32>, u32)>>,
}

impl Receiver {
    async fn start() -> (Self, String) {
        let receiver = Self::default();
        let app = axum::Router::new().route("/hook", post(handle)).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (receiver, url)
    }

    fn then(&self, answers: &[Answer]) {
        self.script.lock().unwrap().extend(answers.iter().copied());
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn of_type(&self, event: &str) -> Vec<Received> {
        self.received().into_iter().filter(|r| serde_json::from_str::<Value>(&r.body).unwrap()["type"] == event).collect()
    }
}

async fn handle(State(r): State<Receiver>, headers: HeaderMap, body: String) -> axum::http::StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let id = header("webhook-id");
    r.received.lock().unwrap().push(Received {
        id: id.clone(),
        timestamp: header("webhook-timestamp").parse().unwrap_or(0),
        signature: header("webhook-signature"),
        body,
    });
    {
        let mut flight = r.in_flight.lock().unwrap();
        let now = {
            let n = flight.0.entry(id.clone()).or_insert(0);
            *n += 1;
            *n
        };
        flight.1 = flight.1.max(now);
    }
    let answer = r.script.lock().unwrap().pop_front().unwrap_or(Answer::Status(200));
    let status = match answer {
        Answer::Status(s) => s,
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            200
        }
    };
    // Held a little, so that a second worker sending the same delivery at once would overlap.
    tokio::time::sleep(Duration::from_millis(20)).await;
    if let Some(n) = r.in_flight.lock().unwrap().0.get_mut(&id) {
        *n -= 1;
    }
    axum::http::StatusCode::from_u16(status).unwrap()
}

/// Waits up to 15 s for `check` to hold.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn verify(secret: &str, r: &Received) {
    let secret = WebhookSecret::parse(secret).unwrap();
    secret.verify(&r.id, r.timestamp, r.body.as_bytes(), &r.signature, chrono::Utc::now().timestamp()).expect("the signature checks out");
    assert!(r.id.starts_with("msg_"), "{}", r.id);
    assert!(secret.verify(&r.id, r.timestamp, b"{\"tampered\":true}", &r.signature, chrono::Utc::now().timestamp()).is_err());
}

async fn delivering_app() -> TestApp {
    TestApp::spawn_with(|s| {
        s.webhook_worker = true;
        s.webhook_allow_private = true;
        s.webhook_poll_interval = Duration::from_millis(50);
        s.webhook_retry_base = Duration::from_millis(100);
    })
    .await
}

#[tokio::test]
async fn a_subscriber_receives_signed_deliveries_of_what_it_may_see() {
    let app = delivering_app().await;
    let (peru_rx, peru_url) = Receiver::start().await;
    let (bol_rx, bol_url) = Receiver::start().await;
    let per = app.planner("PER");
    let created = app.post("/api/v1/webhooks", &per, json!({"url": peru_url, "event_types": ["objective.*", "plan.status_changed"]})).await;
    let hook = created.assert(201).clone();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(hook["owner"], json!({"kind": "administration", "code": "PER"}));
    let bol_hook = app.post("/api/v1/webhooks", &app.planner("BOL"), json!({"url": bol_url})).await.assert(201).clone();
    assert_eq!(bol_hook["event_types"], json!([]), "every event");

    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    app.post(&format!("/api/v1/plans/{plan}/transitions"), &per, json!({"to": "under_review"})).await.assert(200);

    eventually("Peru's two deliveries", async || peru_rx.received().len() >= 2).await;
    let got = peru_rx.received();
    assert_eq!(got.len(), 2, "plan.created is not among the subscribed types");
    // Deliveries may arrive in either order (a worker sends a batch at once); each names its change.
    let created: Value = serde_json::from_str(&peru_rx.of_type("objective.created")[0].body).unwrap();
    assert_eq!(created["data"]["entity_id"], objective.as_str());
    assert_eq!(created["data"]["administration"], "PER");
    let transition = peru_rx.of_type("plan.status_changed")[0].clone();
    let moved: Value = serde_json::from_str(&transition.body).unwrap();
    assert_eq!(moved["data"]["action"], "transition:under_review");
    assert!(moved["data"]["seq"].as_i64() > created["data"]["seq"].as_i64());
    for r in &got {
        verify(&secret, r);
    }
    // Bolivia's subscription receives nothing of Peru's draft plan.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(bol_rx.received().is_empty(), "{:?}", bol_rx.received());

    // The log, newest first, with each attempt; nobody else reads it, and the secret is not listed.
    let hook_id = id(&hook);
    let log = app.get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), &per).await;
    let items = log.assert(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["event_type"], "plan.status_changed");
    assert_eq!(items[0]["status"], "delivered");
    assert_eq!(items[0]["attempts"][0]["status_code"], 200);
    assert_eq!(items[0]["id"], transition.id.as_str(), "the log names the webhook-id");
    assert_eq!(app.get(&format!("/api/v1/webhooks/{hook_id}"), &per).await.assert(200).get("secret"), None);
    app.get(&format!("/api/v1/webhooks/{hook_id}"), &app.planner("BOL")).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/webhooks/{hook_id}/deliveries"), &app.planner("BOL")).await.assert_problem(404, "not_found");
    let listed = app.get("/api/v1/webhooks", &per).await;
    assert_eq!(listed.assert(200)["items"].as_array().unwrap().len(), 1);

    // A ping tries the receiver; after a rotation, deliveries are signed with the new secret.
    let rotated = app.post(&format!("/api/v1/webhooks/{hook_id}/rotate-secret"), &per, json!({})).await.assert(200)["secret"].as_str().unwrap().to_owned();
    assert_ne!(rotated, secret);
    app.post(&format!("/api/v1/webhooks/{hook_id}/ping"), &per, json!({})).await.assert(202);
    eventually("the ping", async || !peru_rx.of_type("webhook.ping").is_empty()).await;
    verify(&rotated, &peru_rx.of_type("webhook.ping")[0]);
}

#[tokio::test]
async fn failing_receivers_are_retried_with_backoff_and_disabled_when_gone() {
    let app = delivering_app().await;
    let (rx, url) = Receiver::start().await;
    let per = app.planner("PER");
    let hook = id(app.post("/api/v1/webhooks", &per, json!({"url": url, "event_types": ["plan.*"]})).await.assert(201));
    rx.then(&[Answer::Status(500), Answer::Status(503)]);
    let plan = id(&app.create_plan(&per, json!({})).await);

    eventually("the third attempt", async || rx.received().len() >= 3).await;
    let log_path = format!("/api/v1/webhooks/{hook}/deliveries");
    eventually("the delivery to be settled", async || app.get(&log_path, &per).await.body["items"][0]["status"] == "delivered").await;
    let log = app.get(&log_path, &per).await;
    let delivery = &log.assert(200)["items"][0];
    let codes: Vec<i64> = delivery["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
    assert_eq!(codes, [500, 503, 200]);
    let received = rx.received();
    assert!(received.iter().all(|r| r.id == received[0].id), "every attempt carries the same webhook-id");
    assert_eq!(serde_json::from_str::<Value>(&received[0].body).unwrap()["data"]["entity_id"], plan.as_str());
    // With a first wait of 100 ms (half fixed, half random), the second attempt comes at least
    // 50 ms after the first, and the third at least 100 ms after the second: the wait doubled.
    let at = |i: usize| chrono::DateTime::parse_from_rfc3339(delivery["attempts"][i]["at"].as_str().unwrap()).unwrap();
    assert!(at(1) - at(0) >= chrono::Duration::milliseconds(50), "{delivery}");
    assert!(at(2) - at(1) >= chrono::Duration::milliseconds(100), "{delivery}");
    assert_eq!(app.get(&format!("/api/v1/webhooks/{hook}"), &per).await.body["consecutive_failures"], 0, "a success resets the count");

    // 410 Gone: the subscription is switched off and nothing more is sent until its owner resumes it.
    rx.then(&[Answer::Status(410)]);
    app.post(&format!("/api/v1/plans/{plan}/transitions"), &per, json!({"to": "under_review"})).await.assert(200);
    eventually("the subscription to be disabled", async || app.get(&format!("/api/v1/webhooks/{hook}"), &per).await.body["active"] == false).await;
    let disabled = app.get(&format!("/api/v1/webhooks/{hook}"), &per).await;
    assert!(disabled.body["disabled_reason"].as_str().unwrap().contains("410"));
    let before = rx.received().len();
    app.post(&format!("/api/v1/plans/{plan}/transitions"), &per, json!({"to": "draft"})).await.assert(200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.received().len(), before, "a disabled subscription receives nothing");
    app.post(&format!("/api/v1/webhooks/{hook}/ping"), &per, json!({})).await.assert_problem(409, "webhook_disabled");
    let resumed = app.patch(&format!("/api/v1/webhooks/{hook}"), &per, json!({"active": true}), Some(&disabled.etag())).await;
    assert_eq!(resumed.assert(200)["disabled_reason"], Value::Null);
    eventually("the change made while disabled", async || rx.received().len() > before).await;
}

#[tokio::test]
async fn repeated_failures_give_up_a_delivery_and_then_disable_the_subscription() {
    let app = TestApp::spawn_with(|s| {
        s.webhook_worker = true;
        s.webhook_allow_private = true;
        s.webhook_poll_interval = Duration::from_millis(50);
        s.webhook_retry_base = Duration::from_millis(50);
        s.webhook_max_attempts = 2;
        s.webhook_disable_after = 3;
    })
    .await;
    let (rx, url) = Receiver::start().await;
    rx.then(&[Answer::Status(500); 10]);
    let per = app.planner("PER");
    let hook = id(app.post("/api/v1/webhooks", &per, json!({"url": url})).await.assert(201));
    let plan = id(&app.create_plan(&per, json!({})).await);
    let failed = format!("/api/v1/webhooks/{hook}/deliveries?status=failed");
    eventually("the first delivery to be given up", async || app.get(&failed, &per).await.body["items"].as_array().is_some_and(|i| i.len() == 1)).await;
    app.patch(&format!("/api/v1/plans/{plan}"), &per, json!({"title": {"es": "Otro"}}), None).await.assert(200);
    eventually("the subscription to be disabled", async || app.get(&format!("/api/v1/webhooks/{hook}"), &per).await.body["active"] == false).await;
    let hook_view = app.get(&format!("/api/v1/webhooks/{hook}"), &per).await;
    assert_eq!(hook_view.body["disabled_reason"], "3 attempts in a row failed");
    assert_eq!(rx.received().len(), 3, "two attempts at the first delivery, one at the second");
}

#[tokio::test]
async fn subscriptions_are_checked_and_private_targets_refused_unless_allowed() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "insecure_url"),
        ("https://127.0.0.1/hook", "private_target"),
        ("https://169.254.169.254/latest/meta-data", "private_target"),
        ("https://10.1.2.3/hook", "private_target"),
        ("https://localhost/hook", "private_target"),
        ("not a url", "invalid_url"),
    ] {
        let refused = app.post("/api/v1/webhooks", &per, json!({"url": url})).await;
        refused.assert_problem(422, "validation");
        assert_eq!(refused.body["errors"][0]["field"], "url", "{url}");
        assert_eq!(refused.body["errors"][0]["code"], code, "{url}");
    }
    let bad_types =
        app.post("/api/v1/webhooks", &per, json!({"url": "https://hooks.example.org/x", "event_types": ["plan.created", "planet.*", "plan.eaten"]})).await;
    bad_types.assert_problem(422, "validation");
    assert_eq!(bad_types.error_fields(), ["event_types[1]", "event_types[2]"]);
    app.post("/api/v1/webhooks", &app.viewer("PER"), json!({"url": "https://hooks.example.org/x"})).await.assert_problem(403, "forbidden");
    app.post("/api/v1/webhooks", &per, json!({"url": "https://hooks.example.org/x", "administration": "BOL"})).await.assert_problem(403, "forbidden");
    let integration = app.token("sync-client", domain::principal::Role::Integration, Some("PER"), None, &["plans:write"]);
    app.post("/api/v1/webhooks", &integration, json!({"url": "https://hooks.example.org/x"})).await.assert_problem(403, "forbidden");
    let allowed = app.token("sync-client", domain::principal::Role::Integration, Some("PER"), None, &["webhooks:manage"]);
    app.post("/api/v1/webhooks", &allowed, json!({"url": "https://hooks.example.org/x"})).await.assert(201);
    let donor = app.post("/api/v1/webhooks", &app.donor(), json!({"url": "https://portal.seco.example/hooks"})).await;
    assert_eq!(donor.assert(201)["owner"], json!({"kind": "donor", "code": "SECO"}));
    app.post("/api/v1/webhooks", &app.admin(), json!({"url": "https://hooks.example.org/x"})).await.assert_problem(422, "validation");
    assert_eq!(app.count("webhook_subscriptions").await, 2, "refused requests leave nothing");
}

/// A worker for the app's database, as another server process would run it.
async fn worker(app: &TestApp, lease: Duration) -> WebhookWorker {
    let store = Arc::new(infrastructure::connect(&infrastructure::DatabaseSettings::new(app.database_url.clone())).await.unwrap());
    let policy = domain::webhook::DeliveryPolicy { allow_private: true, first_delay: chrono::Duration::milliseconds(50), ..Default::default() };
    let services = Services::with_delivery_policy(store as Arc<dyn Store>, Arc::new(domain::ports::SystemClock), policy);
    let settings = WorkerSettings { poll_interval: Duration::from_millis(50), timeout: Duration::from_secs(60), lease, batch: 5, allow_private: true };
    WebhookWorker::new(services.webhooks.clone(), settings).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_delivery_leaves_the_delivery_to_the_next_one() {
    let app = TestApp::spawn().await;
    let (rx, url) = Receiver::start().await;
    rx.then(&[Answer::Hang]);
    let per = app.planner("PER");
    let settings_url = url.clone();
    // Subscribed while private targets are allowed: as an operator would for an intranet receiver.
    let store = Arc::new(infrastructure::connect(&infrastructure::DatabaseSettings::new(app.database_url.clone())).await.unwrap());
    let services = Services::with_delivery_policy(
        store as Arc<dyn Store>,
        Arc::new(domain::ports::SystemClock),
        domain::webhook::DeliveryPolicy { allow_private: true, ..Default::default() },
    );
    let who = domain::principal::Principal::new("planner-PER", domain::principal::Role::Planner, Some("PER".parse().unwrap()), None, vec![]).unwrap();
    let input = domain::webhook::SubscriptionInput { url: Some(settings_url), ..Default::default() };
    let hook = services.webhooks.create(&who, None, None, &input).await.unwrap();
    app.create_plan(&per, json!({})).await;

    let first = tokio::spawn(worker(&app, Duration::from_secs(1)).await.run(std::future::pending()));
    eventually("the first attempt to reach the receiver", async || rx.received().len() == 1).await;
    first.abort(); // the process dies with the request in flight
    let _ = first.await;
    let second = tokio::spawn(worker(&app, Duration::from_secs(1)).await.run(std::future::pending()));
    let log_path = format!("/api/v1/webhooks/{}/deliveries", hook.id);
    eventually("the delivery to be made by the second worker", async || app.get(&log_path, &per).await.body["items"][0]["status"] == "delivered").await;
    second.abort();
    let received = rx.received();
    assert_eq!(received.len(), 2, "sent again once the lease passed");
    assert_eq!(received[0].id, received[1].id, "the same delivery, so the receiver can deduplicate");
    verify(&hook.secret, &received[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_side_by_side_never_send_one_delivery_twice() {
    let app = TestApp::spawn().await;
    let (rx, url) = Receiver::start().await;
    let store = Arc::new(infrastructure::connect(&infrastructure::DatabaseSettings::new(app.database_url.clone())).await.unwrap());
    let services = Services::with_delivery_policy(
        store as Arc<dyn Store>,
        Arc::new(domain::ports::SystemClock),
        domain::webhook::DeliveryPolicy { allow_private: true, ..Default::default() },
    );
    let who = domain::principal::Principal::new("planner-PER", domain::principal::Role::Planner, Some("PER".parse().unwrap()), None, vec![]).unwrap();
    let input = domain::webhook::SubscriptionInput { url: Some(url), ..Default::default() };
    services.webhooks.create(&who, None, None, &input).await.unwrap();
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    for i in 0..24 {
        app.create_objective(&per, &plan, json!({"code": format!("SO{i}"), "title": {"es": "Objetivo"}})).await;
    }
    let workers: Vec<_> =
        [worker(&app, Duration::from_secs(60)).await, worker(&app, Duration::from_secs(60)).await, worker(&app, Duration::from_secs(60)).await]
            .into_iter()
            .map(|w| tokio::spawn(w.run(std::future::pending())))
            .collect();
    eventually("all 25 deliveries", async || rx.received().len() >= 25).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for w in workers {
        w.abort();
    }
    let received = rx.received();
    let mut ids: Vec<&str> = received.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((received.len(), ids.len()), (25, 25), "each delivery sent exactly once");
    assert_eq!(rx.in_flight.lock().unwrap().1, 1, "never two workers on one delivery at the same time");
}

#[tokio::test]
async fn an_event_is_queued_only_for_a_change_that_commits() {
    let app = TestApp::spawn().await; // no worker: the outbox is read as it stands
    let per = app.planner("PER");
    app.post("/api/v1/webhooks", &per, json!({"url": "https://hooks.example.org/meridian"})).await.assert(201);
    let plan = id(&app.create_plan(&per, json!({})).await);
    let queued = app.count("webhook_deliveries").await;
    assert_eq!(queued, 1, "the plan's creation");
    let good = json!({"external_ref": "OBJ-1", "plan_id": plan, "code": "SO1", "title": {"es": "Facilitar"}});
    let bad = json!({"external_ref": "OBJ-2", "plan_id": plan, "code": "not a code", "title": {"es": "Otro"}});
    // The good row's objective, audit entry, change and delivery are written, then rolled back.
    app.request(Method::POST, "/api/v1/import", Some(&per), Some(json!({"objectives": [good.clone(), bad]})), &[]).await.assert_problem(422, "import_rejected");
    app.request(Method::POST, "/api/v1/import?mode=validate", Some(&per), Some(json!({"objectives": [good.clone()]})), &[]).await.assert(200);
    assert_eq!(app.count("webhook_deliveries").await, queued, "nothing announced for what did not commit");
    app.request(Method::POST, "/api/v1/import", Some(&per), Some(json!({"objectives": [good]})), &[]).await.assert(200);
    assert_eq!(app.count("webhook_deliveries").await, queued + 1);
}
