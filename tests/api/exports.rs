//! The read-only exports: IATI 2.03 activities (checked against the official schema with
//! `xmllint`) and the NDJSON stream of everything a caller may read.

use std::collections::{BTreeMap, BTreeSet};

use domain::principal::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

const IATI: &str = "/api/v1/iati/activities.xml";

/// Validates an IATI document against `iati-activities-schema.xsd` with `xmllint`.
#[track_caller]
fn assert_valid_iati(xml: &str) {
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/iati-2.03/iati-activities-schema.xsd");
    let path = std::env::temp_dir().join(format!("meridian-iati-{}.xml", uuid::Uuid::now_v7().simple()));
    std::fs::write(&path, xml).unwrap();
    let out =
        std::process::Command::new("xmllint").args(["--noout", "--schema", schema]).arg(&path).output().expect("xmllint runs (Debian package libxml2-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "the document does not validate:\n{}\n{xml}", String::from_utf8_lossy(&out.stderr));
}

/// The XML body of a successful IATI export.
async fn iati(app: &TestApp, query: &str, token: &str) -> String {
    let reply = app.get(&format!("{IATI}?{query}"), token).await;
    assert_eq!(reply.status.as_u16(), 200, "{query}: {}", reply.body);
    assert_eq!(reply.content_type(), "application/xml; charset=utf-8");
    let xml = reply.body.as_str().unwrap().to_owned();
    assert_valid_iati(&xml);
    xml
}

fn activities(xml: &str) -> usize {
    xml.matches("<iati-activity ").count()
}

#[tokio::test]
async fn iati_export_validates_shows_approved_values_only_and_respects_visibility() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    app.post("/api/v1/donors", &admin, json!({"code": "WCO", "name": {"en": "World Customs Organization"}})).await.assert(201);

    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app
        .create_objective(&bol, &plan, json!({"code": "SO1", "level": "outcome", "title": {"es": "Facilitar el comercio", "en": "Facilitate trade"}}))
        .await);
    let indicator = id(&app.create_indicator(&bol, &objective, json!({"baseline_value": "10.5", "baseline_period": "2022"})).await);
    app.put(&format!("/api/v1/indicators/{indicator}/targets/2025"), &bol, json!({"value": "50"})).await.assert(201);
    app.advance_plan(&plan, "active").await;
    app.approved_measurement(&bol, &indicator, "2023", "20.25").await;
    app.put(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &bol, json!({"value": "99.125"})).await.assert(201);

    let project = json!({"code": "P1", "title": {"es": "Ventanilla única <VUCE> & más", "en": "Single window"},
        "description": {"es": "Comercio \"sin papel\""}, "planned_start": "2024-01-01", "planned_end": "2026-12-31",
        "budget": {"amount": "2500000.00", "currency": "USD"}, "objective_ids": [objective]});
    let p1 = id(app.post("/api/v1/projects", &bol, project).await.assert(201));
    app.post(&format!("/api/v1/projects/{p1}/transitions"), &bol, json!({"to": "approved"})).await.assert(200);
    app.post(&format!("/api/v1/projects/{p1}/transitions"), &bol, json!({"to": "in_progress"})).await.assert(200);
    let p2 = json!({"code": "P2", "title": {"es": "Laboratorio"}, "planned_start": "2025-01-01", "planned_end": "2025-12-31", "objective_ids": [objective]});
    app.post("/api/v1/projects", &bol, p2).await.assert(201);
    let funding = id(app
        .post(&format!("/api/v1/projects/{p1}/fundings"), &bol, json!({"donor": "SECO", "committed": {"amount": "1000000", "currency": "CHF"}}))
        .await
        .assert(201));
    app.post(&format!("/api/v1/fundings/{funding}/transactions"), &bol, json!({"kind": "disbursement", "date": "2025-03-31", "amount": "600000"}))
        .await
        .assert(201);

    // Peru's project is private to Peru (and WCO, its funder).
    let per = app.planner("PER");
    let per_plan = id(&app.create_plan(&per, json!({})).await);
    let per_objective = id(&app.create_objective(&per, &per_plan, json!({"code": "SO1", "title": {"es": "Integridad"}})).await);
    let secret = json!({"code": "SECRET", "title": {"es": "Proyecto reservado"}, "planned_start": "2025-01-01", "planned_end": "2025-12-31", "objective_ids": [per_objective]});
    let p9 = id(app.post("/api/v1/projects", &per, secret).await.assert(201));
    app.post(&format!("/api/v1/projects/{p9}/fundings"), &per, json!({"donor": "WCO", "committed": {"amount": "5", "currency": "EUR"}})).await.assert(201);

    // Bolivia's own export: both projects, every language escaped, approved values only.
    let xml = iati(&app, "administration=BOL", &bol).await;
    assert_eq!(activities(&xml), 2);
    assert!(xml.contains("<iati-identifier>MERIDIAN-BOL-P1</iati-identifier>"));
    assert!(xml.contains("<narrative xml:lang=\"es\">Ventanilla única &lt;VUCE&gt; &amp; más</narrative>"), "{xml}");
    assert!(xml.contains("<narrative xml:lang=\"de\">Staatssekretariat für Wirtschaft</narrative>"));
    assert!(xml.contains("<participating-org ref=\"CH-FDFA-SECO\" role=\"1\">"));
    assert!(xml.contains("<participating-org ref=\"MERIDIAN-BOL\" type=\"10\" role=\"4\">"));
    assert!(xml.contains("<activity-status code=\"2\"/>"));
    assert!(xml.contains("<value currency=\"USD\" value-date=\"2024-01-01\">2500000</value>"));
    assert!(xml.contains("<transaction-type code=\"11\"/>"));
    assert!(xml.contains("<value currency=\"CHF\" value-date=\"2025-03-31\">600000</value>"));
    assert!(xml.contains("<result type=\"2\">"));
    assert!(xml.contains("<baseline iso-date=\"2022-01-01\" year=\"2022\" value=\"10.5\"/>"));
    assert!(xml.contains("<target value=\"50\"/>"));
    assert!(xml.contains("<actual value=\"20.25\"/>"));
    assert!(!xml.contains("99.125"), "an unapproved measurement is not exported");
    assert!(!xml.contains("2024-12-31"), "no period for the unapproved value");
    assert!(!xml.contains("SECRET") && !xml.contains("reservado"));

    // The donor sees the project it funds, not the other one, nor Peru's.
    let seco = app.donor();
    let xml = iati(&app, "donor=SECO", &seco).await;
    assert_eq!(activities(&xml), 1);
    assert!(xml.contains("MERIDIAN-BOL-P1") && !xml.contains("MERIDIAN-BOL-P2"));
    assert!(xml.contains("<actual value=\"20.25\"/>"), "the plan is active: the donor reads its results");
    let xml = iati(&app, "administration=BOL", &seco).await;
    assert_eq!(activities(&xml), 1);
    app.get(&format!("{IATI}?donor=WCO"), &seco).await.assert_problem(404, "not_found");
    let wco = app.token("wco-portal", Role::Donor, None, Some("WCO"), &[]);
    let xml = iati(&app, "donor=WCO", &wco).await;
    assert!(xml.contains("MERIDIAN-PER-SECRET") && !xml.contains("MERIDIAN-BOL"));

    // Another administration's private project is absent.
    app.get(&format!("{IATI}?administration=PER"), &bol).await.assert_problem(404, "not_found");
    app.get(&format!("{IATI}?donor=WCO"), &bol).await.assert_problem(404, "not_found");
    app.get(&format!("{IATI}?administration=PER"), &app.viewer("BOL")).await.assert_problem(404, "not_found");
    let everything = iati(&app, "donor=SECO", &admin).await;
    assert_eq!(activities(&everything), 1);
    assert_eq!(activities(&iati(&app, "administration=PER", &admin).await), 1);

    // Bad parameters.
    for (query, fields) in [
        ("", vec!["donor", "administration"]),
        ("donor=SECO&administration=BOL", vec!["donor", "administration"]),
        ("administration=bolivia", vec!["administration"]),
        ("donor=s", vec!["donor"]),
    ] {
        let reply = app.get(&format!("{IATI}?{query}"), &bol).await;
        reply.assert_problem(422, "validation");
        assert_eq!(reply.error_fields(), fields, "{query}");
    }
    let anonymous = app.request(reqwest::Method::GET, &format!("{IATI}?donor=SECO"), None, None, &[]).await;
    assert_eq!(anonymous.status.as_u16(), 401);
    assert_eq!(anonymous.content_type(), "application/problem+json");
}

