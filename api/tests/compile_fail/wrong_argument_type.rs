//! A handler method must take the arguments the spec gives it: here the order body as a `String`
//! instead of the generated `ProductOrder`.

use obakit_api::product_ordering::handler::{
    CreateProductOrderResponse, ProductOrderingPartnerApi,
};

struct Partner;

impl ProductOrderingPartnerApi for Partner {
    async fn create_product_order(&self, body: String) -> poem::Result<CreateProductOrderResponse> {
        let _ = body;
        Err(poem::Error::from_status(
            poem::http::StatusCode::NOT_IMPLEMENTED,
        ))
    }
}

fn main() {}
