//! Objectives of a plan: the flat list and the tree, edits that keep the tree valid, and the
//! idempotent upsert by the national planning system's reference.

use std::collections::{HashMap, HashSet};

use crate::{
    DomainError, StoreError,
    audit::{Audience, EntityType, Operation},
    ids::{ObjectiveId, PlanId},
    objective::{Objective, ObjectiveDraft, ObjectiveInput, check_placement, subtree_ids},
    page::{Page, PageRequest},
    plan::StrategicPlan,
    ports::{IndicatorVisibility, Repositories},
    principal::{Principal, Scope},
    values::{AdministrationCode, ExternalRef},
};

use super::{
    Ctx, Journal, check_version,
    plans::{ensure_writable, readable_plan, visible_plans, writable_plan},
    snapshot, stale_on_race, write_journals,
};

#[derive(Clone)]
pub struct ObjectiveService {
    pub(crate) ctx: Ctx,
}

/// An objective with the objectives below it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveNode {
    pub objective: Objective,
    pub children: Vec<ObjectiveNode>,
}

/// The outcome of an upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

/// Loads an objective the caller may see (through its plan).
pub(crate) async fn readable_objective(repos: &dyn Repositories, who: &Principal, id: ObjectiveId) -> Result<Objective, DomainError> {
    let objective = repos.objective(id).await?.ok_or(DomainError::not_found("objective"))?;
    match readable_plan(repos, who, objective.plan_id).await {
        Ok(_) => Ok(objective),
        Err(DomainError::NotFound { .. }) => Err(DomainError::not_found("objective")),
        Err(e) => Err(e),
    }
}

/// Builds the forest of a plan's objectives, children in the order given.
pub fn build_tree(objectives: Vec<Objective>) -> Vec<ObjectiveNode> {
    fn attach(parent: Option<ObjectiveId>, pool: &[Objective]) -> Vec<ObjectiveNode> {
        pool.iter().filter(|o| o.parent_id == parent).map(|o| ObjectiveNode { objective: o.clone(), children: attach(Some(o.id), pool) }).collect()
    }
    attach(None, &objectives)
}

fn duplicate(e: StoreError) -> DomainError {
    match e {
        StoreError::Duplicate(what) if what.contains("external_ref") => {
            DomainError::conflict("external_ref_taken", "another objective of this administration has this external_ref")
        }
        StoreError::Duplicate(_) => DomainError::conflict("code_taken", "another objective of this plan has this code"),
        other => stale_on_race(other),
    }
}

impl ObjectiveService {
    /// A page of a plan's objectives (flat, with `parent_id`), ordered by creation.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] for a plan the caller may not see.
    pub async fn list(&self, who: &Principal, plan: PlanId, page: &PageRequest<ObjectiveId>) -> Result<Page<Objective, ObjectiveId>, DomainError> {
        let repos = self.ctx.store.read();
        readable_plan(repos, who, plan).await?;
        let rows = repos.list_objectives(plan, page).await?;
        Ok(page.page(rows, |o| o.id))
    }

    /// The whole objective tree of a plan.
    ///
    /// # Errors
    /// [`DomainError::NotFound`] for a plan the caller may not see.
    pub async fn tree(&self, who: &Principal, plan: PlanId) -> Result<Vec<ObjectiveNode>, DomainError> {
        let repos = self.ctx.store.read();
        readable_plan(repos, who, plan).await?;
        Ok(build_tree(repos.objectives_of_plan(plan).await?))
    }

    /// # Errors
    /// [`DomainError::NotFound`] also for an objective of a plan the caller may not see.
    pub async fn get(&self, who: &Principal, id: ObjectiveId) -> Result<Objective, DomainError> {
        readable_objective(self.ctx.store.read(), who, id).await
    }

