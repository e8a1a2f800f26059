//! Bad input gets a clear problem+json answer naming each field, and changes nothing.

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn invalid_plan_fields_are_listed_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let before = (app.count("plans").await, app.count("audit_log").await, app.count("changes").await);
    let r = app
        .post(
            "/api/v1/plans",
            &bol,
            json!({"title": {"es": "  ", "x_y": "t"}, "start_year": 2026, "end_year": 2022, "disclosure": "secret", "on_track_threshold": "2"}),
        )
        .await;
    r.assert_problem(422, "validation");
    let fields = r.error_fields();
    for expected in ["title.es", "title.x_y", "end_year", "disclosure", "on_track_threshold"] {
        assert!(fields.contains(&expected.to_owned()), "{expected} missing in {fields:?}");
    }
    assert_eq!((app.count("plans").await, app.count("audit_log").await, app.count("changes").await), before);
}

#[tokio::test]
async fn unknown_fields_are_refused_so_no_one_assigns_tenant_author_or_version() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = app.create_plan(&bol, json!({})).await;
    for field in ["administration_code", "version", "status", "created_by"] {
        let r = app.patch(&format!("/api/v1/plans/{}", id(&plan)), &bol, json!({field: "x"}), None).await;
        r.assert_problem(422, "validation");
        assert_eq!(r.error_fields(), [field.to_owned()], "{}", r.body);
    }
    let stored = app.get(&format!("/api/v1/plans/{}", id(&plan)), &bol).await;
    assert_eq!(stored.assert(200)["version"], 1);
}

#[tokio::test]
async fn malformed_requests_get_problems_never_500() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let syntax = app
        .client
        .post(format!("{}/api/v1/plans", app.base))
        .bearer_auth(&bol)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(syntax.status(), 400);
    assert_eq!(syntax.headers()["content-type"], "application/problem+json");

    let no_type = app.client.post(format!("{}/api/v1/plans", app.base)).bearer_auth(&bol).body("{}").send().await.unwrap();
    assert_eq!(no_type.status(), 415);

    app.get("/api/v1/plans/not-a-uuid", &bol).await.assert_problem(404, "not_found");
    app.get("/api/v1/plans?limit=500", &bol).await.assert_problem(422, "validation");
    app.get("/api/v1/plans?limit=abc", &bol).await.assert_problem(400, "bad_request");
    app.get("/api/v1/plans?after=forged", &bol).await.assert_problem(400, "bad_request");
    app.get("/api/v1/plans?status=finished", &bol).await.assert_problem(422, "validation");
    app.get("/api/v1/nowhere", &bol).await.assert_problem(404, "not_found");

    let big = "x".repeat(2 * 1024 * 1024);
    let r = app.post("/api/v1/plans", &bol, json!({"title": {"en": big}, "start_year": 2022, "end_year": 2026})).await;
    r.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn results_input_is_checked_against_the_indicator_and_the_plan() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = app.create_plan(&bol, json!({})).await;
    let objective = app.create_objective(&bol, &id(&plan), json!({"code": "SO1", "title": {"es": "Facilitar"}})).await;
    let bad = app
        .post(
            &format!("/api/v1/objectives/{}/indicators", id(&objective)),
            &bol,
            json!({"baseline_value": "abc", "baseline_period": "2021-13", "frequency": "weekly"}),
        )
        .await;
    bad.assert_problem(422, "validation");
    for field in ["name", "measure", "direction", "frequency", "baseline_value", "baseline_period"] {
        assert!(bad.error_fields().contains(&field.to_owned()), "{field}: {}", bad.body);
    }
    let indicator = id(&app.create_indicator(&bol, &id(&objective), json!({})).await);
    let cases = [
        ("2024-Q1", json!({"value": "1"}), "wrong_frequency"),
        ("2022", json!({"value": "1"}), "before_baseline"),
        ("2031", json!({"value": "1"}), "outside_plan"),
        ("2024", json!({"value": "1e3"}), "invalid_number"),
        ("24", json!({"value": "1"}), "invalid_period"),
        ("2024", json!({"value": "1", "evidence_url": "file:///etc/passwd"}), "invalid_url"),
    ];
    for (period, body, code) in cases {
        let r = app.put(&format!("/api/v1/indicators/{indicator}/measurements/{period}"), &bol, body).await;
        r.assert_problem(422, "validation");
        assert!(r.body["errors"].as_array().unwrap().iter().any(|e| e["code"] == code), "{period}: {}", r.body);
    }
    app.put(&format!("/api/v1/indicators/{indicator}/targets/2021"), &bol, json!({"value": "5"})).await.assert_problem(422, "validation");
    assert_eq!(app.count("measurements").await, 0);
    assert_eq!(app.count("targets").await, 0);
}

