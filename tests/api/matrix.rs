//! The tenant and role matrix, generated from the contracts: every operation of the committed
//! OpenAPI document and every root query field of `schema.graphql`, for every kind of caller.
//! A route or field added later is in the matrix without anyone writing a test for it; a path
//! this file cannot fill in fails the test until a fixture is added for it.
//!
//! What must hold, for one administration's private world (a draft plan and everything in it):
//! - nobody ever gets a server error;
//! - without a token, only operations the contract marks as public (optional security) answer
//!   anything but 401;
//! - for callers outside the administration (another administration's planner and machine
//!   client, the public), the private object answers exactly as a missing one: same status,
//!   same problem code;
//! - the administration's own people and admins read their objects.

use std::collections::HashMap;

use domain::principal::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id};

/// The matrix sends hundreds of refused requests from one address: the abuse budgets (tested on
/// their own) would stop it half way.
fn without_budgets(s: &mut meridian::Settings) {
    let off = api::limits::Limit(None);
    (s.rate_limit_caller, s.rate_limit_address, s.rate_limit_failed_auth, s.rate_limit_token) = (off, off, off, off);
}

/// BOL's private objects by the path prefix that addresses them.
async fn private_world(app: &TestApp) -> HashMap<&'static str, String> {
    let bol = app.planner("BOL");
    let plan = id(&app.create_plan(&bol, json!({"disclosure": "public"})).await);
    let objective = id(&app.create_objective(&bol, &plan, json!({"code": "SO1", "title": {"es": "Facilitar"}})).await);
    let indicator = id(&app.create_indicator(&bol, &objective, json!({"disclosure": "public"})).await);
    app.put(&format!("/api/v1/indicators/{indicator}/targets/2026"), &bol, json!({"value": "20"})).await.assert(201);
    app.put(&format!("/api/v1/indicators/{indicator}/measurements/2024"), &bol, json!({"value": "14"})).await.assert(201);
    let project = id(app
        .post(
            "/api/v1/projects",
            &bol,
            json!({"code": "VU", "title": {"es": "Ventanilla"}, "planned_start": "2024-01-01", "planned_end": "2026-12-31", "objective_ids": [objective]}),
        )
        .await
        .assert(201));
    let milestone =
        id(app.post(&format!("/api/v1/projects/{project}/milestones"), &bol, json!({"title": {"es": "Piloto"}, "due_on": "2025-06-30"})).await.assert(201));
    let funding = id(app
        .post(&format!("/api/v1/projects/{project}/fundings"), &bol, json!({"donor": "SECO", "committed": {"amount": "1000", "currency": "CHF"}}))
        .await
        .assert(201));
    let risk = id(app
        .post(&format!("/api/v1/objectives/{objective}/risks"), &bol, json!({"title": {"es": "Crisis"}, "likelihood": 1, "impact": 5}))
        .await
        .assert(201));
    let portfolio = id(app.post("/api/v1/portfolios", &bol, json!({"code": "FACILITA", "title": {"es": "Facilitación"}})).await.assert(201));
    let stakeholder = id(app.post("/api/v1/stakeholders", &bol, json!({"name": {"es": "Cámara"}, "kind": "private_sector"})).await.assert(201));
    let engagement = id(app
        .post(&format!("/api/v1/stakeholders/{stakeholder}/engagements"), &bol, json!({"objective_id": objective, "role": "consulted"}))
        .await
        .assert(201));
    let assessment = id(app.post("/api/v1/assessments", &bol, json!({"assessed_on": "2022-02-08", "maturity": {"integrity": 3}})).await.assert(201));
    let practice = id(app
        .post("/api/v1/practices", &bol, json!({"kind": "challenge", "title": {"en": "Staff turnover"}, "body": {"en": "Draft notes."}}))
        .await
        .assert(201));
    let webhook = id(app.post("/api/v1/webhooks", &bol, json!({"url": "https://sync.aduana.gob.bo/meridian"})).await.assert(201));
    let client = app.post("/api/v1/clients", &bol, json!({"name": "SIGMA"})).await.assert(201)["client"]["id"].as_str().unwrap().to_owned();
    let definition = app.get("/api/v1/indicator-definitions?limit=1", &bol).await.assert(200)["items"][0]["id"].as_str().unwrap().to_owned();
    HashMap::from([
        ("plans", plan),
        ("objectives", objective),
        ("indicators", indicator),
        ("projects", project),
        ("milestones", milestone),
        ("fundings", funding),
        ("risks", risk),
        ("portfolios", portfolio),
        ("stakeholders", stakeholder),
        ("engagements", engagement),
        ("assessments", assessment),
        ("practices", practice),
        ("webhooks", webhook),
        ("clients", client),
        ("indicator-definitions", definition),
    ])
}

