//! The shared catalogue of standard indicator definitions: readable by every caller.

use std::collections::{BTreeMap, HashMap};

use crate::{
    DomainError,
    catalogue::standard_definitions,
    ids::{IndicatorDefinitionId, IndicatorId, PlanId},
    indicator::Indicator,
    indicator::IndicatorDefinition,
    measurement::Measurement,
    page::{Page, PageRequest},
    period::Period,
    principal::Principal,
    progress::Standing,
    values::{AdministrationCode, Quantity},
};

use super::{Ctx, indicators::visible_indicators, results::standing};

#[derive(Clone)]
pub struct CatalogueService {
    pub(crate) ctx: Ctx,
}

impl CatalogueService {
    /// Definitions ordered by code.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(&self, _who: &Principal, page: &PageRequest<String>) -> Result<Page<IndicatorDefinition, String>, DomainError> {
        let rows = self.ctx.store.read().list_definitions(page).await?;
        Ok(page.page(rows, |d| d.code.clone()))
    }

    /// The catalogue entries with these ids (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn by_ids(&self, _who: &Principal, ids: &[IndicatorDefinitionId]) -> Result<Vec<IndicatorDefinition>, DomainError> {
        Ok(self.ctx.store.read().definitions_by_ids(ids).await?)
    }

    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get(&self, _who: &Principal, id: IndicatorDefinitionId) -> Result<IndicatorDefinition, DomainError> {
        self.ctx.store.read().definition(id).await?.ok_or(DomainError::not_found("indicator definition"))
    }

    /// Makes sure the standard definitions are stored (run at start-up; idempotent).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn install_standard(&self) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        tx.ensure_definitions(&standard_definitions()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One administration's latest approved figure for a catalogue indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonEntry {
    pub administration: AdministrationCode,
    pub plan_id: PlanId,
    pub indicator: Indicator,
    pub period: Period,
    pub value: Quantity,
    /// The indicator's standing against its own baseline and targets.
    pub progress: Standing,
}

/// Like with like: a catalogue indicator across the administrations that adopted it.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub definition: IndicatorDefinition,
    /// One entry per administration, by code; administrations without an approved value
    /// are left out.
    pub entries: Vec<ComparisonEntry>,
}

impl CatalogueService {
    /// The latest approved value of every administration that adopted `id` and lets the
    /// caller see it (disclosed plans and indicators, or its own). Where an administration
    /// has several such indicators, the one measured most recently counts.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] for an unknown definition.
    pub async fn comparison(&self, who: &Principal, id: IndicatorDefinitionId) -> Result<Comparison, DomainError> {
        let repos = self.ctx.store.read();
        let definition = repos.definition(id).await?.ok_or(DomainError::not_found("indicator definition"))?;
        let visible = visible_indicators(repos, who, repos.indicators_of_definition(id).await?).await?;
        let ids: Vec<_> = visible.iter().map(|(i, _)| i.id).collect();
        let targets = super::results::group_by(repos.target_points_of(&ids).await?, |t| t.indicator_id);
        let latest: HashMap<IndicatorId, Measurement> = repos.latest_approved_of(&ids).await?.into_iter().map(|m| (m.indicator_id, m)).collect();
        let mut best: BTreeMap<AdministrationCode, ComparisonEntry> = BTreeMap::new();
        for (indicator, plan) in visible {
            let Some(m) = latest.get(&indicator.id) else { continue };
            let Some(value) = m.approved_value else { continue };
            let period = m.period;
            let progress = standing(&indicator, &plan, targets.get(&indicator.id).map(Vec::as_slice).unwrap_or_default(), Some(m));
            let entry = ComparisonEntry { administration: indicator.administration, plan_id: plan.id, indicator, period, value, progress };
            match best.get(&entry.administration) {
                Some(current) if current.period >= entry.period => {}
                _ => {
                    best.insert(entry.administration, entry);
                }
            }
        }
        Ok(Comparison { definition, entries: best.into_values().collect() })
    }
}
