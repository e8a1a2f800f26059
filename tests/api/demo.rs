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
    let before = (app.count("plans").await, app.count("measurements").await);
    assert!(before.1 > 0);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meridian")).args(["seed", "--demo", "--database-url", &app.database_url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!((app.count("plans").await, app.count("measurements").await), before);

    // A donor portal sees only the plans that are active or closed and disclosed.
    let donor = app.get("/api/v1/plans?limit=200", &app.donor()).await;
    let visible = donor.assert(200)["items"].as_array().unwrap();
    assert!(!visible.is_empty() && visible.len() < plans.len());
    assert!(visible.iter().all(|p| p["status"] == "active" || p["status"] == "closed"));
}
