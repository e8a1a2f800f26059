//! The audit trail: who changed what and when, readable by admins and by each administration
//! for its own data, through REST and GraphQL.

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn each_administration_reads_its_own_audit_trail_with_before_and_after() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    app.patch(&format!("/api/v1/plans/{plan}"), &bol, json!({"national_plan_ref": "PDES"}), None).await.assert(200);
    app.create_plan(&app.planner("PER"), json!({})).await;

    let own = app.get("/api/v1/audit", &app.viewer("BOL")).await;
    let items = own.assert(200)["items"].as_array().unwrap().clone();
    assert!(items.iter().all(|e| e["administration"] == "BOL"), "{items:?}");
    // Newest first: the update, then the creation of the plan, then the administration.
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["entity_id"], plan);
    assert_eq!(items[0]["actor"], "planner-BOL");
    assert_eq!(items[0]["before"]["national_plan_ref"], serde_json::Value::Null);
    assert_eq!(items[0]["after"]["national_plan_ref"], "PDES");
    assert_eq!(items[1]["action"], "create");
    assert!(items[1]["before"].is_null());

    app.get("/api/v1/audit?administration=PER", &bol).await.assert_problem(403, "forbidden");
    app.get("/api/v1/audit", &app.donor()).await.assert_problem(403, "forbidden");
    app.get("/api/v1/audit?entity_type=planet", &bol).await.assert_problem(422, "validation");

    let admin = app.get(&format!("/api/v1/audit?entity_type=plan&entity_id={plan}"), &app.admin()).await;
    assert_eq!(admin.assert(200)["items"].as_array().unwrap().len(), 2);
    let everything = app.get("/api/v1/audit?limit=200", &app.admin()).await;
    let all = everything.assert(200)["items"].as_array().unwrap().clone();
    assert!(all.iter().any(|e| e["administration"] == "PER") && all.iter().any(|e| e["administration"] == "BOL"));

    // Pages run from newest to oldest without repeats.
    let first = app.get("/api/v1/audit?limit=2", &app.admin()).await;
    let cursor = first.assert(200)["next_cursor"].as_str().unwrap().to_owned();
    let second = app.get(&format!("/api/v1/audit?limit=2&after={cursor}"), &app.admin()).await;
    let a = first.body["items"][1]["id"].as_i64().unwrap();
    let b = second.assert(200)["items"][0]["id"].as_i64().unwrap();
    assert!(b < a);

    let q = "{ auditLog(first: 5) { edges { node { action entityType actor after } } } }";
    let gql = app.gql(Some(&app.viewer("PER")), q, json!({})).await;
    let edges = gql.body["data"]["auditLog"]["edges"].as_array().unwrap().clone();
    assert_eq!(edges[0]["node"]["entityType"], "plan");
    assert_eq!(edges[0]["node"]["actor"], "planner-PER");
    let denied = app.gql(Some(&app.donor()), q, json!({})).await;
    assert_eq!(denied.body["errors"][0]["extensions"]["code"], "FORBIDDEN");
}
