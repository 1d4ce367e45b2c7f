//! Inbound authentication: HTTP Basic, a static API key header or a static bearer token, any of the
//! configured ones. Ping and the docs need no credentials; nothing else is anonymous unless configured.
//! When the admin API is mounted, `/admin` and below are left to its own guard (see `admin`), so
//! Orange's credentials never open it. Shared by `http` (Orange's routes) and `admin` (which
//! refuses Orange's credentials).

use base64::Engine;
use poem::http::StatusCode;
use poem::{Endpoint, Middleware, Request, Result};

/// Why a request's credentials were refused: Orange's code 40 or 41, answered 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AuthFailure {
    #[error("missing credentials")]
    Missing,
    #[error("invalid credentials")]
    Invalid,
}

impl poem::error::ResponseError for AuthFailure {
    fn status(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }
}

/// The accepted credentials.
#[derive(Debug, Clone, Default)]
pub struct InboundAuth {
    pub basic: Option<(String, String)>,
    pub api_key: Option<(String, String)>,
    pub bearer: Option<String>,
    pub allow_anonymous: bool,
    /// `/admin` and below are checked by the admin API's guard, not here.
    pub admin_delegated: bool,
}

impl InboundAuth {
    fn is_public(path: &str) -> bool {
        path == "/ping"
            || path == "/openapi.json"
            || path == "/openapi.yaml"
            || path == "/docs"
            || path.starts_with("/docs/")
    }

    /// `Ok` when the request carries one of the accepted credentials.
    pub(crate) fn check(&self, req: &Request) -> Result<(), AuthFailure> {
        let mut presented = false;
        if let Some((header, key)) = &self.api_key
            && let Some(value) = req.headers().get(header.as_str())
        {
            presented = true;
            if constant_time_eq(value.as_bytes(), key.as_bytes()) {
                return Ok(());
            }
        }
        if let Some(value) = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        {
            presented = true;
            let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
            let accepted = if scheme.eq_ignore_ascii_case("bearer") {
                self.bearer
                    .as_ref()
                    .is_some_and(|token| constant_time_eq(rest.trim().as_bytes(), token.as_bytes()))
            } else if scheme.eq_ignore_ascii_case("basic") {
                self.basic.as_ref().is_some_and(|(user, password)| {
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(rest.trim())
                        .unwrap_or_default();
                    constant_time_eq(&decoded, format!("{user}:{password}").as_bytes())
                })
            } else {
                false
            };
            if accepted {
                return Ok(());
            }
        }
        if presented {
            Err(AuthFailure::Invalid)
        } else {
            Err(AuthFailure::Missing)
        }
    }
}

/// Whether a path belongs to the admin API.
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// Compares secrets without an early exit, so timing does not tell how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl<E: Endpoint> Middleware<E> for InboundAuth {
    type Output = AuthEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        AuthEndpoint {
            inner: ep,
            auth: self.clone(),
        }
    }
}

pub struct AuthEndpoint<E> {
    inner: E,
    auth: InboundAuth,
}

impl<E: Endpoint> Endpoint for AuthEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        let delegated = self.auth.admin_delegated && is_admin_path(path);
        if !self.auth.allow_anonymous
            && !delegated
            && !InboundAuth::is_public(path)
            && let Err(failure) = self.auth.check(&req)
        {
            tracing::warn!(reason = %failure, "refused credentials");
            return Err(failure.into());
        }
        self.inner.call(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn constant_time_eq_matches_only_equal_secrets() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }
}
