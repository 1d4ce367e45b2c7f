//! Partners to simulate against: obakit's own application (built as `obakit serve` builds it,
//! over a temporary SQLite database, its background worker and dispatcher running) and an
//! independent reference partner, correct by Orange's contract or seeded with one fault.

#![allow(dead_code, unreachable_pub)]

pub mod reference;

use obakit_server::config::{AuthConfig, ServeConfig};
use obakit_server::simulate::{Credentials, SimulateConfig};
use poem::listener::{Acceptor, Listener, TcpListener};

pub const USER: &str = "orange";
pub const PASSWORD: &str = "simulate-password";

/// obakit's application on 127.0.0.1; stopped when dropped.
pub struct Obakit {
    pub url: String,
    _db: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
    /// Stops the asynchronous worker and the event dispatcher when dropped.
    _background: tokio::sync::watch::Sender<bool>,
}

impl Drop for Obakit {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Obakit {
    /// The application with Basic credentials, after `configure` changed the settings.
    pub async fn start(configure: impl FnOnce(&mut ServeConfig)) -> Self {
        let db = tempfile::tempdir().expect("temporary directory");
        let mut config = ServeConfig {
            database_url: format!("sqlite://{}", db.path().join("obakit.db").display()),
            auth: AuthConfig {
                basic_user: Some(USER.into()),
                basic_password: Some(PASSWORD.into()),
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
            .expect("bind 127.0.0.1:0");
        let address = *acceptor.local_addr()[0]
            .as_socket_addr()
            .expect("a TCP address");
        let endpoint = app.endpoint;
        let (background, stop) = tokio::sync::watch::channel(false);
        app.background.spawn(stop);
        let task = tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor)
                .run(endpoint)
                .await;
        });
        Self {
            url: format!("http://{address}"),
            _db: db,
            task,
            _background: background,
        }
    }
}

/// A run against `url` with Basic `user`/`password`, events waited for up to `event_timeout`.
pub fn config(url: &str, user: &str, password: &str) -> SimulateConfig {
    SimulateConfig {
        credentials: Credentials {
            basic: Some((user.into(), password.into())),
            ..Credentials::default()
        },
        event_timeout: std::time::Duration::from_secs(10),
        ..SimulateConfig::new(url)
    }
}
