//! The partner's own side of the server (UC5): an admin API under `/admin` and the
//! `obakit license` commands, to change a license's end user, realizing resource, login and
//! characteristics, each stored with the `updateNotification` that tells Orange; plus dead events
//! listed and replayed over HTTP.
//!
//! The API is off unless `[admin]` sets credentials, and has its own (see `auth.rs`). It is
//! served by the same OpenAPI service as Orange's APIs, so Swagger UI shows it under its own tag,
//! but Orange's documents (`/openapi.json`, `/openapi.yaml`) leave it out; its own document is
//! `/admin/openapi.json`.

mod api;
mod auth;
mod changes;
pub mod cli;
mod types;

use std::sync::Arc;

use tokio::sync::Notify;

pub use api::{AdminApi, AdminTags, ChangeResponse, DeadEventsResponse, ReplayResponse};
pub(crate) use auth::ADMIN_DOCUMENT;
pub use auth::{AdminBasic, AdminBearer, AdminCredentials, AdminGuard, AdminGuardEndpoint};
pub use changes::{Edited, LicenseEdit, Refusal, apply};
pub use types::{
    AdminCharacteristicValue, AdminEvent, AdminLicenseChanged, AdminLogin, AdminLoginKey, Invalid,
};

use crate::config::AdminConfig;
use crate::inbound_auth::InboundAuth;
use crate::usecase::UseCases;

/// What the admin document says about itself.
pub const DESCRIPTION: &str = "The partner's own operations on an obakit server (not Orange's): \
changes to a license that Orange is told about with an `updateNotification` (UC5), and events \
Orange never acknowledged. Every operation needs the admin credentials (bearer token or HTTP \
Basic, see `[admin]`); the credentials Orange calls with are refused.";

/// The admin API ready to mount: its operations and the guard in front of them.
#[derive(Clone)]
pub struct Admin {
    pub api: AdminApi,
    pub guard: AdminGuard,
}

impl Admin {
    /// The admin API `config` asks for, or `None` when it sets no credential. `partner` is how
    /// Orange authenticates (its secrets may not be reused); `events_ready` wakes the dispatcher.
    pub fn from_config(
        config: &AdminConfig,
        partner: &InboundAuth,
        cases: UseCases,
        events_ready: Arc<Notify>,
    ) -> anyhow::Result<Option<Self>> {
        let guard = AdminGuard::new(config, partner).map_err(anyhow::Error::msg)?;
        Ok(guard.map(|guard| Self {
            api: AdminApi::new(cases, events_ready),
            guard,
        }))
    }
}
