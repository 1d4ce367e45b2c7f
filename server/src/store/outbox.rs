//! The transactional outbox: events written in the same transaction as the change that causes
//! them, and what a dispatcher needs to deliver them at least once (claim with a lease,
//! delivered, rescheduled, parked as dead, replayed).
//!
//! Payloads are JSON text the store never looks into. A claim is a lease (`locked_until`): a
//! claimed event is not handed out again until the lease runs out, so a dispatcher that dies
//! loses nothing. On PostgreSQL claims use `FOR UPDATE SKIP LOCKED`, so several server instances
//! share one outbox without waiting on each other.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use super::db::{Backend, Conn, typed};
use super::sql::{self, Columns, ROWS_PER_STATEMENT, opt_text, text, time, ts, values_list};
use super::{Store, StoreError};

/// An event to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// Stable across retries; receivers deduplicate on it.
    pub id: String,
    /// What the dispatcher does with it (for example `productOrder.completed`).
    pub kind: String,
    /// What the event is about (an order id, a fleet id…), for logs and ordering.
    pub key: String,
    pub payload: serde_json::Value,
    /// Why the payload is not what the receiver's spec allows, when whoever built it found so.
    /// Enqueuing such an event fails the whole transaction ([`StoreError::InvalidEvent`]): a
    /// body Orange would refuse is a bug to catch at once, never a dead letter later.
    pub invalid: Option<String>,
}

impl NewEvent {
    /// An event with a fresh id.
    pub fn new(
        kind: impl Into<String>,
        key: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        Self::with_id(new_event_id(), kind, key, payload)
    }

    /// An event whose id the caller made (so the payload can carry it).
    pub fn with_id(
        id: impl Into<String>,
        kind: impl Into<String>,
        key: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            id: id.into(),
            kind: kind.into(),
            key: key.into(),
            payload,
            invalid: None,
        }
    }

    /// The same event, marked as not matching its spec for `reason`.
    pub fn invalid_because(mut self, reason: impl Into<String>) -> Self {
        self.invalid = Some(reason.into());
        self
    }
}

/// A fresh event id (UUID v7).
pub fn new_event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The `events` argument for use cases that enqueue nothing.
pub fn no_events<T>(_: &T) -> Vec<NewEvent> {
    Vec::new()
}

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for delivery (claimed or not).
    Pending,
    Delivered,
    /// Given up; waits for a replay.
    Dead,
}

impl OutboxState {
    fn parse(value: &str) -> Result<Self, StoreError> {
        match value {
            "pending" => Ok(Self::Pending),
            "delivered" => Ok(Self::Delivered),
            "dead" => Ok(Self::Dead),
            other => Err(StoreError::Corrupt(format!("outbox state {other:?}"))),
        }
    }
}

/// A stored event, as a dispatcher sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    pub id: String,
    pub kind: String,
    pub key: String,
    /// The JSON text as enqueued.
    pub payload: String,
    pub state: OutboxState,
    /// Failed attempts so far.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// The Orange offer (`mba2`, `mba2-beta`) it was queued for; `None`: the dispatcher's own.
    pub offer: Option<String>,
}

const EVENT_COLUMNS: &str = "seq, id, kind, aggregate_key, payload, state, attempts, created_at, \
     next_attempt_at, last_error, offer";

fn from_row(row: &impl Columns) -> Result<OutboxEvent, StoreError> {
    let attempts = row.int32("attempts")?;
    Ok(OutboxEvent {
        id: text(row, "id")?,
        kind: text(row, "kind")?,
        key: text(row, "aggregate_key")?,
        payload: text(row, "payload")?,
        state: OutboxState::parse(&text(row, "state")?)?,
        attempts: u32::try_from(attempts)
            .map_err(|_| StoreError::Corrupt(format!("outbox attempts {attempts}")))?,
        created_at: time(row, "created_at")?,
        next_attempt_at: time(row, "next_attempt_at")?,
        last_error: opt_text(row, "last_error")?,
        offer: opt_text(row, "offer")?,
    })
}

