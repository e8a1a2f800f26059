//! Machine clients: the registry, and OAuth 2.0 client credentials end to end with a real HTTP
//! client, as a partner's system would use them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

/// `POST /oauth/token` with HTTP Basic client authentication and the form `fields`.
async fn token_basic(app: &TestApp, client_id: &str, secret: &str, fields: &[(&str, &str)]) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let reply = app.client.post(format!("{}/oauth/token", app.base)).basic_auth(client_id, Some(secret)).form(fields).send().await.unwrap();
    let (status, headers) = (reply.status(), reply.headers().clone());
    (status, headers, reply.json().await.unwrap_or(Value::Null))
}

/// The access token of a successful client-credentials request.
async fn access_token(app: &TestApp, client_id: &str, secret: &str) -> String {
    let (status, _, body) = token_basic(app, client_id, secret, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_partner_system_gets_short_lived_tokens_with_its_client_credentials() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let created = app.post("/api/v1/clients", &bol, json!({"name": "SIPLAN production", "scopes": ["measurements:write"]})).await;
    let body = created.assert(201).clone();
    let (client_id, secret) = (body["client"]["id"].as_str().unwrap().to_owned(), body["client_secret"].as_str().unwrap().to_owned());
    assert!(secret.starts_with("mcs_"), "{secret}");
    assert_eq!(body["client"]["owner"], json!({"kind": "administration", "code": "BOL"}), "a planner's own administration");
    assert_eq!((body["client"]["role"].as_str(), body["client"]["status"].as_str()), (Some("integration"), Some("active")));

    // The registry: the owner sees it, another administration cannot tell it exists.
    let listed = app.get("/api/v1/clients", &bol).await;
    let listed = listed.assert(200)["items"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("client_secret").is_none() && !listed[0].to_string().contains(&secret), "the secret is shown once");
    assert_eq!(app.get("/api/v1/clients", &app.planner("PER")).await.assert(200)["items"], json!([]));
    app.get(&format!("/api/v1/clients/{client_id}"), &app.planner("PER")).await.assert_problem(404, "not_found");
    app.get("/api/v1/clients", &app.viewer("BOL")).await.assert_problem(403, "forbidden");
    let for_other = app.post("/api/v1/clients", &bol, json!({"name": "x", "administration": "PER"})).await;
    for_other.assert_problem(403, "forbidden");
    app.post("/api/v1/clients", &bol, json!({"name": "x", "donor": "SECO"})).await.assert_problem(403, "forbidden");
    let unknown = app.post("/api/v1/clients", &app.admin(), json!({"name": "x", "administration": "COL"})).await;
    unknown.assert_problem(422, "validation");

    // Client credentials, with HTTP Basic: RFC 6749 §5.1, never cached.
    let (status, headers, granted) = token_basic(&app, &client_id, &secret, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!((granted["token_type"].as_str(), granted["expires_in"].as_u64()), (Some("Bearer"), Some(900)));
    assert_eq!(granted["scope"], "measurements:write");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    let token = granted["access_token"].as_str().unwrap().to_owned();

    // The token acts as an integration of BOL within its scope, audited as the client.
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let indicator = id(&app.create_indicator(&bol, &objective, json!({})).await);
    let recorded = app.put(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &token, json!({"value": "12"})).await;
    assert_eq!(recorded.assert(201)["recorded_by"], format!("client:{client_id}"));
    app.patch(&format!("/api/v1/plans/{plan}"), &token, json!({"national_plan_ref": "X"}), None).await.assert_problem(403, "forbidden");
    let gql = app.gql(Some(&token), "{ plans(first: 5) { edges { node { id } } } }", json!({})).await;
    assert_eq!(gql.body["data"]["plans"]["edges"].as_array().unwrap().len(), 1, "{}", gql.body);

    // client_secret_post, and a narrower scope.
    let posted = app
        .client
        .post(format!("{}/oauth/token", app.base))
        .form(&[("grant_type", "client_credentials"), ("client_id", client_id.as_str()), ("client_secret", secret.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);

    // RFC 6749 §5.2 errors.
    let refused = |status: u16, error: &str, reply: (StatusCode, reqwest::header::HeaderMap, Value)| {
        assert_eq!(reply.0.as_u16(), status, "{}", reply.2);
        assert_eq!(reply.2["error"], error, "{}", reply.2);
        assert!(reply.2["error_description"].as_str().is_some_and(|d| !d.is_empty()));
        reply.1
    };
    let wrong = refused(401, "invalid_client", token_basic(&app, &client_id, "mcs_wrong", &[("grant_type", "client_credentials")]).await);
    assert!(wrong.get("www-authenticate").unwrap().to_str().unwrap().starts_with("Basic"));
    refused(401, "invalid_client", token_basic(&app, "00000000-0000-7000-8000-000000000000", &secret, &[("grant_type", "client_credentials")]).await);
    refused(400, "unsupported_grant_type", token_basic(&app, &client_id, &secret, &[("grant_type", "password")]).await);
    refused(400, "invalid_request", token_basic(&app, &client_id, &secret, &[]).await);
    refused(400, "invalid_scope", token_basic(&app, &client_id, &secret, &[("grant_type", "client_credentials"), ("scope", "plans:write")]).await);
    refused(
        400,
        "invalid_request",
        token_basic(&app, &client_id, &secret, &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)]).await,
    );
    let json_body = app.client.post(format!("{}/oauth/token", app.base)).basic_auth(&client_id, Some(&secret)).json(&json!({})).send().await.unwrap();
    assert_eq!(json_body.status(), 400);

    // Standard client libraries find the endpoint.
    let meta = app.client.get(format!("{}/.well-known/oauth-authorization-server", app.base)).send().await.unwrap();
    let meta: Value = meta.json().await.unwrap();
    assert_eq!(meta["token_endpoint"], format!("{}/oauth/token", app.base));
    assert_eq!(meta["grant_types_supported"], json!(["client_credentials"]));
    assert_eq!(meta["token_endpoint_auth_methods_supported"], json!(["client_secret_basic", "client_secret_post"]));
    assert_eq!(meta["issuer"], "meridian");

    // The registry write is audited, without any secret or hash.
    let trail = app.get(&format!("/api/v1/audit?entity_type=client&entity_id={client_id}"), &app.admin()).await;
    let trail = trail.assert(200)["items"].as_array().unwrap().clone();
    assert_eq!(trail.len(), 1);
    assert_eq!((trail[0]["action"].as_str(), trail[0]["actor"].as_str()), (Some("create"), Some("planner-BOL")));
    assert!(!trail[0].to_string().contains("argon2") && !trail[0].to_string().contains("mcs_"), "{}", trail[0]);
}

#[tokio::test]
async fn rotation_overlaps_and_revocation_stops_the_tokens_a_client_holds() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let created = app.post("/api/v1/clients", &admin, json!({"name": "SECO portal", "donor": "SECO"})).await;
    let body = created.assert(201).clone();
    let client_id = body["client"]["id"].as_str().unwrap().to_owned();
    let first = body["client_secret"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/clients/{client_id}");
    let donor_token = access_token(&app, &client_id, &first).await;
    app.get("/api/v1/projects", &donor_token).await.assert(200);
    app.post("/api/v1/plans", &donor_token, json!({"title": {"es": "x"}, "start_year": 2022, "end_year": 2026})).await.assert_problem(403, "forbidden");

    // A rotation with an hour of overlap: both secrets work meanwhile.
    let rotated = app.post(&format!("{path}/secrets"), &admin, json!({"overlap_seconds": 3600})).await;
    let second = rotated.assert(201)["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    let secrets = rotated.body["client"]["secrets"].as_array().unwrap().clone();
    assert_eq!(secrets.len(), 2);
    assert!(secrets[0]["expires_at"].is_string() && secrets[1]["expires_at"].is_null(), "{secrets:?}");
    access_token(&app, &client_id, &first).await;
    access_token(&app, &client_id, &second).await;

    // Without overlap the earlier secrets stop at once.
    let etag = app.get(&path, &admin).await.etag();
    let rotated =
        app.request(reqwest::Method::POST, &format!("{path}/secrets"), Some(&admin), Some(json!({"overlap_seconds": 0})), &[("If-Match", &etag)]).await;
    let third = rotated.assert(201)["client_secret"].as_str().unwrap().to_owned();
    for old in [&first, &second] {
        assert_eq!(token_basic(&app, &client_id, old, &[("grant_type", "client_credentials")]).await.0, 401);
    }
    let fresh = access_token(&app, &client_id, &third).await;
    app.post(&format!("{path}/secrets"), &admin, json!({"overlap_seconds": 99_999_999})).await.assert_problem(422, "validation");

    // Revoked: no new token, and the tokens it holds stop working.
    let revoked = app.post(&format!("{path}/revoke"), &admin, json!({})).await;
    assert_eq!(revoked.assert(200)["status"], "revoked");
    assert_eq!(token_basic(&app, &client_id, &third, &[("grant_type", "client_credentials")]).await.0, 401);
    for token in [&donor_token, &fresh] {
        let refused = app.get("/api/v1/projects", token).await;
        refused.assert_problem(401, "unauthenticated");
        assert!(refused.body["detail"].as_str().unwrap().contains("revoked"), "{}", refused.body);
        assert_eq!(app.gql(Some(token), "{ donors { edges { node { code } } } }", json!({})).await.status, 401);
    }
    app.post(&format!("{path}/revoke"), &admin, json!({})).await.assert(200);
    app.post(&format!("{path}/secrets"), &admin, json!({})).await.assert_problem(409, "client_revoked");

    let trail = app.get(&format!("/api/v1/audit?entity_type=client&entity_id={client_id}"), &admin).await;
    let mut actions: Vec<String> = trail.assert(200)["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    actions.reverse();
    assert_eq!(actions, ["create", "rotate_secret", "rotate_secret", "revoke"]);
}

#[tokio::test]
async fn the_registry_is_the_same_in_graphql() {
    let app = TestApp::spawn().await;
    let per = app.planner("PER");
    let create = r#"mutation { createMachineClient(input: {name: "SIGAD", scopes: ["plans:write"]}) {
        clientSecret client { id clientId name role scopes status owner { kind code } secrets { id expiresAt } version } } }"#;
    let made = app.gql(Some(&per), create, json!({})).await;
    let made = made.assert(200)["data"]["createMachineClient"].clone();
    assert_eq!(made["client"]["owner"], json!({"kind": "administration", "code": "PER"}), "{made}");
    assert_eq!(made["client"]["scopes"], json!(["plans:write"]));
    let (gid, client_id, secret) =
        (made["client"]["id"].clone(), made["client"]["clientId"].as_str().unwrap().to_owned(), made["clientSecret"].as_str().unwrap().to_owned());
    access_token(&app, &client_id, &secret).await;

    let list = "{ machineClients { clientId status } }";
    assert_eq!(app.gql(Some(&per), list, json!({})).await.body["data"]["machineClients"][0]["clientId"], client_id);
    assert_eq!(app.gql(Some(&app.planner("BOL")), list, json!({})).await.body["data"]["machineClients"], json!([]));
    let hidden = app.gql(Some(&app.planner("BOL")), "query($id: ID!) { machineClient(id: $id) { name } }", json!({"id": gid})).await;
    assert_eq!(hidden.body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{}", hidden.body);
    let viewer = app.gql(Some(&app.viewer("PER")), list, json!({})).await;
    assert_eq!(viewer.body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let bad = app.gql(Some(&per), r#"mutation { createMachineClient(input: {name: " ", scopes: ["root"]}) { clientSecret } }"#, json!({})).await;
    assert_eq!(bad.body["errors"][0]["extensions"]["code"], "VALIDATION", "{}", bad.body);

    let rotate = "mutation($id: ID!) { rotateMachineClientSecret(id: $id, overlapSeconds: 0) { clientSecret client { secrets { id } } } }";
    let rotated = app.gql(Some(&per), rotate, json!({"id": gid})).await;
    let new_secret = rotated.body["data"]["rotateMachineClientSecret"]["clientSecret"].as_str().unwrap().to_owned();
    assert_eq!(token_basic(&app, &client_id, &secret, &[("grant_type", "client_credentials")]).await.0, 401);
    let token = access_token(&app, &client_id, &new_secret).await;
    let revoke = "mutation($id: ID!) { revokeMachineClient(id: $id) { status revokedAt } }";
    assert_eq!(app.gql(Some(&per), revoke, json!({"id": gid})).await.body["data"]["revokeMachineClient"]["status"], "revoked");
    app.get("/api/v1/plans", &token).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn an_expired_client_gets_no_token_and_its_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let expires_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let created = app.post("/api/v1/clients", &app.admin(), json!({"name": "Pilot", "administration": "BOL", "expires_at": expires_at})).await;
    let body = created.assert(201).clone();
    let (client_id, secret) = (body["client"]["id"].as_str().unwrap().to_owned(), body["client_secret"].as_str().unwrap().to_owned());
    let token = access_token(&app, &client_id, &secret).await;
    app.get("/api/v1/plans", &token).await.assert(200);
    // Wait for the expiry by watching it happen (bounded), not by sleeping a fixed time.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let status = token_basic(&app, &client_id, &secret, &[("grant_type", "client_credentials")]).await.0;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(std::time::Instant::now() < deadline, "the client never expired");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let refused = app.get("/api/v1/plans", &token).await;
    refused.assert_problem(401, "unauthenticated");
    let listed = app.get(&format!("/api/v1/clients/{client_id}"), &app.admin()).await;
    assert_eq!(listed.assert(200)["status"], "expired");
}
