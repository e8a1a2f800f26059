//! Portfolios: kept and read by their administration (and admins). Donors see the projects
//! they fund, not how the administration groups them.

use crate::{
    DomainError, StoreError,
    audit::{Audience, EntityType, Operation},
    ids::PortfolioId,
    page::{Page, PageRequest},
    portfolio::{Portfolio, PortfolioDraft, PortfolioInput, PortfolioSummary},
    ports::Repositories,
    principal::{Principal, Scope},
    values::AdministrationCode,
};

use super::{Ctx, Journal, check_version, internal_scope, plans::resolve_administration, snapshot, stale_on_race};

#[derive(Clone)]
pub struct PortfolioService {
    pub(crate) ctx: Ctx,
}

/// A portfolio with the roll-up of its projects.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioReport {
    pub portfolio: Portfolio,
    pub summary: PortfolioSummary,
    /// The day the schedule figures were judged on.
    pub as_of: chrono::NaiveDate,
}

async fn readable(repos: &dyn Repositories, who: &Principal, id: PortfolioId) -> Result<Portfolio, DomainError> {
    match repos.portfolio(id).await? {
        Some(p) if who.is_insider(p.administration) => Ok(p),
        _ => Err(DomainError::not_found("portfolio")),
    }
}

fn journal<'a>(who: &'a Principal, p: &Portfolio, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at: p.updated_at,
        administration: Some(p.administration),
        entity_type: EntityType::Portfolio,
        entity_id: p.id.to_string(),
        operation,
        action: action.to_owned(),
        audience: Audience::Internal,
    }
}

fn code_taken(e: StoreError) -> DomainError {
    match e {
        StoreError::Duplicate(_) => DomainError::conflict("code_taken", "another portfolio of this administration has this code"),
        other => stale_on_race(other),
    }
}

impl PortfolioService {
    /// The caller's administration's portfolios (all, or one administration's, for admins).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(
        &self,
        who: &Principal,
        administration: Option<AdministrationCode>,
        page: &PageRequest<PortfolioId>,
    ) -> Result<Page<Portfolio, PortfolioId>, DomainError> {
        let Some(scope) = internal_scope(who, administration) else { return Ok(Page { items: Vec::new(), next: None }) };
        let rows = self.ctx.store.read().list_portfolios(scope, page).await?;
        Ok(page.page(rows, |p| p.id))
    }

    /// A portfolio with the roll-up of its projects.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] also for another administration's portfolio.
    pub async fn get(&self, who: &Principal, id: PortfolioId) -> Result<PortfolioReport, DomainError> {
        let portfolio = readable(self.ctx.store.read(), who, id).await?;
        let as_of = self.ctx.clock.now().date_naive();
        let summary = self.summaries(who, &[id]).await?.into_iter().next().map(|(_, s)| s).unwrap_or_else(|| PortfolioSummary::of(&[], &[], as_of));
        Ok(PortfolioReport { portfolio, summary, as_of })
    }

    /// These portfolios, those the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn by_ids(&self, who: &Principal, ids: &[PortfolioId]) -> Result<Vec<Portfolio>, DomainError> {
        let rows = self.ctx.store.read().portfolios_by_ids(ids).await?;
        Ok(rows.into_iter().filter(|p| who.is_insider(p.administration)).collect())
    }

    /// The roll-ups of these portfolios (those the caller may see), in two statements.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn summaries(&self, who: &Principal, ids: &[PortfolioId]) -> Result<Vec<(PortfolioId, PortfolioSummary)>, DomainError> {
        let repos = self.ctx.store.read();
        let projects: Vec<_> = repos.projects_in_portfolios(ids).await?.into_iter().filter(|p| who.is_insider(p.administration)).collect();
        let project_ids: Vec<_> = projects.iter().map(|p| p.id).collect();
        let milestones = repos.milestones_of(&project_ids).await?;
        let today = self.ctx.clock.now().date_naive();
        Ok(ids
            .iter()
            .map(|id| {
                let mine: Vec<_> = projects.iter().filter(|p| p.portfolio_id == Some(*id)).cloned().collect();
                let theirs: Vec<_> = milestones.iter().filter(|m| mine.iter().any(|p| p.id == m.project_id)).cloned().collect();
                (*id, PortfolioSummary::of(&mine, &theirs, today))
            })
            .collect())
    }

    /// The projects of these portfolios the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn projects_of(&self, who: &Principal, ids: &[PortfolioId]) -> Result<Vec<crate::project::Project>, DomainError> {
        let rows = self.ctx.store.read().projects_in_portfolios(ids).await?;
        Ok(rows.into_iter().filter(|p| who.is_insider(p.administration)).collect())
    }

    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::Validation`], [`DomainError::Conflict`] (`code_taken`).
    pub async fn create(&self, who: &Principal, administration: Option<&str>, input: &PortfolioInput) -> Result<Portfolio, DomainError> {
        who.ensure_writer()?;
        let administration = resolve_administration(who, administration)?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let draft = PortfolioDraft::parse(input, None).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        if tx.administration(administration).await?.is_none() {
            return Err(DomainError::validation("administration", "unknown", format!("no administration {administration} is registered")));
        }
        let now = self.ctx.clock.now();
        let p = Portfolio {
            id: PortfolioId::generate(),
            administration,
            code: draft.code,
            title: draft.title,
            description: draft.description,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_portfolio(&p).await.map_err(code_taken)?;
        journal(who, &p, Operation::Create, "create").write(tx.as_ref(), None, snapshot(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// # Errors
    /// As [`Self::create`], plus [`DomainError::NotFound`] and [`DomainError::StaleVersion`].
    pub async fn update(&self, who: &Principal, id: PortfolioId, input: &PortfolioInput, expected_version: Option<i64>) -> Result<Portfolio, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let draft = PortfolioDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        let mut p = Portfolio { code: draft.code, title: draft.title, description: draft.description, ..before.clone() };
        if p == before {
            return Ok(before);
        }
        p.version += 1;
        p.updated_at = self.ctx.clock.now();
        tx.update_portfolio(&p, before.version).await.map_err(code_taken)?;
        journal(who, &p, Operation::Update, "update").write(tx.as_ref(), snapshot(&before), snapshot(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Deletes an empty portfolio; projects are moved out (or deleted) first, so that none
    /// loses its grouping silently.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`],
    /// [`DomainError::Conflict`] (`portfolio_not_empty`).
    pub async fn delete(&self, who: &Principal, id: PortfolioId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let p = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(p.administration, Scope::PlansWrite)?;
        check_version(expected_version, p.version)?;
        let projects = tx.projects_in_portfolios(&[id]).await?;
        if !projects.is_empty() {
            return Err(DomainError::conflict(
                "portfolio_not_empty",
                format!("{} project(s) still belong to this portfolio; move them to another portfolio or out of it first", projects.len()),
            ));
        }
        // A project moved in meanwhile is refused by the schema; the answer is the same.
        tx.delete_portfolio(id).await.map_err(|e| match e {
            StoreError::Referenced(_) => DomainError::conflict("portfolio_not_empty", "a project was added to this portfolio meanwhile"),
            other => other.into(),
        })?;
        let gone = Portfolio { updated_at: self.ctx.clock.now(), ..p.clone() };
        journal(who, &gone, Operation::Delete, "delete").write(tx.as_ref(), snapshot(&p), None).await?;
        tx.commit().await?;
        Ok(())
    }
}
