//! Turning stored rows back into domain values. Stored data is parsed like input: a row that
//! no longer parses is reported as corrupt rather than trusted.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use domain::{
    StoreError,
    assessment::{CapabilityAssessment, CapabilityDimension, Currency, Maturity, Money},
    audit::{Audience, AuditEntry, AuditRecord, Change, ChangeRecord, EntityType, Operation},
    client::{ClientOwner, ClientSecret, MachineClient},
    donor::{Donor, IatiOrgId},
    funding::{Funding, FundingTransaction, TransactionKind},
    idempotency::{IdempotencyKey, KeyRecord, KeyState, StoredResponse},
    ids::{
        AdministrationId, AssessmentId, ClientId, ClientSecretId, DeliveryId, DonorId, EngagementId, FundingId, IndicatorDefinitionId, IndicatorId,
        MeasurementId, MilestoneId, ObjectiveId, PlanId, PortfolioId, PracticeId, ProjectId, RiskId, StakeholderId, SubscriptionId, TargetId, TransactionId,
    },
    indicator::{Baseline, Direction, Frequency, Indicator, IndicatorDefinition, Measure, PmmDimension},
    measurement::{Measurement, ReviewStatus, Target, TargetPoint},
    objective::{Objective, ObjectiveCode, ObjectiveLevel},
    period::Period,
    plan::{Administration, PlanRevision, PlanStatus, StrategicPlan, Thresholds},
    portfolio::Portfolio,
    practice::{Practice, PracticeKind, PracticeStatus, Tag},
    principal::Role,
    project::{Milestone, Project, ProjectStatus},
    risk::{Risk, RiskStatus, RiskSubject},
    stakeholder::{Engagement, EngagementRole, EngagementSubject, Stakeholder, StakeholderKind},
    text::{LanguageTag, LocalizedText},
    values::{AdministrationCode, Disclosure, DonorCode, ExternalRef, Quantity, Weight},
    webhook::{Attempt, Delivery, DeliveryStatus, Subscription, SubscriptionOwner},
};
use rust_decimal::Decimal;
use sea_orm::{DatabaseBackend, QueryResult, TryGetable};
use uuid::Uuid;

/// Typed column access on one row.
pub(crate) struct Row<'a> {
    pub(crate) r: &'a QueryResult,
    pub(crate) backend: DatabaseBackend,
}

fn corrupt(col: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{col}: {e}"))
}

