//! Targets, measurements and the figures computed from them.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn exact_decimals_round_trip_on_both_databases() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Ingresos"}})).await);
    let big = "12345678901234.56789";
    let indicator = app.create_indicator(&bol, &objective, json!({"measure": "currency", "unit": "BOB", "baseline_value": big})).await;
    assert_eq!(indicator["baseline"]["value"], big);
    let indicator = id(&indicator);
    app.put(&format!("/api/v1/indicators/{indicator}/targets/2026"), &bol, json!({"value": "99999999999999.99999"})).await.assert(201);
    app.put(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &bol, json!({"value": big})).await.assert(201);

    let read = app.get(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &bol).await;
    assert_eq!(read.assert(200)["value"], big);
    let again = app.get(&format!("/api/v1/indicators/{indicator}"), &bol).await;
    assert_eq!(again.assert(200)["baseline"]["value"], big);
    let targets = app.get(&format!("/api/v1/indicators/{indicator}/targets"), &bol).await;
    assert_eq!(targets.assert(200)[0]["value"], "99999999999999.99999");
}

#[tokio::test]
async fn targets_are_upserted_per_period_with_etags() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "x"}})).await);
    let indicator = id(&app.create_indicator(&bol, &objective, json!({})).await);
    let path = format!("/api/v1/indicators/{indicator}/targets/2026");
    let created = app.put(&path, &bol, json!({"value": "20"})).await;
    created.assert(201);
    assert_eq!(created.etag(), "\"1\"");
    assert_eq!(app.put(&path, &bol, json!({"value": 20})).await.assert(200)["version"], 1);
    let stale = app.request(reqwest::Method::PUT, &path, Some(&bol), Some(json!({"value": "25"})), &[("if-match", "\"7\"")]).await;
    stale.assert_problem(412, "stale_version");
    let updated = app.request(reqwest::Method::PUT, &path, Some(&bol), Some(json!({"value": "25"})), &[("if-match", "\"1\"")]).await;
    assert_eq!(updated.assert(200)["value"], "25");
    assert_eq!(updated.etag(), "\"2\"");
    assert_eq!(app.count("targets").await, 1);
}

fn dec(v: &Value) -> f64 {
    v.as_str().unwrap_or_else(|| panic!("a decimal string, got {v}")).parse().unwrap()
}

