//! The practice library: knowledge shared across the Programme, and its full-text search.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

fn titles(body: &Value) -> Vec<String> {
    let mut t: Vec<String> = body["items"].as_array().unwrap().iter().map(|p| p["title_translations"]["en"].as_str().unwrap_or("?").to_owned()).collect();
    t.sort();
    t
}

#[tokio::test]
async fn published_practices_are_found_by_everyone_drafts_by_their_administration() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Riesgo"}})).await);
    let risk = app
        .post(
            "/api/v1/practices",
            &bol,
            json!({"kind": "best_practice", "title": {"es": "Gestión de riesgos en la ventanilla única", "en": "Risk management at the single window"},
                   "body": {"es": "Perfiles de riesgo compartidos entre agencias.", "en": "Risk profiles shared between agencies."},
                   "tags": ["Risk-Management", "single-window"], "objective_ids": [objective]}),
        )
        .await;
    let risk = risk.assert(201).clone();
    assert_eq!(risk["status"], "draft");
    assert_eq!(risk["tags"], json!(["risk-management", "single-window"]));
    app.post(&format!("/api/v1/practices/{}/transitions", id(&risk)), &bol, json!({"to": "published"})).await.assert(200);
    let aeo = app
        .post("/api/v1/practices", &bol, json!({"kind": "lesson_learned", "title": {"en": "AEO validation takes longer than planned"}, "body": {"en": "Plan two audits per operator."}, "tags": ["aeo"]}))
        .await;
    app.post(&format!("/api/v1/practices/{}/transitions", id(aeo.assert(201))), &bol, json!({"to": "published"})).await.assert(200);
    let draft =
        app.post("/api/v1/practices", &per, json!({"kind": "challenge", "title": {"en": "Risk of staff turnover"}, "body": {"en": "Draft notes."}})).await;
    let draft = draft.assert(201).clone();

    // Search: accents ignored, prefixes match, every word must match, any language.
    for (q, expected) in [
        ("gestion riesgos", vec!["Risk management at the single window"]),
        ("GESTIÓN", vec!["Risk management at the single window"]),
        ("venta", vec!["Risk management at the single window"]),
        ("audits operator", vec!["AEO validation takes longer than planned"]),
        ("risk window", vec!["Risk management at the single window"]),
        ("nothing-like-this", vec![]),
    ] {
        let r = app.get(&format!("/api/v1/practices?q={}", q.replace(' ', "%20")), &app.donor()).await;
        assert_eq!(titles(r.assert(200)), expected, "q={q}");
    }
    // Peru finds its own draft too; others do not.
    let r = app.get("/api/v1/practices?q=risk", &per).await;
    assert_eq!(titles(r.assert(200)), ["Risk management at the single window", "Risk of staff turnover"]);
    let r = app.get("/api/v1/practices?q=risk", &app.viewer("BOL")).await;
    assert_eq!(titles(r.assert(200)), ["Risk management at the single window"]);
    app.get(&format!("/api/v1/practices/{}", id(&draft)), &bol).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/practices/{}", id(&draft)), &app.donor()).await.assert_problem(404, "not_found");

    // Filters by tag and kind.
    assert_eq!(titles(app.get("/api/v1/practices?tag=aeo", &app.donor()).await.assert(200)), ["AEO validation takes longer than planned"]);
    assert_eq!(titles(app.get("/api/v1/practices?kind=best_practice", &app.donor()).await.assert(200)), ["Risk management at the single window"]);
    app.get("/api/v1/practices?kind=gossip", &app.donor()).await.assert_problem(422, "validation");

    // Only the writing administration changes it; a link must be one of its objectives.
    app.patch(&format!("/api/v1/practices/{}", id(&risk)), &per, json!({"tags": ["x"]}), None).await.assert_problem(403, "forbidden");
    let foreign = app.patch(&format!("/api/v1/practices/{}", id(&draft)), &per, json!({"objective_ids": [objective]}), None).await;
    foreign.assert_problem(422, "validation");
    assert_eq!(foreign.error_fields(), ["objective_ids[0]"]);
    app.post("/api/v1/practices", &app.donor(), json!({"kind": "challenge", "title": {"en": "x"}, "body": {"en": "y"}})).await.assert_problem(403, "forbidden");

    // Edits re-index the search; withdrawing hides it again.
    app.patch(&format!("/api/v1/practices/{}", id(&risk)), &bol, json!({"title": {"en": "Shared risk profiles"}}), None).await.assert(200);
    assert_eq!(titles(app.get("/api/v1/practices?q=gestion", &app.donor()).await.assert(200)), Vec::<String>::new());
    assert_eq!(titles(app.get("/api/v1/practices?q=profiles", &app.donor()).await.assert(200)), ["Shared risk profiles"]);
    app.post(&format!("/api/v1/practices/{}/transitions", id(&risk)), &bol, json!({"to": "draft"})).await.assert(200);
    assert_eq!(titles(app.get("/api/v1/practices?q=profiles", &app.donor()).await.assert(200)), Vec::<String>::new());

    let q = r#"query($q: String) { practices(q: $q) { edges { node { title(lang: "en") kind tags status } } } }"#;
    let gql = app.gql(Some(&app.donor()), q, json!({"q": "audits"})).await;
    assert_eq!(gql.body["data"]["practices"]["edges"][0]["node"]["kind"], "LESSON_LEARNED", "{}", gql.body);
    let publish = r#"mutation($id: ID!) { transitionPractice(id: $id, to: PUBLISHED) { status } }"#;
    assert_eq!(app.gql(Some(&per), publish, json!({"id": id(&draft)})).await.body["data"]["transitionPractice"]["status"], "PUBLISHED");
    assert_eq!(titles(app.get("/api/v1/practices?q=turnover", &app.donor()).await.assert(200)), ["Risk of staff turnover"]);
}
