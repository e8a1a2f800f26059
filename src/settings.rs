//! One typed settings value: defaults, overridden by `MERIDIAN_*` environment variables,
//! overridden by command-line flags. Secrets never print.

use std::{net::SocketAddr, time::Duration};

use api::{HttpSettings, graphql::GraphqlLimits};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// The signing secret used when none is configured: fine on a laptop, never in production.
pub const DEVELOPMENT_SECRET: &str = "meridian-development-secret-change-me";

/// A value that must not appear in logs.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < 16 { Err("the JWT secret must have at least 16 characters".into()) } else { Ok(Self(s.to_owned())) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricsMode {
    /// Serve `GET /metrics` (open unless `MERIDIAN_METRICS_TOKEN` is set).
    On,
    /// Record nothing; `/metrics` is 404.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// Where the server runs, which sets the defaults of what it exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    /// A laptop or a trial: explorers and introspection on.
    Development,
    /// Exposed to partners: refuses the development secret; GraphiQL, introspection, field
    /// suggestions and Swagger UI off unless enabled one by one.
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoMode {
    /// Load the demo data when the database has no administration yet.
    Auto,
    /// Never load it.
    Off,
}

/// Meridian: the system of record for Customs strategic plans and their results.
#[derive(Debug, Parser)]
#[command(name = "meridian", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Load data into the database.
    Seed {
        /// The demo data: seven administrations with plans, indicators and measurements.
        #[arg(long)]
        demo: bool,
        /// A large generated data set for benchmarks: N more administrations (ISO codes not used
        /// by the demo, alphabetically), each with an active 2012–2026 plan, 6 objectives and 28
        /// indicators (26 monthly, 2 annual) with targets and approved measurements up to
        /// 2026-11. Deterministic: the same arguments give the same rows and ids. Written with
        /// multi-row INSERTs; no audit entries or change-feed rows are written (generated data,
        /// not anybody's change). Administrations seeded by an earlier run are kept as they are.
        #[arg(long, value_name = "N")]
        scale: Option<usize>,
        /// With --scale: keep only each monthly indicator's last M months (annual indicators:
        /// the last ceil(M/12) years). Default: the full history since 2012.
        #[arg(long, value_name = "M", requires = "scale", value_parser = clap::value_parser!(u32).range(1..))]
        history_months: Option<u32>,
    },
    /// Manage bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a signed token on stdout.
    Issue(IssueArgs),
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// admin, planner, viewer, donor or integration.
    #[arg(long)]
    pub role: String,
    /// The administration (ISO 3166-1 alpha-3) for planner, viewer and integration tokens.
    #[arg(long)]
    pub administration: Option<String>,
    /// The donor code for donor tokens.
    #[arg(long)]
    pub donor: Option<String>,
    /// Who the token is for (its `sub`, written to the audit trail as the actor). Without it,
    /// every token gets a subject of its own (`cli-<uuid>`).
    #[arg(long)]
    pub subject: Option<String>,
    /// Scopes of integration tokens (`plans:write`, `measurements:write`); repeatable.
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// Lifetime: `30m`, `1h`, `7d`, or seconds.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub ttl: Duration,
}

