//! Orange's `userService/update`: all or nothing, planned and provisioned before the writer is
//! taken, written in one transaction if the licenses are still as planned, kept for audit; and
//! the asynchronous variant (acknowledge now, process later).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::db::{Conn, typed};
use super::outbox::{NewEvent, enqueue_in};
use super::sql::{self, text, to_json, ts};
use super::{PLAN_ATTEMPTS, Store, StoreError, licenses};
use crate::domain::{
    DomainError, License, LicenseId, UpdateId, UpdateOutcome, UpdateRequest, UpdateState,
    plan_update,
};
use crate::provisioning::{Action, ActionKind};

/// An update planned (and, when it changes something, provisioned) from a read of its licenses.
struct PreparedUpdate {
    outcome: UpdateOutcome,
    /// The licenses as read, for the check that they are unchanged at write time.
    read: Vec<License>,
}

impl Store {
    /// Applies an update: every item or none. A refusal (unknown id, impossible transition,
    /// unknown offer, provisioning) gives a `failed` outcome naming the item, with nothing
    /// changed; a provisioning fault changes nothing and stores nothing. Provisioning runs before
    /// the write transaction; `events` runs on the outcome inside it.
    pub async fn apply_update<F>(
        &self,
        request: &UpdateRequest,
        events: F,
    ) -> Result<UpdateOutcome, StoreError>
    where
        F: FnOnce(&UpdateOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        let update_id = UpdateId::generate();
        for attempt in 0..PLAN_ATTEMPTS {
            let prepared = self.prepare_update(&update_id, request, attempt).await?;
            let mut tx = self.db.begin_write().await?;
            if !write_prepared(tx.conn(), &prepared).await? {
                continue;
            }
            let now = sql::now();
            insert_update(tx.conn(), request, &prepared.outcome, now).await?;
            if let Some(events) = events.take() {
                enqueue_in(
                    tx.conn(),
                    self.event_offer(),
                    &events(&prepared.outcome),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(prepared.outcome);
        }
        Err(StoreError::Conflict(format!(
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
    ) -> Result<UpdateOutcome, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let now = sql::now();
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
        insert_update(tx.conn(), request, &outcome, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Processes an acknowledged update: planned and provisioned outside the write transaction,
    /// written in one. One already processed is answered as it is, with no events.
    pub async fn process_update<F>(
        &self,
        id: &UpdateId,
        events: F,
    ) -> Result<UpdateOutcome, StoreError>
    where
        F: FnOnce(&UpdateOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        for attempt in 0..PLAN_ATTEMPTS {
            let (state, request, current) = {
                let mut reader = self.db.read().await?;
                sql::work_row(reader.conn(), "updates", "update", id.as_str(), false).await?
            };
            if state != UpdateState::Acknowledged.as_str() {
                return Ok(current);
            }
            let prepared = self.prepare_update(id, &request, attempt).await?;
            let mut tx = self.db.begin_write().await?;
            let (state, _, current): (_, UpdateRequest, UpdateOutcome) =
                sql::work_row(tx.conn(), "updates", "update", id.as_str(), true).await?;
            if state != UpdateState::Acknowledged.as_str() {
                return Ok(current);
            }
            if !write_prepared(tx.conn(), &prepared).await? {
                continue;
            }
            let now = sql::now();
            let outcome = prepared.outcome;
            let outcome_json = to_json(&outcome)?;
            typed!(tx.conn(), |conn| {
                sqlx::query(
                    "UPDATE updates SET state = $2, outcome = $3, updated_at = $4 WHERE id = $1",
                )
                .bind(id.as_str().to_owned())
                .bind(outcome.state.as_str())
                .bind(outcome_json)
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
            });
            if let Some(events) = events.take() {
                enqueue_in(tx.conn(), self.event_offer(), &events(&outcome), now).await?;
            }
            tx.commit().await?;
            return Ok(outcome);
        }
        Err(StoreError::Conflict(format!(
            "the licenses of update {id} kept changing while it was processed"
        )))
    }

    /// The updates waiting for `process_update`, oldest first.
    pub async fn pending_updates(&self) -> Result<Vec<UpdateId>, StoreError> {
        let mut reader = self.db.read().await?;
        typed!(reader.conn(), |conn| {
            let rows =
                sqlx::query("SELECT id FROM updates WHERE state = 'acknowledged' ORDER BY id")
                    .fetch_all(&mut *conn)
                    .await?;
            rows.iter()
                .map(|row| Ok(UpdateId::from(text(row, "id")?)))
                .collect()
        })
    }

    /// Reads the named licenses, plans the update and provisions its changes, holding no
    /// database connection while the partner's platform answers. The action's key is stable
    /// across retries of the same plan (`licensesUpdated/update/{id}`); a plan made again after a
    /// concurrent change carries the attempt (`…/{id}/{attempt}`), because its changes differ.
    async fn prepare_update(
        &self,
        update_id: &UpdateId,
        request: &UpdateRequest,
        attempt: usize,
    ) -> Result<PreparedUpdate, StoreError> {
        let ids: Vec<LicenseId> = request.items.iter().map(|i| i.license_id.clone()).collect();
        let found = {
            let mut reader = self.db.read().await?;
            licenses::by_ids(reader.conn(), &ids, false).await?
        };
        let now = sql::now();
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
                Err(fault) if fault.is_fault() => return Err(StoreError::ProvisioningFault(fault)),
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

/// Writes back the licenses a prepared update modifies, if they are still as read; `false` when
/// one changed meanwhile (the caller rolls back and plans again). A failed update writes nothing.
async fn write_prepared(mut conn: Conn<'_>, prepared: &PreparedUpdate) -> Result<bool, StoreError> {
    if prepared.read.is_empty() {
        return Ok(true);
    }
    if !licenses::unchanged(conn.reborrow(), &prepared.read).await? {
        return Ok(false);
    }
    let modified: HashSet<&LicenseId> = prepared.read.iter().map(|l| &l.id).collect();
    let to_write: Vec<&License> = prepared
        .outcome
        .licenses
        .iter()
        .filter(|l| modified.contains(&l.id))
        .collect();
    licenses::write_back(conn, &to_write).await?;
    Ok(true)
}

async fn insert_update(
    conn: Conn<'_>,
    request: &UpdateRequest,
    outcome: &UpdateOutcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (request_json, outcome_json) = (to_json(request)?, to_json(outcome)?);
    typed!(conn, |conn| {
        sqlx::query(
            "INSERT INTO updates (id, state, request, outcome, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(outcome.update_id.as_str().to_owned())
        .bind(outcome.state.as_str())
        .bind(request_json)
        .bind(outcome_json)
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}
