//! `/import`: bulk sync of objectives, indicators, targets, measurements and projects (JSON), or
//! of measurements alone (CSV), with a dry run and an import summary.

use axum::{
    Json,
    body::to_bytes,
    extract::{Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::{
    FieldError,
    services::{ImportLine, ImportMode, ImportRow, ImportService, ImportSummary, RowRef, Section},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::WriteErrors;
use crate::{
    auth::Auth,
    dto::{CreateIndicator, PatchObjective, PatchProject, PutMeasurement, UpsertObjective, UpsertProject},
    error::{ApiError, PROBLEM_JSON},
    extract::ApiQuery,
    metrics::Metrics,
};

/// Largest import body: 10,000 rows and more fit.
pub const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `validate` (a dry run: everything is checked, nothing is kept) or `commit` (the default).
    pub mode: Option<String>,
    /// `true` (the default): all rows or none; `false`: good rows are kept, bad rows reported.
    pub atomic: Option<bool>,
}

/// The document (`application/json`). Every section is optional; rows are applied in this order,
/// so a row may refer to an object an earlier row creates.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ImportDocument {
    /// Upserted by `external_ref` in `plan_id`, or changed by `id` (the given fields);
    /// `parent_ref` names the parent by its reference.
    #[schema(value_type = Vec<Object>, example = json!([{"external_ref": "OBJ-1", "plan_id": "0193...", "code": "SO1", "title": {"es": "Facilitar el comercio"}}]))]
    pub objectives: Option<Vec<Value>>,
    /// Matched by `id` or `external_ref`; a new one names `objective_id` or `objective_ref`; the
    /// other fields as in `POST /objectives/{id}/indicators`.
    #[schema(value_type = Vec<Object>)]
    pub indicators: Option<Vec<Value>>,
    /// `indicator_id` or `indicator_ref`, `period`, `value`.
    #[schema(value_type = Vec<Object>, example = json!([{"indicator_ref": "IND-7", "period": "2026", "value": "85"}]))]
    pub targets: Option<Vec<Value>>,
    /// `indicator_id` or `indicator_ref`, `period`, `value`, and optionally `source`, `evidence_url`, `comment`.
    #[schema(value_type = Vec<Object>, example = json!([{"indicator_ref": "IND-7", "period": "2024", "value": "41.5"}]))]
    pub measurements: Option<Vec<Value>>,
    /// Upserted by `external_ref` (the fields of `PUT /projects/by-ref/{external_ref}`), or
    /// changed by `id` (the given fields, as in `PATCH /projects/{id}`).
    #[schema(value_type = Vec<Object>)]
    pub projects: Option<Vec<Value>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountsView {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectionView {
    /// `objectives`, `indicators`, `targets`, `measurements` or `projects`.
    pub section: String,
    /// 1-based within the section (CSV: the data row, the header not counted).
    pub position: usize,
    pub field: String,
    pub code: String,
    pub reason: String,
}

/// What the import did, or (dry run) would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummaryView {
    /// `validate` or `commit`.
    pub mode: String,
    pub atomic: bool,
    /// Whether anything was kept: false for a dry run, and for an atomic import with a refused row.
    pub committed: bool,
    /// Per section.
    pub summary: std::collections::BTreeMap<String, CountsView>,
    pub rejected: Vec<RejectionView>,
}

impl ImportSummaryView {
    fn new(s: &ImportSummary, mode: ImportMode, atomic: bool) -> Self {
        Self {
            mode: if mode == ImportMode::Validate { "validate" } else { "commit" }.to_owned(),
            atomic,
            committed: s.committed,
            summary: s
                .counts
                .iter()
                .map(|(section, c)| {
                    (section.as_str().to_owned(), CountsView { created: c.created, updated: c.updated, unchanged: c.unchanged, rejected: c.rejected })
                })
                .collect(),
            rejected: s
                .rejected
                .iter()
                .map(|r| RejectionView {
                    section: r.section.as_str().to_owned(),
                    position: r.position,
                    field: r.field.clone(),
                    code: r.code.clone(),
                    reason: r.reason.clone(),
                })
                .collect(),
        }
    }
}

/// Imports a document. `mode=validate` checks every row (with the same rules and references as a
/// real import) and keeps nothing. With `atomic=true` (default) one refused row keeps nothing
/// and the answer is 422 with the summary; with `atomic=false` the good rows are kept. Send
/// measurements alone as `text/csv` with a header row: `indicator_id` or `indicator_ref`,
/// `period`, `value`, and optionally `source`, `evidence_url`, `comment`.
#[utoipa::path(post, path = "/import", tag = "sync", params(ImportQuery),
    request_body(content((ImportDocument = "application/json"), (String = "text/csv")), description = "The rows to import"),
    responses((status = 200, description = "The import summary", body = ImportSummaryView),
        (status = 422, description = "Refused rows in an atomic import (nothing kept), or a bad document; problem+json with `summary` and `rejected`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor CSV", body = crate::error::Problem, content_type = "application/problem+json"),
        WriteErrors),
    security(("bearer" = [])))]
