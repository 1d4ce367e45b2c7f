//! A local HTTP listener standing in for a partner's provisioning webhook: answers with a chosen
//! status after a chosen delay (both can change while it runs), and records what it received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Request, Server};

/// One request the hook received.
#[derive(Debug, Clone)]
pub struct Received {
    pub idempotency_key: Option<String>,
    pub content_type: Option<String>,
    pub body: serde_json::Value,
}

pub struct Hook {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<(StatusCode, Duration)>>,
    server: tokio::task::JoinHandle<()>,
}

impl Hook {
    /// Starts a listener on 127.0.0.1 answering `status` after `delay`.
    pub async fn start(status: StatusCode, delay: Duration) -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind the hook listener");
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .expect("a socket address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(Mutex::new((status, delay)));
        let sink = Arc::clone(&received);
        let script = Arc::clone(&answer);
        let endpoint = poem::endpoint::make(move |request: Request| {
            let sink = Arc::clone(&sink);
            let (status, delay) = *script.lock().expect("hook lock");
            async move {
                let header = |name: &str| {
                    request
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let (idempotency_key, content_type) =
                    (header("idempotency-key"), header("content-type"));
                let body = request.into_body().into_json::<serde_json::Value>().await;
                sink.lock().expect("hook lock").push(Received {
                    idempotency_key,
                    content_type,
                    body: body.unwrap_or(serde_json::Value::Null),
                });
                tokio::time::sleep(delay).await;
                status
            }
        });
        let server = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(endpoint).await;
        });
        Self {
            url: format!("http://{address}/provision"),
            received,
            answer,
            server,
        }
    }

    /// From now on, answers `status` after `delay`.
    pub fn answer_with(&self, status: StatusCode, delay: Duration) {
        *self.answer.lock().expect("hook lock") = (status, delay);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("hook lock").clone()
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.server.abort();
    }
}
