//! Strategic plans: listing what the caller may see, editing, deleting drafts, and moving a
//! plan through its lifecycle.

use crate::{
    DomainError, FieldError,
    audit::{Audience, EntityType, Operation},
    ids::PlanId,
    page::{Page, PageRequest},
    plan::{PlanDraft, PlanInput, PlanRevision, PlanStatus, StrategicPlan},
    ports::{PlanFilter, PlanVisibility, Repositories},
    principal::{FourEyes, Principal, Role, Scope},
    values::AdministrationCode,
};

use super::{Ctx, Journal, check_version, record_override, snapshot, stale_on_race};

#[derive(Clone)]
pub struct PlanService {
    pub(crate) ctx: Ctx,
    /// Whether an admin may approve a plan they sent to review (audited when they do).
    pub(crate) admin_override: bool,
}

/// A requested status change.
#[derive(Debug, Clone, Copy)]
pub struct PlanTransition {
    pub to: PlanStatus,
}

/// Which plans a caller may list.
pub(crate) fn visibility(who: &Principal) -> PlanVisibility {
    match (who.role(), who.administration()) {
        (Role::Admin, _) => PlanVisibility::All,
        (Role::Anonymous, _) => PlanVisibility::PublicOnly,
        (Role::Donor, _) if !who.funded_plans().is_empty() => PlanVisibility::DisclosedOrFunded(who.funded_plans()),
        (Role::Donor, _) | (_, None) => PlanVisibility::DisclosedOnly,
        (_, Some(code)) => PlanVisibility::InsiderOf(code),
    }
}

/// The plans among `ids` the caller may see, by id, in one statement.
pub(crate) async fn visible_plans(
    repos: &dyn Repositories,
    who: &Principal,
    ids: &[PlanId],
) -> Result<std::collections::HashMap<PlanId, StrategicPlan>, DomainError> {
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    Ok(repos.plans_by_ids(&unique).await?.into_iter().filter(|p| who.can_read_plan(p)).map(|p| (p.id, p)).collect())
}

/// Loads a plan the caller may see; another administration's private plan is "not found".
pub(crate) async fn readable_plan(repos: &dyn Repositories, who: &Principal, id: PlanId) -> Result<StrategicPlan, DomainError> {
    match repos.plan(id).await? {
        Some(plan) if who.can_read_plan(&plan) => Ok(plan),
        _ => Err(DomainError::not_found("plan")),
    }
}

/// Loads a plan the caller may change with `scope`: visible, writable, and not closed.
pub(crate) async fn writable_plan(repos: &dyn Repositories, who: &Principal, id: PlanId, scope: Scope) -> Result<StrategicPlan, DomainError> {
    let plan = readable_plan(repos, who, id).await?;
    ensure_writable(who, &plan, scope)?;
    Ok(plan)
}

/// Checks that the caller may change `plan` (already found readable) with `scope`, and that it is not closed.
pub(crate) fn ensure_writable(who: &Principal, plan: &StrategicPlan, scope: Scope) -> Result<(), DomainError> {
    who.ensure_can_write(plan.administration, scope)?;
    if plan.is_read_only() {
        return Err(DomainError::conflict("plan_closed", "the plan is closed: nothing in it can change any more"));
    }
    Ok(())
}

impl PlanService {
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn list(
        &self,
        who: &Principal,
        administration: Option<AdministrationCode>,
        status: Option<PlanStatus>,
        page: &PageRequest<PlanId>,
    ) -> Result<Page<StrategicPlan, PlanId>, DomainError> {
        let filter = PlanFilter { visibility: visibility(who), administration, status };
        let rows = self.ctx.store.read().list_plans(&filter, page).await?;
        Ok(page.page(rows, |p| p.id))
    }

    /// # Errors
    /// [`DomainError::NotFound`] also for a plan the caller may not see.
    pub async fn get(&self, who: &Principal, id: PlanId) -> Result<StrategicPlan, DomainError> {
        readable_plan(self.ctx.store.read(), who, id).await
    }

