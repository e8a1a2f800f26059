//! Asymmetric signing keys published as JWKS, their rotation, and an external identity
//! provider whose keys the test serves itself on 127.0.0.1.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::JwkSet};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn spec(kid: &str, alg: &str, file: &str) -> String {
    format!("{kid}:{alg}:{}", fixture(file))
}

fn sign(alg: Algorithm, kid: Option<&str>, file: &str, claims: &Value) -> String {
    let pem = std::fs::read(fixture(file)).unwrap();
    let key = if alg == Algorithm::ES256 { EncodingKey::from_ec_pem(&pem) } else { EncodingKey::from_rsa_pem(&pem) }.unwrap();
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn admin_claims(iss: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "ops", "role": "admin", "iss": iss, "aud": "meridian-api", "iat": now, "exp": now + 600})
}

#[tokio::test]
async fn tokens_signed_with_rs256_or_es256_verify_by_kid_and_the_public_keys_are_published() {
    let keys = vec![spec("2026-12", "ES256", "ec-a.pem"), spec("2026-06", "RS256", "rsa-a.pem")];
    let app = TestApp::spawn_with(|s| {
        s.jwt_keys = keys.clone();
        s.jwt_secret = None;
    })
    .await;
    // The harness's tokens are now signed with the first key.
    let admin = app.admin();
    let header = jsonwebtoken::decode_header(&admin).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (Algorithm::ES256, Some("2026-12")));
    app.get("/api/v1/plans", &admin).await.assert(200);

    let jwks: Value = app.client.get(format!("{}/.well-known/jwks.json", app.base)).send().await.unwrap().json().await.unwrap();
    let published = jwks["keys"].as_array().unwrap();
    let kids: Vec<&str> = published.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, ["2026-12", "2026-06"]);
    assert_eq!((published[0]["kty"].as_str(), published[1]["kty"].as_str()), (Some("EC"), Some("RSA")));
    assert!(published.iter().all(|k| k.get("d").is_none() && k.get("p").is_none()), "no private part is published: {jwks}");
    let meta: Value = app.client.get(format!("{}/.well-known/oauth-authorization-server", app.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(meta["jwks_uri"], format!("{}/.well-known/jwks.json", app.base));

    // A client verifying with the published keys accepts the server's token.
    let set: JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(set.find("2026-12").unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::ES256);
    validation.set_audience(&["meridian-api"]);
    assert!(jsonwebtoken::decode::<Value>(&admin, &key, &validation).is_ok());

    // The older key still verifies (rotation: tokens it signed keep working until they expire).
    let by_old_key = sign(Algorithm::RS256, Some("2026-06"), "rsa-a.pem", &admin_claims("meridian"));
    app.get("/api/v1/plans", &by_old_key).await.assert(200);
    // Refused: an unknown kid, a known kid with another key, HS256 once keys replace the secret,
    // another issuer, and a token not valid yet.
    let now = chrono::Utc::now().timestamp();
    let early = json!({"sub": "ops", "role": "admin", "iss": "meridian", "aud": "meridian-api", "nbf": now + 600, "exp": now + 1200});
    for (what, token) in [
        ("unknown kid", sign(Algorithm::RS256, Some("2025-01"), "rsa-a.pem", &admin_claims("meridian"))),
        ("forged with another key", sign(Algorithm::RS256, Some("2026-06"), "rsa-b.pem", &admin_claims("meridian"))),
        (
            "HS256",
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &admin_claims("meridian"), &EncodingKey::from_secret(b"integration-test-secret-0123456789"))
                .unwrap(),
        ),
        ("another issuer", sign(Algorithm::ES256, Some("2026-12"), "ec-a.pem", &admin_claims("someone-else"))),
        ("not before", sign(Algorithm::ES256, Some("2026-12"), "ec-a.pem", &early)),
    ] {
        let refused = app.get("/api/v1/plans", &token).await;
        assert_eq!(refused.status, 401, "{what}: {}", refused.body);
    }

    // Retiring the old key: a server without it refuses what it signed.
    let rotated = TestApp::spawn_with(|s| {
        s.jwt_keys = vec![spec("2026-12", "ES256", "ec-a.pem")];
        s.jwt_secret = None;
    })
    .await;
    rotated.get("/api/v1/plans", &by_old_key).await.assert_problem(401, "unauthenticated");
    rotated.get("/api/v1/plans", &rotated.admin()).await.assert(200);
}

/// A stand-in identity provider: serves its JWKS (which the test may change) and counts fetches;
/// a second URL counts fetches that must never happen.
struct Provider {
    base: String,
    set: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
    elsewhere: Arc<AtomicUsize>,
}

