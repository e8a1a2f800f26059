//! The router's state, split into the substates handlers take (`State<PlanService>`, ...), so a
//! handler sees only the use case it calls.

use std::sync::Arc;

use axum::extract::FromRef;
use domain::services::{
    AdministrationService, AssessmentService, AuditService, CatalogueService, ChangeService, ClientService, DonorService, FundingService, ImportService,
    IndicatorService, ObjectiveService, PlanService, PortfolioService, PracticeService, ProjectService, ResultService, RiskService, Services,
    StakeholderService, WebhookService,
};

use crate::auth::Authenticator;

#[derive(Clone)]
pub struct ApiState {
    pub services: Services,
    pub auth: Authenticator,
    /// The changes as they commit, which GraphQL subscriptions follow.
    pub live: Arc<dyn domain::ports::ChangeStream>,
    /// What `/metrics` reports (off: nothing is recorded).
    pub metrics: crate::metrics::Metrics,
    /// The token endpoint's settings.
    pub oauth: Arc<crate::oauth::OAuthSettings>,
}

macro_rules! substate {
    ($($ty:ty => $field:ident),+ $(,)?) => {
        $(impl FromRef<ApiState> for $ty {
            fn from_ref(state: &ApiState) -> Self {
                state.services.$field.clone()
            }
        })+
    };
}

substate!(
    AdministrationService => administrations,
    AuditService => audit,
    AssessmentService => assessments,
    PracticeService => practices,
    DonorService => donors,
    ProjectService => projects,
    PortfolioService => portfolios,
    FundingService => fundings,
    RiskService => risks,
    StakeholderService => stakeholders,
    PlanService => plans,
    ObjectiveService => objectives,
    IndicatorService => indicators,
    ResultService => results,
    CatalogueService => catalogue,
    ClientService => clients,
    ChangeService => changes,
    WebhookService => webhooks,
    ImportService => import,
);

impl FromRef<ApiState> for Services {
    fn from_ref(state: &ApiState) -> Self {
        state.services.clone()
    }
}

impl FromRef<ApiState> for Authenticator {
    fn from_ref(state: &ApiState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<ApiState> for crate::metrics::Metrics {
    fn from_ref(state: &ApiState) -> Self {
        state.metrics.clone()
    }
}
