//! The application's routes, assembled here in the wiring so that `http` (Orange's APIs and what
//! every route shares) and `admin` (the operator's API) do not know each other.

use std::sync::Arc;

use obakit_api::product_ordering::server::ProductOrderingPartnerServer;
use obakit_api::user_service::server::UserServicePartnerServer;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Route};
use poem_openapi::{OpenApi, OpenApiService};

use crate::admin::{ADMIN_DOCUMENT, Admin};
use crate::http::{
    BodyLimits, InboundAuth, Partner, docs, errors, fleet_stream, request_bodies, request_id,
};

/// The whole partner application: Orange's APIs, the docs and the shared middleware.
pub fn routes(partner: Arc<Partner>, auth: InboundAuth, limits: BodyLimits) -> impl Endpoint {
    routes_with_admin(partner, auth, limits, None)
}

/// Same, plus the admin API under `/admin` when `admin` is given. Swagger UI (`/docs`) then
/// shows it under its own tag, because one OpenAPI service serves both; Orange's documents
/// (`/openapi.json`, `/openapi.yaml`) still list Orange's operations only, and the admin API has
/// its own document at `/admin/openapi.json`. `/admin` and below are checked by the admin guard,
/// never with Orange's credentials.
pub fn routes_with_admin(
    partner: Arc<Partner>,
    mut auth: InboundAuth,
    limits: BodyLimits,
    admin: Option<Admin>,
) -> impl Endpoint {
    let orange = || {
        (
            ProductOrderingPartnerServer::from_arc(partner.clone()),
            UserServicePartnerServer::from_arc(partner.clone()),
        )
    };
    let orange_service = described(orange(), docs::DESCRIPTION);
    let orange_docs = docs::Docs::new(&orange_service, &auth);
    let request_bodies = request_bodies::RequestBodies::from_document(&orange_service.spec());
    let route = Route::new()
        .at("/openapi.json", orange_docs.json)
        .at("/openapi.yaml", orange_docs.yaml);
    let app = match admin {
        None => route
            .nest("/docs", orange_docs.ui)
            .nest("/", described(orange(), docs::DESCRIPTION))
            .boxed(),
        Some(admin) => {
            auth.admin_delegated = true;
            let (product_ordering, user_service) = orange();
            let description = format!("{}\n\n{}", docs::DESCRIPTION, crate::admin::DESCRIPTION);
            let all = described(
                (product_ordering, user_service, admin.api.clone()),
                description,
            );
            let admin_document = OpenApiService::new(
                admin.api.clone(),
                "obakit admin API",
                env!("CARGO_PKG_VERSION"),
            )
            .description(crate::admin::DESCRIPTION)
            .server("/")
            .spec_endpoint()
            .into_endpoint()
            .map_to_response();
            route
                .nest("/docs", docs::Docs::new(&all, &auth).ui)
                .at(ADMIN_DOCUMENT, admin_document)
                .nest("/", all)
                .with(admin.guard)
                .boxed()
        }
    };
    app.with(request_bodies)
        .with(fleet_stream::StreamedFleet(partner.clone()))
        .with(auth)
        .with(limits)
        .catch_all_error(errors::to_orange_error)
        .with(request_id::RequestId)
}

/// An OpenAPI service as the partner server publishes it.
fn described<T: OpenApi>(apis: T, description: impl Into<String>) -> OpenApiService<T, ()> {
    OpenApiService::new(apis, "obakit partner API", env!("CARGO_PKG_VERSION"))
        .description(description)
        .server("/")
}
