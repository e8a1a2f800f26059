//! The two steps around a POST that carries an `Idempotency-Key`: claim the key before the
//! request runs, keep (or release) the answer after.

use super::Ctx;
use crate::{
    DomainError, StoreError,
    idempotency::{Claim, IdempotencyKey, KeyRecord, KeyState, StoredResponse, keeps},
    principal::Principal,
};

#[derive(Clone)]
pub struct IdempotencyService {
    pub(crate) ctx: Ctx,
    /// How long a key replays its answer.
    pub(crate) ttl: chrono::Duration,
    /// How long a request may run: an in-flight key older than this is abandoned.
    pub(crate) stale_after: chrono::Duration,
}

impl IdempotencyService {
    /// Claims `key` of the calling client for the request identified by `fingerprint`.
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn claim(&self, who: &Principal, key: &IdempotencyKey, request: &str, fingerprint: &str) -> Result<Claim, DomainError> {
        let now = self.ctx.clock.now();
        let record = KeyRecord {
            client: who.identity(),
            key: key.clone(),
            request: request.to_owned(),
            fingerprint: fingerprint.to_owned(),
            state: KeyState::InFlight,
            created_at: now,
            expires_at: now + self.ttl,
        };
        let tx = self.ctx.store.begin().await?;
        tx.purge_keys(now).await?;
        let claim = match tx.claim_key(&record).await? {
            None => Claim::Proceed,
            Some(existing) if existing.is_free(now, self.stale_after) => match tx.replace_key(&existing, &record).await {
                Ok(()) => Claim::Proceed,
                Err(StoreError::VersionMismatch) => Claim::InFlight,
                Err(e) => return Err(e.into()),
            },
            Some(existing) => existing.decide(fingerprint),
        };
        tx.commit().await?;
        Ok(claim)
    }

    /// Keeps the answer under the key for replay (or frees the key after a server error, so that
    /// a retry runs again).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn finish(&self, who: &Principal, key: &IdempotencyKey, response: &StoredResponse) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        if keeps(response.status) {
            tx.finish_key(&who.identity(), key, response).await?;
        } else {
            tx.release_key(&who.identity(), key).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Frees the key of a request that ended without an answer (it failed before answering).
    ///
    /// # Errors
    /// [`DomainError::Store`].
    pub async fn release(&self, who: &Principal, key: &IdempotencyKey) -> Result<(), DomainError> {
        let tx = self.ctx.store.begin().await?;
        tx.release_key(&who.identity(), key).await?;
        tx.commit().await?;
        Ok(())
    }
}
