//! The partner side of Orange's APIs: the generated traits, implemented over the store.

use obakit_api::product_ordering::handler::{PingResponse, ProductOrderingPartnerApi};
use obakit_api::user_service::handler::UserServicePartnerApi;

/// The state every partner operation needs.
pub struct Partner {}

impl Partner {
    pub fn new() -> Self {
        Self {}
    }
}

impl Default for Partner {
    fn default() -> Self {
        Self::new()
    }
}

impl ProductOrderingPartnerApi for Partner {
    async fn ping(&self) -> poem::Result<PingResponse> {
        Ok(PingResponse::Ok)
    }
}

impl UserServicePartnerApi for Partner {}
