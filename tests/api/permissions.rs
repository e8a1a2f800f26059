//! Who may do what (the permissions table in README), as a client sees it.

use domain::principal::Role;
use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn requests_without_or_with_a_bad_token_are_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    // Routes that never serve public data (plans do: see the public surface tests).
    let none = app.request(reqwest::Method::GET, "/api/v1/projects", None, None, &[]).await;
    none.assert_problem(401, "unauthenticated");
    assert!(none.headers.get("www-authenticate").unwrap().to_str().unwrap().starts_with("Bearer"));

    let forged = app.get("/api/v1/plans", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl").await;
    forged.assert_problem(401, "unauthenticated");
    assert!(forged.headers.get("www-authenticate").unwrap().to_str().unwrap().contains("invalid_token"));

    // A token signed with another secret does not verify either.
    let other = meridian::tokens(&{
        let mut s = meridian::Settings::from_env().expect("the MERIDIAN_* variables are valid");
        s.jwt_secret = Some("another-secret-of-enough-length".parse().unwrap());
        s
    })
    .expect("the keys load")
    .issue(&api::auth::TokenRequest {
        subject: "mallory".into(),
        role: Role::Admin,
        administration: None,
        donor: None,
        scopes: vec![],
        ttl: std::time::Duration::from_secs(60),
    })
    .unwrap();
    app.get("/api/v1/plans", &other).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn another_administrations_private_plan_is_indistinguishable_from_a_missing_one() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let per = app.planner("PER");
    let plan = app.create_plan(&bol, json!({})).await;
    let plan_id = id(&plan);
    let objective = app.create_objective(&bol, &plan_id, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await;
    let indicator = app.create_indicator(&bol, &id(&objective), json!({})).await;

    let missing = app.get(&format!("/api/v1/plans/{}", uuid::Uuid::now_v7()), &per).await;
    let private = app.get(&format!("/api/v1/plans/{plan_id}"), &per).await;
    missing.assert_problem(404, "not_found");
    private.assert_problem(404, "not_found");
    assert_eq!(missing.body["detail"], private.body["detail"]);

    // Every path to the draft plan's content is closed to outsiders, writes included.
    for path in [
        format!("/api/v1/plans/{plan_id}/objectives"),
        format!("/api/v1/plans/{plan_id}/scorecard"),
        format!("/api/v1/objectives/{}", id(&objective)),
        format!("/api/v1/objectives/{}/indicators", id(&objective)),
        format!("/api/v1/indicators/{}", id(&indicator)),
        format!("/api/v1/indicators/{}/progress", id(&indicator)),
        format!("/api/v1/indicators/{}/measurements", id(&indicator)),
    ] {
        app.get(&path, &per).await.assert_problem(404, "not_found");
        app.get(&path, &app.donor()).await.assert_problem(404, "not_found");
    }
    app.patch(&format!("/api/v1/plans/{plan_id}"), &per, json!({"title": {"en": "Hijacked"}}), None).await.assert_problem(404, "not_found");
    app.put(&format!("/api/v1/indicators/{}/measurements/2024", id(&indicator)), &per, json!({"value": "1"})).await.assert_problem(404, "not_found");

    // The list does not show it either.
    let list = app.get("/api/v1/plans", &per).await;
    assert_eq!(list.assert(200)["items"].as_array().unwrap().len(), 0);
    let own = app.get("/api/v1/plans", &bol).await;
    assert_eq!(own.assert(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_disclosed_plan_is_readable_by_others_but_writable_only_by_its_administration() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = app.create_plan(&bol, json!({"disclosure": "programme"})).await;
    let plan_id = id(&plan);
    app.advance_plan(&plan_id, "active").await;

    for reader in [app.planner("PER"), app.viewer("PER"), app.donor(), app.viewer("BOL")] {
        app.get(&format!("/api/v1/plans/{plan_id}"), &reader).await.assert(200);
        app.get(&format!("/api/v1/plans/{plan_id}/scorecard"), &reader).await.assert(200);
    }
    for writer in [app.planner("PER"), app.viewer("PER"), app.viewer("BOL"), app.donor()] {
        app.patch(&format!("/api/v1/plans/{plan_id}"), &writer, json!({"title": {"en": "Changed"}}), None).await.assert_problem(403, "forbidden");
        app.post(&format!("/api/v1/plans/{plan_id}/objectives"), &writer, json!({"code": "X", "title": {"en": "x"}})).await.assert_problem(403, "forbidden");
    }
    app.patch(&format!("/api/v1/plans/{plan_id}"), &bol, json!({"title": {"en": "Changed"}}), None).await.assert(200);
    app.patch(&format!("/api/v1/plans/{plan_id}"), &app.admin(), json!({"title": {"en": "By admin"}}), None).await.assert(200);

    // A restricted plan stays private even when active.
    let restricted = app.create_plan(&bol, json!({"disclosure": "restricted"})).await;
    app.advance_plan(&id(&restricted), "active").await;
    app.get(&format!("/api/v1/plans/{}", id(&restricted)), &app.planner("PER")).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/plans/{}", id(&restricted)), &app.donor()).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn viewers_and_donors_cannot_write_and_only_admins_register_administrations() {
    let app = TestApp::spawn().await;
    let body = json!({"title": {"en": "Plan"}, "start_year": 2022, "end_year": 2026});
    app.post("/api/v1/plans", &app.viewer("BOL"), body.clone()).await.assert_problem(403, "forbidden");
    app.post("/api/v1/plans", &app.donor(), body.clone()).await.assert_problem(403, "forbidden");
    app.post("/api/v1/plans", &app.planner("BOL"), json!({"administration": "PER", "title": {"en": "Plan"}, "start_year": 2022, "end_year": 2026}))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(app.count("plans").await, 0);

    let adm = json!({"code": "COL", "name": {"es": "DIAN"}, "default_language": "es"});
    app.post("/api/v1/administrations", &app.planner("BOL"), adm.clone()).await.assert_problem(403, "forbidden");
    app.post("/api/v1/administrations", &app.admin(), adm.clone()).await.assert(201);
    app.post("/api/v1/administrations", &app.admin(), adm).await.assert_problem(409, "code_taken");

    // An integration client writes within its scopes only.
    let integration = app.token("siplan", Role::Integration, Some("BOL"), None, &["measurements:write"]);
    app.post("/api/v1/plans", &integration, body).await.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn outsiders_see_only_approved_measurements_of_disclosed_plans() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = app.create_plan(&bol, json!({})).await;
    let plan_id = id(&plan);
    let objective = app.create_objective(&bol, &plan_id, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await;
    let indicator = id(&app.create_indicator(&bol, &id(&objective), json!({})).await);
    app.approved_measurement(&bol, &indicator, "2023", "12").await;
    app.put(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &bol, json!({"value": "99"})).await.assert(201);
    app.advance_plan(&plan_id, "active").await;

    let inside = app.get(&format!("/api/v1/indicators/{indicator}/measurements"), &app.viewer("BOL")).await;
    assert_eq!(inside.assert(200)["items"].as_array().unwrap().len(), 2);
    let outside = app.get(&format!("/api/v1/indicators/{indicator}/measurements"), &app.donor()).await;
    let items = outside.assert(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["period"], "2023");
    assert_eq!(items[0]["value"], "12");
    app.get(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &app.planner("PER")).await.assert_problem(404, "not_found");

    // A restricted indicator inside a disclosed plan stays hidden from outsiders.
    let hidden = id(&app.create_indicator(&bol, &id(&objective), json!({"disclosure": "restricted", "name": {"en": "Internal"}})).await);
    app.get(&format!("/api/v1/indicators/{hidden}"), &app.donor()).await.assert_problem(404, "not_found");
    let listed = app.get(&format!("/api/v1/objectives/{}/indicators", id(&objective)), &app.donor()).await;
    assert_eq!(listed.assert(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn review_needs_four_eyes() {
    let app = TestApp::spawn().await;
    let alice = app.token("alice", Role::Planner, Some("BOL"), None, &[]);
    let bob = app.token("bob", Role::Planner, Some("BOL"), None, &[]);
    let plan = app.create_plan(&alice, json!({})).await;
    let objective = app.create_objective(&alice, &id(&plan), json!({"code": "SO1", "title": {"es": "Facilitar"}})).await;
    let indicator = id(&app.create_indicator(&alice, &id(&objective), json!({})).await);
    let path = format!("/api/v1/indicators/{indicator}/measurements/2024");
    app.put(&path, &alice, json!({"value": "15"})).await.assert(201);
    app.post(&format!("{path}/transitions"), &alice, json!({"to": "approved"})).await.assert_problem(409, "invalid_transition");
    app.post(&format!("{path}/transitions"), &alice, json!({"to": "submitted"})).await.assert(200);
    app.post(&format!("{path}/transitions"), &alice, json!({"to": "approved"})).await.assert_problem(403, "forbidden");
    app.post(&format!("{path}/transitions"), &app.viewer("BOL"), json!({"to": "approved"})).await.assert_problem(403, "forbidden");
    app.post(&format!("{path}/transitions"), &bob, json!({"to": "returned"})).await.assert_problem(422, "validation");
    let approved = app.post(&format!("{path}/transitions"), &bob, json!({"to": "approved"})).await;
    let m = approved.assert(200);
    assert_eq!(m["status"], "approved");
    assert_eq!(m["approved_value"], "15");
    assert_eq!(m["reviewed_by"], "bob");

    // A new value restarts the review; the approved one stays in force meanwhile.
    let again = app.put(&path, &alice, json!({"value": "17"})).await;
    assert_eq!(again.assert(200)["status"], "draft");
    assert_eq!(again.body["approved_value"], "15");
    let progress = app.get(&format!("/api/v1/indicators/{indicator}/progress"), &alice).await;
    let series = progress.assert(200)["series"].as_array().unwrap().clone();
    let point = series.iter().find(|p| p["period"] == "2024").unwrap();
    assert_eq!(point["actual"], "15");
}

#[tokio::test]
async fn neither_the_recorder_nor_the_submitter_approves_admins_included() {
    let app = TestApp::spawn().await;
    let alice = app.token("alice", Role::Planner, Some("BOL"), None, &[]);
    let bob = app.token("bob", Role::Planner, Some("BOL"), None, &[]);
    let carol = app.token("carol", Role::Planner, Some("BOL"), None, &[]);
    let root = app.admin();
    let plan = id(&app.create_plan(&alice, json!({})).await);
    let objective = app.create_objective(&alice, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await;
    let indicator = id(&app.create_indicator(&alice, &id(&objective), json!({})).await);
    let path = format!("/api/v1/indicators/{indicator}/measurements/2024");
    let review = |who: &str, to: &str| {
        let (path, who, to) = (format!("{path}/transitions"), who.to_owned(), to.to_owned());
        let app = &app;
        async move { app.post(&path, &who, json!({"to": to, "reason": "check the source"})).await }
    };

    // Alice records, Bob submits: neither may approve or return it.
    app.put(&path, &alice, json!({"value": "15"})).await.assert(201);
    review(&bob, "submitted").await.assert(200);
    for (who, to) in [(&alice, "approved"), (&bob, "approved"), (&alice, "returned"), (&bob, "returned")] {
        let refused = review(who, to).await;
        refused.assert_problem(403, "forbidden");
        assert!(refused.body["detail"].as_str().unwrap().contains("four eyes"), "{}", refused.body);
    }
    // An admin who recorded the value is no exception.
    let value = app.put(&path, &root, json!({"value": "16"})).await;
    assert_eq!(value.assert(200)["recorded_by"], "root");
    review(&bob, "submitted").await.assert(200);
    review(&root, "approved").await.assert_problem(403, "forbidden");
    let gql = app
        .gql(Some(&root), "mutation($i: ID!) { reviewMeasurement(indicatorId: $i, period: \"2024\", to: APPROVED) { status } }", json!({"i": indicator}))
        .await;
    assert_eq!(gql.body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{}", gql.body);
    let approved = review(&carol, "approved").await;
    assert_eq!(approved.assert(200)["reviewed_by"], "carol");

    // Plans: who sent it to review does not approve it, admins included.
    let root_plan = id(&app.create_plan(&alice, json!({"title": {"es": "Otro plan"}})).await);
    for (plan, sender, approver) in [(&plan, &alice, &bob), (&root_plan, &root, &carol)] {
        let transitions = format!("/api/v1/plans/{plan}/transitions");
        app.post(&transitions, sender, json!({"to": "under_review"})).await.assert(200);
        app.post(&transitions, sender, json!({"to": "approved"})).await.assert_problem(403, "forbidden");
        app.post(&transitions, approver, json!({"to": "approved"})).await.assert(200);
    }
    let audit = app.get("/api/v1/audit?entity_type=measurement", &root).await;
    assert!(audit.assert(200)["items"].as_array().unwrap().iter().all(|e| e["action"] != "four_eyes_override"), "nothing was overridden");
}

#[tokio::test]
async fn where_admins_may_override_four_eyes_each_override_is_audited() {
    let app = TestApp::spawn_with(|s| s.four_eyes_admin_override = meridian::settings::Switch::On).await;
    let root = app.admin();
    let alice = app.token("alice", Role::Planner, Some("BOL"), None, &[]);
    let plan = id(&app.create_plan(&alice, json!({})).await);
    let objective = app.create_objective(&alice, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await;
    let indicator = id(&app.create_indicator(&alice, &id(&objective), json!({})).await);
    let path = format!("/api/v1/indicators/{indicator}/measurements/2024");
    app.put(&path, &root, json!({"value": "15"})).await.assert(201);
    app.post(&format!("{path}/transitions"), &root, json!({"to": "submitted"})).await.assert(200);
    app.post(&format!("{path}/transitions"), &root, json!({"to": "approved"})).await.assert(200);
    // Planners still may not.
    app.put(&path, &alice, json!({"value": "17"})).await.assert(200);
    app.post(&format!("{path}/transitions"), &alice, json!({"to": "submitted"})).await.assert(200);
    app.post(&format!("{path}/transitions"), &alice, json!({"to": "approved"})).await.assert_problem(403, "forbidden");

    let transitions = format!("/api/v1/plans/{plan}/transitions");
    app.post(&transitions, &root, json!({"to": "under_review"})).await.assert(200);
    app.post(&transitions, &root, json!({"to": "approved"})).await.assert(200);

    let trail = app.get("/api/v1/audit", &root).await;
    let overrides: Vec<serde_json::Value> =
        trail.assert(200)["items"].as_array().unwrap().iter().filter(|e| e["action"] == "four_eyes_override").cloned().collect();
    assert_eq!(overrides.len(), 2, "one for the measurement, one for the plan: {overrides:?}");
    let on_plan = overrides.iter().find(|e| e["entity_type"] == "plan").unwrap();
    assert_eq!((on_plan["actor"].as_str(), on_plan["entity_id"].as_str()), (Some("root"), Some(plan.as_str())));
    assert_eq!(on_plan["before"]["submitted_by"], "root");
    let on_value = overrides.iter().find(|e| e["entity_type"] == "measurement").unwrap();
    assert_eq!(on_value["before"]["recorded_by"], "root");
    assert_eq!(on_value["administration"], "BOL");
}

#[tokio::test]
async fn a_donor_reads_the_restricted_plans_and_indicators_its_projects_serve_and_no_other() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/donors", &app.admin(), json!({"code": "WCO", "name": {"en": "World Customs Organization"}})).await.assert(201);
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({"disclosure": "restricted"})).await);
    let funded_objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Ventanilla única"}})).await);
    let other_objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO2", "title": {"es": "Integridad"}})).await);
    let funded_indicator = id(&app.create_indicator(&bol, &funded_objective, json!({"disclosure": "restricted", "name": {"en": "Funded"}})).await);
    let other_indicator = id(&app.create_indicator(&bol, &other_objective, json!({"disclosure": "restricted", "name": {"en": "Not funded"}})).await);
    app.approved_measurement(&bol, &funded_indicator, "2023", "12").await;
    app.advance_plan(&plan, "active").await;
    let project = id(app
        .post(
            "/api/v1/projects",
            &bol,
            json!({"code": "VU", "title": {"es": "VU"}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [funded_objective]}),
        )
        .await
        .assert(201));
    app.post(&format!("/api/v1/projects/{project}/fundings"), &bol, json!({"donor": "SECO", "committed": {"amount": "100", "currency": "CHF"}}))
        .await
        .assert(201);
    let lesson = |objective: &str, title: &str| json!({"kind": "lesson_learned", "title": {"en": title}, "body": {"en": "x"}, "disclosure": "restricted", "objective_ids": [objective]});
    let mut practices = Vec::new();
    for (objective, title) in [(&funded_objective, "Funded lesson"), (&other_objective, "Other lesson")] {
        let p = id(app.post("/api/v1/practices", &bol, lesson(objective, title)).await.assert(201));
        app.post(&format!("/api/v1/practices/{p}/transitions"), &bol, json!({"to": "published"})).await.assert(200);
        practices.push(p);
    }

    let seco = app.donor();
    let read: Vec<String> = app.get("/api/v1/practices", &seco).await.assert(200)["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(read, std::slice::from_ref(&practices[0]), "the restricted lesson of the funded objective only");
    app.get(&format!("/api/v1/practices/{}", practices[0]), &seco).await.assert(200);
    app.get(&format!("/api/v1/practices/{}", practices[1]), &seco).await.assert_problem(404, "not_found");
    let listed: Vec<String> = app.get("/api/v1/plans", &seco).await.assert(200)["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(listed, std::slice::from_ref(&plan), "the funding donor lists the restricted plan");
    app.get(&format!("/api/v1/plans/{plan}"), &seco).await.assert(200);
    app.get(&format!("/api/v1/indicators/{funded_indicator}"), &seco).await.assert(200);
    app.get(&format!("/api/v1/indicators/{other_indicator}"), &seco).await.assert_problem(404, "not_found");
    let under_funded = app.get(&format!("/api/v1/objectives/{funded_objective}/indicators"), &seco).await;
    assert_eq!(under_funded.assert(200)["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/v1/objectives/{other_objective}/indicators"), &seco).await.assert(200)["items"], json!([]));
    let values = app.get(&format!("/api/v1/indicators/{funded_indicator}/measurements"), &seco).await;
    assert_eq!(values.assert(200)["items"][0]["value"], "12");
    let portal = r#"{ plans(first: 10) { edges { node { id objectives { code indicators { name(lang: "en") latestApprovedMeasurement { value } } } } } } }"#;
    let body = app.gql(Some(&seco), portal, json!({})).await.assert(200).clone();
    let objectives = body["data"]["plans"]["edges"][0]["node"]["objectives"].as_array().unwrap().clone();
    let names: Vec<&str> = objectives.iter().flat_map(|o| o["indicators"].as_array().unwrap()).map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Funded"], "{body}");

    // Another donor, and another administration, see nothing of it.
    for (who, token) in [("WCO", app.token("wco-portal", Role::Donor, None, Some("WCO"), &[])), ("PER", app.planner("PER"))] {
        assert_eq!(app.get("/api/v1/plans", &token).await.assert(200)["items"], json!([]), "{who}");
        app.get(&format!("/api/v1/plans/{plan}"), &token).await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/indicators/{funded_indicator}"), &token).await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/practices/{}", practices[0]), &token).await.assert_problem(404, "not_found");
        let gql = app.gql(Some(&token), portal, json!({})).await;
        assert_eq!(gql.body["data"]["plans"]["edges"], json!([]), "{who}");
    }
}
