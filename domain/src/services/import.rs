//! Bulk import: objectives, indicators, targets, measurements and projects in one document,
//! matched by id or by the partner's `external_ref`, checked (`validate`) or written (`commit`),
//! all or nothing (`atomic`) or good rows in and bad rows reported.
//!
//! Objectives, indicators, targets and projects go through the very use cases the single-object
//! endpoints call, each row in its own savepoint inside the import's one transaction, so a
//! refused row leaves no trace and a later row can refer to an object an earlier row created.
//! Measurements, usually the bulk of an import, are checked by the same rules row by row but
//! read and written together ([`record_many`]): a refused one is simply not written. A dry run,
//! or an atomic import with a refused row, rolls the whole transaction back.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;

use super::{
    Ctx, Services, Upserted,
    indicators::create_many,
    objectives,
    results::{MeasurementRow, record_many},
};
use crate::{
    DomainError, FieldError, StoreError,
    ids::{IndicatorId, ObjectiveId, PlanId, ProjectId},
    indicator::IndicatorInput,
    measurement::MeasurementInput,
    objective::ObjectiveInput,
    ports::{Repositories, Store, UnitOfWork},
    principal::Principal,
    project::ProjectInput,
    values::ExternalRef,
};

/// Most rows in one import.
pub const MAX_ROWS: usize = 20_000;

/// The kinds of row, in the order they are applied (parents before children).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Objectives,
    Indicators,
    Targets,
    Measurements,
    Projects,
}

impl Section {
    pub const ALL: [Self; 5] = [Self::Objectives, Self::Indicators, Self::Targets, Self::Measurements, Self::Projects];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Objectives => "objectives",
            Self::Indicators => "indicators",
            Self::Targets => "targets",
            Self::Measurements => "measurements",
            Self::Projects => "projects",
        }
    }
}

/// How a row names an existing object: by Meridian's id or by the partner's reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowRef {
    Id(String),
    Ref(String),
}

/// One row, as the adapter read it.
#[derive(Debug, Clone)]
pub enum ImportRow {
    /// Upserted by `external_ref` in the plan; `parent_ref` names the parent by its reference.
    Objective {
        external_ref: String,
        plan_id: String,
        parent_ref: Option<String>,
        input: ObjectiveInput,
    },
    /// An existing objective named by its id: the given fields change.
    ObjectiveById {
        id: String,
        parent_ref: Option<String>,
        input: ObjectiveInput,
    },
    /// Matched by id or reference; created under `objective` when the reference is new.
    Indicator {
        indicator: RowRef,
        objective: Option<RowRef>,
        input: IndicatorInput,
    },
    Target {
        indicator: RowRef,
        period: String,
        value: String,
    },
    Measurement {
        indicator: RowRef,
        period: String,
        input: MeasurementInput,
    },
    /// Upserted by `external_ref` (admins name the administration).
    Project {
        external_ref: String,
        administration: Option<String>,
        input: ProjectInput,
    },
    /// An existing project named by its id: the given fields change.
    ProjectById {
        id: String,
        input: ProjectInput,
    },
}

/// A row of the document: where it stands, and the row or why it could not be read.
#[derive(Debug, Clone)]
pub struct ImportLine {
    pub section: Section,
    /// 1-based, within its section (for CSV: the data row, header not counted).
    pub position: usize,
    pub row: Result<ImportRow, Vec<FieldError>>,
}

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub section: Section,
    pub position: usize,
    pub field: String,
    pub code: String,
    pub reason: String,
}

/// Counts per kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Whether the writes were kept: false for a dry run and for an atomic import with a refused row.
    pub committed: bool,
    pub counts: Vec<(Section, Counts)>,
    pub rejected: Vec<Rejection>,
}

/// `validate` checks everything and keeps nothing; `commit` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Validate,
    Commit,
}

#[derive(Clone)]
pub struct ImportService {
    pub(crate) ctx: Ctx,
}

/// The store an import's use cases see: reads go through the import's transaction, and each
/// "transaction" a use case opens is a savepoint inside it.
struct Scoped {
    outer: Box<dyn UnitOfWork>,
}

