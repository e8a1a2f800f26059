//! The public read surface: without a token, `public` active or closed plans with their public
//! objectives' indicators and approved values, through REST and GraphQL, cacheable; everything
//! else still needs a token.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id};

async fn anonymous(app: &TestApp, path: &str) -> Reply {
    app.request(Method::GET, path, None, None, &[]).await
}

#[tokio::test]
async fn citizens_read_public_plans_and_approved_values_without_a_token_and_nothing_else() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let public_plan = id(&app.create_plan(&bol, json!({"disclosure": "public"})).await);
    let objective = id(&app.create_objective(&bol, &public_plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let public_indicator = id(&app.create_indicator(&bol, &objective, json!({"disclosure": "public", "name": {"en": "Clearance time"}})).await);
    let programme_indicator = id(&app.create_indicator(&bol, &objective, json!({"name": {"en": "Programme only"}})).await);
    let restricted_indicator = id(&app.create_indicator(&bol, &objective, json!({"disclosure": "restricted", "name": {"en": "Internal"}})).await);
    app.put(&format!("/api/v1/indicators/{public_indicator}/targets/2026"), &bol, json!({"value": "20"})).await.assert(201);
    app.approved_measurement(&bol, &public_indicator, "2023", "12").await;
    app.put(&format!("/api/v1/indicators/{public_indicator}/measurements/2024"), &bol, json!({"value": "99"})).await.assert(201);
    app.advance_plan(&public_plan, "active").await;
    // Not public: a programme plan of PER, and a public plan still in draft.
    let per = app.planner("PER");
    let programme_plan = id(&app.create_plan(&per, json!({})).await);
    app.advance_plan(&programme_plan, "active").await;
    let draft = id(&app.create_plan(&bol, json!({"disclosure": "public", "title": {"es": "Borrador"}})).await);

    let plans = anonymous(&app, "/api/v1/plans").await;
    let listed: Vec<String> = plans.assert(200)["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(listed, std::slice::from_ref(&public_plan));
    assert_eq!(plans.headers.get("cache-control").unwrap(), "public, max-age=60");
    assert!(plans.headers.get_all("vary").iter().any(|v| v.to_str().unwrap().contains("Authorization")));
    anonymous(&app, &format!("/api/v1/plans/{public_plan}")).await.assert(200);
    for hidden in [&programme_plan, &draft] {
        anonymous(&app, &format!("/api/v1/plans/{hidden}")).await.assert_problem(404, "not_found");
    }
    let indicators = anonymous(&app, &format!("/api/v1/objectives/{objective}/indicators")).await;
    let shown: Vec<String> = indicators.assert(200)["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(shown, std::slice::from_ref(&public_indicator), "only public indicators");
    for hidden in [&programme_indicator, &restricted_indicator] {
        anonymous(&app, &format!("/api/v1/indicators/{hidden}")).await.assert_problem(404, "not_found");
    }
    let values = anonymous(&app, &format!("/api/v1/indicators/{public_indicator}/measurements")).await;
    let values = values.assert(200)["items"].as_array().unwrap().clone();
    assert_eq!(values.len(), 1, "approved values only: {values:?}");
    assert_eq!(values[0]["value"], "12");
    let progress = anonymous(&app, &format!("/api/v1/indicators/{public_indicator}/progress")).await;
    assert!(progress.assert(200)["series"].as_array().unwrap().iter().any(|p| p["actual"] == "12"));
    anonymous(&app, &format!("/api/v1/plans/{public_plan}/scorecard")).await.assert(200);

    // With a token the answer is the caller's own, and a bad token is never read as no token.
    let as_planner = app.get("/api/v1/plans", &per).await;
    assert_eq!(as_planner.headers.get("cache-control").unwrap(), "private");
    app.get("/api/v1/plans", "not-a-token").await.assert_problem(401, "unauthenticated");

    // Everything else still answers 401.
    for path in ["/api/v1/projects", "/api/v1/audit", "/api/v1/changes", "/api/v1/clients", "/api/v1/webhooks", "/api/v1/export"] {
        let refused = anonymous(&app, path).await;
        assert_eq!(refused.status, 401, "{path}: {}", refused.body);
    }
    let write = app.request(Method::POST, "/api/v1/plans", None, Some(json!({"title": {"es": "x"}, "start_year": 2022, "end_year": 2026})), &[]).await;
    write.assert_problem(401, "unauthenticated");

    // GraphQL: the same public data; private root fields and mutations are UNAUTHENTICATED.
    let portal = r#"{ plans(first: 10) { edges { node { id objectives { indicators { id latestApprovedMeasurement { value } } } } } } }"#;
    let body = app.gql(None, portal, json!({})).await.assert(200).clone();
    assert!(body["errors"].is_null(), "{body}");
    let edges = body["data"]["plans"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    let indicators = &edges[0]["node"]["objectives"][0]["indicators"];
    assert_eq!(indicators.as_array().unwrap().len(), 1, "{indicators}");
    assert_eq!(indicators[0]["latestApprovedMeasurement"]["value"], "12");
    for private in ["{ auditLog(first: 1) { edges { node { action } } } }", "{ projects(first: 1) { edges { node { id } } } }", "{ me { role } }"] {
        let refused: Value = app.gql(None, private, json!({})).await.body;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{private}: {refused}");
    }
    let mutation =
        app.gql(None, r#"mutation { createPlan(input: {title: [{lang: "es", text: "x"}], startYear: 2022, endYear: 2026}) { id } }"#, json!({})).await;
    assert_eq!(mutation.body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{}", mutation.body);
    assert_eq!(app.count("plans").await, 3);
}

#[tokio::test]
async fn practices_are_read_at_their_disclosure_level_once_published() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let mut ids = Vec::new();
    for disclosure in ["public", "programme", "restricted"] {
        let body = json!({"kind": "best_practice", "title": {"en": disclosure}, "body": {"en": "How we did it."}, "disclosure": disclosure});
        let p = id(app.post("/api/v1/practices", &bol, body).await.assert(201));
        app.post(&format!("/api/v1/practices/{p}/transitions"), &bol, json!({"to": "published"})).await.assert(200);
        ids.push(p);
    }
    let draft = id(app
        .post("/api/v1/practices", &bol, json!({"kind": "challenge", "title": {"en": "draft"}, "body": {"en": "x"}, "disclosure": "public"}))
        .await
        .assert(201));
    let titles = |reply: &Reply| {
        let mut t: Vec<String> = reply.body["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect();
        t.sort();
        t
    };
    let public = anonymous(&app, "/api/v1/practices").await;
    public.assert(200);
    assert_eq!(titles(&public), ["public"]);
    assert_eq!(public.body["items"][0]["disclosure"], "public");
    let per = app.get("/api/v1/practices", &app.planner("PER")).await;
    per.assert(200);
    assert_eq!(titles(&per), ["programme", "public"]);
    let own = app.get("/api/v1/practices", &bol).await;
    own.assert(200);
    assert_eq!(titles(&own), ["draft", "programme", "public", "restricted"]);
    anonymous(&app, &format!("/api/v1/practices/{}", ids[0])).await.assert(200);
    for hidden in [&ids[1], &ids[2], &draft] {
        anonymous(&app, &format!("/api/v1/practices/{hidden}")).await.assert_problem(404, "not_found");
    }
    app.get(&format!("/api/v1/practices/{}", ids[2]), &app.planner("PER")).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/practices/{}", ids[2]), &app.donor()).await.assert_problem(404, "not_found");
    let gql = app.gql(None, "{ practices(first: 10) { edges { node { title(lang: \"en\") disclosure } } } }", json!({})).await;
    assert_eq!(gql.body["data"]["practices"]["edges"], json!([{"node": {"title": "public", "disclosure": "PUBLIC"}}]), "{}", gql.body);
}
