//! Metrics in the Prometheus text format, at `/metrics` on an address of their own
//! (`--metrics-listen`), off when unset.
//!
//! Counters and histograms are recorded through the `metrics` facade where things happen
//! (requests here, provisioning through [`MeasuredProvisioner`], tokens and deliveries in
//! `outbound`); the outbox gauges are read from the database at each scrape, so they are right
//! whichever instance changed the outbox. The names and what to alert on are listed in README.md.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poem::http::{Method, StatusCode};
use poem::listener::{Acceptor, AcceptorExt, Listener, TcpListener};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::http::OperationTable;
use crate::provisioning::{Action, ProvisionFuture, Provisioner};
use crate::store::Store;

/// Requests answered, by `operation` (the OpenAPI operation id, `other` for paths outside the
/// APIs) and `status`.
pub const HTTP_REQUESTS: &str = "obakit_http_requests_total";
/// Time to answer, by `operation`, in seconds.
pub const HTTP_DURATION: &str = "obakit_http_request_duration_seconds";
/// Events waiting for delivery to Orange.
pub const OUTBOX_QUEUED: &str = "obakit_outbox_queued";
/// Age of the oldest event waiting, in seconds (0 when none waits).
pub const OUTBOX_OLDEST_AGE: &str = "obakit_outbox_oldest_age_seconds";
/// Events being sent right now (claimed by a dispatcher).
pub const OUTBOX_IN_FLIGHT: &str = "obakit_outbox_in_flight";
/// Events given up on, waiting for a replay.
pub const OUTBOX_DEAD: &str = "obakit_outbox_dead";
/// 1 when the database answered the last scrape, else 0.
pub const DATABASE_UP: &str = "obakit_database_up";
/// Delivery attempts, by `outcome`: `delivered`, `retry` or `dead`.
pub const EVENT_DELIVERIES: &str = "obakit_event_deliveries_total";
/// Access tokens requested from Orange's gateway.
pub const TOKEN_FETCHES: &str = "obakit_orange_token_fetches_total";
/// Token requests that failed (gateway unreachable or credentials refused).
pub const TOKEN_FAILURES: &str = "obakit_orange_token_failures_total";
/// Calls to the partner's provisioning, by `action`.
pub const PROVISIONING_CALLS: &str = "obakit_provisioning_calls_total";
/// Provisioning calls that refused or failed, by `action`.
pub const PROVISIONING_FAILURES: &str = "obakit_provisioning_failures_total";
/// Time provisioning took, by `action`, in seconds.
pub const PROVISIONING_DURATION: &str = "obakit_provisioning_duration_seconds";

/// Histogram buckets, in seconds: from a cached answer to a slow webhook or a 10,000-license order.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The process's recorder, installed at the first call. Every later call gets the same handle.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .expect("the bucket list is not empty");
        match builder.install_recorder() {
            Ok(handle) => {
                describe();
                handle
            }
            Err(error) => {
                tracing::warn!(%error, "another metrics recorder is installed; /metrics shows only the outbox");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(HTTP_REQUESTS, "Requests answered, by operation and status");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time to answer, by operation");
    describe_gauge!(OUTBOX_QUEUED, "Events waiting for delivery to Orange");
    describe_gauge!(
        OUTBOX_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest event waiting for delivery"
    );
    describe_gauge!(OUTBOX_IN_FLIGHT, "Events being sent to Orange now");
    describe_gauge!(OUTBOX_DEAD, "Events given up on, waiting for a replay");
    describe_gauge!(DATABASE_UP, "1 when the database answered the last scrape");
    describe_counter!(EVENT_DELIVERIES, "Delivery attempts to Orange, by outcome");
    describe_counter!(
        TOKEN_FETCHES,
        "Access tokens requested from Orange's gateway"
    );
    describe_counter!(TOKEN_FAILURES, "Access token requests that failed");
    describe_counter!(PROVISIONING_CALLS, "Provisioning calls, by action");
    describe_counter!(
        PROVISIONING_FAILURES,
        "Provisioning calls that refused or failed, by action"
    );
    describe_histogram!(
        PROVISIONING_DURATION,
        Unit::Seconds,
        "Time provisioning took, by action"
    );
}

/// The metrics server: bound at build time (so a taken address stops the start), served beside
/// the partner API.
pub struct MetricsServer {
    acceptor: poem::listener::BoxAcceptor,
    endpoint: MetricsEndpoint,
}

impl MetricsServer {
    /// Installs the recorder and binds `addr`.
    pub async fn bind(addr: SocketAddr, store: Store) -> anyhow::Result<Self> {
        let handle = recorder();
        let acceptor = TcpListener::bind(addr)
            .into_acceptor()
            .await
            .with_context(|| format!("binding the metrics address {addr}"))?;
        tracing::info!(%addr, "metrics at /metrics");
        Ok(Self {
            acceptor: acceptor.boxed(),
            endpoint: MetricsEndpoint {
                handle: handle.clone(),
                store,
            },
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
    }

    /// Serves until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send) {
        let route = poem::Route::new().at("/metrics", self.endpoint);
        if let Err(error) = poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(route, shutdown, Some(std::time::Duration::from_secs(5)))
            .await
        {
            tracing::error!(%error, "the metrics server stopped");
        }
    }
}

/// `GET /metrics`: the outbox read now, then everything in the text format.
#[derive(Clone)]
pub struct MetricsEndpoint {
    handle: PrometheusHandle,
    store: Store,
}

impl Endpoint for MetricsEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Ok(Response::builder()
                .status(StatusCode::METHOD_NOT_ALLOWED)
                .header(poem::http::header::ALLOW, "GET, HEAD")
                .finish());
        }
        record_outbox(&self.store).await;
        self.handle.run_upkeep();
        Ok(Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(self.handle.render()))
    }
}