#[async_trait]
impl Store for Scoped {
    fn read(&self) -> &dyn Repositories {
        self.outer.as_ref()
    }

    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError> {
        self.outer.savepoint().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The rejection a refused row gets: each field error, or the one error.
fn rejections(section: Section, position: usize, error: DomainError) -> Result<Vec<Rejection>, DomainError> {
    let one = |field: &str, code: &str, reason: String| Rejection { section, position, field: field.to_owned(), code: code.to_owned(), reason };
    Ok(match error {
        DomainError::Validation(errors) => errors.into_iter().map(|e| one(&e.field, e.code, e.message)).collect(),
        DomainError::NotFound { entity } => vec![one(&format!("{entity}_id"), "not_found", format!("no {entity} you may see has this id or reference"))],
        DomainError::Forbidden(reason) => vec![one("", "forbidden", reason)],
        DomainError::Conflict { code, message } => vec![one("", code, message)],
        DomainError::StaleVersion { .. } => vec![one("", "stale_version", "the object changed meanwhile".into())],
        // Storage failing, or the caller no longer admitted, is not the row's fault: the import stops.
        e @ (DomainError::Store(_) | DomainError::Unauthenticated(_)) => return Err(e),
    })
}

impl ImportService {
    /// Applies `lines` for `who`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] (`too_many_rows`) beyond [`MAX_ROWS`]; [`DomainError::Store`]
    /// when storage fails (nothing is kept then). Refused rows are not errors: they are in the summary.
    pub async fn run(&self, who: &Principal, mut lines: Vec<ImportLine>, mode: ImportMode, atomic: bool) -> Result<ImportSummary, DomainError> {
        who.ensure_writer()?;
        if lines.len() > MAX_ROWS {
            return Err(DomainError::validation("", "too_many_rows", format!("an import holds at most {MAX_ROWS} rows; split it")));
        }
        lines.sort_by_key(|l| (l.section, l.position));
        let scoped = Arc::new(Scoped { outer: self.ctx.store.begin().await? });
        let services = Services::new(scoped.clone(), self.ctx.clock.clone());
        let mut counts: Vec<(Section, Counts)> = Section::ALL.iter().map(|s| (*s, Counts::default())).collect();
        let mut rejected = Vec::new();
        // Indicators found by reference, so that thousands of rows about a few indicators look each up once.
        let mut known = HashMap::new();
        let mut lines = lines.into_iter().peekable();
        while let Some(line) = lines.next() {
            let section = line.section;
            // The rest of this line's section, for the sections read and written in batches.
            let mut section_of = |line: ImportLine| {
                let mut batch = vec![line];
                while let Some(next) = lines.next_if(|l| l.section == section) {
                    batch.push(next);
                }
                batch
            };
            let outcomes: Vec<(usize, Result<Upserted, DomainError>)> = if section == Section::Measurements {
                // Measurements, the bulk of most imports, are checked and written together.
                measurements(scoped.read(), who, self.ctx.clock.now(), section_of(line), &mut known).await?
            } else if section == Section::Objectives && who.administration().is_some() {
                // New objectives are checked and written together; changes go one by one.
                objectives(&services, &scoped, who, self.ctx.clock.now(), section_of(line)).await?
            } else if section == Section::Indicators {
                // New indicators are checked and written together; changes go one by one.
                indicators(&services, &scoped, who, self.ctx.clock.now(), section_of(line), &mut known).await?
            } else {
                let outcome = match line.row {
                    Ok(row) => apply(&services, scoped.read(), who, row, &mut known).await,
                    Err(errors) => Err(DomainError::Validation(errors)),
                };
                vec![(line.position, outcome)]
            };
            let Some((_, c)) = counts.iter_mut().find(|(s, _)| *s == section) else { continue };
            for (position, outcome) in outcomes {
                match outcome {
                    Ok(Upserted::Created) => c.created += 1,
                    Ok(Upserted::Updated) => c.updated += 1,
                    Ok(Upserted::Unchanged) => c.unchanged += 1,
                    Err(e) => {
                        c.rejected += 1;
                        rejected.extend(rejections(section, position, e)?);
                    }
                }
            }
        }
        drop(services);
        let keep = mode == ImportMode::Commit && (!atomic || rejected.is_empty());
        let scoped = Arc::try_unwrap(scoped).map_err(|_| StoreError::Backend("the import's transaction is still in use".into()))?;
        if keep {
            scoped.outer.commit().await?;
        }
        Ok(ImportSummary { committed: keep, counts, rejected })
    }
}

/// The administration whose references the caller uses: its own.
fn own_ref(who: &Principal, raw: &str, field: &str) -> Result<(crate::values::AdministrationCode, ExternalRef), DomainError> {
    let reference = ExternalRef::parse(raw).map_err(|e| DomainError::from(e.under(field)))?;
    let administration = who
        .administration()
        .ok_or_else(|| DomainError::validation(field, "id_required", "references are your administration's; as an admin, name objects by id"))?;
    Ok((administration, reference))
}

async fn indicator_of(repos: &dyn Repositories, who: &Principal, r: &RowRef, known: &mut HashMap<String, IndicatorId>) -> Result<IndicatorId, DomainError> {
    match r {
        RowRef::Id(raw) => raw.parse().map_err(|e: FieldError| DomainError::from(e.under("indicator_id"))),
        RowRef::Ref(raw) => {
            if let Some(id) = known.get(raw) {
                return Ok(*id);
            }
            let (administration, reference) = own_ref(who, raw, "indicator_ref")?;
            let id = repos.indicator_by_ref(administration, &reference).await?.map(|i| i.id).ok_or_else(|| DomainError::not_found("indicator"))?;
            known.insert(raw.clone(), id);
            Ok(id)
        }
    }
}

/// The measurement lines of an import, with the indicators they name by reference looked up
/// together, recorded by [`record_many`]; each outcome with its line's position.
async fn measurements(
    tx: &dyn Repositories,
    who: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    lines: Vec<ImportLine>,
    known: &mut HashMap<String, IndicatorId>,
) -> Result<Vec<(usize, Result<Upserted, DomainError>)>, DomainError> {
    let mut wanted: Vec<ExternalRef> = Vec::new();
    for line in &lines {
        if let Ok(ImportRow::Measurement { indicator: RowRef::Ref(raw), .. }) = &line.row
            && !known.contains_key(raw)
            && let Ok((_, reference)) = own_ref(who, raw, "indicator_ref")
        {
            wanted.push(reference);
        }
    }
    if let (Some(administration), false) = (who.administration(), wanted.is_empty()) {
        wanted.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        wanted.dedup_by(|a, b| a.as_str() == b.as_str());
        for indicator in tx.indicators_by_refs(administration, &wanted).await? {
            if let Some(reference) = &indicator.external_ref {
                known.insert(reference.as_str().to_owned(), indicator.id);
            }
        }
    }
    let mut positions = Vec::with_capacity(lines.len());
    let mut rows = Vec::with_capacity(lines.len());
    let mut unreadable = Vec::new();
    for line in lines {
        match line.row {
            Ok(ImportRow::Measurement { indicator, period, input }) => {
                let indicator = match &indicator {
                    RowRef::Id(raw) => raw.parse().map_err(|e: FieldError| DomainError::from(e.under("indicator_id"))),
                    RowRef::Ref(raw) => match known.get(raw) {
                        Some(id) => Ok(*id),
                        None => own_ref(who, raw, "indicator_ref").and(Err(DomainError::not_found("indicator"))),
                    },
                };
                positions.push(line.position);
                rows.push(MeasurementRow { indicator, period, input });
            }
            Ok(_) => unreadable.push((line.position, Err(DomainError::validation("", "invalid", "not a measurement row")))),
            Err(errors) => unreadable.push((line.position, Err(DomainError::Validation(errors)))),
        }
    }
    let mut outcomes: Vec<(usize, Result<Upserted, DomainError>)> = positions.into_iter().zip(record_many(tx, who, now, rows).await?).collect();
    outcomes.extend(unreadable);
    outcomes.sort_by_key(|(position, _)| *position);
    Ok(outcomes)
}

/// Records what a batch created: each row's outcome at its position, and the id of each object
/// created under its reference (for the rows after it that name it).
fn created_outcomes<T, Id>(
    rows: impl Iterator<Item = (usize, String)>,
    created: Vec<Result<T, DomainError>>,
    id: impl Fn(&T) -> Id,
    known: &mut HashMap<String, Id>,
    outcomes: &mut Vec<(usize, Result<Upserted, DomainError>)>,
) {
    for ((position, reference), outcome) in rows.zip(created) {
        if let Ok(object) = &outcome {
            known.insert(reference, id(object));
        }
        outcomes.push((position, outcome.map(|_| Upserted::Created)));
    }
}

/// Objective rows waiting to be created together, each with its position and reference.
#[derive(Default)]
struct NewObjectives {
    /// Position, plan, content, the waiting row that is the parent, reference.
    rows: Vec<(usize, PlanId, ObjectiveInput, Option<usize>, String)>,
    /// The waiting rows by reference.
    index: HashMap<String, usize>,
}

impl NewObjectives {
    /// The index of the waiting row with this reference.
    fn find(&self, reference: &str) -> Option<usize> {
        self.index.get(reference).copied()
    }

    fn push(&mut self, row: (usize, PlanId, ObjectiveInput, Option<usize>, String)) {
        self.index.insert(row.4.clone(), self.rows.len());
        self.rows.push(row);
    }

    /// Creates the waiting objectives in one savepoint ([`objectives::create_many`]); when the
    /// batch meets a code or reference taken meanwhile, it is undone and the rows go one by one.
    async fn flush(
        &mut self,
        services: &Services,
        scoped: &Scoped,
        who: &Principal,
        now: chrono::DateTime<chrono::Utc>,
        known: &mut HashMap<String, ObjectiveId>,
        outcomes: &mut Vec<(usize, Result<Upserted, DomainError>)>,
    ) -> Result<(), DomainError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.rows);
        self.index.clear();
        let savepoint = scoped.outer.savepoint().await?;
        let rows = batch.iter().map(|(_, plan, input, parent, _)| (*plan, input.clone(), *parent)).collect();
        let created = match objectives::create_many(savepoint.as_ref(), who, now, rows).await {
            Ok(created) => {
                savepoint.commit().await?;
                created
            }
            Err(DomainError::Conflict { .. }) => {
                drop(savepoint);
                let mut one_by_one: Vec<Result<crate::objective::Objective, DomainError>> = Vec::with_capacity(batch.len());
                for (_, plan, input, parent, reference) in &batch {
                    let mut input = input.clone();
                    let outcome = match parent.map(|row| one_by_one.get(row)) {
                        Some(Some(Ok(parent))) => {
                            input.parent_id = Some(Some(parent.id.to_string()));
                            Ok(())
                        }
                        Some(_) => Err(DomainError::not_found("objective")),
                        None => Ok(()),
                    };
                    let outcome = match outcome {
                        Ok(()) => services.objectives.upsert_by_ref(who, reference, &plan.to_string(), &input).await.map(|(o, _)| o),
                        Err(e) => Err(e),
                    };
                    one_by_one.push(outcome);
                }
                one_by_one
            }
            Err(e) => return Err(e),
        };
        let rows = batch.into_iter().map(|(position, _, _, _, reference)| (position, reference));
        created_outcomes(rows, created, |o| o.id, known, outcomes);
        Ok(())
    }
}