    /// The objectives with these ids that the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn by_ids(&self, who: &Principal, ids: &[ObjectiveId]) -> Result<Vec<Objective>, DomainError> {
        let repos = self.ctx.store.read();
        let objectives = repos.objectives_by_ids(ids).await?;
        let plans = visible_plans(repos, who, &objectives.iter().map(|o| o.plan_id).collect::<Vec<_>>()).await?;
        Ok(objectives.into_iter().filter(|o| plans.contains_key(&o.plan_id)).collect())
    }

    /// Every objective of the plans among `plans` that the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn of_plans(&self, who: &Principal, plans: &[PlanId]) -> Result<Vec<Objective>, DomainError> {
        let repos = self.ctx.store.read();
        let visible = visible_plans(repos, who, plans).await?;
        let ids: Vec<PlanId> = visible.keys().copied().collect();
        Ok(repos.objectives_of_plans(&ids).await?)
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`]
    /// (including `parent_id` placement), [`DomainError::Conflict`] for a taken code or ref.
    pub async fn create(&self, who: &Principal, plan_id: PlanId, input: &ObjectiveInput) -> Result<Objective, DomainError> {
        let draft = ObjectiveDraft::parse(input, None).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        let plan = writable_plan(tx.as_ref(), who, plan_id, Scope::PlansWrite).await?;
        let objective = self.insert(tx.as_ref(), who, &plan, draft).await?;
        tx.commit().await?;
        Ok(objective)
    }

    async fn insert(&self, tx: &dyn Repositories, who: &Principal, plan: &crate::plan::StrategicPlan, draft: ObjectiveDraft) -> Result<Objective, DomainError> {
        let siblings = tx.objectives_of_plan(plan.id).await?;
        let ref_taken = match &draft.external_ref {
            Some(r) => tx.objective_by_ref(plan.administration, r).await?.is_some(),
            None => false,
        };
        admit_new(&siblings, ref_taken, &draft)?;
        let objective = new_objective(plan, draft, self.ctx.clock.now());
        tx.insert_objective(&objective).await.map_err(duplicate)?;
        journal(who, &objective, plan, Operation::Create, "create").write(tx, None, snapshot(&objective)).await?;
        Ok(objective)
    }

    /// # Errors
    /// As [`Self::create`], plus [`DomainError::StaleVersion`].
    pub async fn update(&self, who: &Principal, id: ObjectiveId, input: &ObjectiveInput, expected_version: Option<i64>) -> Result<Objective, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable_objective(tx.as_ref(), who, id).await?;
        let plan = writable_plan(tx.as_ref(), who, before.plan_id, Scope::PlansWrite).await?;
        check_version(expected_version, before.version)?;
        let draft = ObjectiveDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        let (objective, _) = self.apply(tx.as_ref(), who, &plan, before, draft).await?;
        tx.commit().await?;
        Ok(objective)
    }

    async fn apply(
        &self,
        tx: &dyn Repositories,
        who: &Principal,
        plan: &crate::plan::StrategicPlan,
        before: Objective,
        draft: ObjectiveDraft,
    ) -> Result<(Objective, bool), DomainError> {
        let siblings = tx.objectives_of_plan(plan.id).await?;
        if draft.parent_id != before.parent_id {
            check_placement(&siblings, Some(before.id), draft.parent_id)?;
        }
        check_unique(tx, &siblings, Some(before.id), &draft, plan).await?;
        let mut objective = before.clone();
        objective.parent_id = draft.parent_id;
        objective.code = draft.code;
        objective.title = draft.title;
        objective.description = draft.description;
        objective.level = draft.level;
        objective.weight = draft.weight;
        objective.external_ref = draft.external_ref;
        if objective == before {
            return Ok((before, false));
        }
        objective.version += 1;
        objective.updated_at = self.ctx.clock.now();
        tx.update_objective(&objective, before.version).await.map_err(duplicate)?;
        journal(who, &objective, plan, Operation::Update, "update").write(tx, snapshot(&before), snapshot(&objective)).await?;
        Ok((objective, true))
    }

    /// Deletes an objective with the objectives and indicators below it.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: ObjectiveId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let objective = readable_objective(tx.as_ref(), who, id).await?;
        let plan = writable_plan(tx.as_ref(), who, objective.plan_id, Scope::PlansWrite).await?;
        check_version(expected_version, objective.version)?;
        let all = tx.objectives_of_plan(objective.plan_id).await?;
        let doomed = subtree_ids(&all, id);
        let indicators: Vec<_> =
            tx.indicators_of_plan(objective.plan_id, IndicatorVisibility::All).await?.into_iter().filter(|i| doomed.contains(&i.objective_id)).collect();
        let indicator_ids: Vec<_> = indicators.iter().map(|i| i.id).collect();
        let targets = tx.targets_of(&indicator_ids).await?;
        let measurements = tx.measurements_of(&indicator_ids).await?;
        tx.delete_objectives(&doomed).await?;
        let at = self.ctx.clock.now();
        let disclosed: std::collections::HashMap<_, _> = indicators.iter().map(|i| (i.id, i.is_disclosed_in(&plan))).collect();
        let shared = |i| disclosed.get(&i).copied().unwrap_or(false);
        // Each deleted object's tombstone keeps what it was, for the audit trail.
        let tombstones = all
            .iter()
            .filter(|o| doomed.contains(&o.id))
            .map(|o| (EntityType::Objective, o.id.to_string(), plan.is_disclosed(), snapshot(o)))
            .chain(indicators.iter().map(|i| (EntityType::Indicator, i.id.to_string(), shared(i.id), snapshot(i))))
            .chain(targets.iter().map(|t| (EntityType::Target, t.id.to_string(), shared(t.indicator_id), snapshot(t))))
            .chain(measurements.iter().map(|m| (EntityType::Measurement, m.id.to_string(), m.is_disclosed(shared(m.indicator_id)), snapshot(m))))
            .map(|(entity_type, entity_id, shared, before)| {
                let j = Journal {
                    who,
                    at,
                    administration: Some(objective.administration),
                    entity_type,
                    entity_id,
                    operation: Operation::Delete,
                    action: "delete".into(),
                    audience: Audience::shared_if(shared),
                };
                (j, before, None)
            })
            .collect();
        super::write_journals(tx.as_ref(), tombstones).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates or updates the objective the caller's national system knows as `external_ref`,
    /// in the plan `plan_id`. Sending the same body twice leaves one objective, unchanged the
    /// second time.
    ///
    /// # Errors
    /// As [`Self::create`]; [`DomainError::Conflict`] (`external_ref_in_other_plan`) when the
    /// reference belongs to an objective of another plan.
    pub async fn upsert_by_ref(
        &self,
        who: &Principal,
        external_ref: &str,
        plan_id: &str,
        input: &ObjectiveInput,
    ) -> Result<(Objective, Upserted), DomainError> {
        let external_ref = ExternalRef::parse(external_ref).map_err(|e| DomainError::from(e.under("external_ref")))?;
        let plan_id: PlanId = plan_id.parse().map_err(|e: crate::FieldError| DomainError::from(e.under("plan_id")))?;
        let mut input = input.clone();
        input.external_ref = Some(Some(external_ref.as_str().to_owned()));
        let tx = self.ctx.store.begin().await?;
        let plan = writable_plan(tx.as_ref(), who, plan_id, Scope::PlansWrite).await?;
        let existing = tx.objective_by_ref(plan.administration, &external_ref).await?;
        let outcome = match existing {
            Some(before) if before.plan_id != plan.id => {
                return Err(DomainError::conflict("external_ref_in_other_plan", "this external_ref belongs to an objective of another plan"));
            }
            Some(before) => {
                let draft = ObjectiveDraft::parse(&input, Some(&before)).map_err(DomainError::Validation)?;
                let (objective, changed) = self.apply(tx.as_ref(), who, &plan, before, draft).await?;
                (objective, if changed { Upserted::Updated } else { Upserted::Unchanged })
            }
            None => {
                let draft = ObjectiveDraft::parse(&input, None).map_err(DomainError::Validation)?;
                (self.insert(tx.as_ref(), who, &plan, draft).await?, Upserted::Created)
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}

/// Whether a new objective may join its plan: its place in the tree, its code free among the
/// plan's objectives, its reference free in the administration.
fn admit_new(siblings: &[Objective], ref_taken: bool, draft: &ObjectiveDraft) -> Result<(), DomainError> {
    check_placement(siblings, None, draft.parent_id)?;
    if siblings.iter().any(|o| o.code == draft.code) {
        return Err(DomainError::conflict("code_taken", format!("objective code {} is already used in this plan", draft.code.as_str())));
    }
    if let (Some(r), true) = (&draft.external_ref, ref_taken) {
        return Err(DomainError::conflict("external_ref_taken", format!("external_ref {r} is already used by another objective")));
    }
    Ok(())
}

fn new_objective(plan: &StrategicPlan, draft: ObjectiveDraft, now: chrono::DateTime<chrono::Utc>) -> Objective {
    Objective {
        id: ObjectiveId::generate(),
        plan_id: plan.id,
        administration: plan.administration,
        parent_id: draft.parent_id,
        code: draft.code,
        title: draft.title,
        description: draft.description,
        level: draft.level,
        weight: draft.weight,
        external_ref: draft.external_ref,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Creates objectives, each in the plan it names: every row is checked by the rules of a single
/// creation (the plan writable, the content valid, the place in the tree, code and reference
/// free, counting the rows accepted before it), and the accepted ones are written together with
/// their audit and change entries: a few statements whatever the number of rows. The outcome of
/// each row, in order; a refused row writes nothing. A row may name an earlier row of the batch
/// as its parent (`Some(index)`): it is placed under the objective that row creates, and is
/// refused as `not_found` when that row is.
///
/// # Errors
/// [`DomainError::Store`] when storage fails; [`DomainError::Conflict`] when a code or reference
/// was taken meanwhile (the unique indexes refuse the batch: retry it row by row).
pub(crate) async fn create_many(
    tx: &dyn Repositories,
    who: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    rows: Vec<(PlanId, ObjectiveInput, Option<usize>)>,
) -> Result<Vec<Result<Objective, DomainError>>, DomainError> {
    let mut plan_ids: Vec<PlanId> = rows.iter().map(|(p, _, _)| *p).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    let plans: HashMap<PlanId, StrategicPlan> = tx.plans_by_ids(&plan_ids).await?.into_iter().filter(|p| who.can_read_plan(p)).map(|p| (p.id, p)).collect();
    let readable: Vec<PlanId> = plans.keys().copied().collect();
    let mut siblings: HashMap<PlanId, Vec<Objective>> = HashMap::new();
    for o in tx.objectives_of_plans(&readable).await? {
        siblings.entry(o.plan_id).or_default().push(o);
    }
    let mut wanted: HashMap<AdministrationCode, Vec<ExternalRef>> = HashMap::new();
    for (plan, input, _) in &rows {
        if let (Some(p), Some(Some(raw))) = (plans.get(plan), &input.external_ref)
            && let Ok(reference) = ExternalRef::parse(raw)
        {
            wanted.entry(p.administration).or_default().push(reference);
        }
    }
    let mut taken: HashSet<(AdministrationCode, String)> = HashSet::new();
    for (administration, refs) in wanted {
        for o in tx.objectives_by_refs(administration, &refs).await? {
            if let Some(r) = o.external_ref {
                taken.insert((administration, r.as_str().to_owned()));
            }
        }
    }
    let mut outcomes: Vec<Result<Objective, DomainError>> = Vec::with_capacity(rows.len());
    for (plan_id, mut input, parent_row) in rows {
        let parent = match parent_row {
            None => Ok(()),
            Some(row) => match outcomes.get(row) {
                Some(Ok(parent)) => {
                    input.parent_id = Some(Some(parent.id.to_string()));
                    Ok(())
                }
                _ => Err(DomainError::not_found("objective")),
            },
        };
        let input = &input;
        let outcome = match (parent, plans.get(&plan_id)) {
            (Err(e), _) => Err(e),
            (Ok(()), None) => Err(DomainError::not_found("plan")),
            (Ok(()), Some(plan)) => ensure_writable(who, plan, Scope::PlansWrite)
                .and_then(|()| ObjectiveDraft::parse(input, None).map_err(DomainError::Validation))
                .and_then(|draft| {
                    let own = siblings.entry(plan.id).or_default();
                    let ref_taken = draft.external_ref.as_ref().is_some_and(|r| taken.contains(&(plan.administration, r.as_str().to_owned())));
                    admit_new(own, ref_taken, &draft)?;
                    if let Some(r) = &draft.external_ref {
                        taken.insert((plan.administration, r.as_str().to_owned()));
                    }
                    let objective = new_objective(plan, draft, now);
                    own.push(objective.clone());
                    Ok(objective)
                }),
        };
        outcomes.push(outcome);
    }
    let accepted: Vec<Objective> = outcomes.iter().filter_map(|o| o.as_ref().ok()).cloned().collect();
    tx.insert_objectives(&accepted).await.map_err(duplicate)?;
    write_journals(
        tx,
        accepted.iter().filter_map(|o| plans.get(&o.plan_id).map(|plan| (journal(who, o, plan, Operation::Create, "create"), None, snapshot(o)))).collect(),
    )
    .await?;
    Ok(outcomes)
}

async fn check_unique(
    tx: &dyn Repositories,
    siblings: &[Objective],
    id: Option<ObjectiveId>,
    draft: &ObjectiveDraft,
    plan: &crate::plan::StrategicPlan,
) -> Result<(), DomainError> {
    if siblings.iter().any(|o| Some(o.id) != id && o.code == draft.code) {
        return Err(DomainError::conflict("code_taken", format!("objective code {} is already used in this plan", draft.code.as_str())));
    }
    if let Some(r) = &draft.external_ref
        && let Some(other) = tx.objective_by_ref(plan.administration, r).await?
        && Some(other.id) != id
    {
        return Err(DomainError::conflict("external_ref_taken", format!("external_ref {r} is already used by another objective")));
    }
    Ok(())
}

fn journal<'a>(who: &'a Principal, o: &Objective, plan: &crate::plan::StrategicPlan, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at: o.updated_at,
        administration: Some(o.administration),
        entity_type: EntityType::Objective,
        entity_id: o.id.to_string(),
        operation,
        action: action.to_owned(),
        audience: Audience::shared_if(plan.is_disclosed()),
    }
}
