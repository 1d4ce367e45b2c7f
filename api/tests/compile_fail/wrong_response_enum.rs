//! A handler method answers with its own operation's response enum: `ping` cannot answer with
//! `createProductOrder`'s.

use obakit_api::product_ordering::handler::{
    CreateProductOrderResponse, ProductOrderingPartnerApi,
};

struct Partner;

impl ProductOrderingPartnerApi for Partner {
    async fn ping(&self) -> poem::Result<CreateProductOrderResponse> {
        Err(poem::Error::from_status(
            poem::http::StatusCode::NOT_IMPLEMENTED,
        ))
    }
}

fn main() {}
