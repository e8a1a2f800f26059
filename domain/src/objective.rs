//! Objectives: the tree of strategic and specific objectives of a plan.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::{ObjectiveId, PlanId},
    plan::{NARRATIVE_MAX, TITLE_MAX, take_text},
    text::LocalizedText,
    values::{AdministrationCode, ExternalRef, Weight},
};

/// Deepest level of the objective tree (a top-level objective is at depth 1).
pub const MAX_DEPTH: usize = 3;

/// Results level, as in IATI results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveLevel {
    Impact,
    Outcome,
    Output,
}

impl ObjectiveLevel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Impact => "impact",
            Self::Outcome => "outcome",
            Self::Output => "output",
        }
    }

    /// # Errors
    /// `invalid_value` for an unknown level.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "impact" => Ok(Self::Impact),
            "outcome" => Ok(Self::Outcome),
            "output" => Ok(Self::Output),
            _ => Err(FieldError::new("", "invalid_value", "one of impact, outcome, output")),
        }
    }
}

/// An objective's code within its plan (`SO1`, `SO1.2`): 1–20 letters, digits, `.`, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ObjectiveCode(String);

impl ObjectiveCode {
    /// # Errors
    /// `invalid_format` for other shapes.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let t = input.trim();
        if (1..=20).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
            Ok(Self(t.to_owned()))
        } else {
            Err(FieldError::new("", "invalid_format", "1 to 20 letters, digits, `.`, `-` or `_`"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A strategic or specific objective of a plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Objective {
    pub id: ObjectiveId,
    pub plan_id: PlanId,
    pub administration: AdministrationCode,
    pub parent_id: Option<ObjectiveId>,
    pub code: ObjectiveCode,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub level: ObjectiveLevel,
    pub weight: Weight,
    /// The id of this objective in the administration's national planning system.
    pub external_ref: Option<ExternalRef>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw objective fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct ObjectiveInput {
    pub parent_id: Option<Option<String>>,
    pub code: Option<String>,
    pub title: Option<Vec<(String, String)>>,
    pub description: Option<Option<Vec<(String, String)>>>,
    pub level: Option<String>,
    /// Decimal text, > 0.
    pub weight: Option<String>,
    pub external_ref: Option<Option<String>>,
}

/// Validated objective content.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveDraft {
    pub parent_id: Option<ObjectiveId>,
    pub code: ObjectiveCode,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub level: ObjectiveLevel,
    pub weight: Weight,
    pub external_ref: Option<ExternalRef>,
}

impl ObjectiveDraft {
    /// Validates a whole objective; `base` supplies what `input` leaves out (PATCH). On create,
    /// `code` and `title` are required; `level` defaults to `outcome`, `weight` to 1.
    ///
    /// # Errors
    /// Every invalid or missing field, at once.
    pub fn parse(input: &ObjectiveInput, base: Option<&Objective>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let parent_id = match &input.parent_id {
            Some(Some(p)) => e.take("parent_id", p.parse::<ObjectiveId>()).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.parent_id)),
        };
        let code = match (&input.code, base) {
            (Some(c), _) => e.take("code", ObjectiveCode::parse(c)),
            (None, Some(b)) => Some(b.code.clone()),
            (None, None) => {
                e.push(FieldError::new("code", "required", "an objective needs a code such as SO1"));
                None
            }
        };
        let title = match (&input.title, base) {
            (Some(t), _) => take_text(&mut e, "title", t, TITLE_MAX),
            (None, Some(b)) => Some(b.title.clone()),
            (None, None) => {
                e.push(FieldError::new("title", "required", "an objective needs a title"));
                None
            }
        };
        let description = match &input.description {
            Some(Some(t)) => take_text(&mut e, "description", t, NARRATIVE_MAX).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.description.clone())),
        };
        let level = match &input.level {
            Some(l) => e.take("level", ObjectiveLevel::parse(l)),
            None => Some(base.map_or(ObjectiveLevel::Outcome, |b| b.level)),
        };
        let weight = match &input.weight {
            Some(w) => e.take("weight", Weight::parse(w)),
            None => Some(base.map_or_else(Weight::one, |b| b.weight)),
        };
        let external_ref = match &input.external_ref {
            Some(Some(r)) => e.take("external_ref", ExternalRef::parse(r)).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.external_ref.clone())),
        };
        let finished = e.finish();
        match (parent_id, code, title, description, level, weight, external_ref, finished) {
            (Some(parent_id), Some(code), Some(title), Some(description), Some(level), Some(weight), Some(external_ref), Ok(())) => {
                Ok(Self { parent_id, code, title, description, level, weight, external_ref })
            }
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid objective")]),
        }
    }
}

