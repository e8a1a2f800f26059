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
}
