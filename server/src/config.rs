//! The server's typed configuration: defaults, then a TOML file, then `OBAKIT_…` environment
//! variables and command-line flags, validated once at start-up.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use obakit_api::profile::{ApiMode, Profile};
use serde::Deserialize;

/// Everything `obakit serve` needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://path` (created at first start) or `postgres://…`.
    pub database_url: String,
    pub auth: AuthConfig,
    /// Orange offer codes the partner sells → the partner's own plan name. Empty: every code is accepted.
    pub catalogue: BTreeMap<String, String>,
    pub provisioning: ProvisioningConfig,
    pub mode: ModeConfig,
    pub orange: OrangeConfig,
    pub limits: LimitsConfig,
    pub admin: AdminConfig,
    /// https instead of http, optionally with client certificates.
    pub tls: TlsConfig,
    /// Where `/metrics` (Prometheus text format) is served; off when unset.
    pub metrics_listen: Option<SocketAddr>,
    /// How long delivered events are kept.
    pub retention: RetentionConfig,
    /// The partner's Appendix 2 (`[profile]`, or `serve --profile FILE`); see [`ServeConfig::resolved`]
    /// for how it meets `[mode]` and `catalogue`.
    pub profile: Option<Profile>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://obakit.db".to_owned(),
            auth: AuthConfig::default(),
            catalogue: BTreeMap::new(),
            provisioning: ProvisioningConfig::default(),
            mode: ModeConfig::default(),
            orange: OrangeConfig::default(),
            limits: LimitsConfig::default(),
            admin: AdminConfig::default(),
            tls: TlsConfig::default(),
            metrics_listen: None,
            retention: RetentionConfig::default(),
            profile: None,
        }
    }
}

/// How Orange authenticates when it calls the partner. Any configured method is accepted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// HTTP Basic user name (with `basic_password`).
    pub basic_user: Option<String>,
    pub basic_password: Option<String>,
    /// A static API key, sent in `api_key_header`.
    pub api_key: Option<String>,
    /// The header carrying the API key.
    pub api_key_header: Option<String>,
    /// A static bearer token (`Authorization: Bearer …`).
    pub bearer_token: Option<String>,
    /// Accept requests without credentials. Off unless set explicitly.
    pub allow_anonymous: bool,
    /// Where generated credentials are kept when none are configured.
    pub credentials_file: Option<PathBuf>,
}

impl AuthConfig {
    pub fn api_key_header(&self) -> &str {
        self.api_key_header.as_deref().unwrap_or("X-API-Key")
    }
    pub fn has_credentials(&self) -> bool {
        (self.basic_user.is_some() && self.basic_password.is_some())
            || self.api_key.is_some()
            || self.bearer_token.is_some()
    }
}

/// The admin API under `/admin` (changes the partner makes, UC5, and dead events). Off unless a
/// credential is set here; it never accepts the credentials Orange calls with.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// A static bearer token (`Authorization: Bearer …`).
    pub token: Option<String>,
    /// HTTP Basic user name (with `basic_password`).
    pub basic_user: Option<String>,
    pub basic_password: Option<String>,
}

impl AdminConfig {
    /// Admin secrets shorter than this are refused: the admin API changes what Orange is told.
    pub const MIN_SECRET_CHARS: usize = 16;

    pub fn is_enabled(&self) -> bool {
        self.token.is_some() || (self.basic_user.is_some() && self.basic_password.is_some())
    }

    /// The configured secrets, named as in the configuration file.
    pub fn secrets(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("admin.token", self.token.as_deref()),
            ("admin.basic_password", self.basic_password.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, secret)| secret.map(|s| (name, s)))
    }

    /// Pairs that go together and secrets long enough.
    pub fn check(&self) -> Result<(), String> {
        if self.basic_user.is_some() != self.basic_password.is_some() {
            return Err("admin.basic_user and admin.basic_password go together".into());
        }
        for (name, secret) in self.secrets() {
            if secret.chars().count() < Self::MIN_SECRET_CHARS {
                return Err(format!(
                    "{name} needs at least {} characters",
                    Self::MIN_SECRET_CHARS
                ));
            }
        }
        Ok(())
    }
}

/// Where the partner's own platform learns about accounts to create.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvisioningConfig {
    /// POST one JSON document per action to this URL; unset: record only.
    pub webhook_url: Option<String>,
    /// How long the webhook may take, in milliseconds.
    pub webhook_timeout_ms: Option<u64>,
}

