//! A recording reverse proxy between the generated clients and the partner.
//!
//! The generated clients decode every answer into the spec's types, which is the schema check,
//! but they keep no raw bytes, and the contract's wire rules (no `null`, `{}` or `[]` for an
//! optional property) can only be checked on the bytes. So the clients talk to this tap on
//! 127.0.0.1, which forwards each request unchanged to the partner and keeps what came back.

use std::sync::{Arc, Mutex};

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Body, Request, Response};
use tracing::instrument::WithSubscriber;

use super::checks::{Excerpt, shorten};

/// One request the tap forwarded and what came back.
#[derive(Debug, Clone)]
pub(super) struct Exchange {
    /// `POST /productordering/v2/productOrder`
    pub(super) request: String,
    /// What was sent (no header is kept, so no credential either).
    pub(super) request_body: Vec<u8>,
    /// The status, or `None` when the partner gave no answer (then `error` says why).
    pub(super) status: Option<u16>,
    pub(super) body: Vec<u8>,
    pub(super) error: Option<String>,
}

impl Exchange {
    /// The body as JSON, when it is JSON.
    pub(super) fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub(super) fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The start of both bodies, for a report.
    pub(super) fn excerpt(&self) -> Excerpt {
        Excerpt {
            request: self.request.clone(),
            request_body: shorten(&String::from_utf8_lossy(&self.request_body), EXCERPT),
            status: match (self.status, &self.error) {
                (Some(status), _) => status.to_string(),
                (None, Some(e)) => format!("no answer: {e}"),
                (None, None) => "no answer".to_owned(),
            },
            response_body: shorten(&self.body_text(), EXCERPT),
        }
    }

    /// The exchange as a JSON document for `--record` (bodies as JSON when they are).
    fn record(&self) -> serde_json::Value {
        let body = |bytes: &[u8]| {
            serde_json::from_slice::<serde_json::Value>(bytes).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())
            })
        };
        serde_json::json!({
            "request": self.request,
            "requestBody": body(&self.request_body),
            "status": self.status,
            "responseBody": body(&self.body),
            "error": self.error,
        })
    }
}

/// Longest body kept in a report excerpt.
const EXCERPT: usize = 1200;
/// Longest request body kept (the limits scenario sends 64 MiB: only its start is kept).
const RECORD_MAX: usize = 64 * 1024;

struct Forwarder {
    /// The partner's base URL without a trailing slash (its path prefix is kept).
    target: String,
    http: reqwest::Client,
    log: Mutex<Vec<Exchange>>,
    /// `--record`: every exchange written there as `NNNN-METHOD-path.json`.
    record: Option<std::path::PathBuf>,
    recorded: std::sync::atomic::AtomicUsize,
}

/// The running tap; stopped when dropped.
pub(super) struct Tap {
    url: String,
    forwarder: Arc<Forwarder>,
    task: tokio::task::JoinHandle<()>,
}

impl Tap {
    /// A tap on 127.0.0.1 (a port of its own) forwarding to `target`.
    pub(super) async fn start(
        target: &str,
        http: reqwest::Client,
        record: Option<std::path::PathBuf>,
    ) -> std::io::Result<Self> {
        if let Some(dir) = &record {
            std::fs::create_dir_all(dir)?;
        }
        let forwarder = Arc::new(Forwarder {
            target: target.trim_end_matches('/').to_owned(),
            http,
            log: Mutex::new(Vec::new()),
            record,
            recorded: std::sync::atomic::AtomicUsize::new(0),
        });
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .ok_or_else(|| std::io::Error::other("the tap has no TCP address"))?;
        let shared = forwarder.clone();
        let endpoint = poem::endpoint::make(move |req: Request| {
            let forwarder = shared.clone();
            async move { forwarder.forward(req).await }
        });
        // poem logs "listening" and "server started" at info: not news to the person reading
        // the report (and the log may share stdout with it).
        let task = tokio::spawn(
            async move {
                let _ = poem::Server::new_with_acceptor(acceptor)
                    .run(endpoint)
                    .await;
            }
            .with_subscriber(tracing::subscriber::NoSubscriber::default()),
        );
        Ok(Self {
            url: format!("http://{address}/"),
            forwarder,
            task,
        })
    }

    /// The base URL to give the generated clients.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// The exchanges since the previous call, oldest first.
    pub(super) fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.forwarder.log.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Headers that belong to one connection, not to the request (RFC 9110 §7.6.1), and the ones
/// reqwest sets itself.
fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "host"
            | "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "content-length"
            // The report quotes bodies as the partner wrote them: no compression on the way.
            | "accept-encoding"
    )
}

impl Forwarder {
    async fn forward(&self, mut req: Request) -> Response {
        let method = req.method().as_str().to_owned();
        let path = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let request = format!("{method} {}", path.split('?').next().unwrap_or(&path));
        let body = req.take_body().into_bytes().await.unwrap_or_default();
        let mut builder = self.http.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET),
            format!("{}{path}", self.target),
        );
        for (name, value) in req.headers() {
            if !is_hop_by_hop(name.as_str()) {
                builder = builder.header(name.as_str(), value.as_bytes());
            }
        }
        let answered = async {
            let response = builder.body(body.clone()).send().await?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, content_type, bytes.to_vec()))
        }
        .await;
        let (exchange, response) = match answered {
            Ok((status, content_type, bytes)) => {
                let mut response = Response::builder()
                    .status(
                        poem::http::StatusCode::from_u16(status)
                            .unwrap_or(poem::http::StatusCode::BAD_GATEWAY),
                    )
                    .body(Body::from(bytes.clone()));
                if let Some(value) = content_type
                    .as_deref()
                    .and_then(|v| poem::http::HeaderValue::from_str(v).ok())
                {
                    response
                        .headers_mut()
                        .insert(poem::http::header::CONTENT_TYPE, value);
                }
                let exchange = Exchange {
                    request,
                    request_body: body[..body.len().min(RECORD_MAX)].to_vec(),
                    status: Some(status),
                    body: bytes,
                    error: None,
                };
                (exchange, response)
            }
            Err(error) => {
                // The client sees a 502 (no spec status); the report says what really happened.
                let why = error_chain(&error);
                let response = Response::builder()
                    .status(poem::http::StatusCode::BAD_GATEWAY)
                    .body(why.clone());
                let exchange = Exchange {
                    request,
                    request_body: body[..body.len().min(RECORD_MAX)].to_vec(),
                    status: None,
                    body: Vec::new(),
                    error: Some(why),
                };
                (exchange, response)
            }
        };
        self.keep(&exchange);
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange);
        response
    }

    /// Writes the exchange to the record directory, if any (a failure to write is reported on
    /// stderr: the run itself goes on).
    fn keep(&self, exchange: &Exchange) {
        let Some(dir) = &self.record else {
            return;
        };
        let n = self
            .recorded
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let name: String = exchange
            .request
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = dir.join(format!("{n:04}-{}.json", name.trim_matches('-')));
        let text = serde_json::to_string_pretty(&exchange.record()).unwrap_or_default();
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("--record: writing {}: {e}", path.display());
        }
    }
}

/// An error with its causes, for a report line (reqwest's own message hides the cause).
pub(super) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
