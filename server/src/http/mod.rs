//! The HTTP boundary: the generated partner traits implemented over the store, plus what every
//! route shares (authentication, request ids, body caps, errors in Orange's body, Swagger UI).
//!
//! Generated wire types stop here: `domain` and `store` never see them.

mod auth;
mod body_limit;
mod docs;
mod errors;
mod map;
mod partner;
mod request_id;

use std::sync::Arc;

use obakit_api::product_ordering::server::ProductOrderingPartnerServer;
use obakit_api::user_service::server::UserServicePartnerServer;
use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;

pub use auth::InboundAuth;
pub use body_limit::BodyLimits;
pub(crate) use map::{order_event, partner_change_event, update_event};
pub use partner::Partner;

/// The whole partner application: Orange's APIs, the docs and the shared middleware.
pub fn routes(partner: Arc<Partner>, auth: InboundAuth, limits: BodyLimits) -> impl Endpoint {
    let apis = (
        ProductOrderingPartnerServer::from_arc(partner.clone()),
        UserServicePartnerServer::from_arc(partner),
    );
    let service = OpenApiService::new(apis, "obakit partner API", env!("CARGO_PKG_VERSION"))
        .description(docs::DESCRIPTION)
        .server("/");
    let docs = docs::Docs::new(&service);
    Route::new()
        .nest("/docs", docs.ui)
        .at("/openapi.json", docs.json)
        .at("/openapi.yaml", docs.yaml)
        .nest("/", service)
        .with(auth)
        .with(limits)
        .catch_all_error(errors::to_orange_error)
        .with(request_id::RequestId)
}
