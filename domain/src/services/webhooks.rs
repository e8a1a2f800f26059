//! Webhooks: partners' subscriptions, the outbox the journal fills in the change's own
//! transaction, and the two steps of the delivery worker (claim, settle).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{AuditOnly, Ctx, check_version, snapshot, stale_on_race};
use crate::{
    DomainError, StoreError,
    audit::{Audience, ChangeRecord, EntityType},
    ids::{DeliveryId, SubscriptionId},
    page::{Page, PageRequest},
    ports::Repositories,
    principal::{Principal, Role, Scope},
    values::{AdministrationCode, DonorCode},
    webhook::{
        Attempt, AttemptOutcome, Delivery, DeliveryPolicy, DeliveryStatus, Settlement, Subscription, SubscriptionDraft, SubscriptionInput, SubscriptionOwner,
        event_type, matches, new_secret,
    },
};

/// The audit entry of a change to a subscription (its secret is never in a snapshot).
fn audit<'a>(who: &'a Principal, s: &Subscription, action: &'a str) -> AuditOnly<'a> {
    AuditOnly {
        who,
        at: s.updated_at,
        administration: match &s.owner {
            SubscriptionOwner::Administration(a) => Some(*a),
            SubscriptionOwner::Donor(_) => None,
        },
        entity_type: EntityType::Webhook,
        entity_id: s.id.to_string(),
        action,
    }
}

#[derive(Clone)]
pub struct WebhookService {
    pub(crate) ctx: Ctx,
    pub(crate) policy: Arc<DeliveryPolicy>,
}

/// A delivery the worker holds, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct Dispatch {
    pub delivery: Delivery,
    pub url: String,
    pub secret: String,
    /// The lease: the worker settles before this, or another worker takes the delivery over.
    pub held_until: DateTime<Utc>,
}

/// A delivery with its attempts, for the log.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    pub delivery: Delivery,
    pub attempts: Vec<Attempt>,
}

/// Puts a delivery of `change` in the outbox of every subscription whose owner may see it and
/// that wants its event type. Runs in the change's own transaction. A paused or disabled
/// subscription's deliveries wait in the outbox and go out when it is resumed.
pub(crate) async fn enqueue(tx: &dyn Repositories, change: &ChangeRecord, now: DateTime<Utc>) -> Result<(), DomainError> {
    enqueue_many(tx, std::slice::from_ref(change), &[now]).await
}

/// As [`enqueue`] for many changes (`now[i]` is when `changes[i]` was made), reading the
/// subscriptions once.
pub(crate) async fn enqueue_many(tx: &dyn Repositories, changes: &[ChangeRecord], now: &[DateTime<Utc>]) -> Result<(), DomainError> {
    let subscriptions = tx.subscriptions(None).await?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    for (change, now) in changes.iter().zip(now) {
        let event = event_type(&change.change);
        let mut funders: Vec<DonorCode> = Vec::new();
        if let Audience::Funders(project) = &change.change.audience
            && subscriptions.iter().any(|s| matches!(s.owner, SubscriptionOwner::Donor(_)))
        {
            funders = tx.fundings_of_projects(&[*project]).await?.into_iter().map(|f| f.donor).collect();
        }
        for s in &subscriptions {
            if matches(&s.event_types, &event) && s.owner.scope().admits(&change.change, |donor, _| funders.contains(donor)) {
                tx.insert_delivery(&Delivery::of_change(s.id, change, *now)).await?;
            }
        }
    }
    Ok(())
}

