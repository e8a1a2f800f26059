//! Capability assessments: the starting point of an administration, and what improved.

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn an_administration_records_its_starting_point_and_sees_what_improved() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let first = app
        .post(
            "/api/v1/assessments",
            &bol,
            json!({"assessed_on": "2022-02-08", "maturity": {"risk_management": 2, "integrity": 3, "human_resources": 2},
                   "staff": 3200, "annual_budget": {"amount": "41500000.50", "currency": "BOB"}, "notes": {"es": "Diagnóstico inicial"}}),
        )
        .await;
    let a = first.assert(201).clone();
    assert_eq!(a["maturity"], json!({"human_resources": 2, "integrity": 3, "risk_management": 2}));
    assert_eq!(a["annual_budget"], json!({"amount": "41500000.5", "currency": "BOB"}));
    let second = app
        .post(
            "/api/v1/assessments",
            &bol,
            json!({"assessed_on": "2025-06-30", "maturity": {"risk_management": 4, "integrity": 2, "information_technology": 3}}),
        )
        .await;
    let b = second.assert(201).clone();

    let compared = app.get(&format!("/api/v1/assessments/compare?from={}&to={}", id(&b), id(&a)), &app.viewer("BOL")).await;
    let c = compared.assert(200);
    assert_eq!(c["from"]["assessed_on"], "2022-02-08");
    assert_eq!(c["improved"], json!(["risk_management"]));
    assert_eq!(c["worsened"], json!(["integrity"]));
    let risk = c["dimensions"].as_array().unwrap().iter().find(|d| d["dimension"] == "risk_management").unwrap().clone();
    assert_eq!(risk, json!({"dimension": "risk_management", "before": 2, "after": 4, "delta": 2}));

    // Bad input is refused field by field and stores nothing.
    let bad = app
        .post(
            "/api/v1/assessments",
            &bol,
            json!({"assessed_on": "2099-01-01", "maturity": {"integrity": 7, "luck": 3}, "annual_budget": {"amount": "1", "currency": "bob"}}),
        )
        .await;
    bad.assert_problem(422, "validation");
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["annual_budget_currency", "assessed_on", "maturity.integrity", "maturity.luck"]);
    assert_eq!(app.count("capability_assessments").await, 2);

    // Another administration sees nothing of it; viewers and donors cannot write.
    app.get(&format!("/api/v1/assessments/{}", id(&a)), &app.planner("PER")).await.assert_problem(404, "not_found");
    assert_eq!(app.get("/api/v1/assessments", &app.planner("PER")).await.assert(200)["items"], json!([]));
    assert_eq!(app.get("/api/v1/assessments?administration=BOL", &app.planner("PER")).await.assert(200)["items"], json!([]));
    app.get(&format!("/api/v1/assessments/{}", id(&a)), &app.donor()).await.assert_problem(404, "not_found");
    app.post("/api/v1/assessments", &app.viewer("BOL"), json!({"assessed_on": "2024-01-01", "maturity": {"integrity": 3}}))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(app.get("/api/v1/assessments", &bol).await.assert(200)["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/v1/assessments?administration=BOL", &app.admin()).await.assert(200)["items"].as_array().unwrap().len(), 2);

    // Edits follow optimistic concurrency; deletion is journalled.
    let path = format!("/api/v1/assessments/{}", id(&b));
    app.patch(&path, &bol, json!({"staff": 3350}), Some("\"1\"")).await.assert(200);
    app.patch(&path, &bol, json!({"staff": 3400}), Some("\"1\"")).await.assert_problem(412, "stale_version");
    app.delete(&path, &bol).await.assert(204);
    let audit = app.get("/api/v1/audit?entity_type=assessment", &bol).await;
    let actions: Vec<&str> = audit.assert(200)["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["delete", "update", "create", "create"]);

    // The same through GraphQL.
    let create = r#"mutation { createAssessment(input: {assessedOn: "2026-01-15", maturity: [{dimension: RISK_MANAGEMENT, level: 5}]}) { id maturity { dimension level } } }"#;
    let made = app.gql(Some(&bol), create, json!({})).await;
    let made_id = made.body["data"]["createAssessment"]["id"].clone();
    let q = "query($a: ID!, $b: ID!) { compareAssessments(from: $a, to: $b) { improved dimensions { dimension delta } } }";
    let gql = app.gql(Some(&bol), q, json!({"a": id(&a), "b": made_id})).await;
    assert_eq!(gql.body["data"]["compareAssessments"]["improved"], json!(["RISK_MANAGEMENT"]), "{}", gql.body);
    let hidden = app.gql(Some(&app.planner("PER")), "query($id: ID!) { assessment(id: $id) { uuid } }", json!({"id": id(&a)})).await;
    assert_eq!(hidden.body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}
