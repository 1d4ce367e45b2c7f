//! The Orange side of asynchronous answers: a mock gateway the partner sends its events to (run
//! in-process or reached by URL), waiting for the event that answers an acknowledged request, and
//! the checks on that event.
//!
//! Events are matched on their raw JSON, so an event whose body the spec refuses is still found
//! and reported as such instead of looking like a timeout.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use obakit_api::common::types::Note;
use obakit_api::product_ordering::types::{ProductOrder, ProductOrderEvent, ProductOrderState};
use obakit_api::user_service::types::{
    UserService, UserServiceEvent, UserServiceEventResource, UserServiceUpdateState,
};
use std::sync::{Arc, Mutex};

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use poem_openapi::types::ParseFromJSON;
use tracing::instrument::WithSubscriber;

use super::checks::{Checks, Feature, empty_nodes, shorten};
use crate::mock_orange::{MockOrange, MockOrangeConfig, ReceivedEvent};

/// Where the partner's events arrive.
pub struct Gateway {
    url: String,
    kind: Kind,
}

enum Kind {
    /// The mock runs inside the simulator.
    InProcess {
        mock: MockOrange,
        task: tokio::task::JoinHandle<()>,
        /// Events the gateway refused for their body (400): they did arrive.
        refused_bodies: Arc<Mutex<Vec<ReceivedEvent>>>,
    },
    /// A mock gateway started elsewhere (`obakit mock-orange`), read through `/_mock/*`.
    Remote { http: reqwest::Client },
}

impl Gateway {
    /// Runs the mock gateway on `listen` (port 0: any free port).
    pub async fn start(listen: SocketAddr, config: MockOrangeConfig) -> std::io::Result<Self> {
        let mock = MockOrange::new(config);
        let acceptor = TcpListener::bind(listen).into_acceptor().await?;
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .ok_or_else(|| std::io::Error::other("the mock gateway has no TCP address"))?;
        let refused_bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = refused_bodies.clone();
        let routes = crate::mock_orange::routes(mock.clone())
            .around(move |ep, req| keep_refused_bodies(ep, req, kept.clone()));
        // Silences poem's own start-up lines; the simulator says where the gateway is.
        let task = tokio::spawn(
            async move {
                let _ = poem::Server::new_with_acceptor(acceptor).run(routes).await;
            }
            .with_subscriber(tracing::subscriber::NoSubscriber::default()),
        );
        Ok(Self {
            url: format!("http://{address}"),
            kind: Kind::InProcess {
                mock,
                task,
                refused_bodies,
            },
        })
    }

    /// A mock gateway already running at `url`.
    pub fn remote(url: &str, http: reqwest::Client) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            kind: Kind::Remote { http },
        }
    }

    /// The base URL the partner sends its token requests and events to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The client credentials the in-process mock accepts (`None` for a remote one).
    pub fn client_credentials(&self) -> Option<(&str, &str)> {
        match &self.kind {
            Kind::InProcess { mock, .. } => Some((
                mock.config().client_id.as_str(),
                mock.config().client_secret.as_str(),
            )),
            Kind::Remote { .. } => None,
        }
    }

    /// Events that reached the gateway with a valid token but whose body it refused (400): the
    /// partner did answer, in a layout our spec does not accept.
    fn refused_bodies(&self) -> Vec<ReceivedEvent> {
        match &self.kind {
            Kind::InProcess { refused_bodies, .. } => refused_bodies
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            Kind::Remote { .. } => Vec::new(),
        }
    }

    async fn events(&self) -> Result<Vec<ReceivedEvent>, String> {
        match &self.kind {
            Kind::InProcess { mock, .. } => Ok(mock.events()),
            Kind::Remote { http } => {
                let url = format!("{}/_mock/events", self.url);
                let response = http
                    .get(&url)
                    .send()
                    .await
                    .map_err(|e| format!("GET {url}: {e}"))?;
                response
                    .json()
                    .await
                    .map_err(|e| format!("GET {url}: not a list of events: {e}"))
            }
        }
    }

    /// `--record`: the events of the run that reached the gateway (accepted or refused for their
    /// body), one JSON file each, `event-NNNN-<api>.json`.
    pub(super) async fn record(
        &self,
        dir: &std::path::Path,
        since: Option<chrono::DateTime<chrono::FixedOffset>>,
    ) {
        let accepted = self.events().await.unwrap_or_default();
        let refused = self.refused_bodies();
        let run_events = accepted
            .into_iter()
            .map(|e| (e, true))
            .chain(refused.into_iter().map(|e| (e, false)))
            .filter(|(e, _)| since.is_none_or(|since| e.received_at >= since));
        for (n, (event, accepted)) in run_events.enumerate() {
            let path = dir.join(format!("event-{:04}-{}.json", n + 1, event.api));
            let record = serde_json::json!({
                "api": event.api,
                "offer": event.offer,
                "receivedAt": event.received_at.to_rfc3339(),
                "acceptedByTheGateway": accepted,
                "body": event.body,
            });
            let text = serde_json::to_string_pretty(&record).unwrap_or_default();
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("--record: writing {}: {e}", path.display());
            }
        }
    }

    /// How many calls the gateway refused (bad client credentials, bad token, invalid body).
    async fn refused(&self) -> Option<u64> {
        match &self.kind {
            Kind::InProcess { mock, .. } => Some(mock.refused()),
            Kind::Remote { http } => {
                let stats: serde_json::Value = http
                    .get(format!("{}/_mock/stats", self.url))
                    .send()
                    .await
                    .ok()?
                    .json()
                    .await
                    .ok()?;
                stats["refused"].as_u64()
            }
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Kind::InProcess { task, .. } = &self.kind {
            task.abort();
        }
    }
}

