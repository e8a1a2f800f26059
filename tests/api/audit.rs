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

#[tokio::test]
async fn webhook_subscriptions_are_audited_without_their_secret() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let created = app.post("/api/v1/webhooks", &per, json!({"url": "https://sync.sunat.gob.pe/meridian", "event_types": ["plan.*"]})).await;
    let hook = created.assert(201).clone();
    let (id, secret) = (hook["id"].as_str().unwrap().to_owned(), hook["secret"].as_str().unwrap().to_owned());
    let path = format!("/api/v1/webhooks/{id}");
    app.patch(&path, &per, json!({"description": "SIGAD"}), None).await.assert(200);
    app.post(&format!("{path}/rotate-secret"), &per, json!({})).await.assert(200);
    app.delete(&path, &per).await.assert(204);
    let trail = app.get(&format!("/api/v1/audit?entity_type=webhook&entity_id={id}"), &per).await;
    let entries = trail.assert(200)["items"].as_array().unwrap().clone();
    let mut actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    actions.reverse();
    assert_eq!(actions, ["create", "update", "rotate_secret", "delete"]);
    assert!(entries.iter().all(|e| e["actor"] == "planner-PER" && e["administration"] == "PER"));
    let deleted = entries.iter().find(|e| e["action"] == "delete").unwrap();
    assert_eq!(deleted["before"]["url"], "https://sync.sunat.gob.pe/meridian", "the delete keeps what was deleted");
    assert!(!serde_json::to_string(&entries).unwrap().contains("whsec_"), "no secret in the trail");
    assert!(!serde_json::to_string(&entries).unwrap().contains(&secret));
    // Another administration does not read PER's entries.
    let other = app.get(&format!("/api/v1/audit?entity_type=webhook&entity_id={id}"), &app.planner("BOL")).await;
    assert_eq!(other.assert(200)["items"], json!([]));
}

#[tokio::test]
async fn a_cascaded_delete_records_what_each_deleted_object_was() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let child = id(&app.create_objective(&bol, &plan, json!({"code": "SO1.1", "title": {"es": "Ventanilla"}, "parent_id": objective})).await);
    let indicator = id(&app.create_indicator(&bol, &child, json!({"name": {"en": "Clearance time"}})).await);
    app.put(&format!("/api/v1/indicators/{indicator}/targets/2026"), &bol, json!({"value": "20"})).await.assert(201);
    app.put(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &bol, json!({"value": "14"})).await.assert(201);
    app.delete(&format!("/api/v1/plans/{plan}"), &bol).await.assert(204);

    let trail = app.get("/api/v1/audit?limit=200", &bol).await;
    let deletes: Vec<serde_json::Value> = trail.assert(200)["items"].as_array().unwrap().iter().filter(|e| e["action"] == "delete").cloned().collect();
    let before_of = |entity_type: &str| deletes.iter().filter(|e| e["entity_type"] == entity_type).map(|e| e["before"].clone()).collect::<Vec<_>>();
    let objectives = before_of("objective");
    assert_eq!(objectives.len(), 2);
    assert!(objectives.iter().any(|b| b["code"] == "SO1.1"), "{objectives:?}");
    assert_eq!(before_of("indicator")[0]["name"]["en"], "Clearance time");
    assert_eq!(before_of("target")[0]["value"], "20");
    assert_eq!(before_of("measurement")[0]["value"], "14");
    assert_eq!(before_of("plan").len(), 1);
    assert!(deletes.iter().all(|e| !e["before"].is_null()), "every tombstone keeps its before state");
}