fn sorted(rows: &[impl Columns]) -> Result<Vec<OutboxEvent>, StoreError> {
    let mut events = rows
        .iter()
        .map(|row| Ok((row.int("seq")?, from_row(row)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    events.sort_by_key(|(seq, _)| *seq);
    Ok(events.into_iter().map(|(_, event)| event).collect())
}

/// Inserts events inside the caller's transaction; they are due at once.
pub(crate) async fn enqueue_in(
    mut conn: Conn<'_>,
    offer: Option<&str>,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    const COLUMNS: usize = 8;
    if let Some(event) = events.iter().find(|event| event.invalid.is_some()) {
        return Err(StoreError::InvalidEvent {
            kind: event.kind.clone(),
            key: event.key.clone(),
            reason: event.invalid.clone().unwrap_or_default(),
        });
    }
    let now = ts(now);
    let backend = conn.backend();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let statement = format!(
            "INSERT INTO outbox (id, kind, aggregate_key, payload, state, next_attempt_at, created_at, offer) \
             VALUES {}",
            values_list(backend, chunk.len(), COLUMNS)
        );
        typed!(conn.reborrow(), |conn| {
            let mut query = sqlx::query(AssertSqlSafe(statement));
            for event in chunk {
                query = query
                    .bind(event.id.clone())
                    .bind(event.kind.clone())
                    .bind(event.key.clone())
                    .bind(event.payload.to_string())
                    .bind("pending")
                    .bind(now.clone())
                    .bind(now.clone())
                    .bind(offer.map(str::to_owned));
            }
            query.execute(&mut *conn).await?;
        });
    }
    Ok(())
}

impl Store {
    /// Enqueues events on their own (one transaction).
    pub async fn enqueue(&self, events: &[NewEvent]) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        enqueue_in(tx.conn(), self.event_offer(), events, sql::now()).await?;
        tx.commit().await
    }

    /// Claims up to `limit` due events for `lease`: they are not handed out again before the
    /// lease runs out, unless marked delivered, rescheduled or parked first.
    pub async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let lease = chrono::Duration::from_std(lease)
            .map_err(|_| StoreError::Corrupt(format!("lease {lease:?} out of range")))?;
        let skip_locked = match self.db.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE OF candidate SKIP LOCKED",
        };
        // Only the oldest pending event of each key (an order, an update, a license) is handed
        // out: a later one waits while an earlier one is retried, so Orange receives the events
        // of one key in the order they were stored, while other keys go on. An event claimed by
        // another dispatcher is still pending, so this holds across server instances too.
        let statement = format!(
            "UPDATE outbox SET locked_until = $1 WHERE seq IN (\
             SELECT candidate.seq FROM outbox candidate \
             WHERE candidate.state = 'pending' AND candidate.next_attempt_at <= $2 \
             AND (candidate.locked_until IS NULL OR candidate.locked_until <= $2) \
             AND NOT EXISTS (SELECT 1 FROM outbox earlier \
               WHERE earlier.aggregate_key = candidate.aggregate_key \
               AND earlier.state = 'pending' AND earlier.seq < candidate.seq) \
             ORDER BY candidate.next_attempt_at, candidate.seq LIMIT $3{skip_locked}) \
             RETURNING {EVENT_COLUMNS}"
        );
        let mut tx = self.db.begin_write().await?;
        let events = typed!(tx.conn(), |conn| {
            let rows = sqlx::query(AssertSqlSafe(statement))
                .bind(ts(now + lease))
                .bind(ts(now))
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?;
            sorted(&rows)?
        });
        tx.commit().await?;
        Ok(events)
    }

    /// Records a delivery. Returns whether the event was pending.
    pub async fn mark_delivered(&self, id: &str) -> Result<bool, StoreError> {
        self.outbox_update(
            "UPDATE outbox SET state = 'delivered', delivered_at = $2, locked_until = NULL \
             WHERE id = $1 AND state = 'pending'",
            id,
            Some(ts(sql::now())),
        )
        .await
    }

    /// Records a failed attempt and when to try again.
    pub async fn reschedule(
        &self,
        id: &str,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let changed = typed!(tx.conn(), |conn| {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, \
                 last_error = $3, locked_until = NULL WHERE id = $1 AND state = 'pending'",
            )
            .bind(id.to_owned())
            .bind(ts(next_attempt_at))
            .bind(error.to_owned())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(changed > 0)
    }

    /// Gives up on an event after a final failed attempt; it stays listed as dead until replayed.
    pub async fn park_dead(&self, id: &str, error: &str) -> Result<bool, StoreError> {
        self.outbox_update(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = $2, \
             locked_until = NULL WHERE id = $1 AND state = 'pending'",
            id,
            Some(error.to_owned()),
        )
        .await
    }

    /// Dead events, oldest first.
    pub async fn dead_events(&self, limit: u32) -> Result<Vec<OutboxEvent>, StoreError> {
        let statement = format!(
            "SELECT {EVENT_COLUMNS} FROM outbox WHERE state = 'dead' ORDER BY seq LIMIT $1"
        );
        self.events_read(statement, limit).await
    }

    /// Events waiting for delivery (claimed or not), oldest first, without claiming them.
    pub async fn pending_events(&self, limit: u32) -> Result<Vec<OutboxEvent>, StoreError> {
        let statement = format!(
            "SELECT {EVENT_COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT $1"
        );
        self.events_read(statement, limit).await
    }

    /// The events `statement` selects (binding `limit` as `$1`), in their order of enqueuing.
    async fn events_read(
        &self,
        statement: String,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut reader = self.db.read().await?;
        typed!(reader.conn(), |conn| {
            let rows = sqlx::query(AssertSqlSafe(statement))
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?;
            sorted(&rows)
        })
    }

    /// Puts a dead event back in line, due now, with its attempts reset.
    pub async fn replay_dead(&self, id: &str) -> Result<bool, StoreError> {
        self.outbox_update(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2 \
             WHERE id = $1 AND state = 'dead'",
            id,
            Some(ts(sql::now())),
        )
        .await
    }

    /// The same as [`Store::replay_dead`], sending the event to another Orange offer (`mba2`,
    /// `mba2-beta`) than the one it was queued for.
    pub async fn replay_dead_to(&self, id: &str, offer: &str) -> Result<bool, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let changed = typed!(tx.conn(), |conn| {
            sqlx::query(
                "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2, \
                 offer = $3 WHERE id = $1 AND state = 'dead'",
            )
            .bind(id.to_owned())
            .bind(ts(sql::now()))
            .bind(offer.to_owned())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(changed > 0)
    }

    /// Deletes delivered events older than `before`; returns how many.
    pub async fn prune_delivered(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let deleted = typed!(tx.conn(), |conn| {
            sqlx::query("DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < $1")
                .bind(ts(before))
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        tx.commit().await?;
        Ok(deleted)
    }

    /// One event by id, whatever its state (for the admin API and tests).
    pub async fn outbox_event(&self, id: &str) -> Result<Option<OutboxEvent>, StoreError> {
        let statement = format!("SELECT {EVENT_COLUMNS} FROM outbox WHERE id = $1");
        let mut reader = self.db.read().await?;
        typed!(reader.conn(), |conn| {
            let row = sqlx::query(AssertSqlSafe(statement))
                .bind(id.to_owned())
                .fetch_optional(&mut *conn)
                .await?;
            row.as_ref().map(from_row).transpose()
        })
    }

    async fn outbox_update(
        &self,
        statement: &'static str,
        id: &str,
        second: Option<String>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let changed = typed!(tx.conn(), |conn| {
            sqlx::query(statement)
                .bind(id.to_owned())
                .bind(second)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        tx.commit().await?;
        Ok(changed > 0)
    }
}