/// The objective lines of an import (the caller names its administration), with every
/// reference they name looked up together: new objectives are created in batches
/// ([`objectives::create_many`]; a row whose parent waits in the batch comes after it), changes
/// to existing ones go through the use cases row by row; each outcome with its line's position.
async fn objectives(
    services: &Services,
    scoped: &Scoped,
    who: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    lines: Vec<ImportLine>,
) -> Result<Vec<(usize, Result<Upserted, DomainError>)>, DomainError> {
    let repos = scoped.read();
    let mut refs = Vec::new();
    for line in &lines {
        let named: Vec<&String> = match &line.row {
            Ok(ImportRow::Objective { external_ref, parent_ref, .. }) => std::iter::once(external_ref).chain(parent_ref).collect(),
            Ok(ImportRow::ObjectiveById { parent_ref, .. }) => parent_ref.iter().collect(),
            _ => Vec::new(),
        };
        refs.extend(named.into_iter().filter_map(|raw| ExternalRef::parse(raw).ok()));
    }
    refs.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    refs.dedup_by(|a, b| a.as_str() == b.as_str());
    let mut known: HashMap<String, ObjectiveId> = HashMap::new();
    if let (Some(administration), false) = (who.administration(), refs.is_empty()) {
        for objective in repos.objectives_by_refs(administration, &refs).await? {
            if let Some(reference) = objective.external_ref {
                known.insert(reference.as_str().to_owned(), objective.id);
            }
        }
    }
    let mut outcomes = Vec::with_capacity(lines.len());
    let mut waiting = NewObjectives::default();
    for line in lines {
        let position = line.position;
        let row = match line.row {
            Ok(row) => row,
            Err(errors) => {
                outcomes.push((position, Err(DomainError::Validation(errors))));
                continue;
            }
        };
        match row {
            ImportRow::Objective { external_ref, plan_id, parent_ref, mut input }
                if !known.contains_key(&external_ref) && waiting.find(&external_ref).is_none() =>
            {
                // A reference not seen yet: a new objective, created with the batch. In the
                // order of the single upsert: the parent (stored, or waiting), the reference, the plan.
                let parent = match &parent_ref {
                    None => Ok((None, None)),
                    Some(p) => own_ref(who, p, "parent_ref").and_then(|_| match (known.get(p), waiting.find(p)) {
                        (Some(id), _) => Ok((Some(*id), None)),
                        (None, Some(row)) => Ok((None, Some(row))),
                        (None, None) => Err(DomainError::not_found("objective")),
                    }),
                };
                let checked = parent.and_then(|parent| {
                    ExternalRef::parse(&external_ref).map_err(|e| DomainError::from(e.under("external_ref")))?;
                    let plan = plan_id.parse::<PlanId>().map_err(|e| DomainError::from(e.under("plan_id")))?;
                    Ok((plan, parent))
                });
                match checked {
                    Ok((plan, (stored_parent, waiting_parent))) => {
                        if let Some(parent) = stored_parent {
                            input.parent_id = Some(Some(parent.to_string()));
                        }
                        input.external_ref = Some(Some(external_ref.clone()));
                        waiting.push((position, plan, input, waiting_parent, external_ref));
                    }
                    Err(e) => outcomes.push((position, Err(e))),
                }
            }
            row => {
                // A change to an existing objective (perhaps one of the waiting ones): after them.
                waiting.flush(services, scoped, who, now, &mut known, &mut outcomes).await?;
                let mut ignored = HashMap::new();
                outcomes.push((position, apply(services, repos, who, row, &mut ignored).await));
            }
        }
    }
    waiting.flush(services, scoped, who, now, &mut known, &mut outcomes).await?;
    outcomes.sort_by_key(|(position, _)| *position);
    Ok(outcomes)
}