/// Every setting of the server.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: `sqlite://meridian.db?mode=rwc` (the default, a file in the working
    /// directory) or `postgres://user:password@host:5432/db`.
    #[arg(long, env = "MERIDIAN_DATABASE_URL", default_value = "sqlite://meridian.db?mode=rwc", global = true)]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, env = "MERIDIAN_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,
    /// HS256 signing secret of bearer tokens (at least 16 characters).
    #[arg(long, env = "MERIDIAN_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<Secret>,
    /// Asymmetric signing keys, comma-separated `<kid>:<RS256|ES256>:<path to a PEM private
    /// key>`: the first signs, every one verifies and is published at `/.well-known/jwks.json`.
    #[arg(long, env = "MERIDIAN_JWT_KEYS", value_delimiter = ',', global = true)]
    pub jwt_keys: Vec<String>,
    /// The `iss` of an identity provider whose tokens are accepted too (Keycloak, Entra ID, ...).
    #[arg(long, env = "MERIDIAN_EXTERNAL_ISSUER", requires = "external_jwks_url", global = true)]
    pub external_issuer: Option<String>,
    /// Where that issuer publishes its keys (JWKS); the only place they are fetched from.
    #[arg(long, env = "MERIDIAN_EXTERNAL_JWKS_URL", global = true)]
    pub external_jwks_url: Option<String>,
    /// The `aud` its tokens carry for Meridian (default: `MERIDIAN_JWT_AUDIENCE`).
    #[arg(long, env = "MERIDIAN_EXTERNAL_AUDIENCE", global = true)]
    pub external_audience: Option<String>,
    /// Shortest time between two fetches of the issuer's keys (a token naming an unknown key
    /// triggers one).
    #[arg(long, env = "MERIDIAN_EXTERNAL_JWKS_MIN_REFRESH", default_value = "30s", value_parser = parse_duration, global = true)]
    pub external_jwks_min_refresh: Duration,
    /// The claim holding the Meridian role (a dotted path; a list gives its first known role).
    #[arg(long, env = "MERIDIAN_EXTERNAL_CLAIM_ROLE", default_value = "role", global = true)]
    pub external_claim_role: String,
    /// Stripped from role values before they are read (`meridian-` for `meridian-planner`).
    #[arg(long, env = "MERIDIAN_EXTERNAL_ROLE_PREFIX", default_value = "", global = true)]
    pub external_role_prefix: String,
    /// The claim holding the administration code.
    #[arg(long, env = "MERIDIAN_EXTERNAL_CLAIM_ADMINISTRATION", default_value = "administration", global = true)]
    pub external_claim_administration: String,
    /// The claim holding the donor code.
    #[arg(long, env = "MERIDIAN_EXTERNAL_CLAIM_DONOR", default_value = "donor", global = true)]
    pub external_claim_donor: String,
    /// The claim holding the scopes (space-separated, or a list).
    #[arg(long, env = "MERIDIAN_EXTERNAL_CLAIM_SCOPE", default_value = "scope", global = true)]
    pub external_claim_scope: String,
    /// The `iss` tokens must carry.
    #[arg(long, env = "MERIDIAN_JWT_ISSUER", default_value = "meridian", global = true)]
    pub jwt_issuer: String,
    /// The `aud` tokens must carry.
    #[arg(long, env = "MERIDIAN_JWT_AUDIENCE", default_value = "meridian-api", global = true)]
    pub jwt_audience: String,
    /// Log filter, in `tracing` env-filter syntax.
    #[arg(long, env = "MERIDIAN_LOG", default_value = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn", global = true)]
    pub log: String,
    /// Log format.
    #[arg(long, env = "MERIDIAN_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    /// Whether `serve` loads the demo data into an empty database.
    #[arg(long = "demo-mode", id = "demo_mode", env = "MERIDIAN_DEMO", value_enum, default_value = "auto", global = true)]
    pub demo: DemoMode,
    /// Largest number of pooled database connections.
    #[arg(long, env = "MERIDIAN_DB_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub db_max_connections: u32,
    /// Database connections kept open when idle.
    #[arg(long, env = "MERIDIAN_DB_MIN_CONNECTIONS", default_value_t = 1, global = true)]
    pub db_min_connections: u32,
    /// How long a request waits for a pooled connection.
    #[arg(long, env = "MERIDIAN_DB_ACQUIRE_TIMEOUT", default_value = "30s", value_parser = parse_duration, global = true)]
    pub db_acquire_timeout: Duration,
    /// Largest request body in bytes.
    #[arg(long, env = "MERIDIAN_BODY_LIMIT", default_value_t = HttpSettings::default().body_limit, global = true)]
    pub body_limit: usize,
    /// Longest a request may run.
    #[arg(long, env = "MERIDIAN_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration, global = true)]
    pub request_timeout: Duration,
    /// `development` (the default) or `production`: see [`Environment`].
    #[arg(long = "env", id = "environment", env = "MERIDIAN_ENV", value_enum, default_value = "development", global = true)]
    pub environment: Environment,
    /// GraphQL introspection (`__schema`, `__type`); default: on in development, off in production.
    #[arg(long, env = "MERIDIAN_GRAPHQL_INTROSPECTION", action = clap::ArgAction::Set, global = true)]
    pub graphql_introspection: Option<bool>,
    /// "Did you mean …?" suggestions in GraphQL errors; default: on in development, off in production.
    #[arg(long, env = "MERIDIAN_GRAPHQL_SUGGESTIONS", action = clap::ArgAction::Set, global = true)]
    pub graphql_suggestions: Option<bool>,
    /// The GraphiQL explorer at `GET /graphql`; default: on in development, off in production.
    #[arg(long, env = "MERIDIAN_GRAPHIQL", action = clap::ArgAction::Set, global = true)]
    pub graphiql: Option<bool>,
    /// Swagger UI at `/docs` (the OpenAPI document stays served); default: on in development, off in production.
    #[arg(long, env = "MERIDIAN_SWAGGER_UI", action = clap::ArgAction::Set, global = true)]
    pub swagger_ui: Option<bool>,
    /// Deepest nesting of a GraphQL query.
    #[arg(long, env = "MERIDIAN_GRAPHQL_MAX_DEPTH", default_value_t = GraphqlLimits::default().max_depth, global = true)]
    pub graphql_max_depth: usize,
    /// Largest complexity of a GraphQL query.
    #[arg(long, env = "MERIDIAN_GRAPHQL_MAX_COMPLEXITY", default_value_t = GraphqlLimits::default().max_complexity, global = true)]
    pub graphql_max_complexity: usize,
    /// Deepest recursion when parsing a GraphQL document.
    #[arg(long, env = "MERIDIAN_GRAPHQL_MAX_RECURSION", default_value_t = GraphqlLimits::default().max_recursive_depth, global = true)]
    pub graphql_max_recursion: usize,
    /// Most directives on one GraphQL field.
    #[arg(long, env = "MERIDIAN_GRAPHQL_MAX_DIRECTIVES", default_value_t = GraphqlLimits::default().max_directives, global = true)]
    pub graphql_max_directives: usize,
    /// Most operations in one GraphQL batch.
    #[arg(long, env = "MERIDIAN_GRAPHQL_MAX_BATCH", default_value_t = GraphqlLimits::default().max_batch, global = true)]
    pub graphql_max_batch: usize,
    /// Largest `first` of a GraphQL connection.
    #[arg(long, env = "MERIDIAN_GRAPHQL_MAX_PAGE_SIZE", default_value_t = GraphqlLimits::default().max_page_size, global = true)]
    pub graphql_max_page_size: u32,
    /// Longest a bulk import may run (408 beyond).
    #[arg(long, env = "MERIDIAN_IMPORT_TIMEOUT", default_value = "5m", value_parser = parse_duration, global = true)]
    pub import_timeout: Duration,
    /// How long an `Idempotency-Key` replays the first answer.
    #[arg(long, env = "MERIDIAN_IDEMPOTENCY_TTL", default_value = "24h", value_parser = parse_duration, global = true)]
    pub idempotency_ttl: Duration,
    /// Whether this process delivers webhooks (any number of processes may).
    #[arg(long, env = "MERIDIAN_WEBHOOK_WORKER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub webhook_worker: bool,
    /// Whether webhook targets may be loopback, private or link-local addresses (test receivers, intranets).
    #[arg(long, env = "MERIDIAN_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private: bool,
    /// How often an idle worker looks for due deliveries.
    #[arg(long, env = "MERIDIAN_WEBHOOK_POLL_INTERVAL", default_value = "1s", value_parser = parse_duration, global = true)]
    pub webhook_poll_interval: Duration,
    /// How long a receiver may take to answer.
    #[arg(long, env = "MERIDIAN_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = parse_duration, global = true)]
    pub webhook_timeout: Duration,
    /// How long a worker holds a delivery before another may take it over (longer than the timeout).
    #[arg(long, env = "MERIDIAN_WEBHOOK_LEASE", default_value = "60s", value_parser = parse_duration, global = true)]
    pub webhook_lease: Duration,
    /// The wait before the second attempt; each further wait doubles (with jitter), up to 6 hours.
    #[arg(long, env = "MERIDIAN_WEBHOOK_RETRY_BASE", default_value = "30s", value_parser = parse_duration, global = true)]
    pub webhook_retry_base: Duration,
    /// Attempts before a delivery is given up.
    #[arg(long, env = "MERIDIAN_WEBHOOK_MAX_ATTEMPTS", default_value_t = 10, global = true)]
    pub webhook_max_attempts: i32,
    /// Failed attempts in a row that disable a subscription.
    #[arg(long, env = "MERIDIAN_WEBHOOK_DISABLE_AFTER", default_value_t = 20, global = true)]
    pub webhook_disable_after: i32,
    /// How often GraphQL subscriptions look for changes without a notification (on SQLite, and
    /// on PostgreSQL should a notification be lost); nothing is read while nobody subscribes.
    #[arg(long, env = "MERIDIAN_LIVE_POLL_INTERVAL", default_value = "2s", value_parser = parse_duration, global = true)]
    pub live_poll_interval: Duration,
    /// `GET /metrics` in the Prometheus text format: `on` (open, for a private network or a
    /// laptop, unless a token is set) or `off` (404).
    #[arg(long, env = "MERIDIAN_METRICS", value_enum, default_value = "on", global = true)]
    pub metrics: MetricsMode,
    /// Plan results (scorecards, standings, latest values) computed for one request are reused
    /// by the next while their administration has no newer change: `on`, or `off` to compute
    /// them on every request (to rule the cache out, or to measure without it).
    #[arg(long, env = "MERIDIAN_RESULTS_CACHE", value_enum, default_value = "on", global = true)]
    pub results_cache: Switch,
    /// Four eyes: nobody approves or returns a measurement they recorded or submitted, or
    /// approves a plan they sent to review, admins included. `on` lets admins override it (each
    /// override is audited as `four_eyes_override`); `off` (the default) holds it for everyone.
    #[arg(long, env = "MERIDIAN_FOUR_EYES_ADMIN_OVERRIDE", value_enum, default_value = "off", global = true)]
    pub four_eyes_admin_override: Switch,
    /// Web origins browsers may call the API from (CORS): a comma-separated list such as
    /// `https://portal.example.org,https://plan.example.org`, or `*` for any (development only);
    /// empty, browsers may call it from Meridian's own pages only.
    #[arg(long, env = "MERIDIAN_CORS_ORIGINS", default_value = "", value_parser = api::CorsOrigins::parse, global = true)]
    pub cors_origins: api::CorsOrigins,
    /// Lifetime of the access tokens `POST /oauth/token` issues to machine clients.
    #[arg(long, env = "MERIDIAN_OAUTH_TOKEN_TTL", default_value = "15m", value_parser = parse_duration, global = true)]
    pub oauth_token_ttl: Duration,
    /// The server's public base URL (`https://meridian.example.org`), named in the OAuth
    /// metadata; without it, the URL a request came to.
    #[arg(long, env = "MERIDIAN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Token requests (`POST /oauth/token`) one client address may make.
    #[arg(long, env = "MERIDIAN_RATE_LIMIT_TOKEN", default_value = "60/min", value_parser = api::limits::Limit::parse, global = true)]
    pub rate_limit_token: api::limits::Limit,
    /// Requests one caller (a token's identity) may make: `<count>/<s|min|h>`, or `off`.
    #[arg(long, env = "MERIDIAN_RATE_LIMIT_CALLER", default_value = "1200/min", value_parser = api::limits::Limit::parse, global = true)]
    pub rate_limit_caller: api::limits::Limit,
    /// Requests one client address may make, with or without a token.
    #[arg(long, env = "MERIDIAN_RATE_LIMIT_ADDRESS", default_value = "3000/min", value_parser = api::limits::Limit::parse, global = true)]
    pub rate_limit_address: api::limits::Limit,
    /// Failed authentications (401 answers) one client address may cause before it is refused
    /// everything for a while.
    #[arg(long, env = "MERIDIAN_RATE_LIMIT_FAILED_AUTH", default_value = "30/min", value_parser = api::limits::Limit::parse, global = true)]
    pub rate_limit_failed_auth: api::limits::Limit,
    /// Reverse proxies (addresses or networks, comma-separated) whose `X-Forwarded-For` names
    /// the client address; from anyone else the header is ignored.
    #[arg(long, env = "MERIDIAN_TRUSTED_PROXIES", default_value = "", value_parser = api::limits::TrustedProxies::parse, global = true)]
    pub trusted_proxies: api::limits::TrustedProxies,
    /// When set, `/metrics` requires `Authorization: Bearer <this token>` (at least 16 characters).
    #[arg(long, env = "MERIDIAN_METRICS_TOKEN", value_parser = parse_metrics_token, global = true, hide_env_values = true)]
    pub metrics_token: Option<Secret>,
}

