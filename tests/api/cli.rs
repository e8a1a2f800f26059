//! The `meridian` binary's commands, run as an operator would.

use std::process::Command;

use crate::helpers::{SECRET, TestApp};

fn meridian(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_meridian"))
        .args(args)
        .env("MERIDIAN_JWT_SECRET", SECRET)
        .env_remove("MERIDIAN_JWT_ISSUER")
        .env_remove("MERIDIAN_JWT_AUDIENCE")
        .output()
        .expect("the binary runs")
}

#[tokio::test]
async fn token_issue_prints_a_token_the_server_accepts() {
    let app = TestApp::spawn().await;
    let out = meridian(&["token", "issue", "--role", "planner", "--administration", "BOL", "--subject", "alice", "--ttl", "5m"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let created = app.create_plan(&token, serde_json::json!({})).await;
    assert_eq!(created["administration"], "BOL");
}

#[test]
fn token_issue_refuses_an_impossible_principal() {
    let out = meridian(&["token", "issue", "--role", "planner"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("administration"));
    let out = meridian(&["token", "issue", "--role", "emperor"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    // Claims the role does not have are refused, not dropped.
    for (args, field) in [
        (&["--role", "planner", "--administration", "BOL", "--donor", "SECO"][..], "donor"),
        (&["--role", "donor", "--donor", "SECO", "--administration", "BOL"][..], "administration"),
        (&["--role", "viewer", "--administration", "BOL", "--scope", "plans:write"][..], "scope"),
    ] {
        let out = meridian(&[&["token", "issue"][..], args].concat());
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains(field), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// `meridian serve` with `env` added to the test environment (no JWT secret unless given).
fn serve_refused(env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("serve")
        .env_remove("MERIDIAN_JWT_SECRET")
        .env("MERIDIAN_DATABASE_URL", "sqlite::memory:")
        .env("MERIDIAN_DEMO", "off")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    assert!(!out.status.success(), "the server started: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_server_refuses_to_expose_the_development_secret() {
    let production = serve_refused(&[("MERIDIAN_ENV", "production"), ("MERIDIAN_BIND", "127.0.0.1:0")]);
    assert!(production.contains("MERIDIAN_JWT_SECRET"), "{production}");
    // In every mode, the development secret stays on loopback.
    for env in ["development", "production"] {
        let exposed = serve_refused(&[("MERIDIAN_ENV", env), ("MERIDIAN_BIND", "0.0.0.0:0")]);
        assert!(exposed.contains("MERIDIAN_JWT_SECRET"), "{env}: {exposed}");
    }
}

#[test]
fn a_production_server_logs_its_posture_at_start() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("serve")
        .env("MERIDIAN_JWT_SECRET", SECRET)
        .env("MERIDIAN_ENV", "production")
        .env("MERIDIAN_BIND", "127.0.0.1:0")
        .env("MERIDIAN_DATABASE_URL", "sqlite::memory:")
        .env("MERIDIAN_LOG_FORMAT", "json")
        .env("MERIDIAN_SWAGGER_UI", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stderr = child.stderr.take().unwrap();
    // The line is awaited, not slept for; a server that never logs it ends the read at exit.
    let posture = std::io::BufReader::new(stderr).lines().map_while(Result::ok).find(|l| l.contains("posture"));
    child.kill().ok();
    child.wait().ok();
    let posture = posture.expect("a posture line");
    for part in ["environment=production", "signing=hs256 external_issuer=none", "graphiql=off", "introspection=off", "suggestions=off", "swagger_ui=on"] {
        assert!(posture.contains(part), "{part} missing from {posture}");
    }
}

#[tokio::test]
async fn tokens_issued_without_a_subject_are_told_apart_in_the_audit_trail() {
    let app = TestApp::spawn().await;
    let mut actors = Vec::new();
    for _ in 0..2 {
        let out = meridian(&["token", "issue", "--role", "planner", "--administration", "BOL"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let plan = app.create_plan(&token, serde_json::json!({})).await;
        let trail = app.get(&format!("/api/v1/audit?entity_type=plan&entity_id={}", plan["id"].as_str().unwrap()), &app.admin()).await;
        actors.push(trail.assert(200)["items"][0]["actor"].as_str().unwrap().to_owned());
    }
    assert!(actors.iter().all(|a| a.starts_with("cli-")), "{actors:?}");
    assert_ne!(actors[0], actors[1]);
}

/// The donor portal's query (README), on every plan at once.
const PORTAL: &str = r#"{ plans(first: 100) { edges { node {
    title(lang: "en") status administration { code name(lang: "en") }
    progress { progress expectedProgress status indicatorsWithoutData }
    objectives { code title(lang: "en")
      indicators { name(lang: "en") latestApprovedMeasurement { period value } progress { progress status } } }
} } pageInfo { hasNextPage } } }"#;

#[tokio::test]
async fn seed_scale_adds_plans_a_donor_sees_with_progress_once() {
    let app = TestApp::spawn().await;
    let seed = || meridian(&["seed", "--scale", "10", "--history-months", "6", "--database-url", &app.database_url]);
    let out = seed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(printed.contains("10 administrations, 10 plans, 60 objectives, 280 indicators"), "{printed}");
    assert!(printed.contains("rows/s"), "{printed}");

    // A donor sees the nine programme plans (one in ten is restricted), with values and progress.
    let body = app.gql(Some(&app.donor()), PORTAL, serde_json::json!({})).await.assert(200).clone();
    assert!(body["errors"].is_null(), "{body}");
    let plans = body["data"]["plans"]["edges"].as_array().unwrap();
    let codes: Vec<&str> = plans.iter().map(|e| e["node"]["administration"]["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 9, "{codes:?}");
    assert!(!codes.contains(&"ARM"), "the restricted plan stays hidden: {codes:?}");
    let mut statuses = std::collections::BTreeSet::new();
    for edge in plans {
        let plan = &edge["node"];
        assert_eq!(plan["status"], "ACTIVE");
        assert_eq!(plan["progress"]["indicatorsWithoutData"], 0, "{plan}");
        assert!(plan["progress"]["progress"].is_string(), "{plan}");
        let objectives = plan["objectives"].as_array().unwrap();
        assert_eq!(objectives.len(), 6);
        let indicators: Vec<&serde_json::Value> = objectives.iter().flat_map(|o| o["indicators"].as_array().unwrap()).collect();
        assert_eq!(indicators.len(), 28);
        for i in indicators {
            let period = i["latestApprovedMeasurement"]["period"].as_str().unwrap();
            assert!(period == "2026-11" || period == "2025", "{i}");
            let status = i["progress"]["status"].as_str().unwrap().to_owned();
            assert_ne!(status, "NO_DATA", "{i}");
            statuses.insert(status);
        }
    }
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), ["AT_RISK", "OFF_TRACK", "ON_TRACK"]);

    // An admin sees all ten; the series of a monthly indicator holds the last six months.
    let admin = app.admin();
    let listed = app.get("/api/v1/plans?limit=100", &admin).await.assert(200).clone();
    assert_eq!(listed["items"].as_array().unwrap().len(), 10, "{listed}");
    assert_eq!(app.count("measurements").await, 10 * (26 * 6 + 2));

    // Again: nothing is added, and it says so.
    let out = seed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(printed.contains("0 administrations") && printed.contains("10 administrations were already seeded"), "{printed}");
    assert_eq!(app.count("measurements").await, 10 * (26 * 6 + 2));
}

#[tokio::test]
async fn seed_scale_refuses_an_administration_it_did_not_generate() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    app.post("/api/v1/administrations", &admin, serde_json::json!({"code": "ABW", "default_language": "nl", "name": {"en": "Aruba Customs"}}))
        .await
        .assert(201);
    let out = meridian(&["seed", "--scale", "2", "--database-url", &app.database_url]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ABW exists and was not generated"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(app.count("measurements").await, 0);
}
