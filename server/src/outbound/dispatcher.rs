//! The outbox dispatcher: claims due events, delivers each with the generated Orange client, and
//! records the outcome (delivered, retried later with backoff, or parked as dead). Several
//! dispatchers may share one database: a claim is a lease, so each event has one sender at a time.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use obakit_api::common::types::Offer;
use obakit_api::product_ordering::client::ProductOrderingOrangeClient;
use obakit_api::product_ordering::handler::NotifyProductOrderEventResponse;
use obakit_api::product_ordering::types::ProductOrderEvent;
use obakit_api::rt::{ClientCore, ClientError, TokenSource};
use obakit_api::user_service::client::UserServiceOrangeClient;
use obakit_api::user_service::handler::NotifyUserServiceEventResponse;
use obakit_api::user_service::types::UserServiceEvent;
use poem_openapi::types::ParseFromJSON;
use tokio::sync::Notify;
use tracing::Instrument;

use super::{PRODUCT_ORDER_EVENT, RetryPolicy, USER_SERVICE_EVENT};
use crate::store::{OutboxEvent, Store};

/// How a dispatcher works.
#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// Orange's gateway, e.g. `https://ope.apibackbone.orange.com`.
    pub gateway_url: String,
    /// `mba2` or `mba2-beta`: the first segment of the event paths.
    pub offer: String,
    pub retry: RetryPolicy,
    /// Events claimed at once, and delivered concurrently.
    pub batch: u32,
    /// How long a claim keeps other dispatchers off an event; longer than one delivery takes.
    pub lease: Duration,
    /// Idle wait between polls when nothing wakes the dispatcher.
    pub poll: Duration,
    /// Timeout of one delivery.
    pub request_timeout: Duration,
    /// What to do while the gateway answers 403 or 404.
    pub unpublished: Unpublished,
}

/// A 403 or 404 from the gateway usually means the partner's subscription is still pending or
/// the API is not yet published (common during integration), not that the event is wrong: such
/// an event is tried again every `retry_after` (with jitter) until `horizon` after it was stored,
/// then parked as dead. It does not count against the retry policy's attempts.
#[derive(Debug, Clone, Copy)]
pub struct Unpublished {
    pub retry_after: Duration,
    pub horizon: Duration,
}

impl Default for Unpublished {
    fn default() -> Self {
        Self {
            retry_after: Duration::from_secs(600),
            horizon: Duration::from_secs(72 * 3600),
        }
    }
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            gateway_url: "https://ope.apibackbone.orange.com".to_owned(),
            offer: "mba2-beta".to_owned(),
            retry: RetryPolicy::default(),
            batch: 32,
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            request_timeout: Duration::from_secs(30),
            unpublished: Unpublished::default(),
        }
    }
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// Will be tried again after this long.
    Retry {
        after: Duration,
        error: String,
    },
    /// Given up: listed as dead until replayed.
    Dead {
        error: String,
    },
}

/// Delivers outbox events to Orange.
pub struct Dispatcher {
    store: Store,
    product_ordering: ProductOrderingOrangeClient,
    user_service: UserServiceOrangeClient,
    offer: Offer,
    config: DispatcherConfig,
    wake: Arc<Notify>,
}

