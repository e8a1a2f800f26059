//! Risks on projects and objectives. A project's risks are read by whoever reads the project
//! (its administration, admins, the donors that fund it); an objective's by its
//! administration and admins. Only the administration writes them.

use crate::{
    DomainError,
    audit::{Audience, EntityType, Operation},
    ids::{ObjectiveId, ProjectId, RiskId},
    ports::Repositories,
    principal::{Principal, Scope},
    risk::{Risk, RiskDraft, RiskInput, RiskSubject},
    values::AdministrationCode,
};

use super::{
    Ctx, Journal, check_version,
    objectives::readable_objective,
    projects::{funds, readable_project},
    snapshot, stale_on_race,
};

#[derive(Clone)]
pub struct RiskService {
    pub(crate) ctx: Ctx,
}

/// The administration of a subject the caller may read (objectives: insiders only).
async fn subject_administration(repos: &dyn Repositories, who: &Principal, subject: RiskSubject) -> Result<AdministrationCode, DomainError> {
    match subject {
        RiskSubject::Project(id) => Ok(readable_project(repos, who, id).await?.administration),
        RiskSubject::Objective(id) => {
            let o = readable_objective(repos, who, id).await?;
            if who.is_insider(o.administration) { Ok(o.administration) } else { Err(DomainError::not_found("objective")) }
        }
    }
}

async fn readable_risk(repos: &dyn Repositories, who: &Principal, id: RiskId) -> Result<Risk, DomainError> {
    let risk = repos.risk(id).await?.ok_or(DomainError::not_found("risk"))?;
    subject_administration(repos, who, risk.subject).await.map_err(|_| DomainError::not_found("risk"))?;
    Ok(risk)
}

fn journal<'a>(who: &'a Principal, r: &Risk, at: chrono::DateTime<chrono::Utc>, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at,
        administration: Some(r.administration),
        entity_type: EntityType::Risk,
        entity_id: r.id.to_string(),
        operation,
        action: action.to_owned(),
        audience: match r.subject {
            RiskSubject::Project(p) => Audience::Funders(p),
            RiskSubject::Objective(_) => Audience::Internal,
        },
    }
}

impl RiskService {
    /// The risks on a project or an objective, highest score first.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] for a subject the caller may not read.
    pub async fn of(&self, who: &Principal, subject: RiskSubject) -> Result<Vec<Risk>, DomainError> {
        let repos = self.ctx.store.read();
        subject_administration(repos, who, subject).await?;
        let mut risks = match subject {
            RiskSubject::Project(id) => repos.risks_of_projects(&[id]).await?,
            RiskSubject::Objective(id) => repos.risks_of_objectives(&[id]).await?,
        };
        risks.sort_by_key(|r| std::cmp::Reverse(r.score()));
        Ok(risks)
    }

    /// The risks on these projects the caller may read (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn of_projects(&self, who: &Principal, projects: &[ProjectId]) -> Result<Vec<Risk>, DomainError> {
        let repos = self.ctx.store.read();
        let funded = funds(repos, who, projects).await?;
        let rows = repos.risks_of_projects(projects).await?;
        Ok(rows.into_iter().filter(|r| who.is_insider(r.administration) || matches!(r.subject, RiskSubject::Project(p) if funded.contains(&p))).collect())
    }

    /// The risks on these objectives the caller may read (insiders; for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn of_objectives(&self, who: &Principal, objectives: &[ObjectiveId]) -> Result<Vec<Risk>, DomainError> {
        let rows = self.ctx.store.read().risks_of_objectives(objectives).await?;
        Ok(rows.into_iter().filter(|r| who.is_insider(r.administration)).collect())
    }

    /// Records a risk on a project or an objective of the caller's administration.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`].
    pub async fn add(&self, who: &Principal, subject: RiskSubject, input: &RiskInput) -> Result<Risk, DomainError> {
        let draft = RiskDraft::parse(input, None).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        let administration = subject_administration(tx.as_ref(), who, subject).await?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let now = self.ctx.clock.now();
        let r = Risk {
            id: RiskId::generate(),
            administration,
            subject,
            title: draft.title,
            likelihood: draft.likelihood,
            impact: draft.impact,
            mitigation: draft.mitigation,
            owner: draft.owner,
            status: draft.status,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_risk(&r).await?;
        journal(who, &r, now, Operation::Create, "create").write(tx.as_ref(), None, snapshot(&r)).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::StaleVersion`].
    pub async fn update(&self, who: &Principal, id: RiskId, input: &RiskInput, expected_version: Option<i64>) -> Result<Risk, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable_risk(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let draft = RiskDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        let mut r = Risk {
            title: draft.title,
            likelihood: draft.likelihood,
            impact: draft.impact,
            mitigation: draft.mitigation,
            owner: draft.owner,
            status: draft.status,
            ..before.clone()
        };
        if r == before {
            return Ok(before);
        }
        r.version += 1;
        r.updated_at = self.ctx.clock.now();
        tx.update_risk(&r, before.version).await.map_err(stale_on_race)?;
        journal(who, &r, r.updated_at, Operation::Update, "update").write(tx.as_ref(), snapshot(&before), snapshot(&r)).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: RiskId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let r = readable_risk(tx.as_ref(), who, id).await?;
        who.ensure_can_write(r.administration, Scope::PlansWrite)?;
        check_version(expected_version, r.version)?;
        tx.delete_risk(id).await?;
        journal(who, &r, self.ctx.clock.now(), Operation::Delete, "delete").write(tx.as_ref(), snapshot(&r), None).await?;
        tx.commit().await?;
        Ok(())
    }
}
