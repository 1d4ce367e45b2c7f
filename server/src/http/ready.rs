//! `/ready`: whether this instance can do its work, for a load balancer or an orchestrator. No
//! credentials; `200` when the database answers and the background tasks run, `503` otherwise.
//! `/ping` stays what Orange's contract asks (always `200` while the process serves).
//!
//! The answer names what is wrong in a word ("database", "dispatcher"), never an error text: it
//! is public, and the details are in the log.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use poem::http::{Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::store::Store;

/// Path of the readiness endpoint.
pub const READY_PATH: &str = "/ready";

/// How long the database may take to answer before the instance counts as not ready.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

const NOT_STARTED: u8 = 0;
const RUNNING: u8 = 1;
const STOPPED: u8 = 2;

/// Whether one background task runs. Cheap to clone; clones share the state.
#[derive(Debug, Clone)]
pub struct TaskWatch {
    name: &'static str,
    state: Arc<AtomicU8>,
}

impl TaskWatch {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            state: Arc::new(AtomicU8::new(NOT_STARTED)),
        }
    }

    /// Marks the task running until the guard is dropped: when the task returns, panics or is
    /// aborted, it counts as stopped.
    pub fn running(&self) -> RunningGuard {
        self.state.store(RUNNING, Ordering::SeqCst);
        RunningGuard(self.state.clone())
    }

    fn is_running(&self) -> bool {
        self.state.load(Ordering::SeqCst) == RUNNING
    }
}

/// Held by a running task; see [`TaskWatch::running`].
#[derive(Debug)]
pub struct RunningGuard(Arc<AtomicU8>);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.store(STOPPED, Ordering::SeqCst);
    }
}

/// The readiness endpoint.
#[derive(Clone)]
pub struct Readiness {
    store: Store,
    tasks: Vec<TaskWatch>,
}

impl Readiness {
    /// Ready when `store` answers and every task in `tasks` runs.
    pub fn new(store: Store, tasks: Vec<TaskWatch>) -> Self {
        Self { store, tasks }
    }

    /// What keeps the instance from being ready; empty when it is.
    pub async fn problems(&self) -> Vec<&'static str> {
        let mut problems = Vec::new();
        match tokio::time::timeout(DATABASE_TIMEOUT, self.store.ping()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, "not ready: the database does not answer");
                problems.push("database");
            }
            Err(_) => {
                tracing::warn!(timeout = ?DATABASE_TIMEOUT, "not ready: the database does not answer in time");
                problems.push("database");
            }
        }
        for task in self.tasks.iter().filter(|task| !task.is_running()) {
            tracing::warn!(
                task = task.name,
                "not ready: a background task is not running"
            );
            problems.push(task.name);
        }
        problems
    }
}

impl Endpoint for Readiness {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Ok(Response::builder()
                .status(StatusCode::METHOD_NOT_ALLOWED)
                .header(header::ALLOW, "GET, HEAD")
                .finish());
        }
        let problems = self.problems().await;
        let (status, body) = if problems.is_empty() {
            (StatusCode::OK, serde_json::json!({ "status": "ready" }))
        } else {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "status": "unavailable", "failing": problems }),
            )
        };
        Ok(Response::builder()
            .status(status)
            .header(header::CACHE_CONTROL, "no-store")
            .content_type("application/json")
            .body(body.to_string())
            .into_response())
    }
}

/// Mounted as a middleware, readiness answers [`READY_PATH`] ahead of everything else (so no
/// credentials are asked) and passes the rest on.
impl<E: Endpoint> Middleware<E> for Readiness {
    type Output = WithReadiness<E>;

    fn transform(&self, inner: E) -> Self::Output {
        WithReadiness {
            inner,
            readiness: self.clone(),
        }
    }
}

/// The endpoint [`Readiness`] makes as a middleware.
pub struct WithReadiness<E> {
    inner: E,
    readiness: Readiness,
}

impl<E: Endpoint> Endpoint for WithReadiness<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if req.uri().path() == READY_PATH {
            self.readiness.call(req).await
        } else {
            self.inner.call(req).await.map(IntoResponse::into_response)
        }
    }
}