/// An event that answered a request, and when it arrived.
pub(super) struct Arrived<T> {
    pub(super) resource: T,
    pub(super) received_at: chrono::DateTime<chrono::Utc>,
}

/// Waits for events on behalf of the scenario; each event answers one request only.
pub(super) struct Events<'g> {
    gateway: Option<&'g Gateway>,
    timeout: Duration,
    consumed: HashSet<String>,
    /// A gateway shared with earlier runs keeps their events: only newer ones are this run's.
    since: chrono::DateTime<chrono::Utc>,
}

const EVENT_FEATURE: Feature = Feature::AsyncEvents;

impl<'g> Events<'g> {
    pub(super) fn new(gateway: Option<&'g Gateway>, timeout: Duration) -> Self {
        Self {
            gateway,
            timeout,
            consumed: HashSet::new(),
            since: chrono::Utc::now(),
        }
    }

    /// The ProductOrdering event answering the order acknowledged as `order_id`, Orange's
    /// `external_id`, with its checks; the final productOrder it carries.
    pub(super) async fn order(
        &mut self,
        checks: &mut Checks,
        step: &str,
        order_id: Option<&str>,
        external_id: &str,
    ) -> Option<Arrived<ProductOrder>> {
        let expected = format!(
            "a ProductOrdering event (completed/failedStateNotification) for order {} \
             (externalReference {external_id}) within {} s",
            order_id.unwrap_or("?"),
            self.timeout.as_secs()
        );
        let event = self
            .wait(checks, step, &expected, "productOrdering", |body| {
                let resource = &body["resource"];
                (!external_id.is_empty()
                    && resource["externalReference"]["id"].as_str() == Some(external_id))
                    || (order_id.is_some() && resource["id"].as_str() == order_id)
            })
            .await?;
        check_token(checks, step, &event);
        let decoded = ProductOrderEvent::parse_from_json(Some(event.body.clone()));
        let mut findings = empty_nodes(&event.body);
        if let Err(e) = &decoded {
            findings.insert(0, format!("does not match the spec: {}", e.message()));
        }
        checks.findings(
            format!("{step}.event.body"),
            EVENT_FEATURE,
            "a ProductOrderEvent body (spec) with no null, {} or [] for an optional property",
            findings,
            "matches the spec",
        );
        let decoded = decoded.ok()?;
        let state = decoded.resource.state.clone();
        let type_matches = match state {
            Some(ProductOrderState::Completed) => {
                decoded.type_.as_str() == "completedStateNotification"
            }
            Some(ProductOrderState::Failed) => decoded.type_.as_str() == "failedStateNotification",
            _ => false,
        };
        checks.add(
            format!("{step}.event.type"),
            EVENT_FEATURE,
            type_matches,
            "completedStateNotification with state completed, failedStateNotification with state failed",
            format!(
                "{} with state {}",
                decoded.type_.as_str(),
                state.as_ref().map_or("(none)", |s| s.as_str())
            ),
        );
        let mut findings = Vec::new();
        let answered_id = decoded.resource.id.as_deref();
        if order_id.is_some() && answered_id != order_id {
            findings.push(format!(
                "resource.id is {} (acknowledged as {})",
                answered_id.unwrap_or("(none)"),
                order_id.unwrap_or("?")
            ));
        }
        let answered_external = decoded
            .resource
            .external_reference
            .as_ref()
            .map(|r| r.id.as_str());
        // An order sent without externalReference has none to answer back.
        if !external_id.is_empty() && answered_external != Some(external_id) {
            findings.push(format!(
                "resource.externalReference.id is {} (sent {external_id})",
                answered_external.unwrap_or("(none)")
            ));
        }
        checks.findings(
            format!("{step}.event.matches"),
            EVENT_FEATURE,
            format!(
                "the event's order is the acknowledged one: id {}, externalReference {external_id}",
                order_id.unwrap_or("?")
            ),
            findings,
            "same order",
        );
        Some(Arrived {
            resource: decoded.resource,
            received_at: event.received_at,
        })
    }

