//! Plan revisions: every status transition keeps the plan as it was.

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn every_transition_keeps_the_plan_as_it_was() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({"title": {"es": "Primera versión"}})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Uno"}})).await);
    let indicator = id(&app.create_indicator(&bol, &objective, json!({})).await);
    app.put(&format!("/api/v1/indicators/{indicator}/targets/2026"), &bol, json!({"value": "20"})).await.assert(201);
    let transitions = format!("/api/v1/plans/{plan}/transitions");
    app.post(&transitions, &bol, json!({"to": "under_review"})).await.assert(200);
    app.post(&transitions, &bol, json!({"to": "draft"})).await.assert(200);
    app.patch(&format!("/api/v1/plans/{plan}"), &bol, json!({"title": {"es": "Segunda versión"}}), None).await.assert(200);
    app.create_objective(&bol, &plan, json!({"code": "SO2", "title": {"es": "Dos"}})).await;
    app.advance_plan(&plan, "active").await;

    let list = app.get(&format!("/api/v1/plans/{plan}/revisions"), &bol).await;
    let items = list.assert(200)["items"].as_array().unwrap().clone();
    let statuses: Vec<&str> = items.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["under_review", "draft", "under_review", "approved", "active"]);
    assert_eq!(items[0]["actor"], "planner-BOL");
    assert_eq!(items[3]["actor"], "root");
    assert!(items[0].get("snapshot").is_none());

    let first = app.get(&format!("/api/v1/plans/{plan}/revisions/1"), &bol).await;
    let snapshot = &first.assert(200)["snapshot"];
    assert_eq!(snapshot["plan"]["title"]["es"], "Primera versión");
    assert_eq!(snapshot["plan"]["status"], "under_review");
    assert_eq!(snapshot["objectives"].as_array().unwrap().len(), 1);
    assert_eq!(snapshot["indicators"].as_array().unwrap().len(), 1);
    assert_eq!(snapshot["targets"][0]["value"], "20");
    let last = app.get(&format!("/api/v1/plans/{plan}/revisions/5"), &bol).await;
    assert_eq!(last.assert(200)["snapshot"]["plan"]["title"]["es"], "Segunda versión");
    assert_eq!(last.body["snapshot"]["objectives"].as_array().unwrap().len(), 2);
    app.get(&format!("/api/v1/plans/{plan}/revisions/6"), &bol).await.assert_problem(404, "not_found");

    // The plan is disclosed, its working history is not.
    app.get(&format!("/api/v1/plans/{plan}/revisions"), &app.planner("PER")).await.assert_problem(403, "forbidden");
    app.get(&format!("/api/v1/plans/{plan}/revisions/1"), &app.donor()).await.assert_problem(403, "forbidden");
    let draft = id(&app.create_plan(&bol, json!({})).await);
    app.get(&format!("/api/v1/plans/{draft}/revisions"), &app.planner("PER")).await.assert_problem(404, "not_found");

    let q = "query($id: ID!) { plan(id: $id) { revisions { number status actor snapshot } } }";
    let inside = app.gql(Some(&app.viewer("BOL")), q, json!({"id": plan})).await;
    let revisions = inside.body["data"]["plan"]["revisions"].as_array().unwrap().clone();
    assert_eq!(revisions.len(), 5);
    assert_eq!(revisions[0]["snapshot"]["plan"]["title"]["es"], "Primera versión");
    let outside = app.gql(Some(&app.donor()), q, json!({"id": plan})).await;
    assert_eq!(outside.body["data"]["plan"]["revisions"], json!([]));
}
