//! Stakeholders and engagements: kept and read by their administration (and admins).

use crate::{
    DomainError, StoreError,
    audit::{Audience, EntityType, Operation},
    ids::{EngagementId, StakeholderId},
    page::{Page, PageRequest},
    ports::Repositories,
    principal::{Principal, Scope},
    stakeholder::{Engagement, EngagementRole, EngagementSubject, Stakeholder, StakeholderDraft, StakeholderInput},
    values::AdministrationCode,
};

use super::{
    Ctx, Journal, check_version, internal_scope, objectives::readable_objective, plans::resolve_administration, projects::readable_project, snapshot,
    stale_on_race,
};

#[derive(Clone)]
pub struct StakeholderService {
    pub(crate) ctx: Ctx,
}

/// A stakeholder with its engagements.
#[derive(Debug, Clone, PartialEq)]
pub struct StakeholderReport {
    pub stakeholder: Stakeholder,
    pub engagements: Vec<Engagement>,
}

async fn readable(repos: &dyn Repositories, who: &Principal, id: StakeholderId) -> Result<Stakeholder, DomainError> {
    match repos.stakeholder(id).await? {
        Some(s) if who.is_insider(s.administration) => Ok(s),
        _ => Err(DomainError::not_found("stakeholder")),
    }
}

fn journal<'a>(
    who: &'a Principal,
    entity_type: EntityType,
    id: String,
    administration: AdministrationCode,
    at: chrono::DateTime<chrono::Utc>,
    operation: Operation,
    action: &str,
) -> Journal<'a> {
    Journal { who, at, administration: Some(administration), entity_type, entity_id: id, operation, action: action.to_owned(), audience: Audience::Internal }
}

impl StakeholderService {
    /// The caller's administration's stakeholders (all, or one administration's, for admins).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(
        &self,
        who: &Principal,
        administration: Option<AdministrationCode>,
        page: &PageRequest<StakeholderId>,
    ) -> Result<Page<Stakeholder, StakeholderId>, DomainError> {
        let Some(scope) = internal_scope(who, administration) else { return Ok(Page { items: Vec::new(), next: None }) };
        let rows = self.ctx.store.read().list_stakeholders(scope, page).await?;
        Ok(page.page(rows, |s| s.id))
    }

    /// A stakeholder with its engagements.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] also for another administration's stakeholder.
    pub async fn get(&self, who: &Principal, id: StakeholderId) -> Result<StakeholderReport, DomainError> {
        let repos = self.ctx.store.read();
        let stakeholder = readable(repos, who, id).await?;
        let engagements = repos.engagements_of(&[id]).await?;
        Ok(StakeholderReport { stakeholder, engagements })
    }

    /// The engagements of these stakeholders the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn engagements_of(&self, who: &Principal, ids: &[StakeholderId]) -> Result<Vec<Engagement>, DomainError> {
        let rows = self.ctx.store.read().engagements_of(ids).await?;
        Ok(rows.into_iter().filter(|e| who.is_insider(e.administration)).collect())
    }

    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::Validation`].
    pub async fn create(&self, who: &Principal, administration: Option<&str>, input: &StakeholderInput) -> Result<Stakeholder, DomainError> {
        who.ensure_writer()?;
        let administration = resolve_administration(who, administration)?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let draft = StakeholderDraft::parse(input, None).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        if tx.administration(administration).await?.is_none() {
            return Err(DomainError::validation("administration", "unknown", format!("no administration {administration} is registered")));
        }
        let now = self.ctx.clock.now();
        let s = Stakeholder {
            id: StakeholderId::generate(),
            administration,
            name: draft.name,
            kind: draft.kind,
            contact: draft.contact,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_stakeholder(&s).await?;
        journal(who, EntityType::Stakeholder, s.id.to_string(), administration, now, Operation::Create, "create")
            .write(tx.as_ref(), None, snapshot(&s))
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::StaleVersion`].
    pub async fn update(
        &self,
        who: &Principal,
        id: StakeholderId,
        input: &StakeholderInput,
        expected_version: Option<i64>,
    ) -> Result<Stakeholder, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let draft = StakeholderDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        let mut s = Stakeholder { name: draft.name, kind: draft.kind, contact: draft.contact, ..before.clone() };
        if s == before {
            return Ok(before);
        }
        s.version += 1;
        s.updated_at = self.ctx.clock.now();
        tx.update_stakeholder(&s, before.version).await.map_err(stale_on_race)?;
        journal(who, EntityType::Stakeholder, s.id.to_string(), s.administration, s.updated_at, Operation::Update, "update")
            .write(tx.as_ref(), snapshot(&before), snapshot(&s))
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Deletes a stakeholder with its engagements.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: StakeholderId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let s = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(s.administration, Scope::PlansWrite)?;
        check_version(expected_version, s.version)?;
        let engagements = tx.engagements_of(&[id]).await?;
        tx.delete_stakeholder(id).await?;
        let now = self.ctx.clock.now();
        for e in &engagements {
            journal(who, EntityType::Engagement, e.id.to_string(), e.administration, now, Operation::Delete, "delete")
                .write(tx.as_ref(), snapshot(e), None)
                .await?;
        }
        journal(who, EntityType::Stakeholder, s.id.to_string(), s.administration, now, Operation::Delete, "delete")
            .write(tx.as_ref(), snapshot(&s), None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a stakeholder a role on an objective or a project of the same administration.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] (stakeholder or subject), [`DomainError::Forbidden`],
    /// [`DomainError::Conflict`] (`already_engaged`).
    pub async fn engage(
        &self,
        who: &Principal,
        stakeholder: StakeholderId,
        subject: EngagementSubject,
        role: EngagementRole,
    ) -> Result<Engagement, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let s = readable(tx.as_ref(), who, stakeholder).await?;
        who.ensure_can_write(s.administration, Scope::PlansWrite)?;
        let subject_administration = match subject {
            EngagementSubject::Objective(id) => readable_objective(tx.as_ref(), who, id).await?.administration,
            EngagementSubject::Project(id) => readable_project(tx.as_ref(), who, id).await?.administration,
        };
        if subject_administration != s.administration {
            return Err(DomainError::validation(
                "subject",
                "other_administration",
                "a stakeholder is engaged on its own administration's objectives and projects",
            ));
        }
        let now = self.ctx.clock.now();
        let e = Engagement { id: EngagementId::generate(), stakeholder_id: stakeholder, administration: s.administration, subject, role, created_at: now };
        tx.insert_engagement(&e).await.map_err(|err| match err {
            StoreError::Duplicate(_) => DomainError::conflict("already_engaged", "the stakeholder is engaged on this already"),
            other => other.into(),
        })?;
        journal(who, EntityType::Engagement, e.id.to_string(), e.administration, now, Operation::Create, "create")
            .write(tx.as_ref(), None, snapshot(&e))
            .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Ends an engagement.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`].
    pub async fn disengage(&self, who: &Principal, id: EngagementId) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let e = tx.engagement(id).await?.filter(|e| who.is_insider(e.administration)).ok_or(DomainError::not_found("engagement"))?;
        who.ensure_can_write(e.administration, Scope::PlansWrite)?;
        tx.delete_engagement(id).await?;
        journal(who, EntityType::Engagement, e.id.to_string(), e.administration, self.ctx.clock.now(), Operation::Delete, "delete")
            .write(tx.as_ref(), snapshot(&e), None)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
