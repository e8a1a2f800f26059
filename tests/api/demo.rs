//! The demo data a new user sees with `cargo run`: seven administrations whose plans show every
//! status, loaded once.

use std::collections::BTreeMap;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn the_demo_shows_seven_administrations_and_every_status() {
    let app = TestApp::spawn_demo().await;
    let admin = app.admin();
    let administrations = app.get("/api/v1/administrations", &admin).await;
    let codes: Vec<&str> = administrations.assert(200)["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["BGD", "BOL", "COL", "GTM", "PER", "UKR", "UZB"]);

    let plans = app.get("/api/v1/plans?limit=200", &admin).await;
    let plans = plans.assert(200)["items"].as_array().unwrap().clone();
    assert_eq!(plans.len(), 7, "one plan per administration");
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for plan in &plans {
        let card = app.get(&format!("/api/v1/plans/{}/scorecard", id(plan)), &admin).await;
        for (status, n) in card.assert(200)["status_counts"].as_object().unwrap() {
            *statuses.entry(status.clone()).or_default() += n.as_u64().unwrap();
        }
    }
    for status in ["on_track", "at_risk", "off_track", "no_data"] {
        assert!(statuses.get(status).copied().unwrap_or(0) > 0, "no indicator is {status}: {statuses:?}");
    }

    // Loading again (here by an operator, from another process) adds nothing.
    let before = (
        app.count("plans").await,
        app.count("measurements").await,
        app.count("capability_assessments").await,
        app.count("practices").await,
        app.count("projects").await + app.count("fundings").await + app.count("risks").await,
    );
    assert!(before.1 > 0);
    assert_eq!((before.2, before.3, before.4), (14, 4, 21), "two assessments per administration, four practices, seven funded projects with a risk");
    assert_eq!((app.count("portfolios").await, app.count("stakeholders").await, app.count("engagements").await), (7, 7, 7));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meridian")).args(["seed", "--demo", "--database-url", &app.database_url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after = (
        app.count("plans").await,
        app.count("measurements").await,
        app.count("capability_assessments").await,
        app.count("practices").await,
        app.count("projects").await + app.count("fundings").await + app.count("risks").await,
    );
    assert_eq!(after, before);

    // The library is shared with everyone; the starting points stay with each administration.
    let library = app.get("/api/v1/practices?q=risk", &app.donor()).await;
    assert!(!library.assert(200)["items"].as_array().unwrap().is_empty());
    let bolivia = app.get("/api/v1/assessments", &app.viewer("BOL")).await;
    let [first, second] = bolivia.assert(200)["items"].as_array().unwrap().clone().try_into().unwrap();
    let compared = app.get(&format!("/api/v1/assessments/compare?from={}&to={}", id(&first), id(&second)), &app.viewer("BOL")).await;
    assert!(!compared.assert(200)["improved"].as_array().unwrap().is_empty());

    // SECO reads the projects it funds, with their funding.
    let funded = app.get("/api/v1/projects", &app.donor()).await;
    let projects = funded.assert(200)["items"].as_array().unwrap().clone();
    let mut where_: Vec<&str> = projects.iter().map(|p| p["administration"].as_str().unwrap()).collect();
    where_.sort_unstable();
    assert_eq!(where_, ["BOL", "GTM", "PER", "UKR"]);

    // Peru's portfolio shows its project behind schedule: a milestone due mid-2026 is open.
    let peru = app.planner("PER");
    let portfolios = app.get("/api/v1/portfolios", &peru).await;
    let portfolio = id(&portfolios.assert(200)["items"][0]);
    let detail = app.get(&format!("/api/v1/portfolios/{portfolio}"), &peru).await;
    assert_eq!(detail.assert(200)["summary"]["projects_behind_schedule"], 1, "{}", detail.body);
    assert_eq!(detail.body["summary"]["budgets"], serde_json::json!([{"amount": "35000000", "currency": "PEN"}]));

    // A donor portal sees only the plans that are active or closed and disclosed.
    let donor = app.get("/api/v1/plans?limit=200", &app.donor()).await;
    let visible = donor.assert(200)["items"].as_array().unwrap();
    assert!(!visible.is_empty() && visible.len() < plans.len());
    assert!(visible.iter().all(|p| p["status"] == "active" || p["status"] == "closed"));
}

/// The example queries of the README run as written on the demo data, as a donor portal.
#[tokio::test]
async fn the_readmes_graphql_examples_run_on_the_demo_data() {
    let readme = include_str!("../../README.md");
    let block = readme.split("```graphql").nth(1).and_then(|b| b.split("```").next()).expect("a graphql block in the README");
    let app = TestApp::spawn_demo().await;
    let donor = app.donor();
    // The block holds three operations; each runs by name.
    let run = |name: &'static str, variables: serde_json::Value| {
        let app = &app;
        let donor = donor.clone();
        async move {
            let body = serde_json::json!({"query": block, "operationName": name, "variables": variables});
            let reply = app.request(reqwest::Method::POST, "/graphql", Some(&donor), Some(body), &[]).await;
            assert!(reply.body.get("errors").is_none(), "{name}: {}", reply.body);
            reply.body["data"].clone()
        }
    };
    let plans = run("Portal", serde_json::json!({})).await;
    let edges = plans["plans"]["edges"].as_array().unwrap();
    assert!(!edges.is_empty());
    let card = run("Scorecard", serde_json::json!({})).await;
    assert_eq!(card["plans"]["edges"].as_array().unwrap().len(), 1);
    let q = app.gql(Some(&donor), "{ plans(first: 1) { edges { node { objectives { indicators { id } } } } } }", serde_json::json!({})).await;
    let id = q.body["data"]["plans"]["edges"][0]["node"]["objectives"][0]["indicators"][0]["id"].clone();
    let series = run("Series", serde_json::json!({"id": id})).await;
    assert!(!series["indicator"]["progress"]["series"].as_array().unwrap().is_empty());
}
