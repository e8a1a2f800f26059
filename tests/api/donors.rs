//! Donors: global reference data kept by admins and read by everyone.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn admins_keep_the_donors_everyone_reads_them() {
    let app = TestApp::spawn().await;
    let body = json!({"code": "SDC", "name": {"en": "Swiss Agency for Development and Cooperation"}, "iati_org_id": "CH-4"});
    app.post("/api/v1/donors", &app.planner("BOL"), body.clone()).await.assert_problem(403, "forbidden");
    app.post("/api/v1/donors", &app.donor(), body.clone()).await.assert_problem(403, "forbidden");
    let made = app.post("/api/v1/donors", &app.admin(), body.clone()).await;
    assert_eq!(made.assert(201)["iati_org_id"], "CH-4");
    app.post("/api/v1/donors", &app.admin(), body).await.assert_problem(409, "code_taken");
    let bad = app.post("/api/v1/donors", &app.admin(), json!({"code": "seco!", "name": {"en": " "}, "iati_org_id": "nope"})).await;
    bad.assert_problem(422, "validation");
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["code", "iati_org_id", "name.en"]);

    for reader in [app.donor(), app.viewer("PER")] {
        let list = app.get("/api/v1/donors", &reader).await;
        assert_eq!(list.assert(200)["items"][0]["code"], "SDC");
        app.get("/api/v1/donors/SDC", &reader).await.assert(200);
    }
    app.get("/api/v1/donors/NOBODY", &app.donor()).await.assert_problem(404, "not_found");

    let renamed = app.patch("/api/v1/donors/SDC", &app.admin(), json!({"iati_org_id": null}), Some("\"1\"")).await;
    assert_eq!(renamed.assert(200)["iati_org_id"], serde_json::Value::Null);
    app.patch("/api/v1/donors/SDC", &app.admin(), json!({"name": {"en": "SDC"}}), Some("\"1\"")).await.assert_problem(412, "stale_version");
    app.patch("/api/v1/donors/SDC", &app.planner("BOL"), json!({"name": {"en": "x"}}), None).await.assert_problem(403, "forbidden");

    let gql = app.gql(Some(&app.donor()), r#"{ donors { edges { node { code name(lang: "en") } } } }"#, json!({})).await;
    assert_eq!(gql.body["data"]["donors"]["edges"][0]["node"]["code"], "SDC");
    let create = r#"mutation { createDonor(input: {code: "WCO", name: [{lang: "en", text: "World Customs Organization"}]}) { code } }"#;
    assert_eq!(app.gql(Some(&app.donor()), create, json!({})).await.body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(app.gql(Some(&app.admin()), create, json!({})).await.body["data"]["createDonor"]["code"], "WCO");
}
