//! Plans, objectives and indicators: lifecycle, tree rules, sync by external reference,
//! pagination, languages, and the journal written with every change.

use std::collections::HashSet;

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn upserting_by_external_ref_twice_leaves_one_unchanged_objective() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let body = json!({"plan_id": plan, "code": "SO1", "title": {"es": "Modernizar", "en": "Modernise"}, "level": "impact"});
    let first = app.put("/api/v1/objectives/by-ref/SIPLAN-OE-01", &bol, body.clone()).await;
    assert_eq!(first.assert(201)["external_ref"], "SIPLAN-OE-01");
    let second = app.put("/api/v1/objectives/by-ref/SIPLAN-OE-01", &bol, body.clone()).await;
    assert_eq!(second.assert(200)["id"], first.body["id"]);
    assert_eq!(second.body["version"], 1);
    assert_eq!(app.count("objectives").await, 1);

    let mut changed = body.clone();
    changed["title"] = json!({"es": "Modernizar la aduana"});
    let third = app.put("/api/v1/objectives/by-ref/SIPLAN-OE-01", &bol, changed).await;
    assert_eq!(third.assert(200)["version"], 2);
    assert_eq!(third.body["title_translations"], json!({"es": "Modernizar la aduana"}));
    assert_eq!(app.count("objectives").await, 1);

    // The same reference cannot name an objective of another plan.
    let other = id(&app.create_plan(&bol, json!({})).await);
    let mut elsewhere = body;
    elsewhere["plan_id"] = json!(other);
    app.put("/api/v1/objectives/by-ref/SIPLAN-OE-01", &bol, elsewhere).await.assert_problem(409, "external_ref_in_other_plan");
}

#[tokio::test]
async fn the_objective_tree_is_three_levels_deep_with_unique_codes() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let so1 = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Uno"}})).await);
    let so11 = id(&app.create_objective(&bol, &plan, json!({"code": "SO1.1", "title": {"es": "Uno.uno"}, "parent_id": so1})).await);
    let so111 = id(&app.create_objective(&bol, &plan, json!({"code": "SO1.1.1", "title": {"es": "Hoja"}, "parent_id": so11, "level": "output"})).await);
    let too_deep = app.post(&format!("/api/v1/plans/{plan}/objectives"), &bol, json!({"code": "SO1.1.1.1", "title": {"es": "x"}, "parent_id": so111})).await;
    too_deep.assert_problem(422, "validation");
    assert_eq!(too_deep.body["errors"][0]["code"], "too_deep");
    app.post(&format!("/api/v1/plans/{plan}/objectives"), &bol, json!({"code": "SO1", "title": {"es": "x"}})).await.assert_problem(409, "code_taken");
    let cycle = app.patch(&format!("/api/v1/objectives/{so1}"), &bol, json!({"parent_id": so111}), None).await;
    cycle.assert_problem(422, "validation");

    let other_plan = id(&app.create_plan(&bol, json!({})).await);
    let foreign = app.post(&format!("/api/v1/plans/{other_plan}/objectives"), &bol, json!({"code": "A", "title": {"es": "x"}, "parent_id": so1})).await;
    assert_eq!(foreign.body["errors"][0]["code"], "not_found", "{}", foreign.body);

    let tree = app.get(&format!("/api/v1/plans/{plan}/objectives?tree=true"), &bol).await;
    let roots = tree.assert(200)["items"].as_array().unwrap();
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0]["children"][0]["children"][0]["objective"]["code"], "SO1.1.1");
    let flat = app.get(&format!("/api/v1/plans/{plan}/objectives"), &bol).await;
    assert_eq!(flat.assert(200)["items"].as_array().unwrap().len(), 3);

    // Deleting a branch removes what is below it, and leaves a tombstone for each.
    app.delete(&format!("/api/v1/objectives/{so11}"), &bol).await.assert(204);
    let flat = app.get(&format!("/api/v1/plans/{plan}/objectives"), &bol).await;
    assert_eq!(flat.assert(200)["items"].as_array().unwrap().len(), 1);
    let db = app.db().await;
    let deletes = tombstones(&db).await;
    assert!(deletes.contains(&so11) && deletes.contains(&so111), "{deletes:?}");
}

async fn tombstones(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let rows =
        db.query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT entity_id FROM changes WHERE operation = 'delete'")).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "entity_id").unwrap()).collect()
}

#[tokio::test]
async fn plan_lifecycle_follows_the_state_machine_and_only_drafts_are_deleted() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let path = format!("/api/v1/plans/{plan}/transitions");
    app.post(&path, &bol, json!({"to": "active"})).await.assert_problem(409, "invalid_transition");
    let r = app.post(&path, &bol, json!({"to": "under_review"})).await;
    assert_eq!(r.assert(200)["status"], "under_review");
    assert_eq!(r.body["allowed_transitions"], json!(["draft", "approved"]));
    app.post(&path, &bol, json!({"to": "draft"})).await.assert(200);
    app.post(&path, &bol, json!({"to": "finished"})).await.assert_problem(422, "validation");
    app.advance_plan(&plan, "approved").await;
    app.delete(&format!("/api/v1/plans/{plan}"), &bol).await.assert_problem(409, "plan_not_draft");
    app.advance_plan_from_approved(&plan).await;
    let closed = app.patch(&format!("/api/v1/plans/{plan}"), &bol, json!({"title": {"en": "Late change"}}), None).await;
    closed.assert_problem(409, "plan_closed");

    let draft = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &draft, json!({"code": "SO1", "title": {"es": "x"}})).await);
    app.delete(&format!("/api/v1/plans/{draft}"), &bol).await.assert(204);
    app.get(&format!("/api/v1/plans/{draft}"), &bol).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/objectives/{objective}"), &bol).await.assert_problem(404, "not_found");
}

