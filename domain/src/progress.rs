//! Results-based management: an indicator's series of targets and approved actuals turned into
//! progress, expected progress and RAG status, and the weighted roll-up of those figures into
//! objectives and plans. The rules are the product's, as README's "Progress" section states them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::{indicator::Direction, period::Period, plan::Thresholds};

/// RAG status of an indicator or roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RagStatus {
    OnTrack,
    AtRisk,
    OffTrack,
    NoData,
}

impl RagStatus {
    pub const ALL: [Self; 4] = [Self::OnTrack, Self::AtRisk, Self::OffTrack, Self::NoData];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::OffTrack => "off_track",
            Self::NoData => "no_data",
        }
    }
}

/// Everything needed to compute one indicator's progress. Only APPROVED actuals are passed in.
#[derive(Debug, Clone, Copy)]
pub struct SeriesInput<'a> {
    pub direction: Direction,
    pub baseline_period: Period,
    pub baseline_value: Decimal,
    /// Explicit targets, in any order, one per period.
    pub targets: &'a [(Period, Decimal)],
    /// Approved values, in any order, one per period.
    pub actuals: &'a [(Period, Decimal)],
    pub thresholds: Thresholds,
}

/// One row of the series, for every period that has a target or an actual (plus the baseline
/// period), sorted by [`Period`]'s order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeriesPoint {
    pub period: Period,
    /// The explicit target of this period.
    pub target: Option<Decimal>,
    /// The explicit target as given, else the interpolated value (rounded to 6 places); `None`
    /// before the baseline period or when the indicator has no target.
    pub expected: Option<Decimal>,
    pub actual: Option<Decimal>,
    /// Only where there is an actual.
    pub progress: Option<Decimal>,
    pub expected_progress: Option<Decimal>,
    /// Only where there is an actual.
    pub status: Option<RagStatus>,
}

/// An indicator's series and its standing at the latest period with an approved actual.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorProgress {
    pub final_target: Option<(Period, Decimal)>,
    pub points: Vec<SeriesPoint>,
    /// latest period with an approved actual, and the figures there
    pub latest_period: Option<Period>,
    pub progress: Option<Decimal>,
    pub expected_progress: Option<Decimal>,
    pub status: RagStatus,
}

/// An indicator's standing: its figures at the latest period with an approved actual, without
/// the series. It depends on the baseline, the targets and that one actual only, so it can be
/// computed from the latest approved measurement alone, whatever the length of the history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Standing {
    pub final_target: Option<(Period, Decimal)>,
    /// latest period with an approved actual, and the figures there
    pub latest_period: Option<Period>,
    pub progress: Option<Decimal>,
    pub expected_progress: Option<Decimal>,
    pub status: RagStatus,
}

impl IndicatorProgress {
    /// The figures at the latest period, without the series.
    pub fn standing(&self) -> Standing {
        Standing {
            final_target: self.final_target,
            latest_period: self.latest_period,
            progress: self.progress,
            expected_progress: self.expected_progress,
            status: self.status,
        }
    }
}

/// Computes the series of an indicator and its overall progress and status, in
/// O(n log n) of its targets and actuals.
pub fn indicator_progress(input: &SeriesInput<'_>) -> IndicatorProgress {
    let curve = Curve::new(input);
    let actuals: BTreeMap<Period, Decimal> = input.actuals.iter().copied().collect();
    let mut periods: Vec<Period> = input.targets.iter().chain(input.actuals).map(|&(p, _)| p).chain([input.baseline_period]).collect();
    periods.sort();
    periods.dedup();
    let points: Vec<SeriesPoint> = periods.into_iter().map(|period| point(input, &curve, period, actuals.get(&period).copied())).collect();
    let latest = points.iter().rev().find(|p| p.actual.is_some());
    IndicatorProgress {
        final_target: curve.final_target,
        latest_period: latest.map(|p| p.period),
        progress: latest.and_then(|p| p.progress),
        expected_progress: latest.and_then(|p| p.expected_progress),
        status: latest.and_then(|p| p.status).unwrap_or(RagStatus::NoData),
        points,
    }
}