impl Settings {
    /// How webhook deliveries are retried, and which targets are allowed.
    pub fn delivery_policy(&self) -> domain::webhook::DeliveryPolicy {
        let base = chrono::Duration::from_std(self.webhook_retry_base).unwrap_or(chrono::Duration::seconds(30));
        domain::webhook::DeliveryPolicy {
            first_delay: base,
            max_delay: chrono::Duration::hours(6).max(base),
            max_attempts: self.webhook_max_attempts.max(1),
            disable_after: self.webhook_disable_after.max(1),
            allow_private: self.webhook_allow_private,
        }
    }

    /// How this process's webhook worker runs.
    pub fn worker_settings(&self) -> infrastructure::webhook_worker::WorkerSettings {
        infrastructure::webhook_worker::WorkerSettings {
            poll_interval: self.webhook_poll_interval,
            timeout: self.webhook_timeout,
            lease: self.webhook_lease.max(self.webhook_timeout),
            batch: 20,
            allow_private: self.webhook_allow_private,
        }
    }

    /// The GraphQL limits these settings describe.
    pub fn graphql_limits(&self) -> GraphqlLimits {
        GraphqlLimits {
            max_depth: self.graphql_max_depth,
            max_complexity: self.graphql_max_complexity,
            max_recursive_depth: self.graphql_max_recursion,
            max_directives: self.graphql_max_directives,
            max_batch: self.graphql_max_batch,
            max_page_size: self.graphql_max_page_size,
            introspection: self.exposes(self.graphql_introspection),
            suggestions: self.exposes(self.graphql_suggestions),
            explorer: self.exposes(self.graphiql),
        }
    }

