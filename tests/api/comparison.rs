//! Cross-country comparison of a catalogue indicator.

use serde_json::json;

use crate::helpers::{TestApp, id};

const RELEASE_TIME: &str = "01930000-0000-7000-8000-000000000001";

async fn adopt(app: &TestApp, administration: &str, values: &[(&str, &str)], disclosure: &str) -> String {
    let planner = app.planner(administration);
    let plan = id(&app.create_plan(&planner, json!({})).await);
    let objective = id(&app.create_objective(&planner, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let indicator = id(&app
        .create_indicator(
            &planner,
            &objective,
            json!({"definition_id": RELEASE_TIME, "name": null, "measure": null, "direction": null, "baseline_value": "48", "disclosure": disclosure}),
        )
        .await);
    app.put(&format!("/api/v1/indicators/{indicator}/targets/2026"), &planner, json!({"value": "24"})).await.assert(201);
    for (period, value) in values {
        app.approved_measurement(&planner, &indicator, period, value).await;
    }
    plan
}

#[tokio::test]
async fn administrations_compare_the_latest_approved_values_they_may_see() {
    let app = TestApp::spawn().await;
    let bol = adopt(&app, "BOL", &[("2023", "40"), ("2024", "30")], "programme").await;
    let per = adopt(&app, "PER", &[("2023", "44")], "programme").await;
    app.advance_plan(&bol, "active").await;
    let path = format!("/api/v1/indicator-definitions/{RELEASE_TIME}/comparison");

    // Peru's plan is still a draft: only Peru (and admins) see its figure.
    let donor = app.get(&path, &app.donor()).await;
    let entries = donor.assert(200)["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0]["administration"].as_str(), entries[0]["period"].as_str(), entries[0]["value"].as_str()), (Some("BOL"), Some("2024"), Some("30")));
    assert_eq!(entries[0]["progress"], "0.75");
    assert_eq!(donor.body["definition"]["code"], "TF-RELEASE-TIME");
    let peru = app.get(&path, &app.planner("PER")).await;
    let codes: Vec<&str> = peru.assert(200)["entries"].as_array().unwrap().iter().map(|e| e["administration"].as_str().unwrap()).collect();
    assert_eq!(codes, ["BOL", "PER"]);

    app.advance_plan(&per, "active").await;
    let both = app.get(&path, &app.donor()).await;
    assert_eq!(both.assert(200)["entries"].as_array().unwrap().len(), 2);

    // A restricted indicator is not shared, even in an active plan.
    let ukr_admin = json!({"code": "UKR", "name": {"uk": "Митниця"}, "default_language": "uk"});
    app.post("/api/v1/administrations", &app.admin(), ukr_admin).await.assert(201);
    let ukr = adopt(&app, "UKR", &[("2024", "20")], "restricted").await;
    app.advance_plan(&ukr, "active").await;
    assert_eq!(app.get(&path, &app.donor()).await.body["entries"].as_array().unwrap().len(), 2);
    assert_eq!(app.get(&path, &app.admin()).await.body["entries"].as_array().unwrap().len(), 3);

    let q = "query($id: ID!) { comparison(definitionId: $id) { administrationCode period value progress { status } } }";
    let gql = app.gql(Some(&app.donor()), q, json!({"id": RELEASE_TIME})).await;
    let rows = gql.body["data"]["comparison"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2, "{}", gql.body);
    assert_eq!(rows[0]["progress"]["status"], "ON_TRACK");
    app.get(&format!("/api/v1/indicator-definitions/{}/comparison", uuid::Uuid::now_v7()), &app.donor()).await.assert_problem(404, "not_found");
}
