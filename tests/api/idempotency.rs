//! `Idempotency-Key` on POST: replay of the first answer, refusal of another body, 409 while the
//! first request runs, keys scoped to their client, and expiry.

use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

fn plan(title: &str) -> Value {
    json!({"title": {"es": title}, "start_year": 2022, "end_year": 2026})
}

async fn post_with_key(app: &TestApp, path: &str, token: &str, key: &str, body: Value) -> Reply {
    app.request(Method::POST, path, Some(token), Some(body), &[("Idempotency-Key", key)]).await
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_gets_the_first_answer_without_a_second_effect() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let first = post_with_key(&app, "/api/v1/plans", &per, "2f1c7a62-plan-1", plan("Plan A")).await;
    first.assert(201);
    assert_eq!(first.headers.get("idempotent-replayed"), None);
    let again = post_with_key(&app, "/api/v1/plans", &per, "2f1c7a62-plan-1", plan("Plan A")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the same plan, not a second one");
    assert_eq!(again.etag(), first.etag());
    assert_eq!(again.content_type(), "application/json");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(app.count("plans").await, 1);

    // A refusal is an answer too: it replays, and the key stays bound to that request.
    let bad = post_with_key(&app, "/api/v1/plans", &per, "bad-1", json!({"title": {}})).await;
    bad.assert_problem(422, "validation");
    let bad_again = post_with_key(&app, "/api/v1/plans", &per, "bad-1", json!({"title": {}})).await;
    assert_eq!((bad_again.status, &bad_again.body), (bad.status, &bad.body));
    assert_eq!(bad_again.content_type(), "application/problem+json");

    // Without a key, every POST is a new request.
    app.post("/api/v1/plans", &per, plan("Plan A")).await.assert(201);
    assert_eq!(app.count("plans").await, 2);
}

#[tokio::test]
async fn the_same_key_for_another_request_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    post_with_key(&app, "/api/v1/plans", &per, "k-1", plan("Plan A")).await.assert(201);
    let other = post_with_key(&app, "/api/v1/plans", &per, "k-1", plan("Plan B")).await;
    other.assert_problem(422, "idempotency_key_reused");
    assert!(other.body["detail"].as_str().unwrap().contains("POST /api/v1/plans"), "{}", other.body);
    let elsewhere =
        post_with_key(&app, "/api/v1/administrations", &app.admin(), "k-1", json!({"code": "COL", "default_language": "es", "name": {"es": "DIAN"}})).await;
    elsewhere.assert(201); // another client: its own key space
    let same_client_other_path = post_with_key(&app, "/api/v1/portfolios", &per, "k-1", json!({"code": "X", "title": {"es": "X"}})).await;
    same_client_other_path.assert_problem(422, "idempotency_key_reused");
    assert_eq!(app.count("plans").await, 1);
    assert_eq!(app.count("portfolios").await, 0);
}

#[tokio::test]
async fn keys_belong_to_their_client() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let bol = app.planner("BOL");
    let peru = post_with_key(&app, "/api/v1/plans", &per, "shared-key", plan("Plan")).await;
    let bolivia = post_with_key(&app, "/api/v1/plans", &bol, "shared-key", plan("Plan")).await;
    assert_ne!(peru.assert(201)["id"], bolivia.assert(201)["id"], "never another client's answer");
    assert_eq!(bolivia.body["administration"], "BOL");
    assert_eq!(app.count("plans").await, 2);

    // The same subject under another role or administration is another caller too: an identity
    // provider may reuse a person's subject across the tokens it issues.
    use domain::principal::Role;
    let alice_per = app.token("alice", Role::Planner, Some("PER"), None, &[]);
    let alice_bol = app.token("alice", Role::Planner, Some("BOL"), None, &[]);
    let alice_admin = app.token("alice", Role::Admin, None, None, &[]);
    let body = json!({"administration": "BOL", "title": {"es": "Plan"}, "start_year": 2022, "end_year": 2026});
    let as_per = post_with_key(&app, "/api/v1/plans", &alice_per, "alice-key", plan("Plan")).await;
    assert_eq!(as_per.assert(201)["administration"], "PER");
    let as_bol = post_with_key(&app, "/api/v1/plans", &alice_bol, "alice-key", plan("Plan")).await;
    assert_eq!(as_bol.assert(201)["administration"], "BOL", "not PER's stored answer");
    assert_eq!(as_bol.headers.get("idempotent-replayed"), None);
    let as_admin = post_with_key(&app, "/api/v1/plans", &alice_admin, "alice-key", body).await;
    assert_eq!(as_admin.headers.get("idempotent-replayed"), None);
    assert_ne!(as_admin.assert(201)["id"], as_bol.body["id"]);
    assert_eq!(app.count("plans").await, 5);
}

