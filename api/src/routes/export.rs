//! `GET /export`: everything the caller may read, streamed as NDJSON (one JSON object a line,
//! with a `type`), in the representation the REST reads return. A task pages through the use
//! cases and hands one page at a time to the response body through a small channel, so memory
//! stays bounded by a page (of plans with their objectives and indicators, of indicators with
//! their targets and measurements, of projects with their milestones and fundings) whatever the
//! size of the export.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use domain::{
    DomainError,
    ids::{IndicatorId, PlanId, PortfolioId, ProjectId},
    page::{Page, PageRequest},
    principal::Principal,
    services::Services,
    values::AdministrationCode,
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tracing::Instrument;
use utoipa::IntoParams;

use super::ReadErrors;
use crate::{
    auth::Auth,
    dto::{FundingView, IndicatorView, Localizer, MeasurementView, MilestoneView, ObjectiveView, PlanView, PortfolioView, ProjectView, TargetView},
    error::ApiError,
    extract::ApiQuery,
};

/// Plans (with their objectives and indicators) or projects read per round trip: few, as each
/// brings its children along.
const PAGE: u32 = 5;
/// Indicators whose targets and measurements are read per round trip.
const INDICATOR_CHUNK: usize = 100;
/// Pages buffered between the reading task and the client.
const BUFFERED: usize = 2;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Only this administration's objects (default: everything you may read).
    #[param(example = "BOL")]
    pub administration: Option<String>,
}

/// One line: the object's REST representation with its `type` first.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    item: &'a T,
}

/// The lines of one page.
#[derive(Default)]
struct Chunk(Vec<u8>);

impl Chunk {
    fn push<T: Serialize>(&mut self, kind: &'static str, item: &T) -> Result<(), Stop> {
        serde_json::to_writer(&mut self.0, &Line { kind, item }).map_err(Stop::Encoding)?;
        self.0.push(b'\n');
        Ok(())
    }
}

type Sender = mpsc::Sender<Result<Bytes, std::io::Error>>;

/// Everything you may read, as NDJSON: `plan`, `objective`, `indicator`, `target` and
/// `measurement` lines for the plans you may see, then `portfolio`, `project`, `milestone` and
/// `funding` lines for the projects you may see, each in the shape the REST API returns it
/// (`Accept-Language` applies), parents before their children. The body is streamed; should
/// reading fail midway, the stream is cut off rather than ended, so a partial export is never
/// mistaken for a whole one.
#[utoipa::path(get, path = "/export", tag = "exports", params(ExportQuery),
    responses((status = 200, description = "One JSON object a line, each with a `type`", body = String, content_type = "application/x-ndjson"), ReadErrors),
    security(("bearer" = [])))]
pub async fn export(State(services): State<Services>, Auth(who): Auth, l: Localizer, ApiQuery(q): ApiQuery<ExportQuery>) -> Result<Response, ApiError> {
    let administration = q.administration.as_deref().map(AdministrationCode::parse).transpose().map_err(|e| ApiError::from(e.under("administration")))?;
    let (tx, mut rx) = mpsc::channel(BUFFERED);
    let task = async move {
        if let Err(e) = write_all(&services, &who, &l, administration, &tx).await {
            tracing::error!(error = %e, "the export stopped");
            let _ = tx.send(Err(std::io::Error::other("the export stopped"))).await;
        }
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let mut response = Body::from_stream(stream).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    Ok(response)
}

/// Why writing stopped: storage failed, a line could not be encoded, or the client went away.
enum Stop {
    Failed(DomainError),
    Encoding(serde_json::Error),
    Gone,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed(e) => write!(f, "{e}"),
            Self::Encoding(e) => write!(f, "a line could not be encoded: {e}"),
            Self::Gone => f.write_str("the client went away"),
        }
    }
}

impl From<DomainError> for Stop {
    fn from(e: DomainError) -> Self {
        Self::Failed(e)
    }
}

async fn send(tx: &Sender, chunk: Chunk) -> Result<(), Stop> {
    if chunk.0.is_empty() {
        return Ok(());
    }
    tx.send(Ok(Bytes::from(chunk.0))).await.map_err(|_| Stop::Gone)
}

async fn write_all(services: &Services, who: &Principal, l: &Localizer, administration: Option<AdministrationCode>, tx: &Sender) -> Result<(), Stop> {
    match write_pages(services, who, l, administration, tx).await {
        Err(Stop::Gone) => Ok(()),
        other => other,
    }
}

/// Reads every page of a keyset-paged list, handing each to `each`.
macro_rules! each_page {
    ($key:ty, |$page:ident| $read:expr, |$items:ident| $each:expr) => {{
        let mut $page = PageRequest::<$key>::first(PAGE);
        loop {
            let got: Page<_, $key> = $read;
            let next = got.next;
            let $items = got.items;
            $each;
            match next {
                Some(after) => $page.after = Some(after),
                None => break,
            }
        }
    }};
}

async fn write_pages(services: &Services, who: &Principal, l: &Localizer, administration: Option<AdministrationCode>, tx: &Sender) -> Result<(), Stop> {
    each_page!(PlanId, |page| services.plans.list(who, administration, None, &page).await?, |plans| {
        let mut chunk = Chunk::default();
        for p in &plans {
            chunk.push("plan", &PlanView::new(p, l))?;
        }
        let ids: Vec<PlanId> = plans.iter().map(|p| p.id).collect();
        let objectives = services.objectives.of_plans(who, &ids).await?;
        for o in &objectives {
            chunk.push("objective", &ObjectiveView::new(o, l))?;
        }
        let objective_ids: Vec<_> = objectives.iter().map(|o| o.id).collect();
        let indicators = services.indicators.of_objectives(who, &objective_ids).await?;
        for i in &indicators {
            chunk.push("indicator", &IndicatorView::new(i, l))?;
        }
        send(tx, chunk).await?;
        let indicator_ids: Vec<IndicatorId> = indicators.iter().map(|i| i.id).collect();
        for ids in indicator_ids.chunks(INDICATOR_CHUNK) {
            let mut chunk = Chunk::default();
            for t in &services.results.targets_of(who, ids).await? {
                chunk.push("target", &TargetView::from(t))?;
            }
            for m in &services.results.measurements_of(who, ids).await? {
                chunk.push("measurement", &MeasurementView::from(m))?;
            }
            send(tx, chunk).await?;
        }
    });
    each_page!(PortfolioId, |page| services.portfolios.list(who, administration, &page).await?, |portfolios| {
        let mut chunk = Chunk::default();
        for p in &portfolios {
            chunk.push("portfolio", &PortfolioView::new(p, None, l))?;
        }
        send(tx, chunk).await?;
    });
    let today = services.projects.today();
    each_page!(ProjectId, |page| services.projects.list(who, administration, None, None, &page).await?, |projects| {
        let mut chunk = Chunk::default();
        for p in &projects {
            chunk.push("project", &ProjectView::new(p, l))?;
        }
        let ids: Vec<ProjectId> = projects.iter().map(|p| p.id).collect();
        for m in &services.projects.milestones_of(who, &ids).await? {
            chunk.push("milestone", &MilestoneView::new(m, today, l))?;
        }
        for f in &services.fundings.of_projects(who, &ids).await? {
            chunk.push("funding", &FundingView::new(&f.funding, &f.transactions))?;
        }
        send(tx, chunk).await?;
    });
    Ok(())
}
