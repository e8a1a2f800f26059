//! Administrations: every authenticated caller may list them (they are the Programme's
//! members); only admins create them. They are reference data that nearly every answer needs
//! (names, default languages), so the process keeps them in memory: see [`Directory`].

use std::{
    collections::BTreeMap,
    sync::{Arc, RwLock},
};

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
    pub(crate) cache: Arc<DirectoryCache>,
}

/// Every administration by code, as this process last read them.
pub type Directory = BTreeMap<AdministrationCode, Administration>;

/// The process's copy of the administrations. It is read whole on first use and again after a
/// write of this process invalidates it. Administrations are only ever created, never changed
/// or deleted; one created by another process is found by the first request that names its
/// code (a code missing here is looked up in the database, and a hit drops the copy).
#[derive(Default)]
pub struct DirectoryCache(RwLock<Option<Arc<Directory>>>);

impl DirectoryCache {
    fn get(&self) -> Option<Arc<Directory>> {
        self.0.read().ok().and_then(|d| d.clone())
    }

    fn set(&self, directory: Arc<Directory>) {
        if let Ok(mut d) = self.0.write() {
            *d = Some(directory);
        }
    }

    /// Drops the copy: the next reader reads the table again.
    pub fn invalidate(&self) {
        if let Ok(mut d) = self.0.write() {
            *d = None;
        }
    }
}

impl AdministrationService {
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(&self, _who: &Principal, page: &PageRequest<AdministrationCode>) -> Result<Page<Administration, AdministrationCode>, DomainError> {
        let rows = self.ctx.store.read().list_administrations(page).await?;
        Ok(page.page(rows, |a| a.code))
    }

    /// Every administration by code (there are at most a few hundred), for rendering texts in
    /// their default languages; read from the process's copy, which is filled on first use.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn directory(&self) -> Result<Arc<Directory>, DomainError> {
        if let Some(d) = self.cache.get() {
            return Ok(d);
        }
        let mut all = Directory::new();
        let mut page = PageRequest::first(crate::page::MAX_LIMIT);
        loop {
            let rows = self.ctx.store.read().list_administrations(&page).await?;
            let chunk = page.page(rows, |a| a.code);
            all.extend(chunk.items.into_iter().map(|a| (a.code, a)));
            match chunk.next {
                Some(next) => page.after = Some(next),
                None => break,
            }
        }
        let directory = Arc::new(all);
        self.cache.set(directory.clone());
        Ok(directory)
    }

    /// The administrations with these codes (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn by_codes(&self, _who: &Principal, codes: &[AdministrationCode]) -> Result<Vec<Administration>, DomainError> {
        let directory = self.directory().await?;
        let (mut found, missing): (Vec<Administration>, Vec<AdministrationCode>) =
            (codes.iter().filter_map(|c| directory.get(c).cloned()).collect(), codes.iter().filter(|c| !directory.contains_key(c)).copied().collect());
        if !missing.is_empty() {
            // Created by another process since the copy was read, or unknown.
            let fresh = self.ctx.store.read().administrations_by_codes(&missing).await?;
            if !fresh.is_empty() {
                self.cache.invalidate();
            }
            found.extend(fresh);
        }
        Ok(found)
    }

    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get(&self, who: &Principal, code: AdministrationCode) -> Result<Administration, DomainError> {
        self.by_codes(who, &[code]).await?.pop().ok_or(DomainError::not_found("administration"))
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
        self.cache.invalidate();
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
