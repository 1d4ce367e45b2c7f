//! UC5: partner-initiated changes to one license, provisioned before commit, with their event
//! enqueued in the same transaction.

use super::outbox::{NewEvent, enqueue_in};
use super::sql;
use super::{Store, StoreError, licenses};
use crate::domain::{DomainError, LicenseChanged, LicenseId, PartnerChange, apply_partner_change};
use crate::provisioning::{Action, ActionKind};

impl Store {
    /// Applies a partner change to a visible license in one transaction. Refusals
    /// ([`StoreError::Refused`], [`StoreError::Provisioning`]) change nothing. `events` runs on
    /// the outcome inside the transaction (typically the `updateNotification` for Orange).
    pub async fn change_license<F>(
        &self,
        id: &LicenseId,
        change: &PartnerChange,
        events: F,
    ) -> Result<LicenseChanged, StoreError>
    where
        F: FnOnce(&LicenseChanged) -> Vec<NewEvent> + Send,
    {
        let mut tx = self.db.begin_write().await?;
        let mut license =
            licenses::by_ids(tx.conn(), self.db.backend, std::slice::from_ref(id), false)
                .await?
                .into_iter()
                .next()
                .filter(|l| !l.is_terminated())
                .ok_or_else(|| DomainError::UnknownLicense(id.clone()))?;
        let now = sql::now();
        let applied = apply_partner_change(&mut license, change, now)?;
        let action = Action::new(ActionKind::LicenseChanged {
            license_id: license.id.clone(),
            fleet_id: license.fleet_id.clone(),
            change: applied.clone(),
            license: Box::new(license.clone()),
        });
        self.provisioner.provision(&action).await?;
        licenses::write_back(tx.conn(), self.db.backend, &[&license]).await?;
        let outcome = LicenseChanged {
            license,
            change: applied,
        };
        enqueue_in(
            tx.conn(),
            self.db.backend,
            self.event_offer(),
            &events(&outcome),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}