/// Indicator rows waiting to be created together, each with its position and reference.
#[derive(Default)]
struct NewIndicators {
    rows: Vec<(usize, ObjectiveId, IndicatorInput, String)>,
    /// The references of the waiting rows.
    references: std::collections::HashSet<String>,
}

impl NewIndicators {
    fn holds(&self, reference: &str) -> bool {
        self.references.contains(reference)
    }

    fn push(&mut self, row: (usize, ObjectiveId, IndicatorInput, String)) {
        self.references.insert(row.3.clone());
        self.rows.push(row);
    }

    /// Creates the waiting indicators in one savepoint ([`create_many`]); when the batch meets a
    /// reference taken meanwhile, it is undone and the rows are created one by one instead.
    async fn flush(
        &mut self,
        services: &Services,
        scoped: &Scoped,
        who: &Principal,
        now: chrono::DateTime<chrono::Utc>,
        known: &mut HashMap<String, IndicatorId>,
        outcomes: &mut Vec<(usize, Result<Upserted, DomainError>)>,
    ) -> Result<(), DomainError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.rows);
        self.references.clear();
        let savepoint = scoped.outer.savepoint().await?;
        let rows = batch.iter().map(|(_, objective, input, _)| (*objective, input.clone())).collect();
        let created = match create_many(savepoint.as_ref(), who, now, rows).await {
            Ok(created) => {
                savepoint.commit().await?;
                created
            }
            Err(DomainError::Conflict { .. }) => {
                drop(savepoint);
                let mut one_by_one = Vec::with_capacity(batch.len());
                for (_, objective, input, _) in &batch {
                    one_by_one.push(services.indicators.create(who, *objective, input).await);
                }
                one_by_one
            }
            Err(e) => return Err(e),
        };
        let rows = batch.into_iter().map(|(position, _, _, reference)| (position, reference));
        created_outcomes(rows, created, |i| i.id, known, outcomes);
        Ok(())
    }
}

