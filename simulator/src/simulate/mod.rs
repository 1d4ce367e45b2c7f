//! `obakit simulate`: plays Orange against a partner's server and reports, check by check,
//! whether it answers as the spec and the contract say.
//!
//! The run follows Orange's standard sequence (getting-started 2.2: ping, UC1, UC2, consultation,
//! UC3, consultation, suspension, reactivation, swap, deletion) plus what a conforming partner
//! must get right besides: replays, all-or-nothing updates, refusals of bad requests and, for an
//! asynchronous partner, the events that follow each `acknowledged` answer. Every finding is a
//! [`Check`] with a [`Level`]: the run passes when no contract check fails (and, with `--strict`,
//! no decision check either).

mod async_events;
mod checks;
mod cli;
mod html;
mod levels;
mod report;
mod scenario;
mod tap;

use std::time::{Duration, Instant};

use base64::Engine;

pub use async_events::Gateway;
pub use checks::{Check, Excerpt, Feature, Level, Outcome, Progress};
pub use cli::{SimulateArgs, run_cli};
pub use report::{Format, Report};

/// The credentials the partner expects from Orange; any combination, as the server accepts any.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// HTTP Basic user and password.
    pub basic: Option<(String, String)>,
    /// Header name and static API key.
    pub api_key: Option<(String, String)>,
    /// Static bearer token (sent instead of Basic when both are given: one Authorization header).
    pub bearer: Option<String>,
}

impl Credentials {
    pub fn is_empty(&self) -> bool {
        self.basic.is_none() && self.api_key.is_none() && self.bearer.is_none()
    }

    /// The headers every request carries.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if let Some(token) = &self.bearer {
            headers.push(("authorization".to_owned(), format!("Bearer {token}")));
        } else if let Some((user, password)) = &self.basic {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            headers.push(("authorization".to_owned(), format!("Basic {encoded}")));
        }
        if let Some((header, key)) = &self.api_key {
            headers.push((header.clone(), key.clone()));
        }
        headers
    }

    /// The same kinds of credentials with values no partner accepts.
    pub fn wrong(&self) -> Self {
        let wrong = |s: &str| format!("{s}-wrong");
        Self {
            basic: self
                .basic
                .as_ref()
                .map(|(user, password)| (user.clone(), wrong(password)))
                .or_else(|| {
                    self.bearer
                        .is_none()
                        .then(|| ("orange".into(), "wrong".into()))
                }),
            api_key: self.api_key.as_ref().map(|(h, k)| (h.clone(), wrong(k))),
            bearer: self.bearer.as_deref().map(wrong),
        }
    }
}

/// What to simulate against, and how.
#[derive(Debug, Clone)]
pub struct SimulateConfig {
    /// The partner's base URL (the one registered with Orange), e.g. `https://partner.example.com/api`.
    pub target: String,
    pub credentials: Credentials,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// How long to wait for the event that follows an `acknowledged` answer.
    pub event_timeout: Duration,
    /// Orange catalogue code of the offer ordered (must be one the partner sells).
    pub offer: String,
    /// The offer one license is swapped to (optional feature).
    pub swap_offer: String,
    /// The partner's Appendix 2 (`--profile`): what to expect and what to send. `None`: today's
    /// defaults (every optional feature reported only, no characteristic sent).
    pub profile: Option<obakit_api::profile::Profile>,
    /// Where the profile was read from, for the report.
    pub profile_source: Option<String>,
    /// Decision checks fail the run too.
    pub strict: bool,
    /// Keep every exchange as a JSON file in this directory (`--record`).
    pub record: Option<std::path::PathBuf>,
    pub progress: Progress,
}

impl SimulateConfig {
    /// Defaults: the spec's example offers, 30 s per request and per event, no progress lines.
    pub fn new(target: &str) -> Self {
        Self {
            target: target.to_owned(),
            credentials: Credentials::default(),
            request_timeout: Duration::from_secs(30),
            event_timeout: Duration::from_secs(30),
            offer: "PO-BUSAPP-STARTER".to_owned(),
            swap_offer: "PO-BUSAPP-PREMIUM".to_owned(),
            profile: None,
            profile_source: None,
            strict: false,
            record: None,
            progress: Progress::Silent,
        }
    }
}

/// Plays the whole sequence against `config.target`. Events are read from `gateway`; without
/// one, an `acknowledged` answer fails its event check. Errors only when the run cannot start.
pub async fn run(config: &SimulateConfig, gateway: Option<&Gateway>) -> anyhow::Result<Report> {
    reqwest::Url::parse(&config.target)
        .map_err(|e| anyhow::anyhow!("--target {}: {e}", config.target))?;
    let started = Instant::now();
    let date = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let run = scenario::Run::new(config, gateway).await?;
    let (checks, acknowledged) = run.play().await;
    if let (Some(dir), Some(gateway)) = (&config.record, gateway) {
        gateway
            .record(dir, chrono::DateTime::parse_from_rfc3339(&date).ok())
            .await;
    }
    let profile = match (&config.profile, &config.profile_source) {
        (Some(_), Some(source)) => source.clone(),
        (Some(_), None) => "given by the caller".to_owned(),
        (None, _) => "none given: today's defaults (the spec's example offers, no characteristic \
                      sent, optional features reported only, sync or async as the partner answers)"
            .to_owned(),
    };
    Ok(Report {
        target: config.target.clone(),
        mode: if acknowledged { "async" } else { "sync" }.to_owned(),
        profile,
        strict: config.strict,
        started: date,
        duration: started.elapsed(),
        checks,
    })
}
