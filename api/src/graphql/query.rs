//! The query root: every entity and list, with Relay connections and the `Node` interface.

use async_graphql::{
    Context, ID, Object, Result,
    connection::{Connection, Edge},
};
use domain::{
    ids::{AssessmentId, IndicatorDefinitionId, IndicatorId, ObjectiveId, PlanId, PortfolioId, PracticeId, ProjectId, StakeholderId},
    page::{Page, PageRequest},
    values::AdministrationCode,
};

use super::{
    GraphqlLimits,
    errors::{OrGql, invalid},
    loaders::{Once, PlanLoader},
    types::{
        Administration, AssessmentComparison, AuditEntry, CapabilityAssessment, ComparisonEntry, Donor, Indicator, IndicatorDefinition, Me, Node, Objective,
        Plan, PlanStatus, Portfolio, Practice, PracticeKind, PracticeStatus, Project, ProjectStatus, Stakeholder, decode_global_id, uuid_of, who,
    },
};
use crate::extract::{decode_cursor, encode_cursor};

#[derive(Default)]
pub struct CoreQuery;

/// `first`/`after` into a page request, refusing pages above the configured maximum.
fn page<K, E>(ctx: &Context<'_>, first: Option<i32>, after: Option<String>, parse: impl Fn(&str) -> Result<K, E>) -> Result<PageRequest<K>> {
    let max = ctx.data::<GraphqlLimits>()?.max_page_size;
    let first = first.unwrap_or(i32::try_from(domain::page::DEFAULT_LIMIT.min(max)).unwrap_or(50));
    if first < 1 || u32::try_from(first).map_or(true, |f| f > max) {
        return Err(invalid("first", format!("first must be between 1 and {max}")));
    }
    let after = match after {
        Some(c) => Some(decode_cursor(&c, parse).map_err(|_| invalid("after", "`after` must be a cursor returned by this API"))?),
        None => None,
    };
    PageRequest::new(u32::try_from(first).ok(), after).map_err(|e| invalid("first", e.message))
}

fn connection<T, K, N: async_graphql::OutputType>(
    page: Page<T, K>,
    cursor_of: impl Fn(&T) -> String,
    wrap: impl Fn(T) -> N,
    after_given: bool,
) -> Connection<String, N> {
    let mut c = Connection::new(after_given, page.next.is_some());
    c.edges.extend(page.items.into_iter().map(|item| {
        let cursor = encode_cursor(&cursor_of(&item));
        Edge::new(cursor, wrap(item))
    }));
    c
}

