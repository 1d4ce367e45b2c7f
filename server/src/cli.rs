//! The `obakit` command line: the subcommands, and `serve`'s flags mapped onto the typed
//! configuration. The flags of `simulate` and `mock-orange` live beside their code, in
//! `obakit-simulator`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Mode, ServeConfig};

/// obakit: the Orange Business Applications partner server.
#[derive(Debug, Parser)]
#[command(name = "obakit", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve Orange's ProductOrdering and UserService APIs (Swagger UI at /docs).
    ///
    /// Settings come from defaults, then the TOML file given by --config, then OBAKIT_… environment
    /// variables, then flags. Each flag below names its environment variable.
    Serve(Box<ServeArgs>),
    /// Run a local stand-in for Orange's gateway: OAuth2 token endpoint, both event endpoints
    /// (bearer token and body checked), a record of what arrived (GET /_mock/events) and
    /// switchable faults (PUT /_mock/faults with {"unavailable", "rejectTokens",
    /// "tokenEndpointUnavailable", "refuseEvents", "delayMs"}).
    MockOrange(obakit_simulator::mock_orange::MockOrangeArgs),
    /// Inspect and replay events to Orange that were given up on (parked as dead).
    Events(crate::events_cli::EventsArgs),
    /// Change a license as the partner (UC5): end user, realizing resource, login,
    /// characteristics. Works on the database; the updateNotification for Orange is queued with
    /// the change and a running server delivers it.
    License(crate::admin::cli::LicenseArgs),
    /// Play Orange against a partner's server (the standard sequence, replays, bad requests and,
    /// for an asynchronous partner, its events) and report check by check.
    Simulate(Box<obakit_simulator::simulate::SimulateArgs>),
}

/// Flags of `obakit serve`; each overrides the same setting of the configuration file.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML configuration file (keys as in the flags: listen, database_url, [auth], [catalogue], [provisioning], [mode], [orange], [limits], [admin], [profile], [tls], metrics_listen, [retention]).
    #[arg(long, env = "OBAKIT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "OBAKIT_LISTEN")]
    pub listen: Option<std::net::SocketAddr>,
    /// Database: sqlite://FILE (created at first start) or postgres://… [default: sqlite://obakit.db].
    #[arg(long, env = "OBAKIT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// HTTP Basic user Orange calls with (with --basic-password).
    #[arg(long, env = "OBAKIT_BASIC_USER")]
    pub basic_user: Option<String>,
    /// HTTP Basic password Orange calls with.
    #[arg(long, env = "OBAKIT_BASIC_PASSWORD", hide_env_values = true)]
    pub basic_password: Option<String>,
    /// Static API key Orange sends in the API-key header.
    #[arg(long, env = "OBAKIT_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Header carrying the API key [default: X-API-Key].
    #[arg(long, env = "OBAKIT_API_KEY_HEADER")]
    pub api_key_header: Option<String>,
    /// Static bearer token Orange sends (Authorization: Bearer …).
    #[arg(long, env = "OBAKIT_BEARER_TOKEN", hide_env_values = true)]
    pub bearer_token: Option<String>,
    /// Accept calls without credentials. Without any credentials configured and without this flag,
    /// credentials are generated at first start, printed once and kept in --credentials-file.
    #[arg(long, env = "OBAKIT_ALLOW_ANONYMOUS")]
    pub allow_anonymous: bool,
    /// Where generated credentials are kept [default: obakit-credentials.toml beside the SQLite file, or in the working folder].
    #[arg(long, env = "OBAKIT_CREDENTIALS_FILE")]
    pub credentials_file: Option<PathBuf>,
    /// Offer catalogue: comma-separated ORANGE_CODE=PLAN pairs; orders and swaps naming another code fail.
    #[arg(long, env = "OBAKIT_CATALOGUE", value_delimiter = ',')]
    pub catalogue: Option<Vec<String>>,
    /// The partner's Appendix 2 as a TOML file (modes, features, offers and their required
    /// characteristics); the same file `obakit simulate --profile` reads. Replaces `[profile]`.
    #[arg(long, env = "OBAKIT_PROFILE")]
    pub profile: Option<PathBuf>,
    /// Provisioning webhook: one POST of JSON per action to this URL (unset: record only).
    #[arg(long, env = "OBAKIT_PROVISIONING_WEBHOOK_URL")]
    pub provisioning_webhook_url: Option<String>,
    /// Provisioning webhook timeout in milliseconds [default: 10000].
    #[arg(long, env = "OBAKIT_PROVISIONING_WEBHOOK_TIMEOUT_MS")]
    pub provisioning_webhook_timeout_ms: Option<u64>,
    /// ProductOrdering answers: sync (completed/failed now) or async (acknowledged now, event later) [default: sync].
    #[arg(long, env = "OBAKIT_PRODUCT_ORDERING_MODE")]
    pub product_ordering_mode: Option<Mode>,
    /// UserService update answers: sync or async [default: sync].
    #[arg(long, env = "OBAKIT_USER_SERVICE_MODE")]
    pub user_service_mode: Option<Mode>,
    /// Orange gateway base URL for events and tokens [default: https://ope.apibackbone.orange.com].
    #[arg(long, env = "OBAKIT_ORANGE_GATEWAY_URL")]
    pub orange_gateway_url: Option<String>,
    /// Orange offer in event paths: mba2 (production) or mba2-beta (integration) [default: mba2-beta].
    #[arg(long, env = "OBAKIT_ORANGE_OFFER")]
    pub orange_offer: Option<String>,
    /// OAuth2 client id for Orange's gateway.
    #[arg(long, env = "OBAKIT_ORANGE_CLIENT_ID")]
    pub orange_client_id: Option<String>,
    /// OAuth2 client secret for Orange's gateway.
    #[arg(long, env = "OBAKIT_ORANGE_CLIENT_SECRET", hide_env_values = true)]
    pub orange_client_secret: Option<String>,
    /// Event delivery attempts before an event is parked as dead [default: 20].
    #[arg(long, env = "OBAKIT_ORANGE_MAX_ATTEMPTS")]
    pub orange_max_attempts: Option<u32>,
    /// How long one delivery to Orange may take, in milliseconds [default: 30000].
    #[arg(long, env = "OBAKIT_ORANGE_REQUEST_TIMEOUT_MS")]
    pub orange_request_timeout_ms: Option<u64>,
    /// Bearer token of the admin API under /admin (at least 16 characters; never one of Orange's
    /// credentials). Without an admin credential the admin API is off.
    #[arg(long, env = "OBAKIT_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// HTTP Basic user of the admin API (with --admin-basic-password).
    #[arg(long, env = "OBAKIT_ADMIN_BASIC_USER")]
    pub admin_basic_user: Option<String>,
    /// HTTP Basic password of the admin API (at least 16 characters).
    #[arg(long, env = "OBAKIT_ADMIN_BASIC_PASSWORD", hide_env_values = true)]
    pub admin_basic_password: Option<String>,
    /// Serve https with this certificate chain (PEM, leaf first; with --tls-key). Reloaded on SIGHUP.
    #[arg(long, env = "OBAKIT_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// Private key of the certificate (PEM). Reloaded on SIGHUP.
    #[arg(long, env = "OBAKIT_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Require a client certificate signed by one of these authorities (PEM); others are refused
    /// during the handshake. Reloaded on SIGHUP.
    #[arg(long, env = "OBAKIT_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (off when unset).
    #[arg(long, env = "OBAKIT_METRICS_LISTEN")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Delete delivered events older than this many days; 0 keeps them [default: 30].
    #[arg(long, env = "OBAKIT_RETENTION_DELIVERED_DAYS")]
    pub retention_delivered_days: Option<u32>,
}

