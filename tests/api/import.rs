//! Bulk import: matched by id or external_ref, dry run, atomic or not, CSV measurements, and
//! 10,000 rows in one request.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id};

async fn import(app: &TestApp, token: &str, query: &str, body: Value) -> Reply {
    app.request(Method::POST, &format!("/api/v1/import{query}"), Some(token), Some(body), &[]).await
}

async fn import_csv(app: &TestApp, token: &str, query: &str, csv: String) -> Reply {
    // An import may run for MERIDIAN_IMPORT_TIMEOUT (5 minutes); a debug build takes a few
    // seconds for 10,000 measurements (bench/ compares the release build with psql).
    let request = app.client.post(format!("{}/api/v1/import{query}", app.base)).timeout(std::time::Duration::from_secs(290));
    let resp = request.bearer_auth(token).header("content-type", "text/csv").body(csv).send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    Reply { status, headers, body }
}

fn counts(reply: &Reply, section: &str) -> [u64; 4] {
    let c = &reply.body["summary"][section];
    ["created", "updated", "unchanged", "rejected"].map(|k| c[k].as_u64().unwrap())
}

fn document(plan: &str, objective: &str) -> Value {
    json!({
        "objectives": [
            {"external_ref": "OBJ-1", "plan_id": plan, "code": "SO1", "title": {"es": "Facilitar el comercio"}},
            {"external_ref": "OBJ-1.1", "parent_ref": "OBJ-1", "plan_id": plan, "code": "SO1.1", "title": {"es": "Ventanilla única"}}
        ],
        "indicators": [
            {"external_ref": "IND-1", "objective_ref": "OBJ-1.1", "name": {"es": "Declaraciones electrónicas"}, "measure": "percentage",
             "direction": "increase", "baseline_value": "10", "baseline_period": "2022", "frequency": "annual"}
        ],
        "targets": [{"indicator_ref": "IND-1", "period": "2026", "value": "90"}],
        "measurements": [
            {"indicator_ref": "IND-1", "period": "2023", "value": "25"},
            {"indicator_ref": "IND-1", "period": "2024", "value": 41.5, "source": "SIDUNEA"}
        ],
        "projects": [{"external_ref": "PRJ-9", "code": "VUCE", "title": {"es": "VUCE"}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [objective]}]
    })
}

#[tokio::test]
async fn a_document_is_imported_by_reference_and_importing_it_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let existing = id(&app.create_objective(&per, &plan, json!({"code": "SO9", "title": {"es": "Otro"}})).await);
    let doc = document(&plan, &existing);

    let first = import(&app, &per, "", doc.clone()).await;
    first.assert(200);
    assert_eq!(first.body["committed"], true);
    for (section, created) in [("objectives", 2), ("indicators", 1), ("targets", 1), ("measurements", 2), ("projects", 1)] {
        assert_eq!(counts(&first, section), [created, 0, 0, 0], "{section}: {}", first.body);
    }
    let tree = app.get(&format!("/api/v1/plans/{plan}/objectives"), &per).await;
    let child = tree.assert(200)["items"].as_array().unwrap().iter().find(|o| o["code"] == "SO1.1").unwrap().clone();
    let parent = tree.body["items"].as_array().unwrap().iter().find(|o| o["code"] == "SO1").unwrap().clone();
    assert_eq!(child["parent_id"], parent["id"], "parent_ref resolved to the objective created just before");
    let indicator = app.get(&format!("/api/v1/objectives/{}/indicators", id(&child)), &per).await.assert(200)["items"][0].clone();
    let series = app.get(&format!("/api/v1/indicators/{}/measurements", id(&indicator)), &per).await;
    assert_eq!(series.assert(200)["items"].as_array().unwrap().len(), 2);

    let again = import(&app, &per, "", doc.clone()).await;
    for section in ["objectives", "indicators", "targets", "measurements", "projects"] {
        assert_eq!(counts(&again, section)[2], counts(&first, section)[0], "{section} unchanged: {}", again.body);
    }
    let mut changed = doc;
    changed["measurements"][1]["value"] = json!("43");
    let third = import(&app, &per, "", changed).await;
    assert_eq!(counts(&third, "measurements"), [0, 1, 1, 0]);
    assert_eq!(app.count("objectives").await, 3);
}

