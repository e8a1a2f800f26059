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
    results::{MeasurementRow, record_many},
};
use crate::{
    DomainError, FieldError, StoreError,
    ids::{IndicatorId, ObjectiveId, ProjectId},
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
        // Storage failing is not the row's fault: the import stops.
        e @ DomainError::Store(_) => return Err(e),
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
            let outcomes: Vec<(usize, Result<Upserted, DomainError>)> = if section == Section::Measurements {
                // Measurements, the bulk of most imports, are checked and written together.
                let mut batch = vec![line];
                while let Some(next) = lines.next_if(|l| l.section == Section::Measurements) {
                    batch.push(next);
                }
                measurements(scoped.read(), who, self.ctx.clock.now(), batch, &mut known).await?
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