    /// Whether an explorer or a schema aid is on: as set, else on in development only.
    pub fn exposes(&self, setting: Option<bool>) -> bool {
        setting.unwrap_or(self.environment == Environment::Development)
    }

    /// Whether tokens are signed with the public development secret.
    pub fn uses_development_secret(&self) -> bool {
        self.jwt_keys.is_empty() && self.jwt_secret() == DEVELOPMENT_SECRET
    }

    /// Refuses a posture that would expose the API with a secret everyone knows: the development
    /// secret in production, or on an address other machines reach (in every mode).
    ///
    /// # Errors
    /// What is wrong and how to fix it.
    pub fn check_posture(&self) -> Result<(), String> {
        if self.uses_development_secret() {
            if self.environment == Environment::Production {
                return Err(
                    "MERIDIAN_ENV=production needs signing keys of its own: set MERIDIAN_JWT_KEYS (RS256/ES256), or MERIDIAN_JWT_SECRET (16 characters or more)"
                        .into(),
                );
            }
            if !self.bind.ip().is_loopback() {
                return Err(format!(
                    "refusing to listen on {} with the public development secret: set MERIDIAN_JWT_SECRET, or bind a loopback address (127.0.0.1)",
                    self.bind
                ));
            }
        }
        Ok(())
    }