impl TestApp {
    async fn advance_plan_from_approved(&self, plan: &str) {
        for step in ["active", "closed"] {
            self.post(&format!("/api/v1/plans/{plan}/transitions"), &self.admin(), json!({"to": step})).await.assert(200);
        }
    }
}

#[tokio::test]
async fn pages_have_no_gaps_or_duplicates_while_rows_are_added() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let mut originals = HashSet::new();
    for _ in 0..23 {
        originals.insert(id(&app.create_plan(&bol, json!({})).await));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/plans?limit=5&after={c}"),
            None => "/api/v1/plans?limit=5".to_owned(),
        };
        let page = app.get(&path, &bol).await;
        let body = page.assert(200).clone();
        seen.extend(body["items"].as_array().unwrap().iter().map(id));
        // Someone adds a plan between every two pages.
        app.create_plan(&bol, json!({})).await;
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a plan was listed twice");
    assert!(originals.is_subset(&unique), "a plan that existed from the start was skipped");
}

#[tokio::test]
async fn texts_follow_accept_language_and_keep_every_translation() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = app.create_plan(&bol, json!({"title": {"es": "Plan Estratégico", "en": "Strategic Plan", "qu": "Plan Qhapaq"}})).await;
    let path = format!("/api/v1/plans/{}", id(&plan));
    let get = |lang: &'static str| {
        let app = &app;
        let bol = bol.clone();
        let path = path.clone();
        async move { app.request(reqwest::Method::GET, &path, Some(&bol), None, &[("accept-language", lang)]).await }
    };
    assert_eq!(get("en-GB,en;q=0.9").await.body["title"], "Strategic Plan");
    assert_eq!(get("qu").await.body["title"], "Plan Qhapaq");
    // French is not there: the administration's language (Spanish) is the fallback.
    let fr = get("fr").await;
    assert_eq!(fr.body["title"], "Plan Estratégico");
    assert_eq!(fr.body["title_translations"].as_object().unwrap().len(), 3);
    assert_eq!(fr.headers["etag"], "\"1\"");
}

#[tokio::test]
async fn every_write_journals_one_audit_entry_and_one_change_in_its_transaction() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let (audit0, changes0) = (app.count("audit_log").await, app.count("changes").await);
    let plan = app.create_plan(&bol, json!({})).await;
    app.patch(&format!("/api/v1/plans/{}", id(&plan)), &bol, json!({"national_plan_ref": "PDES 2021-2025"}), Some("\"1\"")).await.assert(200);
    // A refused write leaves nothing behind.
    app.patch(&format!("/api/v1/plans/{}", id(&plan)), &bol, json!({"start_year": 1990}), None).await.assert(422);
    assert_eq!(app.count("audit_log").await - audit0, 2);
    assert_eq!(app.count("changes").await - changes0, 2);

    use sea_orm::ConnectionTrait;
    let db = app.db().await;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT actor, action, entity_type FROM audit_log WHERE entity_id = '{}' ORDER BY id", id(&plan)),
        ))
        .await
        .unwrap();
    let entries: Vec<(String, String)> = rows.iter().map(|r| (r.try_get("", "actor").unwrap(), r.try_get("", "action").unwrap())).collect();
    assert_eq!(entries, [("planner-BOL".to_owned(), "create".to_owned()), ("planner-BOL".to_owned(), "update".to_owned())]);
}

#[tokio::test]
async fn a_point_read_costs_the_same_statements_however_many_administrations_there_are() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({"title": {"es": "Plan"}})).await);
    let path = format!("/api/v1/plans/{plan}");
    async fn cost(app: &TestApp, path: &str, token: &str) -> u64 {
        let before = app.statements.get();
        let reply = app.get(path, token).await;
        assert_eq!(reply.assert(200)["title"], "Plan");
        app.statements.get() - before
    }
    cost(&app, &path, &bol).await;
    let few = cost(&app, &path, &bol).await;
    for (code, language) in [("ECU", "es"), ("KEN", "en"), ("NPL", "ne"), ("MNG", "mn"), ("GEO", "ka"), ("ARM", "hy")] {
        let body = json!({"code": code, "default_language": language, "name": {"en": format!("Customs of {code}")}});
        app.post("/api/v1/administrations", &app.admin(), body).await.assert(201);
    }
    // A new administration is known at once (the process's copy was dropped), then cached again.
    let ken = app.get("/api/v1/administrations/KEN", &bol).await;
    assert_eq!(ken.assert(200)["default_language"], "en");
    cost(&app, &path, &bol).await;
    let many = cost(&app, &path, &bol).await;
    assert_eq!(few, many, "a point read cost {few} statements with 2 administrations, {many} with 8");
    assert_eq!(few, 1, "reading one plan takes one statement");
}