/// The indicator lines of an import, with every reference they name looked up together: new
/// indicators are created in batches ([`create_many`]), changes to existing ones go through the
/// update use case row by row; each outcome with its line's position.
async fn indicators(
    services: &Services,
    scoped: &Scoped,
    who: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    lines: Vec<ImportLine>,
    known: &mut HashMap<String, IndicatorId>,
) -> Result<Vec<(usize, Result<Upserted, DomainError>)>, DomainError> {
    let repos = scoped.read();
    let (mut indicator_refs, mut objective_refs) = (Vec::new(), Vec::new());
    for line in &lines {
        if let Ok(ImportRow::Indicator { indicator, objective, .. }) = &line.row {
            if let RowRef::Ref(raw) = indicator
                && let Ok((_, reference)) = own_ref(who, raw, "external_ref")
            {
                indicator_refs.push(reference);
            }
            if let Some(RowRef::Ref(raw)) = objective
                && let Ok((_, reference)) = own_ref(who, raw, "objective_ref")
            {
                objective_refs.push(reference);
            }
        }
    }
    let mut objectives: HashMap<String, ObjectiveId> = HashMap::new();
    if let Some(administration) = who.administration() {
        for refs in [&mut indicator_refs, &mut objective_refs] {
            refs.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            refs.dedup_by(|a, b| a.as_str() == b.as_str());
        }
        if !indicator_refs.is_empty() {
            for indicator in repos.indicators_by_refs(administration, &indicator_refs).await? {
                if let Some(reference) = indicator.external_ref {
                    known.insert(reference.as_str().to_owned(), indicator.id);
                }
            }
        }
        if !objective_refs.is_empty() {
            for objective in repos.objectives_by_refs(administration, &objective_refs).await? {
                if let Some(reference) = objective.external_ref {
                    objectives.insert(reference.as_str().to_owned(), objective.id);
                }
            }
        }
    }
    let mut outcomes = Vec::with_capacity(lines.len());
    let mut waiting = NewIndicators::default();
    for line in lines {
        let position = line.position;
        let (indicator, objective, mut input) = match line.row {
            Ok(ImportRow::Indicator { indicator, objective, input }) => (indicator, objective, input),
            Ok(_) => {
                outcomes.push((position, Err(DomainError::validation("", "invalid", "not an indicator row"))));
                continue;
            }
            Err(errors) => {
                outcomes.push((position, Err(DomainError::Validation(errors))));
                continue;
            }
        };
        if let RowRef::Ref(raw) = &indicator
            && !known.contains_key(raw)
            && !waiting.holds(raw)
        {
            // A reference not seen yet: a new indicator, created with the batch.
            let target = match (own_ref(who, raw, "external_ref"), objective) {
                (Err(e), _) => Err(e),
                (Ok(_), None) => Err(DomainError::validation("objective_id", "required", "a new indicator names its objective")),
                (Ok(_), Some(RowRef::Id(id))) => id.parse().map_err(|e: FieldError| DomainError::from(e.under("objective_id"))),
                (Ok(_), Some(RowRef::Ref(r))) => match own_ref(who, &r, "objective_id") {
                    Err(e) => Err(e),
                    Ok(_) => objectives.get(&r).copied().ok_or_else(|| DomainError::not_found("objective")),
                },
            };
            match target {
                Ok(objective) => {
                    input.external_ref = Some(Some(raw.clone()));
                    waiting.push((position, objective, input, raw.clone()));
                }
                Err(e) => outcomes.push((position, Err(e))),
            }
            continue;
        }
        // A change to an existing indicator (perhaps one of the waiting ones): after them.
        waiting.flush(services, scoped, who, now, known, &mut outcomes).await?;
        outcomes.push((position, apply(services, repos, who, ImportRow::Indicator { indicator, objective, input }, known).await));
    }
    waiting.flush(services, scoped, who, now, known, &mut outcomes).await?;
    outcomes.sort_by_key(|(position, _)| *position);
    Ok(outcomes)
}

