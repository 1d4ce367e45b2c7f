//! Asynchronous work (contract §4, "Sync or async"): orders and updates answered `acknowledged`
//! are done here, each in one transaction together with the event that announces its result, so
//! the result and its event are stored together or not at all. Survives restarts: whatever is
//! still acknowledged in the store is picked up again.

use std::sync::Arc;
use std::time::Duration;

use obakit_api::product_ordering::types::ProductOrder;
use poem_openapi::types::ParseFromJSON;
use tokio::sync::Notify;

use crate::usecase::{UseCaseError, UseCases};
use crate::wire::{order_event, update_event};

/// Does the acknowledged work, then wakes the event dispatcher.
pub struct Worker {
    cases: UseCases,
    wake: Arc<Notify>,
    dispatcher: Arc<Notify>,
    poll: Duration,
}

impl Worker {
    /// `wake` is notified when work is acknowledged; `dispatcher` is notified when events are ready.
    pub fn new(cases: UseCases, wake: Arc<Notify>, dispatcher: Arc<Notify>) -> Self {
        Self {
            cases,
            wake,
            dispatcher,
            poll: Duration::from_secs(1),
        }
    }

    /// Runs until `shutdown` resolves; work in progress is finished first. Work that fails (the
    /// partner's platform unreachable, the database down) stays acknowledged and is tried again
    /// with a backoff that doubles up to [`MAX_BACKOFF`], while new work is still started at once.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut backoff = self.poll;
        loop {
            let wait = match self.drain().await {
                Ok(Drained { done, failed: 0 }) if done > 0 => {
                    tracing::debug!(done, "asynchronous work done");
                    backoff = self.poll;
                    continue;
                }
                Ok(Drained { failed: 0, .. }) => {
                    backoff = self.poll;
                    self.poll
                }
                Ok(Drained { done, failed }) => {
                    tracing::warn!(done, failed, retry_in = ?backoff, "asynchronous work failed; retrying");
                    let wait = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    wait
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "asynchronous work failed; retrying");
                    let wait = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    wait
                }
            };
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {},
                _ = tokio::time::sleep(wait) => {},
            }
        }
        tracing::info!("asynchronous worker stopped");
    }

    /// Does everything acknowledged so far: how many orders and updates it did, and how many
    /// failed (they stay acknowledged; one failing does not hold the others back).
    pub async fn drain(&self) -> Result<Drained, UseCaseError> {
        let mut done = 0;
        let mut failed = 0;
        for id in self.cases.store().pending_orders().await? {
            let result = self
                .cases
                .complete_order(&id, |order, outcome| {
                    let request = order
                        .original
                        .clone()
                        .and_then(|value| ProductOrder::parse_from_json(Some(value)).ok())
                        .unwrap_or_else(|| {
                            // Orders stored before the original was kept: answer with the ids only.
                            tracing::warn!(order = %outcome.order_id, "order without its original request");
                            ProductOrder::parse_from_json(Some(serde_json::json!({}))).expect("an empty productOrder is valid")
                        });
                    order_event(request, outcome).into_iter().collect()
                })
                .await;
            match result {
                Ok(outcome) => {
                    tracing::info!(order.id = %outcome.order_id, state = %outcome.state, "asynchronous order done");
                    done += 1;
                    self.dispatcher.notify_one();
                }
                Err(error) => {
                    tracing::warn!(order.id = %id, %error, "asynchronous order not done; kept for a retry");
                    failed += 1;
                }
            }
        }
        for id in self.cases.store().pending_updates().await? {
            let result = self
                .cases
                .process_update(&id, |outcome| vec![update_event(outcome)])
                .await;
            match result {
                Ok(outcome) => {
                    tracing::info!(update.id = %outcome.update_id, state = %outcome.state, "asynchronous update done");
                    done += 1;
                    self.dispatcher.notify_one();
                }
                Err(error) => {
                    tracing::warn!(update.id = %id, %error, "asynchronous update not done; kept for a retry");
                    failed += 1;
                }
            }
        }
        Ok(Drained { done, failed })
    }
}

/// The longest wait between two attempts at failing asynchronous work.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What one pass of [`Worker::drain`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub done: usize,
    pub failed: usize,
}