impl Dispatcher {
    /// A dispatcher sending with bearer tokens from `tokens`. `wake` is notified by whoever
    /// enqueues, so a new event leaves at once instead of at the next poll.
    pub fn new(
        store: Store,
        config: DispatcherConfig,
        tokens: Arc<dyn TokenSource>,
        wake: Arc<Notify>,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| ClientError::InvalidRequest(format!("http client: {e}")))?;
        let core = ClientCore::with_http(&config.gateway_url, http)?.with_token_source(tokens);
        Ok(Self {
            store,
            product_ordering: ProductOrderingOrangeClient::from_core(core.clone()),
            user_service: UserServiceOrangeClient::from_core(core),
            offer: Offer::from_wire(&config.offer),
            config,
            wake,
        })
    }

    /// Runs until `shutdown` resolves; an event in flight is finished, never cut.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let worked = match self.tick().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox claim failed; retrying");
                    0
                }
            };
            if worked > 0 {
                continue;
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {},
                _ = tokio::time::sleep(self.config.poll) => {},
            }
        }
        tracing::info!("event dispatcher stopped");
    }

    /// Claims one batch of due events and delivers them concurrently; returns how many it handled.
    pub async fn tick(&self) -> Result<usize, crate::store::StoreError> {
        let events = self
            .store
            .claim_due(Utc::now(), self.config.batch, self.config.lease)
            .await?;
        let n = events.len();
        let deliveries = events.into_iter().map(|event| async move {
            let outcome = self.attempt(&event).await;
            if let Err(e) = self.record(&event, &outcome).await {
                // The lease runs out and the event is claimed again: delivered twice at worst, never lost.
                tracing::warn!(event = %event.id, error = %e, "could not record a delivery outcome");
            }
        });
        futures_util::future::join_all(deliveries).await;
        Ok(n)
    }

    /// One delivery attempt, classified.
    pub async fn attempt(&self, event: &OutboxEvent) -> Delivery {
        let span = tracing::info_span!("deliver", event = %event.id, kind = %event.kind, attempt = event.attempts + 1);
        self.attempt_in(event).instrument(span).await
    }

    async fn attempt_in(&self, event: &OutboxEvent) -> Delivery {
        let result = match event.kind.as_str() {
            PRODUCT_ORDER_EVENT => match parse::<ProductOrderEvent>(&event.payload) {
                Ok(body) => self
                    .product_ordering
                    .notify_product_order_event(self.offer_of(event), &body)
                    .await
                    .map(|r| match r {
                        NotifyProductOrderEventResponse::Created(_) => Answer::Accepted,
                        NotifyProductOrderEventResponse::BadRequest(e) => {
                            Answer::Refused(format!("400 {}: {}", e.0.code, e.0.message))
                        }
                        NotifyProductOrderEventResponse::Unauthorized(e) => {
                            Answer::Unauthorized(format!("401 {}: {}", e.0.code, e.0.message))
                        }
                    }),
                Err(e) => return self.dead(e),
            },
            USER_SERVICE_EVENT => match parse::<UserServiceEvent>(&event.payload) {
                Ok(body) => self
                    .user_service
                    .notify_user_service_event(self.offer_of(event), &body)
                    .await
                    .map(|r| match r {
                        NotifyUserServiceEventResponse::Created(_) => Answer::Accepted,
                        NotifyUserServiceEventResponse::BadRequest(e) => {
                            Answer::Refused(format!("400 {}: {}", e.0.code, e.0.message))
                        }
                        NotifyUserServiceEventResponse::Unauthorized(e) => {
                            Answer::Unauthorized(format!("401 {}: {}", e.0.code, e.0.message))
                        }
                    }),
                Err(e) => return self.dead(e),
            },
            other => return self.dead(format!("unknown event kind `{other}`")),
        };
        let failed_attempts = event.attempts + 1;
        let retry = |error: String| {
            if self.config.retry.exhausted(failed_attempts) {
                Delivery::Dead {
                    error: format!("gave up after {failed_attempts} attempts: {error}"),
                }
            } else {
                Delivery::Retry {
                    after: self.config.retry.delay(event.attempts),
                    error,
                }
            }
        };
        let delivery = match result {
            Ok(Answer::Accepted) => Delivery::Delivered,
            // The gateway refused the event itself: sending it again cannot help.
            Ok(Answer::Refused(e)) => Delivery::Dead { error: e },
            // Still refused after a fresh token: credentials may be fixed later, so keep trying.
            Ok(Answer::Unauthorized(e)) => retry(e),
            // Orange's success status is not published: any 2xx means it has the event.
            Err(
                ClientError::UnexpectedStatus { status, .. }
                | ClientError::InvalidBody { status, .. },
            ) if (200..300).contains(&status) => Delivery::Delivered,
            Err(ClientError::UnexpectedStatus { status, body })
                if status == 429 || status >= 500 =>
            {
                retry(format!("{status}: {}", truncate(&body)))
            }
            Err(ClientError::UnexpectedStatus { status, body })
                if status == 403 || status == 404 =>
            {
                let error = format!("{status}: {}", truncate(&body));
                let horizon = chrono::Duration::from_std(self.config.unpublished.horizon)
                    .unwrap_or(chrono::Duration::MAX);
                if Utc::now() >= event.created_at + horizon {
                    Delivery::Dead {
                        error: format!(
                            "the gateway kept answering {status} for {:?} (subscription or publication missing?): {error}",
                            self.config.unpublished.horizon
                        ),
                    }
                } else {
                    let after = self.config.unpublished.retry_after;
                    Delivery::Retry {
                        after: after / 2 + (after / 2).mul_f64(fastrand::f64()),
                        error,
                    }
                }
            }
            Err(ClientError::UnexpectedStatus { status, body }) => Delivery::Dead {
                error: format!("{status}: {}", truncate(&body)),
            },
            Err(e) => retry(e.to_string()),
        };
        let outcome = match &delivery {
            Delivery::Delivered => "delivered",
            Delivery::Retry { .. } => "retry",
            Delivery::Dead { .. } => "dead",
        };
        metrics::counter!(crate::metrics::EVENT_DELIVERIES, "outcome" => outcome).increment(1);
        match &delivery {
            Delivery::Delivered => tracing::info!("delivered"),
            Delivery::Retry { after, error } => {
                tracing::warn!(%error, retry_in_ms = after.as_millis() as u64, "delivery failed")
            }
            Delivery::Dead { error } => tracing::error!(%error, "event parked as dead"),
        }
        delivery
    }

    /// The offer the event was queued for, else the configured one.
    fn offer_of(&self, event: &OutboxEvent) -> Offer {
        event
            .offer
            .as_deref()
            .map_or_else(|| self.offer.clone(), Offer::from_wire)
    }

    fn dead(&self, error: String) -> Delivery {
        tracing::error!(%error, "event cannot be sent");
        metrics::counter!(crate::metrics::EVENT_DELIVERIES, "outcome" => "dead").increment(1);
        Delivery::Dead { error }
    }

    async fn record(
        &self,
        event: &OutboxEvent,
        outcome: &Delivery,
    ) -> Result<(), crate::store::StoreError> {
        match outcome {
            Delivery::Delivered => self.store.mark_delivered(&event.id).await.map(drop),
            Delivery::Retry { after, error } => {
                let next = Utc::now()
                    + chrono::Duration::from_std(*after).unwrap_or(chrono::Duration::seconds(1));
                self.store
                    .reschedule(&event.id, next, error)
                    .await
                    .map(drop)
            }
            Delivery::Dead { error } => self.store.park_dead(&event.id, error).await.map(drop),
        }
    }
}

enum Answer {
    Accepted,
    Refused(String),
    Unauthorized(String),
}

fn parse<T: ParseFromJSON>(payload: &str) -> Result<T, String> {
    let value: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| format!("stored payload is not JSON: {e}"))?;
    T::parse_from_json(Some(value)).map_err(|e| {
        format!(
            "stored payload does not match the spec: {}",
            e.into_message()
        )
    })
}

fn truncate(body: &str) -> &str {
    let end = body
        .char_indices()
        .nth(300)
        .map(|(i, _)| i)
        .unwrap_or(body.len());
    &body[..end]
}
