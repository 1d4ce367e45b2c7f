//! The `orders` table: an order as received (its request and fingerprint), its first answer
//! (what a resend gets) and its current outcome; finding the order a new one is a resend of (by
//! Orange's order id, or by content for an order without one).

use chrono::{DateTime, Utc};

use super::db::{Conn, typed};
use super::sql::{self, Columns, json, text, to_json, ts};
use super::{Store, StoreError};
use crate::domain::{Fingerprint, OrderId, OrderOutcome, OrderState, PlaceOrder};

/// A stored order a new one may be a resend of.
pub(crate) struct Previous {
    pub(crate) fingerprint: String,
    /// The first answer it was given.
    pub(crate) answer: OrderOutcome,
}

impl Store {
    /// The orders answered `acknowledged` and not yet worked, oldest first (to resume after a restart).
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

/// The stored order a new one is a resend of, if any: by Orange's order id, or for an order
/// without one by its content (see [`previous_unreferenced`]).
pub(crate) async fn resend_of(
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
pub(crate) async fn lock_content(
    conn: Conn<'_>,
    fingerprint: &Fingerprint,
) -> Result<(), StoreError> {
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

pub(crate) async fn insert(
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
pub(crate) async fn save_outcome(
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

/// An order's `state`, the order as placed and its outcome so far; `for_update` locks the row
/// (PostgreSQL) inside a write transaction.
pub(crate) async fn work_row(
    conn: Conn<'_>,
    id: &OrderId,
    for_update: bool,
) -> Result<(String, PlaceOrder, OrderOutcome), StoreError> {
    sql::work_row(conn, "orders", "order", id.as_str(), for_update).await
}