pub async fn import(
    State(service): State<ImportService>,
    State(metrics): State<Metrics>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    let mode = match q.mode.as_deref() {
        None | Some("commit") => ImportMode::Commit,
        Some("validate") => ImportMode::Validate,
        Some(_) => return Err(FieldError::new("mode", "invalid_value", "`validate` or `commit`").into()),
    };
    let atomic = q.atomic.unwrap_or(true);
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let body = to_bytes(request.into_body(), IMPORT_BODY_LIMIT).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", format!("an import is at most {IMPORT_BODY_LIMIT} bytes"))
    })?;
    let lines = if content_type.starts_with("application/json") {
        json_lines(&body)?
    } else if content_type.starts_with("text/csv") {
        csv_lines(&body)?
    } else {
        return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported media type", "send application/json or text/csv"));
    };
    let started = std::time::Instant::now();
    let summary = service.run(&who, lines, mode, atomic).await?;
    crate::metrics::record_import(&metrics, &summary, mode, started.elapsed());
    let view = ImportSummaryView::new(&summary, mode, atomic);
    if mode == ImportMode::Commit && !summary.committed {
        let mut problem = serde_json::json!({
            "type": "urn:meridian:problem:import_rejected",
            "title": "Import refused",
            "status": 422,
            "code": "import_rejected",
            "detail": format!("{} rows were refused, so nothing was imported (atomic); fix them, or send atomic=false to import the others", summary.rejected.len()),
            "errors": summary.rejected.iter().map(|r| serde_json::json!({
                "field": if r.field.is_empty() { format!("{}[{}]", r.section.as_str(), r.position) } else { format!("{}[{}].{}", r.section.as_str(), r.position, r.field) },
                "code": r.code,
                "message": r.reason,
            })).collect::<Vec<_>>(),
        });
        if let (Some(p), Ok(Value::Object(extra))) = (problem.as_object_mut(), serde_json::to_value(&view)) {
            p.extend(extra);
        }
        let mut response = (StatusCode::UNPROCESSABLE_ENTITY, Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(PROBLEM_JSON));
        return Ok(response);
    }
    Ok(Json(view).into_response())
}

/// The field a serde message names (`missing field `code``), if any.
fn named_field(message: &str) -> String {
    message.split('`').nth(1).filter(|f| !f.contains(' ')).unwrap_or("").to_owned()
}

fn typed<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T, Vec<FieldError>> {
    serde_json::from_value(Value::Object(fields)).map_err(|e| {
        let message = e.to_string();
        vec![FieldError::new(named_field(&message), "invalid", message)]
    })
}

fn take_string(fields: &mut Map<String, Value>, name: &str) -> Result<Option<String>, Vec<FieldError>> {
    match fields.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(vec![FieldError::new(name, "invalid", "a string")]),
    }
}

/// `<what>_id` or `<what>_ref`: exactly one.
fn take_ref(fields: &mut Map<String, Value>, what: &str, required: bool) -> Result<Option<RowRef>, Vec<FieldError>> {
    let id = take_string(fields, &format!("{what}_id"))?;
    let reference = take_string(fields, &format!("{what}_ref"))?;
    match (id, reference) {
        (Some(_), Some(_)) => {
            Err(vec![FieldError::new(format!("{what}_ref"), "conflicting", format!("name the {what} by `{what}_id` or by `{what}_ref`, not both"))])
        }
        (Some(id), None) => Ok(Some(RowRef::Id(id))),
        (None, Some(r)) => Ok(Some(RowRef::Ref(r))),
        (None, None) if required => Err(vec![FieldError::new(format!("{what}_id"), "required", format!("name the {what} by `{what}_id` or `{what}_ref`"))]),
        (None, None) => Ok(None),
    }
}

