//! What keeping a store running for years needs beside the use cases: a liveness query for
//! readiness, the outbox's figures for metrics, and the pruning of delivered events.
//!
//! Pruning deletes only `delivered` rows, in batches of a bounded size, each its own short
//! transaction, so it never holds SQLite's single writer for long; `pending` and `dead` events
//! are never deleted.

use chrono::{DateTime, Utc};

use super::db::typed;
use super::sql::{Columns, opt_text, parse_ts, ts};
use super::{Store, StoreError};

/// The outbox at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxStats {
    /// Events waiting for delivery, claimed or not.
    pub queued: u64,
    /// Queued events a dispatcher holds a live claim on (being sent now).
    pub in_flight: u64,
    /// Events given up on, waiting for a replay.
    pub dead: u64,
    /// When the oldest queued event was enqueued.
    pub oldest_queued_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut reader = self.db.read().await?;
        typed!(reader.conn(), |conn| {
            sqlx::query("SELECT 1").fetch_one(&mut *conn).await?;
        });
        Ok(())
    }

    /// The outbox's figures; reads the `pending` and `dead` rows only (through the index on state).
    pub async fn outbox_stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, StoreError> {
        let mut reader = self.db.read().await?;
        typed!(reader.conn(), |conn| {
            let row = sqlx::query(
                "SELECT COUNT(CASE WHEN state = 'pending' THEN 1 END) AS queued, \
                 COUNT(CASE WHEN state = 'pending' AND locked_until > $1 THEN 1 END) \
                 AS in_flight, COUNT(CASE WHEN state = 'dead' THEN 1 END) AS dead, \
                 MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest \
                 FROM outbox WHERE state IN ('pending', 'dead')",
            )
            .bind(ts(now))
            .fetch_one(&mut *conn)
            .await?;
            stats_from_row(&row)
        })
    }

    /// Deletes at most `limit` delivered events delivered before `before`, oldest first, in one
    /// short transaction; returns how many. Pending and dead events are never touched.
    pub async fn prune_delivered_batch(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let deleted = typed!(tx.conn(), |conn| {
            sqlx::query(
                "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox \
                 WHERE state = 'delivered' AND delivered_at < $1 ORDER BY seq LIMIT $2)",
            )
            .bind(ts(before))
            .bind(i64::from(limit))
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        Ok(deleted)
    }

    /// How many rows the outbox holds, whatever their state (for tests and reports).
    pub async fn outbox_len(&self) -> Result<u64, StoreError> {
        let mut reader = self.db.read().await?;
        let n = typed!(reader.conn(), |conn| {
            sqlx::query("SELECT COUNT(*) AS n FROM outbox")
                .fetch_one(&mut *conn)
                .await?
                .int("n")?
        });
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("outbox length {n}")))
    }
}

fn stats_from_row(row: &impl Columns) -> Result<OutboxStats, StoreError> {
    let count = |column: &str| -> Result<u64, StoreError> {
        let n = row.int(column)?;
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("outbox {column} {n}")))
    };
    Ok(OutboxStats {
        queued: count("queued")?,
        in_flight: count("in_flight")?,
        dead: count("dead")?,
        oldest_queued_at: opt_text(row, "oldest")?
            .map(|text| parse_ts("created_at", &text))
            .transpose()?,
    })
}
