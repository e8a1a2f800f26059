//! Admission: a token that verifies is honoured only if what it names exists. A caller whose
//! administration or donor is unknown is refused as a whole, before any use case runs, so that
//! no rule downstream ever sees a half-valid principal.

use std::{
    collections::HashSet,
    sync::{Arc, RwLock},
};

use super::{AdministrationService, ClientService, Ctx};
use crate::{
    DomainError,
    principal::{Funded, Principal},
    values::DonorCode,
};

#[derive(Clone)]
pub struct AccessService {
    pub(crate) ctx: Ctx,
    pub(crate) administrations: AdministrationService,
    /// Donors seen to exist. Donors are never deleted, so a hit stays true.
    pub(crate) known_donors: Arc<RwLock<HashSet<DonorCode>>>,
    pub(crate) clients: ClientService,
    /// What each donor funds, as last read.
    pub(crate) funded: Arc<RwLock<FundedByDonor>>,
}

/// What each donor funds, with when it was read.
pub(crate) type FundedByDonor = std::collections::HashMap<DonorCode, (chrono::DateTime<chrono::Utc>, Funded)>;

/// How long what a donor funds is kept before it is read again.
pub const FUNDED_TTL: chrono::Duration = chrono::Duration::seconds(10);

impl AccessService {
    /// Checks that the administration or donor the caller acts for exists.
    ///
    /// # Errors
    /// [`DomainError::Unauthenticated`] when it does not, [`DomainError::Store`].
    pub async fn admit(&self, who: &Principal) -> Result<(), DomainError> {
        self.check(who).await
    }

    /// Admits the caller (see [`Self::admit`]) and, for a donor, finds what it funds: the
    /// objectives linked to projects it funds and their plans (kept [`FUNDED_TTL`], so a new
    /// funding is seen within that time).
    ///
    /// # Errors
    /// As [`Self::admit`].
    pub async fn admitted(&self, who: Principal) -> Result<Principal, DomainError> {
        self.check(&who).await?;
        let Some(donor) = who.donor().filter(|_| who.role() == crate::principal::Role::Donor).cloned() else {
            return Ok(who);
        };
        let now = self.ctx.clock.now();
        let cached = self.funded.read().ok().and_then(|m| m.get(&donor).filter(|(at, _)| now - *at < FUNDED_TTL).map(|(_, f)| f.clone()));
        let funded = match cached {
            Some(f) => f,
            None => {
                let repos = self.ctx.store.read();
                let objectives = repos.objectives_funded_by(&donor).await?;
                let plans = repos.objectives_by_ids(&objectives).await?.into_iter().map(|o| o.plan_id).collect();
                let f = Funded { objectives: objectives.into_iter().collect(), plans };
                if let Ok(mut m) = self.funded.write() {
                    m.insert(donor, (now, f.clone()));
                }
                f
            }
        };
        Ok(if funded.objectives.is_empty() { who } else { who.funding(funded) })
    }

    async fn check(&self, who: &Principal) -> Result<(), DomainError> {
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
