//! Indicators of an objective.

use std::collections::{HashMap, HashSet};

use crate::{
    DomainError, StoreError,
    audit::{Audience, EntityType, Operation},
    ids::{IndicatorDefinitionId, IndicatorId, ObjectiveId, PlanId},
    indicator::{Indicator, IndicatorDefinition, IndicatorDraft, IndicatorInput},
    objective::Objective,
    page::{Page, PageRequest},
    plan::StrategicPlan,
    ports::{IndicatorVisibility, Repositories},
    principal::{Principal, Scope},
    values::{AdministrationCode, ExternalRef},
};

use super::{
    Ctx, Journal, check_version,
    objectives::readable_objective,
    plans::{ensure_writable, readable_plan, visible_plans, writable_plan},
    snapshot, stale_on_race, write_journals,
};

#[derive(Clone)]
pub struct IndicatorService {
    pub(crate) ctx: Ctx,
}

/// Loads an indicator the caller may see: its plan visible, and not restricted for outsiders.
pub(crate) async fn readable_indicator(
    repos: &dyn Repositories,
    who: &Principal,
    id: IndicatorId,
) -> Result<(Indicator, crate::plan::StrategicPlan), DomainError> {
    let indicator = repos.indicator(id).await?.ok_or(DomainError::not_found("indicator"))?;
    let plan = match readable_plan(repos, who, indicator.plan_id).await {
        Ok(plan) => plan,
        Err(DomainError::NotFound { .. }) => return Err(DomainError::not_found("indicator")),
        Err(e) => return Err(e),
    };
    if !who.can_read_indicator(&indicator) {
        return Err(DomainError::not_found("indicator"));
    }
    Ok((indicator, plan))
}

/// Keeps the indicators the caller may see, each with its plan (one statement for the plans).
pub(crate) async fn visible_indicators(
    repos: &dyn Repositories,
    who: &Principal,
    indicators: Vec<Indicator>,
) -> Result<Vec<(Indicator, crate::plan::StrategicPlan)>, DomainError> {
    let plans = visible_plans(repos, who, &indicators.iter().map(|i| i.plan_id).collect::<Vec<_>>()).await?;
    Ok(indicators.into_iter().filter(|i| who.can_read_indicator(i)).filter_map(|i| plans.get(&i.plan_id).cloned().map(|p| (i, p))).collect())
}

/// What the list of `objective`'s indicators may return to the caller, as a filter storage
/// applies (the rows are checked one by one afterwards too).
pub(crate) fn indicator_visibility(
    who: &Principal,
    administration: crate::values::AdministrationCode,
    objective: crate::ids::ObjectiveId,
) -> IndicatorVisibility {
    if who.is_insider(administration) || who.funds_objective(objective) {
        IndicatorVisibility::All
    } else if who.is_anonymous() {
        IndicatorVisibility::PublicOnly
    } else {
        IndicatorVisibility::SharedOnly
    }
}

async fn definition_of(repos: &dyn Repositories, input: &IndicatorInput, base: Option<&Indicator>) -> Result<Option<IndicatorDefinition>, DomainError> {
    match named_definition(input, base) {
        None => Ok(None),
        Some(id) => match repos.definition(id).await? {
            Some(d) => Ok(Some(d)),
            None => Err(DomainError::validation("definition_id", "unknown", "no indicator definition has this id")),
        },
    }
}

/// The schema's unique index (administration, external_ref) guards references.
fn duplicate(e: StoreError) -> DomainError {
    match e {
        StoreError::Duplicate(_) => DomainError::conflict("external_ref_taken", "another indicator of this administration has this external_ref"),
        other => stale_on_race(other),
    }
}

impl IndicatorService {
    /// # Errors
    /// [`DomainError::NotFound`] for an objective the caller may not see.
    pub async fn list(&self, who: &Principal, objective: ObjectiveId, page: &PageRequest<IndicatorId>) -> Result<Page<Indicator, IndicatorId>, DomainError> {
        let repos = self.ctx.store.read();
        let o = readable_objective(repos, who, objective).await?;
        let rows = repos.list_indicators(objective, indicator_visibility(who, o.administration, objective), page).await?;
        Ok(page.page(rows, |i| i.id))
    }

    /// # Errors
    /// [`DomainError::NotFound`] also for an indicator the caller may not see.
    pub async fn get(&self, who: &Principal, id: IndicatorId) -> Result<Indicator, DomainError> {
        Ok(readable_indicator(self.ctx.store.read(), who, id).await?.0)
    }

