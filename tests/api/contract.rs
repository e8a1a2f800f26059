//! What every client relies on: probes, the served OpenAPI document and Swagger UI, request ids.

use crate::helpers::TestApp;

#[tokio::test]
async fn probes_answer_without_a_token() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/health/ready"] {
        let r = app.request(reqwest::Method::GET, path, None, None, &[]).await;
        assert_eq!(r.assert(200)["status"], "ok");
    }
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one_and_swagger_ui_is_served() {
    let app = TestApp::spawn().await;
    let served = app.request(reqwest::Method::GET, "/api/v1/openapi.json", None, None, &[]).await;
    let committed: serde_json::Value = serde_json::from_str(include_str!("../../api/openapi.json")).unwrap();
    assert_eq!(served.assert(200), &committed);
    assert_eq!(committed["openapi"], "3.1.0");
    assert!(committed["components"]["securitySchemes"]["bearer"].is_object());

    let docs = app.client.get(format!("{}/docs/", app.base)).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger-ui"));
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let r = app.request(reqwest::Method::GET, "/health/live", None, None, &[]).await;
    assert!(!r.headers["x-request-id"].is_empty());
    let given = app.request(reqwest::Method::GET, "/health/live", None, None, &[("x-request-id", "trace-me-42")]).await;
    assert_eq!(given.headers["x-request-id"], "trace-me-42");
}
