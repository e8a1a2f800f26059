//! The read-only exports: IATI 2.03 activities, checked against the official schema with
//! `xmllint`.

use domain::principal::Role;
use serde_json::json;

use crate::helpers::{TestApp, id};

const IATI: &str = "/api/v1/iati/activities.xml";

/// Validates an IATI document against `iati-activities-schema.xsd` with `xmllint`.
#[track_caller]
fn assert_valid_iati(xml: &str) {
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/standards/iati-2.03/iati-activities-schema.xsd");
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
    app.post(
        "/api/v1/donors",
        &admin,
        json!({"code": "SECO", "name": {"en": "SECO", "de": "Staatssekretariat für Wirtschaft"}, "iati_org_id": "CH-FDFA-SECO"}),
    )
    .await
    .assert(201);
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
