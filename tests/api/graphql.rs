//! The GraphQL face: the same rules as REST, a bounded number of statements per query, and
//! the limits that keep it safe.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

/// What a donor portal asks in one round trip.
const PORTAL: &str = r#"
query Portal($first: Int) {
  plans(first: $first) {
    pageInfo { hasNextPage }
    edges { node {
      id title(lang: "en") status administration { code name }
      progress { progress status indicatorsWithoutData }
      objectives { code title progress { progress status }
        indicators { name direction
          latestApprovedMeasurement { period value }
          measurements { period value status }
          progress { progress expectedProgress status series { period expected actual } }
        }
      }
    } }
  }
}"#;

fn code(reply: &crate::helpers::Reply) -> String {
    reply.body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned()
}

/// A plan of `administration` with two objectives of two indicators, each with an approved and
/// a draft measurement; made active so that donors may see it.
async fn portal_plan(app: &TestApp, administration: &str) -> String {
    let planner = app.planner(administration);
    let plan = id(&app.create_plan(&planner, json!({"title": {"es": "Plan", "en": "Plan EN"}})).await);
    for o in 0..2 {
        let objective = id(&app.create_objective(&planner, &plan, json!({"code": format!("SO{o}"), "title": {"es": format!("Objetivo {o}")}})).await);
        for i in 0..2 {
            let indicator = id(&app.create_indicator(&planner, &objective, json!({"name": {"en": format!("Indicator {o}.{i}")}})).await);
            app.put(&format!("/api/v1/indicators/{indicator}/targets/2026"), &planner, json!({"value": "20"})).await.assert(201);
            app.approved_measurement(&planner, &indicator, "2023", "12").await;
            app.put(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &planner, json!({"value": "99"})).await.assert(201);
        }
    }
    app.advance_plan(&plan, "active").await;
    plan
}

async fn statements_of(app: &TestApp, token: &str, query: &str, variables: Value) -> (u64, Value) {
    let before = app.statements.get();
    let reply = app.gql(Some(token), query, variables).await;
    let after = app.statements.get();
    let body = reply.assert(200).clone();
    assert!(body.get("errors").is_none(), "{body}");
    (after - before, body)
}

#[tokio::test]
async fn a_nested_query_costs_the_same_statements_for_ten_times_the_data() {
    let app = TestApp::spawn().await;
    let donor = app.donor();
    // The first request of a donor looks its donor up once per process; that is not what grows.
    app.get("/api/v1/donors", &donor).await.assert(200);
    portal_plan(&app, "BOL").await;
    let (small, body) = statements_of(&app, &donor, PORTAL, json!({"first": 50})).await;
    assert_eq!(body["data"]["plans"]["edges"].as_array().unwrap().len(), 1);
    for _ in 0..9 {
        portal_plan(&app, "PER").await;
    }
    let (large, body) = statements_of(&app, &donor, PORTAL, json!({"first": 50})).await;
    let plans = body["data"]["plans"]["edges"].as_array().unwrap();
    assert_eq!(plans.len(), 10);
    let indicators: usize =
        plans.iter().map(|p| p["node"]["objectives"].as_array().unwrap().iter().map(|o| o["indicators"].as_array().unwrap().len()).sum::<usize>()).sum();
    assert_eq!(indicators, 40);
    eprintln!("statements for the portal query: {small} (1 plan), {large} (10 plans)");
    assert_eq!(small, large, "statements grew with the data: {small} for 1 plan, {large} for 10");
    assert!(small <= 20, "{small} statements for one query");
}

