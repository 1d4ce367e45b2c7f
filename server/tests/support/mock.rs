//! The mock Orange gateway on 127.0.0.1 with a port of its own, for tests that follow events.

use std::time::Duration;

use obakit_simulator::mock_orange::{MockOrange, MockOrangeConfig, routes};
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

pub const CLIENT_ID: &str = "partner";
pub const CLIENT_SECRET: &str = "s3cret";

/// A running mock gateway; stopped when dropped.
pub struct TestMock {
    pub mock: MockOrange,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestMock {
    pub async fn start(token_ttl: Duration) -> Self {
        let mock = MockOrange::new(MockOrangeConfig {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            token_ttl,
        });
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind");
        let addr = acceptor.local_addr()[0]
            .as_socket_addr()
            .copied()
            .expect("socket address");
        let server = tokio::spawn(Server::new_with_acceptor(acceptor).run(routes(mock.clone())));
        Self {
            mock,
            url: format!("http://{addr}"),
            server,
        }
    }

    /// The `id`s of the events received so far, in arrival order.
    pub fn received_ids(&self) -> Vec<String> {
        self.mock
            .events()
            .iter()
            .map(|e| e.body["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for TestMock {
    fn drop(&mut self) {
        self.server.abort();
    }
}