    /// What this process exposes, for the log line at start.
    pub fn posture(&self) -> String {
        let on = |b: bool| if b { "on" } else { "off" };
        format!(
            "environment={} bind={} signing={} external_issuer={} graphiql={} introspection={} suggestions={} swagger_ui={} metrics={} cors={} four_eyes_admin_override={} rate_limit_caller={} rate_limit_address={} rate_limit_failed_auth={} rate_limit_token={} trusted_proxies={}",
            if self.environment == Environment::Production { "production" } else { "development" },
            self.bind,
            match (self.jwt_keys.is_empty(), self.uses_development_secret()) {
                (_, true) => "development".to_owned(),
                (true, false) => "hs256".to_owned(),
                (false, _) => format!(
                    "keys({}){}",
                    self.jwt_keys.iter().filter_map(|k| k.split(':').next()).collect::<Vec<_>>().join(","),
                    if self.jwt_secret.is_some() { "+hs256" } else { "" }
                ),
            },
            self.external_issuer.as_deref().unwrap_or("none"),
            on(self.exposes(self.graphiql)),
            on(self.exposes(self.graphql_introspection)),
            on(self.exposes(self.graphql_suggestions)),
            on(self.exposes(self.swagger_ui)),
            if self.metrics == MetricsMode::Off {
                "off"
            } else if self.metrics_token.is_some() {
                "token"
            } else {
                "open"
            },
            match &self.cors_origins {
                api::CorsOrigins::None => "none".to_owned(),
                api::CorsOrigins::Any => "*".to_owned(),
                api::CorsOrigins::List(origins) => origins.join(","),
            },
            on(self.four_eyes_admin_override == Switch::On),
            self.rate_limit_caller,
            self.rate_limit_address,
            self.rate_limit_failed_auth,
            self.rate_limit_token,
            if self.trusted_proxies.0.is_empty() {
                "none".to_owned()
            } else {
                self.trusted_proxies.0.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
            },
        )
    }
}

