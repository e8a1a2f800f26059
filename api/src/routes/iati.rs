//! `GET /iati/activities.xml`: the projects the caller may read as IATI 2.03 activities. The
//! data comes through the same use cases as the REST reads, so the same visibility rules
//! apply; `crate::iati` renders it.

use std::collections::{BTreeSet, HashMap};

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{
    DomainError, FieldError,
    donor::Donor,
    ids::{IndicatorId, ObjectiveId, ProjectId},
    page::PageRequest,
    principal::Principal,
    services::Services,
    values::{AdministrationCode, DonorCode},
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ReadErrors;
use crate::{
    auth::Auth,
    error::ApiError,
    extract::ApiQuery,
    iati::{Activity, ActivityFunding, ActivityIndicator, ActivityResult, Document},
};

/// Projects read per round trip while the document is built: few, as each brings its
/// fundings, objectives, indicators, targets and measurements along.
const PAGE: u32 = 5;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IatiQuery {
    /// The projects this donor funds (give this or `administration`).
    #[param(example = "SECO")]
    pub donor: Option<String>,
    /// The projects of this administration (give this or `donor`).
    #[param(example = "BOL")]
    pub administration: Option<String>,
}

/// Which projects to export.
enum Filter {
    Donor(DonorCode),
    Administration(AdministrationCode),
}

impl Filter {
    fn parse(q: &IatiQuery) -> Result<Self, ApiError> {
        let both = "give exactly one of `donor` and `administration`";
        match (q.donor.as_deref(), q.administration.as_deref()) {
            (Some(d), None) => DonorCode::parse(d).map(Self::Donor).map_err(|e| e.under("donor").into()),
            (None, Some(a)) => AdministrationCode::parse(a).map(Self::Administration).map_err(|e| e.under("administration").into()),
            (Some(_), Some(_)) => {
                Err(ApiError::validation(vec![FieldError::new("donor", "exclusive", both), FieldError::new("administration", "exclusive", both)]))
            }
            (None, None) => Err(ApiError::validation(vec![FieldError::new("donor", "required", both), FieldError::new("administration", "required", both)])),
        }
    }
}

/// The projects you may read, of one administration or funded by one donor, as an IATI 2.03
/// `iati-activities` document: titles and descriptions in every language, the funding donors
/// (role 1) and the administration (role 4), the status and dates, the budget, the donors'
/// commitments and transactions, and a `result` per objective the project contributes to, with
/// its indicators' baselines, targets and approved actuals. The schema requires at least one
/// activity, so a selection without any answers 404.
#[utoipa::path(get, path = "/iati/activities.xml", tag = "exports", params(IatiQuery),
    responses((status = 200, description = "An IATI 2.03 activities document", body = String, content_type = "application/xml"), ReadErrors),
    security(("bearer" = [])))]
pub async fn activities(State(services): State<Services>, Auth(who): Auth, ApiQuery(q): ApiQuery<IatiQuery>) -> Result<Response, ApiError> {
    let filter = Filter::parse(&q)?;
    let administrations = services.administrations.directory().await?;
    let mut donors: HashMap<DonorCode, Option<Donor>> = HashMap::new();
    let mut document = Document::new(chrono::Utc::now());
    let mut exported = 0_usize;
    let mut page = PageRequest::<ProjectId>::first(PAGE);
    loop {
        let administration = match &filter {
            Filter::Administration(a) => Some(*a),
            Filter::Donor(_) => None,
        };
        let projects = services.projects.list(&who, administration, None, None, &page).await?;
        let ids: Vec<ProjectId> = projects.items.iter().map(|p| p.id).collect();
        let fundings = services.fundings.of_projects(&who, &ids).await?;
        let selected: Vec<_> = projects
            .items
            .into_iter()
            .filter(|p| match &filter {
                Filter::Donor(d) => fundings.iter().any(|f| f.funding.project_id == p.id && &f.funding.donor == d),
                Filter::Administration(_) => true,
            })
            .collect();
        let results = results_of(&services, &who, selected.iter().flat_map(|p| p.objective_ids.iter().copied()).collect()).await?;
        for f in &fundings {
            if !donors.contains_key(&f.funding.donor) {
                let donor = match services.donors.get(&who, f.funding.donor.as_str()).await {
                    Ok(d) => Some(d),
                    Err(DomainError::NotFound { .. }) => None,
                    Err(e) => return Err(e.into()),
                };
                donors.insert(f.funding.donor.clone(), donor);
            }
        }
        for project in selected {
            let Some(administration) = administrations.get(&project.administration).cloned() else { continue };
            let fundings = fundings
                .iter()
                .filter(|f| f.funding.project_id == project.id)
                .map(|f| ActivityFunding {
                    funding: f.funding.clone(),
                    donor: donors.get(&f.funding.donor).cloned().flatten(),
                    transactions: f.transactions.clone(),
                })
                .collect();
            let results = project.objective_ids.iter().filter_map(|o| results.get(o).cloned()).collect();
            document.activity(&Activity { project, administration, fundings, results });
            exported += 1;
        }
        match projects.next {
            Some(after) => page.after = Some(after),
            None => break,
        }
    }
    if exported == 0 {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not Found", "no project you may read matches: there is no activity to export"));
    }
    let mut response = document.finish().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    Ok(response)
}

/// The objectives among `ids` the caller may read, each with the indicators it may read, their
/// targets and measurements.
async fn results_of(services: &Services, who: &Principal, ids: BTreeSet<ObjectiveId>) -> Result<HashMap<ObjectiveId, ActivityResult>, ApiError> {
    let ids: Vec<ObjectiveId> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let objectives = services.objectives.by_ids(who, &ids).await?;
    let readable: Vec<ObjectiveId> = objectives.iter().map(|o| o.id).collect();
    let indicators = services.indicators.of_objectives(who, &readable).await?;
    let indicator_ids: Vec<IndicatorId> = indicators.iter().map(|i| i.id).collect();
    let targets = services.results.targets_of(who, &indicator_ids).await?;
    let measurements = services.results.measurements_of(who, &indicator_ids).await?;
    Ok(objectives
        .into_iter()
        .map(|objective| {
            let indicators = indicators
                .iter()
                .filter(|i| i.objective_id == objective.id)
                .map(|i| ActivityIndicator {
                    indicator: i.clone(),
                    targets: targets.iter().filter(|t| t.indicator_id == i.id).cloned().collect(),
                    measurements: measurements.iter().filter(|m| m.indicator_id == i.id).cloned().collect(),
                })
                .collect();
            (objective.id, ActivityResult { objective, indicators })
        })
        .collect())
}