impl Row<'_> {
    fn get<T: TryGetable>(&self, col: &str) -> Result<T, StoreError> {
        self.r.try_get::<T>("", col).map_err(|e| corrupt(col, e))
    }

    fn uuid(&self, col: &str) -> Result<Uuid, StoreError> {
        self.get(col)
    }

    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>, StoreError> {
        self.get(col)
    }

    fn string(&self, col: &str) -> Result<String, StoreError> {
        self.get(col)
    }

    fn opt_string(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.get(col)
    }

    fn i64(&self, col: &str) -> Result<i64, StoreError> {
        self.get(col)
    }

    fn i32(&self, col: &str) -> Result<i32, StoreError> {
        self.get(col)
    }

    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
        self.get(col)
    }

    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.get(col)
    }

    /// Exact decimal: `numeric` on PostgreSQL, canonical text on SQLite.
    fn opt_decimal(&self, col: &str) -> Result<Option<Decimal>, StoreError> {
        if self.backend == DatabaseBackend::Postgres {
            Ok(self.get::<Option<Decimal>>(col)?.map(|d| d.normalize()))
        } else {
            self.get::<Option<String>>(col)?.map(|s| Decimal::from_str_exact(&s).map(|d| d.normalize()).map_err(|e| corrupt(col, e))).transpose()
        }
    }

    fn decimal(&self, col: &str) -> Result<Decimal, StoreError> {
        self.opt_decimal(col)?.ok_or_else(|| corrupt(col, "null"))
    }

    fn quantity(&self, col: &str) -> Result<Quantity, StoreError> {
        Quantity::new(self.decimal(col)?).map_err(|e| corrupt(col, e))
    }

    fn opt_quantity(&self, col: &str) -> Result<Option<Quantity>, StoreError> {
        self.opt_decimal(col)?.map(|d| Quantity::new(d).map_err(|e| corrupt(col, e))).transpose()
    }

    fn weight(&self, col: &str) -> Result<Weight, StoreError> {
        Weight::new(self.decimal(col)?).map_err(|e| corrupt(col, e))
    }

    fn text(&self, col: &str) -> Result<LocalizedText, StoreError> {
        let json: serde_json::Value = self.get(col)?;
        text_from_json(col, json)
    }

    fn opt_text(&self, col: &str) -> Result<Option<LocalizedText>, StoreError> {
        let json: Option<serde_json::Value> = self.get(col)?;
        json.map(|j| text_from_json(col, j)).transpose()
    }

    pub(crate) fn code(&self, col: &str) -> Result<AdministrationCode, StoreError> {
        AdministrationCode::parse(&self.string(col)?).map_err(|e| corrupt(col, e))
    }

    fn parsed<T, E: std::fmt::Display>(&self, col: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, StoreError> {
        parse(&self.string(col)?).map_err(|e| corrupt(col, e))
    }

    fn opt_ref(&self, col: &str) -> Result<Option<ExternalRef>, StoreError> {
        self.opt_string(col)?.map(|s| ExternalRef::parse(&s).map_err(|e| corrupt(col, e))).transpose()
    }
}

fn text_from_json(col: &str, json: serde_json::Value) -> Result<LocalizedText, StoreError> {
    let map = json.as_object().ok_or_else(|| corrupt(col, "not an object"))?;
    let pairs: Vec<(&str, &str)> = map.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s))).collect();
    LocalizedText::parse(pairs, usize::MAX).map_err(|e| corrupt(col, format!("{e:?}")))
}

/// Stores multilingual text as a JSON object.
pub(crate) fn text_json(text: &LocalizedText) -> serde_json::Value {
    serde_json::Value::Object(text.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_owned()))).collect())
}

