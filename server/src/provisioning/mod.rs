//! Provisioning: telling the partner's own systems about license changes before they are
//! committed, so that a refusal there fails the order or update and nothing is stored.
//!
//! The store calls the [`Provisioner`] before its write transaction, once per use-case call. Two
//! implementations: [`RecordOnly`] (the default: logs, accepts everything) and [`Webhook`] (one
//! JSON POST per action; the contract is documented in [`action`]).

pub mod action;
mod record_only;
mod webhook;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use action::{Action, ActionKind};
pub use record_only::RecordOnly;
pub use webhook::{Webhook, WebhookConfigError};

/// Why provisioning refused an action; its text becomes the failure reason Orange reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProvisionError {
    #[error("provisioning refused {action}: webhook answered {status}{}", body_suffix(.body))]
    Refused {
        action: &'static str,
        status: u16,
        body: String,
    },
    #[error("provisioning of {action} did not answer within {timeout:?}")]
    Timeout {
        action: &'static str,
        timeout: Duration,
    },
    #[error("provisioning of {action} could not be reached: {detail}")]
    Unreachable {
        action: &'static str,
        detail: String,
    },
    /// For other implementations: a refusal in their own words.
    #[error("provisioning refused: {0}")]
    Other(String),
}

impl ProvisionError {
    /// A fault of the partner's platform rather than its answer: no answer in time, unreachable,
    /// or a 5xx / 408 / 429. The change is not refused: it is tried again later (a resend from
    /// Orange after a 503, or the asynchronous worker). Only a definite refusal (another 4xx, or
    /// a non-webhook provisioner's refusal) fails the order or update.
    pub fn is_fault(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Unreachable { .. } => true,
            Self::Refused { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            Self::Other(_) => false,
        }
    }
}

fn body_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

/// The future a provisioner returns; boxed so that `dyn Provisioner` works.
pub type ProvisionFuture<'a> =
    Pin<Box<dyn Future<Output = Result<(), ProvisionError>> + Send + 'a>>;

/// The partner's systems, told about each action before it is committed.
///
/// Called before the store's write transaction, with no database connection held: a slow answer
/// delays only the change it is about. Implementations still bound their own time, since the
/// caller (Orange, or the asynchronous worker) waits for the answer.
pub trait Provisioner: Send + Sync {
    /// Accepts (`Ok`) or refuses the action.
    fn provision<'a>(&'a self, action: &'a Action) -> ProvisionFuture<'a>;
}