/// A plan computed by hand (default thresholds 0.9 / 0.6):
///
/// - A (weight 1): I1 increase 10 (2022) → 20 (2026), actual 14 in 2024: progress 0.4, expected 0.5 → at_risk;
///   I2 decrease 48 → 24, actual 30 in 2024: progress 0.75, expected 0.5 → on_track.
///   A = mean(0.4, 0.75) = 0.575 against 0.5 → on_track.
/// - B (weight 3): I4 without approved data (left out, counted); child B1 (weight 1) with
///   I3 increase 0 → 100, actual 20 in 2024: progress 0.2 against 0.5 → off_track. B = B1.
/// - Plan = (1 × 0.575 + 3 × 0.2) / 4 = 0.29375 against 0.5; 0.29375 < 0.6 × 0.5 → off_track.
#[tokio::test]
async fn the_scorecard_matches_a_hand_computed_plan() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let a = id(&app.create_objective(&bol, &plan, json!({"code": "A", "title": {"es": "A"}})).await);
    let b = id(&app.create_objective(&bol, &plan, json!({"code": "B", "title": {"es": "B"}, "weight": "3"})).await);
    let b1 = id(&app.create_objective(&bol, &plan, json!({"code": "B1", "title": {"es": "B1"}, "parent_id": b})).await);

    let indicator = |objective: String, name: &'static str, direction: &'static str, baseline: &'static str, target: &'static str| {
        let app = &app;
        let bol = bol.clone();
        async move {
            let i = id(&app.create_indicator(&bol, &objective, json!({"name": {"en": name}, "direction": direction, "baseline_value": baseline})).await);
            app.put(&format!("/api/v1/indicators/{i}/targets/2026"), &bol, json!({"value": target})).await.assert(201);
            i
        }
    };
    let i1 = indicator(a.clone(), "I1", "increase", "10", "20").await;
    let i2 = indicator(a.clone(), "I2", "decrease", "48", "24").await;
    let i3 = indicator(b1.clone(), "I3", "increase", "0", "100").await;
    let i4 = indicator(b.clone(), "I4", "increase", "0", "100").await;
    app.approved_measurement(&bol, &i1, "2024", "14").await;
    app.approved_measurement(&bol, &i2, "2024", "30").await;
    app.approved_measurement(&bol, &i3, "2024", "20").await;
    // Recorded but not approved: it does not count.
    app.put(&format!("/api/v1/indicators/{i4}/measurements/2024"), &bol, json!({"value": "90"})).await.assert(201);

    let progress = app.get(&format!("/api/v1/indicators/{i1}/progress"), &bol).await;
    let p = progress.assert(200);
    assert_eq!((p["progress"].as_str(), p["expected_progress"].as_str(), p["status"].as_str()), (Some("0.4"), Some("0.5"), Some("at_risk")));
    let point = p["series"].as_array().unwrap().iter().find(|x| x["period"] == "2024").unwrap();
    assert_eq!(point["expected"], "15");

    let card = app.get(&format!("/api/v1/plans/{plan}/scorecard"), &bol).await;
    let c = card.assert(200);
    assert_eq!(dec(&c["rollup"]["progress"]), 0.29375);
    assert_eq!(dec(&c["rollup"]["expected_progress"]), 0.5);
    assert_eq!(c["rollup"]["status"], "off_track");
    assert_eq!(c["rollup"]["indicators_with_data"], 3);
    assert_eq!(c["rollup"]["indicators_without_data"], 1);
    assert_eq!(c["status_counts"], json!({"on_track": 1, "at_risk": 1, "off_track": 1, "no_data": 1}));
    assert_eq!(c["indicators_without_data"], json!([i4]));

    let objective = |code: &str| c["objectives"].as_array().unwrap().iter().find(|o| o["code"] == code).unwrap().clone();
    let oa = objective("A");
    assert_eq!(dec(&oa["rollup"]["progress"]), 0.575);
    assert_eq!(oa["rollup"]["status"], "on_track");
    let statuses: Vec<(String, String)> =
        oa["indicators"].as_array().unwrap().iter().map(|i| (i["name"].as_str().unwrap().to_owned(), i["status"].as_str().unwrap().to_owned())).collect();
    assert_eq!(statuses, [("I1".to_owned(), "at_risk".to_owned()), ("I2".to_owned(), "on_track".to_owned())]);
    let ob = objective("B");
    assert_eq!(dec(&ob["rollup"]["progress"]), 0.2);
    assert_eq!(ob["rollup"]["status"], "off_track");
    assert_eq!(ob["rollup"]["indicators_without_data"], 1);
    assert_eq!(objective("B1")["rollup"]["status"], "off_track");
    // Tree order: parents before children.
    let codes: Vec<&str> = c["objectives"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["A", "B", "B1"]);
}

#[tokio::test]
async fn measurements_are_listed_by_period_across_pages() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({"start_year": 2020, "end_year": 2026})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "x"}})).await);
    let indicator = id(&app.create_indicator(&bol, &objective, json!({"frequency": "quarterly", "baseline_period": "2020-Q1"})).await);
    for period in ["2021-Q3", "2020-Q4", "2021-Q1", "2020-Q2", "2021-Q2", "2020-Q3"] {
        app.put(&format!("/api/v1/indicators/{indicator}/measurements/{period}"), &bol, json!({"value": "1"})).await.assert(201);
    }
    let mut periods = Vec::new();
    let mut path = format!("/api/v1/indicators/{indicator}/measurements?limit=4");
    loop {
        let page = app.get(&path, &bol).await;
        let body = page.assert(200).clone();
        periods.extend(body["items"].as_array().unwrap().iter().map(|m| m["period"].as_str().unwrap().to_owned()));
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/indicators/{indicator}/measurements?limit=4&after={c}"),
            None => break,
        }
    }
    assert_eq!(periods, ["2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3"]);
}