    /// The updateNotification answering the update acknowledged for `ids`, with its checks.
    pub(super) async fn update(
        &mut self,
        checks: &mut Checks,
        step: &str,
        ids: &[String],
    ) -> Option<Arrived<UserServiceEventResource>> {
        let expected = format!(
            "an updateNotification with resource.state for the licenses {} within {} s",
            ids.join(", "),
            self.timeout.as_secs()
        );
        let event = self
            .wait(checks, step, &expected, "userService", |body| {
                let resource = &body["resource"];
                let listed: Vec<&str> = resource["userService"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|l| l["id"].as_str()).collect())
                    .unwrap_or_default();
                // An answer to an update carries its state; a partner-initiated change does not.
                resource.get("state").is_some()
                    && !listed.is_empty()
                    && listed.iter().all(|id| ids.iter().any(|i| i == id))
            })
            .await?;
        check_token(checks, step, &event);
        let decoded = UserServiceEvent::parse_from_json(Some(event.body.clone()));
        let mut findings = Vec::new();
        if let Err(e) = &decoded {
            findings.push(format!("does not match the spec: {}", e.message()));
        }
        checks.findings(
            format!("{step}.event.schema"),
            EVENT_FEATURE,
            "a UserServiceEvent body as the spec lays it out ({state?, userService, note?}, each \
             license complete)",
            findings,
            "matches the spec",
        );
        checks.findings(
            format!("{step}.event.wire"),
            EVENT_FEATURE,
            "no null, {} or [] for an optional property",
            empty_nodes(&event.body),
            "no empty node",
        );
        let type_ = event.body["type"].as_str().unwrap_or("(none)");
        checks.add(
            format!("{step}.event.type"),
            EVENT_FEATURE,
            type_ == "updateNotification",
            "updateNotification",
            type_,
        );
        // Read leniently: what the event says matters even when a license in it is incomplete.
        let resource = &event.body["resource"];
        let state = resource
            .get("state")
            .map(|s| UserServiceUpdateState::parse_from_json(Some(s.clone())))
            .and_then(Result::ok);
        let user_service = resource["userService"]
            .as_array()
            .map(|licenses| {
                licenses
                    .iter()
                    .filter_map(|l| UserService::parse_from_json(Some(l.clone())).ok())
                    .collect()
            })
            .unwrap_or_default();
        let note = resource
            .get("note")
            .and_then(|n| Note::parse_from_json(Some(n.clone())).ok());
        Some(Arrived {
            resource: UserServiceEventResource {
                state,
                user_service,
                note,
            },
            received_at: event.received_at,
        })
    }

    /// Events the partner sent on its own (UC5: an updateNotification without a state) that
    /// answered no request of the run.
    pub(super) async fn partner_initiated(&mut self) -> Vec<ReceivedEvent> {
        let Some(gateway) = self.gateway else {
            return Vec::new();
        };
        let events = gateway.events().await.unwrap_or_default();
        events
            .into_iter()
            .filter(|e| e.received_at >= self.since)
            .filter(|e| e.api == "userService" && e.body["resource"].get("state").is_none())
            .filter(|e| !self.consumed.contains(&event_key(e)))
            .collect()
    }

    /// Polls the gateway until an event of `api` that `matches` arrives; records `.event`.
    async fn wait(
        &mut self,
        checks: &mut Checks,
        step: &str,
        expected: &str,
        api: &str,
        matches: impl Fn(&serde_json::Value) -> bool,
    ) -> Option<ReceivedEvent> {
        let id = format!("{step}.event");
        let Some(gateway) = self.gateway else {
            // Not a failure of the partner: this run cannot see its events.
            checks.skip(
                id,
                EVENT_FEATURE,
                expected,
                "not checked: the partner answered acknowledged, but this run has no mock gateway \
                 to receive its event: run with --async (the simulator then runs one) or --mock-url",
            );
            return None;
        };
        checks.note(&format!(
            "{step}: acknowledged, waiting up to {} s for the event at {}",
            self.timeout.as_secs(),
            gateway.url()
        ));
        let refused_before = gateway.refused().await;
        let deadline = Instant::now() + self.timeout;
        let mut last_error;
        let mut seen = 0;
        loop {
            match gateway.events().await {
                Ok(events) => {
                    seen = events.len();
                    last_error = None;
                    let accepted = events.into_iter().map(|e| (e, true));
                    let refused = gateway.refused_bodies().into_iter().map(|e| (e, false));
                    if let Some((event, accepted)) = accepted.chain(refused).find(|(e, _)| {
                        e.api == api && !self.consumed.contains(&event_key(e)) && matches(&e.body)
                    }) {
                        self.consumed.insert(event_key(&event));
                        checks.add(
                            id.clone(),
                            EVENT_FEATURE,
                            true,
                            expected,
                            format!(
                                "event {} ({})",
                                event.body["id"].as_str().unwrap_or("?"),
                                event.body["type"].as_str().unwrap_or("?")
                            ),
                        );
                        checks.add(
                            format!("{id}.accepted"),
                            EVENT_FEATURE,
                            accepted,
                            "the gateway accepts the event's body (it checks it against the spec)",
                            if accepted {
                                "accepted"
                            } else {
                                "refused with 400: the body does not follow the spec"
                            },
                        );
                        return Some(event);
                    }
                }
                Err(e) => last_error = Some(e),
            }
            if Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let refused = match (refused_before, gateway.refused().await) {
            (Some(before), Some(now)) if now > before => format!(
                "; the gateway refused {} calls meanwhile (missing or unknown bearer token, or a \
                 body the spec refuses)",
                now - before
            ),
            _ => String::new(),
        };
        let actual = match last_error {
            Some(e) => format!("the gateway could not be read: {e}"),
            None => format!("no matching event ({seen} events received in all){refused}"),
        };
        checks.add(id, EVENT_FEATURE, false, expected, actual);
        None
    }
}

