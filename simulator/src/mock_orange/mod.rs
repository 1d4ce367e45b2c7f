//! `obakit mock-orange`: a local stand-in for Orange's gateway, built on the generated Orange-side
//! traits: a token endpoint that checks client credentials and issues expiring tokens, both event
//! endpoints (bearer token checked, body validated against the spec), a record of what arrived,
//! and switchable faults for tests and demos.
//!
//! Speaks only HTTP: it knows neither the store nor the domain.

mod cli;
mod gate;
mod handlers;
mod state;

use std::sync::Arc;

use obakit_api::product_ordering::server::ProductOrderingOrangeServer;
use obakit_api::user_service::server::UserServiceOrangeServer;
use poem::{Endpoint, EndpointExt, Route, get};
use poem_openapi::OpenApiService;

pub use cli::{MockOrangeArgs, run_cli};
pub use state::{Faults, MockOrange, MockOrangeConfig, ReceivedEvent};

/// The mock gateway's routes: Orange's operations, `/_mock/*` to inspect and steer it, `/docs`.
pub fn routes(mock: MockOrange) -> impl Endpoint {
    let handler = Arc::new(handlers::Handler(mock.clone()));
    let service = OpenApiService::new(
        (
            ProductOrderingOrangeServer::from_arc(handler.clone()),
            UserServiceOrangeServer::from_arc(handler),
        ),
        "obakit mock Orange gateway",
        env!("CARGO_PKG_VERSION"),
    );
    let ui = service.swagger_ui();
    Route::new()
        .at(
            "/_mock/events",
            get(handlers::list_events).delete(handlers::clear_events),
        )
        .at(
            "/_mock/faults",
            get(handlers::get_faults).put(handlers::set_faults),
        )
        .at("/_mock/stats", get(handlers::stats))
        .nest("/docs", ui)
        .nest("/", service.with(gate::Gate(mock.clone())))
        .data(mock)
}

/// Serves the mock gateway on `listen` until `shutdown` resolves.
pub async fn serve(
    listen: std::net::SocketAddr,
    config: MockOrangeConfig,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let mock = MockOrange::new(config);
    tracing::info!(
        %listen,
        client_id = %mock.config().client_id,
        token_ttl_s = mock.config().token_ttl.as_secs(),
        "mock Orange gateway: token at /oauth/v3/token, events at /{{offer}}/…/v2/event, what arrived at /_mock/events"
    );
    poem::Server::new(poem::listener::TcpListener::bind(listen))
        .run_with_graceful_shutdown(
            routes(mock),
            shutdown,
            Some(std::time::Duration::from_secs(5)),
        )
        .await
}