    /// The plans with these ids that the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn by_ids(&self, who: &Principal, ids: &[PlanId]) -> Result<Vec<StrategicPlan>, DomainError> {
        Ok(visible_plans(self.ctx.store.read(), who, ids).await?.into_values().collect())
    }

    /// Creates a draft plan in the caller's administration (admins name it).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::Validation`].
    pub async fn create(&self, who: &Principal, administration: Option<&str>, input: &PlanInput) -> Result<StrategicPlan, DomainError> {
        who.ensure_writer()?;
        let administration = resolve_administration(who, administration)?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let draft = PlanDraft::parse(input, None).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        if tx.administration(administration).await?.is_none() {
            return Err(DomainError::validation("administration", "unknown", format!("no administration {administration} is registered")));
        }
        let now = self.ctx.clock.now();
        let plan = StrategicPlan {
            id: PlanId::generate(),
            administration,
            title: draft.title,
            vision: draft.vision,
            mission: draft.mission,
            start_year: draft.start_year,
            end_year: draft.end_year,
            status: PlanStatus::Draft,
            disclosure: draft.disclosure,
            national_plan_ref: draft.national_plan_ref,
            thresholds: draft.thresholds,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_plan(&plan).await?;
        journal(who, &plan, Operation::Create, "create").write(tx.as_ref(), None, snapshot(&plan)).await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// Changes the given fields of a plan that is not closed.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::StaleVersion`], [`DomainError::Conflict`] for a closed plan.
    pub async fn update(&self, who: &Principal, id: PlanId, input: &PlanInput, expected_version: Option<i64>) -> Result<StrategicPlan, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = writable_plan(tx.as_ref(), who, id, Scope::PlansWrite).await?;
        check_version(expected_version, before.version)?;
        let draft = PlanDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        let mut plan = before.clone();
        plan.title = draft.title;
        plan.vision = draft.vision;
        plan.mission = draft.mission;
        plan.start_year = draft.start_year;
        plan.end_year = draft.end_year;
        plan.disclosure = draft.disclosure;
        plan.national_plan_ref = draft.national_plan_ref;
        plan.thresholds = draft.thresholds;
        if plan == before {
            return Ok(before);
        }
        plan.version += 1;
        plan.updated_at = self.ctx.clock.now();
        tx.update_plan(&plan, before.version).await.map_err(stale_on_race)?;
        journal(who, &plan, Operation::Update, "update").write(tx.as_ref(), snapshot(&before), snapshot(&plan)).await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// Deletes a draft plan with everything in it. Plans that went further are records.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] (`plan_not_draft`) unless the plan is a draft, and as
    /// [`Self::update`].
    pub async fn delete(&self, who: &Principal, id: PlanId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let plan = writable_plan(tx.as_ref(), who, id, Scope::PlansWrite).await?;
        check_version(expected_version, plan.version)?;
        if plan.status != PlanStatus::Draft {
            return Err(DomainError::conflict("plan_not_draft", "only a draft plan can be deleted; close it instead"));
        }
        let at = self.ctx.clock.now();
        // Everything inside goes too: leave a tombstone for each so that partners remove them.
        let objectives = tx.objectives_of_plan(id).await?;
        let indicators = tx.indicators_of_plan(id, crate::ports::IndicatorVisibility::All).await?;
        let targets = tx.targets_of_plan(id).await?;
        let measurements = tx.measurements_of_plan(id).await?;
        tx.delete_plan(id).await?;
        // Each child's tombstone keeps what was deleted, for the audit trail.
        let children = objectives
            .iter()
            .map(|o| (EntityType::Objective, o.id.to_string(), snapshot(o)))
            .chain(indicators.iter().map(|i| (EntityType::Indicator, i.id.to_string(), snapshot(i))))
            .chain(targets.iter().map(|t| (EntityType::Target, t.id.to_string(), snapshot(t))))
            .chain(measurements.iter().map(|m| (EntityType::Measurement, m.id.to_string(), snapshot(m))));
        let tombstones = children
            .map(|(entity_type, entity_id, before)| {
                let j = Journal {
                    who,
                    at,
                    administration: Some(plan.administration),
                    entity_type,
                    entity_id,
                    operation: Operation::Delete,
                    action: "delete".into(),
                    audience: Audience::shared_if(plan.is_disclosed()),
                };
                (j, before, None)
            })
            .collect();
        super::write_journals(tx.as_ref(), tombstones).await?;
        let mut j = journal(who, &plan, Operation::Delete, "delete");
        j.at = at;
        j.write(tx.as_ref(), snapshot(&plan), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a plan through its lifecycle.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] (`invalid_transition`) for a move the lifecycle forbids;
    /// approving and activating (and closing) need an admin or a planner of the administration;
    /// integrations may only submit for review.
    pub async fn transition(&self, who: &Principal, id: PlanId, to: PlanTransition, expected_version: Option<i64>) -> Result<StrategicPlan, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable_plan(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        if who.role() == Role::Integration && !matches!(to.to, PlanStatus::UnderReview | PlanStatus::Draft) {
            return Err(DomainError::Forbidden("a machine client may not approve, activate or close a plan".into()));
        }
        let status = before.status.transition(to.to).map_err(|e| DomainError::conflict("invalid_transition", e.to_string()))?;
        let revisions = tx.revisions_of_plans(&[id]).await?;
        let now = self.ctx.clock.now();
        if status == PlanStatus::Approved {
            // The one who sent the plan to review (its latest review) may not approve it.
            let sender = revisions.iter().filter(|r| r.status == PlanStatus::UnderReview).max_by_key(|r| r.number).map(|r| r.actor.as_str());
            if who.ensure_second_pair_of_eyes(sender, self.admin_override)? == FourEyes::Overridden {
                record_override(
                    tx.as_ref(),
                    who,
                    now,
                    Some(before.administration),
                    EntityType::Plan,
                    id.to_string(),
                    serde_json::json!({"submitted_by": sender}),
                )
                .await?;
            }
        }
        let mut plan = before.clone();
        plan.status = status;
        plan.version += 1;
        plan.updated_at = now;
        tx.update_plan(&plan, before.version).await.map_err(stale_on_race)?;
        journal(who, &plan, Operation::Update, &format!("transition:{}", status.as_str())).write(tx.as_ref(), snapshot(&before), snapshot(&plan)).await?;
        let number = revisions.iter().map(|r| r.number).max().unwrap_or(0) + 1;
        let revision = PlanRevision {
            plan_id: id,
            number,
            status,
            at: plan.updated_at,
            actor: who.subject().to_owned(),
            snapshot: plan_snapshot(tx.as_ref(), &plan).await?,
        };
        tx.insert_revision(&revision).await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// The plan's revisions, oldest first: the plan as it was at each status transition.
    /// They hold internal working (restricted indicators, drafts), so only the administration
    /// and admins read them.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] for a plan the caller may not see, [`DomainError::Forbidden`]
    /// for outsiders who may.
    pub async fn revisions(&self, who: &Principal, id: PlanId) -> Result<Vec<PlanRevision>, DomainError> {
        let repos = self.ctx.store.read();
        let plan = readable_plan(repos, who, id).await?;
        ensure_insider(who, &plan)?;
        Ok(repos.revisions_of_plans(&[id]).await?)
    }

    /// One revision.
    ///
    /// # Errors
    /// As [`Self::revisions`], and [`DomainError::NotFound`] for an unknown number.
    pub async fn revision(&self, who: &Principal, id: PlanId, number: i32) -> Result<PlanRevision, DomainError> {
        let repos = self.ctx.store.read();
        let plan = readable_plan(repos, who, id).await?;
        ensure_insider(who, &plan)?;
        repos.revision(id, number).await?.ok_or(DomainError::not_found("revision"))
    }

    /// The revisions of the plans among `ids` whose revisions the caller may read (batched).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn revisions_of(&self, who: &Principal, ids: &[PlanId]) -> Result<Vec<PlanRevision>, DomainError> {
        let repos = self.ctx.store.read();
        let insiders: Vec<PlanId> = visible_plans(repos, who, ids).await?.into_values().filter(|p| who.is_insider(p.administration)).map(|p| p.id).collect();
        Ok(repos.revisions_of_plans(&insiders).await?)
    }
}

fn ensure_insider(who: &Principal, plan: &StrategicPlan) -> Result<(), DomainError> {
    if who.is_insider(plan.administration) { Ok(()) } else { Err(DomainError::Forbidden("a plan's revisions are read by its administration only".into())) }
}

/// The plan with its objectives, indicators and targets, as a revision keeps it.
async fn plan_snapshot(repos: &dyn Repositories, plan: &StrategicPlan) -> Result<serde_json::Value, DomainError> {
    let objectives = repos.objectives_of_plan(plan.id).await?;
    let indicators = repos.indicators_of_plan(plan.id, crate::ports::IndicatorVisibility::All).await?;
    let targets = repos.targets_of_plan(plan.id).await?;
    Ok(serde_json::json!({ "plan": plan, "objectives": objectives, "indicators": indicators, "targets": targets }))
}

fn journal<'a>(who: &'a Principal, plan: &StrategicPlan, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at: plan.updated_at,
        administration: Some(plan.administration),
        entity_type: EntityType::Plan,
        entity_id: plan.id.to_string(),
        operation,
        action: action.to_owned(),
        audience: Audience::shared_if(plan.is_disclosed()),
    }
}

/// The administration a new object belongs to: the caller's own; only admins name one.
pub(crate) fn resolve_administration(who: &Principal, named: Option<&str>) -> Result<AdministrationCode, DomainError> {
    let named = named.map(|n| AdministrationCode::parse(n).map_err(|e| DomainError::from(e.under("administration")))).transpose()?;
    match (who.administration(), named) {
        (Some(own), None) => Ok(own),
        (Some(own), Some(n)) if n == own => Ok(own),
        (Some(_), Some(_)) if !who.is_admin() => Err(DomainError::Forbidden("you may only create plans for your own administration".into())),
        (_, Some(n)) => Ok(n),
        (None, None) => Err(DomainError::Validation(vec![FieldError::new("administration", "required", "name the administration the plan belongs to")])),
    }
}
