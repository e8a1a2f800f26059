//! Who gets in: tokens are honoured whole or not at all.

use domain::principal::Role;
use serde_json::json;

use crate::helpers::{SECRET, TestApp};

/// Signs claims as the server's own key would, to build tokens `meridian token issue` refuses.
fn forge(claims: &serde_json::Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256), claims, &key).unwrap()
}

fn claims(role: &str, administration: Option<&str>, donor: Option<&str>) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "mallory", "role": role, "administration": administration, "donor": donor, "iss": "meridian", "aud": "meridian-api",
        "iat": now, "exp": now + 600})
}

#[tokio::test]
async fn tokens_naming_what_does_not_exist_or_what_the_role_lacks_are_refused_whole() {
    let app = TestApp::spawn().await;
    let refused = [
        ("a planner of an administration that does not exist", app.planner("COL")),
        ("a donor that does not exist", app.token("ghost-portal", Role::Donor, None, Some("GHOST"), &[])),
        ("a planner token that also names a donor", forge(&claims("planner", Some("BOL"), Some("SECO")))),
        ("a donor token that also names an administration", forge(&claims("donor", Some("BOL"), Some("SECO")))),
        ("a donor token without a donor", forge(&claims("donor", None, None))),
        ("an admin token naming an administration", forge(&claims("admin", Some("BOL"), None))),
    ];
    for (what, token) in &refused {
        let rest = app.get("/api/v1/plans", token).await;
        rest.assert_problem(401, "unauthenticated");
        assert!(rest.headers.get("www-authenticate").unwrap().to_str().unwrap().starts_with("Bearer"), "{what}");
        let write = app.post("/api/v1/plans", token, json!({"title": {"es": "x"}, "start_year": 2022, "end_year": 2026})).await;
        write.assert_problem(401, "unauthenticated");
        let gql = app.gql(Some(token), "{ plans(first: 1) { edges { node { id } } } }", json!({})).await;
        assert_eq!(gql.status, 401, "{what}: {}", gql.body);
        assert_eq!(gql.body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{what}");
        assert!(gql.body["data"].is_null(), "{what}: nothing is answered");
    }
    let detail = app.get("/api/v1/plans", &refused[0].1).await.body["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("COL"), "the refusal says what is wrong: {detail}");
    assert_eq!(app.count("plans").await, 0);

    // Refusals are not remembered: once the administration exists, its planners get in.
    app.post("/api/v1/administrations", &app.admin(), json!({"code": "COL", "default_language": "es", "name": {"es": "DIAN"}})).await.assert(201);
    app.get("/api/v1/plans", &refused[0].1).await.assert(200);
}
