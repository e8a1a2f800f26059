//! The shared harness: every test starts the real application on a random port with a database
//! of its own (SQLite file, or a fresh PostgreSQL database when `MERIDIAN_TEST_DATABASE_URL`
//! names a server), talks HTTP to it, and drops the database afterwards.

use std::{path::PathBuf, sync::Arc, time::Duration};

use api::auth::{TokenRequest, Tokens};
use domain::principal::Role;
use meridian::{Application, Settings, settings::DemoMode};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

pub const SECRET: &str = "integration-test-secret-0123456789";

/// Where a test's data lives.
enum TestDb {
    Sqlite { path: PathBuf },
    Postgres { server: String, name: String },
}

impl TestDb {
    async fn create() -> (Self, String) {
        let id = uuid::Uuid::now_v7().simple().to_string();
        match std::env::var("MERIDIAN_TEST_DATABASE_URL") {
            Ok(server) if server.starts_with("postgres") => {
                let name = format!("meridian_test_{id}");
                let admin = Database::connect(&server).await.expect("the PostgreSQL test server answers");
                admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("a test database can be created");
                admin.close().await.ok();
                let url = replace_database(&server, &name);
                (Self::Postgres { server, name }, url)
            }
            _ => {
                let path = std::env::temp_dir().join(format!("meridian-test-{id}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                (Self::Sqlite { path }, url)
            }
        }
    }

    fn drop_blocking(&self) {
        match self {
            Self::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Self::Postgres { server, name } => {
                let (server, name) = (server.clone(), name.clone());
                // A runtime of its own: Drop may run inside or outside the test's runtime.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(&server).await {
                            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                            admin.close().await.ok();
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// `postgres://u@h:5432/postgres?x` → `postgres://u@h:5432/<name>?x`.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub struct TestApp {
    pub base: String,
    /// The SQL statements the application has executed so far.
    pub statements: infrastructure::StatementCounter,
    pub client: reqwest::Client,
    pub database_url: String,
    tokens: Arc<Tokens>,
    db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.db.drop_blocking();
    }
}

/// A response read whole: status, headers and JSON body (Null when empty).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn etag(&self) -> String {
        self.headers.get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }

    pub fn content_type(&self) -> String {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }

    /// The `field` names of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect()).unwrap_or_default()
    }

    #[track_caller]
    pub fn assert(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        &self.body
    }

    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        assert_eq!(self.content_type(), "application/problem+json");
        assert_eq!(self.body["status"], status);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
    }
}

