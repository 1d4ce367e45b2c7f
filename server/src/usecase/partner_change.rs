//! UC5: a change the partner initiates on one license, provisioned before the writer is taken,
//! then written with its event in one transaction if the license is still as it was read.

use super::{PLAN_ATTEMPTS, UseCaseError, UseCases};
use crate::domain::{DomainError, LicenseChanged, LicenseId, PartnerChange, apply_partner_change};
use crate::provisioning::{Action, ActionKind};
use crate::store::{self, NewEvent, licenses, outbox};

impl UseCases {
    /// Applies a partner change to a visible license. Refusals ([`UseCaseError::Refused`],
    /// [`UseCaseError::Provisioning`]) change nothing. `events` runs on the outcome inside the
    /// write transaction (typically the `updateNotification` for Orange).
    pub async fn change_license<F>(
        &self,
        id: &LicenseId,
        change: &PartnerChange,
        events: F,
    ) -> Result<LicenseChanged, UseCaseError>
    where
        F: FnOnce(&LicenseChanged) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        for _ in 0..PLAN_ATTEMPTS {
            let read = {
                let mut reader = self.store.read().await?;
                licenses::by_ids(reader.conn(), std::slice::from_ref(id), false).await?
            };
            let mut license = read
                .first()
                .filter(|l| !l.is_terminated())
                .cloned()
                .ok_or_else(|| DomainError::UnknownLicense(id.clone()))?;
            let now = store::now();
            let applied = apply_partner_change(&mut license, change, now)?;
            let action = Action::new(ActionKind::LicenseChanged {
                license_id: license.id.clone(),
                fleet_id: license.fleet_id.clone(),
                change: applied.clone(),
                license: Box::new(license.clone()),
            });
            self.provisioner.provision(&action).await?;
            let mut tx = self.store.begin_write().await?;
            if !licenses::unchanged(tx.conn(), &read).await? {
                continue;
            }
            licenses::write_back(tx.conn(), &[&license]).await?;
            let outcome = LicenseChanged {
                license,
                change: applied,
            };
            if let Some(events) = events.take() {
                outbox::enqueue_in(tx.conn(), self.store.event_offer(), &events(&outcome), now)
                    .await?;
            }
            tx.commit().await?;
            return Ok(outcome);
        }
        Err(UseCaseError::Contended(format!(
            "license {id} kept changing while the change was applied"
        )))
    }
}
