//! Results: targets and measurements per period, the review that makes a measurement
//! official, and the progress, status and roll-ups computed from them.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use chrono::Datelike;

use crate::{
    DomainError, FieldError, StoreError,
    audit::{Audience, EntityType, Operation},
    error::Errors,
    ids::{IndicatorId, MeasurementId, ObjectiveId, PlanId, TargetId},
    indicator::Indicator,
    measurement::{Measurement, MeasurementDraft, MeasurementInput, ReviewStatus, Target, TargetPoint},
    objective::Objective,
    page::{Page, PageRequest},
    period::Period,
    plan::StrategicPlan,
    ports::Repositories,
    principal::{FourEyes, Principal, Role, Scope},
    progress::{IndicatorProgress, RagStatus, RollUp, RollUpPart, SeriesInput, Standing, indicator_progress, indicator_standing, roll_up},
    values::Quantity,
};

use super::{
    Ctx, Journal, check_version,
    indicators::{readable_indicator, visible_indicators},
    objectives::Upserted,
    plans::{ensure_writable, readable_plan},
    record_override, snapshot, stale_on_race,
};

#[derive(Clone)]
pub struct ResultService {
    pub(crate) ctx: Ctx,
    /// Plan results already computed, each valid while its administration has no newer change
    /// (`None`: computed for every request).
    pub(crate) cache: Option<Arc<ResultsCache>>,
    /// Whether an admin may review a value they recorded or submitted (audited when they do).
    pub(crate) admin_override: bool,
}

/// Plan results as computed for the insiders or the outsiders of the plan's administration
/// (what they may see differs), each with the sequence number of the administration's latest
/// change when it was read. Every write journals a change of the administration it touches, in
/// the same transaction, so an entry whose number is still the latest holds what a new
/// computation would give; it is checked against the change feed on every read (one statement),
/// so a write is seen at once, by every server process.
#[derive(Default)]
pub(crate) struct ResultsCache {
    entries: std::sync::Mutex<HashMap<Reader, (i64, Arc<PlanResults>)>>,
}

/// A plan, and the reader's audience for its administration (see [`Principal::audience_of`]).
type Reader = (PlanId, u8);

/// Plans kept at most (for each audience); beyond, the cache starts again empty.
const CACHED_PLANS: usize = 4_096;

impl ResultsCache {
    fn get(&self, key: Reader, latest_change: i64) -> Option<Arc<PlanResults>> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(&key).filter(|(seq, _)| *seq == latest_change).map(|(_, results)| results.clone())
    }

    fn put(&self, key: Reader, latest_change: i64, results: Arc<PlanResults>) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= 2 * CACHED_PLANS {
            entries.clear();
        }
        entries.insert(key, (latest_change, results));
    }
}

/// A requested review move of a measurement.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    pub to: ReviewStatus,
    /// Why a value is returned (required for `returned`).
    pub reason: Option<String>,
}

/// An indicator with its computed series.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressReport {
    pub indicator: Indicator,
    pub progress: IndicatorProgress,
}

/// One indicator in a scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorScore {
    pub indicator: Indicator,
    pub standing: Standing,
}

/// One objective in a scorecard, with its roll-up and its own indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveScore {
    pub objective: Objective,
    pub rollup: RollUp,
    pub indicators: Vec<IndicatorScore>,
}

/// A plan's results at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub plan: StrategicPlan,
    pub rollup: RollUp,
    /// How many indicators are in each status.
    pub status_counts: BTreeMap<&'static str, u32>,
    /// Objectives in tree order (parents before children).
    pub objectives: Vec<ObjectiveScore>,
    pub indicators_without_data: Vec<IndicatorId>,
}

impl Scorecard {
    /// The objective's entry.
    pub fn objective(&self, id: ObjectiveId) -> Option<&ObjectiveScore> {
        self.objectives.iter().find(|o| o.objective.id == id)
    }

    /// The indicator's entry.
    pub fn indicator(&self, id: IndicatorId) -> Option<&IndicatorScore> {
        self.objectives.iter().flat_map(|o| &o.indicators).find(|i| i.indicator.id == id)
    }
}

/// A plan's results as one reader sees them, read in a fixed number of statements: the
/// scorecard (objectives, the indicators the reader may see and their standings, roll-ups)
/// and each indicator's latest approved measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanResults {
    pub scorecard: Scorecard,
    /// The latest approved measurement of each indicator that has one, as the reader sees it.
    pub latest_approved: HashMap<IndicatorId, Measurement>,
}

fn parse_period(raw: &str) -> Result<Period, DomainError> {
    Period::parse(raw).map_err(|e| DomainError::from(e.under("period")))
}

