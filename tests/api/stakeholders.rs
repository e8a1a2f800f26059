//! Stakeholders and their engagements on objectives and projects.

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn an_administration_keeps_its_stakeholders_and_their_roles() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let project = id(app
        .post(
            "/api/v1/projects",
            &bol,
            json!({"code": "P1", "title": {"es": "Ventanilla"}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [objective]}),
        )
        .await
        .assert(201));
    let per_plan = id(&app.create_plan(&app.planner("PER"), json!({})).await);
    let foreign = id(&app.create_objective(&app.planner("PER"), &per_plan, json!({"code": "SO1", "title": {"es": "Otro"}})).await);

    app.post("/api/v1/stakeholders", &bol, json!({"name": {"es": "x"}, "kind": "friends"})).await.assert_problem(422, "validation");
    app.post("/api/v1/stakeholders", &app.viewer("BOL"), json!({"name": {"es": "x"}, "kind": "academia"})).await.assert_problem(403, "forbidden");
    let chamber = app
        .post("/api/v1/stakeholders", &bol, json!({"name": {"es": "Cámara Nacional de Comercio"}, "kind": "private_sector", "contact": "info@cnc.bo"}))
        .await;
    let chamber = id(chamber.assert(201));
    let engagements = format!("/api/v1/stakeholders/{chamber}/engagements");
    app.post(&engagements, &bol, json!({"objective_id": objective, "role": "consulted"})).await.assert(201);
    app.post(&engagements, &bol, json!({"project_id": project, "role": "beneficiary"})).await.assert(201);
    app.post(&engagements, &bol, json!({"objective_id": objective, "role": "owner"})).await.assert_problem(409, "already_engaged");
    app.post(&engagements, &bol, json!({"objective_id": foreign, "role": "informed"})).await.assert_problem(404, "not_found");
    app.post(&engagements, &bol, json!({"role": "informed"})).await.assert_problem(422, "validation");
    app.post(&engagements, &bol, json!({"project_id": project, "role": "boss"})).await.assert_problem(422, "validation");

    let detail = app.get(&format!("/api/v1/stakeholders/{chamber}"), &app.viewer("BOL")).await;
    let roles: Vec<&str> = detail.assert(200)["engagements"].as_array().unwrap().iter().map(|e| e["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["consulted", "beneficiary"]);
    app.get(&format!("/api/v1/stakeholders/{chamber}"), &app.planner("PER")).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/stakeholders/{chamber}"), &app.donor()).await.assert_problem(404, "not_found");
    assert_eq!(app.get("/api/v1/stakeholders", &app.planner("PER")).await.assert(200)["items"], json!([]));

    let engagement = id(&detail.body["engagements"][0]);
    app.delete(&format!("/api/v1/engagements/{engagement}"), &app.planner("PER")).await.assert_problem(404, "not_found");
    app.delete(&format!("/api/v1/engagements/{engagement}"), &bol).await.assert(204);
    app.patch(&format!("/api/v1/stakeholders/{chamber}"), &bol, json!({"contact": null}), Some("\"1\"")).await.assert(200);

    let q = "query { stakeholders { edges { node { name kind contact engagements { role projectId } } } } }";
    let gql = app.gql(Some(&bol), q, json!({})).await;
    let node = &gql.body["data"]["stakeholders"]["edges"][0]["node"];
    assert_eq!(node["kind"], "PRIVATE_SECTOR", "{}", gql.body);
    assert_eq!(node["contact"], serde_json::Value::Null);
    assert_eq!(node["engagements"].as_array().unwrap().len(), 1);
    assert_eq!(node["engagements"][0]["role"], "BENEFICIARY");
    app.delete(&format!("/api/v1/stakeholders/{chamber}"), &bol).await.assert(204);
    assert_eq!(app.count("engagements").await, 0);
}
