//! Donors: global reference data, read by every caller and kept by admins.

use crate::{
    DomainError, StoreError,
    audit::{Audience, EntityType, Operation},
    donor::{Donor, DonorDraft, DonorInput},
    ids::DonorId,
    page::{Page, PageRequest},
    principal::Principal,
    values::DonorCode,
};

use super::{Ctx, Journal, check_version, snapshot, stale_on_race};

#[derive(Clone)]
pub struct DonorService {
    pub(crate) ctx: Ctx,
}

fn journal<'a>(who: &'a Principal, d: &Donor, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at: d.updated_at,
        administration: None,
        entity_type: EntityType::Donor,
        entity_id: d.code.to_string(),
        operation,
        action: action.to_owned(),
        audience: Audience::Everyone,
    }
}

fn parse_code(code: &str) -> Result<DonorCode, DomainError> {
    DonorCode::parse(code).map_err(|_| DomainError::not_found("donor"))
}

impl DonorService {
    /// Donors by code.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(&self, _who: &Principal, page: &PageRequest<DonorCode>) -> Result<Page<Donor, DonorCode>, DomainError> {
        let rows = self.ctx.store.read().list_donors(page).await?;
        Ok(page.page(rows, |d| d.code.clone()))
    }

    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn get(&self, _who: &Principal, code: &str) -> Result<Donor, DomainError> {
        self.ctx.store.read().donor(&parse_code(code)?).await?.ok_or(DomainError::not_found("donor"))
    }

    /// Registers a donor (admins only).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::Validation`], [`DomainError::Conflict`]
    /// (`code_taken`).
    pub async fn create(&self, who: &Principal, input: &DonorInput) -> Result<Donor, DomainError> {
        who.ensure_admin()?;
        let draft = DonorDraft::parse(input, None).map_err(DomainError::Validation)?;
        let now = self.ctx.clock.now();
        let donor =
            Donor { id: DonorId::generate(), code: draft.code, name: draft.name, iati_org_id: draft.iati_org_id, version: 1, created_at: now, updated_at: now };
        let tx = self.ctx.store.begin().await?;
        if tx.donor(&donor.code).await?.is_some() {
            return Err(DomainError::conflict("code_taken", format!("donor {} exists already", donor.code)));
        }
        tx.insert_donor(&donor).await.map_err(|e| match e {
            StoreError::Duplicate(_) => DomainError::conflict("code_taken", format!("donor {} exists already", donor.code)),
            other => other.into(),
        })?;
        journal(who, &donor, Operation::Create, "create").write(tx.as_ref(), None, snapshot(&donor)).await?;
        tx.commit().await?;
        Ok(donor)
    }

    /// Creates the donor unless its code exists (seeding); returns whether it was created.
    ///
    /// # Errors
    /// As [`Self::create`].
    pub async fn ensure(&self, who: &Principal, input: &DonorInput) -> Result<bool, DomainError> {
        match self.create(who, input).await {
            Ok(_) => Ok(true),
            Err(DomainError::Conflict { code: "code_taken", .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Changes a donor's name or IATI identifier (admins only).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::NotFound`], [`DomainError::Validation`],
    /// [`DomainError::StaleVersion`].
    pub async fn update(&self, who: &Principal, code: &str, input: &DonorInput, expected_version: Option<i64>) -> Result<Donor, DomainError> {
        who.ensure_admin()?;
        let code = parse_code(code)?;
        let tx = self.ctx.store.begin().await?;
        let before = tx.donor(&code).await?.ok_or(DomainError::not_found("donor"))?;
        check_version(expected_version, before.version)?;
        let draft = DonorDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        let mut donor = Donor { name: draft.name, iati_org_id: draft.iati_org_id, ..before.clone() };
        if donor == before {
            return Ok(before);
        }
        donor.version += 1;
        donor.updated_at = self.ctx.clock.now();
        tx.update_donor(&donor, before.version).await.map_err(stale_on_race)?;
        journal(who, &donor, Operation::Update, "update").write(tx.as_ref(), snapshot(&before), snapshot(&donor)).await?;
        tx.commit().await?;
        Ok(donor)
    }
}