/// Computes an indicator's [`Standing`]: the same figures as [`indicator_progress`] gives for
/// the latest period with an actual, from the latest of `input.actuals` alone (pass just the
/// latest approved actual), in O(targets).
pub fn indicator_standing(input: &SeriesInput<'_>) -> Standing {
    let curve = Curve::new(input);
    let latest = input.actuals.iter().copied().max_by_key(|&(p, _)| p);
    let at = latest.map(|(period, value)| point(input, &curve, period, Some(value)));
    Standing {
        final_target: curve.final_target,
        latest_period: at.as_ref().map(|p| p.period),
        progress: at.as_ref().and_then(|p| p.progress),
        expected_progress: at.as_ref().and_then(|p| p.expected_progress),
        status: at.and_then(|p| p.status).unwrap_or(RagStatus::NoData),
    }
}

/// Weighted roll-up.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RollUp {
    pub progress: Option<Decimal>,
    pub expected_progress: Option<Decimal>,
    pub status: RagStatus,
    /// how many contributions had data / had none (an indicator without data counts 1; for child
    /// roll-ups pass their own counts via `RollUpPart::Child`)
    pub indicators_with_data: u32,
    pub indicators_without_data: u32,
}

/// One contribution to a roll-up.
#[derive(Debug, Clone, Copy)]
pub enum RollUpPart<'a> {
    /// an indicator with its weight and computed standing
    Indicator { weight: Decimal, standing: &'a Standing },
    /// a child objective with its weight and its own roll-up
    Child { weight: Decimal, rollup: &'a RollUp },
}

/// Weighted mean of the parts that have progress; parts without progress are left out and
/// counted, never treated as 0. Weights must be positive.
pub fn roll_up(parts: &[RollUpPart<'_>], thresholds: Thresholds) -> RollUp {
    let (mut with, mut without) = (0_u32, 0_u32);
    let (mut progress, mut expected) = (Mean::default(), Mean::default());
    for part in parts {
        let (weight, p, e) = match *part {
            RollUpPart::Indicator { weight, standing: ip } => {
                if ip.progress.is_some() {
                    with = with.saturating_add(1);
                } else {
                    without = without.saturating_add(1);
                }
                (weight, ip.progress, ip.expected_progress)
            }
            RollUpPart::Child { weight, rollup } => {
                with = with.saturating_add(rollup.indicators_with_data);
                without = without.saturating_add(rollup.indicators_without_data);
                (weight, rollup.progress, rollup.expected_progress)
            }
        };
        if let Some(p) = p {
            progress.add(weight, p);
            if let Some(e) = e {
                expected.add(weight, e);
            }
        }
    }
    let (p, e) = (progress.value(), expected.value());
    RollUp {
        progress: p.map(tidy),
        expected_progress: e.map(tidy),
        status: p.map_or(RagStatus::NoData, |p| judge(p, e, thresholds)),
        indicators_with_data: with,
        indicators_without_data: without,
    }
}

/// The expected-value curve: the known points (baseline and explicit targets from the baseline
/// period on) on the half-month time index.
struct Curve {
    baseline_period: Period,
    final_target: Option<(Period, Decimal)>,
    /// The explicit targets by period.
    targets: Vec<(Period, Decimal)>,
    known: Vec<(i64, Decimal)>,
}

impl Curve {
    fn new(input: &SeriesInput<'_>) -> Self {
        let mut targets = input.targets.to_vec();
        targets.sort_by_key(|&(p, _)| p);
        let mut known = Vec::with_capacity(targets.len() + 1);
        if !targets.iter().any(|&(p, _)| p == input.baseline_period) {
            known.push((input.baseline_period.midpoint_half_months(), input.baseline_value));
        }
        known.extend(targets.iter().filter(|&&(p, _)| p >= input.baseline_period).map(|&(p, v)| (p.midpoint_half_months(), v)));
        known.sort_by_key(|&(t, _)| t);
        Self { baseline_period: input.baseline_period, final_target: targets.last().copied(), targets, known }
    }

    /// The explicit target of a period.
    fn target_at(&self, period: Period) -> Option<Decimal> {
        self.targets.binary_search_by_key(&period, |&(p, _)| p).ok().and_then(|i| self.targets.get(i)).map(|&(_, v)| v)
    }

    /// Expected value at a period without an explicit target, unrounded.
    fn between(&self, period: Period) -> Option<Decimal> {
        let (_, final_value) = self.final_target?;
        if period < self.baseline_period {
            return None;
        }
        let t = period.midpoint_half_months();
        // `known` is sorted by time: the last point at or before `t`, the first at or after it.
        let after = self.known.partition_point(|&(kt, _)| kt < t);
        let upto = self.known.partition_point(|&(kt, _)| kt <= t);
        let lower = upto.checked_sub(1).and_then(|i| self.known.get(i))?;
        match self.known.get(after) {
            None => Some(final_value),
            Some(&(t1, v1)) => {
                let (t0, v0) = *lower;
                if t1 == t0 {
                    return Some(v0);
                }
                v1.checked_sub(v0)?.checked_mul(Decimal::from(t - t0))?.checked_div(Decimal::from(t1 - t0))?.checked_add(v0)
            }
        }
    }
}

fn point(input: &SeriesInput<'_>, curve: &Curve, period: Period, actual: Option<Decimal>) -> SeriesPoint {
    let target = curve.target_at(period);
    let expected = target.or_else(|| curve.between(period));
    let baseline = input.baseline_value;
    let span = curve.final_target.and_then(|(_, f)| f.checked_sub(baseline)).filter(|s| !s.is_zero());
    let fraction = |v: Decimal| v.checked_sub(baseline)?.checked_div(span?);
    let expected_progress = match input.direction {
        Direction::Maintain => expected.map(|_| Decimal::ONE),
        Direction::Increase | Direction::Decrease => expected.and_then(fraction),
    };
    let no_data = (None, Some(RagStatus::NoData));
    let (progress, status) = match actual {
        None => (None, None),
        Some(_) if curve.final_target.is_none() => no_data,
        Some(a) => match (input.direction, span) {
            (Direction::Maintain, _) => match expected.and_then(|e| deviation_status(a, e, input.thresholds)) {
                Some(s) => (Some(if s == RagStatus::OnTrack { Decimal::ONE } else { Decimal::ZERO }), Some(s)),
                None => no_data,
            },
            (_, None) => {
                let s = expected.and_then(|e| deviation_status(a, e, input.thresholds));
                (None, Some(s.unwrap_or(RagStatus::NoData)))
            }
            (_, Some(_)) => match fraction(a) {
                Some(p) => (Some(p), Some(judge(p, expected_progress, input.thresholds))),
                None => no_data,
            },
        },
    };
    SeriesPoint {
        period,
        target,
        expected: if target.is_some() { target } else { expected.map(tidy) },
        actual,
        progress: progress.map(tidy),
        expected_progress: expected_progress.map(tidy),
        status,
    }
}

/// Status of progress against expected progress; with nothing expected yet, any non-negative
/// progress is on track.
fn judge(progress: Decimal, expected: Option<Decimal>, th: Thresholds) -> RagStatus {
    let reaches = |factor: Decimal, e: Decimal| factor.checked_mul(e).is_some_and(|bar| progress >= bar);
    match expected.filter(|e| *e > Decimal::ZERO) {
        None if progress >= Decimal::ZERO => RagStatus::OnTrack,
        None => RagStatus::AtRisk,
        Some(e) if reaches(th.on_track, e) => RagStatus::OnTrack,
        Some(e) if reaches(th.at_risk, e) => RagStatus::AtRisk,
        Some(_) => RagStatus::OffTrack,
    }
}

/// Status of an actual against the value it should hold, within the plan's tolerance (relative
/// to the expected value, absolute when that is 0).
fn deviation_status(actual: Decimal, expected: Decimal, th: Thresholds) -> Option<RagStatus> {
    let gap = actual.checked_sub(expected)?.abs();
    let deviation = if expected.is_zero() { gap } else { gap.checked_div(expected.abs())? };
    Some(if deviation <= th.tolerance {
        RagStatus::OnTrack
    } else if th.tolerance.checked_mul(Decimal::TWO).is_none_or(|twice| deviation <= twice) {
        RagStatus::AtRisk
    } else {
        RagStatus::OffTrack
    })
}

/// Computed figures are shown to 6 decimal places, without trailing zeros.
fn tidy(d: Decimal) -> Decimal {
    d.round_dp(6).normalize()
}

/// A weighted mean that gives up (`None`) on overflow.
#[derive(Default)]
struct Mean {
    sum: Decimal,
    weight: Decimal,
    overflow: bool,
}

impl Mean {
    fn add(&mut self, weight: Decimal, value: Decimal) {
        match (weight.checked_mul(value).and_then(|wv| self.sum.checked_add(wv)), self.weight.checked_add(weight)) {
            (Some(sum), Some(w)) => (self.sum, self.weight) = (sum, w),
            _ => self.overflow = true,
        }
    }

    fn value(&self) -> Option<Decimal> {
        if self.overflow || self.weight.is_zero() { None } else { self.sum.checked_div(self.weight) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(Period, Decimal)> {
        items.iter().map(|&(period, v)| (p(period), d(v))).collect()
    }

    fn compute_with(
        direction: Direction,
        baseline: (&str, &str),
        targets: &[(&str, &str)],
        actuals: &[(&str, &str)],
        thresholds: Thresholds,
    ) -> IndicatorProgress {
        let (targets, actuals) = (pairs(targets), pairs(actuals));
        indicator_progress(&SeriesInput {
            direction,
            baseline_period: p(baseline.0),
            baseline_value: d(baseline.1),
            targets: &targets,
            actuals: &actuals,
            thresholds,
        })
    }

    fn compute(direction: Direction, baseline: (&str, &str), targets: &[(&str, &str)], actuals: &[(&str, &str)]) -> IndicatorProgress {
        compute_with(direction, baseline, targets, actuals, Thresholds::default())
    }

    fn at<'a>(r: &'a IndicatorProgress, period: &str) -> &'a SeriesPoint {
        r.points.iter().find(|x| x.period == p(period)).unwrap()
    }

    fn opt(s: &str) -> Option<Decimal> {
        Some(d(s))
    }

    #[test]
    fn rag_status_names() {
        let names: Vec<&str> = RagStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["on_track", "at_risk", "off_track", "no_data"]);
        assert_eq!(serde_json::to_string(&RagStatus::OffTrack).unwrap(), "\"off_track\"");
    }

    #[test]
    fn worked_example_from_the_domain_rules() {
        let r = compute(Direction::Increase, ("2022", "10"), &[("2026", "20")], &[("2024", "14")]);
        assert_eq!(r.final_target, Some((p("2026"), d("20"))));
        assert_eq!(r.latest_period, Some(p("2024")));
        assert_eq!(r.progress, opt("0.4"));
        assert_eq!(r.progress.unwrap().to_string(), "0.4");
        assert_eq!(r.expected_progress, opt("0.5"));
        assert_eq!(r.status, RagStatus::AtRisk);

        let periods: Vec<Period> = r.points.iter().map(|x| x.period).collect();
        assert_eq!(periods, [p("2022"), p("2024"), p("2026")]);
        let y2024 = at(&r, "2024");
        assert_eq!((y2024.target, y2024.expected, y2024.actual), (None, opt("15"), opt("14")));
        assert_eq!(y2024.status, Some(RagStatus::AtRisk));
        let base = at(&r, "2022");
        assert_eq!((base.expected, base.expected_progress), (opt("10"), opt("0")));
        assert_eq!((base.progress, base.status), (None, None));
        let last = at(&r, "2026");
        assert_eq!((last.target, last.expected, last.expected_progress), (opt("20"), opt("20"), opt("1")));
    }

    #[test]
    fn decrease_indicator_release_time_48h_to_24h() {
        // Intermediate target 36 in 2024, final 24 in 2026: the span is -24 hours.
        let r = compute(Direction::Decrease, ("2022", "48"), &[("2024", "36"), ("2026", "24")], &[("2023", "47"), ("2024", "40"), ("2025", "28")]);
        // 2023: expected 42 by interpolation between 48 (2022) and 36 (2024); progress 1/24 < 0.6 × 0.25.
        let y2023 = at(&r, "2023");
        assert_eq!((y2023.expected, y2023.expected_progress), (opt("42"), opt("0.25")));
        assert_eq!((y2023.progress, y2023.status), (opt("0.041667"), Some(RagStatus::OffTrack)));
        // 2024: (40 - 48) / (24 - 48) = 1/3 against 0.5: between 0.3 and 0.45.
        let y2024 = at(&r, "2024");
        assert_eq!((y2024.progress, y2024.expected_progress), (opt("0.333333"), opt("0.5")));
        assert_eq!(y2024.status, Some(RagStatus::AtRisk));
        // 2025: expected 30; (28 - 48) / -24 = 5/6 ≥ 0.9 × 0.75.
        let y2025 = at(&r, "2025");
        assert_eq!((y2025.expected, y2025.progress), (opt("30"), opt("0.833333")));
        assert_eq!(y2025.status, Some(RagStatus::OnTrack));
        assert_eq!((r.latest_period, r.status, r.progress), (Some(p("2025")), RagStatus::OnTrack, opt("0.833333")));
    }

    #[test]
    fn decrease_indicator_moving_the_wrong_way_has_negative_progress() {
        let r = compute(Direction::Decrease, ("2022", "48"), &[("2026", "24")], &[("2024", "50")]);
        // (50 - 48) / -24 = -1/12
        assert_eq!((r.progress, r.status), (opt("-0.083333"), RagStatus::OffTrack));
    }

    #[test]
    fn maintain_within_and_outside_tolerance() {
        let r = compute(Direction::Maintain, ("2022", "95"), &[("2026", "95")], &[("2023", "93"), ("2024", "90"), ("2025", "80"), ("2026", "99.75")]);
        // |93 - 95| / 95 ≈ 0.021 ≤ 0.05; 5/95 ≈ 0.053 ≤ 0.10; 15/95 ≈ 0.158; 4.75/95 = 0.05 exactly.
        let expected =
            [("2023", RagStatus::OnTrack, "1"), ("2024", RagStatus::AtRisk, "0"), ("2025", RagStatus::OffTrack, "0"), ("2026", RagStatus::OnTrack, "1")];
        for (period, status, progress) in expected {
            let pt = at(&r, period);
            let got = (pt.status, pt.progress, pt.expected_progress);
            assert_eq!(got, (Some(status), opt(progress), opt("1")), "{period}");
        }
        assert_eq!((r.status, r.progress, r.expected_progress), (RagStatus::OnTrack, opt("1"), opt("1")));
    }

    #[test]
    fn maintain_around_zero_uses_the_absolute_gap() {
        let actuals = [("2023", "0.04"), ("2024", "-0.08"), ("2025", "0.2")];
        let r = compute(Direction::Maintain, ("2022", "0"), &[("2026", "0")], &actuals);
        assert_eq!(at(&r, "2023").status, Some(RagStatus::OnTrack));
        assert_eq!(at(&r, "2024").status, Some(RagStatus::AtRisk));
        assert_eq!(at(&r, "2025").status, Some(RagStatus::OffTrack));
    }

    #[test]
    fn quarterly_interpolation_through_an_intermediate_target() {
        // Half-month indices from 2024-Q1: Q2 +6, Q3 +12, Q4 +18, 2025-Q1 +24, ... 2025-Q4 +42.
        // 100 → 120 over 12: +10 at Q2. 120 → 180 over 30: 2 per half-month.
        let r = compute(
            Direction::Increase,
            ("2024-Q1", "100"),
            &[("2025-Q4", "180"), ("2024-Q3", "120")],
            &[("2024-Q2", "110"), ("2024-Q4", "125"), ("2025-Q2", "150"), ("2026-Q1", "181")],
        );
        assert_eq!(r.final_target, Some((p("2025-Q4"), d("180"))));
        let rows = [
            ("2024-Q1", "100", "0"),
            ("2024-Q2", "110", "0.125"),
            ("2024-Q3", "120", "0.25"),
            ("2024-Q4", "132", "0.4"),
            ("2025-Q2", "156", "0.7"),
            ("2025-Q4", "180", "1"),
            ("2026-Q1", "180", "1"),
        ];
        for (period, expected, expected_progress) in rows {
            let pt = at(&r, period);
            assert_eq!((pt.expected, pt.expected_progress), (opt(expected), opt(expected_progress)), "{period}");
        }
        // 0.125 vs 0.125; 0.3125 vs 0.4 (bars 0.36, 0.24); 0.625 vs 0.7 (bar 0.63); 1.0125 vs 1.
        assert_eq!(at(&r, "2024-Q2").status, Some(RagStatus::OnTrack));
        assert_eq!((at(&r, "2024-Q4").progress, at(&r, "2024-Q4").status), (opt("0.3125"), Some(RagStatus::AtRisk)));
        assert_eq!((at(&r, "2025-Q2").progress, at(&r, "2025-Q2").status), (opt("0.625"), Some(RagStatus::AtRisk)));
        assert_eq!((r.latest_period, r.progress, r.status), (Some(p("2026-Q1")), opt("1.0125"), RagStatus::OnTrack));
    }

    #[test]
    fn monthly_periods_sit_between_quarter_middles() {
        // Half-month indices: 2024-Q1 middle +3, 2024-04 middle +7, 2024-Q3 middle +15; 0 → 12 over 12.
        let r = compute(Direction::Increase, ("2024-Q1", "0"), &[("2024-Q3", "12")], &[("2024-04", "5")]);
        assert_eq!(at(&r, "2024-04").expected, opt("4"));
        assert_eq!((r.progress, r.expected_progress, r.status), (opt("0.416667"), opt("0.333333"), RagStatus::OnTrack));
    }

    #[test]
    fn computed_figures_are_rounded_to_six_places() {
        let r = compute(Direction::Increase, ("2022", "0"), &[("2025", "1")], &[("2023", "0.1"), ("2024", "2")]);
        assert_eq!(at(&r, "2023").expected, opt("0.333333"));
        assert_eq!(at(&r, "2024").expected, opt("0.666667"));
        assert_eq!(r.progress.unwrap().to_string(), "2");
        assert_eq!(r.expected_progress.unwrap().to_string(), "0.666667");
    }

    #[test]
    fn over_achievement_is_unclamped_and_on_track() {
        let r = compute(Direction::Increase, ("2022", "10"), &[("2026", "20")], &[("2024", "25")]);
        assert_eq!((r.progress, r.status), (opt("1.5"), RagStatus::OnTrack));
        let after = compute(Direction::Increase, ("2022", "10"), &[("2026", "20")], &[("2027", "22")]);
        let pt = at(&after, "2027");
        assert_eq!((pt.expected, pt.expected_progress, pt.progress), (opt("20"), opt("1"), opt("1.2")));
        assert_eq!(after.status, RagStatus::OnTrack);
    }

    #[test]
    fn no_approved_actual_is_no_data() {
        let r = compute(Direction::Increase, ("2022", "10"), &[("2026", "20")], &[]);
        assert_eq!((r.latest_period, r.progress, r.expected_progress, r.status), (None, None, None, RagStatus::NoData));
        assert_eq!(r.points.len(), 2);
        assert!(r.points.iter().all(|x| x.status.is_none() && x.progress.is_none()));
    }

    #[test]
    fn target_equal_to_baseline_has_no_progress_but_is_judged_against_expected() {
        let near = compute(Direction::Increase, ("2022", "10"), &[("2026", "10")], &[("2024", "10.3")]);
        assert_eq!((near.progress, near.expected_progress, near.status), (None, None, RagStatus::OnTrack));
        let far = compute(Direction::Decrease, ("2022", "10"), &[("2026", "10")], &[("2024", "12")]);
        assert_eq!((far.progress, far.status), (None, RagStatus::OffTrack));
        assert_eq!(at(&far, "2024").expected, opt("10"));
    }

    #[test]
    fn no_targets_means_no_assessment() {
        for direction in [Direction::Increase, Direction::Decrease, Direction::Maintain] {
            let r = compute(direction, ("2022", "10"), &[], &[("2024", "14")]);
            assert_eq!((r.final_target, r.latest_period), (None, Some(p("2024"))));
            assert_eq!((r.progress, r.expected_progress, r.status), (None, None, RagStatus::NoData));
            let pt = at(&r, "2024");
            assert_eq!((pt.expected, pt.status), (None, Some(RagStatus::NoData)));
        }
    }

    #[test]
    fn before_the_baseline_nothing_is_expected() {
        let r = compute(Direction::Increase, ("2022", "10"), &[("2026", "20")], &[("2020", "11"), ("2021", "8")]);
        let y2020 = at(&r, "2020");
        assert_eq!((y2020.expected, y2020.expected_progress), (None, None));
        assert_eq!((y2020.progress, y2020.status), (opt("0.1"), Some(RagStatus::OnTrack)));
        let y2021 = at(&r, "2021");
        assert_eq!((y2021.expected, y2021.progress, y2021.status), (None, opt("-0.2"), Some(RagStatus::AtRisk)));
        assert_eq!(r.status, RagStatus::AtRisk);
        let m = compute(Direction::Maintain, ("2022", "10"), &[("2026", "10")], &[("2021", "10")]);
        assert_eq!((m.progress, m.status), (None, RagStatus::NoData));
    }

    #[test]
    fn thresholds_of_the_plan_change_the_status() {
        let lenient = Thresholds::new(d("0.8"), d("0.5"), d("0.1")).unwrap();
        let r = compute_with(Direction::Increase, ("2022", "10"), &[("2026", "20")], &[("2024", "14")], lenient);
        assert_eq!(r.status, RagStatus::OnTrack);
        let strict = Thresholds::new(d("1"), d("0.85"), d("0.01")).unwrap();
        let r = compute_with(Direction::Increase, ("2022", "10"), &[("2026", "20")], &[("2024", "14")], strict);
        assert_eq!(r.status, RagStatus::OffTrack);
        let m = compute_with(Direction::Maintain, ("2022", "95"), &[("2026", "95")], &[("2024", "90")], lenient);
        assert_eq!((m.status, m.progress), (RagStatus::OnTrack, opt("1")));
        let m = compute_with(Direction::Maintain, ("2022", "95"), &[("2026", "95")], &[("2024", "94")], strict);
        assert_eq!((m.status, m.progress), (RagStatus::AtRisk, opt("0")));
    }

    fn figures(progress: Option<&str>, expected: Option<&str>) -> Standing {
        Standing { final_target: None, latest_period: None, progress: progress.map(d), expected_progress: expected.map(d), status: RagStatus::NoData }
    }

    #[test]
    fn roll_up_weights_and_counts_indicators_without_data() {
        let a = figures(Some("0.4"), Some("0.5"));
        let b = figures(Some("0.8"), Some("0.5"));
        let none = figures(None, None);
        let parts = [
            RollUpPart::Indicator { weight: d("2"), standing: &a },
            RollUpPart::Indicator { weight: d("1"), standing: &b },
            RollUpPart::Indicator { weight: d("5"), standing: &none },
        ];
        let r = roll_up(&parts, Thresholds::default());
        // (2 × 0.4 + 0.8) / 3 = 0.533333 against 0.5; the indicator without data is not a 0.
        assert_eq!((r.progress, r.expected_progress, r.status), (opt("0.533333"), opt("0.5"), RagStatus::OnTrack));
        assert_eq!((r.indicators_with_data, r.indicators_without_data), (2, 1));
        let strict = Thresholds::new(d("1.0"), d("0.5"), d("0.05")).unwrap();
        assert_eq!(roll_up(&parts[..1], strict).status, RagStatus::AtRisk);
    }

    #[test]
    fn roll_up_leaves_a_missing_expected_progress_out_of_that_mean_only() {
        let a = figures(Some("0.2"), None);
        let b = figures(Some("0.6"), Some("0.5"));
        let parts = [RollUpPart::Indicator { weight: d("1"), standing: &a }, RollUpPart::Indicator { weight: d("1"), standing: &b }];
        let r = roll_up(&parts, Thresholds::default());
        assert_eq!((r.progress, r.expected_progress, r.status), (opt("0.4"), opt("0.5"), RagStatus::AtRisk));
    }

    #[test]
    fn nested_roll_up_adds_child_counts() {
        let a = figures(Some("0.4"), Some("0.5"));
        let b = figures(Some("0.8"), Some("0.5"));
        let none = figures(None, None);
        let child = roll_up(
            &[
                RollUpPart::Indicator { weight: d("2"), standing: &a },
                RollUpPart::Indicator { weight: d("1"), standing: &b },
                RollUpPart::Indicator { weight: d("1"), standing: &none },
            ],
            Thresholds::default(),
        );
        let nothing = [RollUpPart::Indicator { weight: d("1"), standing: &none }; 3];
        let empty_child = roll_up(&nothing, Thresholds::default());
        assert_eq!((empty_child.progress, empty_child.status), (None, RagStatus::NoData));
        assert_eq!((empty_child.indicators_with_data, empty_child.indicators_without_data), (0, 3));

        let c = figures(Some("0.2"), Some("0.5"));
        let parent = roll_up(
            &[
                RollUpPart::Child { weight: d("2"), rollup: &child },
                RollUpPart::Indicator { weight: d("1"), standing: &c },
                RollUpPart::Child { weight: d("4"), rollup: &empty_child },
            ],
            Thresholds::default(),
        );
        // (2 × 0.533333 + 0.2) / 3 = 0.422222 against 0.5: between 0.3 and 0.45.
        assert_eq!((parent.progress, parent.expected_progress), (opt("0.422222"), opt("0.5")));
        assert_eq!(parent.status, RagStatus::AtRisk);
        assert_eq!((parent.indicators_with_data, parent.indicators_without_data), (3, 4));
        assert_eq!(roll_up(&[], Thresholds::default()).status, RagStatus::NoData);
    }

    /// A small deterministic generator, so the property test needs no dependency.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }

        fn value(&mut self) -> Decimal {
            Decimal::from(i64::try_from(self.below(2001)).unwrap() - 1000)
        }
    }

    #[test]
    fn interpolated_values_lie_between_their_neighbours_and_follow_the_line() {
        let mut rng = Lcg(7);
        for case in 0..400 {
            let baseline_period = Period::Quarter(2020, u8::try_from(1 + rng.below(4)).unwrap());
            let baseline_value = rng.value();
            let mut targets = Vec::new();
            let mut at_q = baseline_period;
            for _ in 0..=rng.below(4) {
                for _ in 0..=rng.below(6) {
                    at_q = at_q.next();
                }
                targets.push((at_q, rng.value()));
            }
            let mut queries = Vec::new();
            let mut m = Period::Month(2019, 1);
            while m <= Period::Month(2028, 12) {
                queries.push((m, rng.value()));
                m = m.next();
            }
            let mut q = Period::Quarter(2019, 1);
            while q <= Period::Quarter(2028, 4) {
                queries.push((q, rng.value()));
                q = q.next();
            }
            let direction = [Direction::Increase, Direction::Decrease][usize::try_from(rng.below(2)).unwrap()];
            let r = indicator_progress(&SeriesInput {
                direction,
                baseline_period,
                baseline_value,
                targets: &targets,
                actuals: &queries,
                thresholds: Thresholds::default(),
            });
            let mut known = vec![(baseline_period, baseline_value)];
            known.extend(targets.iter().copied());
            let (final_period, final_value) = *targets.last().unwrap();
            for pt in &r.points {
                let e = pt.expected;
                if pt.period < baseline_period {
                    assert_eq!(e, None, "case {case} {}", pt.period);
                    continue;
                }
                let e = e.unwrap();
                if let Some(&(_, v)) = known.iter().find(|(kp, _)| *kp == pt.period) {
                    assert_eq!(e, v, "case {case} {}", pt.period);
                } else if pt.period > final_period {
                    assert_eq!(e, final_value, "case {case} {}", pt.period);
                } else {
                    let t = pt.period.midpoint_half_months();
                    let &(p0, v0) = known.iter().rev().find(|(kp, _)| kp.midpoint_half_months() <= t).unwrap();
                    let &(p1, v1) = known.iter().find(|(kp, _)| kp.midpoint_half_months() >= t).unwrap();
                    assert!(v0.min(v1) <= e && e <= v0.max(v1), "case {case} {}: {e} not within {v0}..{v1}", pt.period);
                    let (t0, t1) = (p0.midpoint_half_months(), p1.midpoint_half_months());
                    if t1 > t0 {
                        let exact = v0 + (v1 - v0) * Decimal::from(t - t0) / Decimal::from(t1 - t0);
                        assert!((exact - e).abs() <= d("0.0000005"), "case {case} {}", pt.period);
                    }
                }
                let span = final_value - baseline_value;
                if span.is_zero() {
                    assert_eq!(pt.progress, None);
                } else {
                    let progress = pt.progress.unwrap();
                    let back = baseline_value + progress * span;
                    assert!((back - pt.actual.unwrap()).abs() <= span.abs() * d("0.000001"), "case {case}");
                }
            }
            assert_eq!(r.latest_period, Some(Period::Month(2028, 12)));
        }
    }

    #[test]
    fn standing_from_the_latest_actual_alone_matches_the_whole_series() {
        let mut rng = Lcg(11);
        for case in 0..500 {
            let baseline_period = Period::Month(2020, u8::try_from(1 + rng.below(12)).unwrap());
            let mut targets = Vec::new();
            for year in 2020..=2020 + i32::try_from(rng.below(6)).unwrap() {
                if rng.below(3) > 0 {
                    targets.push((Period::Year(year), rng.value()));
                }
            }
            let mut actuals = Vec::new();
            let mut m = baseline_period;
            for _ in 0..rng.below(80) {
                m = m.next();
                if rng.below(4) > 0 {
                    actuals.push((m, rng.value()));
                }
            }
            let direction = [Direction::Increase, Direction::Decrease, Direction::Maintain][usize::try_from(rng.below(3)).unwrap()];
            let input = SeriesInput {
                direction,
                baseline_period,
                baseline_value: rng.value(),
                targets: &targets,
                actuals: &actuals,
                thresholds: Thresholds::default(),
            };
            let whole = indicator_progress(&input).standing();
            let latest: Vec<(Period, Decimal)> = actuals.iter().copied().max_by_key(|&(p, _)| p).into_iter().collect();
            let alone = indicator_standing(&SeriesInput { actuals: &latest, ..input });
            assert_eq!(alone, whole, "case {case}");
        }
    }
}