/// The owner a new subscription gets: the caller's administration or donor; admins name one.
fn resolve_owner(who: &Principal, administration: Option<&str>, donor: Option<&str>) -> Result<SubscriptionOwner, DomainError> {
    let named = match (administration, donor) {
        (Some(_), Some(_)) => {
            return Err(DomainError::validation("donor", "conflicting", "a subscription belongs to an administration or to a donor, not both"));
        }
        (Some(a), None) => Some(SubscriptionOwner::Administration(AdministrationCode::parse(a).map_err(|e| DomainError::from(e.under("administration")))?)),
        (None, Some(d)) => Some(SubscriptionOwner::Donor(DonorCode::parse(d).map_err(|e| DomainError::from(e.under("donor")))?)),
        (None, None) => None,
    };
    let own = match (who.role(), who.administration(), who.donor()) {
        (Role::Admin, _, _) => None,
        (Role::Donor, _, Some(d)) => Some(SubscriptionOwner::Donor(d.clone())),
        (Role::Planner | Role::Integration, Some(a), _) => {
            if who.role() == Role::Integration && !who.scopes().contains(&Scope::WebhooksManage) {
                return Err(DomainError::Forbidden(format!("this client lacks the `{}` scope", Scope::WebhooksManage.as_str())));
            }
            Some(SubscriptionOwner::Administration(a))
        }
        _ => return Err(DomainError::Forbidden(format!("the {} role does not manage webhooks", who.role().as_str()))),
    };
    match (own, named) {
        (Some(own), None) => Ok(own),
        (Some(own), Some(n)) if n == own => Ok(own),
        (Some(_), Some(_)) => Err(DomainError::Forbidden("you may only subscribe for your own administration or donor".into())),
        (None, Some(n)) => Ok(n),
        (None, None) => Err(DomainError::validation("administration", "required", "name the administration or the donor the subscription is for")),
    }
}

/// Whether `who` manages subscriptions of `owner` (admins manage every one).
fn manages(who: &Principal, owner: &SubscriptionOwner) -> bool {
    match (who.role(), owner) {
        (Role::Admin, _) => true,
        (Role::Donor, SubscriptionOwner::Donor(d)) => who.donor() == Some(d),
        (Role::Planner, SubscriptionOwner::Administration(a)) => who.administration() == Some(*a),
        (Role::Integration, SubscriptionOwner::Administration(a)) => who.administration() == Some(*a) && who.scopes().contains(&Scope::WebhooksManage),
        _ => false,
    }
}

/// Loads a subscription the caller manages; anyone else's is "not found".
async fn managed(repos: &dyn Repositories, who: &Principal, id: SubscriptionId) -> Result<Subscription, DomainError> {
    match repos.subscription(id).await? {
        Some(s) if manages(who, &s.owner) => Ok(s),
        _ => Err(DomainError::not_found("webhook")),
    }
}

impl WebhookService {
    /// The caller's subscriptions (an admin's: every one).
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for viewers.
    pub async fn list(&self, who: &Principal) -> Result<Vec<Subscription>, DomainError> {
        let repos = self.ctx.store.read();
        if who.is_admin() {
            return Ok(repos.subscriptions(None).await?);
        }
        let owner = resolve_owner(who, None, None)?;
        Ok(repos.subscriptions(Some(&owner)).await?)
    }

    /// # Errors
    /// [`DomainError::NotFound`] for another owner's subscription.
    pub async fn get(&self, who: &Principal, id: SubscriptionId) -> Result<Subscription, DomainError> {
        managed(self.ctx.store.read(), who, id).await
    }

