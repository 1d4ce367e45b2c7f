//! The `obakit simulate` command: flags (and the partner's profile) → a [`SimulateConfig`], the
//! mock gateway when events are expected, the run, the report, and the exit code (0 unless a
//! contract check failed, or with `--strict` a decision check).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::report::Format;
use super::{Credentials, Gateway, Progress, SimulateConfig, run};
use crate::mock_orange::MockOrangeConfig;

/// Where the mock gateway listens when none is named (the default of `obakit mock-orange`).
const DEFAULT_MOCK_LISTEN: &str = "127.0.0.1:8090";

/// Flags of `obakit simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The partner's base URL, as registered with Orange (e.g. https://partner.example.com/api).
    #[arg(long, env = "OBAKIT_SIMULATE_TARGET")]
    pub target: String,
    /// HTTP Basic user the partner expects from Orange (with --basic-password).
    #[arg(long, env = "OBAKIT_SIMULATE_BASIC_USER", requires = "basic_password")]
    pub basic_user: Option<String>,
    /// HTTP Basic password the partner expects from Orange.
    #[arg(
        long,
        env = "OBAKIT_SIMULATE_BASIC_PASSWORD",
        hide_env_values = true,
        requires = "basic_user"
    )]
    pub basic_password: Option<String>,
    /// Static API key the partner expects from Orange.
    #[arg(long, env = "OBAKIT_SIMULATE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Header carrying the API key.
    #[arg(
        long,
        env = "OBAKIT_SIMULATE_API_KEY_HEADER",
        default_value = "X-API-Key"
    )]
    pub api_key_header: String,
    /// Static bearer token the partner expects from Orange (instead of Basic).
    #[arg(
        long,
        env = "OBAKIT_SIMULATE_BEARER_TOKEN",
        hide_env_values = true,
        conflicts_with = "basic_user"
    )]
    pub bearer_token: Option<String>,
    /// The partner answers asynchronously: run a mock Orange gateway for its events (see
    /// --mock-listen). Without this flag an `acknowledged` answer is still detected, but its event
    /// cannot be received unless --mock-listen or --mock-url is given.
    #[arg(long = "async")]
    pub asynchronous: bool,
    /// Run the mock Orange gateway here [default with --async: 127.0.0.1:8090]. Configure the
    /// partner's Orange gateway URL and client credentials with what is printed at start.
    #[arg(long, conflicts_with = "mock_url")]
    pub mock_listen: Option<SocketAddr>,
    /// Use a mock Orange gateway already running (`obakit mock-orange`) at this URL.
    #[arg(long)]
    pub mock_url: Option<String>,
    /// OAuth2 client id the simulator's mock gateway accepts.
    #[arg(long, default_value = "obakit")]
    pub mock_client_id: String,
    /// OAuth2 client secret the simulator's mock gateway accepts.
    #[arg(long, default_value = "obakit-secret")]
    pub mock_client_secret: String,
    /// Seconds to wait for the event that follows an acknowledged answer.
    #[arg(long, default_value_t = 30)]
    pub event_timeout: u64,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 30)]
    pub request_timeout: u64,
    /// Orange catalogue code ordered (one the partner sells) [default: the profile's first offer,
    /// else PO-BUSAPP-STARTER].
    #[arg(long)]
    pub offer: Option<String>,
    /// Orange catalogue code one license is swapped to (optional feature) [default: the
    /// profile's second offer, else PO-BUSAPP-PREMIUM].
    #[arg(long)]
    pub swap_offer: Option<String>,
    /// The partner's Appendix 2 (the same TOML file `obakit serve --profile` reads): which
    /// optional features to expect, the characteristics to send per offer, sync or async per API.
    /// Without it the report says that today's defaults were used.
    #[arg(long, env = "OBAKIT_SIMULATE_PROFILE")]
    pub profile: Option<PathBuf>,
    /// Decision checks (our reading where Orange is silent) fail the run too, not only warn.
    #[arg(long)]
    pub strict: bool,
    /// Keep every exchange with the partner as a JSON file in this directory.
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Report format: text (for a person), json, junit (XML for CI) or html (one page to attach).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub report: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long)]
    pub report_file: Option<PathBuf>,
    /// No progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

