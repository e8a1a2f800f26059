//! The audit trail: who changed what, when, with the object before and after. Admins read all
//! of it; people of an administration read their administration's.

use crate::{
    DomainError,
    audit::{AuditFilter, AuditRecord},
    page::{Page, PageRequest},
    principal::{Principal, Role},
};

use super::Ctx;

#[derive(Clone)]
pub struct AuditService {
    pub(crate) ctx: Ctx,
}

impl AuditService {
    /// Audit entries, newest first. For callers other than admins the administration is their
    /// own: naming another one is refused.
    ///
    /// # Errors
    /// [`DomainError::Forbidden`] for donors, and for naming another administration.
    pub async fn list(&self, who: &Principal, filter: &AuditFilter, page: &PageRequest<i64>) -> Result<Page<AuditRecord, i64>, DomainError> {
        let mut filter = filter.clone();
        match who.role() {
            Role::Admin => {}
            Role::Donor => return Err(DomainError::Forbidden("donors do not read the audit trail".into())),
            Role::Anonymous => return Err(DomainError::Unauthenticated("the audit trail needs a token".into())),
            Role::Planner | Role::Viewer | Role::Integration => match (filter.administration, who.administration()) {
                (Some(asked), Some(own)) if asked != own => {
                    return Err(DomainError::Forbidden("you may only read your own administration's audit trail".into()));
                }
                (_, own) => filter.administration = own,
            },
        }
        let rows = self.ctx.store.read().list_audit(&filter, page).await?;
        Ok(page.page(rows, |r| r.id))
    }
}
