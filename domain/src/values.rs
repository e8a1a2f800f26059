//! Small validated value types shared by the aggregates.

use std::{fmt, str::FromStr};

use rust_decimal::Decimal;

use crate::FieldError;

/// ISO 3166-1 alpha-3 codes officially assigned (249 entries).
const ISO_3166_ALPHA3: &str = "ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE";

/// A Customs administration's code: an ISO 3166-1 alpha-3 country code (`BOL`, `UKR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AdministrationCode([u8; 3]);

impl AdministrationCode {
    /// Accepts an assigned ISO 3166-1 alpha-3 code in either case.
    ///
    /// # Errors
    /// `invalid_country_code` for anything that is not an assigned code.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        match <[u8; 3]>::try_from(input.as_bytes()) {
            Ok(code) => {
                let code = code.map(|b| b.to_ascii_uppercase());
                // Every stored row names its administration: a binary search of the sorted
                // table, without allocating.
                let table = ISO_3166_ALPHA3.as_bytes();
                let (mut low, mut high) = (0, table.len().div_ceil(4));
                while low < high {
                    let mid = (low + high) / 2;
                    match table.get(mid * 4..mid * 4 + 3).map(|c| c.cmp(&code[..])) {
                        Some(std::cmp::Ordering::Less) => low = mid + 1,
                        Some(std::cmp::Ordering::Greater) => high = mid,
                        Some(std::cmp::Ordering::Equal) => return Ok(Self(code)),
                        None => break,
                    }
                }
                Err(Self::invalid(input))
            }
            Err(_) => Err(Self::invalid(input)),
        }
    }

    fn invalid(input: &str) -> FieldError {
        FieldError::new("", "invalid_country_code", format!("`{input}` is not an ISO 3166-1 alpha-3 country code"))
    }

    /// Every assigned code, in alphabetical order.
    pub fn assigned() -> impl Iterator<Item = Self> {
        ISO_3166_ALPHA3.split(' ').filter_map(|c| Self::parse(c).ok())
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for AdministrationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AdministrationCode {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for AdministrationCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A donor's code (`SECO`, `WCO`): 2–16 upper-case letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct DonorCode(String);

impl DonorCode {
    /// # Errors
    /// `invalid_donor_code` when the shape is wrong.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let ok = (2..=16).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(FieldError::new("", "invalid_donor_code", "a donor code has 2 to 16 upper-case letters, digits, `-` or `_`"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DonorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Largest magnitude a measured value, target or baseline may have (exclusive).
const MAX_MAGNITUDE: i64 = 1_000_000_000_000_000; // 10^18
/// Most decimal places a value may carry.
pub const MAX_SCALE: u32 = 10;

/// An exact decimal quantity: a baseline, a target or an actual. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Quantity(Decimal);

impl Quantity {
    /// # Errors
    /// `out_of_range` beyond ±10^18 or with more than [`MAX_SCALE`] decimal places.
    pub fn new(value: Decimal) -> Result<Self, FieldError> {
        let value = value.normalize();
        if value.abs() >= Decimal::from(MAX_MAGNITUDE) {
            return Err(FieldError::new("", "out_of_range", "the value must be smaller than 10^18 in magnitude"));
        }
        if value.scale() > MAX_SCALE {
            return Err(FieldError::new("", "out_of_range", format!("at most {MAX_SCALE} decimal places")));
        }
        Ok(Self(value))
    }

    /// Parses decimal text such as `12345678901234.56789` or `-0.5` exactly.
    ///
    /// # Errors
    /// `invalid_number` when the text is not a plain decimal, `out_of_range` as in [`Self::new`].
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let plain = !input.is_empty() && input.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'));
        let parsed = if plain { Decimal::from_str_exact(input).ok() } else { None };
        match parsed {
            Some(d) => Self::new(d),
            None => Err(FieldError::new("", "invalid_number", format!("`{input}` is not a decimal number"))),
        }
    }

    pub const fn get(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Parses plain decimal text (`-12.5`, `0.9`) exactly: no exponent, no sign but a leading `-`.
///
/// # Errors
/// `invalid_number` for anything else.
pub fn parse_decimal(input: &str) -> Result<Decimal, FieldError> {
    let plain = !input.is_empty() && input.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'));
    let parsed = if plain { Decimal::from_str_exact(input).ok() } else { None };
    parsed.ok_or_else(|| FieldError::new("", "invalid_number", format!("`{input}` is not a decimal number")))
}

/// A strictly positive weight used by roll-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Weight(Decimal);

impl Weight {
    /// # Errors
    /// `must_be_positive` for zero or negative weights, `out_of_range` above 1000.
    pub fn new(value: Decimal) -> Result<Self, FieldError> {
        if value <= Decimal::ZERO {
            Err(FieldError::new("", "must_be_positive", "weight must be greater than 0"))
        } else if value > Decimal::from(1000) || value.scale() > 6 {
            Err(FieldError::new("", "out_of_range", "weight must be at most 1000 with at most 6 decimal places"))
        } else {
            Ok(Self(value.normalize()))
        }
    }

    /// Parses decimal text.
    ///
    /// # Errors
    /// `invalid_number`, or as [`Self::new`].
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::new(parse_decimal(input)?)
    }

    pub fn one() -> Self {
        Self(Decimal::ONE)
    }

    pub const fn get(self) -> Decimal {
        self.0
    }
}

/// Who may read an object outside its administration (after the WCO PMM levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Anyone authenticated, and the public face when there is one.
    Public,
    /// Every administration and donor of the Programme.
    Programme,
    /// The own administration only (and donors for what they fund).
    Restricted,
}

impl Disclosure {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Programme => "programme",
            Self::Restricted => "restricted",
        }
    }

    /// # Errors
    /// `invalid_value` for an unknown level.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "public" => Ok(Self::Public),
            "programme" => Ok(Self::Programme),
            "restricted" => Ok(Self::Restricted),
            _ => Err(FieldError::new("", "invalid_value", "one of public, programme, restricted")),
        }
    }

    /// Whether people outside the administration may see an object at this level.
    pub const fn is_shared(self) -> bool {
        !matches!(self, Self::Restricted)
    }
}

