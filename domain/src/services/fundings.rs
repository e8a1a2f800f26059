//! Funding: donors' commitments to projects and the transactions against them. The project's
//! administration records them; the funding donor reads them; totals never mix currencies.

use crate::{
    DomainError,
    audit::{Audience, EntityType, Operation},
    funding::{Funding, FundingDraft, FundingInput, FundingTransaction, Totals, TransactionDraft, TransactionInput, check_disbursement},
    ids::{FundingId, ProjectId, TransactionId},
    principal::{Principal, Role, Scope},
    values::DonorCode,
};

use super::{Ctx, Journal, projects::readable_project, snapshot};

#[derive(Clone)]
pub struct FundingService {
    pub(crate) ctx: Ctx,
}

/// A funding with its transactions.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingReport {
    pub funding: Funding,
    pub transactions: Vec<FundingTransaction>,
}

/// The fundings of a project (or of a donor) and what they add up to per currency.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingSummary {
    pub fundings: Vec<FundingReport>,
    pub totals: Totals,
}

fn summary(fundings: Vec<Funding>, transactions: Vec<FundingTransaction>) -> FundingSummary {
    let totals = Totals::of(&fundings, &transactions);
    let fundings = fundings
        .into_iter()
        .map(|f| {
            let own = transactions.iter().filter(|t| t.funding_id == f.id).cloned().collect();
            FundingReport { funding: f, transactions: own }
        })
        .collect();
    FundingSummary { fundings, totals }
}

impl FundingService {
    /// Records a donor's commitment to a project of the caller's administration.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`]
    /// (an unknown donor too).
    pub async fn commit(&self, who: &Principal, project: ProjectId, input: &FundingInput) -> Result<Funding, DomainError> {
        let draft = FundingDraft::parse(input).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        let p = readable_project(tx.as_ref(), who, project).await?;
        who.ensure_can_write(p.administration, Scope::PlansWrite)?;
        if tx.donor(&draft.donor).await?.is_none() {
            return Err(DomainError::validation("donor", "unknown", format!("no donor {} is registered", draft.donor)));
        }
        let now = self.ctx.clock.now();
        let f = Funding {
            id: FundingId::generate(),
            project_id: project,
            administration: p.administration,
            donor: draft.donor,
            committed: draft.committed,
            allow_over_disbursement: draft.allow_over_disbursement,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_funding(&f).await?;
        Journal {
            who,
            at: now,
            administration: Some(f.administration),
            entity_type: EntityType::Funding,
            entity_id: f.id.to_string(),
            operation: Operation::Create,
            action: "create".into(),
            audience: Audience::Donor(f.donor.clone()),
        }
        .write(tx.as_ref(), None, snapshot(&f))
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    /// Records a transaction against a funding; a disbursement may not take the total past the
    /// commitment unless the funding allows it. Returns the funding with the new transaction.
    ///
    /// # Errors
    /// [`DomainError::Validation`] (`exceeds_commitment` on `amount`), [`DomainError::NotFound`],
    /// [`DomainError::Forbidden`].
    pub async fn record(&self, who: &Principal, funding: FundingId, input: &TransactionInput) -> Result<(Funding, FundingTransaction), DomainError> {
        let now = self.ctx.clock.now();
        let draft = TransactionDraft::parse(input, now.date_naive()).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        let f = tx.funding(funding).await?.ok_or(DomainError::not_found("funding"))?;
        let p = readable_project(tx.as_ref(), who, f.project_id).await.map_err(|_| DomainError::not_found("funding"))?;
        who.ensure_can_write(p.administration, Scope::PlansWrite)?;
        let existing = tx.transactions_of(&[funding]).await?;
        check_disbursement(&f, &existing, &draft)?;
        let t = FundingTransaction {
            id: TransactionId::generate(),
            funding_id: funding,
            administration: f.administration,
            kind: draft.kind,
            date: draft.date,
            amount: draft.amount,
            description: draft.description,
            created_at: now,
        };
        tx.insert_transaction(&t).await?;
        Journal {
            who,
            at: now,
            administration: Some(t.administration),
            entity_type: EntityType::Transaction,
            entity_id: t.id.to_string(),
            operation: Operation::Create,
            action: t.kind.as_str().into(),
            audience: Audience::Donor(f.donor.clone()),
        }
        .write(tx.as_ref(), None, snapshot(&t))
        .await?;
        tx.commit().await?;
        Ok((f, t))
    }

    /// A project's fundings with their transactions and totals per currency. The funding donor
    /// reads its own fundings of the project only.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn of_project(&self, who: &Principal, project: ProjectId) -> Result<FundingSummary, DomainError> {
        let repos = self.ctx.store.read();
        readable_project(repos, who, project).await?;
        let fundings: Vec<Funding> =
            repos.fundings_of_projects(&[project]).await?.into_iter().filter(|f| who.role() != Role::Donor || who.donor() == Some(&f.donor)).collect();
        let ids: Vec<FundingId> = fundings.iter().map(|f| f.id).collect();
        Ok(summary(fundings, repos.transactions_of(&ids).await?))
    }

    /// The fundings of the given projects the caller may see, with their transactions (for
    /// batched reads): the administration's people and admins see all, a donor its own.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn of_projects(&self, who: &Principal, projects: &[ProjectId]) -> Result<Vec<FundingReport>, DomainError> {
        let repos = self.ctx.store.read();
        let fundings: Vec<Funding> = repos
            .fundings_of_projects(projects)
            .await?
            .into_iter()
            .filter(|f| who.is_insider(f.administration) || (who.role() == Role::Donor && who.donor() == Some(&f.donor)))
            .collect();
        let ids: Vec<FundingId> = fundings.iter().map(|f| f.id).collect();
        Ok(summary(fundings, repos.transactions_of(&ids).await?).fundings)
    }

    /// A donor's fundings across projects and administrations, with totals per currency: for
    /// admins and for that donor.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] for anyone else, or an unknown donor.
    pub async fn of_donor(&self, who: &Principal, donor: &str) -> Result<FundingSummary, DomainError> {
        let code = DonorCode::parse(donor).map_err(|_| DomainError::not_found("donor"))?;
        let allowed = who.is_admin() || who.donor() == Some(&code);
        let repos = self.ctx.store.read();
        if !allowed || repos.donor(&code).await?.is_none() {
            return Err(DomainError::not_found("donor"));
        }
        let fundings = repos.fundings_of_donor(&code).await?;
        let ids: Vec<FundingId> = fundings.iter().map(|f| f.id).collect();
        Ok(summary(fundings, repos.transactions_of(&ids).await?))
    }
}
