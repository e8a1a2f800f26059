//! What a query costs before it runs, so that one request cannot ask for millions of objects.
//!
//! Every field costs 1 plus its children. A list costs its size times its children: a
//! connection its page size (`first`, or the default page of 50), a list without pagination
//! the size it is assumed to have (the constants below: generous for a real plan). So
//! `plans(first: 100) { edges { node { objectives { indicators { name } } } } }` costs about
//! 100 × 10 × 5 = 5,000 indicator names, and the same list aliased ten times costs ten times
//! that: the total is checked against `MERIDIAN_GRAPHQL_MAX_COMPLEXITY` before anything runs.

/// The page a connection returns when the query names no `first`.
pub const DEFAULT_PAGE: usize = domain::page::DEFAULT_LIMIT as usize;
/// Objectives of a plan, or children of an objective, as costed.
pub const OBJECTIVES: usize = 10;
/// Indicators of an objective, as costed.
pub const INDICATORS: usize = 5;
/// Periods of an indicator (targets, measurements, series points), as costed.
pub const PERIODS: usize = 20;
/// Revisions of a plan, as costed.
pub const REVISIONS: usize = 10;
/// Small lists (milestones, risks, fundings, engagements, linked objectives), as costed.
pub const SMALL: usize = 5;
/// Unpaginated lists of a whole page of objects (projects of a portfolio, comparisons,
/// clients), as costed.
pub const PAGE: usize = DEFAULT_PAGE;

/// A connection: its page size times its children (and `first` beyond any page is refused
/// anyway, so it is costed as asked).
pub fn page(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first.map_or(DEFAULT_PAGE, |f| usize::try_from(f).unwrap_or(0).max(1));
    list(size, child_complexity)
}

/// A list of `size` items, each costing `child_complexity`.
pub fn list(size: usize, child_complexity: usize) -> usize {
    size.saturating_mul(child_complexity).saturating_add(1)
}
