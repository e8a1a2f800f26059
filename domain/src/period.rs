//! Reporting periods: a year (`2024`), a quarter (`2024-Q3`) or a month (`2024-07`).
//! Periods are parsed, never stored as free text. On the time scale used for interpolation a
//! period stands at its middle (`2024` → 2024.5, `2024-Q3` → 2024.625, `2024-07` → 2024 + 6.5/12).

use std::{cmp::Ordering, fmt, str::FromStr};

use rust_decimal::Decimal;

use crate::FieldError;

/// Earliest and latest year a period may name.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Year,
    Quarter,
    Month,
}

impl Granularity {
    const fn months(self) -> i64 {
        match self {
            Self::Year => 12,
            Self::Quarter => 3,
            Self::Month => 1,
        }
    }

    const fn rank(self) -> i64 {
        match self {
            Self::Year => 0,
            Self::Quarter => 1,
            Self::Month => 2,
        }
    }
}

/// A reporting period. Ordered by its middle on the time line; periods sharing a middle
/// (`2024-Q1` and `2024-02`) are ordered longest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    /// Year and quarter 1..=4.
    Quarter(i32, u8),
    /// Year and month 1..=12.
    Month(i32, u8),
}

impl Period {
    /// Parses `2024`, `2024-Q3` or `2024-07`.
    ///
    /// # Errors
    /// A [`FieldError`] with code `invalid_period` for anything else, including years outside
    /// [`MIN_YEAR`]..=[`MAX_YEAR`].
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("", "invalid_period", format!("`{input}` is not a period: use a year (2024), a quarter (2024-Q3) or a month (2024-07)"));
        let (year, rest) = match input.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (input, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(bad());
        }
        match rest {
            None => Ok(Self::Year(year)),
            Some(q) if q.len() == 2 && q.starts_with('Q') => match q.as_bytes()[1] {
                b @ b'1'..=b'4' => Ok(Self::Quarter(year, b - b'0')),
                _ => Err(bad()),
            },
            Some(m) if m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()) => {
                let month: u8 = m.parse().map_err(|_| bad())?;
                if (1..=12).contains(&month) { Ok(Self::Month(year, month)) } else { Err(bad()) }
            }
            Some(_) => Err(bad()),
        }
    }

    pub const fn year(self) -> i32 {
        match self {
            Self::Year(y) | Self::Quarter(y, _) | Self::Month(y, _) => y,
        }
    }

    pub const fn granularity(self) -> Granularity {
        match self {
            Self::Year(_) => Granularity::Year,
            Self::Quarter(..) => Granularity::Quarter,
            Self::Month(..) => Granularity::Month,
        }
    }

    /// First month of the period, counted from January of year 0.
    fn first_month(self) -> i64 {
        let offset = match self {
            Self::Year(_) => 0,
            Self::Quarter(_, q) => (i64::from(q) - 1) * 3,
            Self::Month(_, m) => i64::from(m) - 1,
        };
        i64::from(self.year()) * 12 + offset
    }

    /// The year and month (1..=12) the period starts in.
    pub fn start(self) -> (i32, u32) {
        match self {
            Self::Year(y) => (y, 1),
            Self::Quarter(y, q) => (y, u32::from(q) * 3 - 2),
            Self::Month(y, m) => (y, u32::from(m)),
        }
    }

    /// Last month of the period (inclusive), on the same scale as `first_month`.
    fn last_month(self) -> i64 {
        self.first_month() + self.granularity().months() - 1
    }

    /// The middle of the period in half-months since January of year 0: an integer, so that
    /// interpolation can be computed exactly.
    pub fn midpoint_half_months(self) -> i64 {
        self.first_month() * 2 + self.granularity().months()
    }

    /// The middle of the period in fractional years (`2024-Q3` → 2024.625).
    pub fn midpoint_years(self) -> Decimal {
        Decimal::from(self.midpoint_half_months()) / Decimal::from(24)
    }

    /// A number that orders periods as [`Ord`] does; stored to sort in SQL.
    pub fn sort_key(self) -> i64 {
        self.midpoint_half_months() * 4 + self.granularity().rank()
    }

    /// Whether `other` lies entirely within this period (a period contains itself).
    pub fn contains(self, other: Self) -> bool {
        self.first_month() <= other.first_month() && other.last_month() <= self.last_month()
    }

    /// The period of the same length that follows this one.
    pub fn next(self) -> Self {
        match self {
            Self::Year(y) => Self::Year(y + 1),
            Self::Quarter(y, 4) => Self::Quarter(y + 1, 1),
            Self::Quarter(y, q) => Self::Quarter(y, q + 1),
            Self::Month(y, 12) => Self::Month(y + 1, 1),
            Self::Month(y, m) => Self::Month(y, m + 1),
        }
    }

    /// The period of the same length that precedes this one.
    pub fn previous(self) -> Self {
        match self {
            Self::Year(y) => Self::Year(y - 1),
            Self::Quarter(y, 1) => Self::Quarter(y - 1, 4),
            Self::Quarter(y, q) => Self::Quarter(y, q - 1),
            Self::Month(y, 1) => Self::Month(y - 1, 12),
            Self::Month(y, m) => Self::Month(y, m - 1),
        }
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y}"),
            Self::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Self::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn parses_the_three_forms_and_prints_them_back() {
        for s in ["2024", "2024-Q1", "2024-Q4", "2024-01", "2024-12"] {
            assert_eq!(p(s).to_string(), s);
        }
    }

    #[test]
    fn rejects_free_text() {
        for s in ["", "24", "2024-Q5", "2024-Q0", "2024-13", "2024-00", "2024-1", "2024-q1", " 2024", "1899", "2201", "2024-", "２０２４"] {
            let err = Period::parse(s).unwrap_err();
            assert_eq!(err.code, "invalid_period", "{s}");
        }
    }

    #[test]
    fn midpoints_follow_the_domain_time_scale() {
        assert_eq!(p("2024").midpoint_years(), Decimal::new(20245, 1));
        assert_eq!(p("2024-Q3").midpoint_years(), Decimal::new(2024625, 3));
        // 2024 + 6.5/12 = 2024.541666...
        let july = p("2024-07").midpoint_years();
        assert!(july > Decimal::new(202454, 2) && july < Decimal::new(202455, 2));
    }

    #[test]
    fn orders_by_middle_then_longest_first() {
        let mut v = [p("2025"), p("2024-07"), p("2024-Q3"), p("2024"), p("2024-02"), p("2024-Q1"), p("2023-12")];
        v.sort();
        let shown: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["2023-12", "2024-Q1", "2024-02", "2024", "2024-07", "2024-Q3", "2025"]);
    }

    #[test]
    fn sort_keys_are_unique_and_agree_with_ordering() {
        let mut all = Vec::new();
        for y in [2023, 2024] {
            all.push(Period::Year(y));
            for q in 1..=4 {
                all.push(Period::Quarter(y, q));
            }
            for m in 1..=12 {
                all.push(Period::Month(y, m));
            }
        }
        for a in &all {
            for b in &all {
                assert_eq!(a.sort_key() == b.sort_key(), a == b);
                assert_eq!(a.sort_key().cmp(&b.sort_key()), a.cmp(b));
            }
        }
    }

    #[test]
    fn containment() {
        assert!(p("2024").contains(p("2024-Q3")));
        assert!(p("2024").contains(p("2024-12")));
        assert!(p("2024-Q3").contains(p("2024-09")));
        assert!(!p("2024-Q3").contains(p("2024-10")));
        assert!(!p("2024-Q3").contains(p("2024")));
        assert!(p("2024-05").contains(p("2024-05")));
        assert!(!p("2024").contains(p("2025-01")));
    }

    #[test]
    fn next_and_previous_wrap_years_and_are_inverse() {
        assert_eq!(p("2024-Q4").next(), p("2025-Q1"));
        assert_eq!(p("2024-12").next(), p("2025-01"));
        assert_eq!(p("2025-01").previous(), p("2024-12"));
        assert_eq!(p("2025-Q1").previous(), p("2024-Q4"));
        for s in ["2024", "2024-Q2", "2024-Q4", "2024-01", "2024-06", "2024-12"] {
            assert_eq!(p(s).next().previous(), p(s));
            assert!(p(s).next() > p(s));
        }
    }

    #[test]
    fn serde_uses_the_text_form() {
        let json = serde_json::to_string(&p("2024-Q3")).unwrap();
        assert_eq!(json, "\"2024-Q3\"");
        let back: Period = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p("2024-Q3"));
        assert!(serde_json::from_str::<Period>("\"2024-Q9\"").is_err());
    }
}
