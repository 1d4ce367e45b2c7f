//! Orange's standard sequence, played against a partner: the steps of the getting-started table
//! and the contract's use cases, in order, each step leaving checks behind.
//!
//! A step drives the generated clients (through the tap, so raw bytes are kept too) and then
//! checks the answer three ways: against the spec (status and schema: the generated client's
//! decoding), against the wire rules (raw JSON) and against the contract (states, ids, counts,
//! verified by reading back). A step whose prerequisite failed records that it could not run.

mod bad_input;
mod bodies;
mod licenses;
mod model;
mod orders;
mod robustness;

use obakit_api::product_ordering::client::ProductOrderingPartnerClient;
use obakit_api::rt::{ClientCore, ClientError};
use obakit_api::user_service::client::UserServicePartnerClient;

use super::async_events::{Events, Gateway};
use super::checks::{Checks, Feature, empty_nodes, shorten};
use super::tap::{Exchange, Tap};
use super::{Credentials, SimulateConfig};
use bodies::Bodies;
use model::Model;

/// Longest body quoted in a report line.
const QUOTE: usize = 240;

pub(super) struct Run<'g> {
    config: &'g SimulateConfig,
    tap: Tap,
    http: reqwest::Client,
    orders: ProductOrderingPartnerClient,
    licenses: UserServicePartnerClient,
    checks: Checks,
    events: Events<'g>,
    bodies: Bodies,
    model: Model,
    saved: orders::Saved,
    /// The partner answered `acknowledged` at least once.
    acknowledged: bool,
    /// ProductOrdering answered `acknowledged` at least once.
    orders_acknowledged: bool,
    /// UserService answered `acknowledged` at least once.
    updates_acknowledged: bool,
    /// A license showed a login, or a rightOperation event arrived (the optional login feature).
    login_seen: bool,
    /// The last request checked by [`Run::spec`] got an answer (any status).
    answered: bool,
}

impl<'g> Run<'g> {
    pub(super) async fn new(
        config: &'g SimulateConfig,
        gateway: Option<&'g Gateway>,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()?;
        let tap = Tap::start(&config.target, http.clone(), config.record.clone()).await?;
        let core = client_core(tap.url(), &http, &config.credentials)?;
        Ok(Self {
            orders: ProductOrderingPartnerClient::from_core(core.clone()),
            licenses: UserServicePartnerClient::from_core(core),
            tap,
            http,
            checks: Checks::new(
                config.progress,
                super::levels::Levels::new(config.profile.clone()),
            ),
            events: Events::new(gateway, config.event_timeout),
            bodies: Bodies::new(&config.offer, &config.swap_offer, config.profile.as_ref()),
            model: Model::default(),
            saved: orders::Saved::default(),
            acknowledged: false,
            orders_acknowledged: false,
            updates_acknowledged: false,
            login_seen: false,
            answered: false,
            config,
        })
    }

    /// Plays every step; returns the checks and whether the partner answered asynchronously.
    pub(super) async fn play(mut self) -> (Vec<super::Check>, bool) {
        // A partner that does not answer at all would fail every check the same way: say it once.
        if !self.ping().await {
            return (self.checks.into_list(), false);
        }
        self.uc1().await;
        self.uc2().await;
        self.consult().await;
        self.uc3().await;
        self.uc3_unknown_fleet().await;
        self.consult_again().await;
        self.suspend().await;
        self.reactivate().await;
        self.update_with_unknown_id().await;
        self.swap().await;
        self.delete().await;
        self.update_terminated().await;
        self.replays().await;
        self.update_sequences().await;
        self.tolerance().await;
        self.modes();
        self.bad_input().await;
        self.limits().await;
        self.optional_configuration().await;
        self.partner_initiated_events().await;
        self.login().await;
        let acknowledged = self.acknowledged;
        (self.checks.into_list(), acknowledged)
    }

    /// The exchange the last client call made through the tap; the checks made next quote it.
    fn exchange(&mut self) -> Option<Exchange> {
        let exchange = self.tap.take().pop();
        self.checks.on(exchange.as_ref().map(Exchange::excerpt));
        exchange
    }

    /// Records `<step>.spec` (the expected status with a body the generated client decoded) and
    /// `<step>.wire` (no empty optional nodes). `pick` returns the payload of the expected
    /// answer, `None` for another answer the spec declares.
    fn spec<R, T>(
        &mut self,
        step: &str,
        feature: Feature,
        expected: &str,
        result: Result<R, ClientError>,
        pick: impl FnOnce(R) -> Option<T>,
    ) -> Option<T> {
        let exchange = self.exchange();
        self.answered = exchange.as_ref().is_some_and(|e| e.status.is_some());
        let (value, actual) = match result {
            Ok(answer) => match pick(answer) {
                Some(value) => (
                    Some(value),
                    format!("{}, body matches the spec", status(exchange.as_ref())),
                ),
                None => (None, quote(exchange.as_ref())),
            },
            Err(e) => (None, client_error(&e, exchange.as_ref())),
        };
        self.checks.add(
            format!("{step}.spec"),
            feature,
            value.is_some(),
            expected,
            actual,
        );
        self.wire(step, feature, exchange.as_ref());
        value
    }

