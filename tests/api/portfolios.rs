//! Portfolios: an administration groups its projects and reads the roll-up of each group.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

fn project(code: &str, objective: &str, portfolio: Option<&str>, budget: Option<(&str, &str)>) -> Value {
    let mut body = json!({"code": code, "title": {"es": code}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [objective]});
    if let Some(p) = portfolio {
        body["portfolio_id"] = json!(p);
    }
    if let Some((amount, currency)) = budget {
        body["budget"] = json!({"amount": amount, "currency": currency});
    }
    body
}

#[tokio::test]
async fn a_portfolio_groups_projects_and_rolls_up_their_status_money_and_schedule() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);

    app.post("/api/v1/portfolios", &per, json!({"code": "no spaces", "title": {}})).await.assert_problem(422, "validation");
    app.post("/api/v1/portfolios", &app.viewer("PER"), json!({"code": "FACILITA", "title": {"es": "Facilitación"}})).await.assert_problem(403, "forbidden");
    let facilita = app.post("/api/v1/portfolios", &per, json!({"code": "FACILITA", "title": {"es": "Facilitación", "en": "Facilitation"}})).await;
    let facilita = id(facilita.assert(201));
    app.post("/api/v1/portfolios", &per, json!({"code": "FACILITA", "title": {"es": "Otra"}})).await.assert_problem(409, "code_taken");
    // Another administration may reuse the code, but not put its projects in Peru's portfolio.
    let bol = app.planner("BOL");
    let bol_plan = id(&app.create_plan(&bol, json!({})).await);
    let bol_objective = id(&app.create_objective(&bol, &bol_plan, json!({"code": "SO1", "title": {"es": "Otro"}})).await);
    app.post("/api/v1/portfolios", &bol, json!({"code": "FACILITA", "title": {"es": "Facilitación"}})).await.assert(201);
    let refused = app.post("/api/v1/projects", &bol, project("B1", &bol_objective, Some(&facilita), None)).await;
    refused.assert_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["portfolio_id"]);
    app.post("/api/v1/projects", &per, project("P0", &objective, Some("not-a-uuid"), None)).await.assert_problem(422, "validation");
    assert_eq!(app.count("projects").await, 0, "a refused project leaves nothing behind");

    let vuce = id(app.post("/api/v1/projects", &per, project("VUCE", &objective, Some(&facilita), Some(("1000000.50", "USD")))).await.assert(201));
    let ports = id(app.post("/api/v1/projects", &per, project("PORTS", &objective, Some(&facilita), Some(("250000", "USD")))).await.assert(201));
    let lab = id(app.post("/api/v1/projects", &per, project("LAB", &objective, Some(&facilita), Some(("900000", "PEN")))).await.assert(201));
    app.post("/api/v1/projects", &per, project("OUTSIDE", &objective, None, Some(("5", "USD")))).await.assert(201);
    for to in ["approved", "in_progress"] {
        app.post(&format!("/api/v1/projects/{vuce}/transitions"), &per, json!({"to": to})).await.assert(200);
    }
    app.post(&format!("/api/v1/projects/{lab}/milestones"), &per, json!({"title": {"es": "Equipos"}, "due_on": "2024-05-31"})).await.assert(201);
    app.post(&format!("/api/v1/projects/{lab}/transitions"), &per, json!({"to": "cancelled"})).await.assert(200);
    app.post(&format!("/api/v1/projects/{vuce}/milestones"), &per, json!({"title": {"es": "Puertos"}, "due_on": "2024-03-31"})).await.assert(201);
    app.post(&format!("/api/v1/projects/{vuce}/milestones"), &per, json!({"title": {"es": "Piloto"}, "due_on": "2024-01-31", "completed_on": "2024-02-10"}))
        .await
        .assert(201);

    let detail = app.get(&format!("/api/v1/portfolios/{facilita}"), &app.viewer("PER")).await;
    let summary = &detail.assert(200)["summary"];
    assert_eq!(summary["projects"], 3, "{summary}");
    assert_eq!(summary["budgets"], json!([{"amount": "900000", "currency": "PEN"}, {"amount": "1250000.5", "currency": "USD"}]));
    let by_status: Vec<(String, u64)> =
        summary["by_status"].as_array().unwrap().iter().map(|s| (s["status"].as_str().unwrap().to_owned(), s["projects"].as_u64().unwrap())).collect();
    assert_eq!(by_status[0], ("proposed".to_owned(), 1));
    assert!(by_status.contains(&("in_progress".to_owned(), 1)) && by_status.contains(&("cancelled".to_owned(), 1)));
    assert_eq!(by_status.len(), 6, "every status, zeros included");
    // Two milestones are overdue, but the cancelled project is not "behind schedule".
    let schedule = (summary["milestones"].as_u64(), summary["overdue_milestones"].as_u64(), summary["projects_behind_schedule"].as_u64());
    assert_eq!(schedule, (Some(3), Some(2), Some(1)));
    assert_eq!(detail.body["title"], "Facilitación");

    let listed = app.get(&format!("/api/v1/projects?portfolio={facilita}"), &per).await;
    let mut codes: Vec<&str> = listed.assert(200)["items"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["LAB", "PORTS", "VUCE"]);
    app.get("/api/v1/projects?portfolio=nope", &per).await.assert_problem(422, "validation");

    // Only Peru (and admins) see it; for others it does not exist.
    app.get(&format!("/api/v1/portfolios/{facilita}"), &bol).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/portfolios/{facilita}"), &app.donor()).await.assert_problem(404, "not_found");
    app.patch(&format!("/api/v1/portfolios/{facilita}"), &bol, json!({"code": "MINE"}), None).await.assert_problem(404, "not_found");
    let bol_list = app.get("/api/v1/portfolios", &bol).await;
    assert_eq!(bol_list.assert(200)["items"].as_array().unwrap().len(), 1, "Bolivia sees its own portfolio only");
    assert_eq!(app.get("/api/v1/portfolios", &app.donor()).await.assert(200)["items"], json!([]));
    assert_eq!(app.get("/api/v1/portfolios?limit=200", &app.admin()).await.assert(200)["items"].as_array().unwrap().len(), 2);

    // A non-empty portfolio is not deleted; emptied, it is.
    app.delete(&format!("/api/v1/portfolios/{facilita}"), &per).await.assert_problem(409, "portfolio_not_empty");
    // The schema keeps the same promise behind the use case (a delete racing a project's move).
    let raw = app.db().await.execute_unprepared("DELETE FROM portfolios WHERE administration_code = 'PER' AND code = 'FACILITA'").await;
    assert!(raw.is_err(), "the database refuses to delete a portfolio that projects belong to");
    for p in [&vuce, &ports, &lab] {
        let moved = app.patch(&format!("/api/v1/projects/{p}"), &per, json!({"portfolio_id": null}), None).await;
        assert_eq!(moved.assert(200)["portfolio_id"], Value::Null);
    }
    app.patch(&format!("/api/v1/portfolios/{facilita}"), &per, json!({"title": {"es": "Facilitación del comercio"}}), Some("\"1\"")).await.assert(200);
    app.delete(&format!("/api/v1/portfolios/{facilita}"), &per).await.assert(204);
    app.get(&format!("/api/v1/portfolios/{facilita}"), &per).await.assert_problem(404, "not_found");
    let audit = app.get(&format!("/api/v1/audit?entity_type=portfolio&entity_id={facilita}"), &per).await;
    let actions: Vec<&str> = audit.assert(200)["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["delete", "update", "create"]);
}