/// A measurement's period and value as given, with every field error of both.
fn parse_measurement(period: &str, input: &MeasurementInput) -> Result<(Period, MeasurementDraft), DomainError> {
    match (parse_period(period), MeasurementDraft::parse(input)) {
        (Ok(p), Ok(d)) => Ok((p, d)),
        (p, d) => {
            let mut all = Vec::new();
            if let Err(DomainError::Validation(v)) = p {
                all.extend(v);
            }
            if let Err(v) = d {
                all.extend(v);
            }
            Err(DomainError::Validation(all))
        }
    }
}

/// Periods of targets lie within the plan's years and after the baseline.
fn check_target_period(period: Period, indicator: &Indicator, plan: &StrategicPlan) -> Result<(), FieldError> {
    if period <= indicator.baseline.period {
        return Err(FieldError::new("period", "before_baseline", format!("targets come after the baseline period {}", indicator.baseline.period)));
    }
    if !(plan.start_year..=plan.end_year).contains(&period.year()) {
        return Err(FieldError::new("period", "outside_plan", format!("the plan runs from {} to {}", plan.start_year, plan.end_year)));
    }
    Ok(())
}

/// Measurements use the indicator's frequency, come after the baseline, within the plan's
/// last year, and not in the future.
fn check_measurement_period(period: Period, indicator: &Indicator, plan: &StrategicPlan, today: chrono::NaiveDate) -> Result<(), FieldError> {
    if period.granularity() != indicator.frequency.granularity() {
        return Err(FieldError::new("period", "wrong_frequency", format!("this indicator is measured {}", indicator.frequency.as_str())));
    }
    if period <= indicator.baseline.period {
        return Err(FieldError::new("period", "before_baseline", format!("measurements come after the baseline period {}", indicator.baseline.period)));
    }
    if period.year() > plan.end_year {
        return Err(FieldError::new("period", "outside_plan", format!("the plan ends in {}", plan.end_year)));
    }
    if period.start() > (today.year(), today.month()) {
        return Err(FieldError::new("period", "in_future", "a measurement cannot be recorded for a period that has not started"));
    }
    Ok(())
}

