//! Abuse limits: budgets per caller, per client address and for failed authentication.

use api::limits::{Limit, TrustedProxies};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{Reply, TestApp};

fn budget(text: &str) -> Limit {
    Limit::parse(text).unwrap()
}

fn retry_after(reply: &Reply) -> u64 {
    reply.headers.get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_caller_over_budget_gets_429_with_retry_after_and_other_callers_do_not() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit_caller = budget("5/min");
        s.rate_limit_address = budget("off");
    })
    .await;
    let bol = app.planner("BOL");
    for _ in 0..5 {
        app.get("/api/v1/plans", &bol).await.assert(200);
    }
    let refused = app.get("/api/v1/plans", &bol).await;
    refused.assert_problem(429, "rate_limited");
    // One request comes back every 12 s.
    assert!((1..=12).contains(&retry_after(&refused)), "{:?}", refused.headers);
    let gql = app.gql(Some(&bol), "{ plans(first: 1) { edges { node { id } } } }", json!({})).await;
    assert_eq!(gql.status, 429);
    assert_eq!(gql.body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert!(gql.body["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap() >= 1);
    let write = app.post("/api/v1/plans", &bol, json!({"title": {"es": "x"}, "start_year": 2022, "end_year": 2026})).await;
    write.assert_problem(429, "rate_limited");
    assert_eq!(app.count("plans").await, 0, "a refused write changes nothing");

    // Another caller, even of the same administration, has a budget of its own.
    app.get("/api/v1/plans", &app.viewer("BOL")).await.assert(200);
    app.get("/health/live", "").await.assert(200);
}

#[tokio::test]
async fn an_address_that_keeps_failing_authentication_is_refused_for_a_while() {
    let app = TestApp::spawn_with(|s| s.rate_limit_failed_auth = budget("3/min")).await;
    let forged = format!("{}x", app.planner("BOL"));
    for attempt in 1..=4 {
        let reply = app.get("/api/v1/plans", &forged).await;
        assert_eq!(reply.status, 401, "attempt {attempt}: {}", reply.body);
    }
    // The budget is spent: from this address even a good token waits, and so does GraphQL.
    let blocked = app.get("/api/v1/plans", &app.planner("BOL")).await;
    blocked.assert_problem(429, "rate_limited");
    assert!(blocked.body["detail"].as_str().unwrap().contains("failed authentication"), "{}", blocked.body);
    assert!((1..=20).contains(&retry_after(&blocked)));
    assert_eq!(app.gql(Some(&app.admin()), "{ plans(first: 1) { edges { node { id } } } }", json!({})).await.status, 429);
    // Probes stay answered for the load balancer.
    app.get("/health/ready", "").await.assert(200);
}

/// The status of a request that says it is forwarded for `client`.
async fn from(app: &TestApp, client: &str) -> u16 {
    app.request(Method::GET, "/api/v1/administrations", Some(&app.admin()), None, &[("X-Forwarded-For", client)]).await.status.as_u16()
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    // Untrusted: the header is ignored, every request counts for the peer (127.0.0.1), whatever
    // client it claims to be forwarded for.
    let direct = TestApp::spawn_with(|s| {
        s.rate_limit_address = budget("8/min");
        s.rate_limit_caller = budget("off");
    })
    .await;
    let mut statuses = Vec::new();
    for n in 1..=10 {
        statuses.push(from(&direct, &format!("203.0.113.{n}")).await);
    }
    let first_refusal = statuses.iter().position(|s| *s == 429).expect("the shared budget runs out");
    assert!(statuses[first_refusal..].iter().all(|s| *s == 429), "{statuses:?}");

    // Behind a trusted proxy, each client has its own budget, and a client cannot pick its key
    // by sending the header itself: the proxy appends the address it saw, which is what counts.
    let proxied = TestApp::spawn_with(|s| {
        s.rate_limit_address = budget("3/min");
        s.rate_limit_caller = budget("off");
        s.trusted_proxies = TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await;
    for _ in 0..3 {
        assert_eq!(from(&proxied, "203.0.113.5").await, 200);
    }
    assert_eq!(from(&proxied, "203.0.113.5").await, 429);
    assert_eq!(from(&proxied, "198.51.100.7, 203.0.113.5").await, 429, "a forged first hop changes nothing");
    assert_eq!(from(&proxied, "203.0.113.6").await, 200, "another client");
}