async fn provider(keys: Value) -> Provider {
    let set = Arc::new(Mutex::new(keys));
    let (fetches, elsewhere) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (s, f, e) = (set.clone(), fetches.clone(), elsewhere.clone());
    let router = axum::Router::new()
        .route(
            "/certs",
            axum::routing::get(move || {
                f.fetch_add(1, Ordering::SeqCst);
                let body = s.lock().unwrap().clone();
                async move { axum::Json(body) }
            }),
        )
        .route(
            "/attacker-certs",
            axum::routing::get(move || {
                e.fetch_add(1, Ordering::SeqCst);
                async { axum::Json(json!({"keys": []})) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Provider { base, set, fetches, elsewhere }
}

/// The public JWK of a fixture key, with `kid`.
fn public_jwk(kid: &str, file: &str) -> Value {
    let key = api::keys::SigningKey::from_pem(kid, "RS256", &std::fs::read(fixture(file)).unwrap()).unwrap();
    serde_json::to_value(&key.jwk).unwrap()
}

const IDP: &str = "https://idp.example.org/realms/customs";

fn idp_claims(roles: Value, administration: Option<&str>) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "maria.quispe", "iss": IDP, "aud": "meridian-api", "iat": now, "nbf": now, "exp": now + 600,
        "realm_access": {"roles": roles}, "customs_admin": administration})
}

#[tokio::test]
async fn an_external_issuer_is_trusted_through_its_jwks_with_its_claims_mapped() {
    let idp = provider(json!({"keys": [public_jwk("idp-1", "rsa-b.pem")]})).await;
    let jwks_url = format!("{}/certs", idp.base);
    let app = TestApp::spawn_with(|s| {
        s.external_issuer = Some(IDP.into());
        s.external_jwks_url = Some(jwks_url.clone());
        s.external_claim_role = "realm_access.roles".into();
        s.external_role_prefix = "meridian-".into();
        s.external_claim_administration = "customs_admin".into();
        s.external_jwks_min_refresh = std::time::Duration::ZERO;
    })
    .await;
    let maria = sign(Algorithm::RS256, Some("idp-1"), "rsa-b.pem", &idp_claims(json!(["offline_access", "meridian-planner"]), Some("BOL")));
    let plan = app.post("/api/v1/plans", &maria, json!({"title": {"es": "Plan"}, "start_year": 2022, "end_year": 2026})).await;
    assert_eq!(plan.assert(201)["administration"], "BOL");
    let trail = app.get("/api/v1/audit?entity_type=plan", &app.admin()).await;
    assert_eq!(trail.assert(200)["items"][0]["actor"], "maria.quispe");
    for _ in 0..3 {
        app.get("/api/v1/plans", &maria).await.assert(200);
    }
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 1, "the keys are cached");

    // The provider rotates: a token with the new kid makes Meridian fetch the keys again.
    *idp.set.lock().unwrap() = json!({"keys": [public_jwk("idp-1", "rsa-b.pem"), public_jwk("idp-2", "rsa-a.pem")]});
    let rotated = sign(Algorithm::RS256, Some("idp-2"), "rsa-a.pem", &idp_claims(json!(["meridian-viewer"]), Some("PER")));
    app.get("/api/v1/plans", &rotated).await.assert(200);
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 2);

    // Never from a URL the token names; never half a principal.
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("idp-3".into());
    header.jku = Some(format!("{}/attacker-certs", idp.base));
    let pem = std::fs::read(fixture("rsa-a.pem")).unwrap();
    let with_jku = jsonwebtoken::encode(&header, &idp_claims(json!(["meridian-admin"]), None), &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap();
    app.get("/api/v1/plans", &with_jku).await.assert_problem(401, "unauthenticated");
    assert_eq!(idp.elsewhere.load(Ordering::SeqCst), 0, "a jku is never followed");
    for (what, claims) in [
        ("a planner without an administration", idp_claims(json!(["meridian-planner"]), None)),
        ("no Meridian role", idp_claims(json!(["offline_access"]), Some("BOL"))),
        ("an administration that does not exist", idp_claims(json!(["meridian-planner"]), Some("COL"))),
        ("an admin naming an administration", idp_claims(json!(["meridian-admin"]), Some("BOL"))),
    ] {
        let token = sign(Algorithm::RS256, Some("idp-1"), "rsa-b.pem", &claims);
        let refused = app.get("/api/v1/plans", &token).await;
        assert_eq!(refused.status, 401, "{what}: {}", refused.body);
    }
    let mut other_audience = idp_claims(json!(["meridian-planner"]), Some("BOL"));
    other_audience["aud"] = json!("account");
    let token = sign(Algorithm::RS256, Some("idp-1"), "rsa-b.pem", &other_audience);
    app.get("/api/v1/plans", &token).await.assert_problem(401, "unauthenticated");
    // Meridian's own tokens still work beside the provider's.
    app.get("/api/v1/plans", &app.planner("BOL")).await.assert(200);
}
