//! Multilingual text: a map from language tag to text. Clients ask for a language and get the
//! best match with a fallback; they can always read and write the whole map.

use std::{collections::BTreeMap, fmt, str::FromStr};

use crate::{FieldError, error::Errors};

/// A BCP 47 language tag in its canonical case (`es`, `es-BO`, `uz-Latn`, `uk`).
/// Only the shape is checked: a primary language of 2–3 letters, then subtags of 1–8
/// letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// # Errors
    /// `invalid_language` when the text is not shaped like a language tag.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("", "invalid_language", format!("`{input}` is not a language tag such as `en` or `es-BO`"));
        if input.is_empty() || input.len() > 35 {
            return Err(bad());
        }
        let mut out = String::with_capacity(input.len());
        for (i, sub) in input.split('-').enumerate() {
            let ok_chars = sub.bytes().all(|b| b.is_ascii_alphanumeric());
            if i == 0 {
                if !(2..=3).contains(&sub.len()) || !sub.bytes().all(|b| b.is_ascii_alphabetic()) {
                    return Err(bad());
                }
                out.push_str(&sub.to_ascii_lowercase());
                continue;
            }
            if !(1..=8).contains(&sub.len()) || !ok_chars {
                return Err(bad());
            }
            out.push('-');
            if sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
                out.push_str(&sub.to_ascii_uppercase());
            } else if sub.len() == 4 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
                let lower = sub.to_ascii_lowercase();
                let mut chars = lower.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(&sub.to_ascii_lowercase());
            }
        }
        Ok(Self(out))
    }

    /// The primary language subtag (`es` of `es-BO`).
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// English, the Programme's common language and the last resort of every lookup.
    pub fn english() -> Self {
        Self("en".to_owned())
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for LanguageTag {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for LanguageTag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for LanguageTag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// Text in one or more languages; never empty, no blank translation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct LocalizedText(BTreeMap<LanguageTag, String>);

impl LocalizedText {
    /// Parses a map of language tag → text, trimming each text.
    ///
    /// # Errors
    /// Field errors keyed by language (`es`: `required`, `too_long`; the tag itself:
    /// `invalid_language`), or `required` on the whole map when it has no entry.
    pub fn parse<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>, max_chars: usize) -> Result<Self, Vec<FieldError>> {
        let mut map = BTreeMap::new();
        let mut errors = Errors::new();
        for (tag, text) in entries {
            let Some(tag_parsed) = errors.take(tag, LanguageTag::parse(tag)) else {
                continue;
            };
            let text = text.trim();
            if let Err(e) = crate::values::storable(text) {
                errors.push(e.under(tag));
            } else if text.is_empty() {
                errors.push(FieldError::new(tag, "required", "translation must not be blank"));
            } else if text.chars().count() > max_chars {
                errors.push(FieldError::new(tag, "too_long", format!("at most {max_chars} characters")));
            } else if map.insert(tag_parsed, text.to_owned()).is_some() {
                errors.push(FieldError::new(tag, "duplicate", "the same language is given twice"));
            }
        }
        if map.is_empty() && errors.is_empty() {
            errors.push(FieldError::new("", "required", "give the text in at least one language"));
        }
        match errors.finish() {
            Ok(()) => Ok(Self(map)),
            Err(crate::DomainError::Validation(v)) => Err(v),
            Err(_) => Err(Vec::new()),
        }
    }

    /// Text in a single language (for built-in data and tests).
    pub fn single(lang: LanguageTag, text: impl Into<String>) -> Self {
        Self(BTreeMap::from([(lang, text.into())]))
    }

    pub fn get(&self, lang: &LanguageTag) -> Option<&str> {
        self.0.get(lang).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&LanguageTag, &str)> {
        self.0.iter().map(|(k, v)| (k, v.as_str()))
    }

    pub fn languages(&self) -> impl Iterator<Item = &LanguageTag> {
        self.0.keys()
    }

    /// The best translation for a reader who prefers `wanted` (most preferred first), falling
    /// back to `default` (the administration's language), then English, then any.
    ///
    /// For each wanted tag: the exact tag, then the same primary language (`es-BO` asked, `es`
    /// held, or the other way round).
    pub fn best(&self, wanted: &[LanguageTag], default: &LanguageTag) -> (&LanguageTag, &str) {
        for w in wanted {
            if let Some((k, v)) = self.0.get_key_value(w) {
                return (k, v);
            }
            if let Some((k, v)) = self.0.iter().find(|(k, _)| k.primary() == w.primary()) {
                return (k, v);
            }
        }
        for fallback in [default, &LanguageTag::english()] {
            if let Some((k, v)) = self.0.get_key_value(fallback) {
                return (k, v);
            }
            if let Some((k, v)) = self.0.iter().find(|(k, _)| k.primary() == fallback.primary()) {
                return (k, v);
            }
        }
        // Never empty by construction.
        static NONE: LanguageTag = LanguageTag(String::new());
        self.0.iter().next().map_or((&NONE, ""), |(k, v)| (k, v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    fn text(pairs: &[(&str, &str)]) -> LocalizedText {
        LocalizedText::parse(pairs.iter().copied(), 100).unwrap()
    }

    #[test]
    fn tags_are_canonicalised() {
        assert_eq!(tag("ES-bo").as_str(), "es-BO");
        assert_eq!(tag("uz-latn").as_str(), "uz-Latn");
        assert_eq!(tag("en").primary(), "en");
        for bad in ["", "e", "english-x", "es_BO", "12", "es--BO", "es-toolongsubtag"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn best_match_prefers_exact_then_primary_then_default_then_english() {
        let t = text(&[("es", "Plan"), ("en", "Plan EN"), ("uk", "План")]);
        let es = tag("es");
        assert_eq!(t.best(&[tag("uk")], &es).1, "План");
        assert_eq!(t.best(&[tag("es-BO")], &es).1, "Plan");
        assert_eq!(t.best(&[tag("fr"), tag("en")], &es).1, "Plan EN");
        assert_eq!(t.best(&[tag("fr")], &es).1, "Plan");
        assert_eq!(t.best(&[tag("fr")], &tag("de")).1, "Plan EN");
        let only_bn = text(&[("bn", "পরিকল্পনা")]);
        assert_eq!(only_bn.best(&[tag("fr")], &tag("de")).1, "পরিকল্পনা");
    }

    #[test]
    fn held_region_matches_asked_primary() {
        let t = text(&[("es-BO", "Plan boliviano"), ("en", "Plan")]);
        assert_eq!(t.best(&[tag("es")], &tag("en")).1, "Plan boliviano");
    }

    #[test]
    fn rejects_empty_blank_long_and_bad_tags_with_field_paths() {
        let err = LocalizedText::parse([], 10).unwrap_err();
        assert_eq!(err[0].code, "required");
        let err = LocalizedText::parse([("es", "  "), ("x_y", "a"), ("en", "12345678901")], 10).unwrap_err();
        let fields: Vec<(&str, &str)> = err.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, [("es", "required"), ("x_y", "invalid_language"), ("en", "too_long")]);
    }

    #[test]
    fn trims_text() {
        assert_eq!(text(&[("en", "  Plan  ")]).get(&tag("en")), Some("Plan"));
    }
}
