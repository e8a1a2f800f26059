//! Donors and international organisations that fund projects (global, not per tenant).

use chrono::{DateTime, Utc};

use crate::{
    FieldError,
    error::Errors,
    ids::DonorId,
    plan::{TITLE_MAX, take_text},
    text::LocalizedText,
    values::DonorCode,
};

/// An IATI organisation identifier (`XM-DAC-7`, `CH-FDFA-...`): registration agency prefix and
/// id, 3–100 letters, digits, `-`, `.` or `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct IatiOrgId(String);

impl IatiOrgId {
    /// # Errors
    /// `invalid_format` for another shape.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let ok = (3..=100).contains(&input.len())
            && input.starts_with(|c: char| c.is_ascii_alphabetic())
            && input.contains('-')
            && input.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if ok { Ok(Self(input.to_owned())) } else { Err(FieldError::new("", "invalid_format", "an IATI organisation identifier such as XM-DAC-7")) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A donor or international organisation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Donor {
    pub id: DonorId,
    pub code: DonorCode,
    pub name: LocalizedText,
    pub iati_org_id: Option<IatiOrgId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Raw donor fields as a client sent them; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct DonorInput {
    pub code: Option<String>,
    pub name: Option<Vec<(String, String)>>,
    pub iati_org_id: Option<Option<String>>,
}

/// Validated donor content.
#[derive(Debug, Clone, PartialEq)]
pub struct DonorDraft {
    pub code: DonorCode,
    pub name: LocalizedText,
    pub iati_org_id: Option<IatiOrgId>,
}

impl DonorDraft {
    /// # Errors
    /// Every invalid or missing field (code and name on create); the code never changes.
    pub fn parse(input: &DonorInput, base: Option<&Donor>) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let code = match (&input.code, base) {
            (Some(c), Some(b)) if c != b.code.as_str() => {
                e.push(FieldError::new("code", "immutable", "a donor's code does not change"));
                None
            }
            (_, Some(b)) => Some(b.code.clone()),
            (Some(c), None) => e.take("code", DonorCode::parse(c)),
            (None, None) => {
                e.push(FieldError::new("code", "required", "a donor needs a code such as SECO"));
                None
            }
        };
        let name = match (&input.name, base) {
            (Some(n), _) => take_text(&mut e, "name", n, TITLE_MAX),
            (None, Some(b)) => Some(b.name.clone()),
            (None, None) => {
                e.push(FieldError::new("name", "required", "a donor needs a name"));
                None
            }
        };
        let iati_org_id = match &input.iati_org_id {
            Some(Some(i)) => e.take("iati_org_id", IatiOrgId::parse(i)).map(Some),
            Some(None) => Some(None),
            None => Some(base.and_then(|b| b.iati_org_id.clone())),
        };
        let finished = e.finish();
        match (code, name, iati_org_id, finished) {
            (Some(code), Some(name), Some(iati_org_id), Ok(())) => Ok(Self { code, name, iati_org_id }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid donor")]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iati_identifiers_have_an_agency_prefix() {
        assert!(IatiOrgId::parse("XM-DAC-7").is_ok());
        assert!(IatiOrgId::parse("CH-FDFA-SECO.1").is_ok());
        for bad in ["", "XM", "7-XM", "XM DAC 7", "NODASH"] {
            assert!(IatiOrgId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_code_is_required_and_then_fixed() {
        let err = DonorDraft::parse(&DonorInput::default(), None).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name"]);
    }
}