#[tokio::test]
async fn while_the_first_request_runs_a_retry_gets_409_and_concurrent_retries_create_once() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let per = app.planner("PER");
    // A request that is still running holds its key: here, the first request's key is put back
    // in the state it has while its request runs.
    post_with_key(&app, "/api/v1/plans", &per, "running", plan("Plan")).await.assert(201);
    let db = app.db().await;
    db.execute_unprepared("UPDATE idempotency_keys SET state = 'in_flight', status_code = NULL, body = NULL WHERE key = 'running'").await.unwrap();
    let busy = post_with_key(&app, "/api/v1/plans", &per, "running", plan("Plan")).await;
    busy.assert_problem(409, "idempotency_key_in_use");
    assert_eq!(busy.headers.get("retry-after").unwrap(), "1");
    assert_eq!(app.count("plans").await, 1);

    // Many retries at once: one plan, and every answer is either it or "still running".
    let tries: Vec<_> = (0..6)
        .map(|_| {
            let (app, per) = (app.clone(), per.clone());
            tokio::spawn(async move { post_with_key(&app, "/api/v1/plans", &per, "burst", plan("Plan")).await })
        })
        .collect();
    let mut created = std::collections::HashSet::new();
    for t in tries {
        let r = t.await.unwrap();
        match r.status.as_u16() {
            201 => {
                created.insert(r.body["id"].as_str().unwrap().to_owned());
            }
            409 => assert_eq!(r.body["code"], "idempotency_key_in_use"),
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert_eq!(created.len(), 1);
    assert_eq!(app.count("plans").await, 2);
}

#[tokio::test]
async fn an_expired_or_abandoned_key_runs_the_request_again() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    post_with_key(&app, "/api/v1/plans", &per, "old", plan("Plan")).await.assert(201);
    let db = app.db().await;
    let past = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    db.execute_unprepared(&format!("UPDATE idempotency_keys SET expires_at = '{past}' WHERE key = 'old'")).await.unwrap();
    let after = post_with_key(&app, "/api/v1/plans", &per, "old", plan("Plan")).await;
    assert_eq!(after.assert(201).get("idempotent-replayed"), None);
    assert_eq!(app.count("plans").await, 2, "after 24 hours the key is forgotten");

    // A key held by a request that died long ago (older than any request may run) is freed.
    let long_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let later = (chrono::Utc::now() + chrono::Duration::hours(23)).to_rfc3339();
    db.execute_unprepared(&format!(
        "INSERT INTO idempotency_keys (client, key, method, path, fingerprint, state, created_at, expires_at) VALUES ('planner-PER', 'dead', 'POST', '/api/v1/plans', 'x', 'in_flight', '{long_ago}', '{later}')"
    ))
    .await
    .unwrap();
    post_with_key(&app, "/api/v1/plans", &per, "dead", plan("Plan")).await.assert(201);
}

#[tokio::test]
async fn bad_keys_are_refused_and_graphql_posts_are_covered_too() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let too_long = "k".repeat(256);
    let refused = post_with_key(&app, "/api/v1/plans", &per, &too_long, plan("Plan")).await;
    refused.assert_problem(400, "bad_request");
    assert_eq!(refused.error_fields(), ["Idempotency-Key"]);
    assert_eq!(app.count("plans").await, 0);

    let mutation = json!({"query": "mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }",
        "variables": {"input": {"title": [{"lang": "es", "text": "Plan"}], "startYear": 2022, "endYear": 2026}}});
    let first = post_with_key(&app, "/graphql", &per, "gql-1", mutation.clone()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let plan_id = first.body["data"]["createPlan"]["id"].clone();
    assert!(plan_id.is_string(), "{}", first.body);
    let again = post_with_key(&app, "/graphql", &per, "gql-1", mutation).await;
    assert_eq!(again.body["data"]["createPlan"]["id"], plan_id);
    assert_eq!(app.count("plans").await, 1);
    let other = post_with_key(&app, "/graphql", &per, "gql-1", json!({"query": "{ plans { edges { node { id } } } }"})).await;
    assert_eq!(other.status, 422);
    assert_eq!(other.body["errors"][0]["extensions"]["code"], "idempotency_key_reused");
}
