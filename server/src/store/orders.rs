//! Product orders: idempotent placement (replay or conflict by Orange's order id, or by content
//! for an order without one), the work of UC1–UC3 prepared and provisioned before the writer is
//! taken then written in one transaction (see `order_work`), and asynchronous completion.

use chrono::{DateTime, Utc};

use super::db::{Conn, typed};
use super::order_work::{Applied, Prepared, apply};
use super::outbox::{NewEvent, enqueue_in};
use super::sql::{self, Columns, json, text, to_json, ts};
use super::{PLAN_ATTEMPTS, Store, StoreError};
use crate::domain::{Fingerprint, OrderId, OrderOutcome, OrderState, PlaceOrder};

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

/// A previously stored order with the same Orange id.
struct Previous {
    fingerprint: String,
    answer: OrderOutcome,
}

impl Store {
    /// Places an order.
    ///
    /// Same Orange order id and same fingerprint as a stored order: its first answer, nothing
    /// created. Same id, other fingerprint: [`StoreError::OrderConflict`]. Otherwise the order is
    /// stored; synchronously it is also worked (a refusal gives a `failed` outcome with nothing
    /// else stored; a provisioning fault stores nothing), asynchronously it is `acknowledged`.
    /// Provisioning runs before the write transaction; `events` runs on the outcome inside it and
    /// what it returns is enqueued atomically with the order.
    pub async fn place_order<F>(
        &self,
        order: &PlaceOrder,
        processing: Processing,
        events: F,
    ) -> Result<Placed, StoreError>
    where
        F: FnOnce(&OrderOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        for _ in 0..PLAN_ATTEMPTS {
            let now = sql::now();
            // A resend is answered from a read: no provisioning, no writer.
            let previous = {
                let mut reader = self.db.read().await?;
                resend_of(reader.conn(), order, now).await?
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
            let mut tx = self.db.begin_write().await?;
            if order.external_id.is_none() {
                lock_content(tx.conn(), &order.fingerprint).await?;
            }
            if let Some(previous) = resend_of(tx.conn(), order, now).await? {
                drop(tx);
                return replay_or_conflict(order, previous);
            }
            match insert_order(tx.conn(), order, &acknowledged, now).await {
                Err(StoreError::Conflict(_)) if order.external_id.is_some() => continue,
                other => other?,
            }
            let outcome = match prepared {
                None => acknowledged,
                Some(Prepared::Refused(reason)) => {
                    tracing::info!(order.id = %acknowledged.order_id, %reason, "order failed");
                    acknowledged.failed(reason, now)
                }
                Some(Prepared::Work(work)) => match apply(tx.conn(), &work, order, now).await? {
                    Applied::Written => work.outcome,
                    Applied::Stale => continue,
                },
            };
            save_outcome(tx.conn(), &outcome, true).await?;
            if let Some(events) = events.take() {
                enqueue_in(tx.conn(), self.event_offer(), &events(&outcome), now).await?;
            }
            tx.commit().await?;
            return Ok(Placed {
                outcome,
                replayed: false,
            });
        }
        Err(StoreError::Conflict(format!(
            "order {} is being placed concurrently",
            order.external_id.as_deref().unwrap_or_default()
        )))
    }

    /// Does the work of an `acknowledged` order (asynchronous mode): prepared and provisioned
    /// outside the write transaction, then written in one. An order already completed or failed
    /// is answered as it is, with no events. `events` sees the order as placed (with what the
    /// caller sent) and its outcome.
    pub async fn complete_order<F>(
        &self,
        id: &OrderId,
        events: F,
    ) -> Result<OrderOutcome, StoreError>
    where
        F: FnOnce(&PlaceOrder, &OrderOutcome) -> Vec<NewEvent> + Send,
    {
        let mut events = Some(events);
        for _ in 0..PLAN_ATTEMPTS {
            let (state, order, current) = {
                let mut reader = self.db.read().await?;
                sql::work_row(reader.conn(), "orders", "order", id.as_str(), false).await?
            };
            if state != OrderState::Acknowledged.as_str() {
                return Ok(current);
            }
            let now = sql::now();
            let prepared = self.prepare_order(&order, current.clone(), now).await?;
            let mut tx = self.db.begin_write().await?;
            let (state, _, current): (_, PlaceOrder, OrderOutcome) =
                sql::work_row(tx.conn(), "orders", "order", id.as_str(), true).await?;
            if state != OrderState::Acknowledged.as_str() {
                return Ok(current);
            }
            let outcome = match prepared {
                Prepared::Refused(reason) => {
                    tracing::info!(order.id = %id, %reason, "order failed");
                    current.failed(reason, now)
                }
                Prepared::Work(work) => match apply(tx.conn(), &work, &order, now).await? {
                    Applied::Written => work.outcome,
                    Applied::Stale => continue,
                },
            };
            save_outcome(tx.conn(), &outcome, false).await?;
            if let Some(events) = events.take() {
                enqueue_in(
                    tx.conn(),
                    self.event_offer(),
                    &events(&order, &outcome),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(outcome);
        }
        Err(StoreError::Conflict(format!(
            "order {id} kept changing while it was worked"
        )))
    }

    /// The orders waiting for `complete_order`, oldest first (to resume after a restart).
    pub async fn pending_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        let mut reader = self.db.read().await?;
        typed!(reader.conn(), |conn| {
            let rows =
                sqlx::query("SELECT id FROM orders WHERE state = 'acknowledged' ORDER BY id")
                    .fetch_all(&mut *conn)
                    .await?;
            rows.iter()
                .map(|row| Ok(OrderId::from(text(row, "id")?)))
                .collect()
        })
    }

    /// An order's current outcome.
    pub async fn order(&self, id: &OrderId) -> Result<Option<OrderOutcome>, StoreError> {
        let mut reader = self.db.read().await?;
        typed!(reader.conn(), |conn| {
            let row = sqlx::query("SELECT outcome FROM orders WHERE id = $1")
                .bind(id.as_str().to_owned())
                .fetch_optional(&mut *conn)
                .await?;
            row.as_ref().map(|row| json(row, "outcome")).transpose()
        })
    }
}

fn replay_or_conflict(order: &PlaceOrder, previous: Previous) -> Result<Placed, StoreError> {
    if previous.fingerprint == order.fingerprint.as_str() {
        Ok(Placed {
            outcome: previous.answer,
            replayed: true,
        })
    } else {
        Err(StoreError::OrderConflict {
            external_id: order.external_id.clone().unwrap_or_default(),
        })
    }
}

/// The stored order a new one is a resend of, if any: by Orange's order id, or for an order
/// without one by its content (see [`previous_unreferenced`]).
async fn resend_of(
    conn: Conn<'_>,
    order: &PlaceOrder,
    now: DateTime<Utc>,
) -> Result<Option<Previous>, StoreError> {
    match &order.external_id {
        Some(external_id) => previous_order(conn, external_id).await,
        None => previous_unreferenced(conn, &order.fingerprint, now).await,
    }
}

async fn previous_order(conn: Conn<'_>, external_id: &str) -> Result<Option<Previous>, StoreError> {
    typed!(conn, |conn| {
        let row = sqlx::query("SELECT fingerprint, answer FROM orders WHERE external_id = $1")
            .bind(external_id.to_owned())
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(previous_from_row).transpose()
    })
}

fn previous_from_row(row: &impl Columns) -> Result<Previous, StoreError> {
    Ok(Previous {
        fingerprint: text(row, "fingerprint")?,
        answer: json(row, "answer")?,
    })
}

/// How long an order without Orange's order id answers a resend of the same content with its
/// first answer (see [`previous_unreferenced`]).
const UNREFERENCED_REPLAY_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// On PostgreSQL, serializes the write transactions of orders without Orange's order id and
/// with the same content (a transaction-scoped advisory lock), so two concurrent resends cannot
/// both miss each other in [`previous_unreferenced`]; SQLite has one writer already.
async fn lock_content(conn: Conn<'_>, fingerprint: &Fingerprint) -> Result<(), StoreError> {
    if let Conn::Postgres(conn) = conn {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
            .bind(advisory_key(fingerprint))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The order without Orange's order id placed with the same business content (fingerprint)
/// within [`UNREFERENCED_REPLAY_WINDOW`], if any: its key is the content itself, so a resend
/// after a timeout creates nothing twice.
async fn previous_unreferenced(
    conn: Conn<'_>,
    fingerprint: &Fingerprint,
    now: DateTime<Utc>,
) -> Result<Option<Previous>, StoreError> {
    typed!(conn, |conn| {
        let row = sqlx::query(
            "SELECT fingerprint, answer FROM orders \
             WHERE external_id IS NULL AND fingerprint = $1 AND created_at >= $2 \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(fingerprint.as_str().to_owned())
        .bind(ts(now - UNREFERENCED_REPLAY_WINDOW))
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(previous_from_row).transpose()
    })
}

/// The first 64 bits of a fingerprint (hex SHA-256), as PostgreSQL's advisory lock key.
fn advisory_key(fingerprint: &Fingerprint) -> i64 {
    let hex = fingerprint.as_str().get(..16).unwrap_or_default();
    u64::from_str_radix(hex, 16).map_or(0, |key| i64::from_ne_bytes(key.to_ne_bytes()))
}

async fn insert_order(
    conn: Conn<'_>,
    order: &PlaceOrder,
    acknowledged: &OrderOutcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let request = to_json(order)?;
    let answer = to_json(acknowledged)?;
    typed!(conn, |conn| {
        sqlx::query(
            "INSERT INTO orders (id, external_id, fingerprint, state, request, answer, outcome, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7)",
        )
        .bind(acknowledged.order_id.as_str().to_owned())
        .bind(order.external_id.clone())
        .bind(order.fingerprint.as_str().to_owned())
        .bind(OrderState::Acknowledged.as_str())
        .bind(request)
        .bind(answer)
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Records an order's outcome; `first_answer` also makes it what replays get.
async fn save_outcome(
    conn: Conn<'_>,
    outcome: &OrderOutcome,
    first_answer: bool,
) -> Result<(), StoreError> {
    let statement = if first_answer {
        "UPDATE orders SET state = $2, outcome = $3, answer = $3, updated_at = $4 WHERE id = $1"
    } else {
        "UPDATE orders SET state = $2, outcome = $3, updated_at = $4 WHERE id = $1"
    };
    let outcome_json = to_json(outcome)?;
    typed!(conn, |conn| {
        sqlx::query(statement)
            .bind(outcome.order_id.as_str().to_owned())
            .bind(outcome.state.as_str())
            .bind(outcome_json)
            .bind(ts(outcome.completion_date.unwrap_or(outcome.order_date)))
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}
