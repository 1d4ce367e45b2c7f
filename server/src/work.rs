//! Asynchronous work (contract §4, "Sync or async"): orders and updates answered `acknowledged`
//! are done here, each in one transaction together with the event that announces its result, so
//! the result and its event are stored together or not at all. Survives restarts: whatever is
//! still acknowledged in the store is picked up again.

use std::sync::Arc;
use std::time::Duration;

use obakit_api::product_ordering::types::ProductOrder;
use poem_openapi::types::ParseFromJSON;
use tokio::sync::Notify;

use crate::http::{order_event, update_event};
use crate::store::{Store, StoreError};

/// Does the acknowledged work, then wakes the event dispatcher.
pub struct Worker {
    store: Store,
    wake: Arc<Notify>,
    dispatcher: Arc<Notify>,
    poll: Duration,
}

impl Worker {
    /// `wake` is notified when work is acknowledged; `dispatcher` is notified when events are ready.
    pub fn new(store: Store, wake: Arc<Notify>, dispatcher: Arc<Notify>) -> Self {
        Self {
            store,
            wake,
            dispatcher,
            poll: Duration::from_secs(1),
        }
    }

    /// Runs until `shutdown` resolves; work in progress is finished first.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.drain().await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::debug!(done = n, "asynchronous work done");
                    continue;
                }
                Err(e) => tracing::warn!(error = %e, "asynchronous work failed; retrying"),
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {},
                _ = tokio::time::sleep(self.poll) => {},
            }
        }
        tracing::info!("asynchronous worker stopped");
    }

    /// Does everything acknowledged so far; returns how many orders and updates it did.
    pub async fn drain(&self) -> Result<usize, StoreError> {
        let mut done = 0;
        for id in self.store.pending_orders().await? {
            let outcome = self
                .store
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
                .await?;
            tracing::info!(order.id = %outcome.order_id, state = %outcome.state, "asynchronous order done");
            done += 1;
            self.dispatcher.notify_one();
        }
        for id in self.store.pending_updates().await? {
            let outcome = self
                .store
                .process_update(&id, |outcome| vec![update_event(outcome)])
                .await?;
            tracing::info!(update.id = %outcome.update_id, state = %outcome.state, "asynchronous update done");
            done += 1;
            self.dispatcher.notify_one();
        }
        Ok(done)
    }
}