impl SimulateArgs {
    pub fn config(&self) -> anyhow::Result<SimulateConfig> {
        let profile = self
            .profile
            .as_deref()
            .map(obakit_api::profile::Profile::load)
            .transpose()?;
        let declared: Vec<&String> = profile.iter().flat_map(|p| p.offers.keys()).collect();
        let defaults = SimulateConfig::new(&self.target);
        let offer = self
            .offer
            .clone()
            .or_else(|| declared.first().map(|o| (*o).clone()))
            .unwrap_or(defaults.offer);
        let swap_offer = self
            .swap_offer
            .clone()
            .or_else(|| {
                declared
                    .iter()
                    .find(|o| ***o != offer)
                    .map(|o| (*o).clone())
            })
            .unwrap_or(defaults.swap_offer);
        Ok(SimulateConfig {
            credentials: Credentials {
                basic: self.basic_user.clone().zip(self.basic_password.clone()),
                api_key: self
                    .api_key
                    .clone()
                    .map(|key| (self.api_key_header.clone(), key)),
                bearer: self.bearer_token.clone(),
            },
            request_timeout: Duration::from_secs(self.request_timeout),
            event_timeout: Duration::from_secs(self.event_timeout),
            offer,
            swap_offer,
            profile_source: self
                .profile
                .as_ref()
                .map(|p| format!("{} (--profile)", p.display())),
            profile,
            strict: self.strict,
            record: self.record.clone(),
            progress: if self.quiet {
                Progress::Silent
            } else {
                Progress::Stderr
            },
            ..SimulateConfig::new(&self.target)
        })
    }

    /// The gateway events are read from: a remote mock, one run here, or none.
    async fn gateway(&self) -> anyhow::Result<Option<Gateway>> {
        if let Some(url) = &self.mock_url {
            return Ok(Some(Gateway::remote(url, reqwest::Client::new())));
        }
        if !self.asynchronous && self.mock_listen.is_none() {
            return Ok(None);
        }
        let listen = match self.mock_listen {
            Some(listen) => listen,
            None => DEFAULT_MOCK_LISTEN.parse()?,
        };
        let config = MockOrangeConfig {
            client_id: self.mock_client_id.clone(),
            client_secret: self.mock_client_secret.clone(),
            token_ttl: Duration::from_secs(3600),
        };
        let gateway = Gateway::start(listen, config)
            .await
            .with_context(|| format!("starting the mock Orange gateway on {listen}"))?;
        eprintln!(
            "mock Orange gateway at {url}: the partner sends its events there \
             (Orange gateway URL {url}, client id {id}, client secret {secret})",
            url = gateway.url(),
            id = self.mock_client_id,
            secret = self.mock_client_secret,
        );
        Ok(Some(gateway))
    }
}

/// Runs `obakit simulate`; exits with status 1 when a check that fails the run failed.
/// Runs `obakit simulate`; the exit code is the verdict (failure when a check failed).
pub async fn run_cli(args: SimulateArgs) -> anyhow::Result<std::process::ExitCode> {
    let config = args.config()?;
    let gateway = args.gateway().await?;
    if !args.quiet {
        eprintln!("obakit simulate: playing Orange against {}", config.target);
    }
    let report = run(&config, gateway.as_ref()).await?;
    let rendered = report.render(args.report);
    match &args.report_file {
        Some(path) => {
            std::fs::write(path, &rendered)
                .with_context(|| format!("writing the report to {}", path.display()))?;
            let failing = report.failing();
            eprintln!(
                "report written to {}: {} ({} decision warnings)",
                path.display(),
                if failing.is_empty() {
                    "PASSED".to_owned()
                } else {
                    format!("FAILED ({} checks)", failing.len())
                },
                report.warnings().len()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(rendered.as_bytes())?;
            out.flush()?;
        }
    }
    drop(gateway);
    // The exit status is the verdict a CI job reads. Returned rather than exiting here, so the
    // caller's log writer still writes its last lines.
    Ok(if report.passed() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}