    /// As [`Run::spec`], but a 2xx other than the one the spec declares still passes `.spec` when
    /// its body is the resource (Orange publishes the resources, the exact status is ours): the
    /// status then fails `<step>.status`, a decision check.
    fn spec_resource<R, T: poem_openapi::types::ParseFromJSON>(
        &mut self,
        step: &str,
        feature: Feature,
        expected: &str,
        result: Result<R, ClientError>,
        pick: impl FnOnce(R) -> Option<T>,
    ) -> Option<T> {
        if let Err(ClientError::UnexpectedStatus { status, body }) = &result
            && (200..300).contains(status)
            && let Ok(value) = obakit_api::rt::decode_json::<T>(*status, body.as_bytes())
        {
            let exchange = self.exchange();
            self.answered = true;
            self.checks.add(
                format!("{step}.spec"),
                feature,
                true,
                expected,
                format!("{status}, body matches the spec"),
            );
            self.checks.add(
                format!("{step}.status"),
                feature,
                false,
                "the status the spec declares: 201 for a productOrder, 200 for the others",
                format!("{status}, a status the spec does not declare for this answer"),
            );
            self.wire(step, feature, exchange.as_ref());
            return Some(value);
        }
        self.spec(step, feature, expected, result, pick)
    }

    /// `<step>.wire` on a JSON answer.
    fn wire(&mut self, step: &str, feature: Feature, exchange: Option<&Exchange>) {
        if let Some(json) = exchange.and_then(Exchange::json) {
            self.checks.findings(
                format!("{step}.wire"),
                feature,
                "no null, {} or [] for an optional property",
                empty_nodes(&json),
                "no empty node",
            );
        }
    }

    /// Records that `id` could not be checked (an earlier step failed): skipped, not failed.
    fn not_run(&mut self, id: &str, feature: Feature, expected: &str, why: &str) {
        self.checks
            .skip(id, feature, expected, format!("not run: {why}"));
    }

    /// A raw request through the tap (for bodies the generated types cannot express).
    fn raw(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut builder = self.http.request(
            method,
            format!("{}{}", self.tap.url(), path.trim_start_matches('/')),
        );
        for (name, value) in self.config.credentials.headers() {
            builder = builder.header(name, value);
        }
        builder
    }

    /// Generated clients with other credentials (none, or wrong ones).
    fn clients_with(
        &self,
        credentials: &Credentials,
    ) -> Result<(ProductOrderingPartnerClient, UserServicePartnerClient), ClientError> {
        let core = client_core(self.tap.url(), &self.http, credentials)?;
        Ok((
            ProductOrderingPartnerClient::from_core(core.clone()),
            UserServicePartnerClient::from_core(core),
        ))
    }
}

fn client_core(
    base: &str,
    http: &reqwest::Client,
    credentials: &Credentials,
) -> Result<ClientCore, ClientError> {
    let mut core = ClientCore::with_http(base, http.clone())?;
    for (name, value) in credentials.headers() {
        core = core.with_header(&name, &value)?;
    }
    Ok(core)
}

/// `201` (or why there was no status).
fn status(exchange: Option<&Exchange>) -> String {
    match exchange {
        Some(Exchange {
            status: Some(s), ..
        }) => s.to_string(),
        Some(Exchange {
            request,
            error: Some(e),
            ..
        }) => format!("no answer to {request}: {e}"),
        _ => "no answer".to_owned(),
    }
}

/// `400 {"code":22,…}`: the status and the start of the body.
fn quote(exchange: Option<&Exchange>) -> String {
    match exchange {
        Some(e) if e.status.is_some() => {
            let body = e.body_text();
            if body.trim().is_empty() {
                format!("{} with no body", status(Some(e)))
            } else {
                format!("{} {}", status(Some(e)), shorten(&body, QUOTE))
            }
        }
        other => status(other),
    }
}

/// Why the generated client could not produce one of the spec's answers.
fn client_error(error: &ClientError, exchange: Option<&Exchange>) -> String {
    if let Some(Exchange {
        request,
        status: None,
        error: Some(e),
        ..
    }) = exchange
    {
        return format!("no answer to {request}: {e}");
    }
    match error {
        ClientError::UnexpectedStatus { status, body } => format!(
            "{status}, a status the spec does not declare for this operation: {}",
            shorten(body, QUOTE)
        ),
        ClientError::InvalidBody {
            status,
            reason,
            body,
        } => format!(
            "{status} but the body does not match the spec ({}): {}",
            shorten(reason, QUOTE),
            shorten(&String::from_utf8_lossy(body), QUOTE)
        ),
        other => other.to_string(),
    }
}
