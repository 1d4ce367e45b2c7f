//! What the mock gateway remembers: its clients, the tokens it issued, the events that arrived,
//! and the faults it is told to play.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How the mock gateway is set up.
#[derive(Debug, Clone)]
pub struct MockOrangeConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Lifetime of the tokens it issues.
    pub token_ttl: Duration,
}

impl Default for MockOrangeConfig {
    fn default() -> Self {
        Self {
            client_id: "obakit".to_owned(),
            client_secret: "obakit-secret".to_owned(),
            token_ttl: Duration::from_secs(3600),
        }
    }
}

/// Faults the gateway plays until told otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Faults {
    /// Every Orange operation answers 503 (the gateway is down).
    pub unavailable: bool,
    /// Event endpoints answer 401 whatever the token (revoked credentials).
    pub reject_tokens: bool,
    /// Event endpoints answer 400 (Orange refuses the event's content).
    pub refuse_events: bool,
    /// Event endpoints answer 404 (the API is not yet published on the gateway, or the
    /// partner's subscription is still pending: common during integration).
    pub not_published: bool,
    /// The token endpoint answers 503 (its identity service is down).
    pub token_endpoint_unavailable: bool,
    /// Every Orange operation waits this long before answering.
    pub delay_ms: u64,
}

/// One event as it arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedEvent {
    /// `productOrdering` or `userService`.
    pub api: String,
    pub offer: String,
    /// The bearer token it carried.
    pub token: String,
    pub body: serde_json::Value,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

struct Inner {
    config: MockOrangeConfig,
    tokens: Mutex<HashMap<String, Instant>>,
    events: Mutex<Vec<ReceivedEvent>>,
    faults: Mutex<Faults>,
    token_requests: AtomicU64,
    refused: AtomicU64,
}

/// The mock gateway's shared state; cheap to clone.
#[derive(Clone)]
pub struct MockOrange(Arc<Inner>);

impl MockOrange {
    pub fn new(config: MockOrangeConfig) -> Self {
        Self(Arc::new(Inner {
            config,
            tokens: Mutex::new(HashMap::new()),
            events: Mutex::new(Vec::new()),
            faults: Mutex::new(Faults::default()),
            token_requests: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }))
    }

    pub fn config(&self) -> &MockOrangeConfig {
        &self.0.config
    }

    pub fn faults(&self) -> Faults {
        self.0
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.0.faults.lock().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// A new token, valid for the configured lifetime.
    pub(super) fn count_token_request(&self) {
        self.0.token_requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn issue_token(&self) -> String {
        let token = format!("mock-{}", uuid::Uuid::new_v4().simple());
        self.0
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), Instant::now() + self.0.config.token_ttl);
        token
    }

    /// Forgets every token issued so far, as if the gateway had revoked them.
    pub fn revoke_tokens(&self) {
        self.0
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Whether this gateway issued `token` (expired or not).
    pub fn issued(&self, token: &str) -> bool {
        self.0
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(token)
    }

    pub(super) fn token_is_valid(&self, token: &str) -> bool {
        self.0
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .is_some_and(|expires| Instant::now() < *expires)
    }

    pub(super) fn record(&self, event: ReceivedEvent) {
        tracing::info!(api = %event.api, id = %event.body["id"], r#type = %event.body["type"], "event received");
        self.0
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event);
    }

    pub(super) fn count_refused(&self) {
        self.0.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Every event received so far, in arrival order.
    pub fn events(&self) -> Vec<ReceivedEvent> {
        self.0
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn clear_events(&self) {
        self.0
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// How many tokens were requested (successfully or not).
    pub fn token_requests(&self) -> u64 {
        self.0.token_requests.load(Ordering::Relaxed)
    }

    /// How many calls were refused (bad credentials, bad token, invalid body).
    pub fn refused(&self) -> u64 {
        self.0.refused.load(Ordering::Relaxed)
    }
}