impl ResultService {
    /// Sets the target of a period (creating or replacing it).
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::StaleVersion`].
    pub async fn put_target(
        &self,
        who: &Principal,
        indicator_id: IndicatorId,
        period: &str,
        value: &str,
        expected_version: Option<i64>,
    ) -> Result<(Target, Upserted), DomainError> {
        let mut e = Errors::new();
        let period = e.take("period", Period::parse(period));
        let value = e.take("value", Quantity::parse(value));
        e.finish()?;
        let (Some(period), Some(value)) = (period, value) else {
            return Err(DomainError::validation("", "invalid", "invalid target"));
        };
        let tx = self.ctx.store.begin().await?;
        let (indicator, plan) = readable_indicator(tx.as_ref(), who, indicator_id).await?;
        ensure_writable(who, &plan, Scope::PlansWrite)?;
        check_target_period(period, &indicator, &plan)?;
        let now = self.ctx.clock.now();
        let existing = tx.target(indicator_id, period).await?;
        let (target, outcome) = match existing {
            Some(before) => {
                check_version(expected_version, before.version)?;
                if before.value == value {
                    return Ok((before, Upserted::Unchanged));
                }
                let target = Target { value, version: before.version + 1, updated_at: now, ..before.clone() };
                tx.update_target(&target, before.version).await.map_err(stale_on_race)?;
                journal(who, &target, indicator.is_disclosed_in(&plan), EntityType::Target, target.id.to_string(), Operation::Update, "update")
                    .write(tx.as_ref(), snapshot(&before), snapshot(&target))
                    .await?;
                (target, Upserted::Updated)
            }
            None => {
                if expected_version.is_some() {
                    return Err(DomainError::StaleVersion { current: None });
                }
                let target = Target {
                    id: TargetId::generate(),
                    indicator_id,
                    administration: indicator.administration,
                    period,
                    value,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                tx.insert_target(&target).await.map_err(race_on_insert)?;
                journal(who, &target, indicator.is_disclosed_in(&plan), EntityType::Target, target.id.to_string(), Operation::Create, "create")
                    .write(tx.as_ref(), None, snapshot(&target))
                    .await?;
                (target, Upserted::Created)
            }
        };
        tx.commit().await?;
        Ok((target, outcome))
    }

    /// Every target of an indicator, by period.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn targets(&self, who: &Principal, indicator_id: IndicatorId) -> Result<Vec<Target>, DomainError> {
        let repos = self.ctx.store.read();
        readable_indicator(repos, who, indicator_id).await?;
        let mut targets = repos.targets_of(&[indicator_id]).await?;
        targets.sort_by_key(|t| t.period);
        Ok(targets)
    }

    /// Records the actual value of a period. A new value starts (or restarts) the review as
    /// `draft`; an approved value stays in force until its successor is approved. Recording the
    /// same value again changes nothing.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::Validation`],
    /// [`DomainError::StaleVersion`].
    pub async fn put_measurement(
        &self,
        who: &Principal,
        indicator_id: IndicatorId,
        period: &str,
        input: &MeasurementInput,
        expected_version: Option<i64>,
    ) -> Result<(Measurement, Upserted), DomainError> {
        let (period, draft) = parse_measurement(period, input)?;
        let tx = self.ctx.store.begin().await?;
        let (indicator, plan) = readable_indicator(tx.as_ref(), who, indicator_id).await?;
        ensure_writable(who, &plan, Scope::MeasurementsWrite)?;
        let now = self.ctx.clock.now();
        check_measurement_period(period, &indicator, &plan, now.date_naive())?;
        let existing = tx.measurement(indicator_id, period).await?;
        match &existing {
            Some(before) => check_version(expected_version, before.version)?,
            None if expected_version.is_some() => return Err(DomainError::StaleVersion { current: None }),
            None => {}
        }
        let Some(measurement) = recorded(who, &indicator, period, draft, existing.as_ref(), now) else {
            return existing.map(|m| (m, Upserted::Unchanged)).ok_or(DomainError::not_found("measurement"));
        };
        let journal = measurement_journal(who, &indicator, &plan, &measurement, existing.is_none());
        let outcome = match &existing {
            Some(before) => {
                tx.update_measurement(&measurement, before.version).await.map_err(stale_on_race)?;
                journal.write(tx.as_ref(), snapshot(before), snapshot(&measurement)).await?;
                Upserted::Updated
            }
            None => {
                tx.insert_measurement(&measurement).await.map_err(race_on_insert)?;
                journal.write(tx.as_ref(), None, snapshot(&measurement)).await?;
                Upserted::Created
            }
        };
        tx.commit().await?;
        Ok((measurement, outcome))
    }

    /// Moves a measurement through its review. Submitting needs write access; approving and
    /// returning need an admin, or a planner of the administration other than the submitter.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] (`invalid_transition`), [`DomainError::Forbidden`] (four eyes),
    /// [`DomainError::Validation`] (a return needs a reason), [`DomainError::NotFound`].
    pub async fn review(
        &self,
        who: &Principal,
        indicator_id: IndicatorId,
        period: &str,
        request: &ReviewRequest,
        expected_version: Option<i64>,
    ) -> Result<Measurement, DomainError> {
        let period = parse_period(period)?;
        let reason = match (&request.to, request.reason.as_deref().map(str::trim)) {
            (ReviewStatus::Returned, None | Some("")) => return Err(DomainError::validation("reason", "required", "say why the value is returned")),
            (ReviewStatus::Returned, Some(r)) if r.chars().count() > 2000 => {
                return Err(DomainError::validation("reason", "too_long", "at most 2000 characters"));
            }
            (_, r) => r.filter(|r| !r.is_empty()).map(str::to_owned),
        };
        let tx = self.ctx.store.begin().await?;
        let (indicator, plan) = readable_indicator(tx.as_ref(), who, indicator_id).await?;
        ensure_writable(who, &plan, Scope::MeasurementsWrite)?;
        let before = tx.measurement(indicator_id, period).await?.ok_or(DomainError::not_found("measurement"))?;
        check_version(expected_version, before.version)?;
        let status = before.status.transition(request.to).map_err(|e| DomainError::conflict("invalid_transition", e.to_string()))?;
        let now = self.ctx.clock.now();
        if matches!(status, ReviewStatus::Approved | ReviewStatus::Returned) {
            if !matches!(who.role(), Role::Admin | Role::Planner) {
                return Err(DomainError::Forbidden("only a planner or an admin may review measurements".into()));
            }
            let authors = std::iter::once(before.recorded_by.as_str()).chain(before.submitted_by.as_deref());
            if who.ensure_second_pair_of_eyes(authors, self.admin_override)? == FourEyes::Overridden {
                let authors = serde_json::json!({"recorded_by": before.recorded_by, "submitted_by": before.submitted_by});
                record_override(tx.as_ref(), who, now, Some(indicator.administration), EntityType::Measurement, before.id.to_string(), authors).await?;
            }
        }
        let mut m = before.clone();
        m.status = status;
        m.version += 1;
        m.updated_at = now;
        match status {
            ReviewStatus::Submitted => {
                m.submitted_by = Some(who.subject().to_owned());
                m.return_reason = None;
            }
            ReviewStatus::Approved => {
                m.reviewed_by = Some(who.subject().to_owned());
                m.approved_value = Some(m.value);
                m.approved_at = Some(now);
                m.return_reason = None;
            }
            ReviewStatus::Returned => {
                m.reviewed_by = Some(who.subject().to_owned());
                m.return_reason = reason;
            }
            ReviewStatus::Draft => {}
        }
        tx.update_measurement(&m, before.version).await.map_err(stale_on_race)?;
        journal(
            who,
            &m,
            m.is_disclosed(indicator.is_disclosed_in(&plan)),
            EntityType::Measurement,
            m.id.to_string(),
            Operation::Update,
            &format!("review:{}", status.as_str()),
        )
        .write(tx.as_ref(), snapshot(&before), snapshot(&m))
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// A page of an indicator's measurements by period. Outside the administration only
    /// approved values are shown, as their approved figure.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn measurements(&self, who: &Principal, indicator_id: IndicatorId, page: &PageRequest<Period>) -> Result<Page<Measurement, Period>, DomainError> {
        let repos = self.ctx.store.read();
        let (indicator, _) = readable_indicator(repos, who, indicator_id).await?;
        let insider = who.sees_unapproved(indicator.administration);
        let rows = repos.list_measurements(indicator_id, !insider, page).await?;
        let page = page.page(rows, |m| m.period);
        Ok(if insider { page } else { Page { items: page.items.into_iter().filter_map(published).collect(), next: page.next } })
    }

    /// One measurement, as [`Self::measurements`] shows it.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn measurement(&self, who: &Principal, indicator_id: IndicatorId, period: &str) -> Result<Measurement, DomainError> {
        let period = parse_period(period)?;
        let repos = self.ctx.store.read();
        let (indicator, _) = readable_indicator(repos, who, indicator_id).await?;
        let m = repos.measurement(indicator_id, period).await?.ok_or(DomainError::not_found("measurement"))?;
        if who.sees_unapproved(indicator.administration) { Ok(m) } else { published(m).ok_or(DomainError::not_found("measurement")) }
    }

    /// One measurement by its id (as the change feed names it), as [`Self::measurement`] shows
    /// it, with the plan its indicator belongs to.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn measurement_by_id(&self, who: &Principal, id: MeasurementId) -> Result<(Measurement, PlanId), DomainError> {
        let repos = self.ctx.store.read();
        let m = repos.measurement_by_id(id).await?.ok_or(DomainError::not_found("measurement"))?;
        let (indicator, plan) = match readable_indicator(repos, who, m.indicator_id).await {
            Err(DomainError::NotFound { .. }) => return Err(DomainError::not_found("measurement")),
            other => other?,
        };
        let m = if who.sees_unapproved(indicator.administration) { Some(m) } else { published(m) };
        Ok((m.ok_or(DomainError::not_found("measurement"))?, plan.id))
    }

    /// The indicator's series: target, expected, actual, progress and status per period.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn progress(&self, who: &Principal, indicator_id: IndicatorId) -> Result<ProgressReport, DomainError> {
        let repos = self.ctx.store.read();
        let (indicator, plan) = readable_indicator(repos, who, indicator_id).await?;
        let targets = repos.targets_of(&[indicator_id]).await?;
        let measurements = repos.measurements_of(&[indicator_id]).await?;
        let progress = compute(&indicator, &plan, &targets, &measurements);
        Ok(ProgressReport { indicator, progress })
    }

    /// The measurements of the given indicators that the caller may see, as
    /// [`Self::measurements`] shows them (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn measurements_of(&self, who: &Principal, indicators: &[IndicatorId]) -> Result<Vec<Measurement>, DomainError> {
        let repos = self.ctx.store.read();
        let visible = visible_indicators(repos, who, repos.indicators_by_ids(indicators).await?).await?;
        let ids: Vec<IndicatorId> = visible.iter().map(|(i, _)| i.id).collect();
        let measurements = repos.measurements_of(&ids).await?;
        Ok(measurements.into_iter().filter_map(|m| if who.sees_unapproved(m.administration) { Some(m) } else { published(m) }).collect())
    }

    /// The targets of the given indicators that the caller may see (for batched reads).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn targets_of(&self, who: &Principal, indicators: &[IndicatorId]) -> Result<Vec<Target>, DomainError> {
        let repos = self.ctx.store.read();
        let visible = visible_indicators(repos, who, repos.indicators_by_ids(indicators).await?).await?;
        let ids: Vec<IndicatorId> = visible.iter().map(|(i, _)| i.id).collect();
        Ok(repos.targets_of(&ids).await?)
    }

    /// The progress, with the whole series, of each of the given indicators the caller may see
    /// (for batched reads). Reads every approved measurement: ask for it only where the series
    /// is shown; [`Self::plan_results`] gives the standings from the latest values alone.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn progress_of(&self, who: &Principal, indicators: &[IndicatorId]) -> Result<HashMap<IndicatorId, IndicatorProgress>, DomainError> {
        let repos = self.ctx.store.read();
        let visible = visible_indicators(repos, who, repos.indicators_by_ids(indicators).await?).await?;
        let ids: Vec<IndicatorId> = visible.iter().map(|(i, _)| i.id).collect();
        let targets = group_by(repos.targets_of(&ids).await?, |t| t.indicator_id);
        let measurements = group_by(repos.measurements_of(&ids).await?, |m| m.indicator_id);
        Ok(visible
            .iter()
            .map(|(i, plan)| {
                let targets = targets.get(&i.id).map(Vec::as_slice).unwrap_or_default();
                let measurements = measurements.get(&i.id).map(Vec::as_slice).unwrap_or_default();
                (i.id, compute(i, plan, targets, measurements))
            })
            .collect())
    }

    /// The results of those of `plans` that the caller may see (for batched reads). The plans
    /// were read through [`super::PlanService`]; who may see them is checked again here.
    ///
    /// One statement reads the latest change of the plans' administrations; results computed
    /// since are reused (see [`ResultsCache`]). The others are computed in four statements
    /// whatever their number: objectives, indicators, targets and the latest approved
    /// measurement of each indicator.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn plan_results(&self, who: &Principal, plans: Vec<StrategicPlan>) -> Result<HashMap<PlanId, Arc<PlanResults>>, DomainError> {
        let visible: Vec<StrategicPlan> = plans.into_iter().filter(|p| who.can_read_plan(p)).collect();
        if visible.is_empty() {
            return Ok(HashMap::new());
        }
        let mut administrations: Vec<crate::values::AdministrationCode> = visible.iter().map(|p| p.administration).collect();
        administrations.sort_unstable();
        administrations.dedup();
        // Read before the data: a change that commits in between makes what is computed below
        // stale at once (it is recomputed next time), never the other way round.
        let latest: HashMap<crate::values::AdministrationCode, i64> = match &self.cache {
            Some(_) => self.ctx.store.read().latest_changes_of(&administrations).await?.into_iter().collect(),
            None => HashMap::new(),
        };
        let mut out = HashMap::with_capacity(visible.len());
        let mut missing = Vec::new();
        for plan in visible {
            // What a funding donor sees of a plan is its own: not shared with other readers.
            if who.funds_plan(plan.id) {
                missing.push(plan);
                continue;
            }
            let key = (plan.id, who.audience_of(plan.administration));
            match self.cache.as_ref().and_then(|c| c.get(key, latest.get(&plan.administration).copied().unwrap_or(0))) {
                Some(results) => {
                    out.insert(plan.id, results);
                }
                None => missing.push(plan),
            }
        }
        for (id, results) in self.compute_results(who, missing).await? {
            let results = Arc::new(results);
            let administration = results.scorecard.plan.administration;
            if let Some(cache) = self.cache.as_ref().filter(|_| !who.funds_plan(id)) {
                cache.put((id, who.audience_of(administration)), latest.get(&administration).copied().unwrap_or(0), results.clone());
            }
            out.insert(id, results);
        }
        Ok(out)
    }

    /// Computes the results of readable plans in four statements whatever their number.
    async fn compute_results(&self, who: &Principal, visible: Vec<StrategicPlan>) -> Result<HashMap<PlanId, PlanResults>, DomainError> {
        if visible.is_empty() {
            return Ok(HashMap::new());
        }
        let repos = self.ctx.store.read();
        let plan_ids: Vec<PlanId> = visible.iter().map(|p| p.id).collect();
        let objectives = repos.objectives_of_plans(&plan_ids).await?;
        let objective_ids: Vec<ObjectiveId> = objectives.iter().map(|o| o.id).collect();
        let indicators: Vec<Indicator> = repos.indicators_of_objectives(&objective_ids).await?.into_iter().filter(|i| who.can_read_indicator(i)).collect();
        let indicator_ids: Vec<IndicatorId> = indicators.iter().map(|i| i.id).collect();
        let targets = group_by(repos.target_points_of(&indicator_ids).await?, |t| t.indicator_id);
        let latest: HashMap<IndicatorId, Measurement> = repos.latest_approved_of(&indicator_ids).await?.into_iter().map(|m| (m.indicator_id, m)).collect();
        let mut objectives_by_plan = group_by(objectives, |o| o.plan_id);
        let mut indicators_by_plan = group_by(indicators, |i| i.plan_id);
        Ok(visible
            .into_iter()
            .map(|plan| {
                let id = plan.id;
                let indicators = indicators_by_plan.remove(&id).unwrap_or_default();
                let latest_approved = indicators
                    .iter()
                    .filter_map(|i| latest.get(&i.id))
                    .filter_map(|m| if who.sees_unapproved(m.administration) { Some(m.clone()) } else { published(m.clone()) })
                    .map(|m| (m.indicator_id, m))
                    .collect();
                let scorecard = scorecard(plan, objectives_by_plan.remove(&id).unwrap_or_default(), indicators, &targets, &latest);
                (id, PlanResults { scorecard, latest_approved })
            })
            .collect())
    }

    /// The plan's scorecard: plan and objective roll-ups, status counts, indicators without data.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn scorecard(&self, who: &Principal, plan_id: PlanId) -> Result<Scorecard, DomainError> {
        let plan = readable_plan(self.ctx.store.read(), who, plan_id).await?;
        let mut results = self.plan_results(who, vec![plan]).await?;
        results.remove(&plan_id).map(|r| Arc::unwrap_or_clone(r).scorecard).ok_or(DomainError::not_found("plan"))
    }
}