/// PostgreSQL cannot store the NUL character in text; SQLite could. Either way a client sending
/// it gets a field error, in REST and GraphQL, and nothing is written.
#[tokio::test]
async fn text_with_a_nul_character_is_a_field_error_on_every_database() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Uno"}})).await);
    let indicator = id(&app.create_indicator(&bol, &objective, json!({})).await);
    let before = (app.count("objectives").await, app.count("measurements").await, app.count("audit_log").await, app.count("changes").await);

    let r = app.post(&format!("/api/v1/plans/{plan}/objectives"), &bol, json!({"code": "SO2", "title": {"es": "Dos\u{0}"}})).await;
    r.assert_problem(422, "validation");
    assert_eq!(r.error_fields(), ["title.es"], "{}", r.body);
    let measurement = format!("/api/v1/indicators/{indicator}/measurements/2024");
    for (field, body) in [
        ("comment", json!({"value": "1", "comment": "a\u{0}b"})),
        ("source", json!({"value": "1", "source": "\u{0}"})),
        ("evidence_url", json!({"value": "1", "evidence_url": "https://example.org/\u{0}"})),
    ] {
        let r = app.put(&measurement, &bol, body).await;
        r.assert_problem(422, "validation");
        assert_eq!(r.error_fields(), [field], "{}", r.body);
    }
    app.get("/api/v1/practices?q=trade%00", &bol).await.assert_problem(422, "validation");

    let create = r#"mutation($plan: ID!) { createObjective(planId: $plan, input: {code: "SO3", title: [{lang: "es", text: "Tres\u0000"}]}) { id } }"#;
    let reply = app.gql(Some(&bol), create, json!({"plan": plan})).await;
    assert_eq!(code(&reply), "VALIDATION", "{}", reply.body);
    assert_eq!((app.count("objectives").await, app.count("measurements").await, app.count("audit_log").await, app.count("changes").await), before);
}

fn code(reply: &crate::helpers::Reply) -> String {
    reply.body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned()
}

