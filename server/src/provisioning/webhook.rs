//! `Webhook`: one JSON POST per action to a URL the partner configures, with a timeout.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::{Action, ProvisionError, ProvisionFuture, Provisioner};

/// The most of a refusing answer's body kept in the failure reason.
const MAX_REASON_BODY: usize = 300;

/// A webhook that could not be configured.
#[derive(Debug, thiserror::Error)]
pub enum WebhookConfigError {
    #[error("invalid provisioning webhook url {url:?}: {detail}")]
    Url { url: String, detail: String },
    #[error("invalid provisioning webhook header {0:?}")]
    Header(String),
    #[error("cannot build the provisioning webhook's http client")]
    Client(#[source] reqwest::Error),
}

/// POSTs each action as JSON; a 2xx accepts, anything else (or no answer in time) refuses.
#[derive(Debug, Clone)]
pub struct Webhook {
    client: reqwest::Client,
    url: reqwest::Url,
    timeout: Duration,
    headers: HeaderMap,
}

impl Webhook {
    pub fn new(url: &str, timeout: Duration) -> Result<Self, WebhookConfigError> {
        let url = reqwest::Url::parse(url).map_err(|e| WebhookConfigError::Url {
            url: url.into(),
            detail: e.to_string(),
        })?;
        let client = reqwest::Client::builder()
            .user_agent(concat!("obakit/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(WebhookConfigError::Client)?;
        Ok(Self {
            client,
            url,
            timeout,
            headers: HeaderMap::new(),
        })
    }

    /// Adds a header sent with every call (for example the webhook's own credentials).
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, WebhookConfigError> {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| WebhookConfigError::Header(name.into()))?;
        let mut header_value =
            HeaderValue::from_str(value).map_err(|_| WebhookConfigError::Header(name.into()))?;
        header_value.set_sensitive(true);
        self.headers.insert(header_name, header_value);
        Ok(self)
    }

    async fn post(&self, action: &Action) -> Result<(), ProvisionError> {
        let name = action.name();
        // Serialized here rather than with `.json()` so a serialization failure is a refusal
        // with a reason, not a transport error.
        let body = serde_json::to_vec(action)
            .map_err(|e| ProvisionError::Other(format!("cannot serialize {name}: {e}")))?;
        let classify = |error: reqwest::Error| {
            if error.is_timeout() {
                ProvisionError::Timeout {
                    action: name,
                    timeout: self.timeout,
                }
            } else {
                ProvisionError::Unreachable {
                    action: name,
                    detail: error.to_string(),
                }
            }
        };
        let response = self
            .client
            .post(self.url.clone())
            .timeout(self.timeout)
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", action.id.as_str())
            .body(body)
            .send()
            .await
            .map_err(classify)?;
        let status = response.status();
        if status.is_success() {
            tracing::debug!(action.id = %action.id, action.name = name, %status, "provisioning accepted");
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let body: String = text.trim().chars().take(MAX_REASON_BODY).collect();
        tracing::warn!(action.id = %action.id, action.name = name, %status, "provisioning refused");
        Err(ProvisionError::Refused {
            action: name,
            status: status.as_u16(),
            body,
        })
    }
}

impl Provisioner for Webhook {
    fn provision<'a>(&'a self, action: &'a Action) -> ProvisionFuture<'a> {
        Box::pin(self.post(action))
    }
}