async fn objective_of(repos: &dyn Repositories, who: &Principal, r: &RowRef, field: &str) -> Result<ObjectiveId, DomainError> {
    match r {
        RowRef::Id(raw) => raw.parse().map_err(|e: FieldError| DomainError::from(e.under(field))),
        RowRef::Ref(raw) => {
            let (administration, reference) = own_ref(who, raw, field)?;
            repos.objective_by_ref(administration, &reference).await?.map(|o| o.id).ok_or_else(|| DomainError::not_found("objective"))
        }
    }
}

async fn apply(
    services: &Services,
    repos: &dyn Repositories,
    who: &Principal,
    row: ImportRow,
    known: &mut HashMap<String, IndicatorId>,
) -> Result<Upserted, DomainError> {
    match row {
        ImportRow::Objective { external_ref, plan_id, parent_ref, mut input } => {
            if let Some(parent) = parent_ref {
                let parent = objective_of(repos, who, &RowRef::Ref(parent), "parent_ref").await?;
                input.parent_id = Some(Some(parent.to_string()));
            }
            Ok(services.objectives.upsert_by_ref(who, &external_ref, &plan_id, &input).await?.1)
        }
        ImportRow::ObjectiveById { id, parent_ref, mut input } => {
            let id = objective_of(repos, who, &RowRef::Id(id), "id").await?;
            if let Some(parent) = parent_ref {
                let parent = objective_of(repos, who, &RowRef::Ref(parent), "parent_ref").await?;
                input.parent_id = Some(Some(parent.to_string()));
            }
            let before = services.objectives.get(who, id).await?;
            let after = services.objectives.update(who, id, &input, None).await?;
            Ok(if after.version == before.version { Upserted::Unchanged } else { Upserted::Updated })
        }
        ImportRow::ProjectById { id, input } => {
            let id: ProjectId = id.parse().map_err(|e: FieldError| DomainError::from(e.under("id")))?;
            let before = services.projects.get(who, id).await?.project;
            let after = services.projects.update(who, id, &input, None).await?;
            Ok(if after.version == before.version { Upserted::Unchanged } else { Upserted::Updated })
        }
        ImportRow::Indicator { indicator, objective, mut input } => {
            let existing = match &indicator {
                RowRef::Id(_) => Some(indicator_of(repos, who, &indicator, known).await?),
                RowRef::Ref(raw) => {
                    input.external_ref = Some(Some(raw.clone()));
                    let (administration, reference) = own_ref(who, raw, "external_ref")?;
                    repos.indicator_by_ref(administration, &reference).await?.map(|i| i.id)
                }
            };
            match existing {
                Some(id) => {
                    let before = services.indicators.get(who, id).await?;
                    let after = services.indicators.update(who, id, &input, None).await?;
                    Ok(if after.version == before.version { Upserted::Unchanged } else { Upserted::Updated })
                }
                None => {
                    let objective = objective.ok_or_else(|| DomainError::validation("objective_id", "required", "a new indicator names its objective"))?;
                    let objective = objective_of(repos, who, &objective, "objective_id").await?;
                    services.indicators.create(who, objective, &input).await?;
                    Ok(Upserted::Created)
                }
            }
        }
        ImportRow::Target { indicator, period, value } => {
            let id = indicator_of(repos, who, &indicator, known).await?;
            Ok(services.results.put_target(who, id, &period, &value, None).await?.1)
        }
        ImportRow::Measurement { indicator, period, input } => {
            let id = indicator_of(repos, who, &indicator, known).await?;
            Ok(services.results.put_measurement(who, id, &period, &input, None).await?.1)
        }
        ImportRow::Project { external_ref, administration, input } => {
            Ok(services.projects.upsert_by_ref(who, &external_ref, administration.as_deref(), &input).await?.1)
        }
    }
}