/// The concrete path of an OpenAPI path, with the private object's id (or `missing`).
fn fill(path: &str, world: &HashMap<&'static str, String>, missing: Option<&str>) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let value = match *segment {
            "{id}" => {
                let collection = segments.get(i.wrapping_sub(1))?;
                let real = world.get(collection)?;
                missing.map_or_else(|| real.clone(), str::to_owned)
            }
            "{period}" => if path.contains("/targets/") { "2026" } else { "2024" }.to_owned(),
            "{n}" => "1".to_owned(),
            "{code}" => if path.contains("/donors/") { "SECO" } else { "BOL" }.to_owned(),
            "{external_ref}" => "X-1".to_owned(),
            s if s.starts_with('{') => return None,
            s => s.to_owned(),
        };
        out.push(value);
    }
    Some(out.join("/"))
}

async fn call(app: &TestApp, method: &Method, path: &str, token: Option<&str>) -> Reply {
    let body = (*method != Method::GET && *method != Method::DELETE).then(|| json!({}));
    app.request(method.clone(), path, token, body, &[]).await
}

fn outcome(reply: &Reply) -> (u16, String) {
    (reply.status.as_u16(), reply.body["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn every_operation_of_the_contract_holds_the_tenant_and_role_rules() {
    let app = TestApp::spawn_with(without_budgets).await;
    let world = private_world(&app).await;
    let document: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/api/openapi.json")).unwrap()).unwrap();
    let outsiders = [
        ("another administration's planner", Some(app.planner("PER"))),
        (
            "another administration's machine client",
            Some(app.token("siplan", Role::Integration, Some("PER"), None, &["plans:write", "measurements:write", "webhooks:manage"])),
        ),
        ("the public", None),
    ];
    let insiders =
        [("admin", app.admin()), ("the administration's planner", app.planner("BOL")), ("its viewer", app.viewer("BOL")), ("a funding donor", app.donor())];
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            let real = fill(path, &world, None).unwrap_or_else(|| panic!("{method} {path}: add a fixture for this route to tests/api/matrix.rs"));
            let public = operation["security"].as_array().is_none_or(|s| s.iter().any(|r| r.as_object().is_some_and(serde_json::Map::is_empty)));
            // The catalogue's definitions are shared reference data, not BOL's.
            let by_id = path.contains("{id}") && !path.contains("/indicator-definitions/");
            let missing = fill(path, &world, Some(&uuid::Uuid::now_v7().to_string())).unwrap();

            for (who, token) in &outsiders {
                let on_real = call(&app, &method, &real, token.as_deref()).await;
                assert!(on_real.status.as_u16() < 500, "{method} {path} as {who}: {} {}", on_real.status, on_real.body);
                if token.is_none() && !public {
                    assert_eq!(on_real.status, 401, "{method} {path} needs a token: {}", on_real.body);
                }
                if by_id {
                    let on_missing = call(&app, &method, &missing, token.as_deref()).await;
                    assert_eq!(outcome(&on_real), outcome(&on_missing), "{method} {path} as {who}: BOL's private object is told apart from a missing one");
                }
                checked += 1;
            }
            // The administration's people, admins and the funding donor: never a server error;
            // reads of their own objects answer (writes are left out: they would change the world).
            if method == Method::GET {
                for (who, token) in &insiders {
                    let reply = call(&app, &method, &real, Some(token)).await;
                    assert!(reply.status.as_u16() < 500, "GET {path} as {who}: {} {}", reply.status, reply.body);
                    if *who != "a funding donor" && *who != "its viewer" && by_id && !path.ends_with("{n}") {
                        assert!(reply.status.is_success(), "GET {path} as {who} reads its own object: {} {}", reply.status, reply.body);
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 250, "the matrix covers the contract ({checked} checks)");
}

/// `Kind:uuid` as the API's global ids encode it.
fn global(kind: &str, uuid: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{uuid}"))
}

/// The root `Query` fields of the committed schema: name, and its required arguments with types.
fn root_queries() -> Vec<(String, Vec<(String, String)>)> {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    let block = sdl.split("\ntype Query {").nth(1).unwrap().split("\n}").next().unwrap();
    // Drop descriptions, then read `name(args): Type` declarations.
    let mut text = String::new();
    let mut in_description = false;
    for line in block.lines() {
        if line.trim() == "\"\"\"" {
            in_description = !in_description;
        } else if !in_description && !line.trim().starts_with("\"\"\"") {
            text.push_str(line.trim());
            text.push(' ');
        }
    }
    let mut fields = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let cut = rest.find(['(', ':']).unwrap();
        let name = rest[..cut].trim().to_owned();
        let mut required = Vec::new();
        rest = &rest[cut..];
        if rest.starts_with('(') {
            let close = rest.find(')').unwrap();
            for arg in rest[1..close].split(',') {
                if let Some((n, t)) = arg.split_once(':')
                    && t.trim().ends_with('!')
                {
                    required.push((n.trim().to_owned(), t.trim().trim_end_matches('!').to_owned()));
                }
            }
            rest = rest[close + 1..].trim_start();
        }
        // `: Type`, the type one token without spaces.
        rest = rest.trim_start_matches(':').trim_start();
        let end = rest.find(' ').unwrap_or(rest.len());
        rest = rest[end..].trim_start();
        fields.push((name, required));
    }
    fields
}

#[tokio::test]
async fn every_root_query_field_holds_the_tenant_rules_and_the_public_surface() {
    let app = TestApp::spawn_with(without_budgets).await;
    let world = private_world(&app).await;
    let fields = root_queries();
    assert!(fields.len() > 20, "{fields:?}");
    // The private object a root field with an `id` reads.
    let target = |field: &str| -> Option<String> {
        let (collection, kind) = match field {
            "node" => return Some(global("Plan", &world["plans"])),
            "plan" => ("plans", "Plan"),
            "objective" => ("objectives", "Objective"),
            "indicator" => ("indicators", "Indicator"),
            "assessment" => ("assessments", "CapabilityAssessment"),
            "practice" => ("practices", "Practice"),
            "project" => ("projects", "Project"),
            "portfolio" => ("portfolios", "Portfolio"),
            "stakeholder" => ("stakeholders", "Stakeholder"),
            "machineClient" => ("clients", "MachineClient"),
            _ => return None,
        };
        Some(global(kind, &world[collection]))
    };
    let outsiders = [("another administration's planner", Some(app.planner("PER"))), ("the public", None)];
    for (field, required) in &fields {
        let args: Vec<String> = required
            .iter()
            .map(|(name, ty)| match ty.as_str() {
                "ID" => format!("{name}: $id"),
                "String" => format!("{name}: \"BOL\""),
                other => panic!("{field}: give tests/api/matrix.rs a value for a required {other}"),
            })
            .collect();
        let args = if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) };
        let declared = if required.iter().any(|(_, t)| t == "ID") { "($id: ID!)" } else { "" };
        let query = format!("query{declared} {{ {field}{args} {{ __typename }} }}");
        let real = target(field);
        let missing = uuid::Uuid::now_v7().to_string();
        for (who, token) in &outsiders {
            let id = real.clone().unwrap_or_else(|| missing.clone());
            let on_real = app.gql(token.as_deref(), &query, json!({"id": id})).await;
            assert!(on_real.status.as_u16() < 500, "{field} as {who}: {}", on_real.body);
            let code = |r: &Reply| r.body["errors"][0]["extensions"]["code"].as_str().unwrap_or("none").to_owned();
            if token.is_none() && !api::graphql::PUBLIC_QUERIES.contains(&field.as_str()) {
                assert_eq!(code(&on_real), "UNAUTHENTICATED", "{field} without a token: {}", on_real.body);
            }
            if real.is_some() {
                let missing_of_kind = {
                    let kind_missing = real.as_deref().map(|r| {
                        use base64::Engine;
                        let decoded = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(r).unwrap()).unwrap();
                        global(decoded.split(':').next().unwrap(), &uuid::Uuid::now_v7().to_string())
                    });
                    app.gql(token.as_deref(), &query, json!({"id": kind_missing})).await
                };
                assert_eq!(
                    (code(&on_real), on_real.body["data"].clone()),
                    (code(&missing_of_kind), missing_of_kind.body["data"].clone()),
                    "{field} as {who}: BOL's private object is told apart from a missing one"
                );
            }
        }
    }
}