fn row(section: Section, value: Value) -> Result<ImportRow, Vec<FieldError>> {
    let Value::Object(mut f) = value else { return Err(vec![FieldError::new("", "invalid", "each row is a JSON object")]) };
    match section {
        Section::Objectives => {
            let parent_ref = take_string(&mut f, "parent_ref")?;
            if let Some(id) = take_string(&mut f, "id")? {
                let input = typed::<PatchObjective>(f)?.into();
                return Ok(ImportRow::ObjectiveById { id, parent_ref, input });
            }
            let external_ref = take_string(&mut f, "external_ref")?
                .ok_or_else(|| vec![FieldError::new("external_ref", "required", "objectives are matched by id or external_ref")])?;
            let (plan, input) = typed::<UpsertObjective>(f)?.into_input();
            Ok(ImportRow::Objective { external_ref, plan_id: plan.to_string(), parent_ref, input })
        }
        Section::Indicators => {
            let id = take_string(&mut f, "id")?;
            let reference = f.get("external_ref").and_then(Value::as_str).map(ToOwned::to_owned);
            let objective = take_ref(&mut f, "objective", false)?;
            let indicator = match (id, reference) {
                (Some(id), _) => RowRef::Id(id),
                (None, Some(r)) => RowRef::Ref(r),
                (None, None) => return Err(vec![FieldError::new("external_ref", "required", "indicators are matched by id or external_ref")]),
            };
            let keep_ref = f.contains_key("external_ref");
            let mut input: domain::indicator::IndicatorInput = typed::<CreateIndicator>(f)?.into();
            if !keep_ref {
                input.external_ref = None; // not given: an id-matched indicator keeps its reference
            }
            Ok(ImportRow::Indicator { indicator, objective, input })
        }
        Section::Targets => {
            let indicator = take_ref(&mut f, "indicator", true)?.ok_or_else(Vec::new)?;
            let period = take_string(&mut f, "period")?.ok_or_else(|| vec![FieldError::new("period", "required", "the target's period")])?;
            let value = match f.remove("value") {
                Some(Value::String(s)) => s,
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(vec![FieldError::new("value", "required", "the target value, as a decimal")]),
            };
            if let Some(extra) = f.keys().next() {
                return Err(vec![FieldError::new(extra.clone(), "unknown_field", "targets take indicator_id or indicator_ref, period and value")]);
            }
            Ok(ImportRow::Target { indicator, period, value })
        }
        Section::Measurements => {
            let indicator = take_ref(&mut f, "indicator", true)?.ok_or_else(Vec::new)?;
            let period = take_string(&mut f, "period")?.ok_or_else(|| vec![FieldError::new("period", "required", "the measurement's period")])?;
            let input = typed::<PutMeasurement>(f)?.into();
            Ok(ImportRow::Measurement { indicator, period, input })
        }
        Section::Projects => {
            if let Some(id) = take_string(&mut f, "id")? {
                let input = typed::<PatchProject>(f)?.into();
                return Ok(ImportRow::ProjectById { id, input });
            }
            let external_ref = take_string(&mut f, "external_ref")?
                .ok_or_else(|| vec![FieldError::new("external_ref", "required", "projects are matched by id or external_ref")])?;
            let (administration, input) = typed::<UpsertProject>(f)?.into();
            Ok(ImportRow::Project { external_ref, administration, input })
        }
    }
}

fn json_lines(body: &[u8]) -> Result<Vec<ImportLine>, ApiError> {
    let doc: Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request("", "invalid_json", format!("the body is not a JSON object: {e}")))?;
    let mut lines = Vec::new();
    for (name, rows) in doc {
        let Some(section) = Section::ALL.into_iter().find(|s| s.as_str() == name) else {
            return Err(FieldError::new(name, "unknown_field", "sections are objectives, indicators, targets, measurements and projects").into());
        };
        let Value::Array(rows) = rows else { return Err(FieldError::new(name, "invalid", "a section is an array of rows").into()) };
        lines.extend(rows.into_iter().enumerate().map(|(i, v)| ImportLine { section, position: i + 1, row: row(section, v) }));
    }
    Ok(lines)
}

/// Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    records
}

fn csv_lines(body: &[u8]) -> Result<Vec<ImportLine>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("", "invalid_csv", "CSV must be UTF-8"))?;
    let mut records = csv_records(text.trim_start_matches('\u{feff}')).into_iter();
    let header: Vec<String> =
        records.next().ok_or_else(|| ApiError::bad_request("", "invalid_csv", "the CSV has no header row"))?.iter().map(|h| h.trim().to_owned()).collect();
    const COLUMNS: [&str; 7] = ["indicator_id", "indicator_ref", "period", "value", "source", "evidence_url", "comment"];
    if let Some(unknown) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(FieldError::new(unknown.clone(), "unknown_field", format!("measurement columns are {}", COLUMNS.join(", "))).into());
    }
    Ok(records
        .enumerate()
        .map(|(i, cells)| {
            let fields: Map<String, Value> =
                header.iter().zip(cells).filter(|(_, v)| !v.trim().is_empty()).map(|(h, v)| (h.clone(), Value::String(v.trim().to_owned()))).collect();
            ImportLine { section: Section::Measurements, position: i + 1, row: row(Section::Measurements, Value::Object(fields)) }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_line_ends() {
        let text = "indicator_ref,period,value,comment\r\nIND-1,2024,\"41.5\",\"says \"\"hi\"\", twice\"\nIND-2,2025,42,\n\n";
        assert_eq!(
            csv_records(text),
            vec![vec!["indicator_ref", "period", "value", "comment"], vec!["IND-1", "2024", "41.5", "says \"hi\", twice"], vec!["IND-2", "2025", "42", ""],]
        );
    }
}