/// Trims and checks a single-language text field (codes, sources, names).
///
/// # Errors
/// `required` when blank, `too_long` beyond `max` characters.
pub fn non_blank(input: &str, max: usize) -> Result<String, FieldError> {
    let t = input.trim();
    storable(t)?;
    if t.is_empty() {
        Err(FieldError::new("", "required", "must not be blank"))
    } else if t.chars().count() > max {
        Err(FieldError::new("", "too_long", format!("at most {max} characters")))
    } else {
        Ok(t.to_owned())
    }
}

/// Text either database can store: anything but the NUL character (U+0000), which PostgreSQL
/// refuses in text. Checked wherever free text comes in, so that it is a field error on SQLite
/// and PostgreSQL alike rather than a storage failure on one of them.
///
/// # Errors
/// `invalid_character`.
pub fn storable(text: &str) -> Result<(), FieldError> {
    if text.contains('\0') { Err(FieldError::new("", "invalid_character", "text must not contain the NUL character (U+0000)")) } else { Ok(()) }
}

/// An external system's identifier for an object (the id in a national planning system).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ExternalRef(String);

impl ExternalRef {
    /// # Errors
    /// `invalid_format` unless 1–100 printable ASCII characters without `/`, `?` or `#` (the
    /// reference appears in URLs).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let ok = (1..=100).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b'?' | b'#' | b'%'));
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(FieldError::new("", "invalid_format", "1 to 100 printable characters, without spaces, `/`, `?`, `#` or `%`"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExternalRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administration_codes_must_be_assigned_iso_codes() {
        for c in ["BGD", "BOL", "COL", "GTM", "PER", "UKR", "UZB", "bol"] {
            assert!(AdministrationCode::parse(c).is_ok(), "{c}");
        }
        assert_eq!(AdministrationCode::parse("bol").unwrap().as_str(), "BOL");
        for c in ["XXX", "BO", "BOLV", "", "B0L", "ÜKR"] {
            assert_eq!(AdministrationCode::parse(c).unwrap_err().code, "invalid_country_code", "{c}");
        }
        assert_eq!(ISO_3166_ALPHA3.split(' ').count(), 249);
        let all: Vec<AdministrationCode> = AdministrationCode::assigned().collect();
        assert_eq!(all.len(), 249);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn quantities_are_exact_and_bounded() {
        let q = Quantity::parse("12345678901234.56789").unwrap();
        assert_eq!(q.to_string(), "12345678901234.56789");
        assert_eq!(Quantity::parse("-0.50").unwrap().to_string(), "-0.5");
        for bad in ["", "1e5", "abc", "1.2.3", "--1", "+1", " 1", "NaN"] {
            assert_eq!(Quantity::parse(bad).unwrap_err().code, "invalid_number", "{bad}");
        }
        assert_eq!(Quantity::parse("1000000000000000000").unwrap_err().code, "out_of_range");
        assert_eq!(Quantity::parse("0.00000000001").unwrap_err().code, "out_of_range");
    }

    #[test]
    fn weights_must_be_positive() {
        assert!(Weight::new(Decimal::ZERO).is_err());
        assert!(Weight::new(Decimal::NEGATIVE_ONE).is_err());
        assert!(Weight::new(Decimal::new(5, 1)).is_ok());
    }

    #[test]
    fn external_refs_are_url_safe() {
        assert!(ExternalRef::parse("SIPLAN-2024-001").is_ok());
        for bad in ["", "a b", "a/b", "a?b", &"x".repeat(101)] {
            assert!(ExternalRef::parse(bad).is_err(), "{bad}");
        }
    }
}
