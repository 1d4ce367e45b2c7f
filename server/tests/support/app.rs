//! The whole application over real HTTP for one test: built by `obakit_server::app::build` from a
//! configuration, as `obakit serve` builds it, and served on 127.0.0.1 with a port of its own.
//!
//! Every accepted credential kind is configured (Basic, API key, bearer) so tests can use each.

use base64::Engine;
use obakit_api::product_ordering::client::ProductOrderingPartnerClient;
use obakit_api::rt::ClientCore;
use obakit_api::user_service::client::UserServicePartnerClient;
use obakit_server::config::{AuthConfig, ServeConfig};
use obakit_server::store::Store;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

use super::TestDb;

pub const USER: &str = "orange";
pub const PASSWORD: &str = "password-for-tests";
/// The default API-key header.
pub const API_KEY_HEADER: &str = "X-API-Key";
pub const API_KEY: &str = "api-key-for-tests";
pub const BEARER: &str = "bearer-token-for-tests";

/// A running application; stopped when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// The store the application uses, for checks a client cannot make.
    pub store: Store,
    server: tokio::task::JoinHandle<()>,
    /// Stops the asynchronous worker and the event dispatcher when dropped.
    _background: tokio::sync::watch::Sender<bool>,
}

impl TestApp {
    /// The application over `db` with the default settings and the test credentials.
    pub async fn start(db: &TestDb) -> Self {
        Self::start_with(db, |_| {}).await
    }

    /// Same, after `configure` changed the settings (catalogue, webhook, limits…).
    pub async fn start_with(db: &TestDb, configure: impl FnOnce(&mut ServeConfig)) -> Self {
        let mut config = ServeConfig {
            database_url: db.url(),
            auth: AuthConfig {
                basic_user: Some(USER.into()),
                basic_password: Some(PASSWORD.into()),
                api_key: Some(API_KEY.into()),
                bearer_token: Some(BEARER.into()),
                ..AuthConfig::default()
            },
            ..ServeConfig::default()
        };
        configure(&mut config);
        let app = obakit_server::app::build(&config)
            .await
            .expect("build the application");
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind a local port");
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .expect("a socket address");
        let endpoint = app.endpoint;
        let (background, stop) = tokio::sync::watch::channel(false);
        app.background.spawn(stop);
        let server = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(endpoint).await;
        });
        Self {
            base_url: format!("http://{address}"),
            store: app.store,
            server,
            _background: background,
        }
    }

    /// The `Authorization` value of the test's Basic credentials.
    pub fn basic() -> String {
        basic(USER, PASSWORD)
    }

    fn core(&self) -> ClientCore {
        ClientCore::new(&self.base_url)
            .and_then(|core| core.with_header("authorization", &Self::basic()))
            .expect("a client core")
    }

    /// The generated ProductOrdering client, with valid credentials.
    pub fn orders(&self) -> ProductOrderingPartnerClient {
        ProductOrderingPartnerClient::from_core(self.core())
    }

    /// The generated UserService client, with valid credentials.
    pub fn licenses(&self) -> UserServicePartnerClient {
        UserServicePartnerClient::from_core(self.core())
    }

    /// The generated UserService client, sending `authorization` as given (or nothing).
    pub fn licenses_as(&self, authorization: Option<&str>) -> UserServicePartnerClient {
        let core = ClientCore::new(&self.base_url).expect("a client core");
        let core = match authorization {
            Some(value) => core.with_header("authorization", value).expect("header"),
            None => core,
        };
        UserServicePartnerClient::from_core(core)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A raw request with valid credentials, for what the generated client cannot send.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, self.url(path))
            .header("authorization", Self::basic())
    }

    /// A raw JSON POST with valid credentials; `body` is sent byte for byte.
    pub fn post_json(&self, path: &str, body: impl Into<String>) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path)
            .header("content-type", "application/json")
            .body(body.into())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An `Authorization: Basic …` value.
pub fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}