impl ProvisioningConfig {
    pub fn webhook_timeout(&self) -> Duration {
        Duration::from_millis(self.webhook_timeout_ms.unwrap_or(10_000))
    }
}

/// Answer now (`sync`) or acknowledge now and send the result as an event (`async`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Sync,
    Async,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sync" => Ok(Mode::Sync),
            "async" => Ok(Mode::Async),
            other => Err(format!("`{other}` is not a mode (sync or async)")),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModeConfig {
    pub product_ordering: Mode,
    pub user_service: Mode,
}

/// Orange's gateway, for events (asynchronous answers and partner-initiated changes).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrangeConfig {
    pub gateway_url: String,
    /// `mba2` (production) or `mba2-beta` (integration).
    pub offer: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Delivery attempts before an event is parked as dead.
    pub max_attempts: u32,
    /// How long one delivery may take, in milliseconds. A delivery cut by a crash waits this long
    /// (plus a margin) before another dispatcher takes the event over.
    pub request_timeout_ms: u64,
    /// How long an event keeps being retried (every ten minutes) while the gateway answers 403
    /// or 404 (subscription pending, API not yet published), in hours.
    pub unpublished_horizon_hours: u64,
}

impl Default for OrangeConfig {
    fn default() -> Self {
        Self {
            gateway_url: "https://ope.apibackbone.orange.com".to_owned(),
            offer: "mba2-beta".to_owned(),
            client_id: None,
            client_secret: None,
            max_attempts: 20,
            request_timeout_ms: 30_000,
            unpublished_horizon_hours: 72,
        }
    }
}

/// Request body caps, in bytes, per operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    pub product_order_bytes: usize,
    pub user_service_update_bytes: usize,
    pub other_bytes: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        // An order for 10,000 licenses with end users is a few MB; nothing else is large.
        Self {
            product_order_bytes: 16 << 20,
            user_service_update_bytes: 8 << 20,
            other_bytes: 1 << 20,
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    File {
        path: PathBuf,
        source: config::ConfigError,
    },
    #[error("invalid setting: {0}")]
    Invalid(String),
}

impl ServeConfig {
    /// Defaults overlaid with the TOML file at `path`, if any.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        config::Config::builder()
            .add_source(config::File::from(path).format(config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|source| ConfigError::File {
                path: path.to_path_buf(),
                source,
            })
    }

    /// Checks what a type cannot: pairs that go together, URLs that parse.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.auth.basic_user.is_some() != self.auth.basic_password.is_some() {
            return Err(ConfigError::Invalid(
                "auth.basic_user and auth.basic_password go together".into(),
            ));
        }
        self.validate_admin()?;
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(format!(
                "database_url `{}` is neither sqlite:… nor postgres://…",
                self.database_url
            )));
        }
        if let Some(url) = &self.provisioning.webhook_url {
            reqwest::Url::parse(url).map_err(|e| {
                ConfigError::Invalid(format!("provisioning.webhook_url `{url}`: {e}"))
            })?;
        }
        reqwest::Url::parse(&self.orange.gateway_url).map_err(|e| {
            ConfigError::Invalid(format!(
                "orange.gateway_url `{}`: {e}",
                self.orange.gateway_url
            ))
        })?;
        self.tls.check().map_err(ConfigError::Invalid)?;
        Ok(())
    }

    /// The configuration with the profile folded in. The profile is the partner's Appendix 2;
    /// `[mode]` and `catalogue` (and their flags) are shorthands for parts of it, kept working:
    /// without a profile they are all there is; with one, the profile's modes and offers are
    /// used, and a shorthand that says otherwise is refused rather than silently overridden.
    pub fn resolved(&self) -> Result<Self, ConfigError> {
        let mut config = self.clone();
        let Some(profile) = &self.profile else {
            return Ok(config);
        };
        let mode = |api: ApiMode| match api {
            ApiMode::Sync => Mode::Sync,
            ApiMode::Async => Mode::Async,
        };
        let modes = ModeConfig {
            product_ordering: mode(profile.product_ordering),
            user_service: mode(profile.user_service),
        };
        if self.mode != ModeConfig::default() && self.mode != modes {
            return Err(ConfigError::Invalid(format!(
                "[mode] says {:?}/{:?} but the profile says {:?}/{:?}: set the modes in the profile only",
                self.mode.product_ordering,
                self.mode.user_service,
                modes.product_ordering,
                modes.user_service
            )));
        }
        config.mode = modes;
        if !profile.offers.is_empty() {
            let offers: BTreeMap<String, String> = profile
                .offers
                .iter()
                .map(|(code, offer)| (code.clone(), offer.plan.clone().unwrap_or(code.clone())))
                .collect();
            if !self.catalogue.is_empty() && self.catalogue != offers {
                return Err(ConfigError::Invalid(
                    "catalogue and the profile's [offers] both name offers: name them in the profile only"
                        .into(),
                ));
            }
            config.catalogue = offers;
        }
        Ok(config)
    }

    /// The admin credentials stand on their own: strong enough, and never one of Orange's (the
    /// generated Basic password is compared when the app is built, see `admin::AdminCredentials`).
    fn validate_admin(&self) -> Result<(), ConfigError> {
        self.admin.check().map_err(ConfigError::Invalid)?;
        let partner = [
            &self.auth.basic_password,
            &self.auth.api_key,
            &self.auth.bearer_token,
        ];
        for (name, secret) in self.admin.secrets() {
            if partner.iter().any(|p| p.as_deref() == Some(secret)) {
                return Err(ConfigError::Invalid(format!(
                    "{name} is one of the credentials Orange calls with; the admin API needs its own"
                )));
            }
        }
        Ok(())
    }
}

