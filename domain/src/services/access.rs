//! Admission: a token that verifies is honoured only if what it names exists. A caller whose
//! administration or donor is unknown is refused as a whole, before any use case runs, so that
//! no rule downstream ever sees a half-valid principal.

use std::{
    collections::HashSet,
    sync::{Arc, RwLock},
};

use super::{AdministrationService, ClientService, Ctx};
use crate::{DomainError, principal::Principal, values::DonorCode};

#[derive(Clone)]
pub struct AccessService {
    pub(crate) ctx: Ctx,
    pub(crate) administrations: AdministrationService,
    /// Donors seen to exist. Donors are never deleted, so a hit stays true.
    pub(crate) known_donors: Arc<RwLock<HashSet<DonorCode>>>,
    pub(crate) clients: ClientService,
}

impl AccessService {
    /// Checks that the administration or donor the caller acts for exists.
    ///
    /// # Errors
    /// [`DomainError::Unauthenticated`] when it does not, [`DomainError::Store`].
    pub async fn admit(&self, who: &Principal) -> Result<(), DomainError> {
        if let Some(client) = who.client() {
            let active = match client.parse::<crate::ids::ClientId>() {
                Ok(id) => self.clients.is_active(id).await?,
                Err(_) => false,
            };
            if !active {
                return Err(DomainError::Unauthenticated("the token's client was revoked or has expired".into()));
            }
        }
        if let Some(code) = who.administration()
            && self.administrations.by_codes(who, &[code]).await?.is_empty()
        {
            return Err(DomainError::Unauthenticated(format!("the token names administration {code}, which does not exist")));
        }
        if let Some(code) = who.donor() {
            if self.known_donors.read().is_ok_and(|known| known.contains(code)) {
                return Ok(());
            }
            if self.ctx.store.read().donor(code).await?.is_none() {
                return Err(DomainError::Unauthenticated(format!("the token names donor {code}, which does not exist")));
            }
            if let Ok(mut known) = self.known_donors.write() {
                known.insert(code.clone());
            }
        }
        Ok(())
    }
}
