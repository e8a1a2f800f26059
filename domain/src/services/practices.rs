//! The practice library: administrations write practices, publishing makes one readable by
//! every administration and donor, and anyone may search what they can read.

use crate::{
    DomainError, FieldError,
    audit::{Audience, EntityType, Operation},
    ids::PracticeId,
    page::{Page, PageRequest},
    ports::{PracticeFilter, PracticeVisibility, Repositories},
    practice::{Practice, PracticeDraft, PracticeInput, PracticeKind, PracticeStatus, Tag, search_terms},
    principal::{Principal, Role, Scope},
    values::AdministrationCode,
};

use super::{Ctx, Journal, check_version, plans::resolve_administration, snapshot, stale_on_race};

#[derive(Clone)]
pub struct PracticeService {
    pub(crate) ctx: Ctx,
}

/// What a client asks the library for.
#[derive(Debug, Clone, Default)]
pub struct PracticeQuery {
    /// Words to find (in any language of title, body or tags); all must match.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub tag: Option<String>,
    pub status: Option<String>,
    pub administration: Option<String>,
}

fn visibility(who: &Principal) -> PracticeVisibility {
    match (who.role(), who.administration()) {
        (Role::Admin, _) => PracticeVisibility::All,
        (Role::Anonymous, _) => PracticeVisibility::PublicOnly,
        (Role::Donor, _) | (_, None) => PracticeVisibility::PublishedOnly,
        (_, Some(code)) => PracticeVisibility::InsiderOf(code),
    }
}

/// Drafts are their administration's; a published practice is read at its disclosure level,
/// and a `restricted` one also by the donors funding a project linked to its objectives.
fn may_read(who: &Principal, p: &Practice) -> bool {
    who.is_insider(p.administration)
        || (p.status == PracticeStatus::Published
            && (who.reaches(p.disclosure)
                || (p.disclosure == crate::values::Disclosure::Restricted && p.objective_ids.iter().any(|o| who.funds_objective(*o)))))
}

/// Published practices are readable by everyone; drafts by their administration.
async fn readable(repos: &dyn Repositories, who: &Principal, id: PracticeId) -> Result<Practice, DomainError> {
    match repos.practice(id).await? {
        Some(p) if may_read(who, &p) => Ok(p),
        _ => Err(DomainError::not_found("practice")),
    }
}

/// Linked objectives must exist and belong to the practice's administration.
async fn check_links(repos: &dyn Repositories, draft: &PracticeDraft, administration: AdministrationCode) -> Result<(), DomainError> {
    let found = repos.objectives_by_ids(&draft.objective_ids).await?;
    let errors: Vec<FieldError> = draft
        .objective_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.iter().any(|o| o.id == **id && o.administration == administration))
        .map(|(i, _)| FieldError::new(format!("objective_ids[{i}]"), "not_found", "no objective of this administration has this id"))
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(errors)) }
}

fn journal<'a>(who: &'a Principal, p: &Practice, operation: Operation, action: &str) -> Journal<'a> {
    Journal {
        who,
        at: p.updated_at,
        administration: Some(p.administration),
        entity_type: EntityType::Practice,
        entity_id: p.id.to_string(),
        operation,
        action: action.to_owned(),
        audience: Audience::shared_if(p.status == PracticeStatus::Published),
    }
}

impl PracticeService {
    /// Searches the practices the caller may read.
    ///
    /// # Errors
    /// [`DomainError::Validation`] for unknown kinds, statuses, tags or codes.
    pub async fn list(&self, who: &Principal, query: &PracticeQuery, page: &PageRequest<PracticeId>) -> Result<Page<Practice, PracticeId>, DomainError> {
        let mut errors = crate::error::Errors::new();
        let kind = query.kind.as_deref().and_then(|k| errors.take("kind", PracticeKind::parse(k)));
        let status = query.status.as_deref().and_then(|s| errors.take("status", PracticeStatus::parse(s)));
        let tag = query.tag.as_deref().and_then(|t| errors.take("tag", Tag::parse(t)));
        let administration = query.administration.as_deref().and_then(|a| errors.take("administration", AdministrationCode::parse(a)));
        if let Some(q) = query.q.as_deref() {
            errors.take("q", crate::values::storable(q));
        }
        let terms = query.q.as_deref().map(search_terms).unwrap_or_default();
        if terms.len() > 10 {
            errors.push(FieldError::new("q", "too_long", "search with at most 10 words"));
        }
        errors.finish()?;
        // A funding donor may read restricted practices of what it funds: storage returns every
        // published one, and each is checked here (a page may then hold fewer items; its cursor
        // still continues where storage stopped).
        let funds = who.role() == Role::Donor && !who.funded_plans().is_empty();
        let visibility = if funds { PracticeVisibility::Published } else { visibility(who) };
        let filter = PracticeFilter { visibility, administration, kind, status, tag, terms };
        let rows = self.ctx.store.read().list_practices(&filter, page).await?;
        let mut result = page.page(rows, |p| p.id);
        result.items.retain(|p| may_read(who, p));
        Ok(result)
    }

