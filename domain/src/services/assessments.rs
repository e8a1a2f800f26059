//! Capability assessments: the starting point of an administration, read and written by the
//! administration itself (and admins); other administrations and donors do not see them.

use crate::{
    DomainError,
    assessment::{AssessmentComparison, AssessmentDraft, AssessmentInput, CapabilityAssessment},
    audit::{Audience, EntityType, Operation},
    ids::AssessmentId,
    page::{Page, PageRequest},
    ports::Repositories,
    principal::{Principal, Scope},
    values::AdministrationCode,
};

use super::{Ctx, Journal, check_version, internal_scope, plans::resolve_administration, snapshot, stale_on_race};

#[derive(Clone)]
pub struct AssessmentService {
    pub(crate) ctx: Ctx,
}

/// Loads an assessment the caller may see: one of its own administration (any, for admins).
async fn readable(repos: &dyn Repositories, who: &Principal, id: AssessmentId) -> Result<CapabilityAssessment, DomainError> {
    match repos.assessment(id).await? {
        Some(a) if who.is_insider(a.administration) => Ok(a),
        _ => Err(DomainError::not_found("assessment")),
    }
}

fn journal<'a>(who: &'a Principal, a: &CapabilityAssessment, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at: a.updated_at,
        administration: Some(a.administration),
        entity_type: EntityType::Assessment,
        entity_id: a.id.to_string(),
        operation,
        action: action.to_owned(),
        audience: Audience::Internal,
    }
}

impl AssessmentService {
    /// Assessments by date: all of them for admins (or those of `administration`), the own
    /// administration's for everyone else (naming another lists nothing).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(
        &self,
        who: &Principal,
        administration: Option<AdministrationCode>,
        page: &PageRequest<AssessmentId>,
    ) -> Result<Page<CapabilityAssessment, AssessmentId>, DomainError> {
        let Some(scope) = internal_scope(who, administration) else { return Ok(Page { items: Vec::new(), next: None }) };
        let rows = self.ctx.store.read().list_assessments(scope, page).await?;
        Ok(page.page(rows, |a| a.id))
    }

    /// # Errors
    /// [`DomainError::NotFound`] also for another administration's assessment.
    pub async fn get(&self, who: &Principal, id: AssessmentId) -> Result<CapabilityAssessment, DomainError> {
        readable(self.ctx.store.read(), who, id).await
    }

    /// Records an assessment of the caller's administration (admins name it).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::Validation`].
    pub async fn create(&self, who: &Principal, administration: Option<&str>, input: &AssessmentInput) -> Result<CapabilityAssessment, DomainError> {
        who.ensure_writer()?;
        let administration = resolve_administration(who, administration)?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let now = self.ctx.clock.now();
        let draft = AssessmentDraft::parse(input, None, now.date_naive()).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        if tx.administration(administration).await?.is_none() {
            return Err(DomainError::validation("administration", "unknown", format!("no administration {administration} is registered")));
        }
        let a = CapabilityAssessment {
            id: AssessmentId::generate(),
            administration,
            assessed_on: draft.assessed_on,
            maturity: draft.maturity,
            staff: draft.staff,
            annual_budget: draft.annual_budget,
            notes: draft.notes,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_assessment(&a).await?;
        journal(who, &a, Operation::Create, "create").write(tx.as_ref(), None, snapshot(&a)).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// # Errors
    /// As [`Self::create`], plus [`DomainError::NotFound`] and [`DomainError::StaleVersion`].
    pub async fn update(
        &self,
        who: &Principal,
        id: AssessmentId,
        input: &AssessmentInput,
        expected_version: Option<i64>,
    ) -> Result<CapabilityAssessment, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let now = self.ctx.clock.now();
        let draft = AssessmentDraft::parse(input, Some(&before), now.date_naive()).map_err(DomainError::Validation)?;
        let mut a = CapabilityAssessment {
            assessed_on: draft.assessed_on,
            maturity: draft.maturity,
            staff: draft.staff,
            annual_budget: draft.annual_budget,
            notes: draft.notes,
            ..before.clone()
        };
        if a == before {
            return Ok(before);
        }
        a.version += 1;
        a.updated_at = now;
        tx.update_assessment(&a, before.version).await.map_err(stale_on_race)?;
        journal(who, &a, Operation::Update, "update").write(tx.as_ref(), snapshot(&before), snapshot(&a)).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: AssessmentId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let a = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(a.administration, Scope::PlansWrite)?;
        check_version(expected_version, a.version)?;
        tx.delete_assessment(id).await?;
        let mut j = journal(who, &a, Operation::Delete, "delete");
        j.at = self.ctx.clock.now();
        j.write(tx.as_ref(), snapshot(&a), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// What improved (and what did not) between two assessments of one administration.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Validation`] when they belong to different
    /// administrations.
    pub async fn compare(&self, who: &Principal, a: AssessmentId, b: AssessmentId) -> Result<AssessmentComparison, DomainError> {
        let repos = self.ctx.store.read();
        let first = readable(repos, who, a).await?;
        let second = readable(repos, who, b).await?;
        if first.administration != second.administration {
            return Err(DomainError::validation("to", "other_administration", "compare two assessments of the same administration"));
        }
        Ok(AssessmentComparison::new(first, second))
    }
}
