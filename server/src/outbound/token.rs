//! OAuth2 client credentials against Orange's gateway (`POST /oauth/v3/token`, Basic client
//! authentication, form body): one token cached until shortly before it expires, fetched once
//! however many senders wait for it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use obakit_api::product_ordering::client::ProductOrderingOrangeClient;
use obakit_api::product_ordering::handler::CreateAccessTokenResponse;
use obakit_api::product_ordering::types::{GrantType, TokenRequest};
use obakit_api::rt::{ClientCore, ClientError, TokenSource};

struct Cached {
    token: String,
    /// When to stop using it: a little before it expires, so it never expires in flight.
    renew_at: Instant,
}

/// A client-credentials token cache; implements the generated clients' [`TokenSource`].
pub struct OAuthTokens {
    client: ProductOrderingOrangeClient,
    cached: Mutex<Option<Cached>>,
    /// Held while a token is fetched: later callers wait and then find it cached.
    fetching: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl OAuthTokens {
    /// Tokens from the gateway at `gateway_url` for the given client.
    pub fn new(
        gateway_url: &str,
        http: reqwest::Client,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Self, ClientError> {
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{client_id}:{client_secret}"));
        let core = ClientCore::with_http(gateway_url, http)?
            .with_header("authorization", &format!("Basic {basic}"))?;
        Ok(Self {
            client: ProductOrderingOrangeClient::from_core(core),
            cached: Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        })
    }

    /// How many tokens were requested from the gateway so far.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn fresh(&self) -> Option<String> {
        let cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        cached
            .as_ref()
            .filter(|c| Instant::now() < c.renew_at)
            .map(|c| c.token.clone())
    }

    async fn get(&self) -> Result<String, ClientError> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _gate = self.fetching.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(crate::metrics::TOKEN_FETCHES).increment(1);
        let request = TokenRequest {
            grant_type: GrantType::ClientCredentials,
            scope: None,
        };
        let answer = self
            .client
            .create_access_token(&request)
            .await
            .map_err(|e| {
                metrics::counter!(crate::metrics::TOKEN_FAILURES).increment(1);
                ClientError::Token(e.to_string())
            })?;
        let token = match answer {
            CreateAccessTokenResponse::Ok(body) => body.0,
            CreateAccessTokenResponse::BadRequest(e)
            | CreateAccessTokenResponse::Unauthorized(e) => {
                metrics::counter!(crate::metrics::TOKEN_FAILURES).increment(1);
                return Err(ClientError::Token(format!(
                    "the gateway refused the client credentials: {} ({})",
                    e.0.message, e.0.code
                )));
            }
        };
        let lifetime = Duration::from_secs(u64::try_from(token.expires_in).unwrap_or(0));
        // Renew 30 s early, or a tenth of the lifetime for short-lived tokens.
        let margin = (lifetime / 10).min(Duration::from_secs(30));
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
            token: token.access_token.clone(),
            renew_at: Instant::now() + lifetime - margin,
        });
        tracing::debug!(expires_in = token.expires_in, "fetched an access token");
        Ok(token.access_token)
    }
}

impl TokenSource for OAuthTokens {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, ClientError>> + Send + '_>> {
        Box::pin(self.get())
    }

    fn invalidate(&self, token: &str) {
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if cached.as_ref().is_some_and(|c| c.token == token) {
            *cached = None;
        }
    }
}