/// Reads the outbox into its gauges; on a database failure, `obakit_database_up` drops to 0 and
/// the outbox gauges keep their last values.
async fn record_outbox(store: &Store) {
    let now = chrono::Utc::now();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), store.outbox_stats(now));
    match read.await {
        Ok(Ok(stats)) => {
            metrics::gauge!(DATABASE_UP).set(1.0);
            metrics::gauge!(OUTBOX_QUEUED).set(stats.queued as f64);
            metrics::gauge!(OUTBOX_IN_FLIGHT).set(stats.in_flight as f64);
            metrics::gauge!(OUTBOX_DEAD).set(stats.dead as f64);
            let age = stats
                .oldest_queued_at
                .map(|at| (now - at).num_milliseconds().max(0) as f64 / 1000.0)
                .unwrap_or(0.0);
            metrics::gauge!(OUTBOX_OLDEST_AGE).set(age);
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: reading the outbox failed");
            metrics::gauge!(DATABASE_UP).set(0.0);
        }
        Err(_) => {
            tracing::warn!("metrics: reading the outbox timed out");
            metrics::gauge!(DATABASE_UP).set(0.0);
        }
    }
}

/// Counts every request by operation and status and times it.
#[derive(Debug, Clone)]
pub struct RequestMetrics {
    table: Arc<OperationTable>,
}

impl RequestMetrics {
    pub fn new(table: Arc<OperationTable>) -> Self {
        Self { table }
    }
}

impl<E: Endpoint> Middleware<E> for RequestMetrics {
    type Output = RequestMetricsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestMetricsEndpoint {
            inner,
            table: self.table.clone(),
        }
    }
}

/// The endpoint [`RequestMetrics`] makes.
pub struct RequestMetricsEndpoint<E> {
    inner: E,
    table: Arc<OperationTable>,
}

impl<E: Endpoint> Endpoint for RequestMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let operation = self
            .table
            .operation(req.method(), req.uri().path())
            .unwrap_or("other");
        let started = Instant::now();
        let result = self.inner.call(req).await.map(IntoResponse::into_response);
        let status = match &result {
            Ok(response) => response.status(),
            Err(error) => error.status(),
        };
        metrics::counter!(HTTP_REQUESTS, "operation" => operation, "status" => status.as_str().to_owned())
            .increment(1);
        metrics::histogram!(HTTP_DURATION, "operation" => operation)
            .record(started.elapsed().as_secs_f64());
        result
    }
}

/// A provisioner that counts and times the calls of the one it wraps.
pub struct MeasuredProvisioner {
    inner: Arc<dyn Provisioner>,
}

impl MeasuredProvisioner {
    pub fn new(inner: Arc<dyn Provisioner>) -> Self {
        Self { inner }
    }
}

impl Provisioner for MeasuredProvisioner {
    fn provision<'a>(&'a self, action: &'a Action) -> ProvisionFuture<'a> {
        Box::pin(async move {
            let name = action.name();
            let started = Instant::now();
            let result = self.inner.provision(action).await;
            metrics::counter!(PROVISIONING_CALLS, "action" => name).increment(1);
            metrics::histogram!(PROVISIONING_DURATION, "action" => name)
                .record(started.elapsed().as_secs_f64());
            if result.is_err() {
                metrics::counter!(PROVISIONING_FAILURES, "action" => name).increment(1);
            }
            result
        })
    }
}
