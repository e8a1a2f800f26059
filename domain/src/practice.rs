//! The practice library: best practices, challenges, opportunities and lessons learned that
//! administrations share across the Programme, and the search terms that find them.

use chrono::{DateTime, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::{ObjectiveId, PracticeId},
    plan::{NARRATIVE_MAX, TITLE_MAX, take_text},
    text::LocalizedText,
    values::{AdministrationCode, Disclosure},
};

/// What kind of knowledge a practice shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PracticeKind {
    BestPractice,
    Challenge,
    Opportunity,
    LessonLearned,
}

impl PracticeKind {
    pub const ALL: [Self; 4] = [Self::BestPractice, Self::Challenge, Self::Opportunity, Self::LessonLearned];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BestPractice => "best_practice",
            Self::Challenge => "challenge",
            Self::Opportunity => "opportunity",
            Self::LessonLearned => "lesson_learned",
        }
    }

    /// # Errors
    /// `invalid_value` naming the kinds.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| FieldError::new("", "invalid_value", "one of best_practice, challenge, opportunity, lesson_learned"))
    }
}

/// Whether a practice is shared yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PracticeStatus {
    /// Seen by its administration only.
    Draft,
    /// Readable by every administration and donor.
    Published,
}

impl PracticeStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
        }
    }

    /// # Errors
    /// `invalid_value` for another name.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "draft" => Ok(Self::Draft),
            "published" => Ok(Self::Published),
            _ => Err(FieldError::new("", "invalid_value", "one of draft, published")),
        }
    }
}

/// A tag: 1–40 lower-case letters, digits or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Tag(String);

impl Tag {
    /// Lower-cases and checks the shape.
    ///
    /// # Errors
    /// `invalid_format`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let t = input.trim().to_lowercase();
        if (1..=40).contains(&t.chars().count()) && t.chars().all(|c| c.is_alphanumeric() || c == '-') {
            Ok(Self(t))
        } else {
            Err(FieldError::new("", "invalid_format", "1 to 40 letters, digits or `-`"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A shared piece of knowledge.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Practice {
    pub id: PracticeId,
    /// The administration that wrote it.
    pub administration: AdministrationCode,
    pub kind: PracticeKind,
    pub title: LocalizedText,
    pub body: LocalizedText,
    pub tags: Vec<Tag>,
    /// Objectives of the writing administration it relates to.
    pub objective_ids: Vec<ObjectiveId>,
    pub status: PracticeStatus,
    /// Who may read it once published: `public` (also without a token), `programme` (the
    /// Programme's administrations and donors) or `restricted` (its administration only).
    pub disclosure: Disclosure,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Practice {
    /// The words a search can find it by: every translation of title and body, and the tags.
    pub fn search_terms(&self) -> Vec<String> {
        let mut text = String::new();
        for (_, t) in self.title.iter().chain(self.body.iter()) {
            text.push_str(t);
            text.push(' ');
        }
        for tag in &self.tags {
            text.push_str(tag.as_str());
            text.push(' ');
        }
        let mut terms = search_terms(&text);
        terms.sort();
        terms.dedup();
        terms
    }
}

/// Folds the accents of Latin letters (`á` → `a`, `ñ` → `n`), so that searches match whatever
/// the keyboard.
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        other => other,
    }
}

/// Splits text into lower-case, accent-folded words of two characters or more, the unit of
/// the library's full-text search (the same on SQLite and PostgreSQL).
pub fn search_terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(|w| w.chars().flat_map(char::to_lowercase).map(fold).collect::<String>())
        .filter(|w| w.chars().count() >= 2)
        .map(|w| w.chars().take(60).collect())
        .collect()
}

/// Raw practice fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct PracticeInput {
    pub kind: Option<String>,
    pub title: Option<Vec<(String, String)>>,
    pub body: Option<Vec<(String, String)>>,
    pub tags: Option<Vec<String>>,
    pub objective_ids: Option<Vec<String>>,
    pub disclosure: Option<String>,
}

/// Validated practice content.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeDraft {
    pub kind: PracticeKind,
    pub title: LocalizedText,
    pub body: LocalizedText,
    pub tags: Vec<Tag>,
    pub objective_ids: Vec<ObjectiveId>,
    pub disclosure: Disclosure,
}

impl PracticeDraft {
    /// # Errors
    /// Every invalid or missing field, at once (kind, title and body are required on create).
    pub fn parse(input: &PracticeInput, base: Option<&Practice>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let kind = match (&input.kind, base) {
            (Some(k), _) => e.take("kind", PracticeKind::parse(k)),
            (None, Some(b)) => Some(b.kind),
            (None, None) => {
                e.push(FieldError::new("kind", "required", "best_practice, challenge, opportunity or lesson_learned"));
                None
            }
        };
        let mut text = |field: &str, given: &Option<Vec<(String, String)>>, current: Option<&LocalizedText>, max: usize| match (given, current) {
            (Some(t), _) => take_text(&mut e, field, t, max),
            (None, Some(c)) => Some(c.clone()),
            (None, None) => {
                e.push(FieldError::new(field, "required", format!("a practice needs a {field}")));
                None
            }
        };
        let title = text("title", &input.title, base.map(|b| &b.title), TITLE_MAX);
        let body = text("body", &input.body, base.map(|b| &b.body), NARRATIVE_MAX);
        let tags = match &input.tags {
            Some(list) if list.len() > 20 => {
                e.push(FieldError::new("tags", "too_many", "at most 20 tags"));
                None
            }
            Some(list) => {
                let mut tags = Vec::new();
                for (i, t) in list.iter().enumerate() {
                    if let Some(tag) = e.take(&format!("tags[{i}]"), Tag::parse(t))
                        && !tags.contains(&tag)
                    {
                        tags.push(tag);
                    }
                }
                Some(tags)
            }
            None => Some(base.map(|b| b.tags.clone()).unwrap_or_default()),
        };
        let objective_ids = match &input.objective_ids {
            Some(list) => {
                let mut ids = Vec::new();
                for (i, raw) in list.iter().enumerate() {
                    if let Some(id) = e.take(&format!("objective_ids[{i}]"), raw.parse::<ObjectiveId>())
                        && !ids.contains(&id)
                    {
                        ids.push(id);
                    }
                }
                Some(ids)
            }
            None => Some(base.map(|b| b.objective_ids.clone()).unwrap_or_default()),
        };
        let disclosure = match &input.disclosure {
            Some(d) => e.take("disclosure", Disclosure::parse(d)),
            None => Some(base.map_or(Disclosure::Programme, |b| b.disclosure)),
        };
        let finished = e.finish();
        match (kind, title, body, tags, objective_ids, disclosure, finished) {
            (Some(kind), Some(title), Some(body), Some(tags), Some(objective_ids), Some(disclosure), Ok(())) => {
                Ok(Self { kind, title, body, tags, objective_ids, disclosure })
            }
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid practice")]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_lower_case_folded_words() {
        assert_eq!(search_terms("Gestión de RIESGOS, ventanilla-única 2024!"), ["gestion", "de", "riesgos", "ventanilla", "unica", "2024"]);
        assert_eq!(search_terms("Митний контроль"), ["митний", "контроль"]);
        assert!(search_terms("a , . -").is_empty());
    }

    #[test]
    fn create_needs_kind_title_and_body_and_checks_tags() {
        let err = PracticeDraft::parse(&PracticeInput { tags: Some(vec!["ok".into(), "not ok".into()]), ..Default::default() }, None).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "body", "tags[1]"]);
    }
}
