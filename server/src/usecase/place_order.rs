//! Placing an order (UC1–UC3, contract §4): idempotent by Orange's order id (a resend with the
//! same content gets the first answer, another content a conflict), or by content for an order
//! without one; worked at once (synchronous) or acknowledged for the asynchronous work.

use super::{PLAN_ATTEMPTS, UseCaseError, UseCases};
use crate::domain::{OrderId, OrderOutcome, PlaceOrder};
use crate::store::{self, NewEvent, orders, outbox};

/// When the work of an order (or update) is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// In the request: the answer is `completed` or `failed`.
    Synchronous,
    /// Later: the answer is `acknowledged`; `complete_order` / `process_update` do the work.
    Asynchronous,
}

/// The result of placing an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub outcome: OrderOutcome,
    /// The order was already received with the same content: `outcome` is the first answer and
    /// nothing was created or enqueued.
    pub replayed: bool,
}

impl UseCases {
    /// Places an order.
    ///
    /// Same Orange order id and same fingerprint as a stored order: its first answer, nothing
    /// created. Same id, other fingerprint: [`UseCaseError::OrderConflict`]. Otherwise the order
    /// is stored; synchronously it is also worked (a refusal gives a `failed` outcome with nothing
    /// else stored; a provisioning fault stores nothing), asynchronously it is `acknowledged`.
    /// Provisioning runs before the write transaction; `events` runs on the outcome inside it and
    /// what it returns is enqueued atomically with the order.
    pub async fn place_order<F>(
        &self,
        order: &PlaceOrder,
        processing: Processing,
        events: F,
    ) -> Result<Placed, UseCaseError>
    where
        F: FnOnce(&OrderOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        for _ in 0..PLAN_ATTEMPTS {
            let now = store::now();
            // A resend is answered from a read: no provisioning, no writer.
            let previous = {
                let mut reader = self.store.read().await?;
                orders::resend_of(reader.conn(), order, now).await?
            };
            if let Some(previous) = previous {
                return replay_or_conflict(order, previous);
            }
            let acknowledged = OrderOutcome::acknowledged(order, OrderId::generate(), now);
            let prepared = match processing {
                Processing::Asynchronous => None,
                Processing::Synchronous => {
                    Some(self.prepare_order(order, acknowledged.clone(), now).await?)
                }
            };
            let mut tx = self.store.begin_write().await?;
            if order.external_id.is_none() {
                orders::lock_content(tx.conn(), &order.fingerprint).await?;
            }
            if let Some(previous) = orders::resend_of(tx.conn(), order, now).await? {
                drop(tx);
                return replay_or_conflict(order, previous);
            }
            match orders::insert(tx.conn(), order, &acknowledged, now).await {
                // Orange's order id was taken meanwhile: the next attempt finds it a resend.
                Err(store::StoreError::Conflict(_)) if order.external_id.is_some() => continue,
                other => other?,
            }
            let outcome = match prepared {
                None => acknowledged,
                Some(prepared) => {
                    match prepared.write(tx.conn(), order, acknowledged, now).await? {
                        Some(outcome) => outcome,
                        None => continue,
                    }
                }
            };
            orders::save_outcome(tx.conn(), &outcome, true).await?;
            if let Some(events) = events.take() {
                outbox::enqueue_in(tx.conn(), self.store.event_offer(), &events(&outcome), now)
                    .await?;
            }
            tx.commit().await?;
            return Ok(Placed {
                outcome,
                replayed: false,
            });
        }
        Err(UseCaseError::Contended(format!(
            "order {} is being placed concurrently",
            order.external_id.as_deref().unwrap_or_default()
        )))
    }
}

fn replay_or_conflict(
    order: &PlaceOrder,
    previous: orders::Previous,
) -> Result<Placed, UseCaseError> {
    if previous.fingerprint == order.fingerprint.as_str() {
        Ok(Placed {
            outcome: previous.answer,
            replayed: true,
        })
    } else {
        Err(UseCaseError::OrderConflict {
            external_id: order.external_id.clone().unwrap_or_default(),
        })
    }
}
