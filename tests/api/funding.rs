//! Funding: commitments and IATI-typed transactions, the money rules, and what donors see.

use domain::principal::Role;
use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn money_rules_hold_and_donors_see_what_they_fund() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    for (code, name) in [("WCO", "World Customs Organization"), ("EU", "European Union")] {
        app.post("/api/v1/donors", &admin, json!({"code": code, "name": {"en": name}})).await.assert(201);
    }
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let project = id(app
        .post("/api/v1/projects", &bol, json!({"code": "P1", "title": {"es": "Ventanilla única"}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [objective]}))
        .await
        .assert(201));
    app.post(&format!("/api/v1/projects/{project}/milestones"), &bol, json!({"title": {"es": "Piloto"}, "due_on": "2025-06-30"})).await.assert(201);

    let fundings = format!("/api/v1/projects/{project}/fundings");
    let seco = app.post(&fundings, &bol, json!({"donor": "SECO", "committed": {"amount": "1000000", "currency": "CHF"}})).await;
    let seco = id(seco.assert(201));
    let wco = id(app.post(&fundings, &bol, json!({"donor": "WCO", "committed": {"amount": "200000.50", "currency": "USD"}})).await.assert(201));
    app.post(&fundings, &bol, json!({"donor": "NOBODY", "committed": {"amount": "1", "currency": "CHF"}})).await.assert_problem(422, "validation");
    app.post(&fundings, &bol, json!({"donor": "SECO", "committed": {"amount": "0", "currency": "chf"}})).await.assert_problem(422, "validation");

    let txs = |f: &str| format!("/api/v1/fundings/{f}/transactions");
    let first = app.post(&txs(&seco), &bol, json!({"kind": "disbursement", "date": "2025-03-31", "amount": "600000"})).await;
    assert_eq!(first.assert(201)["iati_code"], 3);
    assert_eq!(first.body["currency"], "CHF");
    let over = app.post(&txs(&seco), &bol, json!({"kind": "disbursement", "date": "2025-06-30", "amount": "400000.01"})).await;
    over.assert_problem(422, "validation");
    assert_eq!(over.body["errors"][0]["code"], "exceeds_commitment");
    assert!(over.body["errors"][0]["message"].as_str().unwrap().contains("400000 CHF"));
    app.post(&txs(&seco), &bol, json!({"kind": "disbursement", "date": "2099-01-01", "amount": "1"})).await.assert_problem(422, "validation");
    app.post(&txs(&seco), &bol, json!({"kind": "expenditure", "date": "2025-07-15", "amount": "450000"})).await.assert(201);
    app.post(&txs(&wco), &bol, json!({"kind": "disbursement", "date": "2025-02-01", "amount": "50000.25"})).await.assert(201);
    assert_eq!(app.count("funding_transactions").await, 3);

    // Totals per currency, never summed across currencies.
    let summary = app.get(&fundings, &bol).await;
    assert_eq!(
        summary.assert(200)["totals"],
        json!([
            {"currency": "CHF", "committed": "1000000", "disbursed": "600000", "spent": "450000"},
            {"currency": "USD", "committed": "200000.5", "disbursed": "50000.25", "spent": "0"}
        ])
    );

    // An explicit override lets disbursements exceed the commitment.
    let open = id(app
        .post(&fundings, &bol, json!({"donor": "SECO", "committed": {"amount": "100", "currency": "CHF"}, "allow_over_disbursement": true}))
        .await
        .assert(201));
    app.post(&txs(&open), &bol, json!({"kind": "disbursement", "date": "2025-01-01", "amount": "150"})).await.assert(201);

    // Donors read the projects they fund, with milestones and their own funding only.
    let seco_token = app.donor();
    let wco_token = app.token("wco-portal", Role::Donor, None, Some("WCO"), &[]);
    let eu_token = app.token("eu-portal", Role::Donor, None, Some("EU"), &[]);
    let listed = app.get("/api/v1/projects", &seco_token).await;
    assert_eq!(listed.assert(200)["items"][0]["id"], project);
    let detail = app.get(&format!("/api/v1/projects/{project}"), &seco_token).await;
    assert_eq!(detail.assert(200)["milestones"].as_array().unwrap().len(), 1);
    let seen: Vec<String> =
        app.get(&fundings, &wco_token).await.assert(200)["fundings"].as_array().unwrap().iter().map(|f| f["donor"].as_str().unwrap().to_owned()).collect();
    assert_eq!(seen, ["WCO"]);
    app.get(&format!("/api/v1/projects/{project}"), &eu_token).await.assert_problem(404, "not_found");
    assert_eq!(app.get("/api/v1/projects", &eu_token).await.assert(200)["items"], json!([]));
    app.post(&txs(&seco), &seco_token, json!({"kind": "disbursement", "date": "2025-01-01", "amount": "1"})).await.assert_problem(403, "forbidden");
    app.get(&format!("/api/v1/projects/{project}"), &app.planner("PER")).await.assert_problem(404, "not_found");

    // A donor's portfolio across projects: for that donor and admins.
    let mine = app.get("/api/v1/donors/SECO/fundings", &seco_token).await;
    assert_eq!(mine.assert(200)["totals"][0], json!({"currency": "CHF", "committed": "1000100", "disbursed": "600150", "spent": "450000"}));
    app.get("/api/v1/donors/SECO/fundings", &wco_token).await.assert_problem(404, "not_found");
    app.get("/api/v1/donors/SECO/fundings", &admin).await.assert(200);

    let q = "query($id: ID!) { project(id: $id) { code fundings { donorCode committed { amount currency } transactions { kind iatiCode amount } } schedule { milestones } } }";
    let gql = app.gql(Some(&wco_token), q, json!({"id": project})).await;
    let p = &gql.body["data"]["project"];
    assert_eq!(
        p["fundings"],
        json!([{"donorCode": "WCO", "committed": {"amount": "200000.5", "currency": "USD"}, "transactions": [{"kind": "disbursement", "iatiCode": 3, "amount": "50000.25"}]}]),
        "{}",
        gql.body
    );
    assert_eq!(p["schedule"]["milestones"], 1);
}
