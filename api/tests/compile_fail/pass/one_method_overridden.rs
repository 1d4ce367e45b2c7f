//! Implementing one operation is enough: the others answer 501 Not Implemented by default, and the
//! server wrapper serves the implementation. Compiled and run by `tests/trybuild.rs` as a module of its
//! own test crate (as `trybuild`'s pass cases are, without making it build every dependency again).

use obakit_api::product_ordering::handler::{
    CreateProductOrderResponse, ProductOrderingPartnerApi,
};
use obakit_api::product_ordering::server::ProductOrderingPartnerServer;
use obakit_api::product_ordering::types::ProductOrder;

struct Partner;

impl ProductOrderingPartnerApi for Partner {
    async fn create_product_order(
        &self,
        body: ProductOrder,
    ) -> poem::Result<CreateProductOrderResponse> {
        Ok(CreateProductOrderResponse::Created(
            poem_openapi::payload::Json(body),
        ))
    }
}

pub(crate) async fn run() {
    let error = match Partner.ping().await {
        Ok(answer) => panic!("ping is not implemented, yet it answered {answer:?}"),
        Err(error) => error,
    };
    assert_eq!(error.status(), poem::http::StatusCode::NOT_IMPLEMENTED);

    let service = poem_openapi::OpenApiService::new(
        ProductOrderingPartnerServer::new(Partner),
        "partner",
        "1",
    );
    let spec = service.spec();
    assert!(
        spec.contains("createProductOrder"),
        "the document lists the operation"
    );
    let _app = poem::Route::new().nest("/", service);
}
