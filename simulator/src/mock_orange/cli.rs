//! The `obakit mock-orange` command: its flags and the run until the caller's shutdown signal.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use super::{MockOrangeConfig, serve};

/// Flags of `obakit mock-orange`.
#[derive(Debug, Args)]
pub struct MockOrangeArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "OBAKIT_MOCK_ORANGE_LISTEN",
        default_value = "127.0.0.1:8090"
    )]
    pub listen: SocketAddr,
    /// The OAuth2 client id it accepts.
    #[arg(long, env = "OBAKIT_MOCK_ORANGE_CLIENT_ID", default_value = "obakit")]
    pub client_id: String,
    /// The OAuth2 client secret it accepts.
    #[arg(
        long,
        env = "OBAKIT_MOCK_ORANGE_CLIENT_SECRET",
        default_value = "obakit-secret",
        hide_env_values = true
    )]
    pub client_secret: String,
    /// Lifetime of the tokens it issues, in seconds.
    #[arg(long, env = "OBAKIT_MOCK_ORANGE_TOKEN_TTL", default_value_t = 3600)]
    pub token_ttl_secs: u64,
}

impl MockOrangeArgs {
    pub fn into_config(self) -> (SocketAddr, MockOrangeConfig) {
        let config = MockOrangeConfig {
            client_id: self.client_id,
            client_secret: self.client_secret,
            token_ttl: Duration::from_secs(self.token_ttl_secs),
        };
        (self.listen, config)
    }
}

/// Runs `obakit mock-orange` until `shutdown` resolves (the binary passes its Ctrl-C/SIGTERM
/// signal, which this crate leaves to the program that runs it).
pub async fn run_cli(
    args: MockOrangeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let (listen, config) = args.into_config();
    serve(listen, config, shutdown).await
}