#[tokio::test]
async fn iati_export_of_the_demo_validates() {
    let app = TestApp::spawn_demo().await;
    let admin = app.admin();
    let mut total = 0;
    for code in ["BGD", "BOL", "COL", "GTM", "PER", "UKR", "UZB"] {
        total += activities(&iati(&app, &format!("administration={code}"), &admin).await);
    }
    let seco = activities(&iati(&app, "donor=SECO", &admin).await);
    let wco = activities(&iati(&app, "donor=WCO", &admin).await);
    assert!(total > 5 && seco + wco >= total, "more than a page; every demo project is funded by SECO or WCO: {total} {seco} {wco}");
    assert_eq!(activities(&iati(&app, "donor=SECO", &app.donor()).await), seco);
    assert!(activities(&iati(&app, "administration=BOL", &app.viewer("BOL")).await) >= 1);
}

/// Every item of a REST list, page after page.
async fn all(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit=200");
    loop {
        let page = app.get(&url, token).await;
        let body = page.assert(200);
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(c) => url = format!("{path}{sep}limit=200&after={c}"),
            None => return items,
        }
    }
}

/// The export's lines, grouped by type.
async fn export(app: &TestApp, query: &str, token: &str) -> BTreeMap<String, Vec<Value>> {
    let reply = app.get(&format!("/api/v1/export{query}"), token).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/x-ndjson");
    let text = match &reply.body {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        one => one.to_string(), // a single line parses as JSON by itself
    };
    let mut by_type: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("a line that is not JSON ({e}): {line}"));
        let kind = v.as_object_mut().unwrap().remove("type").unwrap();
        by_type.entry(kind.as_str().unwrap().to_owned()).or_default().push(v);
    }
    by_type
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items.iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect()
}

