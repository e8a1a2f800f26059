//! Projects and milestones: the things to do, their lifecycle and schedule health.

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn a_project_moves_through_its_lifecycle_and_its_milestones_give_its_health() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let per_plan = id(&app.create_plan(&app.planner("PER"), json!({})).await);
    let foreign = id(&app.create_objective(&app.planner("PER"), &per_plan, json!({"code": "SO1", "title": {"es": "Otro"}})).await);

    let body = json!({"code": "P1", "title": {"es": "Ventanilla única de comercio exterior"}, "planned_start": "2024-01-15", "planned_end": "2026-06-30",
                      "budget": {"amount": "2500000.00", "currency": "USD"}, "objective_ids": [objective]});
    let bad_dates = json!({"code": "P0", "title": {"es": "x"}, "planned_start": "2025-01-01", "planned_end": "2024-01-01", "objective_ids": [objective]});
    let bad = app.post("/api/v1/projects", &bol, bad_dates).await;
    bad.assert_problem(422, "validation");
    assert_eq!(bad.error_fields(), ["planned_end"]);
    let other_objective = json!({"code": "P0", "title": {"es": "x"}, "planned_start": "2024-01-01", "planned_end": "2025-01-01", "objective_ids": [foreign]});
    let other = app.post("/api/v1/projects", &bol, other_objective).await;
    other.assert_problem(422, "validation");
    assert_eq!(other.error_fields(), ["objective_ids[0]"]);
    app.post("/api/v1/projects", &app.viewer("BOL"), body.clone()).await.assert_problem(403, "forbidden");
    let project = app.post("/api/v1/projects", &bol, body.clone()).await;
    let project = project.assert(201).clone();
    assert_eq!(project["status"], "proposed");
    assert_eq!(project["budget"], json!({"amount": "2500000", "currency": "USD"}));
    app.post("/api/v1/projects", &bol, body).await.assert_problem(409, "code_taken");
    let pid = id(&project);

    let path = format!("/api/v1/projects/{pid}/transitions");
    app.post(&path, &bol, json!({"to": "completed"})).await.assert_problem(409, "invalid_transition");
    for to in ["approved", "in_progress", "on_hold", "in_progress"] {
        app.post(&path, &bol, json!({"to": to})).await.assert(200);
    }
    let started = app.get(&format!("/api/v1/projects/{pid}"), &bol).await;
    assert!(started.assert(200)["actual_start"].is_string());
    assert_eq!(started.body["allowed_transitions"], json!(["on_hold", "completed", "cancelled"]));

    for (title, due, done) in [("Diseño", "2024-03-31", Some("2024-04-10")), ("Piloto", "2025-01-31", None), ("Despliegue", "2099-12-31", None)] {
        let r = app.post(&format!("/api/v1/projects/{pid}/milestones"), &bol, json!({"title": {"es": title}, "due_on": due, "completed_on": done})).await;
        r.assert(201);
    }
    app.post(&format!("/api/v1/projects/{pid}/milestones"), &bol, json!({"title": {"es": "x"}, "due_on": "2025-01-01", "completed_on": "2099-01-01"}))
        .await
        .assert_problem(422, "validation");
    let detail = app.get(&format!("/api/v1/projects/{pid}"), &app.viewer("BOL")).await;
    let d = detail.assert(200).clone();
    assert_eq!(d["schedule"], json!({"milestones": 3, "completed": 1, "overdue": 1, "completed_share": "0.3333"}));
    let overdue: Vec<bool> = d["milestones"].as_array().unwrap().iter().map(|m| m["overdue"].as_bool().unwrap()).collect();
    assert_eq!(overdue, [false, true, false]);

    // Completing the overdue milestone clears it.
    let pilot = id(&d["milestones"][1]);
    app.patch(&format!("/api/v1/milestones/{pilot}"), &bol, json!({"completed_on": "2025-02-14"}), Some("\"1\"")).await.assert(200);
    let after = app.get(&format!("/api/v1/projects/{pid}"), &bol).await;
    assert_eq!(after.assert(200)["schedule"]["overdue"], 0);

    // Another administration and donors (until they fund it) see nothing.
    app.get(&format!("/api/v1/projects/{pid}"), &app.planner("PER")).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/projects/{pid}"), &app.donor()).await.assert_problem(404, "not_found");
    assert_eq!(app.get("/api/v1/projects", &app.planner("PER")).await.assert(200)["items"], json!([]));
    assert_eq!(app.get("/api/v1/projects?status=in_progress", &bol).await.assert(200)["items"].as_array().unwrap().len(), 1);

    let q = "query($id: ID!) { project(id: $id) { code status schedule { milestones overdue } milestones { dueOn overdue } objectives { code } } }";
    let gql = app.gql(Some(&bol), q, json!({"id": pid})).await;
    let p = &gql.body["data"]["project"];
    assert_eq!(p["status"], "IN_PROGRESS", "{}", gql.body);
    assert_eq!(p["schedule"], json!({"milestones": 3, "overdue": 0}));
    assert_eq!(p["objectives"], json!([{"code": "SO1"}]));
    let finish = r#"mutation($id: ID!) { transitionProject(id: $id, to: COMPLETED) { status actualEnd } }"#;
    let done = app.gql(Some(&bol), finish, json!({"id": pid})).await;
    assert_eq!(done.body["data"]["transitionProject"]["status"], "COMPLETED");
    assert!(done.body["data"]["transitionProject"]["actualEnd"].is_string());
    app.post(&format!("/api/v1/projects/{pid}/milestones"), &bol, json!({"title": {"es": "Tarde"}, "due_on": "2027-01-01"}))
        .await
        .assert_problem(409, "project_closed");
    let hidden = app.gql(Some(&app.planner("PER")), "query($id: ID!) { project(id: $id) { code } }", json!({"id": pid})).await;
    assert_eq!(hidden.body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn upserting_a_project_by_external_ref_twice_leaves_one_unchanged_project() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let body = json!({"code": "P9", "title": {"es": "Laboratorio aduanero"}, "planned_start": "2024-01-01", "planned_end": "2025-12-31", "objective_ids": [objective]});
    let first = app.put("/api/v1/projects/by-ref/SIPLAN-PRY-9", &bol, body.clone()).await;
    assert_eq!(first.assert(201)["external_ref"], "SIPLAN-PRY-9");
    let again = app.put("/api/v1/projects/by-ref/SIPLAN-PRY-9", &bol, body.clone()).await;
    assert_eq!((again.assert(200)["id"].clone(), again.body["version"].clone()), (first.body["id"].clone(), json!(1)));
    let mut changed = body;
    changed["planned_end"] = json!("2026-06-30");
    assert_eq!(app.put("/api/v1/projects/by-ref/SIPLAN-PRY-9", &bol, changed).await.assert(200)["version"], 2);
    assert_eq!(app.count("projects").await, 1);
    app.put(
        "/api/v1/projects/by-ref/bad%20ref",
        &bol,
        json!({"code": "P9", "title": {"es": "x"}, "planned_start": "2024-01-01", "planned_end": "2025-12-31", "objective_ids": [objective]}),
    )
    .await
    .assert_problem(422, "validation");

    let m = r#"mutation($o: ID!) { upsertProjectByRef(externalRef: "SIPLAN-PRY-9", input: {code: "P9", title: [{lang: "es", text: "Laboratorio aduanero"}], planedStartFix: "x"}) { outcome } }"#;
    let typo = app.gql(Some(&bol), m, json!({"o": objective})).await;
    assert_eq!(typo.body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    let m = r#"mutation($o: ID!) { upsertProjectByRef(externalRef: "SIPLAN-PRY-9", input: {code: "P9", title: [{lang: "es", text: "Laboratorio aduanero"}], plannedStart: "2024-01-01", plannedEnd: "2026-06-30", objectiveIds: [$o]}) { outcome project { version } } }"#;
    let gql = app.gql(Some(&bol), m, json!({"o": objective})).await;
    assert_eq!(gql.body["data"]["upsertProjectByRef"], json!({"outcome": "UNCHANGED", "project": {"version": 2}}), "{}", gql.body);
}
