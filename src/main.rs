//! The `meridian` binary: `serve` (the default), `migrate`, `seed --demo`, `seed --scale N`, `token issue`, `openapi`.

use std::{process::ExitCode, time::Duration};

use api::auth::TokenRequest;
use clap::Parser;
use domain::{
    page::PageRequest,
    principal::{Principal, Role},
};
use meridian::{
    Application,
    settings::{Cli, Command, DemoMode, Environment, IssueArgs, MetricsMode, Settings, TokenCommand},
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = cli.settings;
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings).await,
        Command::Migrate => migrate(&settings).await,
        Command::Seed { demo, scale, history_months } => seed(&settings, demo, scale, history_months).await,
        Command::Token { command: TokenCommand::Issue(args) } => issue(&settings, &args),
        Command::Openapi => api::openapi().to_pretty_json().map(|doc| println!("{doc}")).map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("meridian: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: &Settings) -> Result<(), String> {
    meridian::telemetry::init(settings);
    let app = Application::build(settings).await.map_err(|e| e.to_string())?;
    tracing::info!(posture = %settings.posture(), "starting");
    let mut demo_loaded = false;
    if settings.demo == DemoMode::Auto && is_empty(&app).await? {
        demo_loaded = true;
        let summary = meridian::demo::load(app.services()).await.map_err(|e| format!("demo data: {e}"))?;
        tracing::info!(
            administrations = summary.administrations,
            plans = summary.plans,
            indicators = summary.indicators,
            measurements = summary.measurements,
            "loaded the demo data into the empty database"
        );
    }
    let base = format!("http://{}:{}", settings.bind.ip(), app.port());
    println!("Meridian is serving on {base} ({} database)", app.backend());
    println!("  REST API    {base}/api/v1");
    println!("  OpenAPI     {base}/api/v1/openapi.json");
    if settings.exposes(settings.swagger_ui) {
        println!("  Swagger UI  {base}/docs");
    }
    println!("  GraphQL     {base}/graphql{}", if settings.exposes(settings.graphiql) { " (GraphiQL in a browser)" } else { "" });
    if settings.metrics == MetricsMode::On {
        println!("  Metrics     {base}/metrics (Prometheus{})", if settings.metrics_token.is_some() { ", with the metrics token" } else { "" });
    }
    // A demo admin token for a laptop or a trial: with the development secret, or in development
    // right after the demo data were loaded (a Docker trial sets a secret of its own). Never in
    // production.
    if settings.environment == Environment::Development && (settings.uses_development_secret() || demo_loaded) {
        let token = meridian::tokens(settings)?
            .issue(&TokenRequest {
                subject: "demo-admin".into(),
                role: Role::Admin,
                administration: None,
                donor: None,
                scopes: vec![],
                ttl: Duration::from_secs(12 * 3600),
            })
            .map_err(|e| e.message)?;
        println!("  Demo admin token, valid 12 h:");
        println!("  {token}");
        println!("  curl -H \"Authorization: Bearer {token}\" {base}/api/v1/plans");
        if settings.uses_development_secret() {
            tracing::warn!("MERIDIAN_JWT_SECRET is not set: tokens are signed with the public development secret (loopback only)");
        }
    }
    app.run_until_stopped(meridian::shutdown_signal()).await.map_err(|e| e.to_string())
}

/// Whether the database holds no administration yet.
async fn is_empty(app: &Application) -> Result<bool, String> {
    let admin = Principal::new("meridian", Role::Admin, None, None, vec![]).map_err(|e| e.message)?;
    let page = app.services().administrations.list(&admin, &PageRequest::first(1)).await.map_err(|e| e.to_string())?;
    Ok(page.items.is_empty())
}

async fn migrate(settings: &Settings) -> Result<(), String> {
    meridian::telemetry::init(settings);
    meridian::open_store(settings).await.map_err(|e| e.to_string())?;
    println!("the database schema is up to date");
    Ok(())
}

async fn seed(settings: &Settings, demo: bool, scale: Option<usize>, history_months: Option<u32>) -> Result<(), String> {
    meridian::telemetry::init(settings);
    if !demo && scale.is_none() {
        return Err("say what to seed: `meridian seed --demo` or `meridian seed --scale N [--history-months M]`".into());
    }
    let (store, services) = meridian::open_store(settings).await.map_err(|e| e.to_string())?;
    if demo {
        let s = meridian::demo::load(&services).await.map_err(|e| e.to_string())?;
        println!(
            "demo data: {} administrations, {} plans, {} objectives, {} indicators, {} measurements, {} assessments, {} practices added",
            s.administrations, s.plans, s.objectives, s.indicators, s.measurements, s.assessments, s.practices
        );
    }
    if let Some(administrations) = scale {
        let s = meridian::scale::load(&store, meridian::scale::ScaleOptions { administrations, history_months }).await?;
        // The donor whose portal reads the generated plans (a token must name a donor that exists).
        let admin = Principal::new("meridian-seed", Role::Admin, None, None, vec![]).map_err(|e| e.message)?;
        let seco = domain::donor::DonorInput { code: Some("SECO".into()), name: Some(vec![("en".into(), "SECO".into())]), iati_org_id: None };
        services.donors.ensure(&admin, &seco).await.map_err(|e| e.to_string())?;
        let seconds = s.elapsed.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let rate = if seconds > 0.0 { s.rows() as f64 / seconds } else { 0.0 };
        println!(
            "scale data ({} database): {} administrations, {} plans, {} objectives, {} indicators, {} targets, {} measurements added ({} rows, {} statements) in {seconds:.1} s, {rate:.0} rows/s",
            store.backend_name(),
            s.administrations,
            s.plans,
            s.objectives,
            s.indicators,
            s.targets,
            s.measurements,
            s.rows(),
            s.statements,
        );
        if s.kept > 0 {
            println!("{} administrations were already seeded by an earlier run and were kept as they are", s.kept);
        }
    }
    Ok(())
}

fn issue(settings: &Settings, args: &IssueArgs) -> Result<(), String> {
    let role = Role::parse(&args.role).map_err(|e| e.message)?;
    let token = meridian::tokens(settings)?
        .issue(&TokenRequest {
            subject: args.subject.clone().unwrap_or_else(|| format!("cli-{}", uuid::Uuid::new_v4())),
            role,
            administration: args.administration.clone(),
            donor: args.donor.clone(),
            scopes: args.scopes.clone(),
            ttl: args.ttl,
        })
        .map_err(|e| format!("{}: {}", e.field, e.message))?;
    println!("{token}");
    Ok(())
}