/// What the REST API lists for `token`, by export type.
async fn rest_view(app: &TestApp, token: &str) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let plans = all(app, "/api/v1/plans", token).await;
    for plan in &plans {
        let objectives = all(app, &format!("/api/v1/plans/{}/objectives", id(plan)), token).await;
        for objective in &objectives {
            let indicators = all(app, &format!("/api/v1/objectives/{}/indicators", id(objective)), token).await;
            for indicator in &indicators {
                let targets = app.get(&format!("/api/v1/indicators/{}/targets", id(indicator)), token).await;
                out.entry("target".into()).or_default().extend(targets.assert(200).as_array().unwrap().iter().cloned());
                let measurements = all(app, &format!("/api/v1/indicators/{}/measurements", id(indicator)), token).await;
                out.entry("measurement".into()).or_default().extend(measurements);
            }
            out.entry("indicator".into()).or_default().extend(indicators);
        }
        out.entry("objective".into()).or_default().extend(objectives);
    }
    out.insert("plan".into(), plans);
    let portfolios = all(app, "/api/v1/portfolios", token).await;
    out.insert("portfolio".into(), portfolios);
    let projects = all(app, "/api/v1/projects", token).await;
    for project in &projects {
        let detail = app.get(&format!("/api/v1/projects/{}", id(project)), token).await;
        out.entry("milestone".into()).or_default().extend(detail.assert(200)["milestones"].as_array().unwrap().iter().cloned());
        let fundings = app.get(&format!("/api/v1/projects/{}/fundings", id(project)), token).await;
        out.entry("funding".into()).or_default().extend(fundings.assert(200)["fundings"].as_array().unwrap().iter().cloned());
    }
    out.insert("project".into(), projects);
    out.retain(|_, v| !v.is_empty());
    out
}

