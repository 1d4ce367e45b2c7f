//! Wiring and lifecycle: builds the store and the routes, serves, and shuts down gracefully.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::Server;
use poem::listener::TcpListener;

use crate::config::ServeConfig;
use crate::http::{BodyLimits, InboundAuth, Partner, routes};

/// Serves until SIGTERM or Ctrl-C; in-flight requests get time to finish.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let auth = inbound_auth(&config)?;
    let limits = BodyLimits {
        product_order: config.limits.product_order_bytes,
        user_service_update: config.limits.user_service_update_bytes,
        other: config.limits.other_bytes,
    };
    let partner = Arc::new(Partner::new());
    let app = routes(partner, auth, limits);
    let listener = TcpListener::bind(config.listen);
    tracing::info!(listen = %config.listen, docs = %format!("http://{}/docs", config.listen), "obakit serving");
    Server::new(listener)
        .run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(30)))
        .await
        .with_context(|| format!("serving on {}", config.listen))?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// The configured credentials; with none and no explicit anonymous access, generated ones.
fn inbound_auth(config: &ServeConfig) -> anyhow::Result<InboundAuth> {
    let a = &config.auth;
    let mut auth = InboundAuth {
        basic: a.basic_user.clone().zip(a.basic_password.clone()),
        api_key: a
            .api_key
            .clone()
            .map(|k| (a.api_key_header().to_owned(), k)),
        bearer: a.bearer_token.clone(),
        allow_anonymous: a.allow_anonymous,
    };
    if a.allow_anonymous {
        tracing::warn!("anonymous access is allowed: every caller is accepted");
    } else if !a.has_credentials() {
        let path = a
            .credentials_file
            .clone()
            .unwrap_or_else(|| default_credentials_file(&config.database_url));
        let (user, password) = crate::credentials::load_or_create(&path)?;
        auth.basic = Some((user, password));
    }
    Ok(auth)
}

fn default_credentials_file(database_url: &str) -> PathBuf {
    let sqlite_file = database_url
        .strip_prefix("sqlite://")
        .map(|rest| rest.split('?').next().unwrap_or(rest));
    match sqlite_file.map(Path::new).and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("obakit-credentials.toml"),
        _ => PathBuf::from("obakit-credentials.toml"),
    }
}