/// Around the mock gateway: an event whose body the gateway refuses with 400 is kept, so that the
/// report can say the event came (Orange's contract) in a layout the spec refuses (our decision).
async fn keep_refused_bodies<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    kept: Arc<Mutex<Vec<ReceivedEvent>>>,
) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    if req.method() != poem::http::Method::POST || !path.ends_with("/v2/event") {
        return Ok(ep.call(req).await?.into_response());
    }
    let token = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let bytes = req.take_body().into_bytes().await?;
    req.set_body(bytes.clone());
    let response = ep.call(req).await?.into_response();
    if response.status() == poem::http::StatusCode::BAD_REQUEST
        && let Ok(body) = serde_json::from_slice::<serde_json::Value>(&bytes)
    {
        kept.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(ReceivedEvent {
                api: if path.contains("/productordering/") {
                    "productOrdering"
                } else {
                    "userService"
                }
                .to_owned(),
                offer: path.split('/').nth(1).unwrap_or_default().to_owned(),
                token,
                body,
                received_at: chrono::Utc::now(),
            });
    }
    Ok(response)
}

/// An event's identity for "already used": its id, or its whole body when it has none.
fn event_key(event: &ReceivedEvent) -> String {
    event.body["id"]
        .as_str()
        .map_or_else(|| event.body.to_string(), str::to_owned)
}

/// The gateway records only events whose bearer token it issued and that had not expired; the
/// check makes that visible in the report.
fn check_token(checks: &mut Checks, step: &str, event: &ReceivedEvent) {
    let present = !event.token.trim().is_empty();
    checks.add(
        format!("{step}.event.token"),
        EVENT_FEATURE,
        present,
        "Authorization: Bearer <a token the gateway issued at /oauth/v3/token>",
        if present {
            format!(
                "Bearer {}, accepted by the gateway",
                shorten(&event.token, 12)
            )
        } else {
            "no bearer token".to_owned()
        },
    );
}