impl TestApp {
    /// Starts the application on a fresh database, with the administrations `BOL` and `PER` and
    /// the donor `SECO`.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the application with the demo data loaded, as `cargo run` does on a new machine.
    pub async fn spawn_demo() -> Self {
        Self::start(|_| {}, true).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> Self {
        Self::start(tweak, false).await
    }

    async fn start(tweak: impl FnOnce(&mut Settings), demo: bool) -> Self {
        let (db, database_url) = TestDb::create().await;
        let mut settings = Settings::from_env().expect("the MERIDIAN_* variables are valid");
        settings.database_url = database_url.clone();
        settings.bind = "127.0.0.1:0".parse().expect("address");
        settings.jwt_secret = Some(SECRET.parse().expect("secret"));
        settings.demo = DemoMode::Off;
        settings.db_max_connections = 5;
        // Tests that deliver webhooks turn the worker on; elsewhere it would add statements to the counts.
        settings.webhook_worker = false;
        tweak(&mut settings);
        let app = Application::build(&settings).await.expect("the application starts");
        if demo {
            meridian::demo::load(app.services()).await.expect("the demo data loads");
        }
        let base = format!("http://127.0.0.1:{}", app.port());
        let statements = app.statements();
        let server = tokio::spawn(async move {
            let _ = app.run_until_stopped(std::future::pending()).await;
        });
        let test = Self {
            base,
            statements,
            client: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client"),
            database_url,
            tokens: meridian::tokens(&settings).expect("the keys load"),
            db,
            server,
        };
        if demo {
            return test;
        }
        let admin = test.admin();
        for (code, lang, name) in [("BOL", "es", "Aduana Nacional"), ("PER", "es", "SUNAT Aduanas")] {
            test.post(
                "/api/v1/administrations",
                &admin,
                json!({"code": code, "default_language": lang, "name": {lang: name, "en": format!("{code} Customs")}}),
            )
            .await
            .assert(201);
        }
        // The donor `donor()` tokens name: a token for a donor that does not exist is refused.
        test.post(
            "/api/v1/donors",
            &admin,
            json!({"code": "SECO", "name": {"en": "SECO", "de": "Staatssekretariat für Wirtschaft"}, "iati_org_id": "CH-FDFA-SECO"}),
        )
        .await
        .assert(201);
        test
    }

    pub fn token(&self, subject: &str, role: Role, administration: Option<&str>, donor: Option<&str>, scopes: &[&str]) -> String {
        self.tokens
            .issue(&TokenRequest {
                subject: subject.into(),
                role,
                administration: administration.map(Into::into),
                donor: donor.map(Into::into),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                ttl: Duration::from_secs(600),
            })
            .expect("token")
    }

    pub fn admin(&self) -> String {
        self.token("root", Role::Admin, None, None, &[])
    }

    pub fn planner(&self, administration: &str) -> String {
        self.token(&format!("planner-{administration}"), Role::Planner, Some(administration), None, &[])
    }

    pub fn viewer(&self, administration: &str) -> String {
        self.token(&format!("viewer-{administration}"), Role::Viewer, Some(administration), None, &[])
    }

    pub fn donor(&self) -> String {
        self.token("seco-portal", Role::Donor, None, Some("SECO"), &[])
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("a body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply { status, headers, body }
    }

    /// Runs a GraphQL operation as `token` (none: anonymous).
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        self.request(Method::POST, "/graphql", token, Some(json!({"query": query, "variables": variables})), &[]).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PUT, path, Some(token), Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value, if_match: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("if-match", e)]).unwrap_or_default();
        self.request(Method::PATCH, path, Some(token), Some(body), &headers).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.request(Method::DELETE, path, Some(token), None, &[]).await
    }

    /// A direct connection to the test's database, for assertions on what was stored.
    pub async fn db(&self) -> DatabaseConnection {
        Database::connect(&self.database_url).await.expect("the test database answers")
    }

    /// How many rows `table` holds.
    pub async fn count(&self, table: &str) -> i64 {
        let db = self.db().await;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
            .await
            .expect("count query")
            .expect("a row");
        let n: i64 = row.try_get("", "n").expect("a count");
        db.close().await.ok();
        n
    }

    // ------------------------------------------------------------- builders

    /// Creates a plan as `token` and returns it.
    pub async fn create_plan(&self, token: &str, extra: Value) -> Value {
        let mut body = json!({"title": {"es": "Plan Estratégico", "en": "Strategic Plan"}, "start_year": 2022, "end_year": 2026});
        merge(&mut body, extra);
        self.post("/api/v1/plans", token, body).await.assert(201).clone()
    }

    /// Moves a plan to `to`: sent to review by one admin, approved by another (four eyes).
    pub async fn advance_plan(&self, plan_id: &str, to: &str) {
        let (sender, admin) = (self.token("secretariat", Role::Admin, None, None, &[]), self.admin());
        for step in ["under_review", "approved", "active", "closed"] {
            let who = if step == "under_review" { &sender } else { &admin };
            self.post(&format!("/api/v1/plans/{plan_id}/transitions"), who, json!({"to": step})).await.assert(200);
            if step == to {
                break;
            }
        }
    }

    pub async fn create_objective(&self, token: &str, plan_id: &str, body: Value) -> Value {
        self.post(&format!("/api/v1/plans/{plan_id}/objectives"), token, body).await.assert(201).clone()
    }

    pub async fn create_indicator(&self, token: &str, objective_id: &str, extra: Value) -> Value {
        let mut body = json!({"name": {"en": "Share of electronic declarations"}, "measure": "percentage", "direction": "increase",
            "baseline_value": "10", "baseline_period": "2022", "frequency": "annual"});
        merge(&mut body, extra);
        self.post(&format!("/api/v1/objectives/{objective_id}/indicators"), token, body).await.assert(201).clone()
    }

    /// Records, submits and approves a measurement (submitted by `token`, approved by an admin).
    pub async fn approved_measurement(&self, token: &str, indicator_id: &str, period: &str, value: &str) {
        self.put(&format!("/api/v1/indicators/{indicator_id}/measurements/{period}"), token, json!({"value": value})).await.assert(201);
        self.post(&format!("/api/v1/indicators/{indicator_id}/measurements/{period}/transitions"), token, json!({"to": "submitted"})).await.assert(200);
        self.post(&format!("/api/v1/indicators/{indicator_id}/measurements/{period}/transitions"), &self.admin(), json!({"to": "approved"})).await.assert(200);
    }
}

/// Shallow-merges the fields of `extra` into `body`.
pub fn merge(body: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_replaced_in_urls() {
        assert_eq!(super::replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"), "postgres://postgres@127.0.0.1:5432/x");
        assert_eq!(super::replace_database("postgres://p@h/postgres?sslmode=disable", "x"), "postgres://p@h/x?sslmode=disable");
        assert_eq!(super::replace_database("postgres://p@h", "x"), "postgres://p@h/x");
    }
}