/// What outsiders see of a measurement: its approved value only.
fn published(m: Measurement) -> Option<Measurement> {
    let value = m.approved_value?;
    Some(Measurement { value, status: ReviewStatus::Approved, return_reason: None, submitted_by: None, updated_at: m.approved_at.unwrap_or(m.updated_at), ..m })
}

/// What recording `draft` in `period` makes of the measurement stored there (`None` when
/// nothing changes). A new value starts (or restarts) the review as `draft`; the approved value
/// stays in force until its successor is approved.
fn recorded(
    who: &Principal,
    indicator: &Indicator,
    period: Period,
    draft: MeasurementDraft,
    existing: Option<&Measurement>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Measurement> {
    let MeasurementDraft { value, source, evidence_url, comment } = draft;
    match existing {
        Some(before) => {
            if before.value == value && before.source == source && before.evidence_url == evidence_url && before.comment == comment {
                return None;
            }
            let status = if before.value == value && before.status != ReviewStatus::Returned { before.status } else { ReviewStatus::Draft };
            Some(Measurement {
                value,
                source,
                evidence_url,
                comment,
                status,
                recorded_by: who.subject().to_owned(),
                submitted_by: if status == ReviewStatus::Draft { None } else { before.submitted_by.clone() },
                version: before.version + 1,
                updated_at: now,
                ..before.clone()
            })
        }
        None => Some(Measurement {
            id: MeasurementId::generate(),
            indicator_id: indicator.id,
            administration: indicator.administration,
            period,
            value,
            source,
            evidence_url,
            comment,
            status: ReviewStatus::Draft,
            return_reason: None,
            recorded_by: who.subject().to_owned(),
            submitted_by: None,
            reviewed_by: None,
            approved_value: None,
            approved_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }),
    }
}

/// The journal entry of a recorded value.
fn measurement_journal<'a>(who: &'a Principal, indicator: &Indicator, plan: &StrategicPlan, m: &Measurement, created: bool) -> Journal<'a> {
    let (operation, action) = if created { (Operation::Create, "create") } else { (Operation::Update, "update") };
    journal(who, m, m.is_disclosed(indicator.is_disclosed_in(plan)), EntityType::Measurement, m.id.to_string(), operation, action)
}