#[tokio::test]
async fn ndjson_export_streams_what_the_rest_lists_show() {
    let app = TestApp::spawn_demo().await;
    // The admin reads more than a page of plans and of projects.
    for token in [app.viewer("BOL"), app.donor(), app.planner("UKR"), app.admin()] {
        let exported = export(&app, "", &token).await;
        let listed = rest_view(&app, &token).await;
        let kinds = |m: &BTreeMap<String, Vec<Value>>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(kinds(&exported), kinds(&listed));
        for (kind, items) in &listed {
            let got = &exported[kind];
            assert_eq!(got.len(), items.len(), "{kind}");
            if kind == "target" || kind == "measurement" {
                continue; // compared whole below
            }
            assert_eq!(ids(got), ids(items), "{kind}");
        }
        // The same representation as the REST lists, line for line.
        for kind in ["plan", "objective", "indicator", "project", "target", "measurement"] {
            let Some(items) = listed.get(kind) else { continue };
            let mut want: Vec<String> = items.iter().map(Value::to_string).collect();
            let mut got: Vec<String> = exported[kind].iter().map(Value::to_string).collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{kind}");
        }
    }
    // An admin may narrow the export to one administration.
    let admin = app.admin();
    let bol = export(&app, "?administration=BOL", &admin).await;
    assert!(bol["plan"].iter().all(|p| p["administration"] == "BOL"));
    assert!(bol["project"].iter().all(|p| p["administration"] == "BOL"));
    assert!(export(&app, "", &admin).await["plan"].len() > bol["plan"].len());
}

#[tokio::test]
async fn ndjson_export_keeps_private_objects_private() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let draft = id(&app.create_plan(&bol, json!({"title": {"es": "Borrador"}})).await);
    let active = id(&app.create_plan(&bol, json!({"title": {"es": "Vigente"}, "start_year": 2023})).await);
    let objective = id(&app.create_objective(&bol, &active, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let shared = id(&app.create_indicator(&bol, &objective, json!({})).await);
    let restricted = id(&app.create_indicator(&bol, &objective, json!({"disclosure": "restricted", "name": {"es": "Interno"}})).await);
    app.advance_plan(&active, "active").await;
    app.approved_measurement(&bol, &shared, "2023", "12").await;
    app.put(&format!("/api/v1/indicators/{shared}/measurements/2024"), &bol, json!({"value": "13"})).await.assert(201);
    app.post(
        "/api/v1/projects",
        &bol,
        json!({"code": "P1", "title": {"es": "Privado"}, "planned_start": "2024-01-01", "planned_end": "2025-12-31", "objective_ids": [objective]}),
    )
    .await
    .assert(201);

    let own = export(&app, "", &app.viewer("BOL")).await;
    assert_eq!(own["plan"].len(), 2);
    assert_eq!(own["indicator"].len(), 2);
    assert_eq!(own["measurement"].len(), 2, "insiders see values in review");
    assert_eq!(own["project"].len(), 1);

    let peru = app.viewer("PER");
    for query in ["", "?administration=BOL"] {
        let seen = export(&app, query, &peru).await;
        assert_eq!(ids(&seen["plan"]), BTreeSet::from([active.clone()]), "{query}");
        assert!(!ids(&seen["plan"]).contains(&draft));
        assert_eq!(ids(&seen["indicator"]), BTreeSet::from([shared.clone()]), "{query}");
        assert!(!ids(&seen["indicator"]).contains(&restricted));
        assert_eq!(seen["measurement"].len(), 1, "only the approved value: {query}");
        assert_eq!(seen["measurement"][0]["period"], "2023");
        assert!(!seen.contains_key("project") && !seen.contains_key("portfolio"), "{query}");
    }
    let bad = app.get("/api/v1/export?administration=bolivia", &peru).await;
    bad.assert_problem(422, "validation");
    assert_eq!(bad.error_fields(), ["administration"]);
}