impl Settings {
    /// Settings with no flag given: the defaults, under whatever `MERIDIAN_*` variables are set
    /// (tests start from this and change what they need).
    ///
    /// # Errors
    /// The parse error of an invalid `MERIDIAN_*` variable.
    pub fn from_env() -> Result<Self, clap::Error> {
        Cli::try_parse_from(["meridian"]).map(|c| c.settings)
    }

    /// The configured secret, or the development one.
    pub fn jwt_secret(&self) -> &str {
        self.jwt_secret.as_ref().map_or(DEVELOPMENT_SECRET, |s| s.0.as_str())
    }
}

/// A `/metrics` bearer token: at least 16 characters, so it cannot be guessed.
pub fn parse_metrics_token(input: &str) -> Result<Secret, String> {
    if input.len() < 16 { Err("the metrics token must have at least 16 characters".into()) } else { Ok(Secret(input.to_owned())) }
}

/// Parses `250ms`, `90`, `90s`, `30m`, `1h`, `7d`.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let input = input.trim();
    let split = input.find(|c: char| !c.is_ascii_digit()).unwrap_or(input.len());
    let (digits, unit) = input.split_at(split);
    let n: u64 = digits.parse().map_err(|_| format!("`{input}` is not a duration such as 500ms, 30s, 15m, 1h or 7d"))?;
    let millis = match unit {
        "ms" => 1,
        "" | "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("`{input}` is not a duration such as 500ms, 30s, 15m, 1h or 7d")),
    };
    n.checked_mul(millis).map(Duration::from_millis).ok_or_else(|| format!("`{input}` is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_demo_and_the_demo_mode_setting_do_not_clash() {
        let cli = Cli::try_parse_from(["meridian", "seed", "--demo", "--demo-mode", "off"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Seed { demo: true, scale: None, history_months: None })));
        assert_eq!(cli.settings.demo, DemoMode::Off);
        let cli = Cli::try_parse_from(["meridian", "seed", "--scale", "20", "--history-months", "18"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Seed { demo: false, scale: Some(20), history_months: Some(18) })));
        assert!(Cli::try_parse_from(["meridian", "seed", "--history-months", "18"]).is_err(), "--history-months needs --scale");
        assert!(Cli::try_parse_from(["meridian", "seed", "--scale", "2", "--history-months", "0"]).is_err());
        let cli = Cli::try_parse_from(["meridian", "token", "issue", "--role", "viewer", "--ttl", "2h"]).unwrap();
        let Some(Command::Token { command: TokenCommand::Issue(args) }) = cli.command else { panic!("token issue") };
        assert_eq!(args.ttl, Duration::from_secs(7200));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn metrics_can_be_switched_off_and_their_token_is_long() {
        let cli = Cli::try_parse_from(["meridian", "--metrics", "off"]).unwrap();
        assert_eq!(cli.settings.metrics, MetricsMode::Off);
        assert!(Cli::try_parse_from(["meridian", "--metrics-token", "short"]).is_err());
        let cli = Cli::try_parse_from(["meridian", "--metrics-token", "a-long-enough-token"]).unwrap();
        assert_eq!(cli.settings.metrics_token.map(|t| t.0).as_deref(), Some("a-long-enough-token"));
    }

    #[test]
    fn secrets_do_not_print_and_must_be_long() {
        assert_eq!(format!("{:?}", "a-very-long-secret-value".parse::<Secret>().unwrap()), "[redacted]");
        assert!("short".parse::<Secret>().is_err());
    }
}
