//! Orange's `userService/update` (contract §5): all or nothing, planned and provisioned before
//! the writer is taken, written in one transaction if the licenses are still as planned, kept
//! for audit; or acknowledged now and processed later (see `async_work`).

use std::collections::HashSet;

use super::{PLAN_ATTEMPTS, UseCaseError, UseCases};
use crate::domain::{
    DomainError, License, LicenseId, UpdateId, UpdateOutcome, UpdateRequest, UpdateState,
    plan_update,
};
use crate::provisioning::{Action, ActionKind};
use crate::store::{self, Conn, NewEvent, StoreError, licenses, outbox, updates};

/// An update planned (and, when it changes something, provisioned) from a read of its licenses.
pub(super) struct PreparedUpdate {
    pub(super) outcome: UpdateOutcome,
    /// The licenses as read, for the check that they are unchanged at write time.
    read: Vec<License>,
}

impl UseCases {
    /// Applies an update: every item or none. A refusal (unknown id, impossible transition,
    /// unknown offer, provisioning) gives a `failed` outcome naming the item, with nothing
    /// changed; a provisioning fault changes nothing and stores nothing. Provisioning runs before
    /// the write transaction; `events` runs on the outcome inside it.
    pub async fn apply_update<F>(
        &self,
        request: &UpdateRequest,
        events: F,
    ) -> Result<UpdateOutcome, UseCaseError>
    where
        F: FnOnce(&UpdateOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        let update_id = UpdateId::generate();
        for attempt in 0..PLAN_ATTEMPTS {
            let prepared = self.prepare_update(&update_id, request, attempt).await?;
            let mut tx = self.store.begin_write().await?;
            if !prepared.write(tx.conn()).await? {
                continue;
            }
            let now = store::now();
            updates::insert(tx.conn(), request, &prepared.outcome, now).await?;
            if let Some(events) = events.take() {
                outbox::enqueue_in(
                    tx.conn(),
                    self.store.event_offer(),
                    &events(&prepared.outcome),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(prepared.outcome);
        }
        Err(UseCaseError::Contended(format!(
            "the licenses of update {update_id} kept changing while it was applied"
        )))
    }

    /// Stores an update to process later (asynchronous mode) and answers `acknowledged`.
    ///
    /// An update naming a license the store never knew is answered `failed` at once instead:
    /// its event could not name that license as a license (Orange's event carries licenses),
    /// and nothing later can make it succeed. Deleted licenses are known: reactivating one is
    /// acknowledged and fails in its event, which shows it.
    pub async fn acknowledge_update(
        &self,
        request: &UpdateRequest,
    ) -> Result<UpdateOutcome, UseCaseError> {
        let mut tx = self.store.begin_write().await?;
        let now = store::now();
        let update_id = UpdateId::generate();
        let ids: Vec<LicenseId> = request.items.iter().map(|i| i.license_id.clone()).collect();
        let found = licenses::by_ids(tx.conn(), &ids, false).await?;
        let known: HashSet<&LicenseId> = found.iter().map(|license| &license.id).collect();
        let unknown = ids.iter().find(|id| !known.contains(id)).cloned();
        let outcome = match unknown {
            Some(id) => UpdateOutcome {
                update_id,
                state: UpdateState::Failed,
                licenses: found,
                changes: Vec::new(),
                reason: Some(DomainError::UnknownLicense(id).to_string()),
            },
            None => UpdateOutcome {
                update_id,
                state: UpdateState::Acknowledged,
                licenses: Vec::new(),
                changes: Vec::new(),
                reason: None,
            },
        };
        updates::insert(tx.conn(), request, &outcome, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Reads the named licenses, plans the update and provisions its changes, holding no
    /// database connection while the partner's platform answers. The action's key is stable
    /// across retries of the same plan (`licensesUpdated/update/{id}`); a plan made again after a
    /// concurrent change carries the attempt (`…/{id}/{attempt}`), because its changes differ.
    pub(super) async fn prepare_update(
        &self,
        update_id: &UpdateId,
        request: &UpdateRequest,
        attempt: usize,
    ) -> Result<PreparedUpdate, UseCaseError> {
        let ids: Vec<LicenseId> = request.items.iter().map(|i| i.license_id.clone()).collect();
        let found = {
            let mut reader = self.store.read().await?;
            licenses::by_ids(reader.conn(), &ids, false).await?
        };
        let now = store::now();
        let failed = |licenses, reason: String| {
            tracing::info!(update.id = %update_id, %reason, "update failed");
            UpdateOutcome {
                update_id: update_id.clone(),
                state: UpdateState::Failed,
                licenses,
                changes: Vec::new(),
                reason: Some(reason),
            }
        };
        let plan = match plan_update(found.clone(), request, &self.catalogue, now) {
            Ok(plan) => plan,
            Err(refusal) => {
                return Ok(PreparedUpdate {
                    outcome: failed(found, refusal.to_string()),
                    read: Vec::new(),
                });
            }
        };
        if !plan.changes.is_empty() {
            let key = match attempt {
                0 => format!("licensesUpdated/update/{update_id}"),
                n => format!("licensesUpdated/update/{update_id}/{n}"),
            };
            let action = Action::keyed(
                &key,
                ActionKind::LicensesUpdated {
                    update_id: update_id.clone(),
                    changes: plan.changes.clone(),
                },
            );
            match self.provisioner.provision(&action).await {
                Ok(()) => {}
                Err(fault) if fault.is_fault() => {
                    return Err(UseCaseError::ProvisioningFault(fault));
                }
                Err(refusal) => {
                    return Ok(PreparedUpdate {
                        outcome: failed(found, refusal.to_string()),
                        read: Vec::new(),
                    });
                }
            }
        }
        let modified_ids: HashSet<&LicenseId> = plan.modified.iter().collect();
        let read = found
            .into_iter()
            .filter(|l| modified_ids.contains(&l.id))
            .collect();
        Ok(PreparedUpdate {
            outcome: UpdateOutcome {
                update_id: update_id.clone(),
                state: UpdateState::Completed,
                licenses: plan.licenses,
                changes: plan.changes,
                reason: None,
            },
            read,
        })
    }
}

impl PreparedUpdate {
    /// Writes back the licenses the update modifies, if they are still as read; `false` when one
    /// changed meanwhile (the caller rolls back and plans again). A failed update writes nothing.
    pub(super) async fn write(&self, mut conn: Conn<'_>) -> Result<bool, StoreError> {
        if self.read.is_empty() {
            return Ok(true);
        }
        if !licenses::unchanged(conn.reborrow(), &self.read).await? {
            return Ok(false);
        }
        let modified: HashSet<&LicenseId> = self.read.iter().map(|l| &l.id).collect();
        let to_write: Vec<&License> = self
            .outcome
            .licenses
            .iter()
            .filter(|l| modified.contains(&l.id))
            .collect();
        licenses::write_back(conn, &to_write).await?;
        Ok(true)
    }
}
