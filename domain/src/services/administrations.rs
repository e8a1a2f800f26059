//! Administrations: every authenticated caller may list them (they are the Programme's
//! members); only admins create them.

use crate::{
    DomainError, StoreError,
    audit::{Audience, EntityType, Operation},
    ids::AdministrationId,
    page::{Page, PageRequest},
    plan::{Administration, AdministrationDraft, AdministrationInput},
    principal::Principal,
    values::AdministrationCode,
};

use super::{Ctx, Journal, snapshot};

#[derive(Clone)]
pub struct AdministrationService {
    pub(crate) ctx: Ctx,
}

impl AdministrationService {
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(&self, _who: &Principal, page: &PageRequest<AdministrationCode>) -> Result<Page<Administration, AdministrationCode>, DomainError> {
        let rows = self.ctx.store.read().list_administrations(page).await?;
        Ok(page.page(rows, |a| a.code))
    }

    /// Every administration (there are at most a few hundred), for rendering texts in their
    /// default languages.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn all(&self) -> Result<Vec<Administration>, DomainError> {
        let mut all = Vec::new();
        let mut page = PageRequest::first(crate::page::MAX_LIMIT);
        loop {
            let rows = self.ctx.store.read().list_administrations(&page).await?;
            let chunk = page.page(rows, |a| a.code);
            all.extend(chunk.items);
            match chunk.next {
                Some(next) => page.after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// The administrations with these codes (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn by_codes(&self, _who: &Principal, codes: &[AdministrationCode]) -> Result<Vec<Administration>, DomainError> {
        Ok(self.ctx.store.read().administrations_by_codes(codes).await?)
    }

    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get(&self, _who: &Principal, code: AdministrationCode) -> Result<Administration, DomainError> {
        self.ctx.store.read().administration(code).await?.ok_or(DomainError::not_found("administration"))
    }

    /// # Errors
    /// [`DomainError::Forbidden`] unless admin, [`DomainError::Validation`],
    /// [`DomainError::Conflict`] when the code is taken.
    pub async fn create(&self, who: &Principal, input: &AdministrationInput) -> Result<Administration, DomainError> {
        who.ensure_admin()?;
        let draft = AdministrationDraft::parse(input).map_err(DomainError::Validation)?;
        let now = self.ctx.clock.now();
        let administration = Administration {
            id: AdministrationId::generate(),
            code: draft.code,
            name: draft.name,
            default_language: draft.default_language,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let tx = self.ctx.store.begin().await?;
        if tx.administration(administration.code).await?.is_some() {
            return Err(DomainError::conflict("code_taken", format!("administration {} exists already", administration.code)));
        }
        tx.insert_administration(&administration).await.map_err(|e| match e {
            StoreError::Duplicate(_) => DomainError::conflict("code_taken", format!("administration {} exists already", administration.code)),
            other => other.into(),
        })?;
        Journal {
            who,
            at: now,
            administration: Some(administration.code),
            entity_type: EntityType::Administration,
            entity_id: administration.code.to_string(),
            operation: Operation::Create,
            action: "create".into(),
            audience: Audience::Everyone,
        }
        .write(tx.as_ref(), None, snapshot(&administration))
        .await?;
        tx.commit().await?;
        Ok(administration)
    }

    /// Creates the administration unless its code exists (used by seeding); returns whether
    /// it was created.
    ///
    /// # Errors
    /// As [`Self::create`].
    pub async fn ensure(&self, who: &Principal, input: &AdministrationInput) -> Result<bool, DomainError> {
        match self.create(who, input).await {
            Ok(_) => Ok(true),
            Err(DomainError::Conflict { code: "code_taken", .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