    /// # Errors
    /// [`DomainError::NotFound`] also for another administration's draft.
    pub async fn get(&self, who: &Principal, id: PracticeId) -> Result<Practice, DomainError> {
        readable(self.ctx.store.read(), who, id).await
    }

    /// Writes a draft practice of the caller's administration (admins name it).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`], [`DomainError::Validation`].
    pub async fn create(&self, who: &Principal, administration: Option<&str>, input: &PracticeInput) -> Result<Practice, DomainError> {
        who.ensure_writer()?;
        let administration = resolve_administration(who, administration)?;
        who.ensure_can_write(administration, Scope::PlansWrite)?;
        let draft = PracticeDraft::parse(input, None).map_err(DomainError::Validation)?;
        let tx = self.ctx.store.begin().await?;
        if tx.administration(administration).await?.is_none() {
            return Err(DomainError::validation("administration", "unknown", format!("no administration {administration} is registered")));
        }
        check_links(tx.as_ref(), &draft, administration).await?;
        let now = self.ctx.clock.now();
        let p = Practice {
            id: PracticeId::generate(),
            administration,
            kind: draft.kind,
            title: draft.title,
            body: draft.body,
            tags: draft.tags,
            objective_ids: draft.objective_ids,
            status: PracticeStatus::Draft,
            disclosure: draft.disclosure,
            published_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_practice(&p).await?;
        journal(who, &p, Operation::Create, "create").write(tx.as_ref(), None, snapshot(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// # Errors
    /// As [`Self::create`], plus [`DomainError::NotFound`] and [`DomainError::StaleVersion`].
    pub async fn update(&self, who: &Principal, id: PracticeId, input: &PracticeInput, expected_version: Option<i64>) -> Result<Practice, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        let draft = PracticeDraft::parse(input, Some(&before)).map_err(DomainError::Validation)?;
        check_links(tx.as_ref(), &draft, before.administration).await?;
        let mut p = Practice {
            kind: draft.kind,
            title: draft.title,
            body: draft.body,
            tags: draft.tags,
            objective_ids: draft.objective_ids,
            disclosure: draft.disclosure,
            ..before.clone()
        };
        if p == before {
            return Ok(before);
        }
        p.version += 1;
        p.updated_at = self.ctx.clock.now();
        tx.update_practice(&p, before.version).await.map_err(stale_on_race)?;
        journal(who, &p, Operation::Update, "update").write(tx.as_ref(), snapshot(&before), snapshot(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Publishes a draft (readable by every administration and donor from then on) or
    /// withdraws a published practice back to draft.
    ///
    /// # Errors
    /// [`DomainError::Conflict`] (`invalid_transition`) when it is already there.
    pub async fn transition(&self, who: &Principal, id: PracticeId, to: PracticeStatus, expected_version: Option<i64>) -> Result<Practice, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(before.administration, Scope::PlansWrite)?;
        check_version(expected_version, before.version)?;
        if before.status == to {
            return Err(DomainError::conflict("invalid_transition", format!("the practice is {} already", to.as_str())));
        }
        let now = self.ctx.clock.now();
        let p = Practice {
            status: to,
            published_at: (to == PracticeStatus::Published).then_some(now),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_practice(&p, before.version).await.map_err(stale_on_race)?;
        journal(who, &p, Operation::Update, &format!("transition:{}", to.as_str())).write(tx.as_ref(), snapshot(&before), snapshot(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::Forbidden`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: PracticeId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let p = readable(tx.as_ref(), who, id).await?;
        who.ensure_can_write(p.administration, Scope::PlansWrite)?;
        check_version(expected_version, p.version)?;
        tx.delete_practice(id).await?;
        let mut j = journal(who, &p, Operation::Delete, "delete");
        j.at = self.ctx.clock.now();
        j.write(tx.as_ref(), snapshot(&p), None).await?;
        tx.commit().await?;
        Ok(())
    }
}