#[tokio::test]
async fn a_dry_run_reports_what_would_happen_and_keeps_nothing() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let existing = id(&app.create_objective(&per, &plan, json!({"code": "SO9", "title": {"es": "Otro"}})).await);
    let (objectives, changes) = (app.count("objectives").await, app.count("changes").await);
    let mut doc = document(&plan, &existing);
    doc["measurements"].as_array_mut().unwrap().push(json!({"indicator_ref": "IND-1", "period": "2019", "value": "1"}));
    doc["measurements"].as_array_mut().unwrap().push(json!({"indicator_ref": "NOPE", "period": "2024", "value": "1"}));
    let dry = import(&app, &per, "?mode=validate", doc).await;
    dry.assert(200);
    assert_eq!(dry.body["committed"], false);
    assert_eq!(counts(&dry, "objectives"), [2, 0, 0, 0], "rows that depend on earlier rows are checked against them");
    assert_eq!(counts(&dry, "measurements"), [2, 0, 0, 2]);
    let rejected = dry.body["rejected"].as_array().unwrap();
    assert_eq!(
        (rejected[0]["section"].as_str(), rejected[0]["position"].as_u64(), rejected[0]["field"].as_str()),
        (Some("measurements"), Some(3), Some("period"))
    );
    assert_eq!((rejected[1]["position"].as_u64(), rejected[1]["code"].as_str()), (Some(4), Some("not_found")));
    assert_eq!((app.count("objectives").await, app.count("changes").await), (objectives, changes), "a dry run keeps nothing");
}

#[tokio::test]
async fn atomic_imports_keep_all_or_nothing_and_others_keep_the_good_rows() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let existing = id(&app.create_objective(&per, &plan, json!({"code": "SO9", "title": {"es": "Otro"}})).await);
    let mut doc = document(&plan, &existing);
    doc["targets"].as_array_mut().unwrap().push(json!({"indicator_ref": "IND-1", "period": "2030", "value": "95"}));
    doc["projects"][0]["code"] = json!("bad code with spaces");

    let refused = import(&app, &per, "", doc.clone()).await;
    refused.assert_problem(422, "import_rejected");
    assert_eq!(refused.body["committed"], false);
    let fields: Vec<&str> = refused.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["targets[2].period", "projects[1].code"]);
    assert_eq!((app.count("objectives").await, app.count("indicators").await, app.count("projects").await), (1, 0, 0), "nothing kept");

    let partial = import(&app, &per, "?atomic=false", doc).await;
    partial.assert(200);
    assert_eq!(partial.body["committed"], true);
    assert_eq!(counts(&partial, "targets"), [1, 0, 0, 1]);
    assert_eq!(counts(&partial, "projects"), [0, 0, 0, 1]);
    assert_eq!((app.count("objectives").await, app.count("targets").await, app.count("projects").await), (3, 1, 0));

    // Another administration's objects are as unknown to an import as to anything else.
    let bol = import(&app, &app.planner("BOL"), "", json!({"targets": [{"indicator_ref": "IND-1", "period": "2026", "value": "1"}]})).await;
    bol.assert_problem(422, "import_rejected");
    assert_eq!(bol.body["rejected"][0]["code"], "not_found");
    import(&app, &app.viewer("PER"), "", json!({})).await.assert_problem(403, "forbidden");
    import(&app, &per, "", json!({"planets": []})).await.assert_problem(422, "validation");
    import(&app, &per, "?mode=maybe", json!({})).await.assert_problem(422, "validation");
}

