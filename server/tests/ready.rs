//! `/ready` without credentials: `200` when the database answers and the background tasks run,
//! `503` when the database cannot be reached (a PostgreSQL behind a connection the test cuts) or
//! the dispatcher has stopped. `/ping` answers `200` all along, as Orange's contract asks.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use obakit_server::config::{AuthConfig, ServeConfig};
use poem::test::TestClient;
use serde_json::Value;
use support::TestDb;
use support::mock::{CLIENT_ID, CLIENT_SECRET, TestMock};
use support::wait_until;

const WAIT: Duration = Duration::from_secs(30);

/// The settings of these tests: Orange's credentials (so the dispatcher runs) and a basic login.
fn config(db_url: String, mock: &TestMock) -> ServeConfig {
    let mut config = ServeConfig {
        database_url: db_url,
        auth: AuthConfig {
            basic_user: Some("orange".into()),
            basic_password: Some("password-for-tests".into()),
            ..AuthConfig::default()
        },
        ..ServeConfig::default()
    };
    config.orange.gateway_url = mock.url.clone();
    config.orange.client_id = Some(CLIENT_ID.into());
    config.orange.client_secret = Some(CLIENT_SECRET.into());
    config
}

async fn ready<E: poem::Endpoint>(client: &TestClient<E>) -> (u16, Value) {
    let response = client.get("/ready").send().await;
    let status = response.0.status().as_u16();
    let body = response.0.into_body().into_string().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn ping_status<E: poem::Endpoint>(client: &TestClient<E>) -> u16 {
    client.get("/ping").send().await.0.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_answers_200_without_credentials_then_503_once_the_dispatcher_has_stopped() {
    let db = TestDb::sqlite();
    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = obakit_server::app::build(&config(db.url(), &mock))
        .await
        .expect("build");
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let tasks = app.background.spawn(stopping);
    let client = TestClient::new(app.endpoint);

    let (status, body) = ready(&client).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    let refused = client.post("/ready").send().await;
    refused.assert_status(poem::http::StatusCode::METHOD_NOT_ALLOWED);
    refused.assert_header("allow", "GET, HEAD");

    stop.send(true).expect("stop the background tasks");
    for task in tasks {
        task.await.expect("a background task ends cleanly");
    }
    let (status, body) = ready(&client).await;
    assert_eq!(status, 503, "{body}");
    let failing = body["failing"].as_array().expect("what fails");
    assert!(failing.contains(&Value::from("dispatcher")), "{body}");
    assert!(failing.contains(&Value::from("worker")), "{body}");
    assert_eq!(ping_status(&client).await, 200);
}

/// A TCP relay in front of PostgreSQL that can be cut (every connection closed, new ones closed
/// at once) and put back.
struct Relay {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
    connections: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the relay");
        let addr = listener.local_addr().expect("relay address");
        let cut = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(std::sync::Mutex::new(Vec::new()));
        let accept = tokio::spawn({
            let cut = cut.clone();
            let connections = connections.clone();
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if cut.load(Ordering::SeqCst) {
                        drop(inbound);
                        continue;
                    }
                    let relay = tokio::spawn(async move {
                        if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    connections.lock().expect("connections").push(relay);
                }
            }
        });
        Self {
            addr,
            cut,
            connections,
            accept,
        }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for connection in self.connections.lock().expect("connections").drain(..) {
            connection.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_answers_503_while_postgresql_cannot_be_reached_and_200_once_it_can() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let url = db.url();
    let rest = url.strip_prefix("postgres://").expect("a postgres:// URL");
    let (credentials, rest) = rest.split_once('@').expect("user@host");
    let (host, path) = rest.split_once('/').expect("host/database");
    let upstream = tokio::net::lookup_host(host)
        .await
        .expect("resolve PostgreSQL")
        .next()
        .expect("an address");
    let relay = Relay::start(upstream).await;
    let relayed_url = format!("postgres://{credentials}@{}/{path}", relay.addr);

    let mock = TestMock::start(Duration::from_secs(3600)).await;
    let app = obakit_server::app::build(&config(relayed_url, &mock))
        .await
        .expect("build");
    let (_stop, stopping) = tokio::sync::watch::channel(false);
    let _tasks = app.background.spawn(stopping);
    let client = TestClient::new(app.endpoint);
    assert_eq!(ready(&client).await.0, 200);

    relay.cut();
    let (status, body) = ready(&client).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["failing"], serde_json::json!(["database"]), "{body}");
    assert_eq!(
        ping_status(&client).await,
        200,
        "/ping does not depend on the database"
    );

    relay.restore();
    wait_until(
        "ready again once PostgreSQL is reachable",
        WAIT,
        async || ready(&client).await.0 == 200,
    )
    .await;
}
