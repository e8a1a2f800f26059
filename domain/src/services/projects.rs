//! Projects and their milestones. A project belongs to its administration, which (with admins)
//! reads and writes it; the donors that fund a project read it, its milestones and funding.

use crate::{
    DomainError, FieldError, StoreError,
    audit::{Audience, EntityType, Operation},
    ids::{MilestoneId, PortfolioId, ProjectId},
    page::{Page, PageRequest},
    ports::Repositories,
    principal::{Principal, Role, Scope},
    project::{Milestone, MilestoneDraft, MilestoneInput, Project, ProjectDraft, ProjectInput, ProjectStatus, ScheduleHealth},
    values::{AdministrationCode, ExternalRef},
};

use super::{Ctx, Journal, Upserted, check_version, internal_scope, plans::resolve_administration, snapshot, stale_on_race};

#[derive(Clone)]
pub struct ProjectService {
    pub(crate) ctx: Ctx,
}

/// A project with its milestones and schedule health.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectReport {
    pub project: Project,
    pub milestones: Vec<Milestone>,
    pub health: ScheduleHealth,
    /// The day the health was judged on (what "overdue" means).
    pub as_of: chrono::NaiveDate,
}

/// Loads a project the caller may see: its administration's people, admins, and the donors
/// that fund it.
pub(crate) async fn readable_project(repos: &dyn Repositories, who: &Principal, id: ProjectId) -> Result<Project, DomainError> {
    match repos.project(id).await? {
        Some(p) if who.is_insider(p.administration) || funds(repos, who, &[p.id]).await?.contains(&p.id) => Ok(p),
        _ => Err(DomainError::not_found("project")),
    }
}

/// Which of `projects` the caller (a donor) funds; empty for everyone else. The one place the
/// "donors read what they fund" rule is written.
pub(crate) async fn funds(repos: &dyn Repositories, who: &Principal, projects: &[ProjectId]) -> Result<Vec<ProjectId>, DomainError> {
    match who.donor() {
        Some(donor) if who.role() == Role::Donor => {
            Ok(repos.fundings_of_projects(projects).await?.into_iter().filter(|f| &f.donor == donor).map(|f| f.project_id).collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// The projects `donor` funds, each once, in id order.
pub(crate) async fn funded_by(repos: &dyn Repositories, donor: &crate::values::DonorCode) -> Result<Vec<ProjectId>, DomainError> {
    let mut funded: Vec<ProjectId> = repos.fundings_of_donor(donor).await?.into_iter().map(|f| f.project_id).collect();
    funded.sort_unstable();
    funded.dedup();
    Ok(funded)
}

/// The objectives a project contributes to must be objectives of its administration's plans,
/// and its portfolio one of its administration's portfolios.
async fn check_links(repos: &dyn Repositories, draft: &ProjectDraft, administration: AdministrationCode) -> Result<(), DomainError> {
    let found = repos.objectives_by_ids(&draft.objective_ids).await?;
    let mut errors: Vec<FieldError> = draft
        .objective_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.iter().any(|o| o.id == **id && o.administration == administration))
        .map(|(i, _)| FieldError::new(format!("objective_ids[{i}]"), "not_found", "no objective of this administration has this id"))
        .collect();
    if let Some(id) = draft.portfolio_id
        && repos.portfolio(id).await?.is_none_or(|p| p.administration != administration)
    {
        errors.push(FieldError::new("portfolio_id", "not_found", "no portfolio of this administration has this id"));
    }
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(errors)) }
}

fn duplicate(e: StoreError) -> DomainError {
    match e {
        StoreError::Duplicate(what) if what.contains("external_ref") => {
            DomainError::conflict("external_ref_taken", "another project of this administration has this external_ref")
        }
        StoreError::Duplicate(_) => DomainError::conflict("code_taken", "another project of this administration has this code"),
        // The portfolio was deleted between our check and our write.
        StoreError::Referenced(_) => DomainError::validation("portfolio_id", "not_found", "no portfolio of this administration has this id"),
        other => stale_on_race(other),
    }
}

fn journal<'a>(
    who: &'a Principal,
    entity_type: EntityType,
    id: String,
    (administration, project): (AdministrationCode, ProjectId),
    at: chrono::DateTime<chrono::Utc>,
    operation: Operation,
    action: &str,
) -> Journal<'a> {
    Journal {
        who,
        at,
        administration: Some(administration),
        entity_type,
        entity_id: id,
        operation,
        action: action.to_owned(),
        audience: Audience::Funders(project),
    }
}