#[tokio::test]
async fn ten_thousand_csv_measurements_import_in_one_request() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let indicators: Vec<Value> = (0..173)
        .map(|i| {
            json!({"external_ref": format!("IND-{i}"), "objective_id": objective, "name": {"es": format!("Indicador {i}")}, "measure": "unit",
                "direction": "increase", "baseline_value": "0", "baseline_period": "2021-12", "frequency": "monthly"})
        })
        .collect();
    let created = import(&app, &per, "", json!({"indicators": indicators})).await;
    assert_eq!(counts(&created, "indicators"), [173, 0, 0, 0], "{}", created.body);

    let months: Vec<String> = (2022..=2026).flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}"))).filter(|p| p.as_str() <= "2026-10").collect();
    let mut csv = String::from("indicator_ref,period,value,comment\n");
    let mut rows = 0;
    'fill: for i in 0..173 {
        for (n, month) in months.iter().enumerate() {
            if rows == 10_000 {
                break 'fill;
            }
            csv.push_str(&format!("IND-{i},{month},{n}.5,\"imported, row {rows}\"\n"));
            rows += 1;
        }
    }
    csv.push_str("IND-0,2022-13,1,\n");
    // The same period again, later in the same import: it updates what the earlier row created.
    csv.push_str("IND-0,2022-01,7,\"corrected\"\n");
    let (audit, changes) = (app.count("audit_log").await, app.count("changes").await);
    let reply = import_csv(&app, &per, "?atomic=false", csv).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(counts(&reply, "measurements"), [10_000, 1, 0, 1]);
    assert_eq!(reply.body["rejected"][0]["position"], 10_001);
    assert_eq!(reply.body["rejected"][0]["field"], "period");
    assert_eq!(app.count("measurements").await, 10_000);
    // Every kept row is audited and in the change feed, like a single write.
    assert_eq!((app.count("audit_log").await - audit, app.count("changes").await - changes), (10_001, 10_001));
    let listed = app.get(&format!("/api/v1/objectives/{objective}/indicators?limit=200"), &per).await;
    let ind0 = listed.assert(200)["items"].as_array().unwrap().iter().find(|i| i["external_ref"] == "IND-0").map(id).unwrap();
    let corrected = app.get(&format!("/api/v1/indicators/{ind0}/measurements/2022-01"), &per).await;
    assert_eq!(
        (corrected.body["value"].as_str(), corrected.body["comment"].as_str(), corrected.body["version"].as_i64()),
        (Some("7"), Some("corrected"), Some(2))
    );
}

