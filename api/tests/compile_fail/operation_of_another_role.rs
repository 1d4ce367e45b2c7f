//! Each role's trait holds that role's operations only: the partner does not serve Orange's
//! `notifyProductOrderEvent`.

use obakit_api::product_ordering::handler::{
    NotifyProductOrderEventResponse, ProductOrderingPartnerApi,
};

struct Partner;

impl ProductOrderingPartnerApi for Partner {
    async fn notify_product_order_event(
        &self,
        offer: obakit_api::common::types::Offer,
        body: obakit_api::product_ordering::types::ProductOrderEvent,
    ) -> poem::Result<NotifyProductOrderEventResponse> {
        let _ = (offer, body);
        Err(poem::Error::from_status(
            poem::http::StatusCode::NOT_IMPLEMENTED,
        ))
    }
}

fn main() {}