    /// The indicators with these ids that the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn by_ids(&self, who: &Principal, ids: &[IndicatorId]) -> Result<Vec<Indicator>, DomainError> {
        let repos = self.ctx.store.read();
        Ok(visible_indicators(repos, who, repos.indicators_by_ids(ids).await?).await?.into_iter().map(|(i, _)| i).collect())
    }

    /// Every indicator of these objectives that the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn of_objectives(&self, who: &Principal, objectives: &[ObjectiveId]) -> Result<Vec<Indicator>, DomainError> {
        let repos = self.ctx.store.read();
        Ok(visible_indicators(repos, who, repos.indicators_of_objectives(objectives).await?).await?.into_iter().map(|(i, _)| i).collect())
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::Conflict`].
    pub async fn create(&self, who: &Principal, objective_id: ObjectiveId, input: &IndicatorInput) -> Result<Indicator, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let created = create_many(tx.as_ref(), who, self.ctx.clock.now(), vec![(objective_id, input.clone())]).await?.pop();
        let indicator = created.ok_or_else(|| DomainError::Store(StoreError::Backend("an indicator creation gave no outcome".into())))??;
        tx.commit().await?;
        Ok(indicator)
    }

    /// # Errors
    /// As [`Self::create`], plus [`DomainError::StaleVersion`].
    pub async fn update(&self, who: &Principal, id: IndicatorId, input: &IndicatorInput, expected_version: Option<i64>) -> Result<Indicator, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let (before, _) = readable_indicator(tx.as_ref(), who, id).await?;
        let plan = writable_plan(tx.as_ref(), who, before.plan_id, Scope::PlansWrite).await?;
        check_version(expected_version, before.version)?;
        let definition = definition_of(tx.as_ref(), input, Some(&before)).await?;
        let draft = IndicatorDraft::parse(input, Some(&before), definition.as_ref()).map_err(DomainError::Validation)?;
        let mut indicator = before.clone();
        indicator.definition_id = draft.definition_id;
        indicator.name = draft.name;
        indicator.description = draft.description;
        indicator.measure = draft.measure;
        indicator.unit = draft.unit;
        indicator.direction = draft.direction;
        indicator.baseline = draft.baseline;
        indicator.frequency = draft.frequency;
        indicator.data_source = draft.data_source;
        indicator.means_of_verification = draft.means_of_verification;
        indicator.weight = draft.weight;
        indicator.disclosure = draft.disclosure;
        indicator.external_ref = draft.external_ref;
        if indicator == before {
            return Ok(before);
        }
        indicator.version += 1;
        indicator.updated_at = self.ctx.clock.now();
        tx.update_indicator(&indicator, before.version).await.map_err(duplicate)?;
        journal(who, &indicator, &plan, Operation::Update, "update").write(tx.as_ref(), snapshot(&before), snapshot(&indicator)).await?;
        tx.commit().await?;
        Ok(indicator)
    }

    /// Deletes an indicator with its targets and measurements.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: IndicatorId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let (indicator, _) = readable_indicator(tx.as_ref(), who, id).await?;
        let plan = writable_plan(tx.as_ref(), who, indicator.plan_id, Scope::PlansWrite).await?;
        check_version(expected_version, indicator.version)?;
        let targets = tx.targets_of(&[id]).await?;
        let measurements = tx.measurements_of(&[id]).await?;
        tx.delete_indicator(id).await?;
        let at = self.ctx.clock.now();
        // Each child's tombstone keeps what was deleted, for the audit trail.
        let tombstones = targets
            .iter()
            .map(|t| (EntityType::Target, t.id.to_string(), snapshot(t)))
            .chain(measurements.iter().map(|m| (EntityType::Measurement, m.id.to_string(), snapshot(m))))
            .map(|(entity_type, entity_id, before)| {
                let j = Journal {
                    who,
                    at,
                    administration: Some(indicator.administration),
                    entity_type,
                    entity_id,
                    operation: Operation::Delete,
                    action: "delete".into(),
                    audience: Audience::shared_if(indicator.is_disclosed_in(&plan)),
                };
                (j, before, None)
            })
            .collect();
        super::write_journals(tx.as_ref(), tombstones).await?;
        let mut j = journal(who, &indicator, &plan, Operation::Delete, "delete");
        j.at = at;
        j.write(tx.as_ref(), snapshot(&indicator), None).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Creates indicators, each under the objective it names: every row is checked by the rules of
/// a single creation (the objective visible, its plan writable, the definition known, the
/// content valid, the reference free), and the accepted ones are written together, with their
/// audit and change entries: a few statements whatever the number of rows. The outcome of each
/// row, in order; a refused row writes nothing.
///
/// # Errors
/// [`DomainError::Store`] when storage fails, or a reference is taken meanwhile (the unique index
/// refuses the batch: retry it row by row).
pub(crate) async fn create_many(
    tx: &dyn Repositories,
    who: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    rows: Vec<(ObjectiveId, IndicatorInput)>,
) -> Result<Vec<Result<Indicator, DomainError>>, DomainError> {
    let mut objective_ids: Vec<ObjectiveId> = rows.iter().map(|(o, _)| *o).collect();
    objective_ids.sort_unstable();
    objective_ids.dedup();
    let objectives: HashMap<ObjectiveId, Objective> = tx.objectives_by_ids(&objective_ids).await?.into_iter().map(|o| (o.id, o)).collect();
    let mut plan_ids: Vec<PlanId> = objectives.values().map(|o| o.plan_id).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    let plans: HashMap<PlanId, StrategicPlan> = tx.plans_by_ids(&plan_ids).await?.into_iter().filter(|p| who.can_read_plan(p)).map(|p| (p.id, p)).collect();
    let mut definition_ids: Vec<IndicatorDefinitionId> = rows.iter().filter_map(|(_, input)| named_definition(input, None)).collect();
    definition_ids.sort_unstable();
    definition_ids.dedup();
    let definitions: HashMap<IndicatorDefinitionId, IndicatorDefinition> =
        if definition_ids.is_empty() { HashMap::new() } else { tx.definitions_by_ids(&definition_ids).await?.into_iter().map(|d| (d.id, d)).collect() };
    // References already used in each administration, and those this batch takes.
    let mut wanted: HashMap<AdministrationCode, Vec<ExternalRef>> = HashMap::new();
    for (objective, input) in &rows {
        if let (Some(o), Some(Some(raw))) = (objectives.get(objective), &input.external_ref)
            && let Ok(reference) = ExternalRef::parse(raw)
        {
            wanted.entry(o.administration).or_default().push(reference);
        }
    }
    let mut taken: HashSet<(AdministrationCode, String)> = HashSet::new();
    for (administration, refs) in wanted {
        for indicator in tx.indicators_by_refs(administration, &refs).await? {
            if let Some(r) = indicator.external_ref {
                taken.insert((administration, r.as_str().to_owned()));
            }
        }
    }
    let mut outcomes = Vec::with_capacity(rows.len());
    for (objective_id, input) in &rows {
        let outcome = (|| {
            let objective = objectives.get(objective_id).ok_or(DomainError::not_found("objective"))?;
            let plan = plans.get(&objective.plan_id).ok_or(DomainError::not_found("objective"))?;
            ensure_writable(who, plan, Scope::PlansWrite)?;
            let definition = match named_definition(input, None) {
                Some(id) => {
                    Some(definitions.get(&id).ok_or_else(|| DomainError::validation("definition_id", "unknown", "no indicator definition has this id"))?)
                }
                None => None,
            };
            let draft = IndicatorDraft::parse(input, None, definition).map_err(DomainError::Validation)?;
            if let Some(r) = &draft.external_ref
                && !taken.insert((plan.administration, r.as_str().to_owned()))
            {
                return Err(duplicate(StoreError::Duplicate("external_ref".into())));
            }
            Ok(new_indicator(*objective_id, plan, draft, now))
        })();
        outcomes.push(outcome);
    }
    let accepted: Vec<Indicator> = outcomes.iter().filter_map(|o| o.as_ref().ok()).cloned().collect();
    tx.insert_indicators(&accepted).await.map_err(duplicate)?;
    write_journals(
        tx,
        accepted.iter().filter_map(|i| plans.get(&i.plan_id).map(|plan| (journal(who, i, plan, Operation::Create, "create"), None, snapshot(i)))).collect(),
    )
    .await?;
    Ok(outcomes)
}

/// The definition an input names (`None` for none, or an id that does not parse: the draft
/// reports it), else the one the indicator already has.
fn named_definition(input: &IndicatorInput, base: Option<&Indicator>) -> Option<IndicatorDefinitionId> {
    match &input.definition_id {
        Some(Some(raw)) => raw.parse::<IndicatorDefinitionId>().ok(),
        Some(None) => None,
        None => base.and_then(|b| b.definition_id),
    }
}

fn new_indicator(objective_id: ObjectiveId, plan: &StrategicPlan, draft: IndicatorDraft, now: chrono::DateTime<chrono::Utc>) -> Indicator {
    Indicator {
        id: IndicatorId::generate(),
        objective_id,
        plan_id: plan.id,
        administration: plan.administration,
        definition_id: draft.definition_id,
        name: draft.name,
        description: draft.description,
        measure: draft.measure,
        unit: draft.unit,
        direction: draft.direction,
        baseline: draft.baseline,
        frequency: draft.frequency,
        data_source: draft.data_source,
        means_of_verification: draft.means_of_verification,
        weight: draft.weight,
        disclosure: draft.disclosure,
        external_ref: draft.external_ref,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn journal<'a>(who: &'a Principal, i: &Indicator, plan: &crate::plan::StrategicPlan, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at: i.updated_at,
        administration: Some(i.administration),
        entity_type: EntityType::Indicator,
        entity_id: i.id.to_string(),
        operation,
        action: action.to_owned(),
        audience: Audience::shared_if(i.is_disclosed_in(plan)),
    }
}