#[tokio::test]
async fn ten_thousand_objectives_and_indicators_import_in_a_few_statements_with_the_rules_of_single_writes() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let existing = app.create_objective(&per, &plan, json!({"code": "SO0", "title": {"es": "Ya existe"}, "external_ref": "OBJ-OLD"})).await;
    // 100 objectives, each with 9 children named by parent_ref (a parent waiting in the same
    // batch is written first), then 9,000 indicators under them by objective_ref.
    let mut objectives = Vec::new();
    for p in 0..100 {
        objectives.push(json!({"external_ref": format!("OBJ-{p}"), "plan_id": plan, "code": format!("SO{}", p + 1), "title": {"es": format!("Objetivo {p}")}}));
        for c in 0..9 {
            objectives.push(json!({"external_ref": format!("OBJ-{p}.{c}"), "parent_ref": format!("OBJ-{p}"), "plan_id": plan,
                "code": format!("SO{}.{}", p + 1, c + 1), "title": {"es": format!("Objetivo {p}.{c}")}}));
        }
    }
    // Refused as a single write would be: a code already used (by a row before it), and an
    // existing objective changed by reference.
    objectives.push(json!({"external_ref": "OBJ-DUP", "plan_id": plan, "code": "SO1", "title": {"es": "Código repetido"}}));
    objectives.push(json!({"external_ref": "OBJ-OLD", "plan_id": plan, "code": "SO0", "title": {"es": "Cambiado"}}));
    let indicator = |n: usize, objective: String| {
        json!({"external_ref": format!("IND-{n}"), "objective_ref": objective, "name": {"es": format!("Indicador {n}")}, "measure": "unit",
            "direction": "increase", "baseline_value": "0", "baseline_period": "2024", "frequency": "annual"})
    };
    let mut indicators: Vec<Value> = (0..9_000).map(|n| indicator(n, format!("OBJ-{}.{}", n % 100, n % 9))).collect();
    indicators.push(indicator(9_000, "OBJ-NOPE".into()));
    let mut again = indicator(7, "OBJ-7.7".into());
    again["name"] = json!({"es": "Indicador 7, corregido"});
    indicators.push(again);
    indicators.push(json!({"external_ref": "IND-BAD", "objective_ref": "OBJ-1", "name": {"es": "Sin medida"}, "direction": "increase",
        "baseline_value": "0", "baseline_period": "2024", "frequency": "annual"}));
    let (audit, changes, before) = (app.count("audit_log").await, app.count("changes").await, app.statements.get());

    let reply = import(&app, &per, "?atomic=false", json!({"objectives": objectives, "indicators": indicators})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let statements = app.statements.get() - before;
    assert_eq!(counts(&reply, "objectives"), [1_000, 1, 0, 1], "{}", reply.body["rejected"]);
    assert_eq!(counts(&reply, "indicators"), [9_000, 1, 0, 2], "{}", reply.body["rejected"]);
    let rejected: Vec<(&str, u64, &str)> = reply.body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["section"].as_str().unwrap(), r["position"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(rejected[0], ("objectives", 1_001, "code_taken"));
    assert_eq!(rejected[1], ("indicators", 9_001, "not_found"));
    assert_eq!((rejected[2].0, rejected[2].1), ("indicators", 9_003));
    assert!(statements < 200, "a bulk import writes in batches, not row by row: {statements} statements");
    // Every kept row is audited and in the change feed, like a single write.
    assert_eq!((app.count("audit_log").await - audit, app.count("changes").await - changes), (10_002, 10_002));
    assert_eq!((app.count("objectives").await, app.count("indicators").await), (1_001, 9_000));

    let mut items: Vec<Value> = Vec::new();
    let mut page = format!("/api/v1/plans/{plan}/objectives?limit=200");
    loop {
        let reply = app.get(&page, &per).await;
        items.extend(reply.assert(200)["items"].as_array().unwrap().iter().cloned());
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => page = format!("/api/v1/plans/{plan}/objectives?limit=200&after={cursor}"),
            None => break,
        }
    }
    let by_ref = |r: &str| items.iter().find(|o| o["external_ref"] == r).unwrap_or_else(|| panic!("{r} imported")).clone();
    assert_eq!(by_ref("OBJ-42.3")["parent_id"], by_ref("OBJ-42")["id"], "parent_ref resolved to the objective created in the same batch");
    let changed = app.get(&format!("/api/v1/objectives/{}", id(&existing)), &per).await;
    assert_eq!((changed.assert(200)["title"].as_str(), changed.body["version"].as_i64()), (Some("Cambiado"), Some(2)));
    let listed = app.get(&format!("/api/v1/objectives/{}/indicators", id(&by_ref("OBJ-7.7"))), &per).await;
    let names: Vec<&str> = listed.assert(200)["items"].as_array().unwrap().iter().filter_map(|i| i["name"].as_str()).collect();
    assert!(names.contains(&"Indicador 7, corregido"), "the second row with the same reference updated the first: {names:?}");
}

#[tokio::test]
async fn objectives_and_projects_are_also_matched_by_id() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let project = id(app
        .post(
            "/api/v1/projects",
            &per,
            json!({"code": "P1", "title": {"es": "Uno"}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [objective]}),
        )
        .await
        .assert(201));
    let doc = json!({
        "objectives": [{"id": objective, "title": {"es": "Facilitar el comercio"}}, {"id": objective, "title": {"es": "Facilitar el comercio"}}],
        "projects": [{"id": project, "title": {"es": "Ventanilla"}}, {"id": "0193a6a4-0000-7000-8000-000000000000", "title": {"es": "?"}}]
    });
    let reply = import(&app, &per, "?atomic=false", doc).await;
    assert_eq!(counts(&reply, "objectives"), [0, 1, 1, 0], "{}", reply.body);
    assert_eq!(counts(&reply, "projects"), [0, 1, 0, 1]);
    assert_eq!(reply.body["rejected"][0]["code"], "not_found");
    assert_eq!(app.get(&format!("/api/v1/objectives/{objective}"), &per).await.body["title"], "Facilitar el comercio");
    assert_eq!(app.get(&format!("/api/v1/projects/{project}"), &per).await.body["title"], "Ventanilla");
    assert_eq!(app.get(&format!("/api/v1/projects/{project}"), &per).await.body["code"], "P1", "fields not given stay");
}
