//! Orange's `userService/update`: all or nothing, provisioning before commit, kept for audit, and
//! the asynchronous variant (acknowledge now, process later).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;

use super::outbox::{NewEvent, enqueue_in};
use super::sql::{self, json, text, to_json, ts};
use super::{Store, StoreError, licenses};
use crate::domain::{
    DomainError, LicenseId, UpdateId, UpdateOutcome, UpdateRequest, UpdateState, plan_update,
};
use crate::provisioning::{Action, ActionKind};

impl Store {
    /// Applies an update in one transaction: every item or none. A refusal (unknown id,
    /// impossible transition, unknown offer, provisioning) gives a `failed` outcome naming the
    /// item, with nothing changed. `events` runs on the outcome inside the transaction.
    pub async fn apply_update<F>(
        &self,
        request: &UpdateRequest,
        events: F,
    ) -> Result<UpdateOutcome, StoreError>
    where
        F: FnOnce(&UpdateOutcome) -> Vec<NewEvent> + Send,
    {
        let mut tx = self.db.begin_write().await?;
        let now = sql::now();
        let update_id = UpdateId::generate();
        let outcome = self.run_update(tx.conn(), update_id, request, now).await?;
        insert_update(tx.conn(), request, &outcome, now).await?;
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
        let found = licenses::by_ids(tx.conn(), self.db.backend, &ids, false).await?;
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

    /// Processes an acknowledged update in one transaction. One already processed is answered as
    /// it is, with no events.
    pub async fn process_update<F>(
        &self,
        id: &UpdateId,
        events: F,
    ) -> Result<UpdateOutcome, StoreError>
    where
        F: FnOnce(&UpdateOutcome) -> Vec<NewEvent> + Send,
    {
        let mut tx = self.db.begin_write().await?;
        let statement = format!(
            "SELECT state, request, outcome FROM updates WHERE id = $1{}",
            self.db.backend.for_update("updates")
        );
        let row = sqlx::query(AssertSqlSafe(statement))
            .bind(id.as_str().to_owned())
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "update",
                id: id.to_string(),
            })?;
        if text(&row, "state")? != UpdateState::Acknowledged.as_str() {
            return json(&row, "outcome");
        }
        let request: UpdateRequest = json(&row, "request")?;
        let now = sql::now();
        let outcome = self
            .run_update(tx.conn(), id.clone(), &request, now)
            .await?;
        sqlx::query("UPDATE updates SET state = $2, outcome = $3, updated_at = $4 WHERE id = $1")
            .bind(id.as_str().to_owned())
            .bind(outcome.state.as_str())
            .bind(to_json(&outcome)?)
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
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

    /// The updates waiting for `process_update`, oldest first.
    pub async fn pending_updates(&self) -> Result<Vec<UpdateId>, StoreError> {
        let rows = sqlx::query("SELECT id FROM updates WHERE state = 'acknowledged' ORDER BY id")
            .fetch_all(self.db.reader())
            .await?;
        rows.iter()
            .map(|row| Ok(UpdateId::from(text(row, "id")?)))
            .collect()
    }

    /// Plans, provisions and writes an update; nothing is written unless everything is accepted.
    async fn run_update(
        &self,
        conn: &mut AnyConnection,
        update_id: UpdateId,
        request: &UpdateRequest,
        now: DateTime<Utc>,
    ) -> Result<UpdateOutcome, StoreError> {
        let ids: Vec<LicenseId> = request.items.iter().map(|i| i.license_id.clone()).collect();
        let found = licenses::by_ids(&mut *conn, self.db.backend, &ids, false).await?;
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
            Err(refusal) => return Ok(failed(found, refusal.to_string())),
        };
        if !plan.changes.is_empty() {
            let action = Action::keyed(
                &format!("licensesUpdated/update/{update_id}"),
                ActionKind::LicensesUpdated {
                    update_id: update_id.clone(),
                    changes: plan.changes.clone(),
                },
            );
            match self.provisioner.provision(&action).await {
                Ok(()) => {}
                Err(fault) if fault.is_fault() => return Err(StoreError::ProvisioningFault(fault)),
                Err(refusal) => return Ok(failed(found, refusal.to_string())),
            }
        }
        let modified_ids: HashSet<&LicenseId> = plan.modified.iter().collect();
        let modified: Vec<_> = plan
            .licenses
            .iter()
            .filter(|l| modified_ids.contains(&l.id))
            .collect();
        licenses::write_back(&mut *conn, self.db.backend, &modified).await?;
        Ok(UpdateOutcome {
            update_id,
            state: UpdateState::Completed,
            licenses: plan.licenses,
            changes: plan.changes,
            reason: None,
        })
    }
}

async fn insert_update(
    conn: &mut AnyConnection,
    request: &UpdateRequest,
    outcome: &UpdateOutcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO updates (id, state, request, outcome, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(outcome.update_id.as_str().to_owned())
    .bind(outcome.state.as_str())
    .bind(to_json(request)?)
    .bind(to_json(outcome)?)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
