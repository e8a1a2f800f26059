//! The change feed: every create, update and delete in commit order, filtered to what the caller
//! may see, resumable from any position.

use super::{Ctx, projects::funded_by};
use crate::{
    DomainError, FieldError,
    audit::{Audience, Change, ChangeRecord, EntityType, FeedFilter, FeedScope},
    principal::Principal,
};

/// Largest page of the feed.
pub const MAX_FEED_LIMIT: u32 = 1000;
/// Page size when the client does not say.
pub const DEFAULT_FEED_LIMIT: u32 = 100;

#[derive(Clone)]
pub struct ChangeService {
    pub(crate) ctx: Ctx,
}

/// One page of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    pub changes: Vec<ChangeRecord>,
    /// Where to continue: the last change returned, or the position asked for when there was none.
    pub next: i64,
    /// Whether more changes follow right away.
    pub has_more: bool,
}

/// A validated request for a page of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRequest {
    pub after: i64,
    pub types: Vec<EntityType>,
    pub limit: u32,
}

impl FeedRequest {
    /// `types` is a comma-separated list of entity types.
    ///
    /// # Errors
    /// Field errors on `types` (`invalid_value`) and `limit` (`out_of_range`).
    pub fn parse(after: i64, types: Option<&str>, limit: Option<u32>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let after = after.max(0);
        let mut parsed = Vec::new();
        for raw in types.unwrap_or("").split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match EntityType::parse(raw) {
                Ok(t) if !parsed.contains(&t) => parsed.push(t),
                Ok(_) => {}
                Err(e) => errors.push(FieldError::new("types", e.code, format!("unknown type `{raw}`: {}", e.message))),
            }
        }
        let limit = limit.unwrap_or(DEFAULT_FEED_LIMIT);
        if !(1..=MAX_FEED_LIMIT).contains(&limit) {
            errors.push(FieldError::new("limit", "out_of_range", format!("limit must be between 1 and {MAX_FEED_LIMIT}")));
        }
        if errors.is_empty() { Ok(Self { after, types: parsed, limit }) } else { Err(errors) }
    }
}

/// What `who` receives of the feed (a donor's funded projects resolved).
pub(crate) async fn feed_filter(repos: &dyn crate::ports::Repositories, who: &Principal, types: Vec<EntityType>) -> Result<FeedFilter, DomainError> {
    let scope = FeedScope::of(who);
    let funded = match &scope {
        FeedScope::Donor(donor) => funded_by(repos, donor).await?,
        _ => Vec::new(),
    };
    Ok(FeedFilter { scope, funded, types })
}

impl ChangeService {
    /// The changes after `request.after` that the caller may see, oldest first.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn feed(&self, who: &Principal, request: FeedRequest) -> Result<FeedPage, DomainError> {
        let repos = self.ctx.store.read();
        let filter = feed_filter(repos, who, request.types).await?;
        let mut changes = repos.changes_after(&filter, request.after, u64::from(request.limit) + 1).await?;
        let has_more = changes.len() > request.limit as usize;
        changes.truncate(request.limit as usize);
        let next = changes.last().map_or(request.after, |c| c.seq);
        Ok(FeedPage { changes, next, has_more })
    }

    /// Whether the caller may see `change`: the feed's rule applied to one change (as it arrives
    /// live). A donor's funded projects are looked up only for changes addressed to funders.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn admits(&self, who: &Principal, change: &Change) -> Result<bool, DomainError> {
        let scope = FeedScope::of(who);
        let funded = match (&scope, &change.audience) {
            (FeedScope::Donor(donor), Audience::Funders(_)) => funded_by(self.ctx.store.read(), donor).await?,
            _ => Vec::new(),
        };
        Ok(scope.admits(change, |_, project| funded.contains(&project)))
    }

    /// The position of the latest change: a cursor from which a new client follows only what comes next.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn latest(&self) -> Result<i64, DomainError> {
        Ok(self.ctx.store.read().latest_change().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_request_names_known_types_and_a_bounded_page() {
        let r = FeedRequest::parse(7, Some("plan, objective,plan"), None).unwrap();
        assert_eq!(r, FeedRequest { after: 7, types: vec![EntityType::Plan, EntityType::Objective], limit: DEFAULT_FEED_LIMIT });
        assert_eq!(FeedRequest::parse(0, Some(""), Some(MAX_FEED_LIMIT)).unwrap().types, vec![]);
        let errors = FeedRequest::parse(0, Some("plan,planet"), Some(0)).unwrap_err();
        assert_eq!(errors.iter().map(|e| (e.field.as_str(), e.code)).collect::<Vec<_>>(), [("types", "invalid_value"), ("limit", "out_of_range")]);
    }
}