/// Storage that cannot answer now is a 503 with `Retry-After`, in REST and GraphQL, and the
/// server recovers by itself: here every connection is taken by a long import.
#[tokio::test]
async fn requests_get_503_with_retry_after_while_storage_cannot_answer_then_recover() {
    let app = TestApp::spawn_with(|s| {
        // One connection for requests (on PostgreSQL the change listener holds one more for LISTEN).
        s.db_max_connections = if s.database_url.starts_with("postgres") { 2 } else { 1 };
        s.db_acquire_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let per = app.planner("PER");
    let plan = id(&app.create_plan(&per, json!({})).await);
    let objective = id(&app.create_objective(&per, &plan, json!({"code": "SO1", "title": {"es": "Uno"}})).await);
    let indicators: Vec<serde_json::Value> = (0..20_000)
        .map(|i| {
            json!({"external_ref": format!("IND-{i}"), "objective_id": objective, "name": {"es": format!("Indicador {i}")}, "measure": "unit",
                "direction": "increase", "baseline_value": "0", "baseline_period": "2024", "frequency": "annual"})
        })
        .collect();
    let import = app.post("/api/v1/import", &per, json!({"indicators": indicators}));
    tokio::pin!(import);
    // While the import holds the only connection, reads cannot get one: probe both faces until
    // it is done.
    let (mut rest, mut graphql, mut probes) = (None, None, 0_u32);
    let imported = loop {
        probes += 1;
        let read = async {
            if probes % 2 == 0 {
                (app.get(&format!("/api/v1/plans/{plan}"), &per).await, true)
            } else {
                (app.gql(Some(&per), "{ plans(first: 1) { edges { node { id } } } }", json!({})).await, false)
            }
        };
        tokio::select! {
            imported = &mut import => break imported,
            (reply, is_rest) = read => match (is_rest, reply.status.as_u16()) {
                (true, 503) => { rest.get_or_insert(reply); }
                (true, status) => assert_eq!(status, 200, "{}", reply.body),
                (false, _) if code(&reply) == "UNAVAILABLE" => { graphql.get_or_insert(reply); }
                (false, _) => assert!(reply.body.get("errors").is_none(), "{}", reply.body),
            },
        }
    };
    imported.assert(200);
    let refused = rest.expect("a REST read was refused while the import held the connection");
    refused.assert_problem(503, "unavailable");
    assert_eq!(refused.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("2"));
    let refused = graphql.expect("a GraphQL read was refused while the import held the connection");
    assert_eq!(refused.body["errors"][0]["extensions"]["retryAfter"], 2);
    // Once the connection is free again, the same read succeeds without restarting anything.
    app.get(&format!("/api/v1/plans/{plan}"), &per).await.assert(200);
    let gql = app.gql(Some(&per), "{ plans(first: 1) { edges { node { id } } } }", json!({})).await;
    assert!(gql.body.get("errors").is_none(), "{}", gql.body);
}

/// Ends every server connection to the test's database, as a PostgreSQL restart does to the
/// connections Meridian holds in its pool (PostgreSQL answers their next use with 57P01).
async fn kill_connections(app: &TestApp) -> u64 {
    use sea_orm::ConnectionTrait;
    let db = app.db().await;
    let killed = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ))
        .await
        .unwrap()
        .len() as u64;
    db.close().await.ok();
    killed
}

#[tokio::test]
async fn connections_killed_by_a_database_restart_cost_reads_nothing_and_writes_one_retry() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    // Several pooled connections, as a busy server holds.
    let path = format!("/api/v1/plans/{plan}");
    let reads = (0..4).map(|_| app.get(&path, &bol));
    for r in futures_util::future::join_all(reads).await {
        r.assert(200);
    }
    if !app.database_url.starts_with("postgres") {
        return; // SQLite is a file in the process: there is no server to restart.
    }
    assert!(kill_connections(&app).await >= 1, "Meridian held connections");
    // An idempotent read is retried on a fresh connection: the caller sees nothing.
    for _ in 0..3 {
        app.get(&format!("/api/v1/plans/{plan}"), &bol).await.assert(200);
    }
    let gql = app.gql(Some(&bol), "{ plans(first: 5) { edges { node { id } } } }", json!({})).await;
    assert!(gql.body["errors"].is_null(), "{}", gql.body);

    // A write on a killed connection is not replayed behind the caller's back: it is 503 with
    // Retry-After at worst, changes nothing, and its retry goes through without restarting Meridian.
    kill_connections(&app).await;
    let mut created = None;
    for attempt in 0..3 {
        let r = app.post("/api/v1/plans", &bol, json!({"title": {"es": "Otro"}, "start_year": 2022, "end_year": 2026})).await;
        match r.status.as_u16() {
            201 => {
                created = Some(attempt);
                break;
            }
            503 => assert!(r.headers.get("retry-after").is_some(), "{}", r.body),
            other => panic!("attempt {attempt}: {other} {}", r.body),
        }
    }
    assert!(created.is_some(), "the write went through after the restart");
    assert_eq!(app.count("plans").await, 2, "exactly one new plan");
}
