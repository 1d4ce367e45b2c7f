//! The `updates` table: each `userService/update` as received, with its outcome, kept for audit
//! and for the asynchronous work still to do.

use chrono::{DateTime, Utc};

use super::db::{Conn, typed};
use super::sql::{self, text, to_json, ts};
use super::{Store, StoreError};
use crate::domain::{UpdateId, UpdateOutcome, UpdateRequest};

impl Store {
    /// The updates answered `acknowledged` and not yet processed, oldest first.
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
}

pub(crate) async fn insert(
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

/// Records the outcome of an update processed later.
pub(crate) async fn save_outcome(
    conn: Conn<'_>,
    outcome: &UpdateOutcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let outcome_json = to_json(outcome)?;
    typed!(conn, |conn| {
        sqlx::query("UPDATE updates SET state = $2, outcome = $3, updated_at = $4 WHERE id = $1")
            .bind(outcome.update_id.as_str().to_owned())
            .bind(outcome.state.as_str())
            .bind(outcome_json)
            .bind(ts(now))
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// An update's `state`, its request and its outcome so far; `for_update` locks the row
/// (PostgreSQL) inside a write transaction.
pub(crate) async fn work_row(
    conn: Conn<'_>,
    id: &UpdateId,
    for_update: bool,
) -> Result<(String, UpdateRequest, UpdateOutcome), StoreError> {
    sql::work_row(conn, "updates", "update", id.as_str(), for_update).await
}