/// README's donor portal query: plans with progress down to each indicator's latest approved value.
const README_PORTAL: &str = r#"
query Portal {
  plans(first: 20) {
    edges { node {
      title(lang: "en") status administration { code name(lang: "en") }
      progress { progress expectedProgress status indicatorsWithoutData }
      objectives { code title(lang: "en")
        indicators { name(lang: "en") latestApprovedMeasurement { period value } progress { progress status } }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

/// The tables a statement reads (what follows `FROM` and `JOIN`, without common table names).
fn tables_read(sql: &str) -> std::collections::BTreeSet<String> {
    let words: Vec<&str> = sql.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    words
        .windows(2)
        .filter(|w| w[0].eq_ignore_ascii_case("from") || w[0].eq_ignore_ascii_case("join"))
        .map(|w| w[1].trim_matches(|c| c == '"' || c == '`').to_owned())
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase() || c == '_') && t != "wanted")
        .collect()
}

/// Runs README's portal query as `token`; the body and how many statements read each table.
async fn portal_reads(app: &TestApp, token: &str) -> (Value, std::collections::BTreeMap<String, usize>) {
    app.statements.record();
    let reply = app.gql(Some(token), README_PORTAL, json!({})).await;
    let statements = app.statements.take();
    let body = reply.assert(200).clone();
    assert!(body.get("errors").is_none(), "{body}");
    let mut seen = std::collections::BTreeMap::new();
    for sql in &statements {
        for table in tables_read(sql) {
            *seen.entry(table).or_default() += 1;
        }
    }
    eprintln!("the portal query ran {} statements: {seen:?}", statements.len());
    (body, seen)
}

fn latest_values(body: &Value) -> Vec<Value> {
    let edges = body["data"]["plans"]["edges"].as_array().unwrap();
    edges
        .iter()
        .flat_map(|e| e["node"]["objectives"].as_array().unwrap().iter())
        .flat_map(|o| o["indicators"].as_array().unwrap().iter())
        .map(|i| i["latestApprovedMeasurement"].clone())
        .collect()
}

#[tokio::test]
async fn the_portal_query_reads_each_table_once_and_the_latest_value_only() {
    let app = TestApp::spawn().await;
    let donor = app.donor();
    for administration in ["BOL", "PER", "PER"] {
        portal_plan(&app, administration).await;
    }
    let (body, seen) = portal_reads(&app, &donor).await;
    assert_eq!(body["data"]["plans"]["edges"].as_array().unwrap().len(), 3);
    for edge in body["data"]["plans"]["edges"].as_array().unwrap() {
        for objective in edge["node"]["objectives"].as_array().unwrap() {
            for indicator in objective["indicators"].as_array().unwrap() {
                // The draft 2024 value is newer, but only the approved 2023 one counts.
                assert_eq!(indicator["latestApprovedMeasurement"], json!({"period": "2023", "value": "12"}));
                assert!(indicator["progress"]["progress"].is_string(), "{indicator}");
            }
        }
    }
    assert!(seen.values().all(|n| *n == 1), "a table was read twice: {seen:?}");
    for table in ["plans", "objectives", "indicators", "targets", "measurements", "changes"] {
        assert_eq!(seen.get(table), Some(&1), "{table} is read once: {seen:?}");
    }
    assert!(!seen.contains_key("administrations"), "administrations come from the process's copy: {seen:?}");

    // Nothing changed since: the results computed are reused, checked against the change feed.
    let (again, seen) = portal_reads(&app, &donor).await;
    assert_eq!(again["data"], body["data"]);
    assert_eq!(seen.keys().map(String::as_str).collect::<Vec<_>>(), ["changes", "plans"], "{seen:?}");

    // A value approved in Bolivia is in the very next answer; Peru's plans are still reused.
    let bol = app.planner("BOL");
    let plans = app.get("/api/v1/plans?administration=BOL", &bol).await;
    let plan = id(&plans.assert(200)["items"][0]);
    let objective = id(&app.get(&format!("/api/v1/plans/{plan}/objectives"), &bol).await.assert(200)["items"][0]);
    let indicator = id(&app.get(&format!("/api/v1/objectives/{objective}/indicators"), &bol).await.assert(200)["items"][0]);
    let measurement = format!("/api/v1/indicators/{indicator}/measurements/2024");
    app.put(&measurement, &bol, json!({"value": "15"})).await.assert(200);
    app.post(&format!("{measurement}/transitions"), &bol, json!({"to": "submitted"})).await.assert(200);
    app.post(&format!("{measurement}/transitions"), &app.admin(), json!({"to": "approved"})).await.assert(200);
    let (after, seen) = portal_reads(&app, &donor).await;
    let values = latest_values(&after);
    assert_eq!(values.iter().filter(|v| **v == json!({"period": "2024", "value": "15"})).count(), 1, "{values:?}");
    assert_eq!(values.iter().filter(|v| **v == json!({"period": "2023", "value": "12"})).count(), 11, "{values:?}");
    assert_eq!(seen.get("indicators"), Some(&1), "Bolivia's plan is computed again: {seen:?}");

    // Insiders and outsiders see different things: an indicator kept to Bolivia stays out of
    // the donor's answer, whoever asked first.
    app.create_indicator(&bol, &objective, json!({"name": {"en": "Internal"}, "disclosure": "restricted"})).await;
    let named_internal = |body: &Value| body.to_string().matches("\"Internal\"").count();
    let (inside, _) = portal_reads(&app, &bol).await;
    let (outside, _) = portal_reads(&app, &donor).await;
    assert_eq!((named_internal(&inside), named_internal(&outside)), (1, 0));
}

#[tokio::test]
async fn with_the_results_cache_off_every_answer_is_computed_from_the_database() {
    let app = TestApp::spawn_with(|s| s.results_cache = meridian::settings::Switch::Off).await;
    let donor = app.donor();
    portal_plan(&app, "BOL").await;
    let (first, _) = portal_reads(&app, &donor).await;
    let (again, seen) = portal_reads(&app, &donor).await;
    assert_eq!(again["data"], first["data"]);
    for table in ["objectives", "indicators", "targets", "measurements"] {
        assert_eq!(seen.get(table), Some(&1), "{table} is read again: {seen:?}");
    }
    assert!(!seen.contains_key("changes"), "nothing to check a cache against: {seen:?}");
}

#[tokio::test]
async fn a_donor_walking_plans_sees_only_approved_values_of_disclosed_plans() {
    let app = TestApp::spawn().await;
    portal_plan(&app, "BOL").await;
    // A draft plan of Peru with data stays invisible.
    let per = app.planner("PER");
    let draft = id(&app.create_plan(&per, json!({})).await);
    app.create_objective(&per, &draft, json!({"code": "X", "title": {"es": "Oculto"}})).await;

    let (_, body) = statements_of(&app, &app.donor(), PORTAL, json!({"first": 10})).await;
    let plans = body["data"]["plans"]["edges"].as_array().unwrap();
    assert_eq!(plans.len(), 1);
    let plan = &plans[0]["node"];
    assert_eq!(plan["title"], "Plan EN");
    assert_eq!(plan["status"], "ACTIVE");
    for objective in plan["objectives"].as_array().unwrap() {
        for indicator in objective["indicators"].as_array().unwrap() {
            let measurements = indicator["measurements"].as_array().unwrap();
            assert_eq!(measurements, &vec![json!({"period": "2023", "value": "12", "status": "APPROVED"})]);
            assert_eq!(indicator["latestApprovedMeasurement"], json!({"period": "2023", "value": "12"}));
            assert_eq!(indicator["progress"]["status"], "AT_RISK", "{indicator}");
        }
    }
    // The planner of the plan sees the value under review too.
    let (_, inside) = statements_of(&app, &app.planner("BOL"), PORTAL, json!({"first": 10})).await;
    let m = &inside["data"]["plans"]["edges"][0]["node"]["objectives"][0]["indicators"][0]["measurements"];
    assert_eq!(m.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_private_object_reads_as_null_and_not_found_exactly_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let plan = id(&app.create_plan(&app.planner("BOL"), json!({})).await);
    let q = "query($id: ID!) { plan(id: $id) { title } }";
    let private = app.gql(Some(&app.planner("PER")), q, json!({"id": plan})).await;
    let missing = app.gql(Some(&app.planner("PER")), q, json!({"id": uuid::Uuid::now_v7()})).await;
    for r in [&private, &missing] {
        assert_eq!(r.body["data"]["plan"], Value::Null);
        assert_eq!(code(r), "NOT_FOUND");
    }
    assert_eq!(private.body["errors"][0]["message"], missing.body["errors"][0]["message"]);
    let own = app.gql(Some(&app.planner("BOL")), q, json!({"id": plan})).await;
    assert_eq!(own.body["data"]["plan"]["title"], "Plan Estratégico");

    // The global id works the same way, through `node`.
    let global = app.gql(Some(&app.planner("BOL")), "query($id: ID!) { plan(id: $id) { id } }", json!({"id": plan})).await;
    let gid = global.body["data"]["plan"]["id"].as_str().unwrap().to_owned();
    let node = app.gql(Some(&app.planner("BOL")), "query($id: ID!) { node(id: $id) { ... on Plan { uuid } } }", json!({"id": gid})).await;
    assert_eq!(node.body["data"]["node"]["uuid"], plan);
    let hidden = app.gql(Some(&app.planner("PER")), "query($id: ID!) { node(id: $id) { id } }", json!({"id": gid})).await;
    assert_eq!(code(&hidden), "NOT_FOUND");
}

#[tokio::test]
async fn mutations_follow_the_same_rules_with_error_codes() {
    let app = TestApp::spawn().await;
    let create = r#"mutation($input: CreatePlanInput!) { createPlan(input: $input) { id uuid version status } }"#;
    let input = json!({"title": [{"lang": "es", "text": "Plan"}], "startYear": 2022, "endYear": 2026});
    assert_eq!(code(&app.gql(None, create, json!({"input": input})).await), "UNAUTHENTICATED");
    assert_eq!(code(&app.gql(Some(&app.viewer("BOL")), create, json!({"input": input})).await), "FORBIDDEN");
    let bad = app.gql(Some(&app.planner("BOL")), create, json!({"input": {"title": [{"lang": "es", "text": " "}], "startYear": 2026, "endYear": 2022}})).await;
    assert_eq!(code(&bad), "VALIDATION");
    let fields: Vec<&str> = bad.body["errors"][0]["extensions"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title.es", "end_year"]);
    assert_eq!(app.count("plans").await, 0);

    let made = app.gql(Some(&app.planner("BOL")), create, json!({"input": input})).await;
    let plan = made.body["data"]["createPlan"].clone();
    assert_eq!(plan["status"], "DRAFT");
    let update = r#"mutation($id: ID!, $v: Int) { updatePlan(id: $id, version: $v, input: {nationalPlanRef: "PDES"}) { version nationalPlanRef } }"#;
    let ok = app.gql(Some(&app.planner("BOL")), update, json!({"id": plan["id"], "v": 1})).await;
    assert_eq!(ok.body["data"]["updatePlan"]["version"], 2);
    let stale = app.gql(Some(&app.planner("BOL")), update, json!({"id": plan["id"], "v": 1})).await;
    assert_eq!(code(&stale), "CONFLICT");
    assert_eq!(stale.body["errors"][0]["extensions"]["reason"], "stale_version");
    let transition = r#"mutation($id: ID!) { transitionPlan(id: $id, to: ACTIVE) { status } }"#;
    let refused = app.gql(Some(&app.planner("BOL")), transition, json!({"id": plan["id"]})).await;
    assert_eq!(code(&refused), "CONFLICT");

    // The same upsert by external reference as REST: twice, one objective.
    let upsert = r#"mutation($plan: ID!) { upsertObjectiveByRef(externalRef: "SIPLAN-9", planId: $plan, input: {code: "SO9", title: [{lang: "es", text: "Nueve"}]}) { outcome objective { externalRef version } } }"#;
    let first = app.gql(Some(&app.planner("BOL")), upsert, json!({"plan": plan["id"]})).await;
    assert_eq!(first.body["data"]["upsertObjectiveByRef"]["outcome"], "CREATED");
    let second = app.gql(Some(&app.planner("BOL")), upsert, json!({"plan": plan["id"]})).await;
    assert_eq!(second.body["data"]["upsertObjectiveByRef"]["outcome"], "UNCHANGED");
    assert_eq!(app.count("objectives").await, 1);
}

#[tokio::test]
async fn limits_are_enforced() {
    let app = TestApp::spawn_with(|s| {
        s.graphql_max_depth = 4;
        s.graphql_max_batch = 2;
        s.graphql_max_page_size = 20;
    })
    .await;
    let token = app.planner("BOL");
    let deep = app.gql(Some(&token), "{ plans { edges { node { objectives { indicators { name } } } } } }", json!({})).await;
    assert!(deep.body["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{}", deep.body);
    assert_eq!(code(&deep), "GRAPHQL_VALIDATION_FAILED");
    let wide = app.gql(Some(&token), "{ plans(first: 21) { edges { cursor } } }", json!({})).await;
    assert_eq!(code(&wide), "VALIDATION");

    let batch = json!([{"query": "{ me { subject } }"}, {"query": "{ me { role } }"}, {"query": "{ me { subject } }"}]);
    let r = app.request(reqwest::Method::POST, "/graphql", Some(&token), Some(batch), &[]).await;
    assert_eq!(r.status, 400);
    let two = json!([{"query": "{ me { subject } }"}, {"query": "{ me { role } }"}]);
    let r = app.request(reqwest::Method::POST, "/graphql", Some(&token), Some(two), &[]).await;
    assert_eq!(r.assert(200)[1]["data"]["me"]["role"], "planner");

    // Only JSON over POST: a form post (a cross-site request) is refused before anything runs.
    let form = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=mutation%7BdeletePlan(id%3A%22x%22)%7D")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);

    let big = format!("{{\"query\": \"{{ me {{ subject }} }}\", \"variables\": {{\"pad\": \"{}\"}}}}", "x".repeat(2 * 1024 * 1024));
    let r = app.client.post(format!("{}/graphql", app.base)).bearer_auth(&token).header("content-type", "application/json").body(big).send().await.unwrap();
    assert_eq!(r.status(), 413);

    let forged = app.gql(Some("not-a-token"), "{ me { subject } }", json!({})).await;
    assert_eq!(forged.status, 401);
    assert_eq!(code(&forged), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_list_costs_its_page_size_times_its_fields_so_aliased_heavy_lists_are_refused_before_running() {
    let app = TestApp::spawn().await;
    let donor = app.donor();
    // The README's portal query, a page of 100 plans, fits the default budget.
    let portal = README_PORTAL.replace("first: 20", "first: 100");
    let fine = app.gql(Some(&donor), &portal, json!({})).await;
    assert!(fine.assert(200)["errors"].is_null(), "{}", fine.body);
    // The same heavy list under many aliases costs as many times more and never runs.
    let heavy = "plans(first: 100) { edges { node { objectives { indicators { measurements { period value status } \
        progress { series { period expected actual } } } } } } }";
    let aliased = format!("{{ {} }}", (0..10).map(|i| format!("a{i}: {heavy}")).collect::<Vec<_>>().join(" "));
    let before = app.statements.get();
    let refused = app.gql(Some(&donor), &aliased, json!({})).await;
    assert_eq!(code(&refused), "QUERY_TOO_COMPLEX", "{}", refused.body);
    assert!(refused.body["data"].is_null());
    assert_eq!(app.statements.get(), before, "refused before anything was read");
    // A small page of the same list is within the budget: the page size is what counts.
    let small = app.gql(Some(&donor), &format!("{{ {} }}", heavy.replace("first: 100", "first: 5")), json!({})).await;
    assert!(small.body["errors"].is_null(), "{}", small.body);
}

#[tokio::test]
async fn complexity_recursion_and_directive_limits_are_enforced() {
    let app = TestApp::spawn_with(|s| {
        s.graphql_max_complexity = 3;
        s.graphql_max_directives = 1;
    })
    .await;
    let token = app.planner("BOL");
    let simple = app.gql(Some(&token), "{ me { subject role } }", json!({})).await;
    assert_eq!(simple.body["data"]["me"]["role"], "planner");
    let complex = app.gql(Some(&token), "{ me { subject role administration donor } }", json!({})).await;
    assert!(complex.body["errors"][0]["message"].as_str().unwrap().contains("too much at once"), "{}", complex.body);
    assert_eq!(code(&complex), "QUERY_TOO_COMPLEX");
    let directives = app.gql(Some(&token), "{ me { subject @include(if: true) @skip(if: false) } }", json!({})).await;
    assert_eq!(code(&directives), "GRAPHQL_VALIDATION_FAILED", "{}", directives.body);

    // Recursion counts fragments too, which field depth does not: it stops documents that nest
    // fragments to exhaust the server.
    let shallow = TestApp::spawn_with(|s| s.graphql_max_recursion = 3).await;
    let planner = shallow.planner("BOL");
    let fine = shallow.gql(Some(&planner), "{ me { ... on Me { subject } } }", json!({})).await;
    assert_eq!(fine.body["data"]["me"]["subject"], "planner-BOL");
    let nested = shallow.gql(Some(&planner), "{ me { ... on Me { ... on Me { ... on Me { subject } } } } }", json!({})).await;
    assert!(nested.body["errors"][0]["message"].as_str().unwrap_or_default().contains("recursion depth"), "{}", nested.body);

    // A GET never executes anything: it serves the explorer, whatever the query string says.
    let get = app.client.get(format!("{}/graphql?query=mutation%7BdeletePlan(id%3A%22x%22)%7D", app.base)).send().await.unwrap();
    assert!(get.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn introspection_suggestions_and_the_explorer_can_be_switched_off() {
    let on = TestApp::spawn().await;
    // Tools (GraphiQL, Apollo, code generators) introspect with this query: the default limits
    // must let it through, or the explorer shows no schema.
    let full = on.gql(None, include_str!("queries/introspection.graphql"), json!({})).await;
    assert!(full.body.get("errors").is_none(), "{}", full.body);
    assert!(full.body["data"]["__schema"]["types"].as_array().unwrap().len() > 40);
    let schema = on.gql(None, "{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(schema.body["data"]["__schema"]["queryType"]["name"], "Query");
    let typo = on.gql(Some(&on.admin()), "{ plans { edges { node { titl } } } }", json!({})).await;
    assert!(typo.body["errors"].to_string().contains("Did you mean"), "{}", typo.body);
    let page = on.client.get(format!("{}/graphql", on.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    // Every script and style comes from this server: the explorer works offline.
    for src in html.split("src=\"").skip(1).chain(html.split("href=\"").skip(1)) {
        let url = src.split('"').next().unwrap();
        assert!(url.starts_with("/graphql/assets/"), "external asset {url}");
        let asset = on.client.get(format!("{}{url}", on.base)).send().await.unwrap();
        assert_eq!(asset.status(), 200, "{url}");
        assert!(asset.bytes().await.unwrap().len() > 1000);
    }

    // Production turns each aid off; each can be turned back on alone.
    let production = |s: &mut meridian::Settings| s.environment = meridian::settings::Environment::Production;
    let off = TestApp::spawn_with(production).await;
    let schema = off.gql(None, "{ __schema { queryType { name } } __type(name: \"Plan\") { name } }", json!({})).await;
    assert_eq!(schema.body["data"], json!({"__schema": null, "__type": null}), "the schema leaked: {}", schema.body);
    let typo = off.gql(Some(&off.admin()), "{ plans { edges { node { titl } } } }", json!({})).await;
    assert!(typo.body["errors"][0]["message"].as_str().is_some(), "{}", typo.body);
    assert!(!typo.body["errors"].to_string().contains("Did you mean"), "{}", typo.body);
    assert_eq!(off.client.get(format!("{}/graphql", off.base)).send().await.unwrap().status(), 404);
    assert_eq!(off.client.get(format!("{}/docs/", off.base)).send().await.unwrap().status(), 404, "no Swagger UI");
    let document = off.client.get(format!("{}/api/v1/openapi.json", off.base)).send().await.unwrap();
    assert_eq!(document.status(), 200, "the contract stays served");
    assert_eq!(document.json::<Value>().await.unwrap()["openapi"], "3.1.0");

    let introspection_only = TestApp::spawn_with(|s| {
        production(s);
        s.graphql_introspection = Some(true);
    })
    .await;
    let schema = introspection_only.gql(None, "{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(schema.body["data"]["__schema"]["queryType"]["name"], "Query");
    let typo = introspection_only.gql(Some(&introspection_only.admin()), "{ plans { edges { node { titl } } } }", json!({})).await;
    assert!(!typo.body["errors"].to_string().contains("Did you mean"), "{}", typo.body);
    assert_eq!(introspection_only.client.get(format!("{}/graphql", introspection_only.base)).send().await.unwrap().status(), 404);
    let swagger_only = TestApp::spawn_with(|s| {
        production(s);
        s.swagger_ui = Some(true);
    })
    .await;
    assert_eq!(swagger_only.client.get(format!("{}/docs/", swagger_only.base)).send().await.unwrap().status(), 200);
    assert_eq!(swagger_only.client.get(format!("{}/graphql", swagger_only.base)).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn the_permission_table_holds_through_graphql() {
    let app = TestApp::spawn().await;
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Uno"}})).await);
    let shared = id(&app.create_indicator(&bol, &objective, json!({"name": {"en": "Shared"}})).await);
    app.create_indicator(&bol, &objective, json!({"name": {"en": "Internal"}, "disclosure": "restricted"})).await;
    app.advance_plan(&plan, "active").await;

    let rename = r#"mutation($id: ID!) { updatePlan(id: $id, input: {nationalPlanRef: "X"}) { version } }"#;
    let record = r#"mutation($id: ID!) { recordMeasurement(indicatorId: $id, period: "2024", input: {value: "1"}) { status } }"#;
    let integration = app.token("siplan", domain::principal::Role::Integration, Some("BOL"), None, &["measurements:write"]);
    for (who, token) in [
        ("PER planner", app.planner("PER")),
        ("BOL viewer", app.viewer("BOL")),
        ("donor", app.donor()),
        ("integration without plans:write", integration.clone()),
    ] {
        let r = app.gql(Some(&token), rename, json!({"id": plan})).await;
        assert_eq!(code(&r), "FORBIDDEN", "{who}: {}", r.body);
    }
    for (who, token) in [("PER planner", app.planner("PER")), ("donor", app.donor())] {
        let r = app.gql(Some(&token), record, json!({"id": shared})).await;
        assert_eq!(code(&r), "FORBIDDEN", "{who}: {}", r.body);
    }
    let r = app.gql(Some(&integration), record, json!({"id": shared})).await;
    assert_eq!(r.body["data"]["recordMeasurement"]["status"], "DRAFT", "{}", r.body);
    assert_eq!(app.gql(Some(&bol), rename, json!({"id": plan})).await.body["data"]["updatePlan"]["version"], 5);

    // Outsiders walking the plan see the shared indicator only; insiders see both.
    let walk = r#"query($id: ID!) { plan(id: $id) { objectives { indicators { name } } } }"#;
    let names = |body: &Value| -> Vec<String> {
        body["data"]["plan"]["objectives"][0]["indicators"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&app.gql(Some(&app.donor()), walk, json!({"id": plan})).await.body), ["Shared"]);
    assert_eq!(names(&app.gql(Some(&app.planner("PER")), walk, json!({"id": plan})).await.body), ["Shared"]);
    assert_eq!(names(&app.gql(Some(&app.viewer("BOL")), walk, json!({"id": plan})).await.body), ["Shared", "Internal"]);

    // Only admins register administrations.
    let create = r#"mutation { createAdministration(input: {code: "COL", name: [{lang: "es", text: "DIAN"}], defaultLanguage: "es"}) { code } }"#;
    assert_eq!(code(&app.gql(Some(&bol), create, json!({})).await), "FORBIDDEN");
    assert_eq!(app.gql(Some(&app.admin()), create, json!({})).await.body["data"]["createAdministration"]["code"], "COL");
}