pub(crate) fn administration(row: &Row<'_>) -> Result<Administration, StoreError> {
    Ok(Administration {
        id: AdministrationId::from_uuid(row.uuid("id")?),
        code: row.code("code")?,
        name: row.text("name")?,
        default_language: row.parsed("default_language", LanguageTag::parse)?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn plan(row: &Row<'_>) -> Result<StrategicPlan, StoreError> {
    Ok(StrategicPlan {
        id: PlanId::from_uuid(row.uuid("id")?),
        administration: row.code("administration_code")?,
        title: row.text("title")?,
        vision: row.opt_text("vision")?,
        mission: row.opt_text("mission")?,
        start_year: row.i32("start_year")?,
        end_year: row.i32("end_year")?,
        status: row.parsed("status", PlanStatus::parse)?,
        disclosure: row.parsed("disclosure", Disclosure::parse)?,
        national_plan_ref: row.opt_string("national_plan_ref")?,
        thresholds: Thresholds::new(row.decimal("on_track_threshold")?, row.decimal("at_risk_threshold")?, row.decimal("maintain_tolerance")?)
            .map_err(|e| corrupt("thresholds", format!("{e:?}")))?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn objective(row: &Row<'_>) -> Result<Objective, StoreError> {
    Ok(Objective {
        id: ObjectiveId::from_uuid(row.uuid("id")?),
        plan_id: PlanId::from_uuid(row.uuid("plan_id")?),
        administration: row.code("administration_code")?,
        parent_id: row.opt_uuid("parent_id")?.map(ObjectiveId::from_uuid),
        code: row.parsed("code", ObjectiveCode::parse)?,
        title: row.text("title")?,
        description: row.opt_text("description")?,
        level: row.parsed("level", ObjectiveLevel::parse)?,
        weight: row.weight("weight")?,
        external_ref: row.opt_ref("external_ref")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn definition(row: &Row<'_>) -> Result<IndicatorDefinition, StoreError> {
    Ok(IndicatorDefinition {
        id: IndicatorDefinitionId::from_uuid(row.uuid("id")?),
        code: row.string("code")?,
        dimension: row.parsed("dimension", PmmDimension::parse)?,
        name: row.text("name")?,
        description: row.text("description")?,
        measure: row.parsed("measure", Measure::parse)?,
        direction: row.parsed("direction", Direction::parse)?,
        unit: row.opt_string("unit")?,
    })
}

pub(crate) fn indicator(row: &Row<'_>) -> Result<Indicator, StoreError> {
    Ok(Indicator {
        id: IndicatorId::from_uuid(row.uuid("id")?),
        objective_id: ObjectiveId::from_uuid(row.uuid("objective_id")?),
        plan_id: PlanId::from_uuid(row.uuid("plan_id")?),
        administration: row.code("administration_code")?,
        definition_id: row.opt_uuid("definition_id")?.map(IndicatorDefinitionId::from_uuid),
        name: row.text("name")?,
        description: row.opt_text("description")?,
        measure: row.parsed("measure", Measure::parse)?,
        unit: row.opt_string("unit")?,
        direction: row.parsed("direction", Direction::parse)?,
        baseline: Baseline { value: row.quantity("baseline_value")?, period: row.parsed("baseline_period", Period::from_str)? },
        frequency: row.parsed("frequency", Frequency::parse)?,
        data_source: row.opt_string("data_source")?,
        means_of_verification: row.opt_string("means_of_verification")?,
        weight: row.weight("weight")?,
        disclosure: row.parsed("disclosure", Disclosure::parse)?,
        external_ref: row.opt_ref("external_ref")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn target(row: &Row<'_>) -> Result<Target, StoreError> {
    Ok(Target {
        id: TargetId::from_uuid(row.uuid("id")?),
        indicator_id: IndicatorId::from_uuid(row.uuid("indicator_id")?),
        administration: row.code("administration_code")?,
        period: row.parsed("period", Period::from_str)?,
        value: row.quantity("value")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn target_point(row: &Row<'_>) -> Result<TargetPoint, StoreError> {
    Ok(TargetPoint {
        indicator_id: IndicatorId::from_uuid(row.uuid("indicator_id")?),
        period: row.parsed("period", Period::from_str)?,
        value: row.quantity("value")?.get(),
    })
}

pub(crate) fn measurement(row: &Row<'_>) -> Result<Measurement, StoreError> {
    Ok(Measurement {
        id: MeasurementId::from_uuid(row.uuid("id")?),
        indicator_id: IndicatorId::from_uuid(row.uuid("indicator_id")?),
        administration: row.code("administration_code")?,
        period: row.parsed("period", Period::from_str)?,
        value: row.quantity("value")?,
        source: row.opt_string("source")?,
        evidence_url: row.opt_string("evidence_url")?,
        comment: row.opt_string("comment")?,
        status: row.parsed("status", ReviewStatus::parse)?,
        return_reason: row.opt_string("return_reason")?,
        recorded_by: row.string("recorded_by")?,
        submitted_by: row.opt_string("submitted_by")?,
        reviewed_by: row.opt_string("reviewed_by")?,
        approved_value: row.opt_quantity("approved_value")?,
        approved_at: row.opt_time("approved_at")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn audit(row: &Row<'_>) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        id: row.i64("id")?,
        entry: AuditEntry {
            at: row.time("at")?,
            actor: row.string("actor")?,
            actor_role: row.parsed("actor_role", Role::parse)?.as_str(),
            administration: row
                .opt_string("administration_code")?
                .map(|c| AdministrationCode::parse(&c).map_err(|e| corrupt("administration_code", e)))
                .transpose()?,
            entity_type: row.parsed("entity_type", EntityType::parse)?,
            entity_id: row.string("entity_id")?,
            action: row.string("action")?,
            before: row.get("before")?,
            after: row.get("after")?,
        },
    })
}

pub(crate) fn change(row: &Row<'_>) -> Result<ChangeRecord, StoreError> {
    let key = row.opt_string("audience_key")?;
    let audience = match (row.string("audience")?.as_str(), key) {
        ("internal", _) => Audience::Internal,
        ("everyone", _) => Audience::Everyone,
        ("funders", Some(k)) => Audience::Funders(k.parse().map_err(|e| corrupt("audience_key", e))?),
        ("donor", Some(k)) => Audience::Donor(DonorCode::parse(&k).map_err(|e| corrupt("audience_key", e))?),
        (other, _) => return Err(StoreError::Corrupt(format!("changes.audience: unknown audience `{other}`"))),
    };
    Ok(ChangeRecord {
        seq: row.i64("seq")?,
        change: Change {
            at: row.time("at")?,
            entity_type: row.parsed("entity_type", EntityType::parse)?,
            entity_id: row.string("entity_id")?,
            operation: row.parsed("operation", Operation::parse)?,
            action: row.string("action")?,
            administration: row
                .opt_string("administration_code")?
                .map(|c| AdministrationCode::parse(&c).map_err(|e| corrupt("administration_code", e)))
                .transpose()?,
            audience,
        },
    })
}

pub(crate) fn revision(row: &Row<'_>) -> Result<PlanRevision, StoreError> {
    Ok(PlanRevision {
        plan_id: PlanId::from_uuid(row.uuid("plan_id")?),
        number: row.i32("number")?,
        status: row.parsed("status", PlanStatus::parse)?,
        at: row.time("at")?,
        actor: row.string("actor")?,
        snapshot: row.get("snapshot")?,
    })
}

pub(crate) fn assessment(row: &Row<'_>) -> Result<CapabilityAssessment, StoreError> {
    let levels: serde_json::Value = row.get("maturity")?;
    let mut maturity = std::collections::BTreeMap::new();
    for (k, v) in levels.as_object().ok_or_else(|| corrupt("maturity", "not an object"))? {
        let dimension = CapabilityDimension::parse(k).map_err(|e| corrupt("maturity", e))?;
        let level = Maturity::new(v.as_i64().unwrap_or(0)).map_err(|e| corrupt("maturity", e))?;
        maturity.insert(dimension, level);
    }
    let amount = row.opt_quantity("budget_amount")?;
    let currency = row.opt_string("budget_currency")?.map(|c| Currency::parse(&c).map_err(|e| corrupt("budget_currency", e))).transpose()?;
    Ok(CapabilityAssessment {
        id: AssessmentId::from_uuid(row.uuid("id")?),
        administration: row.code("administration_code")?,
        assessed_on: row.get("assessed_on")?,
        maturity,
        staff: row.get("staff")?,
        annual_budget: amount.zip(currency).map(|(amount, currency)| Money { amount, currency }),
        notes: row.opt_text("notes")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn practice(row: &Row<'_>) -> Result<Practice, StoreError> {
    let tags: serde_json::Value = row.get("tags")?;
    let tags = tags
        .as_array()
        .ok_or_else(|| corrupt("tags", "not an array"))?
        .iter()
        .map(|t| Tag::parse(t.as_str().unwrap_or_default()).map_err(|e| corrupt("tags", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let objectives: serde_json::Value = row.get("objective_ids")?;
    let objective_ids = objectives
        .as_array()
        .ok_or_else(|| corrupt("objective_ids", "not an array"))?
        .iter()
        .map(|o| o.as_str().unwrap_or_default().parse::<ObjectiveId>().map_err(|e| corrupt("objective_ids", e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Practice {
        id: PracticeId::from_uuid(row.uuid("id")?),
        administration: row.code("administration_code")?,
        kind: row.parsed("kind", PracticeKind::parse)?,
        title: row.text("title")?,
        body: row.text("body")?,
        tags,
        objective_ids,
        status: row.parsed("status", PracticeStatus::parse)?,
        disclosure: row.parsed("disclosure", Disclosure::parse)?,
        published_at: row.opt_time("published_at")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn donor(row: &Row<'_>) -> Result<Donor, StoreError> {
    Ok(Donor {
        id: DonorId::from_uuid(row.uuid("id")?),
        code: row.parsed("code", DonorCode::parse)?,
        name: row.text("name")?,
        iati_org_id: row.opt_string("iati_org_id")?.map(|i| IatiOrgId::parse(&i).map_err(|e| corrupt("iati_org_id", e))).transpose()?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn project(row: &Row<'_>) -> Result<Project, StoreError> {
    let objectives: serde_json::Value = row.get("objective_ids")?;
    let objective_ids = objectives
        .as_array()
        .ok_or_else(|| corrupt("objective_ids", "not an array"))?
        .iter()
        .map(|o| o.as_str().unwrap_or_default().parse::<ObjectiveId>().map_err(|e| corrupt("objective_ids", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let amount = row.opt_quantity("budget_amount")?;
    let currency = row.opt_string("budget_currency")?.map(|c| Currency::parse(&c).map_err(|e| corrupt("budget_currency", e))).transpose()?;
    Ok(Project {
        id: ProjectId::from_uuid(row.uuid("id")?),
        administration: row.code("administration_code")?,
        code: row.parsed("code", ObjectiveCode::parse)?,
        title: row.text("title")?,
        description: row.opt_text("description")?,
        status: row.parsed("status", ProjectStatus::parse)?,
        planned_start: row.get("planned_start")?,
        planned_end: row.get("planned_end")?,
        actual_start: row.get("actual_start")?,
        actual_end: row.get("actual_end")?,
        budget: amount.zip(currency).map(|(amount, currency)| Money { amount, currency }),
        objective_ids,
        portfolio_id: row.opt_uuid("portfolio_id")?.map(PortfolioId::from_uuid),
        external_ref: row.opt_ref("external_ref")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn portfolio(row: &Row<'_>) -> Result<Portfolio, StoreError> {
    Ok(Portfolio {
        id: PortfolioId::from_uuid(row.uuid("id")?),
        administration: row.code("administration_code")?,
        code: row.parsed("code", ObjectiveCode::parse)?,
        title: row.text("title")?,
        description: row.opt_text("description")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn milestone(row: &Row<'_>) -> Result<Milestone, StoreError> {
    Ok(Milestone {
        id: MilestoneId::from_uuid(row.uuid("id")?),
        project_id: ProjectId::from_uuid(row.uuid("project_id")?),
        administration: row.code("administration_code")?,
        title: row.text("title")?,
        due_on: row.get("due_on")?,
        completed_on: row.get("completed_on")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn funding(row: &Row<'_>) -> Result<Funding, StoreError> {
    Ok(Funding {
        id: FundingId::from_uuid(row.uuid("id")?),
        project_id: ProjectId::from_uuid(row.uuid("project_id")?),
        administration: row.code("administration_code")?,
        donor: row.parsed("donor_code", DonorCode::parse)?,
        committed: Money { amount: row.quantity("committed_amount")?, currency: row.parsed("currency", Currency::parse)? },
        allow_over_disbursement: row.get("allow_over_disbursement")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn transaction(row: &Row<'_>) -> Result<FundingTransaction, StoreError> {
    Ok(FundingTransaction {
        id: TransactionId::from_uuid(row.uuid("id")?),
        funding_id: FundingId::from_uuid(row.uuid("funding_id")?),
        administration: row.code("administration_code")?,
        kind: row.parsed("kind", TransactionKind::parse)?,
        date: row.get("date")?,
        amount: row.quantity("amount")?,
        description: row.opt_string("description")?,
        created_at: row.time("created_at")?,
    })
}

pub(crate) fn risk(row: &Row<'_>) -> Result<Risk, StoreError> {
    let subject = match (row.opt_uuid("project_id")?, row.opt_uuid("objective_id")?) {
        (Some(p), None) => RiskSubject::Project(ProjectId::from_uuid(p)),
        (None, Some(o)) => RiskSubject::Objective(ObjectiveId::from_uuid(o)),
        _ => return Err(corrupt("project_id", "a risk is on exactly one project or objective")),
    };
    let level = |col: &str| -> Result<u8, StoreError> { u8::try_from(row.get::<i16>(col)?).map_err(|e| corrupt(col, e)) };
    Ok(Risk {
        id: RiskId::from_uuid(row.uuid("id")?),
        administration: row.code("administration_code")?,
        subject,
        title: row.text("title")?,
        likelihood: level("likelihood")?,
        impact: level("impact")?,
        mitigation: row.opt_text("mitigation")?,
        owner: row.opt_string("owner")?,
        status: row.parsed("status", RiskStatus::parse)?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn stakeholder(row: &Row<'_>) -> Result<Stakeholder, StoreError> {
    Ok(Stakeholder {
        id: StakeholderId::from_uuid(row.uuid("id")?),
        administration: row.code("administration_code")?,
        name: row.text("name")?,
        kind: row.parsed("kind", StakeholderKind::parse)?,
        contact: row.opt_string("contact")?,
        version: row.i64("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn engagement(row: &Row<'_>) -> Result<Engagement, StoreError> {
    let subject = match (row.opt_uuid("objective_id")?, row.opt_uuid("project_id")?) {
        (Some(o), None) => EngagementSubject::Objective(ObjectiveId::from_uuid(o)),
        (None, Some(p)) => EngagementSubject::Project(ProjectId::from_uuid(p)),
        _ => return Err(corrupt("objective_id", "an engagement is on exactly one objective or project")),
    };
    Ok(Engagement {
        id: EngagementId::from_uuid(row.uuid("id")?),
        stakeholder_id: StakeholderId::from_uuid(row.uuid("stakeholder_id")?),
        administration: row.code("administration_code")?,
        subject,
        role: row.parsed("role", EngagementRole::parse)?,
        created_at: row.time("created_at")?,
    })
}

pub(crate) fn subscription(row: &Row<'_>) -> Result<Subscription, StoreError> {
    let code = row.string("owner_code")?;
    let owner = match row.string("owner_kind")?.as_str() {
        "administration" => SubscriptionOwner::Administration(AdministrationCode::parse(&code).map_err(|e| corrupt("owner_code", e))?),
        "donor" => SubscriptionOwner::Donor(DonorCode::parse(&code).map_err(|e| corrupt("owner_code", e))?),
        other => return Err(corrupt("owner_kind", other)),
    };
    let event_types: serde_json::Value = row.get("event_types")?;
    let event_types = serde_json::from_value(event_types).map_err(|e| corrupt("event_types", e))?;
    Ok(Subscription {
        id: SubscriptionId::from_uuid(row.uuid("id")?),
        owner,
        url: row.string("url")?,
        description: row.opt_string("description")?,
        event_types,
        secret: row.string("secret")?,
        active: row.get("active")?,
        disabled_reason: row.opt_string("disabled_reason")?,
        consecutive_failures: row.i32("consecutive_failures")?,
        version: row.i64("version")?,
        created_by: row.string("created_by")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn delivery(row: &Row<'_>) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: DeliveryId::from_uuid(row.uuid("id")?),
        subscription_id: SubscriptionId::from_uuid(row.uuid("subscription_id")?),
        change_seq: row.i64("change_seq")?,
        event_type: row.string("event_type")?,
        payload: row.string("payload")?,
        status: row.parsed("status", DeliveryStatus::parse)?,
        attempts: row.i32("attempts")?,
        next_attempt_at: row.time("next_attempt_at")?,
        locked_until: row.opt_time("locked_until")?,
        last_status_code: row.get("last_status_code")?,
        last_error: row.opt_string("last_error")?,
        created_at: row.time("created_at")?,
        delivered_at: row.opt_time("delivered_at")?,
    })
}

pub(crate) fn attempt(row: &Row<'_>) -> Result<Attempt, StoreError> {
    Ok(Attempt {
        delivery_id: DeliveryId::from_uuid(row.uuid("delivery_id")?),
        number: row.i32("number")?,
        at: row.time("at")?,
        status_code: row.get("status_code")?,
        error: row.opt_string("error")?,
        duration_ms: row.i64("duration_ms")?,
    })
}

pub(crate) fn key_record(row: &Row<'_>) -> Result<KeyRecord, StoreError> {
    let state = match row.string("state")?.as_str() {
        "in_flight" => KeyState::InFlight,
        "done" => {
            let headers: Option<serde_json::Value> = row.get("headers")?;
            let headers: Vec<(String, String)> = headers.map(serde_json::from_value).transpose().map_err(|e| corrupt("headers", e))?.unwrap_or_default();
            let status: i32 = row.get::<Option<i32>>("status_code")?.ok_or_else(|| corrupt("status_code", "null"))?;
            KeyState::Done(StoredResponse {
                status: u16::try_from(status).map_err(|e| corrupt("status_code", e))?,
                headers,
                body: row.opt_string("body")?.unwrap_or_default(),
            })
        }
        other => return Err(corrupt("state", other)),
    };
    Ok(KeyRecord {
        client: row.string("client")?,
        key: row.parsed("key", IdempotencyKey::parse)?,
        request: format!("{} {}", row.string("method")?, row.string("path")?),
        fingerprint: row.string("fingerprint")?,
        state,
        created_at: row.time("created_at")?,
        expires_at: row.time("expires_at")?,
    })
}

/// The objective ids of a project row's `objective_ids`.
pub(crate) fn objective_ids(row: &Row<'_>) -> Result<Vec<ObjectiveId>, StoreError> {
    let objectives: serde_json::Value = row.get("objective_ids")?;
    objectives
        .as_array()
        .ok_or_else(|| corrupt("objective_ids", "not an array"))?
        .iter()
        .map(|o| o.as_str().unwrap_or_default().parse::<ObjectiveId>().map_err(|e| corrupt("objective_ids", e)))
        .collect()
}

/// A machine client's row, without its secrets (read separately).
pub(crate) fn machine_client(row: &Row<'_>) -> Result<MachineClient, StoreError> {
    let code = row.string("owner_code")?;
    let owner = match row.string("owner_kind")?.as_str() {
        "administration" => ClientOwner::Administration(AdministrationCode::parse(&code).map_err(|e| corrupt("owner_code", e))?),
        "donor" => ClientOwner::Donor(DonorCode::parse(&code).map_err(|e| corrupt("owner_code", e))?),
        other => return Err(corrupt("owner_kind", other)),
    };
    let scopes = row
        .string("scopes")?
        .split_whitespace()
        .map(|s| domain::principal::Scope::parse(s).ok_or_else(|| corrupt("scopes", s)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MachineClient {
        id: ClientId::from_uuid(row.uuid("id")?),
        name: row.string("name")?,
        owner,
        scopes,
        expires_at: row.opt_time("expires_at")?,
        revoked_at: row.opt_time("revoked_at")?,
        secrets: Vec::new(),
        version: row.i64("version")?,
        created_by: row.string("created_by")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

/// One secret's row, with the client it belongs to.
pub(crate) fn client_secret(row: &Row<'_>) -> Result<(ClientId, ClientSecret), StoreError> {
    Ok((
        ClientId::from_uuid(row.uuid("client_id")?),
        ClientSecret {
            id: ClientSecretId::from_uuid(row.uuid("id")?),
            hash: row.string("hash")?,
            created_at: row.time("created_at")?,
            expires_at: row.opt_time("expires_at")?,
        },
    ))
}
