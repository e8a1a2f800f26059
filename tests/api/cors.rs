//! Which web origins a browser may call the API from: none unless configured, the listed ones
//! exactly, or any; and the headers a browser client needs to read are exposed.

use reqwest::Method;

use crate::helpers::{Reply, TestApp};

async fn preflight(app: &TestApp, origin: &str) -> Reply {
    app.request(
        Method::OPTIONS,
        "/api/v1/plans",
        None,
        None,
        &[("origin", origin), ("access-control-request-method", "PATCH"), ("access-control-request-headers", "authorization,if-match,idempotency-key")],
    )
    .await
}

fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn browsers_may_not_call_from_other_origins_unless_configured() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let answer = app.request(Method::GET, "/api/v1/plans", Some(&bol), None, &[("origin", "https://evil.example")]).await;
    answer.assert(200);
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    assert_eq!(header(&preflight(&app, "https://evil.example").await, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn listed_origins_are_allowed_exactly_and_see_the_headers_they_need() {
    let app = TestApp::spawn_with(|s| {
        s.cors_origins = api::CorsOrigins::parse("https://portal.example.org, http://localhost:3000").unwrap();
    })
    .await;
    let bol = app.planner("BOL");
    let pre = preflight(&app, "https://portal.example.org").await;
    assert!(pre.status.is_success(), "{}", pre.status);
    assert_eq!(header(&pre, "access-control-allow-origin"), Some("https://portal.example.org"));
    assert!(header(&pre, "access-control-allow-methods").is_some_and(|m| m.contains("PATCH")), "{:?}", pre.headers);
    let allowed = header(&pre, "access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
    for h in ["authorization", "if-match", "idempotency-key"] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }

    let created = app
        .request(
            Method::POST,
            "/api/v1/plans",
            Some(&bol),
            Some(serde_json::json!({"title": {"es": "Plan"}, "start_year": 2024, "end_year": 2028})),
            &[("origin", "http://localhost:3000")],
        )
        .await;
    created.assert(201);
    assert_eq!(header(&created, "access-control-allow-origin"), Some("http://localhost:3000"));
    let exposed = header(&created, "access-control-expose-headers").unwrap_or_default().to_ascii_lowercase();
    for h in ["etag", "location", "x-request-id", "retry-after", "idempotent-replayed"] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }

    let other = app.request(Method::GET, "/api/v1/plans", Some(&bol), None, &[("origin", "https://portal.example.org.evil.example")]).await;
    assert_eq!(header(&other, "access-control-allow-origin"), None);
    assert_eq!(header(&preflight(&app, "https://evil.example").await, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn any_origin_when_configured_with_a_star_and_origins_are_checked_at_start() {
    let app = TestApp::spawn_with(|s| s.cors_origins = api::CorsOrigins::parse("*").unwrap()).await;
    let pre = preflight(&app, "https://anywhere.example").await;
    assert_eq!(header(&pre, "access-control-allow-origin"), Some("*"));
    for bad in ["portal.example.org", "https://portal.example.org/path", "ftp://x.example"] {
        assert!(api::CorsOrigins::parse(bad).is_err(), "{bad} is not an origin");
    }
}