#[tokio::test]
async fn graphql_reads_and_writes_portfolios_with_their_projects() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Integrar"}})).await;
    let create = "mutation($t: [TranslationInput!]) { createPortfolio(input: {code: \"INTEGRA\", title: $t}) { id code title } }";
    let created = app.gql(Some(&bol), create, json!({"t": [{"lang": "es", "text": "Integración regional"}]})).await;
    let portfolio = created.body["data"]["createPortfolio"]["id"].as_str().unwrap_or_else(|| panic!("{}", created.body)).to_owned();
    let again = app.gql(Some(&bol), create, json!({"t": [{"lang": "es", "text": "Otra"}]})).await;
    assert_eq!(again.body["errors"][0]["extensions"]["code"], "CONFLICT", "{}", again.body);

    let make = "mutation($o: ID!, $p: ID) { createProject(input: {code: \"DUCA\", title: [{lang: \"es\", text: \"DUCA\"}], plannedStart: \"2024-02-01\", \
                plannedEnd: \"2026-12-31\", budget: {amount: \"18000000\", currency: \"GTQ\"}, objectiveIds: [$o], portfolioId: $p}) { id portfolio { code } } }";
    let o = app.gql(Some(&bol), "{ plans(first: 1) { edges { node { objectives { id } } } } }", json!({})).await;
    let o = o.body["data"]["plans"]["edges"][0]["node"]["objectives"][0]["id"].as_str().unwrap().to_owned();
    let made = app.gql(Some(&bol), make, json!({"o": o, "p": portfolio})).await;
    assert_eq!(made.body["data"]["createProject"]["portfolio"]["code"], "INTEGRA", "{}", made.body);

    let q = "query($p: ID) { portfolios { edges { node { code summary { projects budgets { amount currency } byStatus { status projects } } \
             projects { code } } } } projects(portfolio: $p) { edges { node { code } } } }";
    let read = app.gql(Some(&app.viewer("BOL")), q, json!({"p": portfolio})).await;
    let node = &read.body["data"]["portfolios"]["edges"][0]["node"];
    assert_eq!(node["summary"]["projects"], 1, "{}", read.body);
    assert_eq!(node["summary"]["budgets"], json!([{"amount": "18000000", "currency": "GTQ"}]));
    assert_eq!(node["summary"]["byStatus"][0], json!({"status": "PROPOSED", "projects": 1}));
    assert_eq!(node["projects"][0]["code"], "DUCA");
    assert_eq!(read.body["data"]["projects"]["edges"].as_array().unwrap().len(), 1);

    // Outsiders get NOT_FOUND, as for a portfolio that does not exist.
    let other = app.gql(Some(&app.planner("PER")), "query($id: ID!) { portfolio(id: $id) { code } }", json!({"id": portfolio})).await;
    assert_eq!(other.body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{}", other.body);
    let deleted = app.gql(Some(&bol), "mutation($id: ID!) { deletePortfolio(id: $id) }", json!({"id": portfolio})).await;
    assert_eq!(deleted.body["errors"][0]["extensions"]["code"], "CONFLICT", "{}", deleted.body);
}