    /// Subscribes; the answer carries the signing secret, shown this once.
    ///
    /// # Errors
    /// [`DomainError::Validation`] (`url`, `event_types`), [`DomainError::Forbidden`].
    pub async fn create(
        &self,
        who: &Principal,
        administration: Option<&str>,
        donor: Option<&str>,
        input: &SubscriptionInput,
    ) -> Result<Subscription, DomainError> {
        let owner = resolve_owner(who, administration, donor)?;
        let draft = SubscriptionDraft::parse(input, None, self.policy.allow_private)?;
        let now = self.ctx.clock.now();
        let s = Subscription {
            id: SubscriptionId::generate(),
            owner,
            url: draft.url,
            description: draft.description,
            event_types: draft.event_types,
            secret: new_secret(),
            active: draft.active,
            disabled_reason: None,
            consecutive_failures: 0,
            version: 1,
            created_by: who.subject().to_owned(),
            created_at: now,
            updated_at: now,
        };
        let tx = self.ctx.store.begin().await?;
        tx.insert_subscription(&s).await?;
        audit(who, &s, "create").write(tx.as_ref(), None, snapshot(&s)).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Changes a subscription; `active: true` resumes a disabled one and forgets its failures.
    ///
    /// # Errors
    /// [`DomainError::Validation`], [`DomainError::NotFound`], [`DomainError::StaleVersion`].
    pub async fn update(
        &self,
        who: &Principal,
        id: SubscriptionId,
        input: &SubscriptionInput,
        expected_version: Option<i64>,
    ) -> Result<Subscription, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = managed(tx.as_ref(), who, id).await?;
        check_version(expected_version, before.version)?;
        let draft = SubscriptionDraft::parse(input, Some(&before), self.policy.allow_private)?;
        let resumed = draft.active && !before.active;
        let s = Subscription {
            url: draft.url,
            description: draft.description,
            event_types: draft.event_types,
            active: draft.active,
            disabled_reason: if draft.active { None } else { before.disabled_reason.clone().or_else(|| Some("paused by its owner".into())) },
            consecutive_failures: if resumed { 0 } else { before.consecutive_failures },
            version: before.version + 1,
            updated_at: self.ctx.clock.now(),
            ..before.clone()
        };
        tx.update_subscription(&s, before.version).await.map_err(stale_on_race)?;
        audit(who, &s, "update").write(tx.as_ref(), snapshot(&before), snapshot(&s)).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Replaces the signing secret; the answer carries the new one, shown this once.
    ///
    /// # Errors
    /// As [`Self::update`].
    pub async fn rotate_secret(&self, who: &Principal, id: SubscriptionId) -> Result<Subscription, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let before = managed(tx.as_ref(), who, id).await?;
        let s = Subscription { secret: new_secret(), version: before.version + 1, updated_at: self.ctx.clock.now(), ..before.clone() };
        tx.update_subscription(&s, before.version).await.map_err(stale_on_race)?;
        audit(who, &s, "rotate_secret").write(tx.as_ref(), snapshot(&before), snapshot(&s)).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Deletes a subscription and its delivery log.
    ///
    /// # Errors
    /// [`DomainError::NotFound`], [`DomainError::StaleVersion`].
    pub async fn delete(&self, who: &Principal, id: SubscriptionId, expected_version: Option<i64>) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        let s = managed(tx.as_ref(), who, id).await?;
        check_version(expected_version, s.version)?;
        tx.delete_subscription(id).await?;
        let mut entry = audit(who, &s, "delete");
        entry.at = self.ctx.clock.now();
        entry.write(tx.as_ref(), snapshot(&s), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues a `webhook.ping` to try the receiver.
    ///
    /// # Errors
    /// [`DomainError::NotFound`]; [`DomainError::Conflict`] (`webhook_disabled`) while it is disabled.
    pub async fn ping(&self, who: &Principal, id: SubscriptionId) -> Result<Delivery, DomainError> {
        let tx = self.ctx.store.begin().await?;
        let s = managed(tx.as_ref(), who, id).await?;
        if !s.active {
            return Err(DomainError::conflict("webhook_disabled", "the subscription is disabled; set `active` to true first"));
        }
        let d = Delivery::ping(s.id, self.ctx.clock.now());
        tx.insert_delivery(&d).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// The delivery log of a subscription, newest first, each delivery with its attempts.
    ///
    /// # Errors
    /// [`DomainError::NotFound`].
    pub async fn deliveries(
        &self,
        who: &Principal,
        id: SubscriptionId,
        status: Option<DeliveryStatus>,
        page: &PageRequest<DeliveryId>,
    ) -> Result<Page<DeliveryRecord, DeliveryId>, DomainError> {
        let repos = self.ctx.store.read();
        managed(repos, who, id).await?;
        let rows = repos.deliveries_of(id, status, page).await?;
        let page = page.page(rows, |d| d.id);
        let ids: Vec<DeliveryId> = page.items.iter().map(|d| d.id).collect();
        let mut attempts = repos.attempts_of(&ids).await?;
        Ok(page.map(|delivery| {
            let (mine, rest): (Vec<Attempt>, Vec<Attempt>) = std::mem::take(&mut attempts).into_iter().partition(|a| a.delivery_id == delivery.id);
            attempts = rest;
            DeliveryRecord { delivery, attempts: mine }
        }))
    }

    /// Takes up to `limit` due deliveries for this worker, held for `lease`.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn claim(&self, limit: u64, lease: chrono::Duration) -> Result<Vec<Dispatch>, DomainError> {
        let now = self.ctx.clock.now();
        // Kept to the millisecond, so that the stored lease compares equal on every backend.
        let held_until = DateTime::from_timestamp_millis((now + lease).timestamp_millis()).unwrap_or(now + lease);
        let tx = self.ctx.store.begin().await?;
        let deliveries = tx.claim_deliveries(now, held_until, limit).await?;
        let mut out = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            if let Some(s) = tx.subscription(d.subscription_id).await? {
                out.push(Dispatch { delivery: d, url: s.url, secret: s.secret, held_until });
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Records an attempt and what follows from it: delivered, retried later with backoff, or
    /// given up; the subscription counts its failures and is disabled when the receiver is gone
    /// or has failed too often. Returns the settlement, or `None` when the lease had passed and
    /// another worker holds the delivery now.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn settle(&self, dispatch: &Dispatch, outcome: &AttemptOutcome, duration_ms: i64, jitter: f64) -> Result<Option<Settlement>, DomainError> {
        let now = self.ctx.clock.now();
        let mut d = dispatch.delivery.clone();
        d.attempts += 1;
        let settlement = self.policy.settle(d.attempts, outcome, now, jitter);
        let (status_code, error) = match outcome {
            AttemptOutcome::Answered(code) => (Some(i32::from(*code)), (!(200..300).contains(code)).then(|| format!("the receiver answered {code}"))),
            AttemptOutcome::Unreachable(why) => (None, Some(why.clone())),
        };
        d.last_status_code = status_code;
        d.last_error.clone_from(&error);
        d.locked_until = None;
        match settlement {
            Settlement::Delivered => {
                d.status = DeliveryStatus::Delivered;
                d.delivered_at = Some(now);
            }
            Settlement::Retry { at } => d.next_attempt_at = at,
            Settlement::GaveUp | Settlement::Gone => d.status = DeliveryStatus::Failed,
        }
        let tx = self.ctx.store.begin().await?;
        match tx.settle_delivery(&d, dispatch.held_until).await {
            Ok(()) => {}
            Err(StoreError::VersionMismatch) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        tx.record_attempt(&Attempt { delivery_id: d.id, number: d.attempts, at: now, status_code, error, duration_ms }).await?;
        // The owner may change the subscription meanwhile: then count on the version it saved.
        for _ in 0..3 {
            let Some(s) = tx.subscription(d.subscription_id).await? else { break };
            let after = self.policy.after(&s, settlement, now);
            if after == s {
                break;
            }
            match tx.update_subscription(&Subscription { version: s.version + 1, ..after }, s.version).await {
                Err(StoreError::VersionMismatch) => {}
                other => {
                    other?;
                    break;
                }
            }
        }
        tx.commit().await?;
        Ok(Some(settlement))
    }

    /// The delivery policy in force (retries, lease, private targets).
    pub fn policy(&self) -> &DeliveryPolicy {
        &self.policy
    }
}
