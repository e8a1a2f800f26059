//! A donor walks every route and GraphQL path of the delivery model: it reads the projects it
//! funds with their milestones, risks and its own funding, disclosed plans, published
//! practices and donors; it writes nothing and sees nothing else.

use domain::principal::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn a_donor_reads_what_it_funds_and_nothing_else() {
    let app = TestApp::spawn_demo().await;
    let seco = app.donor();
    let admin = app.admin();

    // What SECO funds (Bolivia's, Guatemala's, Peru's and Ukraine's projects), and one project
    // it does not fund.
    let all = app.get("/api/v1/projects?limit=200", &admin).await.assert(200)["items"].as_array().unwrap().clone();
    let funded: Vec<Value> = app.get("/api/v1/projects", &seco).await.assert(200)["items"].as_array().unwrap().clone();
    assert_eq!(funded.len(), 4);
    let other = all.iter().find(|p| !funded.iter().any(|f| f["id"] == p["id"])).expect("a project SECO does not fund");

    for project in &funded {
        let pid = id(project);
        let detail = app.get(&format!("/api/v1/projects/{pid}"), &seco).await;
        assert!(!detail.assert(200)["milestones"].as_array().unwrap().is_empty());
        assert!(!app.get(&format!("/api/v1/projects/{pid}/risks"), &seco).await.assert(200).as_array().unwrap().is_empty());
        let fundings = app.get(&format!("/api/v1/projects/{pid}/fundings"), &seco).await;
        assert!(fundings.assert(200)["fundings"].as_array().unwrap().iter().all(|f| f["donor"] == "SECO"));
    }
    let oid = id(other);
    for path in [format!("/api/v1/projects/{oid}"), format!("/api/v1/projects/{oid}/risks"), format!("/api/v1/projects/{oid}/fundings")] {
        app.get(&path, &seco).await.assert_problem(404, "not_found");
    }

    // Everything else internal to an administration stays closed.
    assert_eq!(app.get("/api/v1/assessments", &seco).await.assert(200)["items"], json!([]));
    assert_eq!(app.get("/api/v1/stakeholders", &seco).await.assert(200)["items"], json!([]));
    // How an administration groups its projects stays inside it, even for a funded project.
    assert_eq!(app.get("/api/v1/portfolios", &seco).await.assert(200)["items"], json!([]));
    let portfolio = funded[0]["portfolio_id"].as_str().expect("demo projects are in portfolios");
    app.get(&format!("/api/v1/portfolios/{portfolio}"), &seco).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/projects?portfolio={portfolio}"), &seco).await.assert(200);
    app.get("/api/v1/audit", &seco).await.assert_problem(403, "forbidden");
    app.get("/api/v1/donors/WCO/fundings", &seco).await.assert_problem(404, "not_found");
    app.get("/api/v1/donors/SECO/fundings", &seco).await.assert(200);
    let plans = app.get("/api/v1/plans?limit=200", &seco).await.assert(200)["items"].as_array().unwrap().clone();
    assert!(plans.iter().all(|p| p["status"] == "active" || p["status"] == "closed"));
    for plan in &plans {
        app.get(&format!("/api/v1/plans/{}/revisions", id(plan)), &seco).await.assert_problem(403, "forbidden");
    }
    assert!(app.get("/api/v1/practices", &seco).await.assert(200)["items"].as_array().unwrap().iter().all(|p| p["status"] == "published"));
    app.get("/api/v1/donors", &seco).await.assert(200);

    // It writes nothing.
    let pid = id(&funded[0]);
    let objective = funded[0]["objective_ids"][0].as_str().unwrap().to_owned();
    let writes: Vec<(Method, String, Value)> = vec![
        (Method::POST, "/api/v1/plans".into(), json!({"title": {"en": "x"}, "start_year": 2024, "end_year": 2025})),
        (
            Method::POST,
            "/api/v1/projects".into(),
            json!({"code": "X", "title": {"en": "x"}, "planned_start": "2024-01-01", "planned_end": "2025-01-01", "objective_ids": [objective]}),
        ),
        (Method::POST, format!("/api/v1/projects/{pid}/transitions"), json!({"to": "on_hold"})),
        (Method::POST, format!("/api/v1/projects/{pid}/milestones"), json!({"title": {"en": "x"}, "due_on": "2026-01-01"})),
        (Method::POST, format!("/api/v1/projects/{pid}/risks"), json!({"title": {"en": "x"}, "likelihood": 1, "impact": 1})),
        (Method::POST, format!("/api/v1/projects/{pid}/fundings"), json!({"donor": "SECO", "committed": {"amount": "1", "currency": "CHF"}})),
        (Method::POST, "/api/v1/assessments".into(), json!({"assessed_on": "2024-01-01", "maturity": {"integrity": 3}})),
        (Method::POST, "/api/v1/practices".into(), json!({"kind": "challenge", "title": {"en": "x"}, "body": {"en": "y"}})),
        (Method::POST, "/api/v1/stakeholders".into(), json!({"name": {"en": "x"}, "kind": "academia"})),
        (Method::POST, "/api/v1/portfolios".into(), json!({"code": "X", "title": {"en": "x"}})),
        (Method::POST, "/api/v1/donors".into(), json!({"code": "XX", "name": {"en": "x"}})),
    ];
    for (method, path, body) in writes {
        let r = app.request(method, &path, Some(&seco), Some(body), &[]).await;
        assert_eq!(r.status.as_u16(), 403, "{path}: {}", r.body);
    }

    // The same through GraphQL, nested paths included.
    let q = r#"{ projects { edges { node { code milestones { dueOn } risks { score } fundings { donorCode } schedule { milestones } portfolio { code } } } }
                 assessments { edges { node { uuid } } } stakeholders { edges { node { uuid } } } portfolios { edges { node { uuid } } } }"#;
    let gql = app.gql(Some(&seco), q, json!({})).await;
    let edges = gql.body["data"]["projects"]["edges"].as_array().unwrap().clone();
    assert_eq!(edges.len(), 4, "{}", gql.body);
    for e in &edges {
        assert_eq!(e["node"]["portfolio"], Value::Null);
        assert!(e["node"]["fundings"].as_array().unwrap().iter().all(|f| f["donorCode"] == "SECO"));
        assert!(!e["node"]["risks"].as_array().unwrap().is_empty());
    }
    assert_eq!(gql.body["data"]["assessments"]["edges"], json!([]));
    assert_eq!(gql.body["data"]["stakeholders"]["edges"], json!([]));
    assert_eq!(gql.body["data"]["portfolios"]["edges"], json!([]));
    let hidden = app.gql(Some(&seco), "query($id: ID!) { project(id: $id) { code } }", json!({"id": oid})).await;
    assert_eq!(hidden.body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let write = app.gql(Some(&seco), r#"mutation($p: ID!) { transitionProject(id: $p, to: ON_HOLD) { status } }"#, json!({"p": pid})).await;
    assert_eq!(write.body["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // Another donor sees other projects; one that funds nothing sees none.
    let wco = app.token("wco-portal", Role::Donor, None, Some("WCO"), &[]);
    let wco_funded = app.get("/api/v1/projects", &wco).await;
    let mut where_: Vec<&str> = wco_funded.assert(200)["items"].as_array().unwrap().iter().map(|p| p["administration"].as_str().unwrap()).collect();
    where_.sort_unstable();
    assert_eq!(where_, ["BGD", "COL", "UZB"]);
    app.post("/api/v1/donors", &app.admin(), json!({"code": "EU", "name": {"en": "European Union"}})).await.assert(201);
    let eu = app.token("eu-portal", Role::Donor, None, Some("EU"), &[]);
    assert_eq!(app.get("/api/v1/projects", &eu).await.assert(200)["items"], json!([]));
}