/// One measurement row of a bulk import: its indicator (or why it could not be named), period
/// and input.
pub(crate) struct MeasurementRow {
    pub(crate) indicator: Result<IndicatorId, DomainError>,
    pub(crate) period: String,
    pub(crate) input: MeasurementInput,
}

/// A measurement row that passed the checks of its own: its indicator, plan, period and value.
type Checked<'a> = Result<(&'a Indicator, &'a StrategicPlan, Period, MeasurementDraft), DomainError>;

/// Records many measurements in the caller's transaction with the rules of
/// [`ResultService::put_measurement`], in a fixed number of statements: the indicators, their
/// plans and the stored measurements are read once, new values are inserted together, and the
/// journal is written together. A refused row is never written, so it needs no savepoint.
/// Rows apply in order (a later row for the same period sees the earlier one).
///
/// # Errors
/// [`DomainError::Store`] when storage fails; refused rows are in the answer, one per row.
pub(crate) async fn record_many(
    tx: &dyn Repositories,
    who: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    rows: Vec<MeasurementRow>,
) -> Result<Vec<Result<Upserted, DomainError>>, DomainError> {
    let mut ids: Vec<IndicatorId> = rows.iter().filter_map(|r| r.indicator.as_ref().ok().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let indicators: HashMap<IndicatorId, Indicator> = tx.indicators_by_ids(&ids).await?.into_iter().map(|i| (i.id, i)).collect();
    let mut plan_ids: Vec<PlanId> = indicators.values().map(|i| i.plan_id).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    let plans: HashMap<PlanId, StrategicPlan> = tx.plans_by_ids(&plan_ids).await?.into_iter().map(|p| (p.id, p)).collect();
    // Each row checked on its own first: what it names, may the caller write there, the period.
    let checked: Vec<Checked<'_>> = rows
        .into_iter()
        .map(|row| {
            let id = row.indicator?;
            // In the order of a single write: the input, then what it names.
            let (period, draft) = parse_measurement(&row.period, &row.input)?;
            let (Some(indicator), plan) = (indicators.get(&id), indicators.get(&id).and_then(|i| plans.get(&i.plan_id))) else {
                return Err(DomainError::not_found("indicator"));
            };
            let Some(plan) = plan.filter(|p| who.can_read_plan(p) && who.can_read_indicator(indicator)) else {
                return Err(DomainError::not_found("indicator"));
            };
            ensure_writable(who, plan, Scope::MeasurementsWrite)?;
            check_measurement_period(period, indicator, plan, now.date_naive())?;
            Ok((indicator, plan, period, draft))
        })
        .collect();
    let keys: Vec<(IndicatorId, Period)> = checked.iter().filter_map(|c| c.as_ref().ok().map(|(i, _, p, _)| (i.id, *p))).collect();
    let stored: HashMap<(IndicatorId, Period), Measurement> = tx.measurements_at(&keys).await?.into_iter().map(|m| ((m.indicator_id, m.period), m)).collect();
    // The state of each period as the rows apply, and whether it is stored yet.
    let mut current: HashMap<(IndicatorId, Period), (Measurement, bool)> = HashMap::new();
    let mut journals = Vec::new();
    let mut outcomes = Vec::with_capacity(checked.len());
    for row in checked {
        let (indicator, plan, period, draft) = match row {
            Ok(r) => r,
            Err(e) => {
                outcomes.push(Err(e));
                continue;
            }
        };
        let key = (indicator.id, period);
        let before = current.get(&key).map(|(m, _)| m.clone()).or_else(|| stored.get(&key).cloned());
        let Some(after) = recorded(who, indicator, period, draft, before.as_ref(), now) else {
            outcomes.push(Ok(Upserted::Unchanged));
            continue;
        };
        journals.push((measurement_journal(who, indicator, plan, &after, before.is_none()), before.as_ref().and_then(snapshot), snapshot(&after)));
        outcomes.push(Ok(if before.is_none() { Upserted::Created } else { Upserted::Updated }));
        current.insert(key, (after, stored.contains_key(&key)));
    }
    let (updates, inserts): (Vec<Measurement>, Vec<Measurement>) = {
        let (u, i): (Vec<_>, Vec<_>) = current.into_values().partition(|(_, is_stored)| *is_stored);
        (u.into_iter().map(|(m, _)| m).collect(), i.into_iter().map(|(m, _)| m).collect())
    };
    tx.insert_measurements(&inserts).await.map_err(race_on_insert)?;
    for m in &updates {
        let expected = stored.get(&(m.indicator_id, m.period)).map_or(m.version, |s| s.version);
        tx.update_measurement(m, expected).await.map_err(stale_on_race)?;
    }
    super::write_journals(tx, journals).await?;
    Ok(outcomes)
}

fn race_on_insert(e: StoreError) -> DomainError {
    match e {
        // Someone recorded the same period between our read and our insert.
        StoreError::Duplicate(_) => DomainError::StaleVersion { current: None },
        other => other.into(),
    }
}

/// Groups rows by a key, keeping their order.
pub(super) fn group_by<K: std::hash::Hash + Eq, T>(rows: Vec<T>, key: impl Fn(&T) -> K) -> HashMap<K, Vec<T>> {
    let mut out: HashMap<K, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}

type Series = Vec<(Period, rust_decimal::Decimal)>;

fn series_input<'a>(indicator: &Indicator, plan: &StrategicPlan, targets: &'a Series, actuals: &'a Series) -> SeriesInput<'a> {
    SeriesInput {
        direction: indicator.direction,
        baseline_period: indicator.baseline.period,
        baseline_value: indicator.baseline.value.get(),
        targets,
        actuals,
        thresholds: plan.thresholds,
    }
}

fn target_values(indicator: IndicatorId, targets: &[Target]) -> Series {
    targets.iter().filter(|t| t.indicator_id == indicator).map(|t| (t.period, t.value.get())).collect()
}

fn point_values(indicator: IndicatorId, targets: &[TargetPoint]) -> Series {
    targets.iter().filter(|t| t.indicator_id == indicator).map(|t| (t.period, t.value)).collect()
}

/// Computes one indicator's progress, with its series, from its targets and approved
/// measurements (rows of other indicators are ignored).
pub fn compute(indicator: &Indicator, plan: &StrategicPlan, targets: &[Target], measurements: &[Measurement]) -> IndicatorProgress {
    let targets = target_values(indicator.id, targets);
    let actuals: Series =
        measurements.iter().filter(|m| m.indicator_id == indicator.id).filter_map(|m| m.approved_value.map(|v| (m.period, v.get()))).collect();
    indicator_progress(&series_input(indicator, plan, &targets, &actuals))
}

/// Computes one indicator's standing from its targets and its latest approved measurement:
/// the figures [`compute`] gives for that period, without reading the history.
pub fn standing(indicator: &Indicator, plan: &StrategicPlan, targets: &[TargetPoint], latest_approved: Option<&Measurement>) -> Standing {
    let targets = point_values(indicator.id, targets);
    let actuals: Series =
        latest_approved.filter(|m| m.indicator_id == indicator.id).and_then(|m| m.approved_value.map(|v| (m.period, v.get()))).into_iter().collect();
    indicator_standing(&series_input(indicator, plan, &targets, &actuals))
}

/// Builds a scorecard from a plan's objectives, the indicators shown, their targets and their
/// latest approved measurements, both by indicator (pure and linear in its input; the use case
/// loads, this computes).
pub fn scorecard(
    plan: StrategicPlan,
    objectives: Vec<Objective>,
    indicators: Vec<Indicator>,
    targets: &HashMap<IndicatorId, Vec<TargetPoint>>,
    latest_approved: &HashMap<IndicatorId, Measurement>,
) -> Scorecard {
    let mut by_objective: HashMap<ObjectiveId, Vec<IndicatorScore>> = HashMap::new();
    let mut status_counts: BTreeMap<&'static str, u32> = RagStatus::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut without_data = Vec::new();
    for indicator in indicators {
        let targets = targets.get(&indicator.id).map(Vec::as_slice).unwrap_or_default();
        let standing = standing(&indicator, &plan, targets, latest_approved.get(&indicator.id));
        *status_counts.entry(standing.status.as_str()).or_default() += 1;
        if standing.progress.is_none() {
            without_data.push(indicator.id);
        }
        by_objective.entry(indicator.objective_id).or_default().push(IndicatorScore { indicator, standing });
    }
    let parent_of: HashMap<ObjectiveId, Option<ObjectiveId>> = objectives.iter().map(|o| (o.id, o.parent_id)).collect();
    let mut children_of: HashMap<ObjectiveId, Vec<&Objective>> = HashMap::new();
    for o in &objectives {
        if let Some(p) = o.parent_id {
            children_of.entry(p).or_default().push(o);
        }
    }
    // Children before parents: deepest first.
    let depth = |o: &Objective| {
        let mut d = 0;
        let mut cur = o.parent_id;
        while let Some(p) = cur {
            d += 1;
            cur = parent_of.get(&p).copied().flatten();
            if d > crate::objective::MAX_DEPTH {
                break;
            }
        }
        d
    };
    let mut order: Vec<&Objective> = objectives.iter().collect();
    order.sort_by_key(|o| std::cmp::Reverse(depth(o)));
    let mut rollups: HashMap<ObjectiveId, RollUp> = HashMap::new();
    for o in order {
        let own = by_objective.get(&o.id).map(Vec::as_slice).unwrap_or_default();
        let children = children_of.get(&o.id).map(Vec::as_slice).unwrap_or_default();
        let mut parts: Vec<RollUpPart<'_>> = own.iter().map(|s| RollUpPart::Indicator { weight: s.indicator.weight.get(), standing: &s.standing }).collect();
        parts.extend(children.iter().filter_map(|c| rollups.get(&c.id).map(|r| RollUpPart::Child { weight: c.weight.get(), rollup: r })));
        let r = roll_up(&parts, plan.thresholds);
        rollups.insert(o.id, r);
    }
    let parts: Vec<RollUpPart<'_>> = objectives
        .iter()
        .filter(|o| o.parent_id.is_none())
        .filter_map(|o| rollups.get(&o.id).map(|r| RollUpPart::Child { weight: o.weight.get(), rollup: r }))
        .collect();
    let plan_rollup = roll_up(&parts, plan.thresholds);
    let tree = super::objectives::build_tree(objectives);
    let mut flat = Vec::new();
    fn walk(nodes: Vec<super::ObjectiveNode>, out: &mut Vec<Objective>) {
        for n in nodes {
            out.push(n.objective);
            walk(n.children, out);
        }
    }
    walk(tree, &mut flat);
    let objectives = flat
        .into_iter()
        .map(|o| ObjectiveScore {
            rollup: rollups.remove(&o.id).unwrap_or_else(|| roll_up(&[], plan.thresholds)),
            indicators: by_objective.remove(&o.id).unwrap_or_default(),
            objective: o,
        })
        .collect();
    Scorecard { plan, rollup: plan_rollup, status_counts, objectives, indicators_without_data: without_data }
}

fn journal<'a, T>(who: &'a Principal, item: &T, shared: bool, entity_type: EntityType, entity_id: String, operation: Operation, action: &str) -> Journal<'a>
where
    T: HasTenant,
{
    Journal {
        who,
        at: item.updated(),
        administration: Some(item.tenant()),
        entity_type,
        entity_id,
        operation,
        action: action.to_owned(),
        audience: Audience::shared_if(shared),
    }
}

trait HasTenant {
    fn tenant(&self) -> crate::values::AdministrationCode;
    fn updated(&self) -> chrono::DateTime<chrono::Utc>;
}

impl HasTenant for Target {
    fn tenant(&self) -> crate::values::AdministrationCode {
        self.administration
    }
    fn updated(&self) -> chrono::DateTime<chrono::Utc> {
        self.updated_at
    }
}

impl HasTenant for Measurement {
    fn tenant(&self) -> crate::values::AdministrationCode {
        self.administration
    }
    fn updated(&self) -> chrono::DateTime<chrono::Utc> {
        self.updated_at
    }
}