impl ServeArgs {
    /// The configuration file overlaid with environment variables and flags.
    pub fn into_config(self) -> anyhow::Result<ServeConfig> {
        let mut c = ServeConfig::load(self.config.as_deref())?;
        macro_rules! set {
            ($flag:expr => $field:expr) => {
                if let Some(v) = $flag {
                    $field = v;
                }
            };
            ($flag:expr => some $field:expr) => {
                if let Some(v) = $flag {
                    $field = Some(v);
                }
            };
        }
        set!(self.listen => c.listen);
        set!(self.database_url => c.database_url);
        set!(self.basic_user => some c.auth.basic_user);
        set!(self.basic_password => some c.auth.basic_password);
        set!(self.api_key => some c.auth.api_key);
        set!(self.api_key_header => some c.auth.api_key_header);
        set!(self.bearer_token => some c.auth.bearer_token);
        set!(self.credentials_file => some c.auth.credentials_file);
        c.auth.allow_anonymous |= self.allow_anonymous;
        if let Some(pairs) = self.catalogue {
            for pair in pairs.iter().filter(|p| !p.trim().is_empty()) {
                let (code, plan) = pair.split_once('=').ok_or_else(|| {
                    anyhow::anyhow!("catalogue entry `{pair}` is not ORANGE_CODE=PLAN")
                })?;
                c.catalogue
                    .insert(code.trim().to_owned(), plan.trim().to_owned());
            }
        }
        if let Some(path) = &self.profile {
            c.profile = Some(obakit_api::profile::Profile::load(path)?);
        }
        set!(self.provisioning_webhook_url => some c.provisioning.webhook_url);
        set!(self.provisioning_webhook_timeout_ms => some c.provisioning.webhook_timeout_ms);
        set!(self.product_ordering_mode => c.mode.product_ordering);
        set!(self.user_service_mode => c.mode.user_service);
        set!(self.orange_gateway_url => c.orange.gateway_url);
        set!(self.orange_offer => c.orange.offer);
        set!(self.orange_client_id => some c.orange.client_id);
        set!(self.orange_client_secret => some c.orange.client_secret);
        set!(self.orange_max_attempts => c.orange.max_attempts);
        set!(self.orange_request_timeout_ms => c.orange.request_timeout_ms);
        set!(self.admin_token => some c.admin.token);
        set!(self.admin_basic_user => some c.admin.basic_user);
        set!(self.admin_basic_password => some c.admin.basic_password);
        set!(self.tls_cert => some c.tls.cert);
        set!(self.tls_key => some c.tls.key);
        set!(self.tls_client_ca => some c.tls.client_ca);
        set!(self.metrics_listen => some c.metrics_listen);
        set!(self.retention_delivered_days => c.retention.delivered_days);
        c.validate()?;
        c.resolved()?;
        Ok(c)
    }
}