#[Object]
impl CoreQuery {
    /// Any object by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let s = ctx.data::<domain::services::Services>()?;
        let p = who(ctx)?;
        let Some((kind, key)) = decode_global_id(&id) else {
            return Err(invalid("id", "not a global id of this API"));
        };
        let parse_err = |_| invalid("id", "not a global id of this API");
        Ok(Some(match kind.as_str() {
            "Administration" => {
                Node::Administration(Administration(s.administrations.get(p, AdministrationCode::parse(&key).map_err(parse_err)?).await.gql()?))
            }
            "Plan" => Node::Plan(Plan(s.plans.get(p, key.parse::<PlanId>().map_err(parse_err)?).await.gql()?)),
            "Objective" => Node::Objective(Objective(s.objectives.get(p, key.parse::<ObjectiveId>().map_err(parse_err)?).await.gql()?)),
            "Indicator" => Node::Indicator(Indicator(s.indicators.get(p, key.parse::<IndicatorId>().map_err(parse_err)?).await.gql()?)),
            "IndicatorDefinition" => {
                Node::IndicatorDefinition(IndicatorDefinition(s.catalogue.get(p, key.parse::<IndicatorDefinitionId>().map_err(parse_err)?).await.gql()?))
            }
            _ => return Err(invalid("id", "not a global id of this API")),
        }))
    }

    /// The caller, as the token names it.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let p = who(ctx)?;
        Ok(Me {
            subject: p.subject().to_owned(),
            role: p.role().as_str().to_owned(),
            administration: p.administration().map(|a| a.to_string()),
            donor: p.donor().map(ToString::to_string),
        })
    }

    /// Administrations by code.
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn administrations(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Connection<String, Administration>> {
        let s = ctx.data::<domain::services::Services>()?;
        let given = after.is_some();
        let req = page(ctx, first, after, AdministrationCode::parse)?;
        let result = s.administrations.list(who(ctx)?, &req).await.gql()?;
        Ok(connection(result, |a| a.code.to_string(), Administration, given))
    }

    async fn administration(&self, ctx: &Context<'_>, code: String) -> Result<Option<Administration>> {
        let s = ctx.data::<domain::services::Services>()?;
        let code = AdministrationCode::parse(&code).map_err(|e| invalid("code", e.message))?;
        Ok(Some(Administration(s.administrations.get(who(ctx)?, code).await.gql()?)))
    }

    /// The plans the caller may see, filtered like `GET /api/v1/plans`.
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        administration: Option<String>,
        status: Option<PlanStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Plan>> {
        let s = ctx.data::<domain::services::Services>()?;
        let administration = administration.map(|a| AdministrationCode::parse(&a).map_err(|e| invalid("administration", e.message))).transpose()?;
        let given = after.is_some();
        let req = page(ctx, first, after, str::parse::<PlanId>)?;
        let result = s.plans.list(who(ctx)?, administration, status.map(Into::into), &req).await.gql()?;
        prime_plans(ctx, &result.items)?;
        Ok(connection(result, |p| p.id.to_string(), Plan, given))
    }

    /// One plan, by global id or UUID; `null` with `NOT_FOUND` when missing or not visible.
    async fn plan(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Plan>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = PlanId::from_uuid(uuid_of("Plan", &id)?);
        let plan = s.plans.get(who(ctx)?, id).await.gql()?;
        prime_plans(ctx, std::slice::from_ref(&plan))?;
        Ok(Some(Plan(plan)))
    }

    async fn objective(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Objective>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = ObjectiveId::from_uuid(uuid_of("Objective", &id)?);
        Ok(Some(Objective(s.objectives.get(who(ctx)?, id).await.gql()?)))
    }

    async fn indicator(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Indicator>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = IndicatorId::from_uuid(uuid_of("Indicator", &id)?);
        Ok(Some(Indicator(s.indicators.get(who(ctx)?, id).await.gql()?)))
    }

    /// Like with like: the latest approved value of every administration that adopted the
    /// catalogue indicator `definitionId` and lets the caller see it.
    #[graphql(complexity = "super::cost::list(super::cost::PAGE, child_complexity)")]
    async fn comparison(&self, ctx: &Context<'_>, definition_id: ID) -> Result<Vec<ComparisonEntry>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = IndicatorDefinitionId::from_uuid(uuid_of("IndicatorDefinition", &definition_id)?);
        Ok(s.catalogue.comparison(who(ctx)?, id).await.gql()?.entries.into_iter().map(ComparisonEntry).collect())
    }

    /// Capability assessments of the caller's administration (all, for admins).
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn assessments(
        &self,
        ctx: &Context<'_>,
        administration: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, CapabilityAssessment>> {
        let s = ctx.data::<domain::services::Services>()?;
        let administration = administration.map(|a| AdministrationCode::parse(&a).map_err(|e| invalid("administration", e.message))).transpose()?;
        let given = after.is_some();
        let req = page(ctx, first, after, str::parse::<AssessmentId>)?;
        let result = s.assessments.list(who(ctx)?, administration, &req).await.gql()?;
        Ok(connection(result, |a| a.id.to_string(), CapabilityAssessment, given))
    }

    async fn assessment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<CapabilityAssessment>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = AssessmentId::from_uuid(uuid_of("CapabilityAssessment", &id)?);
        Ok(Some(CapabilityAssessment(s.assessments.get(who(ctx)?, id).await.gql()?)))
    }

    /// What improved between two assessments of one administration.
    async fn compare_assessments(&self, ctx: &Context<'_>, from: ID, to: ID) -> Result<AssessmentComparison> {
        let s = ctx.data::<domain::services::Services>()?;
        let a = AssessmentId::from_uuid(uuid_of("CapabilityAssessment", &from)?);
        let b = AssessmentId::from_uuid(uuid_of("CapabilityAssessment", &to)?);
        Ok(AssessmentComparison(s.assessments.compare(who(ctx)?, a, b).await.gql()?))
    }

    /// Searches the practice library: published practices, and the caller's own drafts.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn practices(
        &self,
        ctx: &Context<'_>,
        q: Option<String>,
        kind: Option<PracticeKind>,
        tag: Option<String>,
        status: Option<PracticeStatus>,
        administration: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Practice>> {
        let s = ctx.data::<domain::services::Services>()?;
        let given = after.is_some();
        let req = page(ctx, first, after, str::parse::<PracticeId>)?;
        let query = domain::services::PracticeQuery { q, kind: kind.map(PracticeKind::text), tag, status: status.map(PracticeStatus::text), administration };
        let result = s.practices.list(who(ctx)?, &query, &req).await.gql()?;
        Ok(connection(result, |p| p.id.to_string(), Practice, given))
    }

    async fn practice(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Practice>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = PracticeId::from_uuid(uuid_of("Practice", &id)?);
        Ok(Some(Practice(s.practices.get(who(ctx)?, id).await.gql()?)))
    }

    /// The caller's administration's projects (admins: all, or one administration's).
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        administration: Option<String>,
        status: Option<ProjectStatus>,
        #[graphql(desc = "Only the projects of this portfolio.")] portfolio: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Project>> {
        let s = ctx.data::<domain::services::Services>()?;
        let administration = administration.map(|a| AdministrationCode::parse(&a).map_err(|e| invalid("administration", e.message))).transpose()?;
        let portfolio = portfolio.map(|id| uuid_of("Portfolio", &id).map(PortfolioId::from_uuid)).transpose()?;
        let given = after.is_some();
        let req = page(ctx, first, after, str::parse::<ProjectId>)?;
        let result = s.projects.list(who(ctx)?, administration, status.map(Into::into), portfolio, &req).await.gql()?;
        Ok(connection(result, |p| p.id.to_string(), Project, given))
    }

    async fn project(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Project>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = ProjectId::from_uuid(uuid_of("Project", &id)?);
        Ok(Some(Project(s.projects.get(who(ctx)?, id).await.gql()?.project)))
    }

    /// The caller's administration's portfolios (admins: all, or one administration's).
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn portfolios(
        &self,
        ctx: &Context<'_>,
        administration: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Portfolio>> {
        let s = ctx.data::<domain::services::Services>()?;
        let administration = administration.map(|a| AdministrationCode::parse(&a).map_err(|e| invalid("administration", e.message))).transpose()?;
        let given = after.is_some();
        let req = page(ctx, first, after, str::parse::<PortfolioId>)?;
        let result = s.portfolios.list(who(ctx)?, administration, &req).await.gql()?;
        Ok(connection(result, |p| p.id.to_string(), Portfolio, given))
    }

    async fn portfolio(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Portfolio>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = PortfolioId::from_uuid(uuid_of("Portfolio", &id)?);
        Ok(Some(Portfolio(s.portfolios.get(who(ctx)?, id).await.gql()?.portfolio)))
    }

    /// The caller's administration's stakeholders (admins: all, or one administration's).
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn stakeholders(
        &self,
        ctx: &Context<'_>,
        administration: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Stakeholder>> {
        let s = ctx.data::<domain::services::Services>()?;
        let administration = administration.map(|a| AdministrationCode::parse(&a).map_err(|e| invalid("administration", e.message))).transpose()?;
        let given = after.is_some();
        let req = page(ctx, first, after, str::parse::<StakeholderId>)?;
        let result = s.stakeholders.list(who(ctx)?, administration, &req).await.gql()?;
        Ok(connection(result, |s| s.id.to_string(), Stakeholder, given))
    }

    async fn stakeholder(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Stakeholder>> {
        let s = ctx.data::<domain::services::Services>()?;
        let id = StakeholderId::from_uuid(uuid_of("Stakeholder", &id)?);
        Ok(Some(Stakeholder(s.stakeholders.get(who(ctx)?, id).await.gql()?.stakeholder)))
    }

    /// Donors by code.
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn donors(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Connection<String, Donor>> {
        let s = ctx.data::<domain::services::Services>()?;
        let given = after.is_some();
        let req = page(ctx, first, after, domain::values::DonorCode::parse)?;
        let result = s.donors.list(who(ctx)?, &req).await.gql()?;
        Ok(connection(result, |d| d.code.to_string(), Donor, given))
    }

    async fn donor(&self, ctx: &Context<'_>, code: String) -> Result<Option<Donor>> {
        let s = ctx.data::<domain::services::Services>()?;
        Ok(Some(Donor(s.donors.get(who(ctx)?, &code).await.gql()?)))
    }

    /// The audit trail, newest first: admins read all of it, others their administration's.
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        administration: Option<String>,
        entity_type: Option<String>,
        entity_id: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, AuditEntry>> {
        let s = ctx.data::<domain::services::Services>()?;
        let filter = domain::audit::AuditFilter {
            administration: administration.map(|a| AdministrationCode::parse(&a).map_err(|e| invalid("administration", e.message))).transpose()?,
            entity_type: entity_type.map(|t| domain::audit::EntityType::parse(&t).map_err(|e| invalid("entityType", e.message))).transpose()?,
            entity_id,
        };
        let given = after.is_some();
        let req = page(ctx, first, after, str::parse::<i64>)?;
        let result = s.audit.list(who(ctx)?, &filter, &req).await.gql()?;
        Ok(connection(result, |r| r.id.to_string(), AuditEntry, given))
    }

    /// The catalogue of standard Customs KPIs, by code.
    #[graphql(complexity = "super::cost::page(first, child_complexity)")]
    async fn indicator_definitions(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Connection<String, IndicatorDefinition>> {
        let s = ctx.data::<domain::services::Services>()?;
        let given = after.is_some();
        let req = page(ctx, first, after, |k| Ok::<_, ()>(k.to_owned()))?;
        let result = s.catalogue.list(who(ctx)?, &req).await.gql()?;
        Ok(connection(result, |d| d.code.clone(), IndicatorDefinition, given))
    }
}

/// Hands the plans a root field read to the request's plan loader, so that their results and
/// relations do not read them again.
fn prime_plans(ctx: &Context<'_>, plans: &[domain::plan::StrategicPlan]) -> Result<()> {
    let loader = super::types::loader::<Once<PlanId, PlanLoader>>(ctx)?.loader();
    for p in plans {
        loader.prime(p.id, p.clone());
    }
    Ok(())
}
