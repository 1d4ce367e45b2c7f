//! Who may use the admin API: the admin credentials of `[admin]` (a bearer token and/or HTTP
//! Basic), never the ones Orange calls with.
//!
//! [`AdminGuard`] is the check, a middleware over `/admin` and below; the partner-side
//! middleware leaves those paths to it. The security schemes only describe the check in the
//! OpenAPI document (so Swagger UI offers "Authorize"); they decide nothing.

use std::sync::Arc;

use poem::{Endpoint, Middleware, Request, Result};
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{Basic, Bearer};

use crate::config::AdminConfig;
use crate::inbound_auth::{InboundAuth, is_admin_path};

/// The admin document is public like Orange's (`/openapi.json`): it holds no secret.
pub(crate) const ADMIN_DOCUMENT: &str = "/admin/openapi.json";

/// Checks admin credentials on every path under `/admin` but the admin document.
#[derive(Clone)]
pub struct AdminGuard {
    // The partner-side check, given only the admin credentials: one constant-time comparison
    // and one reading of `Authorization` for both sides.
    accepted: Arc<InboundAuth>,
}

impl AdminGuard {
    /// The guard of `[admin]`; `None` when no admin credential is configured (the admin API is
    /// then not mounted). Refuses admin secrets that are among Orange's credentials, including
    /// generated ones, so that Orange's credentials can never open the admin API.
    pub fn new(config: &AdminConfig, partner: &InboundAuth) -> Result<Option<Self>, String> {
        if !config.is_enabled() {
            return Ok(None);
        }
        config.check()?;
        let partner_secrets = [
            partner
                .basic
                .as_ref()
                .map(|(_, password)| password.as_str()),
            partner.api_key.as_ref().map(|(_, key)| key.as_str()),
            partner.bearer.as_deref(),
        ];
        for (name, secret) in config.secrets() {
            if partner_secrets.contains(&Some(secret)) {
                return Err(format!(
                    "{name} is one of the credentials Orange calls with; the admin API needs its own"
                ));
            }
        }
        let accepted = InboundAuth {
            basic: config.basic_user.clone().zip(config.basic_password.clone()),
            api_key: None,
            bearer: config.token.clone(),
            allow_anonymous: false,
            admin_delegated: false,
        };
        Ok(Some(Self {
            accepted: Arc::new(accepted),
        }))
    }
}

impl<E: Endpoint> Middleware<E> for AdminGuard {
    type Output = AdminGuardEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        AdminGuardEndpoint {
            inner: ep,
            guard: self.clone(),
        }
    }
}

pub struct AdminGuardEndpoint<E> {
    inner: E,
    guard: AdminGuard,
}

impl<E: Endpoint> Endpoint for AdminGuardEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        if is_admin_path(path)
            && path != ADMIN_DOCUMENT
            && let Err(failure) = self.guard.accepted.check(&req)
        {
            tracing::warn!(reason = %failure, "refused admin credentials");
            return Err(failure.into());
        }
        self.inner.call(req).await
    }
}

/// The admin bearer token (`[admin] token`, `--admin-token`).
#[derive(SecurityScheme)]
#[oai(rename = "adminBearer", ty = "bearer")]
pub struct AdminBearer(pub Bearer);

/// The admin HTTP Basic credentials (`[admin] basic_user`, `basic_password`).
#[derive(SecurityScheme)]
#[oai(rename = "adminBasic", ty = "basic")]
pub struct AdminBasic(pub Basic);

/// Either admin credential; checked by [`AdminGuard`] before an operation runs.
#[derive(SecurityScheme)]
pub enum AdminCredentials {
    Bearer(AdminBearer),
    Basic(AdminBasic),
}