/// Checks that placing objective `id` (None for a new one) under `parent` keeps the tree of a
/// plan valid: the parent exists in the same plan, no cycle, and no branch deeper than
/// [`MAX_DEPTH`]. `siblings` are all objectives of the plan, as stored.
///
/// # Errors
/// A field error on `parent_id`: `not_found` (not in this plan), `cycle`, `too_deep`.
pub fn check_placement(plan_objectives: &[Objective], id: Option<ObjectiveId>, parent: Option<ObjectiveId>) -> Result<(), FieldError> {
    let by_id: HashMap<ObjectiveId, &Objective> = plan_objectives.iter().map(|o| (o.id, o)).collect();
    let Some(parent) = parent else {
        return check_depth(plan_objectives, id, 0);
    };
    if !by_id.contains_key(&parent) {
        return Err(FieldError::new("parent_id", "not_found", "the parent objective is not in this plan"));
    }
    // Walk up from the parent: the depth of the parent, and a cycle if we meet `id`.
    let mut depth = 0;
    let mut cursor = Some(parent);
    while let Some(c) = cursor {
        if Some(c) == id {
            return Err(FieldError::new("parent_id", "cycle", "an objective cannot be placed under itself or its descendants"));
        }
        depth += 1;
        if depth > MAX_DEPTH {
            break;
        }
        cursor = by_id.get(&c).and_then(|o| o.parent_id);
    }
    check_depth(plan_objectives, id, depth)
}

/// The objective at `parent_depth + 1` plus the height of its subtree must stay within MAX_DEPTH.
fn check_depth(plan_objectives: &[Objective], id: Option<ObjectiveId>, parent_depth: usize) -> Result<(), FieldError> {
    let height = id.map_or(1, |id| subtree_height(plan_objectives, id, 0));
    if parent_depth + height > MAX_DEPTH {
        Err(FieldError::new("parent_id", "too_deep", format!("objectives nest at most {MAX_DEPTH} levels deep")))
    } else {
        Ok(())
    }
}

fn subtree_height(all: &[Objective], id: ObjectiveId, guard: usize) -> usize {
    if guard > MAX_DEPTH + 1 {
        return guard;
    }
    1 + all.iter().filter(|o| o.parent_id == Some(id)).map(|o| subtree_height(all, o.id, guard + 1)).max().unwrap_or(0)
}

/// The ids of `root` and every objective below it.
pub fn subtree_ids(plan_objectives: &[Objective], root: ObjectiveId) -> Vec<ObjectiveId> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let current = out[i];
        out.extend(plan_objectives.iter().filter(|o| o.parent_id == Some(current)).map(|o| o.id));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LanguageTag;

    fn obj(parent: Option<ObjectiveId>) -> Objective {
        let now = Utc::now();
        Objective {
            id: ObjectiveId::generate(),
            plan_id: PlanId::generate(),
            administration: AdministrationCode::parse("BOL").unwrap(),
            parent_id: parent,
            code: ObjectiveCode::parse("SO1").unwrap(),
            title: LocalizedText::single(LanguageTag::english(), "x"),
            description: None,
            level: ObjectiveLevel::Outcome,
            weight: Weight::one(),
            external_ref: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn depth_is_limited_to_three() {
        let a = obj(None);
        let b = obj(Some(a.id));
        let c = obj(Some(b.id));
        let all = vec![a.clone(), b.clone(), c.clone()];
        assert!(check_placement(&all, None, Some(b.id)).is_ok());
        assert_eq!(check_placement(&all, None, Some(c.id)).unwrap_err().code, "too_deep");
    }

    #[test]
    fn moving_a_subtree_counts_its_height_and_refuses_cycles() {
        let a = obj(None);
        let b = obj(Some(a.id));
        let x = obj(None);
        let y = obj(Some(x.id));
        let all = vec![a.clone(), b.clone(), x.clone(), y.clone()];
        // x has height 2: under b (depth 2) it would reach depth 4.
        assert_eq!(check_placement(&all, Some(x.id), Some(b.id)).unwrap_err().code, "too_deep");
        assert!(check_placement(&all, Some(x.id), Some(a.id)).is_ok());
        assert_eq!(check_placement(&all, Some(a.id), Some(b.id)).unwrap_err().code, "cycle");
        assert_eq!(check_placement(&all, Some(a.id), Some(a.id)).unwrap_err().code, "cycle");
        assert_eq!(check_placement(&all, None, Some(ObjectiveId::generate())).unwrap_err().code, "not_found");
    }

    #[test]
    fn subtree_lists_descendants() {
        let a = obj(None);
        let b = obj(Some(a.id));
        let c = obj(Some(b.id));
        let d = obj(None);
        let all = vec![a.clone(), b.clone(), c.clone(), d];
        assert_eq!(subtree_ids(&all, a.id), vec![a.id, b.id, c.id]);
    }

    #[test]
    fn create_requires_code_and_title_and_checks_weight() {
        let err = ObjectiveDraft::parse(&ObjectiveInput { weight: Some("0".into()), ..Default::default() }, None).unwrap_err();
        let got: Vec<(&str, &str)> = err.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, [("code", "required"), ("title", "required"), ("weight", "must_be_positive")]);
    }
}