/// https: a certificate chain and its key, PEM files read at start and again on SIGHUP.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// The server's certificate chain (PEM), leaf first.
    pub cert: Option<PathBuf>,
    /// The private key of the leaf certificate (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
    /// Certificate authorities (PEM) a client certificate must chain to; set: a client without
    /// such a certificate is refused during the handshake.
    pub client_ca: Option<PathBuf>,
}

impl TlsConfig {
    pub fn is_enabled(&self) -> bool {
        self.cert.is_some()
    }

    /// The certificate and its key go together, and a client CA needs https.
    pub fn check(&self) -> Result<(), String> {
        if self.cert.is_some() != self.key.is_some() {
            return Err("tls.cert and tls.key go together".into());
        }
        if self.client_ca.is_some() && self.cert.is_none() {
            return Err("tls.client_ca needs tls.cert and tls.key".into());
        }
        Ok(())
    }
}

/// How long finished events stay in the outbox.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Delivered events older than this many days are deleted; 0 keeps them forever. Pending and
    /// dead events are never deleted.
    pub delivered_days: u32,
    /// Rows deleted per statement, so a prune never holds the writer for long.
    pub batch: u32,
    /// How often the prune runs, in seconds.
    pub interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            delivered_days: 30,
            batch: 500,
            interval_secs: 3600,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_profile(text: &str) -> ServeConfig {
        ServeConfig {
            profile: Some(Profile::parse(text).expect("a valid profile")),
            ..ServeConfig::default()
        }
    }

    #[test]
    fn the_profile_sets_the_modes_and_the_offers() {
        let config = with_profile(
            "product_ordering = \"async\"\n[offers.PO-A]\nplan = \"gold\"\n[offers.PO-B]\n",
        )
        .resolved()
        .expect("resolved");
        assert_eq!(config.mode.product_ordering, Mode::Async);
        assert_eq!(config.mode.user_service, Mode::Sync);
        assert_eq!(
            config.catalogue.into_iter().collect::<Vec<_>>(),
            [
                ("PO-A".into(), "gold".into()),
                ("PO-B".into(), "PO-B".into())
            ]
        );
    }

    #[test]
    fn mode_and_catalogue_still_work_without_a_profile_or_beside_one_that_agrees() {
        let mut config = with_profile("user_service = \"async\"\n");
        config.mode.user_service = Mode::Async;
        config.catalogue.insert("PO-A".into(), "gold".into());
        let resolved = config.resolved().expect("no disagreement");
        assert_eq!(resolved.mode.user_service, Mode::Async);
        assert_eq!(resolved.catalogue.len(), 1, "the profile names no offer");
    }

    #[test]
    fn a_mode_that_contradicts_the_profile_is_refused() {
        let mut config = with_profile("product_ordering = \"sync\"\n");
        config.mode.product_ordering = Mode::Async;
        let error = config.resolved().expect_err("a contradiction");
        assert!(error.to_string().contains("profile"), "{error}");
    }
}
