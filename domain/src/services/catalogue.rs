//! The shared catalogue of standard indicator definitions: readable by every caller.

use crate::{
    DomainError,
    catalogue::standard_definitions,
    ids::IndicatorDefinitionId,
    indicator::IndicatorDefinition,
    page::{Page, PageRequest},
    principal::Principal,
};

use super::Ctx;

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