impl ProjectService {
    /// The caller's administration's projects (all, or one administration's, for admins), or,
    /// for a donor, the projects it funds; optionally of one status and one portfolio.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(
        &self,
        who: &Principal,
        administration: Option<AdministrationCode>,
        status: Option<ProjectStatus>,
        portfolio: Option<PortfolioId>,
        page: &PageRequest<ProjectId>,
    ) -> Result<Page<Project, ProjectId>, DomainError> {
        if who.role() == Role::Donor {
            let repos = self.ctx.store.read();
            let Some(donor) = who.donor() else { return Ok(Page { items: Vec::new(), next: None }) };
            let funded = funded_by(repos, donor).await?;
            let mut rows = Vec::new();
            for id in funded.into_iter().filter(|id| page.after.is_none_or(|a| *id > a)) {
                if let Some(p) = repos.project(id).await?
                    && administration.is_none_or(|a| a == p.administration)
                    && status.is_none_or(|s| s == p.status)
                    && portfolio.is_none_or(|f| p.portfolio_id == Some(f))
                {
                    rows.push(p);
                }
                if rows.len() as u64 >= page.fetch() {
                    break;
                }
            }
            return Ok(page.page(rows, |p| p.id));
        }
        let Some(scope) = internal_scope(who, administration) else { return Ok(Page { items: Vec::new(), next: None }) };
        let rows = self.ctx.store.read().list_projects(scope, status, portfolio, page).await?;
        Ok(page.page(rows, |p| p.id))
    }

    /// A project with its milestones and schedule health.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] also for another administration's project.
    pub async fn get(&self, who: &Principal, id: ProjectId) -> Result<ProjectReport, DomainError> {
        let repos = self.ctx.store.read();
        let project = readable_project(repos, who, id).await?;
        let milestones = repos.milestones_of(&[id]).await?;
        let as_of = self.ctx.clock.now().date_naive();
        let health = ScheduleHealth::of(&milestones, as_of);
        Ok(ProjectReport { project, milestones, health, as_of })
    }

    /// Proposes a project of the caller's administration (admins name it).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::Validation`], [`DomainError::Conflict`].
    pub async fn create(&self, who: &Principal, administration: Option<&str>, input: &ProjectInput) -> Result<Project, DomainError> {
        who.ensure_writer()?;
        let administration = resolve_administration(who, administration)?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let draft = ProjectDraft::parse(input, None).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        check_links(tx.as_ref(), &draft, administration).await?;
        let now = self.ctx.clock.now();
        let p = Project {
            id: ProjectId::generate(),
            administration,
            code: draft.code,
            title: draft.title,
            description: draft.description,
            status: ProjectStatus::Proposed,
            planned_start: draft.planned_start,
            planned_end: draft.planned_end,
            actual_start: None,
            actual_end: None,
            budget: draft.budget,
            objective_ids: draft.objective_ids,
            portfolio_id: draft.portfolio_id,
            external_ref: draft.external_ref,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_project(&p).await.map_err(duplicate)?;
        journal(who, EntityType::Project, p.id.to_string(), (administration, p.id), now, Operation::Create, "create")
            .write(tx.as_ref(), None, snapshot(&p))
            .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// # Errors
    /// As [`Self::create`], plus [`DomainError::NotFound`] and [`DomainError::StaleVersion`].
    pub async fn update(&self, who: &Principal, id: ProjectId, input: &ProjectInput, expected_version: Option<i64>) -> Result<Project, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable_project(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let draft = ProjectDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        check_links(tx.as_ref(), &draft, before.administration).await?;
        let mut p = Project {
            code: draft.code,
            title: draft.title,
            description: draft.description,
            planned_start: draft.planned_start,
            planned_end: draft.planned_end,
            budget: draft.budget,
            objective_ids: draft.objective_ids,
            portfolio_id: draft.portfolio_id,
            external_ref: draft.external_ref,
            ..before.clone()
        };
        if p == before {
            return Ok(before);
        }
        p.version += 1;
        p.updated_at = self.ctx.clock.now();
        tx.update_project(&p, before.version).await.map_err(duplicate)?;
        journal(who, EntityType::Project, p.id.to_string(), (p.administration, p.id), p.updated_at, Operation::Update, "update")
            .write(tx.as_ref(), snapshot(&before), snapshot(&p))
            .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Creates or updates the project the caller's national system knows as `external_ref`
    /// (admins name the administration). The same body twice leaves one unchanged project.
    ///
    /// # Errors
    /// As [`Self::create`] and [`Self::update`].
    pub async fn upsert_by_ref(
        &self,
        who: &Principal,
        external_ref: &str,
        administration: Option<&str>,
        input: &ProjectInput,
    ) -> Result<(Project, Upserted), DomainError> {
        who.ensure_writer()?;
        let external_ref = ExternalRef::parse(external_ref).map_err(|e| DomainError::from(e.under("external_ref")))?;
        let administration = resolve_administration(who, administration)?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let mut input = input.clone();
        input.external_ref = Some(Some(external_ref.as_str().to_owned()));
        // Two tries: a concurrent upsert of the same reference may create it between our read
        // and our insert (the unique index refuses the second); then it is an update.
        for _ in 0..2 {
            match self.ctx.store.read().project_by_ref(administration, &external_ref).await? {
                Some(before) => {
                    let after = self.update(who, before.id, &input, None).await?;
                    let outcome = if after.version == before.version { Upserted::Unchanged } else { Upserted::Updated };
                    return Ok((after, outcome));
                }
                None => match self.create(who, Some(administration.as_str()), &input).await {
                    Err(DomainError::Conflict { code: "external_ref_taken", .. }) => continue,
                    other => return other.map(|p| (p, Upserted::Created)),
                },
            }
        }
        Err(DomainError::conflict("external_ref_taken", "another project took this external_ref meanwhile; retry"))
    }

    /// Moves a project through its lifecycle; starting records the actual start, completing
    /// (or cancelling) the actual end.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] (`invalid_transition`), and as [`Self::update`].
    pub async fn transition(&self, who: &Principal, id: ProjectId, to: ProjectStatus, expected_version: Option<i64>) -> Result<Project, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable_project(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let status = before.status.transition(to).map_err(|m| DomainError::conflict("invalid_transition", m))?;
        let now = self.ctx.clock.now();
        let today = now.date_naive();
        let mut p = before.clone();
        p.status = status;
        if status == ProjectStatus::InProgress && p.actual_start.is_none() {
            p.actual_start = Some(today);
        }
        if !status.is_open() && p.actual_end.is_none() {
            p.actual_end = Some(today);
        }
        p.version += 1;
        p.updated_at = now;
        tx.update_project(&p, before.version).await.map_err(duplicate)?;
        journal(who, EntityType::Project, p.id.to_string(), (p.administration, p.id), now, Operation::Update, &format!("transition:{}", status.as_str()))
            .write(tx.as_ref(), snapshot(&before), snapshot(&p))
            .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Deletes a project with its milestones.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: ProjectId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let p = readable_project(tx.as_ref(), who, id).await?;
        who.ensure_can_write(p.administration, Scope::PlansWrite)?;
        check_version(expected_version, p.version)?;
        let milestones = tx.milestones_of(&[id]).await?;
        tx.delete_project(id).await?;
        let now = self.ctx.clock.now();
        for m in &milestones {
            journal(who, EntityType::Milestone, m.id.to_string(), (p.administration, m.project_id), now, Operation::Delete, "delete")
                .write(tx.as_ref(), snapshot(m), None)
                .await?;
        }
        journal(who, EntityType::Project, p.id.to_string(), (p.administration, p.id), now, Operation::Delete, "delete")
            .write(tx.as_ref(), snapshot(&p), None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a milestone to a project that is still open.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::Conflict`] (`project_closed`).
    pub async fn add_milestone(&self, who: &Principal, project: ProjectId, input: &MilestoneInput) -> Result<Milestone, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let p = readable_project(tx.as_ref(), who, project).await?;
        who.ensure_can_write(p.administration, Scope::PlansWrite)?;
        if !p.status.is_open() {
            return Err(DomainError::conflict("project_closed", "the project is completed or cancelled"));
        }
        let now = self.ctx.clock.now();
        let draft = MilestoneDraft::parse(input, None, now.date_naive()).map_err(DomainError::Validation)?;
        let m = Milestone {
            id: MilestoneId::generate(),
            project_id: project,
            administration: p.administration,
            title: draft.title,
            due_on: draft.due_on,
            completed_on: draft.completed_on,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_milestone(&m).await?;
        journal(who, EntityType::Milestone, m.id.to_string(), (m.administration, m.project_id), now, Operation::Create, "create")
            .write(tx.as_ref(), None, snapshot(&m))
            .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Changes a milestone (e.g. records its completion).
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::StaleVersion`].
    pub async fn update_milestone(
        &self,
        who: &Principal,
        id: MilestoneId,
        input: &MilestoneInput,
        expected_version: Option<i64>,
    ) -> Result<Milestone, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = tx.milestone(id).await?.filter(|m| who.is_insider(m.administration)).ok_or(DomainError::not_found("milestone"))?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let now = self.ctx.clock.now();
        let draft = MilestoneDraft::parse(input, Some(&before), now.date_naive()).map_err(DomainError::Validation)?;
        let mut m = Milestone { title: draft.title, due_on: draft.due_on, completed_on: draft.completed_on, ..before.clone() };
        if m == before {
            return Ok(before);
        }
        m.version += 1;
        m.updated_at = now;
        tx.update_milestone(&m, before.version).await.map_err(stale_on_race)?;
        journal(who, EntityType::Milestone, m.id.to_string(), (m.administration, m.project_id), now, Operation::Update, "update")
            .write(tx.as_ref(), snapshot(&before), snapshot(&m))
            .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete_milestone(&self, who: &Principal, id: MilestoneId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let m = tx.milestone(id).await?.filter(|m| who.is_insider(m.administration)).ok_or(DomainError::not_found("milestone"))?;
        who.ensure_can_write(m.administration, Scope::PlansWrite)?;
        check_version(expected_version, m.version)?;
        tx.delete_milestone(id).await?;
        journal(who, EntityType::Milestone, m.id.to_string(), (m.administration, m.project_id), self.ctx.clock.now(), Operation::Delete, "delete")
            .write(tx.as_ref(), snapshot(&m), None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Today, by the clock that judges what is overdue.
    pub fn today(&self) -> chrono::NaiveDate {
        self.ctx.clock.now().date_naive()
    }

    /// The milestones of the given projects the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn milestones_of(&self, who: &Principal, projects: &[ProjectId]) -> Result<Vec<Milestone>, DomainError> {
        let repos = self.ctx.store.read();
        let funded = funds(repos, who, projects).await?;
        let rows = repos.milestones_of(projects).await?;
        Ok(rows.into_iter().filter(|m| who.is_insider(m.administration) || funded.contains(&m.project_id)).collect())
    }
}
