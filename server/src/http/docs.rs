//! Swagger UI and the OpenAPI documents, served by the binary itself and working offline.

use poem::endpoint::BoxEndpoint;
use poem::{EndpointExt, IntoEndpoint};
use poem_openapi::{OpenApi, OpenApiService};

pub(super) const DESCRIPTION: &str = "Orange Business Applications partner API (ProductOrdering v2, UserService v2), \
served by obakit. Orange calls these operations; the partner answers synchronously or acknowledges and sends an event.";

pub(super) struct Docs {
    pub(super) ui: BoxEndpoint<'static>,
    pub(super) json: BoxEndpoint<'static>,
    pub(super) yaml: BoxEndpoint<'static>,
}

impl Docs {
    pub(super) fn new<T: OpenApi + 'static, W: poem_openapi::Webhook + 'static>(
        service: &OpenApiService<T, W>,
    ) -> Self {
        Self {
            ui: service
                .swagger_ui()
                .into_endpoint()
                .map_to_response()
                .boxed(),
            json: service
                .spec_endpoint()
                .into_endpoint()
                .map_to_response()
                .boxed(),
            yaml: service
                .spec_endpoint_yaml()
                .into_endpoint()
                .map_to_response()
                .boxed(),
        }
    }
}
