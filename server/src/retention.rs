//! Retention: delivered events are deleted once older than the configured age, by a background
//! task, in small batches. Pending and dead events are never deleted: the first still have to
//! reach Orange, the second wait for someone to replay them.

use std::time::Duration;

use chrono::Utc;

use crate::config::RetentionConfig;
use crate::store::{Store, StoreError};

/// What is pruned and how.
#[derive(Debug, Clone)]
pub struct RetentionPolicy {
    /// Delivered events older than this are deleted.
    pub delivered_max_age: Duration,
    /// Rows per delete statement.
    pub batch: u32,
    /// Pause between prunes.
    pub interval: Duration,
}

impl RetentionPolicy {
    /// The policy a configuration asks for; `None` when delivered events are kept forever.
    pub fn from_config(config: &RetentionConfig) -> Option<Self> {
        (config.delivered_days > 0).then(|| Self {
            delivered_max_age: Duration::from_secs(u64::from(config.delivered_days) * 86_400),
            batch: config.batch.max(1),
            interval: Duration::from_secs(config.interval_secs.max(1)),
        })
    }
}

/// The pruning task.
pub struct Retention {
    store: Store,
    policy: RetentionPolicy,
}

impl Retention {
    pub fn new(store: Store, policy: RetentionPolicy) -> Self {
        Self { store, policy }
    }

    /// Deletes every delivered event older than the policy's age, batch after batch; returns how
    /// many. Each batch is its own transaction, so cancelling between batches loses nothing.
    pub async fn prune_once(&self) -> Result<u64, StoreError> {
        let max_age = chrono::Duration::from_std(self.policy.delivered_max_age)
            .unwrap_or(chrono::Duration::MAX);
        let before = Utc::now()
            .checked_sub_signed(max_age)
            .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC);
        let mut total = 0;
        loop {
            let deleted = self
                .store
                .prune_delivered_batch(before, self.policy.batch)
                .await?;
            total += deleted;
            if deleted < u64::from(self.policy.batch) {
                return Ok(total);
            }
            // Let requests waiting for the writer go first.
            tokio::task::yield_now().await;
        }
    }

    /// Prunes now, then after every interval, until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                result = self.prune_once() => match result {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(deleted = n, "delivered events pruned"),
                    Err(error) => tracing::warn!(%error, "pruning delivered events failed; trying again later"),
                },
                _ = &mut shutdown => break,
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(self.policy.interval) => {}
            }
        }
        tracing::info!("retention stopped");
    }
}
