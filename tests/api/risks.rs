//! Risks on projects and objectives: scores, who sees them, who changes them.

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn risks_are_scored_and_follow_their_subjects_visibility() {
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

    let on_project = format!("/api/v1/projects/{project}/risks");
    app.post(&on_project, &bol, json!({"title": {"es": "x"}, "likelihood": 6, "impact": 0})).await.assert_problem(422, "validation");
    let low = app.post(&on_project, &bol, json!({"title": {"es": "Retraso del proveedor"}, "likelihood": 2, "impact": 3, "owner": "Gerencia TI"})).await;
    assert_eq!(low.assert(201)["score"], 6);
    let high = app
        .post(&on_project, &bol, json!({"title": {"es": "Resistencia al cambio"}, "likelihood": 4, "impact": 4, "mitigation": {"es": "Plan de comunicación"}}))
        .await;
    assert_eq!(high.assert(201)["status"], "open");
    let scores: Vec<u64> = app.get(&on_project, &bol).await.assert(200).as_array().unwrap().iter().map(|r| r["score"].as_u64().unwrap()).collect();
    assert_eq!(scores, [16, 6]);
    app.post(&format!("/api/v1/objectives/{objective}/risks"), &bol, json!({"title": {"es": "Crisis sanitaria"}, "likelihood": 1, "impact": 5}))
        .await
        .assert(201);

    // Donors that fund the project read its risks; objective risks stay with the administration.
    app.post(&format!("/api/v1/projects/{project}/fundings"), &bol, json!({"donor": "SECO", "committed": {"amount": "1000", "currency": "CHF"}}))
        .await
        .assert(201);
    assert_eq!(app.get(&on_project, &app.donor()).await.assert(200).as_array().unwrap().len(), 2);
    app.advance_plan(&plan, "active").await;
    app.get(&format!("/api/v1/objectives/{objective}/risks"), &app.donor()).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/objectives/{objective}/risks"), &app.planner("PER")).await.assert_problem(404, "not_found");
    app.get(&on_project, &app.planner("PER")).await.assert_problem(404, "not_found");

    // Only the administration changes them.
    let risk = format!("/api/v1/risks/{}", id(&high.body));
    app.patch(&risk, &app.donor(), json!({"status": "mitigated"}), None).await.assert_problem(403, "forbidden");
    let mitigated = app.patch(&risk, &bol, json!({"status": "mitigated", "likelihood": 2}), Some("\"1\"")).await;
    assert_eq!((mitigated.assert(200)["status"].as_str(), mitigated.body["score"].as_u64()), (Some("mitigated"), Some(8)));
    app.delete(&format!("/api/v1/risks/{}", id(&low.body)), &bol).await.assert(204);

    let q = "query($id: ID!) { project(id: $id) { risks { score status owner } } }";
    let gql = app.gql(Some(&app.donor()), q, json!({"id": project})).await;
    assert_eq!(gql.body["data"]["project"]["risks"], json!([{"score": 8, "status": "MITIGATED", "owner": null}]), "{}", gql.body);
    let add = r#"mutation($o: ID!) { addRisk(objectiveId: $o, input: {title: [{lang: "es", text: "Huelga"}], likelihood: 2, impact: 2}) { score } }"#;
    assert_eq!(app.gql(Some(&bol), add, json!({"o": objective})).await.body["data"]["addRisk"]["score"], 4);
    let walk = "query($id: ID!) { objective(id: $id) { risks { score } } }";
    assert_eq!(app.gql(Some(&bol), walk, json!({"id": objective})).await.body["data"]["objective"]["risks"], json!([{"score": 5}, {"score": 4}]));
    assert_eq!(app.gql(Some(&app.planner("PER")), walk, json!({"id": objective})).await.body["data"]["objective"]["risks"], json!([]));
}
