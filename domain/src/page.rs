//! Keyset pagination: a list is read in a stable order, and a page continues strictly after
//! the key of the last item the client saw, so rows added meanwhile never cause a duplicate or a gap.

use crate::FieldError;

/// Largest page a client may ask for.
pub const MAX_LIMIT: u32 = 200;
/// Page size when the client does not say.
pub const DEFAULT_LIMIT: u32 = 50;

/// A page request keyed by `K`, the list's sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<K> {
    limit: u32,
    pub after: Option<K>,
}

impl<K> PageRequest<K> {
    /// # Errors
    /// `out_of_range` on `limit` outside 1..=[`MAX_LIMIT`].
    pub fn new(limit: Option<u32>, after: Option<K>) -> Result<Self, FieldError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if (1..=MAX_LIMIT).contains(&limit) {
            Ok(Self { limit, after })
        } else {
            Err(FieldError::new("limit", "out_of_range", format!("limit must be between 1 and {MAX_LIMIT}")))
        }
    }

    /// The first page of everything (used internally, e.g. by exports and seeding).
    pub fn first(limit: u32) -> Self {
        Self { limit: limit.clamp(1, MAX_LIMIT), after: None }
    }

    pub const fn limit(&self) -> u32 {
        self.limit
    }

    /// How many rows an adapter should fetch: one more than the page, to know if another follows.
    pub const fn fetch(&self) -> u64 {
        self.limit as u64 + 1
    }

    /// Cuts the adapter's rows (fetched with [`Self::fetch`]) into a page.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> K) -> Page<T, K> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next = if more { rows.last().map(key) } else { None };
        Page { items: rows, next }
    }
}

/// One page of a list and the key to continue after, if more rows follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, K> {
    pub items: Vec<T>,
    pub next: Option<K>,
}

impl<T, K> Page<T, K> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, K> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert!(PageRequest::<u32>::new(Some(0), None).is_err());
        assert!(PageRequest::<u32>::new(Some(201), None).is_err());
        assert_eq!(PageRequest::<u32>::new(None, None).unwrap().limit(), DEFAULT_LIMIT);
    }

    #[test]
    fn next_key_only_when_more_rows_follow() {
        let req = PageRequest::<u32>::new(Some(2), None).unwrap();
        let page = req.page(vec![1, 2, 3], |x| *x);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next, Some(2));
        let page = req.page(vec![1, 2], |x| *x);
        assert_eq!(page.next, None);
    }
}
