//! The asynchronous work (contract §4, "Sync or async"): an order or update answered
//! `acknowledged` is worked later, planned and provisioned outside the write transaction, then
//! written in one with the events announcing its result. Work already done is answered as it
//! is, with no events, so a retry after a crash or a concurrent worker does nothing twice.

use super::{PLAN_ATTEMPTS, UseCaseError, UseCases};
use crate::domain::{
    OrderId, OrderOutcome, OrderState, PlaceOrder, UpdateId, UpdateOutcome, UpdateState,
};
use crate::store::{self, NewEvent, orders, outbox, updates};

impl UseCases {
    /// Does the work of an `acknowledged` order. An order already completed or failed is
    /// answered as it is, with no events. `events` sees the order as placed (with what the
    /// caller sent) and its outcome.
    pub async fn complete_order<F>(
        &self,
        id: &OrderId,
        events: F,
    ) -> Result<OrderOutcome, UseCaseError>
    where
        F: FnOnce(&PlaceOrder, &OrderOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        for _ in 0..PLAN_ATTEMPTS {
            let (state, order, current) = {
                let mut reader = self.store.read().await?;
                orders::work_row(reader.conn(), id, false).await?
            };
            if state != OrderState::Acknowledged.as_str() {
                return Ok(current);
            }
            let now = store::now();
            let prepared = self.prepare_order(&order, current.clone(), now).await?;
            let mut tx = self.store.begin_write().await?;
            let (state, _, current) = orders::work_row(tx.conn(), id, true).await?;
            if state != OrderState::Acknowledged.as_str() {
                return Ok(current);
            }
            let Some(outcome) = prepared.write(tx.conn(), &order, current, now).await? else {
                continue;
            };
            orders::save_outcome(tx.conn(), &outcome, false).await?;
            if let Some(events) = events.take() {
                let events = events(&order, &outcome);
                outbox::enqueue_in(tx.conn(), self.store.event_offer(), &events, now).await?;
            }
            tx.commit().await?;
            return Ok(outcome);
        }
        Err(UseCaseError::Contended(format!(
            "order {id} kept changing while it was worked"
        )))
    }

    /// Processes an acknowledged update. One already processed is answered as it is, with no
    /// events.
    pub async fn process_update<F>(
        &self,
        id: &UpdateId,
        events: F,
    ) -> Result<UpdateOutcome, UseCaseError>
    where
        F: FnOnce(&UpdateOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        for attempt in 0..PLAN_ATTEMPTS {
            let (state, request, current) = {
                let mut reader = self.store.read().await?;
                updates::work_row(reader.conn(), id, false).await?
            };
            if state != UpdateState::Acknowledged.as_str() {
                return Ok(current);
            }
            let prepared = self.prepare_update(id, &request, attempt).await?;
            let mut tx = self.store.begin_write().await?;
            let (state, _, current) = updates::work_row(tx.conn(), id, true).await?;
            if state != UpdateState::Acknowledged.as_str() {
                return Ok(current);
            }
            if !prepared.write(tx.conn()).await? {
                continue;
            }
            let now = store::now();
            let outcome = prepared.outcome;
            updates::save_outcome(tx.conn(), &outcome, now).await?;
            if let Some(events) = events.take() {
                outbox::enqueue_in(tx.conn(), self.store.event_offer(), &events(&outcome), now)
                    .await?;
            }
            tx.commit().await?;
            return Ok(outcome);
        }
        Err(UseCaseError::Contended(format!(
            "the licenses of update {id} kept changing while it was processed"
        )))
    }
}
